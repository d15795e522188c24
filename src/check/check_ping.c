/* PING_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void ping_start(struct check_run *run)
{
	check_done(run, 0, "PING_CHECK is not implemented in this build");
}

static void ping_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_ping_ops = {
	.type = CHECK_PING,
	.name = "PING_CHECK",
	.start = ping_start,
	.cancel = ping_cancel,
};
