/* fulcrum's TUN decapsulator: the real-server side of `lb_kind TUN` on a
 * kernel without ipip/ip6_tunnel devices.  Maps and the contract with
 * userspace: bpf/fulcrum_decap.h; loaded by `fulcrum realserver start --decap`.
 *
 * A frame is decapsulated when all of these hold:
 *   - Ethernet, optionally one 802.1Q/802.1ad tag (kept as it is);
 *   - outer IPv4 with protocol 4 (IPIP) or 41 (IPv6 in IPv4), or outer IPv6
 *     with next header 41 (IPv6 in IPv6) or 4 (IPv4 in IPv6), the IPv6 one
 *     possibly behind one Destination Options header (RFC 2473's tunnel
 *     encapsulation limit);
 *   - the outer header is whole: IPv4 IHL honoured (options are stripped
 *     with it), the header checksum right, the total / payload length within
 *     the frame, not a fragment;
 *   - the outer destination is one of this host's addresses (fd_locals) and
 *     the inner header's destination one of the VIPs (fd_vips).
 * Then the outer IP header is removed, the Ethernet header (MACs and tag
 * kept) moved up against the inner header with its type set for the inner
 * family, and the frame passed to the stack, which receives the client's
 * packet on the same interface.  Every other frame is passed untouched: the
 * program never drops.  Every read is checked against data_end first. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_decap.h"

/* inner destinations accepted: the VIPs */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FD_MAX_VIPS);
	__type(key, struct fd_addr_key);
	__type(value, __u32);
} fd_vips SEC(".maps");

/* outer destinations accepted: this host's addresses */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FD_MAX_LOCALS);
	__type(key, struct fd_addr_key);
	__type(value, __u32);
} fd_locals SEC(".maps");

/* why tunnel packets were decapsulated or passed (enum fd_counter) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FD_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fd_stats SEC(".maps");

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* IPv6 fragment header (RFC 8200 4.5) */
struct frag6 {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

static __always_inline int count(__u32 c)
{
	__u64 *v = bpf_map_lookup_elem(&fd_stats, &c);

	if (v)
		*v += 1;
	return XDP_PASS;
}

static __always_inline int known(void *map, __u8 family, const void *addr)
{
	struct fd_addr_key k = {.family = family};

	if (family == FD_AF_INET)
		__builtin_memcpy(&k.addr.v4, addr, 4);
	else
		__builtin_memcpy(k.addr.b, addr, 16);
	return bpf_map_lookup_elem(map, &k) != NULL;
}

/* 1 if the IPv4 header of hlen bytes (20..60) at offset off of the frame
 * sums to 0xffff.  The header is copied out first: a loop over packet
 * pointers with a variable bound is hard to prove safe, a copy of a
 * zero-filled 60-byte buffer is not (the zeros past hlen add nothing). */
static __always_inline int ip4_csum_ok(struct xdp_md *ctx, __u32 off, __u32 hlen)
{
	__u16 w[30] = {0};
	__u32 sum = 0;
	int i;

	if (hlen < 20 || hlen > sizeof(w) || bpf_xdp_load_bytes(ctx, off, w, hlen))
		return 0;
	for (i = 0; i < 30; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The outer IPv4 header at l3: its length into *outer_len and the inner
 * protocol into *inner, or the verdict-to-be (XDP_PASS after counting)
 * through the return value: 0 = a tunnel packet for us, 1 = pass. */
static __always_inline int outer4(struct xdp_md *ctx, void *data, void *end, __u32 l2,
				  __u32 *outer_len, __u8 *inner)
{
	struct iphdr *iph = data + l2;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > end || iph->version != 4)
		return 1;
	if (iph->protocol != IPPROTO_IPIP && iph->protocol != IPPROTO_IPV6)
		return 1;
	hlen = (__u32)iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	if (hlen < sizeof(*iph) || (void *)iph + hlen > end || tot < hlen ||
	    (__u64)(end - data) < (__u64)l2 + tot) {
		count(FD_C_PASS_BAD);
		return 1;
	}
	if (iph->frag_off & bpf_htons(0x3fff)) { /* MF or an offset */
		count(FD_C_PASS_FRAG);
		return 1;
	}
	if (!ip4_csum_ok(ctx, l2, hlen)) {
		count(FD_C_PASS_BAD);
		return 1;
	}
	if (!known(&fd_locals, FD_AF_INET, &iph->daddr)) {
		count(FD_C_PASS_NOT_LOCAL);
		return 1;
	}
	*outer_len = hlen;
	*inner = iph->protocol;
	return 0;
}

/* The same for an outer IPv6 header. */
static __always_inline int outer6(void *data, void *end, __u32 l2, __u32 *outer_len, __u8 *inner)
{
	struct ipv6hdr *ip6 = data + l2;
	__u32 off = sizeof(*ip6), plen;
	__u8 nh;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return 1;
	nh = ip6->nexthdr;
	if (nh == IPPROTO_DSTOPTS) {
		__u8 *opt = (void *)(ip6 + 1);

		if ((void *)(opt + 2) > end)
			return 1;
		nh = opt[0];
		off += ((__u32)opt[1] + 1) * 8;
		if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6 && nh != IPPROTO_FRAGMENT)
			return 1;
	}
	if (nh == IPPROTO_FRAGMENT) {
		struct frag6 *fh = (void *)ip6 + off;

		if ((void *)(fh + 1) <= end &&
		    (fh->nexthdr == IPPROTO_IPIP || fh->nexthdr == IPPROTO_IPV6))
			count(FD_C_PASS_FRAG);
		return 1;
	}
	if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6)
		return 1;
	plen = bpf_ntohs(ip6->payload_len);
	if (plen == 0 /* jumbogram */ || sizeof(*ip6) + plen < off ||
	    (__u64)(end - data) < (__u64)l2 + sizeof(*ip6) + plen) {
		count(FD_C_PASS_BAD);
		return 1;
	}
	if (!known(&fd_locals, FD_AF_INET6, &ip6->daddr)) {
		count(FD_C_PASS_NOT_LOCAL);
		return 1;
	}
	*outer_len = off;
	*inner = nh;
	return 0;
}

