/* What checkers call, and the checker registry. */
#ifndef FC_CHECK_CHECK_H
#define FC_CHECK_CHECK_H

#include "check/check-t.h"

/* End the attempt in progress: ok 1 = passed, 0 = failed; reason says why
 * (printf format), e.g. check_done(run, 0, "HTTP status %d", code).
 * The checker must have released run->priv (or do so right after: it is
 * not used again by the core). */
void check_done(struct check_run *run, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* MISC_CHECK misc_dynamic: the weight the script asked for (before
 * check_done). */
void check_set_weight(struct check_run *run, int weight);

/* The checker for a type, or NULL if this build has none (the reader
 * refuses the config then). */
const struct check_ops *check_ops_for(enum check_type type);

/* Registry: one explicit list in check.c. */
extern const struct check_ops check_tcp_ops, check_http_get_ops, check_ssl_get_ops,
	check_misc_ops, check_smtp_ops, check_dns_ops, check_udp_ops, check_ping_ops,
	check_file_ops;

/* Helpers shared by the network checkers (check_net.c): a non-blocking
 * socket connected (in progress) to run->target, bound to conf->bindto /
 * bind_if if set.  The fd, or -1 with reason in err. */
int check_connect(const struct check_run *run, int type, char *err, size_t errlen);

/* Datagram flavour of check_errno_reason: ECONNREFUSED is an ICMP port
 * unreachable, EHOSTUNREACH an ICMP host unreachable. */
const char *check_dgram_errno_reason(int e);

/* For checkers whose attempt state (run->priv) is one malloc'd struct whose
 * FIRST member is the struct ev_io of its one socket.  check_att_release
 * stops watching (before the close: see loop.h), closes the socket, frees
 * the struct once the loop's round is over (the round may still hold the
 * io), and clears run->priv; harmless when run->priv is NULL.
 * check_att_finish releases, then calls check_done with the reason. */
void check_att_release(struct check_run *run);
void check_att_finish(struct check_run *run, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason text for a socket errno: "connection refused", "no route to
 * host"..., else strerror(). */
const char *check_errno_reason(int e);

#endif
