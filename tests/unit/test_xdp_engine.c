/* The XDP engine's userspace through the one apply path: configs read from
 * text, applied with apply_config / apply_vs, and the BPF maps read back.
 *
 * The check() refusals need nothing.  The rest runs in a forked child in a
 * private network namespace (unshare): a veth pair, the VIP on one end,
 * permanent neighbours for the real servers; the program is attached only
 * to that namespace's interface, which disappears with the child. */
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

static void print_diag(void *ctx, int severity, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

static struct config *load(const char *text)
{
	struct conf_diag d = {.fn = print_diag};
	struct config *cfg = conf_load_string("t.conf", text, strlen(text), &d);

	if (!cfg)
		fail_msg("config has %u errors", d.errors);
	return cfg;
}

/* ---- check(): refusals with reasons (no root) ---- */

/* tweak: a change the reader itself would refuse (fwmark, granularity) */
static void expect_refused_t(const char *text, void (*tweak)(struct virtual_server *),
			     const char *needle)
{
	struct config *cfg = load(text);
	char err[ERRLEN] = "";
	int rc;

	if (tweak)
		tweak(cfg->vs);
	rc = xdp_engine_ops.check(cfg->vs, err, sizeof(err));

	assert_int_equal(rc, -1);
	if (!strstr(err, needle))
		fail_msg("'%s' not in '%s'", needle, err);
	config_free(cfg);
}

static void expect_refused(const char *text, const char *needle)
{
	expect_refused_t(text, NULL, needle);
}

static void set_fwmark(struct virtual_server *vs)
{
	vs->fwmark = 3;
}

static void set_prefix_40(struct virtual_server *vs)
{
	vs->persistence_prefix = 40;
}

static void test_check_refusals(void **state)
{
	const char *ok = "virtual_server 10.0.0.1 80 {\n lb_kind DR\n"
			 " real_server 10.0.0.2 80 { weight 1 }\n}\n";

	expect_refused(
	    "virtual_server 10.0.0.1 80 {\n lb_kind DR\n"
	    " real_server 10.0.0.2 8080 { weight 1 }\n}\n",
	    "real server 10.0.0.2:8080: DR/TUN forwards to the virtual server's port 80; "
	    "write the same port or use lb_kind NAT");
	expect_refused("virtual_server 10.0.0.1 80 {\n lb_kind TUN\n"
		       " real_server 2001:db8::2 80 { weight 1 }\n}\n",
		       "address family");
	expect_refused_t(ok, set_fwmark, "fwmark");
	expect_refused_t(ok, set_prefix_40, "granularity /40");
	expect_refused("virtual_server 10.0.0.1 80 {\n lb_kind NAT\n"
		       " real_server 10.0.0.2 80 { weight 1 }\n}\n",
		       "not served by the XDP engine");
	expect_refused("virtual_server 10.0.0.1 80 {\n lb_kind DR\n"
		       " sorry_server 10.0.0.9 81\n real_server 10.0.0.2 80 { weight 1 }\n}\n",
		       "sorry server 10.0.0.9:81");
}

static void test_check_accepts(void **state)
{
	struct config *cfg = load("virtual_server 10.0.0.1 80 {\n lb_kind DR\n lb_algo mh\n"
				  " persistence_timeout 60\n"
				  " persistence_granularity 255.255.255.0\n"
				  " real_server 10.0.0.2 80 { weight 1 }\n"
				  " real_server 10.0.0.3 { weight 2 }\n}\n"
				  "virtual_server 2001:db8::1 53 {\n lb_kind TUN\n protocol UDP\n"
				  " lb_algo wlc\n real_server 2001:db8::2 53 { weight 1 }\n}\n");
	char err[ERRLEN] = "";
	struct virtual_server *vs;

	for (vs = cfg->vs; vs; vs = vs->next)
		if (xdp_engine_ops.check(vs, err, sizeof(err)) < 0)
			fail_msg("refused: %s", err);
	assert_int_equal(cfg->vs->persistence_prefix, 24);
	config_free(cfg);
}

static void test_global_keywords(void **state)
{
	struct config *cfg = load("global_defs {\n xdp_interface eth0 eth1\n xdp_interface eth0\n"
				  " xdp_mode generic\n}\n");
	struct conf_diag d = {0};
	const char *bad = "global_defs {\n xdp_mode turbo\n}\n";

	assert_int_equal(cfg->global.n_xdp_interfaces, 2);
	assert_string_equal(cfg->global.xdp_interfaces[1], "eth1");
	assert_int_equal(cfg->global.xdp_mode, FC_XDP_MODE_GENERIC);
	config_free(cfg);
	assert_null(conf_load_string("t.conf", bad, strlen(bad), &d));
	assert_int_equal(d.errors, 1);
}

/* ---- the engine in a namespace ---- */

/* Each namespace test gets a struct fulcrum with a loop in *state; the
 * teardown stops the engine and takes off whatever a failed test may have
 * left (a program attached to IF0 by hand, an extra neighbour), so one
 * failure never fails the next test. */
static int ns_setup(void **state)
{
	struct fulcrum *fc = calloc(1, sizeof(*fc));

	if (!fc || !(fc->loop = loop_new())) {
		free(fc);
		return -1;
	}
	*state = fc;
	return 0;
}

static int ns_teardown(void **state)
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
static const char *conf_dr_idle(const char *extra_a, const char *algo, unsigned idle_s)
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

static const char *conf_dr(const char *extra_a, const char *algo)
{
	return conf_dr_idle(extra_a, algo, 600);
}

static void apply_text(struct fulcrum *fc, const char *text)
{
	char err[ERRLEN];

	struct config *cfg = load(text);

	if (apply_config(fc, cfg, err, sizeof(err)) < 0) {
		config_free(cfg);
		fail_msg("apply_config: %s", err);
	}
}

static struct xdp_engine *engine(struct fulcrum *fc)
{
	assert_non_null(fc->xdp);
	return fc->xdp;
}

static struct xdp_srv *srv_of(struct fulcrum *fc, const char *ip)
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

static void read_vip(struct fulcrum *fc, struct fx_vip *v, int expect)
{
	struct fx_vip_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET, VIP, &k.addr.v4);
	k.port = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FX_AF_INET;
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.vips, &k, v) == 0, expect);
}

