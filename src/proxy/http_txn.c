/* The HTTP engine's transactions: what is decided once a request head
 * is in (monitor-uri, the rules, the backend, the headers the server
 * gets, the server), the server's connection and its failures (retries,
 * redispatch, 503), the response head (its rules, its headers), the end of
 * a transaction (the log line, keep-alive or close) and our own answers
 * (errors, deny, return).  http_stream.c moves the bytes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "http/capture.h"
#include "http/h1.h"
#include "http/reply.h"
#include "http/rules.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

static void next_request(struct hstream *s);

/* ---- the log ---- */

/* The name of the transaction's server, from its backend's pool. */
static const char *srv_name(const struct hstream *s)
{
	const struct real_server *rs;

	if (!s->be || !s->be->pool || !s->live)
		return NULL;
	for (rs = s->be->pool->rs; rs; rs = rs->next)
		if (rs->live == s->live)
			return rs->name;
	return NULL;
}

/* %bc and %sc: the backend's and the server's connections but this
 * one, which HAProxy has given back when it logs. */
static void log_counts(const struct hstream *s, struct http_txn *t)
{
	const struct real_server *rs;
	unsigned self = s->srv_active ? 1 : 0, n = 0;

	t->be_conn = t->srv_conn = 0;
	if (!s->be || !s->be->pool)
		return;
	for (rs = s->be->pool->rs; rs; rs = rs->next)
		if (rs->live)
			n += rs->live->activeconns;
	t->be_conn = n > self ? n - self : 0;
	if (s->live)
		t->srv_conn = s->live->activeconns > self ? s->live->activeconns - self : 0;
}

/* A connection that sent nothing, which `option dontlognull` (and
 * `option http-ignore-probes`) keep out of the log. */
static int txn_null(const struct hstream *s)
{
	return !s->req_parsed && !s->head_seen && !hbuf_data(&s->cin) &&
	       (s->fe->options & (HP_OPT_DONTLOGNULL | HP_OPT_HTTP_IGNPROBES));
}

/* The transaction is over (answered by us or by the server, or cut): its
 * line, once.  A head that never parsed is HAProxy's "<BADREQ>": no
 * request fields, no times but %Ta, and 0 bytes (HAProxy's mux answers
 * those itself, outside the stream that counts them). */
static void txn_log(struct hstream *s)
{
	struct http_txn *t = &s->x->txn;

	if (s->logged || txn_null(s))
		return;
	s->logged = 1;
	/* HAProxy's Ta starts at the head's first byte, after Ti */
	t->t_idle = (int64_t)(s->head_first_ms - s->head_start_ms);
	t->t_hs = s->tls && !s->ntxn ? s->tls->hs_ms : 0; /* a kept-alive request's is 0 */
	t->t_active = (int64_t)(loop_now(hs_loop(s)) - s->head_first_ms);
	/* a server was given (HAProxy's Tw is -1 only when none was) */
	if (s->be && s->live && t->t_queue < 0)
		t->t_queue = 0;
	htxn_count(s); /* (after the times: the averages read them) */
	t->srv_name = srv_name(s);
	t->fe_conn = t->act_conn = (unsigned)s->pvs->nhstreams;
	log_counts(s, t);
	if (!s->req_parsed) {
		t->req = NULL;
		t->bytes_out = 0;
	}
	/* the counts are read: the line is the transaction's alone (the
	 * worker's compiled formats, a write or a datagram per target) */
	hs_own(s);
	http_log_txn(s);
	hs_shared(s);
	t->req = &s->x->req;
}

void htxn_term(struct hstream *s, const char *ts)
{
	if (s->x && s->x->txn.term[0] == '-')
		memcpy(s->x->txn.term, ts, 2);
}

void htxn_fail(struct hstream *s, unsigned status, const char *ts)
{
	struct ctr *sv = htxn_srv_ctr(s);

	if (hs_txn_get(s) == 0)
		htxn_term(s, ts);
	/* HAProxy's eresp: a server that closed, timed out or answered what
	 * does not parse before its response head ("SH", "sH", "PH") */
	if (sv && ts[1] == 'H' && (ts[0] == 'S' || ts[0] == 's' || ts[0] == 'P'))
		HCTR(sv, eresp);
	htxn_error(s, status);
}

void htxn_cut(struct hstream *s, const char *ts)
{
	if (s->logged || (!s->req_parsed && s->ntxn && !s->head_seen && !hbuf_data(&s->cin)))
		return; /* logged, or between two requests: nothing was cut */
	if (hs_txn_get(s) < 0)
		return;
	htxn_term(s, ts);
	if (!s->req_parsed && !s->x->txn.status)
		s->x->txn.status = 400; /* HAProxy's, for a head cut short */
	txn_log(s);
}

