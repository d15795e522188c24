/* HAProxy's `show stat` columns as a statistics-field table, and the walk
 * that makes HAProxy's rows from the running model (stats/hastat-t.h).
 *
 * The column list is HAProxy 2.6's, in its order, byte for byte (the
 * header of `show stat` on Debian's haproxy 2.6.12, stats modules
 * included): tools that read the CSV (telegraf, netdata, haproxy_exporter)
 * index columns by position.  fulcrum fills the columns it has a figure
 * for; the others stay empty, as HAProxy leaves empty the columns that do
 * not apply to a row (doc/metrics.md lists which are filled). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/health.h"
#include "core/addr.h"
#include "core/stats.h"
#include "model/ctr.h"
#include "model/model.h"
#include "stats/hastat.h"

#define ROW(obj) ((const struct hs_row *)(obj))

static enum stat_got get_name(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->s = f->arg ? ROW(obj)->svname : ROW(obj)->pxname;
	return STAT_SET;
}

/* The figures of a row: a server's own (rs_live), else the row's sums. */
enum hs_fig { FIG_CUR, FIG_CONNS, FIG_IN, FIG_OUT, FIG_WEIGHT, FIG_UWEIGHT, FIG_ACT, FIG_BCK };

static enum stat_got get_fig(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	const struct rs_live *lv = r->type == HS_SERVER ? r->rs->live : NULL;
	struct fc_stats st = {0};
	int backup = r->rs && r->rs->hp && r->rs->hp->backup;
	unsigned long long x = 0;

	if (lv)
		ctr_sum(&lv->ctr, &st);
	switch ((enum hs_fig)f->arg) {
	case FIG_CUR:
		x = lv ? lv->activeconns : r->sum.cur;
		break;
	case FIG_CONNS:
		x = lv ? st.conns : r->sum.conns;
		break;
	case FIG_IN:
		x = lv ? st.inbytes : r->sum.inbytes;
		break;
	case FIG_OUT:
		x = lv ? st.outbytes : r->sum.outbytes;
		break;
	case FIG_WEIGHT:
		if (r->type == HS_FRONTEND)
			return STAT_NULL;
		x = lv ? (unsigned long long)rs_effective_weight(r->rs) : (unsigned long long)r->sum.weight;
		break;
	case FIG_UWEIGHT:
		if (r->type == HS_FRONTEND)
			return STAT_NULL;
		x = lv ? (unsigned long long)r->rs->cur_weight : (unsigned long long)r->sum.uweight;
		break;
	case FIG_ACT:
	case FIG_BCK:
		if (r->type == HS_FRONTEND)
			return STAT_NULL;
		if (lv) /* a server says what it is: 1 in its column */
			x = (f->arg == FIG_BCK) == !!backup;
		else
			x = f->arg == FIG_ACT ? r->sum.act : r->sum.bck;
		break;
	}
	if (f->type == STAT_COUNTER)
		v->u = x;
	else
		v->i = (long long)x;
	return STAT_SET;
}

/* qcur/qmax: a server's own queue (requests its persistence sends to it,
 * waiting for a slot under its maxconn: src/proxy/http_queue.c); a
 * backend's, those waiting for any of its servers. */
static enum stat_got get_queue(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	const struct srv_queue *q = NULL;

	if (r->type == HS_FRONTEND)
		return STAT_NULL;
	if (r->type == HS_SERVER)
		q = &r->rs->live->q;
	else if (r->type == HS_BACKEND)
		q = r->pool->q;
	v->i = !q ? 0 : f->arg ? q->max : q->cur;
	return STAT_SET;
}

static enum stat_got get_slim(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	unsigned lim = 0;

	if (r->type == HS_SERVER)
		lim = r->rs->hp ? r->rs->hp->maxconn : 0;
	else if (r->hp)
		lim = r->type == HS_FRONTEND ? r->hp->maxconn : r->hp->fullconn;
	if (!lim)
		return STAT_NULL;
	v->i = lim;
	return STAT_SET;
}

static enum stat_got get_status(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	int agent = r->type == HS_SERVER ? health_agent_up(r->rs) : -1;

	v->s = hs_status(r);
	/* HAProxy 2.6 names the agent in a server's status when it has one:
	 * drained (by anyone), or down because of it */
	if (agent >= 0 && !strcmp(v->s, "DRAIN"))
		v->s = "DRAIN (agent)";
	else if (agent == 0 && !strcmp(v->s, "DOWN"))
		v->s = "DOWN (agent)";
	return STAT_SET;
}

