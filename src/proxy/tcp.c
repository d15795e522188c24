/* TCP full proxy: accept, choose a real server, connect (with retries:
 * keepalived's on other servers, haproxy.cfg's as HAProxy's), relay both
 * ways with half-close, close.
 *
 * With workers, an L4 connection's whole life runs without the engine lock
 * (doc/internals/threads.md): the listener and both sockets are unlocked
 * watchers, placement reads the pool's table with the live counts as
 * atomics (ppool_pick), a persistence template is found, made and
 * released under its table's own lock and reference count (persist.h),
 * and the counts, references and counters a connection moves are atomics
 * too.  The lock is taken only where shared state that is not atomic is
 * touched: the sockmap's maps, a service that was removed (its free), and
 * everything run from a timer (the loop takes it for timers).  What a worker shares
 * without it is the process's descriptor table: the accept4 and the
 * socket of a connection are made inside the worker's descriptor gate, so
 * that a sibling out of descriptors can give its reserve up for a moment
 * and take it back (shed.c, proxy.h).
 *
 * A connection is two sockets, two relay directions and one timer.  The
 * timer is coarse: during connect it is the connect timeout; afterwards it
 * fires once per idle period and re-arms itself for the time left, so a
 * busy connection only updates a timestamp. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/h2_gw.h"
#include "proxy/http.h"
#include "proxy/persist.h"
#include "proxy/proxy.h"

static void pconn_on_io(struct loop *l, struct ev_io *io, uint32_t events);
static void pconn_on_timer(struct loop *l, struct ev_timer *t);
static void pconn_try(struct pconn *c);
static void sk_count(struct pconn *c);
static int idle_arm(struct pconn *c);

static struct loop *pconn_loop(const struct pconn *c)
{
	return c->pvs->px->loop;
}

/* Move the connection to another accounting class (IPVS active/inactive).
 * The counts are atomics (model-t.h): no lock. */
static void set_acct(struct pconn *c, enum pconn_acct a)
{
	if (c->acct == a)
		return;
	if (c->acct == PCONN_ACCT_ACTIVE) {
		c->live->activeconns--;
		c->vsl->activeconns--;
	} else if (c->acct == PCONN_ACCT_INACTIVE) {
		c->live->inactconns--;
		c->vsl->inactconns--;
	}
	if (a == PCONN_ACCT_ACTIVE) {
		ctr_cur_up(&c->live->activeconns, &c->live->smax);
		ctr_cur_up(&c->vsl->activeconns, &c->vsl->smax);
	} else if (a == PCONN_ACCT_INACTIVE) {
		c->live->inactconns++;
		c->vsl->inactconns++;
	}
	c->acct = a;
}

static void close_fd(struct pconn *c, struct ev_io *io, int *fd, int rst)
{
	struct proxy *px = c->pvs->px;

	int held;

	if (*fd < 0)
		return;
	/* the connection is this thread's: no lock for its syscalls */
	held = proxy_unlock_saved(px);
	if (rst)
		sock_set_rst(*fd);
	/* no EPOLL_CTL_DEL for the edge-triggered relay sockets: a
	 * registration that outlives the close (a child forked for a
	 * script still holds a copy of fd) reports a generation the loop
	 * no longer knows (loop_io_close) */
	if (io->registered && io->fd == *fd)
		loop_io_close(px->loop, io);
	else
		close(*fd);
	proxy_relock_saved(px, held);
	*fd = -1;
}

static void unlink_conn(struct pconn *c)
{
	struct pvs *p = c->pvs;

	if (c->prev)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	p->nconns--;
}

static void link_conn(struct pvs *p, struct pconn *c)
{
	c->pvs = p;
	c->prev = NULL;
	c->next = p->conns;
	if (p->conns)
		p->conns->prev = c;
	p->conns = c;
	p->nconns++;
}

