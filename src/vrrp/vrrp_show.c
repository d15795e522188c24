/* `show vrrp` and the vrrp part of `list --json` (fields: doc/vrrp.md):
 * the text, and the statistics fields the JSON is written from. */
#include <stdio.h>
#include <string.h>

#include "core/loop.h"
#include "core/stats.h"
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

/* ---- the statistics fields of an instance (doc/internals/stats.md) ---- */

#define VI(obj) ((const struct vinst *)(obj))

static enum stat_got get_name(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->s = VI(obj)->cfg->name;
	return STAT_SET;
}

static enum stat_got get_state(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	v->s = vrrp_fsm_state_name(VI(obj)->fsm.state);
	return STAT_SET;
}

static enum stat_got get_interface(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	v->s = stat_chars(c, VI(obj)->cfg->ifname, sizeof(VI(obj)->cfg->ifname));
	return STAT_SET;
}

/* the small integers of the configuration and the state machine */
enum { N_VRID, N_VERSION, N_PRIO, N_BASE_PRIO, N_MASTER_PRIO, N_ADV_MS, N_MASTER_ADV_MS };

static enum stat_got get_num(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v)
{
	const struct vrrp_instance *cf = VI(obj)->cfg;
	const struct vrrp_fsm *fsm = &VI(obj)->fsm;

	switch (f->arg) {
	case N_VRID:
		v->i = cf->vrid;
		break;
	case N_VERSION:
		v->i = cf->version;
		break;
	case N_PRIO:
		v->i = fsm->prio;
		break;
	case N_BASE_PRIO:
		v->i = cf->priority;
		break;
	case N_MASTER_PRIO:
		v->i = fsm->state == VRRP_MASTER ? fsm->prio
		       : fsm->master.family	 ? fsm->master_prio
						 : 0;
		break;
	case N_ADV_MS:
		v->i = (long long)fsm->adv_cs * 10;
		break;
	default:
		v->i = (long long)fsm->master_adv_cs * 10;
		break;
	}
	return STAT_SET;
}

static enum stat_got get_family(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->s = VI(obj)->cfg->family == AF_INET6 ? "inet6" : "inet";
	return STAT_SET;
}

static enum stat_got get_master(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	v->s = master_str(obj, c->buf, sizeof(c->buf));
	return STAT_SET;
}

static enum stat_got get_source(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	const struct vinst *vi = obj;

	v->s = vi->src.family ? addr_format(&vi->src, c->buf, sizeof(c->buf), 0) : "";
	return STAT_SET;
}

static enum stat_got get_first_vip(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				   union stat_val *v)
{
	const struct vrrp_instance *cf = VI(obj)->cfg;

	v->p = cf->n_vips ? cf->vips : NULL;
	return STAT_SET;
}

static const void *next_vip(const void *obj, const void *cur)
{
	const struct vrrp_instance *cf = VI(obj)->cfg;
	const struct vrrp_vip *vip = cur;

	return vip + 1 < cf->vips + cf->n_vips ? vip + 1 : NULL;
}

static enum stat_got get_vip(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			     union stat_val *v)
{
	const struct vrrp_vip *vip = obj;
	char a[ADDR_STRLEN];

	snprintf(c->buf, sizeof(c->buf), "%s/%u", addr_format(&vip->addr, a, sizeof(a), 0),
		 vip->prefix);
	v->s = c->buf;
	return STAT_SET;
}

static const struct stat_field vip_fields[] = {
    {"vip", STAT_STRING, "a virtual_ipaddress as ADDRESS/PREFIX", .get = get_vip},
};

static const struct stat_table vip_table = {.kind = "vip", .fields = vip_fields, .n = 1, .bare = 1};

static enum stat_got get_from(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			      union stat_val *v)
{
	v->s = vrrp_fsm_state_name(VI(obj)->fsm.last_from);
	return STAT_SET;
}

static enum stat_got get_ago_ms(const void *obj, const struct stat_field *f, struct stat_ctx *c,
				union stat_val *v)
{
	const struct vrrp_fsm *fsm = &VI(obj)->fsm;

	if (!fsm->last_at_ms || c->now_ms < fsm->last_at_ms)
		return STAT_NULL;
	v->i = (long long)(c->now_ms - fsm->last_at_ms);
	return STAT_SET;
}

