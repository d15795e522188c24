/* PGSQL_CHECK: log in to PostgreSQL with fulcrum's own protocol code
 * (pg_proto.c; no libpq: no DNS, no .pgpass, all on the loop), learn the
 * server's role and, for a standby, how far behind the pool's primary it
 * is.  A fulcrum extension of keepalived.conf (issue 13).
 *
 * Configuration (defaults after #):
 *   PGSQL_CHECK {
 *       connect_port 5432      # the real server's port
 *       user fulcrum           # fulcrum
 *       password SECRET        # none; or password_file PATH (mode 0600 or stricter)
 *       dbname postgres        # the user name, as libpq
 *       sslmode disable        # disable | prefer | require
 *       role standby           # any | primary | standby (any: up if it takes a session)
 *       max_lag 16777216       # bytes of WAL behind the pool's primary; 0 = not checked
 *       max_replay_delay 30    # seconds; 0 = not checked
 *       connect_timeout 3
 *   }
 *
 * One attempt: connect and, at once, the first message (pg_start); with
 * sslmode prefer/require an SSLRequest and the TLS handshake (tls.c;
 * require fails on 'N'); StartupMessage; the authentication the server
 * asks for (trust, cleartext, md5, SCRAM-SHA-256 -- the password
 * SASLprep'd, saslprep.h -- whose server signature must verify); then one
 * query,
 * written with Terminate after it:
 *   pg_is_in_recovery(), the LSN (a standby's last replayed, a primary's
 *   current) and the replay delay (0 while everything received is
 *   replayed, so that an idle primary does not make a standby look late).
 * The role is the in_hot_standby parameter when the server reports it
 * (PostgreSQL 14 and later), else the query's first column.
 *
 * Lag: each check that finds a server primary records its current LSN for
 * its pool (by the pool's name: a pool keeps its name across reloads); a
 * standby's lag is that LSN minus its own replay LSN (0 when ahead).  The
 * figure is as old as the primary's last check (delay_loop).  When no
 * check of the pool has found a primary (or the one found has become a
 * standby), the lag is not checked: the reason says "no primary known" and
 * the verdict rests on the role and the replay delay alone -- taking every
 * standby out because the primary died would empty the read service just
 * when it is needed.
 *
 * Every message is bounded (PG_MSG_MAX), an attempt reads at most
 * PGSQL_READ_MAX bytes in all (an endless stream of ParameterStatus ends
 * there), and the core's deadline (connect_timeout) bounds the time. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "check/check.h"
#include "check/check_pgsql-t.h"
#include "check/check_pgsql.h"
#include "check/check_secret.h"
#include "check/health-t.h"
#include "check/pg_proto.h"
#include "check/tls.h"
#include "core/addr.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"

#define PGSQL_DEFAULT_USER "fulcrum"
#define PGSQL_READ_MAX	   (4 * PG_MSG_MAX) /* all the bytes of one attempt */
#define PGSQL_OUT_MAX	   1024
#define PGSQL_IN_SIZE	   (PG_MSG_MAX + 8) /* the receive buffer at most: one message and a header */
/* The receive buffer an attempt starts with, in its struct: a real
 * server's greeting (AuthenticationOk, a dozen ParameterStatus,
 * BackendKeyData, ReadyForQuery: about 450 bytes) and the query's answer
 * fit; only a longer message grows it to PGSQL_IN_SIZE. */
#define PGSQL_IN0 1024

#define PGSQL_QUERY                                                                                \
	"SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN "                          \
	"pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, CASE WHEN "                       \
	"pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 ELSE "     \
	"COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"

/* ---- the pools' primaries ---- */

/* What the checks of one pool last found about its primary. */
struct pg_primary {
	char *pool;	     /* the pool's name ("" without one) */
	struct fc_addr addr; /* the server found primary */
	uint64_t lsn;	     /* its pg_current_wal_lsn() then */
	int known;
	struct pg_primary *next;
};

static struct pg_primary *primaries;

