/* Unit tests for the IPVS schedulers (src/sched/) that place by hash or
 * locality: sh, dh, mh, lblc and lblcr.  test_sched.c: the registry and
 * the other schedulers.
 *
 * The expected picks of sh, dh and mh were computed by separate Python
 * models of the kernel's code (ip_vs_sh.c, ip_vs_dh.c, ip_vs_mh.c with
 * SipHash-1-3), not by running this C code. */
#include "sched_harness.h"

/* ---- sh / dh / mh ---- */

static int pick_client(struct svc *v, uint32_t ip, uint16_t port)
{
	struct fc_addr c, d;

	ip4n(&c, ip, port);
	ip4(&d, "198.51.100.1", 80);
	return svc_pick(v, &c, &d, 0);
}

static const char *clients_seq(struct svc *v, const char *prefix, int k)
{
	static char buf[64];
	char ip[32];
	struct fc_addr c, d;
	int i, r;

	ip4(&d, "198.51.100.1", 80);
	for (i = 0; i < k; i++) {
		snprintf(ip, sizeof(ip), "%s%d", prefix, i + 1);
		ip4(&c, ip, 1234);
		r = svc_pick(v, &c, &d, 0);
		buf[i] = r < 0 ? '-' : (char)('0' + r);
	}
	buf[k] = 0;
	return buf;
}

static void distribution(struct svc *v, int *count, size_t n, uint16_t port_step)
{
	uint32_t i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < 10000; i++) {
		int r = pick_client(v, 0x0A640000u + i * 7919u, (uint16_t)(i * port_step));

		assert_true(r >= 0);
		count[r]++;
	}
}

static void test_sh_kernel_hash(void **state)
{
	static const int w[3] = {1, 1, 1};
	struct svc v;

	/* Weights 1,1,1: bucket i holds server i mod 3, so the pick is
	 * hash_32(address, 8) mod 3. */
	svc_open(&v, "sh", 0, w, 3);
	assert_string_equal(clients_seq(&v, "192.168.0.", 32), "01212120202010101212120211010221");
	svc_close(&v);
}

static void test_sh_weights_and_port(void **state)
{
	static const int w[3] = {1, 2, 3};
	struct svc v, u;
	int count[3], i, r, same = 1;

	svc_open(&v, "sh", 0, w, 3);
	svc_open(&u, "sh", 0, w, 3);
	distribution(&v, count, 3, 0);
	/* 256 buckets in rounds of 1+2+3: 43, 85, 128 buckets. */
	assert_in_range(count[0], 1300, 2100);
	assert_in_range(count[1], 2800, 3900);
	assert_in_range(count[2], 4400, 5600);
	for (i = 0; i < 1000; i++)
		assert_int_equal(pick_client(&v, 0xC0A80000u + i, 1),
				 pick_client(&u, 0xC0A80000u + i, 1));
	/* Without sh-port the port does not matter. */
	r = pick_client(&v, 0xC0A80001u, 1);
	for (i = 2; i < 200; i++)
		assert_int_equal(pick_client(&v, 0xC0A80001u, (uint16_t)i), r);
	svc_close(&v);
	svc_close(&u);

	/* With sh-port one client address spreads over the servers. */
	svc_open(&v, "sh", SCHED_F_PORT, w, 3);
	r = pick_client(&v, 0xC0A80001u, 1);
	for (i = 2; i < 200; i++)
		same &= pick_client(&v, 0xC0A80001u, (uint16_t)i) == r;
	assert_false(same);
	distribution(&v, count, 3, 13);
	assert_in_range(count[2], 4400, 5600);
	svc_close(&v);
}

static void test_sh_unavailable(void **state)
{
	static const int w[3] = {1, 1, 1};
	struct svc v, f;
	int before[2000], i, r, lost = 0;

	svc_open(&v, "sh", 0, w, 3);
	svc_open(&f, "sh", SCHED_F_FALLBACK, w, 3);
	for (i = 0; i < 2000; i++)
		before[i] = pick_client(&v, 0xAC100000u + (uint32_t)i * 31u, 0);
	v.srv[1].weight = f.srv[1].weight = 0;
	svc_update(&v);
	svc_update(&f);
	for (i = 0; i < 2000; i++) {
		r = pick_client(&v, 0xAC100000u + (uint32_t)i * 31u, 0);
		if (before[i] == 1) {
			assert_int_equal(r, -1); /* no fallback: no server */
			r = pick_client(&f, 0xAC100000u + (uint32_t)i * 31u, 0);
			assert_true(r == 0 || r == 2);
			lost++;
		} else {
			assert_int_equal(r, before[i]);
			assert_int_equal(pick_client(&f, 0xAC100000u + (uint32_t)i * 31u, 0),
					 before[i]);
		}
	}
	assert_true(lost > 400);
	/* Overloaded is unavailable too, without an update. */
	v.srv[1].weight = 1;
	svc_update(&v);
	v.srv[0].overloaded = 1;
	for (i = 0; i < 2000; i++)
		if (before[i] == 0)
			assert_int_equal(pick_client(&v, 0xAC100000u + (uint32_t)i * 31u, 0), -1);
	svc_close(&v);
	svc_close(&f);
}

