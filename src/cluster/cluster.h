/* The cluster watcher: pools whose servers come from outside the file
 * (pacemaker_real_servers, real_server_script; model/source-t.h) follow
 * their source at run time.  doc/pacemaker.md.
 *
 * Each such pool is read every `interval` (1 s by default): one crm_mon
 * --one-shot --output-as=xml per pool and interval (not one process per
 * node: the whole view comes in one reply), or the script; both through the
 * spawn path, off the loop, killed at `timeout`.  The servers computed
 * (cluster/members.h) are compared with the pool's: servers that leave are
 * unlinked, new ones added, weights changed, and the service applied
 * through the hooks -- the path a control command's add/del server takes;
 * servers that stay are not touched, so their connections are not either.
 * The file's own real_server entries are never touched.
 *
 * A source that cannot be read (crm_mon fails, the cluster is down, the
 * script fails or times out, its output does not parse) keeps the last list:
 * the pool is never emptied because the cluster could not be asked.  That is
 * logged once when it starts and once when it ends, and `fulcrumctl show
 * pools` says it meanwhile.
 *
 * A reload keeps the last list of a pool whose source is the same (same
 * pool name, same definition): cluster_premerge puts those servers into the
 * new model before it goes into service, so that they neither leave nor lose
 * their connections.  Below daemon/: apply installs the hooks. */
#ifndef FC_CLUSTER_CLUSTER_H
#define FC_CLUSTER_CLUSTER_H

#include <stddef.h>

#include "model/fulcrum-t.h"

struct sbuf;

/* What the watcher asks of apply. */
struct cluster_hooks {
	/* vs's pool changed in place: apply it (apply_vs). */
	int (*vs_changed)(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen);
};

/* Before newcfg goes into service: its pools whose source is unchanged get
 * the servers that source gave last. */
void cluster_premerge(struct fulcrum *fc, struct config *newcfg);

/* fc->cfg is a new model: start, keep or stop watching each pool's source. */
void cluster_apply(struct fulcrum *fc, const struct cluster_hooks *hooks);

/* Daemon stop: every timer and process ends. */
void cluster_stop(struct fulcrum *fc);

/* For `show pools`: one line about the source of pool p ("pacemaker:
 * 2 servers, read 0.4 s ago"; "... STALE: crm_mon exited 102 ..."), or
 * nothing when p has no source.  json: a JSON object (or null). */
void cluster_show_pool(const struct pool *p, struct sbuf *out, int json);

#endif
