/* fulcrum's XDP program: LVS direct routing (DR) and tunnelling (TUN).
 * Map layout and the contract with userspace: bpf/fulcrum_xdp.h.
 * The per-packet path, step by step: doc/internals/xdp-datapath.md.
 *
 *   parse (fx_parse.h) -> service (fx_vips) -> flow (fx_conns, else
 *   persistence template, else the service's ring) -> count -> DR: new
 *   Ethernet header, TX/redirect; TUN: encapsulate, route (fx_encap.h);
 *   a local server (this host): pass, untouched, to the director's stack.
 *
 * Whatever is not a complete, unfragmented TCP/UDP packet to a configured
 * VIP:port/protocol is passed untouched; only packets of a service are
 * ever dropped, each drop counted in fx_global with its reason. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_xdp.h"
#include "fx_encap.h"
#include "fx_hash.h"
#include "fx_parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FX_MAX_VS);
	__type(key, struct fx_vip_key);
	__type(value, struct fx_vip);
} fx_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_VS *FX_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} fx_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_RS);
	__type(key, __u32);
	__type(value, struct fx_real);
} fx_reals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FX_CONN_MAX);
	__type(key, struct fx_flow_key);
	__type(value, struct fx_conn);
} fx_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FX_PERSIST_MAX);
	__type(key, struct fx_persist_key);
	__type(value, struct fx_persist);
} fx_persist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FX_MAX_VS);
	__type(key, __u32);
	__type(value, struct fx_stats);
} fx_vs_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FX_MAX_RS);
	__type(key, __u32);
	__type(value, struct fx_stats);
} fx_rs_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FX_G_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fx_global SEC(".maps");

/* FX_SCHED_SEQ position of each service, one for the whole machine (not
 * per CPU): bpf/fulcrum_xdp.h */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_VS);
	__type(key, __u32);
	__type(value, __u64);
} fx_seq SEC(".maps");

/* FX_SCHED_LEAST: each service's candidate servers, and each slot's
 * active flows (bpf/fulcrum_xdp.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_VS);
	__type(key, __u32);
	__type(value, struct fx_least_set);
} fx_least SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_RS);
	__type(key, __u32);
	__type(value, __s64);
} fx_active SEC(".maps");

#define FX_NS_PER_S   1000000000ull
#define FX_REFRESH_NS FX_NS_PER_S /* last_ns is rewritten at most this often */

static __always_inline void fx_count(__u32 reason)
{
	__u64 *v = bpf_map_lookup_elem(&fx_global, &reason);

	if (v)
		*v += 1;
}

/* per-CPU maps: plain adds, no atomics */
static __always_inline void fx_stats_add(void *map, __u32 idx, __u64 pkts, __u64 bytes, __u64 conns)
{
	struct fx_stats *st = bpf_map_lookup_elem(map, &idx);

	if (st) {
		st->pkts += pkts;
		st->bytes += bytes;
		st->conns += conns;
	}
}

/* Idle for more than secs?  A stamp from the future (another CPU wrote it
 * after we read the clock) is fresh. */
static __always_inline int fx_stale(__u64 now, __u64 last, __u32 secs)
{
	return now > last && now - last > (__u64)secs * FX_NS_PER_S;
}

/* The first bits of an address word, network order (bits 0..32). */
static __always_inline __be32 fx_mask32(__u32 bits)
{
	if (bits == 0)
		return 0;
	if (bits >= 32)
		return 0xffffffffu;
	return bpf_htonl(~0u << (32 - bits));
}

/* The persistence template key: client address masked to the service's
 * granularity (persist_prefix), the service, the family. */
static __always_inline void fx_persist_key_of(const struct fx_pkt *p, const struct fx_vip *vip,
					      struct fx_persist_key *k)
{
	__u32 pre = vip->persist_prefix;

	k->client = p->key.src;
	k->vs_id = vip->vs_id;
	k->family = p->key.family;
	if (p->key.family == FX_AF_INET) {
		k->client.v4 &= fx_mask32(pre);
		return;
	}
	k->client.v6[0] &= fx_mask32(pre);
	k->client.v6[1] &= fx_mask32(pre > 32 ? pre - 32 : 0);
	k->client.v6[2] &= fx_mask32(pre > 64 ? pre - 64 : 0);
	k->client.v6[3] &= fx_mask32(pre > 96 ? pre - 96 : 0);
}

