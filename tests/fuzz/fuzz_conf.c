/* libFuzzer target for the configuration readers: any bytes in, a model or
 * NULL out, never a crash, an out-of-bounds read or a leak.  Every reader of
 * the registry (src/conf/reader.c) probes the bytes and reads them, whatever
 * its probe says, so that each grammar is fuzzed on every input.  Built with
 * -DFC_FUZZ, which turns `include` into an error (no file system access). */
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	unsigned i;

	for (i = 0; conf_readers[i]; i++) {
		const struct conf_reader *r = conf_readers[i];
		struct conf_diag d = {0};
		int score = r->probe(text, size);

		if (score < 0 || score > 100)
			__builtin_trap(); /* reader-t.h: 0 .. 100 */
		config_free(r->load_string("fuzz.conf", text, size, &d));
	}
	return 0;
}
