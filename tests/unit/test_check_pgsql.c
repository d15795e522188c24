/* PGSQL_CHECK against a fake PostgreSQL server on loopback: a Python child
 * (py_server.h) that speaks the protocol with its own, independent SCRAM,
 * md5 and cleartext code, and plays a primary or a standby (its answer to
 * the role query is chosen by the dbname the check sends, its behaviour
 * by the user: "scram", "scramsalt" (SCRAM with the same salt every
 * time, as a real role has), "md5", "clear", "trust", "badsig" (a wrong server
 * signature), "oversize", "shortlen", "truncated", "endless" (a stream of
 * ParameterStatus), "silent", "gss").  One listener answers SSLRequest 'N',
 * the other 'S' and does TLS.  The health core is played by check_core.h;
 * every wait is bounded by the attempt's deadline. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check.h"
#include "check/check_pgsql-t.h"
#include "check/check_pgsql.h"
#include "check/pg_proto.h"
#include "core/err.h"
#include "core/loop.h"

#include "check_core.h"
#include "py_server.h"

static const char fake_py[] =
    "# A fake PostgreSQL server for test_check_pgsql.c.  The StartupMessage's\n"
    "# user picks the behaviour, its database the role answer ROLE:LSN:DELAY.\n"
    "import base64, hashlib, hmac, os, socket, ssl, struct, sys, threading\n"
    "d = sys.argv[1]\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem'))\n"
    "PW = b'secret'\n"
    "def msg(t, b):\n"
    "    return t + struct.pack('!I', len(b) + 4) + b\n"
    "def recvn(c, n):\n"
    "    b = b''\n"
    "    while len(b) < n:\n"
    "        x = c.recv(n - len(b))\n"
    "        if not x:\n"
    "            raise EOFError\n"
    "        b += x\n"
    "    return b\n"
    "def readmsg(c):\n"
    "    t = recvn(c, 1)\n"
    "    n = struct.unpack('!I', recvn(c, 4))[0]\n"
    "    return t, recvn(c, n - 4)\n"
    "def auth(n, data=b''):\n"
    "    return msg(b'R', struct.pack('!I', n) + data)\n"
    "def fatal(code, text):\n"
    "    return msg(b'E', b'SFATAL\\0VFATAL\\0C' + code + b'\\0M' + text + b'\\0\\0')\n"
    "def attr(s, a):\n"
    "    for kv in s.split(b','):\n"
    "        if kv[:2] == a + b'=':\n"
    "            return kv[2:]\n"
    "def hm(k, m):\n"
    "    return hmac.new(k, m, hashlib.sha256).digest()\n"
    "def scram(c, user, badsig):\n"
    "    c.sendall(auth(10, b'SCRAM-SHA-256\\0\\0'))\n"
    "    t, b = readmsg(c)\n"
    "    mech, rest = b.split(b'\\0', 1)\n"
    "    first = rest[4:]\n"
    "    bare = first[3:]\n"
    "    snonce = attr(bare, b'r') + base64.b64encode(os.urandom(12))\n"
    "    salt = b'0123456789abcdef' if user == b'scramsalt' else os.urandom(16)\n"
    "    sf = b'r=' + snonce + b',s=' + base64.b64encode(salt) + b',i=4096'\n"
    "    c.sendall(auth(11, sf))\n"
    "    t, fin = readmsg(c)\n"
    "    wp = fin[:fin.rfind(b',p=')]\n"
    "    proof = base64.b64decode(attr(fin, b'p'))\n"
    "    am = bare + b',' + sf + b',' + wp\n"
    "    salted = hashlib.pbkdf2_hmac('sha256', PW, salt, 4096)\n"
    "    ck = hm(salted, b'Client Key')\n"
    "    want = bytes(x ^ y for x, y in zip(ck, hm(hashlib.sha256(ck).digest(), am)))\n"
    "    if proof != want or attr(wp, b'r') != snonce:\n"
    "        c.sendall(fatal(b'28P01', b'password authentication failed for user \"' + user + "
    "b'\"'))\n"
    "        return False\n"
    "    sig = hm(hm(salted, b'Server Key'), am)\n"
    "    if badsig:\n"
    "        sig = bytes(32)\n"
    "    c.sendall(auth(12, b'v=' + base64.b64encode(sig)))\n"
    "    return True\n"
    "def serve(c, tls):\n"
    "    try:\n"
    "        c.settimeout(10)\n"
    "        n = struct.unpack('!I', recvn(c, 4))[0]\n"
    "        body = recvn(c, n - 4)\n"
    "        if struct.unpack('!I', body[:4])[0] == 80877103:\n"
    "            c.sendall(b'S' if tls else b'N')\n"
    "            if tls:\n"
    "                c = ctx.wrap_socket(c, server_side=True)\n"
    "            n = struct.unpack('!I', recvn(c, 4))[0]\n"
    "            body = recvn(c, n - 4)\n"
    "        kv = body[4:].split(b'\\0')\n"
    "        p = dict(zip(kv[0::2], kv[1::2]))\n"
    "        user = p[b'user']\n"
    "        role, lsn, delay = p.get(b'database', b'').split(b':')\n"
    "        if user == b'oversize':\n"
    "            c.sendall(b'R' + struct.pack('!I', 1 << 30) + b'\\0' * 100)\n"
    "            c.recv(1)\n"
    "            return\n"
    "        if user == b'shortlen':\n"
    "            c.sendall(b'R' + struct.pack('!I', 2))\n"
    "            c.recv(1)\n"
    "            return\n"
    "        if user == b'truncated':\n"
    "            c.sendall(auth(0)[:7])\n"
    "            return\n"
    "        if user == b'endless':\n"
    "            while True:\n"
    "                c.sendall(msg(b'S', b'application_name\\0x\\0') * 100)\n"
    "        if user == b'silent':\n"
    "            c.recv(1)\n"
    "            return\n"
    "        if user == b'clear':\n"
    "            c.sendall(auth(3))\n"
    "            t, b = readmsg(c)\n"
    "            if b != PW + b'\\0':\n"
    "                c.sendall(fatal(b'28P01', b'password authentication failed'))\n"
    "                return\n"
    "        elif user == b'md5':\n"
    "            salt = os.urandom(4)\n"
    "            c.sendall(auth(5, salt))\n"
    "            t, b = readmsg(c)\n"
    "            inner = hashlib.md5(PW + user).hexdigest().encode()\n"
    "            if b != b'md5' + hashlib.md5(inner + salt).hexdigest().encode() + b'\\0':\n"
    "                c.sendall(fatal(b'28P01', b'password authentication failed'))\n"
    "                return\n"
    "        elif user in (b'scram', b'scramsalt', b'badsig'):\n"
    "            if not scram(c, user, user == b'badsig'):\n"
    "                return\n"
    "        elif user == b'gss':\n"
    "            c.sendall(auth(7))\n"
    "            return\n"
    "        elif user != b'trust':\n"
    "            c.sendall(fatal(b'28000', b'no pg_hba.conf entry'))\n"
    "            return\n"
    "        out = auth(0) + msg(b'S', b'server_version\\x0015.0\\0')\n"
    "        if role.endswith(b'14'):\n"
    "            hs = b'on' if role.startswith(b'standby') else b'off'\n"
    "            out += msg(b'S', b'in_hot_standby\\0' + hs + b'\\0')\n"
    "        out += msg(b'K', b'\\0\\0\\0\\1\\0\\0\\0\\2') + msg(b'Z', b'I')\n"
    "        c.sendall(out)\n"
    "        t, q = readmsg(c)\n"
    "        if t != b'Q' or b'pg_is_in_recovery()' not in q:\n"
    "            return\n"
    "        rec = b't' if role.startswith(b'standby') else b'f'\n"
    "        if role.startswith(b'liar'):\n"
    "            rec = b't'\n"
    "        row = b'\\0\\3'\n"
    "        for v in (rec, lsn, delay):\n"
    "            row += struct.pack('!i', len(v)) + v if v != b'null' else struct.pack('!i', -1)\n"
    "        c.sendall(msg(b'T', b'\\0\\3' + (b'x\\0' + b'\\0' * 18) * 3) + msg(b'D', row) +\n"
    "                  msg(b'C', b'SELECT 1\\0') + msg(b'Z', b'I'))\n"
    "        readmsg(c)\n"
    "    except Exception:\n"
    "        pass\n"
    "    finally:\n"
    "        c.close()\n"
    "def listen(tls):\n"
    "    ls = socket.socket()\n"
    "    ls.bind(('127.0.0.1', 0))\n"
    "    ls.listen(16)\n"
    "    def loop():\n"
    "        while True:\n"
    "            c, _ = ls.accept()\n"
    "            threading.Thread(target=serve, args=(c, tls), daemon=True).start()\n"
    "    threading.Thread(target=loop, daemon=True).start()\n"
    "    return ls.getsockname()[1]\n"
    "a, b = listen(False), listen(True)\n"
    "print('READY %d %d' % (a, b), flush=True)\n"
    "sys.stdin.read()\n";

static struct py_server srv;
static uint16_t plain_port, tls_port;

/* One attempt as user with the fake's answer db ("standby:0/3000000:0"),
 * within deadline_ms. */
