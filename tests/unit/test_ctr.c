/* Traffic counters per thread, summed when read (model/ctr.h): adds from
 * many threads at once are all in the sum, each thread's slot is a cache
 * line of its own, and a thread beyond the slots counts too. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/addr.h"
#include "model/ctr.h"
#include "model/model.h"

#define ADDS 20000

struct adder {
	struct ctr *c;
	unsigned k; /* worker index */
	const struct fc_stats *seen; /* one slot's address, for the layout check */
};

static void *add_many(void *arg)
{
	struct adder *a = arg;
	unsigned i;

	ctr_thread_enter(a->k);
	for (i = 0; i < ADDS; i++) {
		ctr_conn(a->c);
		ctr_in(a->c, 1, 100);
		ctr_out(a->c, 2, 1000);
	}
	a->seen = ctr_slot_of(a->c);
	return NULL;
}

static void run_adders(struct ctr *c, struct adder *a, unsigned n, const unsigned *idx)
{
	pthread_t t[8];
	unsigned k;

	for (k = 0; k < n; k++) {
		a[k].c = c;
		a[k].k = idx[k];
		assert_int_equal(pthread_create(&t[k], NULL, add_many, &a[k]), 0);
	}
	for (k = 0; k < n; k++)
		pthread_join(t[k], NULL);
}

static void test_sum_over_threads(void **state)
{
	struct ctr c = {0};
	struct adder a[4];
	const unsigned idx[4] = {0, 1, 2, 3};
	struct fc_stats s;
	unsigned k;

	(void)state;
	ctr_workers(4);
	ctr_conn(&c); /* the main thread's slot */
	ctr_in(&c, 1, 7);
	run_adders(&c, a, 4, idx);
	s = ctr_total(&c);
	assert_int_equal(s.conns, 4 * ADDS + 1);
	assert_int_equal(s.inpkts, 4 * ADDS + 1);
	assert_int_equal(s.inbytes, 4ULL * ADDS * 100 + 7);
	assert_int_equal(s.outpkts, 4ULL * ADDS * 2);
	assert_int_equal(s.outbytes, 4ULL * ADDS * 1000);
	/* the main thread's own slot holds only its own adds */
	ctr_main_get(&c, &s);
	assert_int_equal(s.conns, 1);
	assert_int_equal(s.inbytes, 7);
	/* no two workers' slots share a cache line */
	for (k = 0; k < 4; k++) {
		assert_int_equal((uintptr_t)a[k].seen % CTR_LINE, 0);
		if (k)
			assert_true((uintptr_t)a[k].seen - (uintptr_t)a[k - 1].seen >= CTR_LINE);
	}
	ctr_release(&c);
	assert_null(c.wk);
}

/* A block made for fewer workers than later run (an engine restarted
 * with more threads in the same process): the extra ones share its last
 * slot, and every add still counts. */
static void test_threads_beyond_the_slots(void **state)
{
	struct ctr c = {0};
	struct adder a[3];
	const unsigned first[1] = {0}, more[3] = {1, 6, 40};

	(void)state;
	run_adders(&c, a, 1, first); /* the block is made now, for at least 4 */
	run_adders(&c, a, 3, more);
	assert_int_equal(ctr_total(&c).conns, 4 * ADDS);
	assert_int_equal(ctr_total(&c).outbytes, 4ULL * ADDS * 1000);
	ctr_release(&c);
}

/* Counters stay with the live object a reload carries to the new model:
 * what workers counted before is in the new server's sum. */
static void test_counts_survive_a_reload(void **state)
{
	struct config *old = config_new(), *newcfg = config_new();
	struct virtual_server *ovs = vs_new(), *nvs = vs_new();
	struct real_server *ors = rs_new(), *nrs = rs_new();
	struct adder a[2];
	const unsigned idx[2] = {0, 1};

	(void)state;
	assert_int_equal(addr_parse_hostport("10.0.0.1:80", &ovs->addr, NULL, 0), 0);
	assert_int_equal(addr_parse_hostport("10.0.0.1:80", &nvs->addr, NULL, 0), 0);
	assert_int_equal(addr_parse_hostport("10.0.0.2:80", &ors->addr, NULL, 0), 0);
	assert_int_equal(addr_parse_hostport("10.0.0.2:80", &nrs->addr, NULL, 0), 0);
	vs_add_rs(ovs, ors);
	vs_add_rs(nvs, nrs);
	config_add_vs(old, ovs);
	config_add_vs(newcfg, nvs);
	run_adders(&ors->live->ctr, a, 2, idx);
	config_carry_live(newcfg, old);
	config_free(old);
	assert_int_equal(ctr_total(&nrs->live->ctr).conns, 2 * ADDS);
	config_free(newcfg);
}

