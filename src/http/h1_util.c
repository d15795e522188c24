/* HTTP/1.1 helpers around a parsed head: header lookup (HAProxy's hdr()
 * value iteration), the request's path and query, method names, reason
 * phrases and the token table. */
#include <string.h>
#include <strings.h>

#include "http/h1.h"

/* RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" /
 * "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
const unsigned char h1_tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
	['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

int h1_is_token(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!h1_tchar[(unsigned char)s[i]])
			return 0;
	return 1;
}

/* ---- methods ---- */

static const char *const meth_names[] = {
	[H1_METH_OTHER] = "OTHER",     [H1_METH_GET] = "GET",	  [H1_METH_HEAD] = "HEAD",
	[H1_METH_POST] = "POST",       [H1_METH_PUT] = "PUT",	  [H1_METH_DELETE] = "DELETE",
	[H1_METH_OPTIONS] = "OPTIONS", [H1_METH_CONNECT] = "CONNECT", [H1_METH_TRACE] = "TRACE",
	[H1_METH_PATCH] = "PATCH",
};

const char *h1_meth_name(enum h1_meth m)
{
	if ((unsigned)m >= sizeof(meth_names) / sizeof(meth_names[0]))
		return meth_names[H1_METH_OTHER];
	return meth_names[m];
}

enum h1_meth h1_meth_lookup(const char *s, size_t len)
{
	unsigned i;

	for (i = H1_METH_GET; i < sizeof(meth_names) / sizeof(meth_names[0]); i++)
		if (strlen(meth_names[i]) == len && !memcmp(meth_names[i], s, len))
			return (enum h1_meth)i;
	return H1_METH_OTHER;
}

/* ---- reason phrases ---- */

/* HAProxy 2.6's phrases (those it answers `return status N` with, 200-599,
 * read off its answers), so that our own answers and set-status read as
 * its do; a status not listed takes its class's word. */

struct h1_reason_ent {
	unsigned status;
	const char *text;
};

