/* `show vrrp` and the vrrp part of `list --json` (fields: doc/vrrp.md). */
#include <stdio.h>
#include <string.h>

#include "core/loop.h"
#include "model/model-t.h"
#include "vrrp/vrrp_run-int.h"
#include "vrrp/vrrp_run.h"

static const char *master_str(const struct vinst *vi, char *buf, size_t len)
{
	const struct vrrp_fsm *f = &vi->fsm;

	if (f->state == VRRP_MASTER)
		return addr_format(&vi->src, buf, len, 0);
	if (f->state == VRRP_BACKUP && f->master.family)
		return addr_format(&f->master, buf, len, 0);
	return "";
}

static void counters_json(const struct vinst *vi, struct sbuf *out)
{
	const struct vrrp_fsm_counters *c = &vi->fsm.cnt;
	unsigned i;

	sbuf_printf(
	    out,
	    "{\"rx\":%llu,\"rx_accepted\":%llu,\"rx_not_peer\":%llu,\"tx\":%llu,\"tx_errors\":%llu,"
	    "\"tx_prio_zero\":%llu,\"rx_own\":%llu,\"rx_ignored\":%llu,"
	    "\"rx_interval_mismatch\":%llu,\"rx_prio_zero\":%llu,"
	    "\"rx_lower_discarded\":%llu,\"rx_lower_master\":%llu,\"master_down\":%llu,"
	    "\"to_master\":%llu,\"to_backup\":%llu,\"to_fault\":%llu,\"drop\":{",
	    (unsigned long long)vi->rx, (unsigned long long)vi->rx_accepted,
	    (unsigned long long)vi->rx_not_peer, (unsigned long long)vi->tx,
	    (unsigned long long)vi->tx_errors, (unsigned long long)c->tx_prio_zero,
	    (unsigned long long)c->rx_own, (unsigned long long)c->rx_ignored,
	    (unsigned long long)c->rx_interval_mismatch, (unsigned long long)c->rx_prio_zero,
	    (unsigned long long)c->rx_lower_discarded, (unsigned long long)c->rx_lower_master,
	    (unsigned long long)c->master_down, (unsigned long long)c->to_master,
	    (unsigned long long)c->to_backup, (unsigned long long)c->to_fault);
	for (i = 1; i < VRRP_DROP__COUNT; i++)
		sbuf_printf(out, "%s\"%s\":%llu", i > 1 ? "," : "", vrrp_drop_name(i),
			    (unsigned long long)vi->drop[i]);
	sbuf_puts(out, "}}");
}

static void one_json(const struct vinst *vi, struct sbuf *out, uint64_t now)
{
	const struct vrrp_instance *c = vi->cfg;
	const struct vrrp_fsm *f = &vi->fsm;
	char a[ADDR_STRLEN];
	unsigned i;

	sbuf_puts(out, "{\"name\":");
	sbuf_json_str(out, c->name);
	sbuf_printf(out, ",\"state\":\"%s\",\"interface\":", vrrp_fsm_state_name(f->state));
	sbuf_json_str(out, c->ifname);
	sbuf_printf(out,
		    ",\"vrid\":%u,\"version\":%u,\"family\":\"%s\",\"priority\":%u,"
		    "\"base_priority\":%u,\"master\":",
		    c->vrid, c->version, c->family == AF_INET6 ? "inet6" : "inet", f->prio,
		    c->priority);
	sbuf_json_str(out, master_str(vi, a, sizeof(a)));
	sbuf_printf(out, ",\"master_priority\":%u,\"source\":",
		    f->state == VRRP_MASTER ? f->prio
		    : f->master.family	    ? f->master_prio
					    : 0);
	sbuf_json_str(out, vi->src.family ? addr_format(&vi->src, a, sizeof(a), 0) : "");
	sbuf_printf(out, ",\"advert_int_ms\":%u,\"master_advert_int_ms\":%u,\"vips\":[",
		    f->adv_cs * 10, f->master_adv_cs * 10);
	for (i = 0; i < c->n_vips; i++) {
		char v[ADDR_STRLEN + 8];

		snprintf(v, sizeof(v), "%s/%u", addr_format(&c->vips[i].addr, a, sizeof(a), 0),
			 c->vips[i].prefix);
		if (i)
			sbuf_puts(out, ",");
		sbuf_json_str(out, v);
	}
	sbuf_printf(out, "],\"last_transition\":{\"from\":\"%s\",\"to\":\"%s\",\"ago_ms\":",
		    vrrp_fsm_state_name(f->last_from), vrrp_fsm_state_name(f->state));
	if (f->last_at_ms && now >= f->last_at_ms)
		sbuf_printf(out, "%llu", (unsigned long long)(now - f->last_at_ms));
	else
		sbuf_puts(out, "null");
	sbuf_puts(out, ",\"reason\":");
	sbuf_json_str(out, f->reason);
	sbuf_puts(out, "},\"counters\":");
	counters_json(vi, out);
	sbuf_puts(out, "}");
}

