/* Capture slots (src/http/capture.c): `declare capture`, `http-request
 * capture EXPR len N | id N`, `http-response capture EXPR id N` as the
 * haproxy.cfg reader takes and refuses them (what `haproxy -c` 2.6 says),
 * the slots' order, what the actions and the capture.req.hdr /
 * capture.res.hdr fetches read, and %hr %hrl %hs %hsl with +Q and +E. */
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
#include "http/logfmt.h"
#include "http/rules.h"
#include "http/txn-t.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

#define FE "frontend f\n    bind :80\n"

static void test_refused(void **state)
{
	(void)state;
	expect_error(FE "    http-request capture req.hdr(host) id 0\n", 3, "unable to find capture id '0'");
	expect_error(FE "    declare capture request len 4\n    http-response capture res.hdr(x) id 0\n", 4,
		     "capture id '0' referenced by http-response capture");
	expect_error(FE "    declare capture response len 4\n    http-request capture path id 1\n", 4,
		     "capture id '1'");
	expect_error("backend b\n    declare capture request len 10\n", 2, "'declare' is not allowed in a backend");
	expect_error("backend b\n    http-request capture path len 10\n", 2, "no frontend capability");
	expect_error(FE "    declare capture request len 0\n", 3, "length must be > 0");
	expect_error(FE "    tcp-request content capture src id 0\n", 3, "a positive 'len' argument is mandatory");
	expect_error(FE "    tcp-request content capture src len 0\n", 3, "length must be > 0");
	expect_error(FE "    tcp-request connection accept\n", 3,
		     "'tcp-request connection accept' is not supported (fulcrum serves 'tcp-request content capture");
	expect_error("backend b\n    tcp-request content capture src len 4\n", 2,
		     "proxy 'b' has no frontend capability in 'tcp-request content capture'");
	expect_error(FE "    declare capture request len -1\n", 3, "length must be > 0");
	expect_error(FE "    declare capture request len 12abc\n", 3, "cannot parse the length '12abc'");
	expect_error(FE "    http-request capture path len 0\n", 3, "length must be > 0");
	expect_error(FE "    http-request capture path len 3000000000\n", 3, "length must be > 0");
	config_free(expect_ok(FE "    declare capture request len 4294967297\n"));
	expect_error(FE "    declare capture req len 1\n", 3, "requires a direction");
	expect_error(FE "    declare capture request\n", 3, "requires a capture length");
	expect_error(FE "    declare map x\n", 3, "unknown declaration type 'map'");
	expect_error(FE "    http-request capture path len\n", 3, "expects <expression>");
	expect_error(FE "    http-request capture path foo 3\n", 3, "expects 'len' or 'id', found 'foo'");
	expect_error(FE "    http-request capture res.hdr(x) len 3\n", 3, "res.hdr");
	expect_error(FE "    declare capture response len 3\n    http-response capture path id 0\n", 4, "path");
	expect_error(FE "    http-response capture res.hdr(x) len 3\n", 3, "expects 'id', found 'len'");
	expect_error(FE "    http-request capture path id x\n", 3, "cannot parse id 'x'");
	expect_error(FE "    http-request capture path len 4 foo\n", 3, "unexpected 'foo'");
	expect_error(FE "    http-request capture capture.res.hdr(0) len 4\n", 3, "capture.res.hdr");
	/* a backend's ids are the frontend's of each request: not checked;
	 * haproxy's -1 finds no slot; capture.req.hdr reads in responses */
	config_free(expect_ok("backend b\n    http-request capture path id 5\n"
			      "    http-response capture res.hdr(x) id 5\n" FE
			      "    http-request capture path id -1\n    declare capture response len 3\n"
			      "    http-response capture capture.req.hdr(0) id 0\n"
			      "    http-request set-header X %[capture.res.ver]\n")); /* haproxy takes it there */
}

/* The slots in order of declaration, whatever declares them. */
static void test_slots(void **state)
{
	struct config *cfg = expect_ok(FE "    declare capture request len 8\n"
				       "    capture request header Host len 20\n"
				       "    http-request capture req.hdr(x-a) len 4\n"
				       "    declare capture response len 6\n"
				       "    capture response header X-B len 10\n"
				       "    http-request capture path id 0\n"
				       "    tcp-request content capture src len 7 if TRUE\n");
	const struct http_proxy *f = config_find_http_proxy(cfg, "f", HP_CAP_FE);

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->n_cap_req, 4);
	assert_int_equal(f->cap_req[3].len, 7);
	assert_int_equal(f->n_cap_resp, 2);
	assert_string_equal(f->cap_req[0].name, "");
	assert_int_equal(f->cap_req[0].len, 8);
	assert_string_equal(f->cap_req[1].name, "Host");
	assert_int_equal(f->cap_req[2].len, 4);
	assert_string_equal(f->cap_resp[1].name, "X-B");
	config_free(cfg);
}

