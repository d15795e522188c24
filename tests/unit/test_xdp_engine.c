/* The XDP engine's userspace through the one apply path: configs read from
 * text, applied with apply_config / apply_vs, and the BPF maps read back.
 * Here: check()'s refusals (they need nothing), the maps a DR service
 * fills, servers whose MAC is not known yet, and the connection table's
 * sync and listing.  test_xdp_engine_ops.c: the rr position, health,
 * TUN and IPv6, programs already on the interface.  The namespace tests run
 * in a private network namespace (xdp_engine_harness.h). */
#include "xdp_engine_harness.h"

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

/* Milliseconds since midnight of a log line's "HH:MM:SS.mmm" stamp, or -1. */
static long stamp_ms(const char *line)
{
	int h, m, s, ms;

	if (sscanf(line, "%2d:%2d:%2d.%3d", &h, &m, &s, &ms) != 4)
		return -1;
	return ((h * 60L + m) * 60 + s) * 1000 + ms;
}

/* On the daemon's own log stamps: the time from the first line holding
 * `from` to the first line after it holding `to` (across midnight too), or
 * -1 if either line is missing. */
static long log_interval_ms(const char *log, const char *from, const char *to)
{
	const char *a = strstr(log, from), *b;
	long ta, tb;

	if (!a || !(b = strstr(a, to)))
		return -1;
	while (a > log && a[-1] != '\n')
		a--;
	while (b > log && b[-1] != '\n')
		b--;
	ta = stamp_ms(a);
	tb = stamp_ms(b);
	if (ta < 0 || tb < 0)
		return -1;
	return tb >= ta ? tb - ta : tb + 24 * 3600 * 1000L - ta;
}

/* apply_config(text) with the daemon's stderr (its log) caught in log
 * (NUL-terminated, also echoed to stderr); 0 or -1 with err. */
static int apply_logged(struct fulcrum *fc, const char *text, char *log, size_t n, char *err,
			size_t errlen)
{
	char path[] = "/tmp/fc-xdp-log-XXXXXX";
	struct config *cfg = load(text);
	int fd = mkstemp(path), saved = dup(2), rc;
	ssize_t got;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	fflush(stderr);
	dup2(fd, 2);
	rc = apply_config(fc, cfg, err, errlen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	got = pread(fd, log, n - 1, 0);
	close(fd);
	log[got > 0 ? got : 0] = 0;
	fputs(log, stderr);
	if (rc < 0)
		config_free(cfg);
	return rc;
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
	char err[ERRLEN], log[8192];
	uint64_t end;
	long waited;

	if (!in_ns)
		skip();
	if (apply_logged(fc, text, log, sizeof(log), err, sizeof(err)) < 0)
		fail_msg("apply_config: %s", err);
	/* the start waited for the silent server's MAC its whole budget and no
	 * longer: measured on the daemon's own log stamps from the program's
	 * attachment to the warning that ends the wait, so the program's load
	 * (slow on a loaded host) is not counted; the slack is one poll, the
	 * lookups and scheduling delay, well below the kernel's own ARP
	 * failure time (3 s) that an unbounded wait would show */
	waited = log_interval_ms(log, "xdp: attached to", "without a known MAC after the wait");
	assert_true(waited >= 0);
	assert_int_equal(engine(fc)->wait_left_ms, 0);
	assert_true(waited >= XDP_NEIGH_WAIT_MS - 5);
	assert_true(waited < XDP_NEIGH_WAIT_MS + 1000);
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
	/* run the loop until the refresh has seen it (due within
	 * XDP_NEIGH_FAST_MS; bounded generously for a loaded host) */
	end = loop_clock_ms() + 3 * XDP_NEIGH_FAST_MS + 15000;
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
 * takes a few ms; the bound (LATE_MS) leaves room for a loaded machine (a
 * stall of a few hundred ms at load 15) and is well below the old wait
 * (XDP_NEIGH_WAIT_MS: the old code took 1017 ms). */
#define LATE_MS 600
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
	};
	/* clang-format on */

	return xdp_engine_main("test_xdp_engine", plain, sizeof(plain) / sizeof(plain[0]), ns,
			       sizeof(ns) / sizeof(ns[0]));
}
