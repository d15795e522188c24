/* HTTP/1.1 head parsing (RFC 9112): the start line, the header lines, and
 * the framing decision, in place (see h1.h for the contract).
 *
 * The head is parsed line by line from the start on every call: a line is
 * looked at only once its LF is in, so feeding a message byte by byte
 * gives 0 until the empty line is in and then exactly the result of
 * parsing it whole.  Nothing is read at or past `len`.
 *
 * Tokenizing (what a line may contain) and framing policy (which
 * Content-Length and Transfer-Encoding headers are acceptable and what
 * they mean together) are kept apart: the policy, where request smuggling
 * is won or lost, is in hdr_content_length, hdr_transfer_encoding,
 * hdr_host, check_host_authority and decide_framing, with the RFC 9112
 * section each follows.  Every choice was compared with Debian's HAProxy
 * 2.6 on loopback (doc/internals/http.md has the table): where it is
 * strict we are too; where it is more lenient than h1.h's defences (a NUL
 * or an obsolete folding in a value, a version other than 1.0/1.1) we
 * refuse; where it is lenient in ways real peers rely on (a bare LF
 * ending a line, empty lines before the start line, repeated blanks in
 * it, "Content-Length: 5, 5", Transfer-Encoding on HTTP/1.0 as chunked
 * then close) we accept as it does, and h1_emit_head normalises. */
#include <string.h>

#include "http/h1.h"

/* Content-Length: 18 digits at most, below 10^18, no overflow. */
#define CLEN_DIGITS_MAX 18

/* What the header lines said about framing, gathered while parsing. */
struct h1_parse {
	unsigned te_chunked; /* `chunked` seen (it must be the last coding) */
	unsigned te_other;   /* a coding other than chunked seen */
	unsigned te_seen;    /* a Transfer-Encoding header */
	int cl_first;	     /* index of the first Content-Length header, or -1 */
	int host;	     /* index of the first Host header, or -1 */
	unsigned upgrade;    /* an Upgrade header */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the span of m equal `want` (lowercase, case-insensitive)? */
static int span_is(const struct h1_msg *m, struct h1_span s, const char *want, size_t wlen)
{
	return s.len == wlen && h1_ieq(h1_ptr(m, s), want, wlen);
}

#define SPAN_IS(m, s, lit) span_is(m, s, lit, sizeof(lit) - 1)

/* Next comma-separated element of v[*pos..len), blanks trimmed: its
 * offset in v and its length (0 for an empty element); -1 at the end. */
static int next_elem(const char *v, size_t len, size_t *pos, size_t *elen)
{
	size_t i = *pos, b, e;

	if (i > len)
		return -1;
	while (i < len && is_blank(v[i]))
		i++;
	b = i;
	while (i < len && v[i] != ',')
		i++;
	e = i;
	while (e > b && is_blank(v[e - 1]))
		e--;
	*pos = i + 1; /* past the comma; len + 1 after the last element */
	*elen = e - b;
	return (int)b;
}

/* The incomplete answer: more bytes are needed, unless the buffer is full. */
static int incomplete(size_t len, size_t cap)
{
	return len >= cap ? H1_ERR_TOO_BIG : 0;
}

/* "HTTP/" DIGIT "." DIGIT at s[0..n): 0 if so (vmajor/vminor set), -1 if
 * malformed.  The version is judged by the caller (only 1.0 and 1.1). */
static int parse_version(struct h1_msg *m, const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) || !is_digit(s[5]) || s[6] != '.' || !is_digit(s[7]))
		return -1;
	m->vmajor = (unsigned)(s[5] - '0');
	m->vminor = (unsigned)(s[7] - '0');
	return 0;
}

static int version_ok(struct h1_msg *m)
{
	if (m->vmajor != 1 || m->vminor > 1)
		return H1_ERR_VERSION;
	if (m->vminor == 0)
		m->flags |= H1_F_VER_10;
	return 0;
}

/* A request-target character (RFC 3986 as HAProxy 2.6 takes it): visible
 * ASCII except '#', which starts a fragment a client must not send.
 * Bytes over 0x7e are refused as HAProxy does. */
