/* Base64 decoding (b64.h). */
#include "core/b64.h"

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int b64_decode(const char *in, size_t len, char *out, size_t max)
{
	unsigned acc = 0, bits = 0;
	size_t i, n = 0, pad = 0;

	if (len % 4)
		return -1;
	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	len -= pad;
	for (i = 0; i < len; i++) {
		int v = b64_val((unsigned char)in[i]);

		if (v < 0)
			return -1; /* a stray '=' (or a third) is no base64 either */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= max)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (int)n;
}
