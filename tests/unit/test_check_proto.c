/* SMTP_CHECK, DNS_CHECK, UDP_CHECK and PING_CHECK against real peers on
 * loopback.  The peers are sockets served on the test's own event loop
 * (an SMTP server that can greet with 220 or 554, a DNS responder that can
 * answer NOERROR, SERVFAIL, with a wrong ID or garbage, a UDP echo and a
 * UDP sink); ping goes to 127.0.0.1 / ::1 and into a network namespace the
 * test creates (fc-ping-<pid>, always deleted).  The health core is played
 * by this file: it starts one attempt, plays the deadline (calls cancel) and
 * receives check_done, asserting exactly one per finished attempt.  Every
 * wait is bounded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
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
#include "check/check_dns-t.h"
#include "check/check_smtp-t.h"
#include "check/check_udp-t.h"
#include "check/dns_msg.h"
#include "core/err.h"
#include "core/loop.h"

#include "check_core.h"

static void run_init(struct check_run *run, struct check_conf *conf, const struct check_ops *ops,
		     const char *ip, uint16_t port)
{
	char err[ERRLEN];

	memset(run, 0, sizeof(*run));
	memset(conf, 0, sizeof(*conf));
	conf->type = ops->type;
	conf->connect_timeout_ms = 1000;
	conf->retry = 1;
	run->ops = ops;
	run->conf = conf;
	run->loop = g.l;
	assert_int_equal(addr_parse_ip(ip, &run->target, err, sizeof(err)), 0);
	run->target.port = port;
	run->rs_addr = &run->target;
	run->up = 1;
}

/* A socket on 127.0.0.1 (or ::1), any port; the port in *port. */
static int bound_socket(int family, int type, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof(*s6);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	sl = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A port on which nothing listens (bound then closed). */
static uint16_t closed_port(int type)
{
	uint16_t port;

	close(bound_socket(AF_INET, type, &port));
	return port;
}

/* ---- SMTP peer ---- */

static struct smtp_srv {
	struct ev_io lio, cio;
	const char *banner; /* sent at accept, NULL = silent */
	const char *helo_reply;
	char helo[512]; /* the HELO line received */
	int quit_seen;
	char in[512];
	size_t inlen;
} smtp;

static void smtp_srv_say(const char *s)
{
	if (s)
		assert_int_equal(write(smtp.cio.fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void smtp_conn_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	ssize_t n = read(io->fd, smtp.in + smtp.inlen, sizeof(smtp.in) - 1 - smtp.inlen);
	char *nl;

	if (n <= 0) {
		loop_io_del(l, io);
		close(io->fd);
		return;
	}
	smtp.inlen += (size_t)n;
	smtp.in[smtp.inlen] = 0;
	while ((nl = strstr(smtp.in, "\r\n"))) {
		*nl = 0;
		if (!strncmp(smtp.in, "HELO ", 5)) {
			snprintf(smtp.helo, sizeof(smtp.helo), "%s", smtp.in);
			smtp_srv_say(smtp.helo_reply);
		} else if (!strcmp(smtp.in, "QUIT")) {
			smtp.quit_seen = 1;
			smtp_srv_say("221 bye\r\n");
		} else {
			smtp_srv_say("502 what\r\n");
		}
		smtp.inlen -= (size_t)(nl + 2 - smtp.in);
		memmove(smtp.in, nl + 2, smtp.inlen + 1);
	}
}

static void smtp_accept_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	int fd = accept4(io->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (smtp.cio.registered) {
		loop_io_del(l, &smtp.cio);
		close(smtp.cio.fd);
	}
	smtp.inlen = 0;
	assert_int_equal(loop_io_add(l, &smtp.cio, fd, EPOLLIN, smtp_conn_cb, NULL), 0);
	smtp_srv_say(smtp.banner);
}

static uint16_t smtp_srv_start(const char *banner, const char *helo_reply)
{
	uint16_t port;
	int fd = bound_socket(AF_INET, SOCK_STREAM, &port);

	memset(&smtp, 0, sizeof(smtp));
	smtp.banner = banner;
	smtp.helo_reply = helo_reply;
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(loop_io_add(g.l, &smtp.lio, fd, EPOLLIN, smtp_accept_cb, NULL), 0);
	return port;
}

static void smtp_srv_stop(void)
{
	if (smtp.cio.registered) {
		loop_io_del(g.l, &smtp.cio);
		close(smtp.cio.fd);
	}
	loop_io_del(g.l, &smtp.lio);
	close(smtp.lio.fd);
}

static void smtp_case(const char *banner, const char *helo_reply, const char *helo_name)
{
	struct check_conf conf;
	struct check_run run;
	uint16_t port = smtp_srv_start(banner, helo_reply);

	run_init(&run, &conf, &check_smtp_ops, "127.0.0.1", port);
	conf.spec = &(struct check_smtp_conf){.helo_name = (char *)helo_name};
	attempt(&run);
	spin(20); /* let the peer read what was sent last */
	smtp_srv_stop();
}

static void test_smtp_ok(void **state)
{
	(void)state;
	smtp_case("220 mx.test ESMTP\r\n", "250 hello\r\n", NULL);
	assert_int_equal(g.ok, 1);
	assert_string_equal(smtp.helo, "HELO smtpchecker.keepalived.org"); /* keepalived's */
	assert_true(smtp.quit_seen);

	/* multi-line greeting and HELO reply; helo_name set */
	smtp_case("220-mx.test ESMTP\r\n220-policy text\r\n220 ready\r\n",
		  "250-mx.test\r\n250 PIPELINING\r\n", "lb.example.org");
	assert_int_equal(g.ok, 1);
	assert_string_equal(smtp.helo, "HELO lb.example.org");
	assert_true(smtp.quit_seen);

	/* bare LF line ends are taken too */
	smtp_case("220 mx\n", "250 ok\n", NULL);
	assert_int_equal(g.ok, 1);
}

static void test_smtp_fail(void **state)
{
	(void)state;
	smtp_case("554 no service here\r\n", "250 ok\r\n", NULL);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "banner 554 no service here");
	assert_string_equal(smtp.helo, ""); /* no HELO after a refusal */

	smtp_case("220 mx\r\n", "550 go away\r\n", NULL);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "HELO reply 550 go away");

	/* the second line of a multi-line greeting is not a HELO reply */
	smtp_case("220-a\r\n220 b\r\n", "421 closing\r\n", NULL);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "HELO reply 421 closing");

	smtp_case("hello there\r\n", "250 ok\r\n", NULL);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "malformed reply to the banner");

	smtp_case("220-a\r\n250 b\r\n", "250 ok\r\n", NULL); /* codes differ */
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "malformed reply to the banner");

	/* a banner that never ends: the deadline */
	smtp_case("220 mx", "250 ok\r\n", NULL);
	assert_int_equal(g.timed_out, 1);

	/* accepts and says nothing: the core's deadline, cancel frees all */
	smtp_case(NULL, NULL, NULL);
	assert_int_equal(g.timed_out, 1);
	assert_true(g.took_ms >= 950 && g.took_ms < 2000);
}

