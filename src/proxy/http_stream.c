/* The HTTP engine's client connections: read a request head, decide
 * (monitor-uri, the rules, the backend), send it to a server, bring the
 * response back, then the next request on the same connection
 * (keep-alive; pipelined requests one at a time).
 *
 * One function, hs_run, moves a stream forward from whatever its buffers
 * hold; the socket callbacks only read, note EOFs and call it.  So a
 * request that arrives with its body, a response that comes before the
 * request body ended, and a pipelined request behind a response all take
 * the same path.  Timeouts (HAProxy's): http-request for a head,
 * http-keep-alive between requests, connect, server while the server owes
 * bytes, client while the client does, tunnel after an Upgrade. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "http/h1.h"
#include "http/reply.h"
#include "http/rules.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

#define HS_RUN_ROUNDS 16 /* hs_run passes per event: bounds a pipeline burst */
#define HS_LINGER_MS  1000 /* a closing client's unread bytes drained this long */

/* A coding other than chunked under chunked: HAProxy 2.6 answers 422 from
 * its HTTP/1 layer, not through its error messages (so no errorfile). */
static const char te_coding_msg[] =
    "HTTP/1.1 422 Unprocessable Content\r\nContent-length: 116\r\nCache-Control: no-cache\r\n"
    "Content-Type: text/html\r\n\r\n<html><body><h1>422 Unprocessable Content</h1>\nThe server "
    "cannot process the contained instructions.\n</body></html>\n";

static void hs_timer(struct loop *l, struct ev_timer *t);

static struct loop *hs_loop(const struct hstream *s)
{
	return s->pvs->px->loop;
}

int pvs_is_http(const struct pvs *p)
{
	return p->vs && p->vs->http && p->vs->http->mode == HP_MODE_HTTP;
}

/* ---- life ---- */

static void link_stream(struct pvs *p, struct hstream *s)
{
	s->pvs = p;
	s->prev = NULL;
	s->next = p->hstreams;
	if (p->hstreams)
		p->hstreams->prev = s;
	p->hstreams = s;
	p->nhstreams++;
}

static void unlink_stream(struct hstream *s)
{
	struct pvs *p = s->pvs;

	if (s->prev)
		s->prev->next = s->next;
	else
		p->hstreams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	p->nhstreams--;
}

static void srv_inactive(struct hstream *s)
{
	if (s->srv_active && s->live) {
		s->live->activeconns--;
		s->pvs->vsl->activeconns--;
	}
	s->srv_active = 0;
}

static void stream_free(void *arg)
{
	struct hstream *s = arg;

	free(s->cin.p);
	free(s);
}

void hstream_close(struct hstream *s, int rst)
{
	struct pvs *p = s->pvs;
	struct loop *l = hs_loop(s);
	unsigned i;

	loop_timer_stop(l, &s->timer);
	hsrv_close(s, rst);
	if (s->cfd >= 0) {
		loop_io_del(l, &s->cio);
		if (rst)
			sock_set_rst(s->cfd);
		close(s->cfd);
		s->cfd = -1;
	}
	srv_inactive(s);
	rs_live_unref(s->live);
	for (i = 0; i < s->ntried; i++)
		rs_live_unref(s->tried[i]);
	free(s->tried);
	hbe_put(p->px, s->hbe);
	unlink_stream(s);
	/* the ev_io structs may still sit in this round's event list */
	if (loop_defer(l, stream_free, s) < 0)
		log_err("http: out of memory, leaking a connection");
	proxy_fds_released(p->px);
	pvs_maybe_free(p);
}

void http_adopt(struct pvs *to, struct pvs *from)
{
	while (from->hstreams) {
		struct hstream *s = from->hstreams;

		unlink_stream(s);
		link_stream(to, s);
		/* the old model goes: its backend must not be followed again */
		s->fe = to->vs->http;
		if (s->be) {
			s->be = NULL;
			s->txn.be = NULL;
			s->close_client = 1;
		}
		s->txn.fe = s->fe;
	}
}

/* ---- timeouts ---- */

static unsigned t_or(unsigned a, unsigned b)
{
	return a ? a : b;
}

