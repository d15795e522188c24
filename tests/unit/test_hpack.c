/* HPACK (src/http/hpack*.c): RFC 7541 Appendix C's examples byte for byte
 * (C.2 to C.6: the dynamic table's content and size after each block, its
 * eviction in C.5/C.6), the Huffman table against its canonical
 * construction, Huffman both ways, the encoder read back by the decoder,
 * and every malformed input refused.  Each block is decoded from a heap
 * copy of its exact length, so ASan sees any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/hpack.h"

/* "82 86 84" -> bytes in a heap block of the exact length */
static uint8_t *unhex(const char *hex, size_t *len)
{
	uint8_t *b = malloc(strlen(hex) / 2 + 1);
	size_t n = 0;
	unsigned v;

	for (const char *p = hex; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		b[n++] = (uint8_t)v;
		p += 2;
	}
	*len = n;
	return realloc(b, n ? n : 1);
}

/* Decode `hex` and return the fields as "name: value\n" lines (static). */
static int decode_hex(struct hpack_dec *d, const char *hex, char *text, size_t tcap)
{
	size_t len, t = 0;
	uint8_t *in = unhex(hex, &len);
	struct hpack_hdr h[32];
	char buf[4096];
	int n = hpack_decode(d, in, len, h, 32, buf, sizeof(buf));

	free(in);
	text[0] = 0;
	for (int i = 0; i < n; i++)
		t += (size_t)snprintf(text + t, tcap - t, "%.*s: %.*s\n", (int)h[i].nlen, h[i].name, (int)h[i].vlen,
				      h[i].value);
	return n;
}

static void expect_block(struct hpack_dec *d, const char *hex, const char *fields, size_t table_size)
{
	char text[4096];

	assert_true(decode_hex(d, hex, text, sizeof(text)) > 0);
	assert_string_equal(text, fields);
	assert_int_equal(d->size, table_size);
}

/* The dynamic table's entry i (1 = newest) as "name: value". */
static void expect_entry(const struct hpack_dec *d, unsigned i, const char *nv)
{
	char s[512];
	const struct hpack_ent *e;

	assert_true(i >= 1 && i <= d->count);
	e = &d->ent[(d->head + i - 1) % HPACK_MAX_ENTRIES];
	snprintf(s, sizeof(s), "%.*s: %.*s", (int)e->nlen, e->name, (int)e->vlen, e->name + e->nlen);
	assert_string_equal(s, nv);
}

static void test_c2_literals(void **state)
{
	struct hpack_dec d;

	hpack_dec_init(&d, 4096);
	/* C.2.1 literal with indexing */
	expect_block(&d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
		     "custom-key: custom-header\n", 55);
	expect_entry(&d, 1, "custom-key: custom-header");
	hpack_dec_free(&d);
	/* C.2.2 literal without indexing: the table stays empty */
	hpack_dec_init(&d, 4096);
	expect_block(&d, "040c 2f73 616d 706c 652f 7061 7468", ":path: /sample/path\n", 0);
	/* C.2.3 never indexed */
	expect_block(&d, "1008 7061 7373 776f 7264 0673 6563 7265 74", "password: secret\n", 0);
	/* C.2.4 indexed */
	expect_block(&d, "82", ":method: GET\n", 0);
	assert_int_equal(d.count, 0);
	hpack_dec_free(&d);
}

static const char *const req1 = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n";
static const char *const req2 =
	":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\ncache-control: no-cache\n";
static const char *const req3 =
	":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\ncustom-key: custom-value\n";

static void check_req_table(const struct hpack_dec *d)
{
	assert_int_equal(d->count, 3);
	expect_entry(d, 1, "custom-key: custom-value");
	expect_entry(d, 2, "cache-control: no-cache");
	expect_entry(d, 3, ":authority: www.example.com");
}

