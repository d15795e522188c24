/* haproxy.cfg's backend keywords for servers that come from the cluster or
 * a script (issue 15, fulcrum extensions; doc/config.md "haproxy.cfg",
 * doc/pacemaker.md):
 *
 *   fulcrum-pacemaker-servers resource R attribute NAME REGEX
 *       [default-weight W] [weight NODE W]... [port P] [address NODE ADDR]...
 *       [interval S] [timeout S] [crm-mon PATH] [corosync-conf PATH]
 *   fulcrum-server-script "CMD ARGS" [INTERVAL]
 *
 * Each KEY ARGS... is keepalived's pacemaker_real_servers keyword of the
 * same name ('-' for '_'; source_kw.c reads it: the same values, the same
 * refusals), so the model is the one keepalived.conf builds.  The servers
 * get the default-server options in force at that line, as a `server` line
 * there would (a cookie aside: it names one server), and the backend's
 * check when default-server says `check` (hp_source_finish). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "conf/source_kw.h"
#include "core/err.h"
#include "kw/lexer-t.h"
#include "model/http_proxy.h"
#include "model/model.h"
#include "model/source.h"

#define HP_SRC_NAME_MAX 32

static const struct conf_source_words hp_words = {"a backend", "fulcrum-pacemaker-servers",
						  "fulcrum-server-script"};

/* The default-server in force here, on a template server (px->src_srv):
 * its options and checks go to every server the source yields. */
static int hp_src_template(struct hp_read *r, struct hp_px *px, const char *kw)
{
	struct real_server *t;

	if (px->defsrv.ssl) {
		hp_error(r, "%s: the servers it yields would be plain: default-server ssl is not "
			    "served here",
			 kw);
		return -1;
	}
	t = rs_new();
	if (!t || !(t->hp = malloc(sizeof(*t->hp))) || !(t->name = strdup(kw))) {
		rs_free(t);
		hp_error(r, "out of memory");
		return -1;
	}
	*t->hp = px->hp->defsrv;
	t->hp->cookie[0] = 0;
	t->file = r->file;
	t->line = r->line;
	px->src_srv = px->defsrv;
	px->src_srv.rs = t;
	return 0;
}

static struct pool_source *hp_src_open(struct hp_read *r, struct hp_px *px,
				       enum pool_source_kind kind, const char *kw)
{
	struct pool_source *s;
	char err[ERRLEN];

	s = conf_source_open(r->cfg, &px->hp->pool->source, kind, 0, &hp_words, r->file, r->line,
			     err, sizeof(err));
	if (!s) {
		hp_error(r, "%s", err);
		return NULL;
	}
	if (hp_src_template(r, px, kw) < 0)
		return NULL;
	return s;
}

int hp_pacemaker_servers(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			 size_t errlen)
{
	struct kw_ctx c = {.cfg = r->cfg, .d = r->d};
	struct pool_source *s;
	int i = 1, weight_given = 0;

	if (w->n < 2)
		return err_set(err, errlen,
			       "usage: %s [resource R] [attribute NAME REGEX] [default-weight W] "
			       "[weight NODE W]... [port P] [address NODE ADDR]...",
			       w->args[0]);
	s = hp_src_open(r, px, SRC_PACEMAKER, w->args[0]);
	if (!s)
		return 0; /* reported */
	while (i < w->n) {
		char name[HP_SRC_NAME_MAX], *p;
		struct token toks[3];
		struct kw_stmt st;
		int n;

		snprintf(name, sizeof(name), "%s", w->args[i]);
		for (p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		n = strchr(w->args[i], '_') ? -1 : conf_source_nargs(name);
		if (n < 0)
			return err_set(err, errlen, "%s: unknown option '%s'", w->args[0], w->args[i]);
		if (i + n >= w->n)
			return err_set(err, errlen, "%s: '%s' needs %d value%s", w->args[0],
				       w->args[i], n, n == 1 ? "" : "s");
		conf_source_stmt(&st, toks, r->file, r->line, name, w->args + i + 1,
				 (unsigned)n);
		if (conf_source_kw(&c, s, &st, err, errlen) < 0)
			return -1;
		weight_given |= !strcmp(name, "default_weight");
		i += n + 1;
	}
	/* default-server weight W: the servers' weight unless default-weight */
	if (!weight_given && px->src_srv.weight >= 0)
		s->default_weight = px->src_srv.weight;
	return 0;
}

int hp_server_script(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	struct pool_source tmp = {0}, *s;
	struct token toks[3];
	struct kw_stmt st;

	if (w->n < 2 || w->n > 3)
		return err_set(err, errlen, "usage: %s \"COMMAND ARGS\" [INTERVAL]", w->args[0]);
	conf_source_stmt(&st, toks, r->file, r->line, w->args[0], w->args + 1,
			 (unsigned)(w->n - 1));
	if (conf_source_script(&tmp, &st, err, errlen) < 0)
		return -1;
	s = hp_src_open(r, px, SRC_SCRIPT, w->args[0]);
	if (!s) {
		free(tmp.script);
		return 0; /* reported */
	}
	s->script = tmp.script;
	s->interval_ms = tmp.interval_ms;
	/* default-server weight W: a line's weight unless it gives one */
	if (px->src_srv.weight >= 0)
		s->default_weight = px->src_srv.weight;
	return 0;
}

void hp_source_finish(struct hp_read *r, struct hp_px *px)
{
	struct real_server *t = px->src_srv.rs;
	struct pool_source *s = px->hp && px->hp->pool ? px->hp->pool->source : NULL;

	if (!t)
		return;
	if (s) {
		t->addr.port = s->port;
		if (px->src_srv.check || px->src_srv.agent)
			hp_build_checks(r, px, &px->src_srv);
		s->checks = t->checks;
		t->checks = NULL;
		s->hp = t->hp;
		t->hp = NULL;
	}
	rs_free(t);
	px->src_srv.rs = NULL;
}
