/* VRRP advertisement codec (src/vrrp/vrrp_pkt.c): byte-exact v2/v3 adverts
 * over IPv4 and IPv6 as keepalived sends them (the expected bytes and their
 * checksums were computed by an independent Python script, not by this
 * code), every drop reason, the HMAC trailer with anti-replay, and random or
 * mutated input that must never read out of bounds (ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "vrrp/vrrp_pkt.h"

/* v2, VRID 51, prio 100, 192.168.1.100, no auth, 1 s */
static const uint8_t V2_NONE[] = "\x21\x33\x64\x01\x00\x01\xb8\xbd\xc0\xa8\x01\x64\x00\x00\x00\x00"
				 "\x00\x00\x00\x00";
/* v2, VRID 51, prio 100, .100 and .101, PASS "secret", 3 s */
static const uint8_t V2_PASS[] = "\x21\x33\x64\x02\x01\x03\xb9\x60\xc0\xa8\x01\x64\xc0\xa8\x01\x65"
				 "\x73\x65\x63\x72\x65\x74\x00\x00";
/* v3/IPv4, VRID 1, prio 150, 10.0.0.100, 100 cs, 10.0.0.1 -> 224.0.0.18 */
static const uint8_t V3_V4[] = "\x31\x01\x96\x01\x00\x64\x43\xa5\x0a\x00\x00\x64";
/* the same, unicast to 10.0.0.2 (the pseudo header uses the real dst) */
static const uint8_t V3_UNI[] = "\x31\x01\x96\x01\x00\x64\x19\xb6\x0a\x00\x00\x64";
/* v3/IPv6, VRID 7, prio 200, 2001:db8::100, 25 cs, fe80::2 -> ff02::12 */
static const uint8_t V3_V6[] = "\x31\x07\xc8\x01\x00\x19\xda\x04\x20\x01\x0d\xb8\x00\x00\x00\x00"
			       "\x00\x00\x00\x00\x00\x00\x01\x00";
/* v2/IPv6 (keepalived: no auth data, pseudo-header checksum), VRID 9, 1 s */
static const uint8_t V2_V6[] = "\x21\x09\x64\x01\x00\x01\x4f\x12\x20\x01\x0d\xb8\x00\x00\x00\x00"
			       "\x00\x00\x00\x00\x00\x00\x00\x09";
/* V2_NONE in an IPv4 header, TTL 255, 192.168.1.1 -> 224.0.0.18 */
static const uint8_t IP4_V2[] = "\x45\xc0\x00\x28\x00\x00\x00\x00\xff\x70\x18\xea\xc0\xa8\x01\x01"
				"\xe0\x00\x00\x12\x21\x33\x64\x01\x00\x01\xb8\xbd\xc0\xa8\x01\x64"
				"\x00\x00\x00\x00\x00\x00\x00\x00";

static struct fc_addr ip(const char *s)
{
	struct fc_addr a;
	char err[ERRLEN];

	assert_int_equal(addr_parse_ip(s, &a, err, sizeof(err)), 0);
	return a;
}

static struct vrrp_advert adv; /* large: keep it off the stack */

/* An independent checksum for mutated packets (so that a mutation reaches
 * the check it aims at): RFC 1071 over pseudo header + message. */
static void refix(uint8_t *m, size_t len, int pseudo, const struct fc_addr *s,
		  const struct fc_addr *d)
{
	uint8_t b[2 * 16 + 8 + VRRP_PKT_MAX + 1] = {0};
	size_t n = 0, al = s->family == AF_INET6 ? 16 : 4;
	uint32_t sum = 0;

	m[6] = m[7] = 0;
	if (pseudo) {
		memcpy(b, s->family == AF_INET6 ? (const void *)&s->u.v6 : (const void *)&s->u.v4,
		       al);
		memcpy(b + al,
		       d->family == AF_INET6 ? (const void *)&d->u.v6 : (const void *)&d->u.v4, al);
		n = 2 * al;
		if (al == 16) {
			b[n + 2] = (uint8_t)(len >> 8), b[n + 3] = (uint8_t)len, b[n + 7] = 112;
			n += 8;
		} else {
			b[n + 1] = 112, b[n + 2] = (uint8_t)(len >> 8), b[n + 3] = (uint8_t)len;
			n += 4;
		}
	}
	memcpy(b + n, m, len);
	n += len;
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	m[6] = (uint8_t)(sum >> 8);
	m[7] = (uint8_t)sum;
}

