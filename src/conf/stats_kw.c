/* The stats page and /metrics of a keepalived.conf / ldirectord.cf director
 * (fulcrum extensions, issue 14): global_defs `stats_listen ADDR:PORT`,
 * `stats_uri`, `stats_auth USER:PASS` (repeatable), `stats_realm`,
 * `stats_refresh`, `stats_admin on|off`, `metrics_uri`; ldirectord.cf takes
 * the same names as `key = value` lines.
 *
 * What they build is what a haproxy.cfg frontend that only serves the
 * stats page builds (model/http_proxy-t.h; src/stats/web.h says how the
 * engine serves it): an http_proxy named "stats", a frontend in mode http
 * with `stats` filled (and stats.metrics_uri, which haproxy.cfg says with
 * `http-request use-service prometheus-exporter`), and a service on
 * ADDR:PORT (FWD_PROXY, vs->http = the proxy) with its own empty pool, so
 * the HTTP engine answers the page, `;csv`, `;json` and /metrics there
 * exactly as for a haproxy.cfg (anything else: 503).  The CSV shows it as
 * a FRONTEND row named "stats" before the LVS pools' rows.
 *
 * The keywords fill c->cfg->global.stats_px as they come (any order, any
 * number of global_defs blocks); conf_stats_finish() makes the listener
 * once the whole file is read, or drops what was given without a
 * stats_listen (with a warning). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ka.h"
#include "core/err.h"
#include "kw/lexer.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define STATS_PX_NAME "stats"

/* The proxy the keywords fill, made with the defaults at the first one:
 * uri "/", metrics_uri "/metrics", mode http, no auth, no admin; its
 * file:line is that keyword's until stats_listen gives its own. */
static struct http_proxy *stats_px(struct kw_ctx *c, void *obj, const struct kw_stmt *st,
				   char *err, size_t errlen)
{
	struct global_defs *g = obj;
	struct http_proxy *hp = g->stats_px;

	if (hp)
		return hp;
	hp = http_proxy_new(STATS_PX_NAME, HP_CAP_FE);
	if (!hp) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	hp->mode = HP_MODE_HTTP;
	hp->stats.enabled = 1;
	strcpy(hp->stats.uri, "/");
	strcpy(hp->stats.metrics_uri, "/metrics");
	hp->file = config_intern_file(c->cfg, st->kw->file);
	hp->line = st->kw->line;
	g->stats_px = hp;
	return hp;
}

/* A path the HTTP engine compares with the request's: '/' then no blank. */
static int stats_path(const struct kw_stmt *st, char *dst, size_t dstlen, char *err,
		      size_t errlen)
{
	const char *s = st->args[0].text;

	if (s[0] != '/')
		return err_set(err, errlen, "%s: '%s' does not begin with '/'", st->kw->text, s);
	if (strpbrk(s, " \t\r\n"))
		return err_set(err, errlen, "%s: '%s' holds a blank", st->kw->text, s);
	if (strlen(s) >= dstlen)
		return err_set(err, errlen, "%s: at most %zu bytes", st->kw->text, dstlen - 1);
	snprintf(dst, dstlen, "%s", s);
	return 0;
}

/* stats_listen ADDR:PORT, [IPv6]:PORT or *:PORT (every IPv4 address, as
 * haproxy's `bind *:PORT`). */
static int p_stats_listen(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	struct global_defs *g = obj;
	const char *s = st->args[0].text;
	struct fc_addr a;
	char buf[64], e[256];

	if (!strncmp(s, "*:", 2)) {
		snprintf(buf, sizeof(buf), "0.0.0.0%s", s + 1);
		s = buf;
	}
	if (addr_parse_hostport(s, &a, e, sizeof(e)) < 0)
		return err_set(err, errlen, "stats_listen: %s", e);
	if (!stats_px(c, obj, st, err, errlen))
		return -1;
	g->stats_addr = a;
	g->stats_listen_set = 1;
	g->stats_file = config_intern_file(c->cfg, st->kw->file);
	g->stats_line = st->kw->line;
	return 0;
}

static int p_stats_uri(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		       size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);

	return hp ? stats_path(st, hp->stats.uri, sizeof(hp->stats.uri), err, errlen) : -1;
}

/* metrics_uri PATH, or `off`: no /metrics. */
static int p_metrics_uri(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);

	if (!hp)
		return -1;
	if (!strcmp(st->args[0].text, "off")) {
		hp->stats.metrics_uri[0] = 0;
		return 0;
	}
	return stats_path(st, hp->stats.metrics_uri, sizeof(hp->stats.metrics_uri), err, errlen);
}

