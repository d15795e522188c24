/* The XDP engine's per-service lookup tables (fx_ring, bpf/fulcrum_xdp.h):
 * which real server a new flow goes to, laid out by userspace from the
 * model's server list and scheduler name.  Pure: no I/O, no global state.
 *
 * Hash schedulers (mh, sh, dh) fill all FX_RING_SIZE entries; the BPF
 * program indexes them with a hash of the client (or destination).  The
 * other schedulers get a weighted round-robin sequence that the BPF program
 * walks with one counter per service for the whole machine (FX_SCHED_SEQ,
 * fx_seq).  The least-connection family (lc, wlc, sed, nq, ovf, lblc,
 * lblcr, twos) is approximated by that weighted sequence: the data plane does not see connection counts, so new
 * flows are spread in proportion to weight, which is what wlc converges to
 * when connections are alike. */
#ifndef FC_XDP_XDP_RING_H
#define FC_XDP_XDP_RING_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

struct xdp_ring_server {
	const struct fc_addr *addr; /* ip+port of the real server */
	int weight;		    /* > 0: may take new flows; 0: left out of the table */
};

/* Fill ring[FX_RING_SIZE] (bpf/fulcrum_xdp.h) for a hash scheduler with
 * indexes into srv, or FX_RS_NONE in every entry when no server has
 * weight > 0.  sched is the model's lb_algo name:
 * - "mh": weighted Maglev, the population of IPVS's mh (shared with
 *   sched_mh.c through mh_table.c) run over the servers with weight > 0
 *   sorted by address and port.  Sorting makes the table a function of the
 *   set of servers, not of their order: two directors whose lists came in
 *   different orders (a server added at run time on one, read from the
 *   config on the other) still agree.  For a list already in that order the
 *   table is exactly the one sched_mh builds.
 * - "sh", "dh": weighted buckets: servers (same sorted order) take turns,
 *   server i filling weight_i / gcd consecutive slots per round as IPVS sh
 *   does with its 256 buckets, here over FX_RING_SIZE; a server stops once
 *   it holds its share (FX_RING_SIZE * weight / sum, remainders to the
 *   largest fractions), so shares are exact to one slot at any weights.
 * Deterministic: the same server set gives the same table on every machine.
 * 0, or -1 with err (unknown scheduler, more servers than slots, no memory;
 * ring is then all FX_RS_NONE). */
int xdp_ring_hash(const char *sched, const struct xdp_ring_server *srv, size_t n, uint32_t *ring,
		  char *err, size_t errlen);

/* For FX_SCHED_SEQ schedulers: write the sequence of indexes a round-robin
 * pass makes into ring (FX_RING_SIZE entries) and return its length (0 when
 * no server has weight > 0).
 * - "rr": each server with weight > 0 once, in order.
 * - "fo": only the highest-weight server (the first on ties), as IPVS fo.
 * - "wrr", the least-connection family, and any other name: IPVS's wrr
 *   order (weights divided by their gcd; the order src/sched/sched_wrr.c
 *   picks from a fresh start).  If the sum exceeds FX_RING_SIZE, weights
 *   are scaled down proportionally (each >= 1).
 * With more than FX_RING_SIZE servers of weight > 0, only the first
 * FX_RING_SIZE appear. */
size_t xdp_ring_seq(const char *sched, const struct xdp_ring_server *srv, size_t n, uint32_t *ring);

/* Which FX_SCHED_* a model scheduler name maps to (mh, sh -> HASH_SRC;
 * dh -> HASH_DST; the other known schedulers -> SEQ); -1 for a name that is
 * no scheduler. */
int xdp_ring_kind(const char *sched);

#endif
