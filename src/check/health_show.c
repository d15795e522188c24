/* `fulcrumctl show checks [--json]`: the health core's state, per virtual
 * server, real server and checker (field names: doc/health.md): the text,
 * and the statistics fields the JSON is written from. */
#include <stdio.h>
#include <string.h>

#include "check/health-int.h"
#include "check/health.h"
#include "check/health_stats.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/stats.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "model/stats_fields.h"

/* Seconds from a monotonic ms stamp to now (0 if in the future). */
static double ago(uint64_t now, uint64_t then)
{
	return now > then ? (double)(now - then) / 1000.0 : 0.0;
}

static const char *updown(int up)
{
	return up ? "up" : "down";
}

/* A reason string written by a checker: copy bounded and terminated. */
static void copy_reason(char *dst, size_t n, const char *src, size_t srclen)
{
	size_t k = strnlen(src, srclen);

	if (k >= n)
		k = n - 1;
	memcpy(dst, src, k);
	dst[k] = 0;
}

static void text_run(struct sbuf *out, const struct health_run *hr, uint64_t now)
{
	const struct check_run *run = &hr->run;
	char t[ADDR_STRLEN], reason[sizeof(run->reason)];

	copy_reason(reason, sizeof(reason), run->reason, sizeof(run->reason));
	sbuf_printf(out, "     %s %s %s for %.1fs", run->ops ? run->ops->name : "?",
		    addr_format(&run->target, t, sizeof(t), 1), updown(run->up),
		    ago(now, run->changed_ms));
	if (run->n_ok + run->n_fail)
		sbuf_printf(out, ", last %s %.1fs ago in %u ms: %s", hr->last_ok ? "ok" : "failed",
			    ago(now, run->last_ms), run->last_latency_ms, reason);
	else
		sbuf_puts(out, ", not checked yet");
	sbuf_printf(out, " (ok %llu, failed %llu%s)\n", (unsigned long long)run->n_ok,
		    (unsigned long long)run->n_fail, run->in_progress ? ", checking" : "");
}

/* ---- the statistics fields of the health core (doc/internals/stats.md) ---- */

#define VS(obj) ((const struct virtual_server *)(obj))
#define RS(obj) ((const struct real_server *)(obj))
#define HR(obj) ((const struct health_run *)(obj))

static enum stat_got get_addr(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->p = f->arg ? &VS(obj)->pool->sorry->addr : &VS(obj)->addr;
	return STAT_SET;
}

static enum stat_got get_suspended(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	const struct pool_health *ph = VS(obj)->pool->health;

	v->b = ph && ph->suspended;
	return STAT_SET;
}

static enum stat_got get_quorum_state(const void *obj, const struct stat_field *f,
				      struct stat_ctx *c, union stat_val *v)
{
	const struct pool_health *ph = VS(obj)->pool->health;

	v->s = updown(!ph || ph->quorum_up);
	return STAT_SET;
}

static enum stat_got get_ph_weight(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->i = ph_weight(VS(obj)->pool);
	return STAT_SET;
}

static enum stat_got get_quorum(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->i = VS(obj)->pool->quorum ? VS(obj)->pool->quorum : 1;
	return STAT_SET;
}

/* (the service's pool's: a getter, the table's object is the service) */
static enum stat_got get_hysteresis(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				    union stat_val *v)
{
	v->i = VS(obj)->pool->hysteresis;
	return STAT_SET;
}

static const struct stat_field quorum_fields[] = {
    {"state", STAT_ENUM, "up or down: the weight of the servers up reaches quorum",
     .get = get_quorum_state},
    {"weight", STAT_GAUGE, "the weight of the servers up and enabled", .get = get_ph_weight},
    {"quorum", STAT_CONFIG, "quorum (1 if unset)", .get = get_quorum},
    {"hysteresis", STAT_CONFIG, "hysteresis", .get = get_hysteresis},
};

static const struct stat_table quorum_table = STAT_TABLE("quorum", quorum_fields);

enum stat_got health_stat_sorry_active(const void *obj, const struct stat_field *f,
				       struct stat_ctx *c, union stat_val *v)
{
	v->b = health_sorry_active(obj);
	return STAT_SET;
}

static const struct stat_field sorry_fields[] = {
    {"endpoint", STAT_INLINE, "the sorry server's IP and port", .get = get_addr, .arg = 1,
     .sub = &stat_endpoint},
    {"active", STAT_BOOL, "it takes the new clients (no real server can)",
     .get = health_stat_sorry_active},
};

static const struct stat_table sorry_table = STAT_TABLE("sorry_server", sorry_fields);

