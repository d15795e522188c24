/* UDP_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void udp_start(struct check_run *run)
{
	check_done(run, 0, "UDP_CHECK is not implemented in this build");
}

static void udp_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_udp_ops = {
	.type = CHECK_UDP,
	.name = "UDP_CHECK",
	.start = udp_start,
	.cancel = udp_cancel,
};