static const char *pool_key(const struct check_run *run)
{
	return run->owner && run->owner->pool && run->owner->pool->name ? run->owner->pool->name
									: "";
}

static struct pg_primary *primary_of(const char *pool, int create)
{
	struct pg_primary *p;

	for (p = primaries; p; p = p->next)
		if (!strcmp(p->pool, pool))
			return p;
	if (!create || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pool = strdup(pool);
	if (!p->pool) {
		free(p);
		return NULL;
	}
	p->next = primaries;
	primaries = p;
	return p;
}

/* This check found its server with role standby (is_standby) or primary at
 * lsn: keep the pool's primary current. */
static void primary_note(const struct check_run *run, int is_standby, uint64_t lsn)
{
	struct pg_primary *p = primary_of(pool_key(run), !is_standby);

	if (!p)
		return;
	if (!is_standby) {
		p->addr = run->target;
		p->lsn = lsn;
		p->known = 1;
	} else if (p->known && addr_equal(&p->addr, &run->target)) {
		p->known = 0; /* the primary we knew was demoted */
	}
}

void check_pgsql_forget(void)
{
	struct pg_primary *p, *n;

	for (p = primaries; p; p = n) {
		n = p->next;
		free(p->pool);
		free(p);
	}
	primaries = NULL;
}

/* ---- running ---- */

enum pg_state { PG_CONNECT, PG_SSLRESP, PG_HANDSHAKE, PG_AUTH, PG_READY, PG_QUERY };

struct pg_att {
	struct check_stream s; /* first: the watcher, the run, the TLS session */
	enum pg_state st;
	struct pg_scram scram;
	int hot_standby; /* in_hot_standby: -1 not reported, 0 off, 1 on */
	int have_row;
	int is_standby;
	uint64_t lsn;
	int lsn_known;
	double delay;
	size_t total; /* bytes read in all */
	size_t outlen, outoff;
	uint8_t out[PGSQL_OUT_MAX];
	size_t inlen, incap;
	/* in0, or PGSQL_IN_SIZE malloc'd bytes once a message needs more: a
	 * 64 KiB buffer per attempt was first zeroed (a fifth of the checks'
	 * CPU at 1,000 servers, bench/checks.sh), then malloc'd, which moved
	 * the heap's top up and down (brk and page faults) at every attempt */
	uint8_t *in;
	uint8_t in0[PGSQL_IN0];
};
_Static_assert(offsetof(struct pg_att, s) == 0, "check_att_*() find the watcher first");

#define CONF(a) ((const struct check_pgsql_conf *)(a)->s.run->conf->spec)

/* The outgoing buffer may hold the password (cleartext or SCRAM proof):
 * wiped before the struct goes. */
static void pg_free_parts(struct check_stream *s)
{
	struct pg_att *a = (struct pg_att *)s;

	OPENSSL_cleanse(a->out, sizeof(a->out));
	if (a->in != a->in0)
		free(a->in);
}

static const char *user_of(const struct check_pgsql_conf *c)
{
	return c->user ? c->user : PGSQL_DEFAULT_USER;
}

/* Write what is left of a->out: 1 all sent, 0 waiting for the socket, -1
 * the attempt ended. */
static int flush(struct pg_att *a)
{
	char err[160];

	while (a->outoff < a->outlen) {
		ssize_t n;

		if (a->s.ssl) {
			n = tls_write(a->s.ssl, a->out + a->outoff, a->outlen - a->outoff, err,
				      sizeof(err));
			if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
				return check_stream_events(&a->s, n == TLS_WANT_READ ? EPOLLIN
										     : EPOLLOUT) < 0
					   ? -1
					   : 0;
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "sending: %s", err);
				return -1;
			}
		} else {
			n = send(a->s.io.fd, a->out + a->outoff, a->outlen - a->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return check_stream_events(&a->s, EPOLLOUT) < 0 ? -1 : 0;
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "sending: %s",
						    errno == EPIPE
							? "the server closed the connection"
							: check_errno_reason(errno));
				return -1;
			}
		}
		a->outoff += (size_t)n;
	}
	OPENSSL_cleanse(a->out, a->outlen); /* may have held a password */
	a->outlen = a->outoff = 0;
	return check_stream_events(&a->s, EPOLLIN) < 0 ? -1 : 1;
}

