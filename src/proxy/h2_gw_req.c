/* The HTTP/2 gateway, requests (h2_gw.c for the whole): a stream's decoded
 * header list checked (RFC 9113 section 8.1.1, 8.2) and written as an
 * HTTP/1.1 head for the engine, and the body bytes it is sent after. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/h2_gw.h"

int h2gw_rq_put(struct h2gw_stream *s, const char *p, size_t n)
{
	if (n > H2GW_RQ - s->rq_len) {
		if (s->rq_off) {
			memmove(s->rq, s->rq + s->rq_off, s->rq_len - s->rq_off);
			s->rq_len -= s->rq_off;
			s->rq_off = 0;
		}
		if (n > H2GW_RQ - s->rq_len)
			return -1;
	}
	memcpy(s->rq + s->rq_len, p, n);
	s->rq_len += (uint32_t)n;
	return 0;
}

static int rq_fmt(struct h2gw_stream *s, const char *a, size_t alen, const char *b, size_t blen, const char *c,
		  size_t clen)
{
	return h2gw_rq_put(s, a, alen) || h2gw_rq_put(s, b, blen) || h2gw_rq_put(s, c, clen) ? -1 : 0;
}

static int span_is(const struct hpack_hdr *h, const char *name)
{
	return h->nlen == strlen(name) && !memcmp(h->name, name, h->nlen);
}

/* RFC 9113 section 8.2: a field name is lower case token characters, a
 * value has no NUL, CR or LF; connection-specific fields are malformed
 * (section 8.2.2), so they can never reach the HTTP/1.1 side. */
static int field_ok(const struct hpack_hdr *h)
{
	static const char *const conn_specific[] = { "connection", "keep-alive", "proxy-connection",
						     "transfer-encoding", "upgrade" };

	if (!h->nlen)
		return 0;
	for (uint32_t i = h->name[0] == ':'; i < h->nlen; i++) {
		unsigned char ch = (unsigned char)h->name[i];

		if (ch <= 0x20 || ch >= 0x7f || isupper(ch) || strchr("\"(),/:;<=>?@[\\]{}", ch))
			return 0;
	}
	for (uint32_t i = 0; i < h->vlen; i++)
		if (h->value[i] == 0 || h->value[i] == '\r' || h->value[i] == '\n')
			return 0;
	for (size_t i = 0; i < sizeof(conn_specific) / sizeof(*conn_specific); i++)
		if (span_is(h, conn_specific[i]))
			return 0;
	if (span_is(h, "te") && !(h->vlen == 8 && !memcmp(h->value, "trailers", 8)))
		return 0;
	return 1;
}

static enum h1_meth meth_of(const struct hpack_hdr *h)
{
	static const struct {
		const char *s;
		enum h1_meth m;
	} t[] = { { "GET", H1_METH_GET },       { "HEAD", H1_METH_HEAD },       { "POST", H1_METH_POST },
		  { "PUT", H1_METH_PUT },       { "DELETE", H1_METH_DELETE },   { "OPTIONS", H1_METH_OPTIONS },
		  { "CONNECT", H1_METH_CONNECT }, { "TRACE", H1_METH_TRACE }, { "PATCH", H1_METH_PATCH } };

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (span_is(&(struct hpack_hdr){ .name = h->value, .nlen = h->vlen }, t[i].s))
			return t[i].m;
	return H1_METH_OTHER;
}

/* Write s's HTTP/1.1 head from the decoded fields; 0, or -1 malformed
 * (section 8.1.1) or too large. */
int h2gw_build_request(struct h2gw_stream *s, const struct hpack_hdr *h, int n, int end_stream)
{
	const struct hpack_hdr *meth = NULL, *path = NULL, *scheme = NULL, *auth = NULL;
	int regular = 0, ncookie = 0;

	for (int i = 0; i < n; i++) {
		const struct hpack_hdr **slot = NULL;

		if (!field_ok(&h[i]))
			return -1;
		if (h[i].name[0] != ':') {
			regular = 1;
			continue;
		}
		if (regular)
			return -1; /* a pseudo-header after a regular field */
		if (span_is(&h[i], ":method"))
			slot = &meth;
		else if (span_is(&h[i], ":path"))
			slot = &path;
		else if (span_is(&h[i], ":scheme"))
			slot = &scheme;
		else if (span_is(&h[i], ":authority"))
			slot = &auth;
		if (!slot || *slot)
			return -1; /* unknown or repeated */
		*slot = &h[i];
	}
	if (!meth || !path || !scheme || !path->vlen || !meth->vlen)
		return -1;
	s->meth = meth_of(meth);
	if (s->meth == H1_METH_CONNECT)
		return -1; /* not served: no tunnel through the gateway */
	for (uint32_t i = 0; i < meth->vlen; i++)
		if (meth->value[i] <= 0x20 || meth->value[i] >= 0x7f)
			return -1;
	for (uint32_t i = 0; i < path->vlen; i++)
		if (path->value[i] <= 0x20 || path->value[i] >= 0x7f)
			return -1;
	if (rq_fmt(s, meth->value, meth->vlen, " ", 1, path->value, path->vlen) ||
	    rq_fmt(s, " HTTP/1.1\r\n", 11, "", 0, "", 0))
		return -1;
	if (auth && rq_fmt(s, "host: ", 6, auth->value, auth->vlen, "\r\n", 2))
		return -1;
	for (int i = 0; i < n; i++) {
		if (h[i].name[0] == ':' || (auth && span_is(&h[i], "host")))
			continue;
		if (span_is(&h[i], "cookie")) { /* joined below */
			ncookie++;
			continue;
		}
		if (span_is(&h[i], "content-length")) {
			char *end;

			if (s->has_clen || !h[i].vlen || !isdigit((unsigned char)h[i].value[0]))
				return -1;
			char num[24];

			if (h[i].vlen >= sizeof(num))
				return -1;
			memcpy(num, h[i].value, h[i].vlen);
			num[h[i].vlen] = 0;
			errno = 0;
			s->clen = strtoull(num, &end, 10);
			if (*end || errno)
				return -1;
			s->has_clen = 1;
		}
		if (rq_fmt(s, h[i].name, h[i].nlen, ": ", 2, h[i].value, h[i].vlen) || h2gw_rq_put(s, "\r\n", 2))
			return -1;
	}
	/* the cookie fields on one line, "; " between them (section 8.2.3) */
	for (int i = 0, first = 1; i < n && ncookie; i++) {
		if (!span_is(&h[i], "cookie"))
			continue;
		if (rq_fmt(s, first ? "cookie: " : "; ", first ? 8 : 2, h[i].value, h[i].vlen, "", 0))
			return -1;
		first = 0;
	}
	if (ncookie && h2gw_rq_put(s, "\r\n", 2))
		return -1;
	if (end_stream && s->has_clen && s->clen)
		return -1; /* no DATA can come */
	if (!end_stream && !s->has_clen) {
		s->chunked = 1;
		if (h2gw_rq_put(s, "transfer-encoding: chunked\r\n", 28))
			return -1;
	}
	/* keep-alive: the lane (and the server connection its hstream
	 * keeps) may carry a later stream of the connection */
	return h2gw_rq_put(s, "\r\n", 2);
}
