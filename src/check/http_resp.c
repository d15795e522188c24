/* Incremental HTTP/1.x response parser (see http_resp.h).
 *
 * Every state either consumes bytes it was given or stops; lines are
 * assembled in one bounded heap buffer, so no length taken from the peer
 * (Content-Length, a chunk size) is ever used to index memory: those only
 * bound how many of the bytes at hand are passed on as body. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/http_resp.h"

enum {
	S_STATUS,     /* status line */
	S_HEADER,     /* header lines up to the empty one */
	S_BODY_LEN,   /* Content-Length bytes */
	S_BODY_CLOSE, /* everything until EOF */
	S_CHUNK_SIZE, /* "1a;ext=x" line */
	S_CHUNK_DATA,
	S_CHUNK_CR, /* the CRLF after a chunk's data */
	S_CHUNK_LF,
	S_TRAILER, /* trailer lines after the last chunk */
	S_DONE,
	S_ERROR,
};

/* A chunk-size line (size, extensions) is not a header; its own bound. */
#define CHUNK_LINE_MAX 4096
/* 15 hex digits: sizes below 2^60, no overflow when added up. */
#define CHUNK_DIGITS_MAX 15
/* Content-Length below 10^18: no overflow. */
#define CLEN_DIGITS_MAX 18

static int fail(struct http_resp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why the response is refused; the parser stays in S_ERROR. */
static int fail(struct http_resp *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	/* the text may quote the peer's bytes: keep it printable for logs */
	for (char *c = r->err; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	r->state = S_ERROR;
	return HTTP_RESP_ERROR;
}

void http_resp_init(struct http_resp *r, size_t hdr_max, uint64_t body_max, int expect_09)
{
	memset(r, 0, sizeof(*r));
	r->hdr_max = hdr_max;
	r->body_max = body_max;
	r->state = S_STATUS;
	if (expect_09) {
		/* HTTP/0.9: no status line, no headers; the reply is the body and
		 * ends with the connection.  200 is implied. */
		r->http09 = 1;
		r->status = 200;
		r->version = 9;
		r->conn_close = 1;
		r->framing = HTTP_FRAME_CLOSE;
		r->state = S_BODY_CLOSE;
	}
}

void http_resp_free(struct http_resp *r)
{
	free(r->line);
	r->line = NULL;
	r->line_len = r->line_cap = 0;
}

/* ---- line assembly ---- */

/* Append up to the next LF of p[0..n) to the line buffer.  *used gets the
 * bytes consumed.  1: a whole line is in r->line (LF and one CR before it
 * removed, NUL-terminated, r->line_len its length), 0: p ran out first,
 * -1: the line would pass max bytes (LF included). */
static int take_line(struct http_resp *r, const char *p, size_t n, size_t max, size_t *used)
{
	const char *nl = memchr(p, '\n', n);
	size_t k = nl ? (size_t)(nl - p) : n; /* bytes before the LF */

	*used = nl ? k + 1 : n;
	if (r->line_len + k + (nl ? 1 : 0) > max)
		return -1;
	if (r->line_len + k + 1 > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 128;
		char *nb;

		while (cap < r->line_len + k + 1)
			cap *= 2;
		nb = realloc(r->line, cap);
		if (!nb)
			return -1;
		r->line = nb;
		r->line_cap = cap;
	}
	memcpy(r->line + r->line_len, p, k);
	r->line_len += k;
	r->line[r->line_len] = 0;
	if (!nl)
		return 0;
	if (r->line_len && r->line[r->line_len - 1] == '\r')
		r->line[--r->line_len] = 0;
	return 1;
}

/* ---- status line and headers ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.1 200 OK" (reason optional). */
static int parse_status(struct http_resp *r, const char *s, size_t len)
{
	size_t i = 9;

	if (len < 12 || memcmp(s, "HTTP/", 5) || !is_digit(s[5]) || s[6] != '.' ||
	    !is_digit(s[7]) || s[8] != ' ')
		return fail(r, "bad status line '%.40s'", s);
	if (s[5] != '1')
		return fail(r, "unsupported HTTP version '%.8s'", s);
	r->version = s[7] == '0' ? 10 : 11;
	while (i < len && s[i] == ' ')
		i++;
	if (i + 3 > len || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
	    (i + 3 < len && s[i + 3] != ' '))
		return fail(r, "bad status line '%.40s'", s);
	r->status = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (r->status < 100 || r->status > 599)
		return fail(r, "bad status code in '%.40s'", s);
	return 0;
}

/* Does the header name n[0..nlen) equal want (case-insensitive)? */
static int name_is(const char *n, size_t nlen, const char *want)
{
	return nlen == strlen(want) && !strncasecmp(n, want, nlen);
}

/* Next comma-separated token of v[*pos..len), trimmed; its length. */
static size_t next_token(const char *v, size_t len, size_t *pos, const char **tok)
{
	size_t i = *pos, b, e;

	while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
		i++;
	b = i;
	while (i < len && v[i] != ',')
		i++;
	e = i;
	while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
		e--;
	*pos = i;
	*tok = v + b;
	return e - b;
}

/* Content-Length: digits, or a list of equal values ("5, 5"). */
static int hdr_content_length(struct http_resp *r, const char *v, size_t len)
{
	size_t pos = 0, tl, i;
	const char *t;
	int any = 0;

	while ((tl = next_token(v, len, &pos, &t)) > 0) {
		uint64_t x = 0;

		if (tl > CLEN_DIGITS_MAX)
			return fail(r, "Content-Length too large");
		for (i = 0; i < tl; i++) {
			if (!is_digit(t[i]))
				return fail(r, "bad Content-Length '%.20s'", v);
			x = x * 10 + (uint64_t)(t[i] - '0');
		}
		if (r->have_clen && x != r->content_length)
			return fail(r, "conflicting Content-Length values");
		r->content_length = x;
		r->have_clen = 1;
		any = 1;
	}
	if (!any)
		return fail(r, "empty Content-Length");
	return 0;
}

/* Transfer-Encoding: the body is chunked iff chunked is the last coding. */
static void hdr_transfer_encoding(struct http_resp *r, const char *v, size_t len)
{
	size_t pos = 0, tl, last = 0;
	const char *t, *lastt = NULL;

	while (pos < len) {
		tl = next_token(v, len, &pos, &t);
		if (tl) {
			lastt = t;
			last = tl;
		}
	}
	r->te_seen = 1;
	r->framing = lastt && last == 7 && !strncasecmp(lastt, "chunked", 7) ? HTTP_FRAME_CHUNKED
									     : HTTP_FRAME_CLOSE;
}

static void hdr_connection(struct http_resp *r, const char *v, size_t len)
{
	size_t pos = 0, tl;
	const char *t;

	while (pos < len) {
		tl = next_token(v, len, &pos, &t);
		if (tl == 5 && !strncasecmp(t, "close", 5))
			r->conn_close = 1;
		else if (tl == 10 && !strncasecmp(t, "keep-alive", 10))
			r->keepalive = 1;
	}
}

/* One header line (not empty).  Folded continuation lines (obsolete) are
 * ignored; they cannot carry a header the checker acts on. */
static int parse_header(struct http_resp *r, const char *s, size_t len)
{
	const char *colon, *v;
	size_t nlen, vlen;

	if (s[0] == ' ' || s[0] == '\t')
		return 0;
	colon = memchr(s, ':', len);
	if (!colon || colon == s)
		return fail(r, "malformed header line '%.40s'", s);
	nlen = (size_t)(colon - s);
	if (s[nlen - 1] == ' ' || s[nlen - 1] == '\t')
		return fail(r, "space before ':' in header '%.40s'", s);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (name_is(s, nlen, "Content-Length"))
		return hdr_content_length(r, v, vlen);
	if (name_is(s, nlen, "Transfer-Encoding"))
		hdr_transfer_encoding(r, v, vlen);
	else if (name_is(s, nlen, "Connection"))
		hdr_connection(r, v, vlen);
	return 0;
}

/* The empty line after the headers: decide how the body ends (RFC 9112
 * section 6.3).  Returns the next state's result code. */
static int end_of_headers(struct http_resp *r)
{
	if (r->status < 200) {
		/* 1xx interim response: the real one follows (101 would switch
		 * protocols, which a GET without Upgrade never asks for) */
		if (r->status == 101)
			return fail(r, "unexpected 101 Switching Protocols");
		r->status = 0;
		r->have_clen = r->te_seen = r->conn_close = r->keepalive = 0;
		r->framing = HTTP_FRAME_NONE;
		r->state = S_STATUS;
		return HTTP_RESP_MORE;
	}
	if (r->version == 10 && !r->keepalive)
		r->conn_close = 1;
	r->headers_done = 1;
	if (r->status == 204 || r->status == 304) {
		r->framing = HTTP_FRAME_NONE;
		r->state = S_DONE;
	} else if (r->te_seen) {
		/* Transfer-Encoding wins over Content-Length */
		r->state = r->framing == HTTP_FRAME_CHUNKED ? S_CHUNK_SIZE : S_BODY_CLOSE;
	} else if (r->have_clen) {
		r->framing = HTTP_FRAME_LENGTH;
		if (r->content_length > r->body_max)
			return fail(r, "body larger than %llu bytes",
				    (unsigned long long)r->body_max);
		r->state = r->content_length ? S_BODY_LEN : S_DONE;
	} else {
		r->framing = HTTP_FRAME_CLOSE;
		r->state = S_BODY_CLOSE;
	}
	return r->state == S_DONE ? HTTP_RESP_DONE : HTTP_RESP_MORE;
}

/* ---- body ---- */

static int deliver(struct http_resp *r, const char *p, size_t n)
{
	if (!n)
		return 0;
	if (n > r->body_max - r->body_bytes) {
		fail(r, "body larger than %llu bytes", (unsigned long long)r->body_max);
		return -1;
	}
	r->body_bytes += n;
	if (r->body_cb && r->body_cb(r->cb_arg, p, n) < 0) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err), "body refused");
		r->state = S_ERROR;
		return -1;
	}
	return 0;
}

