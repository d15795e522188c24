/* rtnetlink VIPs, link state and its subscription, gratuitous ARP and
 * unsolicited NA -- against a real kernel, in network namespaces made here.
 *
 * Topology: namespace A (the tests run in it) holds veth vA, namespace B
 * holds its peer vB, where an AF_PACKET socket captures what A announces.
 * main() creates both namespaces with unique names (pid and random bits),
 * runs the tests in a forked child that entered A with setns(), and deletes
 * both whatever the child did (failure, crash).  Each test that touches the
 * namespaces runs between setup() and teardown(); teardown() puts them back
 * as main() made them (no global address on vA, both ends up, forwarding
 * off, the test's sockets closed) also when the test failed, so one failure
 * does not fail the tests after it.  Needs root and iproute2; skipped
 * otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/err.h"
#include "core/netlink.h"
#include "vrrp/vrrp_garp.h"

static char ns_a[32], ns_b[32];
static int ready;		     /* namespaces exist and we are in A */
static int sub_fd = -1, cap_fd = -1; /* a test's sockets, closed by teardown() */
static const uint8_t mac_a[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x0b};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

/* `ip -o addr show dev vA` in A, into buf. */
static void ip_addr_out(char *buf, size_t len)
{
	char cmd[128];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip -n %s -o addr show dev vA", ns_a);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = 0;
	pclose(p);
}

static struct fc_addr ip(const char *s)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(s, &a, err, sizeof(err)), 0);
	return a;
}

static int ifidx(const char *name)
{
	char err[ERRLEN];
	int i = vnl_ifindex(name, err, sizeof(err));

	assert_true(i > 0);
	return i;
}

