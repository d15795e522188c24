/* The TUN decapsulator (bpf/fulcrum_decap.bpf.c) on crafted frames through
 * BPF_PROG_TEST_RUN: verdict and output bytes compared byte for byte, and
 * the counters.  A decapsulated frame must be exactly the inner packet
 * behind the original Ethernet header (type rewritten); every other frame
 * must come out unchanged, and always with XDP_PASS.
 *
 * Needs root (CAP_BPF): without it the binary fails, it never skips.  It
 * touches no interface: the program only reads its own maps. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>

#include "fulcrum_decap.h"
#include "fulcrum_decap.skel.h"

#define PKT_MAX 2048

#define VIP4	"192.0.2.10"
#define VIP6	"2001:db8:a::10"
#define LOCAL4	"10.20.0.2" /* the real server's own address */
#define LOCAL6	"fd20::2"
#define DIR4	"10.20.0.1" /* the director: outer source */
#define DIR6	"fd20::1"
#define CLIENT4 "198.51.100.7"
#define CLIENT6 "2001:db8:c::7"

static const uint8_t MAC_RS[6] = {0x02, 0x5e, 0, 0, 0, 0x02};
static const uint8_t MAC_DIR[6] = {0x02, 0xd1, 0, 0, 0, 0x01};

static struct fulcrum_decap *skel;
static int ncpus;

/* ---------------------------------------------------------------- bytes */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void pton(int af, const char *s, void *out)
{
	assert_int_equal(inet_pton(af, s, out), 1);
}

/* The client's packet: UDP client:40000 -> dst:80 with payload bytes. */
static size_t inner4(uint8_t *b, const char *dst, size_t payload)
{
	size_t len = 20 + 8 + payload;

	memset(b, 0, len);
	b[0] = 0x45;
	put16(b + 2, len);
	put16(b + 4, 0x4321);
	b[8] = 63;
	b[9] = IPPROTO_UDP;
	pton(AF_INET, CLIENT4, b + 12);
	pton(AF_INET, dst, b + 16);
	put16(b + 10, csum(b, 20));
	put16(b + 20, 40000);
	put16(b + 22, 80);
	put16(b + 24, 8 + payload);
	for (size_t i = 0; i < payload; i++)
		b[28 + i] = 'a' + i % 26;
	return len;
}

static size_t inner6(uint8_t *b, const char *dst, size_t payload)
{
	size_t len = 40 + 8 + payload;

	memset(b, 0, len);
	b[0] = 0x60;
	put16(b + 4, 8 + payload);
	b[6] = IPPROTO_UDP;
	b[7] = 63;
	pton(AF_INET6, CLIENT6, b + 8);
	pton(AF_INET6, dst, b + 24);
	put16(b + 40, 40000);
	put16(b + 42, 80);
	put16(b + 44, 8 + payload);
	for (size_t i = 0; i < payload; i++)
		b[48 + i] = 'A' + i % 26;
	return len;
}

/* How the outer header is made. */
struct outer {
	int family;	   /* AF_INET / AF_INET6 */
	const char *dst;   /* default: LOCAL4 / LOCAL6 */
	uint8_t proto;	   /* default: 4 for an IPv4 inner packet, 41 for IPv6 */
	int opt_words;	   /* IPv4 options (NOPs), 0..10 */
	uint16_t frag_off; /* IPv4 frag_off, host order */
	int bad_csum;	   /* IPv4 header checksum wrong */
	int dstopts;	   /* IPv6: a Destination Options header (encap limit) */
	int frag6;	   /* IPv6: a fragment header before the inner packet */
	int len_delta;	   /* added to tot_len / payload_len */
	int vlan;	   /* one 802.1Q tag */
	size_t pad;	   /* bytes after the packet (Ethernet padding) */
};

/* Ethernet (+ tag) + outer header + inner[ilen]; returns the frame length
 * and the length of the link header in *l2. */
