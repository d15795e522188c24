/* Log-format (src/http/logfmt.c): the lines of option httplog, httplog
 * clf and tcplog for a transaction, byte for byte against haproxy's
 * format (configuration.txt 8.2.2, 8.2.3, and Debian's haproxy 2.6 run on
 * loopback for the clf spacing and quoting); custom formats with flags
 * and samples; the refusals.  The clock is fixed (accept_ms) and the time
 * zone is UTC, so nothing depends on when the test runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/err.h"
#include "http/h1.h"
#include "http/logfmt.h"
#include "http/rules.h"
#include "http/txn-t.h"
#include "model/http_proxy.h"

struct fx {
	struct http_proxy *fe, *be;
	struct h1_msg req, resp;
	char rbuf[1024], sbuf[1024];
	struct http_txn t;
	char out[2048];
};

/* haproxy's example of 8.2.3: 10.0.1.2:33317 at 06/Feb/2009:12:14:14.655,
 * http-in -> static/srv1, 10/0/30/69/109, 200, 2750 bytes. */
static int setup(void **state)
{
	static const char head[] = "GET /index.html HTTP/1.1\r\nHost: 1wt.eu\r\n\r\n";
	struct fx *f = calloc(1, sizeof(*f));
	char err[ERRLEN];

	assert_non_null(f);
	f->fe = http_proxy_new("http-in", HP_CAP_FE);
	f->be = http_proxy_new("static", HP_CAP_BE);
	memcpy(f->rbuf, head, sizeof(head));
	assert_true(h1_parse_req(&f->req, f->rbuf, strlen(f->rbuf), sizeof(f->rbuf)) > 0);
	f->t.req = &f->req;
	f->t.fe = f->fe;
	f->t.be = f->be;
	f->t.srv_name = "srv1";
	assert_int_equal(addr_parse_hostport("10.0.1.2:33317", &f->t.src, err, sizeof(err)), 0);
	assert_int_equal(addr_parse_hostport("10.0.0.1:80", &f->t.dst, err, sizeof(err)), 0);
	f->t.accept_ms = 1233922454655ull;
	f->t.t_req = 10;
	f->t.t_queue = 0;
	f->t.t_connect = 30;
	f->t.t_resp = 69;
	f->t.t_active = 109;
	f->t.status = 200;
	f->t.bytes_out = 2750;
	f->t.bytes_in = 120;
	strcpy(f->t.term, "--");
	f->t.act_conn = f->t.fe_conn = f->t.be_conn = f->t.srv_conn = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	http_proxy_free(f->fe);
	http_proxy_free(f->be);
	free(f);
	return 0;
}

static const char *build(struct fx *f, const char *fmt)
{
	char err[ERRLEN];
	struct logfmt *lf = logfmt_compile(fmt, err, sizeof(err));
	size_t n;

	if (!lf)
		fail_msg("'%s' refused: %s", fmt, err);
	n = logfmt_build(lf, &f->t, f->out, sizeof(f->out));
	assert_int_equal(n, strlen(f->out));
	logfmt_free(lf);
	return f->out;
}

static void test_httplog(void **state)
{
	struct fx *f = *state;

	/* 8.2.3's example without its two capture blocks (no capture is
	 * configured: haproxy then writes nothing for %hr %hs) */
	assert_string_equal(build(f, logfmt_httplog),
			    "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 "
			    "- - ---- 1/1/1/1/0 0/0 \"GET /index.html HTTP/1.1\"");
}

/* No backend, no server: answered after t_req ms with status, bytes. */
static void nosrv(struct fx *f, int64_t t_req, unsigned status, uint64_t bytes, const char *term)
{
	f->t.be = NULL;
	f->t.srv_name = NULL;
	f->t.t_req = t_req;
	f->t.t_queue = f->t.t_connect = f->t.t_resp = -1;
	f->t.t_active = 0;
	f->t.status = status;
	f->t.bytes_out = bytes;
	strcpy(f->t.term, term);
	f->t.be_conn = f->t.srv_conn = 0;
}

/* A request answered by the frontend itself: no backend, no server,
 * the steps that did not happen are -1 (as haproxy logs a deny). */
static void test_httplog_nosrv(void **state)
{
	struct fx *f = *state;

	nosrv(f, 0, 403, 192, "PR");
	assert_string_equal(build(f, logfmt_httplog),
			    "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in http-in/<NOSRV> 0/-1/-1/-1/0 403 192 "
			    "- - PR-- 1/1/0/0/0 0/0 \"GET /index.html HTTP/1.1\"");
}

