/* The HTTP engine's client connections: read a request head, hand it to
 * the transaction (http_txn.c decides), move the bytes of both messages,
 * then the next request on the same connection (keep-alive; pipelined
 * requests one at a time).
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "http/capture.h"
#include "http/h1.h"
#include "http/rules.h"
#include "model/ctr.h"
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
static int side_read(struct hstream *s, int client);

/* Count what one read or write moved, as tcp.c does for a relay: the
 * service's "in" is what its clients sent and its "out" what they were
 * sent (HAProxy's frontend bin/bout); a server's "in" is what it was sent
 * and its "out" what it answered.  Into this worker's counter slot
 * (model/ctr.h): no lock needed. */
static void hs_account(struct hstream *s, int fd, int rx, ssize_t n)
{
	struct ctr *c;

	if (n <= 0)
		return;
	if (fd == s->cfd)
		c = &s->pvs->vsl->ctr;
	else if (s->live)
		c = &s->live->ctr;
	else
		return;
	if (rx == (fd == s->cfd))
		ctr_in(c, 1, (uint64_t)n);
	else
		ctr_out(c, 1, (uint64_t)n);
}

/* One read (rx) or write of b on fd.  A stream's sockets and buffers are
 * its worker's alone (a connection lives on one worker; the main thread
 * touches it only with the worker parked, which cannot happen inside a
 * callback): the syscall runs without the engine lock, as tcp.c's relay
 * does, so the workers' syscalls run in parallel.  No-ops without workers.
 * A TLS client's bytes go through its session (http_tls.c). */
static ssize_t hs_io(struct hstream *s, int fd, struct hbuf *b, int rx)
{
	ssize_t n;

	hs_own(s);
	if (fd == s->cfd && s->tls && s->tls->ssl) /* the session is the stream's too */
		n = rx ? hs_tls_recv(s, s->tls, b) : hs_tls_send(s->tls, b);
	else if (fd == s->sfd && s->stls)
		n = rx ? hs_tls_recv(s, s->stls, b) : hs_tls_send(s->stls, b);
	else
		n = rx ? hbuf_recv(s->pvs->px, fd, b) : hbuf_send(fd, b);
	hs_shared(s);
	hs_account(s, fd, rx, n);
	return n;
}

