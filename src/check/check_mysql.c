/* MYSQL_CHECK: log in to a MySQL or MariaDB server with fulcrum's own
 * client (no libmysqlclient: no option files, no DNS, one code path for
 * thousands of checks) and, when asked, check its role and its lag.
 *
 * Configuration (the struct is check_mysql-t.h):
 *   MYSQL_CHECK {
 *       connect_port 3306        # default: the real server's port
 *       user fulcrum             # default fulcrum
 *       password SECRET          # or: password_file PATH (mode 0600, check_secret.c)
 *       dbname test              # default: none
 *       ssl prefer               # disable | prefer (default) | require
 *       role replica             # primary | replica | any (default: up if it logs in)
 *       max_lag 10               # seconds a replica may be behind (0, default: not read)
 *   }
 * plus the keywords every checker has (connect_timeout bounds the whole
 * dialogue).
 *
 * One attempt, on the loop: the greeting (HandshakeV10); with ssl prefer
 * or require and a server that offers it, an SSLRequest and TLS (tls.c);
 * HandshakeResponse41 with the plugin's answer (mysql_native_password,
 * caching_sha2_password's fast path, its full path -- the password in
 * clear -- only over TLS); an auth switch is followed.  Then, for a role,
 * `SELECT @@read_only, @@super_read_only` (`SELECT @@read_only` where the
 * server has no super_read_only): read-only is a replica, else a primary.
 * For role replica, or max_lag with role any, `SHOW SLAVE STATUS` (`SHOW
 * REPLICA STATUS` where the first is gone): Seconds_Behind_Master (or
 * _Source) NULL means replication is broken, over max_lag is too far
 * behind, no status at all is not a replica.  Every packet's sequence
 * number is checked, every length bounded (my_proto.c), the bytes of a
 * whole attempt capped (MYSQL_READ_MAX).  This file, my_proto.c and the
 * registry line in check.h (CHECK_MYSQL in model/check-t.h) are the whole
 * checker. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check/check.h"
#include "check/check_mysql-t.h"
#include "check/check_secret.h"
#include "check/my_proto.h"
#include "check/tls.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"

#define MYSQL_DEFAULT_USER "fulcrum"
#define MYSQL_READ_MAX	   (1u << 20) /* bytes one attempt reads at most */
#define MYSQL_IN_CHUNK	   4096
#define MYSQL_USER_MAX	   80  /* MariaDB's limit; MySQL's is 32 */
#define MYSQL_DB_MAX	   64
#define MYSQL_PW_MAX	   255
#define MYSQL_OUT_MAX	   1024 /* the longest packet sent: the response, within the limits above */

#define ER_UNKNOWN_SYSTEM_VARIABLE 1193
#define ER_PARSE_ERROR		   1064

enum my_state {
	MS_CONNECT,  /* waiting for connect() */
	MS_GREETING, /* waiting for HandshakeV10 */
	MS_TLS,      /* SSLRequest sent, TLS handshake */
	MS_AUTH,     /* HandshakeResponse41 sent: OK, ERR, switch or more data */
	MS_ROLE,     /* SELECT @@read_only, @@super_read_only */
	MS_ROLE1,    /* SELECT @@read_only */
	MS_LAG,	     /* SHOW SLAVE STATUS */
	MS_LAG2,     /* SHOW REPLICA STATUS */
};

struct my_att {
	struct check_stream s; /* first: the watcher, the run, the TLS session */
	enum my_state st;
	int tls_done;
	uint8_t seq; /* the sequence number the next packet must carry */
	struct my_handshake hs;
	char plugin[MY_NAME_MAX]; /* the auth plugin in use */
	int read_only;		  /* -1 unknown */
	uint8_t *in;		  /* bytes read, not yet a complete packet */
	size_t inlen, incap, total;
	uint8_t out[MYSQL_OUT_MAX + MY_HDR_LEN];
	size_t outlen, outoff;
	struct my_rs *rs;
};
_Static_assert(offsetof(struct my_att, s) == 0, "check_att_*() find the watcher first");

