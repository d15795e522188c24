/* The engine ops of the XDP engine: lb_kind DR and TUN (see engine-t.h for
 * the contract, xdp-t.h for the state, doc/xdp.md for the user's view).
 *
 * Two phases as for the proxy: prepare loads the program (the first time),
 * attaches it where the new service needs it, takes ids and resolves next
 * hops, and writes nothing the running model still reads; commit writes
 * the maps.  A service that stays keeps its vs_id and each of its servers
 * its rs_id, so a reload rewrites only what changed and flows keep going. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "engine/engines.h"
#include "model/fulcrum-t.h"
#include "model/ctr.h"
#include "model/model.h"
#include "xdp/xdp_load.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_pending.h"
#include "xdp/xdp_ring.h"
#include "xdp/xdp_stats.h"

static void neigh_tick(struct loop *l, struct ev_timer *t);

static struct xdp_engine *xdp_get(struct fulcrum *fc)
{
	struct xdp_engine *x = fc->xdp;

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->loop = fc->loop;
	memset(&x->fd, 0xff, sizeof(x->fd));
	memset(x->rs_vs, 0xff, sizeof(x->rs_vs));
	loop_timer_init(&x->neigh, neigh_tick, x);
	fc->xdp = x;
	return x;
}

/* engine_ops.settings: xdp_interface and xdp_mode of the model about to be
 * applied. */
static void xdp_settings(struct fulcrum *fc, const struct global_defs *g)
{
	struct xdp_engine *x = fc->xdp;
	unsigned i;

	/* a model without XDP settings leaves an engine that was never
	 * needed unallocated */
	if (!x && !g->n_xdp_interfaces && g->xdp_mode == FC_XDP_MODE_AUTO)
		return;
	if (!x && !(x = xdp_get(fc)))
		return;
	x->mode = g->xdp_mode;
	x->n_ifnames = 0;
	for (i = 0; i < g->n_xdp_interfaces && i < XDP_MAX_IFS; i++)
		snprintf(x->ifnames[x->n_ifnames++], IF_NAMESIZE, "%s", g->xdp_interfaces[i]);
}

static int xdp_serves(const struct virtual_server *vs)
{
	return vs->fwd == FWD_DR || vs->fwd == FWD_TUN;
}

/* vs's engine state if it is ours (a reload may have changed its lb_kind). */
static struct xdp_vs *xvs_of(const struct virtual_server *vs)
{
	struct xdp_vs *xv;

	if (!vs || !xdp_serves(vs))
		return NULL;
	xv = vs->engine_priv;
	return xv && xv->magic == XDP_VS_MAGIC ? xv : NULL;
}

static int rs_check(const struct virtual_server *vs, const struct real_server *rs, const char *what,
		    char *err, size_t errlen)
{
	char a[ADDR_STRLEN], e[ERRLEN];

	addr_format(&rs->addr, a, sizeof(a), 1);
	if (rs->addr.family != vs->addr.family)
		return err_set(err, errlen,
			       "%s %s: lb_kind %s forwards the client's packet unchanged, so the "
			       "server must have the virtual server's address family (IPv%d)",
			       what, a, fwd_keyword(vs->fwd), vs->addr.family == AF_INET6 ? 6 : 4);
	if (rs->addr.port != vs->addr.port && xdp_addr_local(&rs->addr, e, sizeof(e)) == 1)
		return err_set(err, errlen,
			       "%s %s is this host: its packets reach this host's own stack "
			       "unchanged, at the virtual server's port %u; write the same port (a "
			       "local server listens on the VIP, or on all addresses, there)",
			       what, a, vs->addr.port);
	if (rs->addr.port != vs->addr.port)
		return err_set(err, errlen,
			       "%s %s: DR/TUN forwards to the virtual server's port %u; write the "
			       "same port or use lb_kind NAT",
			       what, a, vs->addr.port);
	return 0;
}

