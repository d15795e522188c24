/* DNS message builder and strict reply parser (src/check/dns_msg.c): names
 * are encoded and refused as RFC 1035 says, a query has the exact bytes
 * expected, replies are accepted or refused by DNS_CHECK's rule, and no
 * truncation, pointer loop or length lie reads out of bounds (ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/dns_msg.h"
#include "core/err.h"

static void test_type_and_rcode_names(void **state)
{
	(void)state;
	assert_int_equal(dns_type_code("A"), 1);
	assert_int_equal(dns_type_code("soa"), 6);
	assert_int_equal(dns_type_code("AAAA"), 28);
	assert_int_equal(dns_type_code("MX"), 15);
	assert_int_equal(dns_type_code("TXT"), 16);
	assert_int_equal(dns_type_code("CNAME"), 5);
	assert_int_equal(dns_type_code("NS"), 2);
	assert_int_equal(dns_type_code("PTR"), 0);
	assert_string_equal(dns_rcode_name(0), "NOERROR");
	assert_string_equal(dns_rcode_name(2), "SERVFAIL");
	assert_string_equal(dns_rcode_name(3), "NXDOMAIN");
	assert_null(dns_rcode_name(15));
}

static void test_encode_names(void **state)
{
	uint8_t out[300];
	char err[ERRLEN], name[400];
	size_t len;

	(void)state;
	assert_int_equal(dns_encode_name("example.com", out, sizeof(out), &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, 13);
	assert_memory_equal(out,
			    "\x07"
			    "example"
			    "\x03"
			    "com"
			    "\x00",
			    13);
	assert_int_equal(dns_encode_name("example.com.", out, sizeof(out), &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, 13);
	assert_int_equal(dns_encode_name(".", out, sizeof(out), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 0);

	assert_int_equal(dns_encode_name("", out, sizeof(out), &len, err, sizeof(err)), -1);
	assert_int_equal(dns_encode_name("a..b", out, sizeof(out), &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty label"));
	assert_int_equal(dns_encode_name(".com", out, sizeof(out), &len, err, sizeof(err)), -1);

	/* 63-octet label: fine; 64: refused */
	memset(name, 'a', 63);
	strcpy(name + 63, ".com");
	assert_int_equal(dns_encode_name(name, out, sizeof(out), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 1 + 63 + 1 + 3 + 1);
	memset(name, 'a', 64);
	strcpy(name + 64, ".com");
	assert_int_equal(dns_encode_name(name, out, sizeof(out), &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "63"));

	/* 4 labels of 63 = 256 octets encoded with the root: over 255 */
	for (int i = 0; i < 4; i++) {
		memset(name + i * 64, 'b', 63);
		name[i * 64 + 63] = '.';
	}
	name[4 * 64 - 1] = 0;
	assert_int_equal(dns_encode_name(name, out, sizeof(out), &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "255"));
	/* and a buffer too small is refused, not overrun */
	assert_int_equal(dns_encode_name("example.com", out, 5, &len, err, sizeof(err)), -1);
}

