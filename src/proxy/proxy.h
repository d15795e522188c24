/* The userspace L4 proxy engine: serves lb_kind NAT and PROXY virtual
 * services (TCP full proxy, UDP sessions) on the event loop.
 *
 * Only proxy_engine_ops is for the rest of the tree; the other functions are
 * shared between the files of src/proxy/. */
#ifndef FC_PROXY_PROXY_H
#define FC_PROXY_PROXY_H

#include <errno.h>
#include <stddef.h>

#include "core/loop.h"
#include "engine/engine-t.h"
#include "model/fulcrum-t.h"
#include "proxy/proxy-t.h"

extern const struct engine_ops proxy_engine_ops;

/* Tunables (documented in the brief of this engine, doc/internals later). */
#define PROXY_ACCEPT_BATCH    64    /* accepts per listener wakeup */
#define PROXY_PIPE_SIZE	      65536 /* F_SETPIPE_SZ of each pipe */
#define PROXY_BUF_SIZE	      16384 /* copy buffer (small transfers, or no pipe) */
#define PROXY_RELAY_BATCH     8	    /* transfers per direction per wakeup */
#define PROXY_UDP_MAX_SESS    65536 /* sessions per UDP service */
#define PROXY_UDP_BATCH	      64    /* datagrams per socket wakeup */
#define PROXY_UDP_DGRAM	      65536
#define PROXY_TICK_MS	      1000 /* template reaper period */
#define PROXY_REAP_VISIT      4096 /* templates looked at per tick */
#define PROXY_ACCEPT_PAUSE_MS 100  /* after EMFILE/ENFILE/ENOMEM */
#define PROXY_FD_WAIT_MS      500  /* a client waits this long for a descriptor, then is reset */
#define PROXY_FD_RETRY_MS     10   /* a client waiting for a server-side descriptor asks again */
#define PROXY_SHED_BATCH      1024 /* queued clients reset per wakeup, out of descriptors */
#define PROXY_SK_TICK_MS      1000 /* sockmap: counters and idleness read this often */
#define PROXY_SK_DRAIN_MS     1	   /* sockmap: a FIN waits for the kernel's bytes, asking this often */

/* nbthread 0 (not given) means this many workers; 0 here = the CPUs the
 * process may run on (sched_getaffinity, capped at FC_NBTHREAD_MAX), what
 * HAProxy does: an operator moving from it expects every core used.  A
 * build may say -DPROXY_NBTHREAD_DEFAULT=1 for one loop by default. */
#ifndef PROXY_NBTHREAD_DEFAULT
#define PROXY_NBTHREAD_DEFAULT 0
#endif

/* ---- thread.c: worker threads (doc/internals/threads.md) ---- */

/* How many workers nbthread asks for (0 = the default above); 1 = none:
 * the main loop serves, exactly as without threads. */
unsigned proxy_threads_want(unsigned nbthread);
/* Set up n workers (loops, eventfds) on the main proxy px; they start at
 * the main loop's next round.  The main loop holds the engine lock from now. */
int proxy_threads_init(struct proxy *px, unsigned n, char *err, size_t errlen);
/* Park every worker between two events / let them go (nests).  Main thread
 * only; no-op without workers. */
void proxy_pause(struct proxy *px);
void proxy_resume(struct proxy *px);
/* Wake worker w's loop from another thread (its eventfd): it parks if a
 * pause is asked, else runs what waits on its lists (hq_run_woken). */
void proxy_kick(struct proxy *w);
/* Stop and join the workers (their state stays for the caller to close). */
void proxy_threads_stop(struct proxy *px);
/* Stop, join and free the workers and their loops: their services closed first. */
void proxy_threads_free(struct proxy *px);
/* The engines that serve: the workers', or px itself without workers. */
static inline unsigned proxy_nserve(const struct proxy *px)
{
	return px->thr ? px->thr->n : 1;
}
static inline struct proxy *proxy_serve(struct proxy *px, unsigned k)
{
	return px->thr ? px->thr->w[k] : px;
}
/* A worker gives up the engine lock around work on its own connections
 * only (syscalls), and takes it back; no-ops without workers. */
static inline void proxy_unlock(struct proxy *px)
{
	loop_lock_release(px->loop);
}
static inline void proxy_relock(struct proxy *px)
{
	loop_lock_acquire(px->loop);
}
/* Around a syscall of a callback that may or may not hold the lock (an L4
 * connection placed without it, tcp.c): give it up, and take it back
 * only if it was held. */
