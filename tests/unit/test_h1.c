/* The HTTP/1.1 parser (src/http/h1*.c): every defence of h1.h on its own
 * (Transfer-Encoding and Content-Length, forbidden bytes, header names,
 * Host, limits, version, target, method).  Each message is parsed from a
 * heap copy of its exact length (h1_harness.h), so ASan sees any read past
 * `len`.  test_h1_msg.c: framing, lookup, edits, incremental parsing and
 * the chunk scanner. */
#include "h1_harness.h"

/* ---- the defences, each on its own ---- */

static void test_te_with_cl(void **state)
{
	struct pm *p = req(POST_HEAD "Content-Length: 31\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

	assert_int_equal(p->rc, (int)strlen(POST_HEAD "Content-Length: 31\r\nTransfer-Encoding: chunked\r\n\r\n"));
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	assert_true(p->m.flags & H1_F_TE_CL);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	assert_false(p->m.flags & H1_F_CONN_KAL);
	assert_false(p->m.flags & H1_F_HAS_CL);
	assert_null(hval(&p->m, "content-length")); /* dropped: not found, not emitted */
	assert_null(strstr(emit(&p->m), "Content-Length"));
	assert_non_null(strstr(emit(&p->m), "Transfer-Encoding: chunked\r\n"));
	pm_free(p);
	/* the other order, and a response */
	p = resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n", H1_METH_GET);
	assert_true(p->rc > 0);
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	assert_true(p->m.flags & H1_F_TE_CL);
	assert_null(strstr(emit(&p->m), "Content-Length"));
	pm_free(p);
}

static void test_te_chunked_twice(void **state)
{
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked, chunked\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 H1_ERR_TE);
	assert_int_equal(resp_rc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", H1_METH_GET),
			 H1_ERR_TE);
}

static void test_te_chunked_not_last(void **state)
{
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked, gzip\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked, gzip, chunked\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"),
			 H1_ERR_TE);
	assert_int_equal(resp_rc("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", H1_METH_GET),
			 H1_ERR_TE);
}

static void test_te_without_chunked(void **state)
{
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: gzip\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: \r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: ,\r\n\r\n"), H1_ERR_TE);
	/* a response too: 502 rather than read until the close */
	assert_int_equal(resp_rc("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", H1_METH_GET), H1_ERR_TE);
}

static void test_te_other_coding(void **state)
{
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: gzip, chunked\r\n\r\n"), H1_ERR_TE_CODING);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 H1_ERR_TE_CODING);
	/* HAProxy 2.6 counts an empty element before chunked as a coding */
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: , chunked\r\n\r\n"), H1_ERR_TE_CODING);
}

static void test_te_parameters(void **state)
{
	/* "chunked" with parameters is another coding: not chunked, so 400 */
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked;a=1\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunked ;a=1\r\n\r\n"), H1_ERR_TE);
	assert_int_equal(req_rc(POST_HEAD "Transfer-Encoding: chunkedx\r\n\r\n"), H1_ERR_TE);
}

static void test_te_empty_parts(void **state)
{
	/* a trailing empty element and an empty header add nothing */
	struct pm *p = req(POST_HEAD "Transfer-Encoding: chunked, \r\n\r\n");

	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	pm_free(p);
	p = req(POST_HEAD "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	pm_free(p);
}

static void test_te_case_and_blanks(void **state)
{
	struct pm *p = req(POST_HEAD "Transfer-Encoding:   CHUNKED  \r\n\r\n");

	assert_true(p->rc > 0);
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	assert_true(p->m.flags & H1_F_HAS_TE);
	assert_false(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
}

static void test_te_http10(void **state)
{
	/* HAProxy takes it (vtc http_transfer_encoding c2): chunked, then close */
	struct pm *p = req("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n");

	assert_true(p->rc > 0);
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	assert_false(p->m.flags & H1_F_CONN_KAL);
	pm_free(p);
	p = resp("HTTP/1.0 200 Ok\r\nTransfer-Encoding: chunked\r\n\r\n", H1_METH_GET);
	assert_true(p->rc > 0);
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
}

static void test_cl_conflict(void **state)
{
	assert_int_equal(req_rc(POST_HEAD "Content-Length: 5, 6\r\n\r\n"), H1_ERR_CL);
	assert_int_equal(req_rc(POST_HEAD "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"), H1_ERR_CL);
	assert_int_equal(req_rc(POST_HEAD "Content-Length: 5\r\nX: y\r\ncontent-length: 50\r\n\r\n"), H1_ERR_CL);
	assert_int_equal(resp_rc("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", H1_METH_GET),
			 H1_ERR_CL);
}

static void test_cl_repeated_same(void **state)
{
	/* HAProxy takes "5, 5" as 5; one Content-Length goes on */
	struct pm *p = req(POST_HEAD "Content-Length: 5, 5\r\n\r\n");

	assert_true(p->rc > 0);
	assert_int_equal(p->m.body, H1_BODY_CL);
	assert_int_equal(p->m.clen, 5);
	assert_string_equal(emit(&p->m), POST_HEAD "Content-Length: 5\r\n\r\n");
	pm_free(p);
	p = req(POST_HEAD "Content-Length: 5\r\nX: y\r\nContent-Length: 5\r\n\r\n");
	assert_true(p->rc > 0);
	assert_int_equal(p->m.clen, 5);
	assert_string_equal(emit(&p->m), POST_HEAD "Content-Length: 5\r\nX: y\r\n\r\n");
	pm_free(p);
}

static void test_cl_malformed(void **state)
{
	static const char *const bad[] = { "+5", "-5", "", " ", "5,", ",5", "0x5", "5 5", "5a",
					   "1000000000000000000", "99999999999999999999999" };
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), POST_HEAD "Content-Length: %s\r\n\r\n", bad[i]);
		if (req_rc(msg) != H1_ERR_CL)
			fail_msg("Content-Length '%s' taken", bad[i]);
	}
	/* the largest taken: 18 digits */
	struct pm *p = req(POST_HEAD "Content-Length: 999999999999999999\r\n\r\n");
	assert_true(p->rc > 0);
	assert_true(p->m.clen == 999999999999999999ULL);
	pm_free(p);
}

