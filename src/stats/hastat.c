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
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check/health.h"
#include "core/addr.h"
#include "core/stats.h"
#include "http/rules.h"
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
enum hs_fig { FIG_CUR, FIG_SMAX, FIG_CONNS, FIG_LBTOT, FIG_IN, FIG_OUT, FIG_WEIGHT, FIG_UWEIGHT, FIG_ACT, FIG_BCK };

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
	case FIG_SMAX:
		if (r->type == HS_BACKEND)
			return STAT_NULL;
		x = lv ? ctr_max_get(&lv->smax) : r->sum.smax;
		break;
	case FIG_CONNS:
		x = lv ? st.conns : r->sum.conns;
		break;
	case FIG_LBTOT:
		if (r->type == HS_FRONTEND)
			return STAT_NULL;
		x = lv ? st.conns : r->sum.lbtot;
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
		/* a server's weight whatever its health: HAProxy 2.6's
		 * effective weight stays while DOWN or MAINT, only a drain
		 * makes it 0; a backend's, of its servers up */
		if (lv && lv->admin == RS_ADMIN_DRAIN)
			x = 0;
		else if (lv)
			x = (unsigned long long)(lv->dyn_set ? lv->dyn_weight : r->rs->cur_weight);
		else
			x = (unsigned long long)r->sum.weight;
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

static enum stat_got get_qlimit(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (r->type != HS_SERVER || !r->rs->hp || !r->rs->hp->maxqueue)
		return STAT_NULL;
	v->i = r->rs->hp->maxqueue;
	return STAT_SET;
}

/* A backend's fullconn as HAProxy 2.6 sets it without the keyword: a
 * tenth (rounded up) of the maxconn of the frontends that may route to it
 * (a frontend's own, else the global one), at least 1 -- 1 when none
 * does; 0 (unknown) when one of them has no limit fulcrum knows (HAProxy
 * then counts a maxconn of its own making). */
static unsigned fullconn_of(const struct hs_row *r)
{
	const struct http_proxy *fe;
	unsigned gmax = r->cfg && r->cfg->hp_global ? r->cfg->hp_global->maxconn : 0;
	unsigned long long sum = 0;

	if (r->hp->fullconn)
		return r->hp->fullconn;
	for (fe = r->cfg ? r->cfg->http_proxies : NULL; fe; fe = fe->next) {
		if (!(fe->cap & HP_CAP_FE) || http_backend_named(fe, r->hp->name) != r->hp)
			continue;
		if (!fe->maxconn && !gmax)
			return 0;
		sum += fe->maxconn ? fe->maxconn : gmax;
	}
	sum = (sum + 9) / 10;
	return sum ? (unsigned)(sum > 0xffffffffu ? 0xffffffffu : sum) : 1;
}

