/* Unit tests for the shared position of rr and wrr (src/sched/sched_rr.c,
 * sched_wrr.c): wrr's cycle, computed once per update and walked by an
 * atomic counter, against a transcription of the kernel's list walk
 * (ip_vs_wrr_schedule, ip_vs_wrr_dest_changed) kept here as the reference:
 * weight sets with a gcd above 1, a zero weight, one server; random
 * overload flags and weight changes between picks.  And the property the
 * counter is for: threads picking at once from one scheduler give exactly
 * the cycle's proportions, with no lock around the picks. */
#include <pthread.h>

#include "sched_harness.h"

/* ---- the reference: the kernel's walk over the list ---- */

struct ref_wrr {
	int cl, cw, mw, di;
};

static void ref_update(struct ref_wrr *r, const struct sched_server *srv, size_t n)
{
	int g = 0, maxw = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (srv[i].weight > 0) {
			int a = srv[i].weight, b = g;

			while (b) {
				int t = a % b;

				a = b;
				b = t;
			}
			g = g ? a : srv[i].weight;
		}
		if (srv[i].weight > maxw)
			maxw = srv[i].weight;
	}
	r->cl = -1;
	r->di = g ? g : 1;
	r->mw = maxw - (r->di - 1);
	if (r->cw > r->mw || r->cw <= 0)
		r->cw = r->mw;
	else if (r->di > 1)
		r->cw = (r->cw / r->di) * r->di + 1;
}

static int ref_pick(struct ref_wrr *r, const struct sched_server *srv, size_t n)
{
	int dest = r->cl, last, stop = -2, last_pass = 0, restarted = 0;

	if (r->mw <= 0 || n == 0)
		return -1;
	last = dest;
	for (;;) {
		for (dest = dest + 1; dest < (int)n; dest++) {
			if (!srv[dest].overloaded && srv[dest].weight > 0 &&
			    srv[dest].weight >= r->cw) {
				r->cl = dest;
				return dest;
			}
			if (dest == stop)
				goto over;
		}
		dest = -1;
		r->cw -= r->di;
		if (r->cw <= 0) {
			r->cw = r->mw;
			if (last_pass || last == -1)
				goto over;
			restarted = 1;
		}
		last_pass = r->cw <= r->di;
		if (last_pass && restarted && last != -1)
			stop = last;
	}
over:
	r->cl = dest;
	return -1;
}

static void ref_open(struct ref_wrr *r, const struct svc *v)
{
	memset(r, 0, sizeof(*r));
	r->cl = -1;
	r->di = 1;
	ref_update(r, NULL, 0);
	ref_update(r, v->srv, v->n);
}

/* ---- the cycle against the reference ---- */

static void same_picks(struct svc *v, struct ref_wrr *r, int k)
{
	int i;

	for (i = 0; i < k; i++)
		assert_int_equal(pick0(v), ref_pick(r, v->srv, v->n));
}

static void test_wrr_cycle_is_the_kernels(void **state)
{
	static const int sets[][5] = {
	    {3, 2, 1, 0, 0},   {4, 3, 2, 0, 0}, {2, 4, 6, 0, 0},  {6, 9, 3, 0, 0},
	    {3, 0, 3, 0, 0},   {0, 5, 0, 10, 0}, {5, 0, 0, 0, 0}, {1, 1, 1, 1, 1},
	    {100, 1, 0, 0, 0}, {7, 14, 21, 28, 0},
	};
	static const size_t ns[] = {3, 3, 3, 3, 3, 4, 1, 5, 2, 4};
	size_t s;

	for (s = 0; s < sizeof(ns) / sizeof(ns[0]); s++) {
		struct svc v;
		struct ref_wrr r;
		int total = 0;
		size_t i;

		svc_open(&v, "wrr", 0, sets[s], ns[s]);
		ref_open(&r, &v);
		for (i = 0; i < ns[s]; i++)
			total += sets[s][i];
		/* three whole cycles, whatever their length */
		same_picks(&v, &r, 3 * total);
		svc_close(&v);
	}
}

