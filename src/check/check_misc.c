/* MISC_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void misc_start(struct check_run *run)
{
	check_done(run, 0, "MISC_CHECK is not implemented in this build");
}

static void misc_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_misc_ops = {
	.type = CHECK_MISC,
	.name = "MISC_CHECK",
	.start = misc_start,
	.cancel = misc_cancel,
};
