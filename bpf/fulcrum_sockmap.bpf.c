/* The proxy's kernel fast path (proxy_relay sockmap): an sk_skb stream
 * verdict program that moves the bytes a relayed socket receives straight
 * to its peer's send queue, so a relayed request costs fulcrum no wake-up.
 * Maps and the contract with userspace: bpf/fulcrum_sockmap.h.
 *
 * The program never looks into the data: the whole chunk goes to the peer.
 * FIN and RST are not data (a FIN alone comes as an empty chunk, dropped); userspace learns them from
 * epoll as before (EPOLLRDHUP / EPOLLERR) and forwards the half-close. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_sockmap.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, FSK_MAX_SOCKS);
	__type(key, __u64);
	__type(value, __u32); /* a socket descriptor, from userspace */
} fsk_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FSK_MAX_SOCKS);
	__type(key, __u64);
	__type(value, struct fsk_link);
} fsk_links SEC(".maps");

SEC("sk_skb/stream_verdict")
int fulcrum_sockmap(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct fsk_link *l = bpf_map_lookup_elem(&fsk_links, &cookie);

	/* the skb that carried a FIN may come with no data: sent on, the peer's
	 * backlog would take its 0 bytes for a broken pipe and stop */
	if (!l || !skb->len)
		return SK_DROP;
	__sync_fetch_and_add(&l->bytes, skb->len);
	__sync_fetch_and_add(&l->segs, 1);
	/* flags 0: to the peer's egress (its send queue), not its ingress */
	return bpf_sk_redirect_hash(skb, &fsk_socks, &l->peer, 0);
}

char LICENSE[] SEC("license") = "GPL";
