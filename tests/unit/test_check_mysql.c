/* MYSQL_CHECK against a fake MySQL server on loopback, served on the test's
 * own event loop: each test scripts the server's turns (the greeting, then
 * one reply per packet the check sends) and the check's packets are kept
 * for inspection.  The scrambles are compared with vectors computed apart
 * (Python's hashlib: SHA1 and SHA256 of "s3cret" with the salt 1..20).
 * Covered: each auth method (native, caching_sha2 fast path, its full path
 * refused without TLS, an auth switch), a wrong password, the role answers
 * (and the fallback for a server without super_read_only), the lag (over
 * max_lag, NULL, SHOW REPLICA STATUS where SHOW SLAVE STATUS is gone), and
 * a hostile server: an oversized length, a truncated greeting, a wrong
 * sequence number, a malformed result set, silence -- down with a reason or
 * the deadline, never a hang.  The SSLRequest, TLS and caching_sha2's full
 * authentication (the password in clear inside TLS) against a Python
 * server with a self-signed certificate (py_server.h).  The health core is played by check_core.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check.h"
#include "check/check_mysql-t.h"
#include "check/my_proto.h"
#include "core/err.h"
#include "core/loop.h"

#include "check_core.h"
#include "py_server.h"

static const uint8_t SALT[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
#define NATIVE_S3CRET "\xf6\x6f\xdd\x3f\xf8\x55\xd9\x34\x9a\x0d\xdb\x50\xc4\xa1\xa5\x35\xfb\x41\x24\x65"
#define SHA2_S3CRET                                                                                \
	"\x3f\x3a\x9a\x77\x86\xfd\x9b\xe9\xa0\x06\xee\xd6\x86\xb4\xe6\xb7\x64\x84\xfd\xc0\x6d\xc1"  \
	"\x56\x85\xdf\x5f\x87\x93\x57\x4b\x84\xfc"

/* ---- building what the server says ---- */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put_pkt(struct buf *o, uint8_t seq, const void *p, size_t n)
{
	uint8_t h[4];

	my_put_hdr(h, n, seq);
	put(o, h, 4);
	put(o, p, n);
}

/* HandshakeV10 naming plugin, salt SALT; caps_off removes capabilities */
static void greeting(struct buf *o, const char *plugin, uint32_t caps_off)
{
	uint32_t caps = (MY_CAP_LONG_PASSWORD | MY_CAP_CONNECT_DB | MY_CAP_PROTOCOL_41 |
			 MY_CAP_TRANSACTIONS | MY_CAP_SECURE_CONN | MY_CAP_PLUGIN_AUTH) & ~caps_off;
	struct buf p = {0};
	uint8_t b;

	put(&p, "\x0a" "10.11-fake\0" "\x07\0\0\0", 16);
	put(&p, SALT, 8);
	put(&p, "\0", 1);
	b = (uint8_t)caps, put(&p, &b, 1);
	b = (uint8_t)(caps >> 8), put(&p, &b, 1);
	put(&p, "\x21\x02\0", 3);
	b = (uint8_t)(caps >> 16), put(&p, &b, 1);
	b = (uint8_t)(caps >> 24), put(&p, &b, 1);
	put(&p, "\x15" "\0\0\0\0\0\0\0\0\0\0", 11);
	put(&p, SALT + 8, 12);
	put(&p, "\0", 1);
	put(&p, plugin, strlen(plugin) + 1);
	put_pkt(o, 0, p.b, p.n);
}

static void ok_pkt(struct buf *o, uint8_t seq)
{
	put_pkt(o, seq, "\0\0\0\x02\0\0\0", 7);
}

static void err_pkt(struct buf *o, uint8_t seq, unsigned code, const char *msg)
{
	struct buf p = {0};
	uint8_t c[3] = {0xff, (uint8_t)code, (uint8_t)(code >> 8)};

	put(&p, c, 3);
	put(&p, "#28000", 6);
	put(&p, msg, strlen(msg));
	put_pkt(o, seq, p.b, p.n);
}

static void lenstr(struct buf *p, const char *s)
{
	uint8_t n;

	if (!s) {
		put(p, "\xfb", 1);
		return;
	}
	n = (uint8_t)strlen(s);
	put(p, &n, 1);
	put(p, s, n);
}

