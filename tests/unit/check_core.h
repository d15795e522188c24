/* The health core's side of a checker unit test: the one check_done (the
 * test binary defines it, so the library's health core is not linked), a
 * deadline that cancels as the core does, and a loop that serves the
 * test's own peers meanwhile.  An attempt must end with exactly one
 * check_done, or none when the deadline cancelled it; the checker must have
 * released run->priv by then.  Used by test_check_proto.c and
 * test_check_expect.c.
 *
 * A header of definitions: each test binary that includes it gets its own
 * copy (tests are single files); include it after <cmocka.h>. */
#ifndef FC_TESTS_CHECK_CORE_H
#define FC_TESTS_CHECK_CORE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "check/check.h"
#include "core/loop.h"

static struct {
	struct loop *l;
	int calls, ok, timed_out;
	enum check_kind kind; /* the last check_done's */
	char reason[256];
	uint64_t took_ms;
} g;

void check_done(struct check_run *run, enum check_kind kind, const char *fmt, ...)
{
	int ok = check_kind_ok(kind) == 1;
	va_list ap;

	assert_null(run->priv); /* released before the result, as check.h asks */
	va_start(ap, fmt);
	vsnprintf(g.reason, sizeof(g.reason), fmt, ap);
	va_end(ap);
	g.ok = ok;
	g.kind = kind;
	g.calls++;
	loop_stop(g.l);
}

static void stop_cb(struct loop *l, struct ev_timer *t)
{
	loop_stop(l);
}

/* Run the loop for ms milliseconds (serving the peers). */
static void spin(unsigned ms)
{
	struct ev_timer t;

	loop_timer_init(&t, stop_cb, NULL);
	loop_timer_start(g.l, &t, 0); /* first round refreshes loop_now() */
	loop_run(g.l);
	loop_timer_start(g.l, &t, ms);
	loop_run(g.l);
	loop_timer_stop(g.l, &t);
}

static void deadline_cb(struct loop *l, struct ev_timer *t)
{
	struct check_run *run = t->data;

	run->ops->cancel(run);
	assert_null(run->priv);
	g.timed_out = 1;
	loop_stop(l);
}

/* One attempt, as the core runs it: start, then the loop until check_done
 * or the deadline (connect_timeout). */
static void attempt(struct check_run *run)
{
	struct ev_timer dl;
	uint64_t t0;

	g.calls = 0;
	g.timed_out = 0;
	g.ok = -1;
	g.reason[0] = 0;
	spin(0);
	t0 = loop_clock_ms();
	loop_timer_init(&dl, deadline_cb, run);
	loop_timer_start(g.l, &dl, run->conf->connect_timeout_ms);
	run->ops->start(run);
	if (!g.calls)
		loop_run(g.l);
	loop_timer_stop(g.l, &dl);
	g.took_ms = loop_clock_ms() - t0;
	assert_int_equal(g.calls, g.timed_out ? 0 : 1);
	spin(0); /* deferred frees run */
}

#endif
