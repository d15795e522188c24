/* HPACK (RFC 7541): integers, strings, the static and dynamic tables, the
 * decoder of a header block and the stateless encoder.  See hpack.h for
 * the contract; every read checks the block's end first. */
#include <stdlib.h>
#include <string.h>

#include "http/hpack.h"

/* Appendix A: the static table, index 1 to 61. */
static const struct {
	const char *name, *value;
} hpack_static[HPACK_STATIC_N] = {
	{ ":authority", "" }, { ":method", "GET" }, { ":method", "POST" }, { ":path", "/" },
	{ ":path", "/index.html" }, { ":scheme", "http" }, { ":scheme", "https" }, { ":status", "200" },
	{ ":status", "204" }, { ":status", "206" }, { ":status", "304" }, { ":status", "400" },
	{ ":status", "404" }, { ":status", "500" }, { "accept-charset", "" }, { "accept-encoding", "gzip, deflate" },
	{ "accept-language", "" }, { "accept-ranges", "" }, { "accept", "" }, { "access-control-allow-origin", "" },
	{ "age", "" }, { "allow", "" }, { "authorization", "" }, { "cache-control", "" },
	{ "content-disposition", "" }, { "content-encoding", "" }, { "content-language", "" }, { "content-length", "" },
	{ "content-location", "" }, { "content-range", "" }, { "content-type", "" }, { "cookie", "" },
	{ "date", "" }, { "etag", "" }, { "expect", "" }, { "expires", "" },
	{ "from", "" }, { "host", "" }, { "if-match", "" }, { "if-modified-since", "" },
	{ "if-none-match", "" }, { "if-range", "" }, { "if-unmodified-since", "" }, { "last-modified", "" },
	{ "link", "" }, { "location", "" }, { "max-forwards", "" }, { "proxy-authenticate", "" },
	{ "proxy-authorization", "" }, { "range", "" }, { "referer", "" }, { "refresh", "" },
	{ "retry-after", "" }, { "server", "" }, { "set-cookie", "" }, { "strict-transport-security", "" },
	{ "transfer-encoding", "" }, { "user-agent", "" }, { "vary", "" }, { "via", "" },
	{ "www-authenticate", "" },
};

void hpack_dec_init(struct hpack_dec *d, size_t limit)
{
	memset(d, 0, sizeof(*d));
	if (limit > HPACK_TABLE_LIMIT)
		limit = HPACK_TABLE_LIMIT;
	d->max = d->limit = limit;
}

static void dyn_evict_to(struct hpack_dec *d, size_t max)
{
	while (d->size > max && d->count) {
		struct hpack_ent *e = &d->ent[(d->head + d->count - 1) % HPACK_MAX_ENTRIES];

		d->size -= e->nlen + e->vlen + HPACK_ENTRY_OVERHEAD;
		free(e->name);
		e->name = NULL;
		d->count--;
	}
}

void hpack_dec_free(struct hpack_dec *d)
{
	dyn_evict_to(d, 0);
}

/* Section 4.4: evict until the new entry fits; an entry larger than the
 * table empties it and is not added.  -1 on allocation failure. */
static int dyn_add(struct hpack_dec *d, const char *n, size_t nlen, const char *v, size_t vlen)
{
	size_t esz = nlen + vlen + HPACK_ENTRY_OVERHEAD;

	if (esz > d->max) {
		dyn_evict_to(d, 0);
		return 0;
	}
	dyn_evict_to(d, d->max - esz);
	char *p = malloc(nlen + vlen + 1);

	if (!p)
		return -1;
	memcpy(p, n, nlen);
	memcpy(p + nlen, v, vlen);
	/* entries are at least 32 bytes, so count < HPACK_MAX_ENTRIES here */
	d->head = (d->head + HPACK_MAX_ENTRIES - 1) % HPACK_MAX_ENTRIES;
	d->ent[d->head] = (struct hpack_ent){ .name = p, .nlen = (uint32_t)nlen, .vlen = (uint32_t)vlen };
	d->count++;
	d->size += esz;
	return 0;
}

/* Index space (section 2.3.3): 1..61 static, then the dynamic table newest
 * first.  0 and past the end are errors. */