static const struct stat_field transition_fields[] = {
    {"from", STAT_ENUM, "the state before the last transition", .get = get_from},
    {"to", STAT_ENUM, "the state after it (the state now)", .get = get_state},
    {"ago_ms", STAT_GAUGE, "milliseconds since it, null if none yet", .get = get_ago_ms},
    {"reason", STAT_STRING, "why it happened", STAT_AT(struct vinst, fsm.reason, STAT_LD_CHARS)},
};

static const struct stat_table transition = STAT_TABLE("transition", transition_fields);

/* one counter per way an advert is refused; names: vrrp_drop_name() */
#define DROP(n, i, h)                                                                              \
	{                                                                                          \
		n, STAT_COUNTER, h, STAT_AT(struct vinst, drop[i], STAT_LD_U64)                    \
	}
static const struct stat_field drop_fields[] = {
    DROP("bad_ip_header", VRRP_DROP_IP_HEADER, "IPv4 header: version, length, fragment"),
    DROP("bad_protocol", VRRP_DROP_PROTOCOL, "IPv4 protocol not 112 (nor 51)"),
    DROP("bad_ttl", VRRP_DROP_TTL, "TTL / hop limit not 255: not from the link"),
    DROP("too_short", VRRP_DROP_TOO_SHORT, "shorter than the VRRP header"),
    DROP("bad_version", VRRP_DROP_VERSION, "not the instance's VRRP version"),
    DROP("bad_type", VRRP_DROP_TYPE, "not an advertisement"),
    DROP("other_vrid", VRRP_DROP_OTHER_VRID, "another virtual_router_id (not an error)"),
    DROP("no_addresses", VRRP_DROP_NO_ADDRS, "address count 0"),
    DROP("bad_length", VRRP_DROP_LENGTH, "length does not match the address count"),
    DROP("bad_checksum", VRRP_DROP_CHECKSUM, "bad checksum"),
    DROP("bad_advert_int", VRRP_DROP_ADVERT_INT, "advert interval 0"),
    DROP("auth_type_mismatch", VRRP_DROP_AUTH_TYPE, "authentication type differs from ours"),
    DROP("auth_unsupported", VRRP_DROP_AUTH_UNSUPPORTED, "IPsec AH authentication"),
    DROP("auth_pass_mismatch", VRRP_DROP_AUTH_PASS, "PASS authentication: password differs"),
    DROP("auth_hmac_failure", VRRP_DROP_AUTH_HMAC, "HMAC: bad trailer or MAC"),
    DROP("replay", VRRP_DROP_REPLAY, "HMAC: sequence number seen or too old"),
};

static const struct stat_table drops = STAT_TABLE("vrrp_drop", drop_fields);

#define CNT(n, m, h)                                                                               \
	{                                                                                          \
		n, STAT_COUNTER, h, STAT_AT(struct vinst, m, STAT_LD_U64)                          \
	}
static const struct stat_field counter_fields[] = {
    CNT("rx", rx, "adverts received"),
    CNT("rx_accepted", rx_accepted, "adverts accepted"),
    CNT("rx_not_peer", rx_not_peer, "adverts from outside unicast_peer"),
    CNT("tx", tx, "adverts sent"),
    CNT("tx_errors", tx_errors, "adverts that could not be sent"),
    CNT("tx_prio_zero", fsm.cnt.tx_prio_zero, "priority-0 adverts sent (leaving MASTER)"),
    CNT("rx_own", fsm.cnt.rx_own, "own adverts looped back"),
    CNT("rx_ignored", fsm.cnt.rx_ignored, "adverts received in INIT or FAULT"),
    CNT("rx_interval_mismatch", fsm.cnt.rx_interval_mismatch,
	"VRRPv2 adverts with another interval (discarded)"),
    CNT("rx_prio_zero", fsm.cnt.rx_prio_zero, "priority-0 adverts: a master left"),
    CNT("rx_lower_discarded", fsm.cnt.rx_lower_discarded,
	"BACKUP, preempting: adverts of a lower master ignored"),
    CNT("rx_lower_master", fsm.cnt.rx_lower_master, "MASTER: adverts of a lower master"),
    CNT("master_down", fsm.cnt.master_down, "Master_Down_Timer expiries"),
    CNT("to_master", fsm.cnt.to_master, "transitions to MASTER"),
    CNT("to_backup", fsm.cnt.to_backup, "transitions to BACKUP"),
    CNT("to_fault", fsm.cnt.to_fault, "transitions to FAULT"),
    {"drop", STAT_OBJECT, "adverts refused, by reason", .get = stat_get_self, .sub = &drops},
};

