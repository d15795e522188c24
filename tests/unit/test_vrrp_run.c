/* The VRRP glue in a private network namespace (unshare): a lone instance
 * on one end of a veth pair becomes master within its down interval and owns
 * its VIP; a reload that keeps the instance keeps its state, one that
 * changes the VIPs stops it (VIP removed) and starts the new one; a packet
 * with TTL != 255 is counted; shutdown removes the VIP.  Skips without
 * root / namespaces. */
#include <arpa/inet.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "core/err.h"
#include "core/loop.h"
#include "core/netlink.h"
#include "core/sbuf.h"
#include "daemon/apply.h"
#include "model/model.h"
#include "vrrp/vrrp_pkt.h"
#include "vrrp/vrrp_run.h"

static int in_ns;

#define CONF(vip, prio)                                                                            \
	"vrrp_instance V {\n  interface vrt0\n  virtual_router_id 7\n  priority " prio "\n"     \
	"  advert_int 0.1\n  vrrp_version 3\n  virtual_ipaddress {\n    " vip "/24\n  }\n}\n"

static void stop_cb(struct loop *l, struct ev_timer *t)
{
	(void)t;
	loop_stop(l);
}

static void run_for(struct fulcrum *fc, unsigned ms)
{
	struct ev_timer t;

	loop_timer_init(&t, stop_cb, NULL);
	loop_timer_start(fc->loop, &t, ms);
	loop_run(fc->loop);
	loop_timer_stop(fc->loop, &t);
}

static void apply(struct fulcrum *fc, const char *text)
{
	struct conf_diag d = {0};
	struct config *cfg = conf_load_string("t.conf", text, strlen(text), &d);
	char err[ERRLEN];

	assert_non_null(cfg);
	if (apply_config(fc, cfg, err, sizeof(err)) < 0)
		fail_msg("apply_config: %s", err);
}

static int has_vip(const char *ip)
{
	struct vnl nl;
	struct fc_addr a;
	char err[ERRLEN];
	int present = -1;

	assert_int_equal(vnl_open(&nl, err, sizeof(err)), 0);
	assert_int_equal(addr_parse_ip(ip, &a, err, sizeof(err)), 0);
	assert_int_equal(vnl_addr_present(&nl, 0, &a, &present, err, sizeof(err)), 0);
	vnl_close(&nl);
	return present;
}

static char *show(struct fulcrum *fc)
{
	struct sbuf b;
	char *s;

	sbuf_init(&b);
	vrrp_run_show(fc, &b, 1);
	s = strdup(sbuf_str(&b));
	sbuf_free(&b);
	return s;
}

static int shows(struct fulcrum *fc, const char *needle)
{
	char *s = show(fc);
	int found = strstr(s, needle) != NULL;

	if (!found)
		fprintf(stderr, "show vrrp: %s\n", s);
	free(s);
	return found;
}

/* A v3 advert for VRID 7 from 10.77.0.2 with the given TTL, sent to the
 * group on vrt0 and looped back to local listeners. */
static void send_bad_ttl(void)
{
	struct fc_addr src, dst, vip;
	struct vrrp_tx tx = {.version = 3, .vrid = 7, .priority = 200, .advert_int_cs = 10};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	uint8_t buf[VRRP_PKT_MAX];
	char err[ERRLEN];
	size_t len;
	int fd, ttl = 64, one = 1;
	struct ip_mreqn mr = {0};

	addr_parse_ip("10.77.0.1", &src, err, sizeof(err));
	addr_parse_ip(VRRP_MCAST_V4, &dst, err, sizeof(err));
	addr_parse_ip("10.77.0.100", &vip, err, sizeof(err));
	tx.src = src;
	tx.dst = dst;
	tx.addrs = &vip;
	tx.n_addrs = 1;
	assert_int_equal(vrrp_pkt_encode(&tx, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	fd = socket(AF_INET, SOCK_RAW, VRRP_PROTO);
	assert_true(fd >= 0);
	mr.imr_ifindex = vnl_ifindex("vrt0", err, sizeof(err));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
	sin.sin_addr = dst.u.v4;
	assert_true(sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) == (ssize_t)len);
	close(fd);
}

static void test_lone_master_reload_shutdown(void **state)
{
	struct fulcrum fc = {0};

	(void)state;
	if (!in_ns)
		skip();
	fc.loop = loop_new();
	apply(&fc, CONF("10.77.0.100", "100"));
	assert_true(shows(&fc, "\"state\":\"BACKUP\""));
	/* down interval: 3 * 100 + (256 - 100) * 100 / 256 = 360 ms */
	run_for(&fc, 600);
	assert_true(shows(&fc, "\"state\":\"MASTER\""));
	assert_true(shows(&fc, "\"master\":\"10.77.0.1\""));
	assert_int_equal(has_vip("10.77.0.100"), 1);

	send_bad_ttl();
	run_for(&fc, 100);
	assert_true(shows(&fc, "\"bad_ttl\":1"));

	/* the same instance: state kept, no new transition */
	apply(&fc, CONF("10.77.0.100", "100"));
	run_for(&fc, 50);
	assert_true(shows(&fc, "\"state\":\"MASTER\""));
	assert_true(shows(&fc, "\"to_master\":1,"));

	/* other VIPs: the old one stops and removes its VIP, the new starts */
	apply(&fc, CONF("10.77.0.101", "100"));
	assert_int_equal(has_vip("10.77.0.100"), 0);
	assert_true(shows(&fc, "\"state\":\"BACKUP\""));
	run_for(&fc, 600);
	assert_true(shows(&fc, "\"state\":\"MASTER\""));
	assert_int_equal(has_vip("10.77.0.101"), 1);

	apply_shutdown(&fc);
	assert_int_equal(has_vip("10.77.0.101"), 0);
	loop_free(fc.loop);
	config_free(fc.cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lone_master_reload_shutdown),
	};
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* a private namespace, gone when this child exits */
		in_ns = unshare(CLONE_NEWNET) == 0 &&
			system("ip link set lo up && ip link add vrt0 type veth peer name vrt1 && "
			       "ip link set vrt1 up && "
			       "ip link set vrt0 up && ip addr add 10.77.0.1/24 dev vrt0") == 0;
		if (!in_ns)
			fprintf(stderr, "test_vrrp_run: no root or no namespaces: skipping\n");
		_exit(cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		fprintf(stderr, "test_vrrp_run: test child died\n");
		return 1;
	}
	return WEXITSTATUS(status);
}