/* Arm the timer for the state's timeout (0: none). */
static void arm(struct hstream *s, unsigned ms)
{
	struct loop *l = hs_loop(s);

	if (!ms) {
		loop_timer_stop(l, &s->timer);
		s->deadline_ms = 0;
		return;
	}
	s->deadline_ms = loop_now(l) + ms;
	loop_timer_start(l, &s->timer, ms);
}

/* The timeout that applies now, restarted on activity. */
static unsigned txn_timeout(const struct hstream *s)
{
	const struct http_proxy *fe = s->fe, *be = s->be ? s->be : s->fe;

	if (s->state == HS_TUNNEL)
		return t_or(be->t_tunnel, t_or(be->t_server, fe->t_client));
	if (s->srv_state == HSS_CONNECTING)
		return t_or(be->t_connect, 5000);
	if (s->state == HS_CLOSE)
		return t_or(fe->t_client, 5000);
	return t_or(be->t_server, fe->t_client);
}

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

/* The transaction is over (answered by us or by the server): its line. */
static void txn_log(struct hstream *s)
{
	struct http_txn *t = &s->txn;

	if (!s->req_parsed)
		return;
	t->t_active = (int64_t)(loop_now(hs_loop(s)) - s->head_start_ms);
	if (s->live && t->t_connect >= 0)
		t->t_queue = 0;
	t->srv_name = srv_name(s);
	t->fe_conn = t->act_conn = (unsigned)s->pvs->nhstreams;
	t->be_conn = t->srv_conn = s->live ? s->live->activeconns : 0;
	http_log_txn(s);
}

/* ---- answers of our own ---- */

static void next_request(struct hstream *s);

/* Answer the client with msg and end the transaction there: keep the
 * connection if the answer allows it and nothing of the request is left
 * unread, else close after sending it. */
static void answer(struct hstream *s, const char *msg, size_t len, unsigned status)
{
	int keep = !http_reply_closes(msg, len) && !s->close_client && s->req_parsed &&
		   s->req_body.done && s->state == HS_HEAD;

	s->txn.status = status;
	s->txn.bytes_out = len;
	txn_log(s);
	s->cout.off = s->cout.len = 0;
	if (hbuf_put(&s->cout, msg, len) < 0)
		keep = 0;
	hsrv_close(s, 0);
	srv_inactive(s);
	if (keep) {
		next_request(s);
		return;
	}
	s->state = HS_CLOSE;
	arm(s, txn_timeout(s));
}

static void answer_error(struct hstream *s, unsigned status)
{
	size_t len;
	const char *msg = http_error_msg(s->be ? s->be : s->fe, status, &len);

	s->close_client = 1;
	answer(s, msg, len, status);
}

static void answer_reply(struct hstream *s, const struct http_proxy *px, const struct http_reply *r)
{
	char out[HTTP_BUF_SIZE];
	size_t len = http_reply_build(px, r, out, sizeof(out));

	if (!len) {
		answer_error(s, 500);
		return;
	}
	answer(s, out, len, r->status);
}

/* ---- the request ---- */

static int in_except(const struct hp_xff *x, const struct fc_addr *a)
{
	struct fc_addr m = *a, n = x->except;

	if (!x->has_except || a->family != n.family)
		return 0;
	addr_mask(&m, x->except_prefix);
	addr_mask(&n, x->except_prefix);
	m.port = n.port = 0;
	return addr_equal(&m, &n);
}

/* option forwardfor / originalto of the frontend and the backend: the
 * header is added unless every side that asks for it says if-none and the
 * client sent one (HAProxy 2.6, ifnone-forwardfor.vtc); the backend's
 * name and except win. */
