/* Private types of the health core (health.c, pool_health.c, health_show.c).
 * Nothing outside src/check/ looks inside; the model only holds opaque
 * pointers to them (real_server->health, pool->health). */
#ifndef FC_CHECK_HEALTH_T_H
#define FC_CHECK_HEALTH_T_H

#include <stdint.h>

#include "check/check-t.h"
#include "model/model-t.h"

struct health_hooks;
struct pool_health;

/* A check_run and what only the core needs about it.  run comes first: the
 * check_run pointer a checker hands back to check_done() is this object. */
struct health_run {
	struct check_run run;
	uint64_t started_ms;   /* start of the attempt in progress (monotonic) */
	int last_ok;           /* result of the last attempt, if n_ok + n_fail */
	unsigned rise, fall;   /* in force: rise or 1; fall or retry + 1 */
	unsigned interval_ms;  /* delay_loop in force */
	unsigned timeout_ms;   /* deadline of one attempt */
	unsigned retry_ms;     /* delay_before_retry */
	int off;               /* stopped by `disable health|agent` (until it
			        * runs again) */
};

/* One real server's checking.  Owned by its pool_health; rs->health points
 * here.  On a reload whose checks did not change the whole object moves to
 * the new model (rs, pool, ph and the runs' conf pointers are updated). */
struct rs_health {
	struct real_server *rs;
	struct pool *pool;
	struct pool_health *ph;
	struct health_run *runs; /* n_runs, one per check_conf, config order */
	unsigned n_runs;
	int up;                 /* the server's verdict: every run up */
	int seen;               /* scratch for health_sync_vs */
	struct rs_health *next; /* in ph->servers */
};

/* One pool's checking: its servers, each checked once whatever number of
 * services use the pool, and the pool-level state (quorum, sorry server,
 * ha_suspend).  pool->health points here. */
struct pool_health {
	struct fulcrum *fc;
	const struct health_hooks *hooks; /* apply's, from health_apply */
	struct pool *pool;
	struct virtual_server **svcs; /* the services using the pool, config order */
	unsigned n_svcs;
	int all_ha;             /* every one of them has ha_suspend */
	struct rs_health *servers;
	int quorum_up;          /* keepalived's quorum_state_up */
	int sorry_active;       /* the sorry server takes the new clients */
	int suspended;          /* ha_suspend: checks not running */
	int started;            /* quorum evaluated at least once */
	uint64_t quorum_ms;     /* last quorum change */
};

#endif
