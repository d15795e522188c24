/* The HTTP response parser of the HTTP_GET/SSL_GET checkers: the same
 * responses give the same result however the bytes are split; chunked with
 * extensions and trailers; every limit (headers, body, chunk line) and
 * every malformed part refused with a reason; HTTP/0.9; EOF rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/http_resp.h"

struct body {
	char buf[8192];
	size_t len;
	int refuse_after; /* >0: refuse once this many bytes came */
};

static int body_cb(void *arg, const char *p, size_t n)
{
	struct body *b = arg;

	if (b->len + n > sizeof(b->buf))
		return -1;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	if (b->refuse_after && b->len >= (size_t)b->refuse_after)
		return -1;
	return 0;
}

/* Feed s in pieces: first `split` bytes, then the rest in `step`-byte
 * pieces (step 0 = all at once); then EOF if eof.  The final rc. */
static int run(struct http_resp *r, struct body *b, const char *s, size_t len, size_t split,
	       size_t step, int eof, int expect_09)
{
	size_t off = 0;
	int rc = HTTP_RESP_MORE;

	http_resp_init(r, HTTP_HDR_MAX, HTTP_BODY_MAX, expect_09);
	memset(b, 0, sizeof(*b));
	r->body_cb = body_cb;
	r->cb_arg = b;
	if (split > len)
		split = len;
	if (split) {
		/* a heap copy of exactly the piece: ASan sees any read past it */
		char *piece = malloc(split);

		memcpy(piece, s, split);
		rc = http_resp_feed(r, piece, split);
		free(piece);
		off = split;
	}
	while (off < len && rc == HTTP_RESP_MORE) {
		size_t k = step && step < len - off ? step : len - off;
		char *piece = malloc(k);

		memcpy(piece, s + off, k);
		rc = http_resp_feed(r, piece, k);
		free(piece);
		off += k;
	}
	if (eof && rc == HTTP_RESP_MORE)
		rc = http_resp_eof(r);
	return rc;
}

/* The response parses to status/body at every split point and byte by
 * byte. */
static void expect_everywhere(const char *s, int eof, int status, const char *body, int framing)
{
	struct http_resp r;
	struct body b;
	size_t len = strlen(s), i;

	for (i = 0; i <= len + 1; i++) {
		int rc = run(&r, &b, s, len, i, i == len + 1 ? 1 : 0, eof, 0);

		if (rc != HTTP_RESP_DONE)
			fail_msg("split %zu: rc %d err '%s'", i, rc, r.err);
		assert_int_equal(r.status, status);
		assert_int_equal(r.framing, framing);
		assert_int_equal(b.len, strlen(body));
		assert_memory_equal(b.buf, body, b.len);
		assert_int_equal(r.body_bytes, strlen(body));
		http_resp_free(&r);
	}
}

static void expect_error(const char *s, size_t len, int eof, const char *errpart)
{
	struct http_resp r;
	struct body b;
	size_t i;

	for (i = 0; i <= len + 1; i++) {
		int rc = run(&r, &b, s, len, i, i == len + 1 ? 1 : 0, eof, 0);

		if (rc != HTTP_RESP_ERROR)
			fail_msg("split %zu: rc %d, expected an error (%s)", i, rc, errpart);
		if (!strstr(r.err, errpart))
			fail_msg("split %zu: err '%s', expected '%s'", i, r.err, errpart);
		/* further input is ignored */
		assert_int_equal(http_resp_feed(&r, "HTTP/1.1 200 OK\r\n\r\n", 19),
				 HTTP_RESP_ERROR);
		http_resp_free(&r);
	}
}

/* a literal's length, NULs inside included */
#define EXPECT_ERR(lit, eof, part) expect_error(lit, sizeof(lit) - 1, eof, part)

static void test_content_length(void **state)
{
	expect_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", 0, 200,
			  "hello", HTTP_FRAME_LENGTH);
	expect_everywhere("HTTP/1.0 503 Service Unavailable\r\ncontent-length:  3 \r\n\r\nbad", 0,
			  503, "bad", HTTP_FRAME_LENGTH);
	/* a list of equal values is one value */
	expect_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", 0, 200, "ok",
			  HTTP_FRAME_LENGTH);
	/* empty body: done at the end of the headers */
	expect_everywhere("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 404, "",
			  HTTP_FRAME_LENGTH);
	/* no reason phrase; bare LF line ends */
	expect_everywhere("HTTP/1.1 200\nContent-Length: 2\n\nok", 0, 200, "ok", HTTP_FRAME_LENGTH);
}

