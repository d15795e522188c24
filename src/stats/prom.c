/* Prometheus text format 0.0.4 (stats/stats.h: stats_prometheus).
 *
 * Two parts, each from a statistics table:
 *   - HAProxy's exporter families (haproxy_process_*, haproxy_frontend_*,
 *     haproxy_backend_*, haproxy_server_*), from the `show stat` columns
 *     (stats/hastat.c) through the map below: the names and labels Grafana
 *     dashboards made for HAProxy expect, for every row `show stat` has
 *     (a keepalived pool is a backend there too);
 *   - fulcrum_* for what HAProxy has no name for, written by a generic
 *     walk of the tables `list --json`, `show checks --json`, `show vrrp
 *     --json` and `show xdp --json` are written from, by the rules in
 *     doc/internals/stats.md: an object's identity (name, address, port,
 *     protocol, checker, target) becomes labels, a counter a `_total`
 *     family, a gauge, config, float or bool a gauge, an enum a series
 *     labelled with its value, the other strings one `_info` series, an
 *     object of counters only (drops by reason) one family labelled
 *     `reason`.  Units: `_ms` fields are written in seconds (`_seconds`),
 *     as Prometheus wants base units; `_s` fields are renamed `_seconds`.
 *
 * The format wants every sample of a family together after its HELP and
 * TYPE lines, while the walks meet the families object by object: samples
 * are gathered per family first, then written family by family. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/health_stats.h"
#include "core/loop.h"
#include "core/stats.h"
#include "core/version.h"
#include "model/ctr.h"
#include "model/model.h"
#include "model/stats_fields.h"
#include "stats/hastat.h"
#include "stats/stats.h"
#include "vrrp/vrrp_run.h"
#include "xdp/xdp_stats.h"

#define NAME_MAX_LEN 160
#define LABELS_MAX 2048

struct fam {
	char name[NAME_MAX_LEN];
	char help[256];
	int counter;
	struct sbuf samples;
};

struct prom {
	struct fam *fam;
	size_t n, cap;
	int oom;
};

static struct fam *fam_get(struct prom *p, const char *name, const char *help, int counter)
{
	struct fam *f;
	size_t i;

	for (i = p->n; i-- > 0;)
		if (!strcmp(p->fam[i].name, name))
			return &p->fam[i];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct fam *nf = realloc(p->fam, cap * sizeof(*nf));

		if (!nf) {
			p->oom = 1;
			return NULL;
		}
		p->fam = nf;
		p->cap = cap;
	}
	f = &p->fam[p->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->help, sizeof(f->help), "%s", help);
	f->counter = counter;
	sbuf_init(&f->samples);
	return f;
}

/* One sample: name{labels} value.  labels: "" or `a="x",b="y"`. */
static void sample(struct prom *p, const char *name, const char *help, int counter,
		   const char *labels, double value)
{
	struct fam *f = fam_get(p, name, help, counter);

	if (!f)
		return;
	sbuf_puts(&f->samples, name);
	if (*labels)
		sbuf_printf(&f->samples, "{%s}", labels);
	if (!isfinite(value))
		value = 0;
	if (value > -1e15 && value < 1e15 && value == (double)(long long)value)
		sbuf_printf(&f->samples, " %.0f\n", value);
	else
		sbuf_printf(&f->samples, " %.6g\n", value);
}

/* Appends name="value" to labels (escaped as the format says). */
static void label(char *labels, const char *name, const char *value)
{
	size_t n = strlen(labels);
	char *o = labels + n;
	char *end = labels + LABELS_MAX - 4;

	if (n && o < end)
		*o++ = ',';
	o += snprintf(o, (size_t)(end - o), "%s=\"", name);
	if (o > end)
		o = end;
	for (; value && *value && o < end - 1; value++) {
		if (*value == '\\' || *value == '"' || *value == '\n') {
			*o++ = '\\';
			*o++ = *value == '\n' ? 'n' : *value;
		} else {
			*o++ = *value;
		}
	}
	*o++ = '"';
	*o = 0;
}

