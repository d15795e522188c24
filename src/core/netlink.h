/* A small rtnetlink client: interface indexes, link state, addresses (VRRP's
 * VIPs, the real-server side's VIP on lo, the XDP engine's neighbours).
 *
 * Requests (add/del/query) are blocking request/ack exchanges on a private
 * NETLINK_ROUTE socket: the kernel answers these at once, from the calling
 * thread's context, so a call costs one round trip (a receive timeout of one
 * second bounds a kernel that does not answer).  Link changes for
 * track_interface come through a separate non-blocking socket subscribed to
 * RTMGRP_LINK that the event loop watches.
 *
 * All calls act in the caller's network namespace (the one current when the
 * socket was opened).  0/-1 with an error sentence, as everywhere.
 */
#ifndef FC_CORE_NETLINK_H
#define FC_CORE_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Big enough for any single answer (a link message with its statistics is
 * the largest); dumps come in several reads of this. */
#define VNL_BUFSZ 32768

struct vnl {
	int fd;	      /* NETLINK_ROUTE, blocking with SO_RCVTIMEO; -1 = closed */
	uint32_t seq; /* last sequence number sent */
	uint32_t pid; /* our port id, as the kernel assigned it */
};

int vnl_open(struct vnl *nl, char *err, size_t errlen);

struct nlmsghdr;
/* Appends attribute (type, data, len) to the message nh, whose buffer holds
 * cap bytes; 0, or -1 when it does not fit (nh unchanged). */
int vnl_put_attr(struct nlmsghdr *nh, size_t cap, unsigned short type, const void *data,
		 size_t len);
/* Sends req (numbered here) and copies the answer of type want into out
 * (at most outlen bytes).  0, or -1 with *kerr = the kernel's errno (0 when
 * the failure was ours) and err filled. */
int vnl_get(struct vnl *nl, struct nlmsghdr *req, int want, void *out, size_t outlen, int *kerr,
	    char *err, size_t errlen);
/* Sends a dump request and hands each answer to fn until NLMSG_DONE; the
 * dump is always read to its end so the socket stays in step. */
int vnl_dump(struct vnl *nl, struct nlmsghdr *req,
	     void (*fn)(const struct nlmsghdr *nh, void *arg), void *arg, char *err,
	     size_t errlen);
void vnl_close(struct vnl *nl);

/* Index of the interface called name (> 0), or -1 when there is none. */
int vnl_ifindex(const char *name, char *err, size_t errlen);

/* Adds addr/prefix on ifindex.  label (IPv4 only; NULL or "" = none) must be
 * shorter than IF_NAMESIZE; IPv6 has no labels, so it is ignored there.
 * IPv6 addresses go in with IFA_F_NODAD so they serve at once (a VIP moved
 * from a dead master must not wait out duplicate detection).  An address that
 * is already there is success (a re-entry into MASTER re-adds every VIP). */
int vnl_addr_add(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		 const char *label, char *err, size_t errlen);
/* The lifetime the kernel reads as "forever" (INFINITY_LIFE_TIME). */
#define VNL_LFT_FOREVER 0xffffffffu
/* vnl_addr_add with a preferred lifetime in seconds (the valid lifetime stays
 * forever): 0 adds the address deprecated, so the kernel never picks it as a
 * source when another address fits (RFC 6724 rule 3) yet it still receives;
 * VNL_LFT_FOREVER sends no IFA_CACHEINFO, exactly vnl_addr_add. */
int vnl_addr_add_lft(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		     const char *label, uint32_t preferred_lft, char *err, size_t errlen);
/* Removes addr/prefix from ifindex; an address that is not there is success. */
int vnl_addr_del(struct vnl *nl, int ifindex, const struct fc_addr *addr, unsigned prefix,
		 char *err, size_t errlen);
/* *present = 1 if addr is on ifindex (any prefix), else 0.  ifindex 0 = on
 * any interface. */
int vnl_addr_present(struct vnl *nl, int ifindex, const struct fc_addr *addr, int *present,
		     char *err, size_t errlen);

/* The interface's flags (IFF_UP, IFF_RUNNING, IFF_LOWER_UP...) from RTM_GETLINK. */
int vnl_link_flags(struct vnl *nl, int ifindex, unsigned *flags, char *err, size_t errlen);

/* Subscription to rtnetlink multicast groups (RTMGRP_* bits): a
 * non-blocking, close-on-exec descriptor to watch for EPOLLIN; returns it,
 * or -1. */
int vnl_sub_open(unsigned groups, char *err, size_t errlen);

typedef void (*vnl_msg_cb)(const struct nlmsghdr *nh, void *arg);

/* Drains a subscription: cb for each message from the kernel until the
 * socket would block.  Returns 0, 1 when the kernel dropped events
 * (ENOBUFS: the caller must re-read the state it tracks), or -1 on another
 * error. */
int vnl_sub_read(int fd, vnl_msg_cb cb, void *arg, char *err, size_t errlen);

/* Subscription to link changes (RTMGRP_LINK): a non-blocking, close-on-exec
 * descriptor to watch for EPOLLIN; returns it, or -1. */
int vnl_link_sub_open(char *err, size_t errlen);

/* One link event: RTM_NEWLINK (deleted = 0) or RTM_DELLINK (deleted = 1). */
typedef void (*vnl_link_cb)(int ifindex, const char *name, unsigned flags, int deleted, void *arg);

/* Drains the subscription: calls cb for each link message until the socket
 * would block.  Returns 0, 1 when the kernel dropped events (ENOBUFS: the
 * caller must re-read the state of every interface it tracks with
 * vnl_link_flags), or -1 on another error. */
int vnl_link_sub_read(int fd, vnl_link_cb cb, void *arg, char *err, size_t errlen);

#endif