static int xdp_check(const struct virtual_server *vs, char *err, size_t errlen)
{
	const struct real_server *rs;
	unsigned maxp = vs->addr.family == AF_INET6 ? 128 : 32;

	if (vs->fwd != FWD_DR && vs->fwd != FWD_TUN)
		return err_set(err, errlen, "lb_kind %s is not served by the XDP engine",
			       fwd_keyword(vs->fwd));
	if (vs->fwmark)
		return err_set(err, errlen,
			       "fwmark virtual servers are not served by lb_kind %s here: the XDP "
			       "engine matches address, port and protocol; write the virtual "
			       "server as ADDRESS PORT",
			       fwd_keyword(vs->fwd));
	if (vs->protocol != IPPROTO_TCP && vs->protocol != IPPROTO_UDP)
		return err_set(err, errlen, "protocol %s is not served by the XDP engine",
			       proto_name(vs->protocol));
	if (vs->addr.family != AF_INET && vs->addr.family != AF_INET6)
		return err_set(err, errlen, "the virtual server has no address");
	if (!vs->addr.port)
		return err_set(err, errlen,
			       "port 0 (all ports) is not served by the XDP engine; give a port");
	if (vs->persistence_prefix > maxp)
		return err_set(err, errlen,
			       "persistence granularity /%u is out of range for an IPv%d virtual "
			       "server (at most /%u)",
			       vs->persistence_prefix, maxp == 32 ? 4 : 6, maxp);
	if (xdp_ring_kind(vs->pool->sched) < 0)
		return err_set(err, errlen, "scheduler %s is not served by the XDP engine",
			       vs->pool->sched);
	for (rs = vs->pool->rs; rs; rs = rs->next)
		if (rs_check(vs, rs, "real server", err, errlen) < 0)
			return -1;
	if (vs->pool->sorry && rs_check(vs, vs->pool->sorry, "sorry server", err, errlen) < 0)
		return -1;
	return 0;
}

/* The map sizes of bpf/fulcrum_xdp.h: services and real-server slots over
 * all DR/TUN virtual servers of cfg (ids are allocated when applied; this
 * tells at `fulcrum -t` what would fail then). */
static int xdp_check_all(const struct config *cfg, const struct virtual_server **at, char *err,
			 size_t errlen)
{
	const struct virtual_server *vs;
	const struct real_server *rs;
	unsigned n_vs = 0, n_rs = 0;

	for (vs = cfg->vs; vs; vs = vs->next) {
		if (vs->fwd != FWD_DR && vs->fwd != FWD_TUN)
			continue;
		for (rs = vs->pool->rs; rs; rs = rs->next)
			n_rs++;
		n_rs += vs->pool->sorry != NULL;
		*at = vs;
		if (++n_vs > FX_MAX_VS)
			return err_set(err, errlen,
				       "more than %d virtual servers with lb_kind DR/TUN (the XDP "
				       "engine's table size)",
				       FX_MAX_VS);
		if (n_rs > FX_MAX_RS)
			return err_set(err, errlen,
				       "more than %d real servers in the virtual servers with lb_kind "
				       "DR/TUN together (the XDP engine's table size)",
				       FX_MAX_RS);
	}
	return 0;
}

/* ---- lifetime of a struct xdp_vs ---- */

static void xvs_link(struct xdp_engine *x, struct xdp_vs *xv)
{
	xv->next = x->services;
	if (x->services)
		x->services->prev = xv;
	x->services = xv;
}

static void xvs_unlink_free(struct xdp_engine *x, struct xdp_vs *xv)
{
	if (xv->prev)
		xv->prev->next = xv->next;
	else if (x->services == xv)
		x->services = xv->next;
	if (xv->next)
		xv->next->prev = xv->prev;
	free(xv->ring);
	xv->magic = 0;
	free(xv);
}

static void tun_forwarding_restore(struct xdp_engine *x);

/* After services went away: detach where nobody needs the program; with
 * no service left, unload it (maps, connection table and all). */
static void tidy(struct xdp_engine *x)
{
	xdp_detach_unused(x);
	if (!x->services) {
		if (x->loop)
			loop_timer_stop(x->loop, &x->neigh);
		xdp_pending_stop(x);
		xdp_unload(x);
		tun_forwarding_restore(x);
	}
}

