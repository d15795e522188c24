/* Unit tests for the IPVS schedulers (src/sched/): the registry, every
 * scheduler on empty, quiescent and overloaded services, rr, wrr, the
 * least-connection family (lc, wlc, sed, nq), fo, ovf and twos.
 * test_sched_hash.c: the hashing and locality schedulers.
 *
 * Expected sequences for wrr were computed by a separate Python model of
 * the kernel's list-based code (ip_vs_wrr.c), not by running this C code. */
#include "sched_harness.h"

static const char *const all_names[] = {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
					"sh", "sed", "nq", "fo",  "ovf",  "mh",	   "twos",
					"first", "random", "hash", "chash"};
#define NNAMES (sizeof(all_names) / sizeof(all_names[0]))

/* ---- registry ---- */

static void test_find_every_name(void **state)
{
	size_t i, count = 0;

	for (i = 0; i < NNAMES; i++) {
		const struct sched_ops *ops = sched_find(all_names[i]);

		assert_non_null(ops);
		assert_string_equal(ops->name, all_names[i]);
		assert_non_null(ops->init);
		assert_non_null(ops->update);
		assert_non_null(ops->pick);
		assert_non_null(ops->done);
	}
	while (sched_all[count])
		count++;
	assert_int_equal(count, NNAMES);
}

