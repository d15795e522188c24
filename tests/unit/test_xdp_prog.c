/* The XDP program on crafted packets: parsing (what it forwards, what it
 * passes to the stack, malformed and lying packets), DR forwarding, local
 * servers and TUN encapsulation, output compared byte for byte.  The
 * harness, and how the binary runs (root, its own network namespace, time):
 * xdp_prog_harness.h; the connection table and the schedulers:
 * test_xdp_flow.c. */
#include "xdp_prog_harness.h"

/* ------------------------------------------------------------------ tests */

static void test_v4_tcp_hit(void **state)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len, rs;
	size_t len = build(&TCP4, in);
	int v = run(in, len, out, &out_len);

	assert_true(v == XDP_TX || v == XDP_REDIRECT);
	rs = dr_server(out);
	assert_int_equal(v, rs == 1 ? XDP_TX : XDP_REDIRECT);
	expect_dr(in, len, out, out_len, rs);
	assert_int_equal(global(rs == 1 ? FX_G_TX : FX_G_REDIRECT), 1);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).pkts, 1);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).bytes, len - 14);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).conns, 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, rs).pkts, 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, rs).conns, 1);
}

static void test_v4_udp_hit_redirect(void **state)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(&UDP4, in);

	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_dr(in, len, out, out_len, 3);
	assert_int_equal(global(FX_G_REDIRECT), 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 3).bytes, len - 14);
	/* egress interface == ingress interface: sent back out, XDP_TX */
	put_real(3, 1, FX_RS_F_LIVE | FX_RS_F_READY, IF_LO);
	assert_int_equal(run(in, len, out, &out_len), XDP_TX);
	expect_dr(in, len, out, out_len, 3);
}

static void test_v6_tcp_hit(void **state)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(&TCP6, in);

	assert_int_equal(run(in, len, out, &out_len), XDP_TX);
	expect_dr(in, len, out, out_len, 4);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 2).bytes, len - 14);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 4).conns, 1);
}

static void test_v6_udp_hit(void **state)
{
	struct flow f = TCP6;
	uint32_t r[] = {5};
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	f.proto = IPPROTO_UDP;
	f.dport = 53;
	put_vip(FX_AF_INET6, "2001:db8::100", 53, IPPROTO_UDP, 3, 0, FX_SCHED_HASH_SRC);
	put_real(5, 3, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
	fill_ring(3, r, 1);
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_dr(in, len, out, out_len, 5);
}

static void test_miss(void **state)
{
	struct flow f[4] = {TCP4, TCP4, UDP4, TCP6};
	uint8_t in[PKT_MAX];

	f[0].dport = 81;	 /* other port */
	f[1].dst = "10.0.0.101"; /* other address */
	f[2].dport = 80;	 /* UDP to the TCP service's port */
	f[3].dst = "2001:db8::101";
	for (int i = 0; i < 4; i++)
		expect_pass_unchanged(in, build(&f[i], in));
	assert_int_equal(global(FX_G_PASS_NOT_VIP), 4);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).pkts, 0);
}

static void test_fragments(void **state)
{
	struct flow mf = TCP4, off = TCP4, off_udp = UDP4, v6 = TCP6;
	uint8_t in[PKT_MAX];

	mf.frag_off = 0x2000;		    /* first fragment: MF */
	off.frag_off = 0x0010;		    /* a later one: offset */
	off_udp.frag_off = 0x4000 | 0x0001; /* DF with an offset: still a fragment */
	v6.v6_ext = 44;
	expect_pass_unchanged(in, build(&mf, in));
	expect_pass_unchanged(in, build(&off, in));
	expect_pass_unchanged(in, build(&off_udp, in));
	expect_pass_unchanged(in, build(&v6, in));
	assert_int_equal(global(FX_G_PASS_FRAG), 4);
	assert_int_equal(global(FX_G_TX) + global(FX_G_REDIRECT), 0);
}

static void test_v6_exthdr(void **state)
{
	struct flow f = TCP6;
	uint8_t in[PKT_MAX];

	f.v6_ext = 60; /* destination options */
	expect_pass_unchanged(in, build(&f, in));
	f.v6_ext = 0 + 43; /* routing */
	expect_pass_unchanged(in, build(&f, in));
	assert_int_equal(global(FX_G_PASS_EXTHDR), 2);
}

static void test_icmp(void **state)
{
	struct flow f4 = TCP4, f6 = TCP6;
	uint8_t in[PKT_MAX];

	f4.proto = IPPROTO_ICMP;
	f6.proto = IPPROTO_ICMPV6;
	expect_pass_unchanged(in, build(&f4, in));
	expect_pass_unchanged(in, build(&f6, in));
	assert_int_equal(global(FX_G_PASS_ICMP), 2);
}