/* ---- answers of our own ---- */

/* The http-after-response rules on t->resp: the backend's, then the
 * frontend's, as HAProxy 2.6 runs them on every response, the server's and
 * our own alike (nothing there can stop it). */
static void after_rules(struct hstream *s)
{
	if (s->be)
		http_after_resp_rules(s->be, &s->x->txn);
	if (s->be != s->fe)
		http_after_resp_rules(s->fe, &s->x->txn);
}

static int fix_resp_conn(struct hstream *s);

/* Our answer msg[0..len) (a whole raw response: built-in, errorfile, a
 * rule's) into cout as the client gets it: its head through the
 * http-after-response rules (once a request was read), Connection said
 * last as for a server's response, no body after a HEAD (RFC 9110 9.3.2).
 * A text that does not parse as a head (an odd errorfile) goes as it is.
 * What the log counts of it (%B, h1_htx_head_size: HAProxy's count, not
 * the bytes put), or -1 when they do not fit. */
static ssize_t answer_put(struct hstream *s, const char *msg, size_t len)
{
	int head_only = s->req_parsed && s->x->client_meth == H1_METH_HEAD;
	int hlen;
	size_t n, counted;

	if (!len)
		return 0;
	hlen = h1_parse_resp(&s->x->resp, msg, len, len, head_only ? H1_METH_HEAD : H1_METH_GET);
	if (hlen <= 0)
		return hbuf_put(s->pvs->px, &s->cout, msg, len) < 0 ? -1 : (ssize_t)len;
	if (s->req_parsed) {
		s->x->txn.resp = &s->x->resp;
		after_rules(s);
		s->x->txn.status = s->x->resp.status;
	}
	if (fix_resp_conn(s) < 0)
		return -1;
	n = h1_emit_head(&s->x->resp, s->cout.p + s->cout.len, HTTP_BUF_SIZE - s->cout.len);
	if (!n)
		return -1;
	counted = h1_htx_head_size(s->cout.p + s->cout.len, n);
	s->cout.len += (uint32_t)n;
	if (head_only)
		return (ssize_t)counted;
	if (hbuf_put(s->pvs->px, &s->cout, msg + hlen, len - (size_t)hlen) < 0)
		return -1;
	return (ssize_t)(counted + len - (size_t)hlen);
}

/* Answer the client with msg and end the transaction there: keep the
 * connection if the answer allows it, nothing of the request is left
 * unread and no response of the server was begun (HAProxy 2.6 keeps it
 * after its 403, 500, 502, 503 and 504 alike), else close after sending
 * it. */
void htxn_answer(struct hstream *s, const char *msg, size_t len, unsigned status)
{
	int whole = s->state == HS_HEAD || (s->state == HS_TXN && !s->resp_parsed);
	int keep = !http_reply_closes(msg, len) && !s->close_client && s->req_parsed &&
		   s->x->req_body.done && whole;
	uint32_t at;
	ssize_t n;

	s->body_wait = 0; /* an answer of ours ends any wait for the body */
	happ_free(s);
	hq_leave(s);
	if (hs_txn_get(s) < 0 || hbuf_take(s->pvs->px, &s->cout) < 0) {
		/* out of memory: the client is closed without an answer */
		s->close_client = 1;
		s->state = HS_CLOSE;
		return;
	}
	s->x->txn.status = status;
	s->close_client = !keep;
	htrace_answer(s, status, len);
	/* before a response of this transaction, what cout holds is the last
	 * transaction's whole answer (pipelined, not all sent yet): ours
	 * follows it; later, a response was under way and ours replaces what
	 * is left of it */
	if (whole)
		hbuf_compact(&s->cout);
	else
		s->cout.off = s->cout.len = 0;
	at = s->cout.len;
	n = answer_put(s, msg, len);
	if (n < 0) {
		/* too large once edited: the answer as it was, and close */
		keep = 0;
		s->close_client = 1;
		s->cout.len = at;
		n = hbuf_put(s->pvs->px, &s->cout, msg, len) < 0 ? 0 : (ssize_t)len;
	}
	s->x->txn.bytes_out = (uint64_t)n;
	txn_log(s);
	s->x->txn.resp = NULL; /* msg may not outlive this call */
	hsrv_close(s, 0);
	hs_srv_inactive(s);
	if (keep) {
		next_request(s);
		return;
	}
	s->state = HS_CLOSE;
	hs_arm(s, hs_timeout(s));
}

