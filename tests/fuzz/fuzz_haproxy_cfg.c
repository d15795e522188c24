/* libFuzzer target for the haproxy.cfg reader (src/conf/haproxy*.c): any
 * bytes in, a model or NULL out, never a crash, an out-of-bounds read or a
 * leak.  Seeds (tests/fuzz/corpus/haproxy_cfg): seed 003's three files, a
 * file with every section and keyword the reader serves, the language's
 * corners (quotes, escapes, ${ENV}, nested .if blocks).  In the fuzz build
 * (FC_FUZZ) the reader leaves the environment alone (setenv/unsetenv). */
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct conf_diag d = {0};
	int score = conf_reader_haproxy.probe(text, size);

	if (score < 0 || score > 100)
		__builtin_trap(); /* reader-t.h: 0 .. 100 */
	config_free(conf_reader_haproxy.load_string("fuzz.cfg", text, size, &d));
	return 0;
}