static void pg_run(uint16_t port, struct check_pgsql_conf *pc, unsigned deadline_ms)
{
	struct check_conf conf = {.type = CHECK_PGSQL, .spec = pc};
	struct check_run run = {.ops = &check_pgsql_ops, .conf = &conf, .loop = g.l, .up = 1};
	char err[ERRLEN];

	conf.connect_timeout_ms = deadline_ms;
	assert_int_equal(addr_parse_ip("127.0.0.1", &run.target, err, sizeof(err)), 0);
	run.target.port = port;
	run.rs_addr = &run.target;
	attempt(&run);
	if (getenv("FC_TEST_VERBOSE"))
		printf("%s@%s -> %s: %s (%llu ms)\n", pc->user, pc->dbname,
		       g.timed_out ? "timed out"
		       : g.ok	   ? "ok"
				   : "failed",
		       g.reason, (unsigned long long)g.took_ms);
}

static void check(const char *user, const char *pw, const char *db, enum pg_role role,
		  unsigned max_lag)
{
	struct check_pgsql_conf pc = {.user = (char *)user,
				      .password = (char *)pw,
				      .dbname = (char *)db,
				      .role = role,
				      .max_lag = max_lag};

	pg_run(plain_port, &pc, 5000);
}

#define assert_result(ok_, reason_)                                                                \
	do {                                                                                       \
		if (g.timed_out || g.ok != (ok_) || strcmp(g.reason, (reason_)))                   \
			fail_msg("got %s '%s', wanted %s '%s'",                                    \
				 g.timed_out ? "timeout"                                           \
				 : g.ok	     ? "ok"                                                \
					     : "failed",                                                \
				 g.reason, (ok_) ? "ok" : "failed", (reason_));                    \
	} while (0)

