/* Cookie and Set-Cookie values (src/http/cookie.c): the pairs found, the
 * blanks that are not theirs, and the in-place edits cookie persistence
 * makes (drop a pair, cut a prefix) with the separators left as a client
 * would write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/cookie.h"

/* The pairs of v as "name=value|name|..." ("name" alone: no '='). */
static const char *pairs(const char *v)
{
	static char out[512];
	struct ck_pair p;
	size_t pos = 0, n = 0;

	out[0] = 0;
	while (ck_next(v, strlen(v), &pos, &p))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s%s%.*s", n ? "|" : "", (int)p.nlen,
				      v + p.name, p.has_eq ? "=" : "", (int)p.vlen, v + p.val);
	return out;
}

static void test_pairs(void **state)
{
	(void)state;
	assert_string_equal(pairs("a=1; SRV=s1; b=2"), "a=1|SRV=s1|b=2");
	assert_string_equal(pairs("  a = 1 ;b=;;c ; d=x=y\t"), "a=1|b=|c|d=x=y");
	assert_string_equal(pairs(""), "");
	assert_string_equal(pairs(" ; ;"), "");
	assert_string_equal(pairs("=v"), "=v");
}

static void test_set_cookie(void **state)
{
	static const char v[] = "SRV=s1; path=/; HttpOnly";
	struct ck_pair p;

	(void)state;
	assert_true(ck_set_cookie(v, strlen(v), &p));
	assert_int_equal(p.nlen, 3);
	assert_memory_equal(v + p.val, "s1", p.vlen);
	assert_int_equal(p.end, 6);
	assert_false(ck_set_cookie("", 0, &p));
	assert_false(ck_set_cookie("=x; path=/", 10, &p));
}

/* Drop the pair named `name` from v; the value left. */
static const char *drop(const char *v, const char *name)
{
	static char buf[256];
	struct ck_pair p;
	size_t pos = 0, len = strlen(v);

	snprintf(buf, sizeof(buf), "%s", v);
	while (ck_next(buf, len, &pos, &p))
		if (p.nlen == strlen(name) && !memcmp(buf + p.name, name, p.nlen)) {
			len = ck_drop(buf, len, &p);
			break;
		}
	buf[len] = 0;
	return buf;
}

static void test_drop(void **state)
{
	(void)state;
	assert_string_equal(drop("a=1; SRV=s1; b=2", "SRV"), "a=1; b=2");
	assert_string_equal(drop("SRV=s1; b=2", "SRV"), "b=2");
	assert_string_equal(drop("a=1; SRV=s1", "SRV"), "a=1");
	assert_string_equal(drop("a=1 ;SRV=s1 ", "SRV"), "a=1");
	assert_string_equal(drop("SRV=s1", "SRV"), "");
	assert_string_equal(drop("a=1;SRV;b", "SRV"), "a=1;b");
}

static void test_cut_value(void **state)
{
	char v[] = "x=1; JS=s2~abc; y=2";
	struct ck_pair p;
	size_t pos = 0, len = strlen(v);

	(void)state;
	assert_true(ck_next(v, len, &pos, &p));
	assert_true(ck_next(v, len, &pos, &p));
	len = ck_cut_value(v, len, &p, 3);
	v[len] = 0;
	assert_string_equal(v, "x=1; JS=abc; y=2");
	/* never more than the value (p is found again: the edit moved it) */
	pos = 0;
	assert_true(ck_next(v, len, &pos, &p));
	assert_true(ck_next(v, len, &pos, &p));
	len = ck_cut_value(v, len, &p, 100);
	v[len] = 0;
	assert_string_equal(v, "x=1; JS=; y=2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_set_cookie),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_cut_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