static void arm_refresh(struct xdp_engine *x, int unready)
{
	uint64_t after = unready ? XDP_NEIGH_FAST_MS : XDP_NEIGH_SLOW_MS;

	if (!x->loop)
		return;
	xdp_pending_arm(x);
	/* an unresolved server shortens a long wait, never the reverse */
	if (loop_timer_armed(&x->neigh) && (!unready || x->neigh.when <= loop_now(x->loop) + after))
		return;
	loop_timer_stop(x->loop, &x->neigh);
	loop_timer_start(x->loop, &x->neigh, after);
}

/* Re-resolve every server's next hop; a MAC that appeared or changed is
 * written, and the ring rebuilt when a server became (un)ready. */
static void neigh_tick(struct loop *l, struct ev_timer *t)
{
	struct xdp_engine *x = t->data;
	struct xdp_vs *xv;
	int unready = 0;
	size_t i;

	for (xv = x->services; xv; xv = xv->next) {
		if (!xv->vs || !xv->committed)
			continue;
		for (i = 0; i < xv->n; i++) {
			char err[ERRLEN];

			if (xdp_srv_resolve(xv, &xv->srv[i], 1, err, sizeof(err)) < 0)
				log_warn("xdp: %s: %s", xv->name, err);
		}
		unready |= xdp_vs_write(xv);
	}
	xdp_active_recount(x);
	if (x->services)
		loop_timer_start(l, t, unready ? XDP_NEIGH_FAST_MS : XDP_NEIGH_SLOW_MS);
	xdp_pending_arm(x);
}

/* TUN: the program routes the outer packet as the director's own (input
 * interface lo, bpf/fx_encap.h), and the kernel's fib helper refuses to
 * route for an input interface without forwarding
 * (BPF_FIB_LKUP_RET_FWD_DISABLED): every packet would be dropped
 * (drop_no_route).  Forwarding on lo makes nobody a router (nothing
 * arrives on lo to be forwarded), so it is switched on, and said so. */
static int write_sysctl(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return 0;
	ok = fputs(val, f) >= 0;
	return (fclose(f) == 0) && ok;
}

/* What tun_forwarding() switched on goes back off with the program: a
 * stopped fulcrum leaves the host's settings as it found them. */
static void tun_forwarding_restore(struct xdp_engine *x)
{
	char path[64];
	int i;

	for (i = 0; i < 2; i++) {
		if (!x->lo_fwd_set[i])
			continue;
		x->lo_fwd_set[i] = 0;
		snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/conf/lo/forwarding", i ? 6 : 4);
		if (write_sysctl(path, "0\n"))
			log_info("xdp: net.ipv%d.conf.lo.forwarding set back to 0", i ? 6 : 4);
		else
			log_warn("xdp: could not set net.ipv%d.conf.lo.forwarding back to 0",
				 i ? 6 : 4);
	}
}

static void tun_forwarding(struct xdp_engine *x, const struct xdp_vs *xv)
{
	int v = xv->vs->addr.family == AF_INET6 ? 6 : 4;
	char path[64], c = '1';
	int ok;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv%d/conf/lo/forwarding", v);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fread(&c, 1, 1, f) != 1)
		c = '1';
	fclose(f);
	if (c != '0')
		return;
	ok = write_sysctl(path, "1\n");
	if (ok) {
		x->lo_fwd_set[v == 6] = 1;
		log_info("xdp: %s: lb_kind TUN: net.ipv%d.conf.lo.forwarding set to 1 (the "
			 "tunnel's route lookup needs it)",
			 xv->name, v);
		return;
	}
	log_warn("xdp: %s: lb_kind TUN needs net.ipv%d.conf.lo.forwarding=1, which could not be "
		 "set; until it is, its packets are dropped (drop_no_route)",
		 xv->name, v);
}

/* A local server's packets are passed to this host's stack as they came,
 * addressed to the VIP: the stack takes them only if the VIP is one of
 * its addresses.  Said at apply, not refused: a VRRP backup gets the VIP
 * when it becomes master. */
