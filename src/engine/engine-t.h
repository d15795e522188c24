/* Engines: one per forwarding kind.  Only apply (src/daemon/apply.c) calls
 * them; a reload, a control command and a health transition all end in the
 * same calls.  Which engine serves a virtual server is asked of each engine
 * of the list (engines.c) in turn: a new engine is its own file and one line
 * there.
 *
 * A reload is two-phase so that a config that cannot be served changes
 * nothing: every new virtual server is prepared (sockets bound, tables
 * built) beside the running one; only if all succeed are they committed;
 * otherwise each prepared one is aborted and the old model keeps running. */
#ifndef FC_ENGINE_ENGINE_T_H
#define FC_ENGINE_ENGINE_T_H

#include <stddef.h>

struct config;
struct fulcrum;
struct global_defs;
struct virtual_server;
struct real_server;

struct engine_ops {
	const char *name;
	/* Is vs of the kind this engine serves (its forwarding kind)?  The
	 * first engine of the list that says yes serves it; check() then says
	 * whether it can. */
	int (*serves)(const struct virtual_server *vs);
	/* Optional: take the global_defs settings of the model about to be
	 * applied (the XDP engine: xdp_interface, xdp_mode); called for every
	 * engine before the prepare phase, whether it serves anything or not. */
	void (*settings)(struct fulcrum *fc, const struct global_defs *g);
	/* May this engine serve vs at all?  0, or -1 with the reason. */
	int (*check)(const struct virtual_server *vs, char *err, size_t errlen);
	/* Optional: limits over all the services of cfg this engine would
	 * serve (table sizes).  0, or -1 with the reason and *at = the first
	 * service over the limit (reported at its file:line). */
	int (*check_all)(const struct config *cfg, const struct virtual_server **at, char *err,
			 size_t errlen);
	/* Build vs's engine state beside old's (old: the same service in the
	 * running model, or NULL).  Must not disturb old. */
	int (*prepare)(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old,
		       char *err, size_t errlen);
	/* Undo prepare (the reload failed). */
	void (*abort)(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old);
	/* Put vs in service in place of old; cannot fail.  Takes over old's
	 * connections and persistence; old->engine_priv is NULL afterwards. */
	void (*commit)(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old);
	/* vs was changed in place (weights, admin, add/del server, health):
	 * reschedule from now on; never disturbs established connections. */
	int (*update)(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
	/* vs leaves the model: stop taking new clients; established connections
	 * run to completion. */
	void (*remove)(struct fulcrum *fc, struct virtual_server *vs);
	/* Daemon stop: close everything. */
	void (*shutdown)(struct fulcrum *fc);
	/* Optional: HAProxy's soft stop (SIGUSR1, `haproxy -sf`).  The first
	 * call stops taking new clients and asks the open connections to end
	 * (an HTTP keep-alive one after its current transaction, an idle one
	 * at once); every call returns how many are still open. */
	size_t (*soft_stop)(struct fulcrum *fc);
	/* Optional: bring the live figures up to date from where the engine
	 * keeps them (the XDP engine: per-CPU BPF maps, the connection table).
	 * The counters (rs_live/vs_live stats) always; the connection counts
	 * only when conns is set — that may mean walking a large table, which
	 * a listing needs and the rate estimator's 2 s tick does not. */
	void (*sync)(struct fulcrum *fc, int conns);
	/* Optional: whether the engine serves rs of vs as this host (IPVS's
	 * Local forwarding: the XDP engine passes its flows to this host's
	 * stack), as it decided when it applied vs; 0 when not, or not known. */
	int (*server_local)(const struct virtual_server *vs, const struct real_server *rs);
};

#endif
