/* Persistence templates (src/proxy/persist.c): masks, expiry, the control
 * count, validity against the service's list of servers, and the table
 * used by several threads at once (no engine lock: its own, and an atomic
 * reference count). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/err.h"
#include "model/model.h"
#include "proxy/persist.h"

static struct fc_addr ip(const char *s, uint16_t port)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(s, &a, err, sizeof(err)), 0);
	a.port = port;
	return a;
}

/* A real server's live object, as the model hands them out. */
static struct rs_live *new_live(void)
{
	struct real_server *rs = rs_new();
	struct rs_live *l;

	assert_non_null(rs);
	l = rs_live_ref(rs->live);
	rs_free(rs);
	return l;
}

static void test_mask_v4_24(void **state)
{
	struct persist_table t;
	struct rs_live *l = new_live();
	struct fc_addr c1 = ip("10.1.2.3", 4000), c2 = ip("10.1.2.200", 5000),
		       c3 = ip("10.1.3.3", 4000), srv = ip("192.168.0.1", 80);
	struct persist_tpl *p;

	(void)state;
	persist_init(&t, 30, 24);
	p = persist_add(&t, &c1, &srv, l, 1000);
	assert_non_null(p);
	assert_ptr_equal(persist_find(&t, &c2, 1000), p); /* same /24, other port */
	assert_null(persist_find(&t, &c3, 1000));	  /* other /24 */
	assert_true(addr_equal(&p->server, &srv));
	persist_clear(&t);
	assert_int_equal(l->refs, 1); /* the template's reference went away */
	rs_live_unref(l);
}

static void test_mask_v6_64_and_host(void **state)
{
	struct persist_table t, h;
	struct rs_live *l = new_live();
	struct fc_addr a = ip("2001:db8:1:2::1", 1), b = ip("2001:db8:1:2:ffff::9", 2),
		       c = ip("2001:db8:1:3::1", 1), srv = ip("2001:db8::80", 80);

	(void)state;
	persist_init(&t, 30, 64);
	assert_non_null(persist_add(&t, &a, &srv, l, 0));
	assert_non_null(persist_find(&t, &b, 0));
	assert_null(persist_find(&t, &c, 0));
	persist_clear(&t);

	/* prefix 0 and full length: per host */
	persist_init(&h, 30, 0);
	assert_non_null(persist_add(&h, &a, &srv, l, 0));
	assert_null(persist_find(&h, &b, 0));
	a.port = 999;
	assert_non_null(persist_find(&h, &a, 0));
	persist_clear(&h);
	rs_live_unref(l);
}

static void test_expiry(void **state)
{
	struct persist_table t;
	struct rs_live *l = new_live();
	struct fc_addr c = ip("10.0.0.1", 1), srv = ip("10.9.9.9", 80);
	struct persist_tpl *p;

	(void)state;
	persist_init(&t, 10, 32);
	p = persist_add(&t, &c, &srv, l, 1000);
	assert_non_null(p);
	assert_non_null(persist_find(&t, &c, 10999));
	assert_null(persist_find(&t, &c, 11000)); /* 10 s after creation */
	assert_int_equal(t.count, 0);

	/* the clock restarts when the last controlled connection ends */
	p = persist_add(&t, &c, &srv, l, 20000);
	persist_hold(p);
	persist_release(p, 25000);
	assert_non_null(persist_find(&t, &c, 34999));
	assert_null(persist_find(&t, &c, 35000));

	/* persistence off: nothing is kept */
	persist_clear(&t);
	persist_init(&t, 0, 32);
	assert_null(persist_add(&t, &c, &srv, l, 0));
	assert_null(persist_find(&t, &c, 0));
	rs_live_unref(l);
}

static void test_control_count_prevents_expiry(void **state)
{
	struct persist_table t;
	struct rs_live *l = new_live();
	struct fc_addr c = ip("10.0.0.1", 1), srv = ip("10.9.9.9", 80);
	struct persist_tpl *p;

	(void)state;
	persist_init(&t, 1, 32);
	p = persist_add(&t, &c, &srv, l, 0);
	persist_hold(p);
	persist_hold(p);
	assert_ptr_equal(persist_find(&t, &c, 100000), p);
	assert_int_equal(persist_reap(&t, 100000, 100), 0);
	persist_release(p, 100000);
	assert_int_equal(persist_reap(&t, 200000, 100), 0);
	persist_release(p, 200000);
	assert_int_equal(persist_reap(&t, 200999, 100), 0);
	assert_int_equal(persist_reap(&t, 201000, 100), 1);
	assert_int_equal(t.count, 0);
	persist_clear(&t);
	assert_int_equal(l->refs, 1);
	rs_live_unref(l);
}

