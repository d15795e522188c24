/* libFuzzer target for the ldirectord.cf reader (src/conf/ldirectord*.c):
 * any bytes in, a model or NULL out, never a crash, an out-of-bounds read
 * or a leak.  fuzz_conf runs every reader on every input; this one spends
 * all its time on this grammar, from seeds that are ldirectord.cf files
 * (tests/fuzz/corpus/ldirectord: resource-agents' sample, seed 004's two
 * files, every keyword).  The reader only reads /etc/services and stat()s
 * the paths it is given (maintenancedir, scripts). */
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct conf_diag d = {0};
	int score = conf_reader_ldirectord.probe(text, size);

	if (score < 0 || score > 100)
		__builtin_trap(); /* reader-t.h: 0 .. 100 */
	config_free(conf_reader_ldirectord.load_string("fuzz.cf", text, size, &d));
	return 0;
}