static int setup(void **state)
{
	struct vnl *nl = calloc(1, sizeof(*nl));
	char err[ERRLEN];

	if (!ready) {
		free(nl);
		*state = NULL;
		return 0;
	}
	assert_non_null(nl);
	assert_int_equal(vnl_open(nl, err, sizeof(err)), 0);
	*state = nl;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int teardown(void **state)
{
	struct vnl *nl = *state;
	char err[ERRLEN];
	unsigned flags = 0;
	int idx;

	close_fd(&sub_fd);
	close_fd(&cap_fd);
	if (nl) {
		/* back to what make_namespaces() built, whatever the test left */
		sh("ip -n %s addr flush dev vA scope global", ns_a);
		sh("ip -n %s link set vA up && ip -n %s link set vB up", ns_a, ns_b);
		sh("ip netns exec %s sysctl -q -w net.ipv6.conf.vA.forwarding=0", ns_a);
		idx = (int)if_nametoindex("vA");
		for (int i = 0; i < 30 && idx > 0; i++) { /* carrier back: at most 3 s */
			if (vnl_link_flags(nl, idx, &flags, err, sizeof(err)) < 0 ||
			    (flags & IFF_RUNNING))
				break;
			usleep(100000);
		}
		vnl_close(nl);
		free(nl);
	}
	return 0;
}

#define NEED_NS()                                                                                  \
	do {                                                                                       \
		if (!ready)                                                                        \
			skip();                                                                    \
	} while (0)

static void test_ifindex(void **state)
{
	char err[ERRLEN];

	NEED_NS();
	assert_int_equal(vnl_ifindex("vA", err, sizeof(err)), (int)if_nametoindex("vA"));
	err[0] = 0;
	assert_int_equal(vnl_ifindex("fcnosuchif", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "fcnosuchif"));
	assert_int_equal(vnl_ifindex("", err, sizeof(err)), -1);
	assert_int_equal(vnl_ifindex("a-name-far-too-long-for-linux", err, sizeof(err)), -1);
}

static void test_v4_add_del_label(void **state)
{
	struct vnl *nl = *state;
	struct fc_addr vip = ip("10.99.0.1");
	char err[ERRLEN], out[4096];
	int idx, present = -1;

	NEED_NS();
	idx = ifidx("vA");
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 0);
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 24, "vA:vip", err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	assert_non_null(strstr(out, "inet 10.99.0.1/24"));
	assert_non_null(strstr(out, "vA:vip"));
	/* Already there: success, and still exactly one. */
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 24, "vA:vip", err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	assert_null(strstr(strstr(out, "10.99.0.1/24") + 1, "10.99.0.1/24"));
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 1);
	assert_int_equal(vnl_addr_present(nl, 0, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 1);
	assert_int_equal(vnl_addr_present(nl, ifidx("lo"), &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 0);

	assert_int_equal(vnl_addr_del(nl, idx, &vip, 24, err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	assert_null(strstr(out, "10.99.0.1"));
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 0);
	/* Not there: success. */
	assert_int_equal(vnl_addr_del(nl, idx, &vip, 24, err, sizeof(err)), 0);

	/* A /32 without a label; the label then is the interface's name. */
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 32, NULL, err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	assert_non_null(strstr(out, "inet 10.99.0.1/32"));
	assert_int_equal(vnl_addr_del(nl, idx, &vip, 32, err, sizeof(err)), 0);
}

static void test_v6_add_del(void **state)
{
	struct vnl *nl = *state;
	struct fc_addr vip = ip("2001:db8:99::1");
	char err[ERRLEN], out[4096], *line;
	int idx, present = -1;

	NEED_NS();
	idx = ifidx("vA");
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 64, "ignored", err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 64, NULL, err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	line = strstr(out, "inet6 2001:db8:99::1/64");
	assert_non_null(line);
	*strchrnul(line, '\n') = 0;
	assert_null(strstr(line, "tentative")); /* NODAD: usable at once */
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 1);
	assert_int_equal(vnl_addr_del(nl, idx, &vip, 64, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_del(nl, idx, &vip, 64, err, sizeof(err)), 0);
	ip_addr_out(out, sizeof(out));
	assert_null(strstr(out, "2001:db8:99::1"));
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 0);
}

/* The line of `ip -o addr show dev vA` for prefix (e.g. "inet6 2001:db8::1/64"),
 * cut at its end, in out; NULL when there is none. */
static char *addr_line(char *out, size_t len, const char *prefix)
{
	char *line;

	ip_addr_out(out, len);
	line = strstr(out, prefix);
	if (line)
		*strchrnul(line, '\n') = 0;
	return line;
}

/* preferred_lft goes to the kernel as IFA_CACHEINFO (valid stays forever):
 * 0 = deprecated, which source selection skips; no cacheinfo = forever. */
static void test_preferred_lft(void **state)
{
	struct vnl *nl = *state;
	struct fc_addr d = ip("2001:db8:98::d"), p = ip("2001:db8:98::e"), f = ip("2001:db8:98::f"),
		       v4 = ip("10.98.0.1");
	char err[ERRLEN], out[4096], *line;
	int idx;

	NEED_NS();
	idx = ifidx("vA");
	assert_int_equal(vnl_addr_add_lft(nl, idx, &d, 64, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_add_lft(nl, idx, &p, 64, NULL, 3600, err, sizeof(err)), 0);
	assert_int_equal(
	    vnl_addr_add_lft(nl, idx, &f, 64, NULL, VNL_LFT_FOREVER, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_add_lft(nl, idx, &v4, 24, NULL, 0, err, sizeof(err)), 0);

	line = addr_line(out, sizeof(out), "inet6 2001:db8:98::d/64");
	assert_non_null(line);
	assert_non_null(strstr(line, " deprecated"));
	assert_non_null(strstr(line, "valid_lft forever preferred_lft 0sec"));
	assert_null(strstr(line, "tentative"));
	line = addr_line(out, sizeof(out), "inet6 2001:db8:98::e/64");
	assert_non_null(line);
	assert_null(strstr(line, "deprecated"));
	assert_non_null(strstr(line, "valid_lft forever preferred_lft 3"));
	assert_null(strstr(line, "preferred_lft forever"));
	line = addr_line(out, sizeof(out), "inet6 2001:db8:98::f/64");
	assert_non_null(line);
	assert_null(strstr(line, "deprecated"));
	assert_non_null(strstr(line, "valid_lft forever preferred_lft forever"));
	line = addr_line(out, sizeof(out), "inet 10.98.0.1/24");
	assert_non_null(line);
	assert_non_null(strstr(line, " deprecated")); /* IPv4 takes the flag only */

	assert_int_equal(vnl_addr_del(nl, idx, &d, 64, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_del(nl, idx, &p, 64, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_del(nl, idx, &f, 64, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_del(nl, idx, &v4, 24, err, sizeof(err)), 0);
}

static void test_addr_errors(void **state)
{
	struct vnl *nl = *state;
	struct fc_addr vip = ip("10.99.0.2"), none = {0};
	char err[ERRLEN];
	int idx, present;

	NEED_NS();
	idx = ifidx("vA");
	err[0] = 0;
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 33, NULL, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(vnl_addr_add(nl, idx, &none, 32, NULL, err, sizeof(err)), -1);
	assert_int_equal(vnl_addr_present(nl, idx, &none, &present, err, sizeof(err)), -1);
	assert_int_equal(vnl_addr_add(nl, 0, &vip, 32, NULL, err, sizeof(err)), -1);
	assert_int_equal(
	    vnl_addr_add(nl, idx, &vip, 32, "label-too-long-for-ifnamsiz", err, sizeof(err)), -1);
	/* The kernel's refusal comes back as a sentence: no such device. */
	err[0] = 0;
	assert_int_equal(vnl_addr_add(nl, 99999, &vip, 32, NULL, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(vnl_link_flags(nl, 99999, &(unsigned){0}, err, sizeof(err)), -1);
	/* The socket stays in step after errors. */
	assert_int_equal(vnl_addr_present(nl, idx, &vip, &present, err, sizeof(err)), 0);
	assert_int_equal(present, 0);
}

struct seen {
	int ifindex;
	int got;	/* an event for ifindex arrived */
	unsigned flags; /* from the last one */
	char name[IF_NAMESIZE];
};

static void on_link(int ifindex, const char *name, unsigned flags, int deleted, void *arg)
{
	struct seen *s = arg;

	if (ifindex != s->ifindex || deleted)
		return;
	s->got = 1;
	s->flags = flags;
	snprintf(s->name, sizeof(s->name), "%s", name);
}

/* Waits (at most 3 s) for a link event on ifindex whose IFF_UP is want_up. */
static int wait_link(int fd, struct seen *s, int want_up)
{
	char err[ERRLEN];
	int i;

	for (i = 0; i < 30; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 100) > 0) {
			s->got = 0;
			if (vnl_link_sub_read(fd, on_link, s, err, sizeof(err)) < 0)
				return -1;
			if (s->got && !!(s->flags & IFF_UP) == want_up)
				return 0;
		}
	}
	return -1;
}

static void test_link_state_and_subscription(void **state)
{
	struct vnl *nl = *state;
	struct seen s = {0};
	char err[ERRLEN];
	unsigned flags = 0;
	int fd, idx;

	NEED_NS();
	idx = s.ifindex = ifidx("vA");
	assert_int_equal(vnl_link_flags(nl, idx, &flags, err, sizeof(err)), 0);
	assert_true(flags & IFF_UP);
	assert_true(flags & IFF_RUNNING);
	fd = sub_fd = vnl_link_sub_open(err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* Nothing pending: returns at once. */
	assert_int_equal(vnl_link_sub_read(fd, on_link, &s, err, sizeof(err)), 0);

	assert_int_equal(sh("ip -n %s link set vA down", ns_a), 0);
	assert_int_equal(wait_link(fd, &s, 0), 0);
	assert_string_equal(s.name, "vA");
	assert_int_equal(vnl_link_flags(nl, idx, &flags, err, sizeof(err)), 0);
	assert_false(flags & IFF_UP);
	assert_false(flags & IFF_RUNNING);

	/* The peer's side going down takes RUNNING away, not UP. */
	assert_int_equal(sh("ip -n %s link set vA up", ns_a), 0);
	assert_int_equal(wait_link(fd, &s, 1), 0);
	assert_int_equal(sh("ip -n %s link set vB down", ns_b), 0);
	for (int i = 0; i < 30; i++) {
		assert_int_equal(vnl_link_flags(nl, idx, &flags, err, sizeof(err)), 0);
		if (!(flags & IFF_RUNNING))
			break;
		usleep(100000);
	}
	assert_true(flags & IFF_UP);
	assert_false(flags & IFF_RUNNING);
	assert_int_equal(sh("ip -n %s link set vB up", ns_b), 0);
	for (int i = 0; i < 30; i++) {
		assert_int_equal(vnl_link_flags(nl, idx, &flags, err, sizeof(err)), 0);
		if (flags & IFF_RUNNING)
			break;
		usleep(100000);
	}
	assert_true(flags & IFF_RUNNING);
	close_fd(&sub_fd);
}

/* An AF_PACKET socket on vB in namespace B (the socket keeps its namespace
 * after we return to A). */
static int capture_open(void)
{
	char path[64];
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	int self, other, fd;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", ns_b);
	other = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0 && other >= 0);
	assert_int_equal(setns(other, CLONE_NEWNET), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex("vB");
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	close(self);
	close(other);
	assert_true(fd >= 0);
	assert_true(sll.sll_ifindex > 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/* Next captured frame (at most 3 s) for which match() holds; its length, or -1. */
static int capture_next(int fd, uint8_t *buf, size_t len,
			int (*match)(const uint8_t *f, size_t n, const void *arg), const void *arg)
{
	for (int i = 0; i < 30; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 100) <= 0)
			continue;
		for (;;) {
			ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

			if (n < 0)
				break;
			if (match(buf, (size_t)n, arg))
				return (int)n;
		}
	}
	return -1;
}

static int is_arp_for(const uint8_t *f, size_t n, const void *arg)
{
	return n >= GARP_FRAME_LEN && f[12] == 0x08 && f[13] == 0x06 && !memcmp(f + 38, arg, 4) &&
	       !memcmp(f + 6, mac_a, 6);
}

static void test_gratuitous_arp(void **state)
{
	struct in_addr vip;
	uint8_t want[GARP_FRAME_LEN], got[2048];
	char err[ERRLEN];
	int fd, n;

	NEED_NS();
	inet_pton(AF_INET, "10.99.0.7", &vip);
	fd = cap_fd = capture_open();
	assert_int_equal(
	    garp_send_arp(ifidx("vA"), &vip, GARP_REQUEST | GARP_REPLY, err, sizeof(err)), 0);

	/* The request, byte for byte (written out here, not by the builder). */
	const uint8_t req[GARP_FRAME_LEN] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x0a, /* eth */
	    0x08, 0x06,								    /* ARP */
	    0x00, 0x01, 0x08, 0x00, 6,	  4,	0x00, 0x01,	     /* Ether/IPv4, op 1 */
	    0x02, 0xfc, 0x00, 0x00, 0x00, 0x0a, 10,   99,   0,	  7, /* sha, spa */
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 10,   99,   0,	  7, /* tha, tpa */
	};
	n = capture_next(fd, got, sizeof(got), is_arp_for, &vip);
	assert_true(n >= GARP_FRAME_LEN);
	assert_memory_equal(got, req, GARP_FRAME_LEN);

	/* Then the reply: op 2, target MAC = ours. */
	memcpy(want, req, sizeof(want));
	want[21] = 2;
	memcpy(want + 32, mac_a, 6);
	n = capture_next(fd, got, sizeof(got), is_arp_for, &vip);
	assert_true(n >= GARP_FRAME_LEN);
	assert_memory_equal(got, want, GARP_FRAME_LEN);

	/* The builder agrees with the wire. */
	garp_build_arp(want, mac_a, &vip, 1);
	assert_memory_equal(want, req, GARP_FRAME_LEN);

	/* Default kind is one request, through garp_announce too. */
	struct fc_addr a = ip("10.99.0.7");
	assert_int_equal(garp_announce(ifidx("vA"), &a, err, sizeof(err)), 0);
	n = capture_next(fd, got, sizeof(got), is_arp_for, &vip);
	assert_true(n >= GARP_FRAME_LEN);
	assert_memory_equal(got, req, GARP_FRAME_LEN);
	close_fd(&cap_fd);

	/* Loopback is not Ethernet: refused with a reason. */
	err[0] = 0;
	assert_int_equal(garp_send_arp(ifidx("lo"), &vip, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Ethernet"));
	assert_int_equal(garp_send_arp(99999, &vip, 0, err, sizeof(err)), -1);
}

static int is_na_for(const uint8_t *f, size_t n, const void *arg)
{
	return n >= 14 + 40 + NA_ICMP_LEN && f[12] == 0x86 && f[13] == 0xdd && f[20] == 58 &&
	       f[54] == 136 && !memcmp(f + 54 + 8, arg, 16);
}

/* Internet checksum over the IPv6 pseudo-header and the ICMPv6 message: 0 if
 * the message's checksum is right. */
static uint16_t icmp6_verify(const uint8_t *ip6, const uint8_t *msg, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 32; i += 2) /* source and destination */
		sum += (uint32_t)(ip6[8 + i] << 8 | ip6[9 + i]);
	sum += (uint32_t)len;
	sum += 58;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	if (len & 1)
		sum += (uint32_t)msg[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_unsolicited_na(void **state)
{
	struct vnl *nl = *state;
	struct fc_addr vip = ip("2001:db8:99::7");
	uint8_t got[2048], ff02_1[16] = {0xff, 0x02, [15] = 1};
	char err[ERRLEN];
	int fd, n, idx;

	NEED_NS();
	idx = ifidx("vA");
	assert_int_equal(vnl_addr_add(nl, idx, &vip, 64, NULL, err, sizeof(err)), 0);
	fd = cap_fd = capture_open();
	assert_int_equal(garp_send_na(idx, &vip.u.v6, err, sizeof(err)), 0);
	n = capture_next(fd, got, sizeof(got), is_na_for, &vip.u.v6);
	assert_int_equal(n, 14 + 40 + NA_ICMP_LEN);

	/* Ethernet: to 33:33:00:00:00:01 (ff02::1), from us. */
	const uint8_t eth[14] = {0x33, 0x33, 0, 0, 0, 1, 0x02, 0xfc, 0, 0, 0, 0x0a, 0x86, 0xdd};
	assert_memory_equal(got, eth, 14);
	/* IPv6: version 6, payload 32, ICMPv6, hop limit 255, VIP -> ff02::1. */
	assert_int_equal(got[14] >> 4, 6);
	assert_int_equal(got[18] << 8 | got[19], NA_ICMP_LEN);
	assert_int_equal(got[20], 58);
	assert_int_equal(got[21], 255);
	assert_memory_equal(got + 22, &vip.u.v6, 16);
	assert_memory_equal(got + 38, ff02_1, 16);
	/* NA: type 136 code 0, Override only (not forwarding, not solicited),
	 * target = VIP, option 2 (target link-layer address), length 1, our MAC. */
	const uint8_t *m = got + 54;
	const uint8_t head[8] = {136, 0, m[2], m[3], 0x20, 0, 0, 0};
	const uint8_t opt[8] = {2, 1, 0x02, 0xfc, 0, 0, 0, 0x0a};
	assert_memory_equal(m, head, 8);
	assert_memory_equal(m + 8, &vip.u.v6, 16);
	assert_memory_equal(m + 24, opt, 8);
	assert_int_equal(icmp6_verify(got + 14, m, NA_ICMP_LEN), 0);

	/* With forwarding on, the Router flag is set. */
	assert_int_equal(sh("ip netns exec %s sysctl -q -w net.ipv6.conf.vA.forwarding=1", ns_a),
			 0);
	assert_int_equal(garp_announce(idx, &vip, err, sizeof(err)), 0);
	n = capture_next(fd, got, sizeof(got), is_na_for, &vip.u.v6);
	assert_int_equal(n, 14 + 40 + NA_ICMP_LEN);
	assert_int_equal(got[54 + 4], 0xa0);
	assert_int_equal(icmp6_verify(got + 14, got + 54, NA_ICMP_LEN), 0);
	sh("ip netns exec %s sysctl -q -w net.ipv6.conf.vA.forwarding=0", ns_a);
	close_fd(&cap_fd);

	/* A VIP that is not on the interface cannot be the source. */
	struct fc_addr other = ip("2001:db8:99::8");
	err[0] = 0;
	assert_int_equal(garp_send_na(idx, &other.u.v6, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(vnl_addr_del(nl, idx, &vip, 64, err, sizeof(err)), 0);
}

static void test_builders(void **state)
{
	struct in6_addr v6;
	uint8_t na[NA_ICMP_LEN];

	(void)state;
	inet_pton(AF_INET6, "2001:db8::5", &v6);
	garp_build_na(na, mac_b, &v6, 0);
	assert_int_equal(na[0], 136);
	assert_int_equal(na[4], 0x20);
	assert_memory_equal(na + 8, &v6, 16);
	assert_int_equal(na[24], 2);
	assert_int_equal(na[25], 1);
	assert_memory_equal(na + 26, mac_b, 6);
	garp_build_na(na, mac_b, &v6, 1);
	assert_int_equal(na[4], 0xa0);
}

static int make_namespaces(void)
{
	unsigned short r = 0;

	if (geteuid() != 0 || sh("ip -V >/dev/null 2>&1") < 0)
		return -1;
	/* pid and random bits: a leftover of a run whose pid came back (a
	 * crash, a reboot) never collides with this one */
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned short)time(NULL);
	snprintf(ns_a, sizeof(ns_a), "fcvnlA%d-%04x", (int)getpid(), r);
	snprintf(ns_b, sizeof(ns_b), "fcvnlB%d-%04x", (int)getpid(), r);
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_b) < 0)
		return -1;
	return sh("ip -n %s link set lo up && "
		  "ip -n %s link add vA address 02:fc:00:00:00:0a type veth peer name vB "
		  "address 02:fc:00:00:00:0b netns %s && "
		  "ip -n %s link set vA up && ip -n %s link set vB up",
		  ns_a, ns_a, ns_b, ns_a, ns_b);
}

static void delete_namespaces(void)
{
	if (ns_a[0])
		sh("ip netns del %s 2>/dev/null", ns_a);
	if (ns_b[0])
		sh("ip netns del %s 2>/dev/null", ns_b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builders),
	    cmocka_unit_test_setup_teardown(test_ifindex, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v4_add_del_label, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v6_add_del, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preferred_lft, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_addr_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_state_and_subscription, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gratuitous_arp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsolicited_na, setup, teardown),
	};
	int made = make_namespaces() == 0, status;
	pid_t pid;

	if (!made) {
		fprintf(stderr, "test_vrrp_netlink: no root or no namespaces: skipping\n");
		delete_namespaces();
		return cmocka_run_group_tests(tests, NULL, NULL);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", ns_a);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ready = fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
		if (fd >= 0)
			close(fd);
		_exit(cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	delete_namespaces();
	if (status == -1 || !WIFEXITED(status)) {
		fprintf(stderr, "test_vrrp_netlink: test child died (status %d)\n", status);
		return 1;
	}
	return WEXITSTATUS(status);
}
