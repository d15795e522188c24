/* DNS_CHECK: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void dns_start(struct check_run *run)
{
	check_done(run, 0, "DNS_CHECK is not implemented in this build");
}

static void dns_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_dns_ops = {
	.type = CHECK_DNS,
	.name = "DNS_CHECK",
	.start = dns_start,
	.cancel = dns_cancel,
};
