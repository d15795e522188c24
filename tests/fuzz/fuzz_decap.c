/* libFuzzer target: the real server's TUN decapsulator
 * (bpf/fulcrum_decap.bpf.c) on raw frames, run in the kernel through
 * BPF_PROG_TEST_RUN with fixed VIPs and local addresses.
 *
 * A reference here decides, from the bytes alone and the rules in the
 * program's header comment, whether the frame is a tunnel packet to strip:
 * link header (one optional VLAN tag), an outer IPv4 (protocol 4/41, whole,
 * checksum right, not a fragment) or IPv6 (next header 4/41, possibly behind
 * one Destination Options header, payload length within the frame) header
 * to a local address, and an inner header of the announced family to a VIP.
 * Then the verdict must be XDP_PASS, and the output exactly:
 *   - a tunnel packet: the link header (type set for the inner family)
 *     followed by the input from the inner header on — shorter by exactly
 *     the outer header's length;
 *   - anything else: the input, byte for byte.
 * Needs root; a program that does not load aborts (never a silent pass).
 *   make && make fuzz-bins && build-fuzz/fuzz_decap -max_total_time=60 CORPUS_COPY
 * (seeds: tests/fuzz/corpus/decap, see its README) */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/in.h>

#include "fulcrum_decap.h"
#include "fulcrum_decap.skel.h"
#include "fuzz_bpf.h"

#define IN_MAX	4000
#define OUT_MAX (IN_MAX + 128)
#define IF_LO	1

#define VIP4   "192.0.2.10"
#define VIP6   "2001:db8:a::10"
#define LOCAL4 "10.20.0.2"
#define LOCAL6 "fd20::2"

static struct fulcrum_decap *skel;
static int prog_fd;
static int verbose;	    /* FUZZ_VERBOSE set: one line per input (reproducers) */
static uint32_t linear_max; /* bytes the program sees (data_end); the rest is in frags */
static uint8_t vip4[4], vip6[16], local4[4], local6[16];

static void die(const char *what, int e)
{
	fuzz_bpf_die("fuzz_decap", what, e);
}

static void put_addr(struct bpf_map *m, int af, const char *s, uint8_t *keep)
{
	struct fd_addr_key k = {.family = af == AF_INET ? FD_AF_INET : FD_AF_INET6};
	uint32_t one = 1;

	if (inet_pton(af, s, k.addr.b) != 1)
		abort();
	memcpy(keep, k.addr.b, af == AF_INET ? 4 : 16);
	if (bpf_map__update_elem(m, &k, sizeof(k), &one, sizeof(one), 0))
		die(bpf_map__name(m), errno);
}

static int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len, struct xdp_md *after)
{
	return fuzz_bpf_run("fuzz_decap", prog_fd, IF_LO, in, len, out, OUT_MAX, out_len, after);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t probe[IN_MAX], out[OUT_MAX];
	struct xdp_md after = {0};
	uint32_t out_len;

	(void)argc;
	(void)argv;
	skel = fulcrum_decap__open_and_load();
	if (!skel)
		die("fulcrum_decap__open_and_load (root needed)", errno);
	prog_fd = bpf_program__fd(skel->progs.fulcrum_decap);
	put_addr(skel->maps.fd_vips, AF_INET, VIP4, vip4);
	put_addr(skel->maps.fd_vips, AF_INET6, VIP6, vip6);
	put_addr(skel->maps.fd_locals, AF_INET, LOCAL4, local4);
	put_addr(skel->maps.fd_locals, AF_INET6, LOCAL6, local6);
	/* the linear length of a large frame: zeros are no IP, passed as is */
	if (run(probe, sizeof(probe), out, &out_len, &after) != XDP_PASS || after.data_end == 0)
		abort();
	linear_max = after.data_end - after.data;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int ip4_csum_ok(const uint8_t *h, size_t hlen)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < hlen; i += 2)
		sum += be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The outer header at b + l2 (vis bytes of frame visible): its length, or
 * 0 when the frame is not a tunnel packet for this host; *inner = 4 / 41. */
