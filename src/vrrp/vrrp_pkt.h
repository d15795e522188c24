/* VRRP advertisement codec: RFC 3768 (v2) and RFC 5798 (v3), IPv4 and IPv6,
 * byte-compatible with keepalived, plus fulcrum's HMAC-SHA256 trailer
 * (doc/internals/vrrp-hmac.md).
 *
 * Wire facts this file follows (as keepalived sends them):
 * - header: ver<<4|type(1), VRID, priority, count of addresses, then
 *   v2: auth type (1 octet) + advert interval in SECONDS (1 octet);
 *   v3: 4 reserved bits + max advert interval in CENTISECONDS (12 bits);
 *   then the 16-bit checksum, then the addresses (4 or 16 octets each);
 * - v2 over IPv4 carries 8 octets of authentication data after the
 *   addresses (zeros for "none", the password zero-padded for PASS);
 *   over IPv6 keepalived sends no authentication data, even for v2;
 * - checksum: v2 over IPv4 covers the VRRP message only; v3 over IPv4 and
 *   every IPv6 advert (the kernel's IPV6_CHECKSUM) also cover the pseudo
 *   header (src, dst, protocol 112, length);
 * - keepalived's AH authentication is IPsec AH (IP protocol 51): it is not
 *   decoded, it is counted as VRRP_DROP_AUTH_UNSUPPORTED.
 *
 * Nothing here allocates or does I/O; every input octet is bounds-checked. */
#ifndef FC_VRRP_VRRP_PKT_H
#define FC_VRRP_VRRP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "model/vrrp-t.h"

#define VRRP_PROTO	   112
#define VRRP_PROTO_AH	   51
#define VRRP_TTL	   255 /* TTL / hop limit of every valid advert */
#define VRRP_MCAST_V4	   "224.0.0.18"
#define VRRP_MCAST_V6	   "ff02::12"
#define VRRP_HDR_LEN	   8
#define VRRP_AUTH_DATA_LEN 8 /* v2 over IPv4 only */
#define VRRP_TYPE_ADVERT   1
#define VRRP_V2_AUTH_NONE  0 /* auth type octet of a v2 header */
#define VRRP_V2_AUTH_PASS  1
#define VRRP_V2_AUTH_AH	   2
#define VRRP_HMAC_TRAILER  28 /* magic(2) key id(1) reserved(1) seq(8) mac(16) */
#define VRRP_HMAC_MAC_LEN  16 /* HMAC-SHA256 truncated to 128 bits */
#define VRRP_HMAC_WINDOW   64 /* anti-replay window, in sequence numbers */
#define VRRP_REPLAY_PEERS  8  /* senders remembered per instance */
/* Largest VRRP message: header, 255 IPv6 addresses, HMAC trailer. */
#define VRRP_PKT_MAX (VRRP_HDR_LEN + VRRP_MAX_VIPS * 16 + VRRP_AUTH_DATA_LEN + VRRP_HMAC_TRAILER)

/* Why an advert was not accepted.  One counter each; vrrp_drop_name()
 * gives the stable snake_case name used in counters and JSON. */
enum vrrp_drop {
	VRRP_DROP_NONE = 0,	    /* accepted */
	VRRP_DROP_IP_HEADER,	    /* IPv4 helper: bad version/IHL/total length, fragment */
	VRRP_DROP_PROTOCOL,	    /* IPv4 helper: not protocol 112 (nor 51) */
	VRRP_DROP_TTL,		    /* TTL / hop limit is not 255: not from the link */
	VRRP_DROP_TOO_SHORT,	    /* shorter than the 8-octet header */
	VRRP_DROP_VERSION,	    /* not 2 or 3, or not the instance's version */
	VRRP_DROP_TYPE,		    /* not an advertisement (type 1) */
	VRRP_DROP_OTHER_VRID,	    /* well-formed start but another VRID: not ours, not an error */
	VRRP_DROP_NO_ADDRS,	    /* address count 0 */
	VRRP_DROP_LENGTH,	    /* length does not match the address count */
	VRRP_DROP_CHECKSUM,	    /* bad checksum */
	VRRP_DROP_ADVERT_INT,	    /* advert interval 0 */
	VRRP_DROP_AUTH_TYPE,	    /* authentication type differs from ours */
	VRRP_DROP_AUTH_UNSUPPORTED, /* IPsec AH (keepalived's "AH") */
	VRRP_DROP_AUTH_PASS,	    /* PASS: password differs */
	VRRP_DROP_AUTH_HMAC,	    /* HMAC: bad trailer or MAC (wrong key, tampered) */
	VRRP_DROP_REPLAY,	    /* HMAC: sequence number already seen or too old */
	VRRP_DROP__COUNT
};

