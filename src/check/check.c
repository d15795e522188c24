/* The checker registry: one explicit list. */
#include <stddef.h>

#include "check/check.h"

static const struct check_ops *const check_all[] = {
	&check_tcp_ops,  &check_http_get_ops, &check_ssl_get_ops, &check_misc_ops, &check_smtp_ops,
	&check_dns_ops,  &check_udp_ops,      &check_ping_ops,    &check_file_ops,
};

const struct check_ops *check_ops_for(enum check_type type)
{
	size_t i;

	for (i = 0; i < sizeof(check_all) / sizeof(check_all[0]); i++)
		if (check_all[i]->type == type)
			return check_all[i];
	return NULL;
}
