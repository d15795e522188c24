/* mh — Maglev hashing (IPVS ip_vs_mh.c; Eisenbud et al., NSDI 2016, 3.4).
 *
 * Each server gets a preference list of the slots of a lookup table of
 * MH_TAB_SIZE (a prime) slots: start at `offset`, step by `skip`, both
 * hashes of the server's address and port.  Servers take turns claiming
 * their next free preferred slot until the table is full; a server of
 * weight w claims w/gcd slots per turn (shifted right when weight/gcd would
 * need more than MH_TAB_BITS bits, as the kernel does).  A client is placed
 * by hashing its address (and port with SCHED_F_PORT, "mh-port") onto the
 * table.  Removing one of n servers moves about 1/n of the clients.
 *
 * Like the kernel, the table is built from each server's last non-zero
 * weight: a server set to weight 0 (drained, quiescent) keeps its slots, so
 * the other servers' clients do not move; its own clients get no server,
 * unless SCHED_F_FALLBACK ("mh-fallback") where the kernel's walk rehashes
 * with offsets ihash, ihash+1, ... until a usable server turns up.
 *
 * Hashes are bit-exact with a 64-bit little-endian kernel: hsiphash there
 * is SipHash-1-3 with the fixed keys of ip_vs_mh.c over the 32-bit value
 * offset + port + folded address.  So the table and every pick are the same
 * on every fulcrum and on a 64-bit IPVS director with the same server list
 * in the same order and CONFIG_IP_VS_MH_TAB_INDEX=12 (the default). */
#include <stdlib.h>

#include "core/err.h"
#include "model/model-t.h"
#include "sched/sched-int.h"

/* CONFIG_IP_VS_MH_TAB_INDEX 12 -> primes[12 - 8] = 4093, bits = 12 / 2. */
#define MH_TAB_SIZE 4093
#define MH_TAB_BITS 6

struct mh_state {
	int lookup[MH_TAB_SIZE]; /* server index, -1 = none */
	struct sched_ident ident;
};

struct mh_key {
	uint64_t k0, k1;
};

static const struct mh_key mh_key1 = {2654435761u, 2654435761u};
static const struct mh_key mh_key2 = {2654446892u, 2654446892u};

static inline uint64_t rol64(uint64_t w, unsigned s)
{
	return (w << s) | (w >> (64 - s));
}

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1, v1 = rol64(v1, 13), v1 ^= v0, v0 = rol64(v0, 32);                        \
		v2 += v3, v3 = rol64(v3, 16), v3 ^= v2;                                            \
		v0 += v3, v3 = rol64(v3, 21), v3 ^= v0;                                            \
		v2 += v1, v1 = rol64(v1, 17), v1 ^= v2, v2 = rol64(v2, 32);                        \
	} while (0)

/* SipHash-1-3 of the 4 little-endian bytes of v, truncated to 32 bits: the
 * kernel's hsiphash(&v, 4, key) on 64-bit machines. */
static uint32_t mh_hsiphash_u32(uint32_t v, const struct mh_key *k)
{
	uint64_t v0 = 0x736f6d6570736575ull ^ k->k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ k->k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k->k0;
	uint64_t v3 = 0x7465646279746573ull ^ k->k1;
	uint64_t b = ((uint64_t)4 << 56) | v;

	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (uint32_t)((v0 ^ v1) ^ (v2 ^ v3));
}

static uint32_t mh_hashkey(const struct fc_addr *a, uint16_t port, const struct mh_key *k,
			   uint32_t offset)
{
	return mh_hsiphash_u32(offset + port + sched_addr_fold(a), k);
}

