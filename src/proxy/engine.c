/* The engine ops of the userspace proxy (see engine-t.h for the contract).
 *
 * Reload without refused connections: a service that stays keeps its
 * listening socket (prepare does not bind, commit hands the socket over),
 * its persistence templates and its open connections.
 *
 * With workers (thread.c) a service is one pvs per worker, chained from the
 * head by ->sib; every op runs with the workers parked (proxy_pause). */
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

/* What the last apply's global_defs asked of an engine not made yet: it is
 * made by the first service it serves (a daemon with none, VRRP or DR
 * only say, starts no worker threads), with these. */
static unsigned asked_nbthread = 1;
static int asked_relay = FC_RELAY_AUTO;

static struct proxy *proxy_get(struct fulcrum *fc)
{
	struct proxy *px = fc->proxy;
	char err[ERRLEN];

	if (px)
		return px;
	px = calloc(1, sizeof(*px));
	if (!px)
		return NULL;
	px->loop = fc->loop;
	px->fc = fc;
	px->relay = asked_relay;
	/* decided once: the services' listeners are per worker */
	px->nbthread = asked_nbthread;
	if (px->nbthread > 1 && proxy_threads_init(px, px->nbthread, err, sizeof(err)) < 0) {
		log_err("proxy: %s; serving from the main thread", err);
		px->nbthread = 1;
	}
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

/* Free a service's pvs that never served (a failed prepare, an abort). */
static void free_chain(struct pvs *p)
{
	while (p) {
		struct pvs *next = p->sib;

		p->vs = NULL;
		pvs_free(p);
		p = next;
	}
}

/* Does o (the running service's pvs on the same worker) listen where p must? */
static int takes_over(const struct pvs *o, const struct pvs *p)
{
	return o && o->fd >= 0 && o->protocol == p->protocol && addr_equal(&o->addr, &p->addr);
}

static int prepare_chain(struct proxy *px, struct virtual_server *vs, struct pvs *o, char *err,
			 size_t errlen)
{
	struct pvs *head = NULL, *last = NULL, *p;
	unsigned k;

	for (k = 0; k < proxy_nserve(px); k++, o = o ? o->sib : NULL) {
		p = head ? pvs_new_sibling(proxy_serve(px, k), head, vs, err, errlen)
			 : pvs_new(proxy_serve(px, k), vs, err, errlen);
		if (!p)
			goto fail;
		if (head)
			last->sib = p;
		else
			head = p;
		last = p;
		/* the same service already listening: take its socket at commit */
		if (!takes_over(o, p) && pvs_listen(p, err, errlen) < 0)
			goto fail;
	}
	vs->engine_priv = head;
	return 0;
fail:
	free_chain(head);
	return -1;
}

static int proxy_prepare(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old,
			 char *err, size_t errlen)
{
	struct proxy *px = proxy_get(fc);
	int r;

	if (proxy_check(vs, err, errlen) < 0)
		return -1;
	if (!px)
		return err_set(err, errlen, "out of memory");
	proxy_pause(px);
	r = prepare_chain(px, vs, pvs_of(old), err, errlen);
	proxy_resume(px);
	return r;
}

static void proxy_abort(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct pvs *p = pvs_of(vs);

	if (!p)
		return;
	proxy_pause(fc->proxy);
	vs->engine_priv = NULL;
	free_chain(p);
	proxy_resume(fc->proxy);
}

/* p takes o's place on one worker (o the same service's pvs there, or NULL). */
static void commit_one(struct pvs *p, struct pvs *o)
{
	char err[ERRLEN];

	if (o) {
		if (p->fd < 0 && o->fd >= 0) {
			/* hand the listening socket over: its backlog stays */
			if (o->io_on)
				loop_io_del(o->px->loop, &o->io);
			o->io_on = 0;
			p->fd = o->fd;
			o->fd = -1;
		}
		/* the heads hold the tables */
		if (p->pt == &p->persist && o->pt == &o->persist && persist_on(&p->persist) &&
		    persist_on(&o->persist) && p->persist.prefix == o->persist.prefix)
			persist_move(&p->persist, &o->persist);
		o->hold++;
		tcp_adopt(p, o);
		http_adopt(p, o);
		h2gw_adopt(p, o);
		udp_adopt(p, o);
		o->hold--;
	}
	if (p->fd < 0 && pvs_listen(p, err, sizeof(err)) < 0)
		log_err("proxy: %s", err); /* the old one was not listening either */
	pvs_start(p);
}

static void proxy_commit(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct pvs *p = pvs_of(vs), *o = pvs_of(old), *next;

	if (!p)
		return;
	if (o == p)
		o = NULL;
	proxy_pause(fc->proxy);
	if (pvs_is_http(p))
		hst_bind_tables(vs->http); /* no registry lookup per request */
	for (; p; p = p->sib, o = next) {
		next = o ? o->sib : NULL;
		commit_one(p, o);
	}
	if (pvs_of(old) && pvs_of(old) != pvs_of(vs)) {
		o = pvs_of(old);
		old->engine_priv = NULL;
		free_chain(o);
	}
	proxy_resume(fc->proxy);
}

static int proxy_update(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	struct pvs *p = pvs_of(vs);
	int r;

	if (!p)
		return 0; /* not (yet) in service: nothing to reschedule */
	proxy_pause(fc->proxy);
	r = pvs_rebuild(p, vs, err, errlen);
	proxy_resume(fc->proxy);
	return r;
}

static void close_sessions(struct pvs *p)
{
	p->hold++;
	while (p->sessions)
		udp_sess_close(p->sessions);
	p->hold--;
}

/* engine_ops.settings: proxy_relay and nbthread of the model about to be
 * applied.  The relay holds for connections established from now on; the
 * program, once loaded, stays until shutdown (connections may still be in
 * its map).  nbthread is read once, when the engine is made. */
static void proxy_settings(struct fulcrum *fc, const struct global_defs *g)
{
	struct proxy *px = fc->proxy;
	unsigned want = proxy_threads_want(g->nbthread), k;

	if (!px) {
		asked_nbthread = want;
		asked_relay = g->proxy_relay;
		if (g->proxy_relay == FC_RELAY_AUTO)
			return; /* made by the first service, if any */
		if (!(px = proxy_get(fc)))
			return;
	} else if (want != px->nbthread) {
		log_warn("proxy: nbthread %u takes effect at the next start (%u now)", want,
			 px->nbthread);
	}
	/* a worker reads its copy with no lock (an L4 connect's outcome,
	 * tcp.c): written while they are parked (threads.md, rule 2) */
	proxy_pause(px);
	px->relay = g->proxy_relay;
	for (k = 0; px->thr && k < px->thr->n; k++)
		px->thr->w[k]->relay = px->relay;
	proxy_resume(px);
}

static void proxy_remove(struct fulcrum *fc, struct virtual_server *vs)
{
	struct pvs *p = pvs_of(vs), *next;

	if (!p)
		return;
	proxy_pause(fc->proxy);
	vs->engine_priv = NULL;
	for (; p; p = next) {
		next = p->sib;
		p->sib = NULL;
		p->vs = NULL;
		pvs_close_listener(p);
		persist_clear(&p->persist);
		/* a sibling's clients were placed through the head's table,
		 * cleared with it: from now on nothing persists */
		p->pt = &p->persist;
		/* UDP replies leave from the service's socket: without it a
		 * session cannot answer, so sessions end with the service.
		 * TCP connections run to completion. */
		close_sessions(p);
		pvs_maybe_free(p);
	}
	proxy_resume(fc->proxy);
}

/* Close every connection and service of one engine (a worker's, or the
 * only one), and its pools. */
static void shutdown_px(struct proxy *px)
{
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
	http_txn_pool_free(px);
	hbe_reap(px, 1);
	http_log_free(px);
	psk_unload(px);
	free(px->udp_buf);
	px->udp_buf = NULL;
}

static void proxy_shutdown(struct fulcrum *fc)
{
	struct proxy *px = fc->proxy;
	unsigned k;

	if (!px)
		return;
	proxy_threads_stop(px);
	for (k = 0; px->thr && k < px->thr->n; k++)
		shutdown_px(px->thr->w[k]);
	proxy_threads_free(px);
	shutdown_px(px);
	happ_shutdown(px);
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
    .soft_stop = proxy_soft_stop,
    .settings = proxy_settings,
};