/* A text result set from seq 1: ncols names, nrows rows of vals (NULL: SQL
 * NULL), the EOFs. */
static void resultset(struct buf *o, unsigned ncols, const char *const *names, unsigned nrows,
		      const char *const *vals)
{
	uint8_t seq = 1, n = (uint8_t)ncols;
	unsigned i, r;

	put_pkt(o, seq++, &n, 1);
	for (i = 0; i < ncols; i++) {
		struct buf p = {0};

		lenstr(&p, "def"), lenstr(&p, ""), lenstr(&p, ""), lenstr(&p, "");
		lenstr(&p, names[i]), lenstr(&p, "");
		put(&p, "\x0c\x3f\0\x15\0\0\0\x08\x81\0\0\0\0", 13);
		put_pkt(o, seq++, p.b, p.n);
	}
	put_pkt(o, seq++, "\xfe\0\0\x02\0", 5);
	for (r = 0; r < nrows; r++) {
		struct buf p = {0};

		for (i = 0; i < ncols; i++)
			lenstr(&p, vals[r * ncols + i]);
		put_pkt(o, seq++, p.b, p.n);
	}
	put_pkt(o, seq++, "\xfe\0\0\x02\0", 5);
}

static void one_row(struct buf *o, const char *name, const char *val)
{
	resultset(o, 1, &name, 1, &val);
}

/* ---- the fake server ---- */

#define TURNS 8

static struct fake {
	struct ev_io lio, cio;
	struct buf turn[TURNS]; /* [0] at accept, [i] after the check's i-th packet */
	int nturns, sent;
	int close_at_end;       /* hang up once the last turn went out */
	uint8_t in[4096];
	size_t inlen;
	struct buf pkt[TURNS];  /* the check's packets (payloads) */
	int npkts;
} fake;

static void fake_hangup(void)
{
	if (!fake.cio.registered)
		return;
	loop_io_del(g.l, &fake.cio);
	close(fake.cio.fd);
}

static void fake_turn(void)
{
	struct buf *t;

	if (fake.sent >= fake.nturns)
		return;
	t = &fake.turn[fake.sent++];
	if (t->n)
		assert_int_equal(write(fake.cio.fd, t->b, t->n), (ssize_t)t->n);
	if (fake.sent == fake.nturns && fake.close_at_end)
		fake_hangup();
}

static void fake_conn_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	ssize_t n = read(io->fd, fake.in + fake.inlen, sizeof(fake.in) - fake.inlen);
	struct my_pkt pk;
	size_t used;
	char err[160];

	if (n <= 0) {
		fake_hangup();
		return;
	}
	fake.inlen += (size_t)n;
	while (my_frame(fake.in, fake.inlen, &pk, &used, err, sizeof(err)) == 1) {
		int quit = pk.len == 1 && pk.p[0] == MY_COM_QUIT;

		if (!quit && fake.npkts < TURNS) {
			memcpy(fake.pkt[fake.npkts].b, pk.p, pk.len);
			fake.pkt[fake.npkts++].n = pk.len;
		}
		memmove(fake.in, fake.in + used, fake.inlen - used);
		fake.inlen -= used;
		if (!quit)
			fake_turn();
	}
}

static void fake_accept_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	int fd = accept4(io->fd, NULL, NULL, SOCK_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(loop_io_add(l, &fake.cio, fd, EPOLLIN, fake_conn_cb, NULL), 0);
	fake_turn();
}

static uint16_t fake_start(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(loop_io_add(g.l, &fake.lio, fd, EPOLLIN, fake_accept_cb, NULL), 0);
	return ntohs(sa.sin_port);
}

static void fake_stop(void)
{
	fake_hangup();
	loop_io_del(g.l, &fake.lio);
	close(fake.lio.fd);
}

/* A new script: turns come from the test (fake.turn[i], fake.nturns). */
static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

