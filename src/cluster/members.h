/* The membership computation: from what the cluster (crm_mon) or a script
 * says to the servers a pool's source wants.  Pure: no I/O, no clock; the
 * unit tests (tests/unit/test_members.c) feed captured crm_mon output. */
#ifndef FC_CLUSTER_MEMBERS_H
#define FC_CLUSTER_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster-t.h"
#include "model/source-t.h"

/* crm_mon --output-as=xml (its api 2.x) into v.  0, or -1 with err and v
 * empty.  Bytes before <pacemaker-result> are skipped. */
int crm_view_parse(const char *text, size_t len, struct crm_view *v, char *err, size_t errlen);
void crm_view_free(struct crm_view *v);
struct crm_node *crm_view_node(const struct crm_view *v, const char *name);

/* corosync.conf's nodelist { node { ring0_addr: A  name: N } }: every
 * node with both, its ring0_addr an address, or a name (host) to resolve.
 * 0, or -1 with err. */
int ring_map_parse(const char *text, struct ring_map *m, char *err, size_t errlen);
void ring_map_free(struct ring_map *m);
/* node's address as far as the map knows it (NULL: not an address, or not
 * resolved yet), and its ring0_addr name when it has one (else NULL). */
const struct fc_addr *ring_map_addr(const struct ring_map *m, const char *node);
const char *ring_map_host(const struct ring_map *m, const char *node);
/* node's address is a (a resolved name): set, the node added if the map has
 * no entry for it.  0, or -1 out of memory. */
int ring_map_set(struct ring_map *m, const char *node, const struct fc_addr *a);

/* The servers of a pacemaker_real_servers source: the nodes where
 * s->resource is active (any role; NULL: every online node not in standby
 * or maintenance), those whose attribute s->attr_name matches s->attr_regex
 * (if set), each at its address (address NODE, else the node name when it
 * is an IP address, else ring0_addr from rings, or the address its name
 * resolved to that the caller put there), port s->port or `port`,
 * with weight NODE or default_weight.  A node without an address is left
 * out and named in skipped (a malloc'd "node3, node4", or NULL), for a log
 * line.  Sorted by node name.  0, or -1 with err (bad regex, out of
 * memory). */
int members_from_cluster(const struct pool_source *s, const struct crm_view *v,
			 const struct ring_map *rings, uint16_t port, struct member_list *out,
			 char **skipped, char *err, size_t errlen);

/* A real_server_script's output: one server a line, "ADDR[:PORT]
 * [WEIGHT]" ("[v6]:PORT" for IPv6 with a port); port defaults to `port`,
 * weight to `weight` (the source's default_weight: 1, or haproxy.cfg's
 * default-server weight); blank lines and # comments skipped.  A line that
 * does not read is left out and counted in *bad (the first one's reason in
 * err).  Duplicates: the first stays.  0, or -1 out of memory. */
int members_from_lines(const char *text, size_t len, uint16_t port, int weight,
		       struct member_list *out, unsigned *bad, char *err, size_t errlen);

void member_list_free(struct member_list *l);
/* The member with this address and port, or NULL. */
const struct member *member_find(const struct member_list *l, const struct fc_addr *a);

#endif
