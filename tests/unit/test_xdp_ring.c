/* Unit tests for the XDP engine's lookup tables (src/xdp/xdp_ring.c) and the
 * Maglev population it shares with the mh scheduler (src/sched/mh_table.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "fulcrum_xdp.h"
#include "sched/mh_table.h"
#include "sched/sched.h"
#include "xdp/xdp_ring.h"

#define MAXS 8

static uint32_t ring[FX_RING_SIZE], ring2[FX_RING_SIZE];

struct set {
	struct fc_addr addr[MAXS];
	struct xdp_ring_server srv[MAXS];
	size_t n;
};

/* Servers 10.0.0.1:80, 10.0.0.2:80, ... with the given weights. */
static void set_make(struct set *s, const int *w, size_t n)
{
	size_t i;

	assert_true(n <= MAXS);
	memset(s, 0, sizeof(*s));
	s->n = n;
	for (i = 0; i < n; i++) {
		s->addr[i].family = AF_INET;
		s->addr[i].port = 80;
		s->addr[i].u.v4.s_addr = htonl(0x0A000001u + (uint32_t)i);
		s->srv[i].addr = &s->addr[i];
		s->srv[i].weight = w[i];
	}
}

static void build(const char *sched, const struct set *s, uint32_t *r)
{
	char err[ERRLEN] = "";

	assert_int_equal(xdp_ring_hash(sched, s->srv, s->n, r, err, sizeof(err)), 0);
}

/* Entries per server; every entry must be a valid index. */
static void count(const uint32_t *r, size_t n, int *c)
{
	size_t i;

	memset(c, 0, n * sizeof(*c));
	for (i = 0; i < FX_RING_SIZE; i++) {
		assert_true(r[i] < n);
		c[r[i]]++;
	}
}

/* |got - want| <= pct % of want */
static void assert_near(double got, double want, double pct)
{
	double d = got > want ? got - want : want - got;

	if (d > want * pct / 100) {
		print_error("got %.1f, want %.1f +- %.1f%%\n", got, want, pct);
		fail();
	}
}

static void test_mh_balance(void **state)
{
	static const int eq[3] = {1, 1, 1}, w[3] = {1, 2, 3};
	struct set s;
	int c[3], i;

	set_make(&s, eq, 3);
	build("mh", &s, ring);
	count(ring, 3, c);
	for (i = 0; i < 3; i++)
		assert_near(c[i], FX_RING_SIZE / 3.0, 1);
	set_make(&s, w, 3);
	build("mh", &s, ring);
	count(ring, 3, c);
	for (i = 0; i < 3; i++)
		assert_near(c[i], FX_RING_SIZE * w[i] / 6.0, 2);
}

static void test_mh_minimal_disruption(void **state)
{
	static const int w[5] = {1, 1, 1, 1, 1};
	struct set s;
	int kept = 0, total = 0;
	size_t i;

	set_make(&s, w, 5);
	build("mh", &s, ring);
	/* Take server 2 out: the others keep their indexes (weight 0 = left out). */
	s.srv[2].weight = 0;
	build("mh", &s, ring2);
	for (i = 0; i < FX_RING_SIZE; i++) {
		assert_int_not_equal(ring2[i], 2);
		if (ring[i] == 2)
			continue;
		total++;
		kept += ring[i] == ring2[i];
	}
	assert_true(kept * 100 > total * 90);
	/* And removing it from the array (indexes shift) moves the same slots. */
	memmove(&s.srv[2], &s.srv[3], 2 * sizeof(s.srv[0]));
	s.n = 4;
	build("mh", &s, ring);
	for (i = 0; i < FX_RING_SIZE; i++)
		assert_int_equal(ring[i], ring2[i] > 2 ? ring2[i] - 1 : ring2[i]);
}

static void test_mh_deterministic(void **state)
{
	static const int w[5] = {3, 1, 2, 1, 5};
	struct set s, rev;
	size_t i;

	set_make(&s, w, 5);
	build("mh", &s, ring);
	build("mh", &s, ring2);
	assert_memory_equal(ring, ring2, sizeof(ring));
	/* The same servers in reverse order: the same server in every slot. */
	memset(&rev, 0, sizeof(rev));
	rev.n = 5;
	for (i = 0; i < 5; i++) {
		rev.addr[i] = s.addr[4 - i];
		rev.srv[i].addr = &rev.addr[i];
		rev.srv[i].weight = w[4 - i];
	}
	build("mh", &rev, ring2);
	for (i = 0; i < FX_RING_SIZE; i++)
		assert_true(addr_equal(&s.addr[ring[i]], &rev.addr[ring2[i]]));
	build("sh", &s, ring);
	build("sh", &rev, ring2);
	for (i = 0; i < FX_RING_SIZE; i++)
		assert_true(addr_equal(&s.addr[ring[i]], &rev.addr[ring2[i]]));
}