static void test_dropped_template_lives_until_released(void **state)
{
	struct persist_table t;
	struct rs_live *l = new_live();
	struct fc_addr c = ip("10.0.0.1", 1), srv = ip("10.9.9.9", 80);
	struct persist_tpl *p, *q;

	(void)state;
	persist_init(&t, 30, 32);
	p = persist_add(&t, &c, &srv, l, 0);
	persist_hold(p);
	q = persist_add(&t, &c, &srv, l, 0); /* replaces p in the table */
	assert_ptr_not_equal(p, q);
	assert_int_equal(p->linked, 0);
	assert_int_equal(t.count, 1);
	assert_int_equal(l->refs, 3);
	persist_clear(&t);
	assert_int_equal(l->refs, 2); /* q freed, p still controls a connection */
	persist_release(p, 0);	      /* ASan: p is freed here, exactly once */
	assert_int_equal(l->refs, 1);
	rs_live_unref(l);
}

static void test_validity(void **state)
{
	struct persist_table t;
	struct rs_live *a = new_live(), *b = new_live();
	struct rs_live *table[2] = {a, b};
	struct fc_addr c = ip("10.0.0.1", 1), srv = ip("10.9.9.9", 80);
	struct persist_tpl *p;

	(void)state;
	persist_init(&t, 30, 32);
	p = persist_add(&t, &c, &srv, a, 0);
	assert_true(persist_tpl_valid(p, table, 2));
	/* removed from the service, or down, disabled or held at the last
	 * rebuild (pvs.c leaves it out of the list): no longer followed */
	assert_false(persist_tpl_valid(p, table + 1, 1));
	persist_clear(&t);
	rs_live_unref(a);
	rs_live_unref(b);
}

/* get follows a usable template, drops one that is not; put keeps the
 * template another placement made since the miss. */
static void test_get_put(void **state)
{
	struct persist_table t;
	struct rs_live *a = new_live(), *b = new_live();
	struct rs_live *table[2] = {a, b}, *tried[1] = {a};
	struct persist_want w = {table, 2, NULL, 0}, wt = {table, 2, tried, 1};
	struct fc_addr c = ip("10.0.0.1", 1), sa = ip("10.9.9.1", 80), sb = ip("10.9.9.2", 80);
	struct persist_tpl *p, *q;

	(void)state;
	persist_init(&t, 30, 24);
	assert_null(persist_get(&t, &c, 0, &w));
	p = persist_put(&t, &c, &sa, a, 0, &w);
	assert_non_null(p);
	assert_ptr_equal(p->live, a);
	/* a second worker missed too, and picked b: it follows a's template */
	q = persist_put(&t, &c, &sb, b, 0, &w);
	assert_ptr_equal(q, p);
	assert_int_equal(p->refs, 3); /* the table's and two connections' */
	assert_ptr_equal(persist_get(&t, &c, 0, &w), p);
	/* a failed on this client: the template is dropped, b is tied */
	assert_null(persist_get(&t, &c, 0, &wt));
	assert_int_equal(p->linked, 0);
	assert_int_equal(t.count, 0);
	q = persist_put(&t, &c, &sb, b, 0, &wt);
	assert_ptr_equal(q->live, b);
	persist_release(p, 0);
	persist_release(p, 0);
	persist_release(p, 0); /* the last one frees (ASan) */
	persist_release(q, 0);
	persist_clear(&t);
	assert_int_equal(a->refs, 1);
	assert_int_equal(b->refs, 1);
	rs_live_unref(a);
	rs_live_unref(b);
}

/* ---- several threads at once ---- */

#define RACE_THREADS 2
#define RACE_ROUNDS  4000

/* The threads start each round together: a spinning barrier, since a
 * futex's wake-ups come microseconds apart, longer than the table
 * operations that have to overlap. */
struct spin_barrier {
	atomic_uint count, gen;
	unsigned n;
};

static void spin_wait(struct spin_barrier *b)
{
	unsigned g = atomic_load(&b->gen), spins = 0;

	if (atomic_fetch_add(&b->count, 1) == b->n - 1) {
		atomic_store(&b->count, 0);
		atomic_fetch_add(&b->gen, 1);
		return;
	}
	while (atomic_load(&b->gen) == g)
		if (++spins % 1024 == 0)
			sched_yield(); /* a loaded machine: let the others run */
}

struct race {
	struct spin_barrier go;
	struct persist_table t;
	struct persist_tpl *tpl[RACE_ROUNDS]; /* release race: one per round */
	struct rs_live *live[RACE_THREADS];   /* put race: each thread's pick */
	struct rs_live *got[RACE_ROUNDS][RACE_THREADS];
	struct rs_live *table[RACE_THREADS];
	unsigned nthreads;
};

struct racer {
	struct race *r;
	unsigned k;
};

static void *release_racer(void *arg)
{
	struct race *r = arg;
	size_t i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		spin_wait(&r->go);
		persist_release(r->tpl[i], 0);
	}
	return NULL;
}

/* Two workers end the last connections of a template a reload (or an
 * expiry, a failed connect) already took out of its table, at the same
 * instant: it is freed exactly once -- no leak (the server's reference
 * count) and no double free (ASan). */
