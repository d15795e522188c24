/* SMTP_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void smtp_start(struct check_run *run)
{
	check_done(run, 0, "SMTP_CHECK is not implemented in this build");
}

static void smtp_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_smtp_ops = {
	.type = CHECK_SMTP,
	.name = "SMTP_CHECK",
	.start = smtp_start,
	.cancel = smtp_cancel,
};