ssize_t hs_send_early(struct hstream *s, int fd)
{
	ssize_t n = hbuf_send(fd, &s->sout);

	hs_account(s, fd, 0, n);
	return n;
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

void hs_srv_inactive(struct hstream *s)
{
	if (s->srv_active && s->live) {
		s->srv_active = 0;
		hq_release(s); /* to a request waiting for it */
	}
	s->srv_active = 0;
}

static void stream_free(void *arg)
{
	free(arg);
}

/* A transaction from the worker's pool of idle ones, else a new one: a
 * malloc and a free of 15 KiB per keep-alive request were about 7 % of the
 * engine's own instructions per request (glibc's bins, not its tcache). */
static struct hs_txn *txn_alloc(struct proxy *px)
{
	if (px->ntxns)
		return px->txns[--px->ntxns];
	return malloc(sizeof(struct hs_txn));
}

static void txn_release(struct proxy *px, struct hs_txn *x)
{
	if (px->ntxns < PROXY_TXN_POOL)
		px->txns[px->ntxns++] = x;
	else
		free(x);
}

void http_txn_pool_free(struct proxy *px)
{
	while (px->ntxns)
		free(px->txns[--px->ntxns]);
}

int hs_txn_get(struct hstream *s)
{
	if (s->x)
		return 0;
	s->x = txn_alloc(s->pvs->px);
	if (!s->x)
		return -1;
	s->x->reqhead = NULL;
	s->x->txn.caps = NULL;
	memset(&s->x->w, 0, sizeof(s->x->w));
	s->x->tried = NULL;
	s->x->ntried = 0;
	s->x->st_store = NULL;
	s->x->st_nstore = 0;
	s->x->st_match = NULL;
	s->x->st_nmatch = 0;
	s->x->ck_cand = NULL;
	s->x->ck_ncand = 0;
	memset(&s->x->req_body, 0, sizeof(s->x->req_body));
	memset(&s->x->resp_body, 0, sizeof(s->x->resp_body));
	htxn_reset(s);
	return 0;
}

/* s->x and what it owns, given back (none: nothing).  Under the engine
 * lock while servers are tried (their references; none are once a
 * transaction ended: htxn_reset). */
static void hs_txn_put(struct hstream *s)
{
	if (!s->x)
		return;
	hst_clear(s);
	htxn_forget_tried(s);
	free(s->x->tried);
	free(s->x->ck_cand);
	free(s->x->reqhead);
	capture_free(&s->x->txn);
	txn_release(s->pvs->px, s->x);
	s->x = NULL;
}

/* Give back what an idle stream does not need: the empty buffers, and the
 * transaction once the connection waits for a head of which nothing came
 * (sin stays while the response head parsed out of it is in use). */
static void hs_give_idle(struct hstream *s)
{
	struct proxy *px = s->pvs->px;

	hbuf_give(px, &s->cin);
	hbuf_give(px, &s->cout);
	hbuf_give(px, &s->sout);
	if (!s->resp_parsed || s->state != HS_TXN)
		hbuf_give(px, &s->sin);
	if (s->state == HS_HEAD && !s->cin.p)
		hs_txn_put(s);
}

/* Everything s holds but the struct itself (hstream_close). */
static void hs_give_all(struct hstream *s)
{
	struct proxy *px = s->pvs->px;

	proxy_buf_put(px, &s->cin.p);
	proxy_buf_put(px, &s->cout.p);
	proxy_buf_put(px, &s->sin.p);
	proxy_buf_put(px, &s->sout.p);
	hs_txn_put(s);
}

/* The frontend's streams on every worker: with worker threads a service is
 * one pvs per worker, chained from vs->engine_priv (doc/internals/threads.md). */
static size_t fe_streams(const struct pvs *p)
{
	const struct pvs *q = p->vs ? p->vs->engine_priv : NULL;
	size_t n = 0;

	if (!q)
		return p->nhstreams;
	for (; q; q = q->sib)
		n += q->nhstreams;
	return n;
}

int http_at_maxconn(struct pvs *p)
{
	unsigned max = p->vs && p->vs->http ? p->vs->http->maxconn : 0;

	if (!max || fe_streams(p) < max)
		return 0;
	/* not watched until a stream closes (a level-triggered listener
	 * would wake us for every round otherwise) */
	if (p->io_on)
		loop_io_mod(p->px->loop, &p->io, 0);
	p->maxconn_paused = 1;
	return 1;
}

/* A stream of p ended: a listener that waited for room accepts again --
 * every worker's (under the engine lock, which guards their listeners'
 * ev_io; epoll_ctl on another worker's loop is safe). */
static void maxconn_resume(struct pvs *p)
{
	struct pvs *q = p->vs && p->vs->engine_priv ? p->vs->engine_priv : p;

	for (; q; q = p->vs ? q->sib : NULL) {
		if (!q->maxconn_paused)
			continue;
		q->maxconn_paused = 0;
		if (q->fd >= 0 && q->io_on && !q->accept_paused)
			loop_io_mod(q->px->loop, &q->io, EPOLLIN);
	}
}

void hstream_close(struct hstream *s, int rst)
{
	struct pvs *p = s->pvs;
	struct loop *l = hs_loop(s);

	loop_timer_stop(l, &s->timer);
	htrace_close(s, rst);
	if (s->req_parsed)
		htxn_cut(s, "--"); /* a transaction under way: its line (the cause set) */
	hsrv_close(s, rst);
	if (s->cfd >= 0) {
		proxy_unlock(p->px);
		loop_io_del(l, &s->cio);
		hs_tls_free(s->tls, !rst); /* close_notify first, unless reset */
		s->tls = NULL;
		if (rst)
			sock_set_rst(s->cfd);
		close(s->cfd);
		proxy_relock(p->px);
		s->cfd = -1;
	}
	hq_leave(s);
	hs_tls_free(s->tls, 0);
	s->tls = NULL;
	hs_srv_inactive(s);
	happ_free(s);
	rs_live_unref(s->live);
	rs_live_unref(s->ck_live);
	hbe_put(p->px, s->hbe);
	hs_give_all(s); /* the transaction's tried servers and store keys too */
	unlink_stream(s);
	maxconn_resume(p);
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
		/* the old model goes: its backend must not be followed again;
		 * a transaction under way goes on with the new configuration's
		 * backend of that name, else ends with its connection */
		s->fe = to->vs->http;
		if (s->be) {
			const struct http_proxy *be = http_backend_named(s->fe, s->be->name);

			s->be = be && be->pool ? be : NULL;
			if (!s->be)
				s->close_client = 1;
			hbe_adopt(s); /* the backend's new table */
		}
		if (s->app)
			happ_adopt(s);
		if (s->x) {
			s->x->txn.be = s->be;
			s->x->txn.fe = s->fe;
		}
	}
}

