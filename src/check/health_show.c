/* `fulcrumctl show checks [--json]`: the health core's state, per virtual
 * server, real server and checker (field names: doc/health.md). */
#include <stdio.h>
#include <string.h>

#include "check/health-int.h"
#include "check/health.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "model/model.h"

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

static void json_run(struct sbuf *out, const struct health_run *hr, uint64_t now)
{
	const struct check_run *run = &hr->run;
	char t[ADDR_STRLEN], reason[sizeof(run->reason)];
	int has = run->n_ok + run->n_fail > 0;

	copy_reason(reason, sizeof(reason), run->reason, sizeof(run->reason));
	sbuf_puts(out, "{\"checker\":");
	sbuf_json_str(out, run->ops ? run->ops->name : "?");
	sbuf_puts(out, ",\"target\":");
	sbuf_json_str(out, addr_format(&run->target, t, sizeof(t), 1));
	sbuf_printf(out, ",\"state\":\"%s\",\"last_result\":", updown(run->up));
	sbuf_puts(out, has ? (hr->last_ok ? "\"ok\"" : "\"failed\"") : "null");
	sbuf_puts(out, ",\"reason\":");
	sbuf_json_str(out, reason);
	sbuf_printf(out, ",\"changed_s\":%.3f,\"last_check_s\":", ago(now, run->changed_ms));
	if (has)
		sbuf_printf(out, "%.3f", ago(now, run->last_ms));
	else
		sbuf_puts(out, "null");
	sbuf_printf(out,
		    ",\"attempts_ok\":%llu,\"attempts_failed\":%llu,\"consecutive_ok\":%u,"
		    "\"consecutive_failed\":%u,\"latency_ms\":",
		    (unsigned long long)run->n_ok, (unsigned long long)run->n_fail, run->oks,
		    run->fails);
	if (has)
		sbuf_printf(out, "%u", run->last_latency_ms);
	else
		sbuf_puts(out, "null");
	sbuf_printf(out,
		    ",\"in_progress\":%s,\"interval_ms\":%u,\"timeout_ms\":%u,\"rise\":%u,"
		    "\"fall\":%u}",
		    run->in_progress ? "true" : "false", hr->interval_ms, hr->timeout_ms, hr->rise,
		    hr->fall);
}

static void json_addr(struct sbuf *out, const struct fc_addr *a)
{
	char s[ADDR_STRLEN];

	sbuf_puts(out, "\"address\":");
	sbuf_json_str(out, addr_format(a, s, sizeof(s), 0));
	sbuf_printf(out, ",\"port\":%u", a->port);
}

static void json_rs(struct sbuf *out, const struct real_server *rs, uint64_t now)
{
	const struct rs_health *rh = rs->health;
	char reason[sizeof(rs->live->reason)];
	unsigned i;

	copy_reason(reason, sizeof(reason), rs->live->reason, sizeof(rs->live->reason));
	sbuf_puts(out, "{");
	json_addr(out, &rs->addr);
	sbuf_puts(out, ",\"state\":");
	sbuf_json_str(out, rs_state_name(rs));
	sbuf_printf(out,
		    ",\"health\":\"%s\",\"reason\":", updown(rs->live->health == RS_HEALTH_UP));
	sbuf_json_str(out, reason);
	sbuf_printf(out, ",\"changed_s\":%.3f,\"weight\":%d,\"checks\":[",
		    ago(now, rs->live->since_ms), rs_effective_weight(rs));
	for (i = 0; rh && i < rh->n_runs; i++) {
		if (i)
			sbuf_puts(out, ",");
		json_run(out, &rh->runs[i], now);
	}
	sbuf_puts(out, "]}");
}

static void show_json(struct fulcrum *fc, struct sbuf *out, uint64_t now)
{
	const struct virtual_server *vs;
	const struct real_server *rs;

	sbuf_puts(out, "{\"virtual_servers\":[");
	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		const struct vs_health *vh = vs->health;

		sbuf_puts(out, vs == fc->cfg->vs ? "{" : ",{");
		json_addr(out, &vs->addr);
		sbuf_puts(out, ",\"protocol\":");
		sbuf_json_str(out, proto_name(vs->protocol));
		sbuf_printf(out,
			    ",\"suspended\":%s,\"quorum\":{\"state\":\"%s\",\"weight\":%ld,"
			    "\"quorum\":%u,\"hysteresis\":%u},\"sorry_server\":",
			    vh && vh->suspended ? "true" : "false", updown(!vh || vh->quorum_up),
			    vh_weight(vs), vs->quorum ? vs->quorum : 1, vs->hysteresis);
		if (vs->sorry) {
			sbuf_puts(out, "{");
			json_addr(out, &vs->sorry->addr);
			sbuf_printf(out, ",\"active\":%s}",
				    health_sorry_active(vs) ? "true" : "false");
		} else {
			sbuf_puts(out, "null");
		}
		sbuf_puts(out, ",\"real_servers\":[");
		for (rs = vs->rs; rs; rs = rs->next) {
			if (rs != vs->rs)
				sbuf_puts(out, ",");
			json_rs(out, rs, now);
		}
		sbuf_puts(out, "]}");
	}
	sbuf_puts(out, "]}\n");
}

static void show_text(struct fulcrum *fc, struct sbuf *out, uint64_t now)
{
	const struct virtual_server *vs;
	const struct real_server *rs;
	char l[ADDR_STRLEN + 16], a[ADDR_STRLEN];
	unsigned i;

	for (vs = fc->cfg ? fc->cfg->vs : NULL; vs; vs = vs->next) {
		const struct vs_health *vh = vs->health;

		sbuf_printf(out, "%s: quorum %s (weight %ld, quorum %u, hysteresis %u)",
			    health_vs_label(vs, l, sizeof(l)), updown(!vh || vh->quorum_up),
			    vh_weight(vs), vs->quorum ? vs->quorum : 1, vs->hysteresis);
		if (vs->sorry)
			sbuf_printf(out, ", sorry server %s %s",
				    addr_format(&vs->sorry->addr, a, sizeof(a), 1),
				    health_sorry_active(vs) ? "active" : "idle");
		if (vh && vh->suspended)
			sbuf_puts(out, ", checks suspended");
		sbuf_puts(out, "\n");
		for (rs = vs->rs; rs; rs = rs->next) {
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

	if (json)
		show_json(fc, out, now);
	else
		show_text(fc, out, now);
}