static void test_drop_names(void **state)
{
	(void)state;
	for (int i = 0; i < VRRP_DROP__COUNT; i++) {
		assert_non_null(vrrp_drop_name(i));
		assert_string_not_equal(vrrp_drop_name(i), "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vrrp_drop_name(i), vrrp_drop_name(j));
	}
	assert_string_equal(vrrp_drop_name(VRRP_DROP_CHECKSUM), "bad_checksum");
	assert_string_equal(vrrp_drop_name(VRRP_DROP__COUNT), "unknown");
}

static void encode_expect(const struct vrrp_tx *tx, const uint8_t *want, size_t wantlen)
{
	uint8_t buf[VRRP_PKT_MAX];
	size_t len = 0;
	char err[ERRLEN];

	assert_int_equal(vrrp_pkt_encode(tx, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(buf, want, wantlen);
	/* an exact-size buffer is enough, one less is refused */
	assert_int_equal(vrrp_pkt_encode(tx, buf, wantlen, &len, err, sizeof(err)), 0);
	assert_int_equal(vrrp_pkt_encode(tx, buf, wantlen - 1, &len, err, sizeof(err)), -1);
}

static void test_encode_bytes(void **state)
{
	struct fc_addr a2[2] = {ip("192.168.1.100"), ip("192.168.1.101")};
	struct fc_addr a3 = ip("10.0.0.100"), a6 = ip("2001:db8::100"), a9 = ip("2001:db8::9");
	struct vrrp_tx tx = {.version = 2,
			     .vrid = 51,
			     .priority = 100,
			     .advert_int_cs = 100,
			     .src = ip("192.168.1.1"),
			     .dst = ip(VRRP_MCAST_V4),
			     .addrs = a2,
			     .n_addrs = 1};

	(void)state;
	encode_expect(&tx, V2_NONE, 20);
	tx.n_addrs = 2;
	tx.advert_int_cs = 300;
	tx.auth_type = VRRP_AUTH_PASS;
	tx.auth_pass = "secret";
	encode_expect(&tx, V2_PASS, 24);
	tx.auth_pass = "secret\0\0\0ignored"; /* only 8 octets, zero padded */
	encode_expect(&tx, V2_PASS, 24);

	tx = (struct vrrp_tx){.version = 3,
			      .vrid = 1,
			      .priority = 150,
			      .advert_int_cs = 100,
			      .src = ip("10.0.0.1"),
			      .dst = ip(VRRP_MCAST_V4),
			      .addrs = &a3,
			      .n_addrs = 1};
	encode_expect(&tx, V3_V4, 12);
	tx.dst = ip("10.0.0.2");
	encode_expect(&tx, V3_UNI, 12);

	tx = (struct vrrp_tx){.version = 3,
			      .vrid = 7,
			      .priority = 200,
			      .advert_int_cs = 25,
			      .src = ip("fe80::2"),
			      .dst = ip(VRRP_MCAST_V6),
			      .addrs = &a6,
			      .n_addrs = 1};
	encode_expect(&tx, V3_V6, 24);
	tx = (struct vrrp_tx){.version = 2,
			      .vrid = 9,
			      .priority = 100,
			      .advert_int_cs = 100,
			      .src = ip("fe80::2"),
			      .dst = ip(VRRP_MCAST_V6),
			      .addrs = &a9,
			      .n_addrs = 1};
	encode_expect(&tx, V2_V6, 24);
}

static void test_encode_refuses(void **state)
{
	struct fc_addr a[2] = {ip("10.0.0.100"), ip("2001:db8::1")};
	struct vrrp_tx ok = {.version = 3,
			     .vrid = 1,
			     .priority = 100,
			     .advert_int_cs = 100,
			     .src = ip("10.0.0.1"),
			     .dst = ip(VRRP_MCAST_V4),
			     .addrs = a,
			     .n_addrs = 1};
	struct vrrp_tx tx;
	uint8_t buf[VRRP_PKT_MAX];
	size_t len;
	char err[ERRLEN];

	(void)state;
#define REFUSE(field, value, text)                                                                 \
	do {                                                                                       \
		tx = ok;                                                                           \
		tx.field = value;                                                                  \
		assert_int_equal(vrrp_pkt_encode(&tx, buf, sizeof(buf), &len, err, sizeof(err)),   \
				 -1);                                                              \
		assert_non_null(strstr(err, text));                                                \
	} while (0)
	assert_int_equal(vrrp_pkt_encode(&ok, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	REFUSE(version, 4, "version");
	REFUSE(vrid, 0, "virtual_router_id");
	REFUSE(n_addrs, 0, "1 to 255");
	REFUSE(n_addrs, 2, "family"); /* second address is IPv6 */
	REFUSE(advert_int_cs, 0, "4095");
	REFUSE(advert_int_cs, 4096, "4095");
	REFUSE(auth_type, VRRP_AUTH_PASS, "PASS");
	REFUSE(auth_type, VRRP_AUTH_AH, "AH");
	REFUSE(dst, ip("ff02::12"), "families");
	REFUSE(src.family, 0, "family");
	ok.version = 2;
	REFUSE(advert_int_cs, 150, "whole seconds"); /* v2 cannot carry fractions */
	REFUSE(advert_int_cs, 25600, "whole seconds");
	tx = ok;
	tx.advert_int_cs = 25500;
	assert_int_equal(vrrp_pkt_encode(&tx, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	assert_int_equal(buf[5], 255);
#undef REFUSE
}

static void test_decode_bytes(void **state)
{
	struct fc_addr s4 = ip("192.168.1.1"), m4 = ip(VRRP_MCAST_V4), s3 = ip("10.0.0.1");
	struct fc_addr s6 = ip("fe80::2"), m6 = ip(VRRP_MCAST_V6), want;
	struct vrrp_rx_expect e = {.version = 2, .vrid = 51};
	enum vrrp_drop why;

	(void)state;
	assert_int_equal(vrrp_pkt_decode(V2_NONE, 20, &s4, &m4, 255, &e, &adv, &why), 0);
	assert_int_equal(why, VRRP_DROP_NONE);
	assert_int_equal(adv.version, 2);
	assert_int_equal(adv.vrid, 51);
	assert_int_equal(adv.priority, 100);
	assert_int_equal(adv.n_addrs, 1);
	assert_int_equal(adv.advert_int_cs, 100);
	assert_int_equal(adv.auth_type, 0);
	assert_int_equal(adv.family, AF_INET);
	assert_true(addr_ip_equal(&adv.src, &s4));
	want = ip("192.168.1.100");
	assert_true(addr_ip_equal(&adv.addrs[0], &want));

	e.auth_type = VRRP_AUTH_PASS;
	e.auth_pass = "secret";
	assert_int_equal(vrrp_pkt_decode(V2_PASS, 24, &s4, &m4, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.n_addrs, 2);
	assert_int_equal(adv.advert_int_cs, 300);
	assert_int_equal(adv.auth_type, 1);
	want = ip("192.168.1.101");
	assert_true(addr_ip_equal(&adv.addrs[1], &want));

	e = (struct vrrp_rx_expect){.version = 3, .vrid = 1};
	assert_int_equal(vrrp_pkt_decode(V3_V4, 12, &s3, &m4, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.priority, 150);
	assert_int_equal(adv.advert_int_cs, 100);
	want = ip("10.0.0.2");
	assert_int_equal(vrrp_pkt_decode(V3_UNI, 12, &s3, &want, 255, &e, &adv, &why), 0);
	/* the multicast-destination checksum does not verify for a unicast dst */
	assert_int_equal(vrrp_pkt_decode(V3_V4, 12, &s3, &want, 255, &e, &adv, &why), -1);
	assert_int_equal(why, VRRP_DROP_CHECKSUM);

	e.vrid = 7;
	assert_int_equal(vrrp_pkt_decode(V3_V6, 24, &s6, &m6, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.family, AF_INET6);
	assert_int_equal(adv.advert_int_cs, 25);
	assert_int_equal(adv.priority, 200);
	want = ip("2001:db8::100");
	assert_true(addr_ip_equal(&adv.addrs[0], &want));

	e = (struct vrrp_rx_expect){.version = 2, .vrid = 9};
	assert_int_equal(vrrp_pkt_decode(V2_V6, 24, &s6, &m6, 255, &e, &adv, &why), 0);
	want = ip("2001:db8::9");
	assert_true(addr_ip_equal(&adv.addrs[0], &want));

	e = (struct vrrp_rx_expect){.version = 2, .vrid = 51};
	assert_int_equal(vrrp_pkt_decode_ip4(IP4_V2, 40, &e, &adv, &why), 0);
	assert_true(addr_ip_equal(&adv.src, &s4));
	assert_int_equal(adv.priority, 100);
}

#define DROP(expr, reason)                                                                         \
	do {                                                                                       \
		why = VRRP_DROP_NONE;                                                              \
		assert_int_equal((expr), -1);                                                      \
		assert_string_equal(vrrp_drop_name(why), vrrp_drop_name(reason));                  \
	} while (0)

static void test_drop_reasons(void **state)
{
	struct fc_addr s4 = ip("192.168.1.1"), m4 = ip(VRRP_MCAST_V4), s6 = ip("fe80::2"),
		       m6 = ip(VRRP_MCAST_V6);
	struct vrrp_rx_expect e = {.version = 2, .vrid = 51};
	enum vrrp_drop why;
	uint8_t p[64], q[64];

	(void)state;
	memcpy(p, V2_NONE, 20);
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 254, &e, &adv, &why), VRRP_DROP_TTL);
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 1, &e, &adv, &why), VRRP_DROP_TTL);
	DROP(vrrp_pkt_decode(p, 20, &s4, &m6, 255, &e, &adv, &why), VRRP_DROP_IP_HEADER);
	for (size_t n = 0; n < 8; n++)
		DROP(vrrp_pkt_decode(p, n, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_TOO_SHORT);
	for (size_t n = 8; n < 20; n++)
		DROP(vrrp_pkt_decode(p, n, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_LENGTH);
	memcpy(q, p, 20);
	q[20] = 0;
	DROP(vrrp_pkt_decode(q, 21, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_LENGTH);

	p[0] = 0x41;
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_VERSION);
	p[0] = 0x31; /* a v3 header where v2 is configured */
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_VERSION);
	p[0] = 0x22;
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_TYPE);

	memcpy(p, V2_NONE, 20);
	p[1] = 52;
	adv.vrid = 0;
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_OTHER_VRID);
	assert_int_equal(adv.vrid, 52);
	assert_int_equal(adv.version, 2);

	memcpy(p, V2_NONE, 20);
	p[7] ^= 1;
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_CHECKSUM);
	memcpy(p, V2_NONE, 20);
	p[2] = 101; /* priority changed in transit */
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_CHECKSUM);

	/* a message whose checksum is 0x0000 also verifies with 0xffff, the
	 * other one's-complement zero (found by the fuzzer, accepted as the
	 * kernel accepts it) */
	e = (struct vrrp_rx_expect){
	    .version = 2, .vrid = 51, .auth_type = VRRP_AUTH_PASS, .auth_pass = "secret"};
	memcpy(p,
	       "\x21\x33\x64\x03\x01\x02\xff\xff\xb9\x64\xc0\xa8\x01\x60\x00\x00"
	       "\xc0\xa8\x01\x65secret\0\0",
	       28);
	assert_int_equal(vrrp_pkt_decode(p, 28, &s4, &m4, 255, &e, &adv, &why), 0);
	p[6] = p[7] = 0;
	assert_int_equal(vrrp_pkt_decode(p, 28, &s4, &m4, 255, &e, &adv, &why), 0);
	e = (struct vrrp_rx_expect){.version = 2, .vrid = 51};

	memcpy(p, V2_NONE, 20);
	p[3] = 0;
	refix(p, 16, 0, &s4, &m4);
	DROP(vrrp_pkt_decode(p, 16, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_NO_ADDRS);

	memcpy(p, V2_NONE, 20);
	p[5] = 0;
	refix(p, 20, 0, &s4, &m4);
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_ADVERT_INT);
	memcpy(p, V3_V6, 24);
	p[4] = 0xf0, p[5] = 0; /* reserved bits set, interval 0 */
	refix(p, 24, 1, &s6, &m6);
	e = (struct vrrp_rx_expect){.version = 3, .vrid = 7};
	DROP(vrrp_pkt_decode(p, 24, &s6, &m6, 255, &e, &adv, &why), VRRP_DROP_ADVERT_INT);
	p[5] = 0x19; /* reserved bits are ignored on receipt (RFC 5798 5.2.5) */
	refix(p, 24, 1, &s6, &m6);
	assert_int_equal(vrrp_pkt_decode(p, 24, &s6, &m6, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.advert_int_cs, 25);

	/* authentication */
	e = (struct vrrp_rx_expect){
	    .version = 2, .vrid = 51, .auth_type = VRRP_AUTH_PASS, .auth_pass = "secret"};
	DROP(vrrp_pkt_decode(V2_NONE, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_AUTH_TYPE);
	e.auth_pass = "secreT";
	DROP(vrrp_pkt_decode(V2_PASS, 24, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_AUTH_PASS);
	e.auth_pass = "secret1";
	DROP(vrrp_pkt_decode(V2_PASS, 24, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_AUTH_PASS);
	e.auth_pass = "secret\0\0garbage"; /* the first 8 octets decide, as in keepalived */
	assert_int_equal(vrrp_pkt_decode(V2_PASS, 24, &s4, &m4, 255, &e, &adv, &why), 0);
	e.auth_type = VRRP_AUTH_NONE;
	DROP(vrrp_pkt_decode(V2_PASS, 24, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_AUTH_TYPE);
	memcpy(p, V2_NONE, 20);
	p[4] = VRRP_V2_AUTH_AH;
	refix(p, 20, 0, &s4, &m4);
	DROP(vrrp_pkt_decode(p, 20, &s4, &m4, 255, &e, &adv, &why), VRRP_DROP_AUTH_UNSUPPORTED);
	e.auth_type = VRRP_AUTH_AH;
	DROP(vrrp_pkt_decode(V2_NONE, 20, &s4, &m4, 255, &e, &adv, &why),
	     VRRP_DROP_AUTH_UNSUPPORTED);
	e = (struct vrrp_rx_expect){.version = 3, .vrid = 7, .auth_type = VRRP_AUTH_PASS};
	DROP(vrrp_pkt_decode(V3_V6, 24, &s6, &m6, 255, &e, &adv, &why), VRRP_DROP_AUTH_UNSUPPORTED);
	e = (struct vrrp_rx_expect){.version = 2, .vrid = 9, .auth_type = VRRP_AUTH_PASS};
	memcpy(p, V2_V6, 24);
	p[4] = 1;
	refix(p, 24, 1, &s6, &m6);
	DROP(vrrp_pkt_decode(p, 24, &s6, &m6, 255, &e, &adv, &why), VRRP_DROP_AUTH_UNSUPPORTED);
	/* HMAC expected, plain advert: no trailer */
	e = (struct vrrp_rx_expect){.version = 3, .vrid = 7, .auth_type = VRRP_AUTH_HMAC};
	DROP(vrrp_pkt_decode(V3_V6, 24, &s6, &m6, 255, &e, &adv, &why), VRRP_DROP_LENGTH);
}

static void test_ip4_header(void **state)
{
	struct vrrp_rx_expect e = {.version = 2, .vrid = 51};
	enum vrrp_drop why;
	uint8_t p[64];

	(void)state;
	for (size_t n = 0; n < 40; n++) {
		uint8_t *cut = malloc(n ? n : 1); /* exact size: ASan sees any overread */

		memcpy(cut, IP4_V2, n);
		assert_int_equal(vrrp_pkt_decode_ip4(cut, n, &e, &adv, &why), -1);
		assert_int_equal(why, VRRP_DROP_IP_HEADER); /* short, or total length > received */
		free(cut);
	}
	memcpy(p, IP4_V2, 40);
	p[40] = 0xee; /* octets past the total length are ignored */
	assert_int_equal(vrrp_pkt_decode_ip4(p, 41, &e, &adv, &why), 0);
#define MUT(off, val, reason)                                                                      \
	do {                                                                                       \
		memcpy(p, IP4_V2, 40);                                                             \
		p[off] = val;                                                                      \
		DROP(vrrp_pkt_decode_ip4(p, 40, &e, &adv, &why), reason);                          \
	} while (0)
	MUT(0, 0x65, VRRP_DROP_IP_HEADER); /* version 6 */
	MUT(0, 0x44, VRRP_DROP_IP_HEADER); /* IHL 4 */
	MUT(0, 0x4f, VRRP_DROP_IP_HEADER); /* IHL 15 > total */
	MUT(3, 0x13, VRRP_DROP_IP_HEADER); /* total 19 < IHL */
	MUT(3, 0x29, VRRP_DROP_IP_HEADER); /* total 41 > received */
	MUT(6, 0x20, VRRP_DROP_IP_HEADER); /* more fragments */
	MUT(7, 0x01, VRRP_DROP_IP_HEADER); /* fragment offset */
	MUT(9, 6, VRRP_DROP_PROTOCOL);
	MUT(9, VRRP_PROTO_AH, VRRP_DROP_AUTH_UNSUPPORTED);
	MUT(8, 64, VRRP_DROP_TTL);
	MUT(3, 0x27, VRRP_DROP_LENGTH); /* VRRP part one octet short */
#undef MUT
	memcpy(p, IP4_V2, 40);
	p[6] = 0x40; /* DF is fine (the IP header checksum is the kernel's business) */
	assert_int_equal(vrrp_pkt_decode_ip4(p, 40, &e, &adv, &why), 0);
}

static void hmac_tx(struct vrrp_tx *tx, const struct fc_addr *a, int version)
{
	*tx = (struct vrrp_tx){.version = (uint8_t)version,
			       .vrid = 10,
			       .priority = 120,
			       .advert_int_cs = 100,
			       .auth_type = VRRP_AUTH_HMAC,
			       .auth_pass = "k3y-of-the-pair",
			       .seq = 1000,
			       .src = ip("10.1.0.1"),
			       .dst = ip(VRRP_MCAST_V4),
			       .addrs = a,
			       .n_addrs = 1};
}

static void test_hmac(void **state)
{
	struct fc_addr a = ip("10.1.0.100");
	struct vrrp_replay rp;
	struct vrrp_rx_expect e = {.version = 3,
				   .vrid = 10,
				   .auth_type = VRRP_AUTH_HMAC,
				   .auth_pass = "k3y-of-the-pair",
				   .replay = &rp};
	struct vrrp_tx tx;
	uint8_t p[VRRP_PKT_MAX], old[VRRP_PKT_MAX];
	size_t len, oldlen;
	char err[ERRLEN];
	enum vrrp_drop why;
	struct fc_addr other = ip("10.1.0.9");

	(void)state;
	memset(&rp, 0, sizeof(rp));
	hmac_tx(&tx, &a, 3);
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 12 + VRRP_HMAC_TRAILER);
	assert_int_equal(p[12], 0xfc);
	assert_int_equal(p[13], 0x01);
	assert_memory_equal(p + 16, "\0\0\0\0\0\0\x03\xe8", 8); /* seq 1000, big endian */
	memcpy(old, p, len);
	oldlen = len;
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.priority, 120);
	/* the same advert again */
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_REPLAY);
	/* a plain instance receiving it: an auth mismatch, not garbage */
	{
		struct vrrp_rx_expect plain = {.version = 3, .vrid = 10};

		DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &plain, &adv, &why),
		     VRRP_DROP_AUTH_TYPE);
	}
	/* wrong key */
	e.auth_pass = "another key";
	tx.seq = 2000;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_AUTH_HMAC);
	e.auth_pass = "k3y-of-the-pair";
	/* the same bytes "from" another peer (checksum fixed): the MAC binds the source */
	refix(p, len, 1, &other, &tx.dst);
	DROP(vrrp_pkt_decode(p, len, &other, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_AUTH_HMAC);
	/* tampered priority with a correct checksum */
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	p[2] = 255;
	refix(p, len, 1, &tx.src, &tx.dst);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_AUTH_HMAC);
	/* tampered sequence number */
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	p[23] ^= 1;
	refix(p, len, 1, &tx.src, &tx.dst);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_AUTH_HMAC);
	/* bad magic */
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	p[13] = 2;
	refix(p, len, 1, &tx.src, &tx.dst);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_AUTH_HMAC);
	/* truncated trailer */
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	for (size_t n = 12; n < len; n++) {
		uint8_t *cut = malloc(n);

		memcpy(cut, p, n);
		refix(cut, n, 1, &tx.src, &tx.dst);
		DROP(vrrp_pkt_decode(cut, n, &tx.src, &tx.dst, 255, &e, &adv, &why),
		     VRRP_DROP_LENGTH);
		free(cut);
	}
	/* the genuine one with seq 2000 still passes (failures did not move the window) */
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
	/* window: 1000 is now 1000 behind: too old; 1990 is inside and unseen */
	DROP(vrrp_pkt_decode(old, oldlen, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_REPLAY);
	tx.seq = 1990;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_REPLAY);
	tx.seq = 2000 - VRRP_HMAC_WINDOW;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_REPLAY);
	tx.seq = 2000 - VRRP_HMAC_WINDOW + 1;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
	/* no replay state given: refused rather than unchecked */
	e.replay = NULL;
	tx.seq = 5000;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), VRRP_DROP_REPLAY);
}