void hstream_soft_stop(struct hstream *s)
{
	if (s->state == HS_HEAD && s->ntxn && !hbuf_data(&s->cin)) {
		if (!hbuf_data(&s->cout)) {
			hstream_close(s, 0);
			return;
		}
		/* the last answer is still on its way: close behind it */
		s->state = HS_CLOSE;
	}
	s->close_client = 1;
}

/* ---- timeouts ---- */

/* Arm the timer for the state's timeout (0: none). */
void hs_arm(struct hstream *s, unsigned ms)
{
	struct loop *l = hs_loop(s);

	if (!ms) {
		loop_timer_stop(l, &s->timer);
		return;
	}
	loop_timer_start(l, &s->timer, ms);
}

/* The timeout that applies now, restarted on activity. */
unsigned hs_timeout(const struct hstream *s)
{
	const struct http_proxy *fe = s->fe, *be = s->be ? s->be : s->fe;

	if (s->state == HS_TUNNEL && s->cin_eof && fe->t_client_fin)
		return fe->t_client_fin; /* half-closed by the client */
	if (s->state == HS_TUNNEL && s->sin_eof && be->t_server_fin)
		return be->t_server_fin;
	if (s->state == HS_TUNNEL)
		return t_or(be->t_tunnel, t_or(be->t_server, fe->t_client));
	if (s->state == HS_APPLET)
		return happ_timeout(s);
	if (hq_waits(s))
		return hq_next_ms(s); /* waiting for a server slot */
	if (s->body_wait)
		return t_or(fe->t_http_request, fe->t_client);
	if (s->srv_state == HSS_CONNECTING)
		return t_or(be->t_connect, 5000);
	if (s->srv_state == HSS_TURN) {
		uint64_t now = loop_now(hs_loop(s));

		return s->x->turn_end_ms > now ? (unsigned)(s->x->turn_end_ms - now) : 1;
	}
	if (s->state == HS_CLOSE)
		return t_or(fe->t_client, 5000);
	return t_or(be->t_server, fe->t_client);
}

/* ---- moving forward ---- */

/* A request head from cin: 1 handled (started or answered), 0 not all in
 * yet, -1 s was closed (no memory for its transaction). */
