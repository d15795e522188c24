/* Persistence templates: a chained hash on the masked client address.
 * See persist.h for the lifetime rules and the locking. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "proxy/persist.h"

#define PERSIST_MIN_BUCKETS 64

void persist_init(struct persist_table *t, unsigned timeout_s, unsigned prefix)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->timeout_ms = (uint64_t)timeout_s * 1000;
	t->prefix = prefix;
}

void persist_destroy(struct persist_table *t)
{
	persist_clear(t);
	pthread_mutex_destroy(&t->lock);
}

void persist_set_timeout(struct persist_table *t, unsigned timeout_s)
{
	size_t i;
	struct persist_tpl *p;

	pthread_mutex_lock(&t->lock);
	t->timeout_ms = (uint64_t)timeout_s * 1000;
	for (i = 0; i < t->nbuckets; i++)
		for (p = t->buckets[i]; p; p = p->next)
			p->timeout_ms = t->timeout_ms;
	pthread_mutex_unlock(&t->lock);
}

void persist_config(struct persist_table *t, unsigned timeout_s, unsigned prefix)
{
	if (!timeout_s || prefix != t->prefix) {
		/* off, or other granularity, other keys: start over */
		persist_clear(t);
		t->timeout_ms = (uint64_t)timeout_s * 1000;
		t->prefix = timeout_s ? prefix : 0;
		return;
	}
	persist_set_timeout(t, timeout_s);
}

void persist_key(const struct persist_table *t, const struct fc_addr *client, struct fc_addr *key)
{
	*key = *client;
	key->port = 0;
	/* 0 would make every client one network: read it as "whole address" */
	if (t->prefix)
		addr_mask(key, t->prefix);
}

static size_t bucket_of(const struct persist_table *t, const struct fc_addr *key)
{
	return addr_hash(key, 0) & (t->nbuckets - 1);
}

static void tpl_free(struct persist_tpl *p)
{
	rs_live_unref(p->live);
	free(p);
}

/* One reference less; the last one frees.  Whoever drops it last (the
 * table's unlink, or one of several workers' releases) frees, once. */
static void tpl_unref(struct persist_tpl *p)
{
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
		tpl_free(p);
}

/* Unlink p from its chain (prev is its predecessor or NULL); the table's
 * reference goes.  Under the table's lock. */
static void unlink_at(struct persist_table *t, size_t b, struct persist_tpl *prev,
		      struct persist_tpl *p)
{
	if (prev)
		prev->next = p->next;
	else
		t->buckets[b] = p->next;
	p->next = NULL;
	p->linked = 0;
	t->count--;
	tpl_unref(p);
}

/* Controls nothing (the table's reference is the only one) and its time
 * is up.  The acquire pairs with a release's decrement, which follows its
 * store of the new expiry: a count of 1 read here sees that expiry.  No
 * reference can be taken meanwhile: only under the lock, held here. */
static int expired(const struct persist_tpl *p, uint64_t now_ms)
{
	return atomic_load_explicit(&p->refs, memory_order_acquire) == 1 &&
	       now_ms >= atomic_load_explicit(&p->expires_ms, memory_order_relaxed);
}

/* persist_find under the table's lock. */
static struct persist_tpl *find_locked(struct persist_table *t, const struct fc_addr *client,
				       uint64_t now_ms)
{
	struct fc_addr key;
	struct persist_tpl *p, *prev = NULL;
	size_t b;

	if (!persist_on(t) || !t->count)
		return NULL;
	persist_key(t, client, &key);
	b = bucket_of(t, &key);
	for (p = t->buckets[b]; p; prev = p, p = p->next) {
		if (!addr_ip_equal(&p->key, &key))
			continue;
		if (expired(p, now_ms)) {
			unlink_at(t, b, prev, p);
			return NULL;
		}
		return p;
	}
	return NULL;
}

struct persist_tpl *persist_find(struct persist_table *t, const struct fc_addr *client,
				 uint64_t now_ms)
{
	struct persist_tpl *p;

	pthread_mutex_lock(&t->lock);
	p = find_locked(t, client, now_ms);
	pthread_mutex_unlock(&t->lock);
	return p;
}