static void help_line(struct sbuf *out, const char *help)
{
	for (; *help; help++) {
		if (*help == '\\')
			sbuf_puts(out, "\\\\");
		else if (*help == '\n')
			sbuf_puts(out, "\\n");
		else
			sbuf_add(out, help, 1);
	}
}

static void prom_flush(struct prom *p, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct fam *f = &p->fam[i];

		sbuf_printf(out, "# HELP %s ", f->name);
		help_line(out, f->help);
		sbuf_printf(out, "\n# TYPE %s %s\n", f->name, f->counter ? "counter" : "gauge");
		sbuf_add(out, sbuf_str(&f->samples), f->samples.len);
		if (f->samples.oom)
			p->oom = 1;
		sbuf_free(&f->samples);
	}
	free(p->fam);
	p->fam = NULL;
	p->n = p->cap = 0;
}

/* ---- HAProxy's families, from the `show stat` rows ---- */

#define K_FE (1u << HS_FRONTEND)
#define K_BE (1u << HS_BACKEND)
#define K_SV (1u << HS_SERVER)

static const struct hx_metric {
	const char *name; /* after haproxy_<frontend|backend|server>_ */
	int col;
	unsigned kinds;
	const char *help;
	const char *code; /* haproxy_*_http_responses_total's code label, or NULL */
	double scale;	  /* the column's unit in the family's (0: the same) */
} hx_metrics[] = {
    {"current_queue", HS_QCUR, K_BE | K_SV, "Number of current queued connections"},
    {"current_sessions", HS_SCUR, K_FE | K_BE | K_SV,
     "Number of current sessions on the frontend, backend or server"},
    {"limit_sessions", HS_SLIM, K_FE | K_BE | K_SV,
     "Frontend/listener/server's maxconn, backend's fullconn"},
    {"sessions_total", HS_STOT, K_FE | K_BE | K_SV,
     "Total number of sessions since process started"},
    {"bytes_in_total", HS_BIN, K_FE | K_BE | K_SV,
     "Total number of request bytes since process started"},
    {"bytes_out_total", HS_BOUT, K_FE | K_BE | K_SV,
     "Total number of response bytes since process started"},
    {"weight", HS_WEIGHT, K_BE | K_SV,
     "Server's effective weight, or sum of active servers' effective weights for a backend"},
    {"uweight", HS_UWEIGHT, K_BE | K_SV,
     "Server's user weight, or sum of active servers' user weights for a backend"},
    {"active_servers", HS_ACT, K_BE, "Total number of active UP servers with a non-zero weight"},
    {"backup_servers", HS_BCK, K_BE, "Total number of backup UP servers with a non-zero weight"},
    {"check_last_change_seconds", HS_LASTCHG, K_BE | K_SV,
     "How long ago the last server state changed, in seconds"},
    {"loadbalanced_total", HS_LBTOT, K_BE | K_SV,
     "Total number of requests routed by load balancing since the worker process started"},
    {"connections_total", HS_CONN_TOT, K_FE,
     "Total number of new connections accepted on this frontend"},
    {"requests_denied_total", HS_DREQ, K_FE | K_BE,
     "Total number of denied requests since process started"},
    {"responses_denied_total", HS_DRESP, K_FE | K_BE | K_SV,
     "Total number of denied responses since process started"},
    {"request_errors_total", HS_EREQ, K_FE, "Total number of invalid requests since process started"},
    {"connection_errors_total", HS_ECON, K_BE | K_SV,
     "Total number of failed connections to server since the worker process started"},
    {"response_errors_total", HS_ERESP, K_BE | K_SV,
     "Total number of invalid responses since the worker process started"},
    {"retry_warnings_total", HS_WRETR, K_BE | K_SV,
     "Total number of server connection retries since the worker process started"},
    {"redispatch_warnings_total", HS_WREDIS, K_BE | K_SV,
     "Total number of server redispatches due to connection failures since the worker process "
     "started"},
    {"check_failures_total", HS_CHKFAIL, K_SV,
     "Total number of failed individual health checks per server/backend, since the worker process "
     "started"},
    {"check_up_down_total", HS_CHKDOWN, K_SV,
     "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since "
     "the worker process started"},
    {"downtime_seconds_total", HS_DOWNTIME, K_SV, "Total downtime (in seconds) for the service"},
    {"check_code", HS_CHECK_CODE, K_SV, "layer5-7 code, if available of the last health check."},
    {"check_duration_seconds", HS_CHECK_DURATION, K_SV,
     "Total duration of the latest server health check, in seconds.", NULL, 0.001},
    {"http_requests_total", HS_REQ_TOT, K_FE | K_BE | K_SV,
     "Total number of HTTP requests processed by this object since the worker process started"},
#define HX_RSP(k, c)                                                                              \
	{"http_responses_total", HS_HRSP_1XX + (k), K_FE | K_BE | K_SV,                             \
	 "Total number of HTTP responses with status 100-199 returned by this object since the "     \
	 "worker process started", c}
    HX_RSP(0, "1xx"), HX_RSP(1, "2xx"), HX_RSP(2, "3xx"), HX_RSP(3, "4xx"), HX_RSP(4, "5xx"),
    HX_RSP(5, "other"),
    {"client_aborts_total", HS_CLI_ABRT, K_BE | K_SV,
     "Total number of requests or connections aborted by the client since the worker process "
     "started"},
    {"server_aborts_total", HS_SRV_ABRT, K_BE | K_SV,
     "Total number of requests or connections aborted by the server since the worker process "
     "started"},
    {"intercepted_requests_total", HS_INTERCEPTED, K_FE,
     "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since "
     "the worker process started"},
    {"max_sessions", HS_SMAX, K_FE | K_SV, "Maximum observed number of sessions"},
    {"max_queue", HS_QMAX, K_BE | K_SV, "Maximum observed number of queued connections"},
    {"current_session_rate", HS_RATE, K_FE | K_BE | K_SV,
     "Current number of sessions per second over last elapsed second"},
    {"limit_session_rate", HS_RATE_LIM, K_FE,
     "Configured limit on new sessions per second"},
    {"max_session_rate", HS_RATE_MAX, K_FE | K_BE | K_SV,
     "Maximum observed number of sessions per second"},
    {"http_requests_rate_max", HS_REQ_RATE_MAX, K_FE,
     "Maximum observed number of HTTP requests per second"},
    {"connections_rate_max", HS_CONN_RATE_MAX, K_FE,
     "Maximum observed number of connections per second"},
    {"last_session_seconds", HS_LASTSESS, K_BE | K_SV,
     "How long ago some traffic was seen on this object on this worker process, in seconds"},
#define HX_TIME(k, n, what)                                                                       	{n "_time_average_seconds", HS_QTIME + (k), K_BE | K_SV,                                     	 "Avg. " what " time for last 1024 successful connections.", NULL, 0.001},                  	{"max_" n "_time_seconds", HS_QTIME_MAX + (k), K_BE | K_SV,                                  	 "Maximum observed " what " time in seconds", NULL, 0.001}
    HX_TIME(0, "queue", "queue"), HX_TIME(1, "connect", "connect"),
    HX_TIME(2, "response", "response"), HX_TIME(3, "total", "total"),
    {"denied_connections_total", HS_DCON, K_FE,
     "Total number of requests denied by \"tcp-request connection\" rules since the worker "
     "process started"},
    {"denied_sessions_total", HS_DSES, K_FE,
     "Total number of requests denied by \"tcp-request session\" rules since the worker process "
     "started"},
    {"failed_header_rewriting_total", HS_WREW, K_FE | K_BE | K_SV,
     "Total number of failed HTTP header rewrites since the worker process started"},
    {"internal_errors_total", HS_EINT, K_FE | K_BE | K_SV,
     "Total number of internal errors since process started"},
};

