/* haproxy.cfg's keywords of the proxy sections (defaults, frontend,
 * backend, listen; `global` is haproxy_global.c's) and the helpers both
 * share.  A keyword fulcrum serves is read into the model here (bind,
 * server, balance and the checks in haproxy_srv.c); one that only tunes
 * HAProxy itself (tune.*, cpu-map, option splice-auto...) is accepted with
 * a warning; anything else is refused at file:line with its name, so that
 * no line of a haproxy.cfg is silently dropped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/haproxy.h"
#include "core/err.h"
#include "http/capture.h"
#include "http/reply.h"
#include "http/rules.h"
#include "model/http_proxy.h"
#include "model/model.h"

/* ---- shared ---- */

int hp_set_str(char **dst, const char *s, char *err, size_t errlen)
{
	char *c = strdup(s);

	if (!c)
		return err_set(err, errlen, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

/* Appends s to the string vector *v (n entries). */
int hp_strv_add(char ***v, unsigned *n, const char *s, char *err, size_t errlen)
{
	char **g = realloc(*v, (*n + 1) * sizeof(char *));

	if (!g)
		return err_set(err, errlen, "out of memory");
	*v = g;
	if (!(g[*n] = strdup(s)))
		return err_set(err, errlen, "out of memory");
	(*n)++;
	return 0;
}

int hp_tunes(const char *const *list, const char *k)
{
	unsigned i;
	size_t n;

	for (i = 0; list[i]; i++) {
		n = strlen(list[i]);
		if (list[i][n - 1] == '.' || list[i][n - 1] == '-' ? !strncmp(k, list[i], n)
								   : !strcmp(k, list[i]))
			return 1;
	}
	return 0;
}

static const char *const hp_facilities[] = {
    "kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "auth2",  "ftp",    "ntp",    "audit",  "alert",  "cron2",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL};
static const char *const hp_levels[] = {"emerg",   "alert",  "crit", "err",
					"warning", "notice", "info", "debug", NULL};

static int name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* `log global` | `log ADDR [len N] [format F] [sample R:S] FACILITY [LEVEL
 * [MINLEVEL]]`; ADDR is IP[:PORT] (udp@, ipv4@, ipv6@ prefixes taken),
 * a unix socket path, stdout or stderr. */
int hp_log_parse(struct hp_read *r, struct hp_words *w, struct hp_log **list, int *log_global)
{
	struct hp_log *l, **lp;
	const char *a;
	char e[ERRLEN];
	int i = 2;

	if (w->n == 2 && !strcmp(w->args[1], "global")) {
		if (!log_global) {
			hp_error(r, "'log global' is for proxies; the global section gives the targets");
			return -1;
		}
		*log_global = 1;
		return 0;
	}
	if (w->n < 3) {
		hp_error(r, "usage: log ADDRESS [len N] [format F] FACILITY [LEVEL [MINLEVEL]]");
		return -1;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		hp_error(r, "out of memory");
		return -1;
	}
	l->level = 7;
	snprintf(l->tag, sizeof(l->tag), "%s",
		 r->cfg->hp_global && r->cfg->hp_global->log_tag ? r->cfg->hp_global->log_tag
								  : "haproxy");
	a = w->args[1];
	if (!strncmp(a, "udp@", 4) || !strncmp(a, "udp4@", 5) || !strncmp(a, "udp6@", 5) ||
	    !strncmp(a, "ipv4@", 5) || !strncmp(a, "ipv6@", 5))
		a = strchr(a, '@') + 1;
	if (!strcmp(a, "stdout") || !strcmp(a, "fd@1")) {
		l->kind = HP_LOG_STDOUT;
	} else if (!strcmp(a, "stderr") || !strcmp(a, "fd@2")) {
		l->kind = HP_LOG_STDERR;
	} else if (a[0] == '/' || !strncmp(a, "unix@", 5)) {
		if (!strncmp(a, "unix@", 5))
			a += 5;
		if (strlen(a) >= sizeof(l->path)) {
			hp_error(r, "log %s: a socket path is at most %zu bytes", a,
				 sizeof(l->path) - 1);
			goto fail;
		}
		l->kind = HP_LOG_UNIX;
		snprintf(l->path, sizeof(l->path), "%s", a);
	} else if (strchr(a, '@')) {
		hp_error(r, "log %s: fulcrum sends logs to IP[:PORT], a unix socket path, stdout or "
			    "stderr",
			 w->args[1]);
		goto fail;
	} else {
		l->kind = HP_LOG_UDP;
		if (addr_parse_hostport(a, &l->addr, e, sizeof(e)) < 0) {
			if (addr_parse_ip(a, &l->addr, e, sizeof(e)) < 0) {
				hp_error(r, "log %s: %s", a, e);
				goto fail;
			}
			l->addr.port = 514;
		}
	}
	while (i + 1 < w->n && (!strcmp(w->args[i], "len") || !strcmp(w->args[i], "format") ||
				!strcmp(w->args[i], "sample")))
		i += 2;
	if (i >= w->n || (l->facility = name_index(hp_facilities, w->args[i])) < 0) {
		hp_error(r, "log %s: '%s' is not a syslog facility (local0..local7, daemon...)",
			 w->args[1], i < w->n ? w->args[i] : "");
		goto fail;
	}
	if (++i < w->n && (l->level = name_index(hp_levels, w->args[i])) < 0) {
		hp_error(r, "log %s: '%s' is not a level (emerg ... debug)", w->args[1], w->args[i]);
		goto fail;
	}
	if (i < w->n && ++i < w->n && (l->minlevel = name_index(hp_levels, w->args[i])) < 0) {
		hp_error(r, "log %s: '%s' is not a level (emerg ... debug)", w->args[1], w->args[i]);
		goto fail;
	}
	if (i < w->n && ++i < w->n) {
		hp_error(r, "log %s: unexpected '%s'", w->args[1], w->args[i]);
		goto fail;
	}
	for (lp = list; *lp; lp = &(*lp)->next)
		;
	*lp = l;
	return 0;
fail:
	free(l);
	return -1;
}

/* ---- proxies ---- */

#define W_FE  HP_CAP_FE /* frontend (and listen) */
#define W_BE  HP_CAP_BE /* backend (and listen) */
#define W_DEF 0x4	/* defaults */
#define W_ALL (W_FE | W_BE | W_DEF)

typedef int (*hp_kw_fn)(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			size_t errlen);

struct hp_kw {
	const char *name;
	unsigned where; /* W_* */
	hp_kw_fn parse;
};

static int kw_mode(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		   size_t errlen)
{
	if (w->n == 2 && !strcmp(w->args[1], "http"))
		px->hp->mode = HP_MODE_HTTP;
	else if (w->n == 2 && !strcmp(w->args[1], "tcp"))
		px->hp->mode = HP_MODE_TCP;
	else
		return err_set(err, errlen, "mode '%s' is not supported (tcp or http)",
			       w->n > 1 ? w->args[1] : "");
	return 0;
}

static int kw_timeout(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		      size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
	    {"client", offsetof(struct http_proxy, t_client)},
	    {"server", offsetof(struct http_proxy, t_server)},
	    {"connect", offsetof(struct http_proxy, t_connect)},
	    {"queue", offsetof(struct http_proxy, t_queue)},
	    {"tunnel", offsetof(struct http_proxy, t_tunnel)},
	    {"http-request", offsetof(struct http_proxy, t_http_request)},
	    {"http-keep-alive", offsetof(struct http_proxy, t_http_keep_alive)},
	    {"client-fin", offsetof(struct http_proxy, t_client_fin)},
	    {"server-fin", offsetof(struct http_proxy, t_server_fin)},
	    {"check", offsetof(struct http_proxy, t_check)},
	    {"tarpit", offsetof(struct http_proxy, t_tarpit)},
	};
	unsigned i, ms;

	if (w->n != 3)
		return err_set(err, errlen, "usage: timeout NAME TIME");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].name, w->args[1]))
			break;
	if (i == sizeof(t) / sizeof(t[0]))
		return err_set(err, errlen,
			       "'timeout %s' is not supported (client, server, connect, queue, "
			       "tunnel, http-request, http-keep-alive, client-fin, server-fin, "
			       "check, tarpit)",
			       w->args[1]);
	if (hp_time_ms(w->args[2], &ms, err, errlen) < 0)
		return -1;
	*(unsigned *)((char *)px->hp + t[i].off) = ms;
	return 0;
}

