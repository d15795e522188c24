/* The health core: schedules every checker of every real server on the
 * loop, enforces the deadline of each attempt, counts retries, rise and
 * fall, and turns results into real-server state, handed to the engines
 * through the hook apply installed (health_hooks.vs_changed).
 *
 * One ev_timer per checker does everything: while idle it is the start of
 * the next attempt, while an attempt runs it is its deadline.  The heap
 * makes that O(log n) per attempt, so thousands of servers cost little.
 *
 * Verdict of one checker (doc/health.md):
 *   fall = conf->fall, else retry + 1 (keepalived: down after the retries)
 *   rise = conf->rise, else 1
 *   up, attempt fails:   fails < fall -> next after delay_before_retry
 *                        fails = fall -> down, next after delay_loop
 *   down, attempt ok:    oks = rise   -> up
 *   everything else:     next after delay_loop
 * A server is up iff all its checkers are up.
 *
 * Ownership: pool->health (struct pool_health) owns its rs_health objects,
 * which own their runs; rs->health points at its rs_health.  Reload moves
 * whole rs_health objects from the old model to the new one (a server of
 * the pool of the same name, by its name).  A pool is checked once, however
 * many services use it; each of them is told of a change. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "check/health-int.h"
#include "check/health.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/spawn.h"
#include "model/model.h"

/* The first attempts of all checkers are spread over this much (or their
 * interval if shorter). */
#define SPREAD_MAX_MS 5000
/* A timing above this was never set (the reader's CHK_UNSET, or nonsense). */
#define TIMING_MAX 86400000u

static unsigned timing(unsigned v, unsigned dflt)
{
	return v > TIMING_MAX ? dflt : v;
}

static unsigned interval_of(const struct check_conf *k, const struct pool *pool)
{
	unsigned v = timing(k->delay_loop_ms, 0);

	if (!v)
		v = timing(pool->delay_loop_ms, 0);
	return v ? v : 60000;
}

static const char *vhost_of(const struct check_conf *k, const struct pool *pool)
{
	return k->virtualhost ? k->virtualhost : pool->virtualhost;
}

/* Fill the timing in force (also after a reload moved the run). */
static void run_timing(struct health_run *hr, const struct pool *pool)
{
	const struct check_conf *k = hr->run.conf;
	unsigned retry = k->retry > 1000 ? 1 : k->retry;

	hr->interval_ms = interval_of(k, pool);
	if (hr->run.ops && hr->run.ops->attempt_timeout_ms) /* MISC_CHECK: its script's */
		hr->timeout_ms = hr->run.ops->attempt_timeout_ms(k, hr->interval_ms);
	else
		hr->timeout_ms = timing(k->connect_timeout_ms, 0) ? k->connect_timeout_ms : 5000;
	hr->retry_ms = timing(k->delay_before_retry_ms, 1000);
	hr->fall = k->fall ? k->fall : retry + 1;
	hr->rise = k->rise ? k->rise : 1;
}

/* ---- one attempt ---- */

static int stopping; /* health_stop in progress: no new attempts */

static void run_start_attempt(struct health_run *hr)
{
	struct check_run *run = &hr->run;

	run->in_progress = 1;
	run->dyn_weight = -1;
	run->code = 0;
	run->tout = run->ops && run->ops->type == CHECK_MISC ? CK_PROCTOUT : CK_L4TOUT;
	hr->off = 0;
	hr->started_ms = loop_clock_ms();
	loop_timer_start(run->loop, &run->timer, hr->timeout_ms);
	if (!run->ops) {
		check_done(run, CK_UNK, "no checker for this type in this build");
		return;
	}
	/* may call check_done() before it returns */
	run->ops->start(run);
}

/* Abort the attempt in progress, if any, without a result. */
static void run_abort(struct health_run *hr)
{
	struct check_run *run = &hr->run;

	if (run->in_progress && run->ops)
		run->ops->cancel(run);
	run->priv = NULL;
	run->in_progress = 0;
	loop_timer_stop(run->loop, &run->timer);
}

static void run_timer_cb(struct loop *l, struct ev_timer *t)
{
	struct health_run *hr = t->data;
	struct check_run *run = &hr->run;

	if (!run->in_progress) {
		run_start_attempt(hr);
		return;
	}
	/* the deadline: the checker lets go, the core counts a failure */
	if (run->ops)
		run->ops->cancel(run);
	run->priv = NULL;
	check_done(run, run->tout, "timed out after %u ms", hr->timeout_ms);
}