static void test_ip_options(void **state)
{
	struct flow f = UDP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	for (int w = 1; w <= 10; w++) { /* ihl 6 .. 15 */
		f.opt_words = w;
		f.sport = 41000 + w;
		len = build(&f, in);
		assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
		expect_dr(in, len, out, out_len, 3);
	}
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).conns, 10);
}

/* Every prefix of a valid frame: never a crash, never a write, PASS
 * (frames under 14 bytes are refused by the kernel's test_run itself). */
static void truncate_all(const struct flow *f)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(f, in);

	for (size_t n = 0; n < len; n++) {
		int v = run(in, n, out, &out_len);

		if (n < ETH_HLEN) {
			assert_true(v == -EINVAL || v == XDP_PASS);
			continue;
		}
		assert_int_equal(v, XDP_PASS);
		assert_int_equal(out_len, n);
		assert_memory_equal(out, in, n);
	}
	assert_true(run(in, len, out, &out_len) != XDP_PASS);
}

static void test_truncated(void **state)
{
	struct flow opt = TCP4;
	uint64_t before;

	opt.opt_words = 3;
	truncate_all(&TCP4);
	truncate_all(&UDP4);
	truncate_all(&TCP6);
	truncate_all(&opt);
	before = global(FX_G_PASS_TRUNC);
	assert_true(before > 0);
	assert_int_equal(global(FX_G_DROP_NO_DEST), 0);
}

/* Headers whose own lengths lie, with the frame complete. */
static void test_lying_lengths(void **state)
{
	uint8_t in[PKT_MAX];
	size_t len;

	len = build(&TCP4, in);
	in[14] = 0x44; /* ihl 4 */
	expect_pass_unchanged(in, len);
	len = build(&TCP4, in);
	put16(in + 16, 19); /* total length shorter than the header */
	expect_pass_unchanged(in, len);
	len = build(&TCP4, in);
	put16(in + 16, 20 + 12); /* ends inside the TCP header (frame padded) */
	expect_pass_unchanged(in, len);
	len = build(&TCP4, in);
	put16(in + 16, len - 14 + 1); /* longer than the frame */
	expect_pass_unchanged(in, len);
	len = build(&TCP4, in);
	in[14] = 0x4f; /* 60 bytes of header, more than the IP length */
	expect_pass_unchanged(in, len);
	len = build(&TCP6, in);
	put16(in + 18, 19); /* payload shorter than the TCP header */
	expect_pass_unchanged(in, len);
	len = build(&TCP6, in);
	put16(in + 18, 1000); /* longer than the frame */
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_PASS_TRUNC), 7);
	len = build(&TCP4, in);
	in[14] = 0x65; /* version 6 in an IPv4 ethertype */
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_PASS_NOT_IP), 1);
}

/* Ethernet padding after the IP packet is not L4 and is kept as is. */
static void test_eth_padding(void **state)
{
	struct flow f = UDP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	f.payload = 0; /* 42-byte frame, padded to 60 */
	len = build(&f, in);
	assert_int_equal(len, 42);
	assert_int_equal(run(in, 60, out, &out_len), XDP_REDIRECT);
	expect_dr(in, 60, out, out_len, 3);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).bytes, 28);
}

static void test_bad_checksum(void **state)
{
	struct flow t = TCP4, u = UDP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	t.bad_csum = u.bad_csum = 1;
	len = build(&u, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_dr(in, len, out, out_len, 3);
	len = build(&t, in);
	in[24] ^= 0xff; /* and a wrong IPv4 header checksum */
	assert_int_not_equal(run(in, len, out, &out_len), XDP_PASS);
	expect_dr(in, len, out, out_len, dr_server(out));
}

static void test_vlan_and_not_ip(void **state)
{
	uint8_t in[PKT_MAX], tagged[PKT_MAX];
	size_t len = build(&TCP4, in);

	/* 802.1Q and 802.1ad: tag inserted after the MACs */
	for (int i = 0; i < 2; i++) {
		memcpy(tagged, in, 12);
		put16(tagged + 12, i ? 0x88a8 : 0x8100);
		put16(tagged + 14, 42);
		memcpy(tagged + 16, in + 12, len - 12);
		expect_pass_unchanged(tagged, len + 4);
	}
	assert_int_equal(global(FX_G_PASS_VLAN), 2);
	put16(in + 12, 0x0806); /* ARP */
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_PASS_NOT_IP), 1);
}