static size_t frame(uint8_t *b, const struct outer *o, const uint8_t *inner, size_t ilen,
		    size_t *l2)
{
	int inner_v6 = (inner[0] >> 4) == 6;
	uint8_t proto = o->proto ? o->proto : inner_v6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	size_t off, hl;
	uint8_t *ip;

	memset(b, 0, PKT_MAX);
	memcpy(b, MAC_RS, 6);
	memcpy(b + 6, MAC_DIR, 6);
	off = 12;
	if (o->vlan) {
		put16(b + off, ETH_P_8021Q);
		put16(b + off + 2, 0x0123);
		off += 4;
	}
	put16(b + off, o->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	off += 2;
	*l2 = off;
	ip = b + off;
	if (o->family == AF_INET) {
		hl = 20 + 4 * o->opt_words;
		ip[0] = 0x40 | (uint8_t)(hl / 4);
		ip[1] = 0;
		put16(ip + 2, (uint16_t)((int)(hl + ilen) + o->len_delta));
		put16(ip + 4, 0x0101);
		put16(ip + 6, o->frag_off);
		ip[8] = 64;
		ip[9] = proto;
		pton(AF_INET, DIR4, ip + 12);
		pton(AF_INET, o->dst ? o->dst : LOCAL4, ip + 16);
		memset(ip + 20, 1, hl - 20);
		put16(ip + 10, csum(ip, hl) ^ (o->bad_csum ? 0x0f0f : 0));
	} else {
		size_t ext = (o->dstopts ? 8 : 0) + (o->frag6 ? 8 : 0);
		uint8_t *e = ip + 40;

		hl = 40 + ext;
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)((int)(ext + ilen) + o->len_delta));
		ip[6] = o->dstopts ? IPPROTO_DSTOPTS : o->frag6 ? IPPROTO_FRAGMENT : proto;
		ip[7] = 64;
		pton(AF_INET6, DIR6, ip + 8);
		pton(AF_INET6, o->dst ? o->dst : LOCAL6, ip + 24);
		if (o->dstopts) { /* RFC 2473 tunnel encapsulation limit 4, PadN */
			e[0] = o->frag6 ? IPPROTO_FRAGMENT : proto;
			e[1] = 0;
			e[2] = 4;
			e[3] = 1;
			e[4] = 4;
			e[5] = 1;
			e[6] = 0;
			e += 8;
		}
		if (o->frag6) {
			e[0] = proto;
			put16(e + 2, 1); /* offset 0, more fragments */
			e[7] = 0x42;
		}
	}
	memcpy(ip + hl, inner, ilen);
	for (size_t i = 0; i < o->pad; i++)
		ip[hl + ilen + i] = 0xee;
	return off + hl + ilen + o->pad;
}

/* ------------------------------------------------------------------ runs */

/* Runs the program once; returns the verdict, or -errno. */
static int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = PKT_MAX, .repeat = 1);
	int rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fulcrum_decap), &o);

	if (rc)
		return rc < 0 ? rc : -EIO;
	*out_len = o.data_size_out;
	return (int)o.retval;
}

