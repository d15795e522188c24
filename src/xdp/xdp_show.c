/* `fulcrumctl show xdp [--json]`: the XDP engine as it runs — where the
 * program is attached, why packets were passed or dropped (fx_global),
 * the connection table's size, and each service's ids and servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/sbuf.h"
#include "core/stats.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "model/stats_fields.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_stats.h"

static uint64_t global_sum(const struct xdp_engine *x, uint32_t i)
{
	uint64_t *v = calloc((size_t)x->ncpus, sizeof(*v)), sum = 0;
	int c;

	if (!v)
		return 0;
	if (bpf_map_lookup_elem(x->fd.global, &i, v) == 0)
		for (c = 0; c < x->ncpus; c++)
			sum += v[c];
	free(v);
	return sum;
}

static int count_one(const void *key, const void *val, void *ctx)
{
	(*(size_t *)ctx)++;
	return 0;
}

static const char *iface_name(const struct xdp_engine *x, int ifindex, char *buf)
{
	size_t i;

	for (i = 0; i < x->n_ifs; i++)
		if (x->ifs[i].ifindex == ifindex)
			return x->ifs[i].name;
	return if_indextoname((unsigned)ifindex, buf) ? buf : "?";
}

static void fmt_mac(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void show_text(const struct xdp_engine *x, size_t nconns, struct sbuf *out)
{
	const struct xdp_vs *xv;
	char a[ADDR_STRLEN], mac[18], ifn[IF_NAMESIZE];
	size_t i;

	sbuf_printf(out, "XDP program id %u, %d CPUs\nInterfaces:\n", x->prog_id, x->ncpus);
	for (i = 0; i < x->n_ifs; i++)
		sbuf_printf(out, "  %-16s ifindex %-4d %s\n", x->ifs[i].name, x->ifs[i].ifindex,
			    x->ifs[i].generic ? "generic" : "native");
	sbuf_printf(out, "Connection table: %zu of %u entries\nCounters:\n", nconns, FX_CONN_MAX);
	for (i = 0; i < FX_G_MAX; i++) {
		const char *n = xdp_global_name((unsigned)i);

		if (n)
			sbuf_printf(out, "  %-16s %llu\n", n,
				    (unsigned long long)global_sum(x, (uint32_t)i));
	}
	sbuf_puts(out, "Services:\n");
	for (xv = x->services; xv; xv = xv->next) {
		if (!xv->vs)
			continue;
		sbuf_printf(out, "  %s  vs_id %u  %s  %s", xv->name, xv->vs_id,
			    fwd_keyword(xv->vs->fwd), xv->vs->pool->sched);
		if (xv->vip.sched == FX_SCHED_SEQ)
			sbuf_printf(out, "  sequence %u", xv->vip.seq_len);
		sbuf_puts(out, "\n");
		for (i = 0; i < xv->n; i++) {
			const struct xdp_srv *s = &xv->srv[i];

			sbuf_printf(out, "    %-24s rs_id %-4u %s%s%s weight %d",
				    addr_format(&s->addr, a, sizeof(a), 1), s->rs_id,
				    s->sorry ? "sorry " : "",
				    s->real.flags & FX_RS_F_LIVE ? "live" : "gone",
				    s->real.flags & FX_RS_F_READY ? " ready" : " unready",
				    s->weight);
			if (s->local) {
				sbuf_puts(out, "  local");
			} else if (xv->vs->fwd == FWD_DR && s->nh_ok && s->nh.resolved) {
				fmt_mac(s->nh.mac, mac);
				sbuf_printf(out, "  mac %s via %s", mac,
					    iface_name(x, s->nh.ifindex, ifn));
			} else if (xv->vs->fwd == FWD_TUN && s->nh_ok) {
				sbuf_printf(out, "  tunnel from %s",
					    addr_format(&s->nh.src, a, sizeof(a), 0));
			}
			sbuf_puts(out, "\n");
		}
	}
}

/* ---- the statistics fields of the engine (doc/internals/stats.md) ---- */

