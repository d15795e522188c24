/* Which capabilities a configuration keeps (daemon/privs.c): read real
 * configuration text, ask privs_needed().  The drop itself is exercised on
 * the running daemon by tests/system/test_privs.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "daemon/privs.h"
#include "model/model.h"

#define BIT(c) (UINT64_C(1) << (c))

static uint64_t needed(const char *text)
{
	struct conf_diag d = {0};
	struct config *cfg = conf_load_string("t.conf", text, strlen(text), &d);
	uint64_t caps;

	if (!cfg)
		fail_msg("load failed (%u errors):\n%s", d.errors, text);
	caps = privs_needed(cfg);
	config_free(cfg);
	return caps;
}

#define VS(port, kind, body)                                                                       \
	"virtual_server 127.0.0.1 " #port " {\n  lb_kind " kind "\n" body "}\n"

static void test_services(void **state)
{
	(void)state;
	assert_int_equal(needed(VS(8080, "NAT", "  real_server 127.0.0.2 80 {\n  }\n")), 0);
	assert_int_equal(needed(VS(80, "NAT", "  real_server 127.0.0.2 80 {\n  }\n")),
			 BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(needed(VS(80, "PROXY", "  real_server 127.0.0.2 80 {\n  }\n")),
			 BIT(CAP_NET_BIND_SERVICE));
	/* DR: the XDP program is loaded before the drop; CAP_BPF is not kept */
	assert_int_equal(needed(VS(80, "DR", "  lb_algo mh\n  real_server 127.0.0.2 80 {\n  }\n")),
			 BIT(CAP_NET_ADMIN));
}

static void test_checks_and_vrrp(void **state)
{
	(void)state;
	assert_int_equal(needed(VS(8080, "NAT", "  real_server 127.0.0.2 80 {\n"
						"    PING_CHECK {\n    }\n  }\n")),
			 BIT(CAP_NET_RAW));
	assert_int_equal(needed(VS(8080, "NAT", "  real_server 127.0.0.2 80 {\n"
						"    TCP_CHECK {\n      bind_if lo\n    }\n  }\n")),
			 BIT(CAP_NET_RAW));
	assert_int_equal(needed("vrrp_instance V {\n  interface lo\n  virtual_router_id 1\n"
				"  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n"),
			 BIT(CAP_NET_RAW) | BIT(CAP_NET_ADMIN));
}

static void test_scripts_and_tuning(void **state)
{
	const uint64_t other_user = BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_KILL);

	(void)state;
	/* a script run as another user than the daemon */
	assert_int_equal(needed("global_defs {\n  script_user nobody\n}\n" VS(
				    8080, "NAT", "  quorum_up /bin/true\n"
						 "  real_server 127.0.0.2 80 {\n  }\n")),
			 other_user);
	/* script_user but no script: nothing to switch to */
	assert_int_equal(needed("global_defs {\n  script_user nobody\n}\n" VS(
				    8080, "NAT", "  real_server 127.0.0.2 80 {\n  }\n")),
			 0);
	/* the daemon is that user itself */
	assert_int_equal(needed("global_defs {\n  script_user nobody\n  run_as_user nobody\n}\n" VS(
				    8080, "NAT", "  quorum_up /bin/true\n"
						 "  real_server 127.0.0.2 80 {\n  }\n")),
			 0);
	assert_int_equal(needed("global_defs {\n  vrrp_rt_priority 50\n  checker_no_swap\n}\n"),
			 BIT(CAP_SYS_NICE) | BIT(CAP_SYS_RESOURCE) | BIT(CAP_IPC_LOCK));
}

static void test_names(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(privs_names(0, buf, sizeof(buf)), "none");
	assert_string_equal(privs_names(BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW), buf, sizeof(buf)),
			    "cap_net_admin, cap_net_raw");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_checks_and_vrrp),
		cmocka_unit_test(test_scripts_and_tuning),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