static unsigned rand_below(unsigned n)
{
	static unsigned seed;

	if (!n)
		return 0;
	if (!seed)
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16) ^ 0x5bd1e995u;
	return (unsigned)rand_r(&seed) % n;
}

/* The first attempt: after a random warmup if set, else at a point of the
 * spread window given by the target and the run's place, so that a
 * restart does not make every server fire in the same millisecond. */
static void run_schedule_first(struct health_run *hr, unsigned idx)
{
	struct check_run *run = &hr->run;
	unsigned warm = timing(run->conf->warmup_ms, 0);
	unsigned window = hr->interval_ms < SPREAD_MAX_MS ? hr->interval_ms : SPREAD_MAX_MS;
	uint32_t h;

	if (warm) {
		loop_timer_start(run->loop, &run->timer, rand_below(warm + 1));
		return;
	}
	h = addr_hash(&run->target, 1) ^ (addr_hash(run->rs_addr, 1) * 31u) ^ (idx * 0x9e3779b9u);
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	loop_timer_start(run->loop, &run->timer, window ? h % window : 0);
}

/* ---- real-server state ---- */

/* The hook is told once per pool, through its first service: it hands the
 * change to every service of the pool (apply_vs).  A pool no service uses
 * has no engine to tell. */
void health_changed(struct pool_health *ph)
{
	char err[512], l[ADDR_STRLEN + 16];

	health_be_observe(ph->pool, loop_now(ph->fc->loop));
	if (ph->n_svcs && ph->hooks->vs_changed(ph->fc, ph->svcs[0], err, sizeof(err)) < 0)
		log_err("%s: health change not applied: %s",
			health_vs_label(ph->svcs[0], l, sizeof(l)), err);
}

static void set_reason(struct real_server *rs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_reason(struct real_server *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->live->reason, sizeof(rs->live->reason), fmt, ap);
	va_end(ap);
}

/* The server changes state: record, log once, notify.  The caller applies. */
static void rs_transition(struct rs_health *rh, int up, const struct health_run *cause)
{
	struct real_server *rs = rh->rs;
	char a[ADDR_STRLEN], what[ADDR_STRLEN * 2 + 64];
	const char *name = cause && cause->run.ops ? cause->run.ops->name : "check";
	const char *l = ph_label(rh->ph);

	rh->up = up;
	if (rs->live->maint) {
		/* the checks' verdict waits for the end of the maintenance */
		log_debug("%s: real server %s: checks %s, stays in maintenance", l,
			  addr_format(&rs->addr, a, sizeof(a), 1), up ? "up" : "down");
		return;
	}
	if (up && rs->live->health == RS_HEALTH_DOWN)
		rs->live->down_ms += loop_now(rh->ph->fc->loop) - rs->live->since_ms;
	else if (!up && rs->live->health == RS_HEALTH_UP)
		rs->live->chkdown++;
	rs->live->health = up ? RS_HEALTH_UP : RS_HEALTH_DOWN;
	rs->live->since_ms = loop_now(rh->ph->fc->loop);
	if (!cause)
		set_reason(rs, "%s", up ? "no health check" : "down");
	else if (!up && cause->run.fails > 1)
		set_reason(rs, "%s: %s after %u tries", name, cause->run.reason, cause->run.fails);
	else
		set_reason(rs, "%s: %s", name, cause->run.reason);
	addr_format(&rs->addr, a, sizeof(a), 1);
	health_log_state(l, rs, up ? "DOWN" : "UP", up ? "UP" : "DOWN", "check", rs->live->reason,
			 cause ? name : NULL, "%s: real server %s %s (%s)", l, a, up ? "UP" : "DOWN",
			 rs->live->reason);
	if (up && rs->notify_up) {
		snprintf(what, sizeof(what), "%s: notify_up of %s", l, a);
		health_script(rh->ph->fc->loop, rs->notify_up, what);
	} else if (!up && rs->notify_down) {
		snprintf(what, sizeof(what), "%s: notify_down of %s", l, a);
		health_script(rh->ph->fc->loop, rs->notify_down, what);
	}
}

static int rs_all_up(const struct rs_health *rh)
{
	unsigned i;

	for (i = 0; i < rh->n_runs; i++)
		if (!rh->runs[i].run.up)
			return 0;
	return 1;
}

