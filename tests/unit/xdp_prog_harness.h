/* The harness of the XDP program's unit tests (test_xdp_prog.c: parsing,
 * forwarding, local servers, TUN; test_xdp_flow.c: the connection table,
 * persistence, schedulers, counters): crafted packets through
 * BPF_PROG_TEST_RUN, the program's maps written as the engine writes them.
 *
 * Needs root (CAP_BPF, CAP_NET_ADMIN): without it a binary fails, it never
 * skips.  Each binary runs in a private network namespace (unshare at
 * start, xdp_prog_main): lo is ifindex 1 there, and the veth pair,
 * addresses, routes and permanent neighbours that bpf_fib_lookup needs for
 * TUN exist only in it and vanish with the process — nothing to clean up,
 * even on a crash.  The process is pinned to one CPU (per-CPU counters are
 * then one slot); the tests that want two CPUs move it and their teardown
 * moves it back.
 *
 * Time: entries are aged by moving their stamp back a few seconds (at most
 * AGE_MAX_S) against small idle timeouts written into the service, never
 * by the real 300-900 s: CLOCK_MONOTONIC (bpf_ktime_get_ns()) starts near
 * zero at boot, and a stamp moved back further than the uptime would
 * wrap.  Right after boot the aging tests wait until the clock is past
 * AGE_MAX_S.
 *
 * Everything here is static: each test file uses its part of it. */
#ifndef FC_TESTS_XDP_PROG_HARNESS_H
#define FC_TESTS_XDP_PROG_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

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

/* ------------------------------------------------------------ namespace */

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

/* Set up the namespace and run the group; the exit status of main. */
static int xdp_prog_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	if (netns_setup() < 0) {
		fprintf(stderr, "%s: FAILED: cannot set up (needs root)\n", name);
		return 1;
	}
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, "%s: FAILED: possible CPUs unknown\n", name);
		return 1;
	}
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

#pragma GCC diagnostic pop

#endif
