/* The XDP program (bpf/fulcrum_xdp.bpf.c) on crafted packets through
 * BPF_PROG_TEST_RUN: verdict and output bytes compared byte for byte,
 * connection table, persistence, schedulers, counters, TUN encapsulation.
 *
 * Needs root (CAP_BPF, CAP_NET_ADMIN): without it the binary fails, it
 * never skips.  The whole binary runs in a private network namespace
 * (unshare at start): lo is ifindex 1 there, and the veth pair, addresses,
 * routes and permanent neighbours that bpf_fib_lookup needs for TUN exist
 * only in it and vanish with the process — nothing to clean up, even on a
 * crash.  The process is pinned to one CPU (per-CPU counters are then one
 * slot); the tests that want two CPUs move it and their teardown moves it
 * back.
 *
 * Time: entries are aged by moving their stamp back a few seconds (at most
 * AGE_MAX_S) against small idle timeouts written into the service, never
 * by the real 300-900 s: CLOCK_MONOTONIC (bpf_ktime_get_ns()) starts near
 * zero at boot, and a stamp moved back further than the uptime would
 * wrap.  Right after boot the aging tests wait until the clock is past
 * AGE_MAX_S. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "core/addr.h"
#include "fulcrum_xdp.h"
#include "fulcrum_xdp.skel.h"
#include "xdp/xdp_ring.h"

#define PKT_MAX	  2048
#define IF_LO	  1 /* lo in a fresh namespace */
#define IF_OTHER  7 /* an egress ifindex that is not the ingress one */
#define VETH_A	  "fxa"
#define VETH_B	  "fxb"
#define TUN_SRC4  "10.99.0.1" /* on fxa */
#define TUN_RS4	  "10.99.0.2" /* permanent neighbour on fxa */
#define TUN_SRC6  "fd99::1"
#define TUN_RS6	  "fd99::2"
#define NOROUTE4  "198.51.100.9" /* no route to it in the namespace */
#define NS_PER_S  1000000000ull
#define AGE_MAX_S 10 /* the most any test moves a stamp back */

static const uint8_t MAC_FXA[6] = {0x02, 0xfa, 0, 0, 0, 0x01};
static const uint8_t MAC_NEIGH[6] = {0x02, 0xfb, 0, 0, 0, 0x02};
static const uint8_t MAC_CLIENT[6] = {0x02, 0xc1, 0, 0, 0, 0x01};
static const uint8_t MAC_DIRECTOR[6] = {0x02, 0xd1, 0, 0, 0, 0x01};

static struct fulcrum_xdp *skel;
static int write_file(const char *path, const char *s);
static int ncpus;
static int fxa_ifindex;

/* ---------------------------------------------------------------- packets */

struct flow {
	int family; /* FX_AF_INET / FX_AF_INET6 */
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t proto;	   /* IPPROTO_TCP / IPPROTO_UDP / IPPROTO_ICMP... */
	uint8_t tcp_flags; /* 0 -> ACK */
	int opt_words;	   /* IPv4 option words (ihl = 5 + opt_words) */
	uint16_t frag_off; /* IPv4 frag_off field, host order */
	uint8_t v6_ext;	   /* IPv6: extension header inserted before L4 (0 none) */
	size_t payload;
	int bad_csum; /* corrupt the L4 checksum */
	uint8_t tos;
};

