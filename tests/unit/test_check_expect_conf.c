/* EXPECT_CHECK's keepalived.conf grammar (send with its escapes, expect,
 * tls, the common keywords; escapes and patterns refused with file:line)
 * and HTTP_GET / SSL_GET's http_method (HEAD refused with a digest, a
 * regex or HTTP/0.9), read by the real reader.  The checks themselves run
 * in test_check_expect.c and test_check_http.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "conf/conf.h"
#include "model/model.h"

static char msgs[4096];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

/* The config with `block` as the real server's check; NULL if refused
 * (the diagnostics in msgs). */
static struct config *load_check(const char *block)
{
	static char text[2048];
	struct conf_diag diag = {.fn = collect};

	msgs[0] = 0;
	snprintf(text, sizeof(text),
		 "virtual_server 10.0.0.1 110 {\n"
		 "  real_server 10.0.1.1 110 {\n"
		 "%s"
		 "  }\n"
		 "}\n",
		 block);
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

static void refused(const char *block, const char *want)
{
	struct config *cfg = load_check(block);

	if (cfg || !strstr(msgs, want))
		fail_msg("wanted an error containing \"%s\", got:\n%s", want, msgs);
}

static void test_conf(void **state)
{
	struct config *cfg;
	const struct check_conf *k;
	const struct check_expect_conf *e;

	cfg = load_check("    EXPECT_CHECK {\n"
			 "      connect_port 995\n"
			 "      send \"CAPA\\r\\n\\x41\\t\\\\ \\\"q\\\"\"\n"
			 "      expect \"^\\+OK\"\n"
			 "      tls\n"
			 "      connect_timeout 3\n"
			 "    }\n");
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	k = cfg->vs->pool->rs->checks;
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_int_equal(k->connect.port, 995);
	assert_int_equal(k->connect_timeout_ms, 3000);
	e = k->spec;
	assert_string_equal(e->send, "CAPA\r\nA\t\\ \"q\"");
	assert_string_equal(e->expect, "^\\+OK");
	assert_int_equal(e->tls, 1);
	config_free(cfg);

	/* defaults: nothing sent, no pattern, no TLS */
	cfg = load_check("    EXPECT_CHECK {\n    }\n");
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	e = cfg->vs->pool->rs->checks->spec;
	assert_null(e->send);
	assert_null(e->expect);
	assert_int_equal(e->tls, 0);
	config_free(cfg);

	refused("    EXPECT_CHECK {\n      send \"A\\qB\"\n    }\n",
		"t.conf:4: send: unknown escape '\\q'");
	refused("    EXPECT_CHECK {\n      send \"A\\x4\"\n    }\n",
		"t.conf:4: send: '\\x' must be followed by two hex digits");
	refused("    EXPECT_CHECK {\n      send \"A\\x00\"\n    }\n",
		"t.conf:4: send: '\\x00' cannot be sent");
	refused("    EXPECT_CHECK {\n      send \"\"\n    }\n", "t.conf:4: send: empty");
	refused("    EXPECT_CHECK {\n      expect \"(unclosed\"\n    }\n",
		"t.conf:4: expect '(unclosed': missing closing parenthesis at offset 9");
	refused("    EXPECT_CHECK {\n      tls maybe\n    }\n", "t.conf:4: tls: 'maybe'");
	refused("    EXPECT_CHECK\n", "t.conf:3: 'EXPECT_CHECK' needs a { block }");
}

/* HTTP_GET http_method: HEAD refused with a body check or HTTP/0.9. */
static void test_conf_http_method(void **state)
{
	struct config *cfg;

	cfg = load_check("    HTTP_GET {\n      http_method HEAD\n"
			 "      url {\n        path /\n        status_code 200\n      }\n    }\n");
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	assert_int_equal(((struct check_http_conf *)cfg->vs->pool->rs->checks->spec)->head, 1);
	config_free(cfg);
	cfg = load_check("    HTTP_GET {\n      http_method get\n      url {\n        path /\n"
			 "      }\n    }\n");
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	assert_int_equal(((struct check_http_conf *)cfg->vs->pool->rs->checks->spec)->head, 0);
	config_free(cfg);

	refused("    HTTP_GET {\n      http_method POST\n      url {\n        path /\n"
		"      }\n    }\n",
		"t.conf:4: http_method: 'POST' is not GET or HEAD");
	refused("    HTTP_GET {\n      http_method HEAD\n      url {\n        path /\n"
		"        regex \"up\"\n      }\n    }\n",
		"t.conf:3: http_method HEAD: url / has a regex, but a reply to HEAD has no body");
	refused("    SSL_GET {\n      http_method HEAD\n      url {\n        path /x\n"
		"        digest 5eb63bbbe01eeed093cb22bb8f5acdc3\n      }\n    }\n",
		"t.conf:3: http_method HEAD: url /x has a digest");
	refused("    HTTP_GET {\n      http_method HEAD\n      http_protocol 0.9\n"
		"      url {\n        path /\n      }\n    }\n",
		"t.conf:3: http_method HEAD: HTTP/0.9 has only GET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_conf_http_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