static int kw_number(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	unsigned *dst = !strcmp(w->args[0], "maxconn")	 ? &px->hp->maxconn
			: !strcmp(w->args[0], "fullconn") ? &px->hp->fullconn
							  : &px->hp->retries;

	if (w->n != 2)
		return err_set(err, errlen, "'%s' takes one number", w->args[0]);
	return hp_uint(w->args[0], w->args[1], 0, 10000000, dst, err, errlen);
}

static int kw_string(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	char **dst = !strcmp(w->args[0], "default_backend") ? &px->hp->default_backend
		     : !strcmp(w->args[0], "monitor-uri")   ? &px->hp->monitor_uri
							    : &px->hp->log_format;

	if (w->n != 2)
		return err_set(err, errlen, "'%s' takes one value (quote it if it has blanks)",
			       w->args[0]);
	if (dst == &px->hp->default_backend)
		px->default_backend_line = r->line;
	if (dst == &px->hp->log_format)
		px->log_format_line = r->line;
	return hp_set_str(dst, w->args[1], err, errlen);
}

/* declare capture request|response len N (haproxy's messages) */
static int kw_declare(struct hp_px *px, struct hp_words *w, char *err, size_t errlen)
{
	long long len;
	int clean;

	if (w->n < 2 || strcmp(w->args[1], "capture"))
		return err_set(err, errlen, "unknown declaration type '%s' (supports 'capture')",
			       w->n > 1 ? w->args[1] : "");
	if (w->n < 3 || (strcmp(w->args[2], "request") && strcmp(w->args[2], "response")))
		return err_set(err, errlen, "'declare capture' requires a direction ('request' or 'response')");
	if (w->n < 5 || strcmp(w->args[3], "len"))
		return err_set(err, errlen, "'declare capture' requires a capture length ('len')");
	if (w->n > 5)
		return err_set(err, errlen, "'declare capture': unexpected '%s'", w->args[5]);
	len = capture_len(w->args[4], &clean);
	if (!clean)
		return err_set(err, errlen, "'declare capture': cannot parse the length '%s'", w->args[4]);
	if (len <= 0)
		return err_set(err, errlen, "'declare capture': length must be > 0");
	if (len > HP_CAPTURE_MAX)
		len = HP_CAPTURE_MAX; /* as long as a value can be */
	return capture_declare(px->hp, w->args[2][2] == 's', "", (unsigned)len, err, errlen) < 0 ? -1 : 0;
}

