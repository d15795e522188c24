/* The HTTP engine's backends and servers: one server table and scheduler
 * per backend in use (a request may go to a backend that is no service's
 * pool, so the service's own ppool is not enough), the choice of a server
 * per request, and the server socket.
 *
 * The tables are the engine's, not a worker's: they hang off the main
 * thread's struct proxy (bes_of), so a backend's roundrobin position, its
 * leastconn counts and its hash are those of the backend as a whole, as
 * in HAProxy, whatever worker the kernel gave the client to.  The list
 * and the references taken from it are under a mutex of its own (bes_lock,
 * hbe_get: once per client connection, a stream keeps its table), a
 * reference is dropped with an atomic (hbe_put); a table's picks and its
 * rebuild are under the backend's own mutex (hq_lock, http_queue.c).  So
 * neither needs the engine lock.  Order: the engine lock (if held), then
 * bes_lock, then a backend's mutex; nothing takes bes_lock under those.
 *
 * A backend's table is rebuilt when its pool changed.  The engine is told
 * of changes per service (engine_ops.update), never per pool, so the
 * table carries a signature of what it was built from (each server's
 * address, health and weight: atomics, model-t.h) and a request that finds
 * it differs from the pool's rebuilds it (hbe_fresh): a few loads per
 * server per request, no lock, no notification to miss. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "http/h1.h"
#include "model/ctr.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

#define HBE_IDLE_MS 60000 /* a backend nobody used this long is freed */

/* FNV-1a over what the table is made of. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 1099511628211ull;
	return h;
}

static uint64_t pool_sig(const struct pool *pool)
{
	uint64_t h = 14695981039346656037ull;
	const struct real_server *rs;

	for (rs = pool->rs; rs; rs = rs->next) {
		int w = rs_effective_weight(rs);
		enum rs_health_state hl = rs_health_of(rs);

		h = mix(h, &rs->live, sizeof(rs->live));
		h = mix(h, &rs->addr, sizeof(rs->addr));
		h = mix(h, &hl, sizeof(hl));
		h = mix(h, &w, sizeof(w));
	}
	return mix(h, pool->sched, strlen(pool->sched));
}

/* The backends' list and the references taken from it (one mutex for the
 * process: there is one main engine). */
static pthread_mutex_t bes_lock = PTHREAD_MUTEX_INITIALIZER;

/* The list of the backends in use: the main thread's engine's. */
static struct hbe **bes_of(struct proxy *px)
{
	return px->main ? &px->main->http_bes : &px->http_bes;
}

/* last_ms may come from another worker's loop, whose clock was read a
 * moment later: never count that as ages of idleness. */
static int hbe_idle(const struct hbe *b, uint64_t now)
{
	uint64_t last = atomic_load_explicit(&b->last_ms, memory_order_relaxed);

	return now > last && now - last >= HBE_IDLE_MS;
}

static void hbe_free(struct hbe *b)
{
	srv_queue_unref(b->q);
	ppool_unref(b->pp);
	free(b);
}

/* Held: bes_lock.  A reference is taken only under it, so a count read
 * 0 here stays 0 (a drop, hbe_put, wrote last_ms before it). */
static void reap_locked(struct proxy *px, int all)
{
	struct hbe **pb = bes_of(px), *b;
	uint64_t now = loop_now(px->loop);

	while ((b = *pb)) {
		if (!atomic_load_explicit(&b->refs, memory_order_acquire) && (all || hbe_idle(b, now))) {
			*pb = b->next;
			hbe_free(b);
		} else {
			pb = &b->next;
		}
	}
}

void hbe_reap(struct proxy *px, int all)
{
	pthread_mutex_lock(&bes_lock);
	reap_locked(px, all);
	pthread_mutex_unlock(&bes_lock);
}

/* The pool's queue, made at first use (live state, as a server's rs_live),
 * under bes_lock; the main thread reads pool->q (show stat) with no lock
 * of ours: published with a release store once made. */
static struct srv_queue *pool_queue(const struct pool *pool)
{
	struct srv_queue *q = atomic_load_explicit(&pool->q, memory_order_acquire);

	if (q)
		return q;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->refs = 1;
	atomic_store_explicit(&((struct pool *)pool)->q, q, memory_order_release);
	return q;
}

static struct hbe *hbe_new(const struct pool *pool, uint64_t sig)
{
	char err[ERRLEN];
	struct hbe *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->pp = ppool_new();
	b->key = pool;
	b->q = b->pp ? pool_queue(pool) : NULL;
	if (!b->q) {
		hbe_free(b);
		return NULL;
	}
	b->q->refs++;
	if (ppool_rebuild(b->pp, pool, err, sizeof(err)) < 0) {
		log_err("http: backend %s: %s", pool->name, err);
		hbe_free(b);
		return NULL;
	}
	b->sig = sig;
	return b;
}

