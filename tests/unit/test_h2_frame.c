/* HTTP/2 frames (src/http/h2_frame.c): the frame header both ways, the
 * padding and priority of HEADERS and DATA (and the errors RFC 9113 names
 * for them), SETTINGS applied and refused, and the control frames built
 * byte for byte.  Payloads are heap copies of their exact length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/h2_frame.h"

static uint8_t *dup(const char *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	memcpy(b, p, n);
	return b;
}

static void test_frame_header(void **state)
{
	uint8_t out[H2_FH_LEN];
	struct h2_fh fh;

	h2_fh_build(out, 0x123456, H2_HEADERS, H2_F_END_HEADERS | H2_F_END_STREAM, 0x7fffffff);
	assert_memory_equal(out, "\x12\x34\x56\x01\x05\x7f\xff\xff\xff", 9);
	h2_fh_parse(out, &fh);
	assert_int_equal(fh.len, 0x123456);
	assert_int_equal(fh.type, H2_HEADERS);
	assert_int_equal(fh.flags, 5);
	assert_int_equal(fh.sid, 0x7fffffff);
	/* the reserved bit is dropped */
	h2_fh_parse((const uint8_t *)"\x00\x00\x00\x00\x00\x80\x00\x00\x03", &fh);
	assert_int_equal(fh.sid, 3);
}

static void test_payload_padding_priority(void **state)
{
	uint32_t off, dlen;
	uint8_t *p;

	/* plain */
	p = dup("abc", 3);
	assert_int_equal(h2_payload(p, 3, H2_DATA, 0, 1, &off, &dlen), 0);
	assert_int_equal(off, 0);
	assert_int_equal(dlen, 3);
	free(p);
	/* padded: 2 bytes of padding */
	p = dup("\x02" "ab\0\0", 5);
	assert_int_equal(h2_payload(p, 5, H2_DATA, H2_F_PADDED, 1, &off, &dlen), 0);
	assert_int_equal(off, 1);
	assert_int_equal(dlen, 2);
	/* padding as long as the rest is fine, longer is PROTOCOL_ERROR */
	p[0] = 4;
	assert_int_equal(h2_payload(p, 5, H2_DATA, H2_F_PADDED, 1, &off, &dlen), 0);
	assert_int_equal(dlen, 0);
	p[0] = 5;
	assert_int_equal(h2_payload(p, 5, H2_DATA, H2_F_PADDED, 1, &off, &dlen), -H2_PROTOCOL_ERROR);
	free(p);
	/* padded with no byte at all */
	p = dup("", 0);
	assert_int_equal(h2_payload(p, 0, H2_DATA, H2_F_PADDED, 1, &off, &dlen), -H2_FRAME_SIZE_ERROR);
	free(p);
	/* HEADERS with priority (5 bytes) and padding */
	p = dup("\x01\x00\x00\x00\x01\x10X\0", 8);
	assert_int_equal(h2_payload(p, 8, H2_HEADERS, H2_F_PADDED | H2_F_PRIORITY, 3, &off, &dlen), 0);
	assert_int_equal(off, 6);
	assert_int_equal(dlen, 1);
	/* a stream depending on itself */
	assert_int_equal(h2_payload(p, 8, H2_HEADERS, H2_F_PADDED | H2_F_PRIORITY, 1, &off, &dlen),
			 -H2_PROTOCOL_ERROR);
	/* priority cut short */
	assert_int_equal(h2_payload(p, 4, H2_HEADERS, H2_F_PRIORITY, 3, &off, &dlen), -H2_FRAME_SIZE_ERROR);
	/* the PRIORITY flag means nothing on DATA */
	assert_int_equal(h2_payload(p, 8, H2_DATA, H2_F_PRIORITY, 1, &off, &dlen), 0);
	assert_int_equal(dlen, 8);
	free(p);
}