static const char *const kind_names[] = {"frontend", "backend", "server"};

/* haproxy_*_status: one series per state, 1 for the state now. */
static const char *const fe_states[] = {"DOWN", "UP", NULL};
static const char *const be_states[] = {"DOWN", "UP", NULL};
static const char *const sv_states[] = {"DOWN", "UP", "MAINT", "DRAIN", "NOLB", NULL};

static void hx_status(struct prom *p, const struct hs_row *r, const char *labels)
{
	const char *const *st = r->type == HS_FRONTEND  ? fe_states
				: r->type == HS_BACKEND ? be_states
							: sv_states;
	const char *now = hs_status(r);
	char name[NAME_MAX_LEN], l[LABELS_MAX];

	if (!strcmp(now, "OPEN") || !strcmp(now, "no check"))
		now = "UP";
	snprintf(name, sizeof(name), "haproxy_%s_status", kind_names[r->type]);
	for (; *st; st++) {
		snprintf(l, sizeof(l), "%s", labels);
		label(l, "state", *st);
		sample(p, name, "Current status of the service, per state label value.", 0, l,
		       !strcmp(*st, now));
	}
}

/* haproxy_server_check_status: one series per check status that ends an
 * attempt (HAProxy 2.6's order, its HANA included: fulcrum never gives
 * it), 1 for the last attempt's; none for a server without a check or
 * in maintenance (its checks paused, as HAProxy's). */
