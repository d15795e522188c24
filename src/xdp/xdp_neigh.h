/* Next hop of a real server for the XDP engine, from the kernel's routing
 * and neighbour tables (rtnetlink).  The BPF program cannot resolve a MAC
 * itself, so the control plane looks it up here and refreshes it.
 *
 * Every call opens a private NETLINK_ROUTE socket (core/netlink's vnl_open:
 * blocking, one-second receive timeout), asks, and closes it: a handful of
 * syscalls, cheap enough for a periodic refresh, and no state to keep.  All
 * calls act in the caller's network namespace.  Never blocks on the
 * network: resolution is only triggered, never waited for; its answer is
 * learnt from the neighbour subscription below (xdp_pending.c). */
#ifndef FC_XDP_XDP_NEIGH_H
#define FC_XDP_XDP_NEIGH_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

struct xdp_nexthop {
	int ifindex;	    /* egress interface toward the server */
	uint8_t mac[6];	    /* the next hop's MAC (the server's when onlink; valid when resolved) */
	uint8_t src_mac[6]; /* the egress interface's MAC (zero if it has no Ethernet address) */
	struct fc_addr src; /* preferred source address toward it (TUN outer source; RTA_PREFSRC,
			     * else the first address of that family on the interface,
			     * global scope first); family 0 if the interface has none */
	int onlink;	    /* 1: directly on a connected network (no gateway) */
	struct fc_addr hop; /* the neighbour looked up: the server when onlink,
			     * else the gateway */
	int resolved;	    /* 1: mac is the neighbour entry's lladdr
			     * (REACHABLE/STALE/DELAY/PROBE/PERMANENT) */
};

/* Route lookup (RTM_GETROUTE for addr) + neighbour lookup (RTM_GETNEIGH of
 * the next hop: addr when onlink, else the gateway) in the caller's netns.
 * When the next hop has no usable neighbour entry, resolution is triggered
 * without blocking (one empty UDP datagram to addr port 9, the discard
 * port, from a throw-away socket: the kernel ARPs / sends NS) and 0 comes
 * back with resolved = 0; the caller retries later.  A STALE entry counts
 * as resolved, and gets the same nudge: XDP traffic bypasses the kernel's
 * neighbour code, so without it the entry would never be confirmed and
 * would be garbage-collected.  -1 with err when there is no route, or addr
 * is an address of this host. */
int xdp_nexthop_lookup(const struct fc_addr *addr, struct xdp_nexthop *nh, char *err,
		       size_t errlen);

/* Is addr this host (the kernel routes it as RTN_LOCAL: 127.0.0.0/8, ::1,
 * an address of any interface)?  1 or 0; -1 with err when the route
 * lookup fails (no route at all). */
int xdp_addr_local(const struct fc_addr *addr, char *err, size_t errlen);

/* The interface that holds addr as a local address (ifindex > 0), 0 if
 * none, -1 on error. */
int xdp_addr_owner(const struct fc_addr *addr, char *err, size_t errlen);

/* The output interface of the route to addr (> 0; lo's for an address of
 * this host), -1 with err when none. */
int xdp_route_oif(const struct fc_addr *addr, char *err, size_t errlen);

/* Subscription to neighbour changes (RTMGRP_NEIGH: ARP and ND entries of
 * every interface): a non-blocking, close-on-exec descriptor to watch for
 * EPOLLIN; returns it, or -1 with err. */
int xdp_neigh_sub_open(char *err, size_t errlen);

/* An entry that now has a usable MAC (the states xdp_nexthop_lookup takes
 * as resolved): its address (port 0) and interface. */
typedef void (*xdp_neigh_cb)(const struct fc_addr *dst, int ifindex, void *arg);

/* Drains the subscription: cb for each RTM_NEWNEIGH with a usable state
 * and a 6-byte lladdr, until the socket would block.  0, 1 when the
 * kernel dropped events (ENOBUFS: the caller must look up again whatever
 * it waits for), -1 with err on another error. */
int xdp_neigh_sub_read(int fd, xdp_neigh_cb cb, void *arg, char *err, size_t errlen);

#endif