static void test_smtp_refused(void **state)
{
	struct check_conf conf;
	struct check_run run;

	(void)state;
	run_init(&run, &conf, &check_smtp_ops, "127.0.0.1", closed_port(SOCK_STREAM));
	attempt(&run);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "connection refused");
	assert_true(g.took_ms < 500);
}

/* ---- DNS peer ---- */

enum dns_mode {
	DNS_NOERROR,
	DNS_SERVFAIL,
	DNS_WRONG_ID,
	DNS_GARBAGE,
	DNS_CUT,
	DNS_STRAY_FIRST,
	DNS_OTHER_Q
};

static struct {
	struct ev_io io;
	enum dns_mode mode;
	int queries;
	char qname[300];
	uint16_t qtype;
} dns;

static void dns_srv_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	static const uint8_t ans[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t q[512], r[600];
	struct dns_msg_info info;
	char err[ERRLEN];
	ssize_t n = recvfrom(io->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	size_t rlen, i, o;

	if (n < DNS_HDR_LEN || dns_parse(q, (size_t)n, &info, err, sizeof(err)) < 0)
		return;
	dns.queries++;
	dns.qtype = info.qtype;
	/* the name in dotted form, for the test to look at */
	for (i = 0, o = 0; i < info.qname_len && info.qname[i]; i += 1 + info.qname[i]) {
		if (o)
			dns.qname[o++] = '.';
		memcpy(dns.qname + o, info.qname + i + 1, info.qname[i]);
		o += info.qname[i];
	}
	dns.qname[o] = 0;

	memcpy(r, q, (size_t)n);
	r[2] = 0x81;
	r[3] = 0x80;
	r[7] = 1;
	memcpy(r + n, ans, sizeof(ans));
	rlen = (size_t)n + sizeof(ans);
	switch (dns.mode) {
	case DNS_NOERROR:
		break;
	case DNS_SERVFAIL:
		r[3] = 0x82;
		r[7] = 0;
		rlen = (size_t)n;
		break;
	case DNS_WRONG_ID:
		r[1] ^= 0x55;
		break;
	case DNS_GARBAGE:
		for (i = 0; i < 40; i++)
			r[i] = (uint8_t)(i * 37 + 11);
		rlen = 40;
		break;
	case DNS_CUT: /* our ID and QR, question cut short */
		rlen = DNS_HDR_LEN + 3;
		break;
	case DNS_STRAY_FIRST: {
		uint8_t stray[sizeof(r)];

		memcpy(stray, r, rlen);
		stray[0] ^= 0xff;
		sendto(io->fd, stray, rlen, 0, (struct sockaddr *)&from, fl);
		sendto(io->fd, "junk", 4, 0, (struct sockaddr *)&from, fl);
		break;
	}
	case DNS_OTHER_Q:
		r[DNS_HDR_LEN + 1] ^= 0x01;
		break;
	}
	sendto(io->fd, r, rlen, 0, (struct sockaddr *)&from, fl);
}

static uint16_t dns_srv_start(enum dns_mode mode)
{
	uint16_t port;
	int fd = bound_socket(AF_INET, SOCK_DGRAM, &port);

	memset(&dns, 0, sizeof(dns));
	dns.mode = mode;
	assert_int_equal(loop_io_add(g.l, &dns.io, fd, EPOLLIN, dns_srv_cb, NULL), 0);
	return port;
}

static void dns_srv_stop(void)
{
	loop_io_del(g.l, &dns.io);
	close(dns.io.fd);
}

static void dns_case(enum dns_mode mode, const char *name, const char *type)
{
	struct check_conf conf;
	struct check_run run;
	uint16_t port = dns_srv_start(mode);

	run_init(&run, &conf, &check_dns_ops, "127.0.0.1", port);
	conf.connect_timeout_ms = 300;
	conf.spec = &(struct check_dns_conf){.dns_name = (char *)name, .dns_type = (char *)type};
	attempt(&run);
	dns_srv_stop();
}

static void test_dns_ok(void **state)
{
	(void)state;
	dns_case(DNS_NOERROR, NULL, NULL);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "NOERROR, 0 answers"); /* an A record to an SOA query */
	assert_string_equal(dns.qname, "");		     /* keepalived's defaults: ".", SOA */
	assert_int_equal(dns.qtype, DNS_T_SOA);

	dns_case(DNS_NOERROR, "www.example.org", "A");
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "NOERROR, 1 answer");
	assert_string_equal(dns.qname, "www.example.org");
	assert_int_equal(dns.qtype, DNS_T_A);

	/* stray datagrams first (other ID, too short) are skipped */
	dns_case(DNS_STRAY_FIRST, "example.org.", "MX");
	assert_int_equal(g.ok, 1);
	assert_int_equal(dns.qtype, DNS_T_MX);
}

