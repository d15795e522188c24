/* The daemon's resolver (src/core/resolve.c) on a real loop and glibc's
 * getaddrinfo_a: an answer comes back through the callback on the loop
 * (localhost, from /etc/hosts), a name that cannot resolve comes back as
 * an error, a cancelled request is never called back (also one cancelled
 * by another's callback), and a stop with lookups still running is bounded
 * and leaves nothing for LeakSanitizer.  Every loop run is bounded by a
 * timer. */
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/loop.h"
#include "core/resolve.h"

#define BOUND_MS 20000 /* every loop run ends by then, answered or not */

struct answer {
	int calls;
	int rc;
	int v4_loopback; /* 127.0.0.1 was in the answer */
	struct resolve_req *cancel; /* cancelled from this callback ... */
	struct answer *cancel_ans;  /* ... unless this, its answer, came first */
	int cancelled;
};

static int outstanding;

static void on_answer(void *ctx, int rc, const struct addrinfo *res)
{
	struct answer *a = ctx;
	const struct addrinfo *ai;

	a->calls++;
	a->rc = rc;
	for (ai = res; ai; ai = ai->ai_next) {
		struct fc_addr x;
		char buf[ADDR_STRLEN];

		if (addr_from_sockaddr(&x, ai->ai_addr) == 0 &&
		    !strcmp(addr_format(&x, buf, sizeof(buf), 0), "127.0.0.1"))
			a->v4_loopback = 1;
	}
	if (a->cancel && !a->cancel_ans->calls) {
		resolve_cancel(a->cancel);
		a->cancelled = 1;
		outstanding--;
	}
	outstanding--;
}

/* Stops the loop once nothing is outstanding (or at BOUND_MS). */
static void watch(struct loop *l, struct ev_timer *t)
{
	uintptr_t left = (uintptr_t)t->data;

	if (outstanding <= 0 || left == 0) {
		loop_stop(l);
		return;
	}
	t->data = (void *)(left - 1);
	loop_timer_start(l, t, 10);
}

static void run(struct loop *l)
{
	struct ev_timer t;

	loop_timer_init(&t, watch, (void *)(uintptr_t)(BOUND_MS / 10));
	loop_timer_start(l, &t, 0);
	assert_int_equal(loop_run(l), 0);
	loop_timer_stop(l, &t);
}

static void test_localhost_answered_on_the_loop(void **state)
{
	struct loop *l = loop_new();
	struct answer a = {0};
	int err = 0;

	(void)state;
	outstanding = 1;
	assert_non_null(resolve_start(l, "localhost", on_answer, &a, &err));
	assert_int_equal(a.calls, 0); /* never from resolve_start itself */
	run(l);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.rc, 0);
	assert_true(a.v4_loopback);
	resolve_stop();
	loop_free(l);
}

static void test_a_name_that_does_not_resolve(void **state)
{
	struct loop *l = loop_new();
	struct answer a = {0};
	int err = 0;

	(void)state;
	outstanding = 1;
	/* a label longer than DNS allows: refused without a name server */
	assert_non_null(resolve_start(l, "x-------------------------------------------------"
					 "-------------------------------------.invalid",
				      on_answer, &a, &err));
	run(l);
	assert_int_equal(a.calls, 1);
	assert_int_not_equal(a.rc, 0);
	resolve_stop();
	loop_free(l);
}

static void test_cancelled_never_called_back(void **state)
{
	struct loop *l = loop_new();
	struct answer a = {0}, b = {0}, c = {0};
	struct resolve_req *ra, *rc;
	int err = 0;

	(void)state;
	/* a is cancelled at once; c by b's callback (c ended by then or not;
	 * answers that end together come back newest first: b before c) */
	ra = resolve_start(l, "localhost", on_answer, &a, &err);
	assert_non_null(ra);
	rc = resolve_start(l, "localhost", on_answer, &c, &err);
	assert_non_null(rc);
	assert_non_null(resolve_start(l, "localhost", on_answer, &b, &err));
	resolve_cancel(ra);
	resolve_cancel(NULL);
	b.cancel = rc;
	b.cancel_ans = &c;
	outstanding = 2; /* b's answer, and c's or its cancel */
	run(l);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.rc, 0);
	resolve_stop();
	loop_free(l);
	/* c was called back only if it came before b's callback */
	assert_int_equal(c.calls, b.cancelled ? 0 : 1);
}

static void test_stop_with_lookups_running(void **state)
{
	struct loop *l = loop_new();
	struct answer a[8] = {{0}};
	int i, err = 0;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_non_null(resolve_start(l, "localhost", on_answer, &a[i], &err));
	resolve_stop(); /* none was called back: the loop never ran */
	for (i = 0; i < 8; i++)
		assert_int_equal(a[i].calls, 0);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_localhost_answered_on_the_loop),
	    cmocka_unit_test(test_a_name_that_does_not_resolve),
	    cmocka_unit_test(test_cancelled_never_called_back),
	    cmocka_unit_test(test_stop_with_lookups_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
