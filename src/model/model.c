#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tls_cli.h"
#include "core/tls_srv.h"
#include "model/ctr.h"
#include "model/model.h"
#include "model/vrrp_model.h"
#include "model/http_proxy.h"
#include "model/source.h"

#define FREE_AND_NULL(p)                                                                           \
	do {                                                                                       \
		free(p);                                                                           \
		(p) = NULL;                                                                        \
	} while (0)

struct config *config_new(void)
{
	return calloc(1, sizeof(struct config));
}

const char *config_intern_file(struct config *cfg, const char *path)
{
	char **f;
	unsigned i;

	for (i = 0; i < cfg->n_files; i++)
		if (!strcmp(cfg->files[i], path))
			return cfg->files[i];
	f = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*f));
	if (!f)
		return "?";
	cfg->files = f;
	f[cfg->n_files] = strdup(path);
	if (!f[cfg->n_files])
		return "?";
	return f[cfg->n_files++];
}

void config_free(struct config *cfg)
{
	struct virtual_server *vs, *next;
	struct pool *p, *pnext;
	unsigned i;

	if (!cfg)
		return;
	for (vs = cfg->vs; vs; vs = next) {
		next = vs->next;
		vs_free(vs);
	}
	for (p = cfg->pools; p; p = pnext) {
		pnext = p->next;
		pool_free(p);
	}
	for (i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->global.control_socket);
	free(cfg->global.router_id);
	for (i = 0; i < cfg->global.n_xdp_interfaces; i++)
		free(cfg->global.xdp_interfaces[i]);
	free(cfg->global.xdp_interfaces);
	free(cfg->global.script_user);
	free(cfg->global.run_as_user);
	free(cfg->global.run_as_group);
	free(cfg->global.chroot_dir);
	free(cfg->global.maintenance_dir);
	free(cfg->global.reload_callback);
	http_proxy_free(cfg->global.stats_px);
	vrrp_config_free(&cfg->vrrp);
	{
		struct http_proxy *hp, *hnext;

		for (hp = cfg->http_proxies; hp; hp = hnext) {
			hnext = hp->next;
			http_proxy_free(hp);
		}
	}
	hp_global_free(cfg->hp_global);
	free(cfg);
}

static struct rs_live *rs_live_new(void)
{
	struct rs_live *l = calloc(1, sizeof(*l));

	if (l)
		l->refs = 1;
	return l;
}

struct rs_live *rs_live_ref(struct rs_live *l)
{
	if (l)
		l->refs++;
	return l;
}

void rs_live_unref(struct rs_live *l)
{
	if (l && --l->refs == 0) {
		ctr_release(&l->ctr);
		free(l);
	}
}

struct vs_live *vs_live_ref(struct vs_live *l)
{
	if (l)
		l->refs++;
	return l;
}

void vs_live_unref(struct vs_live *l)
{
	if (l && --l->refs == 0) {
		ctr_release(&l->ctr);
		free(l);
	}
}

static void be_live_unref(struct be_live *l)
{
	if (l && --l->refs == 0) {
		ctr_release(&l->ctr);
		free(l);
	}
}

struct pool *pool_new(const char *name)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (name && !(p->name = strdup(name))) {
		free(p);
		return NULL;
	}
	p->live = calloc(1, sizeof(*p->live));
	if (!p->live) {
		free(p->name);
		free(p);
		return NULL;
	}
	p->live->refs = 1;
	strcpy(p->sched, "wlc");
	p->delay_loop_ms = 60000;
	return p;
}

struct virtual_server *vs_new(void)
{
	struct virtual_server *vs = calloc(1, sizeof(*vs));

	if (!vs)
		return NULL;
	vs->live = calloc(1, sizeof(*vs->live));
	vs->pool = pool_new(NULL);
	if (!vs->live || !vs->pool) {
		free(vs->live);
		free(vs->pool);
		free(vs);
		return NULL;
	}
	vs->live->refs = 1;
	vs->protocol = IPPROTO_TCP;
	vs->fwd = FWD_NAT;
	vs->connect_timeout_ms = 5000;
	vs->idle_timeout_ms = 900000;
	vs->udp_timeout_ms = 300000;
	vs->connect_retries = 2;
	vs->bind_fd = -1;
	return vs;
}

struct real_server *rs_new(void)
{
	struct real_server *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->live = rs_live_new();
	if (!rs->live) {
		free(rs);
		return NULL;
	}
	rs->weight = 1;
	rs->cur_weight = 1;
	rs->inhibit_on_failure = -1;
	return rs;
}

void check_conf_free(struct check_conf *c)
{
	struct check_conf *next;

	for (; c; c = next) {
		next = c->next;
		free(c->bind_if);
		free(c->alpha_set);
		free(c->virtualhost);
		if (c->spec && c->spec_free)
			c->spec_free(c->spec);
		free(c);
	}
}

void rs_free(struct real_server *rs)
{
	if (!rs)
		return;
	free(rs->name);
	free(rs->notify_up);
	free(rs->notify_down);
	if (!rs->from_source) /* else they are the source's */
		check_conf_free(rs->checks);
	free(rs->hp);
	tls_cli_put(rs->tls);
	rs_live_unref(rs->live);
	free(rs);
}