const char *vrrp_drop_name(enum vrrp_drop why);

/* Anti-replay state of one instance (HMAC only): per sender the highest
 * sequence number seen and a bitmap of the VRRP_HMAC_WINDOW below it.  Only
 * adverts whose MAC verified create or move entries, so a forger cannot
 * evict a real peer.  Zero-initialise; plain data, no cleanup. */
struct vrrp_replay_peer {
	struct fc_addr src;
	uint64_t top;	 /* highest sequence number accepted */
	uint64_t bitmap; /* bit i set: top - i accepted (bit 0 = top) */
	int used;
};

struct vrrp_replay {
	struct vrrp_replay_peer peers[VRRP_REPLAY_PEERS];
	unsigned next_evict;
};

/* What to send.  addrs are the advertised (not excluded) VIPs, all of the
 * family of src. */
struct vrrp_tx {
	uint8_t version;	  /* 2 or 3 */
	uint8_t vrid;		  /* 1..255 */
	uint8_t priority;	  /* 0..255 (0 = leaving, 255 = owner) */
	uint16_t advert_int_cs;	  /* v3: 1..4095; v2: a multiple of 100, 100..25500 */
	enum vrrp_auth auth_type; /* NONE, PASS (v2/IPv4), HMAC */
	const char *auth_pass;	  /* PASS: password (first 8 octets); HMAC: the key */
	uint8_t hmac_key_id;	  /* HMAC: carried in the trailer, for key rollover */
	uint64_t seq;		  /* HMAC: must increase per sender; see vrrp_hmac_next_seq */
	struct fc_addr src, dst;  /* IP source and destination (pseudo header) */
	const struct fc_addr *addrs;
	unsigned n_addrs; /* 1..255 */
};

/* Writes the VRRP part of an advert (what follows the IP header) into buf.
 * 0 and *outlen on success; -1 and err when the parameters are invalid or
 * buf is too small (nothing is guaranteed about buf then). */
int vrrp_pkt_encode(const struct vrrp_tx *tx, uint8_t *buf, size_t buflen, size_t *outlen,
		    char *err, size_t errlen);

/* What the receiving instance expects. */
struct vrrp_rx_expect {
	uint8_t version; /* 2 or 3 */
	uint8_t vrid;
	enum vrrp_auth auth_type;
	const char *auth_pass;	    /* PASS / HMAC key; NULL = "" */
	struct vrrp_replay *replay; /* HMAC: required, updated on acceptance */
};

/* Validates the VRRP part of a received packet.  src/dst are the packet's
 * IP addresses (same family), ttl its TTL or hop limit.  Returns 0 and fills
 * *out on acceptance; -1 and *why otherwise.  On VRRP_DROP_OTHER_VRID,
 * out->version and out->vrid are filled so a caller can demultiplex.
 * Priority semantics (0, 255, tie-breaks) are left to the state machine. */
int vrrp_pkt_decode(const uint8_t *pkt, size_t len, const struct fc_addr *src,
		    const struct fc_addr *dst, int ttl, const struct vrrp_rx_expect *exp,
		    struct vrrp_advert *out, enum vrrp_drop *why);

/* The same from a whole IPv4 packet as an IPPROTO_VRRP raw socket returns
 * it (IP header included): checks version, IHL, total length (<= len;
 * trailing octets beyond it are ignored), no fragment, protocol 112 (51 is
 * keepalived's AH: VRRP_DROP_AUTH_UNSUPPORTED), then decodes the payload
 * with the header's addresses and TTL. */
int vrrp_pkt_decode_ip4(const uint8_t *ip, size_t len, const struct vrrp_rx_expect *exp,
			struct vrrp_advert *out, enum vrrp_drop *why);

/* Internet checksum (RFC 1071) of buf, folded, not inverted, seeded with
 * sum (pass 0).  Exposed for tests and the IP header builder. */
uint32_t vrrp_csum_add(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t vrrp_csum_fold(uint32_t sum);

/* A sequence number for the next HMAC advert: the current time in
 * microseconds (CLOCK_REALTIME), or last + 1 when that is not larger, so a
 * restarted sender does not reuse numbers its peers have seen. */
uint64_t vrrp_hmac_next_seq(uint64_t last);

#endif