static void test_hmac_v2_v6_and_peers(void **state)
{
	struct fc_addr a = ip("10.1.0.100"), a6 = ip("2001:db8::7");
	struct vrrp_replay rp;
	struct vrrp_rx_expect e = {
	    .version = 2, .vrid = 10, .auth_type = VRRP_AUTH_HMAC, .auth_pass = "k", .replay = &rp};
	struct vrrp_tx tx;
	uint8_t p[VRRP_PKT_MAX], first[VRRP_PKT_MAX];
	size_t len, flen;
	char err[ERRLEN], name[64];
	enum vrrp_drop why;

	(void)state;
	memset(&rp, 0, sizeof(rp));
	hmac_tx(&tx, &a, 2);
	tx.auth_pass = "k";
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 20 + VRRP_HMAC_TRAILER);
	assert_int_equal(p[4], 0); /* auth type octet: none, the trailer carries it */
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);

	e.version = 3;
	tx.version = 3;
	tx.src = ip("fe80::1");
	tx.dst = ip(VRRP_MCAST_V6);
	tx.addrs = &a6;
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 24 + VRRP_HMAC_TRAILER);
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);

	/* more senders than the table holds: each is tracked on its own, and
	 * the first one is evicted only when VRRP_REPLAY_PEERS others came */
	memset(&rp, 0, sizeof(rp));
	for (int i = 1; i <= VRRP_REPLAY_PEERS + 1; i++) {
		snprintf(name, sizeof(name), "fe80::%x", i);
		tx.src = ip(name);
		assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
		assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
		DROP(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why),
		     VRRP_DROP_REPLAY);
		if (i == 1) {
			memcpy(first, p, len);
			flen = len;
		}
	}
	tx.src = ip("fe80::1"); /* forgotten: accepted once more (documented limit) */
	assert_int_equal(vrrp_pkt_decode(first, flen, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);

	assert_true(vrrp_hmac_next_seq(0) > UINT64_C(1600000000000000));
	assert_int_equal(vrrp_hmac_next_seq(UINT64_MAX - 1), UINT64_MAX);
	{
		uint64_t s1 = vrrp_hmac_next_seq(0), s2 = vrrp_hmac_next_seq(s1);

		assert_true(s2 > s1);
	}
}

