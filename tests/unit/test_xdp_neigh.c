/* Next-hop resolution for the XDP engine (src/xdp/xdp_neigh.c) against a
 * real kernel.
 *
 * Topology, all in anonymous network namespaces that die with the processes
 * holding them (nothing to clean up, nothing named): main() forks a child
 * that unshares a fresh namespace N (the tests run there) and a helper that
 * unshares its own namespace P and only waits.  A veth pair joins them: v0
 * in N holds 10.77.0.1/24 and fc77::1/64; v1 in P holds 10.77.0.2/24 and
 * fc77::2/64 and answers ARP / neighbour solicitations.  10.88.0.0/16 is
 * routed via 10.77.0.2.  Needs root and iproute2; skipped otherwise. */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/err.h"
#include "netns_peer.h"
#include "xdp/xdp_neigh.h"

static const uint8_t mac_v0[6] = {0x02, 0xfc, 0x77, 0x00, 0x00, 0x01};
static const uint8_t mac_v1[6] = {0x02, 0xfc, 0x77, 0x00, 0x00, 0x02};
static const uint8_t mac_5[6] = {0x02, 0xfc, 0x77, 0x00, 0x00, 0x05};
static pid_t helper;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : -1;
}

static struct fc_addr ip(const char *s)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(s, &a, err, sizeof(err)), 0);
	return a;
}

static void assert_ip(const struct fc_addr *a, const char *want)
{
	struct fc_addr w = ip(want);
	char buf[ADDR_STRLEN];

	if (!addr_ip_equal(a, &w)) {
		print_error("address %s, want %s\n", addr_format(a, buf, sizeof(buf), 0), want);
		fail();
	}
}

static int lookup(const char *addr, struct xdp_nexthop *nh)
{
	struct fc_addr a = ip(addr);
	char err[ERRLEN] = "";
	int r = xdp_nexthop_lookup(&a, nh, err, sizeof(err));

	if (r < 0)
		print_message("lookup %s: %s\n", addr, err);
	return r;
}

/* Looks addr up every 50 ms for up to 3 s until it is resolved. */
static void lookup_until_resolved(const char *addr, struct xdp_nexthop *nh)
{
	int i;

	for (i = 0; i < 60; i++) {
		assert_int_equal(lookup(addr, nh), 0);
		if (nh->resolved)
			return;
		usleep(50 * 1000);
	}
	fail_msg("%s not resolved within 3 s", addr);
}

/* `ip neigh show ADDR dev v0` prints something. */
static int neigh_listed(const char *addr)
{
	char cmd[128], buf[256];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ip neigh show %s dev v0", addr);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	pclose(p);
	buf[n] = 0;
	return strstr(buf, addr) != NULL;
}

static void test_v4_permanent(void **state)
{
	struct xdp_nexthop nh;

	assert_int_equal(
	    sh("ip neigh replace 10.77.0.5 lladdr 02:fc:77:00:00:05 dev v0 nud permanent"), 0);
	assert_int_equal(lookup("10.77.0.5", &nh), 0);
	assert_int_equal(nh.ifindex, (int)if_nametoindex("v0"));
	assert_int_equal(nh.resolved, 1);
	assert_int_equal(nh.onlink, 1);
	assert_memory_equal(nh.mac, mac_5, 6);
	assert_memory_equal(nh.src_mac, mac_v0, 6);
	assert_ip(&nh.src, "10.77.0.1");
}

static void test_v4_stale_counts(void **state)
{
	struct xdp_nexthop nh;

	assert_int_equal(sh("ip neigh replace 10.77.0.7 lladdr 02:fc:77:00:00:05 dev v0 nud stale"),
			 0);
	assert_int_equal(lookup("10.77.0.7", &nh), 0);
	assert_int_equal(nh.resolved, 1);
	assert_memory_equal(nh.mac, mac_5, 6);
}

static void test_v4_unresolved_triggers(void **state)
{
	struct xdp_nexthop nh;
	int i;

	assert_false(neigh_listed("10.77.0.6"));
	assert_int_equal(lookup("10.77.0.6", &nh), 0);
	assert_int_equal(nh.resolved, 0);
	assert_int_equal(nh.onlink, 1);
	assert_int_equal(nh.ifindex, (int)if_nametoindex("v0"));
	assert_ip(&nh.src, "10.77.0.1");
	/* the datagram made the kernel start ARP: an entry (INCOMPLETE) exists */
	for (i = 0; i < 20 && !neigh_listed("10.77.0.6"); i++)
		usleep(50 * 1000);
	assert_true(neigh_listed("10.77.0.6"));
	assert_int_equal(lookup("10.77.0.6", &nh), 0);
	assert_int_equal(nh.resolved, 0);
}

