/* Helpers of the health core: service labels for log lines, the
 * fire-and-forget scripts (notify_up/down, quorum_up/down), and the
 * comparison of check configurations that decides what a reload keeps
 * (the common fields here, each checker's own by its conf_equal). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/health-int.h"
#include "check/health.h"
#include "core/log.h"
#include "core/spawn.h"
#include "model/model.h"

const char *health_vs_label(const struct virtual_server *vs, char *buf, size_t len)
{
	return vs_label(vs, buf, len);
}

const char *health_state_name(const struct real_server *rs)
{
	if (rs->live->admin == RS_ADMIN_DISABLED || rs->live->maint)
		return "MAINT";
	if (rs->live->admin == RS_ADMIN_DRAIN)
		return "DRAIN";
	return rs->live->health == RS_HEALTH_UP ? "UP" : "DOWN";
}

void health_log_state(const char *pool, const struct real_server *rs, const char *from,
		      const char *to, const char *by, const char *reason, const char *check,
		      const char *fmt, ...)
{
	char a[ADDR_STRLEN];
	const struct log_kv kv[] = {
	    {"pool", pool},	{"server", rs->name},
	    {"addr", addr_format(&rs->addr, a, sizeof(a), 1)},
	    {"from", from},	{"to", to},
	    {"by", by},		{"reason", reason},
	    {"check", check},
	};
	int bad = !strcmp(to, "DOWN") || !strcmp(to, "MAINT");
	va_list ap;

	va_start(ap, fmt);
	log_vevent(bad ? LOG_WARNING : LOG_INFO, "server-state", kv, sizeof(kv) / sizeof(kv[0]),
		   fmt, ap);
	va_end(ap);
}

/* ---- scripts: notify_up/down, quorum_up/down ---- */

struct script_job {
	struct spawn *sp;
	struct script_job *next, **pprev;
	char what[200];
};

/* Scripts still running; health_stop kills them.  One daemon per process. */
static struct script_job *jobs;

static void job_unlink(struct script_job *j)
{
	*j->pprev = j->next;
	if (j->next)
		j->next->pprev = j->pprev;
}

static void job_done(struct spawn_result *res, void *data)
{
	struct script_job *j = data;

	if (res->timed_out)
		log_warn("%s: killed after %u s", j->what, HEALTH_SCRIPT_TIMEOUT_MS / 1000);
	else if (!res->exited)
		log_warn("%s: killed by signal %d", j->what, res->signo);
	else if (res->exit_code)
		log_warn("%s: exit status %d%s%s", j->what, res->exit_code,
			 res->output && *res->output ? ": " : "", res->output ? res->output : "");
	job_unlink(j);
	free(j);
}

void health_script(struct loop *l, const char *cmdline, const char *what)
{
	struct script_job *j = calloc(1, sizeof(*j));
	char err[256];

	if (!j) {
		log_err("%s: cannot run: out of memory", what);
		return;
	}
	snprintf(j->what, sizeof(j->what), "%s", what);
	j->sp =
	    spawn_start(l, cmdline, NULL, HEALTH_SCRIPT_TIMEOUT_MS, job_done, j, err, sizeof(err));
	if (!j->sp) {
		log_err("%s: cannot run: %s", what, err);
		free(j);
		return;
	}
	j->next = jobs;
	if (jobs)
		jobs->pprev = &j->next;
	j->pprev = &jobs;
	jobs = j;
}

void health_scripts_cancel(void)
{
	while (jobs) {
		struct script_job *j = jobs;

		job_unlink(j);
		spawn_cancel(j->sp);
		free(j);
	}
}

/* ---- configuration helpers ---- */

int health_str_eq(const char *a, const char *b)
{
	return check_str_eq(a, b);
}

static int addr_same(const struct fc_addr *a, const struct fc_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return 0;
	if (a->family == AF_INET6)
		return !memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6));
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	return 1;
}

/* One check_conf against another: the common fields that change what is
 * checked or when (file and line do not), then the checker's own. */
int check_conf_equal1(const struct check_conf *a, const struct check_conf *b)
{
	const struct check_ops *ops;

	if (a->type != b->type || !addr_same(&a->connect, &b->connect) ||
	    !addr_same(&a->bindto, &b->bindto) || !health_str_eq(a->bind_if, b->bind_if) ||
	    a->connect_timeout_ms != b->connect_timeout_ms || a->retry != b->retry ||
	    a->delay_before_retry_ms != b->delay_before_retry_ms ||
	    a->delay_loop_ms != b->delay_loop_ms || a->warmup_ms != b->warmup_ms ||
	    a->rise != b->rise || a->fall != b->fall || !health_str_eq(a->alpha_set, b->alpha_set) ||
	    !health_str_eq(a->virtualhost, b->virtualhost))
		return 0;
	if (!a->spec || !b->spec)
		return a->spec == b->spec;
	ops = check_ops_for(a->type);
	return ops && ops->conf_equal && ops->conf_equal(a->spec, b->spec);
}

int check_conf_equal(const struct check_conf *a, const struct check_conf *b)
{
	for (; a && b; a = a->next, b = b->next)
		if (!check_conf_equal1(a, b))
			return 0;
	return !a && !b;
}