static int add_xff(struct hstream *s, unsigned opt, const struct fc_addr *a)
{
	const struct http_proxy *fe = s->fe, *be = s->be;
	const struct hp_xff *fx = opt == HP_OPT_FORWARDFOR ? &fe->fwdfor : &fe->origto;
	const struct hp_xff *bx = opt == HP_OPT_FORWARDFOR ? &be->fwdfor : &be->origto;
	int fon = !!(fe->options & opt), bon = be != fe && (be->options & opt);
	const struct hp_xff *x = bon ? bx : fx;
	char ip[ADDR_STRLEN];

	if (!fon && !bon)
		return 0;
	if (in_except(x, a))
		return 0;
	if ((!fon || fx->if_none) && (!bon || bx->if_none) &&
	    h1_hdr_find(&s->req, x->header, strlen(x->header), 0) >= 0)
		return 0;
	addr_format(a, ip, sizeof(ip), 0);
	return h1_hdr_add(&s->req, x->header, strlen(x->header), ip, strlen(ip));
}

/* The Connection header toward the server: none on HTTP/1.1 keep-alive,
 * `close` when the server side closes after; an Upgrade keeps its own. */
static int fix_req_conn(struct hstream *s)
{
	if (s->req.flags & H1_F_UPGRADE)
		return 0;
	h1_hdr_del_all(&s->req, "connection", 10);
	if (s->close_server)
		return h1_hdr_add(&s->req, "Connection", 10, "close", 5);
	if (s->req.flags & H1_F_VER_10)
		return h1_hdr_add(&s->req, "Connection", 10, "keep-alive", 10);
	return 0;
}

/* TE toward the server: only `trailers` (without parameters) may pass,
 * as HAProxy keeps it; any other coding is between the client and us. */
