/* The Maglev lookup table of IPVS's mh scheduler (ip_vs_mh.c), shared by the
 * userspace scheduler (sched_mh.c) and the XDP engine's ring (xdp/xdp_ring.c)
 * so both build the same table from the same server list.
 *
 * Hashes are bit-exact with a 64-bit little-endian kernel: SipHash-1-3 with
 * the fixed keys of ip_vs_mh.c over the 32-bit value offset + port + folded
 * address (sched_addr_fold).  Pure: no I/O, no global state. */
#ifndef FC_SCHED_MH_TABLE_H
#define FC_SCHED_MH_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* CONFIG_IP_VS_MH_TAB_INDEX 12 (the default) -> primes[12 - 8] = 4093 slots;
 * weights are cut to MH_TAB_BITS = 12 / 2 bits per turn, as the kernel does. */
#define MH_TAB_SIZE 4093
#define MH_TAB_BITS 6

struct mh_server {
	const struct fc_addr *addr; /* ip and port: both are hashed */
	int weight;		    /* <= 0: the server claims no slot */
};

/* ip_vs_mh_permutate() + ip_vs_mh_populate(): fill lookup[MH_TAB_SIZE] with
 * indexes into srv, taking turns in array order (a server of weight w claims
 * (w / gcd) >> shift slots per turn).  Every slot is -1 when no server has
 * weight > 0.  0, or -1 on allocation failure (lookup then all -1). */
int mh_table_populate(const struct mh_server *srv, size_t n, int *lookup);

/* The slot a client lands on: hsiphash(offset + port + fold(addr)) with the
 * first key, before the modulo (callers take % MH_TAB_SIZE).  port is 0
 * unless the service hashes ports too (mh-port), in host order. */
uint32_t mh_client_hash(const struct fc_addr *client, uint16_t port, uint32_t offset);

#endif
