/* The HTTP engine: haproxy.cfg's `mode http` on the userspace proxy
 * (types and ownership in http-t.h).  tcp.c hands it the clients of a
 * service whose frontend is in mode http; everything else about them is
 * here. */
#ifndef FC_PROXY_HTTP_H
#define FC_PROXY_HTTP_H

#include <stdint.h>
#include <sys/types.h>

#include "core/loop.h"
#include "model/model-t.h"
#include "proxy/http-t.h"
#include "proxy/proxy-t.h"

/* ---- http_stream.c: a client connection and its transactions ---- */

/* 1 if p's clients are HTTP transactions (the service's frontend is in
 * `mode http`). */
int pvs_is_http(const struct pvs *p);
/* 1 if p's frontend has its maxconn clients (p stops watching its
 * listener until one leaves: the others wait in the kernel's backlog). */
int http_at_maxconn(struct pvs *p);
/* A client accepted on p: served from now on (cfd is taken in every case);
 * the stream, or NULL when it was closed at once. */
struct hstream *hstream_new(struct pvs *p, int cfd, const struct fc_addr *client);
/* Close both sockets at once (rst: with RST) and free through the loop. */
void hstream_close(struct hstream *s, int rst);
/* http_trace.c: the traffic in the detailed log (-D), one line per event;
 * nothing without it. */
void htrace_accept(const struct hstream *s);
void htrace_request(const struct hstream *s);
void htrace_answer(const struct hstream *s, unsigned status, size_t len);
void htrace_close(const struct hstream *s, int rst);
/* The soft stop reached s (stop.c, workers parked): closed now if idle
 * between two requests, else after its transaction. */
void hstream_soft_stop(struct hstream *s);
/* The loop callback of both sockets of a stream. */
void hstream_on_io(struct loop *l, struct ev_io *io, uint32_t events);
/* Send s->sout on fd, a plain server socket whose connect() just returned
 * (hsrv_connect, without the engine lock): on loopback and on a LAN the
 * handshake is often over by then, and the request leaves without waiting
 * for an epoll round to say writable, nor changing the socket's interest
 * afterwards.  hbuf_send's result: > 0 sent (so connected), 0 not yet (the
 * connect goes on), -1 failed (the connect's error, which epoll reports as
 * a hang-up: the connect failed). */
ssize_t hs_send_early(struct hstream *s, int fd);
/* Reload: the streams of `from` now belong to `to` and its frontend. */
void http_adopt(struct pvs *to, struct pvs *from);

/* Within the engine: the loop; a timeout, unless 0, else the fallback;
 * the timer armed for ms from now (0: stopped); the timeout of the
 * stream's current state; the server no longer counted as busy with it. */
static inline struct loop *hs_loop(const struct hstream *s)
{
	return s->pvs->px->loop;
}
static inline unsigned t_or(unsigned a, unsigned b)
{
	return a ? a : b;
}
/* The stream's own work runs without the engine lock: its sockets'
 * syscalls, and what reads or edits only its buffers and transaction and
 * reads the configuration (the parse, the rules, the bodies' moves), since
 * a stream is its worker's alone and the configuration changes only while
 * the workers are parked.  hs_own gives the lock up for such work, hs_shared
 * takes it back before anything shared (counters, the scheduler, the
 * persistence tables, references, the log; doc/internals/threads.md).
 * No-ops without workers. */
static inline void hs_own(struct hstream *s)
{
	loop_lock_release(hs_loop(s));
}
static inline void hs_shared(struct hstream *s)
{
	loop_lock_acquire(hs_loop(s));
}
/* s->x, taken and cleared for a new transaction unless s has one: 0, or
 * -1 out of memory. */
int hs_txn_get(struct hstream *s);
/* Free the worker's idle transactions (its engine's shutdown). */
void http_txn_pool_free(struct proxy *px);
void hs_arm(struct hstream *s, unsigned ms);
unsigned hs_timeout(const struct hstream *s);
void hs_srv_inactive(struct hstream *s);

