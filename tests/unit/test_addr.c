/* Address parsing and formatting (ipvsadm text forms), masks, hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/err.h"

static void test_hostport_v4_v6(void **state)
{
	struct fc_addr a;
	char err[ERRLEN], buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_parse_hostport("10.0.0.1:80", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.port, 80);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 1), "10.0.0.1:80");
	assert_int_equal(addr_parse_hostport("[2001:db8::1]:8080", &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 1), "[2001:db8::1]:8080");
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 0), "2001:db8::1");
}

static void test_hostport_errors(void **state)
{
	static const char *bad[] = {"10.0.0.1",     "10.0.0.1:",      "10.0.0.1:0",  "10.0.0.1:65536",
				    "10.0.0.1:8x",  "2001:db8::1:80", "[10.0.0.1]:80", "[::1]80",
				    ":80",          "300.0.0.1:80",   "[::1",         ""};
	struct fc_addr a;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(addr_parse_hostport(bad[i], &a, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
	}
}

static void test_mask(void **state)
{
	struct fc_addr a = {0}, b = {0};
	char err[ERRLEN], buf[ADDR_STRLEN];

	(void)state;
	addr_parse_ip("192.168.7.200", &a, err, sizeof(err));
	addr_mask(&a, 24);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 0), "192.168.7.0");
	addr_parse_ip("192.168.7.200", &a, err, sizeof(err));
	addr_mask(&a, 20);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 0), "192.168.0.0");
	addr_parse_ip("2001:db8:1:2:3:4:5:6", &b, err, sizeof(err));
	addr_mask(&b, 64);
	assert_string_equal(addr_format(&b, buf, sizeof(buf), 0), "2001:db8:1:2::");
	addr_parse_ip("10.1.2.3", &a, err, sizeof(err));
	addr_mask(&a, 32);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 0), "10.1.2.3");
	addr_mask(&a, 0);
	assert_string_equal(addr_format(&a, buf, sizeof(buf), 0), "0.0.0.0");
}

static void test_wildcard(void **state)
{
	static const char *const any[] = {"0.0.0.0", "::"};
	static const char *const one[] = {"127.0.0.1", "10.0.0.0", "::1", "::ffff:0.0.0.0"};
	struct fc_addr a = {0};
	char err[ERRLEN];
	size_t i;

	(void)state;
	assert_true(addr_is_wildcard(&a)); /* unset */
	for (i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
		assert_int_equal(addr_parse_ip(any[i], &a, err, sizeof(err)), 0);
		assert_true(addr_is_wildcard(&a));
	}
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		assert_int_equal(addr_parse_ip(one[i], &a, err, sizeof(err)), 0);
		assert_false(addr_is_wildcard(&a));
	}
}

static void test_hash_stable(void **state)
{
	struct fc_addr a = {0}, b = {0};
	char err[ERRLEN];

	(void)state;
	addr_parse_hostport("10.0.0.1:80", &a, err, sizeof(err));
	addr_parse_hostport("10.0.0.1:81", &b, err, sizeof(err));
	/* FNV-1a of 0a 00 00 01: the same on every director */
	assert_int_equal(addr_hash(&a, 0), addr_hash(&b, 0));
	assert_int_not_equal(addr_hash(&a, 1), addr_hash(&b, 1));
	assert_int_equal(addr_hash(&a, 0), 0x6c506a2cu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostport_v4_v6),
		cmocka_unit_test(test_hostport_errors),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_hash_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
