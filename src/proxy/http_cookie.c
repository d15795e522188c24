/* Cookie persistence of the HTTP engine (haproxy.cfg's `cookie NAME ...`
 * in a backend, `cookie VALUE` on its servers), as HAProxy 2.6 does it:
 *
 *   request   the first cookie NAME whose value (prefix mode: up to '~';
 *             else up to a '|' of HAProxy's dates) is a server's VALUE
 *             sends the request to that server if it is up, or with
 *             `option persist` whatever its state ("direct"); a server
 *             that is down is skipped, another with the same VALUE may
 *             serve.  insert+indirect removes NAME before the server;
 *             prefix removes "VALUE~" from it.
 *   response  the server's own Set-Cookie NAME: kept with preserve; else
 *             removed in insert mode, or when the request was direct and
 *             indirect is set; else rewritten to VALUE (rewrite) or
 *             prefixed with "VALUE~" (prefix).  Insert mode then adds
 *             "Set-Cookie: NAME=VALUE; path=/" (a server without VALUE:
 *             an expired NAME, which ends the client's persistence) unless
 *             the request was direct, preserve kept the server's own, or
 *             postonly and not a POST; with nocache and a response a
 *             cache may keep, "Cache-control: private" too.
 *
 * The log's termination state gets HAProxy's two cookie characters
 * (client side N/I/D/V, server side N/I/P/R/D); "--" without a mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/cookie.h"
#include "http/h1.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

#define CK_DELIM '~'      /* prefix mode: VALUE~the server's value */
#define CK_DELIM_DATE '|' /* insert mode with HAProxy's maxidle/maxlife dates */

/* A span's bytes, writable: the request head is our copy (s->x->reqhead),
 * added headers live in the message's arena. */
static char *span_rw(struct hstream *s, struct h1_msg *m, struct h1_span sp)
{
	return (sp.off & H1_SPAN_EXTRA) ? m->extra + (sp.off & ~H1_SPAN_EXTRA)
					: s->x->reqhead + sp.off;
}

/* The first server of the backend whose cookie VALUE is id[0..n), or NULL:
 * the configuration alone (read without the engine lock). */
static const struct real_server *ck_first(const struct hstream *s, const char *id, size_t n)
{
	const struct real_server *rs;

	for (rs = s->be->pool->rs; rs && n; rs = rs->next)
		if (rs->hp && strlen(rs->hp->cookie) == n && !memcmp(rs->hp->cookie, id, n))
			return rs;
	return NULL;
}

/* From first (ck_first's) on, the server with its VALUE that may take the
 * request (the servers' states read as atomics, no engine lock); *down set
 * when one matched but is down. */
static const struct real_server *ck_server(const struct hstream *s,
					   const struct real_server *first, int *down)
{
	const char *id = first->hp->cookie;
	const struct real_server *rs;

	for (rs = first; rs; rs = rs->next) {
		if (!rs->hp || strcmp(rs->hp->cookie, id))
			continue;
		if (rs_available(rs) || rs_admin_of(rs) == RS_ADMIN_DRAIN ||
		    (s->be->options & HP_OPT_PERSIST))
			return rs;
		*down = 1;
	}
	return NULL;
}

/* One pair named NAME: its server's candidate noted (s->x->ck_cand, in the
 * pairs' order: the first valid pair wins, hck_resolve) and how the pair
 * is edited: 0 kept, 1 dropped, or > 1 the bytes cut from the front of its
 * value, plus one; (size_t)-1 out of memory. */
static size_t ck_req_pair(struct hstream *s, const char *v, const struct ck_pair *p)
{
	const struct hp_cookie *c = &s->be->cookie;
	const char *id = v + p->val, *d;
	size_t n = p->vlen;
	const struct real_server **t;

	d = memchr(id, c->mode == HP_CK_PREFIX ? CK_DELIM : CK_DELIM_DATE, n);
	if (d)
		n = (size_t)(d - id);
	t = realloc(s->x->ck_cand, (s->x->ck_ncand + 1) * sizeof(*t));
	if (!t)
		return (size_t)-1;
	s->x->ck_cand = t;
	s->x->ck_cand[s->x->ck_ncand++] = ck_first(s, id, n);
	if (c->mode == HP_CK_PREFIX && d)
		return n + 2;
	return c->mode == HP_CK_INSERT && c->indirect;
}