static void fresh(struct hbe *b, const struct pool *pool, uint64_t sig)
{
	char err[ERRLEN];

	if (atomic_load_explicit(&b->sig, memory_order_relaxed) == sig)
		return;
	/* a worker may be picking from it: under the backend's mutex */
	hq_lock(b);
	if (atomic_load_explicit(&b->sig, memory_order_relaxed) != sig) {
		if (ppool_rebuild(b->pp, pool, err, sizeof(err)) < 0)
			log_err("http: backend %s: %s", pool->name, err); /* the old table stays */
		else
			atomic_store_explicit(&b->sig, sig, memory_order_relaxed);
	}
	hq_unlock(b);
}

void hbe_fresh(struct hbe *b, const struct pool *pool)
{
	fresh(b, pool, pool_sig(pool));
}

struct hbe *hbe_get(struct proxy *px, const struct pool *pool)
{
	uint64_t sig = pool_sig(pool);
	struct hbe **bes = bes_of(px), *b;

	pthread_mutex_lock(&bes_lock);
	reap_locked(px, 0);
	for (b = *bes; b; b = b->next)
		if (b->key == pool)
			break;
	if (!b) {
		b = hbe_new(pool, sig);
		if (b) {
			b->next = *bes;
			*bes = b;
		}
	} else {
		fresh(b, pool, sig);
	}
	if (b) {
		atomic_store_explicit(&b->last_ms, loop_now(px->loop), memory_order_relaxed);
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	}
	pthread_mutex_unlock(&bes_lock);
	return b;
}

void hbe_adopt(struct hstream *s)
{
	struct hbe *b;

	if (!s->hbe || !s->be || s->hbe->key == s->be->pool)
		return;
	b = hbe_get(s->pvs->px, s->be->pool);
	if (!b)
		return; /* out of memory: the old table stays */
	if (b->q != s->hbe->q && hq_waits(s)) {
		/* not the queue it waits in: it stays there (its deadline) */
		hbe_put(s->pvs->px, b);
		return;
	}
	hbe_put(s->pvs->px, s->hbe);
	s->hbe = b;
}

void hbe_put(struct proxy *px, struct hbe *b)
{
	if (!b)
		return;
	/* last_ms first: once the count is 0 a reap may free b */
	atomic_store_explicit(&b->last_ms, loop_now(px->loop), memory_order_relaxed);
	atomic_fetch_sub_explicit(&b->refs, 1, memory_order_release);
}

/* balance uri [whole] [len N] [depth N]: the path (with the query if
 * whole), cut after `depth` slashes and at `len` characters. */
static void uri_key(const struct h1_msg *m, const struct hp_balance *b, const char **k, size_t *n)
{
	const char *q;
	size_t ql, i, slashes = 0;

	h1_req_path(m, k, n);
	if (b->uri_whole) {
		h1_req_query(m, &q, &ql);
		if (ql && q == *k + *n + 1)
			*n += ql + 1;
	}
	for (i = 0; b->uri_depth && i < *n; i++)
		if ((*k)[i] == '/' && ++slashes > b->uri_depth) {
			*n = i;
			break;
		}
	if (b->uri_len && *n > b->uri_len)
		*n = b->uri_len;
}

/* url_param NAME: the parameter's value in the query, or none. */
static void param_key(const struct h1_msg *m, const char *name, const char **k, size_t *n)
{
	const char *q, *end;
	size_t ql, nl = strlen(name);

	h1_req_query(m, &q, &ql);
	for (end = q + ql; q < end;) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *e = amp ? amp : end;

		if ((size_t)(e - q) > nl && !memcmp(q, name, nl) && q[nl] == '=') {
			*k = q + nl + 1;
			*n = (size_t)(e - *k);
			return;
		}
		q = e + 1;
	}
}

/* What the backend's balance hashes for this request (sched_input.key);
 * none: the scheduler hashes the client's address. */
static void balance_key(const struct hstream *s, const char **k, size_t *n)
{
	const struct hp_balance *b = &s->be->balance;
	uint64_t st = 0;

	*k = NULL;
	*n = 0;
	switch (b->src) {
	case HP_HASH_URI:
		uri_key(&s->x->req, b, k, n);
		break;
	case HP_HASH_URL_PARAM:
		param_key(&s->x->req, b->name, k, n);
		break;
	case HP_HASH_HDR:
		(void)h1_hdr_next_value(&s->x->req, b->name, strlen(b->name), &st, k, n);
		break;
	default:
		break;
	}
}

/* s->live chosen: its slot reserved (hq_reserve), HPICK_OK; else (the
 * last slot went to a pick of another backend's generation) s waits, for
 * that server if its persistence or hash chose it (to_srv). */
static int reserved(struct hstream *s, int to_srv)
{
	if (!hq_reserve(s)) {
		s->x->w.to_srv = (uint8_t)to_srv;
		return HPICK_WAIT;
	}
	ctr_conn(&s->live->ctr);
	return HPICK_OK;
}

