/* Persistence as read and kept: the stick tables (src/proxy/stktable.c)
 * with a clock of their own -- entries replaced, expired after `expire`
 * without use, the least recently used evicted at `size`, the registry
 * emptying a table whose definition changed -- and haproxy.cfg's
 * `stick-table`, `stick ...` and `cookie` lines (what is kept, what is
 * refused at its line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "http/rules-t.h"
#include "model/http_proxy.h"
#include "model/model.h"
#include "proxy/stktable.h"

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"
#include "haproxy_model.h"

static const char *get(struct stktable *t, const char *key, uint64_t now)
{
	static char srv[STK_SRV_NAME];

	return stktable_get(t, key, strlen(key), now, srv) ? srv : "-";
}

static void test_put_get_replace(void **state)
{
	struct hp_stick_table def = {.type = HP_ST_STR, .len = 32, .size = 10};
	struct stktable *t = stktable_new(&def);

	(void)state;
	assert_non_null(t);
	assert_string_equal(get(t, "u1", 0), "-");
	assert_int_equal(stktable_put(t, "u1", 2, "s1", 0), 0);
	assert_int_equal(stktable_put(t, "u2", 2, "s2", 0), 0);
	assert_string_equal(get(t, "u1", 5), "s1");
	assert_string_equal(get(t, "u2", 5), "s2");
	/* a redispatched client: its entry names the new server */
	assert_int_equal(stktable_put(t, "u1", 2, "s2", 6), 0);
	assert_string_equal(get(t, "u1", 7), "s2");
	assert_int_equal(stktable_count(t), 2);
	/* keys are bytes: "u1" and "u1\0" differ */
	assert_int_equal(stktable_get(t, "u1", 3, 7, (char[STK_SRV_NAME]){0}), 0);
	stktable_free(t);
}

static void test_expire(void **state)
{
	struct hp_stick_table def = {.type = HP_ST_STR, .len = 32, .size = 10, .expire_ms = 1000};
	struct stktable *t = stktable_new(&def);

	(void)state;
	stktable_put(t, "u1", 2, "s1", 0);
	stktable_put(t, "u2", 2, "s2", 0);
	/* a use starts the expiry again */
	assert_string_equal(get(t, "u1", 900), "s1");
	assert_string_equal(get(t, "u1", 1800), "s1");
	assert_string_equal(get(t, "u2", 1800), "-");
	assert_int_equal(stktable_count(t), 1);
	/* a store purges what expired */
	stktable_put(t, "u3", 2, "s3", 5000);
	assert_int_equal(stktable_count(t), 1);
	assert_string_equal(get(t, "u1", 5000), "-");
	stktable_free(t);
}

/* Each worker passes its own loop's clock: one a few ms behind the worker
 * that stored or used an entry last still finds it (the age would wrap),
 * and its older clock does not make the entry younger. */
static void test_clocks_of_two_workers(void **state)
{
	struct hp_stick_table def = {.type = HP_ST_STR, .len = 32, .size = 10, .expire_ms = 1000};
	struct stktable *t = stktable_new(&def);

	(void)state;
	stktable_put(t, "u1", 2, "s1", 5000);
	assert_string_equal(get(t, "u1", 4997), "s1");
	assert_int_equal(stktable_put(t, "u1", 2, "s1", 4990), 0);
	assert_string_equal(get(t, "u1", 5999), "s1");
	assert_string_equal(get(t, "u1", 4999), "s1");
	assert_string_equal(get(t, "u1", 6999), "-");
	stktable_free(t);
}

static void test_size_evicts_least_recently_used(void **state)
{
	struct hp_stick_table def = {.type = HP_ST_STR, .len = 32, .size = 3};
	struct stktable *t = stktable_new(&def);
	char key[16];
	int i;

	(void)state;
	stktable_put(t, "a", 1, "s1", 1);
	stktable_put(t, "b", 1, "s1", 2);
	stktable_put(t, "c", 1, "s1", 3);
	assert_string_equal(get(t, "a", 4), "s1"); /* a is used: b is now the oldest */
	stktable_put(t, "d", 1, "s2", 5);
	assert_int_equal(stktable_count(t), 3);
	assert_string_equal(get(t, "b", 6), "-");
	assert_string_equal(get(t, "a", 6), "s1");
	assert_string_equal(get(t, "d", 6), "s2");
	/* many more keys: never more than size */
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		stktable_put(t, key, strlen(key), "s3", 10 + (uint64_t)i);
	}
	assert_int_equal(stktable_count(t), 3);
	assert_string_equal(get(t, "k999", 2000), "s3");
	stktable_free(t);
}