static void test_build_query_bytes(void **state)
{
	static const uint8_t want[] = {0x12, 0x34, 0x01, 0x00, 0,   1, 0, 0,  0, 0, 0,
				       0,    1,	   'a',	 1,    'b', 0, 0, 15, 0, 1};
	uint8_t q[DNS_QUERY_MAX];
	char err[ERRLEN];
	size_t len;

	(void)state;
	assert_int_equal(
	    dns_build_query(q, sizeof(q), &len, 0x1234, "a.b", DNS_T_MX, err, sizeof(err)), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(q, want, sizeof(want));
	assert_int_equal(dns_build_query(q, 10, &len, 1, "a.b", DNS_T_A, err, sizeof(err)), -1);
}

/* A reply to query q: same ID and question, QR (+RA) and rcode, and one
 * A answer whose owner is a compression pointer to the question. */
static size_t make_reply(const uint8_t *q, size_t qlen, unsigned rcode, uint8_t *r)
{
	static const uint8_t ans[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};

	memcpy(r, q, qlen);
	r[2] = 0x81; /* QR, RD */
	r[3] = (uint8_t)(0x80 | rcode);
	r[7] = 1; /* ancount */
	memcpy(r + qlen, ans, sizeof(ans));
	return qlen + sizeof(ans);
}

static size_t query(uint8_t *q, const char *name, uint16_t type)
{
	char err[ERRLEN];
	size_t len;

	assert_int_equal(
	    dns_build_query(q, DNS_QUERY_MAX, &len, 0xbeef, name, type, err, sizeof(err)), 0);
	return len;
}

static void test_reply_verdicts(void **state)
{
	uint8_t q[DNS_QUERY_MAX], r[600];
	struct dns_msg_info info;
	char err[ERRLEN];
	size_t qlen, rlen;

	(void)state;
	qlen = query(q, "Example.COM", DNS_T_A);
	rlen = make_reply(q, qlen, 0, r);
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)), DNS_REPLY_OK);
	assert_int_equal(info.ancount, 1);
	assert_int_equal(info.answers_of_qtype, 1);

	/* the question echoed in another case is the same question */
	r[DNS_HDR_LEN + 1] = 'e';
	r[DNS_HDR_LEN + 9] = 'c';
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)), DNS_REPLY_OK);

	/* NOERROR without answers: accepted (keepalived does not want answers) */
	rlen = make_reply(q, qlen, 0, r);
	r[7] = 0;
	assert_int_equal(dns_check_reply(q, qlen, r, qlen, &info, err, sizeof(err)), DNS_REPLY_OK);
	assert_int_equal(info.answers_of_qtype, 0);

	rlen = make_reply(q, qlen, 2, r);
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)),
			 DNS_REPLY_RCODE);
	assert_string_equal(err, "rcode SERVFAIL (2)");
	rlen = make_reply(q, qlen, 3, r);
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)),
			 DNS_REPLY_RCODE);
	assert_string_equal(err, "rcode NXDOMAIN (3)");

	/* not ours: other ID, no QR, shorter than a header */
	rlen = make_reply(q, qlen, 0, r);
	r[1] ^= 1;
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)),
			 DNS_REPLY_IGNORE);
	rlen = make_reply(q, qlen, 0, r);
	r[2] &= 0x7f;
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)),
			 DNS_REPLY_IGNORE);
	rlen = make_reply(q, qlen, 0, r);
	assert_int_equal(dns_check_reply(q, qlen, r, 11, &info, err, sizeof(err)),
			 DNS_REPLY_IGNORE);

	/* ours but wrong: another question, another type, no question, opcode */
	rlen = make_reply(q, qlen, 0, r);
	r[DNS_HDR_LEN + 1] = 'x';
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)), DNS_REPLY_BAD);
	assert_string_equal(err, "reply does not echo the question");
	rlen = make_reply(q, qlen, 0, r);
	r[qlen - 3] = DNS_T_AAAA;
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)), DNS_REPLY_BAD);
	rlen = make_reply(q, qlen, 0, r);
	r[5] = 0;
	r[7] = 0; /* no question, no answer: header only */
	assert_int_equal(dns_check_reply(q, qlen, r, DNS_HDR_LEN, &info, err, sizeof(err)),
			 DNS_REPLY_BAD);
	rlen = make_reply(q, qlen, 0, r);
	r[2] |= 2 << 3; /* opcode STATUS */
	assert_int_equal(dns_check_reply(q, qlen, r, rlen, &info, err, sizeof(err)), DNS_REPLY_BAD);
	assert_non_null(strstr(err, "opcode 2"));

	/* ours but cut: every shorter length is malformed, never read past */
	rlen = make_reply(q, qlen, 0, r);
	for (size_t n = DNS_HDR_LEN; n < rlen; n++) {
		uint8_t *cut = malloc(n); /* exact size: ASan sees any overread */

		memcpy(cut, r, n);
		assert_int_equal(dns_check_reply(q, qlen, cut, n, &info, err, sizeof(err)),
				 DNS_REPLY_BAD);
		assert_non_null(strstr(err, "malformed"));
		free(cut);
	}
	/* ... unless TC says so: then only the question must be whole */
	r[2] |= 0x02;
	assert_int_equal(dns_check_reply(q, qlen, r, qlen + 3, &info, err, sizeof(err)),
			 DNS_REPLY_OK);
}

