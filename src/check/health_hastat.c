/* A server's checks in HAProxy's words: `show stat`'s check_* columns
 * (src/stats/hastat.c), read from the health core's runs.
 *
 * Every attempt ends with its kind (enum check_kind, given by the checker
 * where the result is found: HAProxy 2.6's L4OK, L4CON, L7STS...), so the
 * columns are the kind's name and description; check_code is the
 * checker's code (an HTTP status, an SMTP reply, else 0) for the layer 7
 * verdicts, as HAProxy shows it. */
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/health-t.h"
#include "check/health.h"
#include "model/model.h"

/* The checker the columns describe: the first that is not the agent
 * (HAProxy's check, apart from its agent-check), or NULL. */
static const struct health_run *main_run(const struct real_server *rs)
{
	const struct rs_health *rh = rs->health;
	unsigned i;

	for (i = 0; rh && i < rh->n_runs; i++)
		if (!rh->runs[i].run.conf || rh->runs[i].run.conf->type != CHECK_AGENT)
			return &rh->runs[i];
	return NULL;
}

int health_hastat(const struct real_server *rs, uint64_t now_ms, struct health_hastat *out)
{
	const struct health_run *hr = main_run(rs);
	const struct check_run *run;

	memset(out, 0, sizeof(*out));
	out->chkfail = rs->live->chkfail;
	out->chkdown = rs->live->chkdown;
	out->down_ms = rs->live->down_ms;
	/* down now: DOWN, or in maintenance (HAProxy's server is stopped then) */
	if ((rs->live->health == RS_HEALTH_DOWN || rs->live->maint ||
	     rs->live->admin == RS_ADMIN_DISABLED) && now_ms > rs->live->since_ms)
		out->down_ms += now_ms - rs->live->since_ms;
	if (!hr)
		return -1;
	run = &hr->run;
	out->rise = hr->rise;
	out->fall = hr->fall;
	/* HAProxy's health: rise + fall - 1 when up and passing, down to
	 * rise at the last failure before down; 0 when down, up to rise - 1 */
	out->health = run->up ? hr->rise + hr->fall - 1 - (run->fails < hr->fall ? run->fails : 0)
			      : (run->oks < hr->rise ? run->oks : 0);
	out->in_progress = run->in_progress;
	out->code = -1;
	if (run->kind == CK_INI) {
		out->status = check_kind_name(CK_INI);
		out->kdesc = check_kind_desc(CK_INI);
		return 0;
	}
	out->checked = 1;
	out->kind = run->kind;
	out->status = check_kind_name(run->kind);
	out->kdesc = check_kind_desc(run->kind);
	out->code = run->kind == CK_L7OK || run->kind == CK_L7OKC || run->kind == CK_L7STS
			? run->last_code
			: -1;
	out->duration_ms = run->last_latency_ms;
	out->desc = hr->last_ok ? "" : run->reason;
	return 0;
}

void health_be_observe(const struct pool *p, uint64_t now_ms)
{
	struct be_live *b = p->live;
	const struct real_server *rs;
	int down = p->rs != NULL;

	if (!b)
		return;
	for (rs = p->rs; rs && down; rs = rs->next)
		if (rs_effective_weight(rs) > 0)
			down = 0;
	if (!b->since_ms) { /* the first look: the state it starts in */
		b->down = down;
		b->since_ms = now_ms ? now_ms : 1;
		return;
	}
	if (down == b->down)
		return;
	if (down)
		b->chkdown++;
	else if (now_ms > b->since_ms)
		b->down_ms += now_ms - b->since_ms;
	b->down = down;
	b->since_ms = now_ms;
}
