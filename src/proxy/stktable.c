/* Stick tables (contract in stktable.h): a chained hash over the keys and
 * a list in order of last use, whose tail is both the entry evicted when
 * the table is full and the first to expire. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/stktable.h"

struct stk_ent {
	struct stk_ent *hnext;	       /* bucket chain */
	struct stk_ent *newer, *older; /* use order: t->newest ... t->oldest */
	uint64_t used_ms;
	uint32_t hash;
	uint32_t klen;
	char srv[STK_SRV_NAME];
	unsigned char key[];
};

struct stktable {
	char *name; /* owned (registry tables), or NULL */
	struct hp_stick_table def;
	pthread_mutex_t lock;
	struct stk_ent **buckets;
	size_t nbuckets; /* a power of two */
	size_t n;
	struct stk_ent *newest, *oldest;
	struct stktable *next; /* registry */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stktable *registry;

static uint32_t hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Empty buckets for def: 0, or -1 out of memory. */
static int size_for(struct stktable *t, const struct hp_stick_table *def)
{
	size_t nb;

	/* about one entry per bucket when full, at most 1M buckets */
	for (nb = 16; nb < def->size && nb < (1u << 20); nb <<= 1)
		;
	free(t->buckets);
	t->buckets = calloc(nb, sizeof(*t->buckets));
	t->nbuckets = t->buckets ? nb : 0;
	t->def = *def;
	return t->buckets ? 0 : -1;
}

struct stktable *stktable_new(const struct hp_stick_table *def)
{
	struct stktable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (size_for(t, def) < 0) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static void free_entries(struct stktable *t)
{
	struct stk_ent *e, *next;

	for (e = t->newest; e; e = next) {
		next = e->older;
		free(e);
	}
	t->newest = t->oldest = NULL;
	t->n = 0;
}

void stktable_free(struct stktable *t)
{
	if (!t)
		return;
	free_entries(t);
	pthread_mutex_destroy(&t->lock);
	free(t->buckets);
	free(t->name);
	free(t);
}

static void unlink_use(struct stktable *t, struct stk_ent *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void push_newest(struct stktable *t, struct stk_ent *e)
{
	e->older = t->newest;
	e->newer = NULL;
	if (t->newest)
		t->newest->newer = e;
	t->newest = e;
	if (!t->oldest)
		t->oldest = e;
}

static void drop(struct stktable *t, struct stk_ent *e)
{
	struct stk_ent **pp = &t->buckets[e->hash & (t->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	unlink_use(t, e);
	free(e);
	t->n--;
}

/* Each worker passes its own loop's clock, read at the start of its round:
 * an entry another worker used a moment later than `now` is not old (the
 * difference would wrap, and every such lookup miss), and its use never goes
 * back in time (touch). */
static int expired(const struct stktable *t, const struct stk_ent *e, uint64_t now)
{
	return t->def.expire_ms && now > e->used_ms && now - e->used_ms >= t->def.expire_ms;
}

static void touch(struct stk_ent *e, uint64_t now)
{
	if (now > e->used_ms)
		e->used_ms = now;
}

static struct stk_ent *find(struct stktable *t, const void *key, size_t klen, uint32_t h)
{
	struct stk_ent *e;

	for (e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen))
			return e;
	return NULL;
}

int stktable_get(struct stktable *t, const void *key, size_t klen, uint64_t now_ms, char *srv)
{
	uint32_t h = hash(key, klen);
	struct stk_ent *e;
	int found = 0;

	pthread_mutex_lock(&t->lock);
	e = t->buckets ? find(t, key, klen, h) : NULL;
	if (e && expired(t, e, now_ms)) {
		drop(t, e);
		e = NULL;
	}
	if (e) {
		touch(e, now_ms);
		unlink_use(t, e);
		push_newest(t, e);
		memcpy(srv, e->srv, STK_SRV_NAME);
		found = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

int stktable_put(struct stktable *t, const void *key, size_t klen, const char *srv, uint64_t now_ms)
{
	uint32_t h = hash(key, klen);
	struct stk_ent *e;

	pthread_mutex_lock(&t->lock);
	if (!t->buckets) {
		pthread_mutex_unlock(&t->lock);
		return -1;
	}
	/* the expired leave first, then the least recently used if full */
	while (t->oldest && expired(t, t->oldest, now_ms))
		drop(t, t->oldest);
	e = find(t, key, klen, h);
	if (e) {
		unlink_use(t, e);
	} else {
		if (t->n >= t->def.size && t->oldest)
			drop(t, t->oldest);
		e = calloc(1, sizeof(*e) + klen);
		if (!e) {
			pthread_mutex_unlock(&t->lock);
			return -1;
		}
		e->hash = h;
		e->klen = (uint32_t)klen;
		memcpy(e->key, key, klen);
		e->hnext = t->buckets[h & (t->nbuckets - 1)];
		t->buckets[h & (t->nbuckets - 1)] = e;
		t->n++;
	}
	strncpy(e->srv, srv, STK_SRV_NAME - 1);
	e->srv[STK_SRV_NAME - 1] = 0;
	touch(e, now_ms);
	push_newest(t, e);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

size_t stktable_count(struct stktable *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->n;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void stktable_walk(struct stktable *t, uint64_t now_ms,
		   void (*fn)(void *ctx, const void *entry, const unsigned char *key, size_t klen,
			      const char *srv, int64_t exp_ms),
		   void *ctx)
{
	const struct stk_ent *e;

	pthread_mutex_lock(&t->lock);
	for (e = t->newest; e; e = e->older)
		if (!expired(t, e, now_ms))
			fn(ctx, e, e->key, e->klen, e->srv,
			   t->def.expire_ms ? (int64_t)(e->used_ms + t->def.expire_ms - now_ms) : -1);
	pthread_mutex_unlock(&t->lock);
}

struct stktable *stktable_lookup(const char *name)
{
	struct stktable *t;

	pthread_mutex_lock(&registry_lock);
	for (t = registry; t && strcmp(t->name, name); t = t->next)
		;
	pthread_mutex_unlock(&registry_lock);
	return t;
}

struct stktable *stktable_find(const char *name, const struct hp_stick_table *def)
{
	struct stktable **pp, *t;

	pthread_mutex_lock(&registry_lock);
	for (pp = &registry; (t = *pp); pp = &t->next)
		if (!strcmp(t->name, name))
			break;
	if (!t) {
		t = stktable_new(def);
		if (t && !(t->name = strdup(name))) {
			stktable_free(t);
			t = NULL;
		}
		if (t) {
			t->next = registry;
			registry = t;
		}
	} else {
		/* a table is never freed while the process runs (a worker may be
		 * using it); another definition under the same name empties it:
		 * its keys meant something else */
		pthread_mutex_lock(&t->lock);
		if (!t->buckets || t->def.type != def->type || t->def.len != def->len ||
		    t->def.size != def->size) {
			free_entries(t);
			(void)size_for(t, def); /* out of memory: no buckets, tried again next time */
		}
		t->def.expire_ms = def->expire_ms;
		pthread_mutex_unlock(&t->lock);
		if (!t->buckets)
			t = NULL;
	}
	pthread_mutex_unlock(&registry_lock);
	return t;
}

void stktable_registry_free(void)
{
	struct stktable *t;

	pthread_mutex_lock(&registry_lock);
	while ((t = registry)) {
		registry = t->next;
		stktable_free(t);
	}
	pthread_mutex_unlock(&registry_lock);
}
