/* HTTP_GET and SSL_GET's own configuration (check_conf.spec), read by
 * check_http_conf.c, run by check_http.c. */
#ifndef FC_CHECK_CHECK_HTTP_T_H
#define FC_CHECK_CHECK_HTTP_T_H

/* One url { } block. */
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

struct check_http_conf {
	struct check_url *urls;  /* at least one once read */
	char *http_protocol;     /* "1.0", "1.0C", "1.1", "0.9"; NULL = "1.0" */
	/* SSL_GET: the SNI name; "" = the Host name; NULL = no SNI.  The
	 * reader sets it from enable_sni and the virtualhost in force. */
	char *sni;
	int enable_sni;          /* SSL_GET enable_sni given */
	int head;                /* send HEAD, not GET (ldirectord's httpmethod=HEAD) */
	/* haproxy.cfg's `option httpchk` / `http-check send`: the whole
	 * request as haproxy 2.6 writes it (any method, its headers and
	 * body), sent as is instead of keepalived's; NULL = keepalived's */
	char *raw_req;
};

#endif
