/* libFuzzer target for the configuration reader: any bytes in, a model or
 * NULL out, never a crash, an out-of-bounds read or a leak.  Built with
 * -DFC_FUZZ, which turns `include` into an error (no file system access). */
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_diag d = {0};
	struct config *cfg = conf_load_string("fuzz.conf", (const char *)data, size, &d);

	config_free(cfg);
	return 0;
}