static enum stat_got get_sorry(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	v->p = obj;
	return VS(obj)->pool->sorry ? STAT_SET : STAT_NULL;
}

static enum stat_got get_rs_health(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->s = updown(RS(obj)->live->health == RS_HEALTH_UP);
	return STAT_SET;
}

static enum stat_got get_rs_changed(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				    union stat_val *v)
{
	v->d = ago(c->now_ms, RS(obj)->live->since_ms);
	return STAT_SET;
}

static enum stat_got get_first_run(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	const struct rs_health *rh = RS(obj)->health;

	v->p = rh && rh->n_runs ? rh->runs : NULL;
	return STAT_SET;
}

static const void *next_run(const void *obj, const void *cur)
{
	const struct rs_health *rh = RS(obj)->health;

	return HR(cur) + 1 < rh->runs + rh->n_runs ? HR(cur) + 1 : NULL;
}

static enum stat_got get_checker(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	v->s = HR(obj)->run.ops ? HR(obj)->run.ops->name : "?";
	return STAT_SET;
}

static enum stat_got get_target(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->s = addr_format(&HR(obj)->run.target, c->buf, sizeof(c->buf), 1);
	return STAT_SET;
}

static enum stat_got get_run_state(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->s = updown(HR(obj)->run.up);
	return STAT_SET;
}

static int checked(const struct health_run *hr)
{
	return hr->run.n_ok + hr->run.n_fail > 0;
}

static enum stat_got get_last_result(const void *obj, const struct stat_field *f,
				     struct stat_ctx *c, union stat_val *v)
{
	v->s = HR(obj)->last_ok ? "ok" : "failed";
	return checked(obj) ? STAT_SET : STAT_NULL;
}

static enum stat_got get_run_changed(const void *obj, const struct stat_field *f,
				     struct stat_ctx *c, union stat_val *v)
{
	v->d = ago(c->now_ms, HR(obj)->run.changed_ms);
	return STAT_SET;
}

static enum stat_got get_last_check(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				    union stat_val *v)
{
	v->d = ago(c->now_ms, HR(obj)->run.last_ms);
	return checked(obj) ? STAT_SET : STAT_NULL;
}

static enum stat_got get_latency(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	v->i = HR(obj)->run.last_latency_ms;
	return checked(obj) ? STAT_SET : STAT_NULL;
}

#define RUN_AT(m, ld) STAT_AT(struct health_run, m, ld)
static const struct stat_field run_fields[] = {
    {"checker", STAT_STRING, "the checker: TCP_CHECK, HTTP_GET...", .get = get_checker},
    {"target", STAT_STRING, "where it connects, ADDRESS:PORT", .get = get_target},
    {"state", STAT_ENUM, "this checker's verdict, up or down", .get = get_run_state},
    {"last_result", STAT_ENUM, "ok or failed, null if not checked yet", .get = get_last_result},
    {"reason", STAT_STRING, "the last result's reason", RUN_AT(run.reason, STAT_LD_CHARS)},
    {"changed_s", STAT_FLOAT, "seconds since the verdict changed", .get = get_run_changed},
    {"last_check_s", STAT_FLOAT, "seconds since the last attempt ended, null if none",
     .get = get_last_check},
    {"attempts_ok", STAT_COUNTER, "attempts that succeeded", RUN_AT(run.n_ok, STAT_LD_U64)},
    {"attempts_failed", STAT_COUNTER, "attempts that failed", RUN_AT(run.n_fail, STAT_LD_U64)},
    {"consecutive_ok", STAT_GAUGE, "successes in a row", RUN_AT(run.oks, STAT_LD_U32)},
    {"consecutive_failed", STAT_GAUGE, "failures in a row", RUN_AT(run.fails, STAT_LD_U32)},
    {"latency_ms", STAT_GAUGE, "the last attempt's duration in ms, null if none",
     .get = get_latency},
    {"in_progress", STAT_BOOL, "an attempt is running", RUN_AT(run.in_progress, STAT_LD_INT)},
    {"interval_ms", STAT_CONFIG, "delay_loop in force, ms", RUN_AT(interval_ms, STAT_LD_U32)},
    {"timeout_ms", STAT_CONFIG, "deadline of one attempt, ms", RUN_AT(timeout_ms, STAT_LD_U32)},
    {"rise", STAT_CONFIG, "successes in a row that bring it up", RUN_AT(rise, STAT_LD_U32)},
    {"fall", STAT_CONFIG, "failures in a row that take it down", RUN_AT(fall, STAT_LD_U32)},
};

static const struct stat_table run_table = STAT_TABLE("check", run_fields);

