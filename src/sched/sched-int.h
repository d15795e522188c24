/* Helpers shared by the scheduler files (src/sched/sched_*.c) only.
 *
 * Not part of the public scheduler interface: the engine and the daemon use
 * sched.h.  Everything here mirrors a piece of the Linux IPVS code that
 * several schedulers share (ip_vs_dest_conn_overhead, hash_32, the address
 * fold of the hashing schedulers), plus the bookkeeping fulcrum needs
 * because it hands schedulers an array rather than a list of long-lived
 * destination objects.
 */
#ifndef FC_SCHED_SCHED_INT_H
#define FC_SCHED_SCHED_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sched/sched-t.h"

/* Greatest common divisor of two weights (wrr's step, mh's turns). */
static inline int sched_gcd(int a, int b)
{
	while (b) {
		int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* IPVS ip_vs_dest_conn_overhead(): an active connection is reckoned 256
 * times the cost of an inactive one.  64-bit so it cannot overflow. */
static inline uint64_t sched_overhead(const struct sched_server *s)
{
	return ((uint64_t)s->activeconns << 8) + s->inactconns;
}

/* May take a new connection: weight > 0 and not over its upper threshold. */
static inline int sched_usable(const struct sched_server *s)
{
	return s->weight > 0 && !s->overloaded;
}

/* The kernel's hash_32(): multiply by GOLDEN_RATIO_32, keep the top bits. */
static inline uint32_t sched_hash_32(uint32_t val, unsigned bits)
{
	return (uint32_t)(val * 0x61C88647u) >> (32 - bits);
}

/* The kernel's address fold used by dh, sh, mh, lblc and lblcr: the IPv4
 * address as a host-order number, or the XOR of the four 32-bit words of an
 * IPv6 address.  Computed byte by byte, so it is the same on every host. */
uint32_t sched_addr_fold(const struct fc_addr *a);

/* The kernel's weighted-least-connection choice over the whole array
 * (ip_vs_wlc_schedule, __ip_vs_lblc_schedule): the first usable server,
 * then any later non-overloaded one with a strictly smaller
 * overhead/weight (cross-multiplied).  -1 if none is usable. */
int sched_wlc_choose(const struct sched_server *srv, size_t n);

/* The lblc/lblcr "is_overloaded" test: srv[i] has more active connections
 * than its weight while some server is under half of its own weight. */
int sched_lbl_overloaded(const struct sched_server *srv, size_t n, size_t i);

/* An IP address (no port) as a cache key, for lblc and lblcr. */
struct sched_ipkey {
	uint8_t family; /* 0 = empty slot */
	uint8_t bytes[16];
};

static inline void sched_ipkey_make(struct sched_ipkey *k, const struct fc_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->family = a->family == AF_INET6 ? 6 : 4;
	if (a->family == AF_INET6)
		memcpy(k->bytes, &a->u.v6, 16);
	else
		memcpy(k->bytes, &a->u.v4, 4);
}

static inline int sched_ipkey_eq(const struct sched_ipkey *a, const struct sched_ipkey *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Server identities across update().  IPVS schedulers hold pointers to
 * destination objects that outlive a change of the list; fulcrum's are
 * array indexes, so a scheduler that remembers servers (rr position, lblc
 * cache, mh quiescent weights) keeps the previous addresses and maps old
 * indexes to new ones when the array changes. */
struct sched_ident {
	struct fc_addr *addr; /* owned, n entries */
	int *last_weight;     /* owned, n entries: last weight > 0 seen (mh) */
	size_t n;
};

/* Fill map[old] (old->n entries, may be NULL when old->n is 0) with the new
 * index of each previously known server, or -1 if it left the array.
 * Matching is on address and port. */
void sched_ident_map(const struct sched_ident *old, const struct sched_server *srv, size_t n,
		     int *map);
/* Replace id with the identities of srv (last_weight carried over for
 * servers present before).  0, or -1 on allocation failure (id unchanged). */
int sched_ident_set(struct sched_ident *id, const struct sched_server *srv, size_t n);
void sched_ident_free(struct sched_ident *id);

/* Callbacks for schedulers that keep no private state, so that every ops
 * struct is complete and callers never test for NULL. */
int sched_noop_init(struct sched *s, char *err, size_t errlen);
int sched_noop_update(struct sched *s, const struct sched_server *srv, size_t n);
void sched_noop_done(struct sched *s);

/* The sum of the usable servers' weights (first, random, hash). */
static inline uint64_t sched_usable_weight(const struct sched_server *srv, size_t n)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (sched_usable(&srv[i]))
			total += (uint64_t)srv[i].weight;
	return total;
}

/* The usable server holding position r (< sched_usable_weight) when each
 * takes `weight` consecutive positions in array order; -1 past the end. */
static inline int sched_weight_at(const struct sched_server *srv, size_t n, uint64_t r)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sched_usable(&srv[i]))
			continue;
		if (r < (uint64_t)srv[i].weight)
			return (int)i;
		r -= (uint64_t)srv[i].weight;
	}
	return -1;
}

/* Every scheduler, one per file; listed in sched_all[] (sched.c). */
extern const struct sched_ops sched_rr_ops, sched_wrr_ops, sched_lc_ops, sched_wlc_ops,
    sched_sed_ops, sched_nq_ops, sched_lblc_ops, sched_lblcr_ops, sched_dh_ops, sched_sh_ops,
    sched_mh_ops, sched_fo_ops, sched_ovf_ops, sched_twos_ops, sched_first_ops, sched_random_ops,
    sched_hash_ops, sched_chash_ops;

#endif
