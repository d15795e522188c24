/* The XDP program's state across packets: the connection table (same
 * flow, FIN/RST, expiry, a removed server), persistence, the schedulers
 * (least connection, the machine-wide rr sequence across CPUs, hashes) and
 * the per-service counters.  The harness, and how the binary runs (root,
 * its own network namespace, time): xdp_prog_harness.h; parsing and
 * forwarding: test_xdp_prog.c. */
#include "xdp_prog_harness.h"

/* ------------------------------------------------------------------ tests */

static void set_least(struct fx_vip *v, uint32_t kind)
{
	v->sched = FX_SCHED_LEAST;
	v->least = kind;
}

/* fx_least[vs_id]: servers ids[] with weights w[]. */
static void put_least(uint32_t vs_id, const uint32_t *ids, const uint32_t *w, uint32_t n)
{
	struct fx_least_set set = {.n = n};

	for (uint32_t i = 0; i < n; i++) {
		set.rs_id[i] = ids[i];
		set.weight[i] = w[i];
	}
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_least, &vs_id, sizeof(vs_id), &set, sizeof(set), 0),
	    0);
}

static int64_t active(uint32_t rs_id)
{
	int64_t n;

	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_active, &rs_id, sizeof(rs_id), &n, sizeof(n), 0), 0);
	return n;
}

/* n new flows from ports sport0, sport0 + 1...: flow i must go to want[i]. */
static void place_each(struct flow *f, uint16_t sport0, int n, const uint32_t *want)
{
	for (int i = 0; i < n; i++) {
		f->sport = (uint16_t)(sport0 + i);
		assert_int_equal(place(f), want[i]);
	}
}

/* lc: a new flow goes to the server with the fewest active flows (the
 * first of the list on a tie), whatever order a sequence would take; a
 * flow's FIN takes it off its server's count, a re-placed flow off its
 * old server's. */
static void test_least_conn(void **state)
{
	uint32_t ids[] = {1, 2}, w[] = {1, 1}, first[] = {1, 2, 1, 2}, then[] = {1, 1};
	struct flow f = TCP4;

	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_least, FX_LEAST_LC);
	put_least(0, ids, w, 2);
	place_each(&f, 41000, 4, first);
	assert_int_equal(active(1), 2);
	assert_int_equal(active(2), 2);
	/* server 1's two flows end (FIN): it has the fewest, and takes the
	 * next two new flows (a round robin would alternate) */
	f.tcp_flags = 0x11;
	for (int i = 0; i < 4; i += 2) {
		f.sport = 41000 + i;
		assert_int_equal(place(&f), 1);
	}
	assert_int_equal(active(1), 0);
	f.tcp_flags = 0x02;
	place_each(&f, 41004, 2, then);
	assert_int_equal(active(1), 2);
	/* a second FIN of a flow counts nothing more */
	f.tcp_flags = 0x11;
	f.sport = 41000;
	place(&f);
	assert_int_equal(active(1), 2);
	/* server 2 leaves: its flows are placed anew on 1, and counted there
	 * instead */
	set_real_flags(2, FX_RS_F_READY);
	put_least(0, ids, w, 1);
	f.tcp_flags = 0x10;
	f.sport = 41001;
	assert_int_equal(place(&f), 1);
	assert_int_equal(active(2), 1);
	assert_int_equal(active(1), 3);
}

/* wlc weighs the count by the weight; nq takes an idle server first. */
static void test_least_weighted(void **state)
{
	/* 0/1 = 0/3: 1; then 1/1 > 0/3: 2; 1/1 > 1/3: 2; 1/1 > 2/3: 2;
	 * 1/1 = 3/3: 1 */
	uint32_t ids[] = {1, 2}, w[] = {1, 3}, want[] = {1, 2, 2, 2, 1};
	struct flow f = TCP4;

	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_least, FX_LEAST_WLC);
	put_least(0, ids, w, 2);
	place_each(&f, 42000, 5, want);
	/* nq: server 2 has flows, server 1 too; a third, idle server first */
	{
		uint32_t ids3[] = {1, 2, 3}, w3[] = {1, 3, 1};

		put_real(3, 0, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
		edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_least, FX_LEAST_NQ);
		put_least(0, ids3, w3, 3);
		f.sport = 42100;
		assert_int_equal(place(&f), 3);
	}
}