static size_t ref_outer(const uint8_t *b, size_t vis, size_t l2, uint16_t type, uint8_t *inner)
{
	const uint8_t *ip = b + l2;
	size_t hlen, tot, off;
	uint8_t nh;

	if (type == 0x0800) {
		if (vis < l2 + 20 || ip[0] >> 4 != 4 || (ip[9] != 4 && ip[9] != 41))
			return 0;
		hlen = (size_t)(ip[0] & 0xf) * 4;
		tot = be16(ip + 2);
		if (hlen < 20 || l2 + hlen > vis || tot < hlen || l2 + tot > vis)
			return 0;
		if (be16(ip + 6) & 0x3fff || !ip4_csum_ok(ip, hlen) || memcmp(ip + 16, local4, 4))
			return 0;
		*inner = ip[9];
		return hlen;
	}
	if (type != 0x86dd || vis < l2 + 40 || ip[0] >> 4 != 6)
		return 0;
	nh = ip[6];
	off = 40;
	if (nh == 60) { /* one Destination Options header */
		if (vis < l2 + 42)
			return 0;
		nh = ip[40];
		off += ((size_t)ip[41] + 1) * 8;
	}
	if (nh != 4 && nh != 41)
		return 0;
	tot = 40 + (size_t)be16(ip + 4);
	if (tot == 40 || tot < off || l2 + tot > vis || memcmp(ip + 24, local6, 16))
		return 0;
	*inner = nh;
	return off;
}

/* Whether the inner header at p (room bytes visible) is of the announced
 * family and addressed to a VIP. */
static int ref_inner(const uint8_t *p, size_t room, uint8_t inner)
{
	if (inner == 4)
		return room >= 20 && p[0] >> 4 == 4 && !memcmp(p + 16, vip4, 4);
	return room >= 40 && p[0] >> 4 == 6 && !memcmp(p + 24, vip6, 16);
}

static void fail(const char *why, size_t outer, int verdict)
{
	fprintf(stderr, "fuzz_decap: %s (outer header %zu bytes, verdict %d)\n", why, outer,
		verdict);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OUT_MAX], want[OUT_MAX];
	struct xdp_md after = {0};
	uint32_t out_len = 0;
	size_t vis, l2 = 14, outer = 0;
	uint16_t type;
	uint8_t inner = 0;
	int verdict;

	if (size < 14 || size > IN_MAX)
		return 0;
	verdict = run(data, size, out, &out_len, &after);
	vis = size < linear_max ? size : linear_max;
	type = be16(data + 12);
	if (type == 0x8100 || type == 0x88a8) {
		l2 = 18;
		type = vis >= 18 ? be16(data + 16) : 0;
	}
	if (vis >= l2)
		outer = ref_outer(data, vis, l2, type, &inner);
	if (outer && (outer > 2048 || !ref_inner(data + l2 + outer, vis - l2 - outer, inner)))
		outer = 0;
	if (verbose)
		fprintf(stderr, "fuzz_decap: %zu bytes, outer header %zu, verdict %d, %u out\n",
			size, outer, verdict, out_len);
	if (verdict != XDP_PASS)
		fail("verdict is not XDP_PASS", outer, verdict);
	if (!outer) {
		if (out_len != size || memcmp(out, data, size))
			fail("a frame that is no tunnel packet for us was modified", outer,
			     verdict);
		return 0;
	}
	memcpy(want, data, l2 - 2);
	want[l2 - 2] = inner == 4 ? 0x08 : 0x86;
	want[l2 - 1] = inner == 4 ? 0x00 : 0xdd;
	memcpy(want + l2, data + l2 + outer, size - l2 - outer);
	if (out_len != size - outer)
		fail("decapsulated frame: length is not the input's less the outer header", outer,
		     verdict);
	if (memcmp(out, want, out_len))
		fail("decapsulated frame is not link header + inner packet", outer, verdict);
	return 0;
}