/* "1a", "1a ; name=value", "1A;x" */
static int parse_chunk_size(struct http_resp *r, const char *s, size_t len)
{
	uint64_t x = 0;
	size_t i = 0;

	for (; i < len; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			break;
		if (i == CHUNK_DIGITS_MAX)
			return fail(r, "chunk size too large");
		x = x * 16 + (uint64_t)d;
	}
	if (i == 0)
		return fail(r, "bad chunk size line '%.40s'", s);
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && s[i] != ';')
		return fail(r, "bad chunk size line '%.40s'", s);
	r->chunk_left = x;
	return 0;
}

/* ---- the driver ---- */

/* One step of the line-based states.  *used bytes of p consumed. */
static int step_line(struct http_resp *r, const char *p, size_t n, size_t *used)
{
	size_t max, len;
	int rc;

	/* hdr_bytes already counts the part of this line taken before */
	if (r->state == S_CHUNK_SIZE)
		max = CHUNK_LINE_MAX;
	else
		max = r->hdr_max - r->hdr_bytes + r->line_len;
	rc = take_line(r, p, n, max, used);
	if (r->state != S_CHUNK_SIZE)
		r->hdr_bytes += *used;
	if (rc < 0)
		return fail(r, "%s",
			    r->state == S_CHUNK_SIZE ? "chunk size line too long"
						     : "header section larger than the limit");
	if (r->state == S_STATUS && r->line_len) {
		/* refuse a reply that is not HTTP as soon as it shows */
		size_t k = r->line_len < 5 ? r->line_len : 5;

		if (memcmp(r->line, "HTTP/", k))
			return fail(r, "no HTTP status line (reply starts '%.20s')", r->line);
	}
	if (rc == 0)
		return HTTP_RESP_MORE;
	len = r->line_len;
	r->line_len = 0; /* r->line stays readable until the next take_line */
	switch (r->state) {
	case S_STATUS:
		if (parse_status(r, r->line, len) < 0)
			return HTTP_RESP_ERROR;
		r->state = S_HEADER;
		return HTTP_RESP_MORE;
	case S_HEADER:
		if (!len)
			return end_of_headers(r);
		return parse_header(r, r->line, len) < 0 ? HTTP_RESP_ERROR : HTTP_RESP_MORE;
	case S_CHUNK_SIZE:
		if (parse_chunk_size(r, r->line, len) < 0)
			return HTTP_RESP_ERROR;
		if (r->chunk_left) {
			r->state = S_CHUNK_DATA;
		} else {
			r->state = S_TRAILER;
			r->hdr_bytes = 0; /* trailers get a header budget of their own */
		}
		return HTTP_RESP_MORE;
	case S_TRAILER:
		if (!len) {
			r->state = S_DONE;
			return HTTP_RESP_DONE;
		}
		return HTTP_RESP_MORE;
	}
	return fail(r, "%s", "parser state error");
}