/* The first checker of rh that is down (the one a down server's reason
 * names), or NULL. */
static const struct health_run *first_down(const struct rs_health *rh)
{
	unsigned i;

	for (i = 0; i < rh->n_runs; i++)
		if (!rh->runs[i].run.up)
			return &rh->runs[i];
	return NULL;
}

void check_set_weight(struct check_run *run, int weight)
{
	if (weight < 0)
		weight = 0;
	if (weight > 65535)
		weight = 65535;
	run->dyn_weight = weight;
}

void check_done(struct check_run *run, enum check_kind kind, const char *fmt, ...)
{
	char reason[sizeof(run->reason)];
	int ok = check_kind_ok(kind);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (run->in_progress) {
		run->kind = kind;
		run->last_code = run->code;
	}
	if (!ok && run->ops && run->ops->fail_neutral)
		ok = -1;
	health_result(run, ok, 0, reason);
}

void health_result(struct check_run *run, int ok, int touched, const char *reason)
{
	struct health_run *hr = (struct health_run *)run;
	struct rs_health *rh = run->owner;
	struct real_server *rs = rh->rs;
	const char *l = ph_label(rh->ph);
	char a[ADDR_STRLEN];
	unsigned next = hr->interval_ms;
	int changed = 0;
	uint64_t now;

	if (!run->in_progress)
		return; /* a checker reporting twice: the first result stands */
	run->in_progress = 0;
	run->priv = NULL;
	loop_timer_stop(run->loop, &run->timer);
	now = loop_clock_ms();
	run->last_ms = now;
	run->last_latency_ms = (uint32_t)(now - hr->started_ms);
	snprintf(run->reason, sizeof(run->reason), "%s", reason);
	if (ok >= 0)
		hr->last_ok = ok;

	if (ok > 0) {
		run->n_ok++;
		run->oks++;
		run->fails = 0;
		if (!run->up && run->oks >= hr->rise)
			changed = 1;
	} else if (!ok) {
		if (run->up)
			rs->live->chkfail++; /* HAProxy's chkfail: while up */
		run->n_fail++;
		run->fails++;
		run->oks = 0;
		if (run->up) {
			if (run->fails >= hr->fall)
				changed = 1;
			else
				next = hr->retry_ms;
		}
	}
	if (changed) {
		run->up = !run->up;
		run->changed_ms = now;
	}
	run->retries_left = run->up && run->fails < hr->fall ? hr->fall - 1 - run->fails : 0;
	if (!stopping && !rh->ph->suspended)
		loop_timer_start(run->loop, &run->timer, next);

	addr_format(&rs->addr, a, sizeof(a), 1);
	if (ok > 0 && run->dyn_weight >= 0 &&
	    (!rs->live->dyn_set || run->dyn_weight != rs->live->dyn_weight)) {
		log_info("%s: real server %s weight %d (was %d) set by %s", l, a, run->dyn_weight,
			 rs->live->dyn_set ? rs->live->dyn_weight : rs->cur_weight,
			 run->ops ? run->ops->name : "check");
		rs->live->dyn_set = 1;
		rs->live->dyn_weight = run->dyn_weight;
		touched = 1;
	}
	if (rs_all_up(rh) != rh->up) {
		rs_transition(rh, !rh->up, hr);
		touched = 1;
	} else if (!rh->up && !ok && !run->up && first_down(rh) == hr && !rs->live->maint) {
		/* down and still failing: the reason follows the latest result
		 * (alpha's "waiting" gives way to the first failure) */
		if (run->fails > 1)
			set_reason(rs, "%s: %s after %u tries", run->ops ? run->ops->name : "check",
				   run->reason, run->fails);
		else
			set_reason(rs, "%s: %s", run->ops ? run->ops->name : "check", run->reason);
	}
	if (changed && !touched) {
		log_debug("%s: real server %s: %s %s (%s); the server stays %s", l, a,
			  run->ops ? run->ops->name : "check", run->up ? "up" : "down", run->reason,
			  rh->up ? "up" : "down");
	}
	if (touched) {
		ph_eval(rh->ph);
		health_changed(rh->ph);
	}
}

/* ---- creating and freeing a server's checking ---- */

