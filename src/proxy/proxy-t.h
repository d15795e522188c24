/* Types of the userspace L4 proxy engine (lb_kind NAT and PROXY here).
 *
 * Ownership in one picture:
 *
 *   struct proxy (fc->proxy)  -- owns every struct pvs (list), the pipe pool
 *     struct pvs              -- one per served virtual service; vs->engine_priv
 *       listener / VS socket, persistence table,
 *       its TCP connections (list) and UDP sessions (list + hash)
 *       struct ppool          -- the pool's server table and scheduler, shared
 *                                (counted) by the services of one pool
 *
 * With worker threads (nbthread > 1, doc/internals/threads.md) fc->proxy is
 * the main thread's and serves nothing itself; each worker has its own
 * struct proxy (loop, pools, services): a service is one pvs per worker,
 * chained by ->sib from the head (vs->engine_priv, worker 0's), all with
 * the one ppool and the head's persistence table.
 *
 * A pvs outlives its virtual_server when the service is removed while
 * connections are open ("zombie": vs == NULL, no listener); it is freed
 * with its last connection.  On a reload the new pvs takes over the
 * listener, the templates and the connections of the old one.
 *
 * Nothing here keeps a `struct real_server *` across calls: the model frees
 * a deleted real server right after the engine's update.  What connections
 * and templates need is an address copy plus a reference on the rs_live. */
#ifndef FC_PROXY_PROXY_T_H
#define FC_PROXY_PROXY_T_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/loop-t.h"
#include "model/model-t.h"
#include "sched/sched-t.h"

/* ---- persistence (persist.h) ---- */

struct persist_tpl {
	struct fc_addr key;	  /* client address masked with the prefix, port 0 */
	struct fc_addr server;	  /* copy: the real server may leave the model */
	struct rs_live *live;	  /* one reference */
	/* one for the table while linked, one per connection or session it
	 * controls; the last persist_release or unlink frees it */
	_Atomic unsigned refs;
	int linked;		  /* in a table (its lock); 0 = dropped */
	uint64_t timeout_ms;	  /* the table's timeout when last set */
	_Atomic uint64_t expires_ms; /* meaningful while it controls nothing */
	struct persist_tpl *next; /* hash chain */
};

/* One per service (the head's pvs), used by every worker: its own mutex,
 * taken only around a table operation, never while another lock is
 * wanted (a leaf).  timeout_ms and prefix change only while the workers
 * are parked. */
struct persist_table {
	pthread_mutex_t lock;
	struct persist_tpl **buckets; /* NULL until the first add */
	size_t nbuckets;	      /* power of two */
	size_t count;
	size_t reap_pos;     /* bucket where the reaper resumes */
	uint64_t timeout_ms; /* 0 = persistence off */
	unsigned prefix;
};

/* ---- the data pump (relay.c) ---- */

/* One direction of a TCP connection: bytes read from `src` wait in a pipe
 * (zero-copy splice) or, when no pipe can be had, in a small buffer. Both
 * are taken only while bytes are in flight, so an idle connection holds
 * neither. */
struct relay_dir {
	int pipe[2];	       /* -1/-1 when none held */
	char *buf;	       /* fallback buffer, or NULL */
	uint32_t len;	       /* bytes held, not yet written */
	uint32_t off;	       /* buf only: first unwritten byte */
	unsigned eof : 1;      /* the source said EOF */
	unsigned shut : 1;     /* shutdown(SHUT_WR) done on the destination */
	unsigned nosplice : 1; /* splice refused these descriptors: buffer only */
	unsigned bulk : 1;     /* big transfer under way: splice, else copy */
	unsigned always : 1;   /* proxy_relay splice: never fall back to copy */
};

/* ---- the kernel fast path (sockmap.c) ---- */

/* One socket of a connection the kernel relays: its fsk_links key and
 * what userspace has taken from the program's counters so far. */
struct psk_side {
	uint64_t cookie;
	uint64_t bytes, segs; /* counted into the stats already */
	uint64_t sent0;	      /* bytes written to the socket before it entered */
};