/* capture request|response header NAME len N, capture cookie NAME len N
 * (frontend, listen); declare capture ... */
static int kw_capture(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		      size_t errlen)
{
	struct http_proxy *hp = px->hp;
	long long hlen;
	unsigned len;
	int clean;

	if (!strcmp(w->args[0], "declare"))
		return kw_declare(px, w, err, errlen);
	if (w->n == 5 && !strcmp(w->args[1], "cookie") && !strcmp(w->args[3], "len")) {
		if (hp_uint("capture len", w->args[4], 1, 100000, &len, err, errlen) < 0)
			return -1;
		if (strlen(w->args[2]) >= sizeof(hp->cap_cookie) || !*w->args[2])
			return err_set(err, errlen, "capture cookie: name '%s' is empty or too long",
				       w->args[2]);
		if (len > HP_CAPTURE_COOKIE) {
			hp_warn(r, "capture cookie: truncating capture length to %d bytes",
				HP_CAPTURE_COOKIE);
			len = HP_CAPTURE_COOKIE;
		}
		if (hp->cap_cookie[0])
			hp_warn(r, "capture cookie: one per frontend, this one replaces '%s'",
				hp->cap_cookie);
		snprintf(hp->cap_cookie, sizeof(hp->cap_cookie), "%s", w->args[2]);
		hp->cap_cookie_len = len;
		return 0;
	}
	if (w->n != 6 || (strcmp(w->args[1], "request") && strcmp(w->args[1], "response")) ||
	    strcmp(w->args[2], "header") || strcmp(w->args[4], "len"))
		return err_set(err, errlen, "usage: capture request|response header NAME len N, "
			       "or capture cookie NAME len N");
	/* haproxy reads the len with atol, whatever it holds */
	hlen = capture_len(w->args[5], &clean);
	if (hlen > HP_CAPTURE_MAX)
		hlen = HP_CAPTURE_MAX; /* as long as a value can be */
	if (!clean || hlen < 0)
		hp_warn(r, "capture: length '%s' is read as %lld, as haproxy reads it", w->args[5],
			hlen < 0 ? 0 : hlen);
	if (!*w->args[3])
		return err_set(err, errlen, "capture: empty header name");
	return capture_declare(hp, w->args[1][2] == 's', w->args[3], hlen < 0 ? 0 : (unsigned)hlen, err,
			       errlen) < 0 ? -1 : 0;
}

static int kw_log(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		  size_t errlen)
{
	hp_log_parse(r, w, &px->hp->logs, &px->hp->log_global);
	return 0;
}