/* haproxy.cfg's mode tcp, at c's close, as HAProxy's
 * stream_update_time_stats: a connection that reached its server adds
 * to the server's and the backend's qtime, ctime, rtime (0: in mode tcp
 * the data phase starts at the connect) and ttime.  Into this thread's
 * slots (model/ctr.h): no lock; the backend's figures are its pool's
 * be_live, read as the HTTP engine does. */
static void count_times(struct pconn *c, uint64_t now)
{
	const struct pvs *p = c->pvs;
	int64_t tm[CTR_NTM];

	if (!c->est_ms || !c->live)
		return;
	tm[CTR_TM_Q] = (int64_t)(c->place_ms - c->accepted_ms);
	tm[CTR_TM_C] = (int64_t)(c->est_ms - c->try_ms);
	tm[CTR_TM_D] = 0;
	tm[CTR_TM_T] = (int64_t)(now - c->accepted_ms);
	ctr_times(&c->live->ctr, tm);
	if (p->vs && p->vs->pool && p->vs->pool->live)
		ctr_times(&p->vs->pool->live->ctr, tm);
}

void pconn_close(struct pconn *c, int rst)
{
	struct pvs *p = c->pvs;
	struct loop *l = pconn_loop(c);
	uint64_t now = loop_now(l);
	unsigned i;

	if (c->state == PCONN_CLOSED)
		return;
	c->state = PCONN_CLOSED;
	loop_timer_stop(l, &c->timer);
	/* shared state that is not atomic: the sockmap's maps and a removed
	 * service's free (its pool table, the model's refs); the template
	 * is released with no lock (persist.h) */
	if (c->sk || !p->vs)
		proxy_relock(p->px);
	if (c->sk)
		sk_count(c);
	if (p->log == PVS_LOG_LINE)
		tcp_log_close(c);
	if (p->hr.on)
		count_times(c, now);
	close_fd(c, &c->cio, &c->cfd, rst);
	close_fd(c, &c->sio, &c->sfd, rst);
	psk_leave(c);
	relay_release(p->px, &c->c2s);
	relay_release(p->px, &c->s2c);
	if (c->live)
		set_acct(c, PCONN_ACCT_NONE);
	for (i = 0; i < c->ntried; i++)
		rs_live_unref(c->tried[i]);
	free(c->tried);
	if (c->tpl)
		persist_release(c->tpl, now);
	rs_live_unref(c->live);
	vs_live_unref(c->vsl);
	unlink_conn(c);
	/* the ev_io structs may still sit in this round's event list */
	if (loop_defer(l, free, c) < 0)
		log_err("proxy: out of memory, leaking a connection");
	proxy_fds_released(p->px);
	pvs_maybe_free(p);
}

/* ---- relaying ---- */

/* Both sockets are watched edge-triggered, for everything, from their
 * registration to their close: no epoll_ctl per change of interest (three
 * per connection level-triggered: the client's and the server's interest
 * at connect, the server's at its EOF).  An event only says what became
 * ready (c->crd...); the I/O says when it stops being so (relay.c). */
#define PCONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static void note_ready(struct pconn *c, int client_side, uint32_t events)
{
	uint8_t rd = (events & EPOLLIN ? RELAY_RD : 0) |
		     (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR) ? RELAY_RD | RELAY_FIN : 0);
	uint8_t wr = !!(events & (EPOLLOUT | EPOLLHUP | EPOLLERR));

	if (client_side) {
		c->crd |= rd;
		c->cwr |= wr;
	} else {
		c->srd |= rd;
		c->swr |= wr;
	}
}

/* Count bytes moved client -> server (in) or back, and note the activity.
 * Into this thread's counter slots (model/ctr.h): no lock. */
static void account(struct pconn *c, int in, uint64_t bytes, uint64_t xfers)
{
	if (!xfers)
		return;
	if (in) {
		ctr_in(&c->live->ctr, xfers, bytes);
		ctr_in(&c->vsl->ctr, xfers, bytes);
		c->bytes_in += bytes;
	} else {
		ctr_out(&c->live->ctr, xfers, bytes);
		ctr_out(&c->vsl->ctr, xfers, bytes);
		c->bytes_out += bytes;
	}
	c->last_ms = loop_now(pconn_loop(c));
}

