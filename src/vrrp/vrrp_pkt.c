/* VRRP advertisement codec; the wire layout is described in vrrp_pkt.h,
 * the HMAC trailer in doc/internals/vrrp-hmac.md. */
#include "vrrp/vrrp_pkt.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/err.h"

#define HMAC_MAGIC0 0xfc
#define HMAC_MAGIC1 0x01 /* trailer format version 1 */

static const char *const drop_names[VRRP_DROP__COUNT] = {
    [VRRP_DROP_NONE] = "accepted",
    [VRRP_DROP_IP_HEADER] = "bad_ip_header",
    [VRRP_DROP_PROTOCOL] = "bad_protocol",
    [VRRP_DROP_TTL] = "bad_ttl",
    [VRRP_DROP_TOO_SHORT] = "too_short",
    [VRRP_DROP_VERSION] = "bad_version",
    [VRRP_DROP_TYPE] = "bad_type",
    [VRRP_DROP_OTHER_VRID] = "other_vrid",
    [VRRP_DROP_NO_ADDRS] = "no_addresses",
    [VRRP_DROP_LENGTH] = "bad_length",
    [VRRP_DROP_CHECKSUM] = "bad_checksum",
    [VRRP_DROP_ADVERT_INT] = "bad_advert_int",
    [VRRP_DROP_AUTH_TYPE] = "auth_type_mismatch",
    [VRRP_DROP_AUTH_UNSUPPORTED] = "auth_unsupported",
    [VRRP_DROP_AUTH_PASS] = "auth_pass_mismatch",
    [VRRP_DROP_AUTH_HMAC] = "auth_hmac_failure",
    [VRRP_DROP_REPLAY] = "replay",
};

const char *vrrp_drop_name(enum vrrp_drop why)
{
	if ((unsigned)why >= VRRP_DROP__COUNT)
		return "unknown";
	return drop_names[why];
}

uint32_t vrrp_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	/* fold now and then so that a long run cannot overflow 32 bits */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t vrrp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static const uint8_t *addr_bytes(const struct fc_addr *a)
{
	return a->family == AF_INET6 ? a->u.v6.s6_addr : (const uint8_t *)&a->u.v4.s_addr;
}

/* Does this (version, family) use the pseudo header?  v2/IPv4 does not
 * (RFC 3768); v3 does (RFC 5798); IPv6 always does, because keepalived
 * lets the kernel checksum IPv6 with IPV6_CHECKSUM, also for v2. */
static int uses_pseudo(int version, int family)
{
	return version == 3 || family == AF_INET6;
}

/* Sum of the pseudo header for a VRRP message of len octets. */
static uint32_t pseudo_sum(const struct fc_addr *src, const struct fc_addr *dst, size_t len)
{
	uint8_t tail[8] = {0};
	uint32_t sum;
	size_t alen = addr_len(src->family);

	sum = vrrp_csum_add(0, addr_bytes(src), alen);
	sum = vrrp_csum_add(sum, addr_bytes(dst), alen);
	if (src->family == AF_INET6) { /* RFC 8200: 32-bit length, 3 zeros, next header */
		tail[0] = (uint8_t)(len >> 24);
		tail[1] = (uint8_t)(len >> 16);
		tail[2] = (uint8_t)(len >> 8);
		tail[3] = (uint8_t)len;
		tail[7] = VRRP_PROTO;
		return vrrp_csum_add(sum, tail, 8);
	}
	tail[1] = VRRP_PROTO; /* zero, protocol, 16-bit length */
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	return vrrp_csum_add(sum, tail, 4);
}

static uint16_t vrrp_checksum(const uint8_t *msg, size_t len, int version,
			      const struct fc_addr *src, const struct fc_addr *dst)
{
	uint32_t sum = uses_pseudo(version, src->family) ? pseudo_sum(src, dst, len) : 0;

	return (uint16_t)~vrrp_csum_fold(vrrp_csum_add(sum, msg, len));
}

/* Length of the standard message (no HMAC trailer). */
static size_t base_len(int version, int family, unsigned n_addrs)
{
	size_t len = VRRP_HDR_LEN + n_addrs * addr_len(family);

	if (version == 2 && family == AF_INET)
		len += VRRP_AUTH_DATA_LEN;
	return len;
}

/* The MAC of a message whose trailer is at msg + base: HMAC-SHA256 keyed
 * with key over (source address, message with the checksum zeroed, trailer
 * up to the MAC), truncated.  The source address is inside so that an
 * advert cannot be replayed as if another peer had sent it. */