/* Seconds since the server's health last changed; a backend: its most
 * recent server change. */
static enum stat_got get_lastchg(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	const struct real_server *rs;
	uint64_t since = 0;

	if (r->type == HS_FRONTEND)
		return STAT_NULL;
	if (r->type == HS_SERVER)
		since = r->rs->live->since_ms;
	else
		for (rs = r->pool->rs; rs; rs = rs->next)
			if (rs->live->since_ms > since)
				since = rs->live->since_ms;
	v->i = r->now_ms > since ? (long long)((r->now_ms - since) / 1000) : 0;
	return STAT_SET;
}

static enum stat_got get_id(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			    union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	switch (f->arg) {
	case 0: /* pid: the process number, 1 as one HAProxy process */
		v->i = 1;
		break;
	case 1:
		v->i = r->iid;
		break;
	case 2:
		v->i = r->type == HS_SERVER ? r->sid : 0;
		break;
	default:
		v->i = r->type;
		break;
	}
	return STAT_SET;
}

static enum stat_got get_rate(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	double d = r->type == HS_SERVER ? r->rs->live->est.rate.cps : r->sum.cps;

	v->i = isfinite(d) && d > 0 ? (long long)(d + 0.5) : 0;
	return STAT_SET;
}

static enum stat_got get_check_desc(const void *obj, const struct stat_field *f,
				    struct stat_ctx *c, union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (r->type != HS_SERVER || !r->rs->checks)
		return STAT_NULL;
	v->s = stat_chars(c, r->rs->live->reason, sizeof(r->rs->live->reason));
	return STAT_SET;
}

/* The agent_* columns and last_agt of a server with an agent-check
 * (check/health_agent.c); empty for the others, as in HAProxy. */
enum hs_agent { AG_STATUS, AG_CODE, AG_DURATION, AG_DESC, AG_LAST, AG_RISE, AG_FALL, AG_HEALTH };

static enum stat_got get_agent(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	struct agent_stat st;

	if (r->type != HS_SERVER || !health_agent_stat(r->rs, &st))
		return STAT_NULL;
	switch ((enum hs_agent)f->arg) {
	case AG_RISE:
	case AG_FALL:
	case AG_HEALTH:
		v->i = f->arg == AG_RISE ? st.rise : f->arg == AG_FALL ? st.fall : st.health;
		return STAT_SET;
	default:
		break;
	}
	if (!st.status)
		return STAT_NULL; /* not checked yet */
	switch ((enum hs_agent)f->arg) {
	case AG_STATUS:
		v->s = st.status;
		break;
	case AG_CODE:
		if (st.code < 0)
			return STAT_NULL;
		v->i = st.code;
		break;
	case AG_DURATION:
		v->i = st.duration_ms;
		break;
	case AG_DESC:
		v->s = st.desc;
		break;
	default:
		v->s = stat_chars(c, st.last, strlen(st.last));
		break;
	}
	return STAT_SET;
}

static enum stat_got get_addr(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (r->type != HS_SERVER)
		return STAT_NULL;
	v->s = addr_format(&r->rs->addr, c->buf, sizeof(c->buf), 1);
	return STAT_SET;
}

static enum stat_got get_mode(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	v->s = r->hp && r->hp->mode == HP_MODE_HTTP ? "http" : "tcp";
	return STAT_SET;
}

static enum stat_got get_algo(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (r->type != HS_BACKEND)
		return STAT_NULL;
	v->s = stat_chars(c, r->pool->sched, sizeof(r->pool->sched));
	return STAT_SET;
}

/* conn_tot: a frontend's connections (HAProxy fills it for frontends). */
static enum stat_got get_conn_tot(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				  union stat_val *v)
{
	if (ROW(obj)->type != HS_FRONTEND)
		return STAT_NULL;
	v->u = ROW(obj)->sum.conns;
	return STAT_SET;
}

#define EMPTY(n, t, h) {n, t, h}
#define FIG(n, t, h, which) {n, t, h, .get = get_fig, .arg = (which)}
#define AGENT(n, t, h, which) {n, t, h, .get = get_agent, .arg = (which)}