/* Pump both directions as far as their sockets are ready; the bytes are
 * counted in b[] and x[] (client to server first).  The per-request path:
 * it runs without the engine lock, touching only the connection and the
 * thread's pools, and returns without it.  0, or on an error the side to
 * blame (the log's CD/SD): -1 the client, -2 the server -- the source of
 * the direction that failed, or its destination if a write found it gone
 * (EPIPE). */
static int pump(struct pconn *c, uint64_t b[2], uint64_t x[2])
{
	struct proxy *px = c->pvs->px;
	int r = 0, c2s = 1;

	proxy_unlock(px);
	if (!c->c2s.shut)
		r = relay_pump(px, &c->c2s, c->cfd, c->sfd, relay_done(&c->s2c), &c->crd, &c->swr,
			       &b[0], &x[0]);
	if (!r && !c->s2c.shut) {
		c2s = 0;
		r = relay_pump(px, &c->s2c, c->sfd, c->cfd, relay_done(&c->c2s), &c->srd, &c->cwr,
			       &b[1], &x[1]);
	}
	if (r < 0)
		return c2s != (errno == EPIPE) ? -1 : -2;
	return r;
}

/* ---- relaying in the kernel (sockmap.c) ---- */

/* Take what the program counted into the stats. */
static void sk_count(struct pconn *c)
{
	uint64_t bytes, segs;

	if (psk_collect(c, 1, &bytes, &segs) == 0)
		account(c, 1, bytes, segs);
	if (psk_collect(c, 0, &bytes, &segs) == 0)
		account(c, 0, bytes, segs);
}

/* When the timer must look again: soon while a FIN waits for the kernel's
 * bytes, else at the next counter reading or the idle deadline. */
static int sk_rearm(struct pconn *c, int waiting)
{
	uint64_t idle, next = PROXY_SK_TICK_MS;

	if (tcp_idle_run(c, &idle))
		return -1;
	if (idle && idle < next)
		next = idle;
	if (waiting)
		next = PROXY_SK_DRAIN_MS;
	loop_timer_start(pconn_loop(c), &c->timer, next);
	return 0;
}

/* Forward the FINs read so far, each once the bytes before it reached the
 * peer's send queue.  0, or -1 when c was closed. */
static int sk_settle(struct pconn *c)
{
	int side, waiting = 0;

	for (side = 0; side < 2; side++) {
		struct relay_dir *d = side ? &c->c2s : &c->s2c, *o = side ? &c->s2c : &c->c2s;
		int dst = side ? c->sfd : c->cfd;

		if (!d->eof || d->shut)
			continue;
		if (psk_pending(c, side)) {
			waiting = 1;
			continue;
		}
		/* the last half: the close sends the FIN */
		if (!o->shut && shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN) {
			pconn_close(c, 1);
			return -1;
		}
		d->shut = 1;
	}
	if (relay_done(&c->c2s) && relay_done(&c->s2c)) {
		pconn_close(c, 0);
		return -1;
	}
	loop_io_mod(pconn_loop(c), &c->cio, c->c2s.eof ? 0 : EPOLLRDHUP);
	loop_io_mod(pconn_loop(c), &c->sio, c->s2c.eof ? 0 : EPOLLRDHUP);
	return sk_rearm(c, waiting);
}

/* A socket the kernel relays reported a FIN, a hang-up or an error: its
 * data never wakes us (only EPOLLRDHUP is asked for). */