/* Queue n bytes just encoded into a->out (n 0: did not fit) and send. */
static int queue(struct pg_att *a, size_t n)
{
	if (!n) {
		check_stream_finish(&a->s, CK_L7RSP, "message too long to send");
		return -1;
	}
	a->outlen = n;
	a->outoff = 0;
	return flush(a) < 0 ? -1 : 0;
}

static void fmt_bytes(uint64_t n, char *out, size_t len)
{
	if (n >= 10ull << 20)
		snprintf(out, len, "%llu MB", (unsigned long long)(n >> 20));
	else if (n >= 10ull << 10)
		snprintf(out, len, "%llu kB", (unsigned long long)(n >> 10));
	else
		snprintf(out, len, "%llu B", (unsigned long long)n);
}

/* The query's answer is in: the verdict. */
static void judge(struct pg_att *a)
{
	const struct check_pgsql_conf *c = CONF(a);
	const struct pg_primary *p;
	int standby = a->hot_standby >= 0 ? a->hot_standby : a->is_standby;
	const char *role = standby ? "standby" : "primary";
	char lag[64] = "", l1[24], l2[24];

	if (!a->have_row) {
		check_stream_finish(&a->s, CK_L7RSP, "the role query returned no row");
		return;
	}
	primary_note(a->s.run, standby, a->lsn_known ? a->lsn : 0);
	if (c->role == PG_ROLE_PRIMARY && standby) {
		check_stream_finish(&a->s, CK_L7STS, "role standby, want primary");
		return;
	}
	if (c->role == PG_ROLE_STANDBY && !standby) {
		check_stream_finish(&a->s, CK_L7STS, "role primary, want standby");
		return;
	}
	if (!standby) {
		check_stream_finish(&a->s, CK_L7OK, "role primary");
		return;
	}
	if (c->max_replay_delay && a->delay > c->max_replay_delay) {
		check_stream_finish(&a->s, CK_L7STS, "replay delay %.0f s > %u s", a->delay,
				    c->max_replay_delay);
		return;
	}
	if (c->max_lag) {
		p = primary_of(pool_key(a->s.run), 0);
		if (!p || !p->known || !a->lsn_known) {
			snprintf(lag, sizeof(lag), ", %s (lag not checked)",
				 a->lsn_known ? "no primary known" : "no replay position");
		} else {
			uint64_t d = p->lsn > a->lsn ? p->lsn - a->lsn : 0;

			fmt_bytes(d, l1, sizeof(l1));
			fmt_bytes(c->max_lag, l2, sizeof(l2));
			if (d > c->max_lag) {
				check_stream_finish(&a->s, CK_L7STS, "lag %s > %s", l1, l2);
				return;
			}
			snprintf(lag, sizeof(lag), ", lag %s", l1);
		}
	}
	check_stream_finish(&a->s, CK_L7OK, "role %s%s", role, lag);
}

static int on_row(struct pg_att *a, const struct pg_msg *m)
{
	struct pg_col col[3];
	int n = pg_datarow_parse(m, col, 3);

	if (n != 3 || col[0].len != 1) {
		check_stream_finish(&a->s, CK_L7RSP, "malformed answer to the role query");
		return -1;
	}
	a->have_row = 1;
	a->is_standby = col[0].data[0] == 't';
	a->lsn_known = col[1].len > 0 && !pg_lsn_parse(col[1].data, (size_t)col[1].len, &a->lsn);
	a->delay = 0;
	if (col[2].len > 0 && col[2].len < 32) {
		char d[32];

		memcpy(d, col[2].data, (size_t)col[2].len);
		d[col[2].len] = 0;
		a->delay = strtod(d, NULL);
	}
	return 0;
}

