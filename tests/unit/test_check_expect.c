/* EXPECT_CHECK against real peers on loopback: a scripted TCP server served
 * on the test's own event loop (a greeting, a reply to a request line, a
 * greeting in two pieces, a close, silence, a flood) and a TLS server (a
 * Python child with a self-signed certificate made by the openssl CLI).
 * The health core is played by this file: it starts one attempt, plays the
 * deadline (calls cancel, as the core does) and receives check_done,
 * asserting exactly one per finished attempt.  Every wait is bounded.  (The
 * keepalived.conf grammar: test_check_expect_conf.c, which links the real
 * health core.) */
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
#include "check/check_expect-t.h"
#include "check/check_expect.h"
#include "core/err.h"
#include "core/loop.h"

#include "check_core.h"
#include "py_server.h"

/* ---- the scripted peer ---- */

static struct peer {
	struct ev_io lio, cio;
	struct ev_timer later_t;
	const char *greeting; /* sent at accept, NULL = none */
	const char *later;    /* sent 100 ms after the greeting, NULL = none */
	const char *reply;    /* sent once a line ending in \n came in */
	int close_after;      /* close once greeting/later/reply went out */
	size_t flood;         /* bytes of 'x' sent at accept, then "END\r\n" */
	size_t flooded;
	char in[1024];        /* what the check sent */
	size_t inlen;
	int conns;
} peer;