void htxn_error(struct hstream *s, unsigned status)
{
	size_t len;
	const char *msg = http_error_msg(s->be ? s->be : s->fe, status, &len);

	/* a request that could not be read leaves the connection unusable;
	 * after the others the client may go on, as with HAProxy */
	if (status == 400 || status == 408)
		s->close_client = 1;
	htxn_answer(s, msg, len, status);
}

void htxn_log_answer(struct hstream *s, unsigned status, size_t len)
{
	s->x->txn.status = status;
	s->x->txn.bytes_out = len;
	txn_log(s);
	hs_arm(s, hs_timeout(s));
}

void htxn_answered(struct hstream *s)
{
	hsrv_close(s, 0);
	hs_srv_inactive(s);
	if (!s->close_client && s->x->req_body.done) {
		next_request(s);
		return;
	}
	s->state = HS_CLOSE;
	hs_arm(s, hs_timeout(s));
}

static void answer_reply(struct hstream *s, const struct http_proxy *px, const struct http_reply *r)
{
	char out[HTTP_BUF_SIZE];
	size_t len = http_reply_build(px, r, out, sizeof(out));

	/* 0: too large (500), or the status's errorfile is empty (its
	 * answer is a close, as errorfiles.vtc's deny_status 408) */
	if (!len && !http_reply_empty(px, r)) {
		htxn_error(s, 500);
		return;
	}
	htxn_answer(s, out, len, r->status);
}

/* ---- the request ---- */

uint64_t http_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void htxn_forget_tried(struct hstream *s)
{
	while (s->x->ntried)
		rs_live_unref(s->x->tried[--s->x->ntried]);
}

void htxn_reset(struct hstream *s)
{
	struct http_txn *t = s->x ? &s->x->txn : NULL;

	s->resp_parsed = 0;
	s->srv_sent = 0;
	if (s->srv_state == HSS_TURN)
		s->srv_state = HSS_NONE; /* the last transaction ended in its turn-around */
	if (!t)
		return;
	s->x->nconnects = 0;
	/* the servers that failed are this transaction's: the next one on the
	 * connection starts with every server again (HAProxy's retries and
	 * redispatch count per transaction) */
	htxn_forget_tried(s);
	capture_free(t);
	/* all but the variables' slots (5 KiB, last), which count only below nvars */
	memset(t, 0, offsetof(struct http_txn, vars));
	t->req = &s->x->req;
	t->src = s->client;
	t->dst = s->dst;
	t->ssl = s->tls && !s->tls->hs_want ? &s->tls->facts : NULL;
	t->fe = s->fe;
	t->accept_ms = s->head_wall_ms;
	t->t_req = t->t_queue = t->t_connect = t->t_resp = t->t_active = -1;
	memcpy(t->term, "--", 3);
}

/* The transaction ended and the client stays: wait for its next head
 * (http-keep-alive), which may already be in cin (pipelined). */
static void next_request(struct hstream *s)
{
	s->head_start_ms = s->head_first_ms = loop_now(hs_loop(s));
	s->head_wall_ms = http_wall_ms();
	s->head_seen = 0;
	s->body_wait = 0;
	s->ntxn++;
	s->be = NULL;
	s->req_parsed = 0;
	s->logged = 0;
	s->state = HS_HEAD;
	if (s->x) {
		free(s->x->reqhead);
		s->x->reqhead = NULL;
	}
	hbuf_compact(&s->cin);
	htxn_reset(s); /* (s->x is given back if nothing of a head is in: hs_run) */
	hs_arm(s, t_or(s->fe->t_http_keep_alive, t_or(s->fe->t_http_request, s->fe->t_client)));
}

static void connect_next(struct hstream *s);

/* The server for the request, then connect; or wait for a slot in a
 * queue (http_queue.c); or 503: no server ("SC"), or the persistence's
 * server and its queue full ("SQ"). */
/* Called with the engine lock or without (htxn_to_server); returns with it. */
static void pick_and_connect(struct hstream *s)
{
	int r = HPICK_NONE;

	/* the backend's own mutex, not the engine lock (http_queue.c) */
	hs_own(s);
	if (s->hbe)
		r = hsrv_pick(s);
	hs_shared(s);
	if (r == HPICK_WAIT)
		return; /* in a queue (hsrv_pick) */
	if (r == HPICK_QFULL)
		htxn_term(s, "SQ");
	if (r != HPICK_OK) {
		htxn_count_nosrv(s);
		htxn_fail(s, 503, "SC");
		return;
	}
	connect_next(s);
}

