/* A pool's outside source of servers (issue 15): the nodes of a Pacemaker
 * cluster (pacemaker_real_servers { ... }) or the lines a script prints
 * (real_server_script PATH INTERVAL).  Read by src/conf/source_kw.c, run
 * by src/cluster/ (doc/pacemaker.md).
 *
 * The source's servers sit in the pool beside the file's real_server
 * entries, marked real_server.from_source; the file's own are never touched
 * by the source.  A server of both (same address and port) stays the
 * file's.  Owned by its pool; strings owned. */
#ifndef FC_MODEL_SOURCE_T_H
#define FC_MODEL_SOURCE_T_H

#include <stdint.h>

#include "core/addr.h"

struct check_conf;
struct hp_server;

enum pool_source_kind {
	SRC_PACEMAKER, /* pacemaker_real_servers: crm_mon's view of the cluster */
	SRC_SCRIPT,    /* real_server_script: "ADDR[:PORT] [WEIGHT]" lines */
};

/* "weight NODE W" */
struct src_weight {
	char *node;
	int weight;
};

/* "address NODE ADDR" */
struct src_addr {
	char *node;
	struct fc_addr addr; /* port 0 */
};

#define SRC_CRM_USER "hacluster" /* crm_mon runs as Pacemaker's daemons' user (haclient) */
#define SRC_DEFAULT_INTERVAL_MS 1000 /* crm_mon once a second: within the 2 s asked */
#define SRC_DEFAULT_TIMEOUT_MS 10000
#define SRC_DEFAULT_RESOLVE_TTL_MS 30000 /* a node name's address is asked again after this */

struct pool_source {
	enum pool_source_kind kind;
	/* pacemaker_real_servers */
	char *resource;          /* only nodes where this resource (primitive, clone,
				  * group id) is active; NULL = every online node */
	char *attr_name;         /* only nodes whose node attribute ... */
	char *attr_regex;        /* ... matches this PCRE2 (whole value not implied) */
	int default_weight;      /* default 1 */
	struct src_weight *weights;
	unsigned n_weights;
	struct src_addr *addrs;  /* node -> address; others: the node name as an
				  * address, else corosync.conf's ring0_addr */
	unsigned n_addrs;
	uint16_t port;           /* 0 = the virtual server's port */
	int port_line;           /* where `port` was given (0: not given) */
	char *crm_mon;           /* the command run; default "crm_mon" */
	char *corosync_conf;     /* default /etc/corosync/corosync.conf */
	unsigned resolve_ttl_ms; /* node names resolved (cluster/node_dns.h) are kept this long */
	/* real_server_script */
	char *script;            /* command line (keepalived's word splitting) */
	unsigned interval_ms;    /* how often it is read; default SRC_DEFAULT_INTERVAL_MS */
	unsigned timeout_ms;     /* the command is killed after this long */
	/* Checker blocks inside the source's block (owned list, or NULL): every
	 * server the source yields runs them, its real_server.checks pointing
	 * here (not owning).  NULL: its servers are unchecked, the cluster's
	 * monitor being their check. */
	struct check_conf *checks;
	/* haproxy.cfg: the default-server options every server it yields gets
	 * (copied into its real_server.hp), or NULL; owned */
	struct hp_server *hp;
	const char *file;        /* where it was given (the config's file table) */
	int line;
};

#endif