static void test_round_trip_max(void **state)
{
	static struct fc_addr a[VRRP_MAX_VIPS];
	struct vrrp_rx_expect e = {.version = 3, .vrid = 255};
	struct vrrp_tx tx = {.version = 3,
			     .vrid = 255,
			     .priority = 255,
			     .advert_int_cs = 4095,
			     .src = ip("fe80::1"),
			     .dst = ip("fe80::2"),
			     .addrs = a,
			     .n_addrs = VRRP_MAX_VIPS};
	uint8_t p[VRRP_PKT_MAX];
	size_t len;
	char err[ERRLEN], name[64];
	enum vrrp_drop why;

	(void)state;
	for (int i = 0; i < VRRP_MAX_VIPS; i++) {
		snprintf(name, sizeof(name), "2001:db8::%x", i + 1);
		a[i] = ip(name);
	}
	assert_int_equal(vrrp_pkt_encode(&tx, p, sizeof(p), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 8 + 255 * 16);
	assert_int_equal(vrrp_pkt_decode(p, len, &tx.src, &tx.dst, 255, &e, &adv, &why), 0);
	assert_int_equal(adv.n_addrs, 255);
	assert_int_equal(adv.advert_int_cs, 4095);
	for (int i = 0; i < VRRP_MAX_VIPS; i++)
		assert_true(addr_ip_equal(&adv.addrs[i], &a[i]));
}

static void test_random_never_overreads(void **state)
{
	unsigned seed = 5;
	struct fc_addr s4 = ip("10.0.0.1"), m4 = ip(VRRP_MCAST_V4), s6 = ip("fe80::1"),
		       m6 = ip(VRRP_MCAST_V6);
	struct vrrp_replay rp;
	enum vrrp_drop why;

	(void)state;
	memset(&rp, 0, sizeof(rp));
	for (int i = 0; i < 40000; i++) {
		size_t n = (size_t)(rand_r(&seed) % 120);
		uint8_t *m = malloc(n ? n : 1);
		struct vrrp_rx_expect e = {.version = (uint8_t)(2 + rand_r(&seed) % 2),
					   .vrid = (uint8_t)(rand_r(&seed) % 3),
					   .auth_type = (enum vrrp_auth)(rand_r(&seed) % 4),
					   .auth_pass = "pw",
					   .replay = &rp};
		int six = rand_r(&seed) % 2;

		for (size_t k = 0; k < n; k++)
			m[k] = (uint8_t)rand_r(&seed);
		if (n >= 8 && i % 2) { /* plausible header: reach the later checks */
			m[0] = (uint8_t)(e.version << 4 | 1);
			m[1] = e.vrid;
			m[3] = (uint8_t)(rand_r(&seed) % 5);
			refix(m, n, e.version == 3 || six, six ? &s6 : &s4, six ? &m6 : &m4);
		}
		if (vrrp_pkt_decode(m, n, six ? &s6 : &s4, six ? &m6 : &m4, 255, &e, &adv, &why) ==
		    0)
			assert_true(adv.n_addrs > 0 && adv.advert_int_cs > 0);
		else
			assert_true(why > VRRP_DROP_NONE && why < VRRP_DROP__COUNT);
		if (n >= 20 && i % 3 == 0) {
			m[0] = (uint8_t)(0x40 | (m[0] & 0x0f));
			m[9] = (uint8_t)(i % 2 ? 112 : m[9]);
		}
		vrrp_pkt_decode_ip4(m, n, &e, &adv, &why);
		free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop_names),	   cmocka_unit_test(test_encode_bytes),
	    cmocka_unit_test(test_encode_refuses), cmocka_unit_test(test_decode_bytes),
	    cmocka_unit_test(test_drop_reasons),   cmocka_unit_test(test_ip4_header),
	    cmocka_unit_test(test_hmac),	   cmocka_unit_test(test_hmac_v2_v6_and_peers),
	    cmocka_unit_test(test_round_trip_max), cmocka_unit_test(test_random_never_overreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