static void test_release_race_frees_once(void **state)
{
	static struct race r;
	struct rs_live *l = new_live();
	struct fc_addr srv = ip("10.9.9.9", 80);
	pthread_t th[2];
	size_t i;

	(void)state;
	persist_init(&r.t, 30, 32);
	for (i = 0; i < RACE_ROUNDS; i++) {
		struct fc_addr c = ip("10.0.0.0", 1);

		c.u.v4.s_addr = htonl(0x0a000000u + (uint32_t)i);
		r.tpl[i] = persist_add(&r.t, &c, &srv, l, 0);
		assert_non_null(r.tpl[i]);
		persist_hold(r.tpl[i]);
		persist_hold(r.tpl[i]);
	}
	persist_clear(&r.t); /* unlinked: the two connections hold them */
	assert_int_equal(l->refs, 1 + RACE_ROUNDS);
	r.go.n = 2;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, release_racer, &r), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(l->refs, 1);
	persist_destroy(&r.t);
	rs_live_unref(l);
}

static void *put_racer(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->r;
	struct persist_want w = {r->table, r->nthreads, NULL, 0};
	struct fc_addr srv = ip("10.9.9.1", 80);
	size_t i;

	srv.port = (uint16_t)(80 + me->k);
	for (i = 0; i < RACE_ROUNDS; i++) {
		struct fc_addr c = ip("10.0.0.0", 1);
		struct persist_tpl *p;

		/* a network of its own per round, a host of it per thread */
		c.u.v4.s_addr = htonl(0x0a000000u + ((uint32_t)i << 8) + me->k);
		spin_wait(&r->go);
		/* pvs_place: a miss, the worker's own pick, then put */
		p = persist_get(&r->t, &c, 0, &w);
		/* the pick takes a moment (ppool_pick: the view, the scheduler) */
		for (volatile int spin = 0; !p && spin < 300; spin++)
			;
		if (!p)
			p = persist_put(&r->t, &c, &srv, r->live[me->k], 0, &w);
		r->got[i][me->k] = p ? p->live : NULL;
		if (p)
			persist_release(p, 0);
	}
	return NULL;
}

/* Clients of one network reach several workers at once, each of which
 * misses and picks a server of its own: they all go to one server, the
 * first template's (IPVS: one table per service, whatever the CPU). */
static void test_put_race_one_server(void **state)
{
	static struct race r;
	struct racer me[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	size_t i, k;

	(void)state;
	r.nthreads = RACE_THREADS;
	persist_init(&r.t, 30, 24);
	for (k = 0; k < RACE_THREADS; k++)
		r.table[k] = r.live[k] = new_live();
	r.go.n = RACE_THREADS;
	for (k = 0; k < RACE_THREADS; k++) {
		me[k] = (struct racer){&r, (unsigned)k};
		assert_int_equal(pthread_create(&th[k], NULL, put_racer, &me[k]), 0);
	}
	for (k = 0; k < RACE_THREADS; k++)
		pthread_join(th[k], NULL);
	for (i = 0; i < RACE_ROUNDS; i++)
		for (k = 0; k < RACE_THREADS; k++) {
			assert_non_null(r.got[i][k]);
			assert_ptr_equal(r.got[i][k], r.got[i][0]);
		}
	assert_int_equal(r.t.count, RACE_ROUNDS);
	persist_destroy(&r.t);
	for (k = 0; k < RACE_THREADS; k++) {
		assert_int_equal(r.live[k]->refs, 1);
		rs_live_unref(r.live[k]);
	}
}

static void test_many_reap_bounded_and_move(void **state)
{
	struct persist_table t, u;
	struct rs_live *l = new_live();
	struct fc_addr srv = ip("10.9.9.9", 80);
	size_t i, freed = 0, passes = 0;

	(void)state;
	persist_init(&t, 1, 32);
	for (i = 0; i < 5000; i++) {
		struct fc_addr c = ip("10.0.0.0", 1);

		c.u.v4.s_addr = htonl(0x0a000000u + (uint32_t)i);
		assert_non_null(persist_add(&t, &c, &srv, l, 0));
	}
	assert_int_equal(t.count, 5000);
	for (i = 0; i < 2500; i++) {
		struct fc_addr c = ip("10.0.0.0", 1);

		c.u.v4.s_addr = htonl(0x0a000000u + (uint32_t)i);
		assert_non_null(persist_find(&t, &c, 0));
	}

	/* the move keeps every template */
	persist_init(&u, 1, 32);
	persist_move(&u, &t);
	assert_int_equal(t.count, 0);
	assert_int_equal(u.count, 5000);
	persist_clear(&t);

	/* reaping is bounded per call and eventually complete */
	while (u.count && passes < 1000) {
		size_t n = persist_reap(&u, 5000, 300);

		assert_true(n <= 300 + 64); /* one bucket may run over */
		freed += n;
		passes++;
	}
	assert_int_equal(freed, 5000);
	assert_true(passes > 5);
	persist_clear(&u);
	assert_int_equal(l->refs, 1);
	rs_live_unref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_v4_24),
	    cmocka_unit_test(test_mask_v6_64_and_host),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_control_count_prevents_expiry),
	    cmocka_unit_test(test_dropped_template_lives_until_released),
	    cmocka_unit_test(test_validity),
	    cmocka_unit_test(test_get_put),
	    cmocka_unit_test(test_release_race_frees_once),
	    cmocka_unit_test(test_put_race_one_server),
	    cmocka_unit_test(test_many_reap_bounded_and_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
