/* fulcrum's XDP engine: everything the BPF program (bpf/fulcrum_xdp.bpf.c)
 * and userspace (src/xdp/) share — limits, map keys and values, flags,
 * counter indexes.  The one copy: both sides include this file.
 *
 * Division of labour.  Userspace owns every decision that needs the model:
 * which services exist, which servers are usable, their weights, the
 * scheduler's lookup table (Maglev for mh, ...), the next-hop MAC of each
 * DR server.  The BPF program owns only per-packet work: find the service,
 * find or place the flow, rewrite or encapsulate, count.
 *
 * Byte order: addresses and ports in keys are in network order, as they
 * sit in the packet; everything else is host order.
 *
 * Only fixed-width types from <linux/types.h>: the same layout on both
 * sides.  Every struct is padded explicitly (no holes: hash keys compare
 * bytes, so holes must be zero, and explicit padding makes that visible). */
#ifndef FULCRUM_XDP_H
#define FULCRUM_XDP_H

#include <linux/types.h>

/* ---- limits (map sizes) ---- */
#define FX_MAX_VS       256      /* virtual services served by XDP, all together */
#define FX_MAX_RS       4096     /* real-server slots, all services together */
#define FX_RING_SIZE    4093     /* per-service lookup table: a prime (Maglev);
				  * the size IPVS's mh uses by default */
#define FX_CONN_MAX     262144   /* connection-table entries (LRU); userspace may
				  * resize before load */
#define FX_PERSIST_MAX  65536    /* persistence templates (LRU) */
#define FX_RS_NONE      0xffffffffu /* ring entry / rs_id: no server */
#define FX_LEAST_MAX    64       /* servers a least-connection service places
				  * on (fx_least): the first 64 of its list; a
				  * power of two (the program masks with it) */

/* address family as carried in keys (the kernel's AF_* values) */
#define FX_AF_INET      2
#define FX_AF_INET6     10

/* An IP address: IPv4 in the first four bytes (v4), the other twelve zero;
 * IPv6 in all sixteen. */
union fx_addr {
	__be32 v4;
	__be32 v6[4];
	__u8 b[16];
};

/* ---- fx_vips: HASH, key struct fx_vip_key -> struct fx_vip ---- */
struct fx_vip_key {
	union fx_addr addr; /* the VIP */
	__be16 port;        /* VIP port */
	__u8 proto;         /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;        /* FX_AF_* */
};

/* How a new flow picks its slot in the service's ring (fx_ring). */
enum fx_sched {
	FX_SCHED_HASH_SRC = 0, /* mh, sh: ring[hash(client addr [, port]) % FX_RING_SIZE] */
	FX_SCHED_HASH_DST = 1, /* dh: ring[hash(destination addr) % FX_RING_SIZE] */
	FX_SCHED_SEQ = 2,      /* rr, wrr, and what approximates other schedulers
				* (lblc, lblcr, fo, ovf, twos):
				* ring[(fx_seq[vs_id]++) % seq_len]; userspace lays
				* out the weighted sequence in the ring */
	FX_SCHED_LEAST = 3,    /* lc, wlc, sed, nq: the server of fx_least[vs_id]
				* with the least (weighted) fx_active count, as
				* fx_vip.least says; the ring holds the wrr
				* sequence too, unused */
};

/* fx_vip.least: how FX_SCHED_LEAST weighs a server's active flows A
 * against its weight W (IPVS's lc, wlc, sed, nq; the first server of the
 * list wins a tie, as in IPVS). */
enum fx_least {
	FX_LEAST_LC = 0,  /* least A */
	FX_LEAST_WLC = 1, /* least A / W */
	FX_LEAST_SED = 2, /* least (A + 1) / W */
	FX_LEAST_NQ = 3,  /* the first with A = 0, else as SED */
};

#define FX_VS_F_TUN       0x1 /* tunnel (IPIP / IPv6-in-IPv6); else DR (MAC rewrite) */
#define FX_VS_F_HASH_PORT 0x2 /* sh-port / mh-port: the client port is hashed too */

