/* The event loop: timers fire in order (restarted ones too), stop works
 * from callbacks, a watcher deleted by an earlier handler of the same
 * round is not called, deferred work runs after the round, signals arrive
 * through signalfd, and with a lock set, an unlocked watcher's round
 * takes no lock at all while the others run under it; a registration
 * that outlives its fd's close (a forked child holds the file) delivers
 * nothing to the watcher that reuses the number. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loop.h"

static int order[16];
static int norder;

static void rec_timer(struct loop *l, struct ev_timer *t)
{
	order[norder++] = (int)(intptr_t)t->data;
	if (norder == 3)
		loop_stop(l);
}

static void test_timers_fire_in_order(void **state)
{
	struct loop *l = loop_new();
	struct ev_timer a, b, c, d;

	(void)state;
	norder = 0;
	loop_timer_init(&a, rec_timer, (void *)1);
	loop_timer_init(&b, rec_timer, (void *)2);
	loop_timer_init(&c, rec_timer, (void *)3);
	loop_timer_init(&d, rec_timer, (void *)4);
	loop_timer_start(l, &c, 30);
	loop_timer_start(l, &a, 10);
	loop_timer_start(l, &d, 15);
	loop_timer_start(l, &b, 20);
	loop_timer_stop(l, &d);
	assert_false(loop_timer_armed(&d));
	assert_true(loop_timer_armed(&a));
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	loop_free(l);
}

/* many timers, random stops and restarts (earlier or later than they
 * were: moved in place): the heap stays a heap */
static int fired;
static uint64_t last_when;
static int heap_ok = 1;

static void count_timer(struct loop *l, struct ev_timer *t)
{
	(void)l;
	if (t->when < last_when)
		heap_ok = 0;
	last_when = t->when;
	fired++;
}

static void stop_all(struct loop *l, struct ev_timer *t)
{
	(void)t;
	loop_stop(l);
}

static void test_timer_heap_stress(void **state)
{
	struct loop *l = loop_new();
	struct ev_timer *ts = calloc(500, sizeof(*ts)), end;
	int i, stopped = 0;

	(void)state;
	srand(7);
	fired = 0;
	for (i = 0; i < 500; i++) {
		loop_timer_init(&ts[i], count_timer, NULL);
		loop_timer_start(l, &ts[i], (uint64_t)(rand() % 40));
	}
	for (i = 0; i < 500; i += 3) {
		loop_timer_stop(l, &ts[i]);
		stopped++;
	}
	for (i = 1; i < 500; i += 3)
		loop_timer_start(l, &ts[i], (uint64_t)(rand() % 40));
	loop_timer_init(&end, stop_all, NULL);
	loop_timer_start(l, &end, 80);
	loop_run(l);
	assert_int_equal(fired, 500 - stopped);
	assert_true(heap_ok);
	free(ts);
	loop_free(l);
}

struct pair {
	struct ev_io a, b;
	int fds[2], fds2[2];
	int b_called;
};

static void on_a(struct loop *l, struct ev_io *io, uint32_t ev)
{
	struct pair *p = io->data;

	(void)ev;
	/* a handler deletes another watcher whose event is already fetched */
	loop_io_del(l, &p->b);
	loop_io_del(l, &p->a);
	loop_stop(l);
}

static void on_b(struct loop *l, struct ev_io *io, uint32_t ev)
{
	struct pair *p = io->data;

	(void)l;
	(void)ev;
	p->b_called++;
	loop_io_del(l, &p->a);
	loop_io_del(l, &p->b);
	loop_stop(l);
}

