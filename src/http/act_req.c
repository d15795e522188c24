/* http-request actions on the request line: set-/replace-path, -pathq,
 * -uri, set-query, set-method; and redirect. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/act.h"
#include "http/h1.h"
#include "http/logfmt.h"
#include "http/regex.h"
#include "http/sample.h"
#include "http/txn-t.h"

/* The new URI from the current one and the part an action rewrites:
 * head (scheme://authority of an absolute URI) + path + "?" query. */
static int uri_rebuild(struct h1_msg *m, const char *head, size_t hlen, const char *mid, size_t mlen,
		       const char *q, size_t qlen, int with_q)
{
	char uri[H1_EXTRA_SIZE];
	size_t n = 0;

	if (hlen + mlen + 1 + qlen >= sizeof(uri))
		return -1;
	memcpy(uri, head, hlen);
	n += hlen;
	memcpy(uri + n, mid, mlen);
	n += mlen;
	if (with_q) {
		uri[n++] = '?';
		memcpy(uri + n, q, qlen);
		n += qlen;
	}
	return h1_set_uri(m, uri, n);
}

enum http_verdict act_run_uri(const struct http_act *a, struct http_txn *t, struct h1_msg *m)
{
	char val[H1_EXTRA_SIZE], rep[H1_EXTRA_SIZE];
	const char *u, *p, *q;
	size_t ulen, plen, qlen, vlen;
	ssize_t r;
	int ret;

	vlen = logfmt_build(a->fmt, t, val, sizeof(val));
	http_req_uri(m, &u, &ulen);
	http_uri_path(u, ulen, &p, &plen);
	http_uri_query(u, ulen, &q, &qlen);
	switch (a->kind) {
	case ACT_SET_METHOD:
		ret = h1_set_method(m, val, vlen);
		break;
	case ACT_SET_URI:
		ret = h1_set_uri(m, val, vlen);
		break;
	case ACT_SET_PATH:
		ret = uri_rebuild(m, u, p - u, val, vlen, q, qlen, q != NULL);
		break;
	case ACT_SET_PATHQ:
		ret = uri_rebuild(m, u, p - u, val, vlen, NULL, 0, 0);
		break;
	case ACT_SET_QUERY:
		ret = uri_rebuild(m, u, p - u, p, plen, val, vlen, 1);
		break;
	case ACT_REPL_PATH:
		r = http_re_subst(a->re, p, plen, val, vlen, rep, sizeof(rep));
		if (r < 0)
			return HTTP_V_CONTINUE;
		ret = uri_rebuild(m, u, p - u, rep, (size_t)r, q, qlen, q != NULL);
		break;
	case ACT_REPL_PATHQ:
		r = http_re_subst(a->re, p, u + ulen - p, val, vlen, rep, sizeof(rep));
		if (r < 0)
			return HTTP_V_CONTINUE;
		ret = uri_rebuild(m, u, p - u, rep, (size_t)r, NULL, 0, 0);
		break;
	case ACT_REPL_URI:
		r = http_re_subst(a->re, u, ulen, val, vlen, rep, sizeof(rep));
		if (r < 0)
			return HTTP_V_CONTINUE;
		ret = h1_set_uri(m, rep, (size_t)r);
		break;
	default:
		return HTTP_V_CONTINUE;
	}
	return ret ? HTTP_V_ERROR : HTTP_V_CONTINUE;
}

/* redirect location|prefix|scheme TARGET [code N] [drop-query] [append-slash] */
int act_parse_redirect(struct http_act *a, const struct act_pctx *pc)
{
	int i;

	if (pc->nargs < 2)
		return err_set(pc->err, pc->errlen, "expects location|prefix|scheme TARGET");
	if (!strcmp(pc->args[0], "location"))
		a->redir = REDIR_LOCATION;
	else if (!strcmp(pc->args[0], "prefix"))
		a->redir = REDIR_PREFIX;
	else if (!strcmp(pc->args[0], "scheme"))
		a->redir = REDIR_SCHEME;
	else
		return err_set(pc->err, pc->errlen, "unknown redirect type '%s' (location, prefix, scheme)",
			       pc->args[0]);
	a->code = 302;
	for (i = 2; i < pc->nargs; i++) {
		const char *w = pc->args[i];

		if (!strcmp(w, "code")) {
			char *end;
			unsigned long c;

			if (i + 1 == pc->nargs)
				return err_set(pc->err, pc->errlen, "'code' expects 301, 302, 303, 307 or 308");
			c = strtoul(pc->args[++i], &end, 10);
			if (*end || (c != 301 && c != 302 && c != 303 && c != 307 && c != 308))
				return err_set(pc->err, pc->errlen, "redirect code '%s' is not 301, 302, 303, 307 "
					       "or 308", pc->args[i]);
			a->code = (unsigned)c;
		} else if (!strcmp(w, "drop-query")) {
			a->redir_flags |= REDIR_DROP_QUERY;
		} else if (!strcmp(w, "append-slash")) {
			a->redir_flags |= REDIR_APPEND_SLASH;
		} else {
			return err_set(pc->err, pc->errlen, "unknown redirect option '%s' (code, drop-query, "
				       "append-slash)", w);
		}
	}
	a->fmt = logfmt_compile_use(pc->args[1], pc->use, 0, pc->err, pc->errlen);
	return a->fmt ? 0 : -1;
}

static size_t cat(char *dst, size_t n, size_t cap, const char *s, size_t len)
{
	if (n + len >= cap)
		len = n < cap ? cap - 1 - n : 0;
	memcpy(dst + n, s, len);
	return n + len;
}

/* The Location of a prefix or scheme redirect: TARGET then the request's
 * path (and query) as haproxy builds it; a prefix of "/" adds nothing. */
enum http_verdict act_run_redirect(const struct http_act *a, struct http_txn *t, struct http_reply *reply)
{
	const struct h1_msg *m = t->req;
	char *loc = reply->buf;
	size_t cap = sizeof(reply->buf), n;
	const char *u, *p, *q;
	size_t ulen, plen, qlen;

	memset(reply, 0, offsetof(struct http_reply, buf));
	reply->status = a->code;
	reply->redirect = 1;
	n = logfmt_build(a->fmt, t, loc, cap);
	if (a->redir != REDIR_LOCATION && m) {
		http_req_uri(m, &u, &ulen);
		http_uri_path(u, ulen, &p, &plen);
		http_uri_query(u, ulen, &q, &qlen);
		if (a->redir == REDIR_SCHEME) {
			int h = h1_hdr_find(m, "host", 4, 0);

			n = cat(loc, n, cap, "://", 3);
			if (h >= 0)
				n = cat(loc, n, cap, h1_ptr(m, m->hdrs[h].value), m->hdrs[h].value.len);
		} else if (n == 1 && loc[0] == '/') {
			n = 0;
		}
		n = cat(loc, n, cap, p, plen);
		if ((a->redir_flags & REDIR_APPEND_SLASH) && (!plen || p[plen - 1] != '/'))
			n = cat(loc, n, cap, "/", 1);
		if (q && !(a->redir_flags & REDIR_DROP_QUERY)) {
			n = cat(loc, n, cap, "?", 1);
			n = cat(loc, n, cap, q, qlen);
		}
	}
	loc[n] = 0;
	reply->hdrs[0].name = "location";
	reply->hdrs[0].nlen = 8;
	reply->hdrs[0].val = loc;
	reply->hdrs[0].vlen = n;
	reply->nhdrs = 1;
	return HTTP_V_RETURN;
}
