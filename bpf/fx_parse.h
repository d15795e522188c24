/* fulcrum XDP: header parsing.  Everything the program later needs from the
 * packet is copied into struct fx_pkt here, after one bounds check per
 * header against data_end and against the lengths the IP header claims.
 *
 * Contract of fx_parse(): returns -1 and sets *reason (an FX_G_PASS_*
 * counter) when the packet is not ours to touch; returns 0 with p filled
 * when it is a TCP or UDP packet, not a fragment, with a complete L4
 * header inside both the frame and the IP length.  It never writes to
 * the packet. */
#ifndef FX_PARSE_H
#define FX_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_xdp.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define FX_IP_MF     0x2000 /* IPv4 "more fragments" */
#define FX_IP_OFFSET 0x1fff /* IPv4 fragment offset */
#define FX_IP_DF     0x4000 /* IPv4 "don't fragment" */
#define FX_TCP_FIN   0x01
#define FX_TCP_SYN   0x02
#define FX_TCP_RST   0x04
#define FX_TCP_ACK   0x10
#define FX_TCP_HLEN  20 /* the fixed TCP header: a shorter one is not TCP */
#define FX_UDP_HLEN  8

/* What the rest of the program knows about a packet it owns. */
struct fx_pkt {
	struct fx_flow_key key; /* src, dst, sport, dport, proto, family */
	__u32 l3_len;		/* IPv4 tot_len / IPv6 payload_len + 40 */
	__u32 ip_word0;		/* IPv6: version/class/flow label, network order */
	__u8 tos;		/* IPv4 TOS (copied to the TUN outer header) */
	__u8 df;		/* IPv4 DF set (copied to the TUN outer header) */
	__u8 tcp_flags;		/* TCP flags byte; 0 for UDP */
	__u8 pad;
};

/* IPv6 extension headers that may sit before the L4 header (RFC 8200
 * 4.1, plus the ones IANA lists since); all passed, never walked. */
static __always_inline int fx_ipv6_exthdr(__u8 nh)
{
	switch (nh) {
	case 0:	  /* hop-by-hop */
	case 43:  /* routing */
	case 50:  /* ESP */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
		return 1;
	}
	return 0;
}

/* The ports and (TCP) flags at l4, which must lie inside both data_end
 * and the IP packet's own end (l3_end: Ethernet padding is not L4). */
static __always_inline int fx_parse_l4(void *l4, void *l3_end, void *data_end, struct fx_pkt *p,
				       __u32 *reason)
{
	__be16 *ports = l4;
	__u8 *b = l4;

	if (p->key.proto == IPPROTO_TCP) {
		if (l4 + FX_TCP_HLEN > data_end || l4 + FX_TCP_HLEN > l3_end)
			goto trunc;
		p->tcp_flags = b[13];
	} else {
		if (l4 + FX_UDP_HLEN > data_end || l4 + FX_UDP_HLEN > l3_end)
			goto trunc;
	}
	p->key.sport = ports[0];
	p->key.dport = ports[1];
	return 0;
trunc:
	*reason = FX_G_PASS_TRUNC;
	return -1;
}

static __always_inline int fx_parse_v4(void *l3, void *data_end, struct fx_pkt *p, __u32 *reason)
{
	struct iphdr *iph = l3;
	__u32 ihl, tot;
	__u16 frag;

	if ((void *)(iph + 1) > data_end) {
		*reason = FX_G_PASS_TRUNC;
		return -1;
	}
	if (iph->version != 4) {
		*reason = FX_G_PASS_NOT_IP;
		return -1;
	}
	ihl = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	/* options must be in the frame; the claimed length must cover the
	 * header and lie in the frame (a shorter frame is truncated) */
	if (ihl < sizeof(*iph) || tot < ihl || l3 + ihl > data_end || l3 + tot > data_end) {
		*reason = FX_G_PASS_TRUNC;
		return -1;
	}
	frag = bpf_ntohs(iph->frag_off);
	if (frag & (FX_IP_MF | FX_IP_OFFSET)) {
		*reason = FX_G_PASS_FRAG;
		return -1;
	}
	if (iph->protocol == IPPROTO_ICMP) {
		*reason = FX_G_PASS_ICMP;
		return -1;
	}
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP) {
		*reason = FX_G_PASS_NOT_VIP;
		return -1;
	}
	p->key.family = FX_AF_INET;
	p->key.proto = iph->protocol;
	p->key.src.v4 = iph->saddr;
	p->key.dst.v4 = iph->daddr;
	p->l3_len = tot;
	p->tos = iph->tos;
	p->df = !!(frag & FX_IP_DF);
	return fx_parse_l4(l3 + ihl, l3 + tot, data_end, p, reason);
}

static __always_inline int fx_parse_v6(void *l3, void *data_end, struct fx_pkt *p, __u32 *reason)
{
	struct ipv6hdr *ip6 = l3;
	__u32 tot;
	__u8 nh;

	if ((void *)(ip6 + 1) > data_end) {
		*reason = FX_G_PASS_TRUNC;
		return -1;
	}
	if (ip6->version != 6) {
		*reason = FX_G_PASS_NOT_IP;
		return -1;
	}
	tot = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
	if (l3 + tot > data_end) {
		*reason = FX_G_PASS_TRUNC;
		return -1;
	}
	nh = ip6->nexthdr;
	if (nh == IPPROTO_FRAGMENT) {
		*reason = FX_G_PASS_FRAG;
		return -1;
	}
	if (fx_ipv6_exthdr(nh)) {
		*reason = FX_G_PASS_EXTHDR;
		return -1;
	}
	if (nh == IPPROTO_ICMPV6) {
		*reason = FX_G_PASS_ICMP;
		return -1;
	}
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP) {
		*reason = FX_G_PASS_NOT_VIP;
		return -1;
	}
	p->key.family = FX_AF_INET6;
	p->key.proto = nh;
	__builtin_memcpy(&p->key.src, &ip6->saddr, 16);
	__builtin_memcpy(&p->key.dst, &ip6->daddr, 16);
	p->l3_len = tot;
	p->ip_word0 = *(__u32 *)ip6;
	return fx_parse_l4(l3 + sizeof(*ip6), l3 + tot, data_end, p, reason);
}

/* Ethernet, then IPv4 or IPv6.  VLAN-tagged frames are passed on purpose:
 * the director's stack (a VLAN device) owns them. */
static __always_inline int fx_parse(void *data, void *data_end, struct fx_pkt *p, __u32 *reason)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end) {
		*reason = FX_G_PASS_TRUNC;
		return -1;
	}
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return fx_parse_v4(eth + 1, data_end, p, reason);
	case bpf_htons(ETH_P_IPV6):
		return fx_parse_v6(eth + 1, data_end, p, reason);
	case bpf_htons(ETH_P_8021Q):
	case bpf_htons(ETH_P_8021AD):
		*reason = FX_G_PASS_VLAN;
		return -1;
	}
	*reason = FX_G_PASS_NOT_IP;
	return -1;
}

#endif
