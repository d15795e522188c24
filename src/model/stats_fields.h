/* The statistics fields of the model's objects (core/stats-t.h): what
 * `list --json` shows of a service and a server, read from the running
 * model and its live figures (invariant 3).  doc/internals/stats.md. */
#ifndef FC_MODEL_STATS_FIELDS_H
#define FC_MODEL_STATS_FIELDS_H

#include "core/stats-t.h"

/* a struct virtual_server: identity, scheduling, persistence, traffic
 * (the listing adds its sorry server and servers: src/ctl/cmd_list.c) */
extern const struct stat_table stat_service;
/* a struct real_server: identity, weights, state, traffic */
extern const struct stat_table stat_server;

/* Getters other tables of the same objects share (a service: protocol,
 * lb_kind, its pool's scheduler; a server: weight in force, state name,
 * reason). */
enum stat_got stat_get_protocol(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v);
enum stat_got stat_get_forward(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v);
enum stat_got stat_get_sched(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v);
enum stat_got stat_get_rs_weight(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v);
enum stat_got stat_get_rs_state(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v);
enum stat_got stat_get_rs_reason(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v);

#endif
