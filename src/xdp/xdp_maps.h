/* Ids and map writes of the XDP engine: everything that turns the model's
 * view of one virtual service into fx_vips / fx_reals / fx_ring entries.
 *
 * Write order, so that a packet racing a change always finds a valid
 * server: a server's fx_reals slot is written LIVE/READY before the ring
 * names it, the ring is rewritten before a slot loses LIVE, and the ring
 * block is complete before fx_vips points a new service at it. */
#ifndef FC_XDP_XDP_MAPS_H
#define FC_XDP_XDP_MAPS_H

#include <stddef.h>

#include "xdp/xdp-t.h"

/* The enum fx_least of an IPVS scheduler the program places by active
 * flows (lc, wlc, sed, nq: FX_SCHED_LEAST), else -1. */
int xdp_least_kind(const char *sched);
/* fx_active[rs_id] = n (a fresh slot: 0; a recount: xdp_stats.c). */
void xdp_active_set(struct xdp_engine *x, uint32_t rs_id, int64_t n);

/* ---- ids ---- */

/* The lowest free vs_id; its fx_vs_stats slot is zeroed.  -1 when all
 * FX_MAX_VS are taken. */
int xdp_vs_id_alloc(struct xdp_engine *x, uint32_t *id);
void xdp_vs_id_free(struct xdp_engine *x, uint32_t id);
/* rs_ids go round-robin: a freed slot is taken again only after every
 * other free slot, because fx_conns entries of the server that had it
 * may still name it (they die by LRU or idle timeout).  Its fx_rs_stats
 * slot is zeroed.  -1 when all FX_MAX_RS are taken. */
int xdp_rs_id_alloc(struct xdp_engine *x, uint32_t vs_id, uint32_t *id);
void xdp_rs_id_free(struct xdp_engine *x, uint32_t id);

/* ---- servers ---- */

/* Look up the next hop of s (DR: MAC and egress interface; TUN: the outer
 * source address).  A missing route or neighbour is not an error (the
 * refresh timer retries); a DR server behind a gateway is.  0 or -1. */
int xdp_srv_resolve(struct xdp_vs *xv, struct xdp_srv *s, int quiet, char *err, size_t errlen);

/* At daemon start only (before the loop serves anything): wait, bounded,
 * for the next-hop MACs of the servers of xv looked up for the first time
 * (new servers: not in the maps yet) whose neighbour entry was not
 * resolved: the lookup started ARP / neighbour discovery, and a service
 * published before the answer would drop its first flows (no server
 * ready: drop_no_dest).  All calls of one loop round (one apply) share
 * XDP_NEIGH_WAIT_MS, so servers that never answer delay the start by at
 * most that much in all.  Polls the neighbour table every
 * XDP_NEIGH_POLL_MS; blocks the caller meanwhile, which is why a later
 * apply learns the answer from neighbour events instead (xdp_pending.h). */
void xdp_srv_settle(struct xdp_vs *xv);

/* Build the server table for xv->vs (real servers in config order, then
 * the sorry server).  A server also in prev (same address and role) keeps
 * its rs_id, next hop, stats base and written state; a new one gets a
 * fresh rs_id and a next-hop lookup.  On failure nothing allocated stays. */
int xdp_srv_build(struct xdp_vs *xv, const struct xdp_srv *prev, size_t nprev, struct xdp_srv **out,
		  size_t *nout, char *err, size_t errlen);
/* Let go of the servers in old whose rs_id is not in keep: when
 * clear_slots, their fx_reals slots lose LIVE (their flows are placed
 * anew: IPVS expire_nodest_conn) and their persistence templates go;
 * their ids are freed and their live references dropped.  Frees old. */
void xdp_srv_release(struct xdp_engine *x, struct xdp_srv *old, size_t nold,
		     const struct xdp_srv *keep, size_t nkeep, int clear_slots);

/* ---- the service ---- */

/* Bring the maps in line with xv->vs as it is now: fx_reals of its
 * servers, its ring block, its fx_vips entry.  Writes only what changed.
 * Returns 1 if some server that should be in the ring is not ready (DR:
 * MAC unknown), else 0. */
int xdp_vs_write(struct xdp_vs *xv);
/* Take xv's VIP out of fx_vips: its packets pass to the stack from now. */
void xdp_vs_unpublish(struct xdp_vs *xv);

/* ---- helpers shared with xdp_stats.c ---- */

/* Call fn for every entry of a hash map (at most max entries), in batches
 * where the kernel offers them.  fn returns nonzero to stop. */
int xdp_map_walk(int fd, size_t keysz, size_t valsz, size_t max,
		 int (*fn)(const void *key, const void *val, void *ctx), void *ctx);
/* Zero one slot of a per-CPU map of struct fx_stats. */
void xdp_stats_zero(struct xdp_engine *x, int fd, uint32_t idx);
/* Sum one slot of a per-CPU map of struct fx_stats over the CPUs. */
int xdp_stats_sum(struct xdp_engine *x, int fd, uint32_t idx, struct fx_stats *sum);

/* A base such that base + the slot's sum equals now (a slot that goes on
 * counting for another live object). */
void xdp_stats_rebase(struct xdp_engine *x, int fd, uint32_t idx, const struct fc_stats *now,
		      struct fc_stats *base);

void xdp_addr_to_fx(const struct fc_addr *a, union fx_addr *out);

#endif