static void read_real(struct fulcrum *fc, uint32_t id, struct fx_real *r)
{
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.reals, &id, r), 0);
}

/* How many ring entries of vs_id name each of a, b; any other entry fails. */
static void ring_counts(struct fulcrum *fc, uint32_t vs_id, uint32_t a, uint32_t b, size_t *na,
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

static uint32_t attached_prog(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	assert_int_equal(bpf_xdp_query(ifindex, 0, &q), 0);
	return q.prog_id;
}

static void test_dr_maps(void **state)
{
	struct fulcrum *fc = *state;
	struct fx_vip v;
	struct fx_real r;
	struct xdp_srv *a, *b;
	uint32_t ida, idb, vs_id;
	size_t na, nb;
	int ifindex = (int)if_nametoindex(IF0);
	uint8_t mac_a[6] = {2, 0, 0, 0, 0x93, 2}, mac_b[6] = {2, 0, 0, 0, 0x93, 3};
	struct real_server *rs;
	char err[ERRLEN];

	if (!in_ns)
		skip();
	apply_text(fc, conf_dr("", "mh"));

	/* attached, natively (veth has native XDP) */
	assert_int_equal(engine(fc)->n_ifs, 1);
	assert_int_equal(engine(fc)->ifs[0].ifindex, ifindex);
	assert_int_equal(engine(fc)->ifs[0].generic, 0);
	assert_int_equal(attached_prog(ifindex), engine(fc)->prog_id);

	/* the service entry */
	read_vip(fc, &v, 1);
	vs_id = v.vs_id;
	assert_true(vs_id < FX_MAX_VS);
	assert_int_equal(v.sched, FX_SCHED_HASH_SRC);
	assert_int_equal(v.flags, 0);
	assert_int_equal(v.tcp_idle_s, 600);
	assert_int_equal(v.tcp_fin_s, 120);
	assert_int_equal(v.udp_idle_s, 300);
	assert_int_equal(v.persist_s, 0);

	/* both servers live, ready, with their MACs */
	a = srv_of(fc, RS_A);
	b = srv_of(fc, RS_B);
	assert_non_null(a);
	assert_non_null(b);
	ida = a->rs_id;
	idb = b->rs_id;
	assert_int_not_equal(ida, idb);
	read_real(fc, ida, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac_a, 6);
	assert_int_equal(r.ifindex, (uint32_t)ifindex);
	assert_int_equal(r.vs_id, vs_id);
	assert_int_equal(r.family, FX_AF_INET);
	read_real(fc, idb, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac_b, 6);

	/* Maglev with weights 1:2: only the two, about a third and two thirds */
	ring_counts(fc, vs_id, ida, idb, &na, &nb);
	assert_int_equal(na + nb, FX_RING_SIZE);
	assert_true(na > FX_RING_SIZE * 31 / 100 && na < FX_RING_SIZE * 36 / 100);

	/* drain A: the ring names only B, A's slot stays LIVE */
	rs = vs_find_rs(fc->cfg->vs, &a->addr);
	rs->live->admin = RS_ADMIN_DRAIN;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	ring_counts(fc, vs_id, FX_RS_NONE - 1, idb, &na, &nb);
	assert_int_equal(nb, FX_RING_SIZE);
	read_real(fc, ida, &r);
	assert_true(r.flags & FX_RS_F_LIVE);

	/* back, then a reload of the same config keeps every id */
	rs->live->admin = RS_ADMIN_ENABLED;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	ring_counts(fc, vs_id, ida, idb, &na, &nb);
	assert_true(na > 0 && nb > 0);
	apply_text(fc, conf_dr("", "mh"));
	read_vip(fc, &v, 1);
	assert_int_equal(v.vs_id, vs_id);
	assert_int_equal(srv_of(fc, RS_A)->rs_id, ida);
	assert_int_equal(srv_of(fc, RS_B)->rs_id, idb);
	ring_counts(fc, vs_id, ida, idb, &na, &nb);
	assert_true(na > 0 && nb > 0);

	/* a scheduler of the sequence kind: wrr over 1:2 */
	apply_text(fc, conf_dr("", "wrr"));
	read_vip(fc, &v, 1);
	assert_int_equal(v.sched, FX_SCHED_SEQ);
	assert_int_equal(v.seq_len, 3);
	assert_int_equal(srv_of(fc, RS_A)->rs_id, ida);

	/* delete A: out of the ring, its slot no longer LIVE */
	rs = vs_find_rs(fc->cfg->vs, &srv_of(fc, RS_A)->addr);
	assert_int_equal(vs_unlink_rs(fc->cfg->vs, rs), 0);
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	rs_free(rs);
	assert_null(srv_of(fc, RS_A));
	read_real(fc, ida, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0);
	ring_counts(fc, vs_id, FX_RS_NONE - 1, idb, &na, &nb);
	assert_int_equal(nb, FX_RING_SIZE);

	/* a reload that brings A back gives it a new slot (the old one may
	 * still be named by connection-table entries) */
	apply_text(fc, conf_dr("", "mh"));
	assert_int_not_equal(srv_of(fc, RS_A)->rs_id, ida);

	/* a config without DR/TUN detaches and unloads */
	apply_text(fc, "virtual_server 127.0.0.1 18999 {\n lb_kind NAT\n"
		       " real_server 127.0.0.1 19999 { weight 1 }\n}\n");
	assert_int_equal(attached_prog(ifindex), 0);
	assert_null(engine(fc)->skel);

	/* and back; shutdown detaches */
	apply_text(fc, conf_dr("", "mh"));
	assert_int_not_equal(attached_prog(ifindex), 0);
	apply_shutdown(fc);
	assert_int_equal(attached_prog(ifindex), 0);
	assert_null(fc->xdp);
}

static void stop_cb(struct loop *l, struct ev_timer *t)
{
	loop_stop(l);
}

/* A server without a neighbour entry whose host does not answer is LIVE
 * but not READY and out of the ring, after a bounded wait at start; once
 * its MAC is known (a neighbour event) it goes in. */
static void test_unresolved_then_resolved(void **state)
{
	struct fulcrum *fc = *state;
	const char *text = "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo rr\n"
			   " real_server " RS_A " 80 { weight 1 }\n"
			   " real_server 10.93.0.7 80 { weight 1 }\n}\n";
	struct fx_real r;
	struct fx_vip v;
	struct xdp_srv *c;
	char err[ERRLEN];
	uint64_t end, t0 = loop_clock_ms();

	if (!in_ns)
		skip();
	apply_text(fc, text);
	assert_true(loop_clock_ms() - t0 < XDP_NEIGH_WAIT_MS + 500);
	c = srv_of(fc, "10.93.0.7");
	read_real(fc, c->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE);
	read_vip(fc, &v, 1);
	assert_int_equal(v.seq_len, 1);
	assert_true(loop_timer_armed(&engine(fc)->neigh));
	assert_true(engine(fc)->neigh.when <= loop_now(fc->loop) + XDP_NEIGH_FAST_MS);

	assert_int_equal(
	    system("ip neigh replace 10.93.0.7 lladdr 02:00:00:00:93:07 dev " IF0 " nud permanent"),
	    0);
	/* run the loop until the refresh has seen it (bounded) */
	end = loop_clock_ms() + 3 * XDP_NEIGH_FAST_MS;
	while (loop_clock_ms() < end) {
		struct ev_timer t;

		read_real(fc, c->rs_id, &r);
		if (r.flags & FX_RS_F_READY)
			break;
		loop_timer_init(&t, stop_cb, NULL);
		loop_timer_start(fc->loop, &t, 200);
		loop_run(fc->loop);
		loop_timer_stop(fc->loop, &t);
	}
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	read_vip(fc, &v, 1);
	assert_int_equal(v.seq_len, 2);
	(void)err;
}

/* A new server with no neighbour entry whose host answers ARP: the
 * daemon's start waits for the answer, so the service is published with
 * the server ready and in the ring, and its first flows are not dropped
 * (drop_no_dest / drop_no_mac) while a timer resolves it later. */
static void test_mac_resolved_before_publish(void **state)
{
	struct fulcrum *fc = *state;
	const char *text = "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo rr\n"
			   " real_server " RS_NEW " 80 { weight 1 }\n}\n";
	uint8_t mac[6] = {2, 0, 0, 0, 0x93, 0x20};
	struct fx_real r;
	struct fx_vip v;

	if (!in_ns || !peer_ns)
		skip();
	apply_text(fc, text);
	read_real(fc, srv_of(fc, RS_NEW)->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac, 6);
	read_vip(fc, &v, 1);
	assert_int_equal(v.seq_len, 1);
}

struct on_time {
	uint64_t due, fired; /* loop_clock_ms() */
};

static void on_time_cb(struct loop *l, struct ev_timer *t)
{
	struct on_time *o = t->data;

	o->fired = loop_clock_ms();
}

/* A reload adds a server whose host never answers ARP (10.93.0.7) and one
 * that does (RS_NEW, in the peer namespace): the apply does not wait for
 * either (the event loop goes on: a timer due during the reload fires on
 * time), RS_A takes the new flows at once, the silent server stays out of
 * the ring, and RS_NEW goes in as soon as its ARP answer comes (the
 * neighbour event, well before the XDP_NEIGH_FAST_MS refresh).  The apply
 * takes a few ms; the bound (LATE_MS) leaves room for a loaded machine and
 * is far below the old wait (XDP_NEIGH_WAIT_MS: the old code took 1017 ms). */
#define LATE_MS 300
static void test_reload_does_not_wait_for_macs(void **state)
{
	struct fulcrum *fc = *state;
	const char *one = "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo rr\n"
			  " real_server " RS_A " 80 { weight 1 }\n}\n";
	const char *three = "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo rr\n"
			    " real_server " RS_A " 80 { weight 1 }\n"
			    " real_server 10.93.0.7 80 { weight 1 }\n"
			    " real_server " RS_NEW " 80 { weight 1 }\n}\n";
	uint8_t mac[6] = {2, 0, 0, 0, 0x93, 0x20};
	struct on_time ot = {0};
	struct ev_timer t;
	struct fx_real r;
	struct fx_vip v;
	uint64_t t0, took, end;

	if (!in_ns || !peer_ns)
		skip();
	apply_text(fc, one);
	loop_timer_init(&t, on_time_cb, &ot);
	loop_timer_start(fc->loop, &t, 20);
	t0 = loop_clock_ms();
	ot.due = t0 + 20;
	apply_text(fc, three);
	took = loop_clock_ms() - t0;
	if (took >= LATE_MS)
		fail_msg("the reload blocked the loop for %llu ms", (unsigned long long)took);
	read_real(fc, srv_of(fc, RS_A)->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	read_real(fc, srv_of(fc, "10.93.0.7")->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE);
	read_vip(fc, &v, 1);
	assert_true(v.seq_len >= 1); /* RS_A, and RS_NEW if it answered already */

	/* the loop runs: the timer, then RS_NEW's neighbour event (bounded) */
	end = loop_clock_ms() + XDP_NEIGH_FAST_MS / 4;
	while (loop_clock_ms() < end) {
		struct ev_timer stop;

		read_real(fc, srv_of(fc, RS_NEW)->rs_id, &r);
		if (r.flags & FX_RS_F_READY && ot.fired)
			break;
		loop_timer_init(&stop, stop_cb, NULL);
		loop_timer_start(fc->loop, &stop, 10);
		loop_run(fc->loop);
		loop_timer_stop(fc->loop, &stop);
	}
	loop_timer_stop(fc->loop, &t);
	assert_int_not_equal(ot.fired, 0);
	if (ot.fired > ot.due + LATE_MS)
		fail_msg("a timer due during the reload fired %llu ms late",
			 (unsigned long long)(ot.fired - ot.due));
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac, 6);
	read_vip(fc, &v, 1);
	assert_int_equal(v.seq_len, 2); /* RS_A and RS_NEW; 10.93.0.7 still out */
	read_real(fc, srv_of(fc, "10.93.0.7")->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE);
}

/* sync: counters from the per-CPU maps, connections from fx_conns. */
static void test_sync_and_show(void **state)
{
	struct fulcrum *fc = *state;
	struct xdp_engine *x;
	struct xdp_srv *a;
	struct fx_flow_key k;
	struct fx_conn c;
	struct fx_stats *st;
	struct real_server *rs;
	struct timespec ts;
	struct sbuf out;
	char err[ERRLEN];
	uint64_t before;
	int i;

	if (!in_ns)
		skip();
	/* idle timeout 2 s: a stale entry is 4 s old, a time after boot
	 * (CLOCK_MONOTONIC starts near 0 then: moving a stamp back by the
	 * real 600 s would wrap on a machine up less than that) */
	apply_text(fc, conf_dr_idle("", "mh", 2));
	x = engine(fc);
	a = srv_of(fc, RS_A);
	rs = vs_find_rs(fc->cfg->vs, &a->addr);
	before = ctr_total(&rs->live->ctr).inpkts;

	/* what the BPF program would have written: 2 packets on each CPU, one
	 * open TCP flow and one that saw a FIN */
	st = calloc((size_t)x->ncpus, sizeof(*st));
	for (i = 0; i < x->ncpus; i++)
		st[i] = (struct fx_stats){.pkts = 2, .bytes = 100, .conns = 1};
	assert_int_equal(bpf_map_update_elem(x->fd.rs_stats, &a->rs_id, st, BPF_ANY), 0);
	free(st);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET, "10.93.0.50", &k.src.v4);
	inet_pton(AF_INET, VIP, &k.dst.v4);
	k.sport = htons(40000);
	k.dport = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FX_AF_INET;
	memset(&c, 0, sizeof(c));
	c.rs_id = a->rs_id;
	c.vs_id = ((struct xdp_vs *)fc->cfg->vs->engine_priv)->vs_id;
	c.last_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	assert_int_equal(bpf_map_update_elem(x->fd.conns, &k, &c, BPF_ANY), 0);
	k.sport = htons(40001);
	c.flags = FX_CONN_F_FIN;
	assert_int_equal(bpf_map_update_elem(x->fd.conns, &k, &c, BPF_ANY), 0);
	k.sport = htons(40002);
	c.flags = 0;
	while (c.last_ns <= 4000000000ull) { /* only in the first 4 s after boot */
		sleep(1);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		c.last_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	c.last_ns -= 4000000000ull; /* idle beyond 2 s (+1 s of slack): stale */
	assert_int_equal(bpf_map_update_elem(x->fd.conns, &k, &c, BPF_ANY), 0);

	apply_sync(fc, 1);
	assert_int_equal(ctr_total(&rs->live->ctr).inpkts, before + 2 * (uint64_t)x->ncpus);
	assert_int_equal(ctr_total(&rs->live->ctr).conns, (uint64_t)x->ncpus);
	assert_int_equal(rs->live->activeconns, 1);
	assert_int_equal(rs->live->inactconns, 1);
	assert_int_equal(fc->cfg->vs->live->activeconns, 1);

	/* a reload keeps the figures (same slot, same base) */
	apply_text(fc, conf_dr_idle("", "mh", 2));
	apply_sync(fc, 1);
	a = srv_of(fc, RS_A);
	rs = vs_find_rs(fc->cfg->vs, &a->addr);
	assert_int_equal(ctr_total(&rs->live->ctr).inpkts, before + 2 * (uint64_t)x->ncpus);

	/* show xdp, text and JSON */
	sbuf_init(&out);
	{
		char *argv[] = {"show", "xdp", "--json"};

		assert_int_equal(ctl_execute(fc, 3, argv, &out, err, sizeof(err)), 0);
	}
	assert_non_null(strstr(sbuf_str(&out), "\"loaded\":true"));
	assert_non_null(strstr(sbuf_str(&out), "\"name\":\"" IF0 "\""));
	assert_non_null(strstr(sbuf_str(&out), "\"mac\":\"02:00:00:00:93:02\""));
	assert_non_null(strstr(sbuf_str(&out), "\"connections\":3"));
	assert_non_null(strstr(sbuf_str(&out), "\"drop_no_mac\":0"));
	sbuf_reset(&out);
	{
		char *argv[] = {"show", "xdp"};

		assert_int_equal(ctl_execute(fc, 2, argv, &out, err, sizeof(err)), 0);
	}
	assert_non_null(strstr(sbuf_str(&out), IF0));
	assert_non_null(strstr(sbuf_str(&out), "native"));
	assert_non_null(strstr(sbuf_str(&out), "live ready"));
	sbuf_free(&out);
}

/* ---- the rr / wrr position (fx_seq) ---- */

/* "virtual_server VIP 80" with lb_algo algo and servers "ADDR:WEIGHT ..." */
static const char *conf_seq(const char *algo, const char *servers)
{
	static char buf[1024];
	char list[256], *save = NULL, *tok;
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf),
			     "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo %s\n", algo);
	snprintf(list, sizeof(list), "%s", servers);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *w = strchr(tok, ':');

		assert_non_null(w);
		*w++ = 0;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      " real_server %s 80 { weight %s }\n", tok, w);
	}
	snprintf(buf + n, sizeof(buf) - n, "}\n");
	return buf;
}