/* HAProxy's freq_ctr: the sessions of this second; a second later, the
 * last second's pro rata; two seconds later none.  The most in one
 * second stays, and the last session's time is the hits'. */
static void test_rate_as_freq_ctr(void **state)
{
	struct ctr c = {0};
	uint64_t t0 = ctr_now_ms(), tick;
	unsigned max = 0, i;

	(void)state;
	for (i = 0; i < 5; i++)
		ctr_conn(&c);
	tick = c.xmain.fq[CTR_FQ_SESS].tick;
	assert_true(tick >= t0);
	assert_int_equal(ctr_rate(&c, CTR_FQ_SESS, tick, &max), 5);
	assert_int_equal(max, 5);
	assert_int_equal(ctr_rate(&c, CTR_FQ_SESS, tick + 1500, &max), 2);
	assert_int_equal(ctr_rate(&c, CTR_FQ_SESS, tick + 2500, &max), 0);
	assert_int_equal(max, 5);
	assert_int_equal(ctr_rate(&c, CTR_FQ_REQ, tick, &max), 0);
	assert_int_equal(max, 0);
	assert_true(ctr_last_sess(&c) >= tick);
	assert_int_equal(ctr_total(&c).conns, 5);
	ctr_release(&c);
}

/* HAProxy's swrate: a plain average until 1024 transactions (one that
 * got no response counts in the window with no sample), then a sliding
 * window that settles on a steady value. */
static void test_times_as_swrate(void **state)
{
	struct ctr c = {0};
	const int64_t a[CTR_NTM] = {0, 1, 10, 20}, b[CTR_NTM] = {4, 3, 20, 30},
		      none[CTR_NTM] = {0, -1, -1, 5}, steady[CTR_NTM] = {2, 5, 50, 70};
	unsigned avg[CTR_NTM], max[CTR_NTM], i;

	(void)state;
	ctr_times_read(&c, avg, max);
	assert_int_equal(avg[CTR_TM_D], 0);
	ctr_times(&c, a);
	ctr_times(&c, b);
	ctr_times(&c, none);
	ctr_times_read(&c, avg, max);
	assert_int_equal(avg[CTR_TM_Q], 2);  /* (0 + 4 + 2) / 3 */
	assert_int_equal(avg[CTR_TM_C], 2);  /* (4 + 2) / 3 */
	assert_int_equal(avg[CTR_TM_D], 10); /* (30 + 2) / 3 */
	assert_int_equal(avg[CTR_TM_T], 17); /* (50 + 2) / 3 */
	assert_int_equal(max[CTR_TM_D], 20);
	assert_int_equal(max[CTR_TM_T], 30);
	for (i = 0; i < 3 * CTR_TM_SAMPLES; i++)
		ctr_times(&c, steady);
	ctr_times_read(&c, avg, max);
	assert_int_equal(avg[CTR_TM_Q], 2);
	assert_int_equal(avg[CTR_TM_C], 5);
	assert_int_equal(avg[CTR_TM_D], 50);
	assert_int_equal(avg[CTR_TM_T], 70);
	assert_int_equal(max[CTR_TM_T], 70);
	ctr_release(&c);
}

/* A backend's own figures (be_live) stay with the pool's name across a
 * reload, as a server's do. */
static void test_backend_live_survives_a_reload(void **state)
{
	struct config *old = config_new(), *newcfg = config_new();
	struct pool *op = pool_new("app"), *np = pool_new("app"), *other = pool_new("other");

	(void)state;
	assert_non_null(op->live);
	config_add_pool(old, op);
	config_add_pool(newcfg, np);
	config_add_pool(newcfg, other);
	HCTR(&op->live->ctr, req);
	config_carry_live(newcfg, old);
	config_free(old);
	assert_int_equal(ctr_htotal(&np->live->ctr).req, 1);
	assert_int_equal(ctr_htotal(&other->live->ctr).req, 0);
	config_free(newcfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sum_over_threads),
	    cmocka_unit_test(test_threads_beyond_the_slots),
	    cmocka_unit_test(test_counts_survive_a_reload),
	    cmocka_unit_test(test_rate_as_freq_ctr),
	    cmocka_unit_test(test_times_as_swrate),
	    cmocka_unit_test(test_backend_live_survives_a_reload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
