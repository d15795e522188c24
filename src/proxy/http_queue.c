/* Server `maxconn` queues of the HTTP engine, as HAProxy 2.6 does them.
 *
 * A server with `maxconn N` has at most N transactions at once, over every
 * worker (counted in its rs_live.activeconns from the connect to the end of
 * the response).  The balance skips full servers when another has room.  A
 * request that finds every server that could take it full waits, first in
 * first out, in its backend's queue (struct hbe); one that its persistence
 * cookie or stick entry, or its hash (balance source, uri, url_param,
 * hdr, rdp-cookie: HAProxy keeps a key on its server, full or not), sends
 * to a full server waits in that server's own queue (rs_live.q), bounded
 * by the server's `maxqueue` (then, for persistence with option
 * redispatch, another server; else 503 "SQ").  Past `timeout queue` (else
 * `timeout connect`) it gets 503, "sQ" in the log.  While a backend's queue
 * is not empty, a new request of that backend queues behind it (HAProxy's
 * fairness for roundrobin and first), so nobody overtakes.
 *
 * Locks.  Every queue is shared by the workers, and so is a backend's
 * table: neither needs the engine lock.  A backend has a mutex of its own
 * (hq_lock: one of HQ_LOCKS, chosen by its queue, which the pool carries
 * across reloads, so every generation of a backend and of its servers
 * finds the same one), held for the pick (its scheduler, the full servers
 * skipped, the slot reserved), a queue's entry and exit, a freed slot's
 * hand-over, a waiting stream's look at its turn, and the table's rebuild
 * (http_srv.c).  A slot is reserved with a compare-and-swap on the
 * server's count below its maxconn (hq_reserve), so no count ever passes
 * it.  Order: the engine lock (if held) before a backend's mutex, which
 * comes before the pool's (ppool.lock) and the wake-up lists' (wake_lock,
 * a leaf); nothing takes the engine lock while holding one of them.
 *
 * Hand-over.  The worker whose transaction frees a slot gives it at once
 * to the oldest request that can use it (the server's queue and its
 * backend's, by arrival): the slot stays counted, the waiting stream gets
 * it (hs_wait.grant), and nobody else can take it.  That stream may
 * belong to another worker, whose stream the freeing worker must not
 * touch beyond the queue fields: it goes on that worker's px->hq_woken
 * list (under wake_lock) and the worker's eventfd is written (thread.c's
 * kick); the owner then connects it from its own loop (hq_run_woken).  A
 * stream of the freeing worker's own loop is woken through its timer.
 *
 * Each waiting stream's timer also fires every HQ_POLL_MS: the deadline,
 * a grant whose wake-up was missed, and room that came without a slot
 * being freed (a server back up, a reload that raised maxconn) are seen
 * that way; only a queue's head takes such room, so the order holds. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

#define HQ_POLL_MS 100

#define HQ_LOCKS 64 /* backends' mutexes: a backend takes one by its queue's address */