/* Slot rs_id of fx_reals if it is a live server of service vs_id. */
static __always_inline struct fx_real *fx_live_real(__u32 rs_id, __u32 vs_id)
{
	struct fx_real *rs;

	if (rs_id >= FX_MAX_RS)
		return 0;
	rs = bpf_map_lookup_elem(&fx_reals, &rs_id);
	if (!rs || !(rs->flags & FX_RS_F_LIVE) || rs->vs_id != vs_id)
		return 0;
	return rs;
}

/* One more or one less active flow on slot rs_id (FX_SCHED_LEAST). */
static __always_inline void fx_active_add(__u32 rs_id, __s64 delta)
{
	__s64 *cnt;

	if (rs_id >= FX_MAX_RS)
		return;
	cnt = bpf_map_lookup_elem(&fx_active, &rs_id);
	if (cnt)
		__sync_fetch_and_add(cnt, delta);
}

/* FX_SCHED_LEAST: the server of the service's set with the fewest active
 * flows for its weight (fx_vip.least, as IPVS's lc/wlc/sed/nq weigh
 * them), the first of the list on a tie.  Compared as a * best_w <
 * best_a * w: no division.  The walk is a bpf_loop() callback: the
 * verifier checks one step once, where an unrolled or open-coded loop of
 * FX_LEAST_MAX steps, inlined into every path of the program, exceeds its
 * limit. */
struct fx_least_walk {
	__u32 vs_id, least;
	__u32 best; /* rs_id, FX_RS_NONE while none */
	__u32 pad;
	__u64 best_a, best_w;
};

static long fx_least_step(__u32 i, void *arg)
{
	struct fx_least_walk *lw = arg;
	struct fx_least_set *set;
	__u32 vs = lw->vs_id, id;
	__u64 w, a = 0;
	__s64 *cnt;

	if (i >= FX_LEAST_MAX)
		return 1;
	set = bpf_map_lookup_elem(&fx_least, &vs);
	if (!set || i >= set->n)
		return 1;
	/* a bound the verifier sees on the register that indexes (clang
	 * would otherwise drop the mask as implied by the test above) */
	barrier_var(i);
	i &= FX_LEAST_MAX - 1;
	id = set->rs_id[i];
	w = set->weight[i];
	if (id >= FX_MAX_RS || !w)
		return 0;
	cnt = bpf_map_lookup_elem(&fx_active, &id);
	if (cnt && *cnt > 0)
		a = (__u64)*cnt;
	if (lw->least == FX_LEAST_NQ && a == 0) {
		lw->best = id;
		return 1;
	}
	if (lw->least == FX_LEAST_SED || lw->least == FX_LEAST_NQ)
		a += 1;
	if (lw->least == FX_LEAST_LC)
		w = 1;
	if (lw->best == FX_RS_NONE || a * lw->best_w < lw->best_a * w) {
		lw->best = id;
		lw->best_a = a;
		lw->best_w = w;
	}
	return 0;
}

static __always_inline struct fx_real *fx_least_pick(const struct fx_vip *vip, __u32 *rs_id)
{
	struct fx_least_walk lw = {.vs_id = vip->vs_id, .least = vip->least, .best = FX_RS_NONE};

	bpf_loop(FX_LEAST_MAX, fx_least_step, &lw, 0);
	*rs_id = lw.best;
	return lw.best == FX_RS_NONE ? 0 : fx_live_real(lw.best, vip->vs_id);
}

/* The service's scheduler: a slot of its ring block, then the server in
 * it (FX_SCHED_LEAST: the least loaded of its set).  NULL when the slot
 * is empty or its server is no longer live. */
static __always_inline struct fx_real *fx_schedule(const struct fx_pkt *p, const struct fx_vip *vip,
						   __u32 *rs_id)
{
	int v6 = p->key.family == FX_AF_INET6;
	__u32 vs = vip->vs_id, len = vip->seq_len, slot, key, *ent;
	__u64 *pos;

	switch (vip->sched) {
	case FX_SCHED_HASH_SRC:
		slot = fx_hash_addr(p->key.src.v6, v6,
				    vip->flags & FX_VS_F_HASH_PORT ? p->key.sport : 0);
		slot %= FX_RING_SIZE;
		break;
	case FX_SCHED_HASH_DST:
		slot = fx_hash_addr(p->key.dst.v6, v6, 0) % FX_RING_SIZE;
		break;
	case FX_SCHED_SEQ:
		pos = bpf_map_lookup_elem(&fx_seq, &vs);
		if (!pos || len == 0 || len > FX_RING_SIZE)
			return 0;
		/* one atomic add on a line all CPUs share, only for a flow's
		 * first packet: N new flows take N consecutive positions
		 * whichever CPUs they arrive on (64 bits: never wraps) */
		slot = (__u32)(__sync_fetch_and_add(pos, 1) % len);
		break;
	case FX_SCHED_LEAST:
		return fx_least_pick(vip, rs_id);
	default:
		return 0;
	}
	key = vs * FX_RING_SIZE + slot;
	ent = bpf_map_lookup_elem(&fx_ring, &key);
	if (!ent)
		return 0;
	*rs_id = *ent;
	return fx_live_real(*rs_id, vs);
}