static void test_no_server(void **state)
{
	uint32_t none[] = {FX_RS_NONE};
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(&UDP4, in);

	fill_ring(1, none, 1);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_DEST), 1);
	/* the ring names a server that is no longer live */
	none[0] = 3;
	fill_ring(1, none, 1);
	set_real_flags(3, FX_RS_F_READY);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_DEST), 2);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).pkts, 0);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 1).conns, 0);
}

static void test_dr_not_ready(void **state)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(&UDP4, in);

	set_real_flags(3, FX_RS_F_LIVE);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_MAC), 1);
	/* resolved: the same flow now goes through */
	set_real_flags(3, FX_RS_F_LIVE | FX_RS_F_READY);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_dr(in, len, out, out_len, 3);
}

/* A local server (the director itself: ldirectord's fallback=127.0.0.1:80
 * gate, IPVS "Local"): its flows are passed to the stack byte for byte,
 * placed, sticky and counted like any server's; it needs no MAC (no READY),
 * also for a persistence template; once it is not live its flows move. */
static void test_local_server(void **state)
{
	uint32_t r5[] = {5}, r1[] = {1};
	struct flow f = TCP4;
	uint8_t in[PKT_MAX];
	size_t len = build(&f, in);
	struct fx_conn c;

	put_real(5, 0, FX_RS_F_LIVE | FX_RS_F_LOCAL, 0);
	fill_ring(0, r5, 1);
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_LOCAL), 1);
	assert_int_equal(global(FX_G_PASS_NOT_VIP), 0);
	assert_int_equal(conn_of(&f, &c), 0);
	assert_int_equal(c.rs_id, 5);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 5).conns, 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 5).pkts, 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 5).bytes, len - 14);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 0).pkts, 1);
	/* the flow sticks to it when the ring moves to a remote server, and
	 * is not counted as a new connection again */
	fill_ring(0, r1, 1);
	f.tcp_flags = 0x10;
	len = build(&f, in);
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_LOCAL), 2);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 5).conns, 1);
	assert_int_equal(stats(skel->maps.fx_rs_stats, 5).pkts, 2);
	/* persistence: a template naming the local server is used though
	 * it is not READY */
	fill_ring(0, r5, 1);
	edit_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, set_persist_24, 60);
	f.sport = 41000;
	len = build(&f, in);
	expect_pass_unchanged(in, len);
	fill_ring(0, r1, 1);
	f.sport = 41001;
	len = build(&f, in);
	expect_pass_unchanged(in, len);
	assert_int_equal(global(FX_G_LOCAL), 4);
	/* not live any more (the sorry server once a real server is back):
	 * its flows are placed anew, on the remote server */
	set_real_flags(5, FX_RS_F_LOCAL);
	assert_int_equal(place(&f), 1);
	assert_int_equal(global(FX_G_LOCAL), 4);
}

static void expect_outer4(const uint8_t *in, size_t len, const uint8_t *out, uint32_t out_len,
			  int df, uint8_t tos)
{
	uint8_t want[PKT_MAX], *o = want + 14;

	memcpy(want, MAC_NEIGH, 6);
	memcpy(want + 6, MAC_FXA, 6);
	put16(want + 12, ETH_P_IP);
	memset(o, 0, 20);
	o[0] = 0x45;
	o[1] = tos;
	put16(o + 2, len - 14 + 20);
	put16(o + 6, df ? 0x4000 : 0);
	o[8] = 64;
	o[9] = IPPROTO_IPIP;
	pton(FX_AF_INET, TUN_SRC4, o + 12);
	pton(FX_AF_INET, TUN_RS4, o + 16);
	put16(o + 10, csum_fold(csum_add(0, o, 20)));
	memcpy(want + 34, in + 14, len - 14);
	assert_int_equal(out_len, len + 20);
	assert_memory_equal(out, want, out_len);
	/* the checksum the program wrote verifies */
	assert_int_equal(csum_fold(csum_add(0, out + 14, 20)), 0);
}

static void tun_v4_setup(uint32_t vs_id, const char *rs_addr)
{
	uint32_t ring[1] = {10};

	put_vip(FX_AF_INET, "10.0.0.200", 80, IPPROTO_TCP, vs_id, FX_VS_F_TUN, FX_SCHED_HASH_SRC);
	put_tun_real(10, vs_id, FX_AF_INET, rs_addr, TUN_SRC4);
	fill_ring(vs_id, ring, 1);
}