static void pton(int family, const char *s, void *out)
{
	assert_int_equal(inet_pton(family == FX_AF_INET ? AF_INET : AF_INET6, s, out), 1);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static size_t l4_hlen(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 20 : 8; /* UDP and ICMP: 8 */
}

/* An Ethernet frame client -> director carrying f; returns its length. */
static size_t build(const struct flow *f, uint8_t *b)
{
	size_t l4len = l4_hlen(f->proto) + f->payload, l3h, ext = f->v6_ext ? 8 : 0;
	uint8_t src[16], dst[16], *ip = b + 14, *l4;
	uint32_t sum;

	assert_true(14 + 60 + ext + l4len <= PKT_MAX);
	memset(b, 0, PKT_MAX);
	memcpy(b, MAC_DIRECTOR, 6);
	memcpy(b + 6, MAC_CLIENT, 6);
	pton(f->family, f->src, src);
	pton(f->family, f->dst, dst);
	if (f->family == FX_AF_INET) {
		l3h = 20 + 4 * f->opt_words;
		put16(b + 12, ETH_P_IP);
		ip[0] = 0x40 | (l3h / 4);
		ip[1] = f->tos;
		put16(ip + 2, l3h + l4len);
		put16(ip + 4, 0x1234);
		put16(ip + 6, f->frag_off);
		ip[8] = 64;
		ip[9] = f->proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		memset(ip + 20, 1, l3h - 20); /* NOP options */
		put16(ip + 10, csum_fold(csum_add(0, ip, l3h)));
		sum = csum_add(0, src, 4) + csum_add(0, dst, 4) + f->proto + l4len;
	} else {
		l3h = 40 + ext;
		put16(b + 12, ETH_P_IPV6);
		ip[0] = 0x60;
		ip[1] = 0x0a; /* a flow label: copied to the outer header */
		ip[2] = 0xbc;
		ip[3] = 0xde;
		put16(ip + 4, ext + l4len);
		ip[6] = f->v6_ext ? f->v6_ext : f->proto;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		if (f->v6_ext) {
			ip[40] = f->proto;
			if (f->v6_ext == 44) { /* fragment header: offset 0, M set */
				put16(ip + 42, 1);
				ip[47] = 0x77;
			} else { /* options header: PadN of 6 */
				ip[42] = 1;
				ip[43] = 4;
			}
		}
		sum = csum_add(0, src, 16) + csum_add(0, dst, 16) + f->proto + l4len;
	}
	l4 = ip + l3h;
	put16(l4, f->sport);
	put16(l4 + 2, f->dport);
	if (f->proto == IPPROTO_TCP) {
		put16(l4 + 4, 0x1111);
		l4[12] = 5 << 4;
		l4[13] = f->tcp_flags ? f->tcp_flags : 0x10;
		put16(l4 + 14, 0xffff);
	} else if (f->proto == IPPROTO_UDP) {
		put16(l4 + 4, l4len);
	}
	for (size_t i = 0; i < f->payload; i++)
		l4[l4_hlen(f->proto) + i] = 'a' + i % 26;
	sum = csum_add(sum, l4, l4len);
	put16(l4 + (f->proto == IPPROTO_TCP   ? 16
		    : f->proto == IPPROTO_UDP ? 6
					      : 2),
	      csum_fold(sum) ^ (f->bad_csum ? 0x5a5a : 0));
	return 14 + l3h + l4len;
}

/* Runs the program once; returns the verdict, or -errno when the kernel
 * refused the run. */
static int run_if(const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len, int ifindex)
{
	struct xdp_md ctx = {.data_end = len, .ingress_ifindex = ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = PKT_MAX, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .repeat = 1);
	int rc;

	rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fulcrum_xdp), &o);
	if (rc)
		return rc < 0 ? rc : -EIO;
	*out_len = o.data_size_out;
	return o.retval;
}

static int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len)
{
	return run_if(in, len, out, out_len, IF_LO);
}

/* ------------------------------------------------------------------- maps */

static void mac_of(uint32_t rs_id, uint8_t kind, uint8_t *mac)
{
	uint8_t m[6] = {0x02, kind, 0, 0, (uint8_t)(rs_id >> 8), (uint8_t)rs_id};

	memcpy(mac, m, 6);
}

static void put_vip(int family, const char *addr, uint16_t port, uint8_t proto, uint32_t vs_id,
		    uint32_t flags, uint32_t sched)
{
	struct fx_vip_key k = {.port = htons(port), .proto = proto, .family = family};
	struct fx_vip v = {.vs_id = vs_id,
			   .flags = flags,
			   .sched = sched,
			   .tcp_idle_s = 900,
			   .tcp_fin_s = 120,
			   .udp_idle_s = 300};

	pton(family, addr, &k.addr);
	assert_int_equal(bpf_map__update_elem(skel->maps.fx_vips, &k, sizeof(k), &v, sizeof(v), 0),
			 0);
}