/* `tarpit` in px's rules: the answer is made now and held for px's
 * `timeout tarpit` (else, in a section with servers, `timeout connect`;
 * a frontend's is 0: at once, as haproxy 2.6 does), then sent as a deny's
 * would be.  It waits in sin, which no server uses meanwhile. */
static void tarpit(struct hstream *s, const struct http_proxy *px, const struct http_reply *r)
{
	unsigned ms = t_or(px->t_tarpit, (px->cap & HP_CAP_BE) ? px->t_connect : 0);
	size_t len;

	hsrv_close(s, 0);
	hs_srv_inactive(s);
	if (hbuf_take(s->pvs->px, &s->sin) < 0) {
		htxn_error(s, 500);
		return;
	}
	len = http_reply_build(px, r, s->sin.p, HTTP_BUF_SIZE);
	/* an empty errorfile for the status is held as any answer, then
	 * closes without one (haproxy 2.6) */
	if (!len && !http_reply_empty(px, r)) {
		htxn_error(s, 500);
		return;
	}
	s->sin.off = 0;
	s->sin.len = (uint32_t)len;
	s->x->txn.status = r->status;
	s->state = HS_TARPIT;
	if (ms) {
		hs_arm(s, ms);
		return;
	}
	htxn_tarpit_end(s);
}

void htxn_tarpit_end(struct hstream *s)
{
	struct http_txn *t = &s->x->txn;

	/* HAProxy logs the hold as %Tw, and no %TR */
	t->t_req = -1;
	t->t_queue = (int64_t)(loop_now(hs_loop(s)) - s->x->txn_start_ms);
	/* answered as if at once, from the head (keep-alive allowed) */
	s->state = HS_HEAD;
	htxn_answer(s, s->sin.p, s->sin.len, s->x->txn.status);
	s->sin.off = s->sin.len = 0;
}

/* The verdict v of px's http-request rules acted on: 1 if it answered
 * the client (deny, return, tarpit, a failed rewrite, use-service), 0 to
 * go on. */
static int req_verdict(struct hstream *s, const struct http_proxy *px, enum http_verdict v,
		       const struct http_reply *reply)
{
	if (v == HTTP_V_SERVICE) {
		HCTR(htxn_fe_ctr(s), intercepted);
		happ_start(s, px, HAPP_METRICS);
		return 1;
	}
	if (v == HTTP_V_DENY || v == HTTP_V_RETURN) {
		/* HAProxy's: a deny is the proxy's refusal, a return (and a
		 * redirect, an auth challenge) its local answer */
		htxn_term(s, v == HTTP_V_DENY ? "PR" : "LR");
		if (v == HTTP_V_DENY)
			HCTR(htxn_fe_ctr(s), dreq);
		answer_reply(s, px, reply);
		return 1;
	}
	if (v == HTTP_V_TARPIT) {
		htxn_term(s, "PT");
		tarpit(s, px, reply);
		return 1;
	}
	if (v == HTTP_V_ERROR) {
		htxn_error(s, 500);
		return 1;
	}
	return 0;
}

/* px's stats page or metrics (k, happ_wants), as HAProxy: after px's
 * http-request rules (a deny there keeps them closed).  1 if the engine
 * answers. */
static int serve_self(struct hstream *s, const struct http_proxy *px, enum happ_kind k)
{
	if (k == HAPP_NONE)
		return 0;
	hsrv_close(s, 0); /* a server kept from the last transaction is not needed */
	hs_srv_inactive(s);
	htxn_term(s, "LR");
	HCTR(htxn_fe_ctr(s), intercepted);
	happ_start(s, px, k);
	return 1;
}

/* 1 if the request is fe's monitor-uri: "/x" is compared with the path,
 * anything else with the URI as sent. */
static int monitor_match(struct hstream *s, const struct http_proxy *fe)
{
	const char *path;
	size_t plen;

	if (!fe->monitor_uri)
		return 0;
	if (fe->monitor_uri[0] == '/') {
		h1_req_path(&s->x->req, &path, &plen);
	} else {
		path = h1_ptr(&s->x->req, s->x->req.uri);
		plen = s->x->req.uri.len;
	}
	return plen == strlen(fe->monitor_uri) && !memcmp(path, fe->monitor_uri, plen);
}

/* What a request head decides from itself and the configuration alone:
 * made without the engine lock (plan_req), acted on under it. */
struct req_plan {
	int monitor;		     /* monitor-uri: answered 200 */
	const struct http_proxy *px; /* whose rules decided (v, reply) or whose page (self) */
	enum http_verdict v;
	struct http_reply reply;
	enum happ_kind self;
};

