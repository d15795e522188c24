/* The stats page's keywords of keepalived.conf (global_defs) and
 * ldirectord.cf (globals), src/conf/stats_kw.c: what they build (a
 * frontend that only serves the stats page, as a haproxy.cfg could: an
 * http_proxy in mode http with `stats` filled and a service on
 * stats_listen), the defaults, and the file:line errors of bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/http_proxy.h"
#include "model/model.h"

static const struct conf_reader *reader = &conf_reader_keepalived;

#define HARNESS_FILE "s.conf"
#define HARNESS_READER (*reader)
#include "reader_harness.h"

static const char *const ka_full = "global_defs {\n"	     /* 1 */
				   "  stats_listen 127.0.0.1:8404\n" /* 2 */
				   "  stats_uri /status\n"	     /* 3 */
				   "  stats_auth admin:secret\n"     /* 4 */
				   "  stats_auth ops:other\n"	     /* 5 */
				   "  stats_realm \"LVS director\"\n" /* 6 */
				   "  stats_refresh 5\n"	     /* 7 */
				   "  stats_admin on\n"		     /* 8 */
				   "  metrics_uri /prom\n"	     /* 9 */
				   "}\n"
				   "virtual_server 10.0.0.1 80 {\n"
				   "  lb_kind NAT\n"
				   "  real_server 10.0.0.2 80 { weight 1 }\n"
				   "}\n";

static void check_full(struct config *cfg)
{
	struct http_proxy *hp = config_find_http_proxy(cfg, "stats", HP_CAP_FE);
	struct virtual_server *vs;
	char a[ADDR_STRLEN];

	assert_non_null(hp);
	assert_int_equal(hp->cap, HP_CAP_FE);
	assert_int_equal(hp->mode, HP_MODE_HTTP);
	assert_true(hp->stats.enabled);
	assert_string_equal(hp->stats.uri, "/status");
	assert_int_equal(hp->stats.n_auth, 2);
	assert_string_equal(hp->stats.auth[0], "admin:secret");
	assert_string_equal(hp->stats.auth[1], "ops:other");
	assert_string_equal(hp->stats.realm, "LVS director");
	assert_int_equal(hp->stats.refresh_s, 5);
	assert_true(hp->stats.admin);
	assert_string_equal(hp->stats.admin_cond, "if TRUE");
	assert_string_equal(hp->stats.metrics_uri, "/prom");
	/* a frontend only: no backend of its own, no default one */
	assert_null(hp->pool);
	assert_null(hp->default_be);
	assert_null(cfg->global.stats_px);
	/* the LVS service first (file order), then the listener, with an empty
	 * pool of its own (no proxy's: no BACKEND row) */
	assert_int_equal(cfg->n_vs, 2);
	vs = cfg->vs->next;
	assert_ptr_equal(vs->http, hp);
	assert_int_equal(vs->fwd, FWD_PROXY);
	assert_int_equal(vs->pool->n_rs, 0);
	assert_null(vs->pool->http);
	assert_ptr_not_equal(vs->pool, cfg->vs->pool);
	assert_string_equal(addr_format(&vs->addr, a, sizeof(a), 1), "127.0.0.1:8404");
	assert_null(cfg->vs->http);
	assert_int_equal(vs->line, 2);
}

static void test_keepalived_full(void **state)
{
	struct config *cfg;

	reader = &conf_reader_keepalived;
	cfg = expect_ok(ka_full);
	check_full(cfg);
	assert_string_equal(msgs, "");
	config_free(cfg);
}

static void test_ldirectord_full(void **state)
{
	struct config *cfg;

	reader = &conf_reader_ldirectord;
	cfg = expect_ok("stats_listen = 127.0.0.1:8404\n"
			"stats_uri = /status\n"
			"stats_auth = admin:secret\n"
			"stats_auth = ops:other\n"
			"stats_realm = \"LVS director\"\n"
			"stats_refresh = 5\n"
			"stats_admin = yes\n"
			"metrics_uri = /prom\n"
			"virtual = 10.0.0.1:80\n"
			"\treal = 10.0.0.2:80 masq 1\n"
			"\tchecktype = on\n");
	assert_int_equal(cfg->n_vs, 2);
	assert_int_equal(cfg->vs->next->line, 1);
	config_free(cfg);
}