static uint64_t counter(enum fd_counter c)
{
	uint64_t v[256] = {0}, sum = 0;
	uint32_t k = c;

	assert_true(ncpus > 0 && ncpus <= 256);
	assert_int_equal(bpf_map__lookup_elem(skel->maps.fd_stats, &k, sizeof(k), v,
					      sizeof(uint64_t) * ncpus, 0),
			 0);
	for (int i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

/* The frame must come out as it went in, passed; counter c goes up by one
 * (c < 0: no counter moves). */
static void expect_unchanged(const uint8_t *in, size_t len, int c)
{
	uint8_t out[PKT_MAX];
	uint32_t out_len = 0;
	uint64_t before[FD_C_MAX];

	for (int i = 0; i < FD_C_MAX; i++)
		before[i] = counter(i);
	assert_int_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, in, len);
	for (int i = 0; i < FD_C_MAX; i++)
		assert_int_equal(counter(i), before[i] + (i == c));
}

/* The frame must come out as link header (type set for the inner family)
 * + inner packet + any padding, passed, counted in c. */
static void expect_decap(const uint8_t *in, size_t len, size_t l2, const uint8_t *inner,
			 size_t ilen, size_t pad, enum fd_counter c)
{
	uint8_t out[PKT_MAX], want[PKT_MAX];
	uint32_t out_len = 0;
	uint64_t before = counter(c);

	memcpy(want, in, l2);
	put16(want + l2 - 2, (inner[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(want + l2, inner, ilen);
	memcpy(want + l2 + ilen, in + len - pad, pad);
	assert_int_equal(run(in, len, out, &out_len), XDP_PASS);
	assert_int_equal(out_len, l2 + ilen + pad);
	assert_memory_equal(out, want, l2 + ilen + pad);
	assert_int_equal(counter(c), before + 1);
}

/* ----------------------------------------------------------------- tests */

static void ipip_to_vip(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 100);
	struct outer o = {.family = AF_INET};
	size_t len = frame(in, &o, inner, ilen, &l2);

	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
}

static void ip6ip6_to_vip(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner6(inner, VIP6, 100);
	struct outer o = {.family = AF_INET6};
	size_t len = frame(in, &o, inner, ilen, &l2);

	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP6);
}

/* IPv6 in IPv4 (protocol 41) and IPv4 in IPv6 (next header 4). */
static void mixed_families(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen, len;
	struct outer o4 = {.family = AF_INET}, o6 = {.family = AF_INET6};

	ilen = inner6(inner, VIP6, 10);
	len = frame(in, &o4, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
	ilen = inner4(inner, VIP4, 10);
	len = frame(in, &o6, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP6);
}

static void vlan_tag_kept(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 33), len;
	struct outer o = {.family = AF_INET, .vlan = 1};

	len = frame(in, &o, inner, ilen, &l2);
	assert_int_equal(l2, 18);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
	o.family = AF_INET6;
	ilen = inner6(inner, VIP6, 33);
	len = frame(in, &o, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP6);
}

/* Ethernet padding after the outer packet stays behind the inner one (the
 * stack trims it by the inner length, as for any padded frame). */
static void padding_kept(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 0), len;
	struct outer o = {.family = AF_INET, .pad = 6};

	len = frame(in, &o, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 6, FD_C_DECAP4);
}

/* Every IHL from 5 to 15: the options go with the outer header. */
static void outer_ip_options(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 20), len;

	for (int w = 0; w <= 10; w++) {
		struct outer o = {.family = AF_INET, .opt_words = w};

		len = frame(in, &o, inner, ilen, &l2);
		assert_int_equal(len, 14 + 20 + 4 * w + ilen);
		expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
	}
}

static void ipv6_encap_limit(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner6(inner, VIP6, 20), len;
	struct outer o = {.family = AF_INET6, .dstopts = 1};

	len = frame(in, &o, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP6);
}

static void inner_not_vip(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen, len;
	struct outer o4 = {.family = AF_INET}, o6 = {.family = AF_INET6};

	ilen = inner4(inner, "192.0.2.11", 10);
	len = frame(in, &o4, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_NOT_VIP);
	ilen = inner6(inner, "2001:db8:a::11", 10);
	len = frame(in, &o6, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_NOT_VIP);
	/* the VIP of the other family's map entry does not count */
	ilen = inner4(inner, LOCAL4, 10);
	len = frame(in, &o4, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_NOT_VIP);
}

static void outer_not_local(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen, len;
	struct outer o4 = {.family = AF_INET, .dst = "10.20.0.3"};
	struct outer o6 = {.family = AF_INET6, .dst = "fd20::3"};

	ilen = inner4(inner, VIP4, 10);
	len = frame(in, &o4, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_NOT_LOCAL);
	ilen = inner6(inner, VIP6, 10);
	len = frame(in, &o6, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_NOT_LOCAL);
}

