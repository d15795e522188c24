/* Captures (capture.h).  The block t->caps:
 *
 *   [nreq][nresp] then per slot, requests first: [size lo][size hi]
 *   [found][n lo][n hi] and size bytes of text
 *
 * size is the slot's len, n what was captured (<= size), found 0 when
 * nothing was (no such header, no sample: the log writes "-" in a list,
 * nothing in braces). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/capture.h"
#include "http/cookie.h"
#include "http/h1.h"
#include "model/http_proxy-t.h"

#define SLOT_HEAD 5

static unsigned char *slot_at(unsigned char *b, unsigned i)
{
	unsigned char *p = b + 2;

	while (i--)
		p += SLOT_HEAD + (p[0] | p[1] << 8);
	return p;
}

/* Slot id of the request's (resp 0) or the response's slots, or NULL */
static unsigned char *slot_of(const struct http_txn *t, int resp, int64_t id)
{
	if (!t->caps || id < 0 || id >= t->caps[resp ? 1 : 0])
		return NULL;
	return slot_at(t->caps, (unsigned)id + (resp ? t->caps[0] : 0));
}

/* v into slot p, cut at its size -- and at a NUL: haproxy keeps a
 * capture as a C string */
static void slot_put(unsigned char *p, const char *v, size_t n)
{
	size_t size = p[0] | p[1] << 8;
	const char *nul = memchr(v, 0, n);

	if (nul)
		n = (size_t)(nul - v);
	if (n > size)
		n = size;
	memcpy(p + SLOT_HEAD, v, n);
	p[2] = 1;
	p[3] = (unsigned char)(n & 0xff);
	p[4] = (unsigned char)(n >> 8);
}

/* The last header `name` of m into slot p (already sized). */
static void take(unsigned char *p, const struct h1_msg *m, const char *name)
{
	int i = -1, k;

	for (k = h1_hdr_find(m, name, strlen(name), 0); k >= 0; k = h1_hdr_find(m, name, strlen(name), k + 1))
		i = k;
	if (i >= 0)
		slot_put(p, h1_ptr(m, m->hdrs[i].value), m->hdrs[i].value.len);
}

int capture_declare(struct http_proxy *px, int resp, const char *name, unsigned len, char *err, size_t errlen)
{
	struct hp_capture *c = resp ? px->cap_resp : px->cap_req;
	unsigned *n = resp ? &px->n_cap_resp : &px->n_cap_req;

	if (!len || len > HP_CAPTURE_MAX)
		return err_set(err, errlen, "capture length %u: 1 to %d", len, HP_CAPTURE_MAX);
	if (*n == HP_CAPTURES)
		return err_set(err, errlen, "more than %d %s captures", HP_CAPTURES, resp ? "response" : "request");
	if (strlen(name) >= sizeof(c->name))
		return err_set(err, errlen, "capture: header name '%s' is too long", name);
	snprintf(c[*n].name, sizeof(c[*n].name), "%s", name);
	c[*n].len = len;
	return (int)(*n)++;
}

void capture_set(struct http_txn *t, int resp, int64_t id, const char *v, size_t n)
{
	unsigned char *p = slot_of(t, resp, id);

	if (p)
		slot_put(p, v, n);
}

static int fetch_slot(const struct smp_expr *e, struct smp_ctx *c, struct sample *s, int resp)
{
	const unsigned char *p = slot_of(c->t, resp, e->args[0].num);

	if (!p || !p[2])
		return 0;
	s->type = SMP_T_STR;
	s->str = (const char *)p + SLOT_HEAD;
	s->len = p[3] | p[4] << 8;
	return 1;
}

int capture_f_req(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return fetch_slot(e, c, s, 0);
}

int capture_f_resp(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return fetch_slot(e, c, s, 1);
}

int capture_req(struct http_txn *t, const struct http_proxy *fe)
{
	size_t total = 2;
	unsigned i, n = fe->n_cap_req + fe->n_cap_resp;
	unsigned char *p;

	capture_free(t);
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		total += SLOT_HEAD + (i < fe->n_cap_req ? fe->cap_req[i].len : fe->cap_resp[i - fe->n_cap_req].len);
	t->caps = calloc(1, total);
	if (!t->caps)
		return -1;
	t->caps[0] = (unsigned char)fe->n_cap_req;
	t->caps[1] = (unsigned char)fe->n_cap_resp;
	for (i = 0; i < n; i++) {
		const struct hp_capture *c = i < fe->n_cap_req ? &fe->cap_req[i] : &fe->cap_resp[i - fe->n_cap_req];

		p = slot_at(t->caps, i);
		p[0] = (unsigned char)(c->len & 0xff);
		p[1] = (unsigned char)(c->len >> 8);
		if (i < fe->n_cap_req && t->req && c->name[0])
			take(p, t->req, c->name);
	}
	return 0;
}

