/* Sample fetches (haproxy configuration.txt 7.3.2 to 7.3.6): what a rule
 * can read from a transaction.  Each is one row of smp_fetches[]; the
 * aliases haproxy keeps (hdr = req.hdr, shdr = res.hdr, urlp = url_param)
 * are rows of their own pointing at the same function. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/auth.h"
#include "http/capture.h"
#include "http/fetch_ssl.h"
#include "http/h1.h"
#include "http/sample.h"
#include "http/txn-t.h"

static int set_str(struct sample *s, const char *p, size_t len)
{
	s->type = SMP_T_STR;
	s->str = p;
	s->len = len;
	return 1;
}

static int set_int(struct sample *s, enum smp_type type, int64_t v)
{
	s->type = type;
	s->sint = v;
	return 1;
}

static int f_path(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const char *u, *p;
	size_t ulen, plen;

	http_req_uri(c->t->req, &u, &ulen);
	http_uri_path(u, ulen, &p, &plen);
	return set_str(s, p, plen);
}

/* path and query: from the path to the end of the URI */
static int f_pathq(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const char *u, *p;
	size_t ulen, plen;

	http_req_uri(c->t->req, &u, &ulen);
	http_uri_path(u, ulen, &p, &plen);
	return set_str(s, p, u + ulen - p);
}

static int f_url(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const char *u;
	size_t ulen;

	http_req_uri(c->t->req, &u, &ulen);
	return set_str(s, u, ulen);
}

static int f_query(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const char *u, *q;
	size_t ulen, qlen;

	http_req_uri(c->t->req, &u, &ulen);
	http_uri_query(u, ulen, &q, &qlen);
	return q ? set_str(s, q, qlen) : 0;
}

static int f_method(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const char *p;
	size_t len;

	http_req_method(c->t->req, &p, &len);
	return set_str(s, p, len);
}

static const struct h1_msg *fetch_msg(const struct smp_fetch *f, const struct http_txn *t)
{
	return (f->use & SMP_USE_RESP) ? t->resp : t->req;
}

static int f_ver(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct h1_msg *m = fetch_msg(e->fetch, c->t);

	if (!m)
		return 0;
	snprintf(s->buf, sizeof(s->buf), "%u.%u", m->vmajor, m->vminor);
	return set_str(s, s->buf, strlen(s->buf));
}

/* The value number `occ` of header e->args[0] (haproxy's occurrence: 1 the
 * first, -1 the last); `full` counts whole lines instead of the values
 * between commas. */
static int hdr_occ(const struct h1_msg *m, const char *name, int full, int64_t occ, const char **v, size_t *vlen)
{
	size_t nlen = strlen(name);
	uint64_t st = 0;
	int64_t n = 0, want = occ;
	int idx = -1;

	if (occ < 0) {
		int64_t total = 0;

		if (full)
			while ((idx = h1_hdr_find(m, name, nlen, idx + 1)) >= 0)
				total++;
		else
			while (h1_hdr_next_value(m, name, nlen, &st, v, vlen))
				total++;
		want = total + occ + 1;
		if (want < 1)
			return 0;
		st = 0;
		idx = -1;
	}
	if (full) {
		while ((idx = h1_hdr_find(m, name, nlen, idx + 1)) >= 0)
			if (++n == want) {
				*v = h1_ptr(m, m->hdrs[idx].value);
				*vlen = m->hdrs[idx].value.len;
				return 1;
			}
		return 0;
	}
	while (h1_hdr_next_value(m, name, nlen, &st, v, vlen))
		if (++n == want)
			return 1;
	return 0;
}

/* hdr(NAME[,OCC]): in an ACL without OCC every value in turn, else the
 * one asked for (the last by default). */