/* One attempt against the fake with m, within deadline_ms. */
static void run_check(struct check_mysql_conf *m, unsigned deadline_ms)
{
	struct check_conf conf = {.type = CHECK_MYSQL, .spec = m};
	struct check_run run = {.ops = &check_mysql_ops, .conf = &conf, .loop = g.l, .up = 1};
	char err[ERRLEN];

	conf.connect_timeout_ms = deadline_ms;
	assert_int_equal(addr_parse_ip("127.0.0.1", &run.target, err, sizeof(err)), 0);
	run.target.port = fake_start();
	run.rs_addr = &run.target;
	attempt(&run);
	fake_stop();
	if (getenv("FC_TEST_VERBOSE"))
		printf("-> %s: %s (%llu ms)\n", g.timed_out ? "timed out" : g.ok ? "ok" : "failed",
		       g.reason, (unsigned long long)g.took_ms);
}

#define PW  "s3cret"
#define CONF(...) ((struct check_mysql_conf){.password = PW, __VA_ARGS__})

/* the auth answer of HandshakeResponse41 (pkt 0 unless TLS): after the
 * 32-byte head and the NUL-ended user, a length byte */
static const uint8_t *auth_of(const struct buf *p, size_t *len)
{
	size_t u = strlen((const char *)p->b + 32);

	*len = p->b[32 + u + 1];
	return p->b + 32 + u + 2;
}

/* ---- tests ---- */

static void test_native_login(void **state)
{
	struct check_mysql_conf m = CONF(.dbname = "app");
	const uint8_t *auth;
	size_t alen;

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	ok_pkt(&fake.turn[1], 2);
	fake.nturns = 2;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "logged in, 10.11-fake");
	assert_int_equal(fake.npkts, 1);
	assert_string_equal((const char *)fake.pkt[0].b + 32, "fulcrum");
	auth = auth_of(&fake.pkt[0], &alen);
	assert_int_equal(alen, 20);
	assert_memory_equal(auth, NATIVE_S3CRET, 20);
	/* then the database and the plugin */
	assert_string_equal((const char *)auth + 20, "app");
	assert_string_equal((const char *)auth + 24, "mysql_native_password");
}

/* haproxy's `option mysql-check` without user: the greeting is enough;
 * nothing is sent (no login, no quit) */
static void test_handshake_only(void **state)
{
	struct check_mysql_conf m = {.handshake_only = 1, .ssl = MY_SSL_PREFER};

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "MySQL server is ok (handshake v10)");
	assert_int_equal(fake.npkts, 0);

	fake_reset(); /* an error packet instead of a greeting is down */
	err_pkt(&fake.turn[0], 0, 1129, "Host '127.0.0.1' is blocked");
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
}

static void test_wrong_password(void **state)
{
	struct check_mysql_conf m = CONF(.user = "app");

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	err_pkt(&fake.turn[1], 2, 1045, "Access denied for user 'app'@'127.0.0.1'");
	fake.nturns = 2;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "auth failed: Access denied for user 'app'@'127.0.0.1'");
}

static void test_sha2_fast_path(void **state)
{
	struct check_mysql_conf m = CONF(.ssl = MY_SSL_DISABLE);
	const uint8_t *auth;
	size_t alen;

	fake_reset();
	greeting(&fake.turn[0], "caching_sha2_password", 0);
	put_pkt(&fake.turn[1], 2, "\x01\x03", 2);
	ok_pkt(&fake.turn[1], 3);
	fake.nturns = 2;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 1);
	auth = auth_of(&fake.pkt[0], &alen);
	assert_int_equal(alen, 32);
	assert_memory_equal(auth, SHA2_S3CRET, 32);
}

static void test_sha2_full_path_needs_tls(void **state)
{
	struct check_mysql_conf m = CONF(.ssl = MY_SSL_PREFER); /* the server offers none */

	fake_reset();
	greeting(&fake.turn[0], "caching_sha2_password", 0);
	put_pkt(&fake.turn[1], 2, "\x01\x04", 2);
	fake.nturns = 2;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "auth failed: caching_sha2_password wants the full"));
	assert_non_null(strstr(g.reason, "only over TLS"));
	assert_int_equal(fake.npkts, 1); /* the password never went out */
}

static void test_ssl_require_without_tls(void **state)
{
	struct check_mysql_conf m = CONF(.ssl = MY_SSL_REQUIRE);

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "ssl require: the server offers no TLS");
	assert_int_equal(fake.npkts, 0);
}