static void rh_free(struct rs_health *rh)
{
	unsigned i;

	if (!rh)
		return;
	for (i = 0; i < rh->n_runs; i++)
		run_abort(&rh->runs[i]);
	free(rh->runs);
	free(rh);
}

/* Point the runs of rh at (possibly new) model objects. */
static void rh_bind(struct rs_health *rh, struct pool_health *ph, struct real_server *rs)
{
	const struct check_conf *k = rs->checks;
	unsigned i;

	rh->rs = rs;
	rh->pool = ph->pool;
	rh->ph = ph;
	rs->health = rh;
	for (i = 0; i < rh->n_runs && k; i++, k = k->next) {
		struct check_run *run = &rh->runs[i].run;

		run->conf = k;
		run->ops = check_ops_for(k->type);
		run->rs_addr = &rs->addr;
		run->rs = rs;
		run->vhost = vhost_of(k, ph->pool);
		run->loop = ph->fc->loop;
		run->fc = ph->fc;
		run->owner = rh;
		run->target = rs->addr;
		if (k->connect.family) {
			run->target.family = k->connect.family;
			run->target.u = k->connect.u;
		}
		if (k->connect.port)
			run->target.port = k->connect.port;
		run_timing(&rh->runs[i], ph->pool);
	}
}

/* A new rs_health for rs, its checkers starting in state `up` (no attempt
 * yet).  NULL on out of memory: the server is then simply not checked. */
static struct rs_health *rh_create(struct pool_health *ph, struct real_server *rs, int up)
{
	struct rs_health *rh = calloc(1, sizeof(*rh));
	const struct check_conf *k;
	uint64_t now = loop_clock_ms();
	unsigned n = 0, i;

	if (!rh)
		return NULL;
	for (k = rs->checks; k; k = k->next)
		n++;
	if (n) {
		rh->runs = calloc(n, sizeof(*rh->runs));
		if (!rh->runs) {
			free(rh);
			return NULL;
		}
	}
	rh->n_runs = n;
	for (i = 0; i < n; i++) {
		struct check_run *run = &rh->runs[i].run;

		loop_timer_init(&run->timer, run_timer_cb, &rh->runs[i]);
		run->up = up;
		run->changed_ms = now;
		run->dyn_weight = -1;
	}
	rh_bind(rh, ph, rs);
	rh->up = up;
	return rh;
}

static void rh_start(struct rs_health *rh)
{
	unsigned i;

	if (rh->ph->suspended || stopping)
		return;
	for (i = 0; i < rh->n_runs; i++)
		run_schedule_first(&rh->runs[i], i);
}

void rh_suspend(struct rs_health *rh, int suspended)
{
	unsigned i;

	for (i = 0; i < rh->n_runs; i++) {
		struct health_run *hr = &rh->runs[i];

		if (suspended)
			run_abort(hr);
		else if (!hr->run.in_progress && !loop_timer_armed(&hr->run.timer) && !stopping)
			run_schedule_first(hr, i);
	}
}

/* Set up the checking of rs in ph.  old: the same server's rs_health in the
 * running model, or NULL for a server that was not there.  Returns 1 if the
 * server's live state was changed (the engine must see it). */