static void test_bytes_after_the_end_ignored(void **state)
{
	struct http_resp r;
	struct body b;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE";

	assert_int_equal(run(&r, &b, s, strlen(s), 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(b.len, 2);
	assert_int_equal(http_resp_feed(&r, "more", 4), HTTP_RESP_DONE);
	assert_int_equal(http_resp_eof(&r), HTTP_RESP_DONE);
	assert_int_equal(b.len, 2);
	http_resp_free(&r);
}

static void test_until_close(void **state)
{
	expect_everywhere("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it\r\n", 1, 200,
			  "all of it\r\n", HTTP_FRAME_CLOSE);
	/* a transfer coding that is not chunked also ends with the connection */
	expect_everywhere("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", 1, 200, "zz",
			  HTTP_FRAME_CLOSE);
}

static void test_chunked(void **state)
{
	/* extensions, upper and lower hex, trailers, bare LF after data */
	expect_everywhere("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "5;name=value\r\nhello\r\n"
			  "1 ; x\r\n \r\n"
			  "A\r\n0123456789\n"
			  "0;last\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n",
			  0, 200, "hello 0123456789", HTTP_FRAME_CHUNKED);
	/* Transfer-Encoding wins over Content-Length; codings listed */
	expect_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
			  "Transfer-Encoding: gzip, Chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
			  0, 200, "ab", HTTP_FRAME_CHUNKED);
	/* empty chunked body */
	expect_everywhere("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 200,
			  "", HTTP_FRAME_CHUNKED);
}

static void test_bad_chunks(void **state)
{
	static const char *const bad[] = {
	    "zz\r\n",		    /* not hex */
	    "\r\n",		    /* empty size */
	    "-1\r\n",		    /* sign */
	    "5x\r\nhello\r\n",	    /* junk after the digits */
	    "1000000000000000\r\n", /* 16 hex digits: over the bound */
	    "5\r\nhelloXX",	    /* no CRLF after the data */
	    "5\r\nhello\rX",	    /* CR then not LF */
	};
	char s[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s",
			 bad[i]);
		expect_error(s, strlen(s), 1, "chunk");
	}
	/* a chunk size line that never ends */
	{
		size_t n = 40 + 5000;
		char *big = malloc(n + 1);

		strcpy(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;");
		memset(big + strlen(big), 'e', n - strlen(big));
		big[n] = 0;
		expect_error(big, n, 1, "chunk size line too long");
		free(big);
	}
	/* a close in the middle of the chunks is not a complete body */
	EXPECT_ERR("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 1,
		   "before the end of the body");
}

static void test_status_line(void **state)
{
	EXPECT_ERR("<html>hello</html>", 1, "no HTTP status line");
	EXPECT_ERR("HTTX/1.1 200 OK\r\n\r\n", 1, "no HTTP status line");
	EXPECT_ERR("HTTP/2 200\r\n\r\n", 1, "bad status line");
	EXPECT_ERR("HTTP/2.0 200 OK\r\n\r\n", 1, "unsupported HTTP version");
	EXPECT_ERR("HTTP/1.1 2000 OK\r\n\r\n", 1, "bad status line");
	EXPECT_ERR("HTTP/1.1 20 OK\r\n\r\n", 1, "bad status line");
	EXPECT_ERR("HTTP/1.1 abc OK\r\n\r\n", 1, "bad status line");
	EXPECT_ERR("HTTP/1.1 099 OK\r\n\r\n", 1, "bad status code");
	EXPECT_ERR("HTTP/1.1 600 OK\r\n\r\n", 1, "bad status code");
	EXPECT_ERR("HTTP/1.1\r\n\r\n", 1, "bad status line");
	/* a status line that does not end before the header limit */
	{
		size_t n = HTTP_HDR_MAX + 100;
		char *big = malloc(n);

		memcpy(big, "HTTP/1.1 200 ", 13);
		memset(big + 13, 'x', n - 13);
		expect_error(big, n, 1, "header section larger than the limit");
		free(big);
	}
}

static void test_headers(void **state)
{
	EXPECT_ERR("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 1, "malformed header");
	EXPECT_ERR("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", 1, "malformed header");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", 1, "space before");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", 1,
		   "conflicting Content-Length");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx", 1, "bad Content-Length");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nx", 1, "bad Content-Length");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nx", 1, "empty Content-Length");
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 1,
		   "Content-Length too large");
	EXPECT_ERR("HTTP/1.1 101 Switching Protocols\r\n\r\n", 1, "101");
	/* headers cut by a close */
	EXPECT_ERR("HTTP/1.1 200 OK\r\nServer: x\r\n", 1, "inside the headers");
	/* a folded continuation line is ignored */
	expect_everywhere("HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 1\r\n\r\nk", 0,
			  200, "k", HTTP_FRAME_LENGTH);
}