static const char *const chk_states[] = {"HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK",
					 "L6TOUT", "L6RSP", "L7TOUT", "L7RSP", "L7OK", "L7OKC",
					 "L7STS", "PROCERR", "PROCTOUT", "PROCOK", NULL};
#define N_CHK_STATES (sizeof(chk_states) / sizeof(chk_states[0]) - 1)

/* A server's check status as the column says it, without the "* " of an
 * attempt under way; NULL for none. */
static const char *check_status_of(const struct hs_row *r, struct stat_ctx *c)
{
	const struct stat_field *f = &hastat_columns.fields[HS_CHECK_STATUS];
	union stat_val v = {0};

	if (stat_read(f, r, c, &v) != STAT_SET || !v.s)
		return NULL;
	return !strncmp(v.s, "* ", 2) ? v.s + 2 : v.s;
}

static void hx_check_status(struct prom *p, const struct hs_row *r, const char *labels)
{
	struct stat_ctx c = {.now_ms = r->now_ms};
	const char *now = check_status_of(r, &c);
	const char *const *st;
	char l[LABELS_MAX];

	if (!now)
		return;
	for (st = chk_states; *st; st++) {
		snprintf(l, sizeof(l), "%s", labels);
		label(l, "state", *st);
		sample(p, "haproxy_server_check_status",
		       "Status of last health check, per state label value.", 0, l, !strcmp(*st, now));
	}
}

/* A backend's haproxy_backend_agg_server_status (and its deprecated twin
 * agg_server_check_status): its servers counted per state, as HAProxy's
 * exporter says a server's (no check: UP); agg_check_status: those with
 * a check running counted per last check status.  None for a backend
 * without servers. */