static void test_same_flow(void **state)
{
	struct flow f = TCP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, rs, other;
	uint32_t only_other[1];
	struct fx_conn c;
	size_t len = build(&f, in);
	int v = run(in, len, out, &out_len);

	rs = dr_server(out);
	assert_int_equal(v, rs == 1 ? XDP_TX : XDP_REDIRECT);
	/* the ring now names only the other server: the flow stays */
	other = rs == 1 ? 2 : 1;
	only_other[0] = other;
	fill_ring(0, only_other, 1);
	f.tcp_flags = 0x10;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), v);
	expect_dr(in, len, out, out_len, rs);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 1);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).pkts, 2);
	assert_int_equal(stats(skel->maps.fx_rs_stats, rs).pkts, 2);
	assert_int_equal(stats(skel->maps.fx_rs_stats, rs).conns, 1);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.rs_id, rs);
	assert_int_equal(c.vs_id, 0);
	assert_int_equal(c.flags, 0);
	/* a SYN retransmit on a live entry keeps it too */
	f.tcp_flags = 0x02;
	assert_int_equal(send_flow(&f, v), rs);
	/* another client port is a new flow: the other server */
	f.sport++;
	assert_int_equal(send_flow(&f, other == 1 ? XDP_TX : XDP_REDIRECT), other);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 2);
}

static void test_fin_rst_reuse(void **state)
{
	struct flow f = TCP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, rs, other, ring[1];
	struct fx_conn c;
	size_t len = build(&f, in);

	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	rs = dr_server(out);
	other = rs == 1 ? 2 : 1;
	ring[0] = other;
	fill_ring(0, ring, 1);
	/* FIN: still the same server, entry marked */
	f.tcp_flags = 0x11;
	len = build(&f, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), rs);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.flags, FX_CONN_F_FIN);
	/* the last ACK: same server */
	f.tcp_flags = 0x10;
	len = build(&f, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), rs);
	/* a new SYN on the same ports: placed anew (the ring says other) */
	f.tcp_flags = 0x02;
	len = build(&f, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), other);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.rs_id, other);
	assert_int_equal(c.flags, 0);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 2);
	/* RST marks too */
	f.tcp_flags = 0x14;
	len = build(&f, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.flags, FX_CONN_F_FIN);
}

static void test_expiry(void **state)
{
	struct flow t = TCP4, u = UDP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, rs, other, ring[1];
	struct fx_conn c;
	size_t len = build(&t, in);

	clock_past_age_max();
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_small_timeouts, 0);
	edit_vip(FX_AF_INET, "10.0.0.100", 53, IPPROTO_UDP, set_small_timeouts, 0);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	rs = dr_server(out);
	other = rs == 1 ? 2 : 1;
	ring[0] = other;
	fill_ring(0, ring, 1);
	t.tcp_flags = 0x10;
	len = build(&t, in);
	age_conn(&t, 8); /* tcp_idle_s 9 */
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), rs);
	/* that packet refreshed the entry (older than 1 s) */
	assert_int_equal(conn_of(&t, &c), 0);
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		assert_true((uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec - c.last_ns <
			    5000000000ull);
	}
	age_conn(&t, 10);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), other);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 2);
	/* after a FIN the limit is tcp_fin_s (3 s here; IPVS's 120 s) */
	t.tcp_flags = 0x11;
	len = build(&t, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	ring[0] = rs;
	fill_ring(0, ring, 1);
	t.tcp_flags = 0x10;
	len = build(&t, in);
	age_conn(&t, 2);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), other);
	age_conn(&t, 4);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), rs);
	/* UDP: udp_idle_s (5 s here); a refresh only after 1 s */
	len = build(&u, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	assert_int_equal(conn_of(&u, &c), 0);
	{
		uint64_t first = c.last_ns;

		assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
		assert_int_equal(conn_of(&u, &c), 0);
		assert_true(c.last_ns == first); /* within a second: not rewritten */
	}
	age_conn(&u, 6);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).conns, 2);
}

