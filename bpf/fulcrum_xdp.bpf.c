/* fulcrum's XDP program: LVS direct routing (DR) and tunnelling (TUN).
 * Map layout and the contract with userspace: bpf/fulcrum_xdp.h.
 *
 * (Skeleton: the maps are final; the packet path is being written.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "fulcrum_xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FX_MAX_VS);
	__type(key, struct fx_vip_key);
	__type(value, struct fx_vip);
} fx_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FX_MAX_VS * FX_RING_SIZE);
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

/* FX_SCHED_SEQ position, one per CPU and service */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FX_MAX_VS);
	__type(key, __u32);
	__type(value, __u32);
} fx_seq SEC(".maps");

SEC("xdp")
int fulcrum_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
