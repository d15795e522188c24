/* libFuzzer target: bytes as a password given to PGSQL_CHECK, through
 * SASLprep (src/check/saslprep.c).  Nothing may crash or read out of
 * bounds; a prepared password is valid UTF-8, and an input SASLprep takes
 * as it is (OK, no output) is pure ASCII. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "check/saslprep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out;
	size_t i;
	int32_t k, n;
	UChar32 c;

	if (size > 4096)
		return 0;
	in = malloc(size + 1); /* exact size, NUL ended: ASan sees any overrun */
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = 0;
	switch (saslprep(in, &out)) {
	case SASLPREP_OK:
		if (!out) {
			for (i = 0; in[i]; i++)
				if ((unsigned char)in[i] & 0x80)
					abort();
			break;
		}
		n = (int32_t)strlen(out);
		for (k = 0; k < n;) {
			U8_NEXT(out, k, n, c);
			if (c < 0)
				abort();
		}
		free(out);
		break;
	case SASLPREP_INVALID_UTF8:
	case SASLPREP_PROHIBITED:
	case SASLPREP_NOMEM:
		if (out)
			abort();
		break;
	default:
		abort();
	}
	free(in);
	return 0;
}