static inline int proxy_unlock_saved(struct proxy *px)
{
	int held = loop_lock_held(px->loop);

	loop_lock_release(px->loop);
	return held;
}
static inline void proxy_relock_saved(struct proxy *px, int held)
{
	if (held)
		loop_lock_acquire(px->loop);
}

/* ---- shed.c: clients turned away for lack of resources ---- */

enum proxy_shed {
	PROXY_SHED_ACCEPT,	 /* accept() failed: the listener pauses */
	PROXY_SHED_QUEUED,	 /* out of descriptors too long: reset from the queue */
	PROXY_SHED_FDS,		 /* accepted, but no socket for the server side */
	PROXY_SHED_UDP_SESSIONS, /* no UDP session: at the limit, or no socket */
	PROXY_SHED_N
};
/* err is an errno value: one of the "out of descriptors or memory" kind. */
int proxy_out_of_fds(int err);
/* Log it, at most once a second per reason (with the count held back).
 * client may be NULL for PROXY_SHED_ACCEPT; err 0 for the session limit. */
void proxy_shed(struct pvs *p, enum proxy_shed why, const struct fc_addr *client, int err);

/* Out of descriptors, a client can neither be served nor refused: it waits
 * in the listen queue, and at a tight limit (no descriptor left at all)
 * nothing ever takes it out.  So the proxy keeps one descriptor in reserve
 * while it listens; proxy_shed_queued gives it up for a moment to accept
 * queued clients and reset them.  Hold opens it if not held (it may fail:
 * tried again at the next call); drop closes it.
 *
 * The descriptor table is the process's: the slot a worker's reserve frees
 * is the lowest free one, which any thread's next accept4 or socket takes
 * as readily as the worker's own accept4.  A sibling that took it for a
 * client it then served kept it, the reserve could not be opened again,
 * and that worker's queued clients waited for good (test_daemon's
 * out-of-descriptors test, 2 workers: one run in four once the L4 accept
 * ran without the engine lock; rarer, not impossible, under it).  So every
 * worker makes its descriptors inside its own gate (proxy_fd_enter/leave:
 * its own mutex, never contended but by a shed), and a shed, or a reserve
 * opened again, closes every worker's gate for its few syscalls.  The main
 * thread's descriptors (control connections, checks) do not wait: one of
 * them may take the slot for a moment, and a reserve found missing is
 * opened again at every shed, PROXY_ACCEPT_PAUSE_MS apart. */
void proxy_spare_hold(struct proxy *px);
void proxy_spare_drop(struct proxy *px);
/* Accept up to PROXY_SHED_BATCH clients queued on p's listener with the
 * spare descriptor, and reset each (logged).  How many were reset. */
unsigned proxy_shed_queued(struct pvs *p);
/* Around a worker's own accept4/socket/pipe2: no-ops without workers;
 * leave keeps errno (the call's). */
static inline void proxy_fd_enter(struct proxy *px)
{
	if (px->main)
		pthread_mutex_lock(&px->fd_gate);
}
static inline void proxy_fd_leave(struct proxy *px)
{
	int e = errno;

	if (px->main)
		pthread_mutex_unlock(&px->fd_gate);
	errno = e;
}
/* A connection or session gave its descriptors back: listeners paused for
 * lack of them accept again at once, not at the end of their pause. */
void proxy_fds_released(struct proxy *px);

/* ---- stop.c: the soft stop (engine op soft_stop) ---- */

size_t proxy_soft_stop(struct fulcrum *fc);

/* ---- pvs.c: per virtual service ---- */

/* Build the state for vs: server table, scheduler, persistence.  The
 * listener is opened separately (pvs_listen) or taken over at commit. */
struct pvs *pvs_new(struct proxy *px, struct virtual_server *vs, char *err, size_t errlen);
/* The same service on another worker: head's pool table and persistence,
 * its own listener, connections and copies of the settings. */
struct pvs *pvs_new_sibling(struct proxy *px, struct pvs *head, struct virtual_server *vs,
			    char *err, size_t errlen);
/* Rebuild the server table and scheduler from vs's pool (after an in-place
 * change or for a reload; every service of the pool sees the new table);
 * refreshes the copied settings of p and its siblings.  On failure nothing
 * changed. */