/* A head that did not parse: no request (req NULL), HAProxy's
 * "<BADREQ>" with every timer but %Ta at -1 and 0 bytes, as Debian's
 * haproxy 2.6 logs "\x01garbage" on loopback; the request fields are
 * empty. */
static void test_httplog_badreq(void **state)
{
	struct fx *f = *state;

	f->t.req = NULL;
	nosrv(f, -1, 400, 0, "PR");
	assert_string_equal(build(f, logfmt_httplog),
			    "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in http-in/<NOSRV> -1/-1/-1/-1/0 400 0 "
			    "- - PR-- 1/1/0/0/0 0/0 \"<BADREQ>\"");
	assert_string_equal(build(f, "%HM|%HU|%HV|%[path]"), "-|-|-|-");
}

/* The idle time before the head's first byte (%Ti: a kept-alive
 * connection's wait, or a preconnect's) is in %Tq and %Tt, not in %TR,
 * %Ta nor %Tu (as Debian's haproxy 2.6 logs a client that waits). */
static void test_idle_time(void **state)
{
	struct fx *f = *state;

	f->t.t_idle = 1500;
	assert_string_equal(build(f, "%Ti %TR %Tq %Ta %Tt %Tu"), "1500 10 1510 109 1609 109");
	f->t.t_req = f->t.t_active = -1;
	assert_string_equal(build(f, "%Ti %TR %Tq %Ta %Tt"), "1500 -1 -1 -1 -1");
}

/* %B counts what HAProxy 2.6 counts (h1_htx_head_size): the figures are
 * its log lines for these heads, as its servers' and its own. */