/* ---- http_tls.c: a client's TLS ---- */

/* A client accepted on p's TLS listener (p->vs->tls): its handshake first.
 * The stream, or NULL when it was closed at once. */
struct hstream *hs_tls_accept(struct pvs *p, int fd, const struct fc_addr *client);
/* The session on s's client socket (0, or -1 out of memory); the facts of
 * from (an HTTP/2 connection's session) on a stream of it (0, or -1). */
int hs_tls_start(struct hstream *s, struct tls_srv *srv);
int hs_tls_copy(struct hstream *s, const struct hs_tls *from);
/* Drive s's handshake: 1 done (s reads and writes through it), 0 waiting
 * (the socket's interest set), -1 s was closed or handed to the HTTP/2
 * gateway (ALPN h2). */
int hs_tls_handshake(struct hstream *s);
/* recv/send of a buffer through session t (s's client's or server's), with hbuf_recv/hbuf_send's
 * results; hs_tls_io on bytes: n > 0, 0 the end (reading), -1 not now
 * (t->rd_want/wr_want say if it needs the other direction), -2 failed. */
ssize_t hs_tls_recv(struct hstream *s, struct hs_tls *t, struct hbuf *b);
ssize_t hs_tls_send(struct hs_tls *t, struct hbuf *b);
ssize_t hs_tls_io(struct hs_tls *t, void *buf, size_t len, int out);
/* The events a socket with session t (NULL: plain) waits for, from ev,
 * those it would wait for in plain: a write wanting read waits for EPOLLIN
 * instead of EPOLLOUT, a read wanting write for EPOLLOUT too. */
uint32_t hs_tls_events(const struct hs_tls *t, uint32_t ev);
/* The events that came, as the stream acts on them: EPOLLOUT also means
 * EPOLLIN to a read that waited for writable. */
uint32_t hs_tls_wake(const struct hs_tls *t, uint32_t events);
/* 1 if the session holds decrypted bytes not yet read (no socket event
 * will say so). */
int hs_tls_pending(const struct hstream *s);
/* close_notify now (the write side is being shut); free the session, with
 * close_notify first if notify. */
void hs_tls_shut(struct hs_tls *t);
void hs_tls_free(struct hs_tls *t, int notify);

/* ---- http_srv_tls.c: TLS toward the server ---- */

/* The session on s's new server socket when its server has `ssl`
 * (s->stls, its handshake waiting for the connect): 0 (or nothing to
 * do), -1 out of memory. */
int hs_stls_start(struct hstream *s);
/* 1 if s's server has `ssl` (hs_stls_start will make a session). */
int hs_stls_wanted(const struct hstream *s);
/* Drive the server handshake: 1 done, 0 waiting (s->stls->hs_want), -1
 * failed (logged; a failed connect to the caller). */
int hs_stls_handshake(struct hstream *s);
/* 1 if the server session holds decrypted bytes not yet read. */
int hs_stls_pending(const struct hstream *s);
/* 1 if the kept-alive server connection may carry this transaction: plain,
 * or made with the SNI this request's sni expression gives (a session
 * verified for one name must not serve another). */
int hs_stls_reusable(struct hstream *s);

/* ---- http_txn.c: a transaction's decisions ---- */

/* The wall clock in milliseconds (the log's dates). */
uint64_t http_wall_ms(void);

/* Clear the transaction s->x (a new one starts on the stream), if any. */
void htxn_reset(struct hstream *s);
/* Drop the servers this transaction tried (references released). */
void htxn_forget_tried(struct hstream *s);
/* The request head (hlen bytes at cin's start) is in: answer it, or send
 * it on toward a server.  Called without the engine lock (hs_own): the
 * head's own decisions, the persistence and the server's pick are made
 * so; the lock is taken back for an answer of ours, or once the server is
 * chosen (before its connect). */
void htxn_start(struct hstream *s, int hlen);
/* The request goes to a server of s->be: pick one and connect (at the end
 * of htxn_start, or once the body is in with option http-buffer-request:
 * s->body_wait).  With the engine lock or without; returns with it. */