static int kw_stats(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		    size_t errlen)
{
	struct hp_stats *s = &px->hp->stats;
	const char *k = w->n > 1 ? w->args[1] : "";
	unsigned ms;

	s->enabled = 1;
	if (!strcmp(k, "enable") || !strcmp(k, "show-legends") || !strcmp(k, "show-node") ||
	    !strcmp(k, "show-desc") || !strcmp(k, "show-modules"))
		return 0;
	if (!strcmp(k, "hide-version")) {
		s->hide_version = 1;
		return 0;
	}
	if (!strcmp(k, "admin")) {
		char cond[1024];
		size_t len = 0;
		int i;

		if (w->n < 4 || (strcmp(w->args[2], "if") && strcmp(w->args[2], "unless")))
			return err_set(err, errlen, "usage: stats admin if|unless CONDITION");
		/* the condition is the stats page's to compile (issue 14) */
		for (i = 2; i < w->n && len < sizeof(cond); i++)
			len += (size_t)snprintf(cond + len, sizeof(cond) - len, "%s%s", i > 2 ? " " : "",
						w->args[i]);
		if (len >= sizeof(cond))
			return err_set(err, errlen, "stats admin: condition too long");
		s->admin = 1;
		if (http_rules_parse(px->hp, w->args, w->n, r->file, r->line, err, errlen) < 0)
			return -1;
		return hp_set_str(&s->admin_cond, cond, err, errlen);
	}
	if (w->n != 3)
		return err_set(err, errlen,
			       "'stats %s' is not supported (enable, uri, realm, auth, refresh, "
			       "scope, hide-version, admin, show-legends, show-node)",
			       k);
	if (!strcmp(k, "uri") || !strcmp(k, "realm")) {
		char *dst = k[0] == 'u' ? s->uri : s->realm;

		if (strlen(w->args[2]) >= sizeof(s->uri))
			return err_set(err, errlen, "stats %s: at most %zu bytes", k,
				       sizeof(s->uri) - 1);
		snprintf(dst, sizeof(s->uri), "%s", w->args[2]);
		return 0;
	}
	if (!strcmp(k, "auth")) {
		if (!strchr(w->args[2], ':'))
			return err_set(err, errlen, "stats auth: '%s' is not USER:PASSWORD",
				       w->args[2]);
		return hp_strv_add(&s->auth, &s->n_auth, w->args[2], err, errlen);
	}
	if (!strcmp(k, "scope"))
		return hp_strv_add(&s->scope, &s->n_scope, w->args[2], err, errlen);
	if (!strcmp(k, "refresh")) {
		if (hp_time_ms(w->args[2], &ms, err, errlen) < 0)
			return -1;
		s->refresh_s = (ms + 999) / 1000;
		return 0;
	}
	return err_set(err, errlen, "'stats %s' is not supported", k);
}

static int kw_hash_type(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			size_t errlen)
{
	int i;

	if (w->n < 2 || (strcmp(w->args[1], "map-based") && strcmp(w->args[1], "consistent")))
		return err_set(err, errlen, "usage: hash-type map-based|consistent [FUNCTION]");
	px->hp->balance.consistent = w->args[1][0] == 'c';
	for (i = 2; i < w->n; i++)
		if (strcmp(w->args[i], "sdbm") && strcmp(w->args[i], "djb2") &&
		    strcmp(w->args[i], "wt6") && strcmp(w->args[i], "crc32") &&
		    strcmp(w->args[i], "avalanche"))
			return err_set(err, errlen, "hash-type: unknown '%s'", w->args[i]);
	if (w->n > 2)
		hp_warn(r, "hash-type %s: fulcrum hashes with sdbm, haproxy's default (keys "
			   "spread alike, but may land on other servers than haproxy's)",
			w->args[2]);
	return 0;
}

/* cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly]
 * [preserve] [httponly] [secure] [domain D] [attr A]...: as HAProxy 2.6
 * checks it (one mode; preserve with insert or indirect; attr without
 * control characters or ';').  maxidle, maxlife and dynamic need dates
 * and keys in the cookie that fulcrum does not write yet: refused. */
