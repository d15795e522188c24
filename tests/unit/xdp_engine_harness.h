/* What the XDP engine's tests share (test_xdp_engine.c,
 * test_xdp_engine_ops.c): configs read from text and applied through the
 * one apply path, the BPF maps read back, and xdp_engine_main() which runs
 * the tests that need nothing, then the rest in a forked child in a private
 * network namespace (unshare): a veth pair, the VIP on one end, permanent
 * neighbours for the real servers, a peer namespace holding RS_NEW; the
 * program is attached only to that namespace's interface, which disappears
 * with the child.
 *
 * A header of static inline functions: each test binary that includes it
 * gets its own copy and uses only some (tests are single files). */
#ifndef FC_TESTS_XDP_ENGINE_HARNESS_H
#define FC_TESTS_XDP_ENGINE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conf/conf.h"
#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "engine/engines.h"
#include "fulcrum_xdp.skel.h"
#include "model/fulcrum-t.h"
#include "model/ctr.h"
#include "model/model.h"
#include "netns_peer.h"
#include "xdp/xdp-t.h"

static int in_ns;   /* the namespace with the veth pair is set up */
static int peer_ns; /* fxe1 is in a namespace of its own, holding RS_NEW */

#define IF0    "fxe0"
#define VIP    "10.93.0.100"
#define RS_A   "10.93.0.2"
#define RS_B   "10.93.0.3"
#define MAC_A  "02:00:00:00:93:02"
#define MAC_B  "02:00:00:00:93:03"
#define RS_NEW "10.93.0.20" /* in the peer namespace: answers ARP, no neighbour entry */

static inline void print_diag(void *ctx, int severity, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

static inline struct config *load(const char *text)
{
	struct conf_diag d = {.fn = print_diag};
	struct config *cfg = conf_load_string("t.conf", text, strlen(text), &d);

	if (!cfg)
		fail_msg("config has %u errors", d.errors);
	return cfg;
}

/* ---- the engine in a namespace ---- */

/* Each namespace test gets a struct fulcrum with a loop in *state; the
 * teardown stops the engine and takes off whatever a failed test may have
 * left (a program attached to IF0 by hand, an extra neighbour), so one
 * failure never fails the next test. */
static inline int ns_setup(void **state)
{
	struct fulcrum *fc = calloc(1, sizeof(*fc));

	if (!fc || !(fc->loop = loop_new())) {
		free(fc);
		return -1;
	}
	*state = fc;
	return 0;
}

static inline int ns_teardown(void **state)
{
	struct fulcrum *fc = *state;
	int ifindex = (int)if_nametoindex(IF0);

	apply_shutdown(fc);
	config_free(fc->cfg);
	loop_free(fc->loop);
	free(fc);
	*state = NULL;
	if (ifindex > 0) {
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
	}
	if (in_ns && system("ip neigh del 10.93.0.7 dev " IF0 " 2>/dev/null; "
			    "ip neigh del " RS_NEW " dev " IF0 " 2>/dev/null; true") != 0)
		return -1;
	return 0;
}

/* idle_s: the TCP idle timeout (tcp_idle_s in the service entry) */
static inline const char *conf_dr_idle(const char *extra_a, const char *algo, unsigned idle_s)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo %s\n protocol TCP\n"
		 " proxy_idle_timeout %u\n"
		 " real_server " RS_A " 80 { weight 1 %s}\n"
		 " real_server " RS_B " 80 { weight 2 }\n}\n",
		 algo, idle_s, extra_a);
	return buf;
}

static inline const char *conf_dr(const char *extra_a, const char *algo)
{
	return conf_dr_idle(extra_a, algo, 600);
}

static inline void apply_text(struct fulcrum *fc, const char *text)
{
	char err[ERRLEN];

	struct config *cfg = load(text);

	if (apply_config(fc, cfg, err, sizeof(err)) < 0) {
		config_free(cfg);
		fail_msg("apply_config: %s", err);
	}
}

static inline struct xdp_engine *engine(struct fulcrum *fc)
{
	assert_non_null(fc->xdp);
	return fc->xdp;
}

