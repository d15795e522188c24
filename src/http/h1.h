/* HTTP/1.1 parsing and head rewriting (RFC 9112), strict and in place.
 *
 * Defences (HAProxy's, RFC 9112 section 6.3): Transfer-Encoding with
 * Content-Length -> the body is chunked, Content-Length is dropped and the
 * connection closes after (H1_F_TE_CL); `chunked` twice or not last ->
 * error, another coding before it -> H1_ERR_TE_CODING (HAProxy's 422);
 * Transfer-Encoding on HTTP/1.0 -> chunked, and the connection closes
 * after (HAProxy 2.6 takes it: vtc http_transfer_encoding); Host
 * headers with different values, or a Host that names another host than
 * an absolute URI's (or CONNECT's) authority, or an upgrade asked in
 * HTTP/1.0 -> error (as HAProxy 2.6); duplicate Content-Length with
 * different values, or a malformed one -> error; NUL, a bare CR or LF
 * inside a header, an empty header name, a blank before the colon, an
 * obsolete line folding, H1_MAX_HDRS headers or more (as HAProxy's
 * maxhdr, which counts the start line: 100 pass), a head larger than the
 * buffer -> error.  Nothing is read past `len`. */
#ifndef FC_HTTP_H1_H
#define FC_HTTP_H1_H

#include <stddef.h>
#include <sys/types.h>

#include "http/h1-t.h"

/* Parse a request head from buf[0..len).  Returns the head's length (> 0)
 * once the empty line is in, 0 if more bytes are needed (len < cap: the
 * caller reads more; at len == cap it is H1_ERR_TOO_BIG), or an h1_err.
 * cap is the buffer's size (the largest head accepted).  m is
 * reinitialised; m->buf = buf. */
int h1_parse_req(struct h1_msg *m, const char *buf, size_t len, size_t cap);
/* The same for a response to a request with method `req_meth` (a HEAD's
 * or a 1xx/204/304 has no body; a 2xx to CONNECT and 101 tunnel). */
int h1_parse_resp(struct h1_msg *m, const char *buf, size_t len, size_t cap, enum h1_meth req_meth);

/* The text of a span. */
static inline const char *h1_ptr(const struct h1_msg *m, struct h1_span s)
{
	return (s.off & H1_SPAN_EXTRA) ? m->extra + (s.off & ~H1_SPAN_EXTRA) : m->buf + s.off;
}

/* Headers: the index of the next header named `name` (case-insensitive)
 * from index `from` on, skipping deleted ones; -1 if none. */
int h1_hdr_find(const struct h1_msg *m, const char *name, size_t nlen, int from);
/* Iterate over the comma-separated values of every header `name` (as
 * HAProxy's hdr() does): *state starts at 0; returns 1 and the value
 * (blanks trimmed) or 0 at the end.  occurrence counting is the caller's. */
int h1_hdr_next_value(const struct h1_msg *m, const char *name, size_t nlen, uint64_t *state,
		      const char **val, size_t *vlen);

/* Edits.  0, or -1 when the extra arena or the header table is full (the
 * caller answers 500, as HAProxy does when a rewrite fails). */
void h1_hdr_del(struct h1_msg *m, int idx);
/* Delete every header named `name`; how many were deleted. */
unsigned h1_hdr_del_all(struct h1_msg *m, const char *name, size_t nlen);
int h1_hdr_add(struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen);
/* Delete every `name`, then add one. */
int h1_hdr_set(struct h1_msg *m, const char *name, size_t nlen, const char *val, size_t vlen);
int h1_set_method(struct h1_msg *m, const char *meth, size_t len);
int h1_set_uri(struct h1_msg *m, const char *uri, size_t len);
void h1_set_status(struct h1_msg *m, unsigned status);

/* The request's path (from the URI: absolute form's path, up to '?'), its
 * query (after '?', without it; len 0 if none) and the path with query. */
void h1_req_path(const struct h1_msg *m, const char **p, size_t *len);
void h1_req_query(const struct h1_msg *m, const char **q, size_t *len);

/* Write the head as edited into out[0..cap): start line, headers that are
 * not deleted in order, added ones, final CRLF.  Returns the length, or 0
 * if it does not fit.  The original bytes are not changed. */
size_t h1_emit_head(const struct h1_msg *m, char *out, size_t cap);
/* What HAProxy 2.6 counts for a head in the log's %B (its HTX size): 20
 * for the start line plus its three fields' bytes, each header's name and
 * value, 1 for the end of the headers.  A Connection header that says
 * only close or keep-alive does not count: HAProxy's HTTP/1 layer drops
 * it from the message and writes its own.  head[0..n): a head as
 * h1_emit_head wrote it. */
size_t h1_htx_head_size(const char *head, size_t n);

/* Chunked body: scan buf[0..len) from state c; returns how many bytes
 * belong to the body (they may be forwarded; c->st is H1_CK_DONE once the
 * last chunk's trailers ended), or -1 on a syntax error (bad size, missing
 * CRLF, more than 16 hex digits, trailers over the limit). */
void h1_chunk_init(struct h1_chunk *c);
ssize_t h1_chunk_scan(struct h1_chunk *c, const char *buf, size_t len);
/* A whole chunked body that h1_chunk_scan passed, decoded in place: the
 * chunks' data one after the other (extensions and trailers dropped).
 * Returns the data's length. */
size_t h1_dechunk(char *buf, size_t len);

/* The reason phrase HAProxy uses for a status ("OK", "Not Found", ...). */
const char *h1_reason(unsigned status);
const char *h1_meth_name(enum h1_meth m);
/* The method a token names (H1_METH_OTHER if none; case-sensitive, as
 * RFC 9110 section 9.1 says methods are). */
enum h1_meth h1_meth_lookup(const char *s, size_t len);

/* RFC 9110 section 5.6.2: is c a tchar (a byte of a token: a method, a
 * header name)?  A table, so the parser's inner loops stay cheap. */
extern const unsigned char h1_tchar[256];
static inline int h1_is_tchar(unsigned char c)
{
	return h1_tchar[c];
}
/* Is s[0..len) a token (non-empty, every byte a tchar)? */
int h1_is_token(const char *s, size_t len);

/* Do a[0..n) and b[0..n) match, ASCII letters case-insensitively?  (Names
 * and tokens are ASCII; strncasecmp follows the locale, and was a sixth
 * of the parser's time.) */
static inline int h1_ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z'))
			return 0;
	}
	return 1;
}

#endif