#define CONF(a) ((const struct check_mysql_conf *)(a)->s.run->conf->spec)

static const char *user_of(const struct check_mysql_conf *m)
{
	return m->user ? m->user : MYSQL_DEFAULT_USER;
}

/* The reply buffers: what the stream head does not know about. */
static void my_free_parts(struct check_stream *s)
{
	struct my_att *a = (struct my_att *)s;

	free(a->in);
	a->in = NULL;
	free(a->rs);
	a->rs = NULL;
}

static void start_tls(struct my_att *a);

/* Write what is left of a->out.  0 once all is out (then waiting for the
 * reply; a SSLRequest goes on with TLS), -1 when the attempt ended or
 * waits for the socket. */
static int flush(struct my_att *a)
{
	char err[160];

	while (a->outoff < a->outlen) {
		ssize_t n;

		if (a->s.ssl) {
			n = tls_write(a->s.ssl, a->out + a->outoff, a->outlen - a->outoff, err,
				      sizeof(err));
			if (n < 0)
				return check_stream_tls_wait(&a->s, n, "sending", err);
		} else {
			n = send(a->s.io.fd, a->out + a->outoff, a->outlen - a->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				check_stream_events(&a->s, EPOLLOUT);
				return -1;
			}
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "sending: %s",
				       errno == EPIPE ? "the server closed the connection"
						      : check_errno_reason(errno));
				return -1;
			}
		}
		a->outoff += (size_t)n;
	}
	if (a->st == MS_TLS && !a->s.ssl) {
		start_tls(a);
		return -1;
	}
	return check_stream_events(&a->s, EPOLLIN);
}

/* Queue one packet (payload already at a->out + MY_HDR_LEN) with the
 * next sequence number and send it; the reply must carry the one after. */
static int send_pkt(struct my_att *a, size_t len)
{
	my_put_hdr(a->out, len, a->seq++);
	a->outlen = MY_HDR_LEN + len;
	a->outoff = 0;
	return flush(a);
}

/* A new command: sequence numbers start again at 0. */
static int send_query(struct my_att *a, enum my_state st, const char *sql)
{
	size_t n = strlen(sql);

	a->out[MY_HDR_LEN] = MY_COM_QUERY;
	memcpy(a->out + MY_HDR_LEN + 1, sql, n);
	a->st = st;
	a->seq = 0;
	if (!a->rs)
		a->rs = malloc(sizeof(*a->rs));
	if (!a->rs) {
		check_stream_finish(&a->s, CK_SOCKERR, "out of memory");
		return -1;
	}
	my_rs_init(a->rs);
	return send_pkt(a, n + 1);
}