int hck_request(struct hstream *s)
{
	const struct hp_cookie *c = &s->be->cookie;
	size_t nl = strlen(c->name);
	int idx;

	s->x->ck_ncand = 0;
	s->x->txn.ck[0] = s->x->txn.ck[1] = c->name[0] && c->mode != HP_CK_PASSIVE ? 'N' : '-';
	if (!c->name[0])
		return 0;
	for (idx = h1_hdr_find(&s->x->req, "cookie", 6, 0); idx >= 0;
	     idx = h1_hdr_find(&s->x->req, "cookie", 6, idx + 1)) {
		struct h1_hdr *h = &s->x->req.hdrs[idx];
		char *v = span_rw(s, &s->x->req, h->value);
		size_t len = h->value.len, pos = 0, cut;
		struct ck_pair p;

		while (ck_next(v, len, &pos, &p)) {
			if (p.nlen != nl || memcmp(v + p.name, c->name, nl))
				continue;
			cut = ck_req_pair(s, v, &p);
			if (cut == (size_t)-1)
				return -1;
			if (cut == 1) {
				len = ck_drop(v, len, &p);
				pos = p.beg;
			} else if (cut > 1) {
				len = ck_cut_value(v, len, &p, cut - 1);
				pos = p.next - (cut - 1);
			}
		}
		h->value.len = (uint32_t)len;
		if (!len)
			h1_hdr_del(&s->x->req, idx);
	}
	return 0;
}

int hck_may_direct(const struct hstream *s)
{
	unsigned i;

	for (i = 0; i < s->x->ck_ncand; i++)
		if (s->x->ck_cand[i])
			return 1;
	return 0;
}

void hck_resolve(struct hstream *s)
{
	const struct real_server *rs;
	unsigned i;
	int down;

	rs_live_unref(s->ck_live);
	s->ck_live = NULL;
	s->ck_direct = 0;
	for (i = 0; i < s->x->ck_ncand && !s->ck_live; i++) {
		down = 0;
		rs = s->x->ck_cand[i] ? ck_server(s, s->x->ck_cand[i], &down) : NULL;
		if (rs) {
			s->ck_live = rs_live_ref(rs->live);
			s->ck_addr = rs->addr;
			s->x->txn.ck[0] = rs_available(rs) || rs_admin_of(rs) == RS_ADMIN_DRAIN ? 'V' : 'D';
		} else {
			s->x->txn.ck[0] = down ? 'D' : 'I';
		}
	}
	s->x->ck_ncand = 0;
	s->ck_direct = s->ck_live != NULL;
}

int hck_pick(struct hstream *s)
{
	if (!s->ck_direct)
		return 0;
	/* a down server is in no table (option persist): its address is kept */
	rs_live_unref(s->live);
	s->live = rs_live_ref(s->ck_live);
	s->x->srv_addr = s->ck_addr;
	return 1;
}

/* The real server of the transaction (its cookie VALUE), or NULL. */
static const struct real_server *txn_server(const struct hstream *s)
{
	const struct real_server *rs;

	if (!s->be || !s->be->pool || !s->live)
		return NULL;
	for (rs = s->be->pool->rs; rs; rs = rs->next)
		if (rs->live == s->live)
			return rs;
	return NULL;
}

/* Could a shared cache keep this response?  HAProxy 2.6's rules for
 * `nocache`: a GET or HEAD answered 200, 203, 204, 206, 300, 301, 404,
 * 405, 410, 414 or 501, no `Pragma: no-cache`, Cache-Control read in
 * order (public allows, private, no-cache, no-store, max-age=0 and
 * s-maxage=0 forbid), and a freshness or validator: max-age, s-maxage,
 * Expires, Last-Modified or ETag. */
static int resp_cacheable(const struct hstream *s)
{
	static const unsigned ok[] = {200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501};
	const struct h1_msg *m = &s->x->resp;
	int cacheable = 0, fresh = 0;
	uint64_t st = 0;
	const char *v;
	size_t vl, i;

	if (s->x->client_meth != H1_METH_GET && s->x->client_meth != H1_METH_HEAD)
		return 0;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]) && ok[i] != m->status; i++)
		;
	if (i == sizeof(ok) / sizeof(ok[0]))
		return 0;
	while (h1_hdr_next_value(m, "pragma", 6, &st, &v, &vl))
		if (vl == 8 && !strncasecmp(v, "no-cache", 8))
			return 0;
	cacheable = 1;
	st = 0;
	while (h1_hdr_next_value(m, "cache-control", 13, &st, &v, &vl)) {
		if (vl == 6 && !strncasecmp(v, "public", 6))
			cacheable = 1;
		else if ((vl == 7 && !strncasecmp(v, "private", 7)) ||
			 (vl >= 8 && !strncasecmp(v, "no-cache", 8)) ||
			 (vl == 8 && !strncasecmp(v, "no-store", 8)) ||
			 (vl == 9 && !strncasecmp(v, "max-age=0", 9)) ||
			 (vl == 10 && !strncasecmp(v, "s-maxage=0", 10)))
			cacheable = 0;
		else if ((vl > 8 && !strncasecmp(v, "max-age=", 8)) ||
			 (vl > 9 && !strncasecmp(v, "s-maxage=", 9)))
			fresh = 1;
	}
	fresh |= h1_hdr_find(m, "expires", 7, 0) >= 0 || h1_hdr_find(m, "last-modified", 13, 0) >= 0 ||
		 h1_hdr_find(m, "etag", 4, 0) >= 0;
	return cacheable && fresh;
}