static int table_get(const struct hpack_dec *d, uint32_t idx, const char **n, size_t *nlen, const char **v,
		     size_t *vlen)
{
	if (idx == 0)
		return HPACK_ERR_INDEX;
	if (idx <= HPACK_STATIC_N) {
		*n = hpack_static[idx - 1].name;
		*nlen = strlen(*n);
		*v = hpack_static[idx - 1].value;
		*vlen = strlen(*v);
		return 0;
	}
	idx -= HPACK_STATIC_N + 1;
	if (idx >= d->count)
		return HPACK_ERR_INDEX;
	const struct hpack_ent *e = &d->ent[(d->head + idx) % HPACK_MAX_ENTRIES];

	*n = e->name;
	*nlen = e->nlen;
	*v = e->name + e->nlen;
	*vlen = e->vlen;
	return 0;
}

int hpack_int_dec(const uint8_t *in, size_t len, unsigned n, uint32_t *val)
{
	uint32_t mask = (1u << n) - 1;
	uint64_t v;
	size_t i = 1;

	if (len < 1)
		return HPACK_ERR_TRUNC;
	v = in[0] & mask;
	if (v < mask) {
		*val = (uint32_t)v;
		return 1;
	}
	/* 2^32 - 1 takes 5 continuation octets at most: a sixth is refused,
	 * so a run of 0x80 octets cannot make us loop over the block */
	for (unsigned shift = 0;; shift += 7, i++) {
		if (i >= len)
			return HPACK_ERR_TRUNC;
		if (shift > 28)
			return HPACK_ERR_INT;
		v += (uint64_t)(in[i] & 0x7f) << shift;
		if (v > UINT32_MAX)
			return HPACK_ERR_INT;
		if (!(in[i] & 0x80))
			break;
	}
	*val = (uint32_t)v;
	return (int)(i + 1);
}

size_t hpack_int_enc(uint8_t *out, size_t cap, unsigned n, uint8_t flags, uint32_t val)
{
	uint32_t mask = (1u << n) - 1;
	size_t o = 0;

	if (cap < 1)
		return 0;
	if (val < mask) {
		out[o++] = flags | (uint8_t)val;
		return o;
	}
	out[o++] = flags | (uint8_t)mask;
	val -= mask;
	while (val >= 0x80) {
		if (o == cap)
			return 0;
		out[o++] = (uint8_t)(0x80 | (val & 0x7f));
		val >>= 7;
	}
	if (o == cap)
		return 0;
	out[o++] = (uint8_t)val;
	return o;
}

/* A string literal (section 5.2) at in[*pos..len) into buf[*used..cap):
 * its start in *s, its length in *slen. */
static int str_dec(const uint8_t *in, size_t len, size_t *pos, char *buf, size_t cap, size_t *used,
		   const char **s, size_t *slen)
{
	uint32_t l;
	int huff = *pos < len && (in[*pos] & 0x80);
	int r = hpack_int_dec(in + *pos, len - *pos, 7, &l);

	if (r < 0)
		return r;
	*pos += (size_t)r;
	if (l > len - *pos)
		return HPACK_ERR_TRUNC;
	if (huff) {
		ssize_t n = hpack_huff_dec(in + *pos, l, buf + *used, cap - *used);

		if (n < 0)
			return (int)n;
		*slen = (size_t)n;
	} else {
		if (l > cap - *used)
			return HPACK_ERR_LIST_SIZE;
		memcpy(buf + *used, in + *pos, l);
		*slen = l;
	}
	*s = buf + *used;
	*used += *slen;
	*pos += l;
	return 0;
}

/* Copy a table entry's text into the caller's buffer (the dynamic table may
 * evict it before the caller reads it). */
static int copy_out(char *buf, size_t cap, size_t *used, const char *s, size_t len, const char **out)
{
	if (len > cap - *used)
		return HPACK_ERR_LIST_SIZE;
	memcpy(buf + *used, s, len);
	*out = buf + *used;
	*used += len;
	return 0;
}

