/* What the real-server command reads from and writes to the host, apart from
 * netlink addresses (core/netlink.h) and BPF (rs_decap.h): IPv4
 * per-interface sysctls, the default route's interface, the host's
 * addresses.  All act in the caller's network namespace. */
#ifndef FC_REALSERVER_RS_SYS_H
#define FC_REALSERVER_RS_SYS_H

#include <net/if.h>
#include <stddef.h>

#include "core/addr.h"

/* net.ipv4.conf.<dev>.<key> (/proc/sys/net/ipv4/conf/<dev>/<key>) as text,
 * without the newline. */
int rs_sysctl_get(const char *dev, const char *key, char *val, size_t len, char *err,
		  size_t errlen);
int rs_sysctl_set(const char *dev, const char *key, const char *val, char *err, size_t errlen);

/* The interface of the IPv4 default route, else of the IPv6 one. */
int rs_default_dev(char name[IF_NAMESIZE], char *err, size_t errlen);

/* Every IPv4 and IPv6 address on the host's interfaces (up to max), but
 * IPv6 link-local ones. */
int rs_local_addrs(struct fc_addr *out, unsigned max, unsigned *n, char *err, size_t errlen);

#endif
