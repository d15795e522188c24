/* The HTTP/1.1 parser (src/http/h1*.c) on messages it accepts: every
 * framing case, header lookup, edits and the head written back, parsing
 * fed byte by byte, and the chunked-body scanner over every split point.
 * Each message is parsed from a heap copy of its exact length
 * (h1_harness.h).  test_h1.c: the defences. */
#include "h1_harness.h"

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
	assert_string_equal(emit(&p->m), "POST /f?x HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\nx-empty: \r\n\r\n");
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
	assert_string_equal(emit(&p->m), "HTTP/1.0 302 Moved\r\nlocation: /x\r\n\r\n");
	pm_free(p);
}

/* Names go out lowered eight bytes at a time: every tchar around 'A'-'Z'
 * ('@' is not one, '[' neither; '^', '_', '`', '|', '~' are) kept, at
 * every offset in a word, and a name's tail shorter than a word too. */
static void test_emit_lowers_names(void **state)
{
	static const char name[] = "X-AZaz09^_`|~!#$%&'*+-.ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char in[256], want[256], lname[sizeof(name)];
	size_t i, len;
	struct pm *p;

	(void)state;
	for (i = 0; i < sizeof(name); i++)
		lname[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	for (len = 1; len < sizeof(name); len++) {
		snprintf(in, sizeof(in), "GET / HTTP/1.1\r\n%.*s: V\r\n\r\n", (int)len, name);
		snprintf(want, sizeof(want), "GET / HTTP/1.1\r\n%.*s: V\r\n\r\n", (int)len, lname);
		p = req(in);
		assert_true(p->rc > 0);
		assert_string_equal(emit(&p->m), want);
		pm_free(p);
	}
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
	assert_string_equal(emit(&p->m), "HEAD /new?q=1 HTTP/1.1\r\nx-forwarded-for: 10.0.0.1\r\n"
					 "via: 1.1 fulcrum\r\nhost: b\r\n\r\n");
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
	assert_string_equal(emit(&p->m), "HTTP/1.1 503 Service Unavailable\r\nserver: x\r\n\r\n");
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
		cmocka_unit_test(test_req_framing),
		cmocka_unit_test(test_resp_framing),
		cmocka_unit_test(test_status_line),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_hdr_find),
		cmocka_unit_test(test_hdr_next_value),
		cmocka_unit_test(test_path_query),
		cmocka_unit_test(test_emit_unedited),
		cmocka_unit_test(test_emit_lowers_names),
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
