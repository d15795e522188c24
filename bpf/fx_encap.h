/* fulcrum XDP: LVS-TUN encapsulation (IPIP, RFC 2003; IPv6-in-IPv6,
 * RFC 2473) and the route to the real server (bpf_fib_lookup).
 *
 * Contract of fx_tun(): takes a parsed packet the program owns and the
 * chosen real server; returns the XDP verdict.  On XDP_DROP *reason is
 * the FX_G_DROP_* counter; on XDP_TX / XDP_REDIRECT the packet is
 * encapsulated and its Ethernet header addresses the next hop.  The
 * route is looked up before the packet is touched, so a dropped packet
 * is never half-built and a passed one never exists here. */
#ifndef FX_ENCAP_H
#define FX_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_xdp.h"
#include "fx_parse.h"

#define FX_TUN_TTL 64
#define FX_FIB_IIF 1	 /* lo: LOOPBACK_IFINDEX in every namespace */
#define FX_L3_MAX  65535 /* an IP length field: the largest packet we build */

/* RFC 1071 checksum of a 20-byte IPv4 header whose check field is 0 */
static __always_inline __u16 fx_ip_csum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The outer route: fills fib (smac, dmac, egress ifindex).
 *
 * The outer packet is the director's own (its source is tun_src), so it
 * is routed as the director's stack routes what it sends: input
 * interface lo (the kernel looks output routes up with iif = lo too), not
 * the interface the client's packet came in on.  The fib helper insists
 * that forwarding is on for that input interface, so the director needs
 * net.ipv4.conf.lo.forwarding=1 / net.ipv6.conf.lo.forwarding=1 (else
 * BPF_FIB_LKUP_RET_FWD_DISABLED -> NO_ROUTE) — harmless on lo, where
 * nothing arrives to be forwarded, unlike forwarding on the public
 * interface, which would make the director a router for anyone. */
static __always_inline int fx_tun_route(struct xdp_md *ctx, const struct fx_pkt *p,
					const struct fx_real *rs, __u32 outer_len,
					struct bpf_fib_lookup *fib, __u32 *reason)
{
	long rc;

	fib->ifindex = FX_FIB_IIF;
	fib->tot_len = outer_len > FX_L3_MAX ? FX_L3_MAX : outer_len;
	if (p->key.family == FX_AF_INET) {
		fib->family = FX_AF_INET;
		fib->tos = p->tos;
		fib->l4_protocol = IPPROTO_IPIP;
		fib->ipv4_src = rs->tun_src.v4;
		fib->ipv4_dst = rs->addr.v4;
	} else {
		fib->family = FX_AF_INET6;
		fib->flowinfo = p->ip_word0 & bpf_htonl(0x0fffffff);
		fib->l4_protocol = IPPROTO_IPV6;
		__builtin_memcpy(fib->ipv6_src, rs->tun_src.v6, 16);
		__builtin_memcpy(fib->ipv6_dst, rs->addr.v6, 16);
	}
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS)
		return 0;
	/* larger than the egress MTU: "too big" (no ICMP is sent back) */
	*reason = rc == BPF_FIB_LKUP_RET_FRAG_NEEDED ? FX_G_DROP_ENCAP : FX_G_DROP_NO_ROUTE;
	return -1;
}

static __always_inline int fx_tun(struct xdp_md *ctx, const struct fx_pkt *p,
				  const struct fx_real *rs, __u32 *reason)
{
	struct bpf_fib_lookup fib = {};
	int v4 = p->key.family == FX_AF_INET;
	int hdr = v4 ? (int)sizeof(struct iphdr) : (int)sizeof(struct ipv6hdr);
	__u32 outer_len = p->l3_len + hdr;
	void *data, *data_end;
	struct ethhdr *eth;

	/* userspace never mixes families; a slot that does is a bug, not a route */
	if (rs->family != p->key.family || (v4 ? outer_len : p->l3_len) > FX_L3_MAX) {
		*reason = FX_G_DROP_ENCAP;
		return XDP_DROP;
	}
	if (fx_tun_route(ctx, p, rs, outer_len, &fib, reason) < 0)
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, -hdr)) {
		*reason = FX_G_DROP_ENCAP;
		return XDP_DROP;
	}
	/* every pointer is stale after adjust_head: start again from ctx */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if (v4) {
		struct iphdr *o = (void *)(eth + 1);

		if ((void *)(o + 1) > data_end) {
			*reason = FX_G_DROP_ENCAP;
			return XDP_DROP;
		}
		__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
		eth->h_proto = bpf_htons(ETH_P_IP);
		o->version = 4;
		o->ihl = 5;
		o->tos = p->tos;
		o->tot_len = bpf_htons(outer_len);
		o->id = 0; /* RFC 6864: no ID needed when DF is set; 0 either way */
		o->frag_off = p->df ? bpf_htons(FX_IP_DF) : 0;
		o->ttl = FX_TUN_TTL;
		o->protocol = IPPROTO_IPIP;
		o->check = 0;
		o->saddr = rs->tun_src.v4;
		o->daddr = rs->addr.v4;
		o->check = fx_ip_csum(o);
	} else {
		struct ipv6hdr *o = (void *)(eth + 1);

		if ((void *)(o + 1) > data_end) {
			*reason = FX_G_DROP_ENCAP;
			return XDP_DROP;
		}
		__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		/* version, traffic class and flow label of the inner packet */
		*(__u32 *)o = p->ip_word0;
		o->payload_len = bpf_htons(p->l3_len);
		o->nexthdr = IPPROTO_IPV6;
		o->hop_limit = FX_TUN_TTL;
		__builtin_memcpy(&o->saddr, rs->tun_src.v6, 16);
		__builtin_memcpy(&o->daddr, rs->addr.v6, 16);
	}
	if (fib.ifindex == ctx->ingress_ifindex) {
		*reason = FX_G_TX;
		return XDP_TX;
	}
	*reason = FX_G_REDIRECT;
	return bpf_redirect(fib.ifindex, 0);
}

#endif