static char *build(const char *fmt, const struct http_txn *t)
{
	static char out[1024];
	char err[256];
	struct logfmt *lf = logfmt_compile(fmt, err, sizeof(err));

	if (!lf)
		fail_msg("'%s' refused: %s", fmt, err);
	logfmt_build(lf, t, out, sizeof(out));
	logfmt_free(lf);
	return out;
}

/* haproxy 2.6 limits neither the slots nor their len (tune settings
 * and pools size a capture by its len only): 300 of each kind, lens
 * over 1024, `capture ... header len` read as atol reads it. */
static void test_no_limits(void **state)
{
	static char text[100000];
	size_t n = (size_t)snprintf(text, sizeof(text), FE);
	const struct http_proxy *f;
	struct config *cfg;
	int i;

	(void)state;
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "    declare capture request len 100000\n"
				      "    http-request capture req.hdr(host) len 2048\n"
				      "    capture request header X-Long-Header-Name-Over-Sixty-Four-Bytes-%03d-..........................."
				      "........ len 0\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "    capture response header X len 12abc\n"
			      "    http-request capture path id 899\n    http-request capture path len 7x\n");
	assert_true(n < sizeof(text));
	cfg = expect_ok(text);
	f = config_find_http_proxy(cfg, "f", HP_CAP_FE);
	assert_non_null(f);
	assert_int_equal(f->n_cap_req, 901);
	assert_int_equal(f->cap_req[0].len, 100000);
	assert_int_equal(f->cap_req[1].len, 2048);
	assert_int_equal(f->cap_req[2].len, 0);
	assert_true(strlen(f->cap_req[899].name) > 64);
	assert_int_equal(f->cap_req[900].len, 7);
	assert_int_equal(f->n_cap_resp, 1);
	assert_int_equal(f->cap_resp[0].len, 12);
	assert_true(said('W', 2 + 900 + 1, "length '12abc' is read as 12"));
	config_free(cfg);
}

/* The rules run on a request and a response: what the log and the
 * fetches see. */
static void test_run(void **state)
{
	struct config *cfg = expect_ok(FE "    declare capture request len 8\n"
				       "    capture request header Host len 20\n"
				       "    http-request capture req.hdr(x-a) len 4\n"
				       "    http-request capture path id 0\n"
				       "    http-request capture req.hdr(x-none) id 1\n"
				       "    declare capture response len 6\n"
				       "    capture response header X-B len 10\n"
				       "    http-response capture res.hdr(x-c) id 0\n");
	const struct http_proxy *f = config_find_http_proxy(cfg, "f", HP_CAP_FE);
	static char qb[1024], sb[1024];
	static struct h1_msg mq, ms;
	struct http_reply reply;
	struct http_txn t;

	(void)state;
	memset(&t, 0, sizeof(t));
	snprintf(qb, sizeof(qb), "GET /a/long/path HTTP/1.1\r\nHost: h.example\r\nX-A: a{|}z\r\n\r\n");
	assert_true(h1_parse_req(&mq, qb, strlen(qb), sizeof(qb)) > 0);
	t.fe = f;
	t.req = &mq;
	assert_int_equal(capture_req(&t, f), 0);
	assert_int_equal(http_req_rules(f, &t, &reply), HTTP_V_CONTINUE);
	assert_string_equal(build("%hr %hrl %hs %hsl", &t), "{/a/long/|h.example|a#7B#7C#7D} /a/long/ h.example "
			    "a#7B#7C#7D {|} - -");
	snprintf(sb, sizeof(sb), "HTTP/1.1 200 OK\r\nX-C: c\\]\"v\r\nContent-Length: 0\r\n\r\n");
	assert_true(h1_parse_resp(&ms, sb, strlen(sb), sizeof(sb), H1_METH_GET) > 0);
	t.resp = &ms;
	capture_resp(&t);
	assert_int_equal(http_resp_rules(f, &t, &reply), HTTP_V_CONTINUE);
	assert_string_equal(build("%{+Q}hr %{+Q}hrl|%{+Q}hs %{+Q}hsl|%{+E}hs", &t),
			    "\"{/a/long/|h.example|a#7B#7C#7D}\" \"/a/long/\" \"h.example\" \"a#7B#7C#7D\""
			    "|\"{c\\]#22v|}\" \"c\\]#22v\" \"\"|{c\\\\\\]#22v|}");
	assert_string_equal(build("%[capture.req.hdr(2)] %[capture.res.hdr(0)] %[capture.res.hdr(1)] "
				  "%[capture.req.hdr(3)]|%[capture.req.hdr(0),length]", &t),
			    "a{|} c\\]\"v - -|8");
	capture_free(&t);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_slots),
	    cmocka_unit_test(test_no_limits),
	    cmocka_unit_test(test_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
