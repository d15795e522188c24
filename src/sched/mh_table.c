/* Maglev table population (Eisenbud et al., NSDI 2016, 3.4) as IPVS's mh
 * does it.  See mh_table.h for the contract.
 *
 * Each server gets a preference list of the slots: start at `offset`, step
 * by `skip`, both hashes of the server's address and port.  Servers take
 * turns claiming their next free preferred slot until the table is full. */
#include <stdlib.h>

#include "sched/mh_table.h"
#include "sched/sched-int.h"

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

uint32_t mh_client_hash(const struct fc_addr *client, uint16_t port, uint32_t offset)
{
	return mh_hashkey(client, port, &mh_key1, offset);
}


static int fls32(uint32_t x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static void mh_table_reset(int *lookup)
{
	int i;

	for (i = 0; i < MH_TAB_SIZE; i++)
		lookup[i] = -1;
}

struct mh_setup {
	uint32_t perm; /* next preferred slot */
	uint32_t skip;
	int turns; /* slots claimed per round */
};

int mh_table_populate(const struct mh_server *srv, size_t n, int *lookup)
{
	struct mh_setup *ds;
	uint64_t *taken;
	int g = 0, maxw = 0, shift, filled = 0, dt_count = 0;
	size_t i, p;

	mh_table_reset(lookup);
	for (i = 0; i < n; i++) {
		if (srv[i].weight > 0) {
			g = g ? sched_gcd(srv[i].weight, g) : srv[i].weight;
			if (srv[i].weight > maxw)
				maxw = srv[i].weight;
		}
	}
	if (g < 1)
		return 0;
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
		const struct fc_addr *a = srv[i].addr;
		int w = srv[i].weight > 0 ? srv[i].weight : 0;
		int t = (w / g) >> shift;

		ds[i].perm = mh_hashkey(a, a->port, &mh_key1, 0) % MH_TAB_SIZE;
		ds[i].skip = mh_hashkey(a, a->port, &mh_key2, 0) % (MH_TAB_SIZE - 1) + 1;
		ds[i].turns = t ? t : (w != 0);
	}
	/* At least one server has turns >= 1 (g >= 1), so each round claims
	 * a slot and the loop ends after MH_TAB_SIZE claims.  A preference
	 * list visits every slot (MH_TAB_SIZE is prime, 0 < skip < size), so
	 * the search for a free slot ends while filled < MH_TAB_SIZE. */
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
			lookup[c] = (int)p;
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