static void test_nul(void **state)
{
	static const char v[] = GET_HEAD "X: a\0b\r\n\r\n";
	static const char n[] = GET_HEAD "X\0: ab\r\n\r\n";
	static const char s[] = "GET /\0 HTTP/1.1\r\n\r\n";
	struct pm *p;

	p = parse_n(v, sizeof(v) - 1, CAP, 1, 0);
	assert_int_equal(p->rc, H1_ERR_SYNTAX);
	pm_free(p);
	p = parse_n(n, sizeof(n) - 1, CAP, 1, 0);
	assert_int_equal(p->rc, H1_ERR_SYNTAX);
	pm_free(p);
	p = parse_n(s, sizeof(s) - 1, CAP, 1, 0);
	assert_int_equal(p->rc, H1_ERR_SYNTAX);
	pm_free(p);
}

static void test_bare_cr(void **state)
{
	assert_int_equal(req_rc(GET_HEAD "X: a\rb\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "X: a\r\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET /\r HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1 200 O\rK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
}

static void test_bare_lf_in_header(void **state)
{
	/* a LF ends the line: what follows must be a header of its own */
	assert_int_equal(req_rc(GET_HEAD "X: a\nb\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_empty_name(void **state)
{
	assert_int_equal(req_rc(GET_HEAD ": a\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_blank_before_colon(void **state)
{
	assert_int_equal(req_rc(GET_HEAD "X : a\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "X\t: a\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(POST_HEAD "Content-Length : 5\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_bad_name(void **state)
{
	assert_int_equal(req_rc(GET_HEAD "X(y): a\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "X\xe9: a\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "no colon\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_obs_fold(void **state)
{
	assert_int_equal(req_rc(GET_HEAD "X: a\r\n b\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "X: a\r\n\tb\r\n\r\n"), H1_ERR_SYNTAX);
	/* a blank before the first header line too */
	assert_int_equal(req_rc("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_two_hosts(void **state)
{
	struct pm *p;

	assert_int_equal(req_rc(GET_HEAD "host: b\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(GET_HEAD "X: 1\r\nHost: a.b\r\n\r\n"), H1_ERR_SYNTAX);
	/* the same value again (ASCII case aside): one goes on, as HAProxy */
	p = req(GET_HEAD "HOST: A\r\n\r\n");
	assert_true(p->rc > 0);
	assert_string_equal(emit(&p->m), GET_HEAD "\r\n");
	pm_free(p);
}

/* an absolute URI's (or CONNECT's) authority and the Host header */
static void test_host_authority(void **state)
{
	static const struct {
		const char *line, *host;
		int ok;
	} t[] = {
		{ "GET http://a/x", "a", 1 },
		{ "GET http://a/x", "b", 0 },
		{ "GET http://a/x", NULL, 1 },
		{ "GET http://A/x", "a", 1 },
		{ "GET http://u:p@a/x", "a", 1 },
		{ "GET http://a:80/x", "a", 1 },
		{ "GET http://a/x", "a:80", 1 },
		{ "GET http://a:/x", "a", 1 },
		{ "GET https://a:443/", "a", 1 },
		{ "GET http://a:443/x", "a", 0 },
		{ "GET https://a:80/x", "a", 0 },
		{ "GET http://a:8080/x", "a", 0 },
		{ "GET http://a/x", "a:8080", 0 },
		{ "GET http://a:8080/x", "a:8080", 1 },
		{ "GET ws://a:80/x", "a", 0 },
		{ "GET http://[::1]:80/x", "[::1]", 1 },
		{ "GET http://a?x=/", "a", 0 }, /* the authority runs to '/' */
		{ "GET http://a", "a", 1 },
		{ "GET http:///x", "a", 1 }, /* no authority: nothing to compare */
		{ "CONNECT a:443", "a:443", 1 },
		{ "CONNECT a:443", "a", 1 },
		{ "CONNECT a:80", "a", 1 },
		{ "CONNECT a:8443", "a", 0 },
		{ "CONNECT a:443", "b:443", 0 },
	};
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc;

		if (t[i].host)
			snprintf(msg, sizeof(msg), "%s HTTP/1.1\r\nX: y\r\nHost: %s\r\n\r\n", t[i].line, t[i].host);
		else
			snprintf(msg, sizeof(msg), "%s HTTP/1.1\r\n\r\n", t[i].line);
		rc = req_rc(msg);
		if (t[i].ok ? rc <= 0 : rc != H1_ERR_SYNTAX)
			fail_msg("'%s' with Host '%s': %d", t[i].line, t[i].host ? t[i].host : "(none)", rc);
	}
}

/* n headers "Xi: a" after the request line */
static char *many_headers(unsigned n)
{
	char *s = malloc(32 + n * 16), *w = s;
	unsigned i;

	w += sprintf(w, "GET / HTTP/1.1\r\n");
	for (i = 0; i < n; i++)
		w += sprintf(w, "X%u: a\r\n", i);
	sprintf(w, "\r\n");
	return s;
}

static void test_too_many(void **state)
{
	char *s = many_headers(100);
	struct pm *p = req(s);

	assert_true(p->rc > 0); /* as HAProxy: 100 pass */
	assert_int_equal(p->m.nhdrs, 100);
	pm_free(p);
	free(s);
	s = many_headers(101);
	assert_int_equal(req_rc(s), H1_ERR_TOO_MANY);
	free(s);
	s = many_headers(500);
	assert_int_equal(req_rc(s), H1_ERR_TOO_MANY);
	free(s);
}

static void test_too_big(void **state)
{
	const char *head = GET_HEAD "X: 0123456789\r\n\r\n";
	size_t n = strlen(head);
	struct pm *p;

	/* exactly at the cap: taken */
	p = parse_n(head, n, n, 1, 0);
	assert_int_equal(p->rc, (int)n);
	assert_int_equal(p->m.head_len, n);
	pm_free(p);
	/* one byte over: the buffer is full and the head is not in */
	p = parse_n(head, n - 1, n - 1, 1, 0);
	assert_int_equal(p->rc, H1_ERR_TOO_BIG);
	pm_free(p);
	/* the same bytes with room left: wait for more */
	p = parse_n(head, n - 1, n, 1, 0);
	assert_int_equal(p->rc, 0);
	pm_free(p);
	/* len past cap: only cap bytes are looked at */
	p = parse_n(head, n, n - 1, 1, 0);
	assert_int_equal(p->rc, H1_ERR_TOO_BIG);
	pm_free(p);
	/* nothing yet, not even a buffer */
	{
		struct h1_msg *m = malloc(sizeof(*m));

		assert_int_equal(h1_parse_req(m, NULL, 0, CAP), 0);
		assert_int_equal(h1_parse_resp(m, NULL, 0, CAP, H1_METH_GET), 0);
		free(m);
	}
	/* a response */
	p = parse_n("HTTP/1.1 200 OK\r\nX: 1", 21, 21, 0, H1_METH_GET);
	assert_int_equal(p->rc, H1_ERR_TOO_BIG);
	pm_free(p);
}

static void test_version(void **state)
{
	struct pm *p = req("GET / HTTP/1.0\r\n\r\n");

	assert_true(p->rc > 0);
	assert_int_equal(p->m.vmajor, 1);
	assert_int_equal(p->m.vminor, 0);
	assert_true(p->m.flags & H1_F_VER_10);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
	assert_int_equal(req_rc("GET / HTTP/1.2\r\n\r\n"), H1_ERR_VERSION);
	assert_int_equal(req_rc("GET / HTTP/2.0\r\n\r\n"), H1_ERR_VERSION);
	assert_int_equal(req_rc("GET / HTTP/0.9\r\n\r\n"), H1_ERR_VERSION);
	assert_int_equal(req_rc("GET /\r\n\r\n"), H1_ERR_VERSION);
	assert_int_equal(resp_rc("HTTP/2.0 200 OK\r\n\r\n", H1_METH_GET), H1_ERR_VERSION);
	assert_int_equal(req_rc("GET / http/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET / HTTP/1.11\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET / HTTP/1.1 \r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET / HTTP/1.1 x\r\n\r\n"), H1_ERR_SYNTAX);
}

static void test_request_target(void **state)
{
	struct pm *p = req("GET http://example.com/a?b HTTP/1.1\r\n\r\n");

	assert_true(p->rc > 0);
	assert_true(p->m.flags & H1_F_ABS_URI);
	pm_free(p);
	p = req("CONNECT example.com:443 HTTP/1.1\r\n\r\n");
	assert_true(p->rc > 0);
	assert_int_equal(p->m.meth, H1_METH_CONNECT);
	assert_true(span_eq(&p->m, p->m.uri, "example.com:443"));
	pm_free(p);
	assert_true(req_rc("CONNECT [::1]:443 HTTP/1.1\r\n\r\n") > 0);
	assert_true(req_rc("OPTIONS * HTTP/1.1\r\n\r\n") > 0);
	assert_true(req_rc("GET /a<b>%zz HTTP/1.1\r\n\r\n") > 0);
	/* authority form only with CONNECT, CONNECT only with it */
	assert_int_equal(req_rc("GET example.com:443 HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("CONNECT / HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("CONNECT http://a:1/ HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("CONNECT example.com HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	/* asterisk only with OPTIONS */
	assert_int_equal(req_rc("GET * HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	/* neither form, a fragment, a byte outside visible ASCII */
	assert_int_equal(req_rc("GET foo HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET /a#b HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET /a\xe9 HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET /a\x01 HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET /a\x7f HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc("GET  HTTP/1.1\r\n\r\n"), H1_ERR_VERSION); /* one part only */
}

static void test_method(void **state)
{
	static const struct {
		const char *tok;
		enum h1_meth m;
	} t[] = { { "GET", H1_METH_GET },	  { "HEAD", H1_METH_HEAD },	  { "POST", H1_METH_POST },
		  { "PUT", H1_METH_PUT },	  { "DELETE", H1_METH_DELETE },	  { "OPTIONS", H1_METH_OPTIONS },
		  { "TRACE", H1_METH_TRACE },	  { "PATCH", H1_METH_PATCH },	  { "get", H1_METH_OTHER },
		  { "PROPFIND", H1_METH_OTHER }, { "X-Y.Z!", H1_METH_OTHER } };
	char msg[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pm *p;

		snprintf(msg, sizeof(msg), "%s / HTTP/1.1\r\n\r\n", t[i].tok);
		p = req(msg);
		assert_true(p->rc > 0);
		assert_int_equal(p->m.meth, t[i].m);
		assert_true(span_eq(&p->m, p->m.method, t[i].tok));
		pm_free(p);
	}
	assert_int_equal(req_rc("G(T / HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_int_equal(req_rc(" GET / HTTP/1.1\r\n\r\n"), H1_ERR_SYNTAX);
	assert_string_equal(h1_meth_name(H1_METH_PATCH), "PATCH");
}

static void test_lenient_like_haproxy(void **state)
{
	/* empty lines before the request, bare LF line ends, blanks repeated
	 * between the parts of the request line: HAProxy 2.6 takes them */
	struct pm *p = req("\r\n\nGET\t/x  HTTP/1.1\nHost: a\nX:\tb c \t\n\n");

	assert_true(p->rc > 0);
	assert_true(span_eq(&p->m, p->m.uri, "/x"));
	assert_string_equal(hval(&p->m, "x"), "b c");
	/* what goes on has CRLF line ends */
	assert_string_equal(emit(&p->m), "GET /x HTTP/1.1\r\nHost: a\r\nX: b c\r\n\r\n");
	pm_free(p);
	/* controls other than NUL, and obs-text, in a value */
	p = req(GET_HEAD "X: a\x01\x7f\xe9z\r\n\r\n");
	assert_true(p->rc > 0);
	pm_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_te_with_cl),
		cmocka_unit_test(test_te_chunked_twice),
		cmocka_unit_test(test_te_chunked_not_last),
		cmocka_unit_test(test_te_without_chunked),
		cmocka_unit_test(test_te_other_coding),
		cmocka_unit_test(test_te_parameters),
		cmocka_unit_test(test_te_empty_parts),
		cmocka_unit_test(test_te_case_and_blanks),
		cmocka_unit_test(test_te_http10),
		cmocka_unit_test(test_cl_conflict),
		cmocka_unit_test(test_cl_repeated_same),
		cmocka_unit_test(test_cl_malformed),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_bare_cr),
		cmocka_unit_test(test_bare_lf_in_header),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_blank_before_colon),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_two_hosts),
		cmocka_unit_test(test_host_authority),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_request_target),
		cmocka_unit_test(test_method),
		cmocka_unit_test(test_lenient_like_haproxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