static const struct stat_field columns[] = {
    {"pxname", STAT_STRING, "proxy name: the haproxy section, or the pool's name", .get = get_name},
    {"svname", STAT_STRING, "FRONTEND, BACKEND, or the server's name", .get = get_name, .arg = 1},
    {"qcur", STAT_GAUGE, "requests waiting for a server slot now (maxconn)", .get = get_queue},
    {"qmax", STAT_GAUGE, "most requests waiting at once", .get = get_queue, .arg = 1},
    FIG("scur", STAT_GAUGE, "sessions now (active connections)", FIG_CUR),
    EMPTY("smax", STAT_GAUGE, "most sessions at once (not measured)"),
    {"slim", STAT_CONFIG, "session limit: maxconn (frontend, server), fullconn (backend)",
     .get = get_slim},
    FIG("stot", STAT_COUNTER, "sessions since the start", FIG_CONNS),
    FIG("bin", STAT_COUNTER, "bytes in (client to server)", FIG_IN),
    FIG("bout", STAT_COUNTER, "bytes out (server to client)", FIG_OUT),
    EMPTY("dreq", STAT_COUNTER, "requests denied"),
    EMPTY("dresp", STAT_COUNTER, "responses denied"),
    EMPTY("ereq", STAT_COUNTER, "request errors"),
    EMPTY("econ", STAT_COUNTER, "errors connecting to a server"),
    EMPTY("eresp", STAT_COUNTER, "response errors"),
    EMPTY("wretr", STAT_COUNTER, "connection retries"),
    EMPTY("wredis", STAT_COUNTER, "redispatches"),
    {"status", STAT_ENUM, "UP, DOWN, DRAIN, MAINT, no check (server), UP/DOWN (backend), "
     "OPEN (frontend)", .get = get_status},
    FIG("weight", STAT_GAUGE, "weight in force (a backend: of its servers up)", FIG_WEIGHT),
    FIG("act", STAT_GAUGE, "active server (1), or a backend's active servers up", FIG_ACT),
    FIG("bck", STAT_GAUGE, "backup server (1), or a backend's backup servers up", FIG_BCK),
    EMPTY("chkfail", STAT_COUNTER, "failed checks"),
    EMPTY("chkdown", STAT_COUNTER, "UP to DOWN transitions"),
    {"lastchg", STAT_GAUGE, "seconds since the last change of state", .get = get_lastchg},
    EMPTY("downtime", STAT_COUNTER, "seconds down"),
    EMPTY("qlimit", STAT_CONFIG, "queue limit (maxqueue)"),
    {"pid", STAT_CONFIG, "process number (1)", .get = get_id},
    {"iid", STAT_CONFIG, "proxy number, from 1", .get = get_id, .arg = 1},
    {"sid", STAT_CONFIG, "server number in its proxy, from 1 (0: frontend, backend)",
     .get = get_id, .arg = 2},
    EMPTY("throttle", STAT_GAUGE, "slowstart throttle, percent"),
    FIG("lbtot", STAT_COUNTER, "times the server was chosen", FIG_CONNS),
    EMPTY("tracked", STAT_STRING, "the server tracked"),
    {"type", STAT_CONFIG, "0 frontend, 1 backend, 2 server", .get = get_id, .arg = 3},
    {"rate", STAT_GAUGE, "sessions per second (IPVS's estimator, rounded)", .get = get_rate},
    EMPTY("rate_lim", STAT_CONFIG, "rate-limit sessions"),
    EMPTY("rate_max", STAT_GAUGE, "most sessions per second"),
    EMPTY("check_status", STAT_ENUM, "last check's status (L4OK...)"),
    EMPTY("check_code", STAT_GAUGE, "last check's layer 5-7 code"),
    EMPTY("check_duration", STAT_GAUGE, "last check's duration, ms"),
    EMPTY("hrsp_1xx", STAT_COUNTER, "HTTP responses 1xx"),
    EMPTY("hrsp_2xx", STAT_COUNTER, "HTTP responses 2xx"),
    EMPTY("hrsp_3xx", STAT_COUNTER, "HTTP responses 3xx"),
    EMPTY("hrsp_4xx", STAT_COUNTER, "HTTP responses 4xx"),
    EMPTY("hrsp_5xx", STAT_COUNTER, "HTTP responses 5xx"),
    EMPTY("hrsp_other", STAT_COUNTER, "HTTP responses, other codes"),
    EMPTY("hanafail", STAT_COUNTER, "failed health analyses"),
    EMPTY("req_rate", STAT_GAUGE, "HTTP requests per second"),
    EMPTY("req_rate_max", STAT_GAUGE, "most HTTP requests per second"),
    EMPTY("req_tot", STAT_COUNTER, "HTTP requests"),
    EMPTY("cli_abrt", STAT_COUNTER, "transfers aborted by the client"),
    EMPTY("srv_abrt", STAT_COUNTER, "transfers aborted by the server"),
    EMPTY("comp_in", STAT_COUNTER, "bytes fed to the compressor"),
    EMPTY("comp_out", STAT_COUNTER, "bytes out of the compressor"),
    EMPTY("comp_byp", STAT_COUNTER, "bytes that bypassed the compressor"),
    EMPTY("comp_rsp", STAT_COUNTER, "compressed responses"),
    EMPTY("lastsess", STAT_GAUGE, "seconds since the last session"),
    EMPTY("last_chk", STAT_STRING, "last check's output"),
    AGENT("last_agt", STAT_STRING, "last agent check's output", AG_LAST),
    EMPTY("qtime", STAT_GAUGE, "average queue time, ms"),
    EMPTY("ctime", STAT_GAUGE, "average connect time, ms"),
    EMPTY("rtime", STAT_GAUGE, "average response time, ms"),
    EMPTY("ttime", STAT_GAUGE, "average session time, ms"),
    AGENT("agent_status", STAT_ENUM, "last agent check's status", AG_STATUS),
    AGENT("agent_code", STAT_GAUGE, "last agent check's code", AG_CODE),
    AGENT("agent_duration", STAT_GAUGE, "last agent check's duration, ms", AG_DURATION),
    {"check_desc", STAT_STRING, "the last check's result in words (the server's reason)",
     .get = get_check_desc},
    AGENT("agent_desc", STAT_STRING, "the last agent check's result in words", AG_DESC),
    EMPTY("check_rise", STAT_CONFIG, "rise"),
    EMPTY("check_fall", STAT_CONFIG, "fall"),
    EMPTY("check_health", STAT_GAUGE, "check health, 0 to rise+fall-1"),
    AGENT("agent_rise", STAT_CONFIG, "agent rise", AG_RISE),
    AGENT("agent_fall", STAT_CONFIG, "agent fall", AG_FALL),
    AGENT("agent_health", STAT_GAUGE, "agent health", AG_HEALTH),
    {"addr", STAT_STRING, "the server's ADDRESS:PORT", .get = get_addr},
    EMPTY("cookie", STAT_STRING, "the server's cookie"),
    {"mode", STAT_ENUM, "tcp or http", .get = get_mode},
    {"algo", STAT_STRING, "the backend's scheduler (balance, lb_algo)", .get = get_algo},
    EMPTY("conn_rate", STAT_GAUGE, "connections per second"),
    EMPTY("conn_rate_max", STAT_GAUGE, "most connections per second"),
    {"conn_tot", STAT_COUNTER, "a frontend's connections", .get = get_conn_tot},
    EMPTY("intercepted", STAT_COUNTER, "requests intercepted (stats, monitor)"),
    EMPTY("dcon", STAT_COUNTER, "connections denied by tcp-request connection"),
    EMPTY("dses", STAT_COUNTER, "sessions denied by tcp-request session"),
    EMPTY("wrew", STAT_COUNTER, "failed header rewrites"),
    EMPTY("connect", STAT_COUNTER, "connection attempts"),
    EMPTY("reuse", STAT_COUNTER, "connections reused"),
    EMPTY("cache_lookups", STAT_COUNTER, "cache lookups"),
    EMPTY("cache_hits", STAT_COUNTER, "cache hits"),
    EMPTY("srv_icur", STAT_GAUGE, "idle server connections"),
    EMPTY("src_ilim", STAT_CONFIG, "idle server connections limit"),
    EMPTY("qtime_max", STAT_GAUGE, "longest queue time, ms"),
    EMPTY("ctime_max", STAT_GAUGE, "longest connect time, ms"),
    EMPTY("rtime_max", STAT_GAUGE, "longest response time, ms"),
    EMPTY("ttime_max", STAT_GAUGE, "longest session time, ms"),
    EMPTY("eint", STAT_COUNTER, "internal errors"),
    EMPTY("idle_conn_cur", STAT_GAUGE, "unsafe idle connections"),
    EMPTY("safe_conn_cur", STAT_GAUGE, "safe idle connections"),
    EMPTY("used_conn_cur", STAT_GAUGE, "connections in use"),
    EMPTY("need_conn_est", STAT_GAUGE, "connections estimated needed"),
    FIG("uweight", STAT_GAUGE, "configured weight (a backend: of its servers up)", FIG_UWEIGHT),
    EMPTY("agg_server_status", STAT_GAUGE, "backend: servers' aggregated status"),
    EMPTY("agg_server_check_status", STAT_GAUGE, "backend: deprecated"),
    EMPTY("agg_check_status", STAT_GAUGE, "backend: servers' aggregated check status"),
    EMPTY("-", STAT_STRING, "HAProxy's separator before the stats modules' columns"),
    EMPTY("ssl_sess", STAT_COUNTER, "SSL sessions"),
    EMPTY("ssl_reused_sess", STAT_COUNTER, "SSL sessions reused"),
    EMPTY("ssl_failed_handshake", STAT_COUNTER, "SSL handshakes failed"),
    EMPTY("h2_headers_rcvd", STAT_COUNTER, "HTTP/2 HEADERS frames received"),
    EMPTY("h2_data_rcvd", STAT_COUNTER, "HTTP/2 DATA frames received"),
    EMPTY("h2_settings_rcvd", STAT_COUNTER, "HTTP/2 SETTINGS frames received"),
    EMPTY("h2_rst_stream_rcvd", STAT_COUNTER, "HTTP/2 RST_STREAM frames received"),
    EMPTY("h2_goaway_rcvd", STAT_COUNTER, "HTTP/2 GOAWAY frames received"),
    EMPTY("h2_detected_conn_protocol_errors", STAT_COUNTER, "HTTP/2 connection errors"),
    EMPTY("h2_detected_strm_protocol_errors", STAT_COUNTER, "HTTP/2 stream errors"),
    EMPTY("h2_rst_stream_resp", STAT_COUNTER, "HTTP/2 RST_STREAM frames sent"),
    EMPTY("h2_goaway_resp", STAT_COUNTER, "HTTP/2 GOAWAY frames sent"),
    EMPTY("h2_open_connections", STAT_GAUGE, "HTTP/2 connections open"),
    EMPTY("h2_backend_open_streams", STAT_GAUGE, "HTTP/2 backend streams open"),
    EMPTY("h2_total_connections", STAT_COUNTER, "HTTP/2 connections"),
    EMPTY("h2_backend_total_streams", STAT_COUNTER, "HTTP/2 backend streams"),
    EMPTY("h1_open_connections", STAT_GAUGE, "HTTP/1 connections open"),
    EMPTY("h1_open_streams", STAT_GAUGE, "HTTP/1 streams open"),
    EMPTY("h1_total_connections", STAT_COUNTER, "HTTP/1 connections"),
    EMPTY("h1_total_streams", STAT_COUNTER, "HTTP/1 streams"),
    EMPTY("h1_bytes_in", STAT_COUNTER, "HTTP/1 bytes in"),
    EMPTY("h1_bytes_out", STAT_COUNTER, "HTTP/1 bytes out"),
    EMPTY("h1_spliced_bytes_in", STAT_COUNTER, "HTTP/1 bytes spliced in"),
    EMPTY("h1_spliced_bytes_out", STAT_COUNTER, "HTTP/1 bytes spliced out"),
};

