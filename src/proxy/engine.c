/* The engine ops of the userspace proxy (see engine-t.h for the contract).
 *
 * Reload without refused connections: a service that stays keeps its
 * listening socket (prepare does not bind, commit hands the socket over),
 * its persistence templates and its open connections. */
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/model.h"
#include "proxy/h2_gw.h"
#include "proxy/http.h"
#include "proxy/persist.h"
#include "proxy/proxy.h"

static struct proxy *proxy_get(struct fulcrum *fc)
{
	struct proxy *px = fc->proxy;

	if (px)
		return px;
	px = calloc(1, sizeof(*px));
	if (!px)
		return NULL;
	px->loop = fc->loop;
	/* a peer that goes away mid-splice must give EPIPE, not kill us */
	signal(SIGPIPE, SIG_IGN);
	fc->proxy = px;
	return px;
}

static int proxy_serves(const struct virtual_server *vs)
{
	return vs->fwd == FWD_NAT || vs->fwd == FWD_PROXY;
}

/* vs's engine state if it is ours (the same service may have been served
 * by another engine before a reload changed its lb_kind). */
static struct pvs *pvs_of(const struct virtual_server *vs)
{
	struct pvs *p;

	if (!vs || !proxy_serves(vs))
		return NULL;
	p = vs->engine_priv;
	return p && p->magic == PVS_MAGIC ? p : NULL;
}

static int proxy_check(const struct virtual_server *vs, char *err, size_t errlen)
{
	if (!proxy_serves(vs))
		return err_set(
		    err, errlen,
		    "lb_kind %s is not served by the userspace proxy (it needs the XDP engine)",
		    fwd_keyword(vs->fwd));
	if (vs->fwmark)
		return err_set(err, errlen,
			       "fwmark virtual servers are not supported by the userspace proxy");
	if (vs->protocol != IPPROTO_TCP && vs->protocol != IPPROTO_UDP)
		return err_set(err, errlen, "protocol %s is not supported by the userspace proxy",
			       proto_name(vs->protocol));
	if (vs->bind_fd >= 0)
		return pvs_inherited_addr(vs, NULL, err, errlen); /* haproxy.cfg `bind fd@N` */
	if (vs->addr.family != AF_INET && vs->addr.family != AF_INET6)
		return err_set(err, errlen, "the virtual server has no address");
	if (!vs->addr.port)
		return err_set(err, errlen,
			       "port 0 (all ports) is not supported by the userspace proxy");
	return 0;
}

static int proxy_prepare(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old,
			 char *err, size_t errlen)
{
	struct proxy *px = proxy_get(fc);
	struct pvs *p, *o = pvs_of(old);

	if (proxy_check(vs, err, errlen) < 0)
		return -1;
	if (!px)
		return err_set(err, errlen, "out of memory");
	p = pvs_new(px, vs, err, errlen);
	if (!p)
		return -1;
	/* the same service already listening: take its socket at commit */
	if (!(o && o->fd >= 0 && o->protocol == p->protocol && addr_equal(&o->addr, &p->addr)) &&
	    pvs_listen(p, err, errlen) < 0) {
		p->vs = NULL;
		pvs_free(p);
		return -1;
	}
	vs->engine_priv = p;
	return 0;
}

static void proxy_abort(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct pvs *p = pvs_of(vs);

	if (!p)
		return;
	vs->engine_priv = NULL;
	p->vs = NULL;
	pvs_free(p);
}

static void proxy_commit(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct pvs *p = pvs_of(vs), *o = pvs_of(old);
	char err[ERRLEN];

	if (!p)
		return;
	if (o && o != p) {
		if (p->fd < 0 && o->fd >= 0) {
			/* hand the listening socket over: its backlog stays */
			if (o->io_on)
				loop_io_del(fc->loop, &o->io);
			o->io_on = 0;
			p->fd = o->fd;
			o->fd = -1;
		}
		if (persist_on(&p->persist) && persist_on(&o->persist) &&
		    p->persist.prefix == o->persist.prefix)
			persist_move(&p->persist, &o->persist);
		o->hold++;
		tcp_adopt(p, o);
		http_adopt(p, o);
		h2gw_adopt(p, o);
		udp_adopt(p, o);
		o->hold--;
		old->engine_priv = NULL;
		o->vs = NULL;
		pvs_free(o);
	}
	if (p->fd < 0 && pvs_listen(p, err, sizeof(err)) < 0)
		log_err("proxy: %s", err); /* the old one was not listening either */
	pvs_start(p);
}

static int proxy_update(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	struct pvs *p = pvs_of(vs);

	if (!p)
		return 0; /* not (yet) in service: nothing to reschedule */
	return pvs_rebuild(p, vs, err, errlen);
}

static void close_sessions(struct pvs *p)
{
	p->hold++;
	while (p->sessions)
		udp_sess_close(p->sessions);
	p->hold--;
}

/* engine_ops.settings: proxy_relay of the model about to be applied.  It
 * holds for connections established from now on; the program, once loaded,
 * stays until shutdown (connections may still be in its map). */
static void proxy_settings(struct fulcrum *fc, const struct global_defs *g)
{
	struct proxy *px = fc->proxy;

	if (!px && g->proxy_relay == FC_RELAY_AUTO)
		return;
	if (!px && !(px = proxy_get(fc)))
		return;
	px->relay = g->proxy_relay;
}

static void proxy_remove(struct fulcrum *fc, struct virtual_server *vs)
{
	struct pvs *p = pvs_of(vs);

	if (!p)
		return;
	vs->engine_priv = NULL;
	p->vs = NULL;
	pvs_close_listener(p);
	persist_clear(&p->persist);
	/* UDP replies leave from the service's socket: without it a session
	 * cannot answer, so sessions end with the service.  TCP connections
	 * run to completion. */
	close_sessions(p);
	pvs_maybe_free(p);
}

static void proxy_shutdown(struct fulcrum *fc)
{
	struct proxy *px = fc->proxy;

	if (!px)
		return;
	while (px->services) {
		struct pvs *p = px->services;

		p->hold++;
		while (p->conns)
			pconn_close(p->conns, 0);
		while (p->hstreams)
			hstream_close(p->hstreams, 0);
		while (p->h2conns)
			h2gw_close(p->h2conns);
		close_sessions(p);
		p->hold--;
		if (p->vs)
			p->vs->engine_priv = NULL;
		p->vs = NULL;
		pvs_free(p);
	}
	relay_pool_free(px);
	hbe_reap(px, 1);
	http_log_free(px);
	psk_unload(px);
	free(px->udp_buf);
	free(px);
	fc->proxy = NULL;
}

const struct engine_ops proxy_engine_ops = {
    .name = "proxy",
    .serves = proxy_serves,
    .check = proxy_check,
    .prepare = proxy_prepare,
    .abort = proxy_abort,
    .commit = proxy_commit,
    .update = proxy_update,
    .remove = proxy_remove,
    .shutdown = proxy_shutdown,
    .settings = proxy_settings,
};