static void hx_agg(struct prom *p, const struct hs_row *r, const char *labels)
{
	static const char *const fam[2] = {"haproxy_backend_agg_server_status",
					   "haproxy_backend_agg_server_check_status"};
	static const char *const help[2] = {"Backend's aggregated gauge of servers' status",
					    "Backend's aggregated gauge of servers' state check status"};
	unsigned st_n[4] = {0}, chk_n[N_CHK_STATES] = {0}, i, k;
	struct stat_ctx c = {.now_ms = r->now_ms};
	const struct real_server *rs;
	struct hs_row sr = *r;
	char l[LABELS_MAX];

	if (r->type != HS_BACKEND || !r->pool->rs)
		return;
	sr.type = HS_SERVER;
	for (rs = r->pool->rs; rs; rs = rs->next) {
		const char *s, *chk;

		sr.rs = rs;
		s = hs_status(&sr);
		st_n[!strcmp(s, "DOWN") ? 0 : !strcmp(s, "MAINT") ? 2 : !strcmp(s, "DRAIN") ? 3 : 1]++;
		chk = check_status_of(&sr, &c);
		for (i = 0; chk && i < N_CHK_STATES; i++)
			if (!strcmp(chk, chk_states[i]))
				chk_n[i]++;
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < 5; i++) {
			snprintf(l, sizeof(l), "%s", labels);
			label(l, "state", sv_states[i]);
			sample(p, fam[k], help[k], 0, l, i < 4 ? st_n[i] : 0);
		}
	for (i = 0; i < N_CHK_STATES; i++) {
		snprintf(l, sizeof(l), "%s", labels);
		label(l, "state", chk_states[i]);
		sample(p, "haproxy_backend_agg_check_status", help[1], 0, l, chk_n[i]);
	}
}

static int hx_row(const struct hs_row *r, void *arg)
{
	struct prom *p = arg;
	struct stat_ctx c = {.now_ms = r->now_ms};
	char labels[LABELS_MAX] = "", name[NAME_MAX_LEN], l[LABELS_MAX];
	size_t i;

	label(labels, "proxy", r->pxname);
	if (r->type == HS_SERVER)
		label(labels, "server", r->svname);
	hx_status(p, r, labels);
	hx_check_status(p, r, labels);
	hx_agg(p, r, labels);
	for (i = 0; i < sizeof(hx_metrics) / sizeof(hx_metrics[0]); i++) {
		const struct hx_metric *m = &hx_metrics[i];
		const struct stat_field *f = &hastat_columns.fields[m->col];
		union stat_val v = {0};

		if (!(m->kinds & (1u << r->type)) || stat_read(f, r, &c, &v) != STAT_SET)
			continue;
		snprintf(name, sizeof(name), "haproxy_%s_%s", kind_names[r->type], m->name);
		snprintf(l, sizeof(l), "%s", labels);
		if (m->code)
			label(l, "code", m->code);
		sample(p, name, m->help, f->type == STAT_COUNTER, l,
		       (f->type == STAT_COUNTER ? (double)v.u : (double)v.i) *
			   (m->scale ? m->scale : 1.0));
	}
	return 0;
}

static void hx_process(struct prom *p, const struct fulcrum *fc)
{
	unsigned long long cur = 0, cum = 0, up = 0;
	const struct virtual_server *vs;
	char l[LABELS_MAX] = "";
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned thr = fc->cfg && fc->cfg->global.nbthread ? fc->cfg->global.nbthread
			: n > 0				     ? (unsigned)n
							     : 1;

	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		cur += vs->live->activeconns;
		cum += ctr_total(&vs->live->ctr).conns;
	}
	if (fc->loop && fc->started_ms && loop_now(fc->loop) > fc->started_ms)
		up = (loop_now(fc->loop) - fc->started_ms) / 1000;
	sample(p, "haproxy_process_nbthread", "Number of started threads (global.nbthread)", 0,
	       "", thr);
	sample(p, "haproxy_process_uptime_seconds",
	       "How long ago this worker process was started (seconds)", 0, "", (double)up);
	sample(p, "haproxy_process_start_time_seconds", "Start time in seconds", 0, "",
	       (double)time(NULL) - (double)up);
	sample(p, "haproxy_process_current_connections",
	       "Current number of connections on this worker process", 0, "", (double)cur);
	sample(p, "haproxy_process_connections_total",
	       "Total number of connections on this worker process since started", 1, "",
	       (double)cum);
	label(l, "version", FC_VERSION);
	sample(p, "haproxy_process_build_info", "Build info", 0, l, 1);
}

/* ---- fulcrum_*: the generic walk of a statistics table ---- */

static const char *const key_fields[] = {"name", "address", "port", "protocol", "checker",
					 "target", NULL};