static void test_find_unknown(void **state)
{
	struct sched s;
	char err[ERRLEN] = "";

	assert_null(sched_find("foo"));
	assert_null(sched_find(""));
	assert_null(sched_find("RR"));
	assert_null(sched_find("wlcx"));
	assert_null(sched_find(NULL));
	assert_int_equal(sched_create(&s, "nosuch", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuch"));
	assert_null(s.ops);
	sched_destroy(&s); /* harmless on a failed create */
}

static void test_create_destroy_all(void **state)
{
	struct sched s;
	char err[ERRLEN];
	size_t i;

	for (i = 0; i < NNAMES; i++) {
		assert_int_equal(sched_create(&s, all_names[i], SCHED_F_PORT, err, sizeof(err)), 0);
		assert_ptr_equal(s.ops, sched_find(all_names[i]));
		assert_int_equal(s.flags, SCHED_F_PORT);
		assert_int_not_equal(s.rng, 0);
		sched_destroy(&s);
		assert_null(s.ops);
		assert_null(s.priv);
	}
}

static void test_rand_deterministic(void **state)
{
	struct sched a, b;
	char err[ERRLEN];
	uint64_t x, prev = 0;
	int i, same = 0;

	assert_int_equal(sched_create(&a, "twos", 0, err, sizeof(err)), 0);
	assert_int_equal(sched_create(&b, "twos", 0, err, sizeof(err)), 0);
	for (i = 0; i < 1000; i++) {
		x = sched_rand(&a);
		assert_true(x == sched_rand(&b));
		assert_true(x != 0);
		same += x == prev;
		prev = x;
	}
	assert_int_equal(same, 0);
	sched_destroy(&a);
	sched_destroy(&b);
}

/* ---- every scheduler: empty, all quiescent, all overloaded ---- */

static void test_all_empty_and_zero(void **state)
{
	static const int zero[4] = {0, 0, 0, 0}, one[4] = {1, 1, 1, 1};
	struct svc v;
	size_t i, k;

	for (i = 0; i < NNAMES; i++) {
		unsigned flags = SCHED_F_FALLBACK;

		/* Brand new: sched_create ran update with no server. */
		svc_open(&v, all_names[i], flags, zero, 0);
		assert_int_equal(pick0(&v), -1);
		/* n == 0 after having had servers. */
		svc_set(&v, one, 4);
		svc_update(&v);
		assert_true(pick0(&v) >= 0 || strcmp(all_names[i], "dh") == 0 ||
			    strcmp(all_names[i], "sh") == 0);
		v.n = 0;
		svc_update(&v);
		assert_int_equal(pick0(&v), -1);
		/* All weights 0. */
		svc_set(&v, zero, 4);
		svc_update(&v);
		for (k = 0; k < 20; k++)
			assert_int_equal(pick0(&v), -1);
		/* All overloaded. */
		svc_set(&v, one, 4);
		for (k = 0; k < 4; k++)
			v.srv[k].overloaded = 1;
		svc_update(&v);
		for (k = 0; k < 20; k++)
			assert_int_equal(pick0(&v), -1);
		svc_close(&v);
	}
}

/* Random arrays, conns and changes; the pick must stay in bounds and never
 * choose a quiescent or overloaded server (svc_pick checks), and a
 * scheduler without a hash table must find a server whenever one can take
 * the connection.  Also picks with fewer servers than the last update saw
 * (a caller bug) must stay in bounds. */
static void test_all_random(void **state)
{
	struct sched rng;
	struct svc v;
	struct fc_addr c, d;
	char err[ERRLEN];
	size_t i, k, j;
	int w[MAXS];

	assert_int_equal(sched_create(&rng, "twos", 0, err, sizeof(err)), 0);
	for (i = 0; i < NNAMES; i++) {
		int hashing = !strcmp(all_names[i], "dh") || !strcmp(all_names[i], "sh") ||
			      !strcmp(all_names[i], "mh") || !strcmp(all_names[i], "ovf");

		svc_open(&v, all_names[i], (unsigned)(i & 3), w, 0);
		for (k = 0; k < 300; k++) {
			size_t n = sched_rand(&rng) % MAXS;
			int usable = 0, r;

			for (j = 0; j < n; j++)
				w[j] = (int)(sched_rand(&rng) % 4) * (int)(sched_rand(&rng) % 3);
			svc_set(&v, w, n);
			svc_update(&v);
			for (j = 0; j < 20; j++) {
				size_t m = n ? sched_rand(&rng) % n : 0;

				v.srv[m].activeconns = (uint32_t)(sched_rand(&rng) % 10);
				v.srv[m].inactconns = (uint32_t)(sched_rand(&rng) % 10);
				v.srv[m].overloaded = sched_rand(&rng) % 5 == 0;
				ip4n(&c, (uint32_t)sched_rand(&rng), (uint16_t)sched_rand(&rng));
				ip4n(&d, 0xC6336400u + (uint32_t)(sched_rand(&rng) % 8), 80);
				r = svc_pick(&v, &c, &d, k * 1000);
				for (m = 0, usable = 0; m < n; m++)
					usable += v.srv[m].weight > 0 && !v.srv[m].overloaded;
				if (!hashing)
					assert_true((r >= 0) == (usable > 0));
			}
			if (n > 2) {
				v.n = n - 2; /* no update: contract broken on purpose */
				(void)svc_pick(&v, &c, &d, k * 1000);
				v.n = n;
			}
		}
		svc_close(&v);
	}
	sched_destroy(&rng);
}

/* ---- rr ---- */

static void test_rr_sequence(void **state)
{
	static const int w[3] = {1, 5, 1};
	struct svc v;

	svc_open(&v, "rr", 0, w, 3);
	assert_string_equal(seq(&v, 7), "ABCABCA");
	v.srv[1].weight = 0;
	svc_update(&v);
	assert_string_equal(seq(&v, 4), "CACA");
	v.srv[1].weight = 2; /* weights: through update, as every caller does */
	svc_update(&v);
	v.srv[2].overloaded = 1; /* read at pick time, no update needed */
	assert_string_equal(seq(&v, 4), "BABA");
	svc_close(&v);
}

static void test_rr_update_keeps_position(void **state)
{
	static const int w3[3] = {1, 1, 1}, w4[4] = {1, 1, 1, 1};
	struct svc v;

	/* A B C; after A, B: B leaves -> position steps back to A -> C next. */
	svc_open(&v, "rr", 0, w3, 3);
	assert_string_equal(seq(&v, 2), "AB");
	v.addr[1] = v.addr[2];
	v.n = 2;
	svc_update(&v);
	assert_string_equal(seq(&v, 3), "BAB"); /* index 1 is now C */
	svc_close(&v);

	/* A B C D; after A: a new server inserted after A is next. */
	svc_open(&v, "rr", 0, w4, 3);
	assert_string_equal(seq(&v, 1), "A");
	v.n = 4;
	v.addr[3] = v.addr[2];
	v.addr[2] = v.addr[1];
	ip4(&v.addr[1], "10.0.0.9", 80);
	v.srv[3].addr = &v.addr[3];
	v.srv[3].weight = 1; /* now A X B C */
	svc_update(&v);
	assert_string_equal(seq(&v, 5), "BCDAB");
	svc_close(&v);

	/* The current server moves to another index: follow it. */
	svc_open(&v, "rr", 0, w3, 3);
	assert_string_equal(seq(&v, 1), "A");
	{
		struct fc_addr t = v.addr[0];

		v.addr[0] = v.addr[2];
		v.addr[2] = t; /* now C B A, A at index 2 */
	}
	svc_update(&v);
	assert_string_equal(seq(&v, 3), "ABC");
	svc_close(&v);
}

/* ---- wrr (expected strings from the Python model of ip_vs_wrr.c) ---- */

static void test_wrr_sequences(void **state)
{
	static const int a[3] = {4, 3, 2}, b[3] = {2, 4, 6}, c[2] = {5, 1}, d[3] = {3, 0, 3};
	struct svc v;

	svc_open(&v, "wrr", 0, a, 3);
	assert_string_equal(seq(&v, 18), "AABABCABCAABABCABC");
	svc_close(&v);
	svc_open(&v, "wrr", 0, b, 3);
	assert_string_equal(seq(&v, 12), "CBCABCCBCABC");
	svc_close(&v);
	svc_open(&v, "wrr", 0, c, 2);
	assert_string_equal(seq(&v, 12), "AAAAABAAAAAB");
	svc_close(&v);
	svc_open(&v, "wrr", 0, d, 3);
	assert_string_equal(seq(&v, 6), "ACACAC");
	svc_close(&v);
}

static void test_wrr_weight_changes(void **state)
{
	static const int a[3] = {4, 3, 2}, one[3] = {1, 1, 1}, two[3] = {2, 2, 2};
	struct svc v;

	/* C becomes quiescent after two picks. */
	svc_open(&v, "wrr", 0, a, 3);
	assert_string_equal(seq(&v, 2), "AA");
	v.srv[2].weight = 0;
	svc_update(&v);
	assert_string_equal(seq(&v, 14), "ABABABAABABABA");
	svc_close(&v);

	/* Weights change to 4,6,2 (gcd 2) after five picks. */
	svc_open(&v, "wrr", 0, a, 3);
	assert_string_equal(seq(&v, 5), "AABAB");
	v.srv[1].weight = 6;
	svc_update(&v);
	assert_string_equal(seq(&v, 12), "ABABCBABABCB");
	svc_close(&v);

	/* Overload flags are read at pick time, no update needed. */
	svc_open(&v, "wrr", 0, one, 3);
	assert_string_equal(seq(&v, 4), "ABCA");
	v.srv[1].overloaded = 1;
	assert_string_equal(seq(&v, 6), "CACACA");
	svc_close(&v);

	svc_open(&v, "wrr", 0, two, 3);
	assert_string_equal(seq(&v, 1), "A");
	v.srv[0].overloaded = v.srv[1].overloaded = v.srv[2].overloaded = 1;
	assert_string_equal(seq(&v, 3), "---");
	v.srv[0].overloaded = v.srv[1].overloaded = v.srv[2].overloaded = 0;
	assert_string_equal(seq(&v, 4), "BCAB");
	svc_close(&v);
}

/* ---- lc / wlc / sed / nq ---- */


static void test_lc_cost(void **state)
{
	static const int w[3] = {1, 100, 1};
	struct svc v;

	svc_open(&v, "lc", 0, w, 3);
	conns(&v, 0, 1, 0);   /* 256 */
	conns(&v, 1, 0, 255); /* 255 */
	conns(&v, 2, 1, 1);   /* 257 */
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 0, 256); /* tie with A: the first wins, weight ignored */
	assert_int_equal(pick0(&v), 0);
	conns(&v, 0, 2, 0);
	assert_int_equal(pick0(&v), 1);
	v.srv[1].weight = 0; /* quiescent: skipped even when cheapest */
	conns(&v, 1, 0, 0);
	assert_int_equal(pick0(&v), 2);
	v.srv[2].overloaded = 1;
	assert_int_equal(pick0(&v), 0);
	svc_close(&v);
}

static void test_wlc_cost(void **state)
{
	static const int w[3] = {1, 3, 2};
	struct svc v;

	svc_open(&v, "wlc", 0, w, 3);
	conns(&v, 0, 1, 0); /* 256/1 */
	conns(&v, 1, 2, 0); /* 512/3 = 170.7 */
	conns(&v, 2, 2, 0); /* 512/2 = 256 */
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 3, 0); /* 768/3 = 256: three-way tie -> first */
	assert_int_equal(pick0(&v), 0);
	conns(&v, 2, 2, 0);
	conns(&v, 0, 1, 1); /* 257/1 > 256/3: B; C's 256/2 is no better */
	assert_int_equal(pick0(&v), 1);
	/* inactive connections count 1/256 of an active one */
	conns(&v, 0, 0, 300);
	conns(&v, 1, 1, 0);
	conns(&v, 2, 1, 0);
	assert_int_equal(pick0(&v), 1); /* 300/1, 256/3 = 85, 256/2 = 128 */
	svc_close(&v);
}