static void sk_event(struct pconn *c, int client_side, uint32_t events)
{
	struct relay_dir *d = client_side ? &c->c2s : &c->s2c;
	const struct relay_dir *to = client_side ? &c->s2c : &c->c2s;

	/* a reset, or the kernel's relay failed to write to this socket */
	if (events & EPOLLERR) {
		pconn_term(c, client_side ? "CD" : "SD");
		pconn_close(c, 1);
		return;
	}
	if (events & (EPOLLRDHUP | EPOLLHUP) && !d->eof) {
		d->eof = 1;
		set_acct(c, PCONN_ACCT_INACTIVE);
	}
	/* both halves gone on a socket still written to: it was reset */
	if ((events & EPOLLHUP) && !to->shut) {
		pconn_term(c, client_side ? "CD" : "SD");
		pconn_close(c, 1);
		return;
	}
	(void)sk_settle(c);
}

/* A relayed connection's event (events 0: it just got connected).
 * Called without the engine lock (an unlocked watcher, loop.h): a
 * keep-alive request's bytes are moved and counted (model/ctr.h), the IPVS
 * classes moved (atomics) with no lock at all; pconn_close takes it if
 * what it frees needs it. */
static void relay_event(struct pconn *c, int client_side, uint32_t events)
{
	uint64_t b[2] = {0, 0}, x[2] = {0, 0};
	struct loop *l = pconn_loop(c);
	int r;

	if (events & EPOLLERR) {
		pconn_term(c, client_side ? "CD" : "SD");
		pconn_close(c, 1);
		return;
	}
	r = pump(c, b, x);
	account(c, 1, b[0], x[0]);
	account(c, 0, b[1], x[1]);
	if (r < 0) {
		pconn_term(c, r == -2 ? "SD" : "CD");
		pconn_close(c, 1);
		return;
	}
	if (relay_done(&c->c2s) && relay_done(&c->s2c)) {
		pconn_close(c, 0);
		return;
	}
	/* both halves gone on a socket we still write to: it was reset */
	if ((events & EPOLLHUP) && !(client_side ? c->s2c.shut : c->c2s.shut)) {
		pconn_term(c, client_side ? "CD" : "SD");
		pconn_close(c, 1);
		return;
	}
	if (c->c2s.eof || c->s2c.eof) {
		set_acct(c, PCONN_ACCT_INACTIVE);
		if (idle_arm(c)) /* a -fin timeout may apply now */
			return;
	}
	/* the batch ran out on a source still ready: no new edge would come */
	if ((relay_more(&c->c2s, c->crd) && loop_io_rearm(l, &c->cio) < 0) ||
	    (relay_more(&c->s2c, c->srd) && loop_io_rearm(l, &c->sio) < 0))
		pconn_close(c, 1);
}

/* ---- connecting ---- */

/* The timer at c's next idle deadline, or off (tcp_idle.c).  Returns 1
 * if one had passed and c was closed. */
static int idle_arm(struct pconn *c)
{
	uint64_t left;

	if (tcp_idle_run(c, &left))
		return 1;
	if (left)
		loop_timer_start(pconn_loop(c), &c->timer, left);
	else
		loop_timer_stop(pconn_loop(c), &c->timer);
	return 0;
}

static void established(struct pconn *c)
{
	struct loop *l = pconn_loop(c);

	c->state = PCONN_RELAY;
	c->est_ms = loop_now(l);
	c->term[0] = 0; /* an earlier server's failure is not how it ends */
	set_acct(c, PCONN_ACCT_ACTIVE);
	c->last_ms = loop_now(l);
	/* the sockmap's maps and program are the main engine's: under the
	 * lock, and only asked for when this worker relays that way */
	if (c->pvs->px->relay == FC_RELAY_SOCKMAP) {
		proxy_relock(c->pvs->px);
		if (psk_enter(c) == 0) {
			(void)sk_settle(c);
			return;
		}
	}
	idle_arm(c);
	/* what the client sent meanwhile was noted (c->crd), and no new
	 * edge comes for it: relay now.  Writable is assumed: a send that
	 * would block clears it and brings the edge that sets it again */
	c->cwr = c->swr = 1;
	relay_event(c, 1, 0);
}