static int hmac_compute(const char *key, const struct fc_addr *src, const uint8_t *msg, size_t base,
			uint8_t mac[VRRP_HMAC_MAC_LEN])
{
	uint8_t in[16 + VRRP_PKT_MAX];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t alen = addr_len(src->family), n;

	n = base + VRRP_HMAC_TRAILER - VRRP_HMAC_MAC_LEN;
	if (n > VRRP_PKT_MAX)
		return -1;
	memcpy(in, addr_bytes(src), alen);
	memcpy(in + alen, msg, n);
	in[alen + 6] = in[alen + 7] = 0; /* checksum */
	if (!HMAC(EVP_sha256(), key, (int)strlen(key), in, alen + n, md, &mdlen) ||
	    mdlen < VRRP_HMAC_MAC_LEN)
		return -1;
	memcpy(mac, md, VRRP_HMAC_MAC_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

uint64_t vrrp_hmac_next_seq(uint64_t last)
{
	struct timespec ts;
	uint64_t now = 0;

	if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 0)
		now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return now > last ? now : last + 1;
}

int vrrp_pkt_encode(const struct vrrp_tx *tx, uint8_t *buf, size_t buflen, size_t *outlen,
		    char *err, size_t errlen)
{
	int fam = tx->src.family;
	size_t alen, base, total, off;
	const char *pass = tx->auth_pass ? tx->auth_pass : "";
	uint16_t ck;

	if (tx->version != 2 && tx->version != 3)
		return err_set(err, errlen, "VRRP version %u is not 2 or 3", tx->version);
	if (fam != AF_INET && fam != AF_INET6)
		return err_set(err, errlen, "source address has no family");
	if (tx->dst.family != fam)
		return err_set(err, errlen, "source and destination families differ");
	if (!tx->vrid)
		return err_set(err, errlen, "virtual_router_id 0 is not valid");
	if (!tx->n_addrs || tx->n_addrs > VRRP_MAX_VIPS || !tx->addrs)
		return err_set(err, errlen, "an advert carries 1 to %d addresses, not %u",
			       VRRP_MAX_VIPS, tx->n_addrs);
	for (unsigned i = 0; i < tx->n_addrs; i++)
		if (tx->addrs[i].family != fam)
			return err_set(err, errlen, "address %u is not of the advert's family", i);
	if (tx->version == 2 &&
	    (tx->advert_int_cs % 100 || tx->advert_int_cs < 100 || tx->advert_int_cs > 25500))
		return err_set(err, errlen,
			       "VRRPv2 advert_int must be whole seconds from 1 to 255 (got %u cs)",
			       tx->advert_int_cs);
	if (tx->version == 3 && (tx->advert_int_cs < 1 || tx->advert_int_cs > 4095))
		return err_set(err, errlen,
			       "VRRPv3 advert_int must be 1 to 4095 centiseconds (got %u)",
			       tx->advert_int_cs);
	switch (tx->auth_type) {
	case VRRP_AUTH_NONE:
	case VRRP_AUTH_HMAC:
		break;
	case VRRP_AUTH_PASS:
		if (tx->version != 2 || fam != AF_INET)
			return err_set(err, errlen,
				       "PASS authentication exists only in VRRPv2 over IPv4");
		break;
	default:
		return err_set(err, errlen, "AH authentication is not supported");
	}

	alen = addr_len(fam);
	base = base_len(tx->version, fam, tx->n_addrs);
	total = base + (tx->auth_type == VRRP_AUTH_HMAC ? VRRP_HMAC_TRAILER : 0);
	if (buflen < total)
		return err_set(err, errlen, "advert needs %zu octets, buffer has %zu", total,
			       buflen);

	buf[0] = (uint8_t)(tx->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = tx->vrid;
	buf[2] = tx->priority;
	buf[3] = (uint8_t)tx->n_addrs;
	if (tx->version == 2) {
		buf[4] = tx->auth_type == VRRP_AUTH_PASS ? VRRP_V2_AUTH_PASS : VRRP_V2_AUTH_NONE;
		buf[5] = (uint8_t)(tx->advert_int_cs / 100);
	} else {
		buf[4] = (uint8_t)(tx->advert_int_cs >> 8); /* 4 reserved bits stay 0 */
		buf[5] = (uint8_t)tx->advert_int_cs;
	}
	buf[6] = buf[7] = 0;
	off = VRRP_HDR_LEN;
	for (unsigned i = 0; i < tx->n_addrs; i++, off += alen)
		memcpy(buf + off, addr_bytes(&tx->addrs[i]), alen);
	if (tx->version == 2 && fam == AF_INET) {
		memset(buf + off, 0, VRRP_AUTH_DATA_LEN);
		if (tx->auth_type == VRRP_AUTH_PASS)
			memcpy(buf + off, pass, strnlen(pass, VRRP_AUTH_DATA_LEN));
		off += VRRP_AUTH_DATA_LEN;
	}
	if (tx->auth_type == VRRP_AUTH_HMAC) {
		buf[off] = HMAC_MAGIC0;
		buf[off + 1] = HMAC_MAGIC1;
		buf[off + 2] = tx->hmac_key_id;
		buf[off + 3] = 0;
		for (int i = 0; i < 8; i++)
			buf[off + 4 + i] = (uint8_t)(tx->seq >> (56 - 8 * i));
		if (hmac_compute(pass, &tx->src, buf, base, buf + off + 12))
			return err_set(err, errlen, "HMAC-SHA256 failed");
	}
	ck = vrrp_checksum(buf, total, tx->version, &tx->src, &tx->dst);
	buf[6] = (uint8_t)(ck >> 8);
	buf[7] = (uint8_t)ck;
	*outlen = total;
	return 0;
}

/* Anti-replay (RFC 4303 style window) for an advert whose MAC verified.
 * 0 = fresh (state updated), -1 = replayed or older than the window. */
static int replay_check(struct vrrp_replay *r, const struct fc_addr *src, uint64_t seq)
{
	struct vrrp_replay_peer *p = NULL;

	for (unsigned i = 0; i < VRRP_REPLAY_PEERS; i++)
		if (r->peers[i].used && addr_ip_equal(&r->peers[i].src, src)) {
			p = &r->peers[i];
			break;
		}
	if (!p) {
		for (unsigned i = 0; i < VRRP_REPLAY_PEERS && !p; i++)
			if (!r->peers[i].used)
				p = &r->peers[i];
		if (!p) { /* full: forget the oldest-created entry */
			p = &r->peers[r->next_evict % VRRP_REPLAY_PEERS];
			r->next_evict = (r->next_evict + 1) % VRRP_REPLAY_PEERS;
		}
		memset(p, 0, sizeof(*p));
		p->used = 1;
		p->src = *src;
		p->src.port = 0;
		p->top = seq;
		p->bitmap = 1;
		return 0;
	}
	if (seq > p->top) {
		uint64_t shift = seq - p->top;

		p->bitmap = shift >= VRRP_HMAC_WINDOW ? 0 : p->bitmap << shift;
		p->bitmap |= 1;
		p->top = seq;
		return 0;
	}
	if (p->top - seq >= VRRP_HMAC_WINDOW)
		return -1;
	if (p->bitmap & (UINT64_C(1) << (p->top - seq)))
		return -1;
	p->bitmap |= UINT64_C(1) << (p->top - seq);
	return 0;
}

static int drop(enum vrrp_drop *why, enum vrrp_drop w)
{
	*why = w;
	return -1;
}

int vrrp_pkt_decode(const uint8_t *pkt, size_t len, const struct fc_addr *src,
		    const struct fc_addr *dst, int ttl, const struct vrrp_rx_expect *exp,
		    struct vrrp_advert *out, enum vrrp_drop *why)
{
	int fam = src->family, version;
	unsigned n, adv;
	size_t alen, base, want, off;
	const char *pass = exp->auth_pass ? exp->auth_pass : "";
	int hmac = exp->auth_type == VRRP_AUTH_HMAC;

	*why = VRRP_DROP_NONE;
	if ((fam != AF_INET && fam != AF_INET6) || dst->family != fam)
		return drop(why, VRRP_DROP_IP_HEADER);
	if (ttl != VRRP_TTL)
		return drop(why, VRRP_DROP_TTL);
	if (len < VRRP_HDR_LEN)
		return drop(why, VRRP_DROP_TOO_SHORT);
	version = pkt[0] >> 4;
	if (version != 2 && version != 3)
		return drop(why, VRRP_DROP_VERSION);
	if ((pkt[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return drop(why, VRRP_DROP_TYPE);
	if (pkt[1] != exp->vrid) {
		out->version = (uint8_t)version;
		out->vrid = pkt[1];
		return drop(why, VRRP_DROP_OTHER_VRID);
	}
	if (version != exp->version)
		return drop(why, VRRP_DROP_VERSION);
	n = pkt[3];
	if (!n)
		return drop(why, VRRP_DROP_NO_ADDRS);
	alen = addr_len(fam);
	base = base_len(version, fam, n);
	want = base + (hmac ? VRRP_HMAC_TRAILER : 0);
	if (len != want) {
		/* a fulcrum HMAC advert reaching an instance without HMAC: say
		 * "auth" rather than "length", it is the likelier mistake */
		if (!hmac && len == base + VRRP_HMAC_TRAILER && pkt[base] == HMAC_MAGIC0 &&
		    pkt[base + 1] == HMAC_MAGIC1)
			return drop(why, VRRP_DROP_AUTH_TYPE);
		return drop(why, VRRP_DROP_LENGTH);
	}
	if (vrrp_checksum(pkt, len, version, src, dst) != 0) /* a valid sum folds to 0xffff */
		return drop(why, VRRP_DROP_CHECKSUM);
	adv = version == 2 ? pkt[5] * 100u : ((unsigned)(pkt[4] & 0x0f) << 8 | pkt[5]);
	if (!adv)
		return drop(why, VRRP_DROP_ADVERT_INT);

	if (version == 2) {
		uint8_t want_type =
		    exp->auth_type == VRRP_AUTH_PASS ? VRRP_V2_AUTH_PASS : VRRP_V2_AUTH_NONE;

		if (pkt[4] == VRRP_V2_AUTH_AH || exp->auth_type == VRRP_AUTH_AH ||
		    (exp->auth_type == VRRP_AUTH_PASS && fam != AF_INET))
			return drop(why, VRRP_DROP_AUTH_UNSUPPORTED);
		if (pkt[4] != want_type)
			return drop(why, VRRP_DROP_AUTH_TYPE);
		if (exp->auth_type == VRRP_AUTH_PASS) {
			uint8_t pw[VRRP_AUTH_DATA_LEN] = {0};

			memcpy(pw, pass, strnlen(pass, VRRP_AUTH_DATA_LEN));
			if (CRYPTO_memcmp(pw, pkt + base - VRRP_AUTH_DATA_LEN, sizeof(pw)))
				return drop(why, VRRP_DROP_AUTH_PASS);
		}
	} else if (exp->auth_type == VRRP_AUTH_PASS || exp->auth_type == VRRP_AUTH_AH) {
		return drop(why, VRRP_DROP_AUTH_UNSUPPORTED); /* v3 has no authentication */
	}
	if (hmac) {
		uint8_t mac[VRRP_HMAC_MAC_LEN];
		uint64_t seq = 0;

		if (pkt[base] != HMAC_MAGIC0 || pkt[base + 1] != HMAC_MAGIC1)
			return drop(why, VRRP_DROP_AUTH_HMAC);
		if (hmac_compute(pass, src, pkt, base, mac) ||
		    CRYPTO_memcmp(mac, pkt + base + 12, VRRP_HMAC_MAC_LEN))
			return drop(why, VRRP_DROP_AUTH_HMAC);
		for (int i = 0; i < 8; i++)
			seq = seq << 8 | pkt[base + 4 + i];
		if (!exp->replay || replay_check(exp->replay, src, seq))
			return drop(why, VRRP_DROP_REPLAY);
	}

	memset(out, 0, offsetof(struct vrrp_advert, addrs));
	out->version = (uint8_t)version;
	out->vrid = pkt[1];
	out->priority = pkt[2];
	out->n_addrs = (uint8_t)n;
	out->advert_int_cs = (uint16_t)adv;
	out->auth_type = version == 2 ? pkt[4] : 0;
	out->family = fam;
	out->src = *src;
	out->src.port = 0;
	off = VRRP_HDR_LEN;
	for (unsigned i = 0; i < n; i++, off += alen) {
		memset(&out->addrs[i], 0, sizeof(out->addrs[i]));
		out->addrs[i].family = (sa_family_t)fam;
		memcpy(fam == AF_INET6 ? (void *)out->addrs[i].u.v6.s6_addr
				       : (void *)&out->addrs[i].u.v4.s_addr,
		       pkt + off, alen);
	}
	return 0;
}

int vrrp_pkt_decode_ip4(const uint8_t *ip, size_t len, const struct vrrp_rx_expect *exp,
			struct vrrp_advert *out, enum vrrp_drop *why)
{
	struct fc_addr src = {.family = AF_INET}, dst = {.family = AF_INET};
	size_t ihl, tot;

	*why = VRRP_DROP_NONE;
	if (len < 20 || ip[0] >> 4 != 4)
		return drop(why, VRRP_DROP_IP_HEADER);
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (ihl < 20 || tot < ihl || tot > len)
		return drop(why, VRRP_DROP_IP_HEADER);
	if ((ip[6] & 0x20) || ((ip[6] & 0x1f) | ip[7])) /* MF or a fragment offset */
		return drop(why, VRRP_DROP_IP_HEADER);
	if (ip[9] == VRRP_PROTO_AH)
		return drop(why, VRRP_DROP_AUTH_UNSUPPORTED);
	if (ip[9] != VRRP_PROTO)
		return drop(why, VRRP_DROP_PROTOCOL);
	memcpy(&src.u.v4.s_addr, ip + 12, 4);
	memcpy(&dst.u.v4.s_addr, ip + 16, 4);
	return vrrp_pkt_decode(ip + ihl, tot - ihl, &src, &dst, ip[8], exp, out, why);
}