/* A new flow's server: the client's template if it is fresh and its
 * server can still take the packet, else the scheduler (and a new
 * template).  A template whose server is live but not ready (DR, MAC
 * unknown) is not used: the client moves rather than waiting. */
static __always_inline struct fx_real *fx_place(const struct fx_pkt *p, const struct fx_vip *vip,
						__u64 now, __u32 *rs_id)
{
	struct fx_persist_key pk = {};
	struct fx_persist *t, nt = {};
	struct fx_real *rs;

	if (!vip->persist_s)
		return fx_schedule(p, vip, rs_id);
	fx_persist_key_of(p, vip, &pk);
	t = bpf_map_lookup_elem(&fx_persist, &pk);
	if (t && !fx_stale(now, t->last_ns, vip->persist_s)) {
		*rs_id = t->rs_id;
		rs = fx_live_real(*rs_id, vip->vs_id);
		if (rs && (rs->flags & (FX_RS_F_READY | FX_RS_F_LOCAL) ||
			   vip->flags & FX_VS_F_TUN))
			return rs;
	}
	rs = fx_schedule(p, vip, rs_id);
	if (!rs)
		return 0;
	nt.rs_id = *rs_id;
	nt.last_ns = now;
	bpf_map_update_elem(&fx_persist, &pk, &nt, BPF_ANY);
	return rs;
}

/* Keep the client's template alive while one of its flows is. */
static __always_inline void fx_persist_touch(const struct fx_pkt *p, const struct fx_vip *vip,
					     __u32 rs_id, __u64 now)
{
	struct fx_persist_key pk = {};
	struct fx_persist *t;

	if (!vip->persist_s)
		return;
	fx_persist_key_of(p, vip, &pk);
	t = bpf_map_lookup_elem(&fx_persist, &pk);
	if (t && t->rs_id == rs_id)
		t->last_ns = now;
}

/* An existing entry's server, or NULL when the flow must be placed anew:
 * the server was removed (not live), the entry idled out, it belongs to
 * another service (a reused slot), or a SYN reuses the ports of a closed
 * connection. */
static __always_inline struct fx_real *fx_conn_real(const struct fx_conn *c, const struct fx_pkt *p,
						    const struct fx_vip *vip, __u64 now)
{
	__u32 idle;

	if (c->vs_id != vip->vs_id)
		return 0;
	if (p->key.proto == IPPROTO_TCP) {
		if (c->flags & FX_CONN_F_FIN) {
			if ((p->tcp_flags & (FX_TCP_SYN | FX_TCP_ACK)) == FX_TCP_SYN)
				return 0;
			idle = vip->tcp_fin_s;
		} else {
			idle = vip->tcp_idle_s;
		}
	} else {
		idle = vip->udp_idle_s;
	}
	if (fx_stale(now, c->last_ns, idle))
		return 0;
	return fx_live_real(c->rs_id, vip->vs_id);
}

/* The flow's server: its connection-table entry, else a new placement
 * (and a new entry, counted as a connection).  NULL: no usable server. */