/* Every authentication method fulcrum speaks logs in, with the right
 * password only; SCRAM's server signature is verified. */
static void test_auth(void **state)
{
	check("trust", NULL, "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(1, "role primary");
	check("clear", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(1, "role primary");
	check("md5", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(1, "role primary");
	check("scram", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(1, "role primary");

	check("scram", "wrong", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: FATAL 28P01: password authentication failed for user "
			 "\"scram\"");
	check("md5", "wrong", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: FATAL 28P01: password authentication failed");
	check("clear", NULL, "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: the server asks a password, none configured");
	check("badsig", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: wrong SCRAM server signature");
	check("gss", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: method 7 not supported");
	check("nobody", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: FATAL 28000: no pg_hba.conf entry");
}

/* SCRAM's SaltedPassword (PBKDF2, 4,096 rounds) is derived once per
 * password, salt and count: a role's salt does not change between checks,
 * so checks after the first cost no derivation; another password (or
 * salt) is derived anew, and a wrong one still fails. */
static void test_scram_derived_once(void **state)
{
	unsigned long n0;
	int i;

	(void)state;
	n0 = pg_scram_derivations();
	for (i = 0; i < 3; i++) {
		check("scramsalt", "secret", "primary:0/100:0", PG_ROLE_ANY, 0);
		assert_result(1, "role primary");
	}
	assert_int_equal(pg_scram_derivations(), n0 + 1);
	check("scramsalt", "wrong", "primary:0/100:0", PG_ROLE_ANY, 0);
	assert_result(0, "auth failed: FATAL 28P01: password authentication failed for user "
			 "\"scramsalt\"");
	assert_int_equal(pg_scram_derivations(), n0 + 2);
	check("scram", "secret", "primary:0/100:0", PG_ROLE_ANY, 0); /* a new salt */
	assert_result(1, "role primary");
	assert_int_equal(pg_scram_derivations(), n0 + 3);
}

/* startup_only (haproxy's option pgsql-check): an authentication request
 * is an answer enough, no password needed; a refusal is still down. */
static void test_startup_only(void **state)
{
	struct check_pgsql_conf pc = {.user = "md5", .dbname = "primary:0/100:0",
				      .startup_only = 1};

	pg_run(plain_port, &pc, 5000);
	assert_result(1, "PostgreSQL server is ok (authentication request 5)");
	pc.user = "scram";
	pg_run(plain_port, &pc, 5000);
	assert_result(1, "PostgreSQL server is ok (authentication request 10)");
	pc.user = "trust";
	pg_run(plain_port, &pc, 5000);
	assert_result(1, "PostgreSQL server is ok (authentication request 0)");
	pc.user = "nobody";
	pg_run(plain_port, &pc, 5000);
	assert_result(0, "auth failed: FATAL 28000: no pg_hba.conf entry");
}

/* The role from the query, or from in_hot_standby when reported. */
static void test_role(void **state)
{
	check_pgsql_forget();
	check("trust", NULL, "standby:0/100:0", PG_ROLE_STANDBY, 0);
	assert_result(1, "role standby");
	check("trust", NULL, "standby:0/100:0", PG_ROLE_PRIMARY, 0);
	assert_result(0, "role standby, want primary");
	check("trust", NULL, "primary:0/100:0", PG_ROLE_STANDBY, 0);
	assert_result(0, "role primary, want standby");
	check("trust", NULL, "standby14:0/100:0", PG_ROLE_ANY, 0);
	assert_result(1, "role standby");
	/* in_hot_standby off wins over the query (what PostgreSQL 14+ says) */
	check("trust", NULL, "liar_primary14:0/100:0", PG_ROLE_PRIMARY, 0);
	assert_result(1, "role primary");
}

/* A standby's lag against the primary the same pool's checks last found
 * (the standby is the fake's other port, so another server). */
static void lag_check(uint16_t port, const char *db, enum pg_role role)
{
	struct check_pgsql_conf pc = {
	    .user = "trust", .dbname = (char *)db, .role = role, .max_lag = 16 << 20};

	pg_run(port, &pc, 5000);
}

static void test_lag(void **state)
{
	check_pgsql_forget();
	lag_check(tls_port, "standby:0/3000000:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, no primary known (lag not checked)");
	lag_check(plain_port, "primary:0/5000000:0", PG_ROLE_PRIMARY);
	assert_result(1, "role primary");
	lag_check(tls_port, "standby:0/3000000:0", PG_ROLE_STANDBY);
	assert_result(0, "lag 32 MB > 16 MB");
	lag_check(tls_port, "standby:0/4E00000:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, lag 2048 kB");
	lag_check(tls_port, "standby:1/0:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, lag 0 B"); /* ahead of the last figure */
	lag_check(tls_port, "standby:null:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, no replay position (lag not checked)");
	/* the primary we knew is now a standby: nothing is known */
	lag_check(plain_port, "standby:0/5000000:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, no primary known (lag not checked)");
	lag_check(tls_port, "standby:0/3000000:0", PG_ROLE_STANDBY);
	assert_result(1, "role standby, no primary known (lag not checked)");
	check_pgsql_forget();
}

static void test_replay_delay(void **state)
{
	struct check_pgsql_conf pc = {
	    .user = "trust", .dbname = "standby:0/100:45.5", .max_replay_delay = 30};

	pg_run(plain_port, &pc, 5000);
	assert_result(0, "replay delay 46 s > 30 s");
	pc.dbname = "standby:0/100:12.25";
	pg_run(plain_port, &pc, 5000);
	assert_result(1, "role standby");
}

/* A malicious or broken server: down with a reason, never a hang past the
 * deadline, never a crash. */
static void test_malicious(void **state)
{
	check("oversize", NULL, "primary:0/1:0", PG_ROLE_ANY, 0);
	assert_result(0, "protocol error: message of 1073741824 bytes (over 65536)");
	check("shortlen", NULL, "primary:0/1:0", PG_ROLE_ANY, 0);
	assert_result(0, "protocol error: message 'R' with length 2");
	check("truncated", NULL, "primary:0/1:0", PG_ROLE_ANY, 0);
	assert_result(0, "connection closed during authentication");
	check("endless", NULL, "primary:0/1:0", PG_ROLE_ANY, 0);
	assert_result(0, "protocol error: over 262144 bytes without an answer");
	check("trust", NULL, "primary:zz:0", PG_ROLE_ANY, 0);
	assert_result(1, "role primary"); /* an LSN it cannot read is not a lag */
	{
		struct check_pgsql_conf pc = {.user = "silent", .dbname = "primary:0/1:0"};

		pg_run(plain_port, &pc, 300);
		assert_int_equal(g.timed_out, 1);
		assert_true(g.took_ms < 2000);
	}
}

static void test_sslmode(void **state)
{
	struct check_pgsql_conf pc = {.user = "scram",
				      .password = "secret",
				      .dbname = "standby:0/1:0",
				      .sslmode = PG_SSL_REQUIRE};

	pg_run(tls_port, &pc, 5000);
	assert_result(1, "role standby");
	pg_run(plain_port, &pc, 5000);
	assert_result(0, "the server refuses TLS (sslmode require)");
	pc.sslmode = PG_SSL_PREFER;
	pg_run(plain_port, &pc, 5000);
	assert_result(1, "role standby");
	pg_run(tls_port, &pc, 5000);
	assert_result(1, "role standby");
}

static void test_down(void **state)
{
	struct check_pgsql_conf pc = {0};
	uint16_t port = 1; /* nothing listens on loopback port 1 in a test run */

	pg_run(port, &pc, 3000);
	assert_result(0, "connection refused");
}

/* The codec on its own: lengths checked, SCRAM with RFC 7677's example. */
static void test_proto(void **state)
{
	uint8_t buf[64];
	struct pg_msg m;
	struct pg_col col[2];
	char err[128];
	uint64_t lsn;

	memcpy(buf, "D\0\0\0\x0f\0\x02\0\0\0\x01t\xff\xff\xff\xff", 16);
	assert_int_equal(pg_msg_next(buf, 16, &m, err, sizeof(err)), 1);
	assert_int_equal(pg_datarow_parse(&m, col, 2), 2);
	assert_int_equal(col[0].len, 1);
	assert_int_equal(col[1].len, -1);
	assert_int_equal(pg_msg_next(buf, 15, &m, err, sizeof(err)), 0);
	buf[10] = 9; /* a column longer than the row */
	assert_int_equal(pg_msg_next(buf, 16, &m, err, sizeof(err)), 1);
	assert_int_equal(pg_datarow_parse(&m, col, 2), -1);
	assert_int_equal(pg_lsn_parse("16/B374D848", 11, &lsn), 0);
	assert_true(lsn == 0x16B374D848ull);
	assert_int_equal(pg_lsn_parse("16B374D848", 10, &lsn), -1);
	assert_int_equal(pg_lsn_parse("1/123456789", 11, &lsn), -1);
	assert_int_equal(pg_put_startup(buf, 20, "fulcrum", "postgres"), 0);
}

static int setup(void **state)
{
	char line[64];

	signal(SIGPIPE, SIG_IGN);
	g.l = loop_new();
	if (!g.l || py_server_start(&srv, fake_py, line, sizeof(line)) < 0)
		return -1;
	return sscanf(line, "READY %hu %hu", &plain_port, &tls_port) == 2 ? 0 : -1;
}

static int teardown(void **state)
{
	py_server_stop(&srv);
	loop_free(g.l);
	check_pgsql_forget();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proto),	 cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_scram_derived_once),
	    cmocka_unit_test(test_startup_only),
	    cmocka_unit_test(test_role),	 cmocka_unit_test(test_lag),
	    cmocka_unit_test(test_replay_delay), cmocka_unit_test(test_malicious),
	    cmocka_unit_test(test_sslmode),	 cmocka_unit_test(test_down),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
