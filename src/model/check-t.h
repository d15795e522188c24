/* Health-check configuration as read from the checker blocks (TCP_CHECK,
 * HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK,
 * PING_CHECK, FILE_CHECK, BFD_CHECK, EXPECT_CHECK, PGSQL_CHECK, MYSQL_CHECK,
 * AGENT_CHECK).  Pure data; the checkers that run them
 * are src/check/check_<name>.c. */
#ifndef FC_MODEL_CHECK_T_H
#define FC_MODEL_CHECK_T_H

#include "core/addr.h"

enum check_type {
	CHECK_TCP,
	CHECK_HTTP_GET,
	CHECK_SSL_GET,
	CHECK_MISC,
	CHECK_SMTP,
	CHECK_DNS,
	CHECK_UDP,
	CHECK_PING,
	CHECK_FILE,
	CHECK_BFD,
	CHECK_EXPECT,
	CHECK_PGSQL,
	CHECK_MYSQL,
	CHECK_AGENT,
};

/* One checker block of a real server: the fields every checker has, read
 * by the health core (timings, where to connect) and inherited from the
 * real_server and virtual_server levels; what only one checker has (HTTP's
 * urls, MISC's script, DNS's query...) is that checker's own struct behind
 * `spec`, defined, parsed, compared and freed in the checker's file
 * (src/check/check_<name>.c and its -t.h; doc/internals/model.md
 * "Checkers"). */
struct check_conf {
	enum check_type type;
	const char *file;        /* where the block starts (owned by the config) */
	int line;

	struct fc_addr connect;  /* connect_ip / connect_port; family/port 0 = the real server's */
	struct fc_addr bindto;   /* bindto / bind_port; family 0 = unset */
	char *bind_if;
	unsigned connect_timeout_ms; /* default 5000 (keepalived) */
	unsigned retry;              /* retry / nb_get_retry; default 1 */
	unsigned delay_before_retry_ms; /* default 1000 */
	unsigned delay_loop_ms;      /* 0 = the virtual server's delay_loop */
	unsigned warmup_ms;
	unsigned rise, fall;         /* fulcrum extensions; 0 = unset */
	char *alpha_set;             /* unused placeholder for per-check alpha */
	/* Host: of the checkers that send one (HTTP_GET, SSL_GET): the block's
	 * virtualhost, else the real_server's; NULL = the virtual_server's.
	 * Common because it is inherited by level like the timings and the
	 * health core resolves it for every run (check_run.vhost). */
	char *virtualhost;

	/* The checker's own configuration (check_ops.conf_new), or NULL for a
	 * checker that has none; freed with spec_free, which the reader sets
	 * with it (the model does not know the checkers). */
	void *spec;
	void (*spec_free)(void *spec);

	struct check_conf *next;
};

#endif
