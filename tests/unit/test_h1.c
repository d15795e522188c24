/* The HTTP/1.1 parser (src/http/h1*.c): every defence of h1.h on its own,
 * every framing case, header lookup, edits and the head written back,
 * parsing fed byte by byte, and the chunked-body scanner over every split
 * point.  Each message is parsed from a heap copy of its exact length, so
 * ASan sees any read past `len`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/h1.h"

#define CAP 16384

/* A parsed message and the heap copy it points into. */
struct pm {
	struct h1_msg m;
	char *buf;
	int rc;
};

static struct pm *parse_n(const char *s, size_t len, size_t cap, int is_req, enum h1_meth req_meth)
{
	struct pm *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->buf = malloc(len ? len : 1);
	assert_non_null(p->buf);
	memcpy(p->buf, s, len);
	p->rc = is_req ? h1_parse_req(&p->m, p->buf, len, cap)
		       : h1_parse_resp(&p->m, p->buf, len, cap, req_meth);
	return p;
}

static struct pm *req(const char *s)
{
	return parse_n(s, strlen(s), CAP, 1, H1_METH_OTHER);
}

static struct pm *resp(const char *s, enum h1_meth req_meth)
{
	return parse_n(s, strlen(s), CAP, 0, req_meth);
}

static void pm_free(struct pm *p)
{
	free(p->buf);
	free(p);
}

/* The request's parse result, the message freed. */
static int req_rc(const char *s)
{
	struct pm *p = req(s);
	int rc = p->rc;

	pm_free(p);
	return rc;
}

static int resp_rc(const char *s, enum h1_meth req_meth)
{
	struct pm *p = resp(s, req_meth);
	int rc = p->rc;

	pm_free(p);
	return rc;
}

/* The head as emitted, NUL-terminated in a static buffer. */
static const char *emit(const struct h1_msg *m)
{
	static char out[CAP + 1];
	size_t n = h1_emit_head(m, out, CAP);

	assert_true(n > 0);
	out[n] = 0;
	return out;
}

/* The value of the first header `name`, NUL-terminated (static), or NULL. */
static const char *hval(const struct h1_msg *m, const char *name)
{
	static char v[1024];
	int i = h1_hdr_find(m, name, strlen(name), 0);

	if (i < 0)
		return NULL;
	assert_true(m->hdrs[i].value.len < sizeof(v));
	memcpy(v, h1_ptr(m, m->hdrs[i].value), m->hdrs[i].value.len);
	v[m->hdrs[i].value.len] = 0;
	return v;
}

static int span_eq(const struct h1_msg *m, struct h1_span s, const char *want)
{
	return s.len == strlen(want) && !memcmp(h1_ptr(m, s), want, s.len);
}

#define GET_HEAD "GET / HTTP/1.1\r\nHost: a\r\n"
#define POST_HEAD "POST / HTTP/1.1\r\nHost: a\r\n"

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

/* ---- framing ---- */

static void test_req_framing(void **state)
{
	struct pm *p = req(GET_HEAD "\r\n");

	assert_int_equal(p->m.body, H1_BODY_NONE);
	assert_false(p->m.flags & (H1_F_CONN_CLOSE | H1_F_HAS_CL | H1_F_HAS_TE));
	pm_free(p);
	p = req(POST_HEAD "Content-Length: 12\r\n\r\n");
	assert_int_equal(p->m.body, H1_BODY_CL);
	assert_int_equal(p->m.clen, 12);
	assert_true(p->m.flags & H1_F_HAS_CL);
	pm_free(p);
	p = req(POST_HEAD "Content-Length: 0\r\n\r\n");
	assert_int_equal(p->m.body, H1_BODY_NONE);
	assert_true(p->m.flags & H1_F_HAS_CL);
	pm_free(p);
	p = req(POST_HEAD "Transfer-Encoding: chunked\r\n\r\n");
	assert_int_equal(p->m.body, H1_BODY_CHUNKED);
	pm_free(p);
}