/* monitor-uri, the frontend's http-request rules, its stats page, the
 * backend (use_backend: s->be once one with servers is found), then the
 * backend's rules and page, stopping at the first that decides.  All of
 * it reads and edits only the transaction and reads the configuration,
 * which changes only while the workers are parked: it runs without the
 * engine lock (doc/internals/threads.md). */
static void plan_req(struct hstream *s, struct req_plan *p)
{
	const struct http_proxy *fe = s->fe, *be;

	memset(p, 0, sizeof(*p));
	p->v = HTTP_V_CONTINUE;
	p->self = HAPP_NONE;
	p->px = fe;
	if (monitor_match(s, fe)) {
		p->monitor = 1;
		return;
	}
	p->v = http_req_rules(fe, &s->x->txn, &p->reply);
	if (p->v != HTTP_V_CONTINUE || (p->self = happ_wants(s, fe)) != HAPP_NONE)
		return;
	/* a listen is its own backend unless its use_backend rules say */
	be = http_pick_backend(fe, &s->x->txn);
	if (!be || !be->pool)
		return; /* 503 */
	s->be = be;
	s->x->txn.be = be;
	if (be == fe)
		return;
	p->px = be;
	p->v = http_req_rules(be, &s->x->txn, &p->reply);
	if (p->v == HTTP_V_CONTINUE)
		p->self = happ_wants(s, be);
}

/* The head the server gets, into sout, once plan_req chose a backend and
 * nothing answered: the cookies read and edited (their servers' states are
 * hck_resolve's), the stick rules' keys and lookups (hst_resolve's), the
 * forwardfor/originalto, Connection and TE headers.  Without the engine
 * lock: the transaction's and the configuration's alone.  1 ready, 0 not
 * for a server, -1 failed (500). */
static int to_server_head(struct hstream *s, const struct req_plan *p)
{
	const struct http_proxy *fe = s->fe, *be = s->be;

	if (p->monitor || p->v != HTTP_V_CONTINUE || p->self != HAPP_NONE || !be)
		return 0;
	if (hck_request(s) < 0 || hst_request(s) < 0)
		return -1;
	s->close_client |= be->conn_mode == HP_CONN_CLO;
	/* the client's own wish to close (Connection: close, HTTP/1.0) is the
	 * client side's: the server side follows the connection modes, and
	 * with http-keep-alive it gets the request as a kept-alive one, as
	 * HAProxy 2.6 sends it */
	s->close_server = (s->x->req.flags & H1_F_TE_CL) || s->pvs->px->stopping ||
			  be->conn_mode != HP_CONN_KAL || fe->conn_mode != HP_CONN_KAL;
	if (hreq_fix_head(s) < 0)
		return -1;
	s->sout.off = s->sout.len = 0;
	s->sout.len = (uint32_t)h1_emit_head(&s->x->req, s->sout.p, HTTP_BUF_SIZE);
	return s->sout.len ? 1 : -1;
}

void htxn_start(struct hstream *s, int hlen)
{
	const struct http_proxy *fe = s->fe, *be;
	struct req_plan p;
	int ready;

	/* keep the head apart from cin, whose bytes move on (its own size:
	 * a page of a buffer per request in flight would be touched else) */
	free(s->x->reqhead);
	s->x->reqhead = malloc((size_t)hlen + 1);
	if (!s->x->reqhead || hbuf_take(s->pvs->px, &s->sout) < 0) {
		hs_shared(s);
		s->close_client = 1;
		s->state = HS_CLOSE;
		return;
	}
	memcpy(s->x->reqhead, s->cin.p + s->cin.off, (size_t)hlen);
	s->x->reqhead[hlen] = 0; /* a string's end for readers such as stats_web_parse */
	s->x->req.buf = s->x->reqhead;
	s->x->client_meth = s->x->req.meth;
	s->cin.off += (uint32_t)hlen;
	s->req_parsed = 1;
	htrace_request(s);
	hfwd_init(&s->x->req_body, &s->x->req);
	s->x->txn_start_ms = loop_now(hs_loop(s));
	s->x->txn.t_req = (int64_t)(s->x->txn_start_ms - s->head_first_ms);
	s->close_client = (s->x->req.flags & (H1_F_CONN_CLOSE | H1_F_TE_CL)) ||
			  ((s->x->req.flags & H1_F_VER_10) && !(s->x->req.flags & H1_F_CONN_KAL)) ||
			  fe->conn_mode == HP_CONN_CLO || s->pvs->px->stopping;

	/* captured as received, before any rule edits the head (haproxy);
	 * out of memory, the log shows none */
	(void)capture_req(&s->x->txn, fe);
	capture_cookie_req(&s->x->txn);
	plan_req(s, &p);
	ready = to_server_head(s, &p);
	if (ready > 0) {
		/* toward a server: its persistence (the servers' states are
		 * atomics, the stick tables have their mutexes), the
		 * backend's table (its list has a mutex of its own) and the
		 * pick (the backend's) need no engine lock either */
		hck_resolve(s);
		hst_resolve(s);
		s->state = HS_TXN;
		if (((fe->options | s->be->options) & HP_OPT_BUFREQ) && !s->x->req_body.done) {
			/* option http-buffer-request: the body first (txn_step
			 * gathers it in sout, then calls htxn_to_server);
			 * timeout http-request bounds the wait, as HAProxy's */
			hs_shared(s);
			s->body_wait = 1;
			hs_arm(s, hs_timeout(s));
			return;
		}
		htxn_to_server(s);
		return;
	}
	hs_shared(s);

	if (p.monitor) {
		size_t len;
		const char *msg = http_error_msg(fe, 200, &len);

		s->logged = 1; /* HAProxy never logs its monitor-uri */
		HCTR(htxn_fe_ctr(s), intercepted);
		HCTR(htxn_fe_ctr(s), req);
		ctr_hrsp(htxn_fe_ctr(s), 200);
		htxn_answer(s, msg, len, 200);
		return;
	}
	if (req_verdict(s, p.px, p.v, &p.reply) || serve_self(s, p.px, p.self))
		return;
	be = s->be;
	if (!be) {
		htxn_error(s, 503);
		return;
	}
	/* ready < 0 here: ready > 0 went to a server above, and 0 is an
	 * answer of ours (to_server_head) */
	htxn_error(s, 500);
}