static const struct h1_reason_ent reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 102, "Processing" },
	{ 103, "Early Hints" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 207, "Multi-Status" },
	{ 210, "Content Different" },
	{ 226, "IM Used" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Moved Temporarily" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 305, "Use Proxy" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 310, "Too many Redirects" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Time-out" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Request Entity Too Large" },
	{ 414, "Request-URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Requested range unsatisfiable" },
	{ 417, "Expectation failed" },
	{ 418, "I'm a teapot" },
	{ 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" },
	{ 423, "Locked" },
	{ 424, "Method failure" },
	{ 425, "Too Early" },
	{ 426, "Upgrade Required" },
	{ 428, "Precondition Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 449, "Retry With" },
	{ 450, "Blocked by Windows Parental Controls" },
	{ 451, "Unavailable For Legal Reasons" },
	{ 456, "Unrecoverable Error" },
	{ 499, "client has closed connection" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway or Proxy Error" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Time-out" },
	{ 505, "HTTP Version not supported" },
	{ 506, "Variant also negotiate" },
	{ 507, "Insufficient storage" },
	{ 508, "Loop detected" },
	{ 509, "Bandwidth Limit Exceeded" },
	{ 510, "Not extended" },
	{ 511, "Network authentication required" },
	{ 520, "Web server is returning an unknown error" },
};

const char *h1_reason(unsigned status)
{
	static const char *const classes[] = { "Informational", "Success", "Redirection",
					       "Client Error", "Server Error" };
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	if (status >= 100 && status < 600)
		return classes[status / 100 - 1];
	return "Other";
}

/* ---- headers ---- */

int h1_hdr_find(const struct h1_msg *m, const char *name, size_t nlen, int from)
{
	unsigned i;

	for (i = from > 0 ? (unsigned)from : 0; i < m->nhdrs; i++) {
		const struct h1_hdr *h = &m->hdrs[i];

		if (!(h->flags & H1_HDR_DELETED) && h->name.len == nlen &&
		    h1_ieq(h1_ptr(m, h->name), name, nlen))
			return (int)i;
	}
	return -1;
}

/* The end of the value element starting at v[i]: the first comma outside
 * a quoted-string (RFC 9110 section 5.6.4, a backslash quoting the next
 * byte inside one), or len. */
static size_t elem_end(const char *v, size_t i, size_t len)
{
	int quoted = 0;

	for (; i < len; i++) {
		if (quoted && v[i] == '\\' && i + 1 < len)
			i++;
		else if (v[i] == '"')
			quoted = !quoted;
		else if (!quoted && v[i] == ',')
			break;
	}
	return i;
}

/* *state: the header index in its high 32 bits, the offset in that
 * header's value where the next element starts in the low ones. */
int h1_hdr_next_value(const struct h1_msg *m, const char *name, size_t nlen, uint64_t *state,
		      const char **val, size_t *vlen)
{
	int idx = (int)(*state >> 32);
	size_t pos = (size_t)(*state & 0xffffffffu);

	while ((idx = h1_hdr_find(m, name, nlen, idx)) >= 0) {
		const struct h1_hdr *h = &m->hdrs[idx];
		const char *v = h1_ptr(m, h->value);
		size_t b = pos, e;

		if (pos > h->value.len) { /* this header is done: the next one */
			idx++;
			pos = 0;
			continue;
		}
		while (b < h->value.len && (v[b] == ' ' || v[b] == '\t'))
			b++;
		e = elem_end(v, b, h->value.len);
		*state = ((uint64_t)idx << 32) | (uint64_t)(e + 1);
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		*val = v + b;
		*vlen = e - b;
		return 1;
	}
	*state = (uint64_t)m->nhdrs << 32;
	return 0;
}

/* ---- path and query ---- */

/* The URI as it goes on (edited or received). */
static struct h1_span cur_uri(const struct h1_msg *m)
{
	return m->new_uri.len ? m->new_uri : m->uri;
}

/* The path and query part of the URI: the origin form as is; after the
 * authority in the absolute form; nothing in the authority form or "*". */
static void path_and_query(const struct h1_msg *m, const char **p, size_t *len)
{
	struct h1_span s = cur_uri(m);
	const char *u = h1_ptr(m, s), *a, *slash;
	size_t n = s.len;

	*p = u;
	*len = 0;
	if (n && u[0] == '/') {
		*len = n;
		return;
	}
	a = memmem(u, n, "://", 3);
	if (!a || memchr(u, '/', (size_t)(a - u)))
		return;
	a += 3;
	slash = memchr(a, '/', n - (size_t)(a - u));
	if (!slash) {
		const char *q = memchr(a, '?', n - (size_t)(a - u));

		if (q) { /* "http://host?x": no path, a query */
			*p = q;
			*len = n - (size_t)(q - u);
		} else {
			*p = u + n;
		}
		return;
	}
	*p = slash;
	*len = n - (size_t)(slash - u);
}

void h1_req_path(const struct h1_msg *m, const char **p, size_t *len)
{
	const char *q;

	path_and_query(m, p, len);
	q = memchr(*p, '?', *len);
	if (q)
		*len = (size_t)(q - *p);
}

void h1_req_query(const struct h1_msg *m, const char **q, size_t *len)
{
	const char *p, *qm;
	size_t n;

	path_and_query(m, &p, &n);
	qm = memchr(p, '?', n);
	if (!qm) {
		*q = p + n;
		*len = 0;
		return;
	}
	*q = qm + 1;
	*len = n - (size_t)(qm + 1 - p);
}

/* ---- HAProxy's byte count ---- */

/* A header line's name and value bytes (blanks after ':' left out), 0 for
 * a Connection that says only close or keep-alive. */
static size_t hdr_htx_size(const char *p, size_t len)
{
	const char *colon = memchr(p, ':', len), *v;
	size_t nlen, vlen;

	if (!colon)
		return len;
	nlen = (size_t)(colon - p);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	if (nlen == 10 && !strncasecmp(p, "connection", 10) &&
	    ((vlen == 5 && !strncasecmp(v, "close", 5)) || (vlen == 10 && !strncasecmp(v, "keep-alive", 10))))
		return 0;
	return nlen + vlen;
}

size_t h1_htx_head_size(const char *head, size_t n)
{
	const char *p = head, *end = head + n, *eol;
	size_t size = 20, line;

	for (line = 0; p < end && (eol = memchr(p, '\n', (size_t)(end - p))); p = eol + 1, line++) {
		size_t len = (size_t)(eol - p) - (eol > p && eol[-1] == '\r');

		if (!len)
			return size + 1; /* the end of the headers */
		/* the start line: its three fields without the two blanks */
		size += line ? hdr_htx_size(p, len) : len - (len > 2 ? 2 : len);
	}
	return size;
}