static int fix_req_te(struct hstream *s)
{
	uint64_t st = 0;
	const char *v;
	size_t vl;
	int trailers = 0;

	if (h1_hdr_find(&s->req, "te", 2, 0) < 0)
		return 0;
	while (h1_hdr_next_value(&s->req, "te", 2, &st, &v, &vl))
		trailers |= vl == 8 && !strncasecmp(v, "trailers", 8);
	if (trailers)
		return h1_hdr_set(&s->req, "TE", 2, "trailers", 8);
	h1_hdr_del_all(&s->req, "te", 2);
	return 0;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void txn_reset(struct hstream *s)
{
	memset(&s->txn, 0, sizeof(s->txn));
	s->txn.req = &s->req;
	s->txn.src = s->client;
	s->txn.dst = s->dst;
	s->txn.fe = s->fe;
	s->txn.accept_ms = wall_ms();
	s->txn.t_req = s->txn.t_queue = s->txn.t_connect = s->txn.t_resp = s->txn.t_active = -1;
	memcpy(s->txn.term, "--", 3);
	s->resp_parsed = 0;
	s->srv_sent = 0;
	s->nconnects = 0;
}

/* The transaction ended and the client stays: wait for its next head
 * (http-keep-alive), which may already be in cin (pipelined). */
static void next_request(struct hstream *s)
{
	s->head_start_ms = loop_now(hs_loop(s));
	s->head_seen = 0;
	s->ntxn++;
	s->be = NULL;
	s->req_parsed = 0;
	s->state = HS_HEAD;
	hbuf_compact(&s->cin);
	txn_reset(s);
	arm(s, t_or(s->fe->t_http_keep_alive, t_or(s->fe->t_http_request, s->fe->t_client)));
}

static void connect_next(struct hstream *s);

/* The head is in: decide where it goes. */
static void start_txn(struct hstream *s, int hlen)
{
	const struct http_proxy *fe = s->fe, *be;
	struct http_reply reply;
	enum http_verdict v;
	const char *path;
	size_t plen;

	/* keep the head apart from cin, whose bytes move on */
	memcpy(s->reqhead, s->cin.p + s->cin.off, (size_t)hlen);
	s->req.buf = s->reqhead;
	s->client_meth = s->req.meth;
	s->cin.off += (uint32_t)hlen;
	s->req_parsed = 1;
	hfwd_init(&s->req_body, &s->req);
	s->txn_start_ms = loop_now(hs_loop(s));
	s->txn.t_req = (int64_t)(s->txn_start_ms - s->head_start_ms);
	s->close_client = (s->req.flags & (H1_F_CONN_CLOSE | H1_F_TE_CL)) ||
			  ((s->req.flags & H1_F_VER_10) && !(s->req.flags & H1_F_CONN_KAL)) ||
			  fe->conn_mode == HP_CONN_CLO;

	if (fe->monitor_uri) {
		/* "/x" is compared with the path, anything else with the URI as sent */
		if (fe->monitor_uri[0] == '/') {
			h1_req_path(&s->req, &path, &plen);
		} else {
			path = h1_ptr(&s->req, s->req.uri);
			plen = s->req.uri.len;
		}
		if (plen == strlen(fe->monitor_uri) && !memcmp(path, fe->monitor_uri, plen)) {
			size_t len;
			const char *msg = http_error_msg(fe, 200, &len);

			answer(s, msg, len, 200);
			return;
		}
	}
	memset(&reply, 0, sizeof(reply));
	v = http_req_rules(fe, &s->txn, &reply);
	if (v == HTTP_V_DENY || v == HTTP_V_RETURN) {
		answer_reply(s, fe, &reply);
		return;
	}
	if (v == HTTP_V_ERROR || v == HTTP_V_TARPIT) {
		answer_error(s, 500);
		return;
	}
	be = (fe->cap & HP_CAP_BE) ? fe : http_pick_backend(fe, &s->txn);
	if (!be || !be->pool) {
		answer_error(s, 503);
		return;
	}
	s->be = be;
	s->txn.be = be;
	if (be != fe) {
		memset(&reply, 0, sizeof(reply));
		v = http_req_rules(be, &s->txn, &reply);
		if (v == HTTP_V_DENY || v == HTTP_V_RETURN) {
			answer_reply(s, be, &reply);
			return;
		}
		if (v == HTTP_V_ERROR || v == HTTP_V_TARPIT) {
			answer_error(s, 500);
			return;
		}
	}
	s->close_client |= be->conn_mode == HP_CONN_CLO;
	s->close_server = s->close_client || be->conn_mode != HP_CONN_KAL ||
			  fe->conn_mode != HP_CONN_KAL;
	if (add_xff(s, HP_OPT_FORWARDFOR, &s->txn.src) < 0 ||
	    add_xff(s, HP_OPT_ORIGINALTO, &s->txn.dst) < 0 || fix_req_conn(s) < 0 ||
	    fix_req_te(s) < 0) {
		answer_error(s, 500);
		return;
	}
	s->sout.off = s->sout.len = 0;
	s->sout.len = (uint32_t)h1_emit_head(&s->req, s->sout.p, HTTP_BUF_SIZE);
	if (!s->sout.len) {
		answer_error(s, 500);
		return;
	}
	s->state = HS_TXN;
	if (s->hbe && s->hbe->key != be->pool) {
		hbe_put(s->pvs->px, s->hbe);
		s->hbe = NULL;
	}
	if (!s->hbe)
		s->hbe = hbe_get(s->pvs->px, be->pool);
	if (!s->hbe || hsrv_pick(s) < 0) {
		answer_error(s, 503);
		return;
	}
	s->txn.srv_name = NULL;
	connect_next(s);
}

/* ---- the server ---- */

static void srv_failed(struct hstream *s);

/* Connect (or reuse) toward s->srv_addr; a failure now counts as a retry. */
static void connect_next(struct hstream *s)
{
	if (!s->srv_active) {
		s->live->activeconns++;
		s->pvs->vsl->activeconns++;
		s->srv_active = 1;
	}
	s->nconnects++;
	s->conn_start_ms = loop_now(hs_loop(s));
	if (hsrv_connect(s) < 0) {
		srv_failed(s);
		return;
	}
	if (s->srv_state == HSS_READY) {
		/* the connection kept from the last transaction */
		s->conn_done_ms = s->conn_start_ms;
		s->txn.t_connect = 0;
	}
	arm(s, txn_timeout(s));
}

/* The server failed before any byte of the request reached it (refused,
 * timed out connecting, or a reused connection closed under us): again,
 * on the same server or, with option redispatch, another; HAProxy's
 * `retries` bounds it.  Then 503. */
static void srv_failed(struct hstream *s)
{
	const struct http_proxy *be = s->be;
	struct rs_live **t;

	hsrv_close(s, 0);
	srv_inactive(s);
	if (s->live)
		s->live->fail_count++;
	if (!be || s->srv_sent || s->nconnects > be->retries) {
		answer_error(s, s->srv_sent ? 502 : 503);
		return;
	}
	if (be->options & HP_OPT_REDISPATCH) {
		t = realloc(s->tried, (s->ntried + 1) * sizeof(*t));
		if (t) {
			s->tried = t;
			s->tried[s->ntried++] = rs_live_ref(s->live);
		}
		if (hsrv_pick(s) < 0) {
			answer_error(s, 503);
			return;
		}
	}
	connect_next(s);
}

static void connected(struct hstream *s)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(s->sfd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e) {
		srv_failed(s);
		return;
	}
	s->srv_state = HSS_READY;
	s->live->fail_count = 0;
	s->conn_done_ms = loop_now(hs_loop(s));
	s->txn.t_connect = (int64_t)(s->conn_done_ms - s->conn_start_ms);
}