static void test_dh(void **state)
{
	static const int w[3] = {1, 5, 1};
	struct svc v;
	struct fc_addr c, d;
	char got[40], ip[32];
	int i, r, count[3] = {0, 0, 0};

	/* Weights do not shape the dh table: bucket i -> server i mod 3. */
	svc_open(&v, "dh", 0, w, 3);
	for (i = 0; i < 32; i++) {
		snprintf(ip, sizeof(ip), "172.16.%d.1", i + 1);
		ip4(&d, ip, 80);
		ip4n(&c, 0xC0000200u + (uint32_t)i, 1000);
		r = svc_pick(&v, &c, &d, 0);
		got[i] = (char)('0' + r);
		/* any client, same destination -> same server */
		ip4n(&c, 0x08080808u, 53);
		assert_int_equal(svc_pick(&v, &c, &d, 0), r);
	}
	got[32] = 0;
	assert_string_equal(got, "02101021212212122020010102121021");
	for (i = 0; i < 9000; i++) {
		ip4n(&d, 0x0B000000u + (uint32_t)i * 104729u, 80);
		count[svc_pick(&v, &c, &d, 0)]++;
	}
	for (i = 0; i < 3; i++)
		assert_in_range(count[i], 2500, 3500);
	/* The bucket's server quiescent: no fallback in dh. */
	ip4(&d, "172.16.1.1", 80); /* -> server 0 */
	v.srv[0].weight = 0;
	svc_update(&v);
	assert_int_equal(svc_pick(&v, &c, &d, 0), -1);
	svc_close(&v);
}

static void test_mh_kernel_hash(void **state)
{
	static const int w1[3] = {1, 1, 1}, w2[3] = {1, 2, 3};
	struct svc v;
	char got[40];
	int i;

	svc_open(&v, "mh", 0, w1, 3);
	assert_string_equal(clients_seq(&v, "192.168.0.", 32), "12110021122121220101110000222100");
	svc_close(&v);
	svc_open(&v, "mh", 0, w2, 3);
	assert_string_equal(clients_seq(&v, "192.168.0.", 32), "22110121122121222101110022222121");
	svc_close(&v);
	/* mh-port: hashes port + address, as the kernel does. */
	svc_open(&v, "mh", SCHED_F_PORT, w1, 3);
	for (i = 0; i < 32; i++)
		got[i] = (char)('0' + pick_client(&v, 0xC0A80001u, (uint16_t)(1000 + i)));
	got[32] = 0;
	assert_string_equal(got, "00110212222201220001020111211022");
	svc_close(&v);
}

static void test_mh_distribution(void **state)
{
	static const int w[3] = {1, 2, 3};
	struct svc v, u;
	int count[3], i;

	svc_open(&v, "mh", 0, w, 3);
	svc_open(&u, "mh", 0, w, 3);
	distribution(&v, count, 3, 0);
	/* table shares 683 / 1364 / 2046 of 4093 */
	assert_in_range(count[0], 1300, 2100);
	assert_in_range(count[1], 2900, 3800);
	assert_in_range(count[2], 4500, 5500);
	for (i = 0; i < 1000; i++)
		assert_int_equal(pick_client(&v, 0x64400000u + (uint32_t)i * 3u, 9),
				 pick_client(&u, 0x64400000u + (uint32_t)i * 3u, 9));
	svc_close(&v);
	svc_close(&u);
}