static void test_huge_headers(void **state)
{
	struct http_resp r;
	struct body b;
	size_t n = 20000, i, len;
	char *s = malloc(n + 64);

	/* many small header lines that add up over the limit */
	len = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\n");
	for (i = 0; len < n; i++)
		len += (size_t)sprintf(s + len, "X-%05zu: v\r\n", i);
	len += (size_t)sprintf(s + len, "\r\n");
	assert_int_equal(run(&r, &b, s, len, 0, 0, 1, 0), HTTP_RESP_ERROR);
	assert_non_null(strstr(r.err, "header section larger"));
	http_resp_free(&r);
	assert_int_equal(run(&r, &b, s, len, 0, 7, 1, 0), HTTP_RESP_ERROR);
	http_resp_free(&r);

	/* just under the limit is fine */
	len = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
	while (len + 14 < HTTP_HDR_MAX)
		len += (size_t)sprintf(s + len, "X-%05zu: v\r\n", len);
	len += (size_t)sprintf(s + len, "\r\n");
	assert_true(len <= HTTP_HDR_MAX);
	assert_int_equal(run(&r, &b, s, len, 0, 0, 0, 0), HTTP_RESP_DONE);
	http_resp_free(&r);
	/* in pieces too: a line taken in parts is counted once */
	assert_int_equal(run(&r, &b, s, len, 0, 7, 0, 0), HTTP_RESP_DONE);
	http_resp_free(&r);
	assert_int_equal(run(&r, &b, s, len, 0, 1, 0, 0), HTTP_RESP_DONE);
	http_resp_free(&r);
	free(s);
}

