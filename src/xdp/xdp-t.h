/* Types of the XDP engine's userspace side (lb_kind DR and TUN).
 *
 * Ownership in one picture:
 *
 *   struct xdp_engine (fc->xdp)  -- the loaded BPF skeleton (or NULL), the
 *     interfaces the program is attached to, the vs_id / rs_id allocators,
 *     every struct xdp_vs (list), the next-hop refresh timer, the
 *     neighbour subscription while a server waits for its MAC
 *       struct xdp_vs            -- one per served virtual service (vs->engine_priv):
 *         its vs_id, its key in fx_vips, its servers (each with an rs_id and
 *         the next hop last resolved), a mirror of its ring block as written
 *
 * The maps are the data plane's whole view: the BPF program never sees
 * the model.  Ids are stable across reloads (the same service keeps its
 * vs_id, the same (service, server address) its rs_id), so a reload
 * rewrites nothing that did not change and flows keep their server.
 *
 * Nothing here keeps a `struct real_server *` across calls: the model frees
 * a deleted real server right after the engine's update.  A server is
 * known by its address and a reference on its rs_live. */
#ifndef FC_XDP_XDP_T_H
#define FC_XDP_XDP_T_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/loop-t.h"
#include "fulcrum_xdp.h"
#include "model/model-t.h"
#include "xdp/xdp_neigh.h"

#define XDP_MAX_IFS  FC_XDP_MAX_IFS
#define XDP_VS_MAGIC 0x78767331u /* "xvs1": engine_priv really is ours */

/* next-hop refresh period: while a DR server is unresolved, else */
#define XDP_NEIGH_FAST_MS 2000
#define XDP_NEIGH_SLOW_MS 30000
/* FX_SCHED_LEAST: how often at most the active counts are rewritten from
 * the connection table (a walk of up to FX_CONN_MAX entries): flows that
 * ended without FIN/RST (idle, evicted) are no longer counted after this */
#define XDP_RECOUNT_MS 30000
/* how long the daemon's start may wait, all services together, for the
 * MACs of its servers (xdp_srv_settle; a later apply never waits: the
 * neighbour events of xdp_pending.c tell when a MAC is known): ARP answers
 * in well under a millisecond on a LAN; a server that does not answer
 * costs this once, at start, then the events and the refresh take over */
#define XDP_NEIGH_WAIT_MS 1000
#define XDP_NEIGH_POLL_MS 5

struct fulcrum_xdp; /* the skeleton ($(BUILD)/bpf/fulcrum_xdp.skel.h) */

/* An interface the program is attached to. */
struct xdp_iface {
	int ifindex;
	char name[IF_NAMESIZE];
	int generic; /* attached in generic (skb) mode; else native */
};

/* One server of a service as the maps hold it. */
struct xdp_srv {
	struct fc_addr addr;   /* ip + port (the port is the VIP's for DR/TUN) */
	struct rs_live *live;  /* one reference */
	uint32_t rs_id;	       /* its fx_reals slot */
	int sorry;	       /* the sorry server: in the ring only when no real
				* server may take new flows */
	int weight;	       /* weight in the ring last built (0 = left out) */
	int in_table;	       /* LIVE: a server of the running model whose flows
				* keep going (up, or down with inhibit_on_failure) */
	int admin;	       /* enum rs_admin when last written (disable drops
				* its persistence templates once) */
	int local;	       /* the server is this host (xdp_addr_local): its
				* flows pass to this host's stack (FX_RS_F_LOCAL);
				* no next hop (nh_ok 0) */
	struct xdp_nexthop nh; /* last lookup */
	int nh_ok;	       /* nh holds a successful lookup */
	struct fc_stats base;  /* live->ctr.main when the slot was taken: the map
				* counts from zero since (sync adds it) */
	struct fx_real real;   /* fx_reals entry as last written */
	int written;	       /* real is in the map */
};

struct xdp_engine;

struct xdp_vs {
	unsigned magic;
	struct xdp_engine *x;
	struct virtual_server *vs;  /* NULL once removed */
	char name[ADDR_STRLEN + 8]; /* "TCP 10.0.0.1:80" for logs */
	uint32_t vs_id;
	int committed; /* its fx_vips entry is (or was) written */
	struct fx_vip_key key;
	struct fx_vip vip;	  /* as last written */
	int ifindex[XDP_MAX_IFS]; /* the interfaces it needs the program on */
	size_t n_if;
	struct xdp_srv *srv; /* real servers in config order, then the sorry server */
	size_t n;
	uint32_t *ring;	      /* FX_RING_SIZE entries as last written */
	struct fx_least_set least; /* FX_SCHED_LEAST: fx_least[vs_id] as last written */
	int least_written;
	struct fc_stats base; /* vs->live->ctr.main when vs_id was taken */
	struct xdp_vs *prev, *next;
};

struct xdp_engine {
	struct loop *loop;
	struct fulcrum_xdp *skel; /* NULL until the first DR/TUN service */
	uint32_t prog_id;
	struct xdp_fds { /* the skeleton's map fds (only xdp_load.c includes
			  * the skeleton: its ELF blob is big) */
		int vips, ring, reals, conns, persist, vs_stats, rs_stats, global, seq, least,
		    active;
	} fd;
	int ncpus; /* libbpf_num_possible_cpus() */
	/* settings of the model being applied (global_defs), copied */
	char ifnames[XDP_MAX_IFS][IF_NAMESIZE];
	size_t n_ifnames;
	int mode; /* enum fc_xdp_mode */

	struct xdp_iface ifs[XDP_MAX_IFS];
	size_t n_ifs;

	uint8_t vs_used[FX_MAX_VS];
	uint8_t rs_used[FX_MAX_RS];
	uint32_t rs_vs[FX_MAX_RS]; /* vs_id owning an rs_id */
	uint32_t rs_next;	   /* round-robin allocation cursor */

	struct xdp_vs *services;
	struct ev_timer neigh; /* next-hop refresh */
	uint8_t lo_fwd_set[2]; /* lo forwarding switched on by us (IPv4, IPv6):
				* switched back off when the program unloads */
	uint64_t recount_at;   /* loop_now() of the last fx_active recount (xdp_stats.c) */
	uint64_t wait_round;   /* loop_now() of the apply that last waited for MACs */
	unsigned wait_left_ms; /* what is left of XDP_NEIGH_WAIT_MS in that apply */
	/* xdp_pending.c: neighbour events while some server waits for its MAC */
	int pend_on;		      /* pend_fd is open and pend_io watched */
	int pend_fd;		      /* RTMGRP_NEIGH subscription */
	struct ev_io pend_io;
	struct ev_timer pend_catch_up; /* one look-up pass at the next loop round */
};

#endif