/* ---- the response ---- */

static int fix_resp_conn(struct hstream *s)
{
	if (s->resp.status == 101)
		return 0;
	h1_hdr_del_all(&s->resp, "connection", 10);
	if (s->close_client)
		return h1_hdr_add(&s->resp, "connection", 10, "close", 5);
	if (s->req.flags & H1_F_VER_10)
		return h1_hdr_add(&s->resp, "connection", 10, "keep-alive", 10);
	return 0;
}

/* A response head is in sin: 0 handled, -1 the stream was answered or
 * closed. */
static int got_resp(struct hstream *s, int hlen)
{
	struct http_reply reply;
	enum http_verdict v = HTTP_V_CONTINUE;
	size_t n;

	s->txn.resp = &s->resp;
	s->txn.status = s->resp.status;
	if (s->resp.status >= 100 && s->resp.status < 200 && s->resp.status != 101) {
		/* interim (100 Continue): relayed as is, the real one follows */
		if (hbuf_put(&s->cout, s->sin.p + s->sin.off, (size_t)hlen) < 0) {
			answer_error(s, 502);
			return -1;
		}
		s->sin.off += (uint32_t)hlen;
		return 0;
	}
	if ((s->resp.flags & (H1_F_CONN_CLOSE | H1_F_TE_CL)) || s->resp.body == H1_BODY_EOF ||
	    ((s->resp.flags & H1_F_VER_10) && !(s->resp.flags & H1_F_CONN_KAL)))
		s->close_server = 1;
	if (s->resp.body == H1_BODY_EOF)
		s->close_client = 1;
	memset(&reply, 0, sizeof(reply));
	if (s->be)
		v = http_resp_rules(s->be, &s->txn, &reply);
	if (v == HTTP_V_CONTINUE && s->be != s->fe)
		v = http_resp_rules(s->fe, &s->txn, &reply);
	if (v == HTTP_V_DENY || v == HTTP_V_RETURN) {
		s->close_client = 1;
		answer_reply(s, s->be ? s->be : s->fe, &reply);
		return -1;
	}
	if (v == HTTP_V_ERROR || v == HTTP_V_TARPIT || fix_resp_conn(s) < 0) {
		answer_error(s, 502);
		return -1;
	}
	hbuf_compact(&s->cout);
	n = h1_emit_head(&s->resp, s->cout.p + s->cout.len, HTTP_BUF_SIZE - s->cout.len);
	if (!n) {
		answer_error(s, 502);
		return -1;
	}
	s->cout.len += (uint32_t)n;
	s->txn.bytes_out += n;
	s->sin.off += (uint32_t)hlen;
	s->resp_parsed = 1;
	s->txn.t_resp = (int64_t)(loop_now(hs_loop(s)) - s->conn_done_ms);
	hfwd_init(&s->resp_body, &s->resp);
	/* a rule turned the client's HEAD into another method: the answer's
	 * body is read from the server, never sent to the client */
	s->skip_body = s->client_meth == H1_METH_HEAD;
	if (s->resp.body == H1_BODY_TUNNEL) {
		memset(&s->req_body, 0, sizeof(s->req_body));
		s->req_body.kind = H1_BODY_TUNNEL;
		s->state = HS_TUNNEL;
		arm(s, txn_timeout(s));
	}
	return 0;
}

