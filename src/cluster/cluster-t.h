/* Types of the cluster watcher (src/cluster/): what crm_mon says of the
 * cluster, and the servers a pool's source computes from it. */
#ifndef FC_CLUSTER_CLUSTER_T_H
#define FC_CLUSTER_CLUSTER_T_H

#include "core/addr.h"

#define CRM_NAME_MAX 256 /* node, resource and attribute names: longer are refused */

struct crm_attr {
	char *name, *value;
};

/* A node of crm_mon's <nodes>, with its <node_attributes>. */
struct crm_node {
	char *name;
	int online, standby, maintenance;
	struct crm_attr *attrs;
	unsigned n_attrs;
};

/* A resource instance active on a node: one row per id of the instance
 * and of every clone, group or bundle it sits in ("rs", "rs-clone"). */
struct crm_active {
	char *id;
	char *node;
	char *role; /* Started, Promoted, Unpromoted (or the older Master, Slave) */
};

/* What one crm_mon --output-as=xml said.  Owned strings. */
struct crm_view {
	struct crm_node *nodes;
	unsigned n_nodes;
	struct crm_active *active;
	unsigned n_active;
};

/* One server a source wants in its pool. */
struct member {
	char *node;	     /* the node's name, or the script's address text */
	struct fc_addr addr; /* with the port */
	int weight;
};

struct member_list {
	struct member *m;
	unsigned n;
};

/* corosync.conf's nodelist: name -> ring0_addr. */
struct ring_addr {
	char *name;
	char *host;	     /* ring0_addr when it is a name (owned), else NULL */
	struct fc_addr addr; /* family 0 while host is not resolved */
};

struct ring_map {
	struct ring_addr *a;
	unsigned n;
};

#endif
