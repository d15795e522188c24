/* Editing a parsed head and writing it out (see h1.h).
 *
 * The received bytes are never changed: an edit marks a header deleted,
 * or copies new text into the message's `extra` arena and points a span
 * at it.  An edit either happens whole or not at all (-1, nothing
 * changed), so a failed rewrite leaves the head as it was.  Text an edit
 * brings in is checked as the parser checks what it receives (a token
 * for a name or a method; no CR, LF or NUL in a value), so no rule can
 * smuggle a header or a line into what goes on. */
#include <stdint.h>
#include <string.h>

#include "http/h1.h"

#define NHDRS_MAX (sizeof(((struct h1_msg *)0)->hdrs) / sizeof(((struct h1_msg *)0)->hdrs[0]))

/* Room for n more bytes in the arena? */
static int extra_room(const struct h1_msg *m, size_t n)
{
	return n <= H1_EXTRA_SIZE - m->extra_len;
}

/* Copy s[0..n) into the arena (room checked by the caller): its span. */
static struct h1_span extra_put(struct h1_msg *m, const char *s, size_t n)
{
	struct h1_span sp = { H1_SPAN_EXTRA | m->extra_len, (uint32_t)n };

	memcpy(m->extra + m->extra_len, s, n);
	m->extra_len += (uint32_t)n;
	return sp;
}

/* A field value (RFC 9110 section 5.5) as we let it go on: no CR, LF or
 * NUL, which would end or corrupt the line. */
static int value_ok(const char *v, size_t n)
{
	return !memchr(v, '\r', n) && !memchr(v, '\n', n) && !memchr(v, '\0', n);
}

void h1_hdr_del(struct h1_msg *m, int idx)
{
	if (idx >= 0 && (unsigned)idx < m->nhdrs)
		m->hdrs[idx].flags |= H1_HDR_DELETED;
}

unsigned h1_hdr_del_all(struct h1_msg *m, const char *name, size_t nlen)
{
	unsigned n = 0;
	int i = -1;

	while ((i = h1_hdr_find(m, name, nlen, i + 1)) >= 0) {
		h1_hdr_del(m, i);
		n++;
	}
	return n;
}

/* Can `name: val` be added (valid text, a slot, arena room)? */
static int add_ok(const struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen)
{
	return h1_is_token(name, nlen) && value_ok(val, vlen) && m->nhdrs < NHDRS_MAX &&
	       extra_room(m, nlen + vlen);
}

static void add_hdr(struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct h1_hdr *h = &m->hdrs[m->nhdrs++];

	h->name = extra_put(m, name, nlen);
	h->value = extra_put(m, val, vlen);
	h->flags = 0;
}

int h1_hdr_add(struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen)
{
	if (!add_ok(m, name, nlen, val, vlen))
		return -1;
	add_hdr(m, name, nlen, val, vlen);
	return 0;
}

int h1_hdr_set(struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen)
{
	if (!add_ok(m, name, nlen, val, vlen))
		return -1;
	h1_hdr_del_all(m, name, nlen);
	add_hdr(m, name, nlen, val, vlen);
	return 0;
}

/* The method is re-read from the new token, so a rewrite to HEAD changes
 * how the response is framed; m->method keeps the received text. */
int h1_set_method(struct h1_msg *m, const char *meth, size_t len)
{
	if (!h1_is_token(meth, len) || !extra_room(m, len))
		return -1;
	m->new_method = extra_put(m, meth, len);
	m->meth = h1_meth_lookup(meth, len);
	return 0;
}

/* Any visible ASCII: the same request-target bytes the parser takes. */
int h1_set_uri(struct h1_msg *m, const char *uri, size_t len)
{
	size_t i;

	if (!len || !extra_room(m, len))
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f || uri[i] == '#')
			return -1;
	m->new_uri = extra_put(m, uri, len);
	return 0;
}

/* The status changes with its reason (h1_reason); m->status follows, so
 * what reads it after the rule sees the new one, as in HAProxy. */
void h1_set_status(struct h1_msg *m, unsigned status)
{
	m->new_status = status;
	m->status = status;
}

/* ---- emit ---- */

struct h1_out {
	char *p;
	size_t len, cap;
	int full;
};

static void out_put(struct h1_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void out_span(struct h1_out *o, const struct h1_msg *m, struct h1_span s)
{
	out_put(o, h1_ptr(m, s), s.len);
}

/* Eight bytes at once, 'A'-'Z' lowered, every other byte as it was: a
 * byte's low seven bits plus 0x3f reach bit 7 from 'A' on, plus 0x25 from
 * past 'Z' on (neither carries into the next byte); the two differ for
 * 'A'-'Z', which get their 0x20 bit unless the byte's own bit 7 is set.
 * A head's names are a tenth of its bytes and were lowered one by one. */
static uint64_t lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t low7 = x & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A'), gt_z = low7 + ones * (0x7f - 'Z');

	return x | (((ge_a ^ gt_z) & ~x & high) >> 2);
}

/* A header name in lower case: HAProxy 2.6 keeps names so (HTX) and
 * writes them so to servers and clients alike (only `option
 * h1-case-adjust-bogus-*`, which fulcrum refuses, would change that). */
static void out_name(struct h1_out *o, const struct h1_msg *m, struct h1_span s)
{
	const char *p = h1_ptr(m, s);
	char *d = o->p + o->len;
	size_t i;
	uint64_t w;

	if (o->full || s.len > o->cap - o->len) {
		o->full = 1;
		return;
	}
	for (i = 0; i + 8 <= s.len; i += 8) {
		memcpy(&w, p + i, 8);
		w = lower8(w);
		memcpy(d + i, &w, 8);
	}
	for (; i < s.len; i++)
		d[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + ('a' - 'A') : p[i]);
	o->len += s.len;
}

static void out_version(struct h1_out *o, const struct h1_msg *m)
{
	char v[8] = { 'H', 'T', 'T', 'P', '/', (char)('0' + m->vmajor % 10), '.', (char)('0' + m->vminor % 10) };

	out_put(o, v, sizeof(v));
}

size_t h1_emit_head(const struct h1_msg *m, char *out, size_t cap)
{
	struct h1_out o = { out, 0, cap, 0 };
	unsigned i;

	if (m->is_req) {
		out_span(&o, m, m->new_method.len ? m->new_method : m->method);
		out_put(&o, " ", 1);
		out_span(&o, m, m->new_uri.len ? m->new_uri : m->uri);
		out_put(&o, " ", 1);
		out_version(&o, m);
	} else {
		unsigned st = m->status % 1000;
		char code[5] = { ' ', (char)('0' + st / 100), (char)('0' + st / 10 % 10), (char)('0' + st % 10), ' ' };

		out_version(&o, m);
		out_put(&o, code, sizeof(code));
		if (m->new_status) {
			const char *r = h1_reason(m->new_status);

			out_put(&o, r, strlen(r));
		} else {
			out_span(&o, m, m->reason);
		}
	}
	out_put(&o, "\r\n", 2);
	for (i = 0; i < m->nhdrs; i++) {
		const struct h1_hdr *h = &m->hdrs[i];

		if (h->flags & H1_HDR_DELETED)
			continue;
		out_name(&o, m, h->name);
		out_put(&o, ": ", 2);
		out_span(&o, m, h->value);
		out_put(&o, "\r\n", 2);
	}
	out_put(&o, "\r\n", 2);
	return o.full ? 0 : o.len;
}