/* The transaction is over (both bodies done): the next one, or close. */
static void txn_end(struct hstream *s)
{
	txn_log(s);
	srv_inactive(s);
	/* bytes past the response (a body sent to a HEAD): no reuse */
	if (s->close_server || !s->req_body.done || hbuf_data(&s->sin))
		hsrv_close(s, 0);
	if (s->close_client || !s->req_body.done) {
		s->be = NULL;
		s->state = HS_CLOSE;
		arm(s, txn_timeout(s));
		return;
	}
	next_request(s);
}

/* ---- moving forward ---- */

static int head_step(struct hstream *s)
{
	int r;

	if (!hbuf_data(&s->cin))
		return 0;
	hbuf_compact(&s->cin);
	r = h1_parse_req(&s->req, s->cin.p, s->cin.len, HTTP_BUF_SIZE);
	if (r == 0) {
		if (!s->head_seen) {
			/* the first bytes of a head: http-request from now */
			s->head_seen = 1;
			arm(s, t_or(s->fe->t_http_request, s->fe->t_client));
		}
		return 0;
	}
	if (r == H1_ERR_TE_CODING) {
		/* "gzip, chunked": HAProxy's mux answers this one itself */
		s->close_client = 1;
		answer(s, te_coding_msg, sizeof(te_coding_msg) - 1, 422);
		return 1;
	}
	if (r < 0) {
		answer_error(s, 400);
		return 1;
	}
	start_txn(s, r);
	return 1;
}

/* One pass over the transaction's four buffers: 1 if anything moved. */
static int txn_step(struct hstream *s)
{
	int moved = 0, r;
	ssize_t n;

	if (!s->req_body.done) {
		n = hfwd_move(&s->req_body, &s->cin, &s->sout, s->cin_eof);
		if (n < 0) {
			answer_error(s, 400);
			return 1;
		}
		moved |= n > 0;
	}
	if (s->srv_state == HSS_READY && hbuf_data(&s->sout)) {
		n = hbuf_send(s->sfd, &s->sout);
		if (n < 0) {
			if (s->srv_reused && !s->srv_sent) {
				srv_failed(s);
				return 1;
			}
			answer_error(s, 502);
			return 1;
		}
		if (n > 0) {
			s->srv_sent = 1;
			moved = 1;
		}
	}
	if (!s->resp_parsed && hbuf_data(&s->sin)) {
		hbuf_compact(&s->sin);
		r = h1_parse_resp(&s->resp, s->sin.p, s->sin.len, HTTP_BUF_SIZE, s->req.meth);
		if (r < 0) {
			answer_error(s, 502);
			return 1;
		}
		if (r > 0) {
			if (got_resp(s, r) < 0)
				return 1;
			moved = 1;
		}
	}
	if (s->resp_parsed && !s->resp_body.done && s->state == HS_TXN) {
		n = hfwd_move(&s->resp_body, &s->sin, s->skip_body ? NULL : &s->cout, s->sin_eof);
		if (n > 0 && !s->skip_body)
			s->txn.bytes_out += (uint64_t)n;
		if (n < 0) {
			/* the response already started: all we can do is stop */
			s->close_client = 1;
			s->state = HS_CLOSE;
			return 1;
		}
		moved |= n > 0;
	}
	if (s->resp_parsed && s->resp_body.done && s->state == HS_TXN &&
	    (s->req_body.done || s->close_server)) {
		txn_end(s);
		moved = 1;
	}
	return moved;
}

/* Upgrade / CONNECT: bytes both ways as they come. */
static int tunnel_step(struct hstream *s)
{
	ssize_t a = hfwd_move(&s->req_body, &s->cin, &s->sout, s->cin_eof);
	ssize_t b = hfwd_move(&s->resp_body, &s->sin, &s->cout, s->sin_eof);
	ssize_t n = s->sfd >= 0 ? hbuf_send(s->sfd, &s->sout) : 0;

	if (n < 0)
		return -1;
	return a > 0 || b > 0 || n > 0;
}

