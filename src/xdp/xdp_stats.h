/* Live figures of the XDP engine: counters from the per-CPU maps, active
 * and inactive connections from the connection table, and the data
 * `fulcrumctl show xdp` prints. */
#ifndef FC_XDP_XDP_STATS_H
#define FC_XDP_XDP_STATS_H

#include <stdint.h>

#include "core/stats-t.h"
#include "fulcrum_xdp.h"

struct fulcrum;
struct sbuf;
struct xdp_engine;

/* The engine's sync op (engine-t.h): vs->live / rs->live figures of every
 * DR/TUN service from the maps; ActiveConn/InActConn (a walk of the
 * connection table) only when conns is set. */
void xdp_engine_sync(struct fulcrum *fc, int conns);

/* FX_SCHED_LEAST services: rewrite the program's active counts (fx_active)
 * from a walk of the connection table, at most every XDP_RECOUNT_MS
 * (called from the next-hop refresh; a listing, xdp_engine_sync with
 * conns, rewrites them too).  Nothing without such a service. */
void xdp_active_recount(struct xdp_engine *x);

/* fx_global counter names ("pass_not_ip", ...), indexed by enum fx_global. */
const char *xdp_global_name(unsigned i);

/* `show xdp [--json]` into out. */
void xdp_show(struct fulcrum *fc, struct sbuf *out, int json);

/* The statistics fields (core/stats-t.h) `show xdp --json` is written
 * from; the object is the struct fulcrum.  Without a loaded program only
 * "loaded":false and the two (empty) lists are written. */
extern const struct stat_table xdp_stats;

#endif
