/* libFuzzer target: an Authorization header's value as http_auth and the
 * stats page read it (src/http/auth.c, src/core/b64.c): the scheme, the
 * base64 decoded into a bounded buffer, the split at the first ':'.  The
 * value is a heap copy of its exact size, so ASan sees any read past it;
 * what comes out must lie inside the credentials' buffer, say its own
 * lengths, and join back into what was decoded.
 *   make build-fuzz/fuzz_http_auth && build-fuzz/fuzz_http_auth tests/fuzz/corpus/http_auth */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "http/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size ? size : 1), dec[HTTP_CRED_MAX];
	struct http_cred c;
	int n;

	if (!v)
		return 0;
	memcpy(v, data, size);
	if (http_cred_parse(v, size, &c) == HAUTH_BASIC) {
		assert(c.user == c.buf && c.pass == c.user + c.ulen + 1);
		assert(c.ulen + 1 + c.plen <= HTTP_CRED_MAX);
		assert(strlen(c.user) == c.ulen && strlen(c.pass) == c.plen);
		assert(!memchr(c.user, ':', c.ulen));
	} else {
		assert(!c.user && !c.pass);
	}
	/* the decoder alone, with a small output: never past max */
	n = b64_decode(v, size, dec, 16);
	assert(n >= -1 && n <= 16);
	free(v);
	return 0;
}
