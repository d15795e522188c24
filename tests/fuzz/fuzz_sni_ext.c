/* libFuzzer target: a ClientHello's server_name extension body, the bytes
 * a client sends that pick a crt-list line before the handshake goes on
 * (tls_sni_of_ext, src/core/tls_srv.c).  A name it gives is NUL-ended
 * within the buffer, has no NUL of its own, is not empty, and is the
 * bytes of a host_name entry that lies inside the input; into a buffer
 * one byte too small for it, the same input gives no name.
 *   make build-fuzz/fuzz_sni_ext && build-fuzz/fuzz_sni_ext -max_total_time=60 tests/fuzz/corpus/sni_ext */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls_srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256], small[256];
	size_t n;
	const uint8_t *at;

	memset(name, 'x', sizeof(name));
	if (tls_sni_of_ext(data, size, name, sizeof(name)) < 0)
		return 0;
	if (!memchr(name, 0, sizeof(name)))
		abort();
	n = strlen(name);
	if (!n || n >= sizeof(name))
		abort();
	/* the name is an entry's: type 0, its length, then its bytes (the
	 * same bytes may come earlier, in another entry: any such place) */
	for (at = memmem(data, size, name, n); at; at = memmem(at + 1, size - (size_t)(at + 1 - data), name, n))
		if (at - data >= 5 && at[-3] == 0 && ((size_t)at[-2] << 8 | at[-1]) == n)
			break;
	if (!at)
		abort();
	if (tls_sni_of_ext(data, size, small, n) != -1)
		abort();
	return 0;
}
