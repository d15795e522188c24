/* The stats page's request handling (src/stats/web.c, web_form.c): the
 * words after the stats URI, Basic credentials, the admin form decoded and
 * applied (HAProxy's result codes, the commands it makes), the 401 and 303
 * answers, and h1_dechunk that reads a chunked POST. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sbuf.h"
#include "http/h1.h"
#include "model/model.h"
#include "stats/web.h"

static void test_uri_words(void **state)
{
	struct stats_web_req q;
	const char *u;

	u = "?;csv;scope=b1";
	stats_web_parse(u, strlen(u), &q);
	assert_int_equal(q.fmt, SW_CSV);
	assert_string_equal(q.scope, "b1");
	u = ";json;norefresh;up;no-maint;st=DONE";
	stats_web_parse(u, strlen(u), &q);
	assert_int_equal(q.fmt, SW_JSON);
	assert_true(q.norefresh && q.up_only && q.no_maint);
	assert_string_equal(q.st, "DONE");
	/* "scope=" inside another word is not the parameter */
	u = "?xscope=b2&scope=b3";
	stats_web_parse(u, strlen(u), &q);
	assert_int_equal(q.fmt, SW_HTML);
	assert_string_equal(q.scope, "b3");
	/* bounded by len, not by the NUL */
	stats_web_parse(";csvX", 3, &q);
	assert_int_equal(q.fmt, SW_HTML);
}

static void test_basic_auth(void **state)
{
	char *auth[] = {"admin:password", "ops:s3cret"};
	struct hp_stats st = {.auth = auth, .n_auth = 2};
	struct hp_stats open = {0};
	const char *a = "Basic YWRtaW46cGFzc3dvcmQ=", *o = "basic  b3BzOnMzY3JldA==";

	assert_true(stats_web_auth_ok(&st, a, strlen(a)));
	assert_true(stats_web_auth_ok(&st, o, strlen(o)));
	assert_false(stats_web_auth_ok(&st, a, strlen(a) - 2)); /* "admin:passwo" */
	assert_false(stats_web_auth_ok(&st, "Basic YTpi", 10));
	assert_false(stats_web_auth_ok(&st, "Basic !!!!", 10));
	assert_false(stats_web_auth_ok(&st, "Bearer x", 8));
	assert_false(stats_web_auth_ok(&st, NULL, 0));
	assert_true(stats_web_auth_ok(&open, NULL, 0));
}

static void test_answers(void **state)
{
	struct hp_stats st = {.enabled = 1};
	struct sbuf out;

	sbuf_init(&out);
	stats_web_401(&st, 0, &out);
	/* HAProxy 2.6's, byte for byte */
	assert_string_equal(sbuf_str(&out),
			    "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: "
			    "no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic "
			    "realm=\"HAProxy Statistics\"\r\n\r\n<html><body><h1>401 Unauthorized</h1>\n"
			    "You need a valid user and password to access this content.\n</body></html>\n");
	sbuf_reset(&out);
	stats_web_303(&st, "DONE", &out);
	assert_non_null(strstr(sbuf_str(&out), "\r\nlocation: /haproxy?stats;st=DONE\r\n\r\n"));
	sbuf_free(&out);
}

static char cmds[1024];

static int record(void *arg, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		snprintf(cmds + strlen(cmds), sizeof(cmds) - strlen(cmds), "%s%s", argv[i],
			 i + 1 < argc ? " " : "|");
	/* a server named "bad" is refused, as a command can be */
	return strstr(argv[2], "/bad") ? -1 : 0;
}

static const char *apply(const struct config *cfg, const char *body)
{
	struct stats_form f;
	const char *st;

	cmds[0] = 0;
	if (stats_form_parse(body, strlen(body), &f) < 0) {
		stats_form_free(&f);
		return "refused";
	}
	st = stats_form_apply(cfg, &f, record, NULL);
	stats_form_free(&f);
	return st;
}

static void test_form(void **state)
{
	struct config *cfg = config_new();
	struct pool *p = pool_new("TCP 10.0.0.1:80");

	config_add_pool(cfg, p);
	assert_string_equal(apply(cfg, "s=10.0.0.2%3A80&s=a+b&action=drain&b=%231"), "DONE");
	assert_string_equal(cmds, "set server TCP 10.0.0.1:80/10.0.0.2:80 state drain|"
				  "set server TCP 10.0.0.1:80/a b state drain|");
	assert_string_equal(apply(cfg, "s=x&s=bad&action=dhlth&b=TCP+10.0.0.1:80"), "PART");
	assert_string_equal(cmds, "disable health TCP 10.0.0.1:80/x|disable health TCP 10.0.0.1:80/bad|");
	/* HAProxy's agent actions */
	assert_string_equal(apply(cfg, "s=x&action=dagt&b=%231"), "DONE");
	assert_string_equal(cmds, "disable agent TCP 10.0.0.1:80/x|");
	assert_string_equal(apply(cfg, "s=x&action=eagt&b=%231"), "DONE");
	assert_string_equal(cmds, "enable agent TCP 10.0.0.1:80/x|");
	assert_string_equal(apply(cfg, "s=bad&action=maint&b=%231"), "ERRP");
	/* unknown action or backend: nothing is run */
	assert_string_equal(apply(cfg, "s=x&action=fly&b=%231"), "ERRP");
	assert_string_equal(apply(cfg, "s=x&action=maint&b=%232"), "ERRP");
	assert_string_equal(apply(cfg, "s=x&action=maint&b=nosuch"), "ERRP");
	assert_string_equal(cmds, "");
	/* nothing asked */
	assert_string_equal(apply(cfg, "action=maint&b=%231"), "NONE");
	assert_string_equal(apply(cfg, "s=x&action=maint"), "NONE");
	assert_string_equal(apply(cfg, ""), "NONE");
	/* not a form: refused whole */
	assert_string_equal(apply(cfg, "s=x&s=%zz&action=maint&b=%231"), "refused");
	assert_string_equal(apply(cfg, "s=x%4&action=maint&b=%231"), "refused");
	assert_string_equal(apply(cfg, "s=x%00&action=maint&b=%231"), "refused");
	assert_string_equal(apply(cfg, "s&action=maint&b=%231"), "refused");
	/* empty pairs and unknown keys are skipped */
	assert_string_equal(apply(cfg, "&&x=1&s=y&&action=ready&b=%231&"), "DONE");
	assert_string_equal(cmds, "set server TCP 10.0.0.1:80/y state ready|");
	config_free(cfg);
}

static void test_dechunk(void **state)
{
	char b[] = "3\r\ns=a\r\n5;ext=1\r\n&b=%2\r\n1\r\n3\r\n0\r\nX-T: 1\r\n\r\n";

	assert_int_equal(h1_dechunk(b, strlen(b)), 9);
	assert_memory_equal(b, "s=a&b=%23", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uri_words),
	    cmocka_unit_test(test_basic_auth),
	    cmocka_unit_test(test_answers),
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_dechunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