static uint64_t seq_get(struct fulcrum *fc)
{
	struct xdp_vs *xv = fc->cfg->vs->engine_priv;
	uint64_t v;

	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.seq, &xv->vs_id, &v), 0);
	return v;
}

/* As if v flows had been placed since the service began. */
static void seq_put(struct fulcrum *fc, uint64_t v)
{
	struct xdp_vs *xv = fc->cfg->vs->engine_priv;

	assert_int_equal(bpf_map_update_elem(engine(fc)->fd.seq, &xv->vs_id, &v, BPF_ANY), 0);
}

#define RS_C "10.93.0.9"

/* Where the next new flow goes after a change, as IPVS: rr goes on after
 * the server it picked last, in config order (a deleted one's successor);
 * wrr starts its round again when the sequence changes; a reload that
 * changes nothing moves nothing. */
static void test_rr_position_across_changes(void **state)
{
	struct fulcrum *fc = *state;

	if (!in_ns)
		skip();
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 0);
	seq_put(fc, 1); /* A took the last flow */
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* C added in front: after A comes B, now position 2 of C A B */
	apply_text(fc, conf_seq("rr", RS_C ":1 " RS_A ":1 " RS_B ":1"));
	assert_int_equal(seq_get(fc), 2);
	/* reordered to A B C, last pick A (slot 1 of C A B): B, position 1 */
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_B ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* B took the last flow and is deleted: its successor C, position 1
	 * of A C */
	seq_put(fc, 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 1);
	/* C took the last flow; changes that leave the sequence A C as it
	 * was move nothing (rr ignores weights; weight 0 is not in it) */
	seq_put(fc, 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":5"));
	assert_int_equal(seq_get(fc), 2);
	apply_text(fc, conf_seq("rr", RS_A ":1 " RS_C ":1 " RS_B ":0"));
	assert_int_equal(seq_get(fc), 2);
	/* C is last in B A C: round again from B */
	apply_text(fc, conf_seq("rr", RS_B ":1 " RS_A ":1 " RS_C ":1"));
	assert_int_equal(seq_get(fc), 0);

	/* wrr: a new round when the sequence changes, else unchanged */
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":2"));
	assert_int_equal(seq_get(fc), 0);
	seq_put(fc, 2);
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":2"));
	assert_int_equal(seq_get(fc), 2);
	apply_text(fc, conf_seq("wrr", RS_A ":1 " RS_B ":3"));
	assert_int_equal(seq_get(fc), 0);
}

