/* The XDP engine's sync op: live figures from the maps.
 *
 * Counters: fx_vs_stats / fx_rs_stats hold totals per slot since the slot
 * was taken (xdp_maps.c zeroes a slot when it allocates the id), so a
 * server's figure is the base it had then plus the map's sum over CPUs:
 * set, not added, and monotonic across reloads because the slot and the
 * base move with the server.
 *
 * Connections: one bounded walk of fx_conns (at most FX_CONN_MAX entries)
 * per sync, classified as IPVS does: TCP without FIN/RST -> active, with
 * FIN/RST -> inactive, UDP -> active; an entry idle beyond its service's
 * timeout is stale (the BPF program would place that flow anew) and not
 * counted.  The walk is done for a listing only (conns set); the 2 s rate
 * tick reads the counters alone, so a full table never stalls the loop
 * that also sends VRRP adverts. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/loop.h"
#include "model/fulcrum-t.h"
#include "model/ctr.h"
#include "model/model.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_stats.h"

#define NS 1000000000ull

struct conn_walk {
	const struct xdp_engine *x;
	uint64_t now_ns;
	const struct fx_vip *vip[FX_MAX_VS]; /* the committed service of each vs_id */
	uint32_t (*count)[2];		     /* [rs_id][0 active, 1 inactive] */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static int count_conn(const void *key, const void *val, void *ctx)
{
	const struct fx_flow_key *k = key;
	const struct fx_conn *c = val;
	struct conn_walk *w = ctx;
	const struct fx_vip *v;
	uint64_t age, limit;

	if (c->rs_id >= FX_MAX_RS || c->vs_id >= FX_MAX_VS || w->x->rs_vs[c->rs_id] != c->vs_id)
		return 0; /* a server that left: not anybody's connection any more */
	v = w->vip[c->vs_id];
	if (!v)
		return 0;
	age = w->now_ns > c->last_ns ? w->now_ns - c->last_ns : 0;
	/* last_ns is refreshed at most once a second: one second of slack */
	if (k->proto == IPPROTO_TCP && (c->flags & FX_CONN_F_FIN)) {
		limit = ((uint64_t)v->tcp_fin_s + 1) * NS;
		if (age <= limit)
			w->count[c->rs_id][1]++;
		return 0;
	}
	limit = ((uint64_t)(k->proto == IPPROTO_TCP ? v->tcp_idle_s : v->udp_idle_s) + 1) * NS;
	if (age <= limit)
		w->count[c->rs_id][0]++;
	return 0;
}

/* The main thread's slot of the counters (model/ctr.h) is the engine's. */
static void set_stats(struct ctr *dst, const struct fc_stats *base, const struct fx_stats *m)
{
	struct fc_stats s = {
	    .conns = base->conns + m->conns,
	    .inpkts = base->inpkts + m->pkts,
	    .inbytes = base->inbytes + m->bytes,
	    .outpkts = base->outpkts, /* DR/TUN replies bypass the director */
	    .outbytes = base->outbytes,
	};

	ctr_main_set(dst, &s);
}

static void walk_free(struct conn_walk *w)
{
	if (w)
		free(w->count);
	free(w);
}

/* The committed services' vips, and (conns) the live connections of
 * every slot counted from fx_conns.  NULL when out of memory. */
static struct conn_walk *walk_conns(const struct xdp_engine *x, int conns)
{
	struct conn_walk *w = calloc(1, sizeof(*w));
	const struct xdp_vs *xv;

	if (!w || !(w->count = calloc(FX_MAX_RS, sizeof(*w->count)))) {
		free(w);
		return NULL;
	}
	w->x = x;
	for (xv = x->services; xv; xv = xv->next)
		if (xv->vs && xv->committed && xv->vs_id < FX_MAX_VS)
			w->vip[xv->vs_id] = &xv->vip;
	w->now_ns = mono_ns();
	if (conns)
		xdp_map_walk(x->fd.conns, sizeof(struct fx_flow_key), sizeof(struct fx_conn),
			     FX_CONN_MAX, count_conn, w);
	return w;
}

/* FX_SCHED_LEAST: the program's active counts (fx_active) become the
 * counted ones.  The program adds and takes off as flows start and see
 * FIN/RST; a flow that ends otherwise (idle, evicted from the LRU table)
 * stays counted until this rewrite.  A flow placed between the walk and
 * the write may be lost to the count until the next rewrite. */
static void recount_least(struct xdp_engine *x, const struct conn_walk *w)
{
	const struct xdp_vs *xv;
	size_t i;

	for (xv = x->services; xv; xv = xv->next) {
		if (!xv->vs || !xv->committed || xv->vip.sched != FX_SCHED_LEAST)
			continue;
		for (i = 0; i < xv->n; i++)
			xdp_active_set(x, xv->srv[i].rs_id, w->count[xv->srv[i].rs_id][0]);
	}
	x->recount_at = x->loop ? loop_now(x->loop) : 0;
}

void xdp_active_recount(struct xdp_engine *x)
{
	const struct xdp_vs *xv;
	struct conn_walk *w;

	if (!x->skel)
		return;
	for (xv = x->services; xv; xv = xv->next)
		if (xv->vs && xv->committed && xv->vip.sched == FX_SCHED_LEAST)
			break;
	if (!xv || (x->loop && loop_now(x->loop) < x->recount_at + XDP_RECOUNT_MS))
		return;
	w = walk_conns(x, 1);
	if (w)
		recount_least(x, w);
	walk_free(w);
}

void xdp_engine_sync(struct fulcrum *fc, int conns)
{
	struct xdp_engine *x = fc->xdp;
	struct conn_walk *w;
	struct xdp_vs *xv;
	size_t i;

	if (!x || !x->skel || !x->services)
		return;
	if (!(w = walk_conns(x, conns)))
		return;
	if (conns)
		recount_least(x, w);

	for (xv = x->services; xv; xv = xv->next) {
		struct vs_live *vl;
		struct fx_stats m;

		if (!xv->vs || !xv->committed)
			continue;
		vl = xv->vs->live;
		if (conns)
			vl->activeconns = vl->inactconns = 0;
		for (i = 0; i < xv->n; i++) {
			struct xdp_srv *s = &xv->srv[i];

			if (conns) {
				s->live->activeconns = w->count[s->rs_id][0];
				s->live->inactconns = w->count[s->rs_id][1];
				vl->activeconns += s->live->activeconns;
				vl->inactconns += s->live->inactconns;
			}
			if (xdp_stats_sum(x, x->fd.rs_stats, s->rs_id, &m) == 0)
				set_stats(&s->live->ctr, &s->base, &m);
		}
		if (xdp_stats_sum(x, x->fd.vs_stats, xv->vs_id, &m) == 0)
			set_stats(&vl->ctr, &xv->base, &m);
	}
	walk_free(w);
}
