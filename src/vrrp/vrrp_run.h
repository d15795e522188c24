/* Running the VRRP instances of the model in the daemon: sockets, timers,
 * VIPs, GARP, notify and track scripts, link tracking, sync groups.
 *
 * The state lives in fc->vrrp (opaque).  Everything runs on fc->loop.
 * vrrp/ sits below daemon/ and beside check/: what an instance's state
 * does to the rest (ha_suspend) goes through hooks apply installs
 * (doc/internals/model.md, "Layering"). */
#ifndef FC_VRRP_VRRP_RUN_H
#define FC_VRRP_VRRP_RUN_H

#include <stddef.h>

#include "core/sbuf.h"
#include "core/stats-t.h"
#include "model/fulcrum-t.h"

/* What VRRP asks of the layer above it.  Apply installs them
 * (vrrp_run_apply); they stay valid while the daemon runs. */
struct vrrp_hooks {
	/* ha_suspend: the instance holding vs's address left (suspended 1) or
	 * entered (0) MASTER: the checks of vs stop or restart.  Optional. */
	void (*vs_suspend)(struct fulcrum *fc, struct virtual_server *vs, int suspended);
};

/* Make the instances of newcfg run.  Called once newcfg is fc->cfg and
 * while oldcfg (NULL at the first apply) still exists.  An instance whose
 * interface, virtual_router_id, family, VIPs, version, interval, source and
 * peers are unchanged keeps its state; others stop properly (a master
 * sends priority 0 and drops its VIPs) and new ones start.  Cannot fail:
 * an instance that cannot open its socket is logged and held in FAULT. */
void vrrp_run_apply(struct fulcrum *fc, const struct vrrp_hooks *hooks, struct config *newcfg,
		    const struct config *oldcfg);

/* Daemon stop: every instance stops (priority-0 advert from a master, VIPs
 * removed, notify_stop), track scripts are cancelled, memory is freed. */
void vrrp_run_shutdown(struct fulcrum *fc);

/* `show vrrp`: text or {"vrrp":[...]} (fields: doc/vrrp.md). */
void vrrp_run_show(struct fulcrum *fc, struct sbuf *out, int json);
/* The statistics fields (core/stats-t.h) of the instances of fc (the
 * object is the struct fulcrum): {"vrrp":[...]} of `show vrrp --json`, and
 * the brief "vrrp":[{"name","state","priority","master"}] that `list
 * --json` inlines. */
extern const struct stat_table vrrp_stats;
extern const struct stat_table vrrp_stats_brief;

#endif
