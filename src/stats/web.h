/* The stats page and /metrics over HTTP: what HAProxy's `stats uri`
 * answers (the page, ;csv, ;json, 401 asking for `stats auth`, the admin
 * form's POST) and `http-request use-service prometheus-exporter`, as
 * whole HTTP/1.1 responses built from the running state.  Pure functions
 * of fc and the request's words: the HTTP engine (src/proxy/http_applet.c)
 * reads the request, calls these and sends what they write.
 *
 * Serving it for another grammar: a reader that is not haproxy.cfg's
 * (keepalived.conf, ldirectord.cf) makes a struct http_proxy with cap
 * HP_CAP_FE, mode HP_MODE_HTTP, no pool, `stats` filled (enabled, uri,
 * realm, auth...) and, for /metrics, `stats.metrics_uri`; one service
 * (fwd FWD_PROXY, vs->http = that proxy) binds the address.  The engine
 * then answers every request itself: the page under stats.uri, metrics
 * under stats.metrics_uri, 503 anything else (no backend).  stats.admin
 * set with no condition compiled in the proxy's rules allows the admin
 * form to everyone who passed stats.auth (conf/stats_kw.c does so). */
#ifndef FC_STATS_WEB_H
#define FC_STATS_WEB_H

#include <stddef.h>

#include "core/sbuf.h"
#include "model/fulcrum-t.h"
#include "model/http_proxy-t.h"

#define STATS_DEFAULT_URI   "/haproxy?stats"
#define STATS_DEFAULT_REALM "HAProxy Statistics"

enum stats_web_fmt { SW_HTML, SW_CSV, SW_JSON };

/* What the words after the stats URI ask (HAProxy's: `;csv`, `;json`,
 * `;norefresh`, `;up`, `;no-maint`, `;st=CODE`, `scope=NAME` after `?`
 * or `;`). */
struct stats_web_req {
	enum stats_web_fmt fmt;
	int norefresh, up_only, no_maint;
	char scope[128]; /* "" none */
	char st[8];	 /* "" none */
};

/* The page's URI of a proxy's `stats` (its default when unset). */
const char *stats_web_uri(const struct hp_stats *st);
/* rest: the request URI after the stats URI. */
void stats_web_parse(const char *rest, size_t len, struct stats_web_req *q);
/* 1 if the Authorization header's value (NULL: none) carries one of the
 * `stats auth` USER:PASSWORD pairs as Basic credentials, or none is set. */
int stats_web_auth_ok(const struct hp_stats *st, const char *val, size_t len);

/* Whole responses (head and body; head: no body, as for HEAD). */
void stats_web_401(const struct hp_stats *st, int head, struct sbuf *out);
void stats_web_303(const struct hp_stats *st, const char *code, struct sbuf *out);
void stats_web_get(const struct fulcrum *fc, const struct hp_stats *st,
		   const struct stats_web_req *q, int admin, int head, struct sbuf *out);
/* Prometheus text format 0.0.4 (stats_prometheus); -1 out of memory. */
int stats_web_metrics(const struct fulcrum *fc, int head, struct sbuf *out);

/* ---- the admin form (web_form.c) ---- */

/* An application/x-www-form-urlencoded body, decoded: `b` (the backend,
 * "#IID" or a name), `action`, and every `s` (a server name). */
struct stats_form {
	char *buf;    /* owned: the decoded words */
	char *b, *action;
	char **srv;   /* owned array of pointers into buf */
	unsigned n_srv;
};

/* 0, or -1 for a body that is not a form (a bad %XX escape): nothing
 * must then be done.  stats_form_free in both cases. */
int stats_form_parse(const char *body, size_t len, struct stats_form *f);
void stats_form_free(struct stats_form *f);

/* Run one runtime command (the control socket's table: "set server B/S
 * state drain", "disable health B/S"); 0 done, -1 refused. */
typedef int (*stats_run_fn)(void *arg, int argc, char **argv);

/* Apply the form's action to its servers through run, as HAProxy's stats
 * page does; the status the page shows next: "DONE" (every server),
 * "PART", "ERRP" (none, or the action or backend unknown), "NONE"
 * (nothing asked). */
const char *stats_form_apply(const struct config *cfg, const struct stats_form *f,
			     stats_run_fn run, void *arg);

#endif