void htxn_to_server(struct hstream *s)
{
	const struct http_proxy *be = s->be;

	hs_own(s); /* from htxn_start: not held; from txn_step: held */
	s->body_wait = 0;
	if (s->hbe && s->hbe->key != be->pool) {
		hbe_put(s->pvs->px, s->hbe);
		s->hbe = NULL;
	}
	if (!s->hbe)
		s->hbe = hbe_get(s->pvs->px, be->pool);
	else
		hbe_fresh(s->hbe, be->pool); /* a keep-alive stream's next request */
	s->x->txn.srv_name = NULL;
	pick_and_connect(s);
}

void htxn_connect(struct hstream *s)
{
	connect_next(s);
}

int htxn_client_gone(struct hstream *s)
{
	const char *term;

	if (!s->be || !(s->be->options & HP_OPT_ABORTONCLOSE))
		return 0;
	if (hq_waits(s))
		term = "CQ";
	else if (s->srv_state == HSS_CONNECTING || s->srv_state == HSS_TURN)
		term = "CC";
	else
		return 0;
	if (term[1] == 'Q' && !hq_waits_for_srv(s)) {
		/* no server was chosen (s->live is the last transaction's) */
		rs_live_unref(s->live);
		s->live = NULL;
	}
	hq_leave(s);
	memcpy(s->x->txn.term, term, 3);
	s->x->txn.status = 0;
	s->x->txn.bytes_out = 0;
	txn_log(s);
	hstream_close(s, 0);
	return 1;
}

/* ---- the server ---- */

/* Connect (or reuse) toward s->x->srv_addr; a failure now counts as a retry. */
static void connect_next(struct hstream *s)
{
	if (s->srv_state == HSS_TURN)
		s->srv_state = HSS_NONE; /* the turn-around is over */
	if (!s->srv_active) {
		ctr_cur_up(&s->live->activeconns, &s->live->smax);
		ctr_cur_up(&s->pvs->vsl->activeconns, &s->pvs->vsl->smax);
		s->srv_active = 1;
	}
	s->x->nconnects++;
	s->x->conn_start_ms = loop_now(hs_loop(s));
	if (hsrv_connect(s) < 0) {
		htxn_srv_failed(s, "SC");
		return;
	}
	if (s->srv_state == HSS_READY) {
		/* the connection kept from the last transaction, or a new one
		 * connected when connect() returned (hsrv_connect) */
		s->x->conn_done_ms = s->x->conn_start_ms;
		s->x->txn.t_connect = 0;
	}
	hs_arm(s, hs_timeout(s));
}

/* The server failed before any byte of the request reached it (refused,
 * timed out connecting, or a reused connection closed under us): again,
 * HAProxy's `retries` bounds it, then 503 (ts: the log's termination
 * state then).  Where, as HAProxy 2.6: another server when
 * hsrv_redispatch_now says so (option redispatch), at once; else the same
 * one after a turn-around of HTTP_TURN_MS. */
