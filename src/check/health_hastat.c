/* A server's checks in HAProxy's words: `show stat`'s check_* columns
 * (src/stats/hastat.c), read from the health core's runs.
 *
 * HAProxy names a check's last result with a code of its layer (L4OK,
 * L4CON, L4TOUT, L7OK, L7STS, L7RSP, L7TOUT; PROCOK/PROCERR for an external
 * check); fulcrum's checkers say theirs in words (check_run.reason), so the
 * code is made from the checker's type, the verdict and those words:
 * refused, reset and unreachable are L4CON; a deadline is L4TOUT for the
 * checkers that only connect (TCP_CHECK, UDP_CHECK, PING_CHECK: HAProxy's
 * plain `check`) and L7TOUT for the others (whether their connection was
 * made is not recorded); an HTTP check's unexpected status is L7STS with
 * the status as its code; another answer refused is L7RSP. */
#include <stdlib.h>
#include <string.h>

#include "check/health-t.h"
#include "check/health.h"

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

static int connects_only(enum check_type t)
{
	return t == CHECK_TCP || t == CHECK_UDP || t == CHECK_PING;
}

/* The HTTP status a check's reason names ("PATH: status N"), or 0. */
static int http_code(const struct check_run *run)
{
	const char *p = strstr(run->reason, ": status ");

	return p ? atoi(p + 9) : 0;
}

static const char *status_of(const struct health_run *hr, int *code)
{
	const struct check_run *run = &hr->run;
	enum check_type t = run->conf->type;
	int http = t == CHECK_HTTP_GET || t == CHECK_SSL_GET;
	const char *r = run->reason;

	*code = http ? http_code(run) : 0;
	if (hr->last_ok)
		return t == CHECK_MISC ? "PROCOK" : connects_only(t) ? "L4OK" : "L7OK";
	if (strstr(r, "refused") || strstr(r, "reset") || strstr(r, "unreachable") ||
	    strstr(r, "no route"))
		return "L4CON";
	if (strstr(r, "timed out"))
		return t == CHECK_MISC ? "PROCTOUT" : connects_only(t) ? "L4TOUT" : "L7TOUT";
	if (t == CHECK_MISC)
		return "PROCERR";
	if (connects_only(t))
		return "L4CON";
	return *code ? "L7STS" : "L7RSP";
}

int health_hastat(const struct real_server *rs, uint64_t now_ms, struct health_hastat *out)
{
	const struct health_run *hr = main_run(rs);
	const struct check_run *run;

	memset(out, 0, sizeof(*out));
	out->chkfail = rs->live->chkfail;
	out->chkdown = rs->live->chkdown;
	out->down_ms = rs->live->down_ms;
	if (rs->live->health == RS_HEALTH_DOWN && now_ms > rs->live->since_ms)
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
	if (!run->n_ok && !run->n_fail) {
		out->status = "INI";
		return 0;
	}
	out->checked = 1;
	out->status = status_of(hr, &out->code);
	out->duration_ms = run->last_latency_ms;
	out->desc = hr->last_ok ? "" : run->reason;
	return 0;
}