int http_resp_feed(struct http_resp *r, const char *p, size_t n)
{
	int rc = HTTP_RESP_MORE;

	if (n)
		r->fed = 1;
	while (n && rc == HTTP_RESP_MORE) {
		size_t used = 0;

		switch (r->state) {
		case S_DONE:
			return HTTP_RESP_DONE;
		case S_ERROR:
			return HTTP_RESP_ERROR;
		case S_BODY_CLOSE:
			r->headers_done = 1; /* HTTP/0.9: the first byte is the reply */
			used = n;
			if (deliver(r, p, used) < 0)
				return HTTP_RESP_ERROR;
			break;
		case S_BODY_LEN:
		case S_CHUNK_DATA: {
			uint64_t left = r->state == S_BODY_LEN ? r->content_length - r->body_bytes
							       : r->chunk_left;

			used = left < n ? (size_t)left : n;
			if (deliver(r, p, used) < 0)
				return HTTP_RESP_ERROR;
			if (r->state == S_CHUNK_DATA) {
				r->chunk_left -= used;
				if (!r->chunk_left)
					r->state = S_CHUNK_CR;
			} else if (r->body_bytes == r->content_length) {
				r->state = S_DONE;
				rc = HTTP_RESP_DONE;
			}
			break;
		}
		case S_CHUNK_CR:
		case S_CHUNK_LF:
			used = 1;
			if (*p == '\r' && r->state == S_CHUNK_CR)
				r->state = S_CHUNK_LF;
			else if (*p == '\n')
				r->state = S_CHUNK_SIZE;
			else
				return fail(r, "%s", "missing CRLF after chunk data");
			break;
		default:
			rc = step_line(r, p, n, &used);
			break;
		}
		p += used;
		n -= used;
	}
	if (r->state == S_DONE)
		return HTTP_RESP_DONE;
	if (r->state == S_ERROR)
		return HTTP_RESP_ERROR;
	return rc;
}

int http_resp_eof(struct http_resp *r)
{
	switch (r->state) {
	case S_DONE:
		return HTTP_RESP_DONE;
	case S_ERROR:
		return HTTP_RESP_ERROR;
	case S_BODY_CLOSE:
		if (!r->fed)
			return fail(r, "%s", "connection closed without a reply");
		r->headers_done = 1;
		r->state = S_DONE;
		return HTTP_RESP_DONE;
	case S_STATUS:
		if (!r->fed)
			return fail(r, "%s", "connection closed without a reply");
		/* fall through */
	default:
		return fail(r, "%s",
			    r->headers_done ? "connection closed before the end of the body"
					    : "connection closed inside the headers");
	}
}