void srv_queue_unref(struct srv_queue *q)
{
	if (q && --q->refs == 0)
		free(q);
}

void pool_free(struct pool *p)
{
	struct real_server *rs, *next;

	if (!p)
		return;
	srv_queue_unref(p->q);
	be_live_unref(p->live);
	for (rs = p->rs; rs; rs = next) {
		next = rs->next;
		rs_free(rs);
	}
	rs_free(p->sorry);
	pool_source_free(p->source);
	free(p->name);
	free(p->quorum_up);
	free(p->quorum_down);
	free(p->virtualhost);
	free(p);
}

void vs_free(struct virtual_server *vs)
{
	if (!vs)
		return;
	/* a pool the config took is the config's (and maybe other services') */
	if (vs->pool && !vs->pool->in_config)
		pool_free(vs->pool);
	FREE_AND_NULL(vs->group);
	vs_live_unref(vs->live);
	tls_srv_put(vs->tls);
	free(vs);
}

/* "IP:PORT", the name of a server that was given none.  Not for a server
 * without an address yet (the reader names it when it is added). */
static void rs_name_default(struct real_server *rs)
{
	char a[ADDR_STRLEN];

	if (rs->name || !rs->addr.family)
		return;
	rs->name = strdup(addr_format(&rs->addr, a, sizeof(a), 1));
}

void config_add_pool(struct config *cfg, struct pool *p)
{
	struct pool **pp = &cfg->pools;

	while (*pp)
		pp = &(*pp)->next;
	p->next = NULL;
	p->in_config = 1;
	*pp = p;
	cfg->n_pools++;
}

void config_add_vs(struct config *cfg, struct virtual_server *vs)
{
	struct virtual_server **p = &cfg->vs;
	struct pool *pl = vs->pool;
	struct real_server *rs;
	char l[ADDR_STRLEN + 16];

	while (*p)
		p = &(*p)->next;
	vs->next = NULL;
	*p = vs;
	cfg->n_vs++;
	if (pl->in_config)
		return;
	/* the service's own pool (keepalived, ldirectord): its identity is
	 * the service's, as it was before pools had names */
	if (!pl->name)
		pl->name = strdup(vs_label(vs, l, sizeof(l)));
	if (!pl->file) {
		pl->file = vs->file;
		pl->line = vs->line;
	}
	for (rs = pl->rs; rs; rs = rs->next)
		rs_name_default(rs);
	if (pl->sorry)
		rs_name_default(pl->sorry);
	config_add_pool(cfg, pl);
}

void vs_set_pool(struct virtual_server *vs, struct pool *p)
{
	if (vs->pool == p)
		return;
	if (vs->pool && !vs->pool->in_config)
		pool_free(vs->pool);
	vs->pool = p;
}

void pool_add_rs(struct pool *pl, struct real_server *rs)
{
	struct real_server **p = &pl->rs;

	while (*p)
		p = &(*p)->next;
	rs->next = NULL;
	*p = rs;
	pl->n_rs++;
	rs_name_default(rs);
}

void vs_add_rs(struct virtual_server *vs, struct real_server *rs)
{
	pool_add_rs(vs->pool, rs);
}

int vs_unlink_rs(struct virtual_server *vs, struct real_server *rs)
{
	struct real_server **p;

	for (p = &vs->pool->rs; *p; p = &(*p)->next) {
		if (*p == rs) {
			*p = rs->next;
			rs->next = NULL;
			vs->pool->n_rs--;
			return 0;
		}
	}
	return -1;
}

int vs_same_key(const struct virtual_server *a, const struct virtual_server *b)
{
	return a->protocol == b->protocol && a->fwmark == b->fwmark &&
	       addr_equal(&a->addr, &b->addr);
}

struct virtual_server *config_find_vs(const struct config *cfg, int protocol,
				      const struct fc_addr *addr)
{
	struct virtual_server *vs;

	for (vs = cfg->vs; vs; vs = vs->next)
		if (vs->protocol == protocol && !vs->fwmark && addr_equal(&vs->addr, addr))
			return vs;
	return NULL;
}

struct virtual_server *config_find_vs_addr(const struct config *cfg, const struct fc_addr *addr)
{
	struct virtual_server *vs;

	for (vs = cfg->vs; vs; vs = vs->next)
		if (!vs->fwmark && addr_equal(&vs->addr, addr))
			return vs;
	return NULL;
}

struct real_server *vs_find_rs(const struct virtual_server *vs, const struct fc_addr *addr)
{
	struct real_server *rs;

	for (rs = vs->pool->rs; rs; rs = rs->next)
		if (addr_equal(&rs->addr, addr))
			return rs;
	return NULL;
}

struct pool *config_find_pool(const struct config *cfg, const char *name)
{
	struct pool *p;

	for (p = cfg->pools; p && name; p = p->next)
		if (p->name && !strcmp(p->name, name))
			return p;
	return NULL;
}

struct real_server *pool_find_server(const struct pool *p, const char *name)
{
	struct real_server *rs;