static void test_dns_fail(void **state)
{
	struct check_conf conf;
	struct check_run run;

	(void)state;
	dns_case(DNS_SERVFAIL, "example.org", "A");
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "rcode SERVFAIL (2)");

	dns_case(DNS_WRONG_ID, "example.org", "A");
	assert_int_equal(g.timed_out, 1); /* never a reply to us */
	assert_int_equal(dns.queries, 1);

	dns_case(DNS_GARBAGE, "example.org", "A");
	assert_int_equal(g.timed_out, 1);

	dns_case(DNS_CUT, "example.org", "A");
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "malformed reply"));

	dns_case(DNS_OTHER_Q, "example.org", "A");
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "reply does not echo the question");

	dns_case(DNS_NOERROR, "bad..name", "A");
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "empty label"));
	assert_int_equal(dns.queries, 0);

	/* nobody on the port: ICMP port unreachable */
	run_init(&run, &conf, &check_dns_ops, "127.0.0.1", closed_port(SOCK_DGRAM));
	attempt(&run);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "connection refused (ICMP port unreachable)");
}

/* ---- UDP peers: echo and sink ---- */

static struct {
	struct ev_io io;
	int echo;
	int got;
	uint8_t last[64];
	ssize_t lastlen;
} udp;

static void udp_srv_cb(struct loop *l, struct ev_io *io, uint32_t ev)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(io->fd, udp.last, sizeof(udp.last), 0, (struct sockaddr *)&from, &fl);

	if (n < 0)
		return;
	udp.got++;
	udp.lastlen = n;
	if (udp.echo)
		sendto(io->fd, udp.last, (size_t)n, 0, (struct sockaddr *)&from, fl);
}