static void test_wrr_cycle_overload_and_updates(void **state)
{
	struct sched rng;
	char err[ERRLEN] = "";
	int round;

	assert_int_equal(sched_create(&rng, "twos", 0, err, sizeof(err)), 0);
	for (round = 0; round < 200; round++) {
		size_t n = 1 + sched_rand(&rng) % 6, i;
		int w[MAXS], step;
		struct svc v;
		struct ref_wrr r;

		for (i = 0; i < n; i++)
			w[i] = (int)(sched_rand(&rng) % 4) * (int)(1 + sched_rand(&rng) % 3);
		svc_open(&v, "wrr", 0, w, n);
		ref_open(&r, &v);
		for (step = 0; step < 60; step++) {
			size_t m = sched_rand(&rng) % n;
			int usable = 0;

			switch (sched_rand(&rng) % 8) {
			case 0: /* a weight changes (set weight, a health transition) */
				v.srv[m].weight = (int)(sched_rand(&rng) % 7);
				svc_update(&v);
				ref_update(&r, v.srv, v.n);
				break;
			case 1:
				v.srv[m].overloaded = !v.srv[m].overloaded;
				break;
			default:
				break;
			}
			/* with nobody usable the two part ways on purpose (the
			 * position stays; the kernel's walk may restart the
			 * cycle): compared while somebody is */
			for (i = 0; i < n; i++)
				usable += v.srv[i].weight > 0 && !v.srv[i].overloaded;
			if (!usable)
				v.srv[m].overloaded = 0;
			for (i = 0, usable = 0; i < n; i++)
				usable += v.srv[i].weight > 0 && !v.srv[i].overloaded;
			if (usable)
				same_picks(&v, &r, 3);
		}
		svc_close(&v);
	}
	sched_destroy(&rng);
}

/* ---- several threads on one position ---- */

#define PICKERS 4

struct picker {
	struct svc *v;
	int picks;
	unsigned got[MAXS];
};

static void *pick_many(void *arg)
{
	struct picker *p = arg;
	struct fc_addr c, d;
	struct sched_input in = {.client = &c, .dest = &d};
	int i, r;

	ip4(&c, "192.0.2.1", 40000);
	ip4(&d, "198.51.100.1", 80);
	for (i = 0; i < p->picks; i++) {
		r = p->v->s.ops->pick(&p->v->s, p->v->srv, p->v->n, &in);
		if (r >= 0)
			p->got[r]++;
	}
	return NULL;
}

/* Each pick takes one slot of the cycle, whichever thread makes it: over
 * whole cycles the servers get exactly their weights' share. */
static void shared_exact(const char *name, const int *w, size_t n, int cycle)
{
	struct picker pk[PICKERS];
	pthread_t t[PICKERS];
	unsigned sum[MAXS] = {0};
	int rounds = 2000, k, total = 0;
	struct svc v;
	size_t i;

	svc_open(&v, name, 0, w, n);
	assert_true(v.s.ops->shared);
	for (k = 0; k < PICKERS; k++) {
		memset(&pk[k], 0, sizeof(pk[k]));
		pk[k].v = &v;
		pk[k].picks = rounds * cycle / PICKERS;
		assert_int_equal(pthread_create(&t[k], NULL, pick_many, &pk[k]), 0);
	}
	for (k = 0; k < PICKERS; k++) {
		assert_int_equal(pthread_join(t[k], NULL), 0);
		for (i = 0; i < n; i++)
			sum[i] += pk[k].got[i];
	}
	for (i = 0; i < n; i++)
		total += w[i];
	for (i = 0; i < n; i++) {
		unsigned want = !strcmp(name, "rr") ? (w[i] > 0 ? (unsigned)(rounds * cycle) / 3 : 0)
						    : (unsigned)(rounds * w[i] * cycle / total);

		assert_int_equal(sum[i], want);
	}
	svc_close(&v);
}

static void test_shared_position_exact_over_threads(void **state)
{
	static const int w321[3] = {3, 2, 1}, w_rr[4] = {1, 0, 5, 2};

	shared_exact("wrr", w321, 3, 6);
	/* rr: the three servers of weight > 0 in turn, once each per turn */
	shared_exact("rr", w_rr, 4, 3);
}

static void test_which_are_shared(void **state)
{
	static const char *const shared[] = {"rr", "wrr", "lc",	 "wlc", "sed",	 "nq",	 "dh",
					     "sh", "mh",  "fo", "ovf", "first", "hash", "chash"};
	static const char *const serial[] = {"lblc", "lblcr", "twos", "random"};
	size_t i;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
		assert_true(sched_find(shared[i])->shared);
	for (i = 0; i < sizeof(serial) / sizeof(serial[0]); i++)
		assert_false(sched_find(serial[i])->shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrr_cycle_is_the_kernels),
	    cmocka_unit_test(test_wrr_cycle_overload_and_updates),
	    cmocka_unit_test(test_shared_position_exact_over_threads),
	    cmocka_unit_test(test_which_are_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
