/* libFuzzer target: a packet as the VRRP raw socket receives it.  The first
 * input octet picks the receiving instance's expectations (version, VRID,
 * authentication, family); the rest is the VRRP part (decoded with fixed
 * addresses, TTL 255) and, for IPv4, also a whole IP packet.  Neither
 * decoder may crash or read out of bounds; an accepted advert must satisfy
 * the invariants the state machine relies on, and re-encoding it must give
 * back the same bytes (no HMAC: the trailer's sequence is not in the advert). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "vrrp/vrrp_pkt.h"

static struct vrrp_advert adv;
static struct vrrp_replay rp;

static struct fc_addr mk(const char *s)
{
	struct fc_addr a;
	char err[ERRLEN];

	if (addr_parse_ip(s, &a, err, sizeof(err)))
		abort();
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrp_rx_expect e;
	struct fc_addr src, dst;
	enum vrrp_drop why;
	uint8_t *copy, again[VRRP_PKT_MAX];
	size_t n, len;
	int six;
	char err[ERRLEN];

	if (!size)
		return 0;
	six = data[0] & 1;
	e = (struct vrrp_rx_expect){.version = (uint8_t)(2 + (data[0] >> 1 & 1)),
				    .vrid = (uint8_t)(data[0] >> 2 & 1 ? 51 : 1),
				    .auth_type = (enum vrrp_auth)(data[0] >> 3 & 3),
				    .auth_pass = "secret",
				    .replay = &rp};
	src = mk(six ? "fe80::2" : "192.168.1.1");
	dst = mk(six ? VRRP_MCAST_V6 : VRRP_MCAST_V4);
	n = size - 1;
	/* an exact-size copy, so that ASan sees any read past the packet */
	copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, n);
	if (vrrp_pkt_decode(copy, n, &src, &dst, 255, &e, &adv, &why) == 0) {
		struct vrrp_tx tx = {.version = adv.version,
				     .vrid = adv.vrid,
				     .priority = adv.priority,
				     .advert_int_cs = adv.advert_int_cs,
				     .auth_type = e.auth_type,
				     .auth_pass = e.auth_pass,
				     .src = src,
				     .dst = dst,
				     .addrs = adv.addrs,
				     .n_addrs = adv.n_addrs};

		if (why != VRRP_DROP_NONE || !adv.n_addrs || !adv.advert_int_cs ||
		    adv.vrid != e.vrid || adv.version != e.version || adv.family != src.family)
			abort();
		/* not kept, so not compared: v3's reserved bits, v2's unused auth
		 * data, and a checksum of 0xffff (the other one's-complement zero:
		 * it verifies, but an encoder writes 0x0000) */
		int lossy = (adv.version == 3 && (copy[4] & 0xf0)) ||
			    (copy[6] == 0xff && copy[7] == 0xff) ||
			    (adv.version == 2 && !six && e.auth_type == VRRP_AUTH_NONE &&
			     memcmp(copy + n - VRRP_AUTH_DATA_LEN, "\0\0\0\0\0\0\0\0", 8));

		if (e.auth_type != VRRP_AUTH_HMAC && !lossy) {
			if (vrrp_pkt_encode(&tx, again, sizeof(again), &len, err, sizeof(err)) ||
			    len != n || memcmp(again, copy, n))
				abort();
		}
	} else if (why <= VRRP_DROP_NONE || why >= VRRP_DROP__COUNT) {
		abort();
	}
	if (!six)
		vrrp_pkt_decode_ip4(copy, n, &e, &adv, &why);
	free(copy);
	return 0;
}
