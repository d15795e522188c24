/* Captures (capture.h).  The block t->caps holds the slot counts and,
 * requests first, each slot's size (its len) and value: a string of its
 * own, made when something is captured (NULL: nothing was -- no such
 * header, no sample -- and the log writes "-" in a list, nothing in
 * braces), as haproxy takes a capture's memory only when it captures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/capture.h"
#include "http/cookie.h"
#include "http/h1.h"
#include "model/http_proxy-t.h"

struct cap_slot {
	unsigned size; /* the declared len */
	unsigned n;    /* bytes in v (<= size) */
	char *v;       /* owned, or NULL: nothing captured */
};

struct capture_vals {
	unsigned nreq, nresp;
	struct cap_slot s[];
};

/* Slot id of the request's (resp 0) or the response's slots, or NULL */
static struct cap_slot *slot_of(const struct http_txn *t, int resp, int64_t id)
{
	struct capture_vals *c = t->caps;

	if (!c || id < 0 || id >= (resp ? c->nresp : c->nreq))
		return NULL;
	return &c->s[(size_t)id + (resp ? c->nreq : 0)];
}

/* v into slot p, cut at its size -- and at a NUL: haproxy keeps a
 * capture as a C string.  Out of memory: nothing captured. */
static void slot_put(struct cap_slot *p, const char *v, size_t n)
{
	const char *nul = memchr(v, 0, n);
	char *nv;

	if (nul)
		n = (size_t)(nul - v);
	if (n > p->size)
		n = p->size;
	nv = malloc(n + 1);
	free(p->v);
	p->v = nv;
	p->n = 0;
	if (!nv)
		return;
	memcpy(nv, v, n);
	nv[n] = 0;
	p->n = (unsigned)n;
}

/* The last header `name` of m into slot p. */
static void take(struct cap_slot *p, const struct h1_msg *m, const char *name)
{
	int i = -1, k;

	for (k = h1_hdr_find(m, name, strlen(name), 0); k >= 0; k = h1_hdr_find(m, name, strlen(name), k + 1))
		i = k;
	if (i >= 0)
		slot_put(p, h1_ptr(m, m->hdrs[i].value), m->hdrs[i].value.len);
}

long long capture_len(const char *s, int *clean)
{
	long long v = 0;
	int neg = 0, digits = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (v <= HP_CAPTURE_MAX)
			v = v * 10 + (*s - '0');
	*clean = digits && !*s;
	return neg ? -v : v;
}

int capture_declare(struct http_proxy *px, int resp, const char *name, unsigned len, char *err, size_t errlen)
{
	struct hp_capture **c = resp ? &px->cap_resp : &px->cap_req, *nc;
	unsigned *n = resp ? &px->n_cap_resp : &px->n_cap_req;
	char *nm;

	if (len > HP_CAPTURE_MAX)
		return err_set(err, errlen, "capture length %u: at most %d", len, HP_CAPTURE_MAX);
	nm = strdup(name);
	nc = nm ? realloc(*c, (*n + 1) * sizeof(**c)) : NULL;
	if (!nc) {
		free(nm);
		return err_set(err, errlen, "out of memory");
	}
	*c = nc;
	nc[*n].name = nm;
	nc[*n].len = len;
	return (int)(*n)++;
}

void capture_set(struct http_txn *t, int resp, int64_t id, const char *v, size_t n)
{
	struct cap_slot *p = slot_of(t, resp, id);

	if (p)
		slot_put(p, v, n);
}

