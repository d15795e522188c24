/* The model: defaults, states, and what a reload carries over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "model/model.h"

static struct virtual_server *mk_vs(const char *vip, int proto)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(vs);
	assert_int_equal(addr_parse_hostport(vip, &vs->addr, err, sizeof(err)), 0);
	vs->protocol = proto;
	return vs;
}

static struct real_server *mk_rs(const char *rip, int w)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_hostport(rip, &rs->addr, err, sizeof(err)), 0);
	rs->weight = rs->cur_weight = w;
	return rs;
}

static void test_defaults(void **state)
{
	struct virtual_server *vs = vs_new();
	struct real_server *rs = rs_new();

	(void)state;
	assert_string_equal(vs->sched, "wlc");
	assert_int_equal(vs->fwd, FWD_NAT);
	assert_int_equal(vs->delay_loop_ms, 60000);
	assert_int_equal(vs->udp_timeout_ms, 300000);
	assert_int_equal(rs->weight, 1);
	assert_int_equal(rs->inhibit_on_failure, -1);
	assert_string_equal(rs_state_name(rs), "up");
	vs_free(vs);
	rs_free(rs);
}

static void test_states_and_weight(void **state)
{
	struct real_server *rs = mk_rs("10.0.0.2:80", 5);

	(void)state;
	assert_int_equal(rs_effective_weight(rs), 5);
	rs->live->admin = RS_ADMIN_DRAIN;
	assert_string_equal(rs_state_name(rs), "drain");
	assert_int_equal(rs_effective_weight(rs), 0);
	assert_true(rs_available(rs));
	rs->live->admin = RS_ADMIN_DISABLED;
	assert_string_equal(rs_state_name(rs), "disabled");
	assert_false(rs_available(rs));
	rs->live->admin = RS_ADMIN_ENABLED;
	rs->live->health = RS_HEALTH_DOWN;
	assert_string_equal(rs_state_name(rs), "down");
	assert_int_equal(rs_effective_weight(rs), 0);
	rs_free(rs);
}

static void test_carry_live(void **state)
{
	struct config *old = config_new(), *new = config_new();
	struct virtual_server *ovs = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	struct virtual_server *nvs = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	struct virtual_server *udp = mk_vs("10.0.0.1:80", IPPROTO_UDP);
	struct real_server *a = mk_rs("10.0.0.2:80", 1), *b = mk_rs("10.0.0.3:80", 1);
	struct real_server *a2 = mk_rs("10.0.0.2:80", 1), *c = mk_rs("10.0.0.4:80", 1);

	(void)state;
	vs_add_rs(ovs, a);
	vs_add_rs(ovs, b);
	config_add_vs(old, ovs);
	vs_add_rs(nvs, a2);
	vs_add_rs(nvs, c);
	config_add_vs(new, nvs);
	config_add_vs(new, udp);
	a->live->stats.conns = 17;
	a->live->admin = RS_ADMIN_DRAIN;
	ovs->live->stats.conns = 20;

	config_carry_live(new, old);
	assert_ptr_equal(a2->live, a->live);
	assert_int_equal(a2->live->refs, 2);
	assert_int_equal(a2->live->stats.conns, 17);
	assert_int_equal(a2->live->admin, RS_ADMIN_DRAIN);
	assert_ptr_not_equal(c->live, b->live);
	assert_ptr_equal(nvs->live, ovs->live);
	/* same address, other protocol: a different service */
	assert_ptr_not_equal(udp->live, ovs->live);

	config_free(old); /* new keeps the shared state alive */
	assert_int_equal(a2->live->refs, 1);
	assert_int_equal(nvs->live->stats.conns, 20);
	config_free(new);
}

static void test_find_unlink(void **state)
{
	struct config *cfg = config_new();
	struct virtual_server *vs = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	struct real_server *a = mk_rs("10.0.0.2:80", 1), *b = mk_rs("10.0.0.3:80", 1);
	struct fc_addr x;
	char err[ERRLEN];

	(void)state;
	vs_add_rs(vs, a);
	vs_add_rs(vs, b);
	config_add_vs(cfg, vs);
	addr_parse_hostport("10.0.0.3:80", &x, err, sizeof(err));
	assert_ptr_equal(vs_find_rs(vs, &x), b);
	assert_int_equal(vs_unlink_rs(vs, b), 0);
	assert_int_equal(vs->n_rs, 1);
	assert_null(vs_find_rs(vs, &x));
	assert_int_equal(vs_unlink_rs(vs, b), -1);
	rs_free(b);
	addr_parse_hostport("10.0.0.1:80", &x, err, sizeof(err));
	assert_ptr_equal(config_find_vs(cfg, IPPROTO_TCP, &x), vs);
	assert_null(config_find_vs(cfg, IPPROTO_UDP, &x));
	config_free(cfg);
}

static void test_rate_estimator(void **state)
{
	struct rate_est e = {0};
	struct fc_stats s = {0};
	int i;

	(void)state;
	rate_est_update(&e, &s, 1000);
	for (i = 1; i <= 40; i++) {
		s.conns += 200; /* 100 per second at 2 s samples */
		s.inbytes += 2000000;
		rate_est_update(&e, &s, 1000 + (uint64_t)i * 2000);
	}
	assert_true(e.rate.cps > 99.0 && e.rate.cps < 101.0);
	assert_true(e.rate.inbps > 990000.0 && e.rate.inbps < 1010000.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_states_and_weight),
		cmocka_unit_test(test_carry_live),
		cmocka_unit_test(test_find_unlink),
		cmocka_unit_test(test_rate_estimator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