/* The server's own Set-Cookie NAME headers (see the top); 1 if one was
 * found (so preserve keeps it), -1 if an edit did not fit. */
static int srv_cookies(struct hstream *s, const struct real_server *rs)
{
	const struct hp_cookie *c = &s->be->cookie;
	size_t nl = strlen(c->name);
	char nv[512];
	int idx, found = 0, n, nhdrs = (int)s->x->resp.nhdrs;

	/* the headers as received: a rewritten one is added after them */
	for (idx = h1_hdr_find(&s->x->resp, "set-cookie", 10, 0); idx >= 0 && idx < nhdrs;
	     idx = h1_hdr_find(&s->x->resp, "set-cookie", 10, idx + 1)) {
		const char *v = h1_ptr(&s->x->resp, s->x->resp.hdrs[idx].value);
		size_t len = s->x->resp.hdrs[idx].value.len;
		struct ck_pair p;

		if (!ck_set_cookie(v, len, &p) || p.nlen != nl || memcmp(v + p.name, c->name, nl))
			continue;
		found = 1;
		s->x->txn.ck[1] = 'P';
		if (c->preserve)
			continue;
		if ((rs && c->mode == HP_CK_INSERT) || (s->ck_direct && c->indirect)) {
			h1_hdr_del(&s->x->resp, idx);
			s->x->txn.ck[1] = 'D';
			continue;
		}
		if (!rs || !rs->hp || !rs->hp->cookie[0] ||
		    (c->mode != HP_CK_REWRITE && c->mode != HP_CK_PREFIX))
			continue;
		if (c->mode == HP_CK_REWRITE)
			n = snprintf(nv, sizeof(nv), "%.*s%s%.*s", (int)p.val, v, rs->hp->cookie,
				     (int)(len - p.end), v + p.end);
		else
			n = snprintf(nv, sizeof(nv), "%.*s%s%c%.*s", (int)p.val, v, rs->hp->cookie,
				     CK_DELIM, (int)(len - p.val), v + p.val);
		if (n < 0 || (size_t)n >= sizeof(nv))
			return -1;
		h1_hdr_del(&s->x->resp, idx);
		if (h1_hdr_add(&s->x->resp, "Set-Cookie", 10, nv, (size_t)n) < 0)
			return -1;
		s->x->txn.ck[1] = 'R';
	}
	return found;
}

int hck_response(struct hstream *s)
{
	const struct hp_cookie *c = s->be ? &s->be->cookie : NULL;
	const struct real_server *rs = txn_server(s);
	char sc[640];
	int found, n;

	if (!c || !c->name[0])
		return 0;
	found = srv_cookies(s, rs);
	if (found < 0)
		return -1;
	if (c->mode != HP_CK_INSERT || !rs || (found && c->preserve) || s->ck_direct ||
	    (c->postonly && s->x->client_meth != H1_METH_POST))
		return 0;
	if (rs->hp && rs->hp->cookie[0])
		n = snprintf(sc, sizeof(sc), "%s=%s; path=/", c->name, rs->hp->cookie);
	else
		n = snprintf(sc, sizeof(sc), "%s=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/",
			     c->name);
	if (c->domain[0])
		n += snprintf(sc + n, sizeof(sc) - (size_t)n, "; domain=%s", c->domain);
	if (c->httponly)
		n += snprintf(sc + n, sizeof(sc) - (size_t)n, "; HttpOnly");
	if (c->secure)
		n += snprintf(sc + n, sizeof(sc) - (size_t)n, "; Secure");
	if (c->attrs[0])
		n += snprintf(sc + n, sizeof(sc) - (size_t)n, "; %s", c->attrs);
	if (h1_hdr_add(&s->x->resp, "Set-Cookie", 10, sc, (size_t)n) < 0)
		return -1;
	s->x->txn.ck[1] = 'I';
	if (c->nocache && resp_cacheable(s) &&
	    h1_hdr_add(&s->x->resp, "Cache-control", 13, "private", 7) < 0)
		return -1;
	return 0;
}
