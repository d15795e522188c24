/* `fulcrumctl show xdp [--json]`: the XDP engine as it runs — where the
 * program is attached, why packets were passed or dropped (fx_global),
 * the connection table's size, and each service's ids and servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/sbuf.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "xdp/xdp_maps.h"
#include "xdp/xdp_stats.h"

static const char *const global_names[FX_G_MAX] = {
    [FX_G_PASS_NOT_IP] = "pass_not_ip",	  [FX_G_PASS_VLAN] = "pass_vlan",
    [FX_G_PASS_NOT_VIP] = "pass_not_vip", [FX_G_PASS_FRAG] = "pass_frag",
    [FX_G_PASS_EXTHDR] = "pass_exthdr",	  [FX_G_PASS_TRUNC] = "pass_trunc",
    [FX_G_PASS_ICMP] = "pass_icmp",	  [FX_G_DROP_NO_DEST] = "drop_no_dest",
    [FX_G_DROP_NO_MAC] = "drop_no_mac",	  [FX_G_DROP_NO_ROUTE] = "drop_no_route",
    [FX_G_DROP_ENCAP] = "drop_encap",	  [FX_G_TX] = "tx",
    [FX_G_REDIRECT] = "redirect",	  [FX_G_LOCAL] = "local",
};

const char *xdp_global_name(unsigned i)
{
	return i < FX_G_MAX && global_names[i] ? global_names[i] : NULL;
}

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
			    fwd_keyword(xv->vs->fwd), xv->vs->sched);
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

static void show_json(const struct xdp_engine *x, size_t nconns, struct sbuf *out)
{
	const struct xdp_vs *xv;
	char a[ADDR_STRLEN], mac[18];
	size_t i;
	int first = 1;

	sbuf_printf(out, "{\"loaded\":true,\"program_id\":%u,\"cpus\":%d,\"interfaces\":[",
		    x->prog_id, x->ncpus);
	for (i = 0; i < x->n_ifs; i++) {
		sbuf_printf(out, "%s{\"name\":", i ? "," : "");
		sbuf_json_str(out, x->ifs[i].name);
		sbuf_printf(out, ",\"ifindex\":%d,\"mode\":\"%s\"}", x->ifs[i].ifindex,
			    x->ifs[i].generic ? "generic" : "native");
	}
	sbuf_printf(out, "],\"connections\":%zu,\"connection_max\":%u,\"counters\":{", nconns,
		    FX_CONN_MAX);
	for (i = 0; i < FX_G_MAX; i++) {
		const char *n = xdp_global_name((unsigned)i);

		if (!n)
			continue;
		sbuf_printf(out, "%s\"%s\":%llu", first ? "" : ",", n,
			    (unsigned long long)global_sum(x, (uint32_t)i));
		first = 0;
	}
	sbuf_puts(out, "},\"virtual_servers\":[");
	first = 1;
	for (xv = x->services; xv; xv = xv->next) {
		if (!xv->vs)
			continue;
		sbuf_printf(out,
			    "%s{\"address\":\"%s\",\"port\":%u,\"protocol\":\"%s\","
			    "\"forward\":\"%s\",\"scheduler\":",
			    first ? "" : ",", addr_format(&xv->vs->addr, a, sizeof(a), 0),
			    xv->vs->addr.port, proto_name(xv->vs->protocol),
			    fwd_keyword(xv->vs->fwd));
		sbuf_json_str(out, xv->vs->sched);
		sbuf_printf(out, ",\"vs_id\":%u,\"sequence_length\":%u,\"real_servers\":[",
			    xv->vs_id, xv->vip.seq_len);
		first = 0;
		for (i = 0; i < xv->n; i++) {
			const struct xdp_srv *s = &xv->srv[i];
			int dr = xv->vs->fwd == FWD_DR;

			sbuf_printf(out,
				    "%s{\"address\":\"%s\",\"port\":%u,\"rs_id\":%u,\"sorry\":%s,"
				    "\"live\":%s,\"ready\":%s,\"local\":%s,\"weight\":%d,",
				    i ? "," : "", addr_format(&s->addr, a, sizeof(a), 0),
				    s->addr.port, s->rs_id, s->sorry ? "true" : "false",
				    s->real.flags & FX_RS_F_LIVE ? "true" : "false",
				    s->real.flags & FX_RS_F_READY ? "true" : "false",
				    s->local ? "true" : "false", s->weight);
			if (dr && s->nh_ok && s->nh.resolved) {
				fmt_mac(s->nh.mac, mac);
				sbuf_printf(out, "\"mac\":\"%s\",\"ifindex\":%d,", mac,
					    s->nh.ifindex);
			} else {
				sbuf_puts(out, "\"mac\":null,\"ifindex\":null,");
			}
			if (!dr && s->nh_ok && s->nh.src.family)
				sbuf_printf(out, "\"tunnel_source\":\"%s\"}",
					    addr_format(&s->nh.src, a, sizeof(a), 0));
			else
				sbuf_puts(out, "\"tunnel_source\":null}");
		}
		sbuf_puts(out, "]}");
	}
	sbuf_puts(out, "]}\n");
}

void xdp_show(struct fulcrum *fc, struct sbuf *out, int json)
{
	const struct xdp_engine *x = fc->xdp;
	size_t nconns = 0;

	if (!x || !x->skel) {
		if (json)
			sbuf_puts(out,
				  "{\"loaded\":false,\"interfaces\":[],\"virtual_servers\":[]}\n");
		else
			sbuf_puts(out,
				  "XDP engine not loaded: no lb_kind DR or TUN virtual server\n");
		return;
	}
	xdp_map_walk(x->fd.conns, sizeof(struct fx_flow_key), sizeof(struct fx_conn), FX_CONN_MAX,
		     count_one, &nconns);
	if (json)
		show_json(x, nconns, out);
	else
		show_text(x, nconns, out);
}