static void test_htx_head_size(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: b\r\n\r\n";
	static const char closing[] = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n"
				      "x-a: b\r\n\r\n";
	static const char deny[] = "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\n"
				   "content-type: text/html\r\n\r\n";
	static const char upgrade[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n";

	(void)state;
	assert_int_equal(h1_htx_head_size(ok, strlen(ok)) + 5, 58);
	assert_int_equal(h1_htx_head_size(closing, strlen(closing)) + 5, 58);
	assert_int_equal(h1_htx_head_size(deny, strlen(deny)) + 93, 192);
	/* a Connection that says more than close is the message's own */
	assert_int_equal(h1_htx_head_size(upgrade, strlen(upgrade)), 20 + 3 + 8 + 19 + 17 + 1);
}

/* %rc: the transaction's connection retries, '+' first when one of them
 * was redispatched to another server (HAProxy's "+1"). */
static void test_httplog_retries(void **state)
{
	struct fx *f = *state;

	f->t.retries = 2;
	assert_string_equal(build(f, "%rc"), "2");
	f->t.redispatched = 1;
	assert_string_equal(build(f, "%rc %ac/%fc/%bc/%sc/%rc"), "+2 1/1/1/1/+2");
}

/* Cookie persistence fills %tsc's last two characters (HAProxy's "--NI":
 * no cookie came, one was inserted); %ts stays two. */
static void test_httplog_cookie_flags(void **state)
{
	struct fx *f = *state;

	strcpy(f->t.term, "--");
	memcpy(f->t.ck, "NI", 2);
	assert_non_null(strstr(build(f, logfmt_httplog), " --NI "));
	assert_string_equal(build(f, "%ts|%tsc"), "--|--NI");
	memcpy(f->t.ck, "VN", 2);
	assert_string_equal(build(f, "%tsc"), "--VN");
}

/* haproxy 2.6 on loopback with `option httplog clf` wrote
 * 127.0.0.1 - - [05/Dec/2026:17:19:57 +0000] "GET /a#22b?x=1 HTTP/1.1" 200 49 "" "" 44874 642 "fe" "fe"
 * "<NOSRV>" 0 -1 -1 -1 0 LR-- 1 1 0 0 0 0 0 "" "" (the trailing blank included) */
static void test_httplog_clf(void **state)
{
	struct fx *f = *state;
	static const char head[] = "GET /a\"b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";

	memcpy(f->rbuf, head, sizeof(head));
	assert_true(h1_parse_req(&f->req, f->rbuf, strlen(f->rbuf), sizeof(f->rbuf)) > 0);
	assert_string_equal(build(f, logfmt_httplog_clf),
			    "10.0.1.2 - - [06/Feb/2009:12:14:14 +0000] \"GET /a#22b?x=1 HTTP/1.1\" 200 2750 \"\" \"\" "
			    "33317 655 \"http-in\" \"static\" \"srv1\" 10 0 30 69 109 ---- 1 1 1 1 0 0 0 \"\" \"\" ");
}

/* 8.2.2's format: %Tw/%Tc/%Tt %B %ts */
static void test_tcplog(void **state)
{
	struct fx *f = *state;

	assert_string_equal(build(f, logfmt_tcplog), "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 "
						     "0/30/109 2750 -- 1/1/1/1/0 0/0");
}

/* What haproxy 2.6 wrote for the same formats on loopback: %o spreads
 * +Q, addresses and strings are quoted, numbers and states are not, an
 * empty field is "" quoted or - bare, blanks around empty fields merge,
 * %% is a percent sign. */
static void test_custom(void **state)
{
	struct fx *f = *state;

	assert_string_equal(build(f, "%{+Q}o %ci %HM %HU %HP %HQ %HV %[str(x)] %[var(txn.nope)] %{-Q}ST  %ts %ID %CC "
				     "%hr %% end"),
			    "\"10.0.1.2\" \"GET\" \"/index.html\" \"/index.html\" \"\" \"HTTP/1.1\" \"x\" \"\" 200 -- \"\" "
			    "\"\" % end");
	assert_string_equal(build(f, "a %[var(txn.nope)] %hr %hs b %hr"), "a - b ");
	assert_string_equal(build(f, "%[req.hdr(host),upper]|%{+X}Ts|%U|%fi:%fp|%b|%f|%Tq|%Td|%ms|%[url]"),
			    "1WT.EU|498C2996|120|10.0.0.1:80|static|http-in|10|0|655|/index.html");
	assert_string_equal(build(f, "[%t] [%trg] %{+E}[str(a\"b)]"),
			    "[06/Feb/2009:12:14:14.655] [06/Feb/2009:12:14:14 +0000] a\\\"b");
}

static void test_refusals(void **state)
{
	static const struct {
		const char *fmt, *msg;
	} cases[] = {
		{"%ci %zz", "unknown log-format variable '%zz'"},
		{"%[path", "missing ']'"},
		{"%[nosuch]", "unknown fetch method 'nosuch'"},
		{"%{+Z}ci", "unknown log-format flag 'Z'"},
		{"%{+Q ci", "missing '}'"},
		{"%", "unknown log-format variable"},
	};
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		if (logfmt_compile(cases[i].fmt, err, sizeof(err)))
			fail_msg("'%s' accepted", cases[i].fmt);
		if (!strstr(err, cases[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", cases[i].fmt, err, cases[i].msg);
	}
}

/* A mode tcp frontend's log-format: the variables haproxy 2.6 refuses
 * there (run with `haproxy -c`) are refused by name, the others pass;
 * in mode http all pass; a format that does not compile is refused in
 * both. */
static void test_check_mode(void **state)
{
	static const char *const http_only[] = {"tr", "trg", "trl", "TR", "Tr", "Ta", "Tq", "Ti", "CC",
						"CS", "r", "HM", "HU", "HP", "HPO", "HQ", "HV"};
	char err[ERRLEN], fmt[32], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(http_only) / sizeof(http_only[0]); i++) {
		snprintf(fmt, sizeof(fmt), "%%ci %%%s", http_only[i]);
		snprintf(want, sizeof(want), "format variable '%s' is reserved for HTTP mode", http_only[i]);
		err[0] = 0;
		assert_int_equal(logfmt_check(fmt, 0, err, sizeof(err)), -1);
		assert_string_equal(err, want);
		assert_int_equal(logfmt_check(fmt, 1, err, sizeof(err)), 0);
	}
	assert_int_equal(logfmt_check(logfmt_tcplog, 0, err, sizeof(err)), 0);
	assert_int_equal(logfmt_check("%Th %U %hr %tsc %sq/%bq %ST %Tu %Td", 0, err, sizeof(err)), 0);
	assert_int_equal(logfmt_check("%zz", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown log-format variable '%zz'"));
}

/* A small buffer truncates, NUL-ended, never overruns. */
static void test_truncation(void **state)
{
	struct fx *f = *state;
	char err[ERRLEN], small[12];
	struct logfmt *lf = logfmt_compile(logfmt_httplog, err, sizeof(err));

	assert_non_null(lf);
	assert_int_equal(logfmt_build(lf, &f->t, small, sizeof(small)), 11);
	assert_string_equal(small, "10.0.1.2:33");
	logfmt_free(lf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_httplog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httplog_nosrv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httplog_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httplog_badreq, setup, teardown),
		cmocka_unit_test(test_htx_head_size),
		cmocka_unit_test_setup_teardown(test_idle_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httplog_clf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httplog_cookie_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcplog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom, setup, teardown),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_check_mode),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