static void local_vip_check(const struct xdp_vs *xv)
{
	char a[ADDR_STRLEN], e[ERRLEN];
	size_t i;

	for (i = 0; i < xv->n && !xv->srv[i].local; i++)
		;
	if (i == xv->n || xdp_addr_local(&xv->vs->addr, e, sizeof(e)) == 1)
		return;
	log_warn("xdp: %s: %s %s is this host, but the VIP is not an address of this host: its "
		 "flows are passed to this host's stack, which does not take them until the VIP "
		 "is on one of its interfaces (a VRRP backup gets it as master)",
		 xv->name, xv->srv[i].sorry ? "sorry server" : "real server",
		 addr_format(&xv->srv[i].addr, a, sizeof(a), 1));
}

/* ---- the ops ---- */

static int xdp_prepare(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old,
		       char *err, size_t errlen)
{
	struct xdp_engine *x;
	struct xdp_vs *xv, *o = xvs_of(old);
	char a[ADDR_STRLEN];
	int n, i;

	if (xdp_check(vs, err, errlen) < 0)
		return -1;
	if (!(x = xdp_get(fc)))
		return err_set(err, errlen, "out of memory");
	if (xdp_load(x, err, errlen) < 0)
		return -1;
	xv = calloc(1, sizeof(*xv));
	if (!xv) {
		tidy(x);
		return err_set(err, errlen, "out of memory");
	}
	xv->magic = XDP_VS_MAGIC;
	xv->x = x;
	xv->vs = vs;
	snprintf(xv->name, sizeof(xv->name), "%s %s", proto_name(vs->protocol),
		 addr_format(&vs->addr, a, sizeof(a), 1));
	xdp_addr_to_fx(&vs->addr, &xv->key.addr);
	xv->key.port = htons(vs->addr.port);
	xv->key.proto = (uint8_t)vs->protocol;
	xv->key.family = vs->addr.family == AF_INET6 ? FX_AF_INET6 : FX_AF_INET;
	xvs_link(x, xv); /* from here on, tidy() sees the interfaces it holds */

	n = xdp_pick_ifaces(x, &vs->addr, xv->ifindex, err, errlen);
	if (n < 0)
		goto fail;
	xv->n_if = (size_t)n;
	for (i = 0; i < n; i++)
		if (xdp_attach(x, xv->ifindex[i], err, errlen) < 0)
			goto fail;
	if (o) {
		xv->vs_id = o->vs_id;
		xv->base = o->base;
		if (o->vs && o->vs->live != vs->live) {
			struct fc_stats cur;

			ctr_main_get(&vs->live->ctr, &cur);
			xdp_stats_rebase(x, x->fd.vs_stats, xv->vs_id, &cur, &xv->base);
		}
	} else if (xdp_vs_id_alloc(x, &xv->vs_id) < 0) {
		err_set(err, errlen, "the XDP engine serves at most %d virtual servers", FX_MAX_VS);
		goto fail;
	} else {
		ctr_main_get(&vs->live->ctr, &xv->base);
	}
	if (xdp_srv_build(xv, o ? o->srv : NULL, o ? o->n : 0, &xv->srv, &xv->n, err, errlen) < 0) {
		if (!o)
			xdp_vs_id_free(x, xv->vs_id);
		goto fail;
	}
	/* at daemon start only (nothing else is served yet), before commit
	 * publishes the service: its first flows find the MACs known.  Later
	 * applies never wait (xdp_pending.h) */
	if (!fc->cfg)
		xdp_srv_settle(xv);
	local_vip_check(xv);
	if (vs->fwd == FWD_TUN)
		tun_forwarding(x, xv);
	vs->engine_priv = xv;
	return 0;
fail:
	xvs_unlink_free(x, xv);
	tidy(x);
	return -1;
}

static void xdp_abort(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct xdp_vs *xv = xvs_of(vs), *o = xvs_of(old);
	struct xdp_engine *x;

	if (!xv)
		return;
	x = xv->x;
	vs->engine_priv = NULL;
	xdp_srv_release(x, xv->srv, xv->n, o ? o->srv : NULL, o ? o->n : 0, 0);
	if (!o || o->vs_id != xv->vs_id)
		xdp_vs_id_free(x, xv->vs_id);
	xvs_unlink_free(x, xv);
	tidy(x);
}