static void test_mh_remove_one(void **state)
{
	static const int w[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct svc v;
	int before[10000], i, r, moved = 0, orphans = 0;

	svc_open(&v, "mh", 0, w, 10);
	for (i = 0; i < 10000; i++)
		before[i] = pick_client(&v, 0x0A000000u + (uint32_t)i * 2654435u, 0);
	/* Remove server 4 (index 4): later servers shift down one index. */
	memmove(&v.addr[4], &v.addr[5], 5 * sizeof(v.addr[0]));
	v.n = 9;
	svc_update(&v);
	for (i = 0; i < 10000; i++) {
		int old = before[i], now_idx;

		r = pick_client(&v, 0x0A000000u + (uint32_t)i * 2654435u, 0);
		now_idx = old > 4 ? old - 1 : old;
		if (old == 4) {
			orphans++;
			continue;
		}
		moved += r != now_idx;
	}
	/* ~1/10 of the clients were on the removed server; of the others,
	 * Maglev moves only a few percent. */
	assert_in_range(orphans, 800, 1200);
	assert_true(moved < 300);
	svc_close(&v);
}

static void test_mh_quiescent_keeps_table(void **state)
{
	static const int w[4] = {1, 1, 1, 1};
	struct svc v, f;
	int before[3000], i, r, lost = 0;

	svc_open(&v, "mh", 0, w, 4);
	svc_open(&f, "mh", SCHED_F_FALLBACK, w, 4);
	for (i = 0; i < 3000; i++)
		before[i] = pick_client(&v, 0x0A000000u + (uint32_t)i * 977u, 0);
	v.srv[2].weight = f.srv[2].weight = 0;
	svc_update(&v);
	svc_update(&f);
	for (i = 0; i < 3000; i++) {
		r = pick_client(&v, 0x0A000000u + (uint32_t)i * 977u, 0);
		if (before[i] == 2) {
			lost++;
			assert_int_equal(r, -1);
			r = pick_client(&f, 0x0A000000u + (uint32_t)i * 977u, 0);
			assert_true(r >= 0 && r != 2);
		} else {
			assert_int_equal(r, before[i]); /* nobody else moves */
			assert_int_equal(pick_client(&f, 0x0A000000u + (uint32_t)i * 977u, 0),
					 before[i]);
		}
	}
	assert_true(lost > 500);
	/* Back to weight 1: everybody back where they were. */
	v.srv[2].weight = 1;
	svc_update(&v);
	for (i = 0; i < 3000; i++)
		assert_int_equal(pick_client(&v, 0x0A000000u + (uint32_t)i * 977u, 0), before[i]);
	svc_close(&v);
	svc_close(&f);
}

/* ---- lblc / lblcr ---- */

#define HOUR_MS (60ull * 60 * 1000)

static int pick_dest(struct svc *v, const char *dest, uint64_t now)
{
	struct fc_addr c, d;

	ip4(&c, "192.0.2.7", 5555);
	ip4(&d, dest, 80);
	return svc_pick(v, &c, &d, now);
}

static void test_lblc_sticky_and_reassign(void **state)
{
	static const int w[3] = {10, 10, 10};
	struct svc v;
	int i;

	svc_open(&v, "lblc", 0, w, 3);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 1000), 0);
	conns(&v, 0, 5, 0);
	/* A new destination goes to the least loaded ... */
	assert_int_equal(pick_dest(&v, "203.0.113.2", 1000), 1);
	conns(&v, 1, 6, 0);
	/* ... a known one stays, although another server is idler. */
	for (i = 0; i < 10; i++) {
		assert_int_equal(pick_dest(&v, "203.0.113.1", 2000), 0);
		assert_int_equal(pick_dest(&v, "203.0.113.2", 2000), 1);
	}
	/* Busier than its weight, but nobody under half: stays. */
	conns(&v, 0, 11, 0);
	conns(&v, 1, 6, 0);
	conns(&v, 2, 5, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 3000), 0);
	/* ... and once some server is under half its weight: moves. */
	conns(&v, 2, 4, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 3000), 2);
	conns(&v, 0, 0, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 3000), 2); /* new home kept */
	/* Quiescent or overloaded: moves. */
	v.srv[2].weight = 0;
	svc_update(&v);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 4000), 0);
	v.srv[2].weight = 10;
	svc_update(&v);
	v.srv[0].overloaded = 1;
	conns(&v, 2, 9, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 5000), 1);
	v.srv[0].overloaded = 0;
	assert_int_equal(pick_dest(&v, "203.0.113.1", 5000), 1);
	svc_close(&v);
}

