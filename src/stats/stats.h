/* What operators and monitoring tools read, in HAProxy's formats and
 * Prometheus's: `show stat` (CSV, typed JSON), `show info`, `show servers
 * state`, `show backend`, and /metrics.  Pure functions of the running
 * state (fc->cfg and the engines' live figures): the control socket's
 * commands call them (src/ctl/cmd_stat.c), and so can the HTTP engine for
 * its stats page and /metrics.  doc/metrics.md says what each writes. */
#ifndef FC_STATS_STATS_H
#define FC_STATS_STATS_H

#include "core/sbuf.h"
#include "model/fulcrum-t.h"

struct hs_row;

/* Which rows a writer keeps (the stats page's scope and ;up / ;no-maint):
 * keep(r, arg) non-zero keeps row r.  A NULL filter keeps every row. */
struct stats_filter {
	int (*keep)(const struct hs_row *r, const void *arg);
	const void *arg;
};

/* `show stat`: HAProxy 2.6's CSV, the header line ("# pxname,svname,...")
 * then a row per frontend, server and backend (stats/hastat.h gives the
 * order).  backend: that proxy's rows only, or NULL for all. */
void stats_csv(const struct fulcrum *fc, const char *backend, struct sbuf *out);
/* The same, the rows f keeps (f may be NULL). */
void stats_csv_filtered(const struct fulcrum *fc, const struct stats_filter *f, struct sbuf *out);

/* `show stat json`: HAProxy's typed JSON, an array per row of the
 * columns that have a value: {"objType","proxyId","id","field":{"pos",
 * "name"},"processNum","tags":{...},"value":{"type","value"}}. */
void stats_json(const struct fulcrum *fc, const char *backend, struct sbuf *out);
void stats_json_filtered(const struct fulcrum *fc, const struct stats_filter *f, struct sbuf *out);

/* `show info`: "Name: value" lines, HAProxy's names where they apply. */
void stats_info(const struct fulcrum *fc, struct sbuf *out);

/* `show servers state [BACKEND]`: HAProxy's version 1 format. */
void stats_servers_state(const struct fulcrum *fc, const char *backend, struct sbuf *out);

/* `show backend`: "# name" then one pool name per line. */
void stats_backends(const struct fulcrum *fc, struct sbuf *out);

/* Prometheus text format 0.0.4: HAProxy's exporter families for every
 * frontend, backend and server, then fulcrum_* for what HAProxy has no
 * name for (services, checks, VRRP, XDP).  Every family has its HELP and
 * TYPE lines.  Returns 0, or -1 when out of memory (out->oom). */
int stats_prometheus(const struct fulcrum *fc, struct sbuf *out);

/* The stats page (HAProxy's `stats uri`): an HTML document, a table per
 * proxy with a row per frontend, server and backend, each row's class
 * saying its state (active_up, active_down, active_draining, maintain...).
 * o may be NULL (no refresh, version shown, every proxy, no export links). */
struct stats_html_opts {
	const char *uri;	  /* the page's URI: links to URI;csv and URI;json */
	unsigned refresh_s;	  /* `stats refresh`: 0 = none */
	int hide_version;	  /* `stats hide-version` */
	const char *const *scope; /* `stats scope`: the proxies shown (none: all) */
	unsigned n_scope;
	const struct stats_filter *filter; /* rows kept besides scope, or NULL */
	int admin;		  /* `stats admin` holds: a form per backend to act on
				   * its checked servers (POSTed to uri, HAProxy's names
				   * s, action, b) */
	const char *status;	  /* the result of the last action (;st=DONE...): its
				   * message is shown, or NULL */
};
void stats_html(const struct fulcrum *fc, const struct stats_html_opts *o, struct sbuf *out);

/* Text written into CSV: as is, or between double quotes (doubled inside)
 * when it holds a comma, a quote or a line break. */
void stats_csv_str(struct sbuf *out, const char *s);

#endif