static void test_settings(void **state)
{
	struct h2_settings s;
	int64_t d;
	uint8_t *p;

	h2_settings_init(&s);
	assert_int_equal(s.initial_window, 65535);
	assert_int_equal(s.max_frame, 16384);
	/* initial window 100000, max frame 32768, an unknown id ignored */
	p = dup("\x00\x04\x00\x01\x86\xa0" "\x00\x05\x00\x00\x80\x00" "\x00\x99\x00\x00\x00\x01", 18);
	assert_int_equal(h2_settings_apply(&s, p, 18, &d), 0);
	assert_int_equal(s.initial_window, 100000);
	assert_int_equal(s.max_frame, 32768);
	assert_int_equal(d, 100000 - 65535);
	free(p);
	/* refused, nothing changed */
	p = dup("\x00\x04\x80\x00\x00\x00", 6); /* window 2^31 */
	assert_int_equal(h2_settings_apply(&s, p, 6, &d), -H2_FLOW_CONTROL_ERROR);
	free(p);
	p = dup("\x00\x05\x00\x00\x3f\xff", 6); /* frame 16383 */
	assert_int_equal(h2_settings_apply(&s, p, 6, &d), -H2_PROTOCOL_ERROR);
	free(p);
	p = dup("\x00\x05\x01\x00\x00\x00", 6); /* frame 2^24 */
	assert_int_equal(h2_settings_apply(&s, p, 6, &d), -H2_PROTOCOL_ERROR);
	free(p);
	p = dup("\x00\x02\x00\x00\x00\x02", 6); /* enable_push 2 */
	assert_int_equal(h2_settings_apply(&s, p, 6, &d), -H2_PROTOCOL_ERROR);
	free(p);
	p = dup("\x00\x04\x00\x00\x00", 5); /* not a multiple of 6 */
	assert_int_equal(h2_settings_apply(&s, p, 5, &d), -H2_FRAME_SIZE_ERROR);
	free(p);
	assert_int_equal(s.initial_window, 100000);
	assert_int_equal(s.max_frame, 32768);
	/* a window lowered: a negative delta */
	p = dup("\x00\x04\x00\x00\x00\x00", 6);
	assert_int_equal(h2_settings_apply(&s, p, 6, &d), 0);
	assert_int_equal(d, -100000);
	free(p);
}

static void test_builders(void **state)
{
	static const uint32_t kv[][2] = { { H2_SET_MAX_CONCURRENT_STREAMS, 100 }, { H2_SET_ENABLE_PUSH, 0 } };
	uint8_t o[64];

	assert_int_equal(h2_build_settings(o, kv, 2), 21);
	assert_memory_equal(o, "\x00\x00\x0c\x04\x00\x00\x00\x00\x00"
			       "\x00\x03\x00\x00\x00\x64\x00\x02\x00\x00\x00\x00", 21);
	assert_int_equal(h2_build_settings_ack(o), 9);
	assert_memory_equal(o, "\x00\x00\x00\x04\x01\x00\x00\x00\x00", 9);
	assert_int_equal(h2_build_ping_ack(o, (const uint8_t *)"12345678"), 17);
	assert_memory_equal(o, "\x00\x00\x08\x06\x01\x00\x00\x00\x00" "12345678", 17);
	assert_int_equal(h2_build_goaway(o, 7, H2_PROTOCOL_ERROR), 17);
	assert_memory_equal(o, "\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01", 17);
	assert_int_equal(h2_build_rst(o, 5, H2_REFUSED_STREAM), 13);
	assert_memory_equal(o, "\x00\x00\x04\x03\x00\x00\x00\x00\x05\x00\x00\x00\x07", 13);
	assert_int_equal(h2_build_window_update(o, 0, 0x80000001), 13);
	assert_memory_equal(o, "\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\x00\x01", 13);
	assert_int_equal(h2_u31((const uint8_t *)"\xff\xff\xff\xff"), 0x7fffffff);
	assert_int_equal(h2_u32((const uint8_t *)"\xff\xff\xff\xff"), 0xffffffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_payload_padding_priority),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_builders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
