/* Servers waiting for their next hop's MAC: learnt without blocking.
 *
 * Applying a service looks each new server up (xdp_srv_resolve), which
 * starts ARP / neighbour discovery when its entry is not resolved, and
 * keeps a server without a MAC out of the ring (xdp_vs_write).  Nothing
 * waits for the answer (at daemon start only, xdp_srv_settle; see
 * doc/internals/xdp-datapath.md): while some server waits, the engine
 * listens to the kernel's neighbour events (RTMGRP_NEIGH) on the loop, and
 * when the entry of a waiting server's next hop gets a MAC, that server is
 * looked up again and its service rewritten through xdp_vs_write, the one
 * path every apply, update and refresh takes.  The subscription is open
 * only while some server waits; the refresh timer (XDP_NEIGH_FAST_MS)
 * stays the fallback for what an event cannot tell (a route that
 * appears, events the kernel dropped). */
#ifndef FC_XDP_XDP_PENDING_H
#define FC_XDP_XDP_PENDING_H

#include "xdp/xdp-t.h"

/* After an apply, an update or a refresh: subscribe (and look the waiting
 * servers up once more at the next loop round, for answers that came
 * before the subscription) when some server of a committed service
 * waits for its MAC; unsubscribe when none does. */
void xdp_pending_arm(struct xdp_engine *x);

/* Unsubscribe and stop the catch-up (the engine unloads or shuts down). */
void xdp_pending_stop(struct xdp_engine *x);

#endif