static void update_interest(struct hstream *s)
{
	struct loop *l = hs_loop(s);
	uint32_t ce = 0, se = 0;
	int cin_room = s->cin.len < HTTP_BUF_SIZE || s->cin.off;

	if (!s->cin_eof && cin_room &&
	    (s->state == HS_HEAD || s->state == HS_TUNNEL || s->lingering ||
	     (s->state == HS_TXN && !s->req_body.done)))
		ce |= EPOLLIN;
	if (hbuf_data(&s->cout))
		ce |= EPOLLOUT;
	loop_io_mod(l, &s->cio, ce);
	if (s->sfd < 0)
		return;
	if (s->srv_state == HSS_CONNECTING) {
		se = EPOLLOUT;
	} else {
		/* an idle kept-alive connection is read too: its close is seen */
		if (!s->sin_eof && (s->sin.len < HTTP_BUF_SIZE || s->sin.off))
			se |= EPOLLIN;
		if (hbuf_data(&s->sout))
			se |= EPOLLOUT;
	}
	loop_io_mod(l, &s->sio, se);
}

/* A kept-alive server connection closed before answering (it may have
 * timed out just as the request left): the request had no body, so it is
 * sent again on a new connection, as HAProxy does. */
static void retry_fresh(struct hstream *s)
{
	hsrv_close(s, 0);
	s->srv_reused = 0;
	s->srv_sent = 0;
	s->sout.off = 0;
	s->sout.len = (uint32_t)h1_emit_head(&s->req, s->sout.p, HTTP_BUF_SIZE);
	connect_next(s);
}

/* EOFs, once the buffers said all they could. 1 = s was closed. */
static int eofs(struct hstream *s)
{
	if (s->state == HS_TUNNEL) {
		if ((s->cin_eof && !hbuf_data(&s->cin)) || (s->sin_eof && !hbuf_data(&s->sin))) {
			if (!hbuf_data(&s->cout) && !hbuf_data(&s->sout)) {
				hstream_close(s, 0);
				return 1;
			}
		}
		return 0;
	}
	if (s->sin_eof && s->state == HS_TXN && !hbuf_data(&s->sin)) {
		if (!s->resp_parsed) {
			if (s->srv_reused && s->req_body.kind == H1_BODY_NONE)
				retry_fresh(s);
			else
				answer_error(s, 502);
			return 0;
		}
		if (!s->resp_body.done) {
			/* truncated: the client must see it was (HAProxy closes) */
			s->close_client = 1;
			s->state = HS_CLOSE;
			hsrv_close(s, 0);
		}
	}
	if ((s->sin_eof || hbuf_data(&s->sin)) && s->state != HS_TXN && s->state != HS_TUNNEL) {
		/* the kept-alive server connection went away between requests,
		 * or said something nobody asked for: not reused */
		hsrv_close(s, 0);
	}
	if (s->cin_eof && !hbuf_data(&s->cin)) {
		if (s->state == HS_HEAD) {
			hstream_close(s, 0);
			return 1;
		}
		if (s->state == HS_TXN && !s->req_body.done) {
			hstream_close(s, 1);
			return 1;
		}
	}
	return 0;
}

/* The last answer is out: half-close, and read what the client still
 * sends until it closes too (or HS_LINGER_MS), so that unread request
 * bytes do not turn our close into a reset that destroys the answer
 * before the client reads it.  1 if s was closed. */
static int linger(struct hstream *s)
{
	if (s->cin_eof) {
		hstream_close(s, 0);
		return 1;
	}
	if (!s->lingering) {
		hsrv_close(s, 0);
		if (shutdown(s->cfd, SHUT_WR) < 0) {
			hstream_close(s, 0);
			return 1;
		}
		s->lingering = 1;
		arm(s, HS_LINGER_MS);
	}
	s->cin.off = s->cin.len = 0; /* nobody will read it */
	return 0;
}