static struct real_server *rs_at(struct fulcrum *fc, const char *ip)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(ip, &a, err, sizeof(err)), 0);
	a.port = 80;
	return vs_find_rs(fc->cfg->vs, &a);
}

/* Health: down without inhibit_on_failure leaves the service (LIVE
 * cleared), with it stays at weight 0 (LIVE); with every real server gone
 * the sorry server takes the whole ring. */
static void test_health_inhibit_sorry(void **state)
{
	struct fulcrum *fc = *state;
	struct fx_real r;
	uint32_t a, b, sorry;
	struct xdp_vs *xv;
	size_t na, nb;
	char err[ERRLEN];

	if (!in_ns)
		skip();
	apply_text(fc, "virtual_server " VIP " 80 {\n lb_kind DR\n lb_algo sh\n"
		       " sorry_server 10.93.0.9 80\n"
		       " real_server " RS_A " 80 {\n weight 1\n inhibit_on_failure\n }\n"
		       " real_server " RS_B " 80 { weight 1 }\n}\n");
	xv = fc->cfg->vs->engine_priv;
	/* ids, not pointers: an update rebuilds the server table */
	a = srv_of(fc, RS_A)->rs_id;
	b = srv_of(fc, RS_B)->rs_id;
	assert_true(srv_of(fc, "10.93.0.9")->sorry);
	sorry = srv_of(fc, "10.93.0.9")->rs_id;
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0); /* not needed while others serve */

	rs_at(fc, RS_B)->live->health = RS_HEALTH_DOWN;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	read_real(fc, b, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0);
	ring_counts(fc, xv->vs_id, a, FX_RS_NONE - 1, &na, &nb);
	assert_int_equal(na, FX_RING_SIZE);

	rs_at(fc, RS_A)->live->health = RS_HEALTH_DOWN;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	read_real(fc, a, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY); /* inhibited: flows go on */
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	ring_counts(fc, xv->vs_id, sorry, FX_RS_NONE - 1, &na, &nb);
	assert_int_equal(na, FX_RING_SIZE);

	rs_at(fc, RS_A)->live->health = RS_HEALTH_UP;
	rs_at(fc, RS_B)->live->health = RS_HEALTH_UP;
	assert_int_equal(apply_vs(fc, fc->cfg->vs, err, sizeof(err)), 0);
	ring_counts(fc, xv->vs_id, a, b, &na, &nb);
	assert_true(na > FX_RING_SIZE / 3 && nb > FX_RING_SIZE / 3);
	read_real(fc, sorry, &r);
	assert_int_equal(r.flags & FX_RS_F_LIVE, 0);
}