/* 1 = in progress (watching), 0 = connected, -1 = failed, -2 = no
 * descriptor (errno set): no other server would fare better. */
static int start_connect(struct pconn *c)
{
	struct proxy *px = c->pvs->px;
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(&c->server, &ss);
	int fd, r = 1, e, held;

	/* the syscalls touch nothing shared: no lock */
	held = proxy_unlock_saved(px);
	proxy_fd_enter(px); /* not while a sibling sheds (proxy.h) */
	fd = socket(c->server.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	proxy_fd_leave(px);
	if (fd < 0) {
		r = proxy_out_of_fds(errno) ? -2 : -1;
	} else {
		(void)sock_set_nodelay(fd);
		c->srd = c->swr = 0; /* a new socket: nothing known */
		if ((connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) ||
		    loop_io_add(px->loop, &c->sio, fd, PCONN_EVENTS, pconn_on_io, c) < 0) {
			close(fd);
			r = -1;
		} else {
			loop_io_unlocked(&c->sio);
		}
	}
	e = errno;
	proxy_relock_saved(px, held);
	errno = e;
	if (r > 0)
		c->sfd = fd;
	return r;
}

/* c's server goes to tried[] (the reference moves): 0, or -1 when c was
 * closed (out of memory). */
static int leave_server(struct pconn *c)
{
	struct rs_live **t;

	set_acct(c, PCONN_ACCT_NONE);
	if (c->tpl) {
		/* the template leads to a server that refuses: forget it
		 * (under the table's own lock, not the engine's) */
		if (c->tpl->live == c->live)
			persist_drop(c->pvs->pt, c->tpl);
		persist_release(c->tpl, loop_now(pconn_loop(c)));
		c->tpl = NULL;
	}
	t = realloc(c->tried, (c->ntried + 1) * sizeof(*t));
	if (!t) {
		pconn_close(c, 1);
		return -1;
	}
	c->tried = t;
	c->tried[c->ntried++] = c->live; /* the reference moves */
	c->live = NULL;
	return 0;
}

/* haproxy.cfg's mode tcp, as HAProxy 2.6 (measured side by side:
 * tests/system/test_tcp_retries.py): the backend's `retries` bound the
 * attempts again, each on the same server -- at once after a connect
 * that timed out, after min(timeout connect, 1 s) after one refused (its
 * turn-around) -- unless `option redispatch` sends it to another one
 * (redispatch_due).  Each retry is the failed server's wretr or wredis,
 * the last failure its econ; the log says SC, or sC once any attempt
 * timed out, and the retries (+ when one went to another server). */
static int hp_retry(struct pconn *c, int timed_out)
{
	struct pvs *p = c->pvs;
	int usable, hash_same;
	ssize_t n;

	c->conn_to |= timed_out;
	if (c->retries >= p->connect_retries) {
		HCTR(&c->live->ctr, econ);
		pconn_term(c, c->conn_to ? "sC" : "SC");
		/* HAProxy read what the client sent (counted in, bin and
		 * %U, and not a null connection) and closes: a FIN, not the
		 * reset unread bytes would bring */
		n = recv(c->cfd, NULL, 1 << 16, MSG_TRUNC | MSG_DONTWAIT);
		if (n > 0)
			account(c, 1, (uint64_t)n, 1);
		pconn_close(c, 0);
		return 1;
	}
	c->retries++;
	usable = ppool_usable(p->pp, c->live);
	if (!p->hr.redispatch || !redispatch_due(p->hr.after, p->connect_retries, c->retries, usable,
						 p->hr.hashes || c->tpl, ppool_serving(p->pp))) {
		HCTR(&c->live->ctr, wretr);
		loop_timer_start(pconn_loop(c), &c->timer,
				 timed_out ? 0 : p->connect_timeout_ms < 1000 ? p->connect_timeout_ms : 1000);
		return 1;
	}
	HCTR(&c->live->ctr, wredis);
	/* a hash keeps the key on its server while it is up: the balance
	 * chooses it again, and the log says no redispatch */
	hash_same = p->hr.hashes && usable;
	c->redispatched |= !hash_same;
	c->avoid = !hash_same;
	return leave_server(c) < 0;
}

/* The current server did not take the connection (timed_out: not within
 * the connect timeout).  Returns 0 if c is to be placed again, 1 if it is
 * settled: closed, or waiting to try the same server again. */
static int connect_failed(struct pconn *c, int timed_out)
{
	struct pvs *p = c->pvs;

	close_fd(c, &c->sio, &c->sfd, 0);
	if (p->hr.on)
		return hp_retry(c, timed_out);
	/* keepalived's proxy_connect_retries: each on another server */
	if (timed_out)
		pconn_term(c, "sC"); /* kept if no other server takes it */
	HCTR(&c->live->ctr, econ); /* show stat's econ */
	if (leave_server(c) < 0)
		return 1;
	if (c->ntried > p->connect_retries) {
		char a[ADDR_STRLEN];

		log_debug("proxy: %s: no real server took the client %s", p->name,
			  addr_format(&c->client, a, sizeof(a), 1));
		pconn_term(c, "SC");
		pconn_close(c, 1);
		return 1;
	}
	return 0;
}

/* p lacks descriptors (from now, if it did not already): for how long. */
static uint64_t fds_short_for(struct pvs *p, uint64_t now)
{
	/* A shortage with no failure for a whole wait is over, even if no
	 * client of p got both sockets since (p may have had none): the
	 * next one waits again.  Other threads hold descriptors of the same
	 * process (the main thread's control connections, another
	 * worker's clients), so a client alone may find none for a moment
	 * long after a burst; it must not be reset at once for the burst. */
	if (!p->fds_short || now - p->fds_short_last_ms > PROXY_FD_WAIT_MS) {
		p->fds_short = 1;
		p->fds_short_ms = now;
	}
	p->fds_short_last_ms = now;
	return now - p->fds_short_ms;
}

/* Connect c to c->server (placed).  1 = settled: connecting, waiting for
 * a descriptor, or closed; 0 = this server failed, another may be tried. */
static int attempt(struct pconn *c)
{
	struct pvs *p = c->pvs;
	struct loop *l = pconn_loop(c);
	uint64_t now = loop_now(l);
	int r = start_connect(c), e = errno;

	if (r > 0) {
		p->fds_short = 0;
		c->try_ms = now;
		loop_timer_start(l, &c->timer, p->connect_timeout_ms);
		return 1;
	}
	if (r == -1)
		return connect_failed(c, 0);
	/* no descriptor: the server is not to blame.  At a tight limit one
	 * comes back as soon as another connection closes (the client that
	 * just left is often still half-closed here): wait a little, then
	 * shed the client, visibly.  The wait counts from the first failure,
	 * so that a queue of clients is not made to wait one after another */
	if (fds_short_for(p, now) < PROXY_FD_WAIT_MS && now - c->accepted_ms < PROXY_FD_WAIT_MS) {
		loop_timer_start(l, &c->timer, PROXY_FD_RETRY_MS);
		return 1;
	}
	proxy_shed(p, PROXY_SHED_FDS, &c->client, e);
	pconn_term(c, "RC");
	pconn_close(c, 1);
	return 1;
}

/* Where c goes now: keepalived's way, a server not tried yet;
 * haproxy.cfg's, any but the last one that failed if another serves
 * (c->avoid; none after a retry a hash kept on its server). */
static int place(struct pconn *c, struct pvs_target *t)
{
	struct pvs *p = c->pvs;

	if (!p->hr.on)
		return pvs_place(p, &c->client, c->tried, c->ntried, t);
	if (c->avoid && c->ntried && pvs_place(p, &c->client, &c->tried[c->ntried - 1], 1, t) == 0)
		return 0;
	return pvs_place(p, &c->client, NULL, 0, t);
}

static void pconn_try(struct pconn *c)
{
	struct pvs_target t;

	for (;;) {
		if (place(c, &t) < 0) {
			pconn_term(c, "SC");
			pconn_close(c, 1);
			return;
		}
		c->server = t.addr;
		c->live = t.live;
		c->tpl = t.tpl;
		c->place_ms = loop_now(pconn_loop(c));
		ctr_conn(&c->live->ctr);
		if (!c->ntried)
			ctr_conn(&c->vsl->ctr);
		set_acct(c, PCONN_ACCT_INACTIVE);
		if (attempt(c))
			return;
	}
}

/* The server socket's first event.  Writable with no error or hang-up
 * means connected: TCP reports EPOLLOUT only once the handshake is done,
 * and a refused or reset connect reports EPOLLERR (with EPOLLHUP), so the
 * event alone says it: no getsockopt(SO_ERROR) or getpeername per
 * connection (HAProxy learns it from its first I/O alike).  The socket's
 * registration is new for each attempt, and epoll reports a registration
 * once per wait: no event of an earlier attempt reaches this one. */
static void connect_event(struct pconn *c, uint32_t events)
{
	if (!(events & (EPOLLERR | EPOLLHUP))) {
		if (events & EPOLLOUT)
			established(c);
		return;
	}
	if (connect_failed(c, 0) == 0)
		pconn_try(c);
}

/* Both sockets' watcher, unlocked (loop.h): a connection is its worker's
 * alone; its connect's outcome, relay and close take the engine lock only
 * for what needs it (see the top of this file), a connection the kernel
 * relays (sockmap) takes it first. */
static void pconn_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct pconn *c = io->data;
	int client_side = io == &c->cio;

	if (!c->sk)
		note_ready(c, client_side, events);
	/* the client's request while connecting: noted, nothing more */
	if (c->state == PCONN_CONNECTING && client_side && !(events & (EPOLLERR | EPOLLHUP)))
		return;
	if (c->sk)
		proxy_relock(c->pvs->px);
	if (c->state == PCONN_CONNECTING) {
		/* the client left before we reached a server */
		if (client_side) {
			pconn_term(c, "CC");
			pconn_close(c, 1);
		} else
			connect_event(c, events);
		return;
	}
	if (c->state == PCONN_RELAY && c->sk)
		sk_event(c, client_side, events);
	else if (c->state == PCONN_RELAY)
		relay_event(c, client_side, events);
}