static void resp_framing(const char *head, enum h1_meth rm, enum h1_body want, uint64_t clen)
{
	struct pm *p = resp(head, rm);

	if (p->rc <= 0)
		fail_msg("'%s' refused: %d", head, p->rc);
	if (p->m.body != want)
		fail_msg("'%s' to %s: body %d, not %d", head, h1_meth_name(rm), p->m.body, want);
	assert_int_equal(p->m.clen, clen);
	pm_free(p);
}

static void test_resp_framing(void **state)
{
	resp_framing("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", H1_METH_HEAD, H1_BODY_NONE, 10);
	resp_framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", H1_METH_HEAD, H1_BODY_NONE, 0);
	resp_framing("HTTP/1.1 100 Continue\r\n\r\n", H1_METH_POST, H1_BODY_NONE, 0);
	resp_framing("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", H1_METH_GET, H1_BODY_NONE, 0);
	resp_framing("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", H1_METH_GET, H1_BODY_NONE, 5);
	resp_framing("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", H1_METH_GET, H1_BODY_NONE, 5);
	resp_framing("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
		     H1_METH_GET, H1_BODY_TUNNEL, 0);
	resp_framing("HTTP/1.1 200 Connection established\r\n\r\n", H1_METH_CONNECT, H1_BODY_TUNNEL, 0);
	resp_framing("HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\n", H1_METH_CONNECT, H1_BODY_CL, 3);
	resp_framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", H1_METH_GET, H1_BODY_CHUNKED, 0);
	resp_framing("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", H1_METH_GET, H1_BODY_CL, 7);
	resp_framing("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", H1_METH_GET, H1_BODY_NONE, 0);
	resp_framing("HTTP/1.1 200 OK\r\n\r\n", H1_METH_GET, H1_BODY_EOF, 0);

	/* until the close: the connection cannot be kept */
	struct pm *p = resp("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", H1_METH_GET);
	assert_int_equal(p->m.body, H1_BODY_EOF);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	assert_false(p->m.flags & H1_F_CONN_KAL);
	pm_free(p);
}