static void test_lblc_expiry_and_removal(void **state)
{
	static const int w[3] = {1, 1, 1};
	struct svc v;

	svc_open(&v, "lblc", 0, w, 3);
	conns(&v, 0, 1, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.9", 0), 1);
	conns(&v, 1, 1, 0);
	conns(&v, 0, 0, 0);
	/* Used within 24 h: kept (each use refreshes it). */
	assert_int_equal(pick_dest(&v, "203.0.113.9", 23 * HOUR_MS), 1);
	assert_int_equal(pick_dest(&v, "203.0.113.9", 46 * HOUR_MS), 1);
	/* Unused for 24 h: forgotten, chosen afresh. */
	assert_int_equal(pick_dest(&v, "203.0.113.9", 70 * HOUR_MS), 0);
	/* The cached server leaves the array: chosen afresh; the others keep
	 * their entries under their new indexes. */
	conns(&v, 0, 1, 0);
	conns(&v, 1, 0, 0);
	conns(&v, 2, 1, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.10", 70 * HOUR_MS), 1); /* 10.0.0.2 */
	v.addr[0] = v.addr[1];
	v.addr[1] = v.addr[2];
	v.n = 2;	    /* 10.0.0.1 left: now 10.0.0.2, 10.0.0.3 */
	conns(&v, 0, 1, 0); /* not over its weight: stays */
	conns(&v, 1, 0, 0);
	svc_update(&v);
	assert_int_equal(pick_dest(&v, "203.0.113.10", 71 * HOUR_MS), 0); /* still 10.0.0.2 */
	assert_int_equal(pick_dest(&v, "203.0.113.9", 71 * HOUR_MS), 1);
	svc_close(&v);
}

static void test_lblc_many_destinations(void **state)
{
	static const int w[4] = {1, 1, 1, 1};
	struct svc v;
	struct fc_addr c, d;
	uint32_t i;
	int first[20000];

	/* More destinations than cache entries: never out of bounds, and a
	 * recently used destination keeps its server. */
	svc_open(&v, "lblc", 0, w, 4);
	ip4(&c, "192.0.2.1", 1);
	for (i = 0; i < 20000; i++) {
		ip4n(&d, 0x0B000000u + i, 80);
		v.srv[i % 4].activeconns = i % 7;
		first[i] = svc_pick(&v, &c, &d, i);
		assert_true(first[i] >= 0);
	}
	for (i = 19000; i < 20000; i++) {
		ip4n(&d, 0x0B000000u + i, 80);
		v.srv[0].activeconns = v.srv[1].activeconns = v.srv[2].activeconns =
		    v.srv[3].activeconns = 0;
		assert_int_equal(svc_pick(&v, &c, &d, 20000), first[i]);
	}
	svc_close(&v);
}

static void test_lblcr_replication(void **state)
{
	static const int w[3] = {4, 4, 4};
	struct svc v;

	svc_open(&v, "lblcr", 0, w, 3);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 0), 0); /* set {A} */
	conns(&v, 0, 3, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 10), 0); /* sticky */
	/* A over its weight while C is under half of its own: the weighted
	 * least-connection server of all (C) joins the set. */
	conns(&v, 0, 5, 0);
	conns(&v, 1, 3, 0);
	conns(&v, 2, 1, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 20), 2); /* set {C, A} */
	/* Now the least loaded member of the set is used, and B (not a
	 * member) is not, even when it is idler. */
	conns(&v, 0, 2, 0);
	conns(&v, 1, 0, 0);
	conns(&v, 2, 3, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.1", 30), 0);
	conns(&v, 0, 3, 0); /* tie in the set: the newest member, C */
	assert_int_equal(pick_dest(&v, "203.0.113.1", 40), 2);
	svc_close(&v);
}

static void test_lblcr_shrink(void **state)
{
	static const int w[3] = {4, 4, 4};
	struct svc v;

	svc_open(&v, "lblcr", 0, w, 3);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 0), 0);
	conns(&v, 0, 5, 0);
	conns(&v, 2, 3, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 1000), 1); /* {B, A} */
	/* A is least loaded in the set now. */
	conns(&v, 0, 1, 0);
	conns(&v, 1, 3, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 2000), 0);
	/* 24 h without a change of the set (but with uses): the most loaded
	 * member (B) is dropped.  This pick still gets the least loaded. */
	assert_int_equal(pick_dest(&v, "203.0.113.5", 2000 + 23 * HOUR_MS), 0);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 1000 + 24 * HOUR_MS + 1), 0);
	/* B is idle now but no longer a member: A keeps the destination. */
	conns(&v, 1, 0, 0);
	conns(&v, 0, 2, 0);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 1001 + 24 * HOUR_MS + 2), 0);
	/* If A goes quiescent, the choice falls back to all servers. */
	v.srv[0].weight = 0;
	svc_update(&v);
	assert_int_equal(pick_dest(&v, "203.0.113.5", 1001 + 24 * HOUR_MS + 3), 1);
	svc_close(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sh_kernel_hash),
	    cmocka_unit_test(test_sh_weights_and_port),
	    cmocka_unit_test(test_sh_unavailable),
	    cmocka_unit_test(test_dh),
	    cmocka_unit_test(test_mh_kernel_hash),
	    cmocka_unit_test(test_mh_distribution),
	    cmocka_unit_test(test_mh_remove_one),
	    cmocka_unit_test(test_mh_quiescent_keeps_table),
	    cmocka_unit_test(test_lblc_sticky_and_reassign),
	    cmocka_unit_test(test_lblc_expiry_and_removal),
	    cmocka_unit_test(test_lblc_many_destinations),
	    cmocka_unit_test(test_lblcr_replication),
	    cmocka_unit_test(test_lblcr_shrink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