static int hdr_fetch(const struct smp_expr *e, struct smp_ctx *c, struct sample *s, int full)
{
	const struct h1_msg *m = fetch_msg(e->fetch, c->t);
	const char *name = e->args[0].str, *v;
	size_t vlen;

	if (!m)
		return 0;
	if (c->multi && e->nargs < 2) {
		size_t nlen = strlen(name);

		if (full) {
			int idx = h1_hdr_find(m, name, nlen, (int)c->iter);

			if (idx < 0)
				return 0;
			c->iter = (uint64_t)idx + 1;
			v = h1_ptr(m, m->hdrs[idx].value);
			vlen = m->hdrs[idx].value.len;
		} else if (!h1_hdr_next_value(m, name, nlen, &c->iter, &v, &vlen)) {
			return 0;
		}
		c->more = 1;
		return set_str(s, v, vlen);
	}
	if (!hdr_occ(m, name, full, e->nargs > 1 && e->args[1].num ? e->args[1].num : -1, &v, &vlen))
		return 0;
	return set_str(s, v, vlen);
}

static int f_hdr(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_fetch(e, c, s, 0);
}

static int f_fhdr(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_fetch(e, c, s, 1);
}

static int f_hdr_val(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_fetch(e, c, s, 0) && smp_cast(s, SMP_T_SINT);
}

static int f_hdr_ip(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_fetch(e, c, s, 0) && smp_cast(s, SMP_T_ADDR);
}

static int hdr_count(const struct smp_expr *e, struct smp_ctx *c, struct sample *s, int full)
{
	const struct h1_msg *m = fetch_msg(e->fetch, c->t);
	const char *name = e->args[0].str, *v;
	size_t nlen = strlen(name), vlen;
	uint64_t st = 0;
	int64_t n = 0;
	int idx = -1;

	if (!m)
		return 0;
	if (full)
		while ((idx = h1_hdr_find(m, name, nlen, idx + 1)) >= 0)
			n++;
	else
		while (h1_hdr_next_value(m, name, nlen, &st, &v, &vlen))
			n++;
	return set_int(s, SMP_T_SINT, n);
}

static int f_hdr_cnt(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_count(e, c, s, 0);
}

static int f_fhdr_cnt(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return hdr_count(e, c, s, 1);
}

/* Host header, then the path */
static int f_base(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct h1_msg *m = c->t->req;
	const char *u, *p, *h = NULL;
	size_t ulen, plen, hlen = 0;
	int idx = h1_hdr_find(m, "host", 4, 0);

	if (idx < 0)
		return 0;
	h = h1_ptr(m, m->hdrs[idx].value);
	hlen = m->hdrs[idx].value.len;
	http_req_uri(m, &u, &ulen);
	http_uri_path(u, ulen, &p, &plen);
	if (hlen + plen > sizeof(s->buf))
		return 0;
	memcpy(s->buf, h, hlen);
	memcpy(s->buf + hlen, p, plen);
	return set_str(s, s->buf, hlen + plen);
}

/* The next NAME=value item of the list p[*pos..len) whose items are
 * separated by any byte of `seps` (blanks after a separator skipped: the
 * Cookie header); 1 with the value, *pos then past it. */
static int next_param(const char *p, size_t len, size_t *pos, const char *name, const char *seps, const char **v,
		      size_t *vlen)
{
	size_t nlen = strlen(name), i = *pos, item;
	const char *eq;

	while (i < len) {
		while (i < len && p[i] == ' ')
			i++;
		item = i;
		while (i < len && !strchr(seps, p[i]))
			i++;
		eq = memchr(p + item, '=', i - item);
		if (eq && (size_t)(eq - (p + item)) == nlen && !memcmp(p + item, name, nlen)) {
			*v = eq + 1;
			*vlen = p + i - (eq + 1);
			*pos = i + 1;
			return 1;
		}
		i++;
	}
	*pos = len;
	return 0;
}

/* url_param(NAME[,DELIM]): as haproxy, the list starts after the first
 * DELIM ('?' by default) of the URI and its items are separated by '&',
 * ';' or DELIM; the first NAME (in an ACL: each in turn). */