/* Changes fields of an existing service (persistence, seq_len...). */
static void edit_vip(int family, const char *addr, uint16_t port, uint8_t proto,
		     void (*edit)(struct fx_vip *, uint32_t), uint32_t arg)
{
	struct fx_vip_key k = {.port = htons(port), .proto = proto, .family = family};
	struct fx_vip v;

	pton(family, addr, &k.addr);
	assert_int_equal(bpf_map__lookup_elem(skel->maps.fx_vips, &k, sizeof(k), &v, sizeof(v), 0),
			 0);
	edit(&v, arg);
	assert_int_equal(bpf_map__update_elem(skel->maps.fx_vips, &k, sizeof(k), &v, sizeof(v), 0),
			 0);
}

static void set_seq_len(struct fx_vip *v, uint32_t n)
{
	v->seq_len = n;
}

static void set_persist_24(struct fx_vip *v, uint32_t secs)
{
	v->persist_s = secs;
	v->persist_prefix = 24;
}

static void put_real(uint32_t rs_id, uint32_t vs_id, uint8_t flags, uint32_t ifindex)
{
	struct fx_real r = {
	    .family = FX_AF_INET, .flags = flags, .ifindex = ifindex, .vs_id = vs_id};

	mac_of(rs_id, 0xaa, r.mac);
	mac_of(rs_id, 0xdd, r.src_mac);
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_reals, &rs_id, sizeof(rs_id), &r, sizeof(r), 0), 0);
}

static void put_tun_real(uint32_t rs_id, uint32_t vs_id, int family, const char *addr,
			 const char *src)
{
	struct fx_real r = {.family = family, .flags = FX_RS_F_LIVE, .vs_id = vs_id};

	pton(family, addr, &r.addr);
	pton(family, src, &r.tun_src);
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_reals, &rs_id, sizeof(rs_id), &r, sizeof(r), 0), 0);
}

static void set_real_flags(uint32_t rs_id, uint8_t flags)
{
	struct fx_real r;

	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_reals, &rs_id, sizeof(rs_id), &r, sizeof(r), 0), 0);
	r.flags = flags;
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fx_reals, &rs_id, sizeof(rs_id), &r, sizeof(r), 0), 0);
}

/* The whole ring block of vs_id: ids[i % n] in slot i. */
static void fill_ring(uint32_t vs_id, const uint32_t *ids, size_t n)
{
	int fd = bpf_map__fd(skel->maps.fx_ring);

	for (uint32_t i = 0; i < FX_RING_SIZE; i++) {
		uint32_t k = vs_id * FX_RING_SIZE + i, v = ids[i % n];

		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	}
}

static uint64_t global(uint32_t reason)
{
	uint64_t v[ncpus], s = 0;

	assert_int_equal(
	    bpf_map__lookup_elem(skel->maps.fx_global, &reason, sizeof(reason), v, sizeof(v), 0),
	    0);
	for (int i = 0; i < ncpus; i++)
		s += v[i];
	return s;
}

static struct fx_stats stats(struct bpf_map *m, uint32_t id)
{
	struct fx_stats v[ncpus], s = {0};

	assert_int_equal(bpf_map__lookup_elem(m, &id, sizeof(id), v, sizeof(v), 0), 0);
	for (int i = 0; i < ncpus; i++) {
		s.pkts += v[i].pkts;
		s.bytes += v[i].bytes;
		s.conns += v[i].conns;
	}
	return s;
}

static int conn_of(const struct flow *f, struct fx_conn *c)
{
	struct fx_flow_key k = {.sport = htons(f->sport),
				.dport = htons(f->dport),
				.proto = f->proto,
				.family = f->family};

	pton(f->family, f->src, &k.src);
	pton(f->family, f->dst, &k.dst);
	return bpf_map__lookup_elem(skel->maps.fx_conns, &k, sizeof(k), c, sizeof(*c), 0);
}

/* Moves a stamp back by secs (<= AGE_MAX_S).  The stamp was written by
 * the program after clock_past_age_max(), so it is past AGE_MAX_S and the
 * result is a time after boot: checked, never wrapped. */
static uint64_t stamp_back(uint64_t stamp, uint64_t secs)
{
	assert_true(secs <= AGE_MAX_S);
	assert_true(stamp > secs * NS_PER_S);
	return stamp - secs * NS_PER_S;
}