static void pconn_on_timer(struct loop *l, struct ev_timer *t)
{
	struct pconn *c = t->data;

	if (c->state == PCONN_CONNECTING) {
		/* no socket: waiting for a descriptor, or haproxy's
		 * turn-around before the same server again (hp_retry) */
		if (c->sfd < 0 ? !attempt(c) : connect_failed(c, 1) == 0)
			pconn_try(c);
		return;
	}
	if (c->state == PCONN_RELAY && c->sk) {
		sk_count(c);
		(void)sk_settle(c); /* the idle timeouts too (sk_rearm) */
		return;
	}
	if (c->state == PCONN_RELAY)
		(void)idle_arm(c);
}

/* ---- accepting ---- */

static void pconn_new(struct pvs *p, int cfd, const struct fc_addr *client)
{
	struct pconn *c = calloc(1, sizeof(*c));

	if (!c) {
		sock_set_rst(cfd);
		close(cfd);
		return;
	}
	c->cfd = cfd;
	c->sfd = -1;
	c->client = *client;
	c->accepted_ms = loop_now(p->px->loop);
	c->vsl = vs_live_ref(p->vsl);
	c->state = PCONN_CONNECTING;
	relay_init(&c->c2s);
	relay_init(&c->s2c);
	if (p->px->relay == FC_RELAY_COPY)
		c->c2s.nosplice = c->s2c.nosplice = 1;
	if (p->px->relay == FC_RELAY_SPLICE)
		c->c2s.bulk = c->s2c.bulk = c->c2s.always = c->s2c.always = 1;
	loop_timer_init(&c->timer, pconn_on_timer, c);
	link_conn(p, c);
	/* accepted sockets inherit it from the listener (pvs_start) */
	if (!p->nodelay)
		(void)sock_set_nodelay(cfd);
	/* while connecting, what it sends is only noted (pconn_on_io) */
	if (loop_io_add(p->px->loop, &c->cio, cfd, PCONN_EVENTS, pconn_on_io, c) < 0) {
		pconn_close(c, 1);
		return;
	}
	loop_io_unlocked(&c->cio);
	if (p->log == PVS_LOG_CONNECT)
		tcp_log_connect(p, cfd, client);
	pconn_try(c);
}