/* Plain traffic, other protocols, ARP: untouched and not counted. */
static void not_a_tunnel(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen, len;
	struct outer gre = {.family = AF_INET, .proto = 47};
	struct outer udp6 = {.family = AF_INET6, .proto = IPPROTO_UDP};

	/* UDP straight to the VIP (a DR packet): Ethernet + the inner packet */
	ilen = inner4(inner, VIP4, 10);
	memset(in, 0, sizeof(in));
	memcpy(in, MAC_RS, 6);
	memcpy(in + 6, MAC_DIR, 6);
	put16(in + 12, ETH_P_IP);
	memcpy(in + 14, inner, ilen);
	expect_unchanged(in, 14 + ilen, -1);
	ilen = inner6(inner, VIP6, 10);
	put16(in + 12, ETH_P_IPV6);
	memcpy(in + 14, inner, ilen);
	expect_unchanged(in, 14 + ilen, -1);
	/* GRE, and an IPv6 header saying UDP */
	ilen = inner4(inner, VIP4, 10);
	len = frame(in, &gre, inner, ilen, &l2);
	expect_unchanged(in, len, -1);
	len = frame(in, &udp6, inner, ilen, &l2);
	expect_unchanged(in, len, -1);
	/* ARP, and an IPv4 ethertype whose header says version 6 */
	put16(in + 12, ETH_P_ARP);
	expect_unchanged(in, 42, -1);
	len = frame(in, &(struct outer){.family = AF_INET}, inner, ilen, &l2);
	in[14] = 0x65;
	expect_unchanged(in, len, -1);
}

static void outer_fragments(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 40), len;
	const uint16_t frags[] = {0x2000 /* MF */, 0x0001 /* offset 8 */, 0x2005, 0x1fff};

	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct outer o = {.family = AF_INET, .frag_off = frags[i]};

		len = frame(in, &o, inner, ilen, &l2);
		expect_unchanged(in, len, FD_C_PASS_FRAG);
	}
	/* DF alone is no fragment */
	len = frame(in, &(struct outer){.family = AF_INET, .frag_off = 0x4000}, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
	/* IPv6 fragment header, alone or behind the encapsulation limit */
	ilen = inner6(inner, VIP6, 40);
	len = frame(in, &(struct outer){.family = AF_INET6, .frag6 = 1}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_FRAG);
	len = frame(in, &(struct outer){.family = AF_INET6, .frag6 = 1, .dstopts = 1}, inner, ilen,
		    &l2);
	expect_unchanged(in, len, FD_C_PASS_FRAG);
}