/* Passed: say goodbye (COM_QUIT, best effort, never waited for) and end. */
static void pass(struct my_att *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pass(struct my_att *a, const char *fmt, ...)
{
	static const uint8_t quit[] = {1, 0, 0, 0, MY_COM_QUIT};
	char reason[192], err[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (a->s.ssl)
		(void)tls_write(a->s.ssl, quit, sizeof(quit), err, sizeof(err));
	else
		(void)send(a->s.io.fd, quit, sizeof(quit), MSG_NOSIGNAL | MSG_DONTWAIT);
	check_stream_finish(&a->s, CK_L7OK, "%s", reason);
}

/* ---- authentication ---- */

/* The answer to plugin's challenge into out (32 bytes of room, or the
 * password's length + 1 for the clear-text ones); its length, or -1 when
 * the attempt ended. */
static int auth_answer(struct my_att *a, const char *plugin, uint8_t *out, size_t *len)
{
	const char *pw = CONF(a)->password;

	if (!strcmp(plugin, "mysql_native_password")) {
		*len = my_scramble_native(pw, a->hs.salt, out);
		return 0;
	}
	if (!strcmp(plugin, "caching_sha2_password")) {
		*len = my_scramble_sha2(pw, a->hs.salt, out);
		return 0;
	}
	if (!strcmp(plugin, "mysql_clear_password")) {
		if (!a->s.ssl) {
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: the server asks for the password in clear, "
				     "refused without TLS");
			return -1;
		}
		*len = strlen(pw ? pw : "") + 1;
		memcpy(out, pw ? pw : "", *len);
		return 0;
	}
	check_stream_finish(&a->s, CK_L7RSP, "auth failed: the server wants auth plugin %s (fulcrum speaks "
		     "mysql_native_password and caching_sha2_password)", plugin);
	return -1;
}

static int send_response(struct my_att *a)
{
	const struct check_mysql_conf *m = CONF(a);
	uint32_t caps = MY_CAP_LONG_PASSWORD | MY_CAP_PROTOCOL_41 | MY_CAP_TRANSACTIONS |
			MY_CAP_SECURE_CONN | MY_CAP_PLUGIN_AUTH;
	uint8_t auth[MYSQL_PW_MAX + 1];
	size_t alen = 0, n;

	/* an unknown greeting plugin: answer as native, the server switches */
	if (strcmp(a->hs.plugin, "caching_sha2_password"))
		snprintf(a->plugin, sizeof(a->plugin), "mysql_native_password");
	else
		snprintf(a->plugin, sizeof(a->plugin), "%s", a->hs.plugin);
	if (auth_answer(a, a->plugin, auth, &alen) < 0)
		return -1;
	if (m->dbname)
		caps |= MY_CAP_CONNECT_DB;
	if (a->s.ssl)
		caps |= MY_CAP_SSL;
	n = my_build_response(a->out + MY_HDR_LEN, MYSQL_OUT_MAX, caps, user_of(m), auth, alen,
			      m->dbname, a->plugin);
	if (!n) {
		check_stream_finish(&a->s, CK_L7RSP, "the login packet does not fit");
		return -1;
	}
	a->st = MS_AUTH;
	return send_pkt(a, n);
}

static void do_tls(struct my_att *a)
{
	char err[160];
	int rc = tls_handshake(a->s.ssl, err, sizeof(err));

	if (rc != 1) {
		check_stream_tls_wait(&a->s, rc, "TLS", err);
		return;
	}
	a->tls_done = 1;
	check_stage(a->s.run, CK_L7TOUT);
	send_response(a);
}

static void start_tls(struct my_att *a)
{
	char err[160];

	a->s.ssl = tls_client_new(a->s.io.fd, NULL, err, sizeof(err));
	if (!a->s.ssl) {
		check_stream_finish(&a->s, CK_SOCKERR, "%s", err);
		return;
	}
	check_stage(a->s.run, CK_L6TOUT);
	do_tls(a);
}

static int on_greeting(struct my_att *a, const struct my_pkt *pk)
{
	const struct check_mysql_conf *m = CONF(a);
	char err[160];
	size_t n;

	if (my_parse_handshake(pk->p, pk->len, &a->hs, err, sizeof(err)) < 0) {
		check_stream_finish(&a->s, CK_L7RSP, "greeting: %s", err);
		return -1;
	}
	if (m->handshake_only) {
		check_stream_finish(&a->s, CK_L7OK, "MySQL server is ok (handshake v10)");
		return -1;
	}
	if (m->ssl == MY_SSL_DISABLE || !(a->hs.caps & MY_CAP_SSL)) {
		if (m->ssl == MY_SSL_REQUIRE) {
			check_stream_finish(&a->s, CK_L7RSP, "ssl require: the server offers no TLS");
			return -1;
		}
		return send_response(a);
	}
	n = my_build_ssl_request(a->out + MY_HDR_LEN, MYSQL_OUT_MAX, MY_CAP_PROTOCOL_41 |
				 MY_CAP_SECURE_CONN | MY_CAP_PLUGIN_AUTH | MY_CAP_LONG_PASSWORD |
				 (m->dbname ? MY_CAP_CONNECT_DB : 0));
	a->st = MS_TLS;
	return send_pkt(a, n);
}

static int logged_in(struct my_att *a);

static int on_auth(struct my_att *a, const struct my_pkt *pk)
{
	const char *pw = CONF(a)->password;
	uint8_t auth[MYSQL_PW_MAX + 1];
	struct my_err e;
	char err[160];
	size_t alen;

	if (!pk->len) {
		check_stream_finish(&a->s, CK_L7RSP, "auth failed: an empty reply");
		return -1;
	}
	switch (pk->p[0]) {
	case MY_OK:
		return logged_in(a);
	case MY_ERR:
		if (my_parse_err(pk->p, pk->len, &e) < 0)
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: a malformed error packet");
		else
			check_stream_finish(&a->s, CK_L7STS, "auth failed: %s", e.msg);
		return -1;
	case MY_EOF: /* auth switch request */
		if (my_parse_auth_switch(pk->p, pk->len, a->plugin, sizeof(a->plugin), a->hs.salt,
					 err, sizeof(err)) < 0) {
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: %s", err);
			return -1;
		}
		if (auth_answer(a, a->plugin, auth, &alen) < 0)
			return -1;
		memcpy(a->out + MY_HDR_LEN, auth, alen);
		return send_pkt(a, alen);
	case MY_AUTH_MORE:
		if (strcmp(a->plugin, "caching_sha2_password") || pk->len != 2)
			break;
		if (pk->p[1] == 3) /* fast auth: the OK follows */
			return 0;
		if (pk->p[1] != 4)
			break;
		if (!a->s.ssl) {
			check_stream_finish(&a->s, CK_L7RSP, "auth failed: caching_sha2_password wants the full "
				     "authentication (the server has not cached this account), "
				     "which fulcrum does only over TLS");
			return -1;
		}
		alen = strlen(pw ? pw : "") + 1;
		memcpy(a->out + MY_HDR_LEN, pw ? pw : "", alen);
		return send_pkt(a, alen);
	}
	check_stream_finish(&a->s, CK_L7RSP, "auth failed: an unexpected packet (0x%02x) from %s", pk->p[0], a->plugin);
	return -1;
}

/* ---- role and lag ---- */

static int want_lag(const struct check_mysql_conf *m)
{
	return m->role == MY_ROLE_REPLICA || (m->role == MY_ROLE_ANY && m->max_lag);
}

static int logged_in(struct my_att *a)
{
	const struct check_mysql_conf *m = CONF(a);

	if (m->role != MY_ROLE_ANY)
		return send_query(a, MS_ROLE, "SELECT @@read_only, @@super_read_only");
	if (want_lag(m))
		return send_query(a, MS_LAG, "SHOW SLAVE STATUS");
	/* MariaDB's "5.5.5-" prefix is for old clients' version checks */
	pass(a, "logged in, %s%s",
	     a->hs.version + (strncmp(a->hs.version, "5.5.5-", 6) ? 0 : 6), a->s.ssl ? ", TLS" : "");
	return -1;
}

static int val_is(const struct my_rs *rs, int col, const char *v)
{
	return col >= 0 && !rs->null[col] && !strcmp(rs->vals[col], v);
}

static int on_role(struct my_att *a)
{
	const struct check_mysql_conf *m = CONF(a);
	const struct my_rs *rs = a->rs;
	int ro;

	if (rs->nrows != 1 || rs->ncols < 1) {
		check_stream_finish(&a->s, CK_L7STS, "SELECT @@read_only: %u rows", rs->nrows);
		return -1;
	}
	ro = val_is(rs, 0, "1") || (rs->ncols > 1 && val_is(rs, 1, "1"));
	a->read_only = ro;
	if (m->role == MY_ROLE_PRIMARY && ro) {
		check_stream_finish(&a->s, CK_L7STS, "role replica (read_only), want primary");
		return -1;
	}
	if (m->role == MY_ROLE_REPLICA && !ro) {
		check_stream_finish(&a->s, CK_L7STS, "role primary (not read_only), want replica");
		return -1;
	}
	if (m->role == MY_ROLE_REPLICA)
		return send_query(a, MS_LAG, "SHOW SLAVE STATUS");
	pass(a, "role %s", ro ? "replica" : "primary");
	return -1;
}

static int on_lag(struct my_att *a)
{
	const struct check_mysql_conf *m = CONF(a);
	const struct my_rs *rs = a->rs;
	const char *role = a->read_only > 0 ? "role replica, " : "";
	int col = my_rs_col(rs, "Seconds_Behind_Master"), io, sql;
	unsigned long lag;
	char *end;

	if (col < 0)
		col = my_rs_col(rs, "Seconds_Behind_Source");
	if (!rs->nrows) {
		if (m->role == MY_ROLE_REPLICA)
			check_stream_finish(&a->s, CK_L7STS, "not a replica (no replica status)");
		else
			pass(a, "no replica status (not a replica)");
		return -1;
	}
	if (col < 0) {
		check_stream_finish(&a->s, CK_L7RSP, "no Seconds_Behind_Master in the replica status");
		return -1;
	}
	if (rs->null[col]) {
		io = my_rs_col(rs, "Slave_IO_Running");
		sql = my_rs_col(rs, "Slave_SQL_Running");
		if (io < 0)
			io = my_rs_col(rs, "Replica_IO_Running");
		if (sql < 0)
			sql = my_rs_col(rs, "Replica_SQL_Running");
		check_stream_finish(&a->s, CK_L7STS, "replication broken: %s is NULL (IO thread %s, SQL thread %s)",
		       rs->names[col], io >= 0 ? rs->vals[io] : "?", sql >= 0 ? rs->vals[sql] : "?");
		return -1;
	}
	errno = 0;
	lag = strtoul(rs->vals[col], &end, 10);
	if (errno || end == rs->vals[col] || *end) {
		check_stream_finish(&a->s, CK_L7STS, "%s is '%s', not a number", rs->names[col], rs->vals[col]);
		return -1;
	}
	if (m->max_lag && lag > m->max_lag) {
		check_stream_finish(&a->s, CK_L7STS, "%slag %lu s > %u s", role, lag, m->max_lag);
		return -1;
	}
	pass(a, "%slag %lu s", role, lag);
	return -1;
}

/* One packet of a query's reply. */
static int on_result(struct my_att *a, const struct my_pkt *pk)
{
	struct my_err e = {0};
	char err[192];
	int r = my_rs_feed(a->rs, pk->p, pk->len, &e, err, sizeof(err));

	if (r == 0)
		return 0;
	if (r < 0) {
		if (a->st == MS_ROLE && e.code == ER_UNKNOWN_SYSTEM_VARIABLE)
			return send_query(a, MS_ROLE1, "SELECT @@read_only");
		if (a->st == MS_LAG && e.code == ER_PARSE_ERROR)
			return send_query(a, MS_LAG2, "SHOW REPLICA STATUS");
		check_stream_finish(&a->s, CK_L7STS, "%s: %s",
		       a->st == MS_ROLE || a->st == MS_ROLE1 ? "reading the role" : "reading the lag",
		       err);
		return -1;
	}
	return a->st == MS_ROLE || a->st == MS_ROLE1 ? on_role(a) : on_lag(a);
}

/* ---- reading ---- */

/* A complete packet: 0 to go on reading, -1 when the attempt ended or
 * waits for something else. */
static int on_packet(struct my_att *a, const struct my_pkt *pk)
{
	if (pk->seq != a->seq) {
		check_stream_finish(&a->s, CK_L7RSP, "a packet out of sequence (%u, want %u)", pk->seq, a->seq);
		return -1;
	}
	a->seq++;
	switch (a->st) {
	case MS_GREETING:
		return on_greeting(a, pk);
	case MS_AUTH:
		return on_auth(a, pk);
	case MS_ROLE:
	case MS_ROLE1:
	case MS_LAG:
	case MS_LAG2:
		return on_result(a, pk);
	case MS_CONNECT:
	case MS_TLS:
		break;
	}
	check_stream_finish(&a->s, CK_L7RSP, "a packet the server should not have sent yet");
	return -1;
}

/* Handle the complete packets in a->in.  0, or -1 as on_packet. */
static int drain(struct my_att *a)
{
	size_t off = 0, used;
	struct my_pkt pk;
	char err[160];
	int r = 0;

	while (r == 0) {
		int f = my_frame(a->in + off, a->inlen - off, &pk, &used, err, sizeof(err));

		if (f < 0) {
			check_stream_finish(&a->s, CK_L7RSP, "%s", err);
			return -1;
		}
		if (!f)
			break;
		off += used;
		r = on_packet(a, &pk);
		if (!a->s.run->priv || a->s.run->priv != a)
			return -1; /* ended: a is being freed */
	}
	memmove(a->in, a->in + off, a->inlen - off);
	a->inlen -= off;
	return r;
}

static void do_read(struct my_att *a)
{
	char err[160];

	for (;;) {
		ssize_t n;

		if (a->inlen == a->incap) {
			size_t cap = a->incap ? a->incap * 2 : MYSQL_IN_CHUNK;
			uint8_t *nb;

			if (cap > MY_PKT_MAX + MY_HDR_LEN)
				cap = MY_PKT_MAX + MY_HDR_LEN;
			nb = realloc(a->in, cap);
			if (!nb) {
				check_stream_finish(&a->s, CK_SOCKERR, "out of memory");
				return;
			}
			a->in = nb;
			a->incap = cap;
		}
		if (a->s.ssl) {
			n = tls_read(a->s.ssl, a->in + a->inlen, a->incap - a->inlen, err, sizeof(err));
			if (n < 0) {
				check_stream_tls_wait(&a->s, n, "reading", err);
				return;
			}
		} else {
			n = recv(a->s.io.fd, a->in + a->inlen, a->incap - a->inlen, MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0) {
				check_stream_finish(&a->s, check_conn_kind(a->s.run), "reading: %s", check_errno_reason(errno));
				return;
			}
		}
		if (n == 0) {
			check_stream_finish(&a->s, CK_L7RSP, "the server closed the connection%s",
			       a->st == MS_GREETING ? " before its greeting" : "");
			return;
		}
		a->inlen += (size_t)n;
		a->total += (size_t)n;
		if (a->total > MYSQL_READ_MAX) {
			check_stream_finish(&a->s, CK_L7RSP, "the server sent over %u bytes", MYSQL_READ_MAX);
			return;
		}
		if (drain(a) < 0)
			return;
	}
}

static void on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct my_att *a = io->data;
	int e = 0;
	socklen_t el = sizeof(e);

	if (a->st == MS_CONNECT) {
		if (events & (EPOLLERR | EPOLLHUP)) {
			if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
				e = errno;
			check_stream_finish(&a->s, CK_L4CON, "%s", e ? check_errno_reason(e) : "connection failed");
			return;
		}
		a->st = MS_GREETING;
		check_stage(a->s.run, CK_L7TOUT);
		if (check_stream_events(&a->s, EPOLLIN) < 0)
			return;
	}
	if (a->s.ssl && !a->tls_done) {
		do_tls(a);
		return;
	}
	if (a->outoff < a->outlen) {
		if (flush(a) < 0)
			return;
	}
	do_read(a);
}