/* ---- per virtual service (pvs.c) ---- */

struct pvs_server {
	struct fc_addr addr;  /* copy of the real server's address */
	struct rs_live *live; /* one reference */
	unsigned uthreshold, lthreshold;
	int overloaded; /* IPVS overload flag, with its hysteresis (atomic) */
};

struct pconn;
struct udp_sess;
struct proxy;
struct hstream;
struct hbe;
struct hlogfmt;
struct happ_main;
struct fulcrum;

/* A pool's server table and scheduler (doc/internals/model.md, "Services
 * and pools"): one per pool of the model in service, held by each pvs of a
 * service of that pool, so the services' clients are spread by one
 * scheduler (one rr position, one lblc table).  It never points into the
 * model: a pvs left behind by a reload (vs NULL) may hold it longer. */
struct ppool {
	unsigned refs;           /* the pvs that hold it (changed by apply only) */
	struct sched sched;      /* changed by a rebuild only, workers parked */
	int has_sched;
	pthread_mutex_t lock;    /* serialises picks of a scheduler not `shared`
				  * (sched-t.h); taken after the engine lock */
	struct pvs_server *srv;  /* the table, in config order */
	struct sched_server *ss; /* what the scheduler sees, same order */
	size_t n;
	/* the servers a persistence template may lead to (up, neither
	 * disabled nor held: persist_tpl_valid), as of the last rebuild */
	struct rs_live **lives;
	size_t nlives;
};

/* What a mode tcp service logs (tcp_log.c). */
enum pvs_log {
	PVS_LOG_NONE,	 /* no `log` target (keepalived, ldirectord: never) */
	PVS_LOG_CONNECT, /* targets but no format: "Connect from" at accept */
	PVS_LOG_LINE,	 /* tcplog or log-format: a line at the close */
};

#define PVS_MAGIC 0x70767331u /* "pvs1": engine_priv really is ours */

struct pvs {
	unsigned magic;
	struct proxy *px;
	struct virtual_server *vs; /* NULL once removed */
	int protocol;
	struct fc_addr addr;	    /* VIP:port (for messages, and the key) */
	struct vs_live *vsl;	    /* one reference */
	char name[ADDR_STRLEN + 8]; /* "TCP 127.0.0.1:80" for logs */

	/* copies of the service's settings, refreshed on update */
	unsigned connect_timeout_ms, idle_timeout_ms, udp_timeout_ms, connect_retries;
	/* haproxy.cfg's mode tcp with `log` targets (tcp_log.c): a line per
	 * connection at its close, or "Connect from" at its accept; the
	 * relay never looks at it otherwise */
	enum pvs_log log;
	/* haproxy.cfg's mode tcp retries as HAProxy 2.6's (tcp.c): the same
	 * server again (after a turn-around if it refused), another one when
	 * `option redispatch` says so (redispatch_due); connect_retries is
	 * the backend's `retries`.  on 0: keepalived's way, every retry on
	 * another server */
	struct pvs_hpretry {
		int on;
		int redispatch; /* option redispatch, and its interval */
		int after;
		int hashes;	/* the balance hashes: the client is tied */
	} hr;
	/* a relayed connection's idle timeouts, each side's (tcp_idle.c):
	 * the client's and the server's, and theirs once the other side's
	 * FIN reached them (client-fin, server-fin); 0 = none.  half:
	 * haproxy's, where the client's only half-closes */
	struct pvs_idle {
		unsigned c, s, cfin, sfin;
		int half;
	} idle;

	int fd; /* listener (TCP) or VS socket (UDP); -1 */
	struct ev_io io;
	int io_on;	      /* io registered with the loop */
	int nodelay;	      /* TCP_NODELAY is set on the listener: its clients
			       * inherit it (Linux), no setsockopt each */
	struct ev_timer tick; /* template reaper, accept pause */
	int accept_paused;
	int fds_short;		    /* a client found no descriptor ... */
	uint64_t fds_short_ms;	    /* ... since then, and none got both sockets */
	uint64_t fds_short_last_ms; /* the latest such failure */

