/* libFuzzer target: HPACK header blocks (src/http/hpack*.c).  The input is
 * the table limit (first byte, times 32) then blocks, each a length octet
 * and that many bytes, decoded in turn by one decoder so the dynamic table
 * carries over.  Nothing may be read out of bounds; after each block the
 * table stays within its limits and its size is the sum of its entries;
 * every decoded value survives a Huffman round trip.
 *   make build-fuzz/fuzz_hpack && build-fuzz/fuzz_hpack -max_total_time=60 tests/fuzz/corpus/hpack */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/hpack.h"

static void check_table(const struct hpack_dec *d)
{
	size_t sum = 0;

	if (d->max > d->limit || d->size > d->max || d->count > HPACK_MAX_ENTRIES)
		abort();
	for (unsigned i = 0; i < d->count; i++) {
		const struct hpack_ent *e = &d->ent[(d->head + i) % HPACK_MAX_ENTRIES];

		sum += e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;
	}
	if (sum != d->size)
		abort();
}

static void roundtrip(const char *s, size_t len)
{
	uint8_t enc[1024];
	char dec[256];
	size_t n;

	if (len > sizeof(dec))
		return;
	n = hpack_huff_enc(s, len, enc, sizeof(enc));
	if (!n && len)
		abort();
	if (hpack_huff_dec(enc, n, dec, sizeof(dec)) != (ssize_t)len || memcmp(dec, s, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpack_dec d;
	struct hpack_hdr h[64];
	char buf[2048];
	size_t pos = 1;

	if (size < 1)
		return 0;
	hpack_dec_init(&d, (size_t)data[0] * 32);
	while (pos < size) {
		size_t len = data[pos++];
		uint8_t *copy;
		int n;

		if (len > size - pos)
			len = size - pos;
		/* an exact-size copy, so that ASan sees any read past the block */
		copy = malloc(len ? len : 1);
		if (!copy)
			break;
		memcpy(copy, data + pos, len);
		pos += len;
		n = hpack_decode(&d, copy, len, h, 64, buf, sizeof(buf));
		free(copy);
		check_table(&d);
		if (n < 0)
			break; /* a COMPRESSION_ERROR ends the connection */
		for (int i = 0; i < n; i++) {
			if (h[i].name < buf || h[i].name + h[i].nlen > buf + sizeof(buf) || h[i].value < buf ||
			    h[i].value + h[i].vlen > buf + sizeof(buf))
				abort();
			roundtrip(h[i].value, h[i].vlen);
		}
	}
	hpack_dec_free(&d);
	return 0;
}