static void my_start(struct check_run *run)
{
	struct my_att *a = check_stream_start(run, sizeof(*a), "MYSQL_CHECK", my_free_parts, on_io);

	if (a)
		a->read_only = -1; /* not asked (yet) */
}

/* ---- configuration ---- */

#define MYSQL(obj) ((struct check_mysql_conf *)((struct check_conf *)(obj))->spec)
#define MYSQL_SLOT(f, t, lo, hi, names)                                                            \
	KW_SLOT_X(offsetof(struct check_conf, spec), struct check_mysql_conf, f, t, lo, hi, names)

static const struct kw_enum ssl_names[] = {
    {"disable", MY_SSL_DISABLE},
    {"prefer", MY_SSL_PREFER},
    {"require", MY_SSL_REQUIRE},
    {NULL},
};

static const struct kw_enum role_names[] = {
    {"any", MY_ROLE_ANY},
    {"primary", MY_ROLE_PRIMARY},
    {"replica", MY_ROLE_REPLICA},
    {"master", MY_ROLE_PRIMARY, 1},
    {"slave", MY_ROLE_REPLICA, 1},
    {NULL},
};

/* A string keyword of at most max bytes, without NUL-free surprises. */
static int short_str(const struct kw_stmt *st, size_t max, char **dst, char *err, size_t errlen)
{
	if (strlen(st->args[0].text) > max)
		return err_set(err, errlen, "%s: over %zu characters", st->kw->text, max);
	return kw_str(st, 0, dst, err, errlen);
}