static void assert_all_none(const uint32_t *r)
{
	size_t i;

	for (i = 0; i < FX_RING_SIZE; i++)
		assert_int_equal(r[i], FX_RS_NONE);
}

static void test_hash_empty(void **state)
{
	static const int z[3] = {0, 0, 0};
	static const char *const names[] = {"mh", "sh", "dh"};
	char err[ERRLEN] = "";
	struct set s;
	size_t k;

	set_make(&s, z, 3);
	for (k = 0; k < 3; k++) {
		memset(ring, 0, sizeof(ring));
		build(names[k], &s, ring);
		assert_all_none(ring);
		memset(ring, 0, sizeof(ring));
		assert_int_equal(xdp_ring_hash(names[k], NULL, 0, ring, err, sizeof(err)), 0);
		assert_all_none(ring);
	}
	assert_int_equal(xdp_ring_hash("wrr", s.srv, 3, ring, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "wrr"));
	assert_all_none(ring);
}

/* The XDP table equals the one sched_mh picks from, for servers in sorted
 * order; for another order, the same server by address. */
static void test_mh_same_as_sched(void **state)
{
	static const int w[4] = {2, 1, 3, 1};
	struct sched_server ss[4];
	struct sched sc;
	struct set s, shuf;
	static const size_t perm[4] = {2, 0, 3, 1};
	char err[ERRLEN] = "";
	uint32_t i;
	size_t k;

	set_make(&s, w, 4);
	memset(ss, 0, sizeof(ss));
	for (k = 0; k < 4; k++) {
		ss[k].addr = &s.addr[k];
		ss[k].weight = w[k];
	}
	assert_int_equal(sched_create(&sc, "mh", 0, err, sizeof(err)), 0);
	assert_int_equal(sc.ops->update(&sc, ss, 4), 0);
	build("mh", &s, ring);
	memset(&shuf, 0, sizeof(shuf));
	shuf.n = 4;
	for (k = 0; k < 4; k++) {
		shuf.addr[k] = s.addr[perm[k]];
		shuf.srv[k].addr = &shuf.addr[k];
		shuf.srv[k].weight = w[perm[k]];
	}
	build("mh", &shuf, ring2);
	for (i = 0; i < 3000; i++) {
		struct fc_addr c = {.family = AF_INET, .port = (uint16_t)(1024 + i)};
		struct sched_input in = {.client = &c};
		uint32_t slot;
		int pick;

		c.u.v4.s_addr = htonl(0xC6336400u + i * 7919u);
		pick = sc.ops->pick(&sc, ss, 4, &in);
		slot = mh_client_hash(&c, 0, 0) % MH_TAB_SIZE;
		assert_int_equal(ring[slot], pick);
		assert_true(addr_equal(&shuf.addr[ring2[slot]], &s.addr[pick]));
	}
	sched_destroy(&sc);
}

static void test_buckets_weighted(void **state)
{
	static const int w[4] = {1, 2, 0, 3}, big[3] = {1000, 3000, 7};
	static const char *const names[] = {"sh", "dh"};
	struct set s;
	int c[4], i, runs = 0;
	size_t k;

	for (k = 0; k < 2; k++) {
		set_make(&s, w, 4);
		build(names[k], &s, ring);
		count(ring, 4, c);
		assert_int_equal(c[2], 0);
		assert_near(c[0], FX_RING_SIZE * 1 / 6.0, 0.2);
		assert_near(c[1], FX_RING_SIZE * 2 / 6.0, 0.2);
		assert_near(c[3], FX_RING_SIZE * 3 / 6.0, 0.2);
		/* weight_i consecutive slots per round: A BB DDD A BB DDD ... */
		assert_int_equal(ring[0], 0);
		assert_int_equal(ring[1], 1);
		assert_int_equal(ring[2], 1);
		assert_int_equal(ring[3], 3);
		assert_int_equal(ring[5], 3);
		assert_int_equal(ring[6], 0);
		/* Large weights still give exact shares (to one slot). */
		set_make(&s, big, 3);
		build(names[k], &s, ring);
		count(ring, 3, c);
		for (i = 0; i < 3; i++)
			assert_true(abs(c[i] - (int)(FX_RING_SIZE * (double)big[i] / 4007)) <= 2);
	}
	for (i = 1; i < FX_RING_SIZE; i++)
		runs += ring[i] != ring[i - 1];
	assert_true(runs > 4);
}