void htxn_to_server(struct hstream *s);
/* A response head (hlen bytes at sin's start): 0 relayed, -1 answered or
 * closed instead.  Called without the engine lock, as htxn_start; returns
 * with it. */
int htxn_resp(struct hstream *s, int hlen);
/* Both messages are done: log, then the next request or close. */
void htxn_end(struct hstream *s);
/* Answer the client ourselves (msg: a whole raw response), ending the
 * transaction; htxn_error with the proxy's message for status. */
void htxn_answer(struct hstream *s, const char *msg, size_t len, unsigned status);
void htxn_error(struct hstream *s, unsigned status);
/* HAProxy's termination state (%ts, configuration.txt 8.5), its two first
 * characters: where the transaction ended and why ("sH": the server's
 * timeout while waiting for its head...).  The first cause set wins: the
 * answer that follows a failure does not hide it. */
void htxn_term(struct hstream *s, const char *ts);
/* htxn_error for a failure the log names (ts, as htxn_term). */
void htxn_fail(struct hstream *s, unsigned status, const char *ts);
/* The transaction is cut without an answer (a side closed or timed out,
 * ts as htxn_term): its log line now, unless it had one or the
 * connection was only waiting for a next request. */
void htxn_cut(struct hstream *s, const char *ts);
/* http_count.c: the counters of the frontend (the service that accepted
 * the client) and of the transaction's server (NULL until the request or a
 * response went between them: s->live may be the last transaction's); the
 * counts of a transaction's end, once (its log point). */
struct ctr *htxn_fe_ctr(struct hstream *s);
struct ctr *htxn_srv_ctr(struct hstream *s);
void htxn_count(struct hstream *s);
/* No server for the transaction (503): the backend's econ, as HAProxy's
 * failed_conns of a backend counts it (http_count.c). */
void htxn_count_nosrv(struct hstream *s);
/* An answer of ours sent piece by piece (http_applet.c): its log line
 * (status, len bytes) now, then, once the last byte is in cout,
 * htxn_answered: the next request, or close. */
void htxn_log_answer(struct hstream *s, unsigned status, size_t len);
void htxn_answered(struct hstream *s);
/* The client closed (FIN) after its whole request: with option
 * abortonclose, a request still waiting for a server slot or for the
 * connect is dropped before it reaches the server ("CQ" / "CC" in the log,
 * no status) and s closed: 1; else 0, the request goes on. */
int htxn_client_gone(struct hstream *s);
/* The server socket's connect() completed (or failed: retried); events:
 * epoll's for it. */
void htxn_connected(struct hstream *s, uint32_t events);
/* The tarpit's hold is over: its answer goes (HS_TARPIT's timer). */
void htxn_tarpit_end(struct hstream *s);
/* The server failed before taking any of the request: retry or 503, ts
 * in the log ("SC" refused, "sC" connect timeout: htxn_term). */
void htxn_srv_failed(struct hstream *s, const char *ts);
/* A kept connection closed unanswered: the request again, on a new one. */
void htxn_retry_fresh(struct hstream *s);
/* http_req_head.c: forwardfor/originalto, Connection and TE toward the
 * server; -1 when the head has no room. */
int hreq_fix_head(struct hstream *s);

/* ---- http_srv.c: backends and servers ---- */

/* The state of the backend whose pool is `pool` (made or rebuilt as the
 * pool stands now), one reference for the caller; NULL out of memory or
 * when no table can be built.  No engine lock needed (the list has its
 * own mutex), nor is one for a drop (hbe_put, atomic). */
struct hbe *hbe_get(struct proxy *px, const struct pool *pool);
void hbe_put(struct proxy *px, struct hbe *b);
/* A reload moved s to the new model (http_adopt, the workers parked): its
 * table becomes its backend's new one, so that a waiting request picks
 * among the servers the backend has now, within their maxconn (the old
 * generation's servers are no longer its backend's, their limits unknown). */
