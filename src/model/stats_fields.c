/* The statistics fields of a service and a server (model/stats_fields.h).
 * Names and order are those `list --json` has always had. */
#include <stddef.h>

#include "core/stats.h"
#include "model/ctr.h"
#include "model/model.h"
#include "model/stats_fields.h"

/* Rates per second, as IPVS estimates them (2 s samples, EWMA). */
static const struct stat_field rate_fields[] = {
    {"cps", STAT_FLOAT, "new connections per second",
     STAT_AT(struct fc_rates, cps, STAT_LD_DOUBLE)},
    {"in_pps", STAT_FLOAT, "packets per second, client to server",
     STAT_AT(struct fc_rates, inpps, STAT_LD_DOUBLE)},
    {"out_pps", STAT_FLOAT, "packets per second, server to client",
     STAT_AT(struct fc_rates, outpps, STAT_LD_DOUBLE)},
    {"in_bps", STAT_FLOAT, "bytes per second, client to server",
     STAT_AT(struct fc_rates, inbps, STAT_LD_DOUBLE)},
    {"out_bps", STAT_FLOAT, "bytes per second, server to client",
     STAT_AT(struct fc_rates, outbps, STAT_LD_DOUBLE)},
};

static const struct stat_table rates = STAT_TABLE("rates", rate_fields);

/* The traffic figures a service (struct vs_live) and a server (struct
 * rs_live) both have, under the same names: one list, two layouts. */
#define TRAFFIC_FIELDS(S, G)                                                                       \
	{"active_conns", STAT_GAUGE, "connections now: TCP established, UDP sessions",             \
	 STAT_AT(S, activeconns, STAT_LD_U32)},                                                    \
	    {"inactive_conns", STAT_GAUGE, "TCP connections now connecting or closing",            \
	     STAT_AT(S, inactconns, STAT_LD_U32)},                                                 \
	    {"total_conns", STAT_COUNTER, "connections since the start",                           \
	     .get = G, .arg = offsetof(struct fc_stats, conns)},                                   \
	    {"in_packets", STAT_COUNTER,                                                           \
	     "packets client to server (UDP datagrams, TCP relay reads)",                          \
	     .get = G, .arg = offsetof(struct fc_stats, inpkts)},                                  \
	    {"out_packets", STAT_COUNTER,                                                          \
	     "packets server to client (UDP datagrams, TCP relay reads)",                          \
	     .get = G, .arg = offsetof(struct fc_stats, outpkts)},                                 \
	    {"in_bytes", STAT_COUNTER, "bytes client to server",                                   \
	     .get = G, .arg = offsetof(struct fc_stats, inbytes)},                                 \
	    {"out_bytes", STAT_COUNTER, "bytes server to client",                                  \
	     .get = G, .arg = offsetof(struct fc_stats, outbytes)},                                \
	{                                                                                          \
		"rate", STAT_OBJECT, "rates per second (IPVS's estimator)",                        \
		    STAT_AT(S, est.rate, STAT_LD_SUB), .sub = &rates                               \
	}

/* A counter of the sum over the threads' slots (model/ctr.h); arg is its
 * offset in struct fc_stats. */
static enum stat_got counter(const struct ctr *ctr, const struct stat_field *f, union stat_val *v)
{
	struct fc_stats s;

	ctr_sum(ctr, &s);
	v->u = *(const uint64_t *)((const char *)&s + f->arg);
	return STAT_SET;
}

static enum stat_got get_vs_ctr(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	return counter(&((const struct vs_live *)obj)->ctr, f, v);
}

static enum stat_got get_rs_ctr(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	return counter(&((const struct rs_live *)obj)->ctr, f, v);
}

static const struct stat_field vs_traffic_fields[] = {TRAFFIC_FIELDS(struct vs_live, get_vs_ctr)};
static const struct stat_field rs_traffic_fields[] = {TRAFFIC_FIELDS(struct rs_live, get_rs_ctr)};
static const struct stat_table vs_traffic = STAT_TABLE("traffic", vs_traffic_fields);
static const struct stat_table rs_traffic = STAT_TABLE("traffic", rs_traffic_fields);

static enum stat_got get_live(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->p = f->arg ? (const void *)((const struct virtual_server *)obj)->live
		      : (const void *)((const struct real_server *)obj)->live;
	return STAT_SET;
}

