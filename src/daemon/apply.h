/* The one path that changes what is served. */
#ifndef FC_DAEMON_APPLY_H
#define FC_DAEMON_APPLY_H

#include <stddef.h>

#include "engine/engines.h" /* engine_for */
#include "model/fulcrum-t.h"

/* Can every virtual server of cfg be served here?  Reports each problem as
 * "file:line: message" through report(); returns the number of problems. */
unsigned apply_validate(const struct config *cfg, void (*report)(void *ctx, const char *msg),
			void *ctx);

/* Make newcfg the running model (the first one, or a reload).  On success
 * takes ownership of newcfg and frees the old model; on failure nothing
 * changed and newcfg is still the caller's. */
int apply_config(struct fulcrum *fc, struct config *newcfg, char *err, size_t errlen);

/* vs (in fc->cfg) or its pool was changed in place: the pool's checks
 * follow, then the engine of vs and of every other service of the pool is
 * told (one service for a keepalived virtual_server).  The first error is
 * returned; the other services are updated all the same. */
int apply_vs(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);

/* Every engine brings the live figures up to date (engine_ops.sync): the
 * counters, and the connection counts when conns is set (for a listing). */
void apply_sync(struct fulcrum *fc, int conns);

/* Daemon stop: every engine closes what it holds. */
void apply_shutdown(struct fulcrum *fc);

/* Re-read fc->conf_path and apply it; on error keeps the running model. */
int daemon_reload(struct fulcrum *fc, char *err, size_t errlen);

/* daemon_reload, apply_vs and apply_sync for the control commands: the
 * daemon installs them in fc->ops (model/fulcrum-t.h). */
extern const struct fulcrum_ops apply_ops;

/* daemon_reload as SIGHUP and autoreload do it: told to systemd
 * (RELOADING=1, then READY=1 with the outcome), a refusal logged.  0
 * applied, -1 refused. */
int daemon_reload_notify(struct fulcrum *fc);

#endif
