/* mode tcp's logs (haproxy configuration.txt 8.2.1-8.2.4): a frontend
 * served by the L4 relay (tcp.c) writes, to its `log` targets,
 *   - with `option tcplog` (or httplog, which haproxy turns into tcplog in
 *     mode tcp) or a `log-format`: one line when the connection closes,
 *     built by the HTTP engine's log-format machinery from a transaction
 *     without a request (http_log_send);
 *   - with neither: haproxy's "Connect from A:P to B:Q (fe/TCP)" at the
 *     accept.
 * `option dontlognull` leaves out a connection whose client sent nothing.
 * `tcp-request content capture EXPR len N` is evaluated for the line, on
 * the connection's facts (a request's fetches have no value here).
 *
 * The relay pays nothing for this when no log is configured: pvs->log is
 * read once at the accept and once at the close, the rest (the times and
 * bytes the line shows) are the stores tcp.c makes anyway.  A line is
 * built under the engine lock (the frontend, the pool's server names are
 * the model's); its compiled format is the worker's own. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "http/capture.h"
#include "http/logfmt.h"
#include "http/rules.h"
#include "http/txn-t.h"
#include "model/model.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

enum pvs_log tcp_log_kind(const struct virtual_server *vs)
{
	const struct http_proxy *fe = vs->http;

	if (!fe || fe->mode != HP_MODE_TCP || !fe->logs)
		return PVS_LOG_NONE;
	if (fe->log_format || (fe->options & (HP_OPT_TCPLOG | HP_OPT_HTTPLOG | HP_OPT_HTTPLOG_CLF)))
		return PVS_LOG_LINE;
	return PVS_LOG_CONNECT;
}

static const char *fmt_text(const struct http_proxy *fe)
{
	return fe->log_format ? fe->log_format : logfmt_tcplog;
}

/* The address the client reached: the listener's, or the socket's own
 * when the listener is a wildcard. */
static void local_addr(const struct pvs *p, int cfd, struct fc_addr *out)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	*out = p->addr;
	if (cfd >= 0 && addr_is_wildcard(&p->addr) && getsockname(cfd, (struct sockaddr *)&ss, &sl) == 0)
		(void)addr_from_sockaddr(out, (struct sockaddr *)&ss);
}

void tcp_log_connect(struct pvs *p, int cfd, const struct fc_addr *client)
{
	struct fc_addr local;
	int held = loop_lock_held(p->px->loop);

	proxy_relock(p->px);
	if (p->vs && p->vs->http) {
		local_addr(p, cfd, &local);
		http_log_connect(p->vs->http, client, &local);
	}
	if (!held)
		proxy_unlock(p->px);
}

/* The server's name in the pool of p's service (c->live's), or NULL. */
static const char *srv_name(const struct pvs *p, const struct rs_live *live)
{
	const struct real_server *rs;

	if (!live || !p->vs->pool)
		return NULL;
	for (rs = p->vs->pool->rs; rs; rs = rs->next)
		if (rs->live == live)
			return rs->name;
	return NULL;
}

/* %bc and %sc: the backend's and the server's connections but c, which
 * haproxy has given back when it logs. */
static void log_counts(const struct pconn *c, struct http_txn *t)
{
	const struct ppool *pp = c->pvs->pp;
	const struct rs_live *last = c->live ? c->live : c->ntried ? c->tried[c->ntried - 1] : NULL;
	unsigned self = c->live && c->acct != PCONN_ACCT_NONE, n = 0, s = 0;
	size_t i;

	for (i = 0; pp && i < pp->n; i++)
		n += pp->srv[i].live->activeconns + pp->srv[i].live->inactconns;
	if (last)
		s = last->activeconns + last->inactconns;
	t->be_conn = n > self ? n - self : 0;
	t->srv_conn = s > self ? s - self : 0;
	t->fe_conn = t->act_conn = c->vsl->activeconns + c->vsl->inactconns;
}

/* `option dontlognull`: the client sent nothing, not even bytes no
 * server took (haproxy reads them while it connects: a refused connect
 * after the client spoke is logged). */
static int null_conn(const struct pconn *c)
{
	int pending = 0;

	if (c->bytes_in)
		return 0;
	return c->cfd < 0 || ioctl(c->cfd, FIONREAD, &pending) < 0 || pending <= 0;
}

void tcp_log_close(struct pconn *c)
{
	struct pvs *p = c->pvs;
	uint64_t now = loop_now(p->px->loop);
	const struct rs_live *last = c->live ? c->live : c->ntried ? c->tried[c->ntried - 1] : NULL;
	const struct http_proxy *fe;
	struct http_txn t;

	proxy_relock(p->px);
	/* a removed service's frontend is gone with its configuration */
	if (!p->vs || !p->vs->http)
		return;
	fe = p->vs->http;
	if ((fe->options & HP_OPT_DONTLOGNULL) && null_conn(c))
		return;
	/* the variables (5 KiB) are never read: nvars 0 */
	memset(&t, 0, offsetof(struct http_txn, vars));
	t.src = c->client;
	local_addr(p, c->cfd, &t.dst);
	t.fe = fe;
	t.be = p->vs->pool && p->vs->pool->http ? p->vs->pool->http : fe;
	t.srv_name = srv_name(p, last);
	t.accept_ms = http_wall_ms() - (now - c->accepted_ms);
	t.t_req = t.t_resp = -1;
	/* Tw: up to the last server's choice (-1: none was), Tc: its
	 * connect (-1: none took), Tt: the whole connection */
	t.t_queue = last ? (int64_t)(c->place_ms - c->accepted_ms) : -1;
	t.t_connect = c->est_ms ? (int64_t)(c->est_ms - c->try_ms) : -1;
	t.t_active = (int64_t)(now - c->accepted_ms);
	t.bytes_in = c->bytes_in;
	t.bytes_out = c->bytes_out;
	if (c->term[0])
		memcpy(t.term, c->term, 2);
	else
		memcpy(t.term, "--", 2);
	t.retries = c->retries; /* hp_retry's (tcp.c) */
	t.redispatched = c->redispatched;
	log_counts(c, &t);
	/* tcp-request content capture: what the fetches that need no
	 * request say (src, dst, fe_name...), for %hr %hrl */
	if (fe->n_cap_req + fe->n_cap_resp && capture_req(&t, fe) == 0)
		http_tcp_captures(fe, &t);
	http_log_send(p->px, fe, fmt_text(fe), &t);
	capture_free(&t);
}