/* stats_auth USER:PASS: each line adds a user, as haproxy's `stats auth`. */
static int p_stats_auth(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);
	const char *s = st->args[0].text, *colon = strchr(s, ':');
	char **grown;

	if (!hp)
		return -1;
	if (!colon || colon == s)
		return err_set(err, errlen, "stats_auth: '%s' is not USER:PASSWORD", s);
	grown = realloc(hp->stats.auth, (hp->stats.n_auth + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, errlen, "out of memory");
	hp->stats.auth = grown;
	if (!(grown[hp->stats.n_auth] = strdup(s)))
		return err_set(err, errlen, "out of memory");
	hp->stats.n_auth++;
	return 0;
}

/* stats_realm TEXT: the realm of the browser's password prompt. */
static int p_stats_realm(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);
	const char *s = st->args[0].text;

	if (!hp)
		return -1;
	if (strpbrk(s, "\"\\\r\n"))
		return err_set(err, errlen, "stats_realm: '%s' holds a quote, a backslash or a "
					    "line break", s);
	if (strlen(s) >= sizeof(hp->stats.realm))
		return err_set(err, errlen, "stats_realm: at most %zu bytes",
			       sizeof(hp->stats.realm) - 1);
	snprintf(hp->stats.realm, sizeof(hp->stats.realm), "%s", s);
	return 0;
}

/* stats_refresh SECONDS: the page reloads itself (0: never, the default). */
static int p_stats_refresh(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);

	return hp ? kw_uint(st, 0, 0, 86400, &hp->stats.refresh_s, err, errlen) : -1;
}

/* stats_admin on|off: the page's form may drain, disable... servers, as
 * haproxy's `stats admin if TRUE` (with stats_auth: once logged in). */
static int p_stats_admin(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	struct http_proxy *hp = stats_px(c, obj, st, err, errlen);
	int on;

	if (!hp || kw_bool(st, 0, &on, err, errlen) < 0)
		return -1;
	free(hp->stats.admin_cond);
	hp->stats.admin_cond = NULL;
	hp->stats.admin = on;
	if (on && !(hp->stats.admin_cond = strdup("if TRUE")))
		return err_set(err, errlen, "out of memory");
	return 0;
}

static const struct kw stats_kws[] = {
    {"stats_listen", p_stats_listen, 1, 1, KW_NOBLOCK},
    {"stats_uri", p_stats_uri, 1, 1, KW_NOBLOCK},
    {"stats_auth", p_stats_auth, 1, 1, KW_NOBLOCK},
    {"stats_realm", p_stats_realm, 1, 1, KW_NOBLOCK},
    {"stats_refresh", p_stats_refresh, 1, 1, KW_NOBLOCK},
    {"stats_admin", p_stats_admin, 1, 1, KW_NOBLOCK},
    {"metrics_uri", p_metrics_uri, 1, 1, KW_NOBLOCK},
    {NULL},
};

/* The parser of every CONF_STATS_KWS entry (conf/ka.h): the keyword's own. */
int conf_stats_kw(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		  size_t errlen)
{
	const struct kw *k;

	for (k = stats_kws; k->name; k++)
		if (!strcmp(k->name, st->kw->text))
			return k->parse(c, obj, st, err, errlen);
	return err_set(err, errlen, "'%s' is not a stats keyword", st->kw->text);
}

void conf_stats_finish(struct kw_ctx *c)
{
	struct global_defs *g = &c->cfg->global;
	struct http_proxy *hp = g->stats_px;
	struct virtual_server *vs, *o;
	char a[ADDR_STRLEN];

	if (!hp)
		return;
	if (!g->stats_listen_set) {
		conf_report(c->d, DIAG_WARNING, hp->file, hp->line,
			    "stats_uri, stats_auth, metrics_uri... without stats_listen: no stats "
			    "page is served");
		http_proxy_free(hp);
		g->stats_px = NULL;
		return;
	}
	for (o = c->cfg->vs; o; o = o->next)
		if (o->protocol == IPPROTO_TCP && !o->fwmark && addr_equal(&o->addr, &g->stats_addr)) {
			conf_report(c->d, DIAG_ERROR, g->stats_file, g->stats_line,
				    "stats_listen %s: a virtual service has that address (%s:%d)",
				    addr_format(&g->stats_addr, a, sizeof(a), 1), o->file, o->line);
			return;
		}
	vs = vs_new();
	if (!vs) {
		conf_report(c->d, DIAG_ERROR, g->stats_file, g->stats_line, "out of memory");
		return;
	}
	hp->file = vs->file = g->stats_file;
	hp->line = vs->line = g->stats_line;
	vs->protocol = IPPROTO_TCP;
	vs->addr = g->stats_addr;
	vs->fwd = FWD_PROXY;
	vs->http = hp;
	g->stats_px = NULL;
	config_add_http_proxy(c->cfg, hp);
	config_add_vs(c->cfg, vs);
}