static int is_key(const struct stat_field *f)
{
	const char *const *k;

	if (f->type != STAT_STRING && f->type != STAT_ENUM && f->type != STAT_CONFIG)
		return 0;
	for (k = key_fields; *k; k++)
		if (!strcmp(*k, f->name))
			return 1;
	return 0;
}

/* The object's identity labels: kind_field="value" ("server_address"),
 * "name" as kind itself ("vrrp_instance"="VI_1"); inline tables too. */
static void keys(const struct stat_table *t, const void *obj, const char *kind,
		 struct stat_ctx *c, char *labels)
{
	char ln[NAME_MAX_LEN], num[32];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct stat_field *f = &t->fields[i];
		union stat_val v = {0};

		if (f->type == STAT_INLINE) {
			if (stat_read(f, obj, c, &v) == STAT_SET)
				keys(f->sub, v.p, kind, c, labels);
			continue;
		}
		if (!is_key(f) || stat_read(f, obj, c, &v) != STAT_SET)
			continue;
		if (!strcmp(f->name, "name"))
			snprintf(ln, sizeof(ln), "%s", kind);
		else
			snprintf(ln, sizeof(ln), "%s_%s", kind, f->name);
		if (f->type == STAT_CONFIG) {
			snprintf(num, sizeof(num), "%lld", v.i);
			label(labels, ln, num);
		} else {
			label(labels, ln, v.s ? v.s : "");
		}
	}
}

/* name + field, units made base: _ms -> _seconds (scale 0.001), _s ->
 * _seconds; a counter ends in _total ("total_conns" -> "conns_total"). */
static double metric_name(char *out, size_t len, const char *prefix, const struct stat_field *f)
{
	const char *n = f->name;
	size_t l;
	double scale = 1;

	if (f->type == STAT_COUNTER && !strncmp(n, "total_", 6))
		n += 6;
	snprintf(out, len, "%s%s", prefix, n);
	l = strlen(out);
	if (l > 3 && !strcmp(out + l - 3, "_ms")) {
		out[l - 3] = 0;
		scale = 0.001;
		strncat(out, "_seconds", len - strlen(out) - 1);
	} else if (l > 2 && !strcmp(out + l - 2, "_s")) {
		out[l - 2] = 0;
		strncat(out, "_seconds", len - strlen(out) - 1);
	}
	l = strlen(out);
	if (f->type == STAT_COUNTER && (l < 6 || strcmp(out + l - 6, "_total")))
		strncat(out, "_total", len - l - 1);
	return scale;
}

static int all_counters(const struct stat_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->fields[i].type != STAT_COUNTER)
			return 0;
	return t->n > 0;
}

static void visit(struct prom *p, const struct stat_table *t, const void *obj, const char *prefix,
		  const char *kind, const char *root, const char *parent, struct stat_ctx *c);

/* Fields of t (obj's, or an inline table's) as samples; info gathers the
 * strings that are neither identity nor enum. */