static void test_status_line(void **state)
{
	struct pm *p = resp("HTTP/1.1 404\r\n\r\n", H1_METH_GET);

	assert_true(p->rc > 0);
	assert_int_equal(p->m.status, 404);
	assert_int_equal(p->m.reason.len, 0);
	pm_free(p);
	p = resp("HTTP/1.1 200 Tout va bien \xe9\r\n\r\n", H1_METH_GET);
	assert_true(p->rc > 0);
	assert_true(span_eq(&p->m, p->m.reason, "Tout va bien \xe9"));
	pm_free(p);
	assert_true(resp_rc("HTTP/1.1 999 X\r\n\r\n", H1_METH_GET) > 0);
	assert_int_equal(resp_rc("HTTP/1.1 099 X\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1 20 OK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1 2000 OK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1 200OK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1   \r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("HTTP/1.1    20\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("ICY 200 OK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	assert_int_equal(resp_rc("http/1.1 200 OK\r\n\r\n", H1_METH_GET), H1_ERR_SYNTAX);
	/* as HAProxy: blanks repeated after the version, empty lines before */
	p = resp("\r\n\nHTTP/1.1  \t204 No\r\n\r\n", H1_METH_GET);
	assert_true(p->rc > 0);
	assert_int_equal(p->m.status, 204);
	assert_true(span_eq(&p->m, p->m.reason, "No"));
	assert_string_equal(emit(&p->m), "HTTP/1.1 204 No\r\n\r\n");
	pm_free(p);
}

static void test_connection(void **state)
{
	struct pm *p = req(GET_HEAD "Connection: Keep-Alive, Upgrade\r\nUpgrade: websocket\r\n\r\n");

	assert_true(p->m.flags & H1_F_CONN_KAL);
	assert_true(p->m.flags & H1_F_CONN_UPG);
	assert_true(p->m.flags & H1_F_UPGRADE);
	assert_false(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
	/* several headers; close wins over keep-alive */
	p = req(GET_HEAD "Connection: keep-alive\r\nConnection: foo, close\r\n\r\n");
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	assert_false(p->m.flags & H1_F_CONN_KAL);
	pm_free(p);
	/* Upgrade without Connection: upgrade does not count */
	p = req(GET_HEAD "Upgrade: websocket\r\n\r\n");
	assert_false(p->m.flags & (H1_F_UPGRADE | H1_F_CONN_UPG));
	pm_free(p);
	/* an upgrade asked in HTTP/1.0 is refused, as HAProxy does; either
	 * header alone is not an upgrade */
	assert_int_equal(req_rc("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"),
			 H1_ERR_SYNTAX);
	p = req("GET / HTTP/1.0\r\nUpgrade: websocket\r\n\r\n");
	assert_true(p->rc > 0);
	assert_false(p->m.flags & H1_F_UPGRADE);
	assert_true(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
	/* HTTP/1.0 keep-alive */
	p = req("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	assert_true(p->m.flags & H1_F_CONN_KAL);
	assert_false(p->m.flags & H1_F_CONN_CLOSE);
	pm_free(p);
	/* a token is the whole element */
	p = req(GET_HEAD "Connection: closed, keep-alive-x\r\n\r\n");
	assert_false(p->m.flags & (H1_F_CONN_CLOSE | H1_F_CONN_KAL));
	pm_free(p);
	/* Expect */
	p = req(POST_HEAD "Content-Length: 3\r\nExpect: 100-Continue\r\n\r\n");
	assert_true(p->m.flags & H1_F_EXPECT_100);
	pm_free(p);
	p = req(POST_HEAD "Expect: 100-continuez\r\n\r\n");
	assert_false(p->m.flags & H1_F_EXPECT_100);
	pm_free(p);
}

/* ---- lookup ---- */

static void test_hdr_find(void **state)
{
	struct pm *p = req(GET_HEAD "X-A: 1\r\nx-b: 2\r\nx-a: 3\r\n\r\n");
	int i;

	assert_int_equal(h1_hdr_find(&p->m, "x-a", 3, 0), 1);
	assert_int_equal(h1_hdr_find(&p->m, "X-A", 3, 2), 3);
	assert_int_equal(h1_hdr_find(&p->m, "x-a", 3, 4), -1);
	assert_int_equal(h1_hdr_find(&p->m, "x-", 2, 0), -1);
	assert_int_equal(h1_hdr_find(&p->m, "nope", 4, 0), -1);
	h1_hdr_del(&p->m, 1);
	i = h1_hdr_find(&p->m, "x-a", 3, 0);
	assert_int_equal(i, 3);
	pm_free(p);
}

static void test_hdr_next_value(void **state)
{
	struct pm *p = req(GET_HEAD "Accept: a, b ,\"c, d\" , e\\\"\r\nX: q\r\naccept: f\r\nAccept:\r\n"
				    "Accept: \"g\\\",h\",i\r\n\r\n");
	static const char *const want[] = { "a", "b", "\"c, d\"", "e\\\"", "f", "", "\"g\\\",h\"", "i" };
	uint64_t st = 0;
	const char *v;
	size_t vl, n = 0;

	while (h1_hdr_next_value(&p->m, "accept", 6, &st, &v, &vl)) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		if (vl != strlen(want[n]) || memcmp(v, want[n], vl))
			fail_msg("value %zu: '%.*s', not '%s'", n, (int)vl, v, want[n]);
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	/* stays at its end */
	assert_int_equal(h1_hdr_next_value(&p->m, "accept", 6, &st, &v, &vl), 0);
	st = 0;
	assert_int_equal(h1_hdr_next_value(&p->m, "absent", 6, &st, &v, &vl), 0);
	pm_free(p);
}

static void test_path_query(void **state)
{
	static const struct {
		const char *line, *path, *query;
	} t[] = {
		{ "GET /a/b?x=1&y HTTP/1.1", "/a/b", "x=1&y" },
		{ "GET /a/b HTTP/1.1", "/a/b", "" },
		{ "GET /? HTTP/1.1", "/", "" },
		{ "GET http://h:8/p/q?z HTTP/1.1", "/p/q", "z" },
		{ "GET http://h:8 HTTP/1.1", "", "" },
		{ "GET https://h?z HTTP/1.1", "", "z" },
		{ "OPTIONS * HTTP/1.1", "", "" },
		{ "CONNECT h:443 HTTP/1.1", "", "" },
	};
	char msg[128];
	const char *s;
	size_t i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pm *p;

		snprintf(msg, sizeof(msg), "%s\r\n\r\n", t[i].line);
		p = req(msg);
		assert_true(p->rc > 0);
		h1_req_path(&p->m, &s, &n);
		if (n != strlen(t[i].path) || memcmp(s, t[i].path, n))
			fail_msg("%s: path '%.*s'", t[i].line, (int)n, s);
		h1_req_query(&p->m, &s, &n);
		if (n != strlen(t[i].query) || memcmp(s, t[i].query, n))
			fail_msg("%s: query '%.*s'", t[i].line, (int)n, s);
		pm_free(p);
	}
}

/* ---- edits and emit ---- */

static void test_emit_unedited(void **state)
{
	const char *in = "POST /f?x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Empty: \r\n\r\n";
	struct pm *p = req(in), *q;
	char out[512];
	size_t n;

	assert_true(p->rc > 0);
	assert_string_equal(emit(&p->m), "POST /f?x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-Empty: \r\n\r\n");
	/* what was written parses to the same message */
	n = h1_emit_head(&p->m, out, sizeof(out));
	q = parse_n(out, n, CAP, 1, 0);
	assert_int_equal(q->rc, (int)n);
	assert_int_equal(q->m.nhdrs, p->m.nhdrs);
	assert_int_equal(q->m.body, p->m.body);
	assert_int_equal(q->m.clen, p->m.clen);
	pm_free(q);
	/* too small an output: 0, whatever the size */
	for (size_t cap = 0; cap < n; cap++)
		assert_int_equal(h1_emit_head(&p->m, out, cap), 0);
	assert_int_equal(h1_emit_head(&p->m, out, n), n);
	pm_free(p);

	p = resp("HTTP/1.0 302 Moved\r\nLocation: /x\r\n\r\n", H1_METH_GET);
	assert_string_equal(emit(&p->m), "HTTP/1.0 302 Moved\r\nLocation: /x\r\n\r\n");
	pm_free(p);
}

static void test_edits(void **state)
{
	struct pm *p = req("GET /old HTTP/1.1\r\nHost: a\r\nCookie: c=1\r\nX-F: 1\r\nx-f: 2\r\n\r\n");
	int i;

	i = h1_hdr_find(&p->m, "cookie", 6, 0);
	h1_hdr_del(&p->m, i);
	assert_int_equal(h1_hdr_del_all(&p->m, "X-F", 3), 2);
	assert_int_equal(h1_hdr_del_all(&p->m, "X-F", 3), 0);
	assert_int_equal(h1_hdr_add(&p->m, "X-Forwarded-For", 15, "10.0.0.1", 8), 0);
	assert_int_equal(h1_hdr_add(&p->m, "Via", 3, "1.1 fulcrum", 11), 0);
	assert_int_equal(h1_hdr_set(&p->m, "host", 4, "b", 1), 0);
	assert_int_equal(h1_set_method(&p->m, "HEAD", 4), 0);
	assert_int_equal(p->m.meth, H1_METH_HEAD);
	assert_int_equal(h1_set_uri(&p->m, "/new?q=1", 8), 0);
	assert_string_equal(emit(&p->m), "HEAD /new?q=1 HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\n"
					 "Via: 1.1 fulcrum\r\nhost: b\r\n\r\n");
	/* lookups see the edits */
	assert_string_equal(hval(&p->m, "Host"), "b");
	assert_null(hval(&p->m, "cookie"));
	const char *s;
	size_t n;
	h1_req_path(&p->m, &s, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "/new", 4);
	h1_req_query(&p->m, &s, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(s, "q=1", 3);
	/* the received bytes are untouched */
	assert_memory_equal(p->buf, "GET /old HTTP/1.1\r\n", 19);
	pm_free(p);

	p = resp("HTTP/1.1 200 Fine\r\nServer: x\r\n\r\n", H1_METH_GET);
	h1_set_status(&p->m, 503);
	assert_int_equal(p->m.status, 503);
	assert_string_equal(emit(&p->m), "HTTP/1.1 503 Service Unavailable\r\nServer: x\r\n\r\n");
	pm_free(p);
}

static void test_edit_refused(void **state)
{
	struct pm *p = req(GET_HEAD "\r\n");
	char big[H1_EXTRA_SIZE + 1];
	char before[1024];
	unsigned i, nh = p->m.nhdrs;

	strcpy(before, emit(&p->m));
	/* text that would break the line or the name */
	assert_int_equal(h1_hdr_add(&p->m, "X", 1, "a\r\nInjected: 1", 15), -1);
	assert_int_equal(h1_hdr_add(&p->m, "X", 1, "a\nb", 3), -1);
	assert_int_equal(h1_hdr_add(&p->m, "X", 1, "a\0b", 3), -1);
	assert_int_equal(h1_hdr_add(&p->m, "X Y", 3, "a", 1), -1);
	assert_int_equal(h1_hdr_add(&p->m, "", 0, "a", 1), -1);
	assert_int_equal(h1_hdr_set(&p->m, "Host", 4, "a\r\n", 3), -1);
	assert_int_equal(h1_set_method(&p->m, "GE T", 4), -1);
	assert_int_equal(h1_set_uri(&p->m, "/a b", 4), -1);
	assert_int_equal(h1_set_uri(&p->m, "/a\r\n", 4), -1);
	assert_int_equal(h1_set_uri(&p->m, "", 0), -1);
	/* the arena full */
	memset(big, 'v', sizeof(big));
	assert_int_equal(h1_hdr_add(&p->m, "X", 1, big, H1_EXTRA_SIZE), -1);
	assert_int_equal(h1_set_uri(&p->m, big, sizeof(big)), -1);
	/* nothing changed: Host still there after the refused set */
	assert_int_equal(p->m.nhdrs, nh);
	assert_int_equal(p->m.extra_len, 0);
	assert_string_equal(emit(&p->m), before);
	/* the table full: what fits is added, then -1 */
	for (i = 0; i < H1_MAX_ADDED + H1_MAX_HDRS; i++)
		if (h1_hdr_add(&p->m, "A", 1, "1", 1) < 0)
			break;
	assert_int_equal(p->m.nhdrs, H1_MAX_HDRS + H1_MAX_ADDED);
	assert_int_equal(h1_hdr_set(&p->m, "Host", 4, "b", 1), -1);
	assert_string_equal(hval(&p->m, "host"), "a");
	pm_free(p);
}

static void test_reason(void **state)
{
	assert_string_equal(h1_reason(200), "OK");
	assert_string_equal(h1_reason(404), "Not Found");
	/* HAProxy 2.6's words, not the RFC's */
	assert_string_equal(h1_reason(504), "Gateway Time-out");
	assert_string_equal(h1_reason(203), "Non-Authoritative Information");
	assert_string_equal(h1_reason(302), "Moved Temporarily");
	assert_string_equal(h1_reason(299), "Success");
	assert_string_equal(h1_reason(498), "Client Error");
	assert_string_equal(h1_reason(999), "Other");
}

/* ---- incremental parsing ---- */

/* Parse s whole, then every prefix: a prefix gives 0 (or, for a message
 * that is refused, the same refusal once the bad line is in). */
static void bytewise(const char *s, int is_req, enum h1_meth rm)
{
	size_t len = strlen(s), k;
	struct pm *whole = parse_n(s, len, CAP, is_req, rm);

	for (k = 0; k < len; k++) {
		struct pm *p = parse_n(s, k, CAP, is_req, rm);

		if (whole->rc > 0 && k < (size_t)whole->rc && p->rc != 0)
			fail_msg("'%s': prefix %zu gave %d", s, k, p->rc);
		if (whole->rc > 0 && k >= (size_t)whole->rc && p->rc != whole->rc)
			fail_msg("'%s': prefix %zu gave %d, whole %d", s, k, p->rc, whole->rc);
		if (whole->rc < 0 && p->rc != 0 && p->rc != whole->rc)
			fail_msg("'%s': prefix %zu gave %d, whole %d", s, k, p->rc, whole->rc);
		if (p->rc > 0) {
			assert_int_equal(p->m.body, whole->m.body);
			assert_int_equal(p->m.flags, whole->m.flags);
			assert_int_equal(p->m.nhdrs, whole->m.nhdrs);
		}
		pm_free(p);
	}
	pm_free(whole);
}

static void test_incremental(void **state)
{
	bytewise("\r\nGET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello", 1, 0);
	bytewise(POST_HEAD "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 1, 0);
	bytewise("GET / HTTP/1.1\nHost: x\n\n", 1, 0);
	bytewise(GET_HEAD "X: a\r\n b\r\n\r\n", 1, 0);
	bytewise(POST_HEAD "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", 1, 0);
	bytewise("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 0, H1_METH_GET);
	bytewise("HTTP/1.0 304 Not Modified\r\nConnection: keep-alive\r\n\r\n", 0, H1_METH_GET);
	bytewise("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, H1_METH_GET);
}

/* ---- the chunk scanner ---- */

/* Scan s split at `at` (two heap pieces of their exact size): the bytes
 * taken, -1 on an error; *done when the body ended. */
static ssize_t chunk_split(const char *s, size_t len, size_t at, int *done)
{
	struct h1_chunk c;
	char *a = malloc(at ? at : 1), *b = malloc(len - at ? len - at : 1);
	ssize_t r1, r2 = 0;

	memcpy(a, s, at);
	memcpy(b, s + at, len - at);
	h1_chunk_init(&c);
	r1 = h1_chunk_scan(&c, a, at);
	if (r1 >= 0 && c.st != H1_CK_DONE) {
		assert_int_equal(r1, at); /* all of it is body until the end */
		r2 = h1_chunk_scan(&c, b, len - at);
	}
	free(a);
	free(b);
	*done = c.st == H1_CK_DONE;
	if (r1 < 0 || r2 < 0)
		return -1;
	return r1 + r2;
}

/* Every split point of s: the body is `body_len` bytes (the rest, if any,
 * is the next message), or refused (-1) at every split. */
static void chunk_all_splits(const char *s, size_t len, ssize_t body_len)
{
	size_t at;

	for (at = 0; at <= len; at++) {
		int done;
		ssize_t r = chunk_split(s, len, at, &done);

		if (r != body_len)
			fail_msg("split at %zu of '%s': %zd, not %zd", at, s, r, body_len);
		if (body_len >= 0)
			assert_true(done);
	}
}

#define CHUNK_OK(lit, rest) chunk_all_splits(lit rest, sizeof(lit rest) - 1, (ssize_t)sizeof(lit) - 1)
#define CHUNK_BAD(lit) chunk_all_splits(lit, sizeof(lit) - 1, -1)

static void test_chunk_splits(void **state)
{
	CHUNK_OK("5\r\nhello\r\n0\r\n\r\n", "");
	CHUNK_OK("5\r\nhello\r\n0\r\n\r\n", "GET / HTTP/1.1\r\n\r\n");
	CHUNK_OK("1a;name=val; q=\"x\"\r\nabcdefghijklmnopqrstuvwxyz\r\n3 \r\nabc\r\n0\r\n\r\n", "X");
	CHUNK_OK("A\r\n0123456789\r\nf\r\n0123456789abcde\r\n00\r\n\r\n", "");
	CHUNK_OK("0\r\n\r\n", "0\r\n\r\n");
}

static void test_chunk_trailers(void **state)
{
	CHUNK_OK("3\r\nabc\r\n0\r\nX-Sum: 1\r\nY: \xe9\r\n\r\n", "next");
	CHUNK_BAD("3\r\nabc\r\n0\r\nX: a\0b\r\n\r\n");
	CHUNK_BAD("3\r\nabc\r\n0\r\nX: a\nY: b\r\n\r\n");
	CHUNK_BAD("3\r\nabc\r\n0\r\nX: a\rb\r\n\r\n");
	/* trailers over the limit */
	{
		size_t n = 8 + 20000 + 4;
		char *s = malloc(n);
		struct h1_chunk c;

		memcpy(s, "0\r\nX: ", 6);
		memset(s + 6, 'a', n - 6);
		memcpy(s + n - 4, "\r\n\r\n", 4);
		h1_chunk_init(&c);
		assert_int_equal(h1_chunk_scan(&c, s, n), -1);
		free(s);
	}
}

static void test_chunk_size_overflow(void **state)
{
	struct h1_chunk c;

	h1_chunk_init(&c);
	/* 16 hex digits: 2^64 - 1, taken (the data never comes) */
	assert_int_equal(h1_chunk_scan(&c, "ffffffffffffffff\r\nab", 20), 20);
	assert_int_equal(c.st, H1_CK_DATA);
	assert_true(c.remain == UINT64_MAX - 2);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_scan(&c, "10000000000000000\r\n", 19), -1);
	h1_chunk_init(&c);
	assert_int_equal(h1_chunk_scan(&c, "00000000000000003\r\nabc\r\n", 24), -1);
}

static void test_chunk_syntax(void **state)
{
	CHUNK_BAD("3\nabc\r\n0\r\n\r\n");	  /* bare LF after the size */
	CHUNK_BAD("3\r\nabc\n0\r\n\r\n");	  /* bare LF after the data */
	CHUNK_BAD("3\r\nabcd\r\n0\r\n\r\n");	  /* data longer than said */
	CHUNK_BAD("3 4\r\nabc\r\n0\r\n\r\n");	  /* a second number */
	CHUNK_BAD("\r\nabc\r\n0\r\n\r\n");	  /* no size */
	CHUNK_BAD("0x3\r\nabc\r\n0\r\n\r\n");	  /* no 0x */
	CHUNK_BAD("+3\r\nabc\r\n0\r\n\r\n");	  /* no sign */
	CHUNK_BAD("3;a\x01\r\nabc\r\n0\r\n\r\n"); /* a control in an extension */
	CHUNK_BAD("3\r\rabc\r\n0\r\n\r\n");
	CHUNK_BAD("0\r\n\r\r");
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
		cmocka_unit_test(test_req_framing),
		cmocka_unit_test(test_resp_framing),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_hdr_find),
		cmocka_unit_test(test_hdr_next_value),
		cmocka_unit_test(test_path_query),
		cmocka_unit_test(test_emit_unedited),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_edit_refused),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_chunk_splits),
		cmocka_unit_test(test_chunk_trailers),
		cmocka_unit_test(test_chunk_size_overflow),
		cmocka_unit_test(test_chunk_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