static __always_inline struct fx_real *fx_flow(const struct fx_pkt *p, const struct fx_vip *vip,
					       __u64 now, __u32 *rs_id)
{
	int fin = p->key.proto == IPPROTO_TCP && (p->tcp_flags & (FX_TCP_FIN | FX_TCP_RST));
	__u32 flags = fin ? FX_CONN_F_FIN : 0;
	struct fx_conn *c, nc = {};
	struct fx_real *rs;

	c = bpf_map_lookup_elem(&fx_conns, &p->key);
	if (c) {
		rs = fx_conn_real(c, p, vip, now);
		if (rs) {
			*rs_id = c->rs_id;
			/* racy read-modify-write across CPUs: both write "now"
			 * and FIN only ever gets set, so any order is right */
			if (fin && !(c->flags & FX_CONN_F_FIN)) {
				/* no longer active: the least-connection
				 * count lets go of it */
				if (c->flags & FX_CONN_F_COUNTED)
					fx_active_add(c->rs_id, -1);
				c->flags = (c->flags | FX_CONN_F_FIN) & ~FX_CONN_F_COUNTED;
				c->last_ns = now;
				fx_persist_touch(p, vip, *rs_id, now);
			} else if (now > c->last_ns + FX_REFRESH_NS) {
				c->last_ns = now;
				fx_persist_touch(p, vip, *rs_id, now);
			}
			return rs;
		}
	}
	rs = fx_place(p, vip, now, rs_id);
	if (!rs)
		return 0;
	if (c && (c->flags & FX_CONN_F_COUNTED))
		fx_active_add(c->rs_id, -1); /* its old placement ends here */
	if (vip->sched == FX_SCHED_LEAST && !fin) {
		fx_active_add(*rs_id, 1);
		flags |= FX_CONN_F_COUNTED;
	}
	if (c) {
		/* an entry that may not be used any more (closed and its ports
		 * reused by a SYN, idle, server removed) is rewritten in place:
		 * an update would allocate a new LRU node and free the old one,
		 * which is most of a new flow's cost.  A reader on another CPU
		 * that sees the fields half-written gets a vs_id or rs_id that
		 * does not fit and places the flow itself: the same answer. */
		c->rs_id = *rs_id;
		c->vs_id = vip->vs_id;
		c->last_ns = now;
		c->flags = flags;
	} else {
		nc.rs_id = *rs_id;
		nc.vs_id = vip->vs_id;
		nc.last_ns = now;
		nc.flags = flags;
		bpf_map_update_elem(&fx_conns, &p->key, &nc, BPF_ANY);
	}
	fx_stats_add(&fx_vs_stats, vip->vs_id, 0, 0, 1);
	fx_stats_add(&fx_rs_stats, *rs_id, 0, 0, 1);
	return rs;
}

/* DR: the packet goes to the real server's MAC unchanged above L2. */
static __always_inline int fx_dr(struct xdp_md *ctx, const struct fx_real *rs, __u32 *reason)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (!(rs->flags & FX_RS_F_READY)) {
		*reason = FX_G_DROP_NO_MAC;
		return XDP_DROP;
	}
	if ((void *)(eth + 1) > data_end) { /* parsed already: cannot happen */
		*reason = FX_G_PASS_TRUNC;
		return XDP_PASS;
	}
	__builtin_memcpy(eth->h_dest, rs->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, rs->src_mac, ETH_ALEN);
	if (rs->ifindex == ctx->ingress_ifindex) {
		*reason = FX_G_TX;
		return XDP_TX;
	}
	*reason = FX_G_REDIRECT;
	return bpf_redirect(rs->ifindex, 0);
}

SEC("xdp")
int fulcrum_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct fx_vip_key vk = {};
	struct fx_pkt p = {};
	struct fx_vip *vip;
	struct fx_real *rs;
	__u32 reason = FX_G_PASS_NOT_IP, rs_id = FX_RS_NONE;
	int verdict;

	if (fx_parse(data, data_end, &p, &reason) < 0)
		goto pass;
	vk.addr = p.key.dst;
	vk.port = p.key.dport;
	vk.proto = p.key.proto;
	vk.family = p.key.family;
	vip = bpf_map_lookup_elem(&fx_vips, &vk);
	if (!vip || vip->vs_id >= FX_MAX_VS) {
		reason = FX_G_PASS_NOT_VIP;
		goto pass;
	}
	rs = fx_flow(&p, vip, bpf_ktime_get_ns(), &rs_id);
	if (!rs) {
		fx_count(FX_G_DROP_NO_DEST);
		return XDP_DROP;
	}
	/* a local server: the stack that holds the VIP serves the flow
	 * itself, so the packet goes up as it came (IPVS's Local forwarding,
	 * whatever the service's lb_kind) */
	if (rs->flags & FX_RS_F_LOCAL) {
		reason = FX_G_LOCAL;
		verdict = XDP_PASS;
	} else if (vip->flags & FX_VS_F_TUN) {
		verdict = fx_tun(ctx, &p, rs, &reason);
	} else {
		verdict = fx_dr(ctx, rs, &reason);
	}
	fx_count(reason);
	if (verdict == XDP_TX || verdict == XDP_REDIRECT || reason == FX_G_LOCAL) {
		fx_stats_add(&fx_vs_stats, vip->vs_id, 1, p.l3_len, 0);
		fx_stats_add(&fx_rs_stats, rs_id, 1, p.l3_len, 0);
	}
	return verdict;
pass:
	fx_count(reason);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