	for (rs = p->rs; rs && name; rs = rs->next)
		if (rs->name && !strcmp(rs->name, name))
			return rs;
	return NULL;
}

const char *vs_label(const struct virtual_server *vs, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	if (vs->fwmark)
		snprintf(buf, len, "FWM %u", vs->fwmark);
	else
		snprintf(buf, len, "%s %s", proto_name(vs->protocol),
			 addr_format(&vs->addr, a, sizeof(a), 1));
	return buf;
}

static void carry_rs(struct real_server *nrs, const struct real_server *ors)
{
	struct rs_live *l = rs_live_ref(ors->live);

	/* health, counters and the operator's drain/disable come along */
	rs_live_unref(nrs->live);
	nrs->live = l;
}

void config_carry_live(struct config *newcfg, const struct config *old)
{
	struct virtual_server *nvs, *ovs;
	struct real_server *nrs, *ors;
	struct pool *np, *op;

	if (!old)
		return;
	for (nvs = newcfg->vs; nvs; nvs = nvs->next) {
		for (ovs = old->vs; ovs; ovs = ovs->next)
			if (vs_same_key(nvs, ovs))
				break;
		if (!ovs)
			continue;
		vs_live_unref(nvs->live);
		nvs->live = vs_live_ref(ovs->live);
	}
	for (np = newcfg->pools; np; np = np->next) {
		op = config_find_pool(old, np->name);
		if (!op)
			continue;
		if (op->q && !np->q) {
			np->q = op->q;
			np->q->refs++;
		}
		if (op->live && np->live != op->live) {
			be_live_unref(np->live);
			np->live = op->live;
			np->live->refs++;
		}
		for (nrs = np->rs; nrs; nrs = nrs->next) {
			ors = pool_find_server(op, nrs->name);
			if (ors)
				carry_rs(nrs, ors);
		}
		if (np->sorry && op->sorry && np->sorry->name && op->sorry->name &&
		    !strcmp(np->sorry->name, op->sorry->name))
			carry_rs(np->sorry, op->sorry);
	}
}

/* Relaxed: the request path's readers (model-t.h says why that is enough). */
#define LOAD(f) atomic_load_explicit(&(f), memory_order_relaxed)

int rs_available(const struct real_server *rs)
{
	const struct rs_live *l = rs->live;

	return LOAD(l->health) == RS_HEALTH_UP && LOAD(l->admin) != RS_ADMIN_DISABLED &&
	       !LOAD(l->held) && !LOAD(l->maint);
}

enum rs_admin rs_admin_of(const struct real_server *rs)
{
	return LOAD(rs->live->admin);
}

enum rs_health_state rs_health_of(const struct real_server *rs)
{
	return LOAD(rs->live->health);
}

int rs_effective_weight(const struct real_server *rs)
{
	const struct rs_live *l = rs->live;

	if (!rs_available(rs) || LOAD(l->admin) == RS_ADMIN_DRAIN)
		return 0;
	return LOAD(l->dyn_set) ? LOAD(l->dyn_weight) : LOAD(rs->cur_weight);
}

int rs_inhibit(const struct real_server *rs, const struct pool *p)
{
	return rs->inhibit_on_failure >= 0 ? rs->inhibit_on_failure : p->inhibit_on_failure;
}

const char *rs_state_name(const struct real_server *rs)
{
	if (rs->live->admin == RS_ADMIN_DISABLED)
		return "disabled";
	if (rs->live->maint) /* down too (health core): say why */
		return "maintenance";
	if (rs->live->health == RS_HEALTH_DOWN)
		return "down";
	if (rs->live->admin == RS_ADMIN_DRAIN)
		return "drain";
	return "up";
}

const char *fwd_name(enum fwd_method f)
{
	switch (f) {
	case FWD_NAT:
		return "Masq";
	case FWD_DR:
		return "Route";
	case FWD_TUN:
		return "Tunnel";
	case FWD_PROXY:
		return "Proxy";
	}
	return "?";
}

const char *fwd_keyword(enum fwd_method f)
{
	switch (f) {
	case FWD_NAT:
		return "NAT";
	case FWD_DR:
		return "DR";
	case FWD_TUN:
		return "TUN";
	case FWD_PROXY:
		return "PROXY";
	}
	return "?";
}

const char *proto_name(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	}
	return "?";
}

/* IPVS's estimator samples every 2 s and smooths with weight 1/4; we take
 * the same shape in floating point (no kernel fixed-point constraints). */
void rate_est_update(struct rate_est *e, const struct fc_stats *now, uint64_t now_ms)
{
	double dt;

	if (!e->last_ms) {
		e->last = *now;
		e->last_ms = now_ms;
		return;
	}
	if (now_ms <= e->last_ms)
		return;
	dt = (double)(now_ms - e->last_ms) / 1000.0;
#define EST(field, r) e->rate.r += (((double)(now->field - e->last.field) / dt) - e->rate.r) / 4.0
	EST(conns, cps);
	EST(inpkts, inpps);
	EST(outpkts, outpps);
	EST(inbytes, inbps);
	EST(outbytes, outbps);
#undef EST
	e->last = *now;
	e->last_ms = now_ms;
}
