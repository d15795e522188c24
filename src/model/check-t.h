/* Health-check configuration as read from the checker blocks (TCP_CHECK,
 * HTTP_GET, SSL_GET, MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK,
 * PING_CHECK, FILE_CHECK, BFD_CHECK).  Pure data; the checkers that run them
 * come with the health-checking work (src/check/). */
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
};

/* One url { } block of HTTP_GET / SSL_GET. */
struct check_url {
	char *path;
	char *digest;            /* hex MD5 of the body, or NULL */
	char *virtualhost;       /* per-url Host: override, or NULL */
	char *regex;             /* or NULL */
	int regex_no_match;
	/* accepted status codes: bit i set => code i OK; all clear => 200-299 */
	unsigned char status_ok[600 / 8 + 1];
	struct check_url *next;
};

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

	/* HTTP_GET, SSL_GET */
	struct check_url *urls;
	char *virtualhost;
	char *http_protocol;         /* "1.0", "1.0C", "1.1", "0.9" */
	char *sni;                   /* SSL_GET: enable_sni / SNI name */

	/* MISC_CHECK */
	char *misc_path;
	unsigned misc_timeout_ms;
	int misc_dynamic;
	char *user;

	/* SMTP_CHECK */
	char *helo_name;

	/* DNS_CHECK */
	char *dns_type;
	char *dns_name;

	/* UDP_CHECK */
	char *payload;
	int require_reply;

	/* FILE_CHECK */
	char *track_file;
	int file_weight;

	struct check_conf *next;
};

#endif