struct fx_vip {
	__u32 vs_id;          /* < FX_MAX_VS: ring block and fx_vs_stats index */
	__u32 flags;          /* FX_VS_F_* */
	__u32 sched;          /* enum fx_sched */
	__u32 seq_len;        /* FX_SCHED_SEQ: ring entries in use (0 = no server) */
	__u32 persist_s;      /* persistence_timeout in seconds; 0 = no persistence */
	__u32 persist_prefix; /* persistence granularity, prefix length (<= 32 / 128) */
	__u32 tcp_idle_s;     /* a TCP flow idle this long is forgotten (placed anew) */
	__u32 tcp_fin_s;      /* ... once a FIN or RST was seen (IPVS: 120 s) */
	__u32 udp_idle_s;     /* a UDP flow idle this long is forgotten */
	__u32 least;          /* FX_SCHED_LEAST: enum fx_least */
};

/* ---- fx_least: ARRAY of struct fx_least_set, FX_MAX_VS entries (index vs_id) ----
 * FX_SCHED_LEAST: the servers that may take new flows, in list order, with
 * their weights (> 0).  Written by userspace before fx_vips points at it. */
struct fx_least_set {
	__u32 n;                       /* entries in use (<= FX_LEAST_MAX) */
	__u32 pad;
	__u32 rs_id[FX_LEAST_MAX];
	__u32 weight[FX_LEAST_MAX];
};

/* ---- fx_active: ARRAY of __s64, FX_MAX_RS entries (index rs_id) ----
 * FX_SCHED_LEAST services only: the flows of the slot that count as active
 * (TCP before FIN/RST, UDP), one counter for the whole machine (atomic
 * adds).  +1 when a flow is placed on the slot, -1 when that flow sees
 * its first FIN/RST or is placed anew (FX_CONN_F_COUNTED marks the
 * entries counted).  A flow that ends without either (idle, evicted) is
 * not taken off here: userspace rewrites the counts from the connection
 * table from time to time (src/xdp/xdp_stats.c).  May go below zero by a
 * race: read as 0. */

/* ---- fx_ring: ARRAY of __u32 rs_id, FX_MAX_VS * FX_RING_SIZE entries ----
 * Service vs_id owns entries [vs_id * FX_RING_SIZE, (vs_id + 1) * FX_RING_SIZE).
 * Every entry is an rs_id whose server may take new flows, or FX_RS_NONE
 * when the service has no such server (the packet is dropped and counted
 * FX_G_DROP_NO_DEST).  Userspace rewrites entries in place; a packet that
 * sees a half-rewritten ring still lands on a valid server. */

/* ---- fx_seq: ARRAY of __u64, FX_MAX_VS entries (index vs_id) ----
 * FX_SCHED_SEQ: how many flows the service's sequence has placed; the next
 * new flow takes ring slot (value % seq_len).  One counter for the whole
 * machine, advanced with an atomic fetch-and-add by a flow's first packet
 * only, so consecutive new flows walk the sequence exactly as IPVS's
 * single rr/wrr cursor does, whichever CPUs they arrive on.  Userspace sets
 * it when the sequence changes (the next server IPVS would pick) and
 * leaves it alone otherwise (a reload that changes nothing keeps it). */

/* ---- fx_reals: ARRAY of struct fx_real, FX_MAX_RS entries (index rs_id) ---- */
#define FX_RS_F_LIVE  0x1 /* slot holds a server of the running model: its
			   * established flows keep going to it.  Clear = the
			   * server was removed (deleted, or down without
			   * inhibit_on_failure): its flows are placed anew
			   * (IPVS expire_nodest_conn=1) */
#define FX_RS_F_READY 0x2 /* DR: mac/src_mac/ifindex are known; a live server
			   * that is not ready gets its packets dropped
			   * (FX_G_DROP_NO_MAC), never passed to the director's stack */
#define FX_RS_F_LOCAL 0x4 /* the server is this host (IPVS forwarding "Local":
			   * 127.0.0.0/8, ::1 or an address of an interface):
			   * its flows are passed unchanged to the director's
			   * own stack (FX_G_LOCAL), which holds the VIP; mac,
			   * ifindex and tun_src are unused, READY is not needed */

