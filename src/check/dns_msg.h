/* A small DNS message builder and a strict reply parser for DNS_CHECK.
 *
 * Pure functions on byte buffers, no I/O.  The parser reads outside input:
 * every access is bounds-checked against the length it is given, name
 * compression pointers are followed at most DNS_MAX_PTRS times and only
 * backwards, and a decoded name never exceeds 255 octets (RFC 1035). */
#ifndef FC_CHECK_DNS_MSG_H
#define FC_CHECK_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN   12
#define DNS_QUERY_MAX 300 /* header + a 255-octet name + type + class */
#define DNS_NAME_MAX  255
#define DNS_MAX_PTRS  32

/* Types DNS_CHECK accepts (keepalived's list). */
#define DNS_T_A	     1
#define DNS_T_NS     2
#define DNS_T_CNAME  5
#define DNS_T_SOA    6
#define DNS_T_MX     15
#define DNS_T_TXT    16
#define DNS_T_AAAA   28
#define DNS_T_RRSIG  46
#define DNS_T_DNSKEY 48
#define DNS_C_IN     1

/* Header flag fields. */
#define DNS_QR(f)     (((f) >> 15) & 1)
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_TC(f)     (((f) >> 9) & 1)
#define DNS_RCODE(f)  ((f)&0xf)
#define DNS_RD	      0x0100

/* "A", "soa"... (case-insensitive) -> type code; 0 if unknown. */
uint16_t dns_type_code(const char *name);
/* "NOERROR", "SERVFAIL"... or NULL for a code without a name. */
const char *dns_rcode_name(unsigned rcode);

/* Encode a presentation name ("example.com", "example.com.", "." for the
 * root) into wire format.  Refuses empty labels, labels over 63 octets and
 * names over 255 octets.  0, or -1 with err. */
int dns_encode_name(const char *name, uint8_t *out, size_t cap, size_t *len, char *err,
		    size_t errlen);

/* A standard query with RD set: id, one question (name, type, class IN).
 * 0 with *len set, or -1 with err. */
int dns_build_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id, const char *name,
		    uint16_t qtype, char *err, size_t errlen);

/* What a parsed message says.  qname is the first question's name in wire
 * format, decompressed (qname_len 0 when qdcount is 0). */
struct dns_msg_info {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
	uint8_t qname[DNS_NAME_MAX];
	size_t qname_len;
	uint16_t qtype, qclass;
	unsigned answers_of_qtype; /* answer RRs whose type is qtype */
};

/* Parse a whole message strictly: header, every question and every
 * resource record must lie inside msg[0..len), rdlengths included.
 * 0, or -1 with err ("truncated answer 2"...). */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg_info *info, char *err, size_t errlen);

/* The reply verdict DNS_CHECK uses, given the query it sent. */
enum dns_verdict {
	DNS_REPLY_OK,	  /* ours, well formed, NOERROR */
	DNS_REPLY_IGNORE, /* not ours: too short, other ID, or not a response */
	DNS_REPLY_BAD,	  /* ours but malformed or answering another question */
	DNS_REPLY_RCODE,  /* ours, well formed, rcode != 0 (in info->flags) */
};

/* keepalived's rule, made strict: a datagram shorter than a header, with
 * another ID or without QR is not a reply to us (keep waiting, as keepalived
 * does); a reply must then parse whole, be a QUERY answer echoing our one
 * question, and carry rcode NOERROR.  Answers are not required (keepalived
 * does not require them either).  err says why for BAD and RCODE. */
enum dns_verdict dns_check_reply(const uint8_t *query, size_t qlen, const uint8_t *reply,
				 size_t rlen, struct dns_msg_info *info, char *err, size_t errlen);

#endif