static void test_c3_requests(void **state)
{
	struct hpack_dec d;

	hpack_dec_init(&d, 4096);
	expect_block(&d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", req1, 57);
	expect_block(&d, "8286 84be 5808 6e6f 2d63 6163 6865", req2, 110);
	expect_block(&d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", req3, 164);
	check_req_table(&d);
	hpack_dec_free(&d);
}

static void test_c4_requests_huffman(void **state)
{
	struct hpack_dec d;

	hpack_dec_init(&d, 4096);
	expect_block(&d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", req1, 57);
	expect_block(&d, "8286 84be 5886 a8eb 1064 9cbf", req2, 110);
	expect_block(&d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", req3, 164);
	check_req_table(&d);
	hpack_dec_free(&d);
}

static const char *const resp1 = ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n"
				  "location: https://www.example.com\n";
static const char *const resp2 = ":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n"
				  "location: https://www.example.com\n";
static const char *const resp3 =
	":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n"
	"location: https://www.example.com\ncontent-encoding: gzip\n"
	"set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n";

/* After C.5.1/C.6.1 (four entries, 222 bytes), C.5.2 adds :status 307 and
 * evicts :status 302; C.5.3 evicts three more for the long set-cookie. */
static void check_resp_tables(struct hpack_dec *d, const char *b1, const char *b2, const char *b3)
{
	expect_block(d, b1, resp1, 222);
	assert_int_equal(d->count, 4);
	expect_entry(d, 4, ":status: 302");
	expect_block(d, b2, resp2, 222);
	assert_int_equal(d->count, 4);
	expect_entry(d, 1, ":status: 307");
	expect_entry(d, 4, "cache-control: private");
	expect_block(d, b3, resp3, 215);
	assert_int_equal(d->count, 3);
	expect_entry(d, 1, "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
	expect_entry(d, 2, "content-encoding: gzip");
	expect_entry(d, 3, "date: Mon, 21 Oct 2013 20:13:22 GMT");
}

static void test_c5_responses(void **state)
{
	struct hpack_dec d;

	hpack_dec_init(&d, 256);
	check_resp_tables(&d,
			  "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a "
			  "3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
			  "4803 3330 37c1 c0bf",
			  "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 "
			  "677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 "
			  "553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31");
	hpack_dec_free(&d);
}

static void test_c6_responses_huffman(void **state)
{
	struct hpack_dec d;

	hpack_dec_init(&d, 256);
	check_resp_tables(&d,
			  "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e "
			  "919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
			  "4883 640e ffc1 c0bf",
			  "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 "
			  "821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed "
			  "4ee5 b106 3d50 07");
	hpack_dec_free(&d);
}

/* The table as transcribed is the canonical code of its lengths (RFC 7541
 * 5.2): ordered by (length, symbol), each code is the previous plus one,
 * shifted to the new length; EOS is 30 ones; count and sorted agree. */
static void test_huff_table_canonical(void **state)
{
	uint32_t code = 0;
	unsigned prev_len = 0, n = 0;

	for (unsigned len = 1; len <= HPACK_HUFF_MAXLEN; len++)
		for (unsigned i = 0; i < hpack_huff_count[len]; i++, n++) {
			uint16_t s = hpack_huff_sorted[n];

			assert_int_equal(hpack_huff_tab[s].len, len);
			if (n)
				code = (code + 1) << (len - prev_len);
			assert_int_equal(hpack_huff_tab[s].code, code);
			if (i)
				assert_true(s > hpack_huff_sorted[n - 1]);
			prev_len = len;
		}
	assert_int_equal(n, HPACK_HUFF_NSYM);
	assert_int_equal(hpack_huff_tab[256].code, 0x3fffffff);
	assert_int_equal(hpack_huff_tab[256].len, 30);
}

static void test_huff_both_ways(void **state)
{
	uint8_t enc[2048];
	char dec[1024], all[256];
	size_t n;
	ssize_t m;

	/* C.4.1's authority */
	n = hpack_huff_enc("www.example.com", 15, enc, sizeof(enc));
	assert_int_equal(n, 12);
	assert_memory_equal(enc, "\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff", 12);
	/* every octet, round trip */
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	n = hpack_huff_enc(all, 256, enc, sizeof(enc));
	assert_true(n > 0);
	m = hpack_huff_dec(enc, n, dec, sizeof(dec));
	assert_int_equal(m, 256);
	assert_memory_equal(dec, all, 256);
	/* each single octet (each padding length) */
	for (int i = 0; i < 256; i++) {
		n = hpack_huff_enc(all + i, 1, enc, sizeof(enc));
		assert_int_equal(hpack_huff_dec(enc, n, dec, sizeof(dec)), 1);
		assert_int_equal((uint8_t)dec[0], i);
	}
	/* the empty string */
	assert_int_equal(hpack_huff_dec(enc, 0, dec, sizeof(dec)), 0);
	/* too small an output: no write past it */
	n = hpack_huff_enc("www.example.com", 15, enc, sizeof(enc));
	assert_int_equal(hpack_huff_dec(enc, n, dec, 14), HPACK_ERR_LIST_SIZE);
	assert_int_equal(hpack_huff_enc("www.example.com", 15, enc, 11), 0);
}

static void test_huff_malformed(void **state)
{
	char dec[64];

	/* EOS coded in the string: 30 ones then 2 more */
	assert_int_equal(hpack_huff_dec((const uint8_t *)"\xff\xff\xff\xff", 4, dec, sizeof(dec)), HPACK_ERR_HUFF);
	/* padding of 8 bits */
	assert_int_equal(hpack_huff_dec((const uint8_t *)"\xff", 1, dec, sizeof(dec)), HPACK_ERR_HUFF);
	assert_int_equal(hpack_huff_dec((const uint8_t *)"\x1f\xff", 2, dec, sizeof(dec)), HPACK_ERR_HUFF);
	/* padding not all ones: '0' (00000) then 000 */
	assert_int_equal(hpack_huff_dec((const uint8_t *)"\x00", 1, dec, sizeof(dec)), HPACK_ERR_HUFF);
	/* '0' then 111: fine */
	assert_int_equal(hpack_huff_dec((const uint8_t *)"\x07", 1, dec, sizeof(dec)), 1);
}

static void test_integers(void **state)
{
	uint8_t out[8];
	uint32_t v;

	/* C.1.1 - C.1.3 */
	assert_int_equal(hpack_int_enc(out, sizeof(out), 5, 0, 10), 1);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(hpack_int_enc(out, sizeof(out), 5, 0, 1337), 3);
	assert_memory_equal(out, "\x1f\x9a\x0a", 3);
	assert_int_equal(hpack_int_dec(out, 3, 5, &v), 3);
	assert_int_equal(v, 1337);
	assert_int_equal(hpack_int_enc(out, sizeof(out), 8, 0, 42), 1);
	assert_int_equal(out[0], 42);
	/* the largest, and one more */
	assert_int_equal(hpack_int_enc(out, sizeof(out), 5, 0, UINT32_MAX), 6);
	assert_int_equal(hpack_int_dec(out, 6, 5, &v), 6);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(hpack_int_dec((const uint8_t *)"\x1f\xe1\xff\xff\xff\x0f", 6, 5, &v), HPACK_ERR_INT);
	/* too many octets, even of zeros */
	assert_int_equal(hpack_int_dec((const uint8_t *)"\x1f\x80\x80\x80\x80\x80\x00", 7, 5, &v), HPACK_ERR_INT);
	/* truncated */
	assert_int_equal(hpack_int_dec((const uint8_t *)"\x1f\x9a", 2, 5, &v), HPACK_ERR_TRUNC);
	assert_int_equal(hpack_int_dec(out, 0, 5, &v), HPACK_ERR_TRUNC);
	/* too small an output */
	assert_int_equal(hpack_int_enc(out, 2, 5, 0, 1337), 0);
}

static int decode_err(struct hpack_dec *d, const char *hex)
{
	char text[4096];

	return decode_hex(d, hex, text, sizeof(text));
}

static void test_malformed_blocks(void **state)
{
	struct hpack_dec d;
	struct hpack_hdr h[2];
	char buf[16], big[64];
	size_t len;
	uint8_t *in;

	hpack_dec_init(&d, 4096);
	assert_int_equal(decode_err(&d, "80"), HPACK_ERR_INDEX);   /* index 0 */
	assert_int_equal(decode_err(&d, "be"), HPACK_ERR_INDEX);   /* 62, table empty */
	assert_int_equal(decode_err(&d, "7e"), HPACK_ERR_INDEX);   /* literal, name index 62 */
	assert_int_equal(decode_err(&d, "ff"), HPACK_ERR_TRUNC);   /* index truncated */
	assert_int_equal(decode_err(&d, "40"), HPACK_ERR_TRUNC);   /* no name */
	assert_int_equal(decode_err(&d, "400a 6375"), HPACK_ERR_TRUNC); /* name shorter than said */
	assert_int_equal(decode_err(&d, "4001 61"), HPACK_ERR_TRUNC);   /* no value */
	assert_int_equal(decode_err(&d, "4001 6181 ff"), HPACK_ERR_HUFF); /* bad Huffman value */
	assert_int_equal(decode_err(&d, "047f ffff ffff 0f"), HPACK_ERR_INT); /* string length overflow */
	/* size updates: above what we announced, or after a field */
	assert_int_equal(decode_err(&d, "3fe2 1f"), HPACK_ERR_SIZE_UPD); /* 4097 */
	assert_int_equal(decode_err(&d, "82 20"), HPACK_ERR_SIZE_UPD);
	assert_int_equal(d.count, 0);
	/* at the limit, and two in a row, are fine */
	assert_int_equal(decode_err(&d, "3fe1 1f 20 82"), 1);
	assert_int_equal(d.max, 0);
	/* a field with a table of size 0 is not kept */
	assert_int_equal(decode_err(&d, "4001 6101 62"), 1);
	assert_int_equal(d.count, 0);
	hpack_dec_free(&d);

	/* the caller's limits: buffer (header list size) and field count */
	hpack_dec_init(&d, 4096);
	in = unhex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572", &len);
	assert_int_equal(hpack_decode(&d, in, len, h, 2, buf, sizeof(buf)), HPACK_ERR_LIST_SIZE);
	free(in);
	in = unhex("8282 82", &len);
	assert_int_equal(hpack_decode(&d, in, len, h, 2, big, sizeof(big)), HPACK_ERR_TOO_MANY);
	free(in);
	hpack_dec_free(&d);
}

/* An entry larger than the table empties it (4.4); a size update evicts. */
static void test_eviction(void **state)
{
	struct hpack_dec d;
	char big[200], hex[1024];
	size_t o;

	hpack_dec_init(&d, 100);
	expect_block(&d, "4001 6101 62", "a: b\n", 34);
	expect_block(&d, "4001 6301 64", "c: d\n", 68);
	expect_block(&d, "4001 6501 66", "e: f\n", 68); /* a: b evicted */
	expect_entry(&d, 1, "e: f");
	expect_entry(&d, 2, "c: d");
	assert_int_equal(decode_err(&d, "be"), 1);
	assert_int_equal(decode_err(&d, "c0"), HPACK_ERR_INDEX);
	/* 70 bytes of value: 32 + 1 + 70 > 100 */
	memset(big, 'x', 70);
	o = (size_t)snprintf(hex, sizeof(hex), "4001 6146");
	for (int i = 0; i < 70; i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, "78");
	assert_int_equal(decode_err(&d, hex), 1);
	assert_int_equal(d.count, 0);
	assert_int_equal(d.size, 0);
	/* a size update to 40 keeps one entry */
	expect_block(&d, "4001 6101 62", "a: b\n", 34);
	expect_block(&d, "4001 6301 64", "c: d\n", 68);
	expect_block(&d, "3f09 82", ":method: GET\n", 34);
	assert_int_equal(d.count, 1);
	expect_entry(&d, 1, "c: d");
	/* the limit asked above 4096 is clamped */
	hpack_dec_free(&d);
	hpack_dec_init(&d, 1 << 20);
	assert_int_equal(d.limit, HPACK_TABLE_LIMIT);
	hpack_dec_free(&d);
}

static void test_encoder(void **state)
{
	uint8_t out[256];
	size_t n = 0, r;
	struct hpack_dec d;
	struct hpack_hdr h[8];
	char buf[512];

	r = hpack_enc_status(out, sizeof(out), 200);
	assert_int_equal(r, 1);
	assert_int_equal(out[0], 0x88);
	n += r;
	n += hpack_enc_status(out + n, sizeof(out) - n, 502);
	n += hpack_enc_field(out + n, sizeof(out) - n, "content-type", 12, "text/plain", 10);
	n += hpack_enc_field(out + n, sizeof(out) - n, "x", 1, "", 0);
	hpack_dec_init(&d, 4096);
	assert_int_equal(hpack_decode(&d, out, n, h, 8, buf, sizeof(buf)), 4);
	assert_int_equal(h[1].vlen, 3);
	assert_memory_equal(h[1].value, "502", 3);
	assert_memory_equal(h[2].name, "content-type", 12);
	assert_int_equal(h[3].vlen, 0);
	assert_int_equal(d.count, 0); /* nothing indexed */
	hpack_dec_free(&d);
	/* does not fit / bad status */
	assert_int_equal(hpack_enc_field(out, 10, "content-type", 12, "x", 1), 0);
	assert_int_equal(hpack_enc_status(out, 4, 502), 0);
	assert_int_equal(hpack_enc_status(out, sizeof(out), 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c2_literals),
		cmocka_unit_test(test_c3_requests),
		cmocka_unit_test(test_c4_requests_huffman),
		cmocka_unit_test(test_c5_responses),
		cmocka_unit_test(test_c6_responses_huffman),
		cmocka_unit_test(test_huff_table_canonical),
		cmocka_unit_test(test_huff_both_ways),
		cmocka_unit_test(test_huff_malformed),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_malformed_blocks),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_encoder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