const struct stat_table hastat_columns = STAT_TABLE("haproxy_stat", columns);

const char *hs_status(const struct hs_row *r)
{
	const char *s;

	if (r->type == HS_FRONTEND)
		return "OPEN";
	if (r->type == HS_BACKEND)
		return r->sum.act + r->sum.bck ? "UP" : "DOWN";
	s = rs_state_name(r->rs);
	if (!strcmp(s, "disabled") || !strcmp(s, "maintenance"))
		return "MAINT";
	if (!strcmp(s, "down"))
		return "DOWN";
	if (!strcmp(s, "drain"))
		return "DRAIN";
	return r->rs->checks ? "UP" : "no check";
}

struct pool *hs_find_pool(const struct config *cfg, const char *name)
{
	const struct http_proxy *hp;
	struct pool *p;

	if (!cfg)
		return NULL;
	for (hp = cfg->http_proxies; hp; hp = hp->next)
		if ((hp->cap & HP_CAP_BE) && hp->pool && !strcmp(hp->name, name))
			return hp->pool;
	for (p = cfg->pools; p; p = p->next)
		if (!p->http && p->name && !strcmp(p->name, name))
			return p;
	return NULL;
}

/* A frontend's figures: the sum of the services that bind for it. */
static void sum_frontend(const struct config *cfg, const struct http_proxy *hp, struct hs_sum *s)
{
	const struct virtual_server *vs;
	struct fc_stats st;

	for (vs = cfg->vs; vs; vs = vs->next) {
		if (vs->http != hp)
			continue;
		ctr_sum(&vs->live->ctr, &st);
		s->conns += st.conns;
		s->inbytes += st.inbytes;
		s->outbytes += st.outbytes;
		s->cur += vs->live->activeconns;
		if (isfinite(vs->live->est.rate.cps))
			s->cps += vs->live->est.rate.cps;
	}
}

