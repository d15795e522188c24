/* Constructors, destructors and pure helpers over the model. */
#ifndef FC_MODEL_MODEL_H
#define FC_MODEL_MODEL_H

#include "model/model-t.h"

#define FC_DEFAULT_CONTROL_SOCKET "/run/fulcrum/fulcrum.sock"
#define FC_DEFAULT_CONFIG "/etc/fulcrum/fulcrum.conf"

struct config *config_new(void);
void config_free(struct config *cfg);
/* Keep a copy of a file name for the lifetime of cfg; returns the copy. */
const char *config_intern_file(struct config *cfg, const char *path);

/* New objects carry the documented defaults and a fresh live object. */
struct virtual_server *vs_new(void);
void vs_free(struct virtual_server *vs);
struct real_server *rs_new(void);
void rs_free(struct real_server *rs);
void check_conf_free(struct check_conf *c);

/* Append in config order. */
void config_add_vs(struct config *cfg, struct virtual_server *vs);
void vs_add_rs(struct virtual_server *vs, struct real_server *rs);
/* Unlink rs from vs (does not free it); returns 0 or -1 if absent. */
int vs_unlink_rs(struct virtual_server *vs, struct real_server *rs);

struct virtual_server *config_find_vs(const struct config *cfg, int protocol,
				      const struct fc_addr *addr);
/* By address only, any protocol; first match in config order. */
struct virtual_server *config_find_vs_addr(const struct config *cfg, const struct fc_addr *addr);
struct real_server *vs_find_rs(const struct virtual_server *vs, const struct fc_addr *addr);
int vs_same_key(const struct virtual_server *a, const struct virtual_server *b);

struct rs_live *rs_live_ref(struct rs_live *l);
void rs_live_unref(struct rs_live *l);
struct vs_live *vs_live_ref(struct vs_live *l);
void vs_live_unref(struct vs_live *l);

/* Carry run-time state (live objects, health) from the running config to
 * a freshly read one: every virtual/real server present in both keeps its
 * counters, health and admin state (drain/disable set at run time). */
void config_carry_live(struct config *newcfg, const struct config *old);

/* Whether the scheduler may pick rs for a new client, and with what weight:
 * 0 when draining, disabled, down (or down with inhibit_on_failure), or in
 * maintenance. */
int rs_available(const struct real_server *rs);
int rs_effective_weight(const struct real_server *rs);
int rs_inhibit(const struct real_server *rs, const struct virtual_server *vs);
/* "up", "down", "drain", "disabled" or "maintenance" (the JSON state). */
const char *rs_state_name(const struct real_server *rs);

const char *fwd_name(enum fwd_method f);         /* "Masq", "Route", "Tunnel", "Proxy" */
const char *fwd_keyword(enum fwd_method f);      /* "NAT", "DR", "TUN", "PROXY" */
const char *proto_name(int protocol);            /* "TCP", "UDP" */

/* IPVS-style rate estimator: call about every 2 s. */
void rate_est_update(struct rate_est *e, const struct fc_stats *now, uint64_t now_ms);

#endif
