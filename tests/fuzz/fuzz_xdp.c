/* libFuzzer target: the XDP program (bpf/fulcrum_xdp.bpf.c) on raw frames,
 * run in the kernel through BPF_PROG_TEST_RUN against fixed services.
 *
 * A reference parser here says, from the packet bytes alone, whether the
 * frame is a complete, unfragmented TCP/UDP packet to a configured
 * VIP:port/protocol (the contract of fx_parse.h).  Then:
 *   - the run itself succeeds, the verdict is PASS, DROP, TX or REDIRECT;
 *   - not a service packet: PASS, and the frame comes out byte for byte;
 *   - a service packet is never passed; it is dropped only by the services
 *     that have no usable server (no ring entry, or a server whose MAC is
 *     unknown); otherwise TX/REDIRECT with the same length, bytes 12.. as
 *     they came, destination and source MAC those of one of the service's
 *     ready servers, and TX exactly when that server's ifindex is the
 *     ingress one.
 * TUN is not fuzzed: it needs a namespace with routes and neighbours for
 * bpf_fib_lookup (tests/unit/test_xdp_prog.c covers it).  Needs root; a
 * program that does not load aborts (never a silent pass).
 *   make && make fuzz-bins && build-fuzz/fuzz_xdp -max_total_time=60 CORPUS_COPY
 * (seeds: tests/fuzz/corpus/xdp, see its README) */
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

#include "fulcrum_xdp.h"
#include "fulcrum_xdp.skel.h"
#include "fuzz_bpf.h"

#define IN_MAX	 4000
#define OUT_MAX	 (IN_MAX + 128)
#define IF_LO	 1 /* ingress: lo */
#define IF_OTHER 7 /* another egress interface: bpf_redirect() */

/* The services.  `drops`: the service may drop (no usable server). */
struct svc {
	int family;
	const char *addr;
	uint16_t port;
	uint8_t proto;
	uint32_t sched, flags, seq_len, persist_s, persist_prefix;
	uint32_t ring[3]; /* laid out ring[i % n_ring] over the whole block */
	unsigned n_ring;
	int drops;
	uint8_t key[16]; /* addr, network order */
};

static struct svc svcs[] = {
    /* vs 0: DR IPv4 TCP, source hash, one server on lo (TX), one elsewhere */
    {.family = FX_AF_INET,
     .addr = "10.0.0.100",
     .port = 80,
     .proto = IPPROTO_TCP,
     .sched = FX_SCHED_HASH_SRC,
     .ring = {1, 2},
     .n_ring = 2},
    /* vs 1: DR IPv6 UDP, source hash with port */
    {.family = FX_AF_INET6,
     .addr = "2001:db8::100",
     .port = 53,
     .proto = IPPROTO_UDP,
     .sched = FX_SCHED_HASH_SRC,
     .flags = FX_VS_F_HASH_PORT,
     .ring = {3},
     .n_ring = 1},
    /* vs 2: persistent (/24, 300 s), round robin over a sequence of 3 */
    {.family = FX_AF_INET,
     .addr = "10.0.0.101",
     .port = 443,
     .proto = IPPROTO_TCP,
     .sched = FX_SCHED_SEQ,
     .seq_len = 3,
     .persist_s = 300,
     .persist_prefix = 24,
     .ring = {4, 5, 4},
     .n_ring = 3},
    /* vs 3: no server at all */
    {.family = FX_AF_INET,
     .addr = "10.0.0.102",
     .port = 80,
     .proto = IPPROTO_UDP,
     .sched = FX_SCHED_HASH_SRC,
     .ring = {FX_RS_NONE},
     .n_ring = 1,
     .drops = 1},
    /* vs 4: IPv6 persistent (/64), one of its servers not resolved (dropped) */
    {.family = FX_AF_INET6,
     .addr = "2001:db8::101",
     .port = 80,
     .proto = IPPROTO_TCP,
     .sched = FX_SCHED_HASH_SRC,
     .persist_s = 60,
     .persist_prefix = 64,
     .ring = {6, 7},
     .n_ring = 2,
     .drops = 1},
};
#define N_SVC (sizeof(svcs) / sizeof(svcs[0]))