#define XE(fc)	((const struct xdp_engine *)((const struct fulcrum *)(fc))->xdp)
#define XV(obj) ((const struct xdp_vs *)(obj))
#define XS(obj) ((const struct xdp_srv *)(obj))

static int loaded(const void *fc)
{
	return XE(fc) && XE(fc)->skel;
}

static enum stat_got get_counter(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				 union stat_val *v)
{
	v->u = global_sum(obj, f->arg);
	return STAT_SET;
}

/* fx_global, one counter per reason the program passed, dropped or sent a
 * packet; the index is enum fx_global */
#define GLOBAL(n, i, h)                                                                            \
	{                                                                                          \
		n, STAT_COUNTER, h, .get = get_counter, .arg = i                                   \
	}
static const struct stat_field global_fields[] = {
    GLOBAL("pass_not_ip", FX_G_PASS_NOT_IP, "passed: not IPv4/IPv6 (ARP...)"),
    GLOBAL("pass_vlan", FX_G_PASS_VLAN, "passed: VLAN tagged"),
    GLOBAL("pass_not_vip", FX_G_PASS_NOT_VIP, "passed: not for a VIP:port/protocol"),
    GLOBAL("pass_frag", FX_G_PASS_FRAG, "passed: a fragment"),
    GLOBAL("pass_exthdr", FX_G_PASS_EXTHDR, "passed: IPv6 extension header before L4"),
    GLOBAL("pass_trunc", FX_G_PASS_TRUNC, "passed: headers shorter than they claim"),
    GLOBAL("pass_icmp", FX_G_PASS_ICMP, "passed: ICMP to a VIP (the stack answers)"),
    GLOBAL("drop_no_dest", FX_G_DROP_NO_DEST, "dropped: the service has no usable server"),
    GLOBAL("drop_no_mac", FX_G_DROP_NO_MAC, "dropped: DR server not resolved yet"),
    GLOBAL("drop_no_route", FX_G_DROP_NO_ROUTE, "dropped: TUN, no route or neighbour"),
    GLOBAL("drop_encap", FX_G_DROP_ENCAP, "dropped: TUN, could not encapsulate"),
    GLOBAL("tx", FX_G_TX, "sent back out of the ingress interface"),
    GLOBAL("redirect", FX_G_REDIRECT, "sent out of another interface"),
    GLOBAL("local", FX_G_LOCAL, "passed to this host's stack: a local server"),
};

static const struct stat_table globals = STAT_TABLE("xdp_counters", global_fields);

const char *xdp_global_name(unsigned i)
{
	size_t k;

	for (k = 0; k < globals.n; k++)
		if (global_fields[k].arg == i)
			return global_fields[k].name;
	return NULL;
}

static enum stat_got get_mode(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->s = ((const struct xdp_iface *)obj)->generic ? "generic" : "native";
	return STAT_SET;
}

static const struct stat_field iface_fields[] = {
    {"name", STAT_STRING, "interface the program is attached to",
     STAT_AT(struct xdp_iface, name, STAT_LD_CHARS)},
    {"ifindex", STAT_GAUGE, "its index", STAT_AT(struct xdp_iface, ifindex, STAT_LD_INT)},
    {"mode", STAT_ENUM, "native or generic (skb) attachment", .get = get_mode},
};

static const struct stat_table iface = STAT_TABLE("xdp_interface", iface_fields);

static enum stat_got get_flag(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->b = (XS(obj)->real.flags & f->arg) != 0;
	return STAT_SET;
}

/* the next hop: a DR server's MAC and interface once resolved */
static int has_mac(const struct xdp_srv *s, const struct stat_ctx *c)
{
	return XV(c->owner)->vs->fwd == FWD_DR && s->nh_ok && s->nh.resolved;
}

static enum stat_got get_mac(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v)
{
	fmt_mac(XS(obj)->nh.mac, c->buf);
	v->s = c->buf;
	return has_mac(obj, c) ? STAT_SET : STAT_NULL;
}