static pthread_mutex_t hq_locks[HQ_LOCKS] = {[0 ... HQ_LOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER; /* every px->hq_woken, hs_wait.woken/wake */
static _Atomic uint64_t hq_seq; /* arrival order */

static pthread_mutex_t *lock_of(const struct hbe *b)
{
	uint64_t h = (uint64_t)(uintptr_t)b->q * 0x9e3779b97f4a7c15ull;

	return &hq_locks[h >> 58]; /* the top 6 bits: HQ_LOCKS */
}

void hq_lock(const struct hbe *b)
{
	pthread_mutex_lock(lock_of(b));
}

void hq_unlock(const struct hbe *b)
{
	pthread_mutex_unlock(lock_of(b));
}

/* s's waiting state: in its transaction (a stream waits only in one). */
static struct hs_wait *W(const struct hstream *s)
{
	return &s->x->w;
}

static int waits(const struct hstream *s)
{
	return s->x && (s->x->w.q || s->x->w.grant);
}

int hq_waits(const struct hstream *s)
{
	int r;

	if (!s->x || !s->hbe)
		return 0; /* a stream waits only with its backend */
	hq_lock(s->hbe);
	r = waits(s);
	hq_unlock(s->hbe);
	return r;
}

int hq_waits_for_srv(const struct hstream *s)
{
	int r;

	if (!s->x || !s->hbe)
		return 0;
	hq_lock(s->hbe);
	r = s->x->w.q && s->x->w.to_srv;
	hq_unlock(s->hbe);
	return r;
}

/* ---- limits ---- */

static const struct real_server *server_of(const struct pool *pool, const struct rs_live *l)
{
	const struct real_server *rs;

	for (rs = pool ? pool->rs : NULL; rs; rs = rs->next)
		if (rs->live == l)
			return rs;
	return NULL;
}

static unsigned maxconn_of(const struct real_server *rs)
{
	return rs && rs->hp ? rs->hp->maxconn : 0;
}

static int at_max(const struct real_server *rs)
{
	unsigned max = maxconn_of(rs);

	return max && atomic_load_explicit(&rs->live->activeconns, memory_order_relaxed) >= max;
}

static const struct pool *pool_of(const struct hstream *s)
{
	return s->be ? s->be->pool : NULL;
}

int hq_in_backend(const struct hstream *s, const struct rs_live *l)
{
	return server_of(pool_of(s), l) != NULL;
}

unsigned hq_full(struct hstream *s, struct rs_live ***skip, size_t *n)
{
	const struct real_server *rs;
	const struct pool *pool = pool_of(s);
	struct rs_live **v = NULL;
	unsigned full = 0;

	for (rs = pool ? pool->rs : NULL; rs; rs = rs->next) {
		if (!at_max(rs))
			continue;
		if (!v) {
			v = malloc((s->x->ntried + pool->n_rs) * sizeof(*v));
			if (!v)
				return 0; /* out of memory: picked as if none were full */
			if (s->x->ntried)
				memcpy(v, s->x->tried, s->x->ntried * sizeof(*v));
			*n = s->x->ntried;
		}
		v[(*n)++] = rs->live;
		full++;
	}
	if (v)
		*skip = v;
	return full;
}

int hq_direct(struct hstream *s)
{
	const struct real_server *rs = server_of(pool_of(s), s->live);
	const struct srv_queue *q = &s->live->q;

	if (!maxconn_of(rs))
		return HPICK_OK;
	if (W(s)->q == q) /* its head, looking again */
		return at_max(rs) ? HPICK_WAIT : HPICK_OK;
	/* someone waits for it already (a slot it frees is theirs), or full */
	if (!q->cur && !at_max(rs))
		return HPICK_OK;
	if (rs->hp->maxqueue && q->cur >= rs->hp->maxqueue)
		return HPICK_QFULL;
	W(s)->to_srv = 1;
	return HPICK_WAIT;
}

int hq_backend_waits(const struct hstream *s)
{
	return s->hbe->q->head && s->hbe->q->head != s;
}

int hq_reserve(struct hstream *s)
{
	unsigned max = maxconn_of(server_of(pool_of(s), s->live));
	uint32_t cur = atomic_load_explicit(&s->live->activeconns, memory_order_relaxed);

	do {
		if (max && cur >= max)
			return 0;
	} while (!atomic_compare_exchange_weak_explicit(&s->live->activeconns, &cur, cur + 1,
							memory_order_relaxed, memory_order_relaxed));
	ctr_max_up(&s->live->smax, cur + 1);
	s->srv_active = 1;
	ctr_cur_up(&s->pvs->vsl->activeconns, &s->pvs->vsl->smax);
	return 1;
}

/* ---- in and out ---- */

static unsigned queue_ms(const struct hstream *s)
{
	return t_or(s->be->t_queue, t_or(s->be->t_connect, 5000));
}

static unsigned next_ms(const struct hstream *s)
{
	uint64_t now = loop_now(hs_loop(s));
	uint64_t left = W(s)->until_ms > now ? W(s)->until_ms - now : 1;

	if (W(s)->grant)
		return 1; /* at once: a slot is s's */
	return (unsigned)(left < HQ_POLL_MS ? left : HQ_POLL_MS);
}

unsigned hq_next_ms(const struct hstream *s)
{
	unsigned ms;

	hq_lock(s->hbe);
	ms = next_ms(s);
	hq_unlock(s->hbe);
	return ms;
}

static void arm(struct hstream *s)
{
	hs_arm(s, next_ms(s));
}

static void unlink_q(struct hstream *s)
{
	struct hs_wait *w = W(s);
	struct srv_queue *q = w->q;

	if (!q)
		return;
	if (w->prev)
		W(w->prev)->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		W(w->next)->prev = w->prev;
	else
		q->tail = w->prev;
	w->prev = w->next = NULL;
	q->cur--;
	w->q = NULL;
	w->to_srv = 0;
}

void hq_enter(struct hstream *s)
{
	struct hs_wait *w = W(s);
	struct srv_queue *q = w->to_srv && s->live ? &s->live->q : s->hbe->q;

	if (q != s->hbe->q)
		w->addr = s->x->srv_addr; /* the server's: a slot it frees is granted there */
	w->q = q;
	w->idx0 = q->idx;
	w->seq = atomic_fetch_add_explicit(&hq_seq, 1, memory_order_relaxed) + 1;
	w->start_ms = loop_now(hs_loop(s));
	w->until_ms = w->start_ms + queue_ms(s);
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		W(q->tail)->next = s;
	else
		q->head = s;
	q->tail = s;
	if (++q->cur > q->max)
		q->max = q->cur;
	arm(s);
}

/* Off px->hq_woken. */
static void unwake(struct hstream *s)
{
	struct hstream **pp;

	pthread_mutex_lock(&wake_lock);
	if (W(s)->woken) {
		for (pp = &s->pvs->px->hq_woken; *pp; pp = &W(*pp)->wake)
			if (*pp == s) {
				*pp = W(s)->wake;
				break;
			}
		W(s)->wake = NULL;
		W(s)->woken = 0;
	}
	pthread_mutex_unlock(&wake_lock);
}

static void queued_for(struct hstream *s)
{
	s->x->txn.t_queue = (int64_t)(loop_now(hs_loop(s)) - W(s)->start_ms);
}

static void slot_freed(struct hstream *s, struct rs_live *l);

/* Under the backend's mutex. */
static void leave(struct hstream *s)
{
	struct rs_live *l;

	if (!waits(s))
		return;
	l = W(s)->grant;
	unlink_q(s);
	unwake(s);
	queued_for(s);
	if (l) {
		/* a slot was handed to s, which no longer wants it */
		W(s)->grant = NULL;
		l->activeconns--;
		slot_freed(s, l);
		rs_live_unref(l);
	}
}

void hq_leave(struct hstream *s)
{
	if (!s->x || !s->hbe)
		return;
	hq_lock(s->hbe);
	leave(s);
	hq_unlock(s->hbe);
}

/* ---- hand-over ---- */

/* Tell w's worker that w holds a slot: w's own loop (the caller's) through
 * w's timer, another worker's through its list and eventfd. */
static void notify(struct hstream *w, const struct proxy *from)
{
	struct proxy *px = w->pvs->px;

	if (px == from || !px->main) {
		/* our loop; or the main thread's engine, which serves no
		 * stream while workers run: its timer finds the grant */
		loop_timer_start(px->loop, &w->timer, 0);
		return;
	}
	pthread_mutex_lock(&wake_lock);
	if (!W(w)->woken) {
		W(w)->woken = 1;
		W(w)->wake = px->hq_woken;
		px->hq_woken = w;
	}
	pthread_mutex_unlock(&wake_lock);
	proxy_kick(px);
}

/* Where s's backend's table has l, usable (up, weight): its address. */
static const struct fc_addr *usable_in(const struct hbe *b, const struct rs_live *l)
{
	size_t i;

	for (i = 0; i < b->pp->n; i++)
		if (b->pp->srv[i].live == l)
			return b->pp->ss[i].weight > 0 ? &b->pp->srv[i].addr : NULL;
	return NULL;
}

static int tried(const struct hstream *w, const struct rs_live *l)
{
	unsigned i;

	for (i = 0; i < w->x->ntried; i++)
		if (w->x->tried[i] == l)
			return 1;
	return 0;
}

/* s's queue gives it its turn (a slot, or room it found at the head):
 * its place for the log, as HAProxy counts it */
static void turn(struct hstream *s)
{
	struct hs_wait *w = W(s);
	unsigned pos = ++w->q->idx - w->idx0;

	if (s->hbe && w->q == s->hbe->q)
		s->x->txn.be_queue = pos;
	else
		s->x->txn.srv_queue = pos;
}

static void grant(struct hstream *w, struct rs_live *l, const struct fc_addr *addr,
		  const struct proxy *from)
{
	turn(w);
	unlink_q(w);
	W(w)->grant = rs_live_ref(l);
	if (addr != &W(w)->addr)
		W(w)->addr = *addr;
	ctr_cur_up(&l->activeconns, &l->smax); /* the slot is w's from now on */
	notify(w, from);
}

/* Under the backend's mutex: l's slot count went down. */
static void slot_freed(struct hstream *s, struct rs_live *l)
{
	struct hbe *b = s->hbe;
	const struct real_server *rs;
	const struct fc_addr *at;
	unsigned max;

	if (!l->q.head && (!b || !b->q->head))
		return; /* nobody waits: the common case, no lookup */
	rs = server_of(pool_of(s), l);
	if (!rs)
		return; /* not the backend's any more: the waiters look again */
	max = maxconn_of(rs);
	while (!max || atomic_load_explicit(&l->activeconns, memory_order_relaxed) < max) {
		struct hstream *ws = l->q.head, *wb = b ? b->q->head : NULL;

		at = wb ? usable_in(b, l) : NULL;
		if (wb && (!at || tried(wb, l)))
			wb = NULL; /* the backend's head cannot use this server */
		if (ws && (!wb || W(ws)->seq < W(wb)->seq))
			grant(ws, l, &W(ws)->addr, s->pvs->px);
		else if (wb)
			grant(wb, l, at, s->pvs->px);
		else
			break;
	}
}

void hq_release(struct hstream *s)
{
	struct rs_live *l = s->live;

	if (!s->hbe) {
		/* no backend, nobody to hand the slot to (not reached: a slot is
		 * reserved through its backend, kept until the slot goes) */
		l->activeconns--;
		s->pvs->vsl->activeconns--;
		return;
	}
	hq_lock(s->hbe);
	l->activeconns--;
	s->pvs->vsl->activeconns--;
	slot_freed(s, l); /* to a request waiting for it */
	hq_unlock(s->hbe);
}

/* ---- the waiting stream's side ---- */

/* s holds a granted slot (under the backend's mutex): taken out of the
 * wait, its server and address into *l and *addr. */
static void take_grant(struct hstream *s, struct rs_live **l, struct fc_addr *addr)
{
	*l = W(s)->grant;
	*addr = W(s)->addr;
	W(s)->grant = NULL;
	unwake(s);
	queued_for(s);
}

/* What a waiting stream's look decided, done once the mutex is given up
 * (they connect or answer: the engine lock's work, never under a
 * backend's mutex). */
enum hq_act { HQ_WAIT, HQ_GRANTED, HQ_ROOM, HQ_NONE, HQ_TIMEOUT };

void hq_timer(struct hstream *s)
{
	enum hq_act act = HQ_WAIT;
	struct rs_live *l = NULL;
	struct fc_addr addr;
	int r;

	if (!s->x || !s->hbe)
		return;
	hq_lock(s->hbe);
	if (W(s)->grant) {
		take_grant(s, &l, &addr);
		act = HQ_GRANTED;
	} else if (!W(s)->q) {
		hq_unlock(s->hbe);
		return;
	} else if (W(s)->q->head == s) {
		/* room that came without a slot freed (a server up, a reload);
		 * HPICK_WAIT: still full, s stays at the head; HPICK_OK: the
		 * slot is reserved */
		r = hsrv_pick_locked(s);
		if (r == HPICK_OK) {
			turn(s);
			leave(s);
			act = HQ_ROOM;
		} else if (r != HPICK_WAIT) {
			leave(s);
			act = HQ_NONE;
		}
	}
	if (act == HQ_WAIT && loop_now(hs_loop(s)) >= W(s)->until_ms) {
		leave(s);
		act = HQ_TIMEOUT;
	}
	if (act == HQ_WAIT)
		arm(s);
	hq_unlock(s->hbe);
	switch (act) {
	case HQ_GRANTED:
		rs_live_unref(s->live);
		s->live = l; /* the grant's reference */
		s->x->srv_addr = addr;
		ctr_conn(&s->live->ctr);
		s->srv_active = 1; /* the slot counted by the grant */
		ctr_cur_up(&s->pvs->vsl->activeconns, &s->pvs->vsl->smax);
		htxn_connect(s);
		break;
	case HQ_ROOM:
		htxn_connect(s);
		break;
	case HQ_NONE:
		htxn_error(s, 503);
		break;
	case HQ_TIMEOUT:
		memcpy(s->x->txn.term, "sQ", 3);
		htxn_error(s, 503);
		break;
	case HQ_WAIT:
		break;
	}
}

void hq_run_woken(struct proxy *px)
{
	struct hstream *s;

	for (;;) {
		pthread_mutex_lock(&wake_lock);
		s = px->hq_woken;
		if (s) {
			px->hq_woken = W(s)->wake;
			W(s)->wake = NULL;
			W(s)->woken = 0;
		}
		pthread_mutex_unlock(&wake_lock);
		if (!s)
			break;
		hs_queue_wake(s);
	}
}