static int head_step(struct hstream *s)
{
	int r;

	if (!hbuf_data(&s->cin))
		return 0;
	if (!s->head_seen)
		s->head_first_ms = loop_now(hs_loop(s)); /* its first bytes are in */
	hs_own(s); /* the parse and the head's decisions: the stream's own */
	if (hs_txn_get(s) < 0) {
		hs_shared(s);
		hstream_close(s, 1);
		return -1;
	}
	hbuf_compact(&s->cin);
	r = h1_parse_req(&s->x->req, s->cin.p, s->cin.len, HTTP_BUF_SIZE);
	if (r > 0) {
		htxn_start(s, r); /* takes the lock back */
		return 1;
	}
	hs_shared(s);
	if (r == 0) {
		if (!s->head_seen) {
			/* the first bytes of a head: http-request from now */
			s->head_seen = 1;
			hs_arm(s, t_or(s->fe->t_http_request, s->fe->t_client));
		}
		return 0;
	}
	if (r == H1_ERR_TE_CODING) {
		/* "gzip, chunked": HAProxy's mux answers this one itself */
		s->close_client = 1;
		htxn_term(s, "PR");
		htxn_answer(s, te_coding_msg, sizeof(te_coding_msg) - 1, 422);
		return 1;
	}
	htxn_fail(s, 400, "PR");
	return 1;
}

/* One pass over the transaction's four buffers: 1 if anything moved. */
static int txn_step(struct hstream *s)
{
	int moved = 0, r;
	ssize_t n;

	if (!s->x->req_body.done) {
		hs_own(s);
		n = hfwd_move(s->pvs->px, &s->x->req_body, &s->cin, &s->sout, s->cin_eof);
		hs_shared(s);
		if (n < 0) {
			htxn_fail(s, 400, "PR");
			return 1;
		}
		moved |= n > 0;
	}
	if (s->body_wait) {
		/* the whole body, or as much as the buffer holds, or all the
		 * client will send: then a server (HAProxy's wait for the body) */
		if (!s->x->req_body.done && !s->cin_eof && hbuf_data(&s->sout) < HTTP_BUF_SIZE)
			return moved;
		htxn_to_server(s);
		return 1;
	}
	if (s->srv_state == HSS_READY && hbuf_data(&s->sout)) {
		n = hs_io(s, s->sfd, &s->sout, 0);
		if (n < 0) {
			if (s->srv_reused && !s->srv_sent) {
				htxn_srv_failed(s, "SC");
				return 1;
			}
			htxn_error(s, 502);
			return 1;
		}
		if (n > 0) {
			s->srv_sent = 1;
			moved = 1;
		}
	}
	if (!s->resp_parsed && hbuf_data(&s->sin)) {
		hs_own(s);
		hbuf_compact(&s->sin);
		r = h1_parse_resp(&s->x->resp, s->sin.p, s->sin.len, HTTP_BUF_SIZE, s->x->req.meth);
		if (r > 0) {
			if (htxn_resp(s, r) < 0) /* takes the lock back */
				return 1;
			moved = 1;
		} else {
			hs_shared(s);
		}
		if (r < 0) {
			htxn_fail(s, 502, "PH");
			return 1;
		}
	}
	if (s->resp_parsed && !s->x->resp_body.done && s->state == HS_TXN) {
		uint64_t data = s->x->resp_body.ck.data;

		hs_own(s);
		n = hfwd_move(s->pvs->px, &s->x->resp_body, &s->sin, s->skip_body ? NULL : &s->cout,
			      s->sin_eof);
		hs_shared(s);
		if (n > 0 && !s->skip_body)
			s->x->txn.bytes_out += hfwd_counted(&s->x->resp_body, (uint64_t)n, data);
		if (n < 0) {
			/* the response already started: all we can do is stop */
			s->close_client = 1;
			s->state = HS_CLOSE;
			htxn_cut(s, "PD");
			return 1;
		}
		moved |= n > 0;
	}
	if (s->resp_parsed && s->x->resp_body.done && s->state == HS_TXN &&
	    (s->x->req_body.done || s->close_server || s->close_client)) {
		htxn_end(s);
		moved = 1;
	}
	return moved;
}

