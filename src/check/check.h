/* What checkers call, and the checker registry. */
#ifndef FC_CHECK_CHECK_H
#define FC_CHECK_CHECK_H

#include <sys/types.h>

#include "check/check-t.h"

/* End the attempt in progress with what it found (kind: passed or not
 * follows from it, check_kind_ok); reason says why (printf format), e.g.
 * check_done(run, CK_L7STS, "HTTP status %d", code).  The checker must
 * have released run->priv (or do so right after: it is not used again by
 * the core). */
void check_done(struct check_run *run, enum check_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The kinds in HAProxy's words (check_kind.c): its check_status
 * ("L4CON"), its description ("Layer4 connection problem"), 1 for a kind
 * that passes (L4OK, L6OK, L7OK, L7OKC, PROCOK), 0 for one that fails, -1
 * for one that says nothing of the server (UNK, INI, CHECKED). */
const char *check_kind_name(enum check_kind k);
const char *check_kind_desc(enum check_kind k);
int check_kind_ok(enum check_kind k);

/* The attempt went past a stage: connected (CK_L7TOUT: the deadline now
 * finds the answer missing) or in its TLS handshake (CK_L6TOUT).  A
 * checker that only connects never calls it: its deadline is L4TOUT. */
static inline void check_stage(struct check_run *run, enum check_kind tout)
{
	run->tout = tout;
}
/* A failure of the connection (refused, reset, a send or a read that
 * failed) in HAProxy's kind for the stage the attempt reached: L4CON
 * before the connection was made, L6RSP in the TLS handshake, L7RSP after. */
static inline enum check_kind check_conn_kind(const struct check_run *run)
{
	return run->tout == CK_L7TOUT ? CK_L7RSP : run->tout == CK_L6TOUT ? CK_L6RSP : CK_L4CON;
}

/* AGENT_CHECK: the agent answered this line (the attempt's resources are
 * released): the health core applies it as HAProxy 2.6 does and ends the
 * attempt (health_agent.c).  `up` passes and `down`/`stopped`/`fail` fail
 * the agent's run, and set the server's other checkers up or down with it
 * (HAProxy sets the regular check's health so); `ready`/`drain`/`maint` set
 * the administrative state as `set server state` does; `NN%` the weight in
 * force to NN% of the configured one, as `set weight N%`; `maxconn:N` the
 * server's maxconn.  A line without a health word ends without a verdict. */
struct agent_reply;
void check_agent_result(struct check_run *run, const struct agent_reply *r);

/* MISC_CHECK misc_dynamic: the weight the script asked for (before
 * check_done). */
void check_set_weight(struct check_run *run, int weight);

/* The checker registry: one line per checker, X(id, keyword, block rule).
 * The checker's file (check_<id>.c) defines `check_<id>_ops` and its
 * keyword table `check_<id>_kw` (ops.keywords); check.c builds the list
 * of checkers from this, src/conf/check_kw.c the checker keywords of
 * real_server and their blocks; the block rule is the reader's (KW_OPTBLOCK:
 * `TCP_CHECK` alone is a check; KW_NEEDBLOCK: it needs { }).  A checker
 * also has its constant in enum check_type (model/check-t.h). */
#define CHECK_REGISTRY(X)                                \
	X(tcp, "TCP_CHECK", KW_OPTBLOCK)                 \
	X(http_get, "HTTP_GET", KW_NEEDBLOCK)            \
	X(ssl_get, "SSL_GET", KW_NEEDBLOCK)              \
	X(misc, "MISC_CHECK", KW_NEEDBLOCK)              \
	X(smtp, "SMTP_CHECK", KW_OPTBLOCK)               \
	X(dns, "DNS_CHECK", KW_OPTBLOCK)                 \
	X(udp, "UDP_CHECK", KW_OPTBLOCK)                 \
	X(ping, "PING_CHECK", KW_OPTBLOCK)               \
	X(file, "FILE_CHECK", KW_NEEDBLOCK)              \
	X(expect, "EXPECT_CHECK", KW_NEEDBLOCK)          \
	X(pgsql, "PGSQL_CHECK", KW_NEEDBLOCK)            \
	X(mysql, "MYSQL_CHECK", KW_OPTBLOCK)              \
	X(agent, "AGENT_CHECK", KW_OPTBLOCK)

#define CHECK_OPS_DECL(id, word, rule) extern const struct check_ops check_##id##_ops;
CHECK_REGISTRY(CHECK_OPS_DECL)
#undef CHECK_OPS_DECL

/* A keyword table entry's slot for field f of the checker's own struct T,
 * reached through check_conf.spec (kw/kw-t.h's slot parsers):
 * {"name", NULL, 1, 1, KW_NOBLOCK, CHECK_SPEC_SLOT(struct check_x_conf, f,
 * KW_T_STR, 0, 0)}. */
#define CHECK_SPEC_SLOT(T, f, t, lo, hi) KW_SLOT_IN(struct check_conf, spec, T, f, t, lo, hi)

/* The checker for a type, or NULL if this build has none (the reader
 * refuses the config then). */
const struct check_ops *check_ops_for(enum check_type type);
/* The checker whose block keyword is `name` ("HTTP_GET"), or NULL. */
const struct check_ops *check_ops_named(const char *name);
/* The i-th checker of the registry, NULL past the last (for walkers). */
const struct check_ops *check_ops_at(size_t i);

/* Both NULL or equal strings (the checkers' conf_equal; check_net.c, so
 * that a checker links without the health core). */
int check_str_eq(const char *a, const char *b);

/* The same check configured twice?  Every common field that changes what
 * is checked or when (not where it was read), then the checker's
 * conf_equal on the specs. */
int check_conf_equal1(const struct check_conf *a, const struct check_conf *b);

/* Helpers shared by the network checkers (check_net.c): a non-blocking
 * socket connected (in progress) to run->target, bound to conf->bindto /
 * bind_if if set.  The fd, or with reason in err -1 (no socket: SOCKERR)
 * or -2 (the connect failed at once: L4CON); check_connect_kind(rc) says
 * which. */
int check_connect(const struct check_run *run, int type, char *err, size_t errlen);
static inline enum check_kind check_connect_kind(int rc)
{
	return rc == -2 ? CK_L4CON : CK_SOCKERR;
}

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
void check_att_finish(struct check_run *run, enum check_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For checkers whose attempt struct starts with a struct check_stream
 * (check-t.h; check_stream.c).  check_stream_release frees the parts
 * (free_parts), the TLS session, then check_att_release(); harmless when
 * run->priv is NULL (the checker's cancel op can be this).
 * check_stream_finish releases, then check_done with the reason.
 * check_stream_events watches for ev (EPOLLIN/EPOLLOUT), or finishes the
 * attempt failed and returns -1.  check_stream_tls_wait waits for what a
 * tls_*() result rc asks (TLS_WANT_READ/WRITE), else finishes failed with
 * "WHAT: ERR" (just ERR when what is NULL); it always returns -1, for the
 * caller to return to the loop. */
void check_stream_release(struct check_run *run);
void check_stream_finish(struct check_stream *s, enum check_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int check_stream_events(struct check_stream *s, uint32_t ev);
int check_stream_tls_wait(struct check_stream *s, ssize_t rc, const char *what, const char *err);
/* Write data[*sent..len) (through TLS once started), *sent advancing: 1
 * when all is written; else 0, and the caller returns to the loop: the
 * socket is full (or TLS wants to read), watched until it can go on (call
 * again then), or the attempt ended ("sending: ..." finished). */
int check_stream_send(struct check_stream *s, const char *data, size_t len, size_t *sent);
/* Start a stream attempt: a zeroed struct of `size` bytes (a struct
 * check_stream first), a socket connecting to run->target, watched for
 * EPOLLOUT by on_io with the struct as its data, in run->priv.  The struct,
 * or NULL when the attempt already ended (no configuration -- "NAME without
 * its configuration" --, no memory, no socket: check_done was called). */
void *check_stream_start(struct check_run *run, size_t size, const char *name,
			 void (*free_parts)(struct check_stream *s), ev_io_cb on_io);
/* The same, not yet watched: for a checker that writes its first message
 * at once (a loopback connect is usually complete when connect() returns,
 * and a send then saves a wake-up and an epoll_ctl); the first
 * check_stream_events() puts the socket in the loop. */
void *check_stream_open(struct check_run *run, size_t size, const char *name,
			void (*free_parts)(struct check_stream *s), ev_io_cb on_io);

/* The reason text for a socket errno: "connection refused", "no route to
 * host"..., else strerror(). */
const char *check_errno_reason(int e);

/* keepalived keywords a checker block (ign_check) and an HTTP_GET url
 * block (ign_url) accept and fulcrum ignores, NULL-ended (check_ign.c). */
extern const char *const ign_check[];
extern const char *const ign_url[];

#endif