static void test_removed_server(void **state)
{
	struct flow f = TCP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, rs, other, ring[1];
	struct fx_conn c;
	size_t len = build(&f, in);

	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	rs = dr_server(out);
	other = rs == 1 ? 2 : 1;
	ring[0] = other;
	fill_ring(0, ring, 1);
	/* removed: LIVE cleared; the flow follows the ring (expire_nodest_conn) */
	set_real_flags(rs, FX_RS_F_READY);
	f.tcp_flags = 0x10;
	len = build(&f, in);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), other);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.rs_id, other);
	assert_int_equal(stats(skel->maps.fx_rs_stats, other).conns, 1);
	/* a slot reused by another service does not keep an old flow either */
	set_real_flags(rs, FX_RS_F_LIVE | FX_RS_F_READY);
	ring[0] = rs;
	fill_ring(0, ring, 1);
	put_real(other, 1, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(dr_server(out), rs);
}

/* Two clients of one /24 share a server on every port; over many /24s
 * both servers are used; an expired template is replaced. */
static void test_persist(void **state)
{
	struct flow f = TCP4;
	char addr[64][32];
	uint32_t first, seen[3] = {0}, ring[1];
	struct fx_persist_key pk = {.vs_id = 0, .family = FX_AF_INET};
	struct fx_persist t;

	clock_past_age_max();
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_persist_24, 6);
	first = place(&f);
	for (int p = 1; p <= 5; p++) { /* other ports, another host of the /24 */
		f.sport = 40000 + 97 * p;
		f.src = p & 1 ? "192.0.2.10" : "192.0.2.200";
		assert_int_equal(place(&f), first);
	}
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 6);
	pton(FX_AF_INET, "192.0.2.0", &pk.client);
	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_persist, &pk, sizeof(pk), &t, sizeof(t), 0), 0);
	assert_int_equal(t.rs_id, first);
	/* different /24s: the scheduler spreads them */
	for (int i = 0; i < 64; i++) {
		snprintf(addr[i], sizeof(addr[i]), "198.18.%d.7", i);
		f.src = addr[i];
		seen[place(&f)]++;
	}
	assert_true(seen[1] > 0 && seen[2] > 0);
	/* the template outlives a ring change... */
	ring[0] = first == 1 ? 2 : 1;
	fill_ring(0, ring, 1);
	f.src = "192.0.2.77";
	f.sport = 50000;
	assert_int_equal(place(&f), first);
	/* ...until it expires (persist_s 6) */
	t.last_ns = stamp_back(t.last_ns, 7);
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_persist, &pk, sizeof(pk), &t, sizeof(t), 0), 0);
	f.sport = 50001;
	assert_int_equal(place(&f), ring[0]);
	/* a removed server's template is not used either */
	set_real_flags(ring[0], FX_RS_F_READY);
	ring[0] = first;
	fill_ring(0, ring, 1);
	f.sport = 50002;
	assert_int_equal(place(&f), first);
}

/* A live flow keeps its template alive: refreshing the flow refreshes it. */
static void test_persist_refresh(void **state)
{
	struct flow f = TCP4;
	struct fx_persist_key pk = {.vs_id = 0, .family = FX_AF_INET};
	struct fx_persist t;
	uint64_t before;

	clock_past_age_max();
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_persist_24, 6);
	place(&f);
	pton(FX_AF_INET, "192.0.2.0", &pk.client);
	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_persist, &pk, sizeof(pk), &t, sizeof(t), 0), 0);
	t.last_ns = stamp_back(t.last_ns, 5);
	before = t.last_ns;
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_persist, &pk, sizeof(pk), &t, sizeof(t), 0), 0);
	age_conn(&f, 5);
	f.tcp_flags = 0x10;
	place(&f);
	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_persist, &pk, sizeof(pk), &t, sizeof(t), 0), 0);
	assert_true(t.last_ns > before + 4 * NS_PER_S);
}