void capture_resp(struct http_txn *t)
{
	/* the frontend now (a reload may have changed it: its slots must
	 * be the block's) */
	const struct http_proxy *fe = t->fe;
	unsigned i;

	if (!t->caps || !t->resp || !fe || fe->n_cap_resp != t->caps[1] || fe->n_cap_req != t->caps[0])
		return;
	for (i = 0; i < fe->n_cap_resp; i++) {
		unsigned char *p = slot_at(t->caps, fe->n_cap_req + i);

		if ((unsigned)(p[0] | p[1] << 8) == fe->cap_resp[i].len && fe->cap_resp[i].name[0])
			take(p, t->resp, fe->cap_resp[i].name);
	}
}

void capture_free(struct http_txn *t)
{
	free(t->caps);
	t->caps = NULL;
}

/* The pair p of value v if its "name=value" -- blanks around the '='
 * dropped, as HAProxy's cookie parser drops them -- begins with the
 * capture's name: copied into out (cut at the capture's len), 1; else 0. */
static int cookie_take(const struct http_proxy *fe, const char *v, const struct ck_pair *p,
		       char *out, size_t cap)
{
	char pair[2 * HP_CAPTURE_MAX];
	size_t nl = strlen(fe->cap_cookie), n = 0, k;

	for (k = 0; k < p->nlen && n < sizeof(pair); k++)
		pair[n++] = v[p->name + k];
	if (p->has_eq && n < sizeof(pair))
		pair[n++] = '=';
	for (k = 0; k < p->vlen && n < sizeof(pair); k++)
		pair[n++] = v[p->val + k];
	if (n < nl || memcmp(pair, fe->cap_cookie, nl))
		return 0;
	if (n > fe->cap_cookie_len)
		n = fe->cap_cookie_len;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, pair, n);
	out[n] = 0;
	return 1;
}

/* The headers `hdr` of m in order: every pair of each (Cookie), or only
 * its first (Set-Cookie), until one is taken. */
static void cookie_capture(const struct http_proxy *fe, const struct h1_msg *m, const char *hdr,
			   int set, char *out, size_t cap)
{
	struct ck_pair p;
	int k;

	out[0] = 0;
	if (!fe || !fe->cap_cookie[0] || !m)
		return;
	for (k = h1_hdr_find(m, hdr, strlen(hdr), 0); k >= 0; k = h1_hdr_find(m, hdr, strlen(hdr), k + 1)) {
		const char *v = h1_ptr(m, m->hdrs[k].value);
		size_t len = m->hdrs[k].value.len, pos = 0;

		if (set) {
			if (ck_set_cookie(v, len, &p) && cookie_take(fe, v, &p, out, cap))
				return;
			continue;
		}
		while (ck_next(v, len, &pos, &p))
			if (cookie_take(fe, v, &p, out, cap))
				return;
	}
}

void capture_cookie_req(struct http_txn *t)
{
	cookie_capture(t->fe, t->req, "cookie", 0, t->cli_cookie, sizeof(t->cli_cookie));
}

void capture_cookie_resp(struct http_txn *t)
{
	cookie_capture(t->fe, t->resp, "set-cookie", 1, t->srv_cookie, sizeof(t->srv_cookie));
}

/* haproxy's header encoding in logs */
static int encoded(unsigned char c)
{
	return c < 32 || c > 126 || c == '"' || c == '#' || c == '{' || c == '|' || c == '}';
}

size_t capture_format(const struct http_txn *t, int resp, int list, unsigned flags, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	int q = !!(flags & CAPTURE_F_QUOTE);
	unsigned i, first, n;
	size_t at = 0;

	if (!t->caps || !cap)
		return 0;
	n = t->caps[resp ? 1 : 0];
	first = resp ? t->caps[0] : 0;
	if (!n)
		return 0;
#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (at + 1 < cap)                                                                  \
			out[at++] = (ch);                                                          \
	} while (0)
	if (!list && q)
		PUT('"');
	if (!list)
		PUT('{');
	for (i = 0; i < n; i++) {
		const unsigned char *p = slot_at(t->caps, first + i), *v = p + SLOT_HEAD;
		size_t len = p[3] | p[4] << 8, k;

		if (i)
			PUT(list ? ' ' : '|');
		if (list && q)
			PUT('"');
		else if (list && !p[2])
			PUT('-');
		for (k = 0; k < len; k++) {
			if (encoded(v[k])) {
				PUT('#');
				PUT(hex[v[k] >> 4]);
				PUT(hex[v[k] & 15]);
				continue;
			}
			/* +E: haproxy's RFC 5424 escapes ('"' is #22 already) */
			if ((flags & CAPTURE_F_ESC) && (v[k] == '\\' || v[k] == ']'))
				PUT('\\');
			PUT((char)v[k]);
		}
		if (list && q)
			PUT('"');
	}
	if (!list)
		PUT('}');
	if (!list && q)
		PUT('"');
#undef PUT
	out[at] = 0;
	return at;
}
