/* Types of the HTTP engine: haproxy.cfg's `mode http` served on the
 * userspace proxy (http_stream.c: a client connection and its
 * transactions; http_srv.c: backends, servers, connects; http_fwd.c:
 * bodies).
 *
 * Ownership in one picture:
 *
 *   struct proxy (main's)   -- px->http_bes: one struct hbe per backend in use,
 *                              shared by the workers (under the engine lock)
 *     struct hbe            -- a backend's server table and scheduler (a
 *                              ppool of its own), refcounted by streams
 *   struct pvs (mode http)  -- p->hstreams: the client connections it accepted
 *     struct hstream        -- client socket, the server socket it holds,
 *                              four buffers
 *       struct hs_txn       -- the transaction (the request head copied, two
 *                              parsed heads, the rules' view), only while one
 *                              is under way
 *
 * Memory follows the traffic, as HAProxy's does: a buffer (HTTP_BUF_SIZE,
 * from the worker's pool, proxy_buf_get) is held only while it holds bytes
 * (sin: also while the response head parsed out of it is in use), and the
 * hs_txn only from a head's first byte to the end of its transaction.  So
 * an idle keep-alive client, with the server connection kept for it, costs
 * the hstream alone (400 bytes, pinned by test_http_engine's
 * test_idle_stream_stays_small; doc/internals/http.md): what only a
 * transaction uses lives in the hs_txn.
 *
 * Everything per connection lives in the hstream; everything per backend
 * is the engine's as a whole (the main thread's struct proxy), so that a
 * backend balances over every worker's requests at once (issue 11).  Nothing keeps a pointer into
 * the model across a reload except the frontend, which tcp's adoption
 * refreshes (http_adopt), and the backend, which a stream drops at the end
 * of its transaction. */
#ifndef FC_PROXY_HTTP_T_H
#define FC_PROXY_HTTP_T_H

#include <stdint.h>

#include "core/addr.h"
#include "core/loop-t.h"
#include "http/h1-t.h"
#include "http/txn-t.h"
#include "model/model-t.h"

struct pvs;
struct ppool;
struct rs_live;
struct happ; /* http_applet.c: a transaction the engine answers itself */
struct hst_store;

struct ssl_st;	   /* OpenSSL's SSL */
struct tls_srv;	   /* core/tls_srv.h */
struct tls_cli;	   /* core/tls_cli.h */

#define HTTP_BUF_SIZE 16384 /* HAProxy's tune.bufsize: the largest head */
#define HTTP_TURN_MS 1000   /* HAProxy's wait before a failed server is tried again */

/* Bytes waiting: p[off..len); p NULL while none are (hbuf_take). */
struct hbuf {
	char *p;
	uint32_t off, len;
};

/* A transaction waiting for a server slot (http_queue.c).  Under the
 * engine lock: the worker that frees a slot hands it over, whichever
 * worker owns the stream. */
struct hs_wait {
	struct srv_queue *q;	  /* the queue the stream is in, or NULL */
	struct hstream *prev, *next;
	struct hstream *wake;	  /* px->hq_woken: granted, its worker not told yet */
	struct rs_live *grant;	  /* a slot of this server is the stream's (one
				   * reference, counted in its activeconns), or NULL */
	struct fc_addr addr;	  /* that server's address */
	uint64_t seq;		  /* arrival order across the queues */
	uint32_t idx0;		  /* its queue's idx at the arrival */
	uint64_t start_ms, until_ms;
	uint8_t woken;		  /* on px->hq_woken */
	uint8_t to_srv;		  /* waits for its server (s->live) only: its
				   * persistence or its hash chose it */
};

/* How one body is being forwarded (request or response). */
struct hfwd {
	enum h1_body kind;
	uint64_t left;	    /* H1_BODY_CL: bytes still to come */
	struct h1_chunk ck; /* H1_BODY_CHUNKED */
	int done;
};

/* What a transaction needs only while it runs: taken when a head's first
 * bytes come (hs_txn_get), given back when the connection is idle again
 * (about 15 KiB: 134 header slots and 2 KiB of edits per head, the set-var
 * variables). */
struct hs_txn {
	char *reqhead; /* the request head, copied out of cin (req.buf): its
			* size, from htxn_start to the transaction's end */
	uint64_t txn_start_ms; /* the head was in */
	uint64_t conn_start_ms, conn_done_ms;
	uint64_t turn_end_ms; /* HSS_TURN: when the same server is tried again */
	struct h1_msg req, resp;
	struct http_txn txn;
	struct hs_wait w;

	/* the stream's, for this transaction only (out of struct hstream, so
	 * that an idle connection does not carry them: the tried array, the
	 * store keys and the bodies' framing, the server being connected to) */
	struct fc_addr srv_addr; /* the transaction's server */
	enum h1_meth client_meth; /* as received (a rule may rewrite req.meth) */
	struct rs_live **tried;  /* the servers that failed (references) */
	unsigned ntried, nconnects;
	struct hst_store **st_store; /* keys to store with the server that answers */
	unsigned st_nstore;
	struct hst_store **st_match; /* match rules' finds, for hst_resolve */
	unsigned st_nmatch;
	/* the request's cookie pairs named NAME, in order: the first server
	 * with the pair's VALUE, or NULL (decoded without the engine lock,
	 * chosen under it: http_cookie.c) */
	const struct real_server **ck_cand;
	unsigned ck_ncand;
	struct hfwd req_body, resp_body;
};

