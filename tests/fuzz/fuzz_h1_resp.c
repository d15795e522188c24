/* libFuzzer target: the HTTP/1.1 response parser (src/http/h1*.c), the
 * request's method chosen by the first byte, then edits, the head written
 * back and the chunked body scanned; the checks are in fuzz_h1.h.
 *   make build-fuzz/fuzz_h1_resp && build-fuzz/fuzz_h1_resp -max_total_time=60 tests/fuzz/corpus/h1_resp */
#include "fuzz_h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_h1_one(0, data, size);
}