void tcp_accept_resume(struct pvs *p)
{
	if (!p->accept_paused)
		return;
	p->accept_paused = 0;
	if (p->fd >= 0 && p->io_on)
		loop_io_mod(p->px->loop, &p->io, EPOLLIN);
}

/* accept() found no descriptor (err).  The listener is level-triggered:
 * it stops being watched, or the loop would spin, until a connection
 * gives descriptors back or PROXY_ACCEPT_PAUSE_MS pass.  Once p has
 * lacked descriptors for PROXY_FD_WAIT_MS (no connection got both of its
 * sockets since), queued clients are reset: with no descriptor left at
 * all, nothing else would ever take them out of the queue. */
static void accept_short(struct pvs *p, int err)
{
	struct loop *l = p->px->loop;

	proxy_shed(p, PROXY_SHED_ACCEPT, NULL, err);
	/* idle pipes kept for reuse are descriptors too */
	relay_pool_free(p->px);
	if (fds_short_for(p, loop_now(l)) >= PROXY_FD_WAIT_MS)
		proxy_shed_queued(p);
	loop_io_mod(l, &p->io, 0);
	p->accept_paused = 1;
	p->px->listeners_short = 1;
	loop_timer_start(l, &p->tick, PROXY_ACCEPT_PAUSE_MS);
}