static const struct stat_table counters = STAT_TABLE("vrrp_counters", counter_fields);

static const struct stat_field instance_fields[] = {
    {"name", STAT_STRING, "vrrp_instance NAME", .get = get_name},
    {"state", STAT_ENUM, "INIT, BACKUP, MASTER or FAULT", .get = get_state},
    {"interface", STAT_STRING, "interface", .get = get_interface},
    {"vrid", STAT_CONFIG, "virtual_router_id", .get = get_num, .arg = N_VRID},
    {"version", STAT_CONFIG, "VRRP version, 2 or 3", .get = get_num, .arg = N_VERSION},
    {"family", STAT_ENUM, "inet or inet6", .get = get_family},
    {"priority", STAT_GAUGE, "priority in force (base and tracking)", .get = get_num,
     .arg = N_PRIO},
    {"base_priority", STAT_CONFIG, "priority", .get = get_num, .arg = N_BASE_PRIO},
    {"master", STAT_STRING, "the master's address (ours when MASTER), \"\" if unknown",
     .get = get_master},
    {"master_priority", STAT_GAUGE, "the master's priority, 0 if unknown", .get = get_num,
     .arg = N_MASTER_PRIO},
    {"source", STAT_STRING, "the address adverts are sent from, \"\" if none", .get = get_source},
    {"advert_int_ms", STAT_GAUGE, "our advert interval in milliseconds", .get = get_num,
     .arg = N_ADV_MS},
    {"master_advert_int_ms", STAT_GAUGE, "the master's advert interval in milliseconds",
     .get = get_num, .arg = N_MASTER_ADV_MS},
    {"vips", STAT_LIST, "virtual_ipaddress, ADDRESS/PREFIX each", .get = get_first_vip,
     .next = next_vip, .sub = &vip_table},
    {"last_transition", STAT_OBJECT, "the last state change", .get = stat_get_self,
     .sub = &transition},
    {"counters", STAT_OBJECT, "adverts and transitions", .get = stat_get_self, .sub = &counters},
};

static const struct stat_table instance = STAT_TABLE("vrrp_instance", instance_fields);

/* an instance in brief, as `list --json` shows it */
static const struct stat_field brief_fields[] = {
    {"name", STAT_STRING, "vrrp_instance NAME", .get = get_name},
    {"state", STAT_ENUM, "INIT, BACKUP, MASTER or FAULT", .get = get_state},
    {"priority", STAT_GAUGE, "priority in force (base and tracking)", .get = get_num,
     .arg = N_PRIO},
    {"master", STAT_STRING, "the master's address (ours when MASTER), \"\" if unknown",
     .get = get_master},
};

static const struct stat_table brief = STAT_TABLE("vrrp_instance", brief_fields);

static enum stat_got get_first(const void *obj, const struct stat_field *f, struct stat_ctx *c,
			       union stat_val *v)
{
	const struct vrun *r = ((const struct fulcrum *)obj)->vrrp;

	v->p = r ? r->inst : NULL;
	return STAT_SET;
}

static const void *next_inst(const void *obj, const void *cur)
{
	return VI(cur)->next;
}

static const struct stat_field doc_fields[] = {
    {"vrrp", STAT_LIST, "the instances, in config order", .get = get_first, .next = next_inst,
     .sub = &instance},
};

static const struct stat_field brief_doc_fields[] = {
    {"vrrp", STAT_LIST, "the instances, in config order", .get = get_first, .next = next_inst,
     .sub = &brief},
};

const struct stat_table vrrp_stats = STAT_TABLE("vrrp", doc_fields);
const struct stat_table vrrp_stats_brief = STAT_TABLE("vrrp", brief_doc_fields);

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

	if (json) {
		struct stat_ctx c = {.now_ms = now};

		stat_json(out, &vrrp_stats, fc, &c);
		sbuf_puts(out, "\n");
		return;
	}
	for (vi = r ? r->inst : NULL; vi; vi = vi->next)
		one_text(vi, out, now);
	if (!r || !r->inst)
		sbuf_puts(out, "no vrrp_instance\n");
}