static int is_uri_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '#';
}

/* "scheme://..." (RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / + / - / . )) */
static int is_absolute_form(const char *u, size_t n)
{
	size_t i = 0;

	if (!n || !((u[0] | 0x20) >= 'a' && (u[0] | 0x20) <= 'z'))
		return 0;
	while (i < n && (((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') || is_digit(u[i]) ||
			 u[i] == '+' || u[i] == '-' || u[i] == '.'))
		i++;
	return i + 3 <= n && !memcmp(u + i, "://", 3);
}

/* RFC 9112 section 3.2: origin form for every method; absolute form too
 * (a proxy request); authority form ("host:port") with CONNECT only, and
 * CONNECT only with it; "*" with OPTIONS only. */
static int check_target(struct h1_msg *m, const char *u, size_t n)
{
	if (m->meth == H1_METH_CONNECT) {
		if (u[0] == '/' || memchr(u, '/', n) || !memchr(u, ':', n))
			return H1_ERR_SYNTAX;
		return 0;
	}
	if (u[0] == '/')
		return 0;
	if (n == 1 && u[0] == '*')
		return m->meth == H1_METH_OPTIONS ? 0 : H1_ERR_SYNTAX;
	if (is_absolute_form(u, n)) {
		m->flags |= H1_F_ABS_URI;
		return 0;
	}
	return H1_ERR_SYNTAX;
}

/* METHOD 1*( SP / HTAB ) request-target 1*( SP / HTAB ) HTTP-version, in
 * s[0..n) (the line without its CRLF). */
static int parse_request_line(struct h1_msg *m, const char *s, size_t n, uint32_t base)
{
	size_t i = 0, b;
	int rc;

	while (i < n && h1_is_tchar((unsigned char)s[i]))
		i++;
	if (!i || i == n || !is_blank(s[i]))
		return H1_ERR_SYNTAX;
	m->method = (struct h1_span){ base, (uint32_t)i };
	m->meth = h1_meth_lookup(s, i);
	while (i < n && is_blank(s[i]))
		i++;
	b = i;
	while (i < n && !is_blank(s[i])) {
		if (!is_uri_char((unsigned char)s[i]))
			return H1_ERR_SYNTAX;
		i++;
	}
	if (i == b)
		return H1_ERR_SYNTAX;
	m->uri = (struct h1_span){ base + (uint32_t)b, (uint32_t)(i - b) };
	if (i == n)
		return H1_ERR_VERSION; /* HTTP/0.9: no version */
	while (i < n && is_blank(s[i]))
		i++;
	if (parse_version(m, s + i, n - i) < 0)
		return H1_ERR_SYNTAX;
	if ((rc = version_ok(m)) < 0)
		return rc;
	return check_target(m, s + b, m->uri.len);
}

/* HTTP-version 1*( SP / HTAB ) 3DIGIT [ SP reason-phrase ], in s[0..n).
 * The reason may hold any byte but NUL, CR and LF (checked by the
 * caller), as HAProxy takes it; "HTTP/1.1 200" without a reason, and
 * blanks repeated after the version, are accepted too (HAProxy does: a
 * server's status line decides no framing but the status). */
static int parse_status_line(struct h1_msg *m, const char *s, size_t n, uint32_t base)
{
	size_t i = 8;
	int rc;

	if (n < 12 || parse_version(m, s, 8) < 0 || !is_blank(s[8]))
		return H1_ERR_SYNTAX;
	if ((rc = version_ok(m)) < 0)
		return rc;
	while (i < n && is_blank(s[i]))
		i++;
	if (n - i < 3 || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) || s[i] == '0')
		return H1_ERR_SYNTAX;
	m->status = (unsigned)((s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0'));
	i += 3;
	if (i < n && !is_blank(s[i]))
		return H1_ERR_SYNTAX;
	if (i < n)
		i++;
	m->reason = (struct h1_span){ base + (uint32_t)i, (uint32_t)(n - i) };
	return 0;
}

/* RFC 9110 section 8.6: Content-Length = 1*DIGIT.  A list of equal
 * values ("5, 5", or the same value in several headers) is taken as the
 * one value, as HAProxy and RFC 9112 section 6.3 allow; different values,
 * an empty element, a sign or a value of 10^18 or more are refused.  The
 * first header's value span is narrowed to the bare number and the later
 * headers are deleted, so one "Content-Length: N" goes on. */
static int hdr_content_length(struct h1_msg *m, struct h1_parse *p, int idx)
{
	struct h1_hdr *h = &m->hdrs[idx];
	const struct h1_span val = h->value; /* h->value is narrowed below */
	const char *v = h1_ptr(m, val);
	size_t pos = 0, el, k;
	int b;

	while ((b = next_elem(v, val.len, &pos, &el)) >= 0) {
		uint64_t x = 0;

		if (!el || el > CLEN_DIGITS_MAX)
			return H1_ERR_CL;
		for (k = 0; k < el; k++) {
			if (!is_digit(v[b + k]))
				return H1_ERR_CL;
			x = x * 10 + (uint64_t)(v[b + k] - '0');
		}
		if ((m->flags & H1_F_HAS_CL) && x != m->clen)
			return H1_ERR_CL;
		if (!(m->flags & H1_F_HAS_CL)) {
			h->value = (struct h1_span){ val.off + (uint32_t)b, (uint32_t)el };
			p->cl_first = idx;
		}
		m->clen = x;
		m->flags |= H1_F_HAS_CL;
	}
	if (p->cl_first != idx)
		h->flags |= H1_HDR_DELETED; /* a repeat of the first: one goes on */
	return 0;
}

/* RFC 9112 section 6.1: the codings in order, `chunked` last and once
 * (once over all Transfer-Encoding headers: they are one list).
 * `chunked` twice or followed by another coding is refused at once; what
 * the list ends with is judged in decide_framing.  As HAProxy 2.6 reads
 * the list: an element is a coding only if it is exactly `chunked`
 * (parameters make it another coding), an empty element counts as
 * another coding unless it is the header's last (", chunked" is 422,
 * "chunked," is chunked), and an empty header adds nothing. */
static int hdr_transfer_encoding(struct h1_msg *m, struct h1_parse *p, int idx)
{
	struct h1_hdr *h = &m->hdrs[idx];
	const char *v = h1_ptr(m, h->value);
	size_t pos = 0, el;
	int b;

	while ((b = next_elem(v, h->value.len, &pos, &el)) >= 0) {
		if (!el && pos > h->value.len)
			break; /* an empty last element */
		if (el == 7 && h1_ieq(v + b, "chunked", 7)) {
			if (p->te_chunked)
				return H1_ERR_TE; /* twice */
			p->te_chunked = 1;
		} else {
			if (p->te_chunked)
				return H1_ERR_TE; /* chunked not last */
			p->te_other = 1;
		}
	}
	p->te_seen = 1;
	return 0;
}

/* Connection: close, keep-alive, upgrade; comma lists, several headers. */
static void hdr_connection(struct h1_msg *m, int idx)
{
	struct h1_hdr *h = &m->hdrs[idx];
	const char *v = h1_ptr(m, h->value);
	size_t pos = 0, el;
	int b;

	while ((b = next_elem(v, h->value.len, &pos, &el)) >= 0) {
		if (el == 5 && h1_ieq(v + b, "close", 5))
			m->flags |= H1_F_CONN_CLOSE;
		else if (el == 10 && h1_ieq(v + b, "keep-alive", 10))
			m->flags |= H1_F_CONN_KAL;
		else if (el == 7 && h1_ieq(v + b, "upgrade", 7))
			m->flags |= H1_F_CONN_UPG;
	}
}

/* Host: a repeat with the same value (ASCII case aside) is dropped, one
 * with another value is refused: which one would route?  (HAProxy 2.6
 * does both.) */
static int hdr_host(struct h1_msg *m, struct h1_parse *p, int idx)
{
	struct h1_span v = m->hdrs[idx].value, first;

	if (p->host < 0) {
		p->host = idx;
		return 0;
	}
	first = m->hdrs[p->host].value;
	if (v.len != first.len || !h1_ieq(h1_ptr(m, v), h1_ptr(m, first), v.len))
		return H1_ERR_SYNTAX;
	m->hdrs[idx].flags |= H1_HDR_DELETED;
	return 0;
}

/* The headers whose meaning the parser needs, as each comes in. */
static int hdr_special(struct h1_msg *m, struct h1_parse *p, int idx)
{
	struct h1_span n = m->hdrs[idx].name;

	switch (n.len) {
	case 4:
		if (SPAN_IS(m, n, "host") && m->is_req)
			return hdr_host(m, p, idx);
		break;
	case 6:
		if (SPAN_IS(m, n, "expect") && m->is_req &&
		    SPAN_IS(m, m->hdrs[idx].value, "100-continue"))
			m->flags |= H1_F_EXPECT_100;
		break;
	case 7:
		if (SPAN_IS(m, n, "upgrade"))
			p->upgrade = 1;
		break;
	case 10:
		if (SPAN_IS(m, n, "connection"))
			hdr_connection(m, idx);
		break;
	case 14:
		if (SPAN_IS(m, n, "content-length"))
			return hdr_content_length(m, p, idx);
		break;
	case 17:
		if (SPAN_IS(m, n, "transfer-encoding"))
			return hdr_transfer_encoding(m, p, idx);
		break;
	}
	return 0;
}

/* s[0..*n) without a trailing ":" or ":PORT" (port being the scheme's
 * default, e.g. "80"), as HAProxy compares a Host with an authority. */
static void drop_default_port(const char *s, size_t *n, const char *port)
{
	size_t pl = strlen(port);

	if (*n && s[*n - 1] == ':')
		(*n)--;
	else if (*n > pl && s[*n - pl - 1] == ':' && !memcmp(s + *n - pl, port, pl))
		*n -= pl + 1;
}

/* RFC 9112 section 3.2.2: a request in absolute form (or CONNECT's
 * authority form) that also has a Host header must name the same host,
 * or two readers may route it two ways.  Compared as HAProxy 2.6 does:
 * the URI's authority without userinfo, up to the first '/' (an empty one
 * is not checked), against the Host value, ASCII case aside, the scheme's default port (http 80,
 * https 443; CONNECT either) and an empty port not counting. */
static int check_host_authority(const struct h1_msg *m, const struct h1_parse *p)
{
	const char *u = h1_ptr(m, m->uri), *a = u, *e, *at, *h;
	size_t n = m->uri.len, an, hn, slen = 0;
	const char *ports[2] = { NULL, NULL };
	unsigned i;

	if (p->host < 0)
		return 0;
	if (m->meth == H1_METH_CONNECT) {
		ports[0] = "80";
		ports[1] = "443";
	} else {
		const char *sep = memmem(u, n, "://", 3);

		slen = (size_t)(sep - u);
		a = sep + 3;
		if (slen == 4 && h1_ieq(u, "http", 4))
			ports[0] = "80";
		else if (slen == 5 && h1_ieq(u, "https", 5))
			ports[0] = "443";
	}
	e = memchr(a, '/', n - (size_t)(a - u));
	an = e ? (size_t)(e - a) : n - (size_t)(a - u);
	while ((at = memchr(a, '@', an)) != NULL) { /* userinfo@ */
		an -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	if (!an)
		return 0; /* "http:///x": no authority to disagree with (HAProxy) */
	h = h1_ptr(m, m->hdrs[p->host].value);
	hn = m->hdrs[p->host].value.len;
	for (i = 0; i < 2 && ports[i]; i++) {
		drop_default_port(a, &an, ports[i]);
		drop_default_port(h, &hn, ports[i]);
	}
	if (an != hn || !h1_ieq(a, h, an))
		return H1_ERR_SYNTAX;
	return 0;
}

/* RFC 9112 section 6.3, with HAProxy's defences.  A response's framing
 * depends on the request's method first (HEAD: none; CONNECT 2xx:
 * tunnel), then on its status (1xx, 204, 304: none; 101: tunnel). */
static int decide_framing(struct h1_msg *m, struct h1_parse *p, enum h1_meth req_meth)
{
	unsigned i;

	if (p->te_seen) {
		/* item 4: a request whose last coding is not chunked cannot be
		 * framed (400); chunked after other codings is well framed but
		 * those codings are not ours to undo (HAProxy: 422).  A response
		 * the same (502), rather than reading it until the close. */
		if (!p->te_chunked)
			return H1_ERR_TE;
		if (p->te_other)
			return H1_ERR_TE_CODING;
		m->flags |= H1_F_HAS_TE;
		/* item 3: Transfer-Encoding overrides Content-Length, which is
		 * dropped; the message may be an attempt at smuggling, so the
		 * connection closes after it.  A chunked HTTP/1.0 message is
		 * taken (HAProxy does) and closes the connection too. */
		if (m->flags & H1_F_HAS_CL) {
			for (i = 0; i < m->nhdrs; i++)
				if (SPAN_IS(m, m->hdrs[i].name, "content-length"))
					m->hdrs[i].flags |= H1_HDR_DELETED;
			m->flags &= ~H1_F_HAS_CL;
			m->clen = 0;
			m->flags |= H1_F_TE_CL | H1_F_CONN_CLOSE;
		}
		if (m->flags & H1_F_VER_10)
			m->flags |= H1_F_CONN_CLOSE;
	}
	if ((m->flags & H1_F_VER_10) && !(m->flags & H1_F_CONN_KAL))
		m->flags |= H1_F_CONN_CLOSE;
	if (m->flags & H1_F_CONN_CLOSE)
		m->flags &= ~H1_F_CONN_KAL;
	/* RFC 9110 section 7.8: Upgrade counts only with Connection: upgrade,
	 * and only in HTTP/1.1. */
	if (p->upgrade && (m->flags & H1_F_CONN_UPG) && !(m->flags & H1_F_VER_10))
		m->flags |= H1_F_UPGRADE;

	if (m->is_req) {
		/* HAProxy 2.6 refuses an upgrade asked in HTTP/1.0 (400) */
		if ((m->flags & H1_F_VER_10) && p->upgrade && (m->flags & H1_F_CONN_UPG))
			return H1_ERR_SYNTAX;
		if ((m->flags & H1_F_ABS_URI) || m->meth == H1_METH_CONNECT) {
			int rc = check_host_authority(m, p);

			if (rc < 0)
				return rc;
		}
	} else {
		if (req_meth == H1_METH_HEAD || (m->status >= 100 && m->status < 200 && m->status != 101) ||
		    m->status == 204 || m->status == 304) {
			m->body = H1_BODY_NONE;
			return 0;
		}
		if (m->status == 101 || (req_meth == H1_METH_CONNECT && m->status >= 200 && m->status < 300)) {
			m->body = H1_BODY_TUNNEL;
			return 0;
		}
	}
	if (m->flags & H1_F_HAS_TE)
		m->body = H1_BODY_CHUNKED;
	else if (m->flags & H1_F_HAS_CL)
		m->body = m->clen ? H1_BODY_CL : H1_BODY_NONE;
	else if (m->is_req)
		m->body = H1_BODY_NONE;
	else {
		m->body = H1_BODY_EOF; /* item 8: until the server closes */
		m->flags |= H1_F_CONN_CLOSE;
		m->flags &= ~H1_F_CONN_KAL;
	}
	return 0;
}

/* A header line s[0..n) (without its line end) at offset base:
 * field-name ":" OWS field-value OWS.  The name is a token with the colon
 * right after it; a line starting with a blank is an obsolete folding
 * (RFC 9112 section 5.2), refused. */
static int parse_header_line(struct h1_msg *m, const char *s, size_t n, uint32_t base)
{
	struct h1_hdr *h = &m->hdrs[m->nhdrs];
	size_t i = 0, b, e;

	while (i < n && h1_is_tchar((unsigned char)s[i]))
		i++;
	if (!i || i == n || s[i] != ':')
		return H1_ERR_SYNTAX; /* empty name, a blank or a bad byte before ':', no ':' */
	h->name = (struct h1_span){ base, (uint32_t)i };
	b = i + 1;
	while (b < n && is_blank(s[b]))
		b++;
	e = n;
	while (e > b && is_blank(s[e - 1]))
		e--;
	h->value = (struct h1_span){ base + (uint32_t)b, (uint32_t)(e - b) };
	h->flags = 0;
	m->nhdrs++;
	return 0;
}

/* The line starting at pos: 1 and its end (*end: first byte of the CRLF
 * or LF, *next: past the LF) once its LF is in, 0 if not yet, or an
 * h1_err if it holds a NUL or a CR not followed by LF. */
static int take_line(const char *buf, size_t len, size_t pos, size_t *end, size_t *next)
{
	const char *lf;
	size_t e;

	if (pos >= len)
		return 0; /* (buf may be NULL when len is 0) */
	lf = memchr(buf + pos, '\n', len - pos);
	if (!lf)
		return 0;
	e = (size_t)(lf - buf);
	*next = e + 1;
	if (e > pos && buf[e - 1] == '\r')
		e--;
	if (memchr(buf + pos, '\r', e - pos) || memchr(buf + pos, '\0', e - pos))
		return H1_ERR_SYNTAX;
	*end = e;
	return 1;
}

static int parse_head(struct h1_msg *m, const char *buf, size_t len, size_t cap, int is_req,
		      enum h1_meth req_meth)
{
	struct h1_parse p = { .cl_first = -1, .host = -1 };
	size_t pos = 0, end, next;
	int rc;

	/* everything but the header table (each entry is written whole as its
	 * line is parsed; past nhdrs nothing is read) and the arena */
	memset(m, 0, offsetof(struct h1_msg, hdrs));
	memset(&m->nhdrs, 0, offsetof(struct h1_msg, extra) - offsetof(struct h1_msg, nhdrs));
	m->extra_len = 0;
	m->buf = buf;
	m->is_req = is_req;
	/* spans are 31-bit offsets; a buffer is far smaller in practice */
	if (cap > H1_SPAN_EXTRA - 1)
		cap = H1_SPAN_EXTRA - 1;
	if (len > cap)
		len = cap;

	/* RFC 9112 section 2.2: empty lines before the start line are skipped
	 * (HAProxy does so before a response too: a server's stray CRLF after
	 * a body must not cost the next response a 502) */
	while (pos < len && (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')))
		pos += buf[pos] == '\r' ? 2 : 1;

	if ((rc = take_line(buf, len, pos, &end, &next)) <= 0)
		return rc < 0 ? rc : incomplete(len, cap);
	rc = is_req ? parse_request_line(m, buf + pos, end - pos, (uint32_t)pos)
		    : parse_status_line(m, buf + pos, end - pos, (uint32_t)pos);
	if (rc < 0)
		return rc;
	pos = next;

	for (;;) {
		if ((rc = take_line(buf, len, pos, &end, &next)) <= 0)
			return rc < 0 ? rc : incomplete(len, cap);
		if (end == pos)
			break; /* the empty line: the head is complete */
		if (m->nhdrs >= H1_MAX_HDRS - 1)
			return H1_ERR_TOO_MANY; /* HAProxy: 100 headers, the 101st is refused */
		if ((rc = parse_header_line(m, buf + pos, end - pos, (uint32_t)pos)) < 0)
			return rc;
		if ((rc = hdr_special(m, &p, (int)m->nhdrs - 1)) < 0)
			return rc;
		pos = next;
	}
	if ((rc = decide_framing(m, &p, req_meth)) < 0)
		return rc;
	m->head_len = (uint32_t)next;
	return (int)next;
}

int h1_parse_req(struct h1_msg *m, const char *buf, size_t len, size_t cap)
{
	return parse_head(m, buf, len, cap, 1, H1_METH_OTHER);
}

int h1_parse_resp(struct h1_msg *m, const char *buf, size_t len, size_t cap, enum h1_meth req_meth)
{
	return parse_head(m, buf, len, cap, 0, req_meth);
}