static void test_nul_bytes(void **state)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nX\0Y: a\0b\r\nContent-Length: 1\r\n\r\nk";
	struct http_resp r;
	struct body b;

	assert_int_equal(run(&r, &b, s, sizeof(s) - 1, 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(b.len, 1);
	http_resp_free(&r);
	/* NUL in the status line: refused, never read past */
	assert_int_equal(run(&r, &b, "HTTP/1.1 2\0000 OK\r\n\r\n", 19, 0, 0, 1, 0),
			 HTTP_RESP_ERROR);
	http_resp_free(&r);
	/* control bytes quoted in the reason are made printable */
	assert_int_equal(run(&r, &b, "\x01\x02garbage\r\n", 11, 0, 0, 1, 0), HTTP_RESP_ERROR);
	assert_null(strchr(r.err, 1));
	http_resp_free(&r);
}

static void test_no_body_statuses(void **state)
{
	/* 204 and 304 have no body whatever the headers say */
	expect_everywhere("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 0, 204, "",
			  HTTP_FRAME_NONE);
	expect_everywhere("HTTP/1.1 304 Not Modified\r\n\r\n", 0, 304, "", HTTP_FRAME_NONE);
	/* interim 1xx responses are skipped */
	expect_everywhere("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
			  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
			  0, 200, "abc", HTTP_FRAME_LENGTH);
}

static void test_connection(void **state)
{
	struct http_resp r;
	struct body b;
	const char *a = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	const char *c =
	    "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nContent-Length: 0\r\n\r\n";
	const char *d = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
	const char *e = "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";

	assert_int_equal(run(&r, &b, a, strlen(a), 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(r.conn_close, 0);
	assert_int_equal(r.version, 11);
	http_resp_free(&r);
	assert_int_equal(run(&r, &b, c, strlen(c), 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(r.conn_close, 1);
	http_resp_free(&r);
	assert_int_equal(run(&r, &b, d, strlen(d), 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(r.conn_close, 1);
	assert_int_equal(r.version, 10);
	http_resp_free(&r);
	assert_int_equal(run(&r, &b, e, strlen(e), 0, 0, 0, 0), HTTP_RESP_DONE);
	assert_int_equal(r.conn_close, 0);
	http_resp_free(&r);
}

static void test_http09(void **state)
{
	struct http_resp r;
	struct body b;
	const char *s = "<html>old style</html>";
	size_t i;

	for (i = 0; i <= strlen(s); i++) {
		assert_int_equal(run(&r, &b, s, strlen(s), i, 3, 1, 1), HTTP_RESP_DONE);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.version, 9);
		assert_int_equal(b.len, strlen(s));
		assert_memory_equal(b.buf, s, b.len);
		http_resp_free(&r);
	}
	/* a close with no byte at all is no reply */
	assert_int_equal(run(&r, &b, "", 0, 0, 0, 1, 1), HTTP_RESP_ERROR);
	assert_non_null(strstr(r.err, "without a reply"));
	http_resp_free(&r);
	/* and the same for HTTP/1.x */
	assert_int_equal(run(&r, &b, "", 0, 0, 0, 1, 0), HTTP_RESP_ERROR);
	assert_non_null(strstr(r.err, "without a reply"));
	http_resp_free(&r);
}

static void test_body_limits(void **state)
{
	struct http_resp r;
	struct body b;
	char big[300];
	int rc;

	/* Content-Length over the limit: refused at the end of the headers */
	http_resp_init(&r, HTTP_HDR_MAX, 100, 0);
	rc = http_resp_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 40);
	assert_int_equal(rc, HTTP_RESP_ERROR);
	assert_non_null(strstr(r.err, "body larger than 100 bytes"));
	assert_int_equal(r.headers_done, 1);
	assert_int_equal(r.status, 200);
	http_resp_free(&r);

	/* until-close and chunked bodies: refused when they pass it */
	memset(big, 'x', sizeof(big));
	http_resp_init(&r, HTTP_HDR_MAX, 100, 0);
	assert_int_equal(http_resp_feed(&r, "HTTP/1.1 200 OK\r\n\r\n", 19), HTTP_RESP_MORE);
	assert_int_equal(http_resp_feed(&r, big, 100), HTTP_RESP_MORE);
	assert_int_equal(http_resp_feed(&r, big, 1), HTTP_RESP_ERROR);
	http_resp_free(&r);

	http_resp_init(&r, HTTP_HDR_MAX, 100, 0);
	assert_int_equal(
	    http_resp_feed(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n", 51),
	    HTTP_RESP_MORE);
	assert_int_equal(http_resp_feed(&r, big, 128), HTTP_RESP_ERROR);
	http_resp_free(&r);

	/* the callback can refuse the body */
	http_resp_init(&r, HTTP_HDR_MAX, HTTP_BODY_MAX, 0);
	memset(&b, 0, sizeof(b));
	b.refuse_after = 3;
	r.body_cb = body_cb;
	r.cb_arg = &b;
	rc = http_resp_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 43);
	assert_int_equal(rc, HTTP_RESP_ERROR);
	assert_string_equal(r.err, "body refused");
	http_resp_free(&r);
}

static void test_truncated_length(void **state)
{
	EXPECT_ERR("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1,
		   "before the end of the body");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_content_length),
	    cmocka_unit_test(test_bytes_after_the_end_ignored),
	    cmocka_unit_test(test_until_close),
	    cmocka_unit_test(test_chunked),
	    cmocka_unit_test(test_bad_chunks),
	    cmocka_unit_test(test_status_line),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_huge_headers),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_no_body_statuses),
	    cmocka_unit_test(test_connection),
	    cmocka_unit_test(test_http09),
	    cmocka_unit_test(test_body_limits),
	    cmocka_unit_test(test_truncated_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
