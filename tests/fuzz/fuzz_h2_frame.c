/* libFuzzer target: HTTP/2 frames as the gateway reads them
 * (src/http/h2_frame.c): the input is a run of frames; each header is
 * parsed and written back identically, the payload (an exact-size copy)
 * goes through padding/priority removal and, for SETTINGS, through
 * h2_settings_apply.  What comes out must lie inside the payload, and
 * settings must stay within RFC 9113's bounds whatever was refused.
 *   make build-fuzz/fuzz_h2_frame && build-fuzz/fuzz_h2_frame -max_total_time=60 tests/fuzz/corpus/h2_frame */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h2_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h2_settings s, old;
	size_t pos = 0;

	h2_settings_init(&s);
	while (size - pos >= H2_FH_LEN) {
		struct h2_fh fh;
		uint8_t back[H2_FH_LEN], *p;
		uint32_t off, dlen;
		int64_t delta;
		size_t len;

		h2_fh_parse(data + pos, &fh);
		h2_fh_build(back, fh.len, fh.type, fh.flags, fh.sid);
		if (memcmp(back, data + pos, 5) || memcmp(back + 6, data + pos + 6, 3) ||
		    (back[5] ^ data[pos + 5]) & 0x7f)
			abort(); /* the same header but the reserved bit */
		pos += H2_FH_LEN;
		len = fh.len < size - pos ? fh.len : size - pos;
		p = malloc(len ? len : 1);
		if (!p)
			return 0;
		memcpy(p, data + pos, len);
		pos += len;
		if (h2_payload(p, (uint32_t)len, fh.type, fh.flags, fh.sid, &off, &dlen) == 0 &&
		    ((size_t)off + dlen > len))
			abort();
		old = s;
		if (fh.type == H2_SETTINGS) {
			if (h2_settings_apply(&s, p, (uint32_t)len, &delta) == 0) {
				if (delta != (int64_t)s.initial_window - old.initial_window)
					abort();
			} else if (memcmp(&old, &s, sizeof(s))) {
				abort(); /* refused: nothing changed */
			}
		}
		if (s.initial_window > H2_MAX_WINDOW || s.max_frame < H2_DEF_FRAME || s.max_frame > H2_MAX_FRAME ||
		    s.enable_push > 1)
			abort();
		if (len >= 4 && h2_u31(p) > 0x7fffffff)
			abort();
		free(p);
	}
	return 0;
}