struct fx_real {
	union fx_addr addr;    /* the real server's address (TUN outer destination) */
	union fx_addr tun_src; /* TUN: outer source address (the director's own) */
	__u8 family;           /* FX_AF_* of addr and tun_src */
	__u8 flags;            /* FX_RS_F_* */
	__u8 mac[6];           /* DR: destination MAC (the server's) */
	__u8 src_mac[6];       /* DR: source MAC (the egress interface's) */
	__u16 pad;
	__u32 ifindex;         /* DR: egress interface; XDP_TX when it is the
				* ingress one, else bpf_redirect() */
	__u32 vs_id;           /* the service it belongs to */
};

/* ---- fx_conns: LRU_HASH, struct fx_flow_key -> struct fx_conn ---- */
struct fx_flow_key {
	union fx_addr src;   /* client */
	union fx_addr dst;   /* VIP */
	__be16 sport, dport;
	__u8 proto;
	__u8 family;
	__u16 pad;           /* zero */
};

#define FX_CONN_F_FIN     0x1 /* TCP: a FIN or RST was seen (IPVS "inactive") */
#define FX_CONN_F_COUNTED 0x2 /* counted in fx_active[rs_id] (FX_SCHED_LEAST) */

struct fx_conn {
	__u32 rs_id;
	__u32 vs_id;
	__u64 last_ns;       /* bpf_ktime_get_ns() of the last packet, refreshed at
			      * most once a second (it costs a map write) */
	__u32 flags;         /* FX_CONN_F_* */
	__u32 pad;
};

/* ---- fx_persist: LRU_HASH, struct fx_persist_key -> struct fx_persist ----
 * IPVS persistence templates: a client (its address masked to the
 * granularity) sticks to one server for persist_s after its last flow. */
struct fx_persist_key {
	union fx_addr client; /* masked to persist_prefix */
	__u32 vs_id;
	__u8 family;
	__u8 pad[3];
};

struct fx_persist {
	__u32 rs_id;
	__u32 pad;
	__u64 last_ns;       /* refreshed with the flows that use it */
};

/* ---- fx_vs_stats [FX_MAX_VS], fx_rs_stats [FX_MAX_RS]: PERCPU_ARRAY ----
 * Director-side view: DR and TUN only see client -> server packets, so
 * there are only "in" counters (as ipvsadm --stats shows for DR). */
struct fx_stats {
	__u64 pkts;
	__u64 bytes;         /* L3 length of the packet as received (before encap) */
	__u64 conns;         /* flows placed (new connection-table entries) */
};

/* ---- fx_global: PERCPU_ARRAY of __u64, FX_G_MAX entries ----
 * Why packets were passed or dropped: `fulcrumctl show xdp` prints these. */
enum fx_global {
	FX_G_PASS_NOT_IP = 0,  /* not IPv4/IPv6 (ARP...) */
	FX_G_PASS_VLAN,        /* 802.1Q/802.1ad tagged: passed deliberately */
	FX_G_PASS_NOT_VIP,     /* not for a configured VIP:port/protocol */
	FX_G_PASS_FRAG,        /* IPv4 fragment or IPv6 fragment header */
	FX_G_PASS_EXTHDR,      /* IPv6 extension header before L4 */
	FX_G_PASS_TRUNC,       /* headers shorter than they claim */
	FX_G_PASS_ICMP,        /* ICMP to a VIP: the director's stack answers */
	FX_G_DROP_NO_DEST,     /* service has no usable server */
	FX_G_DROP_NO_MAC,      /* DR server not resolved yet */
	FX_G_DROP_NO_ROUTE,    /* TUN: bpf_fib_lookup found no route / neighbour */
	FX_G_DROP_ENCAP,       /* TUN: could not grow the packet, or too big */
	FX_G_TX,               /* sent back out of the ingress interface */
	FX_G_REDIRECT,         /* sent out of another interface */
	FX_G_LOCAL,            /* passed unchanged to this host's stack: the
				* flow's server is local (FX_RS_F_LOCAL) */
	FX_G_MAX
};

#endif