static void test_deleted_watcher_not_called(void **state)
{
	struct loop *l = loop_new();
	struct pair p = {0};

	(void)state;
	assert_int_equal(pipe(p.fds), 0);
	assert_int_equal(pipe(p.fds2), 0);
	assert_int_equal(loop_io_add(l, &p.a, p.fds[0], EPOLLIN, on_a, &p), 0);
	assert_int_equal(loop_io_add(l, &p.b, p.fds2[0], EPOLLIN, on_b, &p), 0);
	assert_int_equal(write(p.fds[1], "x", 1), 1);
	assert_int_equal(write(p.fds2[1], "x", 1), 1);
	loop_run(l);
	/* whichever ran first deleted the other: exactly one handler ran */
	assert_true(p.b_called == 0 || (!p.a.registered && !p.b.registered));
	assert_false(p.a.registered);
	assert_false(p.b.registered);
	close(p.fds[0]);
	close(p.fds[1]);
	close(p.fds2[0]);
	close(p.fds2[1]);
	loop_free(l);
}

static int deferred_ran;

static void deferred(void *arg)
{
	deferred_ran = *(int *)arg;
}

static void defer_then_stop(struct loop *l, struct ev_timer *t)
{
	static int v = 42;

	loop_defer(l, deferred, &v);
	assert_int_equal(deferred_ran, 0);
	(void)t;
	loop_stop(l);
}

static void test_defer_runs_after_round(void **state)
{
	struct loop *l = loop_new();
	struct ev_timer t;

	(void)state;
	loop_timer_init(&t, defer_then_stop, NULL);
	loop_timer_start(l, &t, 1);
	loop_run(l);
	loop_free(l); /* runs anything still deferred */
	assert_int_equal(deferred_ran, 42);
}

static int got_signal;

static void on_usr1(struct loop *l, int signo)
{
	got_signal = signo;
	loop_stop(l);
}

static void test_signal(void **state)
{
	struct loop *l = loop_new();

	(void)state;
	assert_int_equal(loop_signal(l, SIGUSR1, on_usr1), 0);
	kill(getpid(), SIGUSR1);
	loop_run(l);
	assert_int_equal(got_signal, SIGUSR1);
	loop_free(l);
}

/* ---- the loop's lock (doc/internals/threads.md) ---- */

struct lock_case {
	pthread_mutex_t m;
	struct loop *l;
	struct ev_io io;
	int fds[2];
	int held_in_cb; /* 1 = the callback's thread held m (errorcheck unlock) */
	int done;
};

static void lock_cb(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct lock_case *lc = io->data;
	char b;

	(void)events;
	(void)!read(lc->fds[0], &b, 1);
	/* an error-checking mutex refuses an unlock by a thread not its owner */
	lc->held_in_cb = pthread_mutex_unlock(&lc->m) == 0;
	if (lc->held_in_cb)
		pthread_mutex_lock(&lc->m);
	loop_stop(l);
}