static void xdp_commit(struct fulcrum *fc, struct virtual_server *vs, struct virtual_server *old)
{
	struct xdp_vs *xv = xvs_of(vs), *o = xvs_of(old);
	struct xdp_engine *x;
	int unready;

	if (!xv)
		return;
	x = xv->x;
	if (o && o != xv) {
		/* the same service: its entry, ring block and slots are ours
		 * now, so only differences get written */
		xv->ring = o->ring;
		o->ring = NULL;
		xv->vip = o->vip;
		xv->committed = o->committed;
		xv->least = o->least;
		xv->least_written = o->least_written;
	}
	unready = xdp_vs_write(xv);
	if (o && o != xv) {
		xdp_srv_release(x, o->srv, o->n, xv->srv, xv->n, 1);
		o->srv = NULL;
		o->n = 0;
		old->engine_priv = NULL;
		xvs_unlink_free(x, o);
	}
	xdp_detach_unused(x);
	arm_refresh(x, unready);
}

static int xdp_update(struct fulcrum *fc, struct virtual_server *vs, char *err, size_t errlen)
{
	struct xdp_vs *xv = xvs_of(vs);
	struct xdp_srv *srv, *was;
	size_t n, nwas;

	if (!xv)
		return 0;
	if (xdp_check(vs, err, errlen) < 0)
		return -1;
	if (xdp_srv_build(xv, xv->srv, xv->n, &srv, &n, err, errlen) < 0)
		return -1;
	was = xv->srv;
	nwas = xv->n;
	xv->srv = srv;
	xv->n = n;
	arm_refresh(xv->x, xdp_vs_write(xv));
	/* servers that left: out of the ring now, so their slots lose LIVE */
	xdp_srv_release(xv->x, was, nwas, srv, n, 1);
	return 0;
}

static void xdp_remove(struct fulcrum *fc, struct virtual_server *vs)
{
	struct xdp_vs *xv = xvs_of(vs);
	struct xdp_engine *x;

	if (!xv)
		return;
	x = xv->x;
	vs->engine_priv = NULL;
	xdp_vs_unpublish(xv);
	xdp_srv_release(x, xv->srv, xv->n, NULL, 0, 1);
	xdp_vs_id_free(x, xv->vs_id);
	xvs_unlink_free(x, xv);
	tidy(x);
}

static void xdp_shutdown(struct fulcrum *fc)
{
	struct xdp_engine *x = fc->xdp;

	if (!x)
		return;
	if (x->loop)
		loop_timer_stop(x->loop, &x->neigh);
	xdp_pending_stop(x);
	/* detach first: from here on the stack sees every packet */
	xdp_unload(x);
	tun_forwarding_restore(x);
	while (x->services) {
		struct xdp_vs *xv = x->services;

		if (xv->vs)
			xv->vs->engine_priv = NULL;
		xdp_srv_release(x, xv->srv, xv->n, NULL, 0, 0);
		xvs_unlink_free(x, xv);
	}
	free(x);
	fc->xdp = NULL;
}

static int xdp_server_local(const struct virtual_server *vs, const struct real_server *rs)
{
	const struct xdp_vs *xv = xvs_of(vs);
	size_t i;

	for (i = 0; xv && i < xv->n; i++)
		if (xv->srv[i].live == rs->live)
			return xv->srv[i].local;
	return 0;
}

const struct engine_ops xdp_engine_ops = {
    .name = "xdp",
    .serves = xdp_serves,
    .settings = xdp_settings,
    .check = xdp_check,
    .check_all = xdp_check_all,
    .prepare = xdp_prepare,
    .abort = xdp_abort,
    .commit = xdp_commit,
    .update = xdp_update,
    .remove = xdp_remove,
    .shutdown = xdp_shutdown,
    .sync = xdp_engine_sync,
    .server_local = xdp_server_local,
};