static void udp_case(int family, int echo, int require_reply, const char *payload,
		     unsigned timeout_ms)
{
	struct check_conf conf;
	struct check_run run;
	uint16_t port;
	int fd = bound_socket(family, SOCK_DGRAM, &port);

	memset(&udp, 0, sizeof(udp));
	udp.echo = echo;
	udp.lastlen = -1;
	assert_int_equal(loop_io_add(g.l, &udp.io, fd, EPOLLIN, udp_srv_cb, NULL), 0);
	run_init(&run, &conf, &check_udp_ops, family == AF_INET ? "127.0.0.1" : "::1", port);
	conf.connect_timeout_ms = timeout_ms;
	conf.spec = &(struct check_udp_conf){.require_reply = require_reply,
					     .payload = (char *)payload};
	attempt(&run);
	spin(10);
	loop_io_del(g.l, &udp.io);
	close(fd);
}

static void test_udp_reply(void **state)
{
	(void)state;
	udp_case(AF_INET, 1, 1, "68 65 6c6c6f", 1000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "reply of 5 bytes");
	assert_int_equal(udp.lastlen, 5);
	assert_memory_equal(udp.last, "hello", 5); /* keepalived's hex payload */
	assert_true(g.took_ms < 500);

	udp_case(AF_INET6, 1, 1, NULL, 1000); /* no payload: an empty datagram */
	assert_int_equal(g.ok, 1);
	assert_int_equal(udp.lastlen, 0);

	/* require_reply and a server that never answers: the deadline */
	udp_case(AF_INET, 0, 1, "00", 300);
	assert_int_equal(g.timed_out, 1);
	assert_int_equal(udp.got, 1);
}

static void test_udp_no_reply_needed(void **state)
{
	struct check_conf conf;
	struct check_run run;

	(void)state;
	/* a sink: no reply, no ICMP error -> up after half the timeout */
	udp_case(AF_INET, 0, 0, "ff", 400);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "no ICMP error within 200 ms");
	assert_true(g.took_ms >= 190 && g.took_ms < 390);

	/* a reply ends it at once */
	udp_case(AF_INET, 1, 0, "ff", 4000);
	assert_int_equal(g.ok, 1);
	assert_true(g.took_ms < 500);

	/* closed port: the ICMP error fails it at once */
	run_init(&run, &conf, &check_udp_ops, "127.0.0.1", closed_port(SOCK_DGRAM));
	attempt(&run);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "connection refused (ICMP port unreachable)");
	assert_true(g.took_ms < 300);

	run_init(&run, &conf, &check_udp_ops, "127.0.0.1", closed_port(SOCK_DGRAM));
	conf.spec = &(struct check_udp_conf){.payload = "12 zz"};
	attempt(&run);
	assert_int_equal(g.ok, 0);
	assert_non_null(strstr(g.reason, "payload is not a hex string"));
}

/* ---- PING ---- */

static void ping_case(const char *ip, unsigned timeout_ms)
{
	struct check_conf conf;
	struct check_run run;

	run_init(&run, &conf, &check_ping_ops, ip, 0);
	conf.connect_timeout_ms = timeout_ms;
	attempt(&run);
}

static char nsname[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Run one ping attempt with its socket made inside the namespace: the
 * checker opens it in start(), so only start runs there. */
static void ping_in_ns(const char *ip, unsigned timeout_ms)
{
	struct check_conf conf;
	struct check_run run;
	struct ev_timer dl;
	char path[128];
	int self, ns;

	snprintf(path, sizeof(path), "/var/run/netns/%s", nsname);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0 && ns >= 0);
	run_init(&run, &conf, &check_ping_ops, ip, 0);
	conf.connect_timeout_ms = timeout_ms;
	g.calls = 0;
	g.timed_out = 0;
	g.ok = -1;
	spin(0);
	loop_timer_init(&dl, deadline_cb, &run);
	loop_timer_start(g.l, &dl, timeout_ms);
	assert_int_equal(setns(ns, CLONE_NEWNET), 0);
	run.ops->start(&run);
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	if (!g.calls)
		loop_run(g.l);
	loop_timer_stop(g.l, &dl);
	assert_int_equal(g.calls, g.timed_out ? 0 : 1);
	spin(0);
	close(self);
	close(ns);
}

