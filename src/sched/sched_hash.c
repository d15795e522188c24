/* hash, chash — haproxy's hashing balance algorithms (`balance uri`,
 * `url_param`, `hdr()`, `rdp-cookie`) with `hash-type map-based` (hash)
 * and `hash-type consistent` (chash).
 *
 * The key is the request's (sched_input.key, filled by the HTTP engine per
 * the backend's balance), or the client's address when there is none.
 *
 * hash: the key's hash modulo the sum of the usable servers' weights,
 * walked in array order (haproxy's map: each server holds `weight`
 * consecutive entries).  A change in the set of usable servers moves most
 * keys, as haproxy's map-based does; it spreads keys exactly by weight.
 *
 * chash: a Maglev table (mh_table.c, the mh scheduler's) built from the
 * servers' addresses and weights, looked up with the key's hash: a server
 * that leaves moves only its own keys, and one that comes back gets them
 * back.  A key landing on a server that cannot take it now (overloaded)
 * goes to the next slots' servers, so that it still lands somewhere stable. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/mh_table.h"
#include "sched/sched-int.h"
#include "sched/sched.h"

/* FNV-1a over the key, then a 64-bit finalizer (murmur3's) so that keys
 * differing in their last byte spread over the whole range. */
static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* The key's hash, or the client address's (no port: a client keeps its
 * server across connections, as haproxy's balance source). */
static uint64_t hash_input(const struct sched_input *in)
{
	uint32_t fold;

	if (in && in->key)
		return hash_bytes(in->key, in->keylen);
	if (!in || !in->client)
		return 0;
	fold = sched_addr_fold(in->client);
	return hash_bytes(&fold, sizeof(fold));
}

static int hash_pick(struct sched *s, const struct sched_server *srv, size_t n,
		     const struct sched_input *in)
{
	uint64_t total = sched_usable_weight(srv, n);

	return total ? sched_weight_at(srv, n, hash_input(in) % total) : -1;
}

const struct sched_ops sched_hash_ops = {
    .name = "hash",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = hash_pick,
    .done = sched_noop_done,
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
	uint64_t h = hash_input(in);
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
};