static const struct stat_field rs_fields[] = {
    {"endpoint", STAT_INLINE, "the server's IP and port",
     STAT_AT(struct real_server, addr, STAT_LD_SUB), .sub = &stat_endpoint},
    {"state", STAT_ENUM, "up, down, drain, disabled or maintenance", .get = stat_get_rs_state},
    {"health", STAT_ENUM, "up or down, the checks' verdict", .get = get_rs_health},
    {"reason", STAT_STRING, "why the health is what it is", .get = stat_get_rs_reason},
    {"changed_s", STAT_FLOAT, "seconds since the health changed", .get = get_rs_changed},
    {"weight", STAT_GAUGE, "weight in force", .get = stat_get_rs_weight},
    {"checks", STAT_LIST, "its checkers, in config order", .get = get_first_run, .next = next_run,
     .sub = &run_table},
};

static const struct stat_table rs_table = STAT_TABLE("server", rs_fields);

static enum stat_got get_first_rs(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				  union stat_val *v)
{
	v->p = VS(obj)->pool->rs;
	return STAT_SET;
}

static const void *next_rs(const void *obj, const void *cur)
{
	return RS(cur)->next;
}

static const struct stat_field vs_fields[] = {
    {"endpoint", STAT_INLINE, "the virtual IP and port", .get = get_addr, .sub = &stat_endpoint},
    {"protocol", STAT_ENUM, "TCP or UDP", .get = stat_get_protocol},
    {"suspended", STAT_BOOL, "ha_suspend: checks stopped (the VIP is not here)",
     .get = get_suspended},
    {"quorum", STAT_OBJECT, "the quorum's state", .get = stat_get_self, .sub = &quorum_table},
    {"sorry_server", STAT_OBJECT, "sorry_server, or null", .get = get_sorry, .sub = &sorry_table},
    {"real_servers", STAT_LIST, "the servers, in config order", .get = get_first_rs,
     .next = next_rs, .sub = &rs_table},
};

static const struct stat_table vs_table = STAT_TABLE("service", vs_fields);

static enum stat_got get_first_vs(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				  union stat_val *v)
{
	const struct config *cfg = ((const struct fulcrum *)obj)->cfg;

	v->p = cfg ? cfg->vs : NULL;
	return STAT_SET;
}

static const void *next_vs(const void *obj, const void *cur)
{
	return VS(cur)->next;
}

static const struct stat_field doc_fields[] = {
    {"virtual_servers", STAT_LIST, "the services, in config order", .get = get_first_vs,
     .next = next_vs, .sub = &vs_table},
};

const struct stat_table health_stats = STAT_TABLE("checks", doc_fields);

static void show_text(struct fulcrum *fc, struct sbuf *out, uint64_t now)
{
	const struct virtual_server *vs;
	const struct real_server *rs;
	char l[ADDR_STRLEN + 16], a[ADDR_STRLEN];
	unsigned i;

	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		const struct pool_health *ph = vs->pool->health;

		sbuf_printf(out, "%s: quorum %s (weight %ld, quorum %u, hysteresis %u)",
			    health_vs_label(vs, l, sizeof(l)), updown(!ph || ph->quorum_up),
			    ph_weight(vs->pool), vs->pool->quorum ? vs->pool->quorum : 1,
			    vs->pool->hysteresis);
		if (vs->pool->sorry)
			sbuf_printf(out, ", sorry server %s %s",
				    addr_format(&vs->pool->sorry->addr, a, sizeof(a), 1),
				    health_sorry_active(vs) ? "active" : "idle");
		if (ph && ph->suspended)
			sbuf_puts(out, ", checks suspended");
		sbuf_puts(out, "\n");
		for (rs = vs->pool->rs; rs; rs = rs->next) {
			const struct rs_health *rh = rs->health;
			char reason[sizeof(rs->live->reason)];

			copy_reason(reason, sizeof(reason), rs->live->reason,
				    sizeof(rs->live->reason));
			sbuf_printf(out, "  -> %s %s for %.1fs%s%s\n",
				    addr_format(&rs->addr, a, sizeof(a), 1), rs_state_name(rs),
				    ago(now, rs->live->since_ms), *reason ? ": " : "", reason);
			if (!rh || !rh->n_runs)
				sbuf_puts(out, "     no health check\n");
			for (i = 0; rh && i < rh->n_runs; i++)
				text_run(out, &rh->runs[i], now);
		}
	}
}

void health_show(struct fulcrum *fc, struct sbuf *out, int json)
{
	uint64_t now = loop_clock_ms();

	if (json) {
		struct stat_ctx c = {.now_ms = now};

		stat_json(out, &health_stats, fc, &c);
		sbuf_puts(out, "\n");
	} else
		show_text(fc, out, now);
}