void hbe_adopt(struct hstream *s);
/* b, a reference held, rebuilt if `pool` changed since (the next request
 * of a stream that keeps its backend); takes b's mutex only then. */
void hbe_fresh(struct hbe *b, const struct pool *pool);
/* Free the backends nobody holds (all of them at shutdown). */
void hbe_reap(struct proxy *px, int all);
/* What hsrv_pick found. */
enum hpick {
	HPICK_OK = 0,	  /* s->srv_addr and s->live set */
	HPICK_NONE = -1,  /* no server can take it */
	HPICK_WAIT = -2,  /* the servers that could are full: wait (hq_enter) */
	HPICK_QFULL = -3, /* the server its persistence or its hash names is
			   * full, and so is that server's queue (maxqueue):
			   * 503 "SQ" */
};
/* Choose the server of s's transaction in s->hbe (s->tried looking
 * quiescent): an enum hpick; HPICK_OK with the server's slot reserved
 * (s->srv_active).  A balance that does not hash skips full servers; a
 * hash keeps its server, full or not, and the request waits for it
 * (HAProxy 2.6's assign_server_and_queue): HPICK_WAIT, s in that queue.
 * Needs no engine lock: takes the backend's mutex (hq_lock); the _locked
 * form is for its holder and does not queue. */
int hsrv_pick(struct hstream *s);
int hsrv_pick_locked(struct hstream *s);
/* After a failed connection with retries left: 1 if the next attempt goes
 * to another server (option redispatch, as HAProxy 2.6 decides it), 0 if
 * it is the same server again. */
int hsrv_redispatch_now(const struct hstream *s);
/* 1 if the balance hashes the request (source, uri, url_param, hdr,
 * rdp-cookie): a key stays on its server while that server is up. */
int hsrv_hashes(const struct hstream *s);
/* 1 if l is in s's backend's table with a weight (up, serving). */
int hsrv_usable(const struct hstream *s, const struct rs_live *l);
/* Open the server socket toward s->srv_addr, unless the one s holds is
 * connected to it already.  0 (connecting or connected), -1 failed now.
 * A plain connection whose handshake was over when connect() returned
 * (loopback, a LAN) is HSS_READY at once, the request already sent
 * (hs_send_early). */
int hsrv_connect(struct hstream *s);
/* Close the server socket (rst: with RST). */
void hsrv_close(struct hstream *s, int rst);

/* ---- http_queue.c: server maxconn queues (under the backend's mutex) ---- */

/* A backend's mutex: its table's picks and rebuild, its queue and its
 * servers' queues and slot hand-overs.  Taken after the engine lock, if
 * that is held; the engine lock is never taken while holding it.  The
 * functions below marked "held" expect it; the others take it. */
void hq_lock(const struct hbe *b);
void hq_unlock(const struct hbe *b);
/* Held: a slot of s->live for s, unless it is at its maxconn (a
 * compare-and-swap: no count ever passes it): 1 reserved (s->srv_active,
 * the service's count too), or 0. */
int hq_reserve(struct hstream *s);
/* The slot s holds on s->live goes back (s->srv_active), to the oldest
 * request waiting for it. */
void hq_release(struct hstream *s);
/* Held: the servers of s's backend at their `maxconn`, added to s->tried's
 * (*skip, *n; *skip is s->tried or an array the caller frees when it
 * differs): how many were full. */
unsigned hq_full(struct hstream *s, struct rs_live ***skip, size_t *n);
/* Held: s's persistence or its hash sends it to s->live: HPICK_OK, HPICK_WAIT
 * (full, or others wait for it: s is to wait in that server's queue) or
 * HPICK_QFULL (its maxqueue reached). */
int hq_direct(struct hstream *s);
/* Held: 1 if others wait in s's backend's queue ahead of s (s queues behind). */
int hq_backend_waits(const struct hstream *s);
/* Held: wait for a slot: in the queue of the server s->live if hq_direct said
 * so (its persistence or its hash chose it), else in its backend's; until
 * `timeout queue` (else `timeout connect`), then 503 sQ. */
