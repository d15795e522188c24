/* The health core's side of AGENT_CHECK: an agent's line applied to its
 * server as HAProxy 2.6 applies it (tcpcheck_agent_expect_reply and
 * set_server_check_status), in this order: the administrative state, the
 * weight, maxconn, then the health.
 *
 * The agent's own run has rise 1 and fall 1 (HAProxy's agent defaults), so
 * one `down` takes the server down and one `up` brings it back.  Its health
 * words also set the server's other checkers: `down` makes them down (they
 * need `rise` successes again, as HAProxy's check.health = 0), `up` makes
 * them up (check.health = rise + fall - 1): a server is up while every
 * checker is, as HAProxy's is while both its check and its agent are.
 *
 * The weight and the administrative state are the server's own, the ones
 * `set weight` and `set server state` change (src/ctl/cmd_hasrv.c): the
 * agent and the operator share them and the last one wins, as in HAProxy.
 * The change reaches the engines through the hook, like any health change. */
#include <stdio.h>
#include <string.h>

#include "check/agent_reply.h"
#include "check/check.h"
#include "check/health-int.h"
#include "check/health.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/model.h"

#define AGENT_WEIGHT_MAX_HP 256	 /* HAProxy's largest server weight */
#define AGENT_WEIGHT_MAX 65535	 /* fulcrum's (keepalived's) */

/* The administrative state the agent asks; 1 if it changed. */
static int agent_admin(struct rs_health *rh, enum agent_admin want)
{
	struct real_server *rs = rh->rs;
	enum rs_admin to = want == AGENT_A_DRAIN   ? RS_ADMIN_DRAIN
			   : want == AGENT_A_MAINT ? RS_ADMIN_DISABLED
						   : RS_ADMIN_ENABLED;
	const char *from = health_state_name(rs);

	if (rs->live->admin == to)
		return 0;
	rs->live->admin = to;
	health_log_state(ph_label(rh->ph), rs, from, health_state_name(rs), "agent", NULL,
			 "AGENT_CHECK", "%s: server %s set to %s by its agent", ph_label(rh->ph),
			 rs->name, to == RS_ADMIN_DRAIN ? "drain" : to == RS_ADMIN_DISABLED ? "maint" : "ready");
	return 1;
}

/* NN% of the configured weight, as `set weight NN%`; 1 if it changed.
 * A static balance (static-rr, a map-based hash) takes 0% and 100% only,
 * as HAProxy's: another weight is refused with HAProxy's words in *warn. */
static int agent_weight(struct rs_health *rh, long pct, char *warn, size_t wlen)
{
	struct real_server *rs = rh->rs;
	long max = rs->hp ? AGENT_WEIGHT_MAX_HP : AGENT_WEIGHT_MAX;
	long w = (long)rs->weight * pct / 100;

	if (w > max)
		w = max;
	if (w && w != rs->weight && rs->hp && rs->hp->static_weights) {
		snprintf(warn, wlen, "%s", HP_STATIC_WEIGHTS);
		return 0;
	}
	if (w == rs->cur_weight)
		return 0;
	log_info("%s: server %s weight %ld (was %d) set by its agent (%ld%%)", ph_label(rh->ph),
		 rs->name, w, rs->cur_weight, pct);
	rs->cur_weight = (int)w;
	return 1;
}

/* `up` or `down` also sets the server's other checkers. */
static void agent_force_others(struct rs_health *rh, const struct check_run *agent, int up)
{
	uint64_t now = loop_clock_ms();
	unsigned i;

	for (i = 0; i < rh->n_runs; i++) {
		struct check_run *o = &rh->runs[i].run;

		if (o == agent || (o->ops && o->ops->fail_neutral))
			continue;
		if (o->up != up)
			o->changed_ms = now;
		o->up = up;
		o->oks = 0;
		o->fails = 0;
		o->retries_left = up ? rh->runs[i].fall - 1 : 0;
	}
}

void check_agent_result(struct check_run *run, const struct agent_reply *r)
{
	struct rs_health *rh = run->owner;
	struct real_server *rs = rh->rs;
	char reason[sizeof(run->reason)], warn[96] = "";
	const char *msg;
	int touched = 0, ok = -1;

	if (!run->in_progress)
		return;
	if (r->admin != AGENT_A_NONE)
		touched |= agent_admin(rh, r->admin);
	if (r->weight_pct >= 0)
		touched |= agent_weight(rh, r->weight_pct, warn, sizeof(warn));
	if (r->maxconn_bad)
		snprintf(warn, sizeof(warn), "maxconn: not a number");
	else if (r->maxconn >= 0 && rs->hp)
		__atomic_store_n(&rs->hp->maxconn, (unsigned)r->maxconn, __ATOMIC_RELAXED);
	/* HAProxy's wording, kept for its stats (check_desc / agent_desc) */
	if (r->health != AGENT_H_NONE) {
		ok = r->health == AGENT_H_UP;
		msg = r->desc;
		if (!*msg || ok)
			msg = r->first_unknown[0] ? r->first_unknown : warn[0] ? warn : msg;
		snprintf(reason, sizeof(reason), "via agent : %s%s%s%s", r->health_word,
			 *msg ? " (" : "", msg, *msg ? ")" : "");
		agent_force_others(rh, run, ok);
		run->kind = ok ? CK_L7OK : CK_L7STS;
	} else if (r->first_unknown[0]) {
		snprintf(reason, sizeof(reason), "agent reports an error : %s", r->first_unknown);
	} else if (warn[0]) {
		snprintf(reason, sizeof(reason), "agent warns : %s", warn);
	} else {
		snprintf(reason, sizeof(reason), "no status change");
	}
	if (r->health == AGENT_H_NONE) /* no word of the health: HAProxy's CHECKED */
		run->kind = CK_CHECKED;
	/* the others may have changed without an attempt of theirs: the
	 * server's verdict is looked at again there, whatever the agent's own
	 * run does */
	health_result(run, ok, touched, reason);
}

static const struct health_run *agent_run(const struct real_server *rs)
{
	const struct rs_health *rh = rs->health;
	unsigned i;

	for (i = 0; rh && i < rh->n_runs; i++)
		if (rh->runs[i].run.ops && rh->runs[i].run.ops->type == CHECK_AGENT)
			return &rh->runs[i];
	return NULL;
}

int health_agent_up(const struct real_server *rs)
{
	const struct health_run *hr = agent_run(rs);

	return hr ? hr->run.up : -1;
}

int health_agent_stat(const struct real_server *rs, struct agent_stat *st)
{
	const struct health_run *hr = agent_run(rs);
	const struct check_run *run = hr ? &hr->run : NULL;

	if (!run || hr->off) /* `disable agent`: HAProxy shows nothing of it */
		return 0;
	memset(st, 0, sizeof(*st));
	st->code = -1;
	st->rise = hr->rise;
	st->fall = hr->fall;
	/* up: rise + fall - 1 less the failures on the way down; down: the
	 * successes on the way up */
	st->health = run->up ? hr->rise + hr->fall - 1 - (run->fails < hr->fall ? run->fails : 0)
			     : run->oks;
	if (run->kind == CK_INI)
		return 1; /* not checked yet */
	st->status = check_kind_name(run->kind);
	st->desc = check_kind_desc(run->kind);
	st->duration_ms = run->last_latency_ms;
	st->code = run->kind == CK_L7OK || run->kind == CK_L7STS ? 0 : -1;
	/* HAProxy says nothing of an answer that changed nothing of the health */
	st->last = strcmp(run->reason, "no status change") ? run->reason : "";
	return 1;
}