static void malformed_outer(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, VIP4, 40), len;

	/* wrong header checksum */
	len = frame(in, &(struct outer){.family = AF_INET, .bad_csum = 1}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	/* IHL below 5 */
	for (int ihl = 0; ihl < 5; ihl++) {
		len = frame(in, &(struct outer){.family = AF_INET}, inner, ilen, &l2);
		in[l2] = 0x40 | ihl;
		expect_unchanged(in, len, FD_C_PASS_BAD);
	}
	/* total length past the frame, or shorter than the header */
	len = frame(in, &(struct outer){.family = AF_INET, .len_delta = 1}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	len = frame(in, &(struct outer){.family = AF_INET, .len_delta = -(int)ilen - 1}, inner,
		    ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	/* protocol 4 but the inner header is IPv6, and the other way round */
	ilen = inner6(inner, VIP6, 10);
	len =
	    frame(in, &(struct outer){.family = AF_INET, .proto = IPPROTO_IPIP}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	len =
	    frame(in, &(struct outer){.family = AF_INET6, .proto = IPPROTO_IPIP}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	/* IPv6 payload length past the frame; zero (jumbogram) */
	len = frame(in, &(struct outer){.family = AF_INET6, .len_delta = 1}, inner, ilen, &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
	len = frame(in, &(struct outer){.family = AF_INET6, .len_delta = -(int)ilen}, inner, ilen,
		    &l2);
	expect_unchanged(in, len, FD_C_PASS_BAD);
}

/* Every good tunnel frame cut at every length the kernel lets us run (an
 * XDP test run needs at least an Ethernet header): never decapsulated,
 * always passed unchanged. */
static void truncated_everywhere(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX], out[PKT_MAX];
	struct outer kinds[] = {
	    {.family = AF_INET},
	    {.family = AF_INET, .opt_words = 10},
	    {.family = AF_INET, .vlan = 1},
	    {.family = AF_INET6},
	    {.family = AF_INET6, .dstopts = 1, .vlan = 1},
	};
	uint64_t decaps = counter(FD_C_DECAP4) + counter(FD_C_DECAP6);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (int v6 = 0; v6 < 2; v6++) {
			size_t l2, ilen = v6 ? inner6(inner, VIP6, 4) : inner4(inner, VIP4, 4);
			size_t len = frame(in, &kinds[k], inner, ilen, &l2);

			for (size_t cut = ETH_HLEN; cut < len; cut++) {
				uint32_t out_len = 0;

				assert_int_equal(run(in, cut, out, &out_len), XDP_PASS);
				assert_int_equal(out_len, cut);
				assert_memory_equal(out, in, cut);
			}
			/* and whole, it is decapsulated */
			expect_decap(in, len, l2, inner, ilen, 0,
				     kinds[k].family == AF_INET ? FD_C_DECAP4 : FD_C_DECAP6);
			decaps++;
		}
	}
	assert_int_equal(counter(FD_C_DECAP4) + counter(FD_C_DECAP6), decaps);
}

/* A VIP taken out of the map is no longer decapsulated. */
static void vip_removed(void **state)
{
	uint8_t in[PKT_MAX], inner[PKT_MAX];
	size_t l2, ilen = inner4(inner, "192.0.2.99", 10), len;
	struct fd_addr_key k = {.family = FD_AF_INET};
	uint32_t one = 1;

	pton(AF_INET, "192.0.2.99", &k.addr.v4);
	assert_int_equal(
	    bpf_map__update_elem(skel->maps.fd_vips, &k, sizeof(k), &one, sizeof(one), 0), 0);
	len = frame(in, &(struct outer){.family = AF_INET}, inner, ilen, &l2);
	expect_decap(in, len, l2, inner, ilen, 0, FD_C_DECAP4);
	assert_int_equal(bpf_map__delete_elem(skel->maps.fd_vips, &k, sizeof(k), 0), 0);
	expect_unchanged(in, len, FD_C_PASS_NOT_VIP);
}

/* ----------------------------------------------------------------- setup */

static void put_addr(struct bpf_map *m, int af, const char *s)
{
	struct fd_addr_key k = {.family = af == AF_INET ? FD_AF_INET : FD_AF_INET6};
	uint32_t one = 1;

	pton(af, s, k.addr.b);
	assert_int_equal(bpf_map__update_elem(m, &k, sizeof(k), &one, sizeof(one), 0), 0);
}

static int setup(void **state)
{
	skel = fulcrum_decap__open_and_load();
	if (!skel) {
		fprintf(stderr, "test_decap_prog: cannot load the program: %s (root needed)\n",
			strerror(errno));
		return -1;
	}
	ncpus = libbpf_num_possible_cpus();
	put_addr(skel->maps.fd_vips, AF_INET, VIP4);
	put_addr(skel->maps.fd_vips, AF_INET6, VIP6);
	put_addr(skel->maps.fd_locals, AF_INET, LOCAL4);
	put_addr(skel->maps.fd_locals, AF_INET6, LOCAL6);
	return 0;
}

static int teardown(void **state)
{
	fulcrum_decap__destroy(skel);
	skel = NULL;
	return 0;
}

/* Each test gets a freshly loaded program: its maps and counters are the
 * test's own, so a test that fails half-way (vip_removed leaves a VIP in
 * fd_vips) cannot change what the next one sees. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(ipip_to_vip),	     T(ip6ip6_to_vip),	  T(mixed_families),   T(vlan_tag_kept),
	    T(padding_kept),	     T(outer_ip_options), T(ipv6_encap_limit), T(inner_not_vip),
	    T(outer_not_local),	     T(not_a_tunnel),	  T(outer_fragments),  T(malformed_outer),
	    T(truncated_everywhere), T(vip_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