/* Upgrade / CONNECT: bytes both ways as they come. */
static int tunnel_step(struct hstream *s)
{
	struct proxy *px = s->pvs->px;
	ssize_t a, b, n;

	hs_own(s);
	a = hfwd_move(px, &s->x->req_body, &s->cin, &s->sout, s->cin_eof);
	b = hfwd_move(px, &s->x->resp_body, &s->sin, &s->cout, s->sin_eof);
	hs_shared(s);
	n = s->sfd >= 0 ? hs_io(s, s->sfd, &s->sout, 0) : 0;

	if (n < 0)
		return -1;
	return a > 0 || b > 0 || n > 0;
}

/* Whether the client is read now: room in cin, and a state that wants
 * it.  The client is read during a whole transaction, not only while its
 * body comes: a pipelined head waits in cin (bounded by the buffer), and
 * the interest stays the same from request to request (no epoll_ctl per
 * request). */
static int cli_reads(const struct hstream *s)
{
	int cin_room = s->cin.len < HTTP_BUF_SIZE || s->cin.off;

	return !s->cin_eof && cin_room &&
	       (s->state == HS_HEAD || s->state == HS_TUNNEL || s->lingering || s->state == HS_TXN ||
		(s->state == HS_APPLET && happ_reads(s) && !s->x->req_body.done));
}

/* Whether the server is read now (room in sin). */
static int srv_reads(const struct hstream *s)
{
	return s->sfd >= 0 && s->srv_state == HSS_READY && !s->sin_eof &&
	       (s->sin.len < HTTP_BUF_SIZE || s->sin.off);
}

static void update_interest(struct hstream *s)
{
	struct loop *l = hs_loop(s);
	uint32_t ce = 0, se = 0;

	if (cli_reads(s))
		ce |= EPOLLIN;
	if (hbuf_data(&s->cout))
		ce |= EPOLLOUT;
	loop_io_mod(l, &s->cio, hs_tls_events(s->tls, ce));
	if (s->sfd < 0)
		return;
	if (s->srv_state == HSS_CONNECTING) {
		/* the connect, then the TLS handshake's own wants */
		se = s->stls && s->stls->hs_want ? s->stls->hs_want : EPOLLOUT;
	} else {
		/* an idle kept-alive connection is read too: its close is seen */
		if (srv_reads(s))
			se |= EPOLLIN;
		if (hbuf_data(&s->sout))
			se |= EPOLLOUT;
		se = hs_tls_events(s->stls, se);
	}
	loop_io_mod(l, &s->sio, se);
}