/* stats_listen alone: the page on "/", /metrics, no auth, no admin. */
static void test_defaults(void **state)
{
	struct config *cfg;
	struct http_proxy *hp;

	reader = &conf_reader_keepalived;
	cfg = expect_ok("global_defs {\n  stats_listen *:8080\n}\n");
	hp = cfg->http_proxies;
	assert_non_null(hp);
	assert_null(hp->next);
	assert_string_equal(hp->stats.uri, "/");
	assert_string_equal(hp->stats.metrics_uri, "/metrics");
	assert_int_equal(hp->stats.n_auth, 0);
	assert_false(hp->stats.admin);
	assert_null(hp->stats.admin_cond);
	assert_int_equal(hp->stats.refresh_s, 0);
	assert_string_equal(hp->stats.realm, "");
	assert_int_equal(cfg->vs->addr.family, AF_INET);
	assert_int_equal(cfg->vs->addr.port, 8080);
	config_free(cfg);

	cfg = expect_ok("global_defs {\n  stats_listen [::1]:8080\n  metrics_uri off\n"
			"  stats_admin on\n  stats_admin off\n}\n");
	assert_int_equal(cfg->vs->addr.family, AF_INET6);
	assert_string_equal(cfg->http_proxies->stats.metrics_uri, "");
	assert_false(cfg->http_proxies->stats.admin);
	config_free(cfg);
}

/* No stats_listen: nothing is served, and the user is told. */
static void test_without_listen(void **state)
{
	struct config *cfg;

	reader = &conf_reader_keepalived;
	cfg = expect_ok("global_defs {\n  router_id a\n  stats_auth a:b\n}\n");
	assert_null(cfg->http_proxies);
	assert_int_equal(cfg->n_vs, 0);
	assert_true(said('W', 3, "without stats_listen"));
	config_free(cfg);
}

static void test_errors(void **state)
{
	reader = &conf_reader_keepalived;
	expect_error("global_defs {\n  stats_listen 127.0.0.1\n}\n", 2, "is not IP:PORT");
	expect_error("global_defs {\n  stats_listen 127.0.0.1:0\n}\n", 2, "");
	expect_error("global_defs {\n  stats_listen 127.0.0.1:80\n  stats_uri status\n}\n", 3,
		     "stats_uri: 'status' does not begin with '/'");
	expect_error("global_defs {\n  stats_listen 127.0.0.1:80\n  metrics_uri metrics\n}\n", 3,
		     "metrics_uri: 'metrics' does not begin with '/'");
	expect_error("global_defs {\n  stats_auth admin\n  stats_listen 127.0.0.1:80\n}\n", 2,
		     "stats_auth: 'admin' is not USER:PASSWORD");
	expect_error("global_defs {\n  stats_auth :pw\n}\n", 2, "is not USER:PASSWORD");
	expect_error("global_defs {\n  stats_refresh soon\n}\n", 2, "stats_refresh");
	expect_error("global_defs {\n  stats_refresh 86401\n}\n", 2, "stats_refresh");
	expect_error("global_defs {\n  stats_admin maybe\n}\n", 2, "stats_admin");
	expect_error("global_defs {\n  stats_realm \"a\\\"b\"\n}\n", 2, "stats_realm");
	expect_error("global_defs {\n  stats_listen 127.0.0.1:80 81\n}\n", 2, "");
	/* the address of a virtual service */
	expect_error("global_defs {\n  stats_listen 10.0.0.1:80\n}\n"
		     "virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 { }\n}\n",
		     2, "stats_listen 10.0.0.1:80: a virtual service has that address");

	reader = &conf_reader_ldirectord;
	expect_error("stats_listen = nowhere\n", 1, "stats_listen");
	expect_error("stats_admin = perhaps\n", 1, "stats_admin");
	expect_error("stats_listen = 127.0.0.1:8080\nvirtual = 127.0.0.1:8080\n"
		     "\treal = 10.0.0.2:80 masq 1\n",
		     1, "a virtual service has that address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keepalived_full), cmocka_unit_test(test_ldirectord_full),
	    cmocka_unit_test(test_defaults),	    cmocka_unit_test(test_without_listen),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
