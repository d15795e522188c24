/* libFuzzer target: the HTTP/2 gateway's request (src/proxy/h2_gw_req.c).
 * The input's first byte says whether the HEADERS ended the stream, the
 * rest is a header block; the decoded fields go through
 * h2gw_build_request.  What the gateway writes must be exactly one
 * HTTP/1.1 head, parsed whole by the engine's own parser or refused by it:
 * never a head that ends early (a second, smuggled request after it) or
 * one the parser is still waiting on.
 *   make build-fuzz/fuzz_h2_req && build-fuzz/fuzz_h2_req -max_total_time=60 tests/fuzz/corpus/h2_req */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"
#include "http/hpack.h"
#include "proxy/h2_gw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct h1_msg m;
	static struct hpack_dec d;
	struct hpack_hdr h[H1_MAX_HDRS];
	char buf[H2GW_HDRLIST];
	struct h2gw_stream s;
	uint8_t *copy;
	int n, r;

	if (size < 1)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	hpack_dec_init(&d, HPACK_TABLE_LIMIT);
	n = hpack_decode(&d, copy, size - 1, h, H1_MAX_HDRS, buf, sizeof(buf));
	free(copy);
	memset(&s, 0, sizeof(s));
	s.rq = malloc(H2GW_RQ);
	if (n >= 0 && s.rq && h2gw_build_request(&s, h, n, data[0] & 1) == 0) {
		/* a heap copy of the exact length: ASan sees a read past it */
		char *head = malloc(s.rq_len);

		if (!head)
			abort();
		memcpy(head, s.rq, s.rq_len);
		r = h1_parse_req(&m, head, s.rq_len, s.rq_len + 1);
		if (r == 0 || (r > 0 && (uint32_t)r != s.rq_len))
			abort();
		free(head);
	}
	free(s.rq);
	hpack_dec_free(&d);
	return 0;
}