/* EOFs, once the buffers said all they could. 1 = s was closed. */
static int eofs(struct hstream *s)
{
	if (s->state == HS_TUNNEL) {
		/* a side's FIN goes on to the other once its bytes did; the
		 * tunnel ends when both sides are done */
		if (s->cin_eof && !hbuf_data(&s->cin) && !hbuf_data(&s->sout) && !s->srv_shut) {
			s->srv_shut = 1;
			hs_tls_shut(s->stls); /* close_notify before the FIN */
			if (s->sfd >= 0)
				(void)shutdown(s->sfd, SHUT_WR);
			hs_arm(s, hs_timeout(s));
		}
		if (s->sin_eof && !hbuf_data(&s->sin) && !hbuf_data(&s->cout) && !s->cli_shut) {
			s->cli_shut = 1;
			hs_tls_shut(s->tls);
			(void)shutdown(s->cfd, SHUT_WR);
			hs_arm(s, hs_timeout(s));
		}
		if (s->srv_shut && s->cli_shut) {
			hstream_close(s, 0);
			return 1;
		}
		return 0;
	}
	if (s->sin_eof && s->state == HS_TXN && !hbuf_data(&s->sin)) {
		if (!s->resp_parsed) {
			if (s->srv_reused && s->x->req_body.kind == H1_BODY_NONE)
				htxn_retry_fresh(s);
			else
				htxn_fail(s, 502, "SH");
			return 0;
		}
		if (!s->x->resp_body.done) {
			/* truncated: the client must see it was (HAProxy closes) */
			s->close_client = 1;
			s->state = HS_CLOSE;
			htxn_cut(s, "SD");
			hsrv_close(s, 0);
		}
	}
	if ((s->sin_eof || hbuf_data(&s->sin)) && s->state != HS_TXN && s->state != HS_TUNNEL) {
		/* the kept-alive server connection went away between requests,
		 * or said something nobody asked for: not reused */
		hsrv_close(s, 0);
	}
	if (s->cin_eof && s->state == HS_HEAD &&
	    ((s->head_seen && hbuf_data(&s->cin)) ||
	     (!s->ntxn && !hbuf_data(&s->cin) && !(s->fe->options & HP_OPT_HTTP_IGNPROBES)))) {
		/* the client closed within a head (head_seen: the last parse
		 * wanted more) or before its first: HAProxy answers 400 and
		 * logs "CR" (the answer may find the client gone: no harm) */
		htxn_fail(s, 400, "CR");
		return 0;
	}
	if (s->cin_eof && !hbuf_data(&s->cin)) {
		if (s->state == HS_HEAD) {
			htxn_cut(s, "CR");
			hstream_close(s, 0);
			return 1;
		}
		if ((s->state == HS_TXN || (s->state == HS_APPLET && happ_reads(s))) &&
		    !s->x->req_body.done) {
			htxn_term(s, "CD");
			hstream_close(s, 1);
			return 1;
		}
		if (s->state == HS_TXN && htxn_client_gone(s))
			return 1;
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
		hs_tls_shut(s->tls); /* close_notify before the FIN */
		if (shutdown(s->cfd, SHUT_WR) < 0) {
			hstream_close(s, 0);
			return 1;
		}
		s->lingering = 1;
		hs_arm(s, HS_LINGER_MS);
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
		/* bytes the TLS session holds: no socket event will bring them */
		if (hs_tls_pending(s) && cli_reads(s)) {
			if (side_read(s, 1))
				return;
			moved = 1;
		}
		if (hs_stls_pending(s) && srv_reads(s)) {
			if (side_read(s, 0))
				return;
			moved = 1;
		}
		if (s->state == HS_HEAD) {
			int r = head_step(s);

			if (r < 0)
				return; /* closed */
			moved |= r;
		}
		if (s->state == HS_TXN)
			moved |= txn_step(s);
		if (s->state == HS_APPLET)
			moved |= happ_step(s);
		if (s->state == HS_TUNNEL) {
			int r = tunnel_step(s);

			if (r < 0) {
				hstream_close(s, 1);
				return;
			}
			moved |= r;
		}
		if (hbuf_data(&s->cout)) {
			n = hs_io(s, s->cfd, &s->cout, 0);
			if (n < 0) {
				htxn_term(s, "CD");
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
	hs_give_idle(s);
	update_interest(s);
}

/* ---- events ---- */

/* Read a side into its buffer: 1 if s was closed. */
static int side_read(struct hstream *s, int client)
{
	struct hbuf *b = client ? &s->cin : &s->sin;
	uint8_t *eof = client ? &s->cin_eof : &s->sin_eof;
	ssize_t n = hs_io(s, client ? s->cfd : s->sfd, b, 1);

	if (n == -2 && (client || s->state == HS_TUNNEL)) {
		/* reset: nobody to deliver to (and a hung-up socket would
		 * wake us at every round while we waited for the other) */
		if (client && s->state == HS_HEAD)
			htxn_cut(s, "CR");
		htxn_term(s, client ? "CD" : "SD");
		hstream_close(s, 1);
		return 1;
	}
	if (n == 0 || n == -2)
		*eof = 1;
	/* bytes of a message in flight restart its timeout (a pipelined
	 * head read during a transaction does not) */
	if (n > 0 && s->state != HS_HEAD && (!client || s->state != HS_TXN || !s->x->req_body.done))
		hs_arm(s, hs_timeout(s));
	return 0;
}

void hstream_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct hstream *s = io->data;
	int client = io == &s->cio;

	if (!client && s->srv_state == HSS_CONNECTING) {
		/* never frees s: a failure retries or answers */
		htxn_connected(s, events);
		hs_run(s);
		return;
	}
	if (client && s->tls && s->tls->hs_want && hs_tls_handshake(s) <= 0)
		return; /* waiting, closed, or handed to the HTTP/2 gateway */
	events = hs_tls_wake(client ? s->tls : s->stls, events);
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && side_read(s, client))
		return;
	if (!client && s->state == HS_CLOSE && s->sfd >= 0 && s->sin_eof)
		hsrv_close(s, 0);
	hs_run(s);
}

static void hs_timer(struct loop *l, struct ev_timer *t)
{
	struct hstream *s = t->data;

	if (s->tls && s->tls->hs_want) {
		/* a handshake that did not end in time: no HTTP to answer in */
		hstream_close(s, 0);
		return;
	}
	switch (s->state) {
	case HS_HEAD:
		/* an idle kept-alive client goes quietly, and so does one that
		 * sent nothing with option http-ignore-probes (a browser's
		 * preconnect); a slow head gets 408 */
		if (!hbuf_data(&s->cin) && !s->head_seen &&
		    (s->ntxn || (s->fe->options & HP_OPT_HTTP_IGNPROBES))) {
			hstream_close(s, 0);
			return;
		}
		htxn_fail(s, 408, "cR");
		break;
	case HS_TXN:
		if (hq_waits(s)) {
			hq_timer(s);
			break;
		}
		if (s->srv_state == HSS_TURN) {
			htxn_connect(s);
			break;
		}
		if (s->srv_state == HSS_CONNECTING) {
			htxn_srv_failed(s, "sC");
			break;
		}
		if (!s->resp_parsed && !hbuf_data(&s->cout)) {
			htxn_fail(s, s->x->req_body.done ? 504 : 408, s->x->req_body.done ? "sH" : "cD");
			break;
		}
		/* during the response: whose side stalled */
		htxn_term(s, hbuf_data(&s->cout) ? "cD" : "sD");
		hstream_close(s, 1);
		return;
	case HS_TARPIT:
		htxn_tarpit_end(s);
		break;
	case HS_TUNNEL:
	case HS_CLOSE:
		hstream_close(s, s->state == HS_TUNNEL);
		return;
	case HS_APPLET:
		if (happ_timer(s))
			return;
		break;
	}
	hs_run(s);
}

void hs_queue_wake(struct hstream *s)
{
	hq_timer(s);
	hs_run(s);
}

struct hstream *hstream_new(struct pvs *p, int cfd, const struct fc_addr *client)
{
	struct hstream *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1;

	if (!s) {
		sock_set_rst(cfd);
		close(cfd);
		return NULL;
	}
	s->cfd = cfd;
	s->sfd = -1;
	s->client = *client;
	s->fe = p->vs->http;
	/* the address the client reached: the listener's, unless it listens
	 * on a wildcard (one getsockname per connection then) */
	s->dst = p->addr;
	if (addr_is_wildcard(&p->addr) &&
	    (getsockname(cfd, (struct sockaddr *)&ss, &sl) < 0 ||
	     addr_from_sockaddr(&s->dst, (struct sockaddr *)&ss) < 0))
		s->dst = p->addr;
	(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	loop_timer_init(&s->timer, hs_timer, s);
	link_stream(p, s);
	ctr_conn(&p->vsl->ctr);
	htrace_accept(s);
	s->head_start_ms = s->head_first_ms = loop_now(p->px->loop);
	s->head_wall_ms = http_wall_ms();
	s->state = HS_HEAD;
	if (loop_io_add(p->px->loop, &s->cio, cfd, EPOLLIN, hstream_on_io, s) < 0) {
		hstream_close(s, 1);
		return NULL;
	}
	hs_arm(s, t_or(s->fe->t_http_request, s->fe->t_client));
	return s;
}
