/* Persistence templates (src/proxy/persist.c): masks, expiry, the control
 * count, validity against the service's table and the server's state. */
#include <setjmp.h>
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
	a->admin = RS_ADMIN_DRAIN; /* drained: keeps its persistent clients */
	assert_true(persist_tpl_valid(p, table, 2));
	a->admin = RS_ADMIN_DISABLED;
	assert_false(persist_tpl_valid(p, table, 2));
	a->admin = RS_ADMIN_ENABLED;
	a->health = RS_HEALTH_DOWN;
	assert_false(persist_tpl_valid(p, table, 2));
	a->health = RS_HEALTH_UP;
	/* removed from the service: no longer in its table */
	assert_false(persist_tpl_valid(p, table + 1, 1));
	persist_clear(&t);
	rs_live_unref(a);
	rs_live_unref(b);
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
	    cmocka_unit_test(test_many_reap_bounded_and_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
