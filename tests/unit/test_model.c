/* The model: defaults, states, and what a reload carries over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "model/ctr.h"
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
	assert_string_equal(vs->pool->sched, "wlc");
	assert_int_equal(vs->fwd, FWD_NAT);
	assert_int_equal(vs->pool->delay_loop_ms, 60000);
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
	a->live->ctr.main.conns = 17;
	a->live->admin = RS_ADMIN_DRAIN;
	ovs->live->ctr.main.conns = 20;

	config_carry_live(new, old);
	assert_ptr_equal(a2->live, a->live);
	assert_int_equal(a2->live->refs, 2);
	assert_int_equal(ctr_total(&a2->live->ctr).conns, 17);
	assert_int_equal(a2->live->admin, RS_ADMIN_DRAIN);
	assert_ptr_not_equal(c->live, b->live);
	assert_ptr_equal(nvs->live, ovs->live);
	/* same address, other protocol: a different service */
	assert_ptr_not_equal(udp->live, ovs->live);

	config_free(old); /* new keeps the shared state alive */
	assert_int_equal(a2->live->refs, 1);
	assert_int_equal(ctr_total(&nvs->live->ctr).conns, 20);
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
	assert_int_equal(vs->pool->n_rs, 1);
	assert_null(vs_find_rs(vs, &x));
	assert_int_equal(vs_unlink_rs(vs, b), -1);
	rs_free(b);
	addr_parse_hostport("10.0.0.1:80", &x, err, sizeof(err));
	assert_ptr_equal(config_find_vs(cfg, IPPROTO_TCP, &x), vs);
	assert_null(config_find_vs(cfg, IPPROTO_UDP, &x));
	config_free(cfg);
}

/* A service added with its own pool names it after itself and its servers
 * "IP:PORT" (keepalived and ldirectord have no names); given names stay. */
static void test_default_names(void **state)
{
	struct config *cfg = config_new();
	struct virtual_server *tcp = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	struct virtual_server *udp6 = mk_vs("[2001:db8::1]:53", IPPROTO_UDP);
	struct virtual_server *fwm = vs_new();
	struct real_server *a = mk_rs("10.0.0.2:80", 1), *b = mk_rs("10.0.0.3:8080", 1);
	struct real_server *late = mk_rs("10.0.0.4:80", 1), *sorry = mk_rs("10.0.0.9:80", 1);
	struct real_server *named = mk_rs("[2001:db8::2]:53", 1);
	char err[ERRLEN];

	(void)state;
	assert_null(tcp->pool->name);
	vs_add_rs(tcp, a);
	/* a reader may fill the address after creating the server */
	b->addr.family = 0;
	vs_add_rs(tcp, b);
	assert_null(b->name);
	assert_int_equal(addr_parse_hostport("10.0.0.3:8080", &b->addr, err, sizeof(err)), 0);
	tcp->pool->sorry = sorry;
	named->name = strdup("dns-a");
	vs_add_rs(udp6, named);
	fwm->fwmark = 5;
	tcp->file = "k.conf";
	tcp->line = 7;
	config_add_vs(cfg, tcp);
	config_add_vs(cfg, udp6);
	config_add_vs(cfg, fwm);

	assert_int_equal(cfg->n_pools, 3);
	assert_string_equal(tcp->pool->name, "TCP 10.0.0.1:80");
	assert_string_equal(udp6->pool->name, "UDP [2001:db8::1]:53");
	assert_string_equal(fwm->pool->name, "FWM 5");
	/* the service's own pool is defined where the service is */
	assert_string_equal(tcp->pool->file, "k.conf");
	assert_int_equal(tcp->pool->line, 7);
	assert_string_equal(a->name, "10.0.0.2:80");
	assert_string_equal(b->name, "10.0.0.3:8080");
	assert_string_equal(sorry->name, "10.0.0.9:80");
	assert_string_equal(named->name, "dns-a");
	assert_ptr_equal(config_find_pool(cfg, "UDP [2001:db8::1]:53"), udp6->pool);
	assert_null(config_find_pool(cfg, "UDP 2001:db8::1:53"));
	assert_null(config_find_pool(cfg, NULL));
	assert_ptr_equal(pool_find_server(tcp->pool, "10.0.0.3:8080"), b);
	/* the sorry server is not one of the pool's servers */
	assert_null(pool_find_server(tcp->pool, "10.0.0.9:80"));
	/* a server added at run time (fulcrumctl add server) is named too */
	vs_add_rs(tcp, late);
	assert_string_equal(late->name, "10.0.0.4:80");
	assert_int_equal(tcp->pool->n_rs, 3);
	config_free(cfg);
}

