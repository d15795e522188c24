/* Persistence templates: a chained hash on the masked client address.
 * See persist.h for the lifetime rules. */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "proxy/persist.h"

#define PERSIST_MIN_BUCKETS 64

void persist_init(struct persist_table *t, unsigned timeout_s, unsigned prefix)
{
	memset(t, 0, sizeof(*t));
	t->timeout_ms = (uint64_t)timeout_s * 1000;
	t->prefix = prefix;
}

void persist_set_timeout(struct persist_table *t, unsigned timeout_s)
{
	size_t i;
	struct persist_tpl *p;

	t->timeout_ms = (uint64_t)timeout_s * 1000;
	for (i = 0; i < t->nbuckets; i++)
		for (p = t->buckets[i]; p; p = p->next)
			p->timeout_ms = t->timeout_ms;
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

/* Unlink p from its chain (prev is its predecessor or NULL). */
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
	if (!p->nconns)
		tpl_free(p);
}

static int expired(const struct persist_tpl *p, uint64_t now_ms)
{
	return !p->nconns && now_ms >= p->expires_ms;
}

struct persist_tpl *persist_find(struct persist_table *t, const struct fc_addr *client,
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

struct persist_tpl *persist_add(struct persist_table *t, const struct fc_addr *client,
				const struct fc_addr *server, struct rs_live *live, uint64_t now_ms)
{
	struct persist_tpl *p, *old;

	if (!persist_on(t))
		return NULL;
	/* an expired template is dropped by find; a live one is replaced */
	old = persist_find(t, client, now_ms);
	if (old)
		persist_drop(t, old);
	if (t->count >= t->nbuckets && grow(t) < 0 && !t->nbuckets)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	persist_key(t, client, &p->key);
	p->server = *server;
	p->live = rs_live_ref(live);
	link_tpl(t, p);
	p->expires_ms = now_ms + t->timeout_ms;
	return p;
}

void persist_hold(struct persist_tpl *tpl)
{
	tpl->nconns++;
}

void persist_release(struct persist_tpl *tpl, uint64_t now_ms)
{
	if (tpl->nconns)
		tpl->nconns--;
	tpl->expires_ms = now_ms + tpl->timeout_ms;
	if (!tpl->nconns && !tpl->linked)
		tpl_free(tpl);
}

void persist_drop(struct persist_table *t, struct persist_tpl *tpl)
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

size_t persist_reap(struct persist_table *t, uint64_t now_ms, size_t max_visit)
{
	size_t visited = 0, freed = 0, steps;

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
	return freed;
}

void persist_move(struct persist_table *dst, struct persist_table *src)
{
	size_t i;

	for (i = 0; i < src->nbuckets; i++) {
		struct persist_tpl *p = src->buckets[i], *next;

		for (; p; p = next) {
			next = p->next;
			p->next = NULL;
			if (dst->count >= dst->nbuckets && grow(dst) < 0 && !dst->nbuckets) {
				/* no memory: this client loses its stickiness, nothing breaks */
				p->linked = 0;
				if (!p->nconns)
					tpl_free(p);
				continue;
			}
			link_tpl(dst, p);
		}
		src->buckets[i] = NULL;
	}
	src->count = 0;
}

void persist_clear(struct persist_table *t)
{
	size_t i;

	for (i = 0; i < t->nbuckets; i++)
		while (t->buckets[i])
			unlink_at(t, i, NULL, t->buckets[i]);
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
	t->reap_pos = 0;
}

int persist_tpl_valid(const struct persist_tpl *tpl, struct rs_live *const *table, size_t n)
{
	size_t i;

	/* held: up, but out of the pool while the service lacks quorum */
	if (tpl->live->admin == RS_ADMIN_DISABLED || tpl->live->health != RS_HEALTH_UP ||
	    tpl->live->held)
		return 0;
	for (i = 0; i < n; i++)
		if (table[i] == tpl->live)
			return 1;
	return 0;
}