static void one_text(const struct vinst *vi, struct sbuf *out, uint64_t now)
{
	const struct vrrp_instance *c = vi->cfg;
	const struct vrrp_fsm *f = &vi->fsm;
	char a[ADDR_STRLEN], m[ADDR_STRLEN];
	unsigned i;

	sbuf_printf(out, "vrrp_instance %s: %s  %s vrid %u v%u %s  priority %u (base %u)\n",
		    c->name, vrrp_fsm_state_name(f->state), c->ifname, c->vrid, c->version,
		    c->family == AF_INET6 ? "IPv6" : "IPv4", f->prio, c->priority);
	sbuf_printf(out, "  master %s  source %s  advert %u ms (master's %u ms)\n",
		    *master_str(vi, m, sizeof(m)) ? m : "-",
		    vi->src.family ? addr_format(&vi->src, a, sizeof(a), 0) : "-", f->adv_cs * 10,
		    f->master_adv_cs * 10);
	sbuf_puts(out, "  vips");
	for (i = 0; i < c->n_vips; i++)
		sbuf_printf(out, " %s/%u%s", addr_format(&c->vips[i].addr, a, sizeof(a), 0),
			    c->vips[i].prefix, c->vips[i].excluded ? "(excluded)" : "");
	sbuf_puts(out, "\n");
	if (f->last_at_ms && now >= f->last_at_ms)
		sbuf_printf(out, "  last %s -> %s %.1f s ago: %s\n",
			    vrrp_fsm_state_name(f->last_from), vrrp_fsm_state_name(f->state),
			    (double)(now - f->last_at_ms) / 1000.0, f->reason);
	sbuf_printf(out,
		    "  rx %llu accepted %llu  tx %llu errors %llu  prio0 sent %llu  "
		    "master_down %llu  to master/backup/fault %llu/%llu/%llu\n",
		    (unsigned long long)vi->rx, (unsigned long long)vi->rx_accepted,
		    (unsigned long long)vi->tx, (unsigned long long)vi->tx_errors,
		    (unsigned long long)f->cnt.tx_prio_zero, (unsigned long long)f->cnt.master_down,
		    (unsigned long long)f->cnt.to_master, (unsigned long long)f->cnt.to_backup,
		    (unsigned long long)f->cnt.to_fault);
	for (i = 1; i < VRRP_DROP__COUNT; i++)
		if (vi->drop[i])
			sbuf_printf(out, "  dropped %s %llu\n", vrrp_drop_name(i),
				    (unsigned long long)vi->drop[i]);
}

void vrrp_run_show(struct fulcrum *fc, struct sbuf *out, int json)
{
	struct vrun *r = fc->vrrp;
	struct vinst *vi;
	uint64_t now = loop_clock_ms();

	if (json)
		sbuf_puts(out, "{\"vrrp\":[");
	for (vi = r ? r->inst : NULL; vi; vi = vi->next) {
		if (json) {
			if (vi != r->inst)
				sbuf_puts(out, ",");
			one_json(vi, out, now);
		} else
			one_text(vi, out, now);
	}
	if (json)
		sbuf_puts(out, "]}\n");
	else if (!r || !r->inst)
		sbuf_puts(out, "no vrrp_instance\n");
}

void vrrp_run_list_json(const struct fulcrum *fc, struct sbuf *out)
{
	struct vrun *r = fc->vrrp;
	struct vinst *vi;
	char a[ADDR_STRLEN];

	sbuf_puts(out, "\"vrrp\":[");
	for (vi = r ? r->inst : NULL; vi; vi = vi->next) {
		if (vi != r->inst)
			sbuf_puts(out, ",");
		sbuf_puts(out, "{\"name\":");
		sbuf_json_str(out, vi->cfg->name);
		sbuf_printf(out, ",\"state\":\"%s\",\"priority\":%u,\"master\":",
			    vrrp_fsm_state_name(vi->fsm.state), vi->fsm.prio);
		sbuf_json_str(out, master_str(vi, a, sizeof(a)));
		sbuf_puts(out, "}");
	}
	sbuf_puts(out, "]");
}