/* TUN: the tunnel source is the director's address toward the server, the
 * service is flagged, lo forwards; IPv6 DR keys carry all 16 bytes. */
static void test_tun_and_v6(void **state)
{
	struct fulcrum *fc = *state;
	struct fx_real r;
	struct fx_vip v;
	struct fx_vip_key k;
	struct xdp_srv *a;
	struct xdp_vs *xv;
	uint8_t mac6[6] = {2, 0, 0, 0, 0x93, 0x62};
	struct in_addr src;
	FILE *f;
	char c = 0;

	if (!in_ns)
		skip();
	apply_text(fc, "virtual_server " VIP " 80 {\n lb_kind TUN\n lb_algo mh\n"
		       " real_server " RS_A " 80 { weight 1 }\n}\n"
		       "virtual_server fd00:93::100 80 {\n lb_kind DR\n lb_algo wrr\n"
		       " real_server fd00:93::2 80 { weight 1 }\n}\n");
	xv = fc->cfg->vs->engine_priv;
	read_vip(fc, &v, 1);
	assert_int_equal(v.flags & FX_VS_F_TUN, FX_VS_F_TUN);
	a = srv_of(fc, RS_A);
	read_real(fc, a->rs_id, &r);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	inet_pton(AF_INET, "10.93.0.1", &src);
	assert_memory_equal(&r.tun_src.v4, &src, 4);
	f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "r");
	assert_non_null(f);
	assert_int_equal(fread(&c, 1, 1, f), 1);
	fclose(f);
	assert_int_equal(c, '1');

	xv = fc->cfg->vs->next->engine_priv;
	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, "fd00:93::100", k.addr.b);
	k.port = htons(80);
	k.proto = IPPROTO_TCP;
	k.family = FX_AF_INET6;
	assert_int_equal(bpf_map_lookup_elem(engine(fc)->fd.vips, &k, &v), 0);
	assert_int_equal(v.vs_id, xv->vs_id);
	assert_int_equal(v.sched, FX_SCHED_SEQ);
	assert_int_equal(v.seq_len, 1);
	assert_int_equal(v.persist_prefix, 128);
	read_real(fc, xv->srv[0].rs_id, &r);
	assert_int_equal(r.family, FX_AF_INET6);
	assert_int_equal(r.flags, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_memory_equal(r.mac, mac6, 6);
	apply_shutdown(fc);
	/* switched on by the engine, so switched back off at stop */
	f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "r");
	assert_non_null(f);
	assert_int_equal(fread(&c, 1, 1, f), 1);
	fclose(f);
	assert_int_equal(c, '0');
}