static int grow(struct persist_table *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : PERSIST_MIN_BUCKETS, i;
	struct persist_tpl **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -1;
	for (i = 0; i < t->nbuckets; i++) {
		struct persist_tpl *p = t->buckets[i], *next;

		for (; p; p = next) {
			size_t b = addr_hash(&p->key, 0) & (n - 1);

			next = p->next;
			p->next = nb[b];
			nb[b] = p;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
	t->reap_pos = 0;
	return 0;
}

static void link_tpl(struct persist_table *t, struct persist_tpl *p)
{
	size_t b = bucket_of(t, &p->key);

	p->next = t->buckets[b];
	t->buckets[b] = p;
	p->linked = 1;
	p->timeout_ms = t->timeout_ms;
	t->count++;
}

/* Take p out of t if it is still there.  Under the table's lock. */
static void drop_locked(struct persist_table *t, struct persist_tpl *tpl)
{
	struct persist_tpl *p, *prev = NULL;
	size_t b;

	if (!tpl->linked || !t->nbuckets)
		return;
	b = bucket_of(t, &tpl->key);
	for (p = t->buckets[b]; p; prev = p, p = p->next) {
		if (p == tpl) {
			unlink_at(t, b, prev, p);
			return;
		}
	}
}

/* persist_add under the table's lock. */
static struct persist_tpl *add_locked(struct persist_table *t, const struct fc_addr *client,
				      const struct fc_addr *server, struct rs_live *live,
				      uint64_t now_ms)
{
	struct persist_tpl *p, *old;

	if (!persist_on(t))
		return NULL;
	/* an expired template is dropped by find; a live one is replaced */
	old = find_locked(t, client, now_ms);
	if (old)
		drop_locked(t, old);
	if (t->count >= t->nbuckets && grow(t) < 0 && !t->nbuckets)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	persist_key(t, client, &p->key);
	p->server = *server;
	p->live = rs_live_ref(live);
	atomic_init(&p->refs, 1); /* the table's */
	link_tpl(t, p);
	atomic_init(&p->expires_ms, now_ms + t->timeout_ms);
	return p;
}

struct persist_tpl *persist_add(struct persist_table *t, const struct fc_addr *client,
				const struct fc_addr *server, struct rs_live *live, uint64_t now_ms)
{
	struct persist_tpl *p;

	pthread_mutex_lock(&t->lock);
	p = add_locked(t, client, server, live, now_ms);
	pthread_mutex_unlock(&t->lock);
	return p;
}

void persist_hold(struct persist_tpl *tpl)
{
	atomic_fetch_add_explicit(&tpl->refs, 1, memory_order_relaxed);
}

void persist_release(struct persist_tpl *tpl, uint64_t now_ms)
{
	/* stored before the decrement, which publishes it (see expired) */
	atomic_store_explicit(&tpl->expires_ms, now_ms + tpl->timeout_ms, memory_order_relaxed);
	tpl_unref(tpl);
}

/* May a client placed now follow tpl? */
static int usable(const struct persist_tpl *tpl, const struct persist_want *w)
{
	size_t i;

	for (i = 0; i < w->ntried; i++)
		if (w->tried[i] == tpl->live)
			return 0;
	return persist_tpl_valid(tpl, w->table, w->n);
}

struct persist_tpl *persist_get(struct persist_table *t, const struct fc_addr *client,
				uint64_t now_ms, const struct persist_want *w)
{
	struct persist_tpl *p;

	pthread_mutex_lock(&t->lock);
	p = find_locked(t, client, now_ms);
	if (p && usable(p, w)) {
		persist_hold(p);
	} else if (p) {
		drop_locked(t, p);
		p = NULL;
	}
	pthread_mutex_unlock(&t->lock);
	return p;
}

struct persist_tpl *persist_put(struct persist_table *t, const struct fc_addr *client,
				const struct fc_addr *server, struct rs_live *live,
				uint64_t now_ms, const struct persist_want *w)
{
	struct persist_tpl *p;

	pthread_mutex_lock(&t->lock);
	/* another worker placed a client of this network since our miss:
	 * follow its template, so that the network sticks to one server */
	p = find_locked(t, client, now_ms);
	if (!p || !usable(p, w))
		p = add_locked(t, client, server, live, now_ms);
	if (p)
		persist_hold(p);
	pthread_mutex_unlock(&t->lock);
	return p;
}

void persist_drop(struct persist_table *t, struct persist_tpl *tpl)
{
	pthread_mutex_lock(&t->lock);
	drop_locked(t, tpl);
	pthread_mutex_unlock(&t->lock);
}

size_t persist_reap(struct persist_table *t, uint64_t now_ms, size_t max_visit)
{
	size_t visited = 0, freed = 0, steps;

	pthread_mutex_lock(&t->lock);
	/* at most one pass over the buckets per call, and max_visit entries */
	for (steps = 0; steps < t->nbuckets && visited < max_visit; steps++) {
		size_t b = t->reap_pos;
		struct persist_tpl *p = t->buckets[b], *prev = NULL, *next;

		for (; p; p = next) {
			next = p->next;
			visited++;
			if (expired(p, now_ms)) {
				unlink_at(t, b, prev, p);
				freed++;
			} else {
				prev = p;
			}
		}
		t->reap_pos = (b + 1) & (t->nbuckets - 1);
	}
	pthread_mutex_unlock(&t->lock);
	return freed;
}

void persist_move(struct persist_table *dst, struct persist_table *src)
{
	size_t i;

	/* an apply's, with the workers parked: nobody else waits for these */
	pthread_mutex_lock(&dst->lock);
	pthread_mutex_lock(&src->lock);
	for (i = 0; i < src->nbuckets; i++) {
		struct persist_tpl *p = src->buckets[i], *next;

		for (; p; p = next) {
			next = p->next;
			p->next = NULL;
			if (dst->count >= dst->nbuckets && grow(dst) < 0 && !dst->nbuckets) {
				/* no memory: this client loses its stickiness, nothing breaks */
				p->linked = 0;
				tpl_unref(p);
				continue;
			}
			link_tpl(dst, p);
		}
		src->buckets[i] = NULL;
	}
	src->count = 0;
	pthread_mutex_unlock(&src->lock);
	pthread_mutex_unlock(&dst->lock);
}

void persist_clear(struct persist_table *t)
{
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nbuckets; i++)
		while (t->buckets[i])
			unlink_at(t, i, NULL, t->buckets[i]);
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
	t->reap_pos = 0;
	pthread_mutex_unlock(&t->lock);
}

int persist_tpl_valid(const struct persist_tpl *tpl, struct rs_live *const *table, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i] == tpl->live)
			return 1;
	return 0;
}