	struct ppool *pp;	 /* the pool's table and scheduler (one reference) */
	struct pvs_server sorry; /* sorry.live NULL = none */

	struct persist_table persist;
	/* the table placement uses: &persist, or the head's for a sibling
	 * while the service is in the model (its own, empty, once removed) */
	struct persist_table *pt;
	struct pvs *sib; /* the same service on the next worker, or NULL */

	unsigned hold;	     /* > 0: pvs_maybe_free must not free (mid-iteration) */
	struct pconn *conns; /* TCP connections (list) */
	size_t nconns;
	struct hstream *hstreams;  /* mode http: client connections (http-t.h) */
	size_t nhstreams;
	struct h2gw_conn *h2conns; /* `bind ... proto h2`: HTTP/2 clients (h2_gw-t.h) */
	int maxconn_paused;	   /* mode http: at the frontend's maxconn */
	struct udp_sess *sessions; /* UDP sessions (list) */
	struct udp_sess **sess_hash;
	size_t sess_nbuckets, nsess;

	struct pvs *prev, *next; /* px->services */
};

/* Where a new client goes (pvs_place). */
struct pvs_target {
	struct fc_addr addr;
	struct rs_live *live;	 /* one reference, for the caller */
	struct persist_tpl *tpl; /* held for the caller, or NULL */
	int sorry;
};

/* ---- TCP connections (tcp.c) ---- */

enum pconn_state {
	PCONN_CONNECTING,
	PCONN_RELAY,
	PCONN_CLOSED,
};

/* Accounting class of a connection, as IPVS counts it. */
enum pconn_acct {
	PCONN_ACCT_NONE,
	PCONN_ACCT_INACTIVE, /* connecting, or half-closed */
	PCONN_ACCT_ACTIVE,   /* established both ways */
};

struct pconn {
	struct pvs *pvs;
	struct pconn *prev, *next; /* pvs->conns */
	int cfd, sfd;		   /* client, server; -1 when closed */
	struct ev_io cio, sio;
	struct ev_timer timer; /* connect timeout, then coarse idle check */
	struct fc_addr client, server;
	struct rs_live *live;	 /* the server's, one reference */
	struct vs_live *vsl;	 /* one reference */
	struct persist_tpl *tpl; /* held, or NULL */
	struct rs_live **tried;	 /* servers that failed to connect (refs), lazily */
	unsigned ntried;
	/* haproxy.cfg (pvs->hr.on): the retries made (%rc), one of them to
	 * another server ('+'), one connect timed out (sC, not SC); avoid:
	 * the next placement avoids the last server tried (HAProxy's
	 * srvtoavoid), unless it is the only one */
	unsigned retries;
	uint8_t redispatched, conn_to, avoid;
	uint64_t place_ms; /* the last placement (the log's Tw) */
	uint64_t last_ms;     /* last transfer (idle timeout) */
	uint64_t accepted_ms; /* how long it may wait for a descriptor */
	/* for the log (tcp_log.c), kept whether or not one is written: the
	 * last connect's start, its success (0: none), the bytes each way */
	uint64_t try_ms, est_ms;
	uint64_t bytes_in, bytes_out;
	char term[2]; /* haproxy's termination state, the first cause; 0: "--" */
	enum pconn_state state;
	enum pconn_acct acct;
	struct relay_dir c2s, s2c;
	/* edge-triggered readiness (relay.c): may be read / written without
	 * blocking, as far as epoll and the last I/O say */
	uint8_t crd, cwr, srd, swr;
	int sk; /* the kernel relays (sockmap): cside, sside are valid */
	struct psk_side cside, sside;
};

/* ---- UDP sessions (udp.c) ---- */

