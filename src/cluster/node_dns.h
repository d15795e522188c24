/* Node names to addresses for pacemaker_real_servers (doc/pacemaker.md):
 * a node that has no `address NODE IP`, whose name is not an address and
 * whose corosync ring0_addr is not one either is looked up by its ring0_addr
 * name (else its node name) as corosync itself resolves ring0_addr: through
 * the system's resolver (getaddrinfo: /etc/hosts, DNS, whatever
 * nsswitch.conf says).
 *
 * Never on the loop: each lookup is a request to the daemon's resolver
 * (core/resolve.h: getaddrinfo_a on glibc's threads), whose answer comes
 * back on the loop; an answer that changes what node_dns_get says calls
 * the function node_dns_notify gave.
 *
 * An answer is kept ttl_ms (getaddrinfo says no TTL: the source's
 * resolve_ttl), then asked again in the background while the old answer
 * keeps serving.  A lookup that fails keeps the last address: that is
 * logged once when it starts and once when the name resolves again, and
 * node_dns_get says it (for `fulcrumctl show pools`).  A name nobody asked
 * for in NODE_DNS_FORGET_MS is forgotten.  One cache for the daemon, main
 * thread only. */
#ifndef FC_CLUSTER_NODE_DNS_H
#define FC_CLUSTER_NODE_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

struct loop;

#define NODE_DNS_FORGET_MS (10u * 60u * 1000u)
#define NODE_DNS_RETRY_MS 5000u /* a failed lookup is asked again after this (or the ttl) */

enum node_dns_state {
	NODE_DNS_OK,	  /* *out is the name's address */
	NODE_DNS_STALE,	  /* the last lookup failed (why): *out is the last address */
	NODE_DNS_PENDING, /* the first lookup is running: no address yet */
	NODE_DNS_FAILED,  /* it failed and there was never an address (why) */
};

/* name's address, family `family` preferred (AF_INET, AF_INET6; the other
 * when it has none), port 0.  Starts a lookup on l when there is no answer
 * yet or it is older than ttl_ms.  why: the failure, for the STALE and
 * FAILED states. */
enum node_dns_state node_dns_get(struct loop *l, const char *name, int family, uint64_t now_ms,
				 unsigned ttl_ms, struct fc_addr *out, char *why, size_t whylen);

/* changed(arg) runs on the loop when a lookup ended that changes what
 * node_dns_get says (a first or new address, a failure, a recovery). */
void node_dns_notify(void (*changed)(void *arg), void *arg);

/* Daemon stop: cancels what runs and frees the cache. */
void node_dns_flush(void);

#endif