static int f_url_param(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	char delim = e->nargs > 1 && *e->args[1].str ? *e->args[1].str : '?', seps[4] = {'&', ';', delim, 0};
	const char *u, *q, *v;
	size_t ulen, qlen, vlen, pos = (size_t)c->iter;

	http_req_uri(c->t->req, &u, &ulen);
	q = memchr(u, delim, ulen);
	if (!q)
		return 0;
	q++;
	qlen = u + ulen - q;
	if (!next_param(q, qlen, &pos, e->args[0].str, seps, &v, &vlen))
		return 0;
	c->iter = pos;
	c->more = c->multi;
	return set_str(s, v, vlen);
}

/* cook(NAME): a cookie of the Cookie lines; the last one, or in an ACL
 * each in turn (the cursor: line index << 32 | offset in the line). */
static int f_cook(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct h1_msg *m = c->t->req;
	const char *v, *lv = NULL;
	size_t vlen, lvlen = 0, pos = (size_t)(c->iter & 0xffffffffu);
	int idx = (int)(c->iter >> 32) - 1;

	if (idx < 0)
		idx = h1_hdr_find(m, "cookie", 6, 0);
	for (; idx >= 0; idx = h1_hdr_find(m, "cookie", 6, idx + 1), pos = 0) {
		const char *p = h1_ptr(m, m->hdrs[idx].value);

		while (next_param(p, m->hdrs[idx].value.len, &pos, e->args[0].str, ";", &v, &vlen)) {
			if (c->multi) {
				c->iter = ((uint64_t)idx + 1) << 32 | pos;
				c->more = 1;
				return set_str(s, v, vlen);
			}
			lv = v;
			lvlen = vlen;
		}
	}
	return lv ? set_str(s, lv, lvlen) : 0;
}

static int f_src(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	s->type = SMP_T_ADDR;
	s->addr = c->t->src;
	return c->t->src.family != 0;
}

static int f_src_port(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_SINT, c->t->src.port);
}

static int f_dst(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	s->type = SMP_T_ADDR;
	s->addr = c->t->dst;
	return c->t->dst.family != 0;
}

static int f_dst_port(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_SINT, c->t->dst.port);
}

static int f_ssl_fc(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_BOOL, c->t->ssl != 0);
}

/* The client's TLS: nothing on a plain connection (HAProxy's fetches
 * fail there), "" where the client sent no SNI or ALPN chose nothing. */
static int f_ssl_fc_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct htxn_tls *t = c->t->ssl;
	const char *v;

	if (!t)
		return 0;
	switch (e->fetch->name[7]) {
	case 's': v = t->sni; break;		/* ssl_fc_sni */
	case 'p': v = t->version; break;	/* ssl_fc_protocol */
	case 'a': v = t->alpn; break;		/* ssl_fc_alpn */
	default: v = t->cipher; break;		/* ssl_fc_cipher */
	}
	if (!v || !*v)
		return 0;
	return set_str(s, v, strlen(v));
}

static int f_status(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct h1_msg *m = c->t->resp;

	if (!m)
		return 0;
	return set_int(s, SMP_T_SINT, m->new_status ? m->new_status : m->status);
}

static int f_var(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	const struct htxn_var *v;
	unsigned i;

	for (i = 0; i < c->t->nvars; i++) {
		v = &c->t->vars[i];
		if (strcmp(v->name, e->args[0].str))
			continue;
		if (v->is_int)
			return set_int(s, SMP_T_SINT, v->ival);
		return set_str(s, v->val, v->len);
	}
	return 0;
}

static int f_true(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_BOOL, 1);
}

static int f_false(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_BOOL, 0);
}

static int f_int(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_int(s, SMP_T_SINT, e->args[0].num);
}

static int f_str(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return set_str(s, e->args[0].str, strlen(e->args[0].str));
}

static int f_fe_name(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return c->t->fe && set_str(s, c->t->fe->name, strlen(c->t->fe->name));
}

static int f_be_name(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return c->t->be && set_str(s, c->t->be->name, strlen(c->t->be->name));
}