static void test_tun_v4(void **state)
{
	struct flow f = TCP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	tun_v4_setup(5, TUN_RS4);
	f.dst = "10.0.0.200";
	f.tos = 0x10;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_outer4(in, len, out, out_len, 0, 0x10);
	/* DF copied; arriving on the egress interface: XDP_TX */
	f.frag_off = 0x4000;
	f.sport++;
	len = build(&f, in);
	assert_int_equal(run_if(in, len, out, &out_len, fxa_ifindex), XDP_TX);
	expect_outer4(in, len, out, out_len, 1, 0x10);
	assert_int_equal(global(FX_G_TX), 1);
	assert_int_equal(global(FX_G_REDIRECT), 1);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 5).bytes, 2 * (len - 14));
	assert_int_equal(stats(skel->maps.fx_rs_stats, 10).conns, 2);
	/* options in the inner header travel inside, untouched */
	f.opt_words = 2;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_outer4(in, len, out, out_len, 1, 0x10);
}

static void test_tun_v6(void **state)
{
	struct flow f = TCP6;
	uint8_t in[PKT_MAX], out[PKT_MAX], want[PKT_MAX], *o = want + 14;
	uint32_t out_len, ring[1] = {11};
	size_t len;

	put_vip(FX_AF_INET6, "2001:db8::200", 443, IPPROTO_TCP, 6, FX_VS_F_TUN, FX_SCHED_HASH_SRC);
	put_tun_real(11, 6, FX_AF_INET6, TUN_RS6, TUN_SRC6);
	fill_ring(6, ring, 1);
	f.dst = "2001:db8::200";
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	memcpy(want, MAC_NEIGH, 6);
	memcpy(want + 6, MAC_FXA, 6);
	put16(want + 12, ETH_P_IPV6);
	memcpy(o, in + 14, 4); /* version, class, flow label of the inner */
	put16(o + 4, len - 14);
	o[6] = IPPROTO_IPV6;
	o[7] = 64;
	pton(FX_AF_INET6, TUN_SRC6, o + 8);
	pton(FX_AF_INET6, TUN_RS6, o + 24);
	memcpy(want + 54, in + 14, len - 14);
	assert_int_equal(out_len, len + 40);
	assert_memory_equal(out, want, out_len);
}

static void test_tun_no_route(void **state)
{
	struct flow f = TCP4;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len;

	tun_v4_setup(5, NOROUTE4); /* no route */
	f.dst = "10.0.0.200";
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_ROUTE), 1);
	tun_v4_setup(5, "10.99.0.3"); /* a route, no neighbour */
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_NO_ROUTE), 2);
	/* forwarding off on lo: the fib helper refuses */
	tun_v4_setup(5, TUN_RS4);
	assert_int_equal(write_file("/proc/sys/net/ipv4/conf/lo/forwarding", "0"), 0);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(write_file("/proc/sys/net/ipv4/conf/lo/forwarding", "1"), 0);
	assert_int_equal(global(FX_G_DROP_NO_ROUTE), 3);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	/* too big for the egress MTU (1500): "too big", not "no route" */
	tun_v4_setup(5, TUN_RS4);
	f.payload = 1500 - 40;
	f.sport++;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_ENCAP), 1);
	/* one below fits */
	f.payload = 1500 - 40 - 20;
	f.sport++;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_REDIRECT);
	expect_outer4(in, len, out, out_len, 0, 0);
	/* mixed families in one slot: refused, counted */
	put_tun_real(10, 5, FX_AF_INET6, TUN_RS6, TUN_SRC6);
	f.sport++;
	len = build(&f, in);
	assert_int_equal(run(in, len, out, &out_len), XDP_DROP);
	assert_int_equal(global(FX_G_DROP_ENCAP), 2);
	assert_int_equal(stats(skel->maps.fx_vs_stats, 5).pkts, 2);
}

/* ---------------------------------------------------------------- main */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_v4_tcp_hit),	   T(test_v4_udp_hit_redirect),
	    T(test_v6_tcp_hit),	   T(test_v6_udp_hit),
	    T(test_miss),	   T(test_fragments),
	    T(test_v6_exthdr),	   T(test_icmp),
	    T(test_ip_options),	   T(test_truncated),
	    T(test_lying_lengths), T(test_eth_padding),
	    T(test_bad_checksum),  T(test_vlan_and_not_ip),
	    T(test_no_server),	   T(test_dr_not_ready),
	    T(test_local_server),  T(test_tun_v4),
	    T(test_tun_v6),	   T(test_tun_no_route),
	};

	return xdp_prog_main("test_xdp_prog", tests, sizeof(tests) / sizeof(tests[0]));
}
