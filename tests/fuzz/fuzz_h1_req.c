/* libFuzzer target: the HTTP/1.1 request parser (src/http/h1*.c), then
 * edits, the head written back and the chunked body scanned; the checks
 * are in fuzz_h1.h.
 *   make build-fuzz/fuzz_h1_req && build-fuzz/fuzz_h1_req -max_total_time=60 tests/fuzz/corpus/h1_req */
#include "fuzz_h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_h1_one(1, data, size);
}