static int rs_adopt(struct pool_health *ph, struct real_server *rs, struct real_server *ors,
		    int *carried)
{
	struct rs_health *orh = ors ? ors->health : NULL;
	struct rs_live *lv = rs->live;
	char a[ADDR_STRLEN];
	const char *l;
	struct rs_health *rh;
	unsigned i;
	int up;

	*carried = 0;
	if (orh && check_conf_equal(rs->checks, ors->checks)) {
		int same_timing = 1;

		for (i = 0; i < orh->n_runs; i++) {
			const struct check_conf *ok = orh->runs[i].run.conf;

			if (interval_of(ok, orh->pool) != interval_of(ok, ph->pool) ||
			    !health_str_eq(vhost_of(ok, orh->pool), vhost_of(ok, ph->pool)))
				same_timing = 0;
		}
		if (same_timing) {
			/* the whole object moves; an attempt in progress may hold
			 * pointers into the old conf (an HTTP url), so it starts
			 * again against the new one, without counting */
			ors->health = NULL;
			rh_bind(orh, ph, rs);
			for (i = 0; i < orh->n_runs; i++) {
				struct health_run *hr = &orh->runs[i];

				if (hr->run.in_progress) {
					run_abort(hr);
					if (!ph->suspended)
						loop_timer_start(hr->run.loop, &hr->run.timer, 0);
				}
			}
			*carried = 1;
			return 0;
		}
	}
	l = ph_label(ph);
	addr_format(&rs->addr, a, sizeof(a), 1);
	if (!rs->checks) {
		/* no checker: always up */
		rh = rh_create(ph, rs, 1);
		if (lv->health != RS_HEALTH_UP && !lv->maint) {
			lv->health = RS_HEALTH_UP;
			lv->since_ms = loop_now(ph->fc->loop);
			set_reason(rs, "no health check");
			health_log_state(l, rs, "DOWN", "UP", "check", rs->live->reason, NULL,
					 "%s: real server %s UP (no health check)", l, a);
			return 1;
		}
		if (!ors)
			lv->since_ms = loop_now(ph->fc->loop);
		return 0;
	}
	if (ors) {
		/* checks changed: the new ones start from where the server is
		 * (in maintenance: where the old checks had it) */
		up = lv->maint && orh ? orh->up : lv->health == RS_HEALTH_UP;
	} else {
		up = !ph->pool->alpha;
		lv->since_ms = loop_now(ph->fc->loop);
		if (!up) {
			set_reason(rs, "alpha: waiting for the first check");
			log_debug("%s: real server %s starts down (alpha)", l, a);
		}
	}
	rh = rh_create(ph, rs, up);
	if (!rh) {
		log_err("%s: real server %s: out of memory, not checked", l, a);
		return 0;
	}
	/* haproxy.cfg: HAProxy starts a checked server at health = rise, UP
	 * but one failure from DOWN (its chkfail, lastchg and downtime say
	 * so): its checks start with fall - 1 failures behind them */
	if (!ors && up && rs->hp)
		for (i = 0; i < rh->n_runs; i++)
			if (rh->runs[i].run.ops && !rh->runs[i].run.ops->fail_neutral && rh->runs[i].fall)
				rh->runs[i].run.fails = rh->runs[i].fall - 1;
	rh_start(rh);
	up = up && !lv->maint;
	if ((lv->health == RS_HEALTH_UP) != up) {
		lv->health = up ? RS_HEALTH_UP : RS_HEALTH_DOWN;
		return 1;
	}
	return 0;
}

/* The reason a server's checks give, as a transition would have set it:
 * the first checker down, else the first checker's last result. */
static void verdict_reason(struct real_server *rs, const struct rs_health *rh)
{
	const struct health_run *hr = rh ? first_down(rh) : NULL;
	const char *name;

	if (!hr && rh && rh->n_runs && rh->runs[0].run.last_ms)
		hr = &rh->runs[0];
	if (!hr) {
		set_reason(rs, "%s", rh && rh->n_runs ? "" : "no health check");
		return;
	}
	name = hr->run.ops ? hr->run.ops->name : "check";
	if (!hr->run.up && hr->run.fails > 1)
		set_reason(rs, "%s: %s after %u tries", name, hr->run.reason, hr->run.fails);
	else
		set_reason(rs, "%s: %s", name, hr->run.reason);
}

int health_set_maint(struct fulcrum *fc, struct virtual_server *vs, struct real_server *rs,
		     const char *why)
{
	struct rs_health *rh = rs->health;
	struct rs_live *lv = rs->live;
	char l[ADDR_STRLEN + 16], a[ADDR_STRLEN], what[ADDR_STRLEN * 2 + 64];
	int was_up = lv->health == RS_HEALTH_UP, up;

	if (why) {
		if (lv->maint && !strncmp(lv->reason, why, sizeof(lv->reason) - 1))
			return 0;
		lv->maint = 1;
		set_reason(rs, "%s", why);
		up = 0;
	} else {
		if (!lv->maint)
			return 0;
		lv->maint = 0;
		/* not checked yet (a model before health_apply): rs_adopt decides */
		up = rh ? rh->up : was_up;
		verdict_reason(rs, rh);
	}
	health_vs_label(vs, l, sizeof(l));
	addr_format(&rs->addr, a, sizeof(a), 1);
	if (why)
		health_log_state(vs->pool->name, rs, was_up ? "UP" : "DOWN", "MAINT",
				 "maintenance_dir", why, NULL, "%s: real server %s in %s", l, a, why);
	else
		health_log_state(vs->pool->name, rs, "MAINT", up ? "UP" : "DOWN", "maintenance_dir",
				 lv->reason, NULL, "%s: real server %s out of maintenance, %s (%s)",
				 l, a, up ? "UP" : "DOWN", lv->reason);
	if (up == was_up)
		return 1;
	lv->health = up ? RS_HEALTH_UP : RS_HEALTH_DOWN;
	lv->since_ms = loop_now(fc->loop);
	if (!rh) /* a server that is not checked yet is not notified either */
		return 1;
	if (up && rs->notify_up) {
		snprintf(what, sizeof(what), "%s: notify_up of %s", l, a);
		health_script(fc->loop, rs->notify_up, what);
	} else if (!up && rs->notify_down) {
		snprintf(what, sizeof(what), "%s: notify_down of %s", l, a);
		health_script(fc->loop, rs->notify_down, what);
	}
	return 1;
}