/* Waits (bounded: only on a machine up less than AGE_MAX_S + 1 s) until
 * CLOCK_MONOTONIC, bpf_ktime_get_ns()'s clock, is past AGE_MAX_S + 1 s. */
static void clock_past_age_max(void)
{
	struct timespec ts;

	for (int i = 0; i <= AGE_MAX_S + 1; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec > AGE_MAX_S + 1)
			return;
		sleep(1);
	}
	fail_msg("CLOCK_MONOTONIC is not past %d s", AGE_MAX_S + 1);
}

/* Small idle timeouts (tcp 9 s, after FIN 3 s, udp 5 s), so that aging an
 * entry past them stays within AGE_MAX_S. */
static void set_small_timeouts(struct fx_vip *v, uint32_t unused)
{
	v->tcp_idle_s = 9;
	v->tcp_fin_s = 3;
	v->udp_idle_s = 5;
}

/* Makes f's connection-table entry look idle for `secs` seconds. */
static void age_conn(const struct flow *f, uint64_t secs)
{
	struct fx_flow_key k = {.sport = htons(f->sport),
				.dport = htons(f->dport),
				.proto = f->proto,
				.family = f->family};
	struct fx_conn c;

	pton(f->family, f->src, &k.src);
	pton(f->family, f->dst, &k.dst);
	assert_int_equal(bpf_map__lookup_elem(skel->maps.fx_conns, &k, sizeof(k), &c, sizeof(c), 0),
			 0);
	c.last_ns = stamp_back(c.last_ns, secs);
	assert_int_equal(bpf_map__update_elem(skel->maps.fx_conns, &k, sizeof(k), &c, sizeof(c), 0),
			 0);
}

/* ------------------------------------------------------------ assertions */

/* Forwarded by DR to rs_id: only the two MACs differ from the input. */
static void expect_dr(const uint8_t *in, size_t len, const uint8_t *out, uint32_t out_len,
		      uint32_t rs_id)
{
	uint8_t want[PKT_MAX];

	memcpy(want, in, len);
	mac_of(rs_id, 0xaa, want);
	mac_of(rs_id, 0xdd, want + 6);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, want, len);
}

/* Which server a DR packet went to (from its destination MAC). */
static uint32_t dr_server(const uint8_t *out)
{
	assert_int_equal(out[0], 0x02);
	assert_int_equal(out[1], 0xaa);
	return (uint32_t)out[4] << 8 | out[5];
}

static uint32_t send_flow(const struct flow *f, int want_verdict)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(f, in);

	assert_int_equal(run(in, len, out, &out_len), want_verdict);
	if (want_verdict != XDP_TX && want_verdict != XDP_REDIRECT)
		return FX_RS_NONE;
	return dr_server(out);
}

/* Sends f; it must be forwarded.  Returns the server it went to. */
static uint32_t place(struct flow *f)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint32_t out_len;
	size_t len = build(f, in);
	int v = run(in, len, out, &out_len);

	assert_true(v == XDP_TX || v == XDP_REDIRECT);
	return dr_server(out);
}

static void expect_pass_unchanged(const uint8_t *in, size_t len)
{
	uint8_t out[PKT_MAX];
	uint32_t out_len;

	assert_int_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, in, len);
}

/* --------------------------------------------------------------- fixture */

/* Services used by most tests:
 *   vs 0  10.0.0.100:80/tcp   sh   reals 1 (TX on lo), 2 (redirect)
 *   vs 1  10.0.0.100:53/udp   sh   real 3 (redirect)
 *   vs 2  [2001:db8::100]:443/tcp   real 4 (TX) */