static int kw_cookie(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	static const char *const modes[] = {"", "rewrite", "insert", "prefix"};
	struct hp_cookie *c = &px->hp->cookie;
	int i, m;
	size_t k;

	(void)r;
	if (w->n < 2 || !w->args[1][0] || strlen(w->args[1]) >= sizeof(c->name))
		return err_set(err, errlen, "usage: cookie NAME [insert|rewrite|prefix] [indirect] "
					    "[nocache] [postonly] [preserve] [httponly] [secure] "
					    "[domain D] [attr A]");
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", w->args[1]);
	for (i = 2; i < w->n; i++) {
		const char *o = w->args[i];

		for (m = 1; m < 4 && strcmp(o, modes[m]); m++)
			;
		if (m < 4) {
			if (c->mode && (int)c->mode != m)
				return err_set(err, errlen, "cookie: '%s' and '%s' exclude each other",
					       modes[c->mode], o);
			c->mode = m;
		} else if (!strcmp(o, "indirect")) {
			c->indirect = 1;
		} else if (!strcmp(o, "nocache")) {
			c->nocache = 1;
		} else if (!strcmp(o, "postonly")) {
			c->postonly = 1;
		} else if (!strcmp(o, "preserve")) {
			c->preserve = 1;
		} else if (!strcmp(o, "httponly")) {
			c->httponly = 1;
		} else if (!strcmp(o, "secure")) {
			c->secure = 1;
		} else if (!strcmp(o, "domain") || !strcmp(o, "attr")) {
			char *dst = o[0] == 'd' ? c->domain : c->attrs;
			size_t cap = o[0] == 'd' ? sizeof(c->domain) : sizeof(c->attrs);
			const char *v = i + 1 < w->n ? w->args[++i] : "";

			if (!*v)
				return err_set(err, errlen, "cookie: '%s' needs a value", o);
			for (k = 0; v[k]; k++)
				if ((unsigned char)v[k] < 0x20 || v[k] == 0x7f || v[k] == ';')
					return err_set(err, errlen, "cookie: %s '%s': no control "
								    "characters or ';'", o, v);
			if (o[0] == 'd' && *dst)
				return err_set(err, errlen, "cookie: one domain only");
			if (strlen(dst) + strlen(v) + 3 > cap)
				return err_set(err, errlen, "cookie: %s: too long", o);
			if (*dst)
				strcat(dst, "; ");
			strcat(dst, v);
		} else if (!strcmp(o, "maxidle") || !strcmp(o, "maxlife") || !strcmp(o, "dynamic")) {
			return err_set(err, errlen, "cookie: '%s' is not served yet", o);
		} else {
			return err_set(err, errlen, "cookie: unknown option '%s'", o);
		}
	}
	if (c->preserve && c->mode != HP_CK_INSERT && !c->indirect)
		return err_set(err, errlen, "cookie: 'preserve' needs 'insert' or 'indirect'");
	return 0;
}

/* stick-table type ip|ipv6|integer|string [len N]|binary [len N] size N
 * [expire T] [nopurge] [peers P] [store TYPE,...]: what HAProxy 2.6
 * requires (type and size), the rest optional.  `store` counters serve
 * track-sc, which fulcrum does not do: warned; `peers`: warned (tables are
 * not shared between directors). */
static int kw_stick_table(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			  size_t errlen)
{
	static const char *const types[] = {"", "ip", "ipv6", "integer", "string", "binary"};
	struct hp_stick_table t = {.len = 32};
	int i;
	unsigned k;

	for (i = 1; i < w->n; i++) {
		const char *o = w->args[i], *v = i + 1 < w->n ? w->args[i + 1] : NULL;

		if (!strcmp(o, "nopurge"))
			continue;
		if (!v)
			return err_set(err, errlen, "stick-table: '%s' needs a value", o);
		i++;
		if (!strcmp(o, "type")) {
			for (k = 1; k < 6 && strcmp(v, types[k]); k++)
				;
			if (k == 6)
				return err_set(err, errlen, "stick-table: unknown type '%s' (ip, ipv6, "
							    "integer, string, binary)", v);
			t.type = k;
			if (i + 2 < w->n && !strcmp(w->args[i + 1], "len")) {
				if (k != HP_ST_STR && k != HP_ST_BIN)
					return err_set(err, errlen, "stick-table: 'len' is for string and "
								    "binary");
				if (hp_uint("len", w->args[i + 2], 1, 1024, &t.len, err, errlen) < 0)
					return -1;
				i += 2;
			}
		} else if (!strcmp(o, "size")) {
			unsigned long long n;

			if (hp_size(v, &n, err, errlen) < 0 || !n || n > 100000000)
				return err_set(err, errlen, "stick-table: size '%s': 1 to 100m entries", v);
			t.size = (unsigned)n;
		} else if (!strcmp(o, "expire")) {
			if (hp_time_ms(v, &t.expire_ms, err, errlen) < 0)
				return -1;
		} else if (!strcmp(o, "store") || !strcmp(o, "peers") || !strcmp(o, "srvkey")) {
			hp_warn(r, "stick-table: '%s %s' is not served (no track-sc, no peers)", o, v);
		} else {
			return err_set(err, errlen, "stick-table: unexpected '%s'", o);
		}
	}
	if (!t.type || !t.size)
		return err_set(err, errlen, "usage: stick-table type ip|ipv6|integer|string [len N] "
					    "size N [expire T]");
	px->hp->stick = t;
	return 0;
}

