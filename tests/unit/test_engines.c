/* The engine list (src/engine/engines.c): every forwarding kind is served by
 * exactly one engine, the one apply used to pick by a switch (NAT and PROXY:
 * the proxy; DR and TUN: XDP); every engine of the list has the ops apply
 * calls unconditionally; a kind no engine serves is refused by
 * apply_validate at the service's file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/apply.h"
#include "engine/engines.h"
#include "model/model.h"

static void test_each_kind_has_one_engine(void **state)
{
	static const struct {
		enum fwd_method fwd;
		const char *engine;
	} want[] = {
	    {FWD_NAT, "proxy"},
	    {FWD_PROXY, "proxy"},
	    {FWD_DR, "xdp"},
	    {FWD_TUN, "xdp"},
	};
	struct virtual_server vs = {0};
	const struct engine_ops *const *e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned n = 0;

		vs.fwd = want[i].fwd;
		for (e = engines; *e; e++)
			n += (*e)->serves(&vs) != 0;
		assert_int_equal(n, 1);
		assert_non_null(engine_for(&vs));
		assert_string_equal(engine_for(&vs)->name, want[i].engine);
	}
}

static void test_every_engine_has_the_required_ops(void **state)
{
	const struct engine_ops *const *e;
	unsigned n = 0;

	(void)state;
	for (e = engines; *e; e++, n++) {
		assert_non_null((*e)->name);
		assert_non_null((*e)->serves);
		assert_non_null((*e)->check);
		assert_non_null((*e)->prepare);
		assert_non_null((*e)->abort);
		assert_non_null((*e)->commit);
		assert_non_null((*e)->remove);
		assert_non_null((*e)->shutdown);
	}
	assert_int_equal(n, 2);
	/* the XDP engine's global settings go through the list, not a one-off */
	assert_non_null(xdp_engine_ops.settings);
}

static void keep(void *ctx, const char *msg)
{
	snprintf(ctx, 512, "%s", msg);
}

static void test_unserved_kind_is_refused(void **state)
{
	struct config cfg = {0};
	struct virtual_server vs = {0};
	char msg[512] = "";

	(void)state;
	vs.fwd = (enum fwd_method)99;
	vs.protocol = IPPROTO_TCP;
	assert_int_equal(addr_parse_hostport("192.0.2.1:80", &vs.addr, NULL, 0), 0);
	vs.file = "t.conf";
	vs.line = 7;
	cfg.vs = &vs;
	assert_null(engine_for(&vs));
	assert_int_equal(apply_validate(&cfg, keep, msg), 1);
	assert_string_equal(msg, "t.conf:7: virtual_server TCP 192.0.2.1:80: no engine serves lb_kind ?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_kind_has_one_engine),
	    cmocka_unit_test(test_every_engine_has_the_required_ops),
	    cmocka_unit_test(test_unserved_kind_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