static void test_auth_switch(void **state)
{
	struct check_mysql_conf m = CONF();
	struct buf sw = {0};

	fake_reset();
	greeting(&fake.turn[0], "caching_sha2_password", 0);
	put(&sw, "\xfe" "mysql_native_password", 23);
	put(&sw, SALT, 20);
	put(&sw, "", 1);
	put_pkt(&fake.turn[1], 2, sw.b, sw.n);
	ok_pkt(&fake.turn[2], 4);
	fake.nturns = 3;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 1);
	assert_int_equal(fake.npkts, 2);
	assert_int_equal(fake.pkt[1].n, 20);
	assert_memory_equal(fake.pkt[1].b, NATIVE_S3CRET, 20);
}

/* greeting + OK, then the turns of the queries */
static void logged_in(void)
{
	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	ok_pkt(&fake.turn[1], 2);
	fake.nturns = 2;
}

static void role_answer(const char *ro, const char *sro)
{
	static const char *const names[] = {"@@read_only", "@@super_read_only"};
	const char *vals[] = {ro, sro};

	resultset(&fake.turn[fake.nturns++], 2, names, 1, vals);
}

static void test_role(void **state)
{
	struct check_mysql_conf prim = CONF(.role = MY_ROLE_PRIMARY);

	logged_in();
	role_answer("0", "0");
	run_check(&prim, 3000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "role primary");
	assert_string_equal((const char *)fake.pkt[1].b + 1, "SELECT @@read_only, @@super_read_only");

	logged_in();
	role_answer("0", "1"); /* super_read_only alone makes a replica too */
	run_check(&prim, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "role replica (read_only), want primary");
}

static void slave_status(const char *lag, const char *io, const char *sql)
{
	static const char *const names[] = {"Slave_IO_State", "Slave_IO_Running",
					    "Slave_SQL_Running", "Seconds_Behind_Master"};
	const char *vals[] = {"Waiting", io, sql, lag};

	resultset(&fake.turn[fake.nturns++], 4, names, 1, vals);
}

static void test_replica_lag(void **state)
{
	struct check_mysql_conf rep = CONF(.role = MY_ROLE_REPLICA, .max_lag = 10);

	/* no super_read_only (an old MariaDB): the fallback, then the lag */
	logged_in();
	err_pkt(&fake.turn[fake.nturns++], 1, 1193, "Unknown system variable 'super_read_only'");
	one_row(&fake.turn[fake.nturns++], "@@read_only", "1");
	slave_status("40", "Yes", "Yes");
	run_check(&rep, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "role replica, lag 40 s > 10 s");
	assert_string_equal((const char *)fake.pkt[2].b + 1, "SELECT @@read_only");
	assert_string_equal((const char *)fake.pkt[3].b + 1, "SHOW SLAVE STATUS");

	logged_in();
	role_answer("1", "0");
	slave_status("3", "Yes", "Yes");
	run_check(&rep, 3000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "role replica, lag 3 s");

	logged_in();
	role_answer("1", "0");
	slave_status(NULL, "No", "Yes");
	run_check(&rep, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "replication broken: Seconds_Behind_Master is NULL "
				      "(IO thread No, SQL thread Yes)");

	logged_in(); /* read-only, but no replication configured */
	role_answer("1", "0");
	resultset(&fake.turn[fake.nturns++], 1, (const char *const[]){"Seconds_Behind_Master"}, 0,
		  NULL);
	run_check(&rep, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "not a replica (no replica status)");

	logged_in(); /* the writable one */
	role_answer("0", "0");
	run_check(&rep, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "role primary (not read_only), want replica");
}

static void test_replica_status_fallback(void **state)
{
	struct check_mysql_conf any = CONF(.max_lag = 5);
	static const char *const names[] = {"Replica_IO_Running", "Seconds_Behind_Source"};
	const char *vals[] = {"Yes", "2"};

	logged_in();
	err_pkt(&fake.turn[fake.nturns++], 1, 1064, "You have an error in your SQL syntax");
	resultset(&fake.turn[fake.nturns++], 2, names, 1, vals);
	run_check(&any, 3000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "lag 2 s");
	assert_string_equal((const char *)fake.pkt[2].b + 1, "SHOW REPLICA STATUS");
}

