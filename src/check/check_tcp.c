/* TCP_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void tcp_start(struct check_run *run)
{
	check_done(run, 0, "TCP_CHECK is not implemented in this build");
}

static void tcp_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_tcp_ops = {
	.type = CHECK_TCP,
	.name = "TCP_CHECK",
	.start = tcp_start,
	.cancel = tcp_cancel,
};