static void test_seq_rr(void **state)
{
	struct flow f = TCP4;
	uint32_t ring[2] = {1, 2}, got[6];

	put_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, 0, 0, FX_SCHED_SEQ);
	fill_ring(0, ring, 2);
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_seq_len, 2);
	for (int i = 0; i < 6; i++) {
		f.sport = 30000 + i;
		got[i] = place(&f);
	}
	for (int i = 1; i < 6; i++)
		assert_int_not_equal(got[i], got[i - 1]);
	/* an existing flow does not advance the sequence */
	f.sport = 30000;
	assert_int_equal(place(&f), got[0]);
	f.sport = 30100;
	assert_int_not_equal(place(&f), got[5]);
	/* seq_len 0: no server */
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_seq_len, 0);
	f.sport = 30200;
	send_flow(&f, XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_DEST), 1);
}

/* Moves the process to CPU `cpu`; returns -1 when it does not exist. */
static int pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static int home_cpu = -1; /* where netns_setup pinned the process */

/* The fixture of the tests that move between CPUs: back home afterwards,
 * also when they fail. */
static int setup_cpus(void **state)
{
	home_cpu = sched_getcpu();
	return setup(state);
}

static int teardown_cpus(void **state)
{
	int rc = home_cpu >= 0 ? pin(home_cpu) : 0;

	teardown(state);
	return rc;
}

/* New flows of vs 0, one per client port from 31000 + base, sent in turn
 * from CPU 0 and CPU 1 (BPF_PROG_TEST_RUN runs the program on the calling
 * CPU); the servers they went to in got[].  Returns the CPUs used. */
static int seq_across_cpus(uint32_t *got, int n, int base)
{
	struct flow f = TCP4;
	int cpus = pin(1) == 0 ? 2 : 1;

	for (int i = 0; i < n; i++) {
		assert_int_equal(pin(i % cpus), 0);
		f.sport = (uint16_t)(31000 + base + i);
		got[i] = place(&f);
	}
	if (cpus < 2)
		fprintf(stderr, "seq_across_cpus: one CPU only, the sequence is not checked across "
				"CPUs\n");
	return cpus;
}

/* rr and wrr are one sequence for the whole machine, as IPVS's cursor:
 * consecutive new flows take consecutive positions whichever CPU they
 * arrive on (a per-CPU position would give 1 1 2 2 5 5 here). */
static void test_seq_exact_across_cpus(void **state)
{
	static const int w[3] = {3, 2, 1};
	const uint32_t rr[] = {1, 2, 5}, ids[3] = {1, 2, 5};
	struct fc_addr addr[3];
	struct xdp_ring_server srv[3];
	uint32_t got[12], seq[FX_RING_SIZE], wrr[FX_RING_SIZE], n[6] = {0};
	size_t len;

	put_real(5, 0, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
	put_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, 0, 0, FX_SCHED_SEQ);
	fill_ring(0, rr, 3);
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_seq_len, 3);
	seq_across_cpus(got, 9, 0);
	for (int i = 0; i < 9; i++)
		assert_int_equal(got[i], rr[i % 3]);

	/* wrr 3:2:1 as userspace lays it out (IPVS wrr: a a b a b c) */
	for (int i = 0; i < 3; i++) {
		memset(&addr[i], 0, sizeof(addr[i]));
		addr[i].family = AF_INET;
		addr[i].port = 80;
		addr[i].u.v4.s_addr = htonl(0x0A000002u + (uint32_t)i);
		srv[i].addr = &addr[i];
		srv[i].weight = w[i];
	}
	len = xdp_ring_seq("wrr", srv, 3, seq);
	assert_int_equal(len, 6);
	for (size_t i = 0; i < len; i++)
		wrr[i] = ids[seq[i]];
	fill_ring(0, wrr, len);
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_seq_len, (uint32_t)len);
	/* the rr flows above left the position at 9: 9 % 6 = slot 3 next */
	seq_across_cpus(got, 12, 100);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(got[i], wrr[(3 + i) % 6]);
		n[got[i]]++;
	}
	assert_int_equal(n[1], 6);
	assert_int_equal(n[2], 4);
	assert_int_equal(n[5], 2);
}