int hsrv_pick_locked(struct hstream *s)
{
	struct proxy *px = s->pvs->px;
	struct sched_input in = {.client = &s->client, .dest = &s->dst, .now_ms = loop_now(px->loop)};
	struct ppool *pp = s->hbe->pp;
	struct rs_live **skip = s->x->tried;
	size_t nskip = s->x->ntried;
	int hashed = hsrv_hashes(s);
	unsigned full = 0;
	int i, r;

	if (s->be) {
		const char *key;

		balance_key(s, &key, &in.keylen);
		in.key = key;
		in.draws = s->be->balance.random_draws;
	}
	if (s->ck_direct && !hq_in_backend(s, s->ck_live))
		s->ck_direct = 0; /* its server left the backend (a reload) */
	if (hck_pick(s)) {
		/* its persistence's server, or its queue (http_queue.c) */
		r = hq_direct(s);
		if (r == HPICK_QFULL && s->be && (s->be->options & HP_OPT_REDISPATCH))
			s->ck_direct = 0; /* maxqueue: persistence gives way */
		else if (r != HPICK_OK)
			return r;
		else
			return reserved(s, 1);
	}
	if (!hashed) {
		/* nobody overtakes the requests waiting for this backend */
		if (hq_backend_waits(s))
			return HPICK_WAIT;
		full = hq_full(s, &skip, &nskip);
	}
	i = ppool_pick(pp, &in, skip, nskip);
	if (skip != s->x->tried)
		free(skip);
	if (i < 0)
		return full ? HPICK_WAIT : HPICK_NONE;
	rs_live_unref(s->live);
	s->live = rs_live_ref(pp->srv[i].live);
	s->x->srv_addr = pp->srv[i].addr;
	/* a hash keeps its key on its server: full, the request waits there */
	r = hashed ? hq_direct(s) : HPICK_OK;
	return r == HPICK_OK ? reserved(s, hashed) : r;
}

int hsrv_pick(struct hstream *s)
{
	int r;

	hq_lock(s->hbe);
	r = hsrv_pick_locked(s);
	if (r == HPICK_WAIT)
		hq_enter(s);
	hq_unlock(s->hbe);
	return r;
}

int hsrv_hashes(const struct hstream *s)
{
	return s->be && s->be->balance.src != HP_HASH_NONE;
}

int hsrv_usable(const struct hstream *s, const struct rs_live *l)
{
	return ppool_usable(s->hbe ? s->hbe->pp : NULL, l);
}

/* HAProxy 2.6 retries a failed connection on the same server, and with
 * option redispatch goes to another one as redispatch_due says (proxy.h);
 * a request is tied to its server by a cookie or a hashing balance. */
int hsrv_redispatch_now(const struct hstream *s)
{
	const struct http_proxy *be = s->be;

	if (!be || !(be->options & HP_OPT_REDISPATCH))
		return 0;
	return redispatch_due(be->redispatch_after, be->retries, s->x->nconnects,
			      hsrv_usable(s, s->live), s->ck_direct || hsrv_hashes(s),
			      ppool_serving(s->hbe ? s->hbe->pp : NULL));
}

void hsrv_close(struct hstream *s, int rst)
{
	struct proxy *px = s->pvs->px;

	if (s->sfd < 0)
		return;
	/* the socket is this worker's: no lock for its syscalls */
	proxy_unlock(px);
	loop_io_del(px->loop, &s->sio);
	hs_tls_free(s->stls, !rst); /* close_notify first, unless reset */
	if (rst)
		sock_set_rst(s->sfd);
	close(s->sfd);
	proxy_relock(px);
	s->stls = NULL;
	s->sfd = -1;
	s->srv_state = HSS_NONE;
	s->sin.off = s->sin.len = 0;
	s->sin_eof = 0;
}

int hsrv_connect(struct hstream *s)
{
	struct proxy *px = s->pvs->px;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, plain;
	uint32_t ev;
	ssize_t sent = 0;

	if (s->sfd >= 0 && s->srv_state == HSS_READY && addr_equal(&s->x->srv_addr, &s->srv_held) &&
	    hs_stls_reusable(s)) {
		s->srv_reused = 1;
		return 0;
	}
	hsrv_close(s, 0);
	s->srv_reused = 0;
	sl = addr_to_sockaddr(&s->x->srv_addr, &ss);
	plain = !hs_stls_wanted(s);
	/* the syscalls touch nothing shared: no lock (as tcp.c) */
	proxy_unlock(px);
	proxy_fd_enter(px); /* not while a sibling sheds (proxy.h) */
	fd = socket(s->x->srv_addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	proxy_fd_leave(px);
	if (fd >= 0) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
			ev = 0;
		else if (plain && (sent = hs_send_early(s, fd)) > 0)
			ev = EPOLLIN | (hbuf_data(&s->sout) ? EPOLLOUT : 0); /* the answer next */
		else
			ev = EPOLLOUT; /* the connect's outcome first */
		if (!ev || loop_io_add(px->loop, &s->sio, fd, ev, hstream_on_io, s) < 0) {
			close(fd);
			fd = -1;
		}
	}
	proxy_relock(px);
	if (sent > 0)
		s->srv_sent = 1; /* bytes went: a failure is no longer retried */
	if (fd < 0)
		return -1;
	s->sfd = fd;
	s->srv_held = s->x->srv_addr;
	s->srv_state = sent > 0 ? HSS_READY : HSS_CONNECTING;
	if (hs_stls_start(s) < 0) {
		log_err("http: out of memory for a TLS session");
		hsrv_close(s, 1);
		return -1;
	}
	return 0;
}