void hq_enter(struct hstream *s);
/* Out of any queue, giving back a slot handed to s (the stream ends, or
 * is answered otherwise); no-op when s does not wait. */
void hq_leave(struct hstream *s);
/* 1 while s waits for a slot, or holds one handed to it not yet taken;
 * hq_waits_for_srv: 1 while it waits in its server's queue (its
 * persistence or its hash chose the server). */
int hq_waits(const struct hstream *s);
/* 1 if l is a server of s's backend (its pool as configured now). */
int hq_in_backend(const struct hstream *s, const struct rs_live *l);
int hq_waits_for_srv(const struct hstream *s);
/* A waiting stream's timer: its deadline, or its next look (ms). */
unsigned hq_next_ms(const struct hstream *s);
/* A waiting stream's timer (or wake-up): a slot handed over (connect),
 * room at the head of its queue, the deadline (503 sQ), or wait on. */
void hq_timer(struct hstream *s);
/* The worker's eventfd (thread.c): its streams that were handed a slot
 * by another worker go on. */
void hq_run_woken(struct proxy *px);
/* http_stream.c: hq_timer, then the stream moves on (hq_run_woken). */
void hs_queue_wake(struct hstream *s);
/* http_txn.c: the server is chosen (s->live): connect, or reuse. */
void htxn_connect(struct hstream *s);

/* ---- http_applet.c: answers of the engine itself ---- */

enum happ_kind { HAPP_NONE, HAPP_STATS, HAPP_METRICS };

/* What px serves itself for s's request head: its stats page (the URI
 * begins with `stats uri`), its metrics_uri, or HAPP_NONE. */
enum happ_kind happ_wants(const struct hstream *s, const struct http_proxy *px);
/* The transaction is the applet's from now on (state HS_APPLET). */
void happ_start(struct hstream *s, const struct http_proxy *px, enum happ_kind kind);
/* HS_APPLET: one pass (read the POST body, move the answer to cout); 1 if
 * anything moved. */
int happ_step(struct hstream *s);
/* The stream's timer in HS_APPLET: 1 if s was closed. */
int happ_timer(struct hstream *s);
/* 1 while the applet reads the request's body. */
int happ_reads(const struct hstream *s);
/* The timeout of HS_APPLET's phase. */
unsigned happ_timeout(const struct hstream *s);
/* The stream is done with the applet (answered otherwise, or closed). */
void happ_free(struct hstream *s);
/* Reload: the applet's proxy is the new frontend. */
void happ_adopt(struct hstream *s);
/* The main engine's queue of admin actions, at shutdown. */
void happ_shutdown(struct proxy *px);

/* ---- http_cookie.c: cookie persistence (`cookie NAME ...`) ---- */

/* The backend is chosen: read (and edit) the request's cookies, noting
 * the servers they name (s->ck_cand).  Without the engine lock: the head
 * and the configuration only.  0, or -1 out of memory (500). */
int hck_request(struct hstream *s);
/* 1 if a cookie hck_request read names one of the backend's servers (the
 * request may go there, whatever hck_resolve finds of its state). */
int hck_may_direct(const struct hstream *s);
/* After hck_request, without the engine lock (the servers' states are
 * atomics): the first named server that may take the request is s->ck_live
 * (s->ck_direct), as the log's cookie character says. */
void hck_resolve(struct hstream *s);
/* 1 with s->live and s->srv_addr set to the server the cookie sends the
 * request to, or 0: the scheduler chooses (no cookie, or after a failure). */
int hck_pick(struct hstream *s);
/* The response head from the server: its Set-Cookie edited, ours added.
 * 0, or -1 if an edit did not fit (502). */
int hck_response(struct hstream *s);

/* ---- http_stick.c: stick tables (`stick on|match|store-*`) ---- */

/* After hck_request, without the engine lock: the backend's stick rules on
 * the request, their match lookups made (or kept for hst_resolve) and
 * store keys kept.  0, or -1 out of memory (500). */
