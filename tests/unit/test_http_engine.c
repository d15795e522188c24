/* The HTTP engine's body forwarding (src/proxy/http_fwd.c): a body moves
 * from one side's buffer to the other's exactly as far as its framing
 * says -- Content-Length counted, chunked checked as it passes (a syntax
 * error stops it), close-delimited until EOF -- whatever the pieces it
 * comes in, never eating the next pipelined message, and dropped when the
 * client asked HEAD.  A buffer is the engine's only while it holds bytes,
 * and an idle connection costs a struct hstream of bounded size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/h1.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

static struct proxy px; /* only its pool of idle buffers is used */

struct pair {
	char in[HTTP_BUF_SIZE], out[HTTP_BUF_SIZE];
	struct hbuf i, o;
};

static void pair_init(struct pair *p)
{
	memset(&p->i, 0, sizeof(p->i));
	memset(&p->o, 0, sizeof(p->o));
	p->i.p = p->in;
	p->o.p = p->out;
}

/* Feed text in pieces of `step` bytes (0: at once) through f; the bytes
 * that came out, NUL-ended, in p->out; returns the last hfwd_move result
 * (-1 on a syntax error). */
static ssize_t feed(struct pair *p, struct hfwd *f, const char *text, size_t step, int eof)
{
	size_t len = strlen(text), at = 0;
	ssize_t r = 0;

	pair_init(p);
	while (at < len) {
		size_t n = step && len - at > step ? step : len - at;

		assert_int_equal(hbuf_put(&px, &p->i, text + at, n), 0);
		at += n;
		r = hfwd_move(&px, f, &p->i, &p->o, eof && at == len);
		if (r < 0)
			return r;
	}
	p->out[p->o.len] = 0;
	return r;
}

static void body_of(struct hfwd *f, const char *head)
{
	struct h1_msg *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	assert_true(h1_parse_req(m, head, strlen(head), HTTP_BUF_SIZE) > 0);
	hfwd_init(f, m);
	free(m);
}

static void test_content_length_stops_at_the_next_message(void **state)
{
	static const size_t steps[] = {0, 1, 3, 7};
	struct pair *p = malloc(sizeof(*p));
	struct hfwd f;
	size_t k;

	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
		feed(p, &f, "helloGET /next HTTP/1.1\r\n", steps[k], 0);
		assert_true(f.done);
		assert_string_equal(p->out, "hello");
		/* the next request stays in the input */
		assert_int_equal(hbuf_data(&p->i), strlen("GET /next HTTP/1.1\r\n"));
	}
	free(p);
}

static void test_chunked_checked_as_it_passes(void **state)
{
	static const char body[] = "5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n";
	struct pair *p = malloc(sizeof(*p));
	struct hfwd f;
	size_t step;

	for (step = 0; step <= 5; step++) {
		char text[128];

		body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
		snprintf(text, sizeof(text), "%sNEXT", body);
		assert_true(feed(p, &f, text, step, 0) >= 0);
		assert_true(f.done);
		assert_string_equal(p->out, body);
		assert_int_equal(hbuf_data(&p->i), 4);
	}
	/* a bad chunk size stops the body */
	body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_int_equal(feed(p, &f, "zz\r\nhello\r\n", 0, 0), -1);
	assert_false(f.done);
	free(p);
}

static void test_close_delimited_and_dropped(void **state)
{
	struct pair *p = malloc(sizeof(*p));
	struct hfwd f = {.kind = H1_BODY_EOF};

	h1_chunk_init(&f.ck);
	feed(p, &f, "until the end", 4, 0);
	assert_false(f.done);
	feed(p, &f, "x", 0, 1);
	assert_true(f.done);

	/* out NULL: a HEAD's body is read and dropped */
	body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n");
	pair_init(p);
	assert_int_equal(hbuf_put(&px, &p->i, "abcdef", 6), 0);
	assert_int_equal(hfwd_move(&px, &f, &p->i, NULL, 0), 3);
	assert_true(f.done);
	assert_int_equal(hbuf_data(&p->i), 3);
	free(p);
}

static void test_full_output_waits(void **state)
{
	struct pair *p = malloc(sizeof(*p));
	struct hfwd f;
	char chunk[1024];

	memset(chunk, 'a', sizeof(chunk));
	body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n");
	pair_init(p);
	p->o.len = HTTP_BUF_SIZE - 100; /* the destination is nearly full */
	assert_int_equal(hbuf_put(&px, &p->i, chunk, sizeof(chunk)), 0);
	assert_int_equal(hfwd_move(&px, &f, &p->i, &p->o, 0), 100);
	assert_int_equal(hfwd_move(&px, &f, &p->i, &p->o, 0), 0);
	p->o.off = p->o.len; /* sent */
	assert_int_equal(hfwd_move(&px, &f, &p->i, &p->o, 0), sizeof(chunk) - 100);
	assert_int_equal(f.left, 20000 - sizeof(chunk));
	free(p);
}

/* No buffer until bytes come; the output's taken when the body moves;
 * each given back once empty, and the next taker gets an idle one. */
static void test_buffers_held_only_with_bytes(void **state)
{
	struct hbuf in = {0}, out = {0};
	struct hfwd f;
	char *first;

	body_of(&f, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
	assert_int_equal(hfwd_move(&px, &f, &in, &out, 0), 0);
	assert_null(in.p);
	assert_null(out.p); /* nothing to move: nothing taken */
	assert_int_equal(hbuf_put(&px, &in, "hello", 5), 0);
	assert_non_null(in.p);
	assert_int_equal(hfwd_move(&px, &f, &in, &out, 0), 5);
	assert_non_null(out.p);
	assert_true(f.done);

	hbuf_give(&px, &in); /* empty: back to the pool */
	assert_null(in.p);
	assert_int_equal(px.nbufs, 1);
	first = px.bufs[0];
	hbuf_give(&px, &out); /* still holds the body: kept */
	assert_non_null(out.p);
	out.off = out.len; /* sent */
	hbuf_give(&px, &out);
	assert_null(out.p);
	assert_int_equal(px.nbufs, 2);

	assert_int_equal(hbuf_take(&px, &in), 0);
	assert_int_equal(px.nbufs, 1);
	assert_true(in.p != first); /* the last given back comes first */
	hbuf_give(&px, &in);
	relay_pool_free(&px);
	assert_int_equal(px.nbufs, 0);
}

/* What an idle keep-alive connection costs is the struct hstream alone
 * (doc/internals/http.md "The engine's memory per connection"): issue 12
 * wants it under half of HAProxy's (about 1,150 bytes of RSS, bench/idle.py).
 * 440 bytes is a 448-byte glibc chunk, 0.39x: a field that must live through
 * idle time is a choice to make here, with the bench re-run; one that lives
 * only during a transaction belongs in struct hs_txn. */
#define HSTREAM_IDLE_MAX 440

static void test_idle_stream_stays_small(void **state)
{
	(void)state;
	if (sizeof(struct hstream) > HSTREAM_IDLE_MAX)
		fail_msg("struct hstream is %zu bytes, over %d: an idle connection grew",
			 sizeof(struct hstream), HSTREAM_IDLE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_content_length_stops_at_the_next_message),
	    cmocka_unit_test(test_chunked_checked_as_it_passes),
	    cmocka_unit_test(test_close_delimited_and_dropped),
	    cmocka_unit_test(test_full_output_waits),
	    cmocka_unit_test(test_buffers_held_only_with_bytes),
	    cmocka_unit_test(test_idle_stream_stays_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
