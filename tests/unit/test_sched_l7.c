/* Unit tests for haproxy's balance algorithms that IPVS has no equivalent
 * of (src/sched/sched_first.c, sched_random.c, sched_hash.c): first,
 * random (power of N draws), hash (map-based) and chash (consistent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/err.h"
#include "sched/sched.h"

#define NSRV 8

/* A pool: servers 10.1.0.1:80, 10.1.0.2:80... */
struct pool7 {
	struct fc_addr addr[NSRV];
	struct sched_server srv[NSRV];
	size_t n;
	struct sched s;
};

static void pool_open(struct pool7 *p, const char *name, const int *w, size_t n)
{
	char err[ERRLEN] = "";
	size_t i;

	memset(p, 0, sizeof(*p));
	assert_true(n <= NSRV);
	assert_int_equal(sched_create(&p->s, name, 0, err, sizeof(err)), 0);
	p->n = n;
	for (i = 0; i < n; i++) {
		p->addr[i].family = AF_INET;
		p->addr[i].port = 80;
		p->addr[i].u.v4.s_addr = htonl(0x0a010001u + (uint32_t)i);
		p->srv[i].addr = &p->addr[i];
		p->srv[i].weight = w[i];
	}
	assert_int_equal(p->s.ops->update(&p->s, p->srv, p->n), 0);
}

static void pool_changed(struct pool7 *p)
{
	assert_int_equal(p->s.ops->update(&p->s, p->srv, p->n), 0);
}

/* The server for a key (NULL: the client's address alone). */
static int pick_key(struct pool7 *p, const char *key, const struct fc_addr *client,
		    unsigned draws)
{
	struct sched_input in = {.client = client, .key = key, .keylen = key ? strlen(key) : 0,
				 .draws = draws};
	int r = p->s.ops->pick(&p->s, p->srv, p->n, &in);

	assert_true(r >= -1 && r < (int)p->n);
	if (r >= 0)
		assert_true(p->srv[r].weight > 0 && !p->srv[r].overloaded);
	return r;
}

static struct fc_addr client_at(uint32_t host, uint16_t port)
{
	struct fc_addr a = {.family = AF_INET, .port = port};

	a.u.v4.s_addr = htonl(host);
	return a;
}

/* ---- first ---- */

static void test_first(void **state)
{
	static const int w[] = {1, 1, 1};
	struct fc_addr c = client_at(0xc0000201, 1000);
	struct pool7 p;
	int i;

	pool_open(&p, "first", w, 3);
	for (i = 0; i < 5; i++)
		assert_int_equal(pick_key(&p, NULL, &c, 0), 0);
	p.srv[0].overloaded = 1; /* full (maxconn): the next one */
	assert_int_equal(pick_key(&p, NULL, &c, 0), 1);
	p.srv[1].weight = 0; /* drained */
	pool_changed(&p);
	assert_int_equal(pick_key(&p, NULL, &c, 0), 2);
	p.srv[0].overloaded = 0;
	assert_int_equal(pick_key(&p, NULL, &c, 0), 0);
	p.srv[0].weight = p.srv[2].weight = 0;
	pool_changed(&p);
	assert_int_equal(pick_key(&p, NULL, &c, 0), -1);
	sched_destroy(&p.s);
}

/* ---- random ---- */

static void test_random_weights(void **state)
{
	static const int w[] = {1, 3};
	struct fc_addr c = client_at(0xc0000201, 1000);
	unsigned count[2] = {0, 0};
	struct pool7 p;
	int i;

	/* one draw: a weighted random choice, 1 : 3 */
	pool_open(&p, "random", w, 2);
	for (i = 0; i < 4000; i++)
		count[pick_key(&p, NULL, &c, 1)]++;
	assert_true(count[0] > 800 && count[0] < 1200);
	sched_destroy(&p.s);
}

static void test_random_least_loaded(void **state)
{
	static const int w[] = {1, 1, 1, 1};
	struct fc_addr c = client_at(0xc0000201, 1000);
	unsigned count[4] = {0};
	struct pool7 p;
	int i;

	/* server 2 is loaded: with two draws it wins only when drawn twice
	 * (1 in 16), with one draw 1 in 4 */
	pool_open(&p, "random", w, 4);
	p.srv[2].activeconns = 50;
	for (i = 0; i < 4000; i++)
		count[pick_key(&p, NULL, &c, 0)]++;
	assert_true(count[2] > 100 && count[2] < 400);
	memset(count, 0, sizeof(count));
	for (i = 0; i < 4000; i++)
		count[pick_key(&p, NULL, &c, 1)]++;
	assert_true(count[2] > 800);
	/* many draws: the loaded one almost never */
	memset(count, 0, sizeof(count));
	for (i = 0; i < 4000; i++)
		count[pick_key(&p, NULL, &c, 10)]++;
	assert_true(count[2] < 10);
	p.srv[0].weight = p.srv[1].weight = p.srv[2].weight = p.srv[3].weight = 0;
	assert_int_equal(pick_key(&p, NULL, &c, 2), -1);
	sched_destroy(&p.s);
}

/* ---- hash (map-based) ---- */