/* rs_id -> (vs_id, ready, ifindex); MACs from mac_of() */
struct rs {
	uint32_t id, vs_id;
	int ready;
	uint32_t ifindex;
};

static const struct rs reals[] = {
    {1, 0, 1, IF_LO}, {2, 0, 1, IF_OTHER}, {3, 1, 1, IF_LO}, {4, 2, 1, IF_OTHER},
    {5, 2, 1, IF_LO}, {6, 4, 0, IF_LO},	   {7, 4, 1, IF_LO},
};
#define N_RS (sizeof(reals) / sizeof(reals[0]))

static struct fulcrum_xdp *skel;
static int prog_fd;
static int verbose;	    /* FUZZ_VERBOSE set: one line per input (reproducers) */
static uint32_t linear_max; /* bytes the program sees (data_end); the rest is in frags */

static void die(const char *what, int e)
{
	fuzz_bpf_die("fuzz_xdp", what, e);
}

static void mac_of(uint32_t rs_id, uint8_t kind, uint8_t *mac)
{
	uint8_t m[6] = {0x02, kind, 0, 0, (uint8_t)(rs_id >> 8), (uint8_t)rs_id};

	memcpy(mac, m, 6);
}

static void update(struct bpf_map *m, const void *k, size_t kl, const void *v, size_t vl)
{
	if (bpf_map__update_elem(m, k, kl, v, vl, 0))
		die(bpf_map__name(m), errno);
}

static void fill_maps(void)
{
	int ring_fd = bpf_map__fd(skel->maps.fx_ring);

	for (uint32_t vs = 0; vs < N_SVC; vs++) {
		struct svc *s = &svcs[vs];
		struct fx_vip_key k = {
		    .port = htons(s->port), .proto = s->proto, .family = s->family};
		struct fx_vip v = {.vs_id = vs,
				   .flags = s->flags,
				   .sched = s->sched,
				   .seq_len = s->seq_len,
				   .persist_s = s->persist_s,
				   .persist_prefix = s->persist_prefix,
				   .tcp_idle_s = 900,
				   .tcp_fin_s = 120,
				   .udp_idle_s = 300};

		if (inet_pton(s->family == FX_AF_INET ? AF_INET : AF_INET6, s->addr, s->key) != 1)
			abort();
		memcpy(&k.addr, s->key, s->family == FX_AF_INET ? 4 : 16);
		update(skel->maps.fx_vips, &k, sizeof(k), &v, sizeof(v));
		for (uint32_t i = 0; i < FX_RING_SIZE; i++) {
			uint32_t key = vs * FX_RING_SIZE + i, id = s->ring[i % s->n_ring];

			if (bpf_map_update_elem(ring_fd, &key, &id, 0))
				die("fx_ring", errno);
		}
	}
	for (size_t i = 0; i < N_RS; i++) {
		struct fx_real r = {.family = svcs[reals[i].vs_id].family,
				    .flags = FX_RS_F_LIVE | (reals[i].ready ? FX_RS_F_READY : 0),
				    .ifindex = reals[i].ifindex,
				    .vs_id = reals[i].vs_id};

		mac_of(reals[i].id, 0xaa, r.mac);
		mac_of(reals[i].id, 0xdd, r.src_mac);
		update(skel->maps.fx_reals, &reals[i].id, sizeof(uint32_t), &r, sizeof(r));
	}
}