/* An Authentication request. */
static int on_auth(struct pg_att *a, const struct pg_msg *m)
{
	const struct check_pgsql_conf *c = CONF(a);
	struct pg_auth au;
	char buf[PGSQL_OUT_MAX - 64], err[160];
	size_t n;

	if (a->st != PG_AUTH || pg_auth_parse(m, &au) < 0) {
		check_stream_finish(&a->s, CK_L7RSP, "malformed authentication request");
		return -1;
	}
	if (c->startup_only) {
		check_stream_finish(&a->s, CK_L7OK, "PostgreSQL server is ok (authentication request %d)",
				    (int)au.code);
		return -1;
	}
	if (au.code == PG_AUTH_OK) {
		a->st = PG_READY;
		return 0;
	}
	if (au.code == PG_AUTH_SASL_FINAL) {
		if (pg_scram_verify(&a->scram, au.data, au.len, err, sizeof(err)) < 0) {
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: %s", err);
			return -1;
		}
		return 0;
	}
	if (!c->password) {
		check_stream_finish(&a->s, CK_L7RSP,
				    "auth failed: the server asks a password, none configured");
		return -1;
	}
	switch (au.code) {
	case PG_AUTH_CLEARTEXT:
		return queue(a, pg_put_password(a->out, sizeof(a->out), c->password,
						strlen(c->password) + 1));
	case PG_AUTH_MD5:
		pg_md5_password(user_of(c), c->password, au.data, buf);
		return queue(a, pg_put_password(a->out, sizeof(a->out), buf, 36));
	case PG_AUTH_SASL:
		if (!pg_auth_has_mech(&au, "SCRAM-SHA-256")) {
			check_stream_finish(
			    &a->s, CK_L7RSP,
			    "auth failed: no SASL mechanism fulcrum speaks (SCRAM-SHA-256)");
			return -1;
		}
		n = pg_scram_first(&a->scram, buf, sizeof(buf));
		if (!n) {
			check_stream_finish(&a->s, CK_L7RSP, "SCRAM: no random nonce");
			return -1;
		}
		return queue(a,
			     pg_put_sasl_initial(a->out, sizeof(a->out), "SCRAM-SHA-256", buf, n));
	case PG_AUTH_SASL_CONTINUE:
		n = pg_scram_final(&a->scram, c->password, au.data, au.len, buf, sizeof(buf), err,
				   sizeof(err));
		if (!n) {
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: %s", err);
			return -1;
		}
		n = pg_put_password(a->out, sizeof(a->out), buf, n);
		OPENSSL_cleanse(buf, sizeof(buf));
		return queue(a, n);
	default:
		check_stream_finish(&a->s, CK_L7RSP, "auth failed: method %d not supported", (int)au.code);
		return -1;
	}
}

/* The query and Terminate in one write: the server answers the query,
 * then reads Terminate and ends the session (no "unexpected EOF" in its
 * log, over TLS too), and the goodbye costs no send of its own. */
static size_t put_query_terminate(struct pg_att *a)
{
	size_t n = pg_put_query(a->out, sizeof(a->out), PGSQL_QUERY), t;

	if (!n)
		return 0;
	t = pg_put_terminate(a->out + n, sizeof(a->out) - n);
	return t ? n + t : 0;
}

