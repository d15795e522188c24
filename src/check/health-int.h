/* Internal to the health core (health.c, pool_health.c, health_show.c). */
#ifndef FC_CHECK_HEALTH_INT_H
#define FC_CHECK_HEALTH_INT_H

#include <stddef.h>

#include "check/health-t.h"
#include "model/fulcrum-t.h"

/* "TCP 127.0.0.1:8080", as log lines name a service. */
const char *health_vs_label(const struct virtual_server *vs, char *buf, size_t len);

/* Run a notify/quorum script without waiting for it (killed after
 * HEALTH_SCRIPT_TIMEOUT_MS); `what` names it in log lines. */
#define HEALTH_SCRIPT_TIMEOUT_MS 60000
void health_script(struct loop *l, const char *cmdline, const char *what);
/* Kill every script still running (daemon stop). */
void health_scripts_cancel(void);

/* Both NULL or equal strings. */
int health_str_eq(const char *a, const char *b);

/* pool_health.c */
struct pool_health *ph_new(struct fulcrum *fc, const struct health_hooks *hooks,
			   struct pool *pool);
/* Note that vs uses the pool (health_apply, in config order); -1 on out of
 * memory. */
int ph_add_svc(struct pool_health *ph, struct virtual_server *vs);
/* The pool's name, as log lines name it ("TCP 127.0.0.1:8080" for a
 * keepalived virtual_server's own pool). */
const char *ph_label(const struct pool_health *ph);
/* Re-evaluate quorum and the sorry server after a change of the servers'
 * health or weights; runs the quorum scripts and sets the live "held"
 * flags.  Returns 1 if what the engines must see changed. */
int ph_eval(struct pool_health *ph);
/* The sum of the weights in force of the servers that are up (the held
 * flag does not count, or a lost quorum could never come back). */
long ph_weight(const struct pool *pool);
/* ha_suspend at start: is the virtual address on a local interface? */
int ph_vip_is_local(const struct virtual_server *vs);
/* ha_suspend for a pool: every service using it has ha_suspend and none but
 * `except` (NULL: none) has its address on a local interface. */
int ph_want_suspended(const struct pool_health *ph, const struct virtual_server *except);

/* health.c: the end of an attempt of run: ok 1 passed, 0 failed, -1 no
 * verdict (counted in neither direction); touched: the caller changed the
 * server's live state besides (an agent's weight or admin state), so the
 * engines must see the pool again even without a transition.  check_done
 * formats its reason and comes here. */
void health_result(struct check_run *run, int ok, int touched, const char *reason);
/* Hand a change of the pool's servers to its services' engines (the hook). */
void health_changed(struct pool_health *ph);

/* health.c: start or stop the checkers of one server (suspend/resume). */
void rh_suspend(struct rs_health *rh, int suspended);

#endif