/* ---- a hostile or broken server: down with a reason, in time ---- */

static void test_oversized_length(void **state)
{
	struct check_mysql_conf m = CONF();

	fake_reset();
	put(&fake.turn[0], "\xff\xff\xff\x00", 4);
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "a packet of 16777215 bytes (at most 262144 taken)");
}

static void test_truncated_greeting(void **state)
{
	struct check_mysql_conf m = CONF();
	struct buf full = {0};

	fake_reset();
	greeting(&full, "mysql_native_password", 0);
	/* a header that says the whole packet, then 20 bytes and a close */
	put(&fake.turn[0], full.b, 24);
	fake.nturns = 1;
	fake.close_at_end = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "the server closed the connection before its greeting");

	/* a complete packet whose contents stop early */
	fake_reset();
	put_pkt(&fake.turn[0], 0, "\x0a" "5.7\0" "\1\0\0\0" "abc", 12);
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "greeting: truncated greeting");

	fake_reset(); /* a server without 4.1 authentication */
	greeting(&fake.turn[0], "mysql_native_password", MY_CAP_PROTOCOL_41);
	fake.nturns = 1;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "greeting: server without protocol 4.1 authentication");
}

static void test_wrong_sequence(void **state)
{
	struct check_mysql_conf m = CONF();

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	ok_pkt(&fake.turn[1], 5);
	fake.nturns = 2;
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "a packet out of sequence (5, want 2)");
}

static void test_malformed_resultset(void **state)
{
	struct check_mysql_conf m = CONF(.role = MY_ROLE_PRIMARY);
	struct buf *t;

	logged_in();
	t = &fake.turn[fake.nturns++];
	put_pkt(t, 1, "\x01", 1);
	put_pkt(t, 2, "\x03" "def" "\x50", 5); /* a name of 80 bytes in a 5-byte packet */
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "reading the role: malformed column definition");

	logged_in(); /* a row with more values than columns */
	role_answer("0", "0");
	t = &fake.turn[fake.nturns - 1];
	t->n -= (4 + 4) + (4 + 5); /* the row and the last EOF, replaced by: */
	put_pkt(t, 5, "\x01" "0" "\x01" "0" "\x01" "0", 6);
	run_check(&m, 3000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "reading the role: a row longer than its 2 columns");
}

static void test_silence_times_out(void **state)
{
	struct check_mysql_conf m = CONF();

	fake_reset();
	greeting(&fake.turn[0], "mysql_native_password", 0);
	fake.nturns = 1; /* no answer to the login */
	run_check(&m, 400);
	assert_int_equal(g.timed_out, 1);
	assert_true(g.took_ms < 2000);
}

/* ---- over TLS: a Python server with a certificate (py_server.h) ---- */

/* Greets with caching_sha2_password and CLIENT_SSL, takes the SSLRequest,
 * does TLS, asks the full authentication (0x01 0x04) and accepts the
 * password in clear if it is s3cret (an OK), else an ERR. */