/* A backend's figures: the sum of its servers'. */
static void sum_backend(const struct pool *p, struct hs_sum *s)
{
	const struct real_server *rs;
	struct fc_stats st;

	for (rs = p->rs; rs; rs = rs->next) {
		int w = rs_effective_weight(rs);

		s->n_srv++;
		ctr_sum(&rs->live->ctr, &st);
		s->conns += st.conns;
		s->inbytes += st.inbytes;
		s->outbytes += st.outbytes;
		s->cur += rs->live->activeconns;
		if (isfinite(rs->live->est.rate.cps))
			s->cps += rs->live->est.rate.cps;
		if (!w)
			continue;
		s->weight += w;
		s->uweight += rs->cur_weight;
		if (rs->hp && rs->hp->backup)
			s->bck++;
		else
			s->act++;
	}
}

/* The servers of p then its BACKEND row. */
static int walk_pool(struct hs_row *r, const struct pool *p, hs_row_fn fn, void *arg)
{
	const struct real_server *rs;
	int ret;

	r->pool = p;
	r->type = HS_SERVER;
	r->sid = 0;
	for (rs = p->rs; rs; rs = rs->next) {
		r->rs = rs;
		r->svname = rs->name;
		r->sid++;
		ret = fn(r, arg);
		if (ret)
			return ret;
	}
	r->rs = NULL;
	r->type = HS_BACKEND;
	r->sid = 0;
	r->svname = "BACKEND";
	memset(&r->sum, 0, sizeof(r->sum));
	sum_backend(p, &r->sum);
	return fn(r, arg);
}

