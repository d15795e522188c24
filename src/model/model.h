/* Constructors, destructors and pure helpers over the model. */
#ifndef FC_MODEL_MODEL_H
#define FC_MODEL_MODEL_H

#include <stddef.h>

#include "model/check_conf.h"
#include "model/model-t.h"

#define FC_DEFAULT_CONTROL_SOCKET "/run/fulcrum/fulcrum.sock"
#define FC_DEFAULT_CONFIG "/etc/fulcrum/fulcrum.conf"

struct config *config_new(void);
void config_free(struct config *cfg);
/* Keep a copy of a file name for the lifetime of cfg; returns the copy. */
const char *config_intern_file(struct config *cfg, const char *path);

/* New objects carry the documented defaults and a fresh live object.
 * vs_new() gives the service a pool of its own (unnamed until
 * config_add_vs); vs_free() frees that pool too unless a config took it. */
struct virtual_server *vs_new(void);
void vs_free(struct virtual_server *vs);
struct real_server *rs_new(void);
void rs_free(struct real_server *rs);
/* name may be NULL (named later); copied. */
struct pool *pool_new(const char *name);
/* One reference less on a backend's queue (freed at the last). */
void srv_queue_unref(struct srv_queue *q);
void pool_free(struct pool *p);

/* Append in config order.  config_add_vs also adds the service's pool if
 * no config has it yet, named after the service ("TCP 10.0.0.1:80") when it
 * has no name, and names its unnamed servers "IP:PORT". */
void config_add_vs(struct config *cfg, struct virtual_server *vs);
void config_add_pool(struct config *cfg, struct pool *p);
/* Point vs at p (a pool of the config vs goes into, which several services
 * may share); the service's own pool, if any, is freed. */
void vs_set_pool(struct virtual_server *vs, struct pool *p);
/* Add rs to the service's pool (vs_add_rs) or to a pool; an unnamed server
 * with an address is named "IP:PORT". */
void vs_add_rs(struct virtual_server *vs, struct real_server *rs);
void pool_add_rs(struct pool *p, struct real_server *rs);
/* Unlink rs from vs's pool (does not free it); returns 0 or -1 if absent. */
int vs_unlink_rs(struct virtual_server *vs, struct real_server *rs);

struct virtual_server *config_find_vs(const struct config *cfg, int protocol,
				      const struct fc_addr *addr);
/* By address only, any protocol; first match in config order. */
struct virtual_server *config_find_vs_addr(const struct config *cfg, const struct fc_addr *addr);
struct real_server *vs_find_rs(const struct virtual_server *vs, const struct fc_addr *addr);
int vs_same_key(const struct virtual_server *a, const struct virtual_server *b);
/* By name: a pool of the config, a server of a pool (the sorry server is
 * not one of its servers). */
struct pool *config_find_pool(const struct config *cfg, const char *name);
struct real_server *pool_find_server(const struct pool *p, const char *name);
/* "TCP 10.0.0.1:80", "UDP [2001:db8::1]:53", "FWM 5": how log lines and
 * the control socket name a service, and the name of its own pool. */
const char *vs_label(const struct virtual_server *vs, char *buf, size_t len);

struct rs_live *rs_live_ref(struct rs_live *l);
void rs_live_unref(struct rs_live *l);
struct vs_live *vs_live_ref(struct vs_live *l);
void vs_live_unref(struct vs_live *l);

/* Carry run-time state (live objects) from the running config to a freshly
 * read one: a service present in both (same protocol and address, or
 * fwmark) keeps its counters; a server present in both (a pool of the same
 * name, a server of the same name in it; the sorry server by its name)
 * keeps its counters, health and admin state (drain/disable set at run
 * time), even if its address changed; a pool present in both keeps its
 * backend's own figures (be_live) and queue. */
void config_carry_live(struct config *newcfg, const struct config *old);

/* Whether the scheduler may pick rs for a new client, and with what weight:
 * 0 when draining, disabled, down (or down with inhibit_on_failure), or in
 * maintenance. */
int rs_available(const struct real_server *rs);
int rs_effective_weight(const struct real_server *rs);
/* Its admin state and health, loaded relaxed (for readers with no engine
 * lock: the HTTP workers; model-t.h, struct rs_live). */
enum rs_admin rs_admin_of(const struct real_server *rs);
enum rs_health_state rs_health_of(const struct real_server *rs);
int rs_inhibit(const struct real_server *rs, const struct pool *p);
/* "up", "down", "drain", "disabled" or "maintenance" (the JSON state). */
const char *rs_state_name(const struct real_server *rs);

const char *fwd_name(enum fwd_method f);         /* "Masq", "Route", "Tunnel", "Proxy" */
const char *fwd_keyword(enum fwd_method f);      /* "NAT", "DR", "TUN", "PROXY" */
const char *proto_name(int protocol);            /* "TCP", "UDP" */

/* IPVS-style rate estimator: call about every 2 s. */
void rate_est_update(struct rate_est *e, const struct fc_stats *now, uint64_t now_ms);

#endif
