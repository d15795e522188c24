/* SMTP_CHECK's own configuration (check_conf.spec), check_smtp.c. */
#ifndef FC_CHECK_CHECK_SMTP_T_H
#define FC_CHECK_CHECK_SMTP_T_H

#include "core/addr.h"

/* A `host { }` (keepalived's old syntax): one more target.  Only while the
 * block is read: its end turns each into a check of its own. */
struct smtp_host {
	struct fc_addr connect, bindto;
	char *bind_if;
	unsigned connect_timeout_ms; /* CHK_UNSET: the check's */
	struct smtp_host *next;
};

struct check_smtp_conf {
	char *helo_name;         /* NULL = keepalived's "smtpchecker.keepalived.org" */
	struct smtp_host *hosts; /* reading only; NULL once read */
};

#endif
