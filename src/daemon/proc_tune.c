/* Keeping VRRP adverts on time under CPU and memory pressure.
 *
 * A backup declares the master dead after 3 x advert_int + skew without an
 * advert; a master that is starved of CPU, or that waits for a page to come
 * back from swap, misses adverts and causes a false failover.  keepalived's
 * answers, read here from the same keywords: a real-time scheduling class
 * (vrrp_rt_priority), a bound on how long a real-time process may run
 * without blocking so that a bug cannot freeze the machine
 * (vrrp_rlimit_rttime), locked memory (vrrp_no_swap) and a nice value
 * (vrrp_priority).  fulcrum does VRRP and health checks on one loop in one
 * process, so the vrrp_ and checker_ sets combine: the higher rt priority,
 * the lower nice value, either no_swap, the smaller non-zero rttime.
 *
 * Contracts:
 * - SCHED_RESET_ON_FORK: scripts (notify, MISC_CHECK, vrrp_script) never
 *   inherit the real-time class.
 * - mlockall(MCL_ONFAULT): pages are locked as they are touched, not all at
 *   once; the sanitizer builds reserve terabytes of shadow address space
 *   that must not be faulted in.  A locked page also stays locked across
 *   fork only in the parent: scripts are not affected.
 * - RLIMIT_RTTIME: the soft limit raises SIGXCPU; fulcrum answers by leaving
 *   the real-time class (logged) instead of dying, and the hard limit is set
 *   twice the soft one so the kernel's SIGKILL only comes if that fails. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "daemon/proc_tune.h"

#define RTTIME_DEFAULT_US 10000 /* keepalived's default with rt_priority */

static volatile sig_atomic_t demoted;

static void on_xcpu(int sig)
{
	struct sched_param sp = {.sched_priority = 0};

	(void)sig;
	sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp);
	demoted = 1;
}

void proc_tune_poll(void)
{
	if (!demoted)
		return;
	demoted = 0;
	log_warn("the daemon used up rlimit_rttime without blocking and left the real-time "
		 "class (SIGXCPU); it runs at normal priority until the next reload");
}

static int max_i(int a, int b)
{
	return a > b ? a : b;
}

void proc_tune_apply(const struct global_defs *g)
{
	const struct proc_tuning *v = &g->vrrp_proc, *c = &g->checker_proc;
	int rt = max_i(v->rt_priority, c->rt_priority);
	int no_swap = v->no_swap || c->no_swap;
	unsigned rttime = v->rlimit_rttime_us;
	static int locked;

	if (c->rlimit_rttime_us && (!rttime || c->rlimit_rttime_us < rttime))
		rttime = c->rlimit_rttime_us;

	if (v->nice_set || c->nice_set) {
		int nice = v->nice_set && c->nice_set ? (v->nice < c->nice ? v->nice : c->nice)
			   : v->nice_set		? v->nice
							: c->nice;

		if (setpriority(PRIO_PROCESS, 0, nice) < 0)
			log_warn("vrrp_priority/checker_priority %d: %s", nice, strerror(errno));
	}

	if (rt) {
		struct sched_param sp = {.sched_priority = rt};
		struct rlimit rl;
		struct sigaction sa;

		if (!rttime)
			rttime = RTTIME_DEFAULT_US;
		rl.rlim_cur = rttime;
		rl.rlim_max = (rlim_t)rttime * 2;
		if (setrlimit(RLIMIT_RTTIME, &rl) < 0)
			log_warn("rlimit_rttime %u: %s", rttime, strerror(errno));
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_xcpu;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGXCPU, &sa, NULL);
		if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0)
			log_warn("rt_priority %d: cannot enter SCHED_RR: %s", rt, strerror(errno));
		else
			log_info("scheduling: SCHED_RR priority %d, at most %u us without blocking",
				 rt, rttime);
	} else {
		struct sched_param sp = {.sched_priority = 0};

		/* a reload that drops rt_priority leaves the class (the policy
		 * reads back with SCHED_RESET_ON_FORK or'ed in) */
		if ((sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) == SCHED_RR)
			sched_setscheduler(0, SCHED_OTHER, &sp);
	}

	if (no_swap && !locked) {
		/* the raw system call: the sanitizers replace mlockall() with a
		 * no-op, and the tests run the sanitizer build */
		if (syscall(SYS_mlockall, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
			log_warn("no_swap: mlockall: %s", strerror(errno));
		else {
			locked = 1;
			log_info("memory locked (no_swap)");
		}
	} else if (!no_swap && locked) {
		syscall(SYS_munlockall);
		locked = 0;
	}
}
