/* The request's head as the server gets it (HAProxy 2.6's): the
 * forwardfor / originalto headers, Connection for the server side's mode,
 * TE reduced to `trailers`.  http_txn.c calls hreq_fix_head once the
 * rules ran and the connection modes are known. */
#include <string.h>
#include <strings.h>

#include "core/addr.h"
#include "http/h1.h"
#include "proxy/http.h"

static int in_except(const struct hp_xff *x, const struct fc_addr *a)
{
	struct fc_addr m = *a, n = x->except;

	if (!x->has_except || a->family != n.family)
		return 0;
	addr_mask(&m, x->except_prefix);
	addr_mask(&n, x->except_prefix);
	m.port = n.port = 0;
	return addr_equal(&m, &n);
}

/* option forwardfor / originalto of the frontend and the backend: the
 * header is added unless every side that asks for it says if-none and the
 * client sent one (HAProxy 2.6, ifnone-forwardfor.vtc); the backend's
 * name and except win. */
static int add_xff(struct hstream *s, unsigned opt, const struct fc_addr *a)
{
	const struct http_proxy *fe = s->fe, *be = s->be;
	const struct hp_xff *fx = opt == HP_OPT_FORWARDFOR ? &fe->fwdfor : &fe->origto;
	const struct hp_xff *bx = opt == HP_OPT_FORWARDFOR ? &be->fwdfor : &be->origto;
	int fon = !!(fe->options & opt), bon = be != fe && (be->options & opt);
	const struct hp_xff *x = bon ? bx : fx;
	char ip[ADDR_STRLEN];

	if (!fon && !bon)
		return 0;
	if (in_except(x, a))
		return 0;
	if ((!fon || fx->if_none) && (!bon || bx->if_none) &&
	    h1_hdr_find(&s->x->req, x->header, strlen(x->header), 0) >= 0)
		return 0;
	addr_format(a, ip, sizeof(ip), 0);
	return h1_hdr_add(&s->x->req, x->header, strlen(x->header), ip, strlen(ip));
}

/* The Connection header toward the server, for the server side's mode
 * and the request's version (HAProxy 2.6's): only what differs from the
 * version's default, `close` on HTTP/1.1, `keep-alive` on HTTP/1.0; an
 * Upgrade keeps its own. */
static int fix_req_conn(struct hstream *s)
{
	int ten = (s->x->req.flags & H1_F_VER_10) != 0;

	if (s->x->req.flags & H1_F_UPGRADE)
		return 0;
	h1_hdr_del_all(&s->x->req, "connection", 10);
	if (s->close_server && !ten)
		return h1_hdr_add(&s->x->req, "Connection", 10, "close", 5);
	if (!s->close_server && ten)
		return h1_hdr_add(&s->x->req, "Connection", 10, "keep-alive", 10);
	return 0;
}

/* TE toward the server: only `trailers` (without parameters) may pass,
 * as HAProxy keeps it; any other coding is between the client and us. */
static int fix_req_te(struct hstream *s)
{
	uint64_t st = 0;
	const char *v;
	size_t vl;
	int trailers = 0;

	if (h1_hdr_find(&s->x->req, "te", 2, 0) < 0)
		return 0;
	while (h1_hdr_next_value(&s->x->req, "te", 2, &st, &v, &vl))
		trailers |= vl == 8 && !strncasecmp(v, "trailers", 8);
	if (trailers)
		return h1_hdr_set(&s->x->req, "TE", 2, "trailers", 8);
	h1_hdr_del_all(&s->x->req, "te", 2);
	return 0;
}

int hreq_fix_head(struct hstream *s)
{
	if (add_xff(s, HP_OPT_FORWARDFOR, &s->x->txn.src) < 0 ||
	    add_xff(s, HP_OPT_ORIGINALTO, &s->x->txn.dst) < 0 || fix_req_conn(s) < 0 ||
	    fix_req_te(s) < 0)
		return -1;
	return 0;
}