int hst_request(struct hstream *s);
/* After hck_resolve, without the engine lock: unless the cookie chose, the
 * first match whose server may take the request sets s->ck_live as a
 * cookie does. */
void hst_resolve(struct hstream *s);
/* The stick tables of the backends frontend fe may send to, found in the
 * registry now (the engine's commit of a model, the workers parked), so
 * that no request takes the registry's mutex. */
void hst_bind_tables(const struct http_proxy *fe);
/* The response head from s->live: store-response keys, then every kept
 * key stored with that server. */
void hst_response(struct hstream *s);
/* Forget the kept keys (the transaction ends unanswered by a server). */
void hst_clear(struct hstream *s);

/* ---- http_log.c ---- */

/* The transaction's line to the frontend's log targets (if it logs). */
void http_log_txn(struct hstream *s);
/* t's line in the format `text` (NULL: none) to fe's targets, the format
 * compiled once per engine px (a worker's own: no lock); mode tcp's lines
 * too (tcp_log.c: t has no request). */
void http_log_send(struct proxy *px, const struct http_proxy *fe, const char *text, const struct http_txn *t);
/* line[0..n) to each of fe's targets (line[n] is written over and put
 * back for the newline of stdout/stderr: line has room for one more). */
void http_log_line(const struct http_proxy *fe, char *line, size_t n);
/* haproxy's "Connect from A:P to B:Q (fe/HTTP)" ("/TCP" in mode tcp) to
 * fe's targets: its line when fe logs without a format. */
void http_log_connect(const struct http_proxy *fe, const struct fc_addr *from, const struct fc_addr *to);
/* The compiled formats (at shutdown). */
void http_log_free(struct proxy *px);

/* ---- http_fwd.c: buffers and bodies ---- */

/* b's buffer from px's pool unless it has one: 0, or -1 out of memory. */
int hbuf_take(struct proxy *px, struct hbuf *b);
/* b's buffer back to px's pool if it holds no bytes. */
void hbuf_give(struct proxy *px, struct hbuf *b);
/* Room at b's end for a read: its buffer taken from px's pool first and
 * compacted when its end is reached: the free bytes (> 0), -1 full, -2
 * out of memory.  hbuf_recv's and the TLS read's first step. */
ssize_t hbuf_room(struct proxy *px, struct hbuf *b);
/* recv into the free end of b (its buffer taken first, given back if
 * nothing came): > 0 bytes, 0 EOF, -1 nothing now, -2 error or out of
 * memory. */
ssize_t hbuf_recv(struct proxy *px, int fd, struct hbuf *b);
/* send what b holds: bytes sent (>= 0), or -1 on an error. */
ssize_t hbuf_send(int fd, struct hbuf *b);
/* Move the held bytes to the start of the buffer. */
void hbuf_compact(struct hbuf *b);
static inline uint32_t hbuf_data(const struct hbuf *b)
{
	return b->len - b->off;
}
/* Append n bytes (b's buffer taken first); 0, or -1 if they do not fit or
 * out of memory (nothing appended). */
int hbuf_put(struct proxy *px, struct hbuf *b, const char *p, size_t n);

/* The framing of the body that follows the head m. */
void hfwd_init(struct hfwd *f, const struct h1_msg *m);
/* Move the body's bytes from in to out as far as both allow (in_eof: the
 * source closed, which ends an H1_BODY_EOF body); out NULL: drop them;
 * out's buffer is taken from px's pool when bytes are to move.  Bytes
 * moved (>= 0), or -1 on a chunked syntax error (or out of memory). */
ssize_t hfwd_move(struct proxy *px, struct hfwd *f, struct hbuf *in, struct hbuf *out,
		  int in_eof);
/* What the log's %B counts of n body bytes hfwd_move just moved (data:
 * f->ck.data before the move): HAProxy counts a chunked body's data, not
 * its framing, and 1 for its end. */
uint64_t hfwd_counted(const struct hfwd *f, uint64_t n, uint64_t data);

#endif