/* An interface with somebody else's XDP program is refused, not taken. */
static void test_foreign_program_refused(void **state)
{
	struct fulcrum *fc = *state;
	struct config *cfg;
	char err[ERRLEN] = "";
	int ifindex = (int)if_nametoindex(IF0);
	uint32_t before;

	if (!in_ns)
		skip();
	/* somebody else's program: fulcrum's own object, loaded separately */
	apply_text(fc, conf_dr("", "mh"));
	before = attached_prog(ifindex);
	{
		struct fulcrum other = {0};

		other.loop = loop_new();
		cfg = load(conf_dr("", "mh"));
		assert_int_equal(apply_config(&other, cfg, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "already has an XDP program"));
		assert_non_null(strstr(err, IF0));
		config_free(cfg);
		apply_shutdown(&other);
		loop_free(other.loop);
	}
	assert_int_equal(attached_prog(ifindex), before);
}

/* A fulcrum program nobody holds (what a SIGKILLed daemon leaves attached)
 * is taken over at the next start instead of blocking it. */
static void test_stale_program_taken_over(void **state)
{
	struct fulcrum *fc = *state;
	struct fulcrum_xdp *stale;
	int ifindex = (int)if_nametoindex(IF0);
	uint32_t left;

	if (!in_ns)
		skip();
	stale = fulcrum_xdp__open_and_load();
	assert_non_null(stale);
	assert_int_equal(bpf_xdp_attach(ifindex, bpf_program__fd(stale->progs.fulcrum_xdp),
					XDP_FLAGS_DRV_MODE, NULL),
			 0);
	fulcrum_xdp__destroy(stale); /* only the interface holds it now */
	left = attached_prog(ifindex);
	assert_int_not_equal(left, 0);

	apply_text(fc, conf_dr("", "mh"));
	assert_int_not_equal(attached_prog(ifindex), left);
	assert_int_equal(attached_prog(ifindex), engine(fc)->prog_id);
	apply_shutdown(fc);
	assert_int_equal(attached_prog(ifindex), 0);
}

