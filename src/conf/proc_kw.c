/* global_defs keywords that protect the daemon from CPU and memory
 * pressure (keepalived.conf(5)): vrrp_priority, vrrp_rt_priority,
 * vrrp_rlimit_rttime, vrrp_no_swap, and their checker_ twins.
 *
 * keepalived applies the vrrp_ ones to its VRRP child and the checker_ ones
 * to its checker child.  fulcrum is one process that does both jobs on one
 * event loop, so both sets are read and src/daemon/proc_tune.c combines them
 * (the stronger of each wins).  bfd_* stay ignored (no BFD here). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ka.h"
#include "core/err.h"
#include "model/model-t.h"

/* vrrp_priority / checker_priority: a nice value, -20 .. 19 */
static int p_nice(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct global_defs *g = obj;
	struct proc_tuning *t =
	    !strncmp(st->kw->text, "vrrp_", 5) ? &g->vrrp_proc : &g->checker_proc;
	const char *s = st->args[0].text;
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -20 || v > 19)
		return err_set(err, errlen,
			       "%s: '%s' is not a nice value (-20 .. 19; lower runs first)",
			       st->kw->text, s);
	t->nice = (int)v;
	t->nice_set = 1;
	return 0;
}

/* rt_priority: keepalived caps at 99 like the kernel, 1 .. 99; rlimit_rttime
 * (and the old spelling rlimit_rtime): microseconds of CPU a real-time
 * process may use without blocking */
#define VRRP(f, t, ...)	   KW_SLOT(struct global_defs, vrrp_proc.f, t, __VA_ARGS__)
#define CHECKER(f, t, ...) KW_SLOT(struct global_defs, checker_proc.f, t, __VA_ARGS__)
#define RTTIME_US	   1000, 100000000

const struct kw proc_kw_global[] = {
    {"vrrp_priority", p_nice, 1, 1, KW_NOBLOCK},
    {"vrrp_rt_priority", NULL, 1, 1, KW_NOBLOCK, VRRP(rt_priority, KW_T_UINT, 1, 99)},
    {"vrrp_rlimit_rttime", NULL, 1, 1, KW_NOBLOCK, VRRP(rlimit_rttime_us, KW_T_UINT, RTTIME_US)},
    {"vrrp_rlimit_rtime", NULL, 1, 1, KW_NOBLOCK, VRRP(rlimit_rttime_us, KW_T_UINT, RTTIME_US)},
    {"vrrp_no_swap", NULL, 0, 0, KW_NOBLOCK, VRRP(no_swap, KW_T_FLAG, 0, 0)},
    {"checker_priority", p_nice, 1, 1, KW_NOBLOCK},
    {"checker_rt_priority", NULL, 1, 1, KW_NOBLOCK, CHECKER(rt_priority, KW_T_UINT, 1, 99)},
    {"checker_rlimit_rttime", NULL, 1, 1, KW_NOBLOCK,
     CHECKER(rlimit_rttime_us, KW_T_UINT, RTTIME_US)},
    {"checker_rlimit_rtime", NULL, 1, 1, KW_NOBLOCK,
     CHECKER(rlimit_rttime_us, KW_T_UINT, RTTIME_US)},
    {"checker_no_swap", NULL, 0, 0, KW_NOBLOCK, CHECKER(no_swap, KW_T_FLAG, 0, 0)},
    {NULL},
};
