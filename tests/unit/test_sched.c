/* Unit tests for the IPVS schedulers (src/sched/).
 *
 * Expected sequences for wrr and the expected picks of sh, dh and mh were
 * computed by separate Python models of the kernel's list-based code
 * (ip_vs_wrr.c, ip_vs_sh.c, ip_vs_dh.c, ip_vs_mh.c with SipHash-1-3), not by
 * running this C code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "model/model-t.h"
#include "sched/sched.h"

#define MAXS 16

/* A service: servers 10.0.0.1:80, 10.0.0.2:80, ... with given weights. */
struct svc {
	struct fc_addr addr[MAXS];
	struct sched_server srv[MAXS];
	size_t n;
	struct sched s;
};

static void ip4(struct fc_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	assert_int_equal(inet_pton(AF_INET, ip, &a->u.v4), 1);
}

static void ip4n(struct fc_addr *a, uint32_t host_order, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	a->u.v4.s_addr = htonl(host_order);
}

static void svc_set(struct svc *v, const int *w, size_t n)
{
	char ip[32];
	size_t i;

	assert_true(n <= MAXS);
	v->n = n;
	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%zu", i + 1);
		ip4(&v->addr[i], ip, 80);
		memset(&v->srv[i], 0, sizeof(v->srv[i]));
		v->srv[i].addr = &v->addr[i];
		v->srv[i].weight = w[i];
	}
}

static void svc_open(struct svc *v, const char *name, unsigned flags, const int *w, size_t n)
{
	char err[ERRLEN] = "";

	memset(v, 0, sizeof(*v));
	assert_int_equal(sched_create(&v->s, name, flags, err, sizeof(err)), 0);
	svc_set(v, w, n);
	assert_int_equal(v->s.ops->update(&v->s, v->srv, v->n), 0);
}

static void svc_update(struct svc *v)
{
	assert_int_equal(v->s.ops->update(&v->s, v->srv, v->n), 0);
}

static int svc_pick(struct svc *v, const struct fc_addr *client, const struct fc_addr *dest,
		    uint64_t now)
{
	struct sched_input in = {.client = client, .dest = dest, .now_ms = now};
	int r = v->s.ops->pick(&v->s, v->srv, v->n, &in);

	assert_true(r >= -1 && r < (int)v->n);
	if (r >= 0) {
		assert_true(v->srv[r].weight > 0);
		assert_false(v->srv[r].overloaded);
	}
	return r;
}

static int pick0(struct svc *v)
{
	struct fc_addr c, d;

	ip4(&c, "192.0.2.1", 40000);
	ip4(&d, "198.51.100.1", 80);
	return svc_pick(v, &c, &d, 0);
}

/* k picks as letters, A = server 0, '-' = none. */
static const char *seq(struct svc *v, int k)
{
	static char buf[128];
	int i, r;

	assert_true(k < (int)sizeof(buf));
	for (i = 0; i < k; i++) {
		r = pick0(v);
		buf[i] = r < 0 ? '-' : (char)('A' + r);
	}
	buf[k] = 0;
	return buf;
}

static void svc_close(struct svc *v)
{
	sched_destroy(&v->s);
}

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
	v.srv[1].weight = 2;
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

static void conns(struct svc *v, size_t i, uint32_t active, uint32_t inact)
{
	v->srv[i].activeconns = active;
	v->srv[i].inactconns = inact;
}

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