enum stat_got stat_get_protocol(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->s = proto_name(((const struct virtual_server *)obj)->protocol);
	return STAT_SET;
}

enum stat_got stat_get_forward(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	v->s = fwd_keyword(((const struct virtual_server *)obj)->fwd);
	return STAT_SET;
}

/* The scheduler is the service's pool's (doc/internals/model.md, "Services
 * and pools"): getters, the table's object is the service. */
enum stat_got stat_get_sched(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v)
{
	const struct pool *p = ((const struct virtual_server *)obj)->pool;

	v->s = stat_chars(c, p->sched, sizeof(p->sched));
	return STAT_SET;
}

static enum stat_got get_sched_flags(const void *obj, const struct stat_field *f,
				     struct stat_ctx *c, union stat_val *v)
{
	v->i = ((const struct virtual_server *)obj)->pool->sched_flags;
	return STAT_SET;
}

static enum stat_got get_pool_name(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->s = ((const struct virtual_server *)obj)->pool->name;
	return STAT_SET;
}

static const struct stat_field service_fields[] = {
    {"endpoint", STAT_INLINE, "the virtual IP and port",
     STAT_AT(struct virtual_server, addr, STAT_LD_SUB), .sub = &stat_endpoint},
    {"fwmark", STAT_CONFIG, "firewall mark of a fwmark service, else 0",
     STAT_AT(struct virtual_server, fwmark, STAT_LD_U32)},
    {"protocol", STAT_ENUM, "TCP or UDP", .get = stat_get_protocol},
    {"pool", STAT_STRING, "the name of the service's pool of servers (a keepalived or "
     "ldirectord service's own: PROTOCOL ADDRESS:PORT)", .get = get_pool_name},
    {"scheduler", STAT_STRING, "lb_algo: rr, wrr, lc, wlc, sh, mh...", .get = stat_get_sched},
    {"sched_flags", STAT_CONFIG, "scheduler flags: 1 fallback, 2 port, 4 flag-3",
     .get = get_sched_flags},
    {"forward", STAT_ENUM, "lb_kind: NAT, DR, TUN or PROXY", .get = stat_get_forward},
    {"persistence_timeout", STAT_CONFIG, "persistence_timeout in seconds, 0: none",
     STAT_AT(struct virtual_server, persistence_timeout, STAT_LD_U32)},
    {"persistence_prefix", STAT_CONFIG, "persistence granularity as a prefix length, 0: unset",
     STAT_AT(struct virtual_server, persistence_prefix, STAT_LD_U32)},
    {"traffic", STAT_INLINE, "the service's traffic", .get = get_live, .arg = 1,
     .sub = &vs_traffic},
};

const struct stat_table stat_service = STAT_TABLE("service", service_fields);

enum stat_got stat_get_rs_weight(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	v->i = rs_effective_weight(obj);
	return STAT_SET;
}

enum stat_got stat_get_rs_state(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->s = rs_state_name(obj);
	return STAT_SET;
}

enum stat_got stat_get_rs_reason(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	const struct rs_live *lv = ((const struct real_server *)obj)->live;

	v->s = stat_chars(c, lv->reason, sizeof(lv->reason));
	return STAT_SET;
}

static const struct stat_field server_fields[] = {
    {"name", STAT_STRING, "the server's name, unique in its pool (IP:PORT unless the grammar names it)",
     STAT_AT(struct real_server, name, STAT_LD_STR)},
    {"endpoint", STAT_INLINE, "the server's IP and port",
     STAT_AT(struct real_server, addr, STAT_LD_SUB), .sub = &stat_endpoint},
    {"weight", STAT_GAUGE, "weight in force: 0 when down, drained or disabled",
     .get = stat_get_rs_weight},
    {"configured_weight", STAT_GAUGE, "weight set by the config or `set weight`",
     STAT_AT(struct real_server, cur_weight, STAT_LD_INT)},
    {"state", STAT_ENUM, "up, down, drain, disabled or maintenance", .get = stat_get_rs_state},
    {"reason", STAT_STRING, "why the health is what it is (the last check's result)",
     .get = stat_get_rs_reason},
    {"traffic", STAT_INLINE, "the server's traffic", .get = get_live, .sub = &rs_traffic},
};

const struct stat_table stat_server = STAT_TABLE("server", server_fields);
