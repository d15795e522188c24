/* Scheduling and memory protection for the daemon (vrrp_/checker_
 * priority, rt_priority, rlimit_rttime, no_swap). */
#ifndef FC_DAEMON_PROC_TUNE_H
#define FC_DAEMON_PROC_TUNE_H

#include "model/model-t.h"

/* Brings the process in line with g (at start and after each reload):
 * nice value, SCHED_RR at the highest rt_priority asked (children forked
 * for scripts start back at SCHED_OTHER), RLIMIT_RTTIME, mlockall.  What
 * the kernel refuses is logged as a warning; the daemon runs on. */
void proc_tune_apply(const struct global_defs *g);

/* Logs (once) that SIGXCPU made the daemon leave the real-time class;
 * called from the loop, where logging is safe. */
void proc_tune_poll(void);

#endif