int hpack_decode(struct hpack_dec *d, const uint8_t *in, size_t len, struct hpack_hdr *hdrs, int maxhdrs,
		 char *buf, size_t cap)
{
	size_t pos = 0, used = 0;
	int nh = 0;

	while (pos < len) {
		uint8_t b = in[pos];
		uint32_t idx;
		int r;

		if ((b & 0xe0) == 0x20) { /* dynamic table size update (6.3) */
			if (nh)
				return HPACK_ERR_SIZE_UPD; /* only at the start of a block (4.2) */
			r = hpack_int_dec(in + pos, len - pos, 5, &idx);
			if (r < 0)
				return r;
			if (idx > d->limit)
				return HPACK_ERR_SIZE_UPD;
			pos += (size_t)r;
			d->max = idx;
			dyn_evict_to(d, d->max);
			continue;
		}
		if (nh == maxhdrs)
			return HPACK_ERR_TOO_MANY;

		const char *n, *v;
		size_t nlen, vlen;
		struct hpack_hdr *h = &hdrs[nh];

		if (b & 0x80) { /* indexed field (6.1) */
			r = hpack_int_dec(in + pos, len - pos, 7, &idx);
			if (r < 0)
				return r;
			pos += (size_t)r;
			if ((r = table_get(d, idx, &n, &nlen, &v, &vlen)) < 0 ||
			    (r = copy_out(buf, cap, &used, n, nlen, &h->name)) < 0 ||
			    (r = copy_out(buf, cap, &used, v, vlen, &h->value)) < 0)
				return r;
			h->nlen = (uint32_t)nlen;
			h->vlen = (uint32_t)vlen;
			nh++;
			continue;
		}
		/* literal: with incremental indexing (01, 6-bit index), without
		 * indexing (0000) or never indexed (0001), 4-bit index */
		int incr = (b & 0xc0) == 0x40;

		r = hpack_int_dec(in + pos, len - pos, incr ? 6 : 4, &idx);
		if (r < 0)
			return r;
		pos += (size_t)r;
		if (idx) {
			const char *tv;
			size_t tvlen;

			if ((r = table_get(d, idx, &n, &nlen, &tv, &tvlen)) < 0 ||
			    (r = copy_out(buf, cap, &used, n, nlen, &h->name)) < 0)
				return r;
		} else if ((r = str_dec(in, len, &pos, buf, cap, &used, &h->name, &nlen)) < 0) {
			return r;
		}
		if ((r = str_dec(in, len, &pos, buf, cap, &used, &h->value, &vlen)) < 0)
			return r;
		h->nlen = (uint32_t)nlen;
		h->vlen = (uint32_t)vlen;
		if (incr && dyn_add(d, h->name, nlen, h->value, vlen) < 0)
			return HPACK_ERR_LIST_SIZE;
		nh++;
	}
	return nh;
}

size_t hpack_enc_field(uint8_t *out, size_t cap, const char *name, size_t nlen, const char *val, size_t vlen)
{
	size_t o = 0, r;

	if (cap < 1 || nlen > UINT32_MAX || vlen > UINT32_MAX)
		return 0;
	out[o++] = 0x00; /* literal without indexing, new name */
	if (!(r = hpack_int_enc(out + o, cap - o, 7, 0, (uint32_t)nlen)) || nlen > cap - o - r)
		return 0;
	o += r;
	memcpy(out + o, name, nlen);
	o += nlen;
	if (!(r = hpack_int_enc(out + o, cap - o, 7, 0, (uint32_t)vlen)) || vlen > cap - o - r)
		return 0;
	o += r;
	memcpy(out + o, val, vlen);
	return o + vlen;
}

size_t hpack_enc_status(uint8_t *out, size_t cap, unsigned status)
{
	char s[4];

	if (status < 100 || status > 999 || cap < 5)
		return 0;
	s[0] = (char)('0' + status / 100);
	s[1] = (char)('0' + status / 10 % 10);
	s[2] = (char)('0' + status % 10);
	s[3] = 0;
	for (unsigned i = 8; i <= 14; i++) /* :status 200 .. 500 */
		if (!strcmp(hpack_static[i - 1].value, s)) {
			out[0] = (uint8_t)(0x80 | i);
			return 1;
		}
	/* literal without indexing, name :status (index 8) */
	out[0] = 0x08;
	out[1] = 3;
	memcpy(out + 2, s, 3);
	return 5;
}
