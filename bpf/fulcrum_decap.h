/* fulcrum's TUN decapsulator (bpf/fulcrum_decap.bpf.c) and the real-server
 * command that loads it (src/realserver/): the maps both sides share.
 *
 * Division of labour.  `fulcrum realserver start --decap` loads one copy of
 * the program per interface, fills its maps and attaches it (XDP, through
 * netlink, so the attachment outlives the process).  Later runs find the
 * attached program again by its name (FD_PROG_NAME) and its maps by theirs
 * (through the program's map ids): nothing is pinned.  The program only
 * reads the address maps and counts.
 *
 * Byte order: addresses in network order, as they sit in the packet. */
#ifndef FULCRUM_DECAP_H
#define FULCRUM_DECAP_H

#include <linux/types.h>

#define FD_PROG_NAME  "fulcrum_decap" /* the XDP program's (kernel) name */
#define FD_MAP_VIPS   "fd_vips"
#define FD_MAP_LOCALS "fd_locals"
#define FD_MAP_STATS  "fd_stats"

#define FD_MAX_VIPS   1024 /* inner destinations accepted */
#define FD_MAX_LOCALS 1024 /* outer destinations accepted */

#define FD_AF_INET  2  /* AF_INET */
#define FD_AF_INET6 10 /* AF_INET6 */

/* ---- fd_vips, fd_locals: HASH, struct fd_addr_key -> __u32 (unused, 1) ----
 * fd_vips: the VIPs a decapsulated packet may be addressed to (the inner
 * destination).  fd_locals: this host's own addresses (the outer
 * destination); `start` fills it from the addresses the host has at that
 * time, a later `start` refreshes it. */
struct fd_addr_key {
	__u8 family; /* FD_AF_* */
	__u8 pad[3]; /* zero */
	union {
		__be32 v4; /* IPv4: the other twelve bytes are zero */
		__be32 v6[4];
		__u8 b[16];
	} addr;
};

/* ---- fd_stats: PERCPU_ARRAY of __u64, FD_C_MAX entries ---- */
enum fd_counter {
	FD_C_DECAP4 = 0,     /* an IPv4 outer header was stripped */
	FD_C_DECAP6,	     /* an IPv6 outer header was stripped */
	FD_C_PASS_NOT_VIP,   /* a tunnel packet whose inner destination is no VIP */
	FD_C_PASS_NOT_LOCAL, /* a tunnel packet whose outer destination is not ours */
	FD_C_PASS_FRAG,	     /* outer IPv4 fragment / IPv6 fragment header */
	FD_C_PASS_BAD,	     /* truncated or malformed tunnel packet, bad outer checksum */
	FD_C_MAX
};

#endif