static void test_sed_nq_cost(void **state)
{
	static const int w[2] = {1, 10};
	struct svc v;

	/* Both idle: wlc's overhead is 0 for both -> first; sed counts the
	 * new connection: 1/1 vs 1/10 -> the heavier server. */
	svc_open(&v, "wlc", 0, w, 2);
	assert_int_equal(pick0(&v), 0);
	svc_close(&v);
	svc_open(&v, "sed", 0, w, 2);
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 9, 0); /* 10/10 = 1 vs 1/1: tie -> first */
	assert_int_equal(pick0(&v), 0);
	conns(&v, 0, 0, 1000); /* sed ignores inactive connections */
	assert_int_equal(pick0(&v), 0);
	conns(&v, 1, 8, 0); /* 9/10 < 1 */
	assert_int_equal(pick0(&v), 1);
	svc_close(&v);

	/* nq: an idle server wins at once, whatever the weights. */
	svc_open(&v, "nq", 0, w, 2);
	conns(&v, 1, 5, 0);
	assert_int_equal(pick0(&v), 0);
	conns(&v, 0, 1, 0); /* no idle one: sed, 2/1 vs 6/10 */
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 0, 0);
	conns(&v, 0, 0, 0); /* both idle: the first */
	assert_int_equal(pick0(&v), 0);
	v.srv[0].weight = 0; /* idle but quiescent does not count */
	conns(&v, 1, 3, 0);
	assert_int_equal(pick0(&v), 1);
	svc_close(&v);
}

