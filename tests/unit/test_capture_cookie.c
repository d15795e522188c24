/* `capture cookie NAME len N` (src/http/capture.c): which cookie of the
 * request's Cookie headers and of the response's Set-Cookie headers is
 * taken, as HAProxy 2.6 takes it -- the first whose name=value begins with
 * NAME, blanks around '=' dropped, cut at N -- and what the haproxy.cfg
 * reader makes of the keyword. */
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
#include "http/capture.h"
#include "http/h1.h"
#include "http/txn-t.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

/* The request head `req` (and the response head `resp`, if any) through
 * a frontend capturing name/len: the two captures. */
static void run(const char *name, unsigned len, const char *req, const char *resp, char *cc,
		char *cs)
{
	static struct http_proxy fe;
	static struct h1_msg mq, ms;
	static char qb[2048], sb[2048];
	struct http_txn t;

	memset(&t, 0, sizeof(t));
	memset(&mq, 0, sizeof(mq));
	memset(&ms, 0, sizeof(ms));
	snprintf(fe.cap_cookie, sizeof(fe.cap_cookie), "%s", name);
	fe.cap_cookie_len = len;
	snprintf(qb, sizeof(qb), "%s", req);
	assert_true(h1_parse_req(&mq, qb, strlen(qb), sizeof(qb)) > 0);
	t.fe = &fe;
	t.req = &mq;
	capture_cookie_req(&t);
	if (resp) {
		snprintf(sb, sizeof(sb), "%s", resp);
		assert_true(h1_parse_resp(&ms, sb, strlen(sb), sizeof(sb), H1_METH_GET) > 0);
		t.resp = &ms;
		capture_cookie_resp(&t);
	}
	strcpy(cc, t.cli_cookie);
	strcpy(cs, t.srv_cookie);
}

static void test_which_cookie(void **state)
{
	char cc[64], cs[64];

	(void)state;
	run("SESS", 63, "GET / HTTP/1.1\r\nCookie: a=1; SESSIONID=xyz; SESSB=2\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nSet-Cookie: o=1\r\nSet-Cookie: SESSX=9; path=/\r\n"
	    "Set-Cookie: SESSY=8\r\nContent-Length: 0\r\n\r\n", cc, cs);
	assert_string_equal(cc, "SESSIONID=xyz");
	assert_string_equal(cs, "SESSX=9");
	/* NAME= is an exact name; several Cookie headers in order; blanks
	 * around '=' dropped; a cut at len */
	run("S=", 5, "GET / HTTP/1.1\r\nCookie: SS=1\r\nCookie: x ; S = abcdef \r\n\r\n", NULL, cc, cs);
	assert_string_equal(cc, "S=abc");
	assert_string_equal(cs, "");
	/* case counts; none matching: nothing */
	run("sess", 63, "GET / HTTP/1.1\r\nCookie: SESS=1\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", cc, cs);
	assert_string_equal(cc, "");
	assert_string_equal(cs, "");
	/* no capture configured */
	run("", 63, "GET / HTTP/1.1\r\nCookie: SESS=1\r\n\r\n", NULL, cc, cs);
	assert_string_equal(cc, "");
}

static void test_keyword(void **state)
{
	struct config *cfg = expect_ok("frontend f\n    bind :80\n    capture cookie ASPSESSION len 32\n"
				       "frontend g\n    bind :81\n    capture cookie A len 100\n"
				       "    capture cookie B= len 5\n");
	const struct http_proxy *f = config_find_http_proxy(cfg, "f", HP_CAP_FE);
	const struct http_proxy *g = config_find_http_proxy(cfg, "g", HP_CAP_FE);

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	assert_string_equal(f->cap_cookie, "ASPSESSION");
	assert_int_equal(f->cap_cookie_len, 32);
	assert_string_equal(g->cap_cookie, "B=");
	assert_int_equal(g->cap_cookie_len, 5);
	assert_true(said('W', 6, "truncating capture length to 63"));
	assert_true(said('W', 7, "replaces 'A'"));
	config_free(cfg);
	expect_error("frontend f\n    capture cookie A\n", 2, "capture cookie NAME len N");
	expect_error("frontend f\n    capture cookie A len 0\n", 2, "capture len");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_which_cookie),
	    cmocka_unit_test(test_keyword),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