static inline struct xdp_srv *srv_of(struct fulcrum *fc, const char *ip)
{
	struct xdp_vs *xv = fc->cfg->vs->engine_priv;
	struct fc_addr a;
	char err[ERRLEN];
	size_t i;

	assert_int_equal(addr_parse_ip(ip, &a, err, sizeof(err)), 0);
	assert_non_null(xv);
	for (i = 0; i < xv->n; i++)
		if (addr_ip_equal(&xv->srv[i].addr, &a))
			return &xv->srv[i];
	return NULL;
}

static inline void read_vip(struct fulcrum *fc, struct fx_vip *v, int expect)
{
	struct fx_vip_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET, VIP, &k.addr.v4);
	k.port = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FX_AF_INET;
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.vips, &k, v) == 0, expect);
}

static inline void read_real(struct fulcrum *fc, uint32_t id, struct fx_real *r)
{
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.reals, &id, r), 0);
}

/* How many ring entries of vs_id name each of a, b; any other entry fails. */
static inline void ring_counts(struct fulcrum *fc, uint32_t vs_id, uint32_t a, uint32_t b, size_t *na,
			size_t *nb)
{
	uint32_t i, v;

	*na = *nb = 0;
	for (i = 0; i < FX_RING_SIZE; i++) {
		uint32_t key = vs_id * FX_RING_SIZE + i;

		assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.ring, &key, &v), 0);
		if (v == a)
			(*na)++;
		else if (v == b)
			(*nb)++;
		else
			fail_msg("ring entry %u is %u, not %u or %u", i, v, a, b);
	}
}

static inline uint32_t attached_prog(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	assert_int_equal(bpf_xdp_query(ifindex, 0, &q), 0);
	return q.prog_id;
}

/* The peer (netns_peer.h) takes fxe1 and RS_NEW on it, with MAC
 * 02:00:00:00:93:20. */
static pid_t peer = -1;

static inline int peer_start(const char *name)
{
	char cmd[512];

	peer = netns_peer_start();
	if (peer < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "ip link set fxe1 netns %d && nsenter -t %d -n sh -c 'ip link set lo up && "
		 "ip link set fxe1 address 02:00:00:00:93:20 up && "
		 "ip addr add " RS_NEW "/24 dev fxe1'",
		 (int)peer, (int)peer);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: no peer namespace (nsenter?): its tests skip\n", name);
		return -1;
	}
	return 0;
}

#define NS(f) cmocka_unit_test_setup_teardown(f, ns_setup, ns_teardown)

/* The whole test binary: the plain tests here, then the namespace tests in
 * a child of their own; 0 if all passed.  name prefixes the messages. */
static inline int xdp_engine_main(const char *name, const struct CMUnitTest *plain, size_t nplain,
				  const struct CMUnitTest *ns, size_t nns)
{
	int status, rc;
	pid_t pid;

	if (nplain && _cmocka_run_group_tests("plain", plain, nplain, NULL, NULL))
		return 1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* a private namespace, gone (with the program's attachment) when
		 * this child exits */
		in_ns =
		    unshare(CLONE_NEWNET) == 0 &&
		    system("ip link set lo up && ip link add " IF0 " type veth peer name fxe1 && "
			   "ip link set fxe1 up && ip link set " IF0 " up && "
			   "ip addr add 10.93.0.1/24 dev " IF0 " && "
			   "ip addr add " VIP "/32 dev " IF0 " && "
			   "ip neigh add " RS_A " lladdr " MAC_A " dev " IF0 " nud permanent && "
			   "ip neigh add " RS_B " lladdr " MAC_B " dev " IF0 " nud permanent && "
			   "ip neigh add 10.93.0.9 lladdr 02:00:00:00:93:09 dev " IF0
			   " nud permanent && "
			   "ip -6 addr add fd00:93::1/64 dev " IF0 " nodad && "
			   "ip -6 addr add fd00:93::100/128 dev " IF0 " nodad && "
			   "ip -6 neigh add fd00:93::2 lladdr 02:00:00:00:93:62 dev " IF0
			   " nud permanent") == 0;
		if (!in_ns)
			fprintf(stderr, "%s: no root or no namespaces: skipping\n", name);
		else
			peer_ns = peer_start(name) == 0;
		rc = _cmocka_run_group_tests("ns", ns, nns, NULL, NULL);
		netns_peer_stop(peer);
		exit(rc ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		fprintf(stderr, "%s: test child died\n", name);
		return 1;
	}
	return WEXITSTATUS(status);
}

#endif