static void peer_say(const char *s)
{
	if (s && peer.cio.registered)
		assert_int_equal(write(peer.cio.fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void peer_hangup(void)
{
	if (!peer.cio.registered)
		return;
	loop_io_del(g.l, &peer.cio);
	close(peer.cio.fd);
}

/* Write more of the flood; the tail once all 'x' went out. */
static void peer_flood(void)
{
	static const char xs[4096] = {[0 ... 4095] = 'x'};

	while (peer.flooded < peer.flood) {
		size_t n = peer.flood - peer.flooded;
		ssize_t w = send(peer.cio.fd, xs, n < sizeof(xs) ? n : sizeof(xs),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) { /* the check went away */
			peer_hangup();
			return;
		}
		peer.flooded += (size_t)w;
	}
	(void)send(peer.cio.fd, "END\r\n", 5, MSG_DONTWAIT | MSG_NOSIGNAL);
	loop_io_mod(g.l, &peer.cio, EPOLLIN);
}

static void peer_conn_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	ssize_t n;

	if (ev & EPOLLOUT) {
		peer_flood();
		if (!peer.cio.registered)
			return;
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = read(io->fd, peer.in + peer.inlen, sizeof(peer.in) - 1 - peer.inlen);
	if (n <= 0) {
		peer_hangup();
		return;
	}
	peer.inlen += (size_t)n;
	peer.in[peer.inlen] = 0;
	if (peer.reply && strchr(peer.in, '\n')) {
		peer_say(peer.reply);
		if (peer.close_after)
			peer_hangup();
	}
}

static void peer_later_cb(struct loop *l, struct ev_timer *t)
{
	peer_say(peer.later);
	if (peer.close_after && !peer.reply)
		peer_hangup();
}

static void peer_accept_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	int fd = accept4(io->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	peer_hangup();
	peer.conns++;
	peer.inlen = 0;
	peer.flooded = 0;
	assert_int_equal(
	    loop_io_add(l, &peer.cio, fd, peer.flood ? EPOLLIN | EPOLLOUT : EPOLLIN, peer_conn_cb,
			NULL),
	    0);
	peer_say(peer.greeting);
	if (peer.later)
		loop_timer_start(l, &peer.later_t, 100);
	else if (peer.close_after && !peer.reply && !peer.flood)
		peer_hangup();
}

/* A listener on 127.0.0.1, any port. */
static int listener(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(listen(fd, 8), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static uint16_t peer_start(const struct peer *script)
{
	uint16_t port;
	int fd = listener(&port);

	peer = *script;
	loop_timer_init(&peer.later_t, peer_later_cb, NULL);
	assert_int_equal(loop_io_add(g.l, &peer.lio, fd, EPOLLIN, peer_accept_cb, NULL), 0);
	return port;
}

static void peer_stop(void)
{
	peer_hangup();
	loop_timer_stop(g.l, &peer.later_t);
	loop_io_del(g.l, &peer.lio);
	close(peer.lio.fd);
}

/* One EXPECT_CHECK attempt against port with send / expect / tls, within
 * deadline_ms. */
static void expect_run(uint16_t port, const char *send, const char *expect, int tls,
		       unsigned deadline_ms)
{
	struct check_expect_conf e = {.send = (char *)send, .expect = (char *)expect, .tls = tls};
	struct check_conf conf = {.type = CHECK_EXPECT, .spec = &e};
	struct check_run run = {.ops = &check_expect_ops, .conf = &conf, .loop = g.l, .up = 1};
	char err[ERRLEN];

	conf.connect_timeout_ms = deadline_ms;
	assert_int_equal(addr_parse_ip("127.0.0.1", &run.target, err, sizeof(err)), 0);
	run.target.port = port;
	run.rs_addr = &run.target;
	attempt(&run);
	if (getenv("FC_TEST_VERBOSE"))
		printf("send %s expect %s -> %s: %s (%llu ms)\n", send ? send : "-",
		       expect ? expect : "-", g.timed_out ? "timed out" : g.ok ? "ok" : "failed",
		       g.reason, (unsigned long long)g.took_ms);
}

/* The script against a peer, then the peer stopped. */
static void peer_case(const struct peer *script, const char *send, const char *expect,
		      unsigned deadline_ms)
{
	uint16_t port = peer_start(script);

	expect_run(port, send, expect, 0, deadline_ms);
	spin(20); /* let the peer read what was sent last */
	peer_stop();
}

#define assert_result(ok_, reason_)                                                                \
	do {                                                                                       \
		if (g.timed_out || g.ok != (ok_) || strcmp(g.reason, (reason_)))                  \
			fail_msg("got %s '%s', wanted %s '%s'",                                    \
				 g.timed_out ? "timeout" : g.ok ? "ok" : "failed", g.reason,       \
				 (ok_) ? "ok" : "failed", (reason_));                              \
	} while (0)

/* A POP3-like greeting, nothing sent; the match ends the attempt at once
 * though the server keeps the connection open. */
static void test_greeting(void **state)
{
	peer_case(&(struct peer){.greeting = "+OK POP3 ready\r\n"}, NULL, "^\\+OK", 6000);
	assert_result(1, "reply matched '^\\+OK'");
	assert_int_equal(g.kind, CK_L7OK);
	assert_true(g.took_ms < 3000);
	assert_int_equal(peer.inlen, 0); /* nothing was sent */

	/* the greeting in two pieces: "+O", then "K" 100 ms later */
	peer_case(&(struct peer){.greeting = "+O", .later = "K ready\r\n"}, NULL, "^\\+OK", 3000);
	assert_result(1, "reply matched '^\\+OK'");
	assert_true(g.took_ms >= 90);
}

/* simpletcp: a request, a reply matched against the pattern. */
static void test_send_expect(void **state)
{
	char err[ERRLEN], *s = NULL;

	peer_case(&(struct peer){.reply = "HELLO there\r\nversion 2.4\r\n"}, "PING\r\n",
		  "version \\d+\\.\\d+", 3000);
	assert_result(1, "reply matched 'version \\d+\\.\\d+'");
	assert_string_equal(peer.in, "PING\r\n");

	/* escapes are decoded by the reader: what it builds is sent as is */
	assert_int_equal(check_expect_unescape("A\\x42\\tc\\\\\\\"\\r\\n", &s, err, sizeof(err)),
			 0);
	assert_string_equal(s, "AB\tc\\\"\r\n");
	peer_case(&(struct peer){.reply = "ok\n"}, s, "^ok$", 3000);
	assert_result(1, "reply matched '^ok$'");
	assert_string_equal(peer.in, "AB\tc\\\"\r\n");
	free(s);
	/* what the keepalived lexer cannot hand over, a reader might */
	assert_int_equal(check_expect_unescape("A\\", &s, err, sizeof(err)), -1);
	assert_string_equal(err, "a lone '\\' at the end");

	/* send only: passes once sent; neither: once connected */
	peer_case(&(struct peer){0}, "QUIT\r\n", NULL, 3000);
	assert_result(1, "connected, request sent");
	assert_int_equal(g.kind, CK_L7OK); /* haproxy's tcp-check send */
	assert_string_equal(peer.in, "QUIT\r\n");
	peer_case(&(struct peer){0}, NULL, NULL, 3000);
	assert_result(1, "connected");
	assert_int_equal(g.kind, CK_L4OK);
}

static void test_no_match(void **state)
{
	/* an anchored pattern fails as soon as the reply cannot match, the
	 * server still holding the connection open */
	peer_case(&(struct peer){.greeting = "-ERR too busy\r\n"}, NULL, "^\\+OK", 6000);
	assert_result(0, "reply did not match '^\\+OK' (15 bytes, \"-ERR too busy\")");
	assert_int_equal(g.kind, CK_L7RSP);
	assert_true(g.took_ms < 3000);

	/* unanchored: read until the server closes */
	peer_case(&(struct peer){.reply = "Welcome to centos-less land\r\n", .close_after = 1},
		  "HELLO\r\n", "ubuntu", 3000);
	assert_result(0, "reply did not match 'ubuntu' (29 bytes, then the server closed, "
			 "\"Welcome to centos-less land\")");

	/* a bad pattern that bypassed the reader fails with PCRE2's words */
	peer_case(&(struct peer){.greeting = "+OK\r\n"}, NULL, "(unclosed", 3000);
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "expect: bad regex at offset 9"));
}

static void test_server_closes(void **state)
{
	uint16_t port;

	peer_case(&(struct peer){.close_after = 1}, NULL, "^\\+OK", 3000);
	assert_result(0, "connection closed before a reply");
	assert_int_equal(g.kind, CK_L7RSP);
	assert_int_equal(peer.conns, 1);

	/* nobody listening */
	close(listener(&port));
	expect_run(port, NULL, "^\\+OK", 0, 3000);
	assert_result(0, "connection refused");
	assert_int_equal(g.kind, CK_L4CON);
}

/* A server that accepts and never says a word, and one that says half a
 * line: the core's deadline, cancel frees everything (ASan). */
static void test_timeout(void **state)
{
	peer_case(&(struct peer){0}, NULL, "^\\+OK", 300);
	assert_int_equal(g.timed_out, 1);
	assert_true(g.took_ms >= 290 && g.took_ms < 3000);

	peer_case(&(struct peer){.greeting = "+O"}, "CAPA\r\n", "^\\+OK ", 300);
	assert_int_equal(g.timed_out, 1);
	assert_string_equal(peer.in, "CAPA\r\n");
}

/* The reply is read up to 16 KiB and no further: a flood of 64 MiB whose
 * "END" comes after the bound fails, and does so without reading it all. */
static void test_reply_bounded(void **state)
{
	peer_case(&(struct peer){.flood = 64 << 20}, NULL, "END", 5000);
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "reply did not match 'END' (16384 bytes, the most read, "
					 "\"xxxxxxxx"));
	assert_true(peer.flooded < (64 << 20)); /* the check hung up long before */

	/* within the bound it is found, across reads */
	peer_case(&(struct peer){.flood = 16000}, NULL, "END", 5000);
	assert_result(1, "reply matched 'END'");
}

/* ---- TLS: a Python server with a self-signed certificate ---- */

static const char tls_py[] =
    "import os, socket, ssl, sys, threading\n"
    "d = sys.argv[1]\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem'))\n"
    "ls = socket.socket()\n"
    "ls.bind(('127.0.0.1', 0))\n"
    "ls.listen(8)\n"
    "def serve(c):\n"
    "    try:\n"
    "        c.settimeout(5)\n"
    "        s = ctx.wrap_socket(c, server_side=True)\n"
    "        s.sendall(b'+OK TLS POP3 ready\\r\\n')\n"
    "        line = s.recv(1024)\n"
    "        if line:\n"
    "            s.sendall(b'+OK got ' + line)\n"
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

	if (py_server_start(&tls_srv, tls_py, line, sizeof(line)) < 0)
		return -1;
	return sscanf(line, "READY %hu", &tls_port) == 1 ? 0 : -1;
}

