/* The daemon's state: one instance, passed to engines, health checking,
 * VRRP and control commands.  It lives in model/, below all of them, so
 * that every part can be handed it without including daemon/ (the layering:
 * doc/internals/model.md); each part's own run-time state hangs off it as
 * an opaque pointer. */
#ifndef FC_MODEL_FULCRUM_T_H
#define FC_MODEL_FULCRUM_T_H

#include <stddef.h>

#include "core/loop-t.h"
#include "model/model-t.h"

struct ctl_server;
struct fulcrum;

/* What the control commands ask of the layer above them, the daemon: the
 * one path that changes what is served.  The daemon installs its own
 * (daemon/apply.c: apply_ops) before it serves a command; so does a test
 * or fuzz target that builds a struct fulcrum by hand and calls the
 * commands.  Without it (NULL) a command that changes what is served is
 * refused and changes nothing, and a listing shows the figures as they are.
 * Installed ops, not an include of daemon/, keep ctl/ below the daemon
 * (doc/internals/model.md, "Layering"), as health and VRRP report upwards
 * through the hooks apply hands them. */
struct fulcrum_ops {
	/* Re-read fc->conf_path and apply it; on error keeps the running model
	 * and says why (daemon_reload). */
	int (*reload)(struct fulcrum *fc, char *err, size_t errlen);
	/* vs (in fc->cfg) was changed in place: tell its engine (apply_vs). */
	int (*apply_vs)(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
	/* Every engine brings the live figures up to date, the connection
	 * counts too when conns is set (apply_sync). */
	void (*sync)(struct fulcrum *fc, int conns);
};

struct fulcrum {
	struct loop *loop;
	struct config *cfg;        /* the running model (owned) */
	char *conf_path;           /* -f */
	char *control_path;        /* in force: --control, else global_defs, else default */
	int control_from_cli;      /* --control given: global_defs does not override it */
	struct ctl_server *ctl;
	struct ev_timer est_timer; /* rate estimator tick */
	uint64_t started_ms;
	unsigned reloads;
	void *proxy;               /* the proxy engine's global state */
	void *xdp;                 /* the XDP engine's global state (src/xdp/xdp-t.h) */
	void *vrrp;                /* VRRP instances at run time (src/vrrp/vrrp_run.c) */
	const struct fulcrum_ops *ops; /* the daemon's, for the control commands */
	int stopping;              /* a soft stop is under way (daemon/softstop.c) */
	struct ev_timer stop_timer;
	uint64_t stop_deadline_ms; /* hard-stop-after, loop_now() scale; 0 = none */
};

#endif