/* One frame whose link header is l2 bytes long (14, or 18 with a tag) and
 * whose outer network protocol is proto.  l2 is a constant at each call so
 * that the header copy below has a constant size. */
static __always_inline int decap(struct xdp_md *ctx, const __u32 l2, __be16 proto)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 hdr[sizeof(struct ethhdr) + sizeof(struct vlan_tag)];
	__u32 outer_len = 0;
	__u8 inner = 0, family;
	__be16 new_proto;
	void *in;

	if (proto == bpf_htons(ETH_P_IP)) {
		if (outer4(ctx, data, end, l2, &outer_len, &inner))
			return XDP_PASS;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (outer6(data, end, l2, &outer_len, &inner))
			return XDP_PASS;
	} else {
		return XDP_PASS;
	}
	if (outer_len > 2048) /* bounds the offset below for the verifier */
		return count(FD_C_PASS_BAD);
	in = data + l2 + outer_len;
	if (inner == IPPROTO_IPIP) {
		struct iphdr *iph = in;

		if ((void *)(iph + 1) > end || iph->version != 4)
			return count(FD_C_PASS_BAD);
		if (!known(&fd_vips, FD_AF_INET, &iph->daddr))
			return count(FD_C_PASS_NOT_VIP);
		new_proto = bpf_htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6 = in;

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return count(FD_C_PASS_BAD);
		if (!known(&fd_vips, FD_AF_INET6, &ip6->daddr))
			return count(FD_C_PASS_NOT_VIP);
		new_proto = bpf_htons(ETH_P_IPV6);
	}
	family = proto == bpf_htons(ETH_P_IP) ? FD_AF_INET : FD_AF_INET6;

	/* Keep the link header, drop the outer IP header, put it back. */
	if ((void *)((__u8 *)data + l2) > end)
		return XDP_PASS;
	__builtin_memcpy(hdr, data, l2);
	if (bpf_xdp_adjust_head(ctx, (int)outer_len))
		return count(FD_C_PASS_BAD); /* the frame is as it was */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* The inner header (>= 20 bytes) is there, so this cannot fail; if
	 * it did, the frame has lost its link header already. */
	if ((void *)((__u8 *)data + l2) > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, hdr, l2);
	*(__be16 *)((__u8 *)data + l2 - 2) = new_proto;
	count(family == FD_AF_INET ? FD_C_DECAP4 : FD_C_DECAP6);
	return XDP_PASS;
}

SEC("xdp")
int fulcrum_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_tag *tag;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q) && eth->h_proto != bpf_htons(ETH_P_8021AD))
		return decap(ctx, sizeof(*eth), eth->h_proto);
	tag = (void *)(eth + 1);
	if ((void *)(tag + 1) > end)
		return XDP_PASS;
	return decap(ctx, sizeof(*eth) + sizeof(*tag), tag->proto);
}

char LICENSE[] SEC("license") = "GPL";