/* The empty pool a haproxy.cfg frontend without a default backend keeps
 * for its services (they answer 503): no backend of HAProxy's, no row. */
static int frontend_own_pool(const struct config *cfg, const struct pool *p)
{
	const struct virtual_server *vs;

	for (vs = cfg->vs; vs; vs = vs->next)
		if (vs->pool == p && vs->http)
			return 1;
	return 0;
}

int hs_walk(const struct config *cfg, const char *backend, uint64_t now_ms, hs_row_fn fn,
	    void *arg)
{
	const struct http_proxy *hp;
	const struct pool *p;
	struct hs_row r;
	unsigned iid = 0;
	int ret;

	if (!cfg)
		return 0;
	/* HAProxy's stats socket is a proxy of its own (GLOBAL), number 1:
	 * the others follow it, and the stats page's forms name them so */
	if (cfg->hp_global && cfg->hp_global->n_stats_sockets)
		iid = 1;
	for (hp = cfg->http_proxies; hp; hp = hp->next) {
		iid++;
		if (backend && strcmp(backend, hp->name))
			continue;
		memset(&r, 0, sizeof(r));
		r.cfg = cfg;
		r.now_ms = now_ms;
		r.hp = hp;
		r.pxname = hp->name;
		r.iid = iid;
		if (hp->cap & HP_CAP_FE) {
			r.type = HS_FRONTEND;
			r.svname = "FRONTEND";
			sum_frontend(cfg, hp, &r.sum);
			ret = fn(&r, arg);
			if (ret)
				return ret;
		}
		if ((hp->cap & HP_CAP_BE) && hp->pool) {
			ret = walk_pool(&r, hp->pool, fn, arg);
			if (ret)
				return ret;
		}
	}
	for (p = cfg->pools; p; p = p->next) {
		if (p->http || frontend_own_pool(cfg, p))
			continue;
		iid++;
		if (backend && strcmp(backend, p->name))
			continue;
		memset(&r, 0, sizeof(r));
		r.cfg = cfg;
		r.now_ms = now_ms;
		r.pxname = p->name;
		r.iid = iid;
		ret = walk_pool(&r, p, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}