void htxn_srv_failed(struct hstream *s, const char *ts)
{
	const struct http_proxy *be = s->be;
	struct rs_live **t;
	int redispatch;

	hsrv_close(s, 0);
	if (!be || s->srv_sent || s->x->nconnects > be->retries) {
		/* HAProxy's econ: the last attempt failed too */
		if (s->live && !s->srv_sent)
			HCTR(&s->live->ctr, econ);
		htxn_fail(s, s->srv_sent ? 502 : 503, s->srv_sent ? "SH" : ts);
		return;
	}
	s->x->txn.retries++;
	redispatch = hsrv_redispatch_now(s);
	/* each attempt again is the failed server's wretr or wredis */
	if (s->live)
		ctr_hadd(&s->live->ctr, redispatch ? offsetof(struct fc_hstats, wredis)
						   : offsetof(struct fc_hstats, wretr));
	if (redispatch) {
		/* a hash keeps the key on its server while it is up: the
		 * balance chooses it again (HAProxy's), and the log says no
		 * redispatch */
		int hash_same = hsrv_hashes(s) && hsrv_usable(s, s->live);

		s->x->txn.redispatched |= !hash_same;
		/* the slot goes back; another server (a queue if all are full) */
		hs_srv_inactive(s);
		s->ck_direct = 0; /* the cookie's server failed: another, and its cookie */
		t = hash_same ? NULL : realloc(s->x->tried, (s->x->ntried + 1) * sizeof(*t));
		if (t) {
			s->x->tried = t;
			s->x->tried[s->x->ntried++] = rs_live_ref(s->live);
		}
		pick_and_connect(s);
		return;
	}
	/* the same server, in the slot s holds, after the turn-around */
	s->srv_state = HSS_TURN;
	s->x->turn_end_ms = loop_now(hs_loop(s)) + HTTP_TURN_MS;
	hs_arm(s, HTTP_TURN_MS);
}