static void ph_free(struct pool_health *ph)
{
	struct rs_health *rh, *next;

	if (!ph)
		return;
	for (rh = ph->servers; rh; rh = next) {
		next = rh->next;
		if (rh->rs && rh->rs->health == rh)
			rh->rs->health = NULL;
		rh_free(rh);
	}
	if (ph->pool && ph->pool->health == ph)
		ph->pool->health = NULL;
	free(ph->svcs);
	free(ph);
}

static void ph_link(struct pool_health *ph, struct rs_health *rh)
{
	struct rs_health **p = &ph->servers;

	while (*p)
		p = &(*p)->next;
	rh->next = NULL;
	*p = rh;
}

/* Remove rh from whatever list holds it in ph. */
static void ph_unlink(struct pool_health *ph, struct rs_health *rh)
{
	struct rs_health **p;

	for (p = &ph->servers; *p; p = &(*p)->next) {
		if (*p == rh) {
			*p = rh->next;
			rh->next = NULL;
			return;
		}
	}
}

/* The pool's state and its servers' checking in a new model: carried from
 * the pool of the same name in the running one, if any.  Returns 1 if what
 * the engines must see changed. */
static int ph_adopt(struct pool_health *ph, struct pool_health *oph)
{
	struct pool *pool = ph->pool, *opool = oph ? oph->pool : NULL;
	struct real_server *rs, *ors;
	int dirty = 0, carried;

	if (oph) {
		ph->started = oph->started;
		ph->quorum_up = oph->quorum_up;
		ph->quorum_ms = oph->quorum_ms;
		ph->sorry_active = oph->sorry_active;
	}
	/* a pool already under ha_suspend keeps the state VRRP gave it */
	if (oph && oph->all_ha && ph->all_ha)
		ph->suspended = oph->suspended;
	else
		ph->suspended = ph_want_suspended(ph, NULL);
	if (ph->suspended && !(oph && oph->suspended))
		log_info("%s: ha_suspend: the address is not local, checks suspended",
			 ph_label(ph));
	for (rs = pool->rs; rs; rs = rs->next) {
		ors = opool ? pool_find_server(opool, rs->name) : NULL;
		if (ors && ors->health)
			ph_unlink(oph, ors->health);
		dirty |= rs_adopt(ph, rs, ors, &carried);
		/* a weight a former checker set does not outlive it */
		if (!carried && rs->live->dyn_set) {
			rs->live->dyn_set = 0;
			dirty = 1;
		}
		if (rs->health)
			ph_link(ph, rs->health);
		if (ors && ors->health) {
			/* not carried: the old checkers stop */
			rh_free(ors->health);
			ors->health = NULL;
		}
	}
	/* carried checkers follow the pool's (new) suspension */
	if (oph && oph->suspended != ph->suspended) {
		struct rs_health *rh;

		for (rh = ph->servers; rh; rh = rh->next)
			rh_suspend(rh, ph->suspended);
	}
	return dirty | ph_eval(ph);
}

void health_apply(struct fulcrum *fc, const struct health_hooks *hooks, struct config *newcfg,
		  struct config *oldcfg)
{
	struct virtual_server *vs;
	struct pool *pool, *opool;
	struct pool_health *ph;