/* ---- fo / ovf / twos ---- */

static void test_fo(void **state)
{
	static const int w[4] = {5, 10, 10, 7};
	struct svc v;

	svc_open(&v, "fo", 0, w, 4);
	conns(&v, 1, 1000, 0); /* load does not matter */
	assert_int_equal(pick0(&v), 1);
	v.srv[1].overloaded = 1;
	assert_int_equal(pick0(&v), 2);
	v.srv[2].weight = 0;
	svc_update(&v);
	assert_int_equal(pick0(&v), 3);
	v.srv[1].overloaded = 0;
	assert_int_equal(pick0(&v), 1);
	svc_close(&v);
}

static void test_ovf(void **state)
{
	static const int w[3] = {2, 3, 1};
	struct svc v;

	svc_open(&v, "ovf", 0, w, 3);
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 3, 0); /* activeconns == weight: still takes one */
	assert_int_equal(pick0(&v), 1);
	conns(&v, 1, 4, 0); /* over budget: overflow to the next weight */
	assert_int_equal(pick0(&v), 0);
	conns(&v, 0, 3, 50);
	assert_int_equal(pick0(&v), 2);
	conns(&v, 2, 2, 0); /* everyone over budget */
	assert_int_equal(pick0(&v), -1);
	conns(&v, 0, 0, 0);
	v.srv[0].overloaded = 1;
	assert_int_equal(pick0(&v), -1);
	svc_close(&v);
}

static void test_twos(void **state)
{
	static const int w[3] = {1, 2, 3}, w2[2] = {1, 1};
	struct svc v, u;
	int count[3] = {0, 0, 0}, i, r;
	char a[64];

	/* Same seed, same choices. */
	svc_open(&v, "twos", 0, w, 3);
	svc_open(&u, "twos", 0, w, 3);
	strcpy(a, seq(&v, 60));
	assert_string_equal(a, seq(&u, 60));
	svc_close(&u);

	/* No load: the first draw wins, so the shares follow the weights
	 * (the kernel's draw over [0, 6] gives A 2/7, B 2/7, C 3/7). */
	for (i = 0; i < 14000; i++)
		count[pick0(&v)]++;
	assert_in_range(count[0], 3600, 4400);
	assert_in_range(count[1], 3600, 4400);
	assert_in_range(count[2], 5600, 6400);
	svc_close(&v);

	/* A loaded server only wins when both draws fall on it: with two
	 * weight-1 servers A is drawn with probability 2/3, so 4/9. */
	svc_open(&v, "twos", 0, w2, 2);
	conns(&v, 0, 100, 0);
	for (i = 0, r = 0; i < 9000; i++)
		r += pick0(&v) == 0;
	assert_in_range(r, 3600, 4400);
	v.srv[1].weight = 0;
	for (i = 0; i < 100; i++)
		assert_int_equal(pick0(&v), 0);
	svc_close(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_every_name),
	    cmocka_unit_test(test_find_unknown),
	    cmocka_unit_test(test_create_destroy_all),
	    cmocka_unit_test(test_rand_deterministic),
	    cmocka_unit_test(test_all_empty_and_zero),
	    cmocka_unit_test(test_all_random),
	    cmocka_unit_test(test_rr_sequence),
	    cmocka_unit_test(test_rr_update_keeps_position),
	    cmocka_unit_test(test_wrr_sequences),
	    cmocka_unit_test(test_wrr_weight_changes),
	    cmocka_unit_test(test_lc_cost),
	    cmocka_unit_test(test_wlc_cost),
	    cmocka_unit_test(test_sed_nq_cost),
	    cmocka_unit_test(test_fo),
	    cmocka_unit_test(test_ovf),
	    cmocka_unit_test(test_twos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