static const char my_tls_py[] =
    "import os, socket, ssl, struct, sys, threading\n"
    "d = sys.argv[1]\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem'))\n"
    "ls = socket.socket()\n"
    "ls.bind(('127.0.0.1', 0))\n"
    "ls.listen(8)\n"
    "def pkt(seq, p):\n"
    "    return struct.pack('<I', len(p))[:3] + bytes([seq]) + p\n"
    "def exact(s, n):\n"
    "    b = b''\n"
    "    while len(b) < n:\n"
    "        r = s.recv(n - len(b))\n"
    "        if not r:\n"
    "            raise EOFError\n"
    "        b += r\n"
    "    return b\n"
    "def read(s):\n"
    "    h = exact(s, 4)\n"
    "    return h[3], exact(s, h[0] | h[1] << 8 | h[2] << 16)\n"
    "def serve(c):\n"
    "    try:\n"
    "        c.settimeout(5)\n"
    "        caps = 0x000aaa09\n"
    "        salt = bytes(range(1, 21))\n"
    "        g = (b'\\x0a8.0-fake\\x00' + struct.pack('<I', 9) + salt[:8] + b'\\x00' +\n"
    "             struct.pack('<H', caps & 0xffff) + b'\\x21\\x02\\x00' +\n"
    "             struct.pack('<H', caps >> 16) + b'\\x15' + bytes(10) + salt[8:] +\n"
    "             b'\\x00caching_sha2_password\\x00')\n"
    "        c.sendall(pkt(0, g))\n"
    "        seq, p = read(c)\n"
    "        if seq != 1 or len(p) != 32 or not (p[1] & 0x08):\n"
    "            return c.close()\n"
    "        s = ctx.wrap_socket(c, server_side=True)\n"
    "        seq, p = read(s)\n"
    "        s.sendall(pkt(3, b'\\x01\\x04'))\n"
    "        seq, p = read(s)\n"
    "        if seq == 4 and p == b's3cret\\x00':\n"
    "            s.sendall(pkt(5, b'\\x00\\x00\\x00\\x02\\x00\\x00\\x00'))\n"
    "        else:\n"
    "            s.sendall(pkt(5, b'\\xff\\x15\\x04#28000Access denied'))\n"
    "        read(s)\n"
    "        s.close()\n"
    "    except Exception:\n"
    "        c.close()\n"
    "def loop():\n"
    "    while True:\n"
    "        c, _ = ls.accept()\n"
    "        threading.Thread(target=serve, args=(c,), daemon=True).start()\n"
    "threading.Thread(target=loop, daemon=True).start()\n"
    "print('READY %d' % ls.getsockname()[1], flush=True)\n"
    "sys.stdin.read()  # until the test closes our stdin\n";

static struct py_server tls_srv;
static uint16_t tls_port;

static int tls_setup(void **state)
{
	char line[64];

	if (py_server_start(&tls_srv, my_tls_py, line, sizeof(line)) < 0)
		return -1;
	return sscanf(line, "READY %hu", &tls_port) == 1 ? 0 : -1;
}

static int tls_teardown(void **state)
{
	return py_server_stop(&tls_srv);
}

/* One attempt against the TLS server. */
static void run_tls(struct check_mysql_conf *m)
{
	struct check_conf conf = {.type = CHECK_MYSQL, .spec = m, .connect_timeout_ms = 5000};
	struct check_run run = {.ops = &check_mysql_ops, .conf = &conf, .loop = g.l, .up = 1};
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip("127.0.0.1", &run.target, err, sizeof(err)), 0);
	run.target.port = tls_port;
	run.rs_addr = &run.target;
	attempt(&run);
	if (getenv("FC_TEST_VERBOSE"))
		printf("-> %s: %s\n", g.timed_out ? "timed out" : g.ok ? "ok" : "failed", g.reason);
}

static void test_tls_full_path(void **state)
{
	struct check_mysql_conf good = CONF(.ssl = MY_SSL_PREFER);
	struct check_mysql_conf bad = {.password = "wrong", .ssl = MY_SSL_REQUIRE};

	/* the full authentication: the password in clear, inside TLS */
	run_tls(&good);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "logged in, 8.0-fake, TLS");
	run_tls(&bad);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "auth failed: Access denied");
}

static int setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	g.l = loop_new();
	return g.l ? 0 : -1;
}

static int teardown(void **state)
{
	loop_free(g.l);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_native_login),
	    cmocka_unit_test(test_handshake_only),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_sha2_fast_path),
	    cmocka_unit_test(test_sha2_full_path_needs_tls),
	    cmocka_unit_test(test_ssl_require_without_tls),
	    cmocka_unit_test(test_auth_switch),
	    cmocka_unit_test(test_role),
	    cmocka_unit_test(test_replica_lag),
	    cmocka_unit_test(test_replica_status_fallback),
	    cmocka_unit_test(test_oversized_length),
	    cmocka_unit_test(test_truncated_greeting),
	    cmocka_unit_test(test_wrong_sequence),
	    cmocka_unit_test(test_malformed_resultset),
	    cmocka_unit_test(test_silence_times_out),
	    cmocka_unit_test_setup_teardown(test_tls_full_path, tls_setup, tls_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