static void test_seq_rr_fo(void **state)
{
	static const int w[5] = {1, 0, 7, 2, 7}, z[2] = {0, 0};
	struct set s;

	set_make(&s, w, 5);
	assert_int_equal(xdp_ring_seq("rr", s.srv, 5, ring), 4);
	assert_int_equal(ring[0], 0);
	assert_int_equal(ring[1], 2);
	assert_int_equal(ring[2], 3);
	assert_int_equal(ring[3], 4);
	assert_int_equal(xdp_ring_seq("fo", s.srv, 5, ring), 1);
	assert_int_equal(ring[0], 2);
	set_make(&s, z, 2);
	assert_int_equal(xdp_ring_seq("rr", s.srv, 2, ring), 0);
	assert_int_equal(xdp_ring_seq("fo", s.srv, 2, ring), 0);
	assert_int_equal(xdp_ring_seq("wrr", s.srv, 2, ring), 0);
	assert_int_equal(xdp_ring_seq("wlc", s.srv, 0, ring), 0);
}

static void test_seq_wrr_as_sched(void **state)
{
	static const int w[4] = {4, 3, 0, 2}, w8[3] = {8, 6, 4};
	static const char *const names[] = {"wrr", "wlc", "lc", "sed", "nq", "lblc", "twos"};
	struct sched_server ss[4];
	struct sched sc;
	struct set s;
	char err[ERRLEN] = "";
	size_t len, i, k;

	set_make(&s, w, 4);
	memset(ss, 0, sizeof(ss));
	for (i = 0; i < 4; i++) {
		ss[i].addr = &s.addr[i];
		ss[i].weight = w[i];
	}
	assert_int_equal(sched_create(&sc, "wrr", 0, err, sizeof(err)), 0);
	assert_int_equal(sc.ops->update(&sc, ss, 4), 0);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		len = xdp_ring_seq(names[k], s.srv, 4, ring);
		assert_int_equal(len, 9);
	}
	/* two full cycles of the scheduler match the ring walked twice */
	for (i = 0; i < 18; i++) {
		struct sched_input in = {0};

		assert_int_equal(sc.ops->pick(&sc, ss, 4, &in), (int)ring[i % 9]);
	}
	sched_destroy(&sc);
	/* weights divided by their gcd: 8:6:4 is 4:3:2 */
	set_make(&s, w8, 3);
	assert_int_equal(xdp_ring_seq("wrr", s.srv, 3, ring2), 9);
	{
		static const uint32_t want[9] = {0, 0, 1, 0, 1, 2, 0, 1, 2};

		assert_memory_equal(ring2, want, sizeof(want));
	}
}

static void test_seq_scaled(void **state)
{
	static const int w[3] = {50000, 30000, 1};
	struct set s;
	int c[3] = {0, 0, 0};
	size_t len, i;

	set_make(&s, w, 3);
	len = xdp_ring_seq("wrr", s.srv, 3, ring);
	assert_true(len <= FX_RING_SIZE && len > FX_RING_SIZE / 2);
	for (i = 0; i < len; i++) {
		assert_true(ring[i] < 3);
		c[ring[i]]++;
	}
	assert_true(c[2] >= 1);
	assert_near((double)c[0] / c[1], 5.0 / 3.0, 1);
}

static void test_kind(void **state)
{
	assert_int_equal(xdp_ring_kind("mh"), FX_SCHED_HASH_SRC);
	assert_int_equal(xdp_ring_kind("sh"), FX_SCHED_HASH_SRC);
	assert_int_equal(xdp_ring_kind("dh"), FX_SCHED_HASH_DST);
	assert_int_equal(xdp_ring_kind("rr"), FX_SCHED_SEQ);
	assert_int_equal(xdp_ring_kind("wlc"), FX_SCHED_SEQ);
	assert_int_equal(xdp_ring_kind("lblcr"), FX_SCHED_SEQ);
	assert_int_equal(xdp_ring_kind("nope"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mh_balance),	     cmocka_unit_test(test_mh_minimal_disruption),
	    cmocka_unit_test(test_mh_deterministic), cmocka_unit_test(test_hash_empty),
	    cmocka_unit_test(test_mh_same_as_sched), cmocka_unit_test(test_buckets_weighted),
	    cmocka_unit_test(test_seq_rr_fo),	     cmocka_unit_test(test_seq_wrr_as_sched),
	    cmocka_unit_test(test_seq_scaled),	     cmocka_unit_test(test_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