void htxn_connected(struct hstream *s, uint32_t events)
{
	int e = 0;
	socklen_t el = sizeof(e);

	/* writable alone: connected (no getsockopt per connection) */
	if ((events & (EPOLLERR | EPOLLHUP)) &&
	    getsockopt(s->sfd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if ((events & (EPOLLERR | EPOLLHUP)) && !e)
		e = ECONNRESET;
	if (e) {
		htxn_srv_failed(s, "SC");
		return;
	}
	if (s->stls && s->stls->hs_want) {
		/* TLS: connected when the handshake is over (a failed one is a
		 * failed connect: retried, then 503) */
		int r = hs_stls_handshake(s);

		if (r < 0)
			htxn_srv_failed(s, "SC"); /* HAProxy's flags for it too */
		if (r <= 0)
			return;
	}
	s->srv_state = HSS_READY;
	s->x->conn_done_ms = loop_now(hs_loop(s));
	s->x->txn.t_connect = (int64_t)(s->x->conn_done_ms - s->x->conn_start_ms);
	/* Connected: from now on the server has `timeout server` to answer,
	 * not what was left of `timeout connect` (HAProxy's meaning). */
	hs_arm(s, hs_timeout(s));
}

/* ---- the response ---- */

static int fix_resp_conn(struct hstream *s)
{
	if (s->x->resp.status == 101)
		return 0;
	h1_hdr_del_all(&s->x->resp, "connection", 10);
	if (s->close_client)
		return h1_hdr_add(&s->x->resp, "connection", 10, "close", 5);
	if (s->x->req.flags & H1_F_VER_10)
		return h1_hdr_add(&s->x->resp, "connection", 10, "keep-alive", 10);
	return 0;
}

/* A response head is in sin: 0 handled, -1 the stream was answered or
 * closed.  Entered without the lock (the parse, the rules), which is taken
 * for the persistence tables and the answers of ours, and given up again
 * for the head's edits. */
int htxn_resp(struct hstream *s, int hlen)
{
	struct http_reply reply;
	enum http_verdict v = HTTP_V_CONTINUE;
	size_t n;
	int r;

	s->x->txn.resp = &s->x->resp;
	s->x->txn.status = s->x->resp.status;
	/* HAProxy's server req_tot counts the responses it gave */
	if (s->live) {
		HCTR(&s->live->ctr, req);
		ctr_hrsp(&s->live->ctr, s->x->resp.status);
	}
	if (s->x->resp.status >= 100 && s->x->resp.status < 200 && s->x->resp.status != 101) {
		/* interim (100 Continue): relayed as is, the real one follows */
		r = hbuf_put(s->pvs->px, &s->cout, s->sin.p + s->sin.off, (size_t)hlen);
		hs_shared(s);
		if (r < 0) {
			htxn_error(s, 502);
			return -1;
		}
		s->sin.off += (uint32_t)hlen;
		return 0;
	}
	if ((s->x->resp.flags & (H1_F_CONN_CLOSE | H1_F_TE_CL)) || s->x->resp.body == H1_BODY_EOF ||
	    ((s->x->resp.flags & H1_F_VER_10) && !(s->x->resp.flags & H1_F_CONN_KAL)))
		s->close_server = 1;
	if (s->x->resp.body == H1_BODY_EOF)
		s->close_client = 1;
	capture_resp(&s->x->txn);
	/* the http-response rules read and edit the transaction alone */
	memset(&reply, 0, sizeof(reply));
	if (s->be)
		v = http_resp_rules(s->be, &s->x->txn, &reply);
	if (v == HTTP_V_CONTINUE && s->be != s->fe)
		v = http_resp_rules(s->fe, &s->x->txn, &reply);
	hs_shared(s);
	if (v == HTTP_V_DENY || v == HTTP_V_RETURN) {
		s->close_client = 1;
		if (v == HTTP_V_DENY) {
			HCTR(htxn_fe_ctr(s), dresp);
			if (s->live)
				HCTR(&s->live->ctr, dresp);
		}
		answer_reply(s, s->be ? s->be : s->fe, &reply);
		return -1;
	}
	if (v == HTTP_V_CONTINUE)
		hst_response(s);
	/* after the http-response rules, before the persistence cookie goes
	 * in: what HAProxy's capture cookie sees */
	capture_cookie_resp(&s->x->txn);
	if (v == HTTP_V_ERROR || v == HTTP_V_TARPIT || hck_response(s) < 0) {
		htxn_error(s, 502);
		return -1;
	}
	/* the head as the client gets it: the transaction's own work again */
	hs_own(s);
	after_rules(s);
	s->x->txn.status = s->x->resp.status;
	n = 0;
	if (fix_resp_conn(s) == 0 && hbuf_take(s->pvs->px, &s->cout) == 0) {
		hbuf_compact(&s->cout);
		n = h1_emit_head(&s->x->resp, s->cout.p + s->cout.len, HTTP_BUF_SIZE - s->cout.len);
	}
	hs_shared(s);
	if (!n) {
		htxn_error(s, 502);
		return -1;
	}
	s->x->txn.bytes_out += h1_htx_head_size(s->cout.p + s->cout.len, n);
	s->cout.len += (uint32_t)n;
	s->sin.off += (uint32_t)hlen;
	s->resp_parsed = 1;
	s->x->txn.t_resp = (int64_t)(loop_now(hs_loop(s)) - s->x->conn_done_ms);
	hfwd_init(&s->x->resp_body, &s->x->resp);
	/* a rule turned the client's HEAD into another method: the answer's
	 * body is read from the server, never sent to the client */
	s->skip_body = s->x->client_meth == H1_METH_HEAD;
	if (s->x->resp.body == H1_BODY_TUNNEL) {
		memset(&s->x->req_body, 0, sizeof(s->x->req_body));
		s->x->req_body.kind = H1_BODY_TUNNEL;
		s->state = HS_TUNNEL;
		hs_arm(s, hs_timeout(s));
	}
	return 0;
}

/* The transaction is over (both bodies done): the next one, or close. */
void htxn_end(struct hstream *s)
{
	txn_log(s);
	hs_srv_inactive(s);
	/* bytes past the response (a body sent to a HEAD): no reuse; nor
	 * when the client leaves (a server connection is never shared) */
	if (s->close_server || s->close_client || !s->x->req_body.done || hbuf_data(&s->sin))
		hsrv_close(s, 0);
	if (s->close_client || !s->x->req_body.done) {
		s->be = NULL;
		s->state = HS_CLOSE;
		hs_arm(s, hs_timeout(s));
		return;
	}
	next_request(s);
}

/* A kept-alive server connection closed before answering (it may have
 * timed out just as the request left): the request had no body, so it is
 * sent again on a new connection, as HAProxy does. */
void htxn_retry_fresh(struct hstream *s)
{
	hsrv_close(s, 0);
	s->srv_reused = 0;
	s->srv_sent = 0;
	s->sout.off = 0;
	s->sout.len = 0;
	if (hbuf_take(s->pvs->px, &s->sout) == 0)
		s->sout.len = (uint32_t)h1_emit_head(&s->x->req, s->sout.p, HTTP_BUF_SIZE);
	if (!s->sout.len) {
		htxn_error(s, 503);
		return;
	}
	connect_next(s);
}