static int f_srv_name(const struct smp_expr *e, struct smp_ctx *c, struct sample *s)
{
	return c->t->srv_name && set_str(s, c->t->srv_name, strlen(c->t->srv_name));
}

#define REQ SMP_USE_REQ
#define RES SMP_USE_RESP

static const struct smp_fetch smp_fetches[] = {
	{"path", f_path, 0, 0, 0, SMP_T_STR, REQ},
	{"pathq", f_pathq, 0, 0, 0, SMP_T_STR, REQ},
	{"url", f_url, 0, 0, 0, SMP_T_STR, REQ},
	{"query", f_query, 0, 0, 0, SMP_T_STR, REQ},
	{"base", f_base, 0, 0, 0, SMP_T_STR, REQ},
	{"method", f_method, 0, 0, 0, SMP_T_STR, REQ},
	{"req.ver", f_ver, 0, 0, 0, SMP_T_STR, REQ},
	{"req_ver", f_ver, 0, 0, 0, SMP_T_STR, REQ},
	{"res.ver", f_ver, 0, 0, 0, SMP_T_STR, RES},
	{"url_param", f_url_param, 1, 2, 0, SMP_T_STR, REQ},
	{"urlp", f_url_param, 1, 2, 0, SMP_T_STR, REQ},
	{"hdr", f_hdr, 1, 2, 0x2, SMP_T_STR, REQ},
	{"req.hdr", f_hdr, 1, 2, 0x2, SMP_T_STR, REQ},
	{"req.fhdr", f_fhdr, 1, 2, 0x2, SMP_T_STR, REQ},
	{"fhdr", f_fhdr, 1, 2, 0x2, SMP_T_STR, REQ},
	{"hdr_cnt", f_hdr_cnt, 1, 1, 0, SMP_T_SINT, REQ},
	{"req.hdr_cnt", f_hdr_cnt, 1, 1, 0, SMP_T_SINT, REQ},
	{"fhdr_cnt", f_fhdr_cnt, 1, 1, 0, SMP_T_SINT, REQ},
	{"req.fhdr_cnt", f_fhdr_cnt, 1, 1, 0, SMP_T_SINT, REQ},
	{"hdr_val", f_hdr_val, 1, 2, 0x2, SMP_T_SINT, REQ},
	{"req.hdr_val", f_hdr_val, 1, 2, 0x2, SMP_T_SINT, REQ},
	{"hdr_ip", f_hdr_ip, 1, 2, 0x2, SMP_T_ADDR, REQ},
	{"req.hdr_ip", f_hdr_ip, 1, 2, 0x2, SMP_T_ADDR, REQ},
	{"cook", f_cook, 1, 1, 0, SMP_T_STR, REQ},
	{"req.cook", f_cook, 1, 1, 0, SMP_T_STR, REQ},
	{"res.hdr", f_hdr, 1, 2, 0x2, SMP_T_STR, RES},
	{"shdr", f_hdr, 1, 2, 0x2, SMP_T_STR, RES},
	{"res.fhdr", f_fhdr, 1, 2, 0x2, SMP_T_STR, RES},
	{"res.hdr_cnt", f_hdr_cnt, 1, 1, 0, SMP_T_SINT, RES},
	{"shdr_cnt", f_hdr_cnt, 1, 1, 0, SMP_T_SINT, RES},
	{"res.fhdr_cnt", f_fhdr_cnt, 1, 1, 0, SMP_T_SINT, RES},
	{"res.hdr_val", f_hdr_val, 1, 2, 0x2, SMP_T_SINT, RES},
	{"status", f_status, 0, 0, 0, SMP_T_SINT, RES},
	{"src", f_src, 0, 0, 0, SMP_T_ADDR, 0},
	{"src_port", f_src_port, 0, 0, 0, SMP_T_SINT, 0},
	{"dst", f_dst, 0, 0, 0, SMP_T_ADDR, 0},
	{"dst_port", f_dst_port, 0, 0, 0, SMP_T_SINT, 0},
	{"ssl_fc", f_ssl_fc, 0, 0, 0, SMP_T_BOOL, 0},
	{"ssl_fc_sni", f_ssl_fc_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_fc_protocol", f_ssl_fc_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_fc_alpn", f_ssl_fc_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_fc_cipher", f_ssl_fc_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_used", smp_f_ssl_c_int, 0, 0, 0, SMP_T_BOOL, 0},
	{"ssl_fc_has_crt", smp_f_ssl_c_int, 0, 0, 0, SMP_T_BOOL, 0},
	{"ssl_c_verify", smp_f_ssl_c_int, 0, 0, 0, SMP_T_SINT, 0},
	{"ssl_c_err", smp_f_ssl_c_int, 0, 0, 0, SMP_T_SINT, 0},
	{"ssl_c_ca_err", smp_f_ssl_c_int, 0, 0, 0, SMP_T_SINT, 0},
	{"ssl_c_version", smp_f_ssl_c_int, 0, 0, 0, SMP_T_SINT, 0},
	{"ssl_c_s_dn", smp_f_ssl_c_dn, 0, 3, 0x2, SMP_T_STR, 0},
	{"ssl_c_i_dn", smp_f_ssl_c_dn, 0, 3, 0x2, SMP_T_STR, 0},
	{"ssl_c_serial", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_sha1", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_notbefore", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_notafter", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_sig_alg", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_key_alg", smp_f_ssl_c_str, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_c_der", smp_f_ssl_der, 0, 0, 0, SMP_T_STR, 0},
	{"ssl_f_der", smp_f_ssl_der, 0, 0, 0, SMP_T_STR, 0},
	{"http_auth", smp_fetch_http_auth, 1, 1, 0, SMP_T_BOOL, REQ},
	{"http_auth_group", smp_fetch_http_auth_group, 1, 1, 0, SMP_T_STR, REQ},
	{"http_auth_pass", smp_fetch_http_auth_str, 0, 0, 0, SMP_T_STR, REQ},
	{"http_auth_type", smp_fetch_http_auth_str, 0, 0, 0, SMP_T_STR, REQ},
	{"http_auth_user", smp_fetch_http_auth_str, 0, 0, 0, SMP_T_STR, REQ},
	{"var", f_var, 1, 1, 0, SMP_T_STR, 0},
	{"capture.req.hdr", capture_f_req, 1, 1, 0x1, SMP_T_STR, 0}, /* in responses too (haproxy) */
	{"capture.res.hdr", capture_f_resp, 1, 1, 0x1, SMP_T_STR, RES},
	{"capture.req.method", capture_f_line, 0, 0, 0, SMP_T_STR, 0},
	{"capture.req.uri", capture_f_line, 0, 0, 0, SMP_T_STR, 0},
	{"capture.req.ver", capture_f_line, 0, 0, 0, SMP_T_STR, 0},
	{"capture.res.ver", capture_f_line, 0, 0, 0, SMP_T_STR, 0}, /* in requests too (haproxy): none there */
	{"always_true", f_true, 0, 0, 0, SMP_T_BOOL, 0},
	{"always_false", f_false, 0, 0, 0, SMP_T_BOOL, 0},
	{"int", f_int, 1, 1, 0x1, SMP_T_SINT, 0},
	{"str", f_str, 1, 1, 0, SMP_T_STR, 0},
	{"fe_name", f_fe_name, 0, 0, 0, SMP_T_STR, 0},
	{"be_name", f_be_name, 0, 0, 0, SMP_T_STR, 0},
	{"srv_name", f_srv_name, 0, 0, 0, SMP_T_STR, 0},
	{NULL},
};

const struct smp_fetch *smp_fetch_find(const char *name, size_t len)
{
	const struct smp_fetch *f;

	for (f = smp_fetches; f->name; f++)
		if (strlen(f->name) == len && !memcmp(f->name, name, len))
			return f;
	return NULL;
}