static int p_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	if (!*st->args[0].text)
		return err_set(err, errlen, "user: empty");
	return short_str(st, MYSQL_USER_MAX, &MYSQL(obj)->user, err, errlen);
}

static int p_dbname(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		    size_t errlen)
{
	return short_str(st, MYSQL_DB_MAX, &MYSQL(obj)->dbname, err, errlen);
}

static int p_password(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	free(MYSQL(obj)->password_file);
	MYSQL(obj)->password_file = NULL;
	return short_str(st, MYSQL_PW_MAX, &MYSQL(obj)->password, err, errlen);
}

static int p_password_file(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	char *pw;

	if (check_read_secret(st->args[0].text, &pw, err, errlen) < 0)
		return -1;
	if (strlen(pw) > MYSQL_PW_MAX) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		return err_set(err, errlen, "password_file '%s': a password over %d characters",
			       st->args[0].text, MYSQL_PW_MAX);
	}
	free(MYSQL(obj)->password);
	MYSQL(obj)->password = pw;
	return kw_str(st, 0, &MYSQL(obj)->password_file, err, errlen);
}

const struct kw check_mysql_kw[] = {
    {"user", p_user, 1, 1, KW_NOBLOCK},
    {"password", p_password, 1, 1, KW_NOBLOCK},
    {"password_file", p_password_file, 1, 1, KW_NOBLOCK},
    {"dbname", p_dbname, 1, 1, KW_NOBLOCK},
    {"ssl", NULL, 1, 1, KW_NOBLOCK, MYSQL_SLOT(ssl, KW_T_ENUM, 0, 0, ssl_names)},
    {"role", NULL, 1, 1, KW_NOBLOCK, MYSQL_SLOT(role, KW_T_ENUM, 0, 0, role_names)},
    {"max_lag", NULL, 1, 1, KW_NOBLOCK, MYSQL_SLOT(max_lag, KW_T_UINT, 0, 31536000, NULL)},
    {NULL},
};

