/* haproxy.cfg's `global` section: the keywords fulcrum serves (log, chroot,
 * user/group, pidfile, maxconn, nbthread, stats socket, hard-stop-after,
 * setenv...), the TLS defaults (haproxy_ssl.c), and those that only tune
 * HAProxy itself, accepted with a warning.  Anything else is refused at
 * file:line with its name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"
#include "model/model.h"

/* Global keywords that only tune HAProxy itself: a warning each. */
static const char *const hp_global_tunes[] = {
    "tune.",	     "ssl-default-",	"ssl-dh-param-file", "ssl-server-verify",
    "thread-groups", "cpu-map",		"spread-checks",     "max-spread-checks",
    "maxsslconn",	"maxpipes",	     "maxcomprate",
    "maxcompcpuusage", "maxsslrate",	"maxconnrate",	     "maxsessrate",
    "noepoll",	     "nokqueue",	"nopoll",	     "nosplice",
    "nogetaddrinfo", "noreuseport",	"busy-polling",	     "ulimit-n",
    "node",	     "description",	"crt-base",
    "server-state-base", "server-state-file", "localpeer",  "quiet",
    "expose-experimental-directives", "insecure-fork-wanted", "log-send-hostname",
    "unix-bind",     "set-dumpable",	"strict-limits",     "numa-cpu-mapping",
    "profiling.",    "pp2-never-send-local", "grace",	     "nbproc",
    "master-worker", "h1-case-adjust",	"zero-warning",	     NULL};

/* `stats socket PATH [mode M] [level L] [...]`: mode and level are kept
 * in stats_opts at the path's index (defaults as HAProxy's but the mode,
 * 0600 so that a file without `mode` opens no runtime API to other users). */
static void hp_stats_socket(struct hp_read *r, struct hp_global *g, struct hp_words *w)
{
	static const char *const levels[] = {"user", "operator", "admin"};
	struct hp_stats_opts o = {.mode = 0600, .level = HP_LEVEL_OPERATOR}, *grown;
	char e[ERRLEN];
	unsigned v;
	int i, l;

	if (w->n < 3) {
		hp_error(r, "usage: stats socket PATH [mode MODE] [level user|operator|admin]");
		return;
	}
	for (i = 3; i < w->n; i++) {
		const char *k = w->args[i];

		if (!strcmp(k, "mode") || !strcmp(k, "level") || !strcmp(k, "user") ||
		    !strcmp(k, "group") || !strcmp(k, "uid") || !strcmp(k, "gid") ||
		    !strcmp(k, "expose-fd") || !strcmp(k, "process") || !strcmp(k, "thread") ||
		    !strcmp(k, "name")) {
			if (i + 1 >= w->n) {
				hp_error(r, "stats socket: '%s' needs a value", k);
				return;
			}
			if (!strcmp(k, "mode")) {
				if (sscanf(w->args[i + 1], "%o", &v) != 1 || v > 07777) {
					hp_error(r, "stats socket: mode '%s' is not an octal mode",
						 w->args[i + 1]);
					return;
				}
				o.mode = v;
			}
			if (!strcmp(k, "level")) {
				for (l = 0; l < 3 && strcmp(w->args[i + 1], levels[l]); l++)
					;
				if (l == 3) {
					hp_error(r, "stats socket: level '%s' is not user, operator or admin",
						 w->args[i + 1]);
					return;
				}
				o.level = (enum hp_level)l;
			}
			i++;
		} else {
			hp_warn(r, "stats socket: option '%s' is not read", k);
		}
	}
	grown = realloc(g->stats_opts, (g->n_stats_sockets + 1) * sizeof(*grown));
	if (!grown) {
		hp_error(r, "out of memory");
		return;
	}
	g->stats_opts = grown;
	grown[g->n_stats_sockets] = o;
	if (hp_strv_add(&g->stats_sockets, &g->n_stats_sockets, w->args[2], e, sizeof(e)) < 0)
		hp_error(r, "%s", e);
}