static int tls_teardown(void **state)
{
	return py_server_stop(&tls_srv);
}

static void test_tls(void **state)
{
	uint16_t port;

	/* the greeting comes inside TLS */
	expect_run(tls_port, NULL, "^\\+OK TLS", 1, 5000);
	assert_result(1, "reply matched '^\\+OK TLS'");
	/* a request over TLS and its reply; the greeting is in the buffer too */
	expect_run(tls_port, "CAPA\r\n", "\\+OK got CAPA\r\n$", 1, 5000);
	assert_result(1, "reply matched '\\+OK got CAPA\r\n$'");
	/* the handshake alone */
	expect_run(tls_port, NULL, NULL, 1, 5000);
	assert_result(1, "TLS handshake done");
	/* without tls the same port says nothing we understand: the server
	 * waits for a ClientHello, the deadline ends it */
	expect_run(tls_port, NULL, "^\\+OK", 0, 300);
	assert_int_equal(g.timed_out, 1);
	/* tls against a plain server: the handshake fails */
	port = peer_start(&(struct peer){.greeting = "+OK plain\r\n"});
	expect_run(port, NULL, "^\\+OK", 1, 3000);
	peer_stop();
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "TLS handshake failed: "));
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
	    cmocka_unit_test(test_greeting),
	    cmocka_unit_test(test_send_expect),
	    cmocka_unit_test(test_no_match),
	    cmocka_unit_test(test_server_closes),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_reply_bounded),
	    cmocka_unit_test_setup_teardown(test_tls, tls_setup, tls_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
