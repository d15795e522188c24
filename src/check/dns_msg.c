/* DNS message builder and strict reply parser (see dns_msg.h). */
#include <string.h>
#include <strings.h>

#include "check/dns_msg.h"
#include "core/err.h"

static const struct {
	const char *name;
	uint16_t code;
} dns_types[] = {
    {"A", DNS_T_A},	  {"NS", DNS_T_NS},	  {"CNAME", DNS_T_CNAME},
    {"SOA", DNS_T_SOA},	  {"MX", DNS_T_MX},	  {"TXT", DNS_T_TXT},
    {"AAAA", DNS_T_AAAA}, {"RRSIG", DNS_T_RRSIG}, {"DNSKEY", DNS_T_DNSKEY},
};

uint16_t dns_type_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (!strcasecmp(name, dns_types[i].name))
			return dns_types[i].code;
	return 0;
}

const char *dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int dns_encode_name(const char *name, uint8_t *out, size_t cap, size_t *len, char *err,
		    size_t errlen)
{
	const char *s = name, *dot;
	size_t n = 0, lab;

	if (!*name)
		return err_set(err, errlen, "empty DNS name");
	if (strcmp(name, ".") != 0) {
		while (*s) {
			dot = strchr(s, '.');
			lab = dot ? (size_t)(dot - s) : strlen(s);
			if (lab == 0)
				return err_set(err, errlen, "DNS name '%s' has an empty label",
					       name);
			if (lab > 63)
				return err_set(err, errlen,
					       "DNS name '%s' has a label over 63 octets", name);
			if (n + 1 + lab + 1 > DNS_NAME_MAX)
				return err_set(err, errlen, "DNS name '%s' is over 255 octets",
					       name);
			if (n + 1 + lab + 1 > cap)
				return err_set(err, errlen, "no room for DNS name '%s'", name);
			out[n++] = (uint8_t)lab;
			memcpy(out + n, s, lab);
			n += lab;
			s += lab;
			if (*s == '.')
				s++; /* a trailing dot ends the name like the end of string */
		}
	}
	if (n + 1 > cap)
		return err_set(err, errlen, "no room for DNS name '%s'", name);
	out[n++] = 0;
	*len = n;
	return 0;
}

int dns_build_query(uint8_t *buf, size_t cap, size_t *len, uint16_t id, const char *name,
		    uint16_t qtype, char *err, size_t errlen)
{
	size_t nlen;

	if (cap < DNS_HDR_LEN + 1 + 4)
		return err_set(err, errlen, "no room for a DNS query");
	memset(buf, 0, DNS_HDR_LEN);
	put16(buf, id);
	put16(buf + 2, DNS_RD);
	put16(buf + 4, 1); /* qdcount */
	if (dns_encode_name(name, buf + DNS_HDR_LEN, cap - DNS_HDR_LEN - 4, &nlen, err, errlen) < 0)
		return -1;
	put16(buf + DNS_HDR_LEN + nlen, qtype);
	put16(buf + DNS_HDR_LEN + nlen + 2, DNS_C_IN);
	*len = DNS_HDR_LEN + nlen + 4;
	return 0;
}

/* Read the (possibly compressed) name at *off into out (wire format,
 * uncompressed); *off moves past the name as it lies in the message.
 * A pointer must point strictly before itself, so loops cannot form. */
