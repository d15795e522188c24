/* HAProxy's counters of the HTTP engine's transactions (`show stat`'s
 * req_tot, hrsp_*, ereq, cli_abrt, srv_abrt, the rates and the time
 * averages...: doc/metrics.md), counted in the calling thread's slot of
 * the live objects (model/ctr.h): no lock.  The event sites of http_txn.c
 * count the rest (dreq, dresp, econ, eresp, wretr, wredis, intercepted, a
 * server's responses). */
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

/* The backend's own counters (struct be_live), once the transaction has
 * a backend, else NULL. */
static struct ctr *htxn_be_ctr(struct hstream *s)
{
	const struct http_proxy *be = s->x->txn.be ? s->x->txn.be : s->be;

	return be && be->pool && be->pool->live ? &be->pool->live->ctr : NULL;
}

void htxn_count_nosrv(struct hstream *s)
{
	struct ctr *be = htxn_be_ctr(s);

	if (be)
		HCTR(be, econ);
}

/* At the end of a transaction (its log times set): the frontend's req_tot
 * and request rate, the hrsp_* column of the answer the client got,
 * ereq for a head that never parsed (HAProxy's <BADREQ>: bad, cut short,
 * timed out); the backend's session, req_tot and hrsp_* whether a server
 * took part or not (HAProxy's, a 503 without a server included); a
 * transfer cut in the data phase is the server's cli_abrt or srv_abrt,
 * as HAProxy counts them (the termination state "CD" or "SD").  The
 * time averages of the server and the backend take Tw, Tc, Tr and Tt as
 * HAProxy's stream_update_time_stats does. */
void htxn_count(struct hstream *s)
{
	const struct http_txn *t = &s->x->txn;
	struct ctr *sv = htxn_srv_ctr(s), *be = htxn_be_ctr(s);
	int64_t tm[CTR_NTM] = {t->t_queue, t->t_connect, t->t_resp,
			       t->t_active < 0 ? -1 : t->t_idle + t->t_active};

	HCTR(htxn_fe_ctr(s), req);
	ctr_hit(htxn_fe_ctr(s), CTR_FQ_REQ);
	if (!s->req_parsed)
		HCTR(htxn_fe_ctr(s), ereq);
	if (t->status > 0)
		ctr_hrsp(htxn_fe_ctr(s), t->status);
	if (be) {
		ctr_conn(be);
		HCTR(be, req);
		if (t->status > 0)
			ctr_hrsp(be, t->status);
		ctr_times(be, tm);
	}
	if (sv)
		ctr_times(sv, tm);
	if (sv && t->term[1] == 'D' && t->term[0] == 'C')
		HCTR(sv, cli_abrt);
	else if (sv && t->term[1] == 'D' && t->term[0] == 'S')
		HCTR(sv, srv_abrt);
}