static enum stat_got get_nh_ifindex(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				    union stat_val *v)
{
	v->i = XS(obj)->nh.ifindex;
	return has_mac(obj, c) ? STAT_SET : STAT_NULL;
}

static enum stat_got get_tunnel_source(const void *obj, const struct stat_field *f,
				       struct stat_ctx *c, union stat_val *v)
{
	const struct xdp_srv *s = obj;

	if (XV(c->owner)->vs->fwd == FWD_DR || !s->nh_ok || !s->nh.src.family)
		return STAT_NULL;
	v->s = addr_format(&s->nh.src, c->buf, sizeof(c->buf), 0);
	return STAT_SET;
}

#define SRV_AT(m, ld) STAT_AT(struct xdp_srv, m, ld)
static const struct stat_field srv_fields[] = {
    {"endpoint", STAT_INLINE, "the server's IP and port", SRV_AT(addr, STAT_LD_SUB),
     .sub = &stat_endpoint},
    {"rs_id", STAT_GAUGE, "its slot in fx_reals", SRV_AT(rs_id, STAT_LD_U32)},
    {"sorry", STAT_BOOL, "the sorry server", SRV_AT(sorry, STAT_LD_INT)},
    {"live", STAT_BOOL, "its flows keep going (up, or inhibited)", .get = get_flag,
     .arg = FX_RS_F_LIVE},
    {"ready", STAT_BOOL, "its next hop is known: it may take new flows", .get = get_flag,
     .arg = FX_RS_F_READY},
    {"local", STAT_BOOL, "the server is this host: flows pass to its stack",
     SRV_AT(local, STAT_LD_INT)},
    {"weight", STAT_GAUGE, "its weight in the lookup table (0: left out)",
     SRV_AT(weight, STAT_LD_INT)},
    {"mac", STAT_STRING, "DR: the next hop's MAC, null until resolved", .get = get_mac},
    {"ifindex", STAT_GAUGE, "DR: the interface toward it, null until resolved",
     .get = get_nh_ifindex},
    {"tunnel_source", STAT_STRING, "TUN: the outer source address, null if none",
     .get = get_tunnel_source},
};

static const struct stat_table srv = STAT_TABLE("xdp_server", srv_fields);

static const struct stat_field vs_model_fields[] = {
    {"endpoint", STAT_INLINE, "the virtual IP and port",
     STAT_AT(struct virtual_server, addr, STAT_LD_SUB), .sub = &stat_endpoint},
    {"protocol", STAT_ENUM, "TCP or UDP", .get = stat_get_protocol},
    {"forward", STAT_ENUM, "lb_kind: DR or TUN", .get = stat_get_forward},
    {"scheduler", STAT_STRING, "lb_algo", .get = stat_get_sched},
};

static const struct stat_table vs_model = STAT_TABLE("service", vs_model_fields);

static enum stat_got get_vs(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			    union stat_val *v)
{
	v->p = XV(obj)->vs;
	return STAT_SET;
}

static enum stat_got get_first_srv(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->p = XV(obj)->n ? XV(obj)->srv : NULL;
	return STAT_SET;
}

static const void *next_srv(const void *obj, const void *cur)
{
	return XS(cur) + 1 < XV(obj)->srv + XV(obj)->n ? XS(cur) + 1 : NULL;
}

static const struct stat_field vs_fields[] = {
    {"service", STAT_INLINE, "the service as configured", .get = get_vs, .sub = &vs_model},
    {"vs_id", STAT_GAUGE, "its id in the maps", STAT_AT(struct xdp_vs, vs_id, STAT_LD_U32)},
    {"sequence_length", STAT_GAUGE, "rr/wrr: ring entries in use, 0 for a hash scheduler",
     STAT_AT(struct xdp_vs, vip.seq_len, STAT_LD_U32)},
    {"real_servers", STAT_LIST, "its servers as the maps hold them, the sorry server last",
     .get = get_first_srv, .next = next_srv, .sub = &srv},
};