static void test_hash_same_key_same_server(void **state)
{
	static const int w[] = {1, 1, 1, 1};
	struct fc_addr c1 = client_at(0xc0000201, 1000), c2 = client_at(0xc0000202, 2000);
	unsigned seen[4] = {0};
	char key[32];
	struct pool7 p;
	int i, r;

	pool_open(&p, "hash", w, 4);
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "/images/%d.png", i);
		r = pick_key(&p, key, &c1, 0);
		/* another client, same key: same server */
		assert_int_equal(pick_key(&p, key, &c2, 0), r);
		seen[r]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(seen[i] > 20);
	sched_destroy(&p.s);
}

static void test_hash_weights_and_client(void **state)
{
	static const int w[] = {1, 3};
	struct fc_addr c = client_at(0xc0000201, 1000), c_other_port = client_at(0xc0000201, 4242);
	unsigned count[2] = {0, 0};
	char key[32];
	struct pool7 p;
	int i, r;

	pool_open(&p, "hash", w, 2);
	for (i = 0; i < 4000; i++) {
		snprintf(key, sizeof(key), "user=%d", i);
		count[pick_key(&p, key, &c, 0)]++;
	}
	assert_true(count[0] > 800 && count[0] < 1200);
	/* no key: the client's address, whatever its port */
	r = pick_key(&p, NULL, &c, 0);
	assert_true(r >= 0);
	assert_int_equal(pick_key(&p, NULL, &c_other_port, 0), r);
	/* the server down: every key goes to the other */
	p.srv[r].weight = 0;
	pool_changed(&p);
	assert_int_equal(pick_key(&p, NULL, &c, 0), !r);
	sched_destroy(&p.s);
}

/* The server haproxy's map-based hashing picks: balance-uri.vtc's 4 equal
 * servers send /url1, /url2, /url3 to the 2nd, 3rd and 4th; with weights
 * 1 and 3 the map is A B B B (haproxy's interleave, worked by hand), so
 * sdbm % 4 picks. */
static void test_hash_as_haproxy(void **state)
{
	static const int w4[] = {1, 1, 1, 1}, w2[] = {1, 3}, w2x[] = {10, 30};
	struct fc_addr c = client_at(0xc0000201, 1000);
	static const char map[] = "ABBB";
	char key[32];
	struct pool7 p;
	unsigned h, i, k;

	pool_open(&p, "hash", w4, 4);
	assert_int_equal(pick_key(&p, "/url1", &c, 0), 1);
	assert_int_equal(pick_key(&p, "/url2", &c, 0), 2);
	assert_int_equal(pick_key(&p, "/url3", &c, 0), 3);
	sched_destroy(&p.s);
	for (k = 0; k < 2; k++) {
		pool_open(&p, "hash", k ? w2x : w2, 2); /* scaled weights: the same answers */
		for (i = 0; i < 50; i++) {
			const unsigned char *q;

			snprintf(key, sizeof(key), "/k%u", i);
			for (h = 0, q = (const unsigned char *)key; *q; q++)
				h = *q + (h << 6) + (h << 16) - h; /* sdbm */
			assert_int_equal(pick_key(&p, key, &c, 0), map[h % 4] - 'A');
		}
		sched_destroy(&p.s);
	}
}

/* ---- chash (consistent) ---- */

static void test_chash_moves_only_the_lost_servers_keys(void **state)
{
	static const int w[] = {1, 1, 1, 1};
	struct fc_addr c = client_at(0xc0000201, 1000);
	int before[300], i, moved = 0;
	char key[32];
	struct pool7 p;

	pool_open(&p, "chash", w, 4);
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "/a/%d", i);
		before[i] = pick_key(&p, key, &c, 0);
		assert_true(before[i] >= 0);
	}
	p.srv[1].weight = 0; /* server 1 leaves */
	pool_changed(&p);
	for (i = 0; i < 300; i++) {
		int now;

		snprintf(key, sizeof(key), "/a/%d", i);
		now = pick_key(&p, key, &c, 0);
		assert_int_not_equal(now, 1);
		if (before[i] != 1)
			moved += now != before[i];
	}
	/* Maglev moves a few keys of the others at most */
	assert_true(moved < 30);
	p.srv[1].weight = 1; /* back: its keys come back */
	pool_changed(&p);
	for (i = 0, moved = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "/a/%d", i);
		moved += pick_key(&p, key, &c, 0) != before[i];
	}
	assert_int_equal(moved, 0);
	/* overloaded: the key still lands, on another server */
	snprintf(key, sizeof(key), "/a/%d", 7);
	p.srv[before[7]].overloaded = 1;
	i = pick_key(&p, key, &c, 0);
	assert_true(i >= 0 && i != before[7]);
	sched_destroy(&p.s);
}

static void test_chash_empty(void **state)
{
	static const int w[] = {0, 0};
	struct fc_addr c = client_at(0xc0000201, 1000);
	struct pool7 p;

	pool_open(&p, "chash", w, 2);
	assert_int_equal(pick_key(&p, "k", &c, 0), -1);
	sched_destroy(&p.s);
	pool_open(&p, "hash", w, 2);
	assert_int_equal(pick_key(&p, "k", &c, 0), -1);
	sched_destroy(&p.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first),
	    cmocka_unit_test(test_random_weights),
	    cmocka_unit_test(test_random_least_loaded),
	    cmocka_unit_test(test_hash_same_key_same_server),
	    cmocka_unit_test(test_hash_weights_and_client),
	    cmocka_unit_test(test_hash_as_haproxy),
	    cmocka_unit_test(test_chash_moves_only_the_lost_servers_keys),
	    cmocka_unit_test(test_chash_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