static int kw_bind(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		   size_t errlen)
{
	hp_bind_parse(r, px, w);
	return 0;
}

static int kw_server(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	hp_server_parse(r, px, w, !strcmp(w->args[0], "default-server"));
	return 0;
}

static int kw_balance(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		      size_t errlen)
{
	hp_balance_parse(r, px, w);
	return 0;
}

static int kw_checks(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	hp_check_line(r, px, w, 0);
	return 0;
}

static int kw_http(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		   size_t errlen)
{
	if (px->is_defaults)
		hp_defer(r, w);
	else
		hp_http_line(r, px->hp, w->args, w->n, r->file, r->line);
	return 0;
}

static int kw_nothing(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		      size_t errlen)
{
	return 0;
}

static int kw_tunes(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		    size_t errlen)
{
	hp_warn(r, "'%s' only tunes HAProxy: ignored", w->args[0]);
	return 0;
}

static int kw_http_reuse(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			 size_t errlen)
{
	if (w->n != 2 || (strcmp(w->args[1], "never") && strcmp(w->args[1], "safe") &&
			  strcmp(w->args[1], "aggressive") && strcmp(w->args[1], "always")))
		return err_set(err, errlen, "usage: http-reuse never|safe|aggressive|always");
	/* a client's idle server connections serve its own later requests
	 * (an HTTP/2 connection's streams too), never another client's:
	 * `safe` within a client, and all of `never` */
	if (strcmp(w->args[1], "safe") && strcmp(w->args[1], "never"))
		hp_warn(r, "http-reuse %s: fulcrum shares no idle server connection between clients "
			   "(as 'safe' does within one)",
			w->args[1]);
	return 0;
}

/* option forwardfor|originalto [except NET] [header NAME] [if-none] */
static int opt_xff(struct hp_read *r, struct hp_xff *x, struct hp_words *w, char *err,
		   size_t errlen)
{
	char net[128], *slash;
	unsigned max;
	int i;

	for (i = 2; i < w->n; i++) {
		const char *o = w->args[i];

		if (!strcmp(o, "if-none") && w->args[1][0] == 'f') {
			x->if_none = 1;
		} else if (!strcmp(o, "header") && i + 1 < w->n) {
			if (strlen(w->args[++i]) >= sizeof(x->header))
				return err_set(err, errlen, "option %s: header name too long",
					       w->args[1]);
			snprintf(x->header, sizeof(x->header), "%s", w->args[i]);
		} else if (!strcmp(o, "except") && i + 1 < w->n) {
			snprintf(net, sizeof(net), "%s", w->args[++i]);
			slash = strchr(net, '/');
			if (slash)
				*slash++ = 0;
			if (addr_parse_ip(net, &x->except, err, errlen) < 0)
				return -1;
			max = x->except.family == AF_INET6 ? 128 : 32;
			x->except_prefix = max;
			if (slash && (hp_uint("except", slash, 0, max, &x->except_prefix, err, errlen) < 0))
				return -1;
			x->has_except = 1;
		} else {
			return err_set(err, errlen, "option %s: unexpected '%s'", w->args[1], o);
		}
	}
	return 0;
}

/* `option redispatch [N]` (HAProxy 2.6: N, every Nth retry; negative, the
 * -Nth retry before the last; none, -1: the last); `no option redispatch`. */
static int opt_redispatch(struct http_proxy *hp, int no, const struct hp_words *w, char *err,
			  size_t errlen)
{
	char *end;
	long n = -1;

	if (w->n > 3 || (no && w->n > 2))
		return err_set(err, errlen, "usage: option redispatch [INTERVAL]");
	if (w->n == 3) {
		errno = 0;
		n = strtol(w->args[2], &end, 10);
		if (errno || end == w->args[2] || *end || n < -10000000 || n > 10000000)
			return err_set(err, errlen, "option redispatch: '%s' is no interval (an integer)",
				       w->args[2]);
	}
	if (no) {
		hp->options &= ~HP_OPT_REDISPATCH;
		hp->redispatch_after = 0;
		return 0;
	}
	hp->options |= HP_OPT_REDISPATCH;
	hp->redispatch_after = (int)n;
	return 0;
}

/* Options that are a flag.  `later`: kept in the model but the engine does
 * not act on it yet -- a warning says so rather than a silent no-op. */