/* One run; the verdict, the output length and the context afterwards. */
static int run(const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len, struct xdp_md *after)
{
	return fuzz_bpf_run("fuzz_xdp", prog_fd, IF_LO, in, len, out, OUT_MAX, out_len, after);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t probe[IN_MAX], out[OUT_MAX];
	struct xdp_md after = {0};
	uint32_t out_len;

	(void)argc;
	(void)argv;
	skel = fulcrum_xdp__open_and_load();
	if (!skel)
		die("fulcrum_xdp__open_and_load (root needed)", errno);
	prog_fd = bpf_program__fd(skel->progs.fulcrum_xdp);
	fill_maps();
	/* How much of a large frame lies in the linear part the program
	 * reads; the kernel puts the rest in fragments.  A frame of zeros is
	 * not IP: passed, so data_end afterwards is the linear length. */
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

/* The service the frame (its first vis bytes) belongs to, or -1: the
 * reference for fx_parse() + the fx_vips lookup. */
static int ref_service(const uint8_t *b, size_t vis)
{
	const uint8_t *ip = b + 14, *dst;
	size_t tot, l3h;
	uint8_t proto;
	int family;

	if (vis < 14)
		return -1;
	if (be16(b + 12) == 0x0800) {
		if (vis < 14 + 20 || ip[0] >> 4 != 4)
			return -1;
		l3h = (size_t)(ip[0] & 0xf) * 4;
		tot = be16(ip + 2);
		if (l3h < 20 || tot < l3h || 14 + l3h > vis || 14 + tot > vis)
			return -1;
		if (be16(ip + 6) & 0x3fff) /* MF or an offset */
			return -1;
		family = FX_AF_INET;
		proto = ip[9];
		dst = ip + 16;
	} else if (be16(b + 12) == 0x86dd) {
		if (vis < 14 + 40 || ip[0] >> 4 != 6)
			return -1;
		l3h = 40;
		tot = 40 + (size_t)be16(ip + 4);
		if (14 + tot > vis)
			return -1;
		family = FX_AF_INET6;
		proto = ip[6];
		dst = ip + 24;
	} else {
		return -1;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -1;
	if (l3h + (proto == IPPROTO_TCP ? 20 : 8) > tot)
		return -1;
	for (size_t i = 0; i < N_SVC; i++) {
		const struct svc *s = &svcs[i];

		if (s->family == family && s->proto == proto && s->port == be16(ip + l3h + 2) &&
		    !memcmp(s->key, dst, family == FX_AF_INET ? 4 : 16))
			return (int)i;
	}
	return -1;
}

static void fail(const char *why, int vs, int verdict)
{
	fprintf(stderr, "fuzz_xdp: %s (service %d, verdict %d)\n", why, vs, verdict);
	abort();
}

/* A forwarded frame: only the MACs changed, to those of a ready server of
 * the service, and TX exactly when that server sits on the ingress. */
static void check_forwarded(const uint8_t *in, size_t len, const uint8_t *out, uint32_t out_len,
			    int vs, int verdict)
{
	uint8_t mac[6], src[6];

	if (out_len != len || memcmp(out + 12, in + 12, len - 12))
		fail("forwarded frame changed above the MACs", vs, verdict);
	for (size_t i = 0; i < N_RS; i++) {
		if (reals[i].vs_id != (uint32_t)vs || !reals[i].ready)
			continue;
		mac_of(reals[i].id, 0xaa, mac);
		mac_of(reals[i].id, 0xdd, src);
		if (memcmp(out, mac, 6))
			continue;
		if (memcmp(out + 6, src, 6))
			fail("source MAC is not the server's egress MAC", vs, verdict);
		if ((verdict == XDP_TX) != (reals[i].ifindex == IF_LO))
			fail("TX/REDIRECT does not match the server's interface", vs, verdict);
		return;
	}
	fail("destination MAC is no ready server of the service", vs, verdict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OUT_MAX];
	struct xdp_md after = {0};
	uint32_t out_len = 0;
	int verdict, vs;

	if (size < 14 || size > IN_MAX)
		return 0;
	verdict = run(data, size, out, &out_len, &after);
	vs = ref_service(data, size < linear_max ? size : linear_max);
	if (verbose)
		fprintf(stderr, "fuzz_xdp: %zu bytes, service %d, verdict %d\n", size, vs, verdict);
	switch (verdict) {
	case XDP_PASS:
		if (vs >= 0)
			fail("a service packet was passed", vs, verdict);
		if (out_len != size || memcmp(out, data, size))
			fail("a passed frame was modified", vs, verdict);
		break;
	case XDP_DROP:
		if (vs < 0 || !svcs[vs].drops)
			fail("dropped a frame that has a usable server (or is none of ours)", vs,
			     verdict);
		break;
	case XDP_TX:
	case XDP_REDIRECT:
		if (vs < 0)
			fail("forwarded a frame that is no service packet", vs, verdict);
		check_forwarded(data, size, out, out_len, vs, verdict);
		break;
	default:
		fail("verdict out of range", vs, verdict);
	}
	return 0;
}