/* The peer (netns_peer.h) takes fxe1 and RS_NEW on it, with MAC
 * 02:00:00:00:93:20. */
static pid_t peer = -1;

static int peer_start(void)
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
		fprintf(stderr, "test_xdp_engine: no peer namespace (nsenter?): its tests skip\n");
		return -1;
	}
	return 0;
}

#define NS(f) cmocka_unit_test_setup_teardown(f, ns_setup, ns_teardown)

int main(void)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(test_check_refusals),
	    cmocka_unit_test(test_check_accepts),
	    cmocka_unit_test(test_global_keywords),
	};
	/* clang-format off */
	const struct CMUnitTest ns[] = {
	    NS(test_dr_maps),
	    NS(test_unresolved_then_resolved),
	    NS(test_mac_resolved_before_publish),
	    NS(test_reload_does_not_wait_for_macs),
	    NS(test_sync_and_show),
	    NS(test_rr_position_across_changes),
	    NS(test_health_inhibit_sorry),
	    NS(test_tun_and_v6),
	    NS(test_foreign_program_refused),
	    NS(test_stale_program_taken_over),
	};
	/* clang-format on */
	int status, rc;
	pid_t pid;

	if (cmocka_run_group_tests(plain, NULL, NULL))
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
			fprintf(stderr, "test_xdp_engine: no root or no namespaces: skipping\n");
		else
			peer_ns = peer_start() == 0;
		rc = cmocka_run_group_tests(ns, NULL, NULL);
		netns_peer_stop(peer);
		exit(rc ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		fprintf(stderr, "test_xdp_engine: test child died\n");
		return 1;
	}
	return WEXITSTATUS(status);
}