static const struct {
	const char *name;
	unsigned flag;
	int later;
} hp_opt_flags[] = {
    {"persist", HP_OPT_PERSIST, 0},
    {"http-buffer-request", HP_OPT_BUFREQ, 0},
    {"abortonclose", HP_OPT_ABORTONCLOSE, 0},
    {"dontlognull", HP_OPT_DONTLOGNULL, 0},
    {"tcplog", HP_OPT_TCPLOG, 0},
    {"log-health-checks", HP_OPT_LOGHEALTH, 1},
    {"allbackups", HP_OPT_ALLBACKUPS, 1},
    {"logasap", HP_OPT_LOGASAP, 1},
    {"http-ignore-probes", HP_OPT_HTTP_IGNPROBES, 0},
};

/* options that only tune HAProxy's own sockets and buffers */
static const char *const hp_opt_tunes[] = {
    "splice-auto",	  "splice-request",	  "splice-response", "tcp-smart-accept",
    "tcp-smart-connect",  "tcpka",		  "clitcpka",	     "srvtcpka",
    "contstats",	  "socket-stats",	  "http-no-delay",   "independent-streams",
    "nolinger",		  "prefer-last-server",	  "http-pretend-keepalive",
    "http-use-htx",	  "dontlog-normal",	  "log-separate-errors", "checkcache",
    "disable-h2-upgrade", "idle-close-on-response", NULL};

static int kw_option(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen)
{
	struct http_proxy *hp = px->hp;
	int no = !strcmp(w->args[0], "no");
	struct hp_words ow;
	const char *o;
	unsigned i;

	if (no && w->n == 2 && !strcmp(w->args[1], "log")) {
		hp_log_free(hp->logs); /* `no log`: none, not even the defaults' */
		hp->logs = NULL;
		hp->log_global = 0;
		return 0;
	}
	if (no) {
		if (w->n < 3 || strcmp(w->args[1], "option"))
			return err_set(err, errlen, "'no' is followed by 'option NAME' or 'log'");
		ow = *w;
		memmove(ow.args, ow.args + 1, (size_t)w->n * sizeof(char *));
		ow.n--;
		w = &ow;
	}
	if (w->n < 2)
		return err_set(err, errlen, "'option' needs a name");
	o = w->args[1];
	if (hp_check_line(r, px, w, no))
		return 0;
	for (i = 0; i < sizeof(hp_opt_flags) / sizeof(hp_opt_flags[0]); i++)
		if (!strcmp(o, hp_opt_flags[i].name)) {
			if (w->n > 2)
				return err_set(err, errlen, "option %s takes no value", o);
			if (no)
				hp->options &= ~hp_opt_flags[i].flag;
			else
				hp->options |= hp_opt_flags[i].flag;
			if (!no && hp_opt_flags[i].later)
				hp_warn(r, "'option %s' is not served yet: ignored", o);
			return 0;
		}
	if (!strcmp(o, "redispatch"))
		return opt_redispatch(hp, no, w, err, errlen);
	if (!strcmp(o, "httplog")) {
		if (w->n > 3 || (w->n == 3 && strcmp(w->args[2], "clf")))
			return err_set(err, errlen, "usage: option httplog [clf]");
		hp->options &= ~(HP_OPT_HTTPLOG | HP_OPT_HTTPLOG_CLF);
		if (!no)
			hp->options |= HP_OPT_HTTPLOG | (w->n == 3 ? HP_OPT_HTTPLOG_CLF : 0);
		return 0;
	}
	if (!strcmp(o, "http-server-close") || !strcmp(o, "httpclose") ||
	    !strcmp(o, "http-keep-alive")) {
		if (w->n > 2)
			return err_set(err, errlen, "option %s takes no value", o);
		hp->conn_mode = no || o[5] == 'k' ? HP_CONN_KAL
				: o[5] == 's'	  ? HP_CONN_SCL
						  : HP_CONN_CLO;
		return 0;
	}
	if (!strcmp(o, "forwardfor") || !strcmp(o, "originalto")) {
		struct hp_xff *x = o[0] == 'f' ? &hp->fwdfor : &hp->origto;
		unsigned flag = o[0] == 'f' ? HP_OPT_FORWARDFOR : HP_OPT_ORIGINALTO;

		if (no) {
			hp->options &= ~flag;
			return 0;
		}
		if (opt_xff(r, x, w, err, errlen) < 0)
			return -1;
		hp->options |= flag;
		return 0;
	}
	if (!strncmp(o, "h1-case-adjust-bogus-", 21))
		return err_set(err, errlen,
			       "'option %s' is not supported: fulcrum writes header names in lower case, "
			       "as HAProxy does without it", o);
	if (hp_tunes(hp_opt_tunes, o)) {
		hp_warn(r, "'option %s' only tunes HAProxy: ignored", o);
		return 0;
	}
	return err_set(err, errlen, "'option %s' is not supported (not an option fulcrum serves)", o);
}