/* A named pool with two services: one pool in the config, freed once; the
 * services' own pools from vs_new are gone. */
static struct config *mk_shared(const char *pool_name, const char *srv_name, const char *srv_addr,
				struct virtual_server **v1, struct virtual_server **v2)
{
	struct config *cfg = config_new();
	struct pool *p = pool_new(pool_name);
	struct real_server *rs = mk_rs(srv_addr, 3);

	assert_non_null(p);
	rs->name = strdup(srv_name);
	pool_add_rs(p, rs);
	assert_string_equal(rs->name, srv_name);
	config_add_pool(cfg, p);
	*v1 = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	*v2 = mk_vs("10.0.0.1:8080", IPPROTO_TCP);
	vs_set_pool(*v1, p);
	vs_set_pool(*v2, p);
	config_add_vs(cfg, *v1);
	config_add_vs(cfg, *v2);
	assert_int_equal(cfg->n_pools, 1);
	assert_ptr_equal((*v1)->pool, (*v2)->pool);
	return cfg;
}

/* Identity is the name: a server whose address changed under the same name
 * in a pool of the same name keeps its state; the same address under
 * another name, or in a pool renamed, is another server. */
static void test_carry_by_name(void **state)
{
	struct virtual_server *o1, *o2, *n1, *n2, *r1, *r2, *x1, *x2;
	struct config *old = mk_shared("web", "s1", "10.0.0.2:80", &o1, &o2);
	struct config *moved = mk_shared("web", "s1", "10.0.0.7:80", &n1, &n2);
	struct config *renamed = mk_shared("web", "s9", "10.0.0.2:80", &r1, &r2);
	struct config *other = mk_shared("web2", "s1", "10.0.0.2:80", &x1, &x2);
	struct rs_live *l = o1->pool->rs->live;

	(void)state;
	l->ctr.main.conns = 42;
	l->admin = RS_ADMIN_DRAIN;
	l->health = RS_HEALTH_DOWN;

	config_carry_live(moved, old);
	assert_ptr_equal(n1->pool->rs->live, l);
	/* one pool, one server: one reference however many services use it */
	assert_int_equal(l->refs, 2);
	assert_int_equal(ctr_total(&n2->pool->rs->live->ctr).conns, 42);
	assert_int_equal(n2->pool->rs->live->admin, RS_ADMIN_DRAIN);
	/* the services are still two, each with its own counters */
	assert_ptr_equal(n1->live, o1->live);
	assert_ptr_equal(n2->live, o2->live);
	assert_ptr_not_equal(n1->live, n2->live);

	config_carry_live(renamed, old);
	assert_ptr_not_equal(r1->pool->rs->live, l);
	assert_int_equal(ctr_total(&r1->pool->rs->live->ctr).conns, 0);
	config_carry_live(other, old);
	assert_ptr_not_equal(x1->pool->rs->live, l);
	assert_int_equal(l->refs, 2);

	config_free(old);
	assert_int_equal(n1->pool->rs->live->refs, 1);
	config_free(moved);
	config_free(renamed);
	config_free(other);
}

/* A service's own pool is freed with it until a config takes it; then it is
 * the config's. */
static void test_pool_ownership(void **state)
{
	struct config *cfg = config_new();
	struct virtual_server *vs = mk_vs("10.0.0.1:80", IPPROTO_TCP);
	struct virtual_server *alone = mk_vs("10.0.0.1:81", IPPROTO_TCP);
	struct pool *own;

	(void)state;
	vs_add_rs(alone, mk_rs("10.0.0.2:80", 1));
	vs_free(alone); /* its pool and server go with it (ASan: no leak) */
	vs_add_rs(vs, mk_rs("10.0.0.2:80", 1));
	config_add_vs(cfg, vs);
	own = vs->pool;
	assert_true(own->in_config);
	/* a service taken out of the config leaves its pool behind */
	cfg->vs = NULL;
	cfg->n_vs = 0;
	vs_free(vs);
	assert_ptr_equal(cfg->pools, own);
	assert_int_equal(own->n_rs, 1);
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
		cmocka_unit_test(test_default_names),
		cmocka_unit_test(test_carry_by_name),
		cmocka_unit_test(test_pool_ownership),
		cmocka_unit_test(test_rate_estimator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
