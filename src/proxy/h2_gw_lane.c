/* The HTTP/2 gateway, lanes (h2_gw.c for the whole; types in h2_gw-t.h):
 * the socketpairs through which streams reach the HTTP engine.
 *
 * A stream takes an idle lane of its connection, else a new one (a new
 * hstream: its first transaction connects to a server).  The request goes
 * without `connection: close`, so the engine keeps the lane and, as for any
 * keep-alive client, the server connection it used (http_srv.c): a lane that
 * comes back idle brings that connection to the next stream.  The streams
 * of one HTTP/2 connection thus form one session for server-connection
 * reuse, as HAProxy's `http-reuse safe` has it: a session's first request
 * opens its own connection, later ones use the idle ones it holds.
 *
 * A lane goes back idle only after a clean end: the request all written, the
 * response complete, delimited by its length or chunks, no `connection:
 * close` and nothing after it.  Anything else closes the lane, and the
 * engine sees its client leave.  An idle lane is watched for reading: the
 * engine closing it (its keep-alive timeout, a soft stop) or bytes nobody
 * asked for close it too.  The engine runs on the same loop, so a lane
 * checked when it is taken cannot close before the request is in it.
 *
 * A lane's event only marks it readable and asks for one h2gw_run at the
 * end of the loop's round: the streams answered in one round go out to
 * the client together, and a lane is read only when it has something. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "proxy/h2_gw.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

static void lane_free(void *arg)
{
	struct h2gw_lane *ln = arg;

	free(ln->rq);
	free(ln->rb);
	free(ln);
}

static void lane_close(struct h2gw_lane *ln)
{
	struct loop *l = h2gw_loop(ln->c);

	ln->dead = 1;
	loop_io_del(l, &ln->io);
	close(ln->fd);
	/* an event of this round may still name it */
	if (loop_defer(l, lane_free, ln) < 0)
		lane_free(ln); /* only under memory pressure */
}

static void lane_unlink_idle(struct h2gw_lane *ln)
{
	for (struct h2gw_lane **pp = &ln->c->idle; *pp; pp = &(*pp)->next)
		if (*pp == ln) {
			*pp = ln->next;
			return;
		}
}

/* An idle lane is usable when the engine has neither closed it nor said
 * anything on it. */
static int lane_quiet(const struct h2gw_lane *ln)
{
	char b;
	ssize_t n = recv(ln->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static void on_lane_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct h2gw_lane *ln = io->data;

	if (ln->dead || ln->c->closed)
		return;
	if (ln->s) {
		ln->rd |= !!(events & (EPOLLIN | EPOLLHUP | EPOLLERR));
		h2gw_run_later(ln->c);
		return;
	}
	if (!lane_quiet(ln)) {
		lane_unlink_idle(ln);
		lane_close(ln);
	}
}

struct h2gw_lane *h2gw_lane_get(struct h2gw_conn *c)
{
	struct h2gw_lane *ln;
	struct hstream *rs;
	int sp[2];

	while ((ln = c->idle)) {
		c->idle = ln->next;
		if (lane_quiet(ln))
			return ln;
		lane_close(ln);
	}
	if (!(ln = calloc(1, sizeof(*ln))))
		return NULL;
	if (!(ln->rq = malloc(H2GW_RQ)) || !(ln->rb = malloc(H2GW_RB)) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0) {
		lane_free(ln);
		return NULL;
	}
	ln->c = c;
	ln->fd = sp[1];
	if (loop_io_add(h2gw_loop(c), &ln->io, ln->fd, EPOLLOUT, on_lane_io, ln) < 0) {
		close(sp[0]);
		close(sp[1]);
		lane_free(ln);
		return NULL;
	}
	ln->io_ev = EPOLLOUT;
	/* the engine serves sp[0] as a client from the real client's address,
	 * so its logs and forwardfor name the client */
	rs = hstream_new(c->p, sp[0], &c->client);
	/* a TLS connection's streams answer ssl_fc and log %sslv as it */
	if (rs && hs_tls_copy(rs, c->tls) < 0)
		hstream_close(rs, 1);
	return ln;
}

void h2gw_lane_put(struct h2gw_lane *ln, int keep)
{
	struct h2gw_conn *c = ln->c;

	ln->s = NULL;
	ln->rd = 0;
	if (!keep || c->closed || c->goaway) {
		lane_close(ln);
		return;
	}
	if (ln->io_ev != EPOLLIN && loop_io_mod(h2gw_loop(c), &ln->io, EPOLLIN) == 0)
		ln->io_ev = EPOLLIN;
	ln->next = c->idle;
	c->idle = ln;
}

void h2gw_lanes_close(struct h2gw_conn *c)
{
	while (c->idle) {
		struct h2gw_lane *ln = c->idle;

		c->idle = ln->next;
		lane_close(ln);
	}
}