static int setup(void **state)
{
	uint32_t r12[] = {1, 2}, r3[] = {3}, r4[] = {4};

	skel = fulcrum_xdp__open_and_load();
	if (!skel) {
		fprintf(stderr, "fulcrum_xdp__open_and_load: %s\n", strerror(errno));
		return -1;
	}
	put_vip(FX_AF_INET, "10.0.0.100", 80, IPPROTO_TCP, 0, 0, FX_SCHED_HASH_SRC);
	put_vip(FX_AF_INET, "10.0.0.100", 53, IPPROTO_UDP, 1, 0, FX_SCHED_HASH_SRC);
	put_vip(FX_AF_INET6, "2001:db8::100", 443, IPPROTO_TCP, 2, 0, FX_SCHED_HASH_SRC);
	put_real(1, 0, FX_RS_F_LIVE | FX_RS_F_READY, IF_LO);
	put_real(2, 0, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
	put_real(3, 1, FX_RS_F_LIVE | FX_RS_F_READY, IF_OTHER);
	put_real(4, 2, FX_RS_F_LIVE | FX_RS_F_READY, IF_LO);
	fill_ring(0, r12, 2);
	fill_ring(1, r3, 1);
	fill_ring(2, r4, 1);
	return 0;
}

static int teardown(void **state)
{
	fulcrum_xdp__destroy(skel);
	skel = NULL;
	return 0;
}

static const struct flow TCP4 = {FX_AF_INET, "192.0.2.10", "10.0.0.100", 40000,
				 80,	     IPPROTO_TCP,  0x02,	 .payload = 10};
static const struct flow UDP4 = {FX_AF_INET, "192.0.2.10", "10.0.0.100", 40001,
				 53,	     IPPROTO_UDP,  .payload = 17};
static const struct flow TCP6 = {
    FX_AF_INET6, "2001:db8:1::10", "2001:db8::100", 40002, 443, IPPROTO_TCP, 0x02, .payload = 5};

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

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "test_xdp_prog: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(s, f) < 0 ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}

/* A private namespace with the TUN next hop: fxa (10.99.0.1/24,
 * fd99::1/64) with permanent neighbours .2 / ::2, forwarding on lo only
 * (the program routes the outer packet from lo; the fib helper refuses
 * when forwarding is off there).  Forwarding stays off on fxa. */
static int netns_setup(void)
{
	char cmd[512];
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0) {
		perror("test_xdp_prog: sched_setaffinity");
		return -1;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		perror("test_xdp_prog: unshare(CLONE_NEWNET) (root needed)");
		return -1;
	}
	snprintf(
	    cmd, sizeof(cmd),
	    "ip link set lo up && "
	    "ip link add " VETH_A " address 02:fa:00:00:00:01 type veth peer name " VETH_B
	    " address 02:fb:00:00:00:01 && "
	    "ip link set " VETH_A " up && ip link set " VETH_B " up && "
	    "ip addr add " TUN_SRC4 "/24 dev " VETH_A " && "
	    "ip -6 addr add " TUN_SRC6 "/64 dev " VETH_A " nodad && "
	    "ip neigh add " TUN_RS4 " lladdr 02:fb:00:00:00:02 dev " VETH_A " nud permanent && "
	    "ip -6 neigh add " TUN_RS6 " lladdr 02:fb:00:00:00:02 dev " VETH_A " nud permanent");
	if (sh(cmd) != 0)
		return -1;
	if (write_file("/proc/sys/net/ipv4/ip_forward", "0") < 0 ||
	    write_file("/proc/sys/net/ipv6/conf/all/forwarding", "0") < 0 ||
	    write_file("/proc/sys/net/ipv4/conf/lo/forwarding", "1") < 0 ||
	    write_file("/proc/sys/net/ipv6/conf/lo/forwarding", "1") < 0) {
		perror("test_xdp_prog: enabling forwarding");
		return -1;
	}
	fxa_ifindex = (int)if_nametoindex(VETH_A);
	return fxa_ifindex > 0 ? 0 : -1;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_v4_tcp_hit),
	    T(test_v4_udp_hit_redirect),
	    T(test_v6_tcp_hit),
	    T(test_v6_udp_hit),
	    T(test_miss),
	    T(test_fragments),
	    T(test_v6_exthdr),
	    T(test_icmp),
	    T(test_ip_options),
	    T(test_truncated),
	    T(test_lying_lengths),
	    T(test_eth_padding),
	    T(test_bad_checksum),
	    T(test_vlan_and_not_ip),
	    T(test_no_server),
	    T(test_dr_not_ready),
	    T(test_local_server),
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
	    T(test_tun_v4),
	    T(test_tun_v6),
	    T(test_tun_no_route),
	};

	if (netns_setup() < 0) {
		fprintf(stderr, "test_xdp_prog: FAILED: cannot set up (needs root)\n");
		return 1;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, "test_xdp_prog: FAILED: possible CPUs unknown\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