int pvs_rebuild(struct pvs *p, struct virtual_server *vs, char *err, size_t errlen);
/* haproxy.cfg `bind fd@N` (vs->bind_fd): the inherited socket's address
 * into *out (if not NULL); 0, or -1 with err if it is no TCP socket. */
int pvs_inherited_addr(const struct virtual_server *vs, struct fc_addr *out, char *err,
		       size_t errlen);
/* Bind the listener (TCP) or the VS socket (UDP), not yet watched. */
int pvs_listen(struct pvs *p, char *err, size_t errlen);
/* Watch the listener and start the tick timer. */
void pvs_start(struct pvs *p);
/* Stop and close the listener. */
void pvs_close_listener(struct pvs *p);
/* Free p if it serves nothing any more (no vs, no connections, no sessions). */
void pvs_maybe_free(struct pvs *p);
/* Free unconditionally (the caller closed its connections). */
void pvs_free(struct pvs *p);
/* Choose where client goes: a valid persistence template, else the
 * scheduler, else the sorry server.  Servers whose live object is in
 * tried[] are skipped.  0 and *out filled, or -1 if nobody can take it. */
int pvs_place(struct pvs *p, const struct fc_addr *client, struct rs_live *const *tried,
	      size_t ntried, struct pvs_target *out);
/* Release what pvs_place handed out. */
void pvs_target_release(struct pvs_target *t, uint64_t now_ms);
/* A pool's table and scheduler on their own (pvs_rebuild is this plus the
 * service's settings): the HTTP engine keeps one per backend, since a
 * request may go to a backend no service has as its pool.  ppool_rebuild
 * fills pp from pool (on failure pp is unchanged; called only while no
 * thread picks from pp); ppool_pick is the scheduler's choice, the servers
 * in tried[] looking quiescent: an index into pp->srv, or -1 -- with no
 * engine lock needed (the pool's own lock is taken for a scheduler that
 * is not `shared`); ppool_new makes an empty one, ppool_unref frees pp
 * with its last holder. */
struct ppool *ppool_new(void);
int ppool_rebuild(struct ppool *pp, const struct pool *pool, char *err, size_t errlen);
int ppool_pick(struct ppool *pp, const struct sched_input *in, struct rs_live *const *tried,
	       size_t ntried);
void ppool_unref(struct ppool *pp);
/* 1 if l is in pp's table with a weight (up, serving); pp may be NULL. */
int ppool_usable(const struct ppool *pp, const struct rs_live *l);
/* The servers of pp that take clients now (a weight above 0). */
unsigned ppool_serving(const struct ppool *pp);

/* HAProxy 2.6's choice after a failed connect with retries left, under
 * `option redispatch [after]` (the http_proxy's redispatch_after): 1 if
 * retry k (from 1) goes to another server, 0 if to the same one again.
 * Another one when the failed server is not usable; on the retries the
 * interval names (k a multiple of after, or with after < 0 of
 * retries + 1 + after -- the default -1 is the last retry); or at once when
 * nothing ties the client to that server (tied: persistence, a hashing
 * balance) and another one serves.  Both engines' (tcp.c, http_srv.c). */
static inline int redispatch_due(int after, unsigned retries, unsigned long k, int usable,
				 int tied, unsigned serving)
{
	long span = (long)retries + 1 + after;

	if (!usable)
		return 1;
	if ((after > 0 && k % (unsigned long)after == 0) ||
	    (after < 0 && span > 0 && k % (unsigned long)span == 0))
		return 1;
	return !tied && serving > 1;
}

/* ---- tcp.c ---- */

void tcp_on_accept(struct loop *l, struct ev_io *io, uint32_t events);
/* Watch a listener paused for lack of descriptors again (no-op if not). */
void tcp_accept_resume(struct pvs *p);
/* Close with RST (shutdown, removal) or gracefully; frees through the loop. */
void pconn_close(struct pconn *c, int rst);
/* Why c ends, in haproxy's two letters ("CD", "sC"...), for its log line:
 * the first cause given is kept. */
static inline void pconn_term(struct pconn *c, const char *ts)
{
	if (!c->term[0])
		c->term[0] = ts[0], c->term[1] = ts[1];
}

/* ---- tcp_idle.c: a relayed connection's idle timeouts ---- */

/* p->idle from its service: keepalived's one idle timeout for both sides,
 * or haproxy.cfg's client/server/tunnel/client-fin/server-fin. */