static void hs_run(struct hstream *s)
{
	int i, moved;
	ssize_t n;

	for (i = 0; i < HS_RUN_ROUNDS; i++) {
		moved = 0;
		if (s->state == HS_HEAD)
			moved |= head_step(s);
		if (s->state == HS_TXN)
			moved |= txn_step(s);
		if (s->state == HS_TUNNEL) {
			int r = tunnel_step(s);

			if (r < 0) {
				hstream_close(s, 1);
				return;
			}
			moved |= r;
		}
		if (hbuf_data(&s->cout)) {
			n = hbuf_send(s->cfd, &s->cout);
			if (n < 0) {
				hstream_close(s, 1);
				return;
			}
			moved |= n > 0;
		}
		if (s->state == HS_CLOSE && !hbuf_data(&s->cout) && linger(s))
			return;
		if (!moved)
			break;
	}
	if (eofs(s))
		return;
	if (s->state == HS_CLOSE && !hbuf_data(&s->cout) && linger(s))
		return;
	update_interest(s);
}

/* ---- events ---- */

void hstream_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct hstream *s = io->data;
	int client = io == &s->cio;
	ssize_t n;

	if (!client && s->srv_state == HSS_CONNECTING) {
		/* never frees s: a failure retries or answers */
		connected(s);
		hs_run(s);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		struct hbuf *b = client ? &s->cin : &s->sin;
		int *eof = client ? &s->cin_eof : &s->sin_eof;

		n = hbuf_recv(client ? s->cfd : s->sfd, b);
		if (n == 0 || n == -2)
			*eof = 1;
		if (n > 0 && s->state != HS_HEAD)
			arm(s, txn_timeout(s));
	}
	if (!client && s->state == HS_CLOSE && s->sfd >= 0 && s->sin_eof)
		hsrv_close(s, 0);
	hs_run(s);
}

static void hs_timer(struct loop *l, struct ev_timer *t)
{
	struct hstream *s = t->data;

	switch (s->state) {
	case HS_HEAD:
		/* an idle kept-alive client goes quietly; a slow head gets 408 */
		if (!hbuf_data(&s->cin) && s->ntxn) {
			hstream_close(s, 0);
			return;
		}
		answer_error(s, 408);
		break;
	case HS_TXN:
		if (s->srv_state == HSS_CONNECTING) {
			srv_failed(s);
			break;
		}
		if (!s->resp_parsed && !hbuf_data(&s->cout)) {
			answer_error(s, s->req_body.done ? 504 : 408);
			break;
		}
		hstream_close(s, 1);
		return;
	case HS_TUNNEL:
	case HS_CLOSE:
		hstream_close(s, s->state == HS_TUNNEL);
		return;
	}
	hs_run(s);
}

void hstream_new(struct pvs *p, int cfd, const struct fc_addr *client)
{
	struct hstream *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char *blk = malloc(5 * HTTP_BUF_SIZE);
	int one = 1;

	if (!s || !blk) {
		free(s);
		free(blk);
		sock_set_rst(cfd);
		close(cfd);
		return;
	}
	s->cin.p = blk;
	s->cout.p = blk + HTTP_BUF_SIZE;
	s->sin.p = blk + 2 * HTTP_BUF_SIZE;
	s->sout.p = blk + 3 * HTTP_BUF_SIZE;
	s->reqhead = blk + 4 * HTTP_BUF_SIZE;
	s->cfd = cfd;
	s->sfd = -1;
	s->client = *client;
	s->fe = p->vs->http;
	if (getsockname(cfd, (struct sockaddr *)&ss, &sl) < 0 ||
	    addr_from_sockaddr(&s->dst, (struct sockaddr *)&ss) < 0)
		s->dst = p->addr;
	(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	loop_timer_init(&s->timer, hs_timer, s);
	link_stream(p, s);
	p->vsl->stats.conns++;
	txn_reset(s);
	s->head_start_ms = loop_now(p->px->loop);
	s->state = HS_HEAD;
	if (loop_io_add(p->px->loop, &s->cio, cfd, EPOLLIN, hstream_on_io, s) < 0) {
		hstream_close(s, 1);
		return;
	}
	arm(s, t_or(s->fe->t_http_request, s->fe->t_client));
}