static void ns_cleanup(void)
{
	if (nsname[0])
		sh("ip netns del %s 2>/dev/null", nsname);
	nsname[0] = 0;
}

static int ns_setup(void **state)
{
	(void)state;
	atexit(ns_cleanup);
	snprintf(nsname, sizeof(nsname), "fc-ping-%d", (int)getpid());
	sh("ip netns del %s 2>/dev/null", nsname);
	if (sh("ip netns add %s", nsname) != 0)
		return -1;
	return 0;
}

static int ns_teardown(void **state)
{
	(void)state;
	ns_cleanup();
	return 0;
}

static void test_ping_in_namespace(void **state)
{
	(void)state;
	/* ICMP datagram sockets allowed in the namespace (its own
	 * ping_group_range): the datagram path runs first, until the root
	 * namespace's refusal switches the process to raw sockets */
	assert_int_equal(
	    sh("ip netns exec %s sysctl -qw net.ipv4.ping_group_range='0 2147483647'", nsname), 0);

	/* a fresh namespace: loopback down without an address, no route */
	ping_in_ns("127.0.0.1", 1000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "network unreachable");

	assert_int_equal(sh("ip -n %s link set lo up", nsname), 0);
	ping_in_ns("127.0.0.1", 1000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "echo reply");

	/* loopback down (its local routes stay): the echo is dropped, no reply
	 * by the deadline */
	assert_int_equal(sh("ip -n %s link set lo down", nsname), 0);
	ping_in_ns("127.0.0.1", 300);
	assert_int_equal(g.timed_out, 1);

	/* an unreachable route */
	assert_int_equal(sh("ip -n %s link set lo up && ip -n %s route add unreachable "
			    "10.77.0.0/16",
			    nsname, nsname),
			 0);
	ping_in_ns("10.77.1.1", 1000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "host unreachable");

	/* a silent neighbour (a veth link whose peer has no address): ARP
	 * goes unanswered, no reply by the deadline */
	assert_int_equal(sh("ip -n %s link add fcv0 type veth peer name fcv1 && ip -n %s addr "
			    "add 10.78.0.1/24 dev fcv0 && ip -n %s link set fcv0 up && ip -n %s "
			    "link set fcv1 up",
			    nsname, nsname, nsname, nsname),
			 0);
	ping_in_ns("10.78.0.2", 300);
	assert_int_equal(g.timed_out, 1);
}

static void test_ping_loopback(void **state)
{
	(void)state;
	/* here ping_group_range is "1 0": the raw socket fallback answers */
	ping_case("127.0.0.1", 1000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "echo reply");
	assert_true(g.took_ms < 500);
	ping_case("::1", 1000);
	assert_int_equal(g.ok, 1);
	assert_string_equal(g.reason, "echo reply");
	/* many in a row: each matches its own reply */
	for (int i = 0; i < 20; i++) {
		ping_case("127.0.0.1", 1000);
		assert_int_equal(g.ok, 1);
	}
}

static void test_ping_raw_in_namespace(void **state)
{
	(void)state;
	/* the raw path against the namespace's silent and unreachable targets */
	ping_in_ns("10.77.1.1", 1000);
	assert_int_equal(g.ok, 0);
	assert_string_equal(g.reason, "host unreachable");
	ping_in_ns("10.78.0.2", 300);
	assert_int_equal(g.timed_out, 1);
	ping_in_ns("10.78.0.1", 1000); /* the namespace's own address answers */
	assert_int_equal(g.ok, 1);
}

static int setup(void **state)
{
	(void)state;
	g.l = loop_new();
	return g.l ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	loop_free(g.l);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_smtp_ok),
	    cmocka_unit_test(test_smtp_fail),
	    cmocka_unit_test(test_smtp_refused),
	    cmocka_unit_test(test_dns_ok),
	    cmocka_unit_test(test_dns_fail),
	    cmocka_unit_test(test_udp_reply),
	    cmocka_unit_test(test_udp_no_reply_needed),
	    cmocka_unit_test_setup(test_ping_in_namespace, ns_setup),
	    cmocka_unit_test(test_ping_loopback),
	    cmocka_unit_test_teardown(test_ping_raw_in_namespace, ns_teardown),
	};
	int rc;

	if (setup(NULL) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	teardown(NULL);
	return rc;
}