static void test_v4_arp_answered(void **state)
{
	struct xdp_nexthop nh;

	lookup_until_resolved("10.77.0.2", &nh);
	assert_memory_equal(nh.mac, mac_v1, 6);
	assert_int_equal(nh.onlink, 1);
}

static void test_v4_gateway(void **state)
{
	struct xdp_nexthop nh;

	lookup_until_resolved("10.88.1.1", &nh);
	assert_int_equal(nh.onlink, 0);
	assert_int_equal(nh.ifindex, (int)if_nametoindex("v0"));
	assert_memory_equal(nh.mac, mac_v1, 6); /* the gateway's */
	assert_ip(&nh.hop, "10.77.0.2");
	assert_ip(&nh.src, "10.77.0.1");
}

static void test_errors(void **state)
{
	struct xdp_nexthop nh;
	struct fc_addr a = ip("10.99.0.1"), none = {0};
	char err[ERRLEN] = "";

	assert_int_equal(xdp_nexthop_lookup(&a, &nh, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no route to 10.99.0.1"));
	err[0] = 0;
	assert_int_equal(xdp_route_oif(&a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no route"));
	a = ip("10.77.0.1");
	assert_int_equal(xdp_nexthop_lookup(&a, &nh, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "this host"));
	assert_int_equal(xdp_nexthop_lookup(&none, &nh, err, sizeof(err)), -1);
	assert_int_equal(xdp_addr_owner(&none, err, sizeof(err)), -1);
}

static void test_v6(void **state)
{
	struct xdp_nexthop nh;

	assert_int_equal(
	    sh("ip -6 neigh replace fc77::5 lladdr 02:fc:77:00:00:05 dev v0 nud permanent"), 0);
	assert_int_equal(lookup("fc77::5", &nh), 0);
	assert_int_equal(nh.ifindex, (int)if_nametoindex("v0"));
	assert_int_equal(nh.resolved, 1);
	assert_int_equal(nh.onlink, 1);
	assert_memory_equal(nh.mac, mac_5, 6);
	assert_memory_equal(nh.src_mac, mac_v0, 6);
	assert_ip(&nh.src, "fc77::1");
	/* neighbour discovery answered by the peer */
	lookup_until_resolved("fc77::2", &nh);
	assert_memory_equal(nh.mac, mac_v1, 6);
	/* via a gateway */
	lookup_until_resolved("fc88::1", &nh);
	assert_int_equal(nh.onlink, 0);
	assert_memory_equal(nh.mac, mac_v1, 6);
	assert_ip(&nh.src, "fc77::1");
}

struct seen {
	struct fc_addr dst[16];
	int ifindex[16];
	int n;
};

static void on_neigh(const struct fc_addr *dst, int ifindex, void *arg)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->dst[s->n] = *dst;
		s->ifindex[s->n++] = ifindex;
	}
}

/* Drains fd for up to ms (poll); 1 if addr was reported on v0. */
static int event_for(int fd, struct seen *s, const char *addr, int ms)
{
	struct fc_addr want = ip(addr);
	char err[ERRLEN];
	int i, waited;

	for (waited = 0; waited <= ms; waited += 10) {
		assert_true(xdp_neigh_sub_read(fd, on_neigh, s, err, sizeof(err)) >= 0);
		for (i = 0; i < s->n; i++)
			if (addr_ip_equal(&s->dst[i], &want) &&
			    s->ifindex[i] == (int)if_nametoindex("v0"))
				return 1;
		usleep(10 * 1000);
	}
	return 0;
}

/* The subscription reports entries that got a usable MAC (what the engine
 * waits for), not the INCOMPLETE entry a lookup creates. */
static void test_neigh_events(void **state)
{
	struct seen s = {0};
	struct xdp_nexthop nh;
	char err[ERRLEN] = "";
	int fd = xdp_neigh_sub_open(err, sizeof(err));

	if (fd < 0)
		fail_msg("%s", err);
	assert_int_equal(lookup("10.77.0.8", &nh), 0); /* nobody: INCOMPLETE */
	assert_int_equal(nh.resolved, 0);
	assert_ip(&nh.hop, "10.77.0.8");
	assert_false(event_for(fd, &s, "10.77.0.8", 200));
	assert_int_equal(
	    sh("ip neigh replace 10.77.0.8 lladdr 02:fc:77:00:00:05 dev v0 nud reachable"), 0);
	assert_true(event_for(fd, &s, "10.77.0.8", 2000));
	assert_int_equal(
	    sh("ip -6 neigh replace fc77::8 lladdr 02:fc:77:00:00:05 dev v0 nud permanent"), 0);
	assert_true(event_for(fd, &s, "fc77::8", 2000));
	close(fd);
}

static void test_owner_and_oif(void **state)
{
	struct fc_addr a;
	char err[ERRLEN] = "";
	int v0 = (int)if_nametoindex("v0"), lo = (int)if_nametoindex("lo");

	a = ip("10.77.0.1");
	assert_int_equal(xdp_addr_owner(&a, err, sizeof(err)), v0);
	assert_int_equal(xdp_route_oif(&a, err, sizeof(err)), lo);
	a = ip("fc77::1");
	assert_int_equal(xdp_addr_owner(&a, err, sizeof(err)), v0);
	a = ip("127.0.0.1");
	assert_int_equal(xdp_addr_owner(&a, err, sizeof(err)), lo);
	a = ip("10.77.0.2"); /* the peer's, not ours */
	assert_int_equal(xdp_addr_owner(&a, err, sizeof(err)), 0);
	assert_int_equal(xdp_route_oif(&a, err, sizeof(err)), v0);
	a = ip("10.88.1.1");
	assert_int_equal(xdp_route_oif(&a, err, sizeof(err)), v0);
	a = ip("fc77::9");
	assert_int_equal(xdp_addr_owner(&a, err, sizeof(err)), 0);
	assert_int_equal(xdp_route_oif(&a, err, sizeof(err)), v0);
}

/* In N (already unshared): the topology described at the top. */
static int make_topology(void)
{
	helper = netns_peer_start();
	if (helper < 0)
		return -1;
#define P "nsenter -t %d -n "
	if (sh("ip link set lo up") ||
	    sh("ip link add v0 type veth peer name v1 netns %d", helper) ||
	    sh("ip link set v0 address 02:fc:77:00:00:01 up") ||
	    sh("ip addr add 10.77.0.1/24 dev v0") || sh("ip addr add fc77::1/64 dev v0 nodad") ||
	    sh("ip route add 10.88.0.0/16 via 10.77.0.2") ||
	    sh("ip -6 route add fc88::/64 via fc77::2") || sh(P "ip link set lo up", helper) ||
	    sh(P "ip link set v1 address 02:fc:77:00:00:02 up", helper) ||
	    sh(P "ip addr add 10.77.0.2/24 dev v1", helper) ||
	    sh(P "ip addr add fc77::2/64 dev v1 nodad", helper))
		return -1;
#undef P
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4_permanent),
	    cmocka_unit_test(test_v4_stale_counts),
	    cmocka_unit_test(test_v4_unresolved_triggers),
	    cmocka_unit_test(test_v4_arp_answered),
	    cmocka_unit_test(test_v4_gateway),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_v6),
	    cmocka_unit_test(test_neigh_events),
	    cmocka_unit_test(test_owner_and_oif),
	};
	int status, rc;
	pid_t pid;

	if (geteuid() != 0 || system("ip -V >/dev/null 2>&1") != 0 ||
	    system("nsenter -V >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_xdp_neigh: needs root, iproute2 and nsenter: skipping\n");
		return 0;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(120); /* bound the whole run */
		if (unshare(CLONE_NEWNET) < 0) {
			fprintf(stderr, "test_xdp_neigh: no network namespaces: skipping\n");
			_exit(0);
		}
		if (make_topology() < 0) {
			fprintf(stderr, "test_xdp_neigh: could not build the topology\n");
			_exit(1);
		}
		rc = cmocka_run_group_tests(tests, NULL, NULL);
		netns_peer_stop(helper);
		_exit(rc ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		fprintf(stderr, "test_xdp_neigh: test child died\n");
		return 1;
	}
	return WEXITSTATUS(status);
}