	for (pool = newcfg->pools; pool; pool = pool->next) {
		pool->health = ph_new(fc, hooks, pool);
		if (!pool->health)
			log_err("health: out of memory, the checks of %s do not run",
				pool->name ? pool->name : "a pool");
	}
	/* each pool learns its services before it starts (ha_suspend looks at
	 * every one, and a change is handed to every one) */
	for (vs = newcfg->vs; vs; vs = vs->next) {
		ph = vs->pool->health;
		if (ph && ph_add_svc(ph, vs) < 0) {
			log_err("health: out of memory, the checks of %s do not run", ph_label(ph));
			ph_free(ph);
		}
	}
	for (pool = newcfg->pools; pool; pool = pool->next) {
		ph = pool->health;
		if (!ph)
			continue;
		opool = oldcfg ? config_find_pool(oldcfg, pool->name) : NULL;
		if (ph_adopt(ph, opool ? opool->health : NULL))
			health_changed(ph);
		health_be_observe(pool, loop_now(fc->loop));
	}
	/* what is left of the old model stops */
	for (opool = oldcfg ? oldcfg->pools : NULL; opool; opool = opool->next)
		ph_free(opool->health);
}

void health_sync_vs(struct fulcrum *fc, struct virtual_server *vs)
{
	struct pool_health *ph = vs->pool->health;
	struct rs_health *rh, *next;
	struct real_server *rs;
	int carried;

	/* a model that did not go through health_apply (tests that drive
	 * the engines directly) is not checked */
	if (!ph)
		return;
	health_be_observe(vs->pool, loop_now(fc->loop));
	for (rh = ph->servers; rh; rh = rh->next)
		rh->seen = 0;
	for (rs = vs->pool->rs; rs; rs = rs->next) {
		rh = rs->health;
		if (rh && rh->ph == ph && rh->rs == rs) {
			rh->seen = 1;
			continue;
		}
		rs->health = NULL;
		rs->live->dyn_set = 0;
		rs_adopt(ph, rs, NULL, &carried);
		rh = rs->health;
		if (rh) {
			rh->seen = 1;
			ph_link(ph, rh);
		}
	}
	for (rh = ph->servers; rh; rh = next) {
		next = rh->next;
		if (rh->seen)
			continue;
		ph_unlink(ph, rh);
		/* a removed server is still allocated during this call */
		if (rh->rs && rh->rs->health == rh)
			rh->rs->health = NULL;
		rh_free(rh);
	}
	/* the caller's engine update follows and sees the held flags */
	ph_eval(ph);
}

/* Killed scripts are reaped when the loop sees their pidfd: at stop the
 * loop runs a little longer for that (bounded), so none is left a zombie
 * and nothing leaks. */
#define REAP_WAIT_MS 1000

struct reap_wait {
	uint64_t deadline;
	struct ev_timer t;
};

static void reap_tick(struct loop *l, struct ev_timer *t)
{
	struct reap_wait *w = t->data;

	if (!spawn_pending() || loop_clock_ms() >= w->deadline) {
		loop_stop(l);
		return;
	}
	loop_timer_start(l, t, 5);
}

void health_stop(struct fulcrum *fc)
{
	struct pool *pool;
	struct reap_wait w;

	stopping = 1;
	for (pool = fc->cfg ? fc->cfg->pools : NULL; pool; pool = pool->next)
		ph_free(pool->health);
	health_scripts_cancel();
	if (spawn_pending() && fc->loop) {
		w.deadline = loop_clock_ms() + REAP_WAIT_MS;
		loop_timer_init(&w.t, reap_tick, &w);
		loop_timer_start(fc->loop, &w.t, 0);
		loop_run(fc->loop);
		loop_timer_stop(fc->loop, &w.t);
	}
	stopping = 0;
}

int health_rs_checks(struct real_server *rs, int enabled, int agent)
{
	struct rs_health *rh = rs->health;
	unsigned i, n = 0;

	if (!rh || !rh->n_runs)
		return -1;
	for (i = 0; i < rh->n_runs; i++) {
		struct health_run *hr = &rh->runs[i];

		if ((hr->run.ops && hr->run.ops->type == CHECK_AGENT) != !!agent)
			continue;
		n++;
		hr->off = !enabled;
		if (!enabled)
			run_abort(hr);
		/* a suspended pool's checks stay stopped: ha_suspend starts them */
		else if (!rh->ph->suspended && !hr->run.in_progress &&
			 !loop_timer_armed(&hr->run.timer) && !stopping)
			run_schedule_first(hr, i);
	}
	return n ? 0 : -2;
}