static int fetch_slot(const struct smp_expr *e, struct smp_ctx *c, struct sample *s, int resp)
{
	const struct cap_slot *p = slot_of(c->t, resp, e->args[0].num);

	if (!p || !p->v)
		return 0;
	s->type = SMP_T_STR;
	s->str = p->v;
	s->len = p->n;
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

static int ver_11(const struct h1_msg *m)
{
	return m->vmajor > 1 || (m->vmajor == 1 && m->vminor >= 1);
}

int capture_f_line(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct h1_msg *m = c->t->req;
	const char *u, *p, *end;
	size_t n;

	switch (e->fetch->name[12]) {
	case 'v': /* capture.req.ver, capture.res.ver */
		m = e->fetch->name[10] == 's' ? c->t->resp : m;
		if (!m)
			return 0;
		s->str = ver_11(m) ? "HTTP/1.1" : "HTTP/1.0";
		break;
	case 'm': /* capture.req.method */
		if (!m)
			return 0;
		s->str = h1_ptr(m, m->method);
		s->len = m->method.len;
		s->type = SMP_T_STR;
		return 1;
	default: /* capture.req.uri: from the path on (the authority left out), "*": none */
		if (!m)
			return 0;
		u = h1_ptr(m, m->uri);
		end = u + m->uri.len;
		p = u;
		if (p == end || *p != '/') {
			p = memmem(u, m->uri.len, "://", 3);
			p = p ? memchr(p + 3, '/', (size_t)(end - p - 3)) : NULL;
			if (!p)
				return 0;
		}
		s->str = p;
		s->len = (size_t)(end - p);
		s->type = SMP_T_STR;
		return 1;
	}
	n = strlen(s->str);
	s->len = n;
	s->type = SMP_T_STR;
	return 1;
}

int capture_req(struct http_txn *t, const struct http_proxy *fe)
{
	unsigned i, n = fe->n_cap_req + fe->n_cap_resp;
	struct capture_vals *c;

	capture_free(t);
	if (!n)
		return 0;
	c = calloc(1, sizeof(*c) + n * sizeof(c->s[0]));
	if (!c)
		return -1;
	t->caps = c;
	c->nreq = fe->n_cap_req;
	c->nresp = fe->n_cap_resp;
	for (i = 0; i < n; i++) {
		const struct hp_capture *d = i < fe->n_cap_req ? &fe->cap_req[i] : &fe->cap_resp[i - fe->n_cap_req];

		c->s[i].size = d->len;
		if (i < fe->n_cap_req && t->req && d->name[0])
			take(&c->s[i], t->req, d->name);
	}
	return 0;
}

void capture_resp(struct http_txn *t)
{
	/* the frontend now (a reload may have changed it: its slots must
	 * be the block's) */
	const struct http_proxy *fe = t->fe;
	struct capture_vals *c = t->caps;
	unsigned i;

	if (!c || !t->resp || !fe || fe->n_cap_resp != c->nresp || fe->n_cap_req != c->nreq)
		return;
	for (i = 0; i < fe->n_cap_resp; i++) {
		struct cap_slot *p = &c->s[fe->n_cap_req + i];

		if (p->size == fe->cap_resp[i].len && fe->cap_resp[i].name[0])
			take(p, t->resp, fe->cap_resp[i].name);
	}
}

void capture_free(struct http_txn *t)
{
	struct capture_vals *c = t->caps;
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->nreq + c->nresp; i++)
		free(c->s[i].v);
	free(c);
	t->caps = NULL;
}

/* The pair p of value v if its "name=value" -- blanks around the '='
 * dropped, as HAProxy's cookie parser drops them -- begins with the
 * capture's name: copied into out (cut at the capture's len), 1; else 0. */
static int cookie_take(const struct http_proxy *fe, const char *v, const struct ck_pair *p,
		       char *out, size_t cap)
{
	char pair[2 * 128]; /* enough to compare and cut at HP_CAPTURE_COOKIE */
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
	n = resp ? t->caps->nresp : t->caps->nreq;
	first = resp ? t->caps->nreq : 0;
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
		const struct cap_slot *p = &t->caps->s[first + i];
		const unsigned char *v = (const unsigned char *)p->v;
		size_t len = v ? p->n : 0, k;

		if (i)
			PUT(list ? ' ' : '|');
		if (list && q)
			PUT('"');
		else if (list && !v)
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
