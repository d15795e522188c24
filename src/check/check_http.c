/* HTTP_GET: placeholder until its checker lands; every attempt fails with a
 * clear reason, so a config that uses it is never silently "healthy". */
#include "check/check.h"

static void http_get_start(struct check_run *run)
{
	check_done(run, 0, "HTTP_GET is not implemented in this build");
}

static void http_get_cancel(struct check_run *run)
{
	(void)run;
}

const struct check_ops check_http_get_ops = {
	.type = CHECK_HTTP_GET,
	.name = "HTTP_GET",
	.start = http_get_start,
	.cancel = http_get_cancel,
};

const struct check_ops check_ssl_get_ops = {
	.type = CHECK_SSL_GET,
	.name = "SSL_GET",
	.start = http_get_start,
	.cancel = http_get_cancel,
};