static int gcd(int a, int b)
{
	while (b) {
		int t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int fls32(uint32_t x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static void mh_reset(struct mh_state *st)
{
	int i;

	for (i = 0; i < MH_TAB_SIZE; i++)
		st->lookup[i] = -1;
}

static int mh_init(struct sched *s, char *err, size_t errlen)
{
	struct mh_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "mh: out of memory");
	mh_reset(st);
	s->priv = st;
	return 0;
}

struct mh_setup {
	uint32_t perm; /* next preferred slot */
	uint32_t skip;
	int turns; /* slots claimed per round */
};

/* ip_vs_mh_permutate() + ip_vs_mh_populate() on array indexes. */
static int mh_populate(struct mh_state *st, size_t n)
{
	const int *lw = st->ident.last_weight;
	struct mh_setup *ds;
	uint64_t *taken;
	int g = 0, maxw = 0, shift, filled = 0, dt_count = 0;
	size_t i, p;

	for (i = 0; i < n; i++) {
		if (lw[i] > 0) {
			g = g ? gcd(lw[i], g) : lw[i];
			if (lw[i] > maxw)
				maxw = lw[i];
		}
	}
	if (g < 1) {
		mh_reset(st);
		return 0;
	}
	shift = fls32((uint32_t)(maxw / g)) - MH_TAB_BITS;
	if (shift < 0)
		shift = 0;

	ds = calloc(n, sizeof(*ds));
	taken = calloc((MH_TAB_SIZE + 63) / 64, sizeof(*taken));
	if (!ds || !taken) {
		free(ds);
		free(taken);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct fc_addr *a = &st->ident.addr[i];
		int t = (lw[i] / g) >> shift;

		ds[i].perm = mh_hashkey(a, a->port, &mh_key1, 0) % MH_TAB_SIZE;
		ds[i].skip = mh_hashkey(a, a->port, &mh_key2, 0) % (MH_TAB_SIZE - 1) + 1;
		ds[i].turns = t ? t : (lw[i] != 0);
	}
	/* At least one server has turns >= 1 (g >= 1), so each round claims
	 * a slot and the loop ends after MH_TAB_SIZE claims. */
	while (filled < MH_TAB_SIZE) {
		for (p = 0; p < n;) {
			uint32_t c;

			if (ds[p].turns < 1) {
				p++;
				continue;
			}
			c = ds[p].perm;
			while (taken[c / 64] & (1ull << (c % 64))) {
				ds[p].perm += ds[p].skip;
				if (ds[p].perm >= MH_TAB_SIZE)
					ds[p].perm -= MH_TAB_SIZE;
				c = ds[p].perm;
			}
			taken[c / 64] |= 1ull << (c % 64);
			st->lookup[c] = (int)p;
			if (++filled == MH_TAB_SIZE)
				break;
			if (++dt_count >= ds[p].turns) {
				dt_count = 0;
				p++;
			}
		}
	}
	free(ds);
	free(taken);
	return 0;
}

static int mh_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct mh_state *st = s->priv;

	/* More servers than slots cannot be placed (the kernel refuses too). */
	if (n > MH_TAB_SIZE || sched_ident_set(&st->ident, srv, n) < 0 || mh_populate(st, n) < 0) {
		mh_reset(st);
		return -1;
	}
	return 0;
}

static int mh_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct mh_state *st = s->priv;
	uint32_t ihash, off;
	uint16_t port;
	int i;

	if (!in || !in->client)
		return -1;
	port = (s->flags & SCHED_F_PORT) ? in->client->port : 0;
	ihash = mh_hashkey(in->client, port, &mh_key1, 0) % MH_TAB_SIZE;
	i = st->lookup[ihash];
	if (i < 0 || (size_t)i >= n)
		return -1;
	if (sched_usable(&srv[i]))
		return i;
	if (!(s->flags & SCHED_F_FALLBACK))
		return -1;
	for (off = 0; off < MH_TAB_SIZE; off++) {
		uint32_t h = mh_hashkey(in->client, port, &mh_key1, (off + ihash) % MH_TAB_SIZE);

		i = st->lookup[h % MH_TAB_SIZE];
		if (i < 0 || (size_t)i >= n)
			return -1;
		if (sched_usable(&srv[i]))
			return i;
	}
	return -1;
}

static void mh_done(struct sched *s)
{
	struct mh_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_mh_ops = {
    .name = "mh",
    .init = mh_init,
    .update = mh_update,
    .pick = mh_pick,
    .done = mh_done,
};