void hp_global_line(struct hp_read *r, struct hp_words *w)
{
	struct hp_global *g = r->cfg->hp_global;
	struct global_defs *gd = &r->cfg->global;
	const char *k = w->args[0];
	char e[ERRLEN];
	int rc = 0;

	e[0] = 0;
	if (!g)
		return;
	if (!strcmp(k, "log")) {
		hp_log_parse(r, w, &g->logs, NULL);
		return;
	}
	if (!strcmp(k, "stats") && w->n > 1 && !strcmp(w->args[1], "socket")) {
		hp_stats_socket(r, g, w);
		return;
	}
	if (!strcmp(k, "stats") && w->n > 1 &&
	    (!strcmp(w->args[1], "timeout") || !strcmp(w->args[1], "maxconn") ||
	     !strcmp(w->args[1], "bind-process"))) {
		hp_warn(r, "'stats %s' only tunes HAProxy: ignored", w->args[1]);
		return;
	}
	if (!strcmp(k, "daemon") && w->n == 1) {
		g->daemon = 1;
		return;
	}
	if (hp_global_ssl(r, w))
		return;
	if (hp_tunes(hp_global_tunes, k)) {
		if (!strcmp(k, "nbproc") && (w->n != 2 || strcmp(w->args[1], "1")))
			hp_error(r, "'nbproc %s': fulcrum is one process (use nbthread)",
				 w->n > 1 ? w->args[1] : "");
		else
			hp_warn(r, "'%s' only tunes HAProxy: ignored", k);
		return;
	}
	if (w->n != 2) {
		if (!strcmp(k, "chroot") || !strcmp(k, "user") || !strcmp(k, "group") ||
		    !strcmp(k, "uid") || !strcmp(k, "gid") ||
		    !strcmp(k, "pidfile") || !strcmp(k, "maxconn") || !strcmp(k, "nbthread") ||
		    !strcmp(k, "log-tag") || !strcmp(k, "unsetenv") || !strcmp(k, "hard-stop-after"))
			hp_error(r, "'%s' takes one value", k);
		else if (!strcmp(k, "setenv") || !strcmp(k, "presetenv")) {
			if (w->n != 3)
				hp_error(r, "usage: %s NAME VALUE", k);
			else if (!r->fuzz && (k[0] == 's' || !getenv(w->args[1])))
				setenv(w->args[1], w->args[2], 1);
		} else
			hp_error(r, "'%s' is not supported in global (not a keyword fulcrum serves)",
				 k);
		return;
	}
	if (!strcmp(k, "chroot"))
		rc = hp_set_str(&g->chroot, w->args[1], e, sizeof(e)) < 0 ||
		     hp_set_str(&gd->chroot_dir, w->args[1], e, sizeof(e)) < 0;
	else if (!strcmp(k, "user"))
		rc = hp_set_str(&g->user, w->args[1], e, sizeof(e)) < 0 ||
		     hp_set_str(&gd->run_as_user, w->args[1], e, sizeof(e)) < 0;
	else if (!strcmp(k, "group"))
		rc = hp_set_str(&g->group, w->args[1], e, sizeof(e)) < 0 ||
		     hp_set_str(&gd->run_as_group, w->args[1], e, sizeof(e)) < 0;
	else if (!strcmp(k, "uid") || !strcmp(k, "gid")) {
		/* the id itself, as haproxy's: kept as its digits, which the
		 * privileges code takes for an id when no name matches */
		if (w->args[1][strspn(w->args[1], "0123456789")] || !w->args[1][0] ||
		    strlen(w->args[1]) > 10 || strtoul(w->args[1], NULL, 10) > 0x7fffffffUL)
			hp_error(r, "'%s %s': not a numeric id", k, w->args[1]);
		else if (k[0] == 'u')
			rc = hp_set_str(&g->user, w->args[1], e, sizeof(e)) < 0 ||
			     hp_set_str(&gd->run_as_user, w->args[1], e, sizeof(e)) < 0;
		else
			rc = hp_set_str(&g->group, w->args[1], e, sizeof(e)) < 0 ||
			     hp_set_str(&gd->run_as_group, w->args[1], e, sizeof(e)) < 0;
	} else if (!strcmp(k, "pidfile"))
		rc = hp_set_str(&g->pidfile, w->args[1], e, sizeof(e));
	else if (!strcmp(k, "log-tag"))
		rc = hp_set_str(&g->log_tag, w->args[1], e, sizeof(e));
	else if (!strcmp(k, "maxconn"))
		rc = hp_uint("maxconn", w->args[1], 1, 10000000, &g->maxconn, e, sizeof(e));
	else if (!strcmp(k, "nbthread"))
		rc = hp_uint("nbthread", w->args[1], 1, 4096, &g->nbthread, e, sizeof(e));
	else if (!strcmp(k, "hard-stop-after"))
		rc = hp_time_ms(w->args[1], &g->hard_stop_ms, e, sizeof(e)) < 0;
	else if (!strcmp(k, "unsetenv")) {
		if (!r->fuzz)
			unsetenv(w->args[1]);
	} else
		hp_error(r, "'%s' is not supported in global (not a keyword fulcrum serves)", k);
	if (rc)
		hp_error(r, "%s", e[0] ? e : "out of memory");
}
