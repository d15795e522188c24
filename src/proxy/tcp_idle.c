/* A relayed TCP connection's idle timeouts (tcp.c runs them each time
 * it arms its timer or the timer fires).
 *
 * keepalived.conf (proxy_idle_timeout, IPVS's established timeout): one
 * time for the connection, whichever side is quiet; then it is reset.
 *
 * haproxy.cfg's mode tcp, as HAProxy 2.6 does it (measured side by side:
 * tests/system/test_tcp_timeouts.py).  Each side has a read timeout,
 * `timeout client` for the client's, the backend's `timeout server` for
 * the server's, and bytes moving either way refresh both (HAProxy's
 * streams are not independent by default: a write to a side refreshes
 * its read timeout too).  A side's timeout, expiring, half-closes: no
 * more reading from that side, a FIN to the other one.  The connection
 * ends when neither side is read any more (each timed out or sent its
 * FIN).  So an idle connection ends at the longer of the two -- the
 * shorter only sent a FIN, and the log ("cD" or "sD") names that one,
 * the first cause -- and not at all with one of them unset.  A side that
 * got the other's FIN waits `timeout client-fin` / `server-fin` instead,
 * if set (counted from a FIN a timeout sent).  `timeout tunnel` replaces
 * client and server once connected (a mode tcp stream is a tunnel from
 * its connect on).  Neither client, server nor tunnel set (haproxy warns:
 * no timeout at all) keeps the model's default (900 s), keepalived's way,
 * so that no idle connection is kept for ever. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "model/http_proxy-t.h"
#include "model/model.h"
#include "proxy/proxy.h"

void tcp_idle_settings(struct pvs *p, const struct virtual_server *vs)
{
	const struct http_proxy *fe = vs->http, *be;
	struct pvs_idle *t = &p->idle;

	memset(t, 0, sizeof(*t));
	if (!fe || fe->mode != HP_MODE_TCP) {
		t->c = t->s = vs->idle_timeout_ms;
		return;
	}
	be = vs->pool && vs->pool->http ? vs->pool->http : fe;
	t->c = fe->t_client;
	t->s = be->t_server;
	if (be->t_tunnel)
		t->c = t->s = be->t_tunnel;
	t->half = 1;
	if (!t->c && !t->s) {
		t->c = t->s = vs->idle_timeout_ms;
		t->half = 0;
	}
	t->cfin = fe->t_client_fin;
	t->sfin = be->t_server_fin;
}

enum idle_due { IDLE_OK, IDLE_CLIENT, IDLE_SERVER };

/* Whose timeout expired (the client's first), else how long until the
 * first may (*left; 0: none runs). */
static enum idle_due due(const struct pconn *c, uint64_t now, uint64_t *left)
{
	const struct pvs_idle *t = &c->pvs->idle;
	uint64_t idle = now - c->last_ms, cs = 0, ss = 0;

	/* each side that may still send: its read timeout */
	if (!c->c2s.eof)
		cs = c->s2c.shut && t->cfin ? t->cfin : t->c;
	if (!c->s2c.eof)
		ss = c->c2s.shut && t->sfin ? t->sfin : t->s;
	/* both FINs read, bytes still on their way: the writes' timeouts */
	if (c->c2s.eof && c->s2c.eof) {
		cs = c->s2c.shut ? 0 : t->c;
		ss = c->c2s.shut ? 0 : t->s;
	}
	if (cs && idle >= cs)
		return IDLE_CLIENT;
	if (ss && idle >= ss)
		return IDLE_SERVER;
	*left = cs ? cs - idle : 0;
	if (ss && (!*left || ss - idle < *left))
		*left = ss - idle;
	return IDLE_OK;
}

/* haproxy's way: a side's timeout stops reading it and sends the other
 * side a FIN (nothing of it may be waiting to be written there). */
static int half_close(struct pconn *c, int server, uint64_t now)
{
	struct relay_dir *d = server ? &c->s2c : &c->c2s;

	if (c->sk || d->eof || d->len || (shutdown(server ? c->cfd : c->sfd, SHUT_WR) < 0 && errno != ENOTCONN))
		return -1;
	d->eof = d->shut = 1;
	if (server ? c->pvs->idle.cfin : c->pvs->idle.sfin)
		c->last_ms = now; /* the -fin timeout counts from the FIN */
	return 0;
}

int tcp_idle_run(struct pconn *c, uint64_t *left)
{
	uint64_t now = loop_now(c->pvs->px->loop);

	*left = 0;
	for (;;) {
		enum idle_due r = due(c, now, left);
		int server;

		switch (r) {
		case IDLE_OK:
			return 0;
		case IDLE_CLIENT:
		case IDLE_SERVER:
			server = r == IDLE_SERVER;
			pconn_term(c, server ? "sD" : "cD");
			if (c->pvs->idle.half && half_close(c, server, now) == 0 &&
			    !(relay_done(&c->c2s) && relay_done(&c->s2c)))
				continue;
			break;
		}
		pconn_close(c, 1);
		return 1;
	}
}