static void test_hash_dst_and_port(void **state)
{
	struct flow f = TCP4;
	char addr[32];
	uint32_t seen[3] = {0}, ring[2] = {1, 2}, first;

	/* dh: one destination, one server whatever the client */
	put_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, 0, 0, FX_SCHED_HASH_DST);
	first = place(&f);
	for (int i = 0; i < 16; i++) {
		snprintf(addr, sizeof(addr), "198.18.0.%d", i + 1);
		f.src = addr;
		assert_int_equal(place(&f), first);
	}
	/* sh-port: one client spreads over servers by port */
	put_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, 0, FX_VS_F_HASH_PORT, FX_SCHED_HASH_SRC);
	fill_ring(0, ring, 2);
	f.src = "203.0.113.5";
	for (int i = 0; i < 32; i++) {
		f.sport = 20000 + i;
		seen[place(&f)]++;
	}
	assert_true(seen[1] > 0 && seen[2] > 0);
}

/* The same program and ring in a second, independent load place every
 * client on the same server: two directors agree. */
static void test_hash_deterministic(void **state)
{
	struct fulcrum_xdp *first = skel;
	struct flow f = TCP4;
	char addr[32];
	uint32_t got[40];

	for (int i = 0; i < 40; i++) {
		snprintf(addr, sizeof(addr), "100.64.%d.%d", i, (i * 7) % 256);
		f.src = addr;
		got[i] = place(&f);
	}
	skel = NULL;
	assert_int_equal(setup(state), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(addr, sizeof(addr), "100.64.%d.%d", i, (i * 7) % 256);
		f.src = addr;
		assert_int_equal(place(&f), got[i]);
	}
	fulcrum_xdp__destroy(skel);
	skel = first;
}

/* Packets counted on two CPUs: the maps are per CPU, the sums are right
 * and each CPU holds its own share. */
static void test_vs_stats_sum(void **state)
{
	struct flow f = UDP4;
	uint64_t bytes = 0;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, id = 1;
	int home = sched_getcpu(), other = -1;
	struct fx_stats per[ncpus];

	for (int c = 0; c < ncpus && other < 0; c++)
		if (c != home && pin(c) == 0)
			other = c;
	assert_int_equal(pin(home), 0);
	for (int i = 0; i < 5; i++) {
		f.payload = 10 * i;
		size_t len = build(&f, in);

		bytes += len - 14;
		if (i == 3 && other >= 0)
			assert_int_equal(pin(other), 0);
		assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	}
	assert_int_equal(pin(home), 0);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).pkts, 5);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).bytes, bytes);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 3).bytes, bytes);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 3).pkts, 5);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 3).conns, 1);
	assert_int_equal(global(FX_G_REDIRECT), 5);
	if (other < 0) {
		fprintf(stderr, "test_vs_stats_sum: one CPU only, the split is not checked\n");
		return;
	}
	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_vs_stats, &id, sizeof(id), per, sizeof(per), 0), 0);
	assert_int_equal(per[home].pkts, 3);
	assert_int_equal(per[other].pkts, 2);
	assert_int_equal(per[home].conns, 1);
}

/* ------------------------------------------------------------------- TUN */

/* ---------------------------------------------------------------- main */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_least_conn),
	    T(test_least_weighted),
	    T(test_same_flow),
	    T(test_fin_rst_reuse),
	    T(test_expiry),
	    T(test_removed_server),
	    T(test_persist),
	    T(test_persist_refresh),
	    T(test_seq_rr),
	    cmocka_unit_test_setup_teardown(test_seq_exact_across_cpus, setup_cpus, teardown_cpus),
	    T(test_hash_dst_and_port),
	    T(test_hash_deterministic),
	    cmocka_unit_test_setup_teardown(test_vs_stats_sum, setup_cpus, teardown_cpus),
	};

	return xdp_prog_main("test_xdp_flow", tests, sizeof(tests) / sizeof(tests[0]));
}