static void test_parse_hostile(void **state)
{
	struct dns_msg_info info;
	char err[ERRLEN];
	uint8_t m[64];

	(void)state;
	/* a pointer to itself */
	memset(m, 0, sizeof(m));
	m[5] = 1;
	m[12] = 0xc0;
	m[13] = 12;
	assert_int_equal(dns_parse(m, 18, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "point back"));
	/* a pointer forward */
	m[13] = 16;
	assert_int_equal(dns_parse(m, 18, &info, err, sizeof(err)), -1);
	/* a pointer cut in half */
	assert_int_equal(dns_parse(m, 13, &info, err, sizeof(err)), -1);
	/* reserved label type */
	m[12] = 0x40;
	assert_int_equal(dns_parse(m, 18, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "label type"));
	/* a label longer than the message */
	m[12] = 30;
	assert_int_equal(dns_parse(m, 20, &info, err, sizeof(err)), -1);
	/* an answer whose rdlength lies */
	memset(m, 0, sizeof(m));
	m[7] = 1; /* ancount 1, no question */
	m[12] = 0;
	m[13] = 0, m[14] = 1, m[15] = 0, m[16] = 1; /* type A class IN */
	m[21] = 0xff;
	m[22] = 0xff; /* rdlength 65535 */
	assert_int_equal(dns_parse(m, 27, &info, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "runs past"));
	m[21] = 0;
	m[22] = 4;
	assert_int_equal(dns_parse(m, 27, &info, err, sizeof(err)), 0);
	/* counts larger than the message */
	m[7] = 2;
	assert_int_equal(dns_parse(m, 27, &info, err, sizeof(err)), -1);
	/* a chain of backward pointers is followed, up to DNS_MAX_PTRS hops:
	 * answer k's owner points to answer k-1's owner */
	{
		uint8_t c[12 + 11 + 39 * 12];
		size_t i, off = 12 + 11, prev = 12;

		memset(c, 0, sizeof(c)); /* answer 1: root owner, rdlength 0 */
		for (i = 1; i < 40; i++, off += 12) {
			c[off] = (uint8_t)(0xc0 | prev >> 8);
			c[off + 1] = (uint8_t)prev;
			prev = off;
		}
		c[7] = 20;
		assert_int_equal(dns_parse(c, 12 + 11 + 19 * 12, &info, err, sizeof(err)), 0);
		c[7] = 40;
		assert_int_equal(dns_parse(c, sizeof(c), &info, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "too many name pointers"));
	}
}

static void test_parse_random_never_overreads(void **state)
{
	struct dns_msg_info info;
	char err[ERRLEN];
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand_r(&seed) % 80);
		uint8_t *m = malloc(n ? n : 1);

		for (size_t k = 0; k < n; k++)
			m[k] = (uint8_t)rand_r(&seed);
		if (i % 2 && n >= 12) { /* plausible counts: reach the records */
			m[4] = m[6] = m[8] = m[10] = 0;
			m[5] = (uint8_t)(rand_r(&seed) % 2);
			m[7] = (uint8_t)(rand_r(&seed) % 3);
			m[9] = m[11] = 0;
		}
		dns_parse(m, n, &info, err, sizeof(err));
		free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_and_rcode_names),
	    cmocka_unit_test(test_encode_names),
	    cmocka_unit_test(test_build_query_bytes),
	    cmocka_unit_test(test_reply_verdicts),
	    cmocka_unit_test(test_parse_hostile),
	    cmocka_unit_test(test_parse_random_never_overreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