struct udp_sess {
	struct pvs *pvs;
	struct udp_sess *hnext;	      /* pvs->sess_hash chain */
	struct udp_sess *prev, *next; /* pvs->sessions */
	int fd;			      /* connected to the real server */
	struct ev_io io;
	struct ev_timer timer; /* coarse expiry check */
	struct fc_addr client, server;
	struct rs_live *live;	 /* one reference */
	struct vs_live *vsl;	 /* one reference */
	struct persist_tpl *tpl; /* held, or NULL */
	uint64_t last_ms;
};

/* ---- the engine's global state (fc->proxy) ---- */

#define PROXY_PIPE_POOL 64
#define PROXY_BUF_POOL  256 /* idle copy buffers kept for reuse */
#define PROXY_TXN_POOL  32  /* idle HTTP transactions kept for reuse (15 KiB each) */

struct hs_txn; /* http-t.h */

/* The worker threads (thread.c), kept by the main thread's struct proxy. */
struct proxy_threads {
	pthread_mutex_t lock;	/* the engine lock: shared state (model, live
				 * counters, ppool, persistence) */
	pthread_cond_t parked;	/* a worker parked */
	pthread_cond_t resume;	/* the pause is over */
	unsigned n;		/* workers */
	struct proxy **w;	/* their engines, n */
	pthread_t *tid;
	unsigned started;	/* threads running (0 until the first loop round) */
	unsigned nparked;
	int pause;		/* workers must park */
	int stop;		/* workers must leave their loops */
	unsigned depth;		/* nested proxy_pause */
	struct thr_start *start; /* the deferred start, until it ran (thread.c) */
};

struct proxy {
	struct loop *loop;
	struct proxy_threads *thr; /* main thread's, when workers run; else NULL */
	struct proxy *main;	   /* a worker's: the main thread's; else NULL */
	pthread_mutex_t *lock;	   /* a worker's: &main->thr->lock; else NULL */
	int kick;		   /* a worker's eventfd: pause or stop (thread.c) */
	struct ev_io kick_io;
	unsigned index;		   /* a worker's number, from 0 */
	unsigned nbthread;	   /* main: workers, decided when it was made (1 = none) */
	struct pvs *services;	       /* every pvs, zombies included */
	int pipes[PROXY_PIPE_POOL][2]; /* idle pipes ready for reuse */
	unsigned npipes;
	char *bufs[PROXY_BUF_POOL];    /* idle copy buffers ready for reuse */
	unsigned nbufs;
	struct hs_txn *txns[PROXY_TXN_POOL]; /* idle HTTP transactions ready for
					      * reuse (http_stream.c) */
	unsigned ntxns;
	char *udp_buf; /* one datagram, 64 KiB, lazily */
	/* a descriptor kept in reserve (/dev/null) so that, out of
	 * descriptors, queued clients can still be accepted and reset
	 * instead of waiting in the backlog for ever (shed.c) */
	int spare_fd;
	int spare_held; /* spare_fd is open (0 in a fresh struct) */
	/* a worker's: held around each call that makes a descriptor
	 * (accept4, socket, pipe2), and by a sibling giving its reserve up
	 * for a moment, which takes every worker's (shed.c) */
	pthread_mutex_t fd_gate;
	int listeners_short; /* some listener paused for lack of descriptors */
	int stopping;	     /* soft stop: no listener, connections end after
			      * their transaction (stop.c) */
	int relay;	     /* enum fc_proxy_relay in force */
	struct fulcrum_sockmap *sk_skel; /* loaded on first use, or NULL */
	int sk_failed;			 /* it would not load: never tried again */
	int sk_socks, sk_links;		 /* the maps' descriptors */
	struct hstream *hq_woken;	 /* mode http: this worker's streams handed
					  * a server slot by another (http_queue.c;
					  * under the engine lock) */
	struct hbe *http_bes;		 /* mode http: backends in use, the main
					  * engine's for every worker (http-t.h) */
	struct hlogfmt *http_logfmts;	 /* mode http: compiled log formats (http_log.c) */
	struct fulcrum *fc;		 /* main: the daemon (the stats page reads it) */
	struct happ_main *happ;		 /* main: the stats page's admin actions to run
					  * (http_applet.c), or NULL */
};

#endif
