/* The health core: runs every real server's checkers on the loop and turns
 * results into real-server state (rs->live->health, reason, since_ms),
 * which it hands to the engines through the hook apply installs (apply_vs,
 * like any other change).  Also the pool level: sorry server hand-over,
 * quorum/hysteresis scripts, ha_suspend.  A pool is checked once, however
 * many services use it.
 *
 * check/ sits below daemon/: it never includes apply, apply calls it and
 * gives it the hooks (doc/internals/model.md, "Layering"). */
#ifndef FC_CHECK_HEALTH_H
#define FC_CHECK_HEALTH_H

#include <stddef.h>

#include "core/sbuf.h"
#include "model/fulcrum-t.h"

/* What health checking asks of the layer above it.  Apply installs them
 * (health_apply); they stay valid as long as the model they came with. */
struct health_hooks {
	/* The live state of the servers of vs's pool changed (health, the held
	 * flags of quorum and sorry server, a dynamic weight): the engines of
	 * every service of the pool must see it (called once per pool, with
	 * its first service).  0, or -1 with the reason (health logs it). */
	int (*vs_changed)(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
};

/* A new model went into service (first start or reload): called by
 * apply_config after the engines committed and before the old model is
 * freed.  Checkers of real servers whose check configuration did not
 * change move over with their state; the others stop; new ones start
 * (alpha: down until the first success; otherwise up).  Every change of
 * state from now on is reported through hooks. */
void health_apply(struct fulcrum *fc, const struct health_hooks *hooks, struct config *newcfg,
		  struct config *oldcfg);

/* vs's pool changed in place (add/del server): start/stop checkers to match
 * its real-server list.  Called by apply_vs before the engine updates. */
void health_sync_vs(struct fulcrum *fc, struct virtual_server *vs);

/* ha_suspend: stop (suspended 1) or restart the checks of vs's pool; the
 * servers keep their state meanwhile.  For VRRP: suspended while not
 * master.  A pool shared with other services is suspended only when each
 * has ha_suspend and none has its address on a local interface. */
void health_suspend_vs(struct fulcrum *fc, struct virtual_server *vs, int suspended);

/* Maintenance (global_defs maintenance_dir, ldirectord's maintenancedir):
 * why puts rs (of vs) into maintenance with why as its reason, NULL takes
 * it out.  In maintenance a server is down for the engines, the quorum and
 * the listings whatever its checks say; the checks go on, and when it
 * leaves, their verdict applies again.  notify_down/notify_up run as for a
 * check's transition.  Returns 1 if rs's live state changed: the caller
 * then applies vs (apply_vs), as for any change in place.  A server not
 * checked yet (a model before health_apply) only has its live state set:
 * health_apply then keeps it down. */
int health_set_maint(struct fulcrum *fc, struct virtual_server *vs, struct real_server *rs,
		     const char *why);

/* Whether the sorry server of vs takes the new clients now (no real server
 * up, or quorum lost).  0 for a service without a sorry server. */
int health_sorry_active(const struct virtual_server *vs);

/* Run-time `enable|disable health|agent BACKEND/SERVER`
 * (src/ctl/cmd_hasrv.c): start (enabled 1) or stop rs's checkers, its
 * AGENT_CHECK (agent 1) or the others (0), as HAProxy's check and agent
 * are apart; its health and weight stay what the last check made them.  A
 * reload, or ha_suspend resuming the pool, starts them again.  -1 if rs is
 * not checked (no check, or before health_apply), -2 if it has no such
 * checker. */
int health_rs_checks(struct real_server *rs, int enabled, int agent);

/* A server's state changed: one `event=server-state` line (core/log.h's
 * log_event; doc/metrics.md "Logs" gives the keys): pool, server (its
 * name), addr, from and to (UP, DOWN, DRAIN, MAINT), by (check,
 * maintenance_dir, command), reason (the health reason, or NULL: none) and
 * check (the checker that decided, or NULL), then msg, the sentence fmt
 * makes.  Logged as a warning when to is DOWN or MAINT, else as info.
 * The health core calls it for its transitions, the control commands for
 * theirs (src/ctl/), so every state change reads the same. */
/* What a server is, in the words of from/to above and of HAProxy's status:
 * MAINT (disabled, or maintenance_dir), DRAIN, else UP or DOWN. */
const char *health_state_name(const struct real_server *rs);
void health_log_state(const char *pool, const struct real_server *rs, const char *from,
		      const char *to, const char *by, const char *reason, const char *check,
		      const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Two lists of check_conf describe the same checks (every field but
 * file/line): on reload their state carries over. */
int check_conf_equal(const struct check_conf *a, const struct check_conf *b);

/* The verdict of rs's AGENT_CHECK: 1 up, 0 down, -1 none (no agent, or
 * not checked yet).  HAProxy's status says "DRAIN (agent)" and "DOWN
 * (agent)" with it (src/stats/hastat.c). */
int health_agent_up(const struct real_server *rs);

/* A server's checks as `show stat`'s columns say them (health_hastat.c):
 * the codes and counters HAProxy 2.6 has for them. */
struct health_hastat {
	int kind;	       /* the last attempt's enum check_kind (check-t.h) */
	const char *status;    /* check_status: "INI" before the first result,
				* then the kind's name: L4OK, L4CON, L7STS... */
	const char *kdesc;     /* check_desc: the kind in HAProxy's words */
	int code;	       /* check_code: the checker's code (an HTTP status)
				* with a layer 7 verdict (L7OK, L7OKC, L7STS),
				* else -1: none */
	uint32_t duration_ms;  /* check_duration: the last attempt's */
	const char *desc;      /* last_chk: a failure's reason, "" after a success */
	unsigned rise, fall, health; /* check_rise, check_fall, check_health */
	int in_progress;       /* an attempt runs now ("* " before the status) */
	int checked;	       /* a result came */
	uint64_t chkfail, chkdown, down_ms; /* chkfail, chkdown, downtime (ms) */
};

/* Fill out for rs at now_ms (the counters always; -1 if rs has no checker,
 * then the rest is zero). */
int health_hastat(const struct real_server *rs, uint64_t now_ms, struct health_hastat *out);

/* A backend's own state (struct be_live): whether p's servers can take a
 * request now (one with a weight in force, or none at all, as HAProxy),
 * and if that changed since the last look, a transition at now_ms (a
 * DOWN one counted in chkdown, the DOWN time added to down_ms).  Called
 * when a model goes into service, on every change applied to a pool
 * (health_sync_vs) and when the figures are read. */
void health_be_observe(const struct pool *p, uint64_t now_ms);

/* What HAProxy's `show stat` says of a server's agent (agent_status,
 * agent_code, agent_duration, agent_desc, agent_rise, agent_fall,
 * agent_health, last_agt). */
struct agent_stat {
	const char *status;   /* "L7OK", "L7STS", "CHECKED", "L4CON", "L4TOUT",
			       * "L7TOUT", "L7RSP"; NULL: not checked yet */
	const char *desc;     /* the status in HAProxy's words */
	const char *last;     /* the last answer in words ("via agent : up") */
	int code;             /* 0 with a layer 7 verdict, else -1: none */
	unsigned duration_ms; /* the last attempt's */
	unsigned rise, fall, health; /* health: 0 (down) to rise + fall - 1 */
};
/* 1 with *st filled when rs has an AGENT_CHECK, else 0 (none, or
 * `disable agent`). */
int health_agent_stat(const struct real_server *rs, struct agent_stat *st);

/* Daemon stop: cancel every attempt, kill running scripts (the loop runs
 * up to 1 s more to reap them: call it after the engines shut down). */
void health_stop(struct fulcrum *fc);

/* `fulcrumctl show checks`: per real server and checker, the last result,
 * reason, last change, counters; JSON when json is set. */
void health_show(struct fulcrum *fc, struct sbuf *out, int json);

#endif