/* The listener's watcher, unlocked (loop.h): an L4 client is accepted and
 * placed without the engine lock; an HTTP frontend takes it first (its
 * maxconn, its streams' shared state). */
void tcp_on_accept(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct pvs *p = io->data;
	int i;

	if (pvs_is_http(p))
		proxy_relock(p->px);
	/* an HTTP frontend at its maxconn leaves clients in the backlog */
	for (i = 0; i < PROXY_ACCEPT_BATCH && p->fd >= 0 && !(pvs_is_http(p) && http_at_maxconn(p));
	     i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct fc_addr client;
		int fd, e, held;

		/* the listener is this thread's (SO_REUSEPORT): no lock */
		held = proxy_unlock_saved(p->px);
		proxy_fd_enter(p->px); /* not while a sibling sheds (proxy.h) */
		fd = accept4(p->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		e = errno;
		proxy_fd_leave(p->px);
		proxy_relock_saved(p->px, held);
		errno = e;
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (proxy_out_of_fds(errno))
				accept_short(p, errno);
			return;
		}
		if (addr_from_sockaddr(&client, (struct sockaddr *)&ss) < 0) {
			close(fd);
			continue;
		}
		if (pvs_is_http(p) && p->vs->tls)
			hs_tls_accept(p, fd, &client); /* then HTTP/1.1 or h2, as ALPN says */
		else if (pvs_is_http(p) && p->vs->bind_h2)
			h2gw_new(p, fd, &client);
		else if (pvs_is_http(p))
			hstream_new(p, fd, &client);
		else
			pconn_new(p, fd, &client);
	}
}

void tcp_adopt(struct pvs *to, struct pvs *from)
{
	while (from->conns) {
		struct pconn *c = from->conns;

		unlink_conn(c);
		link_conn(to, c);
	}
}