static void test_registry(void **state)
{
	struct hp_stick_table def = {.type = HP_ST_IP, .size = 10};
	struct hp_stick_table other = {.type = HP_ST_STR, .len = 32, .size = 10};
	struct stktable *t = stktable_find("be", &def), *u;

	(void)state;
	assert_non_null(t);
	stktable_put(t, "\x7f\0\0\1", 4, "s1", 0);
	/* a reload with the same table: the same entries */
	def.expire_ms = 5000;
	assert_ptr_equal(stktable_find("be", &def), t);
	assert_int_equal(stktable_count(t), 1);
	u = stktable_find("be2", &def);
	assert_true(u && u != t);
	/* another type under the name: emptied */
	assert_ptr_equal(stktable_find("be", &other), t);
	assert_int_equal(stktable_count(t), 0);
	stktable_registry_free();
}

static void test_read(void **state)
{
	struct config *cfg;
	struct http_proxy *b;
	const struct stick_rule *r;

	(void)state;
	cfg = expect_ok("backend b\n"
			"    stick-table type string len 16 size 1m expire 30m\n"
			"    stick on req.cook(sid) if { req.cook(sid) -m found }\n"
			"    stick store-response res.hdr(x-sid) table t\n"
			"    cookie SRV insert indirect preserve attr SameSite=Lax attr Partitioned\n"
			"    server s1 10.0.0.1:80 cookie one\n"
			"backend t\n"
			"    stick-table type ip size 10\n");
	b = px(cfg, "b");
	assert_int_equal(b->stick.type, HP_ST_STR);
	assert_int_equal(b->stick.len, 16);
	assert_int_equal(b->stick.size, 1048576);
	assert_int_equal(b->stick.expire_ms, 1800000);
	r = b->rules->stick;
	assert_int_equal(r->kind, STICK_ON);
	assert_non_null(r->cond);
	assert_ptr_equal(r->tpx, b);
	assert_int_equal(r->next->kind, STICK_STORE_RESP);
	assert_ptr_equal(r->next->tpx, px(cfg, "t"));
	assert_string_equal(b->cookie.attrs, "SameSite=Lax; Partitioned");
	assert_true(b->cookie.preserve);
	assert_string_equal(srv(cfg, "b", "s1")->hp->cookie, "one");
	assert_string_equal(fmt(&srv(cfg, "b", "s1")->addr), "10.0.0.1:80");
	config_free(cfg);

	expect_error("backend b\n    stick-table size 10\n", 2, "usage: stick-table type");
	expect_error("backend b\n    stick-table type ip\n", 2, "usage: stick-table type");
	expect_error("backend b\n    stick-table type mac size 1\n", 2, "unknown type 'mac'");
	expect_error("backend b\n    stick-table type ip len 4 size 1\n", 2, "'len' is for string");
	expect_error("backend b\n    stick-table type ip size 0\n", 2, "size '0'");
	/* resolved at the section's end, named at the rule's line (once) */
	expect_error("backend b\n    stick on src\n", 2, "stick: 'b' has no stick-table");
	expect_error("backend b\n    stick-table type ip size 1\n    stick on src table nope\n", 3,
		     "stick: no table named 'nope'");
	expect_error("backend b\n    stick-table type ip size 1\n    stick sideways src\n", 3, "usage: stick");
	expect_error("backend b\n    stick-table type ip size 1\n    stick on nofetch\n", 3, "nofetch");
	expect_error("backend b\n    stick-table type ip size 1\n    stick on src foo\n", 3, "unexpected 'foo'");
	expect_error("backend b\n    cookie S insert maxidle 30m\n", 2, "'maxidle' is not served yet");
	expect_error("backend b\n    cookie S insert prefix\n", 2, "'insert' and 'prefix' exclude");
	expect_error("backend b\n    cookie S rewrite preserve\n", 2, "'preserve' needs");
	expect_error("backend b\n    cookie S insert attr a;b\n", 2, "no control characters or ';'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_clocks_of_two_workers),
		cmocka_unit_test(test_size_evicts_least_recently_used),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