static void *my_conf_new(void)
{
	struct check_mysql_conf *m = calloc(1, sizeof(*m));

	if (m)
		m->ssl = MY_SSL_PREFER;
	return m;
}

static void my_conf_free(void *spec)
{
	struct check_mysql_conf *m = spec;

	if (!m)
		return;
	free(m->user);
	if (m->password)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	free(m->password_file);
	free(m->dbname);
	free(m);
}

static int my_conf_equal(const void *va, const void *vb)
{
	const struct check_mysql_conf *a = va, *b = vb;

	return check_str_eq(a->user, b->user) && check_str_eq(a->password, b->password) &&
	       check_str_eq(a->password_file, b->password_file) &&
	       check_str_eq(a->dbname, b->dbname) && a->ssl == b->ssl && a->role == b->role &&
	       a->max_lag == b->max_lag && a->handshake_only == b->handshake_only;
}

/* max_lag with role primary says nothing: a primary has no lag */
static int my_conf_finish(struct check_conf *k, char *err, size_t errlen)
{
	if (MYSQL(k)->max_lag && MYSQL(k)->role == MY_ROLE_PRIMARY)
		return err_set(err, errlen, "max_lag with role primary: a primary has no lag "
					    "(use role replica or any)");
	return 0;
}

const struct check_ops check_mysql_ops = {
    .type = CHECK_MYSQL,
    .name = "MYSQL_CHECK",
    .keywords = check_mysql_kw,
    .retry_default = 1,
    .conf_new = my_conf_new,
    .conf_free = my_conf_free,
    .conf_equal = my_conf_equal,
    .conf_finish = my_conf_finish,
    .start = my_start,
    .cancel = check_stream_release,
};