/* A backend in use: its table and scheduler, kept while a stream holds it
 * or until it is idle for HBE_IDLE_MS.  `sig` tells when the model's pool
 * changed (servers, health, weights) and the table must be rebuilt. */
struct hbe {
	const void *key;  /* the model's struct pool (compared, never followed) */
	struct ppool *pp; /* one reference */
	_Atomic uint64_t sig; /* written under hq_lock, read by hbe_fresh with none */
	_Atomic unsigned refs; /* taken under the list's mutex (bes_lock, http_srv.c),
				* dropped with none */
	_Atomic uint64_t last_ms; /* when a reference was last taken or dropped */
	struct srv_queue *q; /* requests waiting for a slot on any of its servers
			      * (http_queue.c): the pool's, one reference */
	struct hbe *next; /* the main engine's px->http_bes */
};

/* A client connection's TLS (http_tls.c): owned by its hstream, or by the
 * HTTP/2 connection it was handed to after ALPN chose h2.  A stream of an
 * HTTP/2 connection gets a copy with ssl NULL: its facts only.  A server
 * connection's TLS is one too (http_srv_tls.c: cli set, srv unused,
 * facts.sni the name sent). */
struct hs_tls {
	struct ssl_st *ssl;   /* the session (owned), or NULL */
	struct tls_srv *srv;  /* one reference while the handshake runs, else NULL */
	struct tls_cli *cli;  /* toward a server: one reference while ssl lives */
	uint32_t hs_want;     /* handshake under way: the event it waits for (EPOLLIN/OUT) */
	uint32_t hs_ms;       /* the accept to the handshake's end: %Th of the first request */
	uint32_t rd_want;     /* the last read must write first: EPOLLOUT, or 0 */
	uint32_t wr_want;     /* the last write must read first: EPOLLIN, or 0 */
	struct htxn_tls facts;
};

enum hs_state {
	HS_HEAD,   /* reading a request head (the first, or the next: keep-alive) */
	HS_TXN,	   /* a transaction: request to the server, response back */
	HS_TUNNEL, /* 101 / CONNECT: bytes both ways until both ends close */
	HS_CLOSE,  /* flushing the last bytes to the client, then close */
	HS_TARPIT, /* `tarpit`: the answer waits in sin for timeout tarpit */
	HS_APPLET, /* answered by the engine itself (stats page, metrics): app */
};

enum hs_srv {
	HSS_NONE,	/* no server socket */
	HSS_CONNECTING, /* connect() in flight */
	HSS_READY,	/* connected */
	HSS_TURN,	/* no socket: the turn-around before the same server is
			 * tried again (HTTP_TURN_MS, HAProxy's) */
};

struct hstream {
	struct pvs *pvs;
	struct hstream *prev, *next; /* pvs->hstreams */
	const struct http_proxy *fe; /* refreshed on reload (http_adopt) */
	const struct http_proxy *be; /* during a transaction, else NULL */
	enum hs_state state;
	enum hs_srv srv_state;
	int cfd, sfd;
	struct ev_io cio, sio;
	struct ev_timer timer;
	struct fc_addr client, dst;

	/* the server of the transaction (or the one kept alive from the last) */
	struct hbe *hbe;      /* one reference, or NULL */
	struct fc_addr srv_held; /* the one sfd is connected to */
	struct fc_addr ck_addr;  /* ck_live's address */
	unsigned ntxn;

	/* flags (0 or 1: bytes, to keep an idle stream small) */
	uint8_t srv_active;  /* counted in live->activeconns */
	uint8_t srv_sent;    /* bytes reached the server this transaction */
	uint8_t srv_reused;  /* the socket served an earlier transaction */
	uint8_t cin_eof, sin_eof;
	uint8_t lingering;   /* HS_CLOSE: answer sent, write side shut, draining */
	uint8_t cli_shut, srv_shut; /* HS_TUNNEL: our FIN sent to that side */
	uint8_t req_parsed, resp_parsed;
	uint8_t skip_body;   /* the client asked HEAD: the body is read, not sent */
	uint8_t close_client, close_server; /* after this transaction */
	uint8_t head_seen;   /* bytes of the next head came */
	uint8_t logged;      /* the transaction's log line is out (http_txn.c) */
	uint8_t body_wait;   /* option http-buffer-request: the request body is
			      * gathered in sout before a server is picked */
	uint8_t ck_direct;   /* the transaction goes to ck_live (a persistence
			      * cookie, or a stick table's entry: http_stick.c) */
	struct rs_live *live; /* one reference, or NULL */
	struct rs_live *ck_live; /* the server the persistence cookie names (one
				  * reference), or NULL (http_cookie.c) */

	struct hbuf cin, cout, sin, sout; /* client in/out, server in/out */
	struct hs_txn *x; /* NULL while idle (hs_txn_get) */
	uint64_t head_start_ms;	 /* accept, or the end of the last transaction */
	uint64_t head_wall_ms;	 /* the same on the wall clock (the log's date) */
	uint64_t head_first_ms;	 /* the head's first byte (head_start_ms before it):
				  * HAProxy's idle time %Ti ends there, %TR starts */
	struct happ *app;	 /* HS_APPLET: owned, else NULL */
	struct hs_tls *tls;	 /* the client's TLS (owned), or NULL: plain */
	struct hs_tls *stls;	 /* sfd's TLS (owned), or NULL: plain */
};

#endif