static void members(struct prom *p, const struct stat_table *t, const void *obj,
		    const char *prefix, const char *kind, const char *root, const char *labels,
		    char *info, struct stat_ctx *c)
{
	char name[NAME_MAX_LEN], l[LABELS_MAX], pre[NAME_MAX_LEN];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct stat_field *f = &t->fields[i];
		union stat_val v = {0};
		enum stat_got got;
		double scale;

		if (is_key(f))
			continue;
		got = stat_read(f, obj, c, &v);
		if (got != STAT_SET)
			continue;
		switch (f->type) {
		case STAT_INLINE:
			members(p, f->sub, v.p, prefix, kind, root, labels, info, c);
			break;
		case STAT_OBJECT:
			if (all_counters(f->sub)) {
				/* drops by reason: one family, the reason a label */
				size_t k;

				snprintf(pre, sizeof(pre), "%s%s_total", prefix, f->name);
				for (k = 0; k < f->sub->n; k++) {
					union stat_val cv = {0};

					if (stat_read(&f->sub->fields[k], v.p, c, &cv) != STAT_SET)
						continue;
					snprintf(l, sizeof(l), "%s", labels);
					label(l, "reason", f->sub->fields[k].name);
					sample(p, pre, f->help, 1, l, (double)cv.u);
				}
				break;
			}
			snprintf(pre, sizeof(pre), "%s%s_", prefix, f->name);
			visit(p, f->sub, v.p, pre, f->name, root, labels, c);
			break;
		case STAT_LIST: {
			const void *item, *owner = c->owner;

			if (f->sub->bare)
				break;
			snprintf(pre, sizeof(pre), "%s%s_", root, f->sub->kind);
			for (item = v.p; item; item = f->next(obj, item)) {
				c->owner = obj;
				visit(p, f->sub, item, pre, f->sub->kind, root, labels, c);
			}
			c->owner = owner;
			break;
		}
		case STAT_ENUM:
			if (!v.s)
				break;
			metric_name(name, sizeof(name), prefix, f);
			snprintf(l, sizeof(l), "%s", labels);
			label(l, f->name, v.s);
			sample(p, name, f->help, 0, l, 1);
			break;
		case STAT_STRING:
			label(info, f->name, v.s ? v.s : "");
			break;
		default:
			scale = metric_name(name, sizeof(name), prefix, f);
			/* the table's help says ms: say what is written */
			snprintf(l, sizeof(l), "%s%s", f->help,
				 scale != 1 ? " (written in seconds)" : "");
			sample(p, name, l, f->type == STAT_COUNTER, labels,
			       f->type == STAT_COUNTER ? (double)v.u * scale
			       : f->type == STAT_FLOAT ? v.d * scale
			       : f->type == STAT_BOOL  ? (double)v.b
						       : (double)v.i * scale);
			break;
		}
	}
}

static void visit(struct prom *p, const struct stat_table *t, const void *obj, const char *prefix,
		  const char *kind, const char *root, const char *parent, struct stat_ctx *c)
{
	char labels[LABELS_MAX], info[LABELS_MAX], name[NAME_MAX_LEN];

	snprintf(labels, sizeof(labels), "%s", parent);
	keys(t, obj, kind, c, labels);
	snprintf(info, sizeof(info), "%s", labels);
	members(p, t, obj, prefix, kind, root, labels, info, c);
	if (strcmp(info, labels)) {
		snprintf(name, sizeof(name), "%sinfo", prefix);
		sample(p, name, "the object's text fields as labels (value always 1)", 0, info, 1);
	}
}

int stats_prometheus(const struct fulcrum *fc, struct sbuf *out)
{
	struct stat_ctx c = {.now_ms = loop_clock_ms()};
	const struct virtual_server *vs;
	const struct pool *pl;
	struct prom p = {0};
	char labels[LABELS_MAX];

	hx_process(&p, fc);
	hs_walk(fc->cfg, NULL, c.now_ms, hx_row, &p);
	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next)
		visit(&p, &stat_service, vs, "fulcrum_service_", "service", "fulcrum_", "", &c);
	for (pl = fc->cfg ? fc->cfg->pools : NULL; pl; pl = pl->next) {
		const struct real_server *rs;

		labels[0] = 0;
		label(labels, "pool", pl->name);
		for (rs = pl->rs; rs; rs = rs->next)
			visit(&p, &stat_server, rs, "fulcrum_server_", "server", "fulcrum_", labels,
			      &c);
	}
	visit(&p, &health_stats, fc, "fulcrum_health_", "checks", "fulcrum_health_", "", &c);
	visit(&p, &vrrp_stats, fc, "fulcrum_vrrp_", "vrrp", "fulcrum_", "", &c);
	visit(&p, &xdp_stats, fc, "fulcrum_xdp_", "xdp", "fulcrum_", "", &c);
	prom_flush(&p, out);
	return p.oom || out->oom ? -1 : 0;
}