/* One whole server message: 0 go on, -1 the attempt ended. */
static int on_msg(struct pg_att *a, const struct pg_msg *m)
{
	const char *name, *value;
	char text[160];

	switch (m->type) {
	case 'R':
		return on_auth(a, m);
	case 'E':
		if (pg_error_text(m, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "malformed error message");
		check_stream_finish(&a->s, CK_L7RSP, "%s%s", a->st == PG_AUTH ? "auth failed: " : "",
				    text);
		return -1;
	case 'S':
		if (pg_param_parse(m, &name, &value) < 0) {
			check_stream_finish(&a->s, CK_L7RSP, "malformed ParameterStatus");
			return -1;
		}
		if (!strcmp(name, "in_hot_standby"))
			a->hot_standby = !strcmp(value, "on");
		return 0;
	case 'Z':
		if (a->st == PG_READY) {
			a->st = PG_QUERY;
			return queue(a, put_query_terminate(a));
		}
		if (a->st == PG_QUERY) {
			judge(a);
			return -1;
		}
		check_stream_finish(&a->s, CK_L7RSP, "ReadyForQuery before authentication");
		return -1;
	case 'D':
		return a->st == PG_QUERY ? on_row(a, m) : 0;
	case 'K':
	case 'N':
	case 'T':
	case 'C':
		return 0;
	default:
		check_stream_finish(&a->s, CK_L7RSP, "unexpected message '%c'",
				    m->type >= 0x20 && m->type < 0x7f ? m->type : '?');
		return -1;
	}
}

/* The receive buffer is full without a whole message in it: from in0 to
 * PGSQL_IN_SIZE bytes (which always hold one: pg_msg_next refuses longer).
 * 0, or -1 and the attempt ended. */
static int grow(struct pg_att *a)
{
	uint8_t *p;

	if (a->in != a->in0) {
		check_stream_finish(&a->s, CK_L7RSP, "protocol error: message over %d bytes", PG_MSG_MAX);
		return -1;
	}
	p = malloc(PGSQL_IN_SIZE);
	if (!p) {
		check_stream_finish(&a->s, CK_SOCKERR, "out of memory");
		return -1;
	}
	memcpy(p, a->in, a->inlen);
	a->in = p;
	a->incap = PGSQL_IN_SIZE;
	return 0;
}

/* Read and act on what the server sent.  Without TLS, a read that did not
 * fill the buffer took all there was: the loop (level-triggered) calls
 * again when more comes, rather than a recv() that would say EAGAIN. */
static void do_recv(struct pg_att *a)
{
	char err[160];
	int drained = 0;

	for (;;) {
		struct pg_msg m;
		size_t used = 0;
		ssize_t n;
		int r;

		while ((r = pg_msg_next(a->in + used, a->inlen - used, &m, err, sizeof(err))) ==
		       1) {
			used += m.size;
			if (on_msg(a, &m) < 0)
				return;
		}
		if (r < 0) {
			check_stream_finish(&a->s, CK_L7RSP, "protocol error: %s", err);
			return;
		}
		memmove(a->in, a->in + used, a->inlen - used);
		a->inlen -= used;
		if (a->total >= PGSQL_READ_MAX) {
			check_stream_finish(&a->s, CK_L7RSP,
					    "protocol error: over %d bytes without an answer",
					    PGSQL_READ_MAX);
			return;
		}
		if (drained || (a->inlen == a->incap && grow(a) < 0))
			return;
		if (a->s.ssl) {
			n = tls_read(a->s.ssl, a->in + a->inlen, a->incap - a->inlen, err,
				     sizeof(err));
			if (n == TLS_WANT_READ || n == TLS_WANT_WRITE) {
				check_stream_events(&a->s, n == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
				return;
			}
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "reading: %s", err);
				return;
			}
		} else {
			n = recv(a->s.io.fd, a->in + a->inlen, a->incap - a->inlen, MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "reading: %s",
						    check_errno_reason(errno));
				return;
			}
		}
		if (n == 0) {
			check_stream_finish(&a->s, CK_L7RSP, "connection closed %s",
					    a->st == PG_AUTH ? "during authentication"
							     : "before the answer");
			return;
		}
		drained = !a->s.ssl && (size_t)n < a->incap - a->inlen;
		a->inlen += (size_t)n;
		a->total += (size_t)n;
	}
}

static size_t put_startup(struct pg_att *a)
{
	const struct check_pgsql_conf *c = CONF(a);

	return pg_put_startup(a->out, sizeof(a->out), user_of(c),
			      c->dbname ? c->dbname : user_of(c));
}

static void send_startup(struct pg_att *a)
{
	check_stage(a->s.run, CK_L7TOUT);
	a->st = PG_AUTH;
	queue(a, put_startup(a));
}

/* What the first message (startup, or SSLRequest) leads to. */
static enum pg_state first_state(const struct pg_att *a)
{
	return CONF(a)->sslmode == PG_SSL_DISABLE ? PG_AUTH : PG_SSLRESP;
}

