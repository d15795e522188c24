/* hash, chash — haproxy's hashing balance algorithms (`balance uri`,
 * `url_param`, `hdr()`, `rdp-cookie`) with `hash-type map-based` (hash)
 * and `hash-type consistent` (chash).
 *
 * The key is the request's (sched_input.key, filled by the HTTP engine per
 * the backend's balance), or the client's address when there is none.
 *
 * hash picks as haproxy's map-based hashing does, so that a key lands on
 * the server haproxy would send it to: the key's sdbm hash (haproxy's
 * default function, no avalanche) modulo the total weight of the usable
 * servers indexes a map in which each server holds `weight` entries,
 * interleaved in the order haproxy's recalc_server_map gives (a smooth
 * weighted round robin that favours the earlier server on a tie).  Weights
 * are divided by their common divisor first, which changes no answer (the
 * map is the same sequence repeated) but keeps the map small.  A change in
 * the usable servers moves most keys, as haproxy's map-based does.
 *
 * chash looks the key's hash (sdbm with a 64-bit finalizer, haproxy's
 * "avalanche" idea) up in a Maglev table (mh_table.c, the mh scheduler's)
 * built from the servers' addresses and weights: a server that leaves
 * moves only its own keys and gets them back when it returns.  Its choices
 * are not haproxy's (whose consistent tree is built otherwise).  A key whose
 * server is full (overloaded) goes to the next slot's server. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/mh_table.h"
#include "sched/sched-int.h"
#include "sched/sched.h"

#define HASH_MAP_MAX (1u << 18) /* entries of a map; past it, whole weights in a row */

/* haproxy's sdbm (hash_sdbm): the default key hash of its hashing balance. */
static uint32_t hash_sdbm(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < len; i++)
		h = p[i] + (h << 6) + (h << 16) - h;
	return h;
}

/* A 64-bit finalizer (murmur3's): every input bit moves every output bit. */
static uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* The key's sdbm, or the client address's (no port: a client keeps its
 * server across connections). */
static uint32_t hash_input(const struct sched_input *in)
{
	uint32_t fold;

	if (in && in->key)
		return hash_sdbm(in->key, in->keylen);
	if (!in || !in->client)
		return 0;
	fold = sched_addr_fold(in->client);
	return (uint32_t)hash_mix(fold);
}

/* ---- hash (map-based) ---- */

struct hash_map {
	int *slot; /* server index per entry; n entries */
	size_t n;  /* 0: no usable server */
};

static int hash_init(struct sched *s, char *err, size_t errlen)
{
	s->priv = calloc(1, sizeof(struct hash_map));
	return s->priv ? 0 : err_set(err, errlen, "hash: out of memory");
}

/* haproxy's map: for each entry, every server with weight adds its weight
 * to its score, the one with the highest (score + total) / total (the
 * first of equals) takes the entry and gives back total. */
static int hash_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct hash_map *m = s->priv;
	int64_t *score = n ? calloc(n, sizeof(*score)) : NULL;
	int g = 0, *slot;
	uint64_t tot = 0;
	size_t i, o;

	if (n && !score)
		return -1;
	for (i = 0; i < n; i++)
		if (srv[i].weight > 0)
			g = sched_gcd(srv[i].weight, g);
	for (i = 0; i < n; i++)
		if (srv[i].weight > 0)
			tot += (uint64_t)(srv[i].weight / g);
	if (tot > HASH_MAP_MAX)
		tot = 0; /* too big a map: sched_weight_at in pick */
	slot = tot ? malloc(tot * sizeof(*slot)) : NULL;
	if (tot && !slot) {
		free(score);
		return -1;
	}
	for (o = 0; o < tot; o++) {
		int64_t max = 0;
		int best = -1;

		for (i = 0; i < n; i++) {
			int64_t v;

			if (srv[i].weight <= 0)
				continue;
			score[i] += srv[i].weight / g;
			v = (score[i] + (int64_t)tot) / (int64_t)tot;
			if (best < 0 || v > max) {
				max = v;
				best = (int)i;
			}
		}
		slot[o] = best;
		score[best] -= (int64_t)tot;
	}
	free(score);
	free(m->slot);
	m->slot = slot;
	m->n = tot;
	return 0;
}

static int hash_pick(struct sched *s, const struct sched_server *srv, size_t n,
		     const struct sched_input *in)
{
	const struct hash_map *m = s->priv;
	uint32_t h = hash_input(in);
	size_t k;
	int i;

	if (!m->n) {
		uint64_t total = sched_usable_weight(srv, n);

		return total ? sched_weight_at(srv, n, h % total) : -1;
	}
	/* the key's entry; a full (overloaded) server: the next entries' */
	for (k = 0; k < m->n; k++) {
		i = m->slot[(h + k) % m->n];
		if (i >= 0 && (size_t)i < n && sched_usable(&srv[i]))
			return i;
	}
	return -1;
}

static void hash_done(struct sched *s)
{
	struct hash_map *m = s->priv;

	if (m)
		free(m->slot);
	free(m);
	s->priv = NULL;
}

const struct sched_ops sched_hash_ops = {
    .name = "hash",
    .init = hash_init,
    .update = hash_update,
    .pick = hash_pick,
    .done = hash_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};

/* ---- chash ---- */

static int chash_init(struct sched *s, char *err, size_t errlen)
{
	int *lookup = malloc(MH_TAB_SIZE * sizeof(int));
	size_t i;

	if (!lookup)
		return err_set(err, errlen, "chash: out of memory");
	for (i = 0; i < MH_TAB_SIZE; i++)
		lookup[i] = -1;
	s->priv = lookup;
	return 0;
}

static int chash_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct mh_server *ms = n ? calloc(n, sizeof(*ms)) : NULL;
	size_t i;
	int rc;

	if (n && !ms)
		return -1;
	for (i = 0; i < n; i++) {
		ms[i].addr = srv[i].addr;
		ms[i].weight = srv[i].weight;
	}
	rc = mh_table_populate(ms, n, s->priv);
	free(ms);
	return rc;
}

static int chash_pick(struct sched *s, const struct sched_server *srv, size_t n,
		      const struct sched_input *in)
{
	const int *lookup = s->priv;
	uint64_t h = hash_mix(hash_input(in));
	size_t k;
	int i;

	for (k = 0; k < MH_TAB_SIZE; k++) {
		i = lookup[(h + k) % MH_TAB_SIZE];
		if (i < 0 || (size_t)i >= n)
			return -1;
		if (sched_usable(&srv[i]))
			return i;
	}
	return -1;
}

static void chash_done(struct sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct sched_ops sched_chash_ops = {
    .name = "chash",
    .init = chash_init,
    .update = chash_update,
    .pick = chash_pick,
    .done = chash_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