static const struct stat_table xvs = STAT_TABLE("xdp_service", vs_fields);

/* the document's members that only a loaded program has */
static enum stat_got get_engine_num(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				    union stat_val *v)
{
	const struct xdp_engine *x = XE(obj);
	size_t nconns = 0;

	if (!loaded(obj))
		return STAT_OMIT;
	switch (f->arg) {
	case 0:
		v->i = x->prog_id;
		break;
	case 1:
		v->i = x->ncpus;
		break;
	case 2:
		xdp_map_walk(x->fd.conns, sizeof(struct fx_flow_key), sizeof(struct fx_conn),
			     FX_CONN_MAX, count_one, &nconns);
		v->i = (long long)nconns;
		break;
	default:
		v->i = FX_CONN_MAX;
		break;
	}
	return STAT_SET;
}

static enum stat_got get_loaded(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->b = loaded(obj);
	return STAT_SET;
}

static enum stat_got get_engine(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->p = XE(obj);
	return loaded(obj) ? STAT_SET : STAT_OMIT;
}

static enum stat_got get_first_if(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				  union stat_val *v)
{
	v->p = loaded(obj) && XE(obj)->n_ifs ? XE(obj)->ifs : NULL;
	return STAT_SET;
}

static const void *next_if(const void *obj, const void *cur)
{
	const struct xdp_iface *i = cur;

	return i + 1 < XE(obj)->ifs + XE(obj)->n_ifs ? i + 1 : NULL;
}

/* services the engine still serves (a removed one waits for its flows) */
static const struct xdp_vs *serving(const struct xdp_vs *xv)
{
	while (xv && !xv->vs)
		xv = xv->next;
	return xv;
}

static enum stat_got get_first_vs(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				  union stat_val *v)
{
	v->p = loaded(obj) ? serving(XE(obj)->services) : NULL;
	return STAT_SET;
}

static const void *next_vs(const void *obj, const void *cur)
{
	return serving(XV(cur)->next);
}

static const struct stat_field doc_fields[] = {
    {"loaded", STAT_BOOL, "the program is loaded (a DR/TUN service exists)", .get = get_loaded},
    {"program_id", STAT_GAUGE, "the program's id (bpftool prog show id N)", .get = get_engine_num,
     .arg = 0},
    {"cpus", STAT_GAUGE, "possible CPUs (per-CPU counters summed)", .get = get_engine_num,
     .arg = 1},
    {"interfaces", STAT_LIST, "where the program is attached", .get = get_first_if, .next = next_if,
     .sub = &iface},
    {"connections", STAT_GAUGE, "entries in the connection table", .get = get_engine_num, .arg = 2},
    {"connection_max", STAT_CONFIG, "the connection table's size", .get = get_engine_num, .arg = 3},
    {"counters", STAT_OBJECT, "why packets were passed, dropped or sent", .get = get_engine,
     .sub = &globals},
    {"virtual_servers", STAT_LIST, "the DR/TUN services", .get = get_first_vs, .next = next_vs,
     .sub = &xvs},
};

const struct stat_table xdp_stats = STAT_TABLE("xdp", doc_fields);

void xdp_show(struct fulcrum *fc, struct sbuf *out, int json)
{
	const struct xdp_engine *x = fc->xdp;
	size_t nconns = 0;

	if (json) {
		struct stat_ctx c = {.now_ms = 0};

		stat_json(out, &xdp_stats, fc, &c);
		sbuf_puts(out, "\n");
		return;
	}
	if (!x || !x->skel) {
		sbuf_puts(out, "XDP engine not loaded: no lb_kind DR or TUN virtual server\n");
		return;
	}
	xdp_map_walk(x->fd.conns, sizeof(struct fx_flow_key), sizeof(struct fx_conn), FX_CONN_MAX,
		     count_one, &nconns);
	show_text(x, nconns, out);
}