static enum stat_got get_slim(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	unsigned lim = 0;

	if (r->type == HS_SERVER)
		lim = r->rs->hp ? r->rs->hp->maxconn : 0;
	else if (r->hp)
		lim = r->type == HS_FRONTEND ? r->hp->maxconn : fullconn_of(r);
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

/* Seconds since the server's health last changed; a backend: since its
 * own state last changed (UP/DOWN, check/health_hastat.c), or the start. */
static enum stat_got get_lastchg(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	uint64_t since = 0;

	if (r->type == HS_FRONTEND)
		return STAT_NULL;
	if (r->type == HS_SERVER)
		since = r->rs->live->since_ms;
	else if (r->pool->live)
		since = r->pool->live->since_ms;
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

/* The rates: arg is RT_* (a kind of enum ctr_fq, and whether its max);
 * rate and rate_max on every row, the request and connection rates on a
 * frontend's only, as HAProxy 2.6 fills them.  A frontend's connections
 * are its sessions (fulcrum refuses none before the session starts). */
enum hs_rt { RT_SESS, RT_SESS_MAX, RT_REQ, RT_REQ_MAX, RT_CONN, RT_CONN_MAX };

static enum stat_got get_rate(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	enum ctr_fq k = f->arg == RT_REQ || f->arg == RT_REQ_MAX ? CTR_FQ_REQ : CTR_FQ_SESS;
	int max = f->arg & 1;

	if (f->arg >= RT_REQ && r->type != HS_FRONTEND)
		return STAT_NULL;
	v->i = max ? r->sum.rate_max[k] : r->sum.rate[k];
	return STAT_SET;
}

/* rate_lim: a frontend's `rate-limit sessions`, which fulcrum does not
 * read: 0, as HAProxy says of a frontend without one. */
static enum stat_got get_rate_lim(const void *obj, const struct stat_field *f,
				  struct stat_ctx *c, union stat_val *v)
{
	if (ROW(obj)->type != HS_FRONTEND)
		return STAT_NULL;
	v->i = 0;
	return STAT_SET;
}

/* lastsess: seconds since the last session of a server or a backend, -1
 * if it had none (HAProxy's srv_lastsession). */
static enum stat_got get_lastsess(const void *obj, const struct stat_field *f,
				  struct stat_ctx *c, union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (r->type == HS_FRONTEND)
		return STAT_NULL;
	if (!r->sum.last_sess)
		v->i = -1;
	else
		v->i = r->now_ms > r->sum.last_sess ? (long long)((r->now_ms - r->sum.last_sess) / 1000) : 0;
	return STAT_SET;
}

/* qtime, ctime, rtime, ttime (averages over the last 1024 transactions,
 * as HAProxy's swrate) and their *_max: arg is the enum ctr_tm, + CTR_NTM
 * for the max.  A server's and a backend's. */
static enum stat_got get_time(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (!r->sum.has_times)
		return STAT_NULL;
	v->i = f->arg < CTR_NTM ? r->sum.tavg[f->arg] : r->sum.tmax[f->arg - CTR_NTM];
	return STAT_SET;
}

/* cookie: a server's `cookie VALUE`, a backend's cookie name. */
static enum stat_got get_cookie(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	const char *ck = NULL;

	if (r->type == HS_SERVER && r->rs->hp)
		ck = r->rs->hp->cookie;
	else if (r->type == HS_BACKEND && r->hp)
		ck = r->hp->cookie.name;
	if (!ck || !*ck)
		return STAT_NULL;
	v->s = ck;
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

/* A haproxy.cfg backend's `balance` in HAProxy's words (its
 * backend_lb_algo_str), else NULL. */
static const char *balance_name(const struct hs_row *r)
{
	static const char *const hash[] = {
		[HP_HASH_SOURCE] = "source", [HP_HASH_URI] = "uri", [HP_HASH_URL_PARAM] = "url_param",
		[HP_HASH_HDR] = "hdr", [HP_HASH_RDP_COOKIE] = "rdp-cookie",
	};
	const struct hp_balance *b = r->hp ? &r->hp->balance : NULL;
	const char *s = r->pool->sched;

	if (!b)
		return NULL;
	if (b->src != HP_HASH_NONE && b->src < sizeof(hash) / sizeof(hash[0]))
		return hash[b->src];
	if (!strcmp(s, "wrr"))
		return b->static_rr ? "static-rr" : "roundrobin";
	if (!strcmp(s, "wlc"))
		return "leastconn";
	if (!strcmp(s, "first") || !strcmp(s, "random"))
		return s;
	return NULL;
}

static enum stat_got get_algo(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	const char *b;

	if (r->type != HS_BACKEND)
		return STAT_NULL;
	b = balance_name(r);
	v->s = b ? b : stat_chars(c, r->pool->sched, sizeof(r->pool->sched));
	return STAT_SET;
}

/* The HTTP engine's counters (struct fc_hstats at f->off) on the rows
 * HAProxy 2.6 fills them: f->arg says which (HR_*); HR_HTTP, on mode http
 * proxies only (a mode tcp proxy, a keepalived pool: empty). */
#define HR_FE (1u << HS_FRONTEND)
#define HR_BE (1u << HS_BACKEND)
#define HR_SRV (1u << HS_SERVER)
#define HR_HTTP 8u

/* Whether HAProxy 2.6 fills a column of rows (HR_*) on r. */
static int row_has(const struct hs_row *r, unsigned rows)
{
	if (!(rows & (1u << r->type)))
		return 0;
	return !(rows & HR_HTTP) || (r->hp && r->hp->mode == HP_MODE_HTTP);
}

static enum stat_got get_hctr(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	struct fc_hstats h;
	const struct fc_hstats *from = &r->sum.h;

	if (!row_has(r, f->arg))
		return STAT_NULL;
	if (r->type == HS_SERVER) {
		ctr_hsum(&r->rs->live->ctr, &h);
		from = &h;
	}
	v->u = *(const uint64_t *)((const char *)from + f->off);
	return STAT_SET;
}

/* The check columns of a checked server (check/health_hastat.c); a
 * backend's chkdown and downtime: its own DOWN transitions (all its
 * servers down at once) and time.  A server in maintenance has its
 * checks paused, as HAProxy's: only its counters are shown. */
enum hs_chk { CHK_FAIL, CHK_DOWN, CHK_DOWNTIME, CHK_STATUS, CHK_CODE, CHK_DURATION, CHK_LAST,
	      CHK_RISE, CHK_FALL, CHK_HEALTH, CHK_DESC };

static enum stat_got get_check(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	const struct hs_row *r = ROW(obj);
	struct health_hastat h;

	if (r->type == HS_BACKEND && r->pool->live &&
	    (f->arg == CHK_DOWN || f->arg == CHK_DOWNTIME)) {
		const struct be_live *b = r->pool->live;
		uint64_t down = b->down_ms;

		if (b->down && r->now_ms > b->since_ms)
			down += r->now_ms - b->since_ms;
		v->u = f->arg == CHK_DOWN ? b->chkdown : down / 1000;
		return STAT_SET;
	}
	if (r->type != HS_SERVER || !r->rs->checks || health_hastat(r->rs, r->now_ms, &h) < 0)
		return STAT_NULL;
	if (f->arg != CHK_FAIL && f->arg != CHK_DOWN && f->arg != CHK_DOWNTIME &&
	    !strcmp(hs_status(r), "MAINT"))
		return STAT_NULL;
	switch ((enum hs_chk)f->arg) {
	case CHK_FAIL:
		v->u = h.chkfail;
		break;
	case CHK_DOWN:
		v->u = h.chkdown;
		break;
	case CHK_DOWNTIME:
		v->u = h.down_ms / 1000;
		break;
	case CHK_STATUS:
		/* HAProxy's mark of an attempt under way */
		snprintf(c->buf, sizeof(c->buf), "%s%s", h.in_progress ? "* " : "", h.status);
		v->s = c->buf;
		break;
	case CHK_CODE:
		if (h.code < 0)
			return STAT_NULL;
		v->i = h.code;
		break;
	case CHK_DESC:
		v->s = h.kdesc;
		break;
	case CHK_DURATION:
		if (!h.checked)
			return STAT_NULL;
		v->i = h.duration_ms;
		break;
	case CHK_LAST:
		if (!h.desc || !*h.desc)
			return STAT_NULL;
		v->s = stat_chars(c, h.desc, strlen(h.desc));
		break;
	case CHK_RISE:
		v->i = h.rise;
		break;
	case CHK_FALL:
		v->i = h.fall;
		break;
	case CHK_HEALTH:
		v->i = h.health;
		break;
	}
	return STAT_SET;
}

/* A column of a feature fulcrum does not have (compression, a cache,
 * tcp-request connection rules, header rewrites that can fail...): 0 on
 * the rows HAProxy 2.6 fills it (arg: HR_*), as HAProxy says without it;
 * "-", HAProxy's separator before its modules' columns. */
static enum stat_got get_zero(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	const struct hs_row *r = ROW(obj);

	if (!row_has(r, f->arg))
		return STAT_NULL;
	if (f->type == STAT_STRING)
		v->s = "-";
	else
		v->u = 0;
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
#define HC(n, h, field, rows)                                                                     \
	{n, STAT_COUNTER, h, .get = get_hctr, .off = offsetof(struct fc_hstats, field), .arg = (rows)}
#define FIG(n, t, h, which) {n, t, h, .get = get_fig, .arg = (which)}
#define AGENT(n, t, h, which) {n, t, h, .get = get_agent, .arg = (which)}
#define ZERO(n, h, rows) {n, STAT_COUNTER, h, .get = get_zero, .arg = (rows)}
#define TM(n, h, which) {n, STAT_GAUGE, h, .get = get_time, .arg = (which)}

static const struct stat_field columns[] = {
    {"pxname", STAT_STRING, "proxy name: the haproxy section, or the pool's name", .get = get_name},
    {"svname", STAT_STRING, "FRONTEND, BACKEND, or the server's name", .get = get_name, .arg = 1},
    {"qcur", STAT_GAUGE, "requests waiting for a server slot now (maxconn)", .get = get_queue},
    {"qmax", STAT_GAUGE, "most requests waiting at once", .get = get_queue, .arg = 1},
    FIG("scur", STAT_GAUGE, "sessions now (active connections)", FIG_CUR),
    FIG("smax", STAT_GAUGE, "most sessions at once (a backend's: not kept)", FIG_SMAX),
    {"slim", STAT_CONFIG, "session limit: maxconn (frontend, server), fullconn (backend)",
     .get = get_slim},
    FIG("stot", STAT_COUNTER, "sessions since the start", FIG_CONNS),
    FIG("bin", STAT_COUNTER, "bytes in (client to server)", FIG_IN),
    FIG("bout", STAT_COUNTER, "bytes out (server to client)", FIG_OUT),
    HC("dreq", "requests denied", dreq, HR_FE | HR_BE),
    HC("dresp", "responses denied", dresp, HR_FE | HR_BE | HR_SRV),
    HC("ereq", "request errors", ereq, HR_FE),
    HC("econ", "errors connecting to a server", econ, HR_BE | HR_SRV),
    HC("eresp", "response errors", eresp, HR_BE | HR_SRV),
    HC("wretr", "connection retries", wretr, HR_BE | HR_SRV),
    HC("wredis", "redispatches", wredis, HR_BE | HR_SRV),
    {"status", STAT_ENUM, "UP, DOWN, DRAIN, MAINT, no check (server), UP/DOWN (backend), "
     "OPEN (frontend)", .get = get_status},
    FIG("weight", STAT_GAUGE, "weight in force, a server's while down or in maintenance too (0: drained); a backend's, of its servers up", FIG_WEIGHT),
    FIG("act", STAT_GAUGE, "active server (1), or a backend's active servers up", FIG_ACT),
    FIG("bck", STAT_GAUGE, "backup server (1), or a backend's backup servers up", FIG_BCK),
    {"chkfail", STAT_COUNTER, "failed checks", .get = get_check, .arg = CHK_FAIL},
    {"chkdown", STAT_COUNTER, "UP to DOWN transitions", .get = get_check, .arg = CHK_DOWN},
    {"lastchg", STAT_GAUGE, "seconds since the last change of state", .get = get_lastchg},
    {"downtime", STAT_COUNTER, "seconds down", .get = get_check, .arg = CHK_DOWNTIME},
    {"qlimit", STAT_CONFIG, "a server's queue limit (maxqueue)", .get = get_qlimit},
    {"pid", STAT_CONFIG, "process number (1)", .get = get_id},
    {"iid", STAT_CONFIG, "proxy number, from 1", .get = get_id, .arg = 1},
    {"sid", STAT_CONFIG, "server number in its proxy, from 1 (0: frontend, backend)",
     .get = get_id, .arg = 2},
    EMPTY("throttle", STAT_GAUGE, "slowstart throttle, percent"),
    FIG("lbtot", STAT_COUNTER, "times the server was chosen (a backend: its servers)", FIG_LBTOT),
    EMPTY("tracked", STAT_STRING, "the server tracked"),
    {"type", STAT_CONFIG, "0 frontend, 1 backend, 2 server", .get = get_id, .arg = 3},
    {"rate", STAT_GAUGE, "sessions over the last second", .get = get_rate, .arg = RT_SESS},
    {"rate_lim", STAT_CONFIG, "a frontend's rate-limit sessions (0: none)", .get = get_rate_lim},
    {"rate_max", STAT_GAUGE, "most sessions in one second", .get = get_rate, .arg = RT_SESS_MAX},
    {"check_status", STAT_ENUM, "last check's status (L4OK...)", .get = get_check, .arg = CHK_STATUS},
    {"check_code", STAT_GAUGE, "last check's layer 5-7 code", .get = get_check, .arg = CHK_CODE},
    {"check_duration", STAT_GAUGE, "last check's duration, ms", .get = get_check, .arg = CHK_DURATION},
    HC("hrsp_1xx", "HTTP responses 1xx", rsp[HCTR_1XX], HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("hrsp_2xx", "HTTP responses 2xx", rsp[HCTR_2XX], HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("hrsp_3xx", "HTTP responses 3xx", rsp[HCTR_3XX], HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("hrsp_4xx", "HTTP responses 4xx", rsp[HCTR_4XX], HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("hrsp_5xx", "HTTP responses 5xx", rsp[HCTR_5XX], HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("hrsp_other", "HTTP responses, other codes", rsp[HCTR_OTHER],
       HR_FE | HR_BE | HR_SRV | HR_HTTP),
    EMPTY("hanafail", STAT_COUNTER, "failed health analyses"),
    {"req_rate", STAT_GAUGE, "HTTP requests over the last second (frontend)", .get = get_rate,
     .arg = RT_REQ},
    {"req_rate_max", STAT_GAUGE, "most HTTP requests in one second (frontend)", .get = get_rate,
     .arg = RT_REQ_MAX},
    HC("req_tot", "HTTP requests", req, HR_FE | HR_BE | HR_SRV | HR_HTTP),
    HC("cli_abrt", "transfers aborted by the client", cli_abrt, HR_BE | HR_SRV),
    HC("srv_abrt", "transfers aborted by the server", srv_abrt, HR_BE | HR_SRV),
    ZERO("comp_in", "bytes fed to the compressor (none: 0)", HR_FE | HR_BE),
    ZERO("comp_out", "bytes out of the compressor (none: 0)", HR_FE | HR_BE),
    ZERO("comp_byp", "bytes that bypassed the compressor (none: 0)", HR_FE | HR_BE),
    ZERO("comp_rsp", "compressed responses (none: 0)", HR_FE | HR_BE),
    {"lastsess", STAT_GAUGE, "seconds since the last session (-1: none)", .get = get_lastsess},
    {"last_chk", STAT_STRING, "last check's output", .get = get_check, .arg = CHK_LAST},
    AGENT("last_agt", STAT_STRING, "last agent check's output", AG_LAST),
    TM("qtime", "average queue time over the last 1024 requests, ms", CTR_TM_Q),
    TM("ctime", "average connect time over the last 1024 requests, ms", CTR_TM_C),
    TM("rtime", "average response time over the last 1024 requests, ms", CTR_TM_D),
    TM("ttime", "average total time over the last 1024 requests, ms", CTR_TM_T),
    AGENT("agent_status", STAT_ENUM, "last agent check's status", AG_STATUS),
    AGENT("agent_code", STAT_GAUGE, "last agent check's code", AG_CODE),
    AGENT("agent_duration", STAT_GAUGE, "last agent check's duration, ms", AG_DURATION),
    {"check_desc", STAT_STRING, "the last check's status in HAProxy's words (Layer4 connection "
     "problem...)", .get = get_check, .arg = CHK_DESC},
    AGENT("agent_desc", STAT_STRING, "the last agent check's result in words", AG_DESC),
    {"check_rise", STAT_CONFIG, "rise", .get = get_check, .arg = CHK_RISE},
    {"check_fall", STAT_CONFIG, "fall", .get = get_check, .arg = CHK_FALL},
    {"check_health", STAT_GAUGE, "check health, 0 to rise+fall-1", .get = get_check, .arg = CHK_HEALTH},
    AGENT("agent_rise", STAT_CONFIG, "agent rise", AG_RISE),
    AGENT("agent_fall", STAT_CONFIG, "agent fall", AG_FALL),
    AGENT("agent_health", STAT_GAUGE, "agent health", AG_HEALTH),
    {"addr", STAT_STRING, "the server's ADDRESS:PORT", .get = get_addr},
    {"cookie", STAT_STRING, "the server's cookie value, the backend's cookie name",
     .get = get_cookie},
    {"mode", STAT_ENUM, "tcp or http", .get = get_mode},
    {"algo", STAT_STRING, "the backend's scheduler (balance, lb_algo)", .get = get_algo},
    {"conn_rate", STAT_GAUGE, "connections over the last second (frontend)", .get = get_rate,
     .arg = RT_CONN},
    {"conn_rate_max", STAT_GAUGE, "most connections in one second (frontend)", .get = get_rate,
     .arg = RT_CONN_MAX},
    {"conn_tot", STAT_COUNTER, "a frontend's connections", .get = get_conn_tot},
    HC("intercepted", "requests intercepted (stats, monitor)", intercepted, HR_FE),
    ZERO("dcon", "connections denied by tcp-request connection (none: 0)", HR_FE),
    ZERO("dses", "sessions denied by tcp-request session (none: 0)", HR_FE),
    ZERO("wrew", "failed header rewrites (none fail: 0)", HR_FE | HR_BE | HR_SRV),
    EMPTY("connect", STAT_COUNTER, "connection attempts"),
    EMPTY("reuse", STAT_COUNTER, "connections reused"),
    ZERO("cache_lookups", "cache lookups (no cache: 0)", HR_FE | HR_BE | HR_HTTP),
    ZERO("cache_hits", "cache hits (no cache: 0)", HR_FE | HR_BE | HR_HTTP),
    EMPTY("srv_icur", STAT_GAUGE, "idle server connections"),
    EMPTY("src_ilim", STAT_CONFIG, "idle server connections limit"),
    TM("qtime_max", "longest queue time, ms", CTR_NTM + CTR_TM_Q),
    TM("ctime_max", "longest connect time, ms", CTR_NTM + CTR_TM_C),
    TM("rtime_max", "longest response time, ms", CTR_NTM + CTR_TM_D),
    TM("ttime_max", "longest total time, ms", CTR_NTM + CTR_TM_T),
    ZERO("eint", "internal errors (none counted: 0)", HR_FE | HR_BE | HR_SRV),
    EMPTY("idle_conn_cur", STAT_GAUGE, "unsafe idle connections"),
    EMPTY("safe_conn_cur", STAT_GAUGE, "safe idle connections"),
    EMPTY("used_conn_cur", STAT_GAUGE, "connections in use"),
    EMPTY("need_conn_est", STAT_GAUGE, "connections estimated needed"),
    FIG("uweight", STAT_GAUGE, "configured weight (a backend: of its servers up)", FIG_UWEIGHT),
    /* HAProxy 2.6 aggregates these in its exporter only (stats/prom.c):
     * its CSV says 0 on a backend's row */
    {"agg_server_status", STAT_GAUGE, "backend: servers' aggregated status (/metrics only: 0)",
     .get = get_zero, .arg = HR_BE},
    {"agg_server_check_status", STAT_GAUGE, "backend: deprecated (/metrics only: 0)",
     .get = get_zero, .arg = HR_BE},
    {"agg_check_status", STAT_GAUGE,
     "backend: servers' aggregated check status (/metrics only: 0)", .get = get_zero, .arg = HR_BE},
    {"-", STAT_STRING, "HAProxy's separator before the stats modules' columns", .get = get_zero,
     .arg = HR_FE | HR_BE | HR_SRV},
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
	if (r->type == HS_BACKEND) /* (no server at all: UP, as HAProxy says) */
		return r->sum.act + r->sum.bck || !r->sum.n_srv ? "UP" : "DOWN";
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

/* The rates of c added to a row's: now and the maxima (model/ctr.h). */
static void add_rates(const struct ctr *c, uint64_t now_ms, struct hs_sum *s)
{
	unsigned k, max;

	for (k = 0; k < CTR_NFQ; k++) {
		s->rate[k] += ctr_rate(c, k, now_ms, &max);
		s->rate_max[k] += max;
	}
}

/* The last session and the time figures of one object's counters. */
static void own_times(const struct ctr *c, struct hs_sum *s)
{
	s->last_sess = ctr_last_sess(c);
	ctr_times_read(c, s->tavg, s->tmax);
	s->has_times = 1;
}

/* A frontend's figures: the sum of the services that bind for it. */
static void sum_frontend(const struct config *cfg, const struct http_proxy *hp, uint64_t now_ms,
			 struct hs_sum *s)
{
	const struct virtual_server *vs;
	struct fc_stats st;

	for (vs = cfg->vs; vs; vs = vs->next) {
		if (vs->http != hp)
			continue;
		ctr_sum(&vs->live->ctr, &st);
		ctr_hsum_add(&vs->live->ctr, &s->h);
		s->conns += st.conns;
		s->inbytes += st.inbytes;
		s->outbytes += st.outbytes;
		s->cur += vs->live->activeconns;
		s->smax += ctr_max_get(&vs->live->smax);
		if (isfinite(vs->live->est.rate.cps))
			s->cps += vs->live->est.rate.cps;
		add_rates(&vs->live->ctr, now_ms, s);
	}
}

/* A backend's figures: its servers' counts and weights; a mode http
 * backend's sessions, req_tot, hrsp_*, rates, last session and times are
 * its own (struct be_live: every transaction it took, a 503 without a
 * server too, as HAProxy counts them), another's (a mode tcp proxy, a
 * keepalived pool) those of its servers. */
static void sum_backend(const struct pool *p, uint64_t now_ms, struct hs_sum *s)
{
	const struct real_server *rs;
	const struct ctr *own = p->live ? &p->live->ctr : NULL;
	int http = own && p->http && p->http->mode == HP_MODE_HTTP;
	struct fc_stats st;
	struct fc_hstats h;
	uint64_t last;

	for (rs = p->rs; rs; rs = rs->next) {
		int w = rs_effective_weight(rs);

		s->n_srv++;
		ctr_sum(&rs->live->ctr, &st);
		ctr_hsum_add(&rs->live->ctr, &s->h);
		s->conns += st.conns;
		s->lbtot += st.conns;
		s->inbytes += st.inbytes;
		s->outbytes += st.outbytes;
		s->cur += rs->live->activeconns;
		if (isfinite(rs->live->est.rate.cps))
			s->cps += rs->live->est.rate.cps;
		/* HAProxy stamps a backend's last session with its server's */
		last = ctr_last_sess(&rs->live->ctr);
		if (last > s->last_sess)
			s->last_sess = last;
		s->has_times = 1;
		if (!http)
			add_rates(&rs->live->ctr, now_ms, s);
		if (!w)
			continue;
		s->weight += w;
		s->uweight += rs->cur_weight;
		if (rs->hp && rs->hp->backup)
			s->bck++;
		else
			s->act++;
	}
	if (!http) {
		/* a mode tcp backend's time figures are its own too, with
		 * its servers' last session (proxy/tcp_log.c) */
		if (own && p->http) {
			last = s->last_sess;
			own_times(own, s);
			s->last_sess = last;
		}
		return;
	}
	ctr_sum(own, &st);
	ctr_hsum(own, &h);
	s->conns = st.conns;
	/* the servers' counts plus the backend's own (econ: no server);
	 * req_tot and hrsp_* are the backend's alone */
	ctr_hsum_add(own, &s->h);
	s->h.req = h.req;
	memcpy(s->h.rsp, h.rsp, sizeof(h.rsp));
	add_rates(own, now_ms, s);
	last = s->last_sess;
	own_times(own, s);
	s->last_sess = last;
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
		memset(&r->sum, 0, sizeof(r->sum));
		add_rates(&rs->live->ctr, r->now_ms, &r->sum);
		own_times(&rs->live->ctr, &r->sum);
		ret = fn(r, arg);
		if (ret)
			return ret;
	}
	r->rs = NULL;
	r->type = HS_BACKEND;
	r->sid = 0;
	r->svname = "BACKEND";
	memset(&r->sum, 0, sizeof(r->sum));
	sum_backend(p, r->now_ms, &r->sum);
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
			sum_frontend(cfg, hp, now_ms, &r.sum);
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