static void do_handshake(struct pg_att *a)
{
	char err[160];
	int rc = tls_handshake(a->s.ssl, err, sizeof(err));

	if (rc == TLS_WANT_READ || rc == TLS_WANT_WRITE)
		check_stream_events(&a->s, rc == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
	else if (rc != 1)
		check_stream_finish(&a->s, CK_L6RSP, "%s", err);
	else
		send_startup(a);
}

/* The one-byte answer to SSLRequest. */
static void do_sslresp(struct pg_att *a)
{
	char ch, err[160];
	ssize_t n = recv(a->s.io.fd, &ch, 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		check_stream_finish(&a->s, CK_L7RSP, "no answer to SSLRequest: %s",
				    n ? check_errno_reason(errno) : "connection closed");
		return;
	}
	if (ch == 'N') {
		if (CONF(a)->sslmode == PG_SSL_REQUIRE)
			check_stream_finish(&a->s, CK_L7RSP, "the server refuses TLS (sslmode require)");
		else
			send_startup(a);
		return;
	}
	if (ch != 'S') {
		check_stream_finish(&a->s, CK_L7RSP, "protocol error: answer 0x%02x to SSLRequest",
				    (unsigned char)ch);
		return;
	}
	a->s.ssl = tls_client_new(a->s.io.fd, NULL, err, sizeof(err));
	if (!a->s.ssl) {
		check_stream_finish(&a->s, CK_SOCKERR, "%s", err);
		return;
	}
	check_stage(a->s.run, CK_L6TOUT);
	a->st = PG_HANDSHAKE;
	do_handshake(a);
}

/* The connect ended (pg_start's send found it still going): an error, or
 * the first message goes. */
static void do_connected(struct pg_att *a, uint32_t events)
{
	if (events & (EPOLLERR | EPOLLHUP)) {
		int e = 0;
		socklen_t el = sizeof(e);

		if (getsockopt(a->s.io.fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		check_stream_finish(&a->s, CK_L4CON, "%s",
				    e ? check_errno_reason(e) : "connection failed");
		return;
	}
	check_stage(a->s.run, CK_L7TOUT);
	a->st = first_state(a);
	flush(a);
}

static void on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct pg_att *a = io->data;

	(void)l;
	if (a->st == PG_CONNECT) {
		do_connected(a, events);
		return;
	}
	if (a->st == PG_HANDSHAKE) {
		do_handshake(a);
		return;
	}
	if (a->outoff < a->outlen) {
		if (flush(a) <= 0)
			return;
	}
	if (a->st == PG_SSLRESP)
		do_sslresp(a);
	else
		do_recv(a);
}

/* The first message is sent at once: on loopback (and to a server on the
 * same host) the connect is complete when connect() returns, and the send
 * saves a wake-up, a getsockopt and an epoll_ctl per attempt (the socket
 * joins the loop once, for what it waits for next).  Still connecting
 * (EAGAIN): wait for EPOLLOUT in PG_CONNECT, as before. */
static void pg_start(struct check_run *run)
{
	struct pg_att *a = check_stream_open(run, sizeof(*a), "PGSQL_CHECK", pg_free_parts, on_io);
	ssize_t n;

	if (!a)
		return;
	a->hot_standby = -1; /* not reported (yet) */
	a->in = a->in0;
	a->incap = sizeof(a->in0);
	a->outlen = first_state(a) == PG_AUTH ? put_startup(a)
					      : pg_put_ssl_request(a->out, sizeof(a->out));
	if (!a->outlen) {
		check_stream_finish(&a->s, CK_L7RSP, "message too long to send");
		return;
	}
	n = send(a->s.io.fd, a->out, a->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		/* a send on a connection not made yet: its failure */
		check_stream_finish(&a->s, CK_L4CON, "%s", check_errno_reason(errno));
		return;
	}
	if (n < 0) {
		check_stream_events(&a->s, EPOLLOUT); /* PG_CONNECT */
		return;
	}
	a->outoff = (size_t)n;
	check_stage(run, CK_L7TOUT);
	a->st = first_state(a);
	flush(a);
}

/* ---- configuration ---- */

#define PGSQL(obj) ((struct check_pgsql_conf *)((struct check_conf *)(obj))->spec)

/* password_file: read now (check_secret.h), the path kept for messages. */
static int p_password_file(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	char *pw;

	(void)c;
	if (check_read_secret(st->args[0].text, &pw, err, errlen) < 0)
		return -1;
	if (PGSQL(obj)->password) {
		OPENSSL_cleanse(PGSQL(obj)->password, strlen(PGSQL(obj)->password));
		free(PGSQL(obj)->password);
	}
	PGSQL(obj)->password = pw;
	return kw_str(st, 0, &PGSQL(obj)->password_file, err, errlen);
}

static const struct kw_enum sslmodes[] = {
    {"disable", PG_SSL_DISABLE}, {"prefer", PG_SSL_PREFER}, {"require", PG_SSL_REQUIRE}, {NULL}};
static const struct kw_enum roles[] = {
    {"any", PG_ROLE_ANY}, {"primary", PG_ROLE_PRIMARY}, {"standby", PG_ROLE_STANDBY}, {NULL}};

#define PG_SLOT(f, t, lo, hi) CHECK_SPEC_SLOT(struct check_pgsql_conf, f, t, lo, hi)
#define PG_ENUM(f, names)                                                                          \
	KW_SLOT_X(offsetof(struct check_conf, spec), struct check_pgsql_conf, f, KW_T_ENUM, 0, 0,  \
		  names)

const struct kw check_pgsql_kw[] = {
    {"user", NULL, 1, 1, KW_NOBLOCK, PG_SLOT(user, KW_T_STR, 0, 0)},
    {"password", NULL, 1, 1, KW_NOBLOCK, PG_SLOT(password, KW_T_STR, 0, 0)},
    {"password_file", p_password_file, 1, 1, KW_NOBLOCK},
    {"dbname", NULL, 1, 1, KW_NOBLOCK, PG_SLOT(dbname, KW_T_STR, 0, 0)},
    {"sslmode", NULL, 1, 1, KW_NOBLOCK, PG_ENUM(sslmode, sslmodes)},
    {"role", NULL, 1, 1, KW_NOBLOCK, PG_ENUM(role, roles)},
    {"max_lag", NULL, 1, 1, KW_NOBLOCK, PG_SLOT(max_lag, KW_T_UINT, 0, 4294967295u)},
    {"max_replay_delay", NULL, 1, 1, KW_NOBLOCK, PG_SLOT(max_replay_delay, KW_T_UINT, 0, 86400)},
    {NULL},
};

static void *pg_conf_new(void)
{
	return calloc(1, sizeof(struct check_pgsql_conf));
}

static void pg_conf_free(void *spec)
{
	struct check_pgsql_conf *p = spec;

	if (!p)
		return;
	free(p->user);
	if (p->password) {
		OPENSSL_cleanse(p->password, strlen(p->password));
		free(p->password);
	}
	free(p->password_file);
	free(p->dbname);
	free(p);
}

static int pg_conf_equal(const void *va, const void *vb)
{
	const struct check_pgsql_conf *a = va, *b = vb;

	return check_str_eq(a->user, b->user) && check_str_eq(a->password, b->password) &&
	       check_str_eq(a->dbname, b->dbname) && a->sslmode == b->sslmode &&
	       a->role == b->role && a->max_lag == b->max_lag &&
	       a->max_replay_delay == b->max_replay_delay && a->startup_only == b->startup_only;
}

const struct check_ops check_pgsql_ops = {
    .type = CHECK_PGSQL,
    .name = "PGSQL_CHECK",
    .keywords = check_pgsql_kw,
    .retry_default = 1,
    .conf_new = pg_conf_new,
    .conf_free = pg_conf_free,
    .conf_equal = pg_conf_equal,
    .start = pg_start,
    .cancel = check_stream_release,
};