static void *lock_loop(void *arg)
{
	struct lock_case *lc = arg;

	loop_set_lock(lc->l, &lc->m);
	loop_lock_release(lc->l); /* the test thread takes it below */
	loop_run(lc->l);
	__atomic_store_n(&lc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The loop's thread runs with lc->m set; the test thread holds m while
 * one event arrives.  Returns 1 if the loop finished its round within
 * 5 s (the callback then said whether it ran under the lock). */
static int lock_round(struct lock_case *lc, int unlocked)
{
	pthread_t t;
	pthread_mutexattr_t a;
	struct timespec ts;
	int i, finished = 0;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lc->m, &a);
	pthread_mutexattr_destroy(&a);
	lc->l = loop_new();
	assert_int_equal(pipe(lc->fds), 0);
	assert_int_equal(loop_io_add(lc->l, &lc->io, lc->fds[0], EPOLLIN, lock_cb, lc), 0);
	if (unlocked)
		loop_io_unlocked(&lc->io);
	lc->done = 0;
	assert_int_equal(pthread_create(&t, NULL, lock_loop, lc), 0);
	usleep(50000); /* the loop's thread took the lock once and gave it up */
	pthread_mutex_lock(&lc->m);
	assert_int_equal(write(lc->fds[1], "x", 1), 1);
	for (i = 0; i < 500 && !finished; i++) {
		ts.tv_sec = 0;
		ts.tv_nsec = 10000000;
		nanosleep(&ts, NULL);
		finished = __atomic_load_n(&lc->done, __ATOMIC_ACQUIRE);
	}
	pthread_mutex_unlock(&lc->m);
	pthread_join(t, NULL);
	loop_io_del(lc->l, &lc->io);
	loop_free(lc->l);
	close(lc->fds[0]);
	close(lc->fds[1]);
	pthread_mutex_destroy(&lc->m);
	return finished;
}

/* A watcher marked unlocked is served while another thread holds the
 * lock, and is called without it: a worker relays while the main thread
 * applies. */
static void test_unlocked_watcher_takes_no_lock(void **state)
{
	struct lock_case lc;

	(void)state;
	assert_true(lock_round(&lc, 1));
	assert_false(lc.held_in_cb);
}

/* An ordinary watcher waits for the lock and runs under it. */
static void test_locked_watcher_runs_under_the_lock(void **state)
{
	struct lock_case lc;

	(void)state;
	assert_false(lock_round(&lc, 0)); /* held by the test: it waited */
	assert_true(lc.held_in_cb);
}

/* loop_io_close skips the EPOLL_CTL_DEL.  A child forked between our
 * socket's registration and its close holds the file, so the old
 * registration stays in the epoll set under the same fd number; the
 * socket that reuses the number must not receive its events (and the
 * freed watcher must not be touched: ASan). */
static int stale_calls, fresh_calls, fresh_bytes;

static void on_stale(struct loop *l, struct ev_io *io, uint32_t events)
{
	(void)l;
	(void)io;
	(void)events;
	stale_calls++;
}

static void on_fresh(struct loop *l, struct ev_io *io, uint32_t events)
{
	char c;

	(void)l;
	(void)events;
	fresh_calls++;
	while (read(io->fd, &c, 1) == 1)
		fresh_bytes++;
}

static void round_then_stop(struct loop *l, struct ev_timer *t)
{
	(void)t;
	loop_stop(l);
}

static void run_for(struct loop *l, uint64_t ms)
{
	struct ev_timer t;

	loop_timer_init(&t, round_then_stop, NULL);
	loop_timer_start(l, &t, ms);
	assert_int_equal(loop_run(l), 0);
}

static void test_closed_fd_stale_registration(void **state)
{
	struct loop *l = loop_new();
	struct ev_io *old = malloc(sizeof(*old)), fresh;
	int sa[2], sb[2], hold[2], oldfd;
	pid_t child;
	char c;

	(void)state;
	stale_calls = fresh_calls = fresh_bytes = 0;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sa), 0);
	assert_int_equal(loop_io_add(l, old, sa[0], EPOLLIN | EPOLLET, on_stale, NULL), 0);
	assert_int_equal(pipe(hold), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* a script's child before its exec: holds every copy */
		close(hold[1]);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	oldfd = sa[0];
	loop_io_close(l, old); /* closes sa[0], no DEL */
	free(old);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sb), 0);
	assert_int_equal(sb[0], oldfd); /* the number is reused */
	assert_int_equal(loop_io_add(l, &fresh, sb[0], EPOLLIN | EPOLLET, on_fresh, NULL), 0);
	/* the old file, alive in the child, becomes readable: its
	 * registration reports (oldfd, old generation) */
	assert_int_equal(write(sa[1], "x", 1), 1);
	run_for(l, 50);
	assert_int_equal(stale_calls, 0);
	assert_int_equal(fresh_calls, 0);
	/* the new socket's own events still arrive */
	assert_int_equal(write(sb[1], "y", 1), 1);
	run_for(l, 50);
	assert_int_equal(fresh_calls, 1);
	assert_int_equal(fresh_bytes, 1);
	assert_int_equal(stale_calls, 0);
	close(hold[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	loop_io_close(l, &fresh);
	close(sa[1]);
	close(sb[1]);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_timer_heap_stress),
		cmocka_unit_test(test_deleted_watcher_not_called),
		cmocka_unit_test(test_defer_runs_after_round),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_unlocked_watcher_takes_no_lock),
		cmocka_unit_test(test_locked_watcher_runs_under_the_lock),
		cmocka_unit_test(test_closed_fd_stale_registration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
