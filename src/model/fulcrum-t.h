/* The daemon's state: one instance, passed to engines, health checking,
 * VRRP and control commands.  It lives in model/, below all of them, so
 * that every part can be handed it without including daemon/ (the layering:
 * doc/internals/model.md); each part's own run-time state hangs off it as
 * an opaque pointer. */
#ifndef FC_MODEL_FULCRUM_T_H
#define FC_MODEL_FULCRUM_T_H

#include "core/loop-t.h"
#include "model/model-t.h"

struct ctl_server;

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
};

#endif