void tcp_idle_settings(struct pvs *p, const struct virtual_server *vs);
/* c's idle timeouts as of now: 1 if one closed c, else 0 and *left the
 * time until the next may expire (0: none runs). */
int tcp_idle_run(struct pconn *c, uint64_t *left);

/* ---- tcp_log.c: mode tcp's log lines ---- */

/* Whether and what p logs, from its service (pvs settings). */
enum pvs_log tcp_log_kind(const struct virtual_server *vs);
/* "Connect from CLIENT to LOCAL (fe/TCP)": haproxy's line without a format. */
void tcp_log_connect(struct pvs *p, int cfd, const struct fc_addr *client);
/* c's line at its close (sockets still open, bytes counted); takes the
 * engine lock. */
void tcp_log_close(struct pconn *c);
/* Reload: the connections of `from` now belong to `to`. */
void tcp_adopt(struct pvs *to, struct pvs *from);

/* ---- relay.c ---- */

#define RELAY_ERR (-1)
/* *rd bits: readable; a FIN was seen (EPOLLRDHUP), so a short read has
 * not emptied the socket: the EOF is still to be read, and no new edge
 * comes for it */
#define RELAY_RD  1
#define RELAY_FIN 2
/* Move bytes src -> dst: up to PROXY_RELAY_BATCH transfers, then shutdown
 * the destination's write side once the source said EOF and everything was
 * written -- unless last_half says the other direction is done too, so the
 * caller closes both sockets at once (the close sends the FIN).  *rd and
 * *wr say whether src may be read and dst written (edge-triggered
 * readiness, relay.c): only tried while set, cleared when the I/O says
 * otherwise.  Set *rd with nothing held and no EOF on return means the
 * batch ran out first: the caller must have src looked at again.  *bytes
 * and *xfers are increased by what was read.  Returns 0 or RELAY_ERR (the
 * connection must close with RST). */
int relay_pump(struct proxy *px, struct relay_dir *d, int src, int dst, int last_half,
	       uint8_t *rd, uint8_t *wr, uint64_t *bytes, uint64_t *xfers);
static inline int relay_done(const struct relay_dir *d)
{
	return d->shut;
}
/* The batch ran out with the source still ready (relay_pump). */
static inline int relay_more(const struct relay_dir *d, uint8_t rd)
{
	return rd && !d->eof && !d->len;
}
void relay_init(struct relay_dir *d);
/* Give back the pipe or buffer. */
void relay_release(struct proxy *px, struct relay_dir *d);
void relay_pool_free(struct proxy *px);
/* The engine's PROXY_BUF_SIZE buffers (the relay's and the HTTP engine's):
 * one from the engine's idle ones, or malloc'd (NULL out of memory); and
 * *buf back to them (freed beyond PROXY_BUF_POOL), *buf set to NULL.  An
 * idle connection holds none. */
char *proxy_buf_get(struct proxy *px);
void proxy_buf_put(struct proxy *px, char **buf);

/* ---- sockmap.c: the kernel fast path (proxy_relay sockmap) ---- */

/* Hand the established connection c to the kernel: 0 and c->sk set, or -1
 * (not asked for, the program would not load, or bytes are held in
 * userspace): c stays with relay.c. */
int psk_enter(struct pconn *c);
/* Growth of the counters of c's client (or server) socket since the last
 * call: bytes and chunks it received and the kernel redirected. */
int psk_collect(struct pconn *c, int client_side, uint64_t *bytes, uint64_t *segs);
/* 1 while bytes the client (server) socket received are still on their way
 * to the peer's send queue: a FIN read after them must wait. */
int psk_pending(struct pconn *c, int client_side);
/* c's sockets were closed: forget its links (the SOCKHASH forgot them). */
void psk_leave(struct pconn *c);
void psk_unload(struct proxy *px);

/* ---- udp.c ---- */

void udp_on_vs_socket(struct loop *l, struct ev_io *io, uint32_t events);
void udp_sess_close(struct udp_sess *s);
/* Reload: the sessions of `from` now belong to `to` (and use its socket). */
void udp_adopt(struct pvs *to, struct pvs *from);

/* ---- sockets (pvs.c) ---- */

/* Set SO_LINGER 0 so that close() sends RST. */
void sock_set_rst(int fd);
/* Set TCP_NODELAY: a proxy's small writes go out at once.  0 or -1. */
int sock_set_nodelay(int fd);

#endif
