/* HAProxy's counters of the HTTP engine's transactions (`show stat`'s
 * req_tot, hrsp_*, ereq, cli_abrt, srv_abrt...: doc/metrics.md), counted
 * in the calling thread's slot of the live objects (model/ctr.h): no
 * lock.  The event sites of http_txn.c count the rest (dreq, dresp, econ,
 * eresp, wretr, wredis, intercepted, a server's responses). */
#include "model/ctr.h"
#include "model/model-t.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

/* The frontend's counters: the service's that accepted the client. */
struct ctr *htxn_fe_ctr(struct hstream *s)
{
	return &s->pvs->vsl->ctr;
}

/* The counters of the transaction's server, once the request or a
 * response went between them (s->live may be the last transaction's,
 * kept alive), else NULL. */
struct ctr *htxn_srv_ctr(struct hstream *s)
{
	return s->live && (s->srv_sent || s->resp_parsed) ? &s->live->ctr : NULL;
}

/* At the end of a transaction: the frontend's req_tot and the hrsp_*
 * column of the answer the client got, ereq for a head that never parsed
 * (HAProxy's <BADREQ>: bad, cut short, timed out); a transfer cut in the data phase
 * is the server's cli_abrt or srv_abrt, as HAProxy counts them (the
 * termination state "CD" or "SD"). */
void htxn_count(struct hstream *s)
{
	const struct http_txn *t = &s->x->txn;
	struct ctr *sv = htxn_srv_ctr(s);

	HCTR(htxn_fe_ctr(s), req);
	if (!s->req_parsed)
		HCTR(htxn_fe_ctr(s), ereq);
	if (t->status > 0)
		ctr_hrsp(htxn_fe_ctr(s), t->status);
	if (sv && t->term[1] == 'D' && t->term[0] == 'C')
		HCTR(sv, cli_abrt);
	else if (sv && t->term[1] == 'D' && t->term[0] == 'S')
		HCTR(sv, srv_abrt);
}
