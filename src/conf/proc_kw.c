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

#include "conf/kw.h"
#include "core/err.h"
#include "model/model-t.h"

/* "vrrp_rt_priority" -> the vrrp set, "rt_priority" */
static struct proc_tuning *which(struct global_defs *g, const char *kw, const char **rest)
{
	if (!strncmp(kw, "vrrp_", 5)) {
		*rest = kw + 5;
		return &g->vrrp_proc;
	}
	*rest = kw + strlen("checker_");
	return &g->checker_proc;
}

static int p_proc(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	const char *what;
	struct proc_tuning *t = which(obj, st->kw->text, &what);
	unsigned u;

	if (!strcmp(what, "no_swap")) {
		t->no_swap = 1;
		return 0;
	}
	if (!strcmp(what, "priority")) {
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
	if (!strcmp(what, "rt_priority")) {
		/* keepalived caps at 99 like the kernel; 1 .. 99 */
		if (kw_uint(st, 0, 1, 99, &u, err, errlen) < 0)
			return -1;
		t->rt_priority = (int)u;
		return 0;
	}
	/* rlimit_rttime (and the old spelling rlimit_rtime): microseconds of
	 * CPU a real-time process may use without blocking */
	if (kw_uint(st, 0, 1000, 100000000, &u, err, errlen) < 0)
		return -1;
	t->rlimit_rttime_us = u;
	return 0;
}

const struct kw proc_kw_global[] = {
    {"vrrp_priority", p_proc, 1, 1, KW_NOBLOCK},
    {"vrrp_rt_priority", p_proc, 1, 1, KW_NOBLOCK},
    {"vrrp_rlimit_rttime", p_proc, 1, 1, KW_NOBLOCK},
    {"vrrp_rlimit_rtime", p_proc, 1, 1, KW_NOBLOCK},
    {"vrrp_no_swap", p_proc, 0, 0, KW_NOBLOCK},
    {"checker_priority", p_proc, 1, 1, KW_NOBLOCK},
    {"checker_rt_priority", p_proc, 1, 1, KW_NOBLOCK},
    {"checker_rlimit_rttime", p_proc, 1, 1, KW_NOBLOCK},
    {"checker_rlimit_rtime", p_proc, 1, 1, KW_NOBLOCK},
    {"checker_no_swap", p_proc, 0, 0, KW_NOBLOCK},
    {NULL},
};
