/* EXPECT_CHECK's own configuration (check_conf.spec): connect, optionally
 * send a request, and match the reply against a regular expression -- the
 * send/expect check that ldirectord's simpletcp, pop, imap, ftp, nntp...
 * negotiations map onto (src/conf/ldirectord*.c) and that keepalived.conf
 * offers as a fulcrum extension.  Read and run by check_expect.c. */
#ifndef FC_CHECK_CHECK_EXPECT_T_H
#define FC_CHECK_CHECK_EXPECT_T_H

struct check_expect_conf {
	char *send;   /* sent once connected (C escapes \r \n \t \\ \xHH decoded);
		       * NULL = send nothing, wait for the server's greeting */
	char *expect; /* PCRE2 pattern the reply (its first 16 KiB) must match;
		       * NULL = the connection alone passes */
	int tls;      /* TLS handshake first (ldirectord's pops, imaps) */
	int miss_sts; /* a reply that does not match is a wrong status (L7STS,
		       * haproxy's redis-check), not an invalid response (L7RSP) */
};

#endif