static const struct hp_kw hp_proxy_kws[] = {
    {"mode", W_ALL, kw_mode},
    {"bind", W_FE, kw_bind},
    {"timeout", W_ALL, kw_timeout},
    {"maxconn", W_FE | W_DEF, kw_number},
    {"fullconn", W_BE | W_DEF, kw_number},
    {"retries", W_BE | W_DEF, kw_number},
    {"default_backend", W_FE | W_DEF, kw_string},
    {"monitor-uri", W_FE | W_DEF, kw_string},
    {"log-format", W_FE | W_DEF, kw_string},
    {"log", W_ALL, kw_log},
    {"capture", W_FE, kw_capture},
    {"declare", W_FE, kw_capture},
    {"stats", W_ALL, kw_stats},
    {"option", W_ALL, kw_option},
    {"no", W_ALL, kw_option},
    {"balance", W_BE | W_DEF, kw_balance},
    {"hash-type", W_BE | W_DEF, kw_hash_type},
    {"cookie", W_BE | W_DEF, kw_cookie},
    {"server", W_BE, kw_server},
    {"default-server", W_BE | W_DEF, kw_server},
    {"fulcrum-pacemaker-servers", W_BE, hp_pacemaker_servers},
    {"fulcrum-server-script", W_BE, hp_server_script},
    {"http-check", W_BE | W_DEF, kw_checks},
    {"tcp-check", W_BE | W_DEF, kw_checks},
    {"errorfile", W_ALL, kw_http},
    {"errorfiles", W_ALL, kw_http},
    {"acl", W_FE | W_BE, kw_http},
    {"stick", W_BE, kw_http},
    {"stick-table", W_FE | W_BE, kw_stick_table},
    {"http-request", W_ALL, kw_http},
    {"http-response", W_ALL, kw_http},
    {"http-after-response", W_ALL, kw_http},
    {"tcp-request", W_FE | W_BE, kw_http}, /* content capture only (src/http/rules.c) */
    {"use_backend", W_FE, kw_http},
    {"http-reuse", W_BE | W_DEF, kw_http_reuse},
    {"description", W_FE | W_BE, kw_nothing},
    {"id", W_FE | W_BE, kw_nothing},
    {"enabled", W_ALL, kw_nothing},
    {"backlog", W_FE | W_DEF, kw_tunes},
    {"max-keep-alive-queue", W_BE | W_DEF, kw_tunes},
    {"email-alert", W_ALL, kw_tunes},
    {NULL, 0, NULL},
};

int hp_http_line(struct hp_read *r, struct http_proxy *hp, char **args, int nargs,
		 const char *file, int line)
{
	const char *f0 = r->file;
	int l0 = r->line, rc;
	char err[ERRLEN];

	err[0] = 0;
	r->file = file;
	r->line = line;
	if (!strcmp(args[0], "errorfile") || !strcmp(args[0], "errorfiles"))
		rc = http_errors_parse(hp, args, nargs, file, line, err, sizeof(err));
	else
		rc = http_rules_parse(hp, args, nargs, file, line, err, sizeof(err));
	if (rc < 0)
		hp_error(r, "%s", err[0] ? err : "refused");
	r->file = f0;
	r->line = l0;
	return rc;
}

static const char *where_name(const struct hp_px *px)
{
	return px->is_defaults				       ? "defaults"
	       : px->hp->cap == (HP_CAP_FE | HP_CAP_BE)	       ? "listen"
	       : px->hp->cap == HP_CAP_FE		       ? "frontend"
							       : "backend";
}

void hp_proxy_line(struct hp_read *r, struct hp_words *w)
{
	struct hp_px *px = r->cur;
	const struct hp_kw *k;
	unsigned in = px->is_defaults ? W_DEF : px->hp->cap;
	char err[ERRLEN];
	int i;

	for (k = hp_proxy_kws; k->name; k++)
		if (!strcmp(k->name, w->args[0]))
			break;
	if (!k->name)
		for (i = 0; http_rules_keywords[i]; i++)
			if (!strcmp(http_rules_keywords[i], w->args[0])) {
				kw_http(r, px, w, err, sizeof(err));
				return;
			}
	if (!k->name) {
		hp_error(r, "'%s' is not supported (not a keyword fulcrum serves in a %s section)",
			 w->args[0], where_name(px));
		return;
	}
	if (!(k->where & in)) {
		hp_error(r, "'%s' is not allowed in a %s section", w->args[0], where_name(px));
		return;
	}
	err[0] = 0;
	if (k->parse(r, px, w, err, sizeof(err)) < 0)
		hp_error(r, "%s", err[0] ? err : "invalid");
}
