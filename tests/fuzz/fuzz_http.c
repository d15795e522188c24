/* libFuzzer target: the HTTP response parser of HTTP_GET/SSL_GET
 * (src/check/http_resp.c), where keepalived had a heap overflow
 * (CVE-2018-19115).  The first byte picks the options (HTTP/0.9, a small
 * body limit, EOF at the end) and the piece size; the rest is the reply.
 * The reply is fed whole and then in pieces, each piece a heap copy of its
 * exact size so ASan sees any read past it; both runs must agree, and the
 * body delivered must match what the parser counts.
 *   make fuzz-bins && build-fuzz/fuzz_http -max_total_time=60 tests/fuzz/corpus/http */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/http_resp.h"

struct sink {
	uint64_t n;
	uint32_t sum; /* order-sensitive checksum of the body */
};

static int sink_cb(void *arg, const char *p, size_t n)
{
	struct sink *s = arg;
	size_t i;

	for (i = 0; i < n; i++)
		s->sum = s->sum * 31 + (unsigned char)p[i];
	s->n += n;
	return 0;
}

struct result {
	int rc, status, framing, headers_done;
	uint64_t body;
	struct sink sink;
};

static void parse(const uint8_t *data, size_t size, size_t piece, int opts, struct result *out)
{
	struct http_resp r;
	size_t off = 0;
	int rc = HTTP_RESP_MORE;

	memset(out, 0, sizeof(*out));
	http_resp_init(&r, opts & 2 ? 64 : HTTP_HDR_MAX, opts & 4 ? 16 : HTTP_BODY_MAX, opts & 1);
	r.body_cb = sink_cb;
	r.cb_arg = &out->sink;
	while (off < size && rc == HTTP_RESP_MORE) {
		size_t k = piece && piece < size - off ? piece : size - off;
		char *buf = malloc(k);

		memcpy(buf, data + off, k);
		rc = http_resp_feed(&r, buf, k);
		free(buf);
		off += k;
	}
	if (rc == HTTP_RESP_MORE && (opts & 8))
		rc = http_resp_eof(&r);
	out->rc = rc;
	out->status = r.status;
	out->framing = r.framing;
	out->headers_done = r.headers_done;
	out->body = r.body_bytes;
	if (r.body_bytes != out->sink.n)
		abort(); /* counted and delivered differ */
	if (rc == HTTP_RESP_DONE && r.framing == HTTP_FRAME_LENGTH &&
	    r.body_bytes != r.content_length)
		abort(); /* done before the announced length */
	if (rc == HTTP_RESP_DONE && !r.headers_done)
		abort();
	if (rc == HTTP_RESP_ERROR && !r.err[0])
		abort(); /* an error always says why */
	if (r.headers_done && (r.status < 100 || r.status > 599))
		abort();
	http_resp_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, split;
	int opts;
	size_t piece;

	if (size < 1)
		return 0;
	opts = data[0] & 15;
	piece = (size_t)(data[0] >> 4) + 1; /* 1..16 bytes */
	data++;
	size--;
	parse(data, size, 0, opts, &whole);
	parse(data, size, piece, opts, &split);
	if (whole.rc != split.rc || whole.status != split.status ||
	    whole.framing != split.framing || whole.headers_done != split.headers_done)
		abort(); /* the split changed the result */
	/* a refused body may have been cut at a different byte */
	if (whole.rc != HTTP_RESP_ERROR &&
	    (whole.body != split.body || whole.sink.sum != split.sink.sum))
		abort();
	return 0;
}