static int read_name(const uint8_t *msg, size_t len, size_t *off, uint8_t *out, size_t *outlen,
		     char *err, size_t errlen)
{
	size_t pos = *off, n = 0;
	unsigned hops = 0;
	int jumped = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return err_set(err, errlen, "name runs past the end");
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t ptr;

			if (pos + 1 >= len)
				return err_set(err, errlen, "name pointer runs past the end");
			ptr = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (ptr >= pos)
				return err_set(err, errlen, "name pointer does not point back");
			if (++hops > DNS_MAX_PTRS)
				return err_set(err, errlen, "too many name pointers");
			if (!jumped)
				*off = pos + 2;
			jumped = 1;
			pos = ptr;
			continue;
		}
		if (c & 0xc0)
			return err_set(err, errlen, "unknown label type 0x%02x", c);
		if (c == 0) {
			if (n + 1 > DNS_NAME_MAX)
				return err_set(err, errlen, "name over 255 octets");
			out[n++] = 0;
			if (!jumped)
				*off = pos + 1;
			*outlen = n;
			return 0;
		}
		if (pos + 1 + c > len)
			return err_set(err, errlen, "label runs past the end");
		if (n + 1 + c + 1 > DNS_NAME_MAX)
			return err_set(err, errlen, "name over 255 octets");
		memcpy(out + n, msg + pos, 1 + (size_t)c);
		n += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg_info *info, char *err, size_t errlen)
{
	uint8_t name[DNS_NAME_MAX];
	size_t off = DNS_HDR_LEN, nlen, i, total;
	char why[128];

	memset(info, 0, sizeof(*info));
	if (len < DNS_HDR_LEN)
		return err_set(err, errlen, "message of %zu bytes is shorter than a header", len);
	info->id = get16(msg);
	info->flags = get16(msg + 2);
	info->qdcount = get16(msg + 4);
	info->ancount = get16(msg + 6);
	info->nscount = get16(msg + 8);
	info->arcount = get16(msg + 10);

	for (i = 0; i < info->qdcount; i++) {
		if (read_name(msg, len, &off, name, &nlen, why, sizeof(why)) < 0)
			return err_set(err, errlen, "question %zu: %s", i + 1, why);
		if (off + 4 > len)
			return err_set(err, errlen, "question %zu is truncated", i + 1);
		if (i == 0) {
			memcpy(info->qname, name, nlen);
			info->qname_len = nlen;
			info->qtype = get16(msg + off);
			info->qclass = get16(msg + off + 2);
		}
		off += 4;
	}
	/* A truncated (TC) reply may end anywhere after the questions. */
	if (DNS_TC(info->flags))
		return 0;

	total = (size_t)info->ancount + info->nscount + info->arcount;
	for (i = 0; i < total; i++) {
		const char *sect = "additional";
		uint16_t type, rdlen;

		if (i < info->ancount)
			sect = "answer";
		else if (i < (size_t)info->ancount + info->nscount)
			sect = "authority";
		if (read_name(msg, len, &off, name, &nlen, why, sizeof(why)) < 0)
			return err_set(err, errlen, "%s record: %s", sect, why);
		if (off + 10 > len)
			return err_set(err, errlen, "%s record is truncated", sect);
		type = get16(msg + off);
		rdlen = get16(msg + off + 8);
		off += 10;
		if (rdlen > len - off)
			return err_set(err, errlen, "%s record data runs past the end", sect);
		off += rdlen;
		if (i < info->ancount && info->qdcount && type == info->qtype)
			info->answers_of_qtype++;
	}
	/* Bytes after the last record are ignored: they cannot be misread. */
	return 0;
}

static int name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return 0;
	/* length octets are < 64, below 'A', so folding case leaves them alone */
	for (i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

enum dns_verdict dns_check_reply(const uint8_t *query, size_t qlen, const uint8_t *reply,
				 size_t rlen, struct dns_msg_info *info, char *err, size_t errlen)
{
	struct dns_msg_info q;
	char why[160];
	unsigned rcode;

	if (rlen < DNS_HDR_LEN || qlen < DNS_HDR_LEN)
		return DNS_REPLY_IGNORE;
	if (get16(reply) != get16(query) || !DNS_QR(get16(reply + 2)))
		return DNS_REPLY_IGNORE;
	if (dns_parse(reply, rlen, info, why, sizeof(why)) < 0) {
		err_set(err, errlen, "malformed reply: %s", why);
		return DNS_REPLY_BAD;
	}
	if (DNS_OPCODE(info->flags) != 0) {
		err_set(err, errlen, "reply has opcode %u, not QUERY", DNS_OPCODE(info->flags));
		return DNS_REPLY_BAD;
	}
	rcode = DNS_RCODE(info->flags);
	if (rcode) {
		const char *n = dns_rcode_name(rcode);

		err_set(err, errlen, "rcode %s (%u)", n ? n : "unknown", rcode);
		return DNS_REPLY_RCODE;
	}
	if (dns_parse(query, qlen, &q, why, sizeof(why)) < 0) {
		err_set(err, errlen, "bad query: %s", why);
		return DNS_REPLY_BAD;
	}
	if (q.qdcount != 1) {
		err_set(err, errlen, "bad query: %u questions", q.qdcount);
		return DNS_REPLY_BAD;
	}
	if (info->qdcount != 1 || !name_equal(info->qname, info->qname_len, q.qname, q.qname_len) ||
	    info->qtype != q.qtype || info->qclass != q.qclass) {
		err_set(err, errlen, "reply does not echo the question");
		return DNS_REPLY_BAD;
	}
	return DNS_REPLY_OK;
}
