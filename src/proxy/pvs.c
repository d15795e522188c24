/* Per virtual service state: the listener, the server table the scheduler
 * sees (the pool's, shared by its services), placement of new clients
 * (persistence, scheduler, sorry server). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/http_proxy-t.h"
#include "model/model.h"
#include "proxy/persist.h"
#include "proxy/proxy.h"
#include "sched/sched.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h; older libc headers lack it */
#endif

void sock_set_rst(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

int sock_set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* ---- the server table ---- */

/* Which real servers the scheduler sees (sched-t.h): every server in the
 * service's table as IPVS keeps it.  A server that is down is left out
 * unless inhibit_on_failure keeps it with weight 0; drained and disabled
 * servers stay with weight 0 (rs_effective_weight). */
static int rs_in_table(const struct real_server *rs, const struct pool *pool)
{
	return rs->live->health == RS_HEALTH_UP || rs_inhibit(rs, pool) > 0;
}

static void free_table(struct pvs_server *srv, struct sched_server *ss, struct rs_live **lives,
		       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rs_live_unref(srv[i].live);
	free(srv);
	free(ss);
	free(lives);
}

/* The table of vs's pool: the one another service of the same pool already
 * holds (same model: the same struct pool), else a new one.  A pvs a reload
 * left behind (vs NULL) is never matched, so the new model's services
 * start their own table, as a reload always did. */
static struct ppool *ppool_get(struct proxy *px, const struct virtual_server *vs)
{
	struct pvs *o;

	for (o = px->services; o; o = o->next) {
		if (o->vs && o->vs->pool == vs->pool && o->pp) {
			o->pp->refs++;
			return o->pp;
		}
	}
	return ppool_new();
}

struct ppool *ppool_new(void)
{
	struct ppool *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	if (pthread_mutex_init(&pp->lock, NULL)) {
		free(pp);
		return NULL;
	}
	pp->refs = 1;
	return pp;
}

void ppool_unref(struct ppool *pp)
{
	if (!pp || --pp->refs)
		return;
	if (pp->has_sched)
		sched_destroy(&pp->sched);
	free_table(pp->srv, pp->ss, pp->lives, pp->n);
	pthread_mutex_destroy(&pp->lock);
	free(pp);
}

/* haproxy.cfg's mode tcp: the backend's retry settings (p->hr). */
static void hr_settings(struct pvs *p, const struct virtual_server *vs)
{
	const struct http_proxy *fe = vs->http, *be;

	memset(&p->hr, 0, sizeof(p->hr));
	if (!fe || fe->mode != HP_MODE_TCP)
		return;
	be = vs->pool && vs->pool->http ? vs->pool->http : fe;
	p->hr.on = 1;
	p->hr.redispatch = !!(be->options & HP_OPT_REDISPATCH);
	p->hr.after = be->redispatch_after;
	p->hr.hashes = be->balance.src != HP_HASH_NONE;
}

static void copy_settings(struct pvs *p, const struct virtual_server *vs)
{
	/* 0 reads as "the default" for the two that cannot sensibly be 0 */
	p->connect_timeout_ms = vs->connect_timeout_ms ? vs->connect_timeout_ms : 5000;
	p->idle_timeout_ms = vs->idle_timeout_ms; /* 0 = no idle timeout */
	p->udp_timeout_ms = vs->udp_timeout_ms ? vs->udp_timeout_ms : 300000;
	p->connect_retries = vs->connect_retries;
	p->log = tcp_log_kind(vs);
	hr_settings(p, vs);
	tcp_idle_settings(p, vs);
}

/* The service's settings into p: sorry server, timeouts, and the
 * persistence table's (the head's only: siblings use it). */
static void pvs_settings(struct pvs *p, const struct virtual_server *vs)
{
	const struct pool *pool = vs->pool;

	rs_live_unref(p->sorry.live);
	memset(&p->sorry, 0, sizeof(p->sorry));
	if (pool->sorry) {
		p->sorry.addr = pool->sorry->addr;
		p->sorry.live = rs_live_ref(pool->sorry->live);
	}
	copy_settings(p, vs);
	if (p->pt != &p->persist)
		return;
	persist_config(&p->persist, vs->persistence_timeout, vs->persistence_prefix);
	if (p->fd >= 0 && persist_on(&p->persist) && !loop_timer_armed(&p->tick))
		loop_timer_start(p->px->loop, &p->tick, PROXY_TICK_MS);
}

int ppool_rebuild(struct ppool *pp, const struct pool *pool, char *err, size_t errlen)
{
	struct pvs_server *srv = NULL;
	struct sched_server *ss = NULL;
	struct rs_live **lives = NULL;
	struct real_server *rs;
	struct sched ns;
	size_t n = 0, nlives = 0, i, j;
	int fresh;

	for (rs = pool->rs; rs; rs = rs->next)
		n++;
	if (n) {
		srv = calloc(n, sizeof(*srv));
		ss = calloc(n, sizeof(*ss));
		lives = calloc(n, sizeof(*lives));
		if (!srv || !ss || !lives) {
			free_table(srv, ss, lives, 0);
			return err_set(err, errlen, "out of memory");
		}
	}
	n = 0;
	for (rs = pool->rs; rs; rs = rs->next) {
		if (!rs_in_table(rs, pool))
			continue;
		srv[n].addr = rs->addr;
		srv[n].live = rs_live_ref(rs->live);
		srv[n].uthreshold = rs->uthreshold;
		srv[n].lthreshold = rs->lthreshold;
		/* the overload flag has hysteresis: carry it over */
		for (j = 0; j < pp->n; j++)
			if (pp->srv[j].live == rs->live)
				srv[n].overloaded = pp->srv[j].overloaded;
		/* a template may lead only here (persist_tpl_valid): decided
		 * now, with the workers parked, not from the live state at
		 * each placement, which no worker reads unlocked */
		if (rs->live->admin != RS_ADMIN_DISABLED && rs->live->health == RS_HEALTH_UP &&
		    !rs->live->held)
			lives[nlives++] = srv[n].live;
		ss[n].addr = &srv[n].addr;
		ss[n].weight = rs_effective_weight(rs);
		n++;
	}

	/* same algorithm: keep its state (rr position, lblc table) */
	fresh = !pp->has_sched || strcmp(pp->sched.ops->name, pool->sched) ||
		pp->sched.flags != pool->sched_flags;
	if (fresh) {
		if (sched_create(&ns, pool->sched, pool->sched_flags, err, errlen) < 0)
			goto fail;
		if (ns.ops->update(&ns, ss, n) < 0) {
			sched_destroy(&ns);
			err_set(err, errlen, "scheduler %s: cannot build its table", pool->sched);
			goto fail;
		}
		if (pp->has_sched)
			sched_destroy(&pp->sched);
		pp->sched = ns;
		pp->has_sched = 1;
	} else if (pp->sched.ops->update(&pp->sched, ss, n) < 0) {
		pp->sched.ops->update(&pp->sched, pp->ss, pp->n);
		err_set(err, errlen, "scheduler %s: cannot build its table", pool->sched);
		goto fail;
	}

	free_table(pp->srv, pp->ss, pp->lives, pp->n);
	pp->srv = srv;
	pp->ss = ss;
	pp->lives = lives;
	pp->nlives = nlives;
	pp->n = n;
	return 0;
fail:
	for (i = 0; i < n; i++)
		rs_live_unref(srv[i].live);
	free(srv);
	free(ss);
	free(lives);
	return -1;
}

int pvs_rebuild(struct pvs *p, struct virtual_server *vs, char *err, size_t errlen)
{
	if (ppool_rebuild(p->pp, vs->pool, err, errlen) < 0)
		return -1;
	for (; p; p = p->sib)
		pvs_settings(p, vs);
	return 0;
}

/* ---- lifetime ---- */

static void pvs_tick(struct loop *l, struct ev_timer *t)
{
	struct pvs *p = t->data;

	tcp_accept_resume(p);
	/* the table is the head's: it reaps it for every worker */
	if (p->pt == &p->persist && persist_on(&p->persist)) {
		persist_reap(&p->persist, loop_now(l), PROXY_REAP_VISIT);
		loop_timer_start(l, &p->tick, PROXY_TICK_MS);
	}
}

/* A pvs for vs on px, not yet linked, without pool table or persistence. */
static struct pvs *pvs_alloc(struct proxy *px, struct virtual_server *vs, char *err,
			     size_t errlen)
{
	struct pvs *p = calloc(1, sizeof(*p));
	char a[ADDR_STRLEN];

	if (!p) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	p->magic = PVS_MAGIC;
	p->px = px;
	p->vs = vs;
	p->protocol = vs->protocol;
	p->addr = vs->addr;
	if (vs->bind_fd >= 0)
		(void)pvs_inherited_addr(vs, &p->addr, NULL, 0);
	p->fd = -1;
	p->pt = &p->persist;
	snprintf(p->name, sizeof(p->name), "%s %s", proto_name(vs->protocol),
		 addr_format(&vs->addr, a, sizeof(a), 1));
	loop_timer_init(&p->tick, pvs_tick, p);
	return p;
}

static void pvs_link(struct pvs *p, struct virtual_server *vs)
{
	struct proxy *px = p->px;

	p->vsl = vs_live_ref(vs->live);
	p->next = px->services;
	if (px->services)
		px->services->prev = p;
	px->services = p;
}

struct pvs *pvs_new(struct proxy *px, struct virtual_server *vs, char *err, size_t errlen)
{
	struct pvs *p = pvs_alloc(px, vs, err, errlen);

	if (!p)
		return NULL;
	persist_init(&p->persist, vs->persistence_timeout, vs->persistence_prefix);
	p->pp = ppool_get(px, vs);
	if (!p->pp) {
		err_set(err, errlen, "out of memory");
		free(p);
		return NULL;
	}
	if (pvs_rebuild(p, vs, err, errlen) < 0) {
		ppool_unref(p->pp);
		free(p);
		return NULL;
	}
	pvs_link(p, vs);
	return p;
}

struct pvs *pvs_new_sibling(struct proxy *px, struct pvs *head, struct virtual_server *vs,
			    char *err, size_t errlen)
{
	struct pvs *p = pvs_alloc(px, vs, err, errlen);

	if (!p)
		return NULL;
	persist_init(&p->persist, 0, 0);
	p->pt = &head->persist;
	p->pp = head->pp;
	p->pp->refs++;
	pvs_settings(p, vs);
	pvs_link(p, vs);
	return p;
}

int pvs_inherited_addr(const struct virtual_server *vs, struct fc_addr *out, char *err,
		       size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct fc_addr a;
	int type = 0;
	socklen_t tl = sizeof(type);

	if (getsockname(vs->bind_fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getsockopt(vs->bind_fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
		return err_set(err, errlen, "fd@%d: not an open socket: %s", vs->bind_fd,
			       strerror(errno));
	if (type != SOCK_STREAM || addr_from_sockaddr(&a, (struct sockaddr *)&ss) < 0)
		return err_set(err, errlen, "fd@%d: not a TCP socket", vs->bind_fd);
	if (out)
		*out = a;
	return 0;
}

/* haproxy.cfg `bind fd@N`: the socket is inherited, listening or not. */
static int listen_inherited(struct pvs *p, char *err, size_t errlen)
{
	int fd = p->vs->bind_fd;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || listen(fd, SOMAXCONN) < 0)
		return err_set(err, errlen, "fd@%d: cannot listen: %s", fd, strerror(errno));
	p->fd = fd;
	return 0;
}

int pvs_listen(struct pvs *p, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(&p->addr, &ss);
	int tcp = p->protocol == IPPROTO_TCP, one = 1, fd, e;
	char a[ADDR_STRLEN];

	/* one inherited socket: the head's worker accepts on it, alone */
	if (p->vs && p->vs->bind_fd >= 0)
		return p->pt == &p->persist ? listen_inherited(p, err, errlen) : 0;
	if (!tcp && !p->px->udp_buf) {
		p->px->udp_buf = malloc(PROXY_UDP_DGRAM);
		if (!p->px->udp_buf)
			return err_set(err, errlen, "out of memory");
	}
	fd = socket(p->addr.family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* one listener per worker: the kernel spreads the clients; and
	 * haproxy.cfg: a new process started with -sf binds beside the old
	 * one, which stops once the new one serves */
	if ((p->px->main || (p->vs && p->vs->http)) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 && p->px->main)
		goto fail;
	/* a VIP that arrives later (VRRP, Pacemaker) is served at once */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (p->addr.family == AF_INET6) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	if (tcp && listen(fd, SOMAXCONN) < 0)
		goto fail;
	p->fd = fd;
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	return err_set(err, errlen, "cannot listen on %s (%s): %s",
		       addr_format(&p->addr, a, sizeof(a), 1), proto_name(p->protocol),
		       strerror(e));
}

void pvs_start(struct pvs *p)
{
	struct loop *l = p->px->loop;

	proxy_spare_hold(p->px);
	/* set here, not in pvs_listen: an inherited or handed-over listener
	 * gets it too, and a refusal only costs a setsockopt per client */
	if (p->fd >= 0 && p->protocol == IPPROTO_TCP)
		p->nodelay = sock_set_nodelay(p->fd) == 0;
	if (p->fd >= 0 && !p->io_on) {
		if (loop_io_add(l, &p->io, p->fd, EPOLLIN,
				p->protocol == IPPROTO_TCP ? tcp_on_accept : udp_on_vs_socket,
				p) == 0) {
			p->io_on = 1;
			/* a datagram of a known session takes no lock (udp.c),
			 * nor an L4 client's accept and placement (tcp.c) */
			loop_io_unlocked(&p->io);
		} else
			log_err("proxy: %s: cannot watch the listener: %s", p->name,
				strerror(errno));
	}
	if (p->pt == &p->persist && persist_on(&p->persist) && !loop_timer_armed(&p->tick))
		loop_timer_start(l, &p->tick, PROXY_TICK_MS);
}

void pvs_close_listener(struct pvs *p)
{
	if (p->io_on)
		loop_io_del(p->px->loop, &p->io);
	p->io_on = 0;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	loop_timer_stop(p->px->loop, &p->tick);
}

void pvs_free(struct pvs *p)
{
	struct proxy *px = p->px;

	pvs_close_listener(p);
	persist_destroy(&p->persist);
	ppool_unref(p->pp);
	p->pp = NULL;
	rs_live_unref(p->sorry.live);
	vs_live_unref(p->vsl);
	free(p->sess_hash);
	if (p->prev)
		p->prev->next = p->next;
	else
		px->services = p->next;
	if (p->next)
		p->next->prev = p->prev;
	if (!px->services)
		proxy_spare_drop(px);
	p->magic = 0;
	/* the listener's ev_io may still be in this round's events */
	if (loop_defer(px->loop, free, p) < 0)
		log_err("proxy: out of memory, leaking a service");
}

void pvs_maybe_free(struct pvs *p)
{
	if (!p->vs && !p->hold && !p->conns && !p->sessions && !p->hstreams && !p->h2conns)
		pvs_free(p);
}

/* ---- placement ---- */

/* IPVS overload flag: set when active+inactive reaches uthreshold; cleared
 * below lthreshold, or below 3/4 of uthreshold when no lthreshold.  Read
 * and written by every thread that picks: a relaxed atomic, its
 * hysteresis a moment's figure as the counts are. */
static int overloaded(struct pvs_server *s)
{
	uint64_t total = (uint64_t)atomic_load_explicit(&s->live->activeconns, memory_order_relaxed) +
			 atomic_load_explicit(&s->live->inactconns, memory_order_relaxed);
	int was = __atomic_load_n(&s->overloaded, __ATOMIC_RELAXED), now = was;

	if (s->uthreshold && total >= s->uthreshold)
		now = 1;
	else if (was && (s->lthreshold ? total < s->lthreshold
				       : !s->uthreshold || total * 4 < (uint64_t)s->uthreshold * 3))
		now = 0;
	if (now != was)
		__atomic_store_n(&s->overloaded, now, __ATOMIC_RELAXED);
	return now;
}

static int was_tried(struct rs_live *l, struct rs_live *const *tried, size_t ntried)
{
	size_t i;

	for (i = 0; i < ntried; i++)
		if (tried[i] == l)
			return 1;
	return 0;
}

/* What the scheduler sees for one pick: the table's weights (set at
 * rebuild), the connection counts as they are now, the overload flags,
 * and the servers in tried[] quiescent.  The caller's own array: the
 * table itself is only written by a rebuild, so picks on several threads
 * share nothing but the live counts (atomics) and the scheduler's
 * position (sched-t.h, `shared`). */
static void view_fill(struct ppool *pp, struct sched_server *view, struct rs_live *const *tried,
		      size_t ntried)
{
	size_t k;

	for (k = 0; k < pp->n; k++) {
		struct rs_live *l = pp->srv[k].live;

		view[k] = pp->ss[k];
		view[k].activeconns = atomic_load_explicit(&l->activeconns, memory_order_relaxed);
		view[k].inactconns = atomic_load_explicit(&l->inactconns, memory_order_relaxed);
		view[k].overloaded = overloaded(&pp->srv[k]);
		if (ntried && was_tried(l, tried, ntried))
			view[k].weight = 0;
	}
}

/* A hashing scheduler without fallback insists on a failed server: the
 * least loaded other one instead.  -1 if none. */
static int least_loaded(const struct sched_server *view, size_t n)
{
	uint64_t best_load = 0;
	int best = -1;
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t load = (uint64_t)view[k].activeconns * 256 + view[k].inactconns;

		if (view[k].weight <= 0 || view[k].overloaded)
			continue;
		if (best < 0 || load < best_load) {
			best = (int)k;
			best_load = load;
		}
	}
	return best;
}

#define PPOOL_VIEW_STACK 32 /* servers whose view fits on the stack */

int ppool_pick(struct ppool *pp, const struct sched_input *sin, struct rs_live *const *tried,
	       size_t ntried)
{
	struct sched_server stack[PPOOL_VIEW_STACK], *view = stack;
	struct sched_input in = *sin;
	int i, serial;

	if (!pp->n || !pp->has_sched)
		return -1;
	if (pp->n > PPOOL_VIEW_STACK && !(view = malloc(pp->n * sizeof(*view))))
		return -1;
	view_fill(pp, view, tried, ntried);
	/* a scheduler whose picks write its tables (lblc, lblcr) or its
	 * generator (twos, random) picks under the pool's own lock */
	serial = !pp->sched.ops->shared;
	if (serial)
		pthread_mutex_lock(&pp->lock);
	i = pp->sched.ops->pick(&pp->sched, view, pp->n, &in);
	if (serial)
		pthread_mutex_unlock(&pp->lock);
	if (i < 0 && ntried)
		i = least_loaded(view, pp->n);
	if (view != stack)
		free(view);
	return i < (int)pp->n ? i : -1;
}

int ppool_usable(const struct ppool *pp, const struct rs_live *l)
{
	size_t i;

	for (i = 0; pp && i < pp->n; i++)
		if (pp->srv[i].live == l)
			return pp->ss[i].weight > 0;
	return 0;
}

unsigned ppool_serving(const struct ppool *pp)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; pp && i < pp->n; i++)
		n += pp->ss[i].weight > 0;
	return n;
}

/* Where a template sends the client: its server, held. */
static int follow(struct pvs_target *out, struct persist_tpl *tpl)
{
	out->addr = tpl->server;
	out->live = rs_live_ref(tpl->live);
	out->tpl = tpl;
	return 0;
}

int pvs_place(struct pvs *p, const struct fc_addr *client, struct rs_live *const *tried,
	      size_t ntried, struct pvs_target *out)
{
	uint64_t now = loop_now(p->px->loop);
	struct persist_want w = {p->pp->lives, p->pp->nlives, tried, ntried};
	struct persist_tpl *tpl;
	int i;

	memset(out, 0, sizeof(*out));
	/* no engine lock: the templates are one table for every worker,
	 * with its own lock (persist.h); the rest is ppool_pick's, and
	 * atomic references */
	if (persist_on(p->pt) && (tpl = persist_get(p->pt, client, now, &w)))
		return follow(out, tpl);
	i = ppool_pick(p->pp, &(struct sched_input){.client = client, .dest = &p->addr, .now_ms = now},
		       tried, ntried);
	if (i >= 0) {
		/* a sibling may have placed this network meanwhile: its
		 * template wins, so the network sticks to one server */
		if (persist_on(p->pt) && (tpl = persist_put(p->pt, client, &p->pp->srv[i].addr,
							     p->pp->srv[i].live, now, &w)))
			return follow(out, tpl);
		out->addr = p->pp->srv[i].addr;
		out->live = rs_live_ref(p->pp->srv[i].live);
		return 0;
	}
	if (p->sorry.live && !was_tried(p->sorry.live, tried, ntried)) {
		out->addr = p->sorry.addr;
		out->live = rs_live_ref(p->sorry.live);
		out->sorry = 1;
		return 0;
	}
	return -1;
}

void pvs_target_release(struct pvs_target *t, uint64_t now_ms)
{
	if (t->tpl)
		persist_release(t->tpl, now_ms);
	rs_live_unref(t->live);
	memset(t, 0, sizeof(*t));
}
