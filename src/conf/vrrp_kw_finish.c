/* The VRRP reader's second step, once the whole file is read: what depends
 * on more than one block (see vrrp_kw.c).  Errors and warnings are given at
 * the file:line of the instance, track_script entry or sync group member
 * concerned. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ka.h"
#include "kw/lexer.h"
#include "model/vrrp_model.h"

#define VRRP_V3_MAX_ADVERT_CS 4095 /* 12 bits of centiseconds */

/* An error or warning at a position that is not a token (a resolved
 * reference).  Never silent: VRRP blocks are not re-walked. */
static void report_at(struct kw_ctx *c, int sev, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report_at(struct kw_ctx *c, int sev, const char *file, int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_report(c->d, sev, file, line, "%s", msg);
}

/* Version, advert_int and authentication once the version is known. */
static void finish_version(struct kw_ctx *c, struct vrrp_instance *vi, uint8_t def)
{
	if (!vi->version)
		vi->version = def ? def : 2;
	if (vi->family == AF_INET6 && vi->version == 2) {
		/* RFC 3768 is IPv4 only; keepalived switches to v3 as well */
		report_at(c, DIAG_WARNING, vi->file, vi->line,
			  "vrrp_instance %s: IPv6 needs VRRP version 3 (RFC 5798): using version 3",
			  vi->name);
		vi->version = 3;
	}
	if (vi->version == 2 && vi->advert_int_cs % 100) {
		unsigned s = (vi->advert_int_cs + 50) / 100;

		if (!s)
			s = 1;
		report_at(c, DIAG_WARNING, vi->file, vi->line,
			  "vrrp_instance %s: VRRP version 2 sends advert_int in whole seconds: "
			  "%u.%02u s rounded to %u s (version 3 allows centiseconds)",
			  vi->name, vi->advert_int_cs / 100, vi->advert_int_cs % 100, s);
		vi->advert_int_cs = s * 100;
	}
	if (vi->version == 3 && vi->advert_int_cs > VRRP_V3_MAX_ADVERT_CS)
		report_at(c, DIAG_ERROR, vi->file, vi->line,
			  "vrrp_instance %s: advert_int %u.%02u s is more than VRRP version 3 "
			  "carries (40.95 s)",
			  vi->name, vi->advert_int_cs / 100, vi->advert_int_cs % 100);
	if (vi->version == 3 &&
	    (vi->auth_type == VRRP_AUTH_PASS || vi->auth_type == VRRP_AUTH_AH)) {
		report_at(c, DIAG_WARNING, vi->file, vi->line,
			  "vrrp_instance %s: VRRP version 3 has no authentication (RFC 5798): "
			  "auth_type %s ignored",
			  vi->name, vi->auth_type == VRRP_AUTH_PASS ? "PASS" : "AH");
		vi->auth_type = VRRP_AUTH_NONE;
		memset(vi->auth_pass, 0, sizeof(vi->auth_pass));
	}
	if (vi->n_vips) {
		unsigned i, n = 0;

		for (i = 0; i < vi->n_vips; i++)
			n += !vi->vips[i].excluded;
		if (n > VRRP_MAX_VIPS)
			report_at(c, DIAG_ERROR, vi->file, vi->line,
				  "vrrp_instance %s: %u virtual_ipaddress entries; an advert "
				  "carries at most %d (use virtual_ipaddress_excluded)",
				  vi->name, n, VRRP_MAX_VIPS);
	}
}

static void finish_refs(struct kw_ctx *c, struct vrrp_instance *vi)
{
	struct vrrp_config *vc = &c->cfg->vrrp;
	struct vrrp_instance *o;
	unsigned i;

	for (o = vc->instances; o != vi; o = o->next) {
		if (o->vrid && o->vrid == vi->vrid && o->family == vi->family &&
		    !strcmp(o->ifname, vi->ifname)) {
			report_at(c, DIAG_ERROR, vi->file, vi->line,
				  "vrrp_instance %s: interface %s, virtual_router_id %u and %s are "
				  "already used by vrrp_instance %s (%s:%d)",
				  vi->name, vi->ifname, vi->vrid,
				  vi->family == AF_INET6 ? "IPv6" : "IPv4", o->name, o->file,
				  o->line);
			break;
		}
	}
	for (i = 0; i < vi->n_track_scripts;) {
		struct vrrp_track_script *t = &vi->track_scripts[i];
		const struct vrrp_script *vs = vrrp_find_script(vc, t->name);

		if (!vs)
			report_at(c, DIAG_ERROR, t->file, t->line,
				  "track_script %s: no vrrp_script %s is defined", t->name,
				  t->name);
		if (vs && !vs->script) {
			/* warned at the vrrp_script: drop the entry */
			free(t->name);
			memmove(t, t + 1, (vi->n_track_scripts - i - 1) * sizeof(*t));
			vi->n_track_scripts--;
			continue;
		}
		i++;
	}
}

/* vrrp_script blocks without a script line were kept only so that
 * track_script could tell them from typos: drop them now. */
static void drop_empty_scripts(struct vrrp_config *vc)
{
	struct vrrp_script **p = &vc->scripts, *vs;

	while ((vs = *p)) {
		if (vs->script) {
			p = &vs->next;
			continue;
		}
		*p = vs->next;
		vrrp_script_free(vs);
	}
}

/* Does vi track anything with a weight (its own or its script's)? */
static int has_weights(const struct vrrp_config *vc, const struct vrrp_instance *vi)
{
	unsigned i;

	for (i = 0; i < vi->n_track_ifs; i++)
		if (vi->track_ifs[i].weight)
			return 1;
	for (i = 0; i < vi->n_track_scripts; i++) {
		const struct vrrp_script *s = vrrp_find_script(vc, vi->track_scripts[i].name);
		int w = vi->track_scripts[i].weight != VRRP_WEIGHT_UNSET ? vi->track_scripts[i].weight
		        : s ? s->weight : 0;

		if (w)
			return 1;
	}
	return 0;
}

static void finish_groups(struct kw_ctx *c)
{
	struct vrrp_config *vc = &c->cfg->vrrp;
	struct vrrp_sync_group *g;
	struct vrrp_instance *vi;
	unsigned i;

	for (g = vc->groups; g; g = g->next) {
		for (i = 0; i < g->n_members; i++) {
			vi = vrrp_find_instance(vc, g->members[i]);
			if (!vi) {
				report_at(c, DIAG_ERROR, g->file, g->member_lines[i],
					  "vrrp_sync_group %s: no vrrp_instance %s is defined",
					  g->name, g->members[i]);
				continue;
			}
			if (vi->sync_group) {
				report_at(c, DIAG_ERROR, g->file, g->member_lines[i],
					  "vrrp_sync_group %s: vrrp_instance %s is already in "
					  "vrrp_sync_group %s",
					  g->name, vi->name, vi->sync_group);
				continue;
			}
			vi->sync_group = strdup(g->name);
			if (!vi->sync_group)
				report_at(c, DIAG_ERROR, g->file, g->line, "out of memory");
			vi->sync_tracking_weight = g->tracking_weight;
			if (!g->tracking_weight && has_weights(vc, vi))
				report_at(c, DIAG_WARNING, vi->file, vi->line,
					  "vrrp_instance %s is in vrrp_sync_group %s: its tracking "
					  "weights are ignored (a failure means FAULT for the "
					  "group), as keepalived does; sync_group_tracking_weight "
					  "in the group keeps them",
					  vi->name, g->name);
		}
	}
}

/* An IPv6 VIP left preferred (keepalived's default for all but /128) that
 * is the address of an LVS-DR/TUN virtual_server: the director may send its
 * health checks from it, and the real servers, which hold it on lo, answer
 * to themselves, so they all go DOWN.  Warned, not changed: keepalived's
 * default stands (doc/vrrp.md, "IPv6 VIPs and the source address"). */
static void warn_preferred_dr_vips(struct kw_ctx *c, const struct vrrp_instance *vi)
{
	const struct virtual_server *vs;
	char a[ADDR_STRLEN];
	unsigned i;

	for (i = 0; i < vi->n_vips; i++) {
		const struct vrrp_vip *v = &vi->vips[i];

		if (v->addr.family != AF_INET6 || v->preferred_lft == 0)
			continue;
		for (vs = c->cfg->vs; vs; vs = vs->next)
			if ((vs->fwd == FWD_DR || vs->fwd == FWD_TUN) &&
			    addr_ip_equal(&vs->addr, &v->addr))
				break;
		if (vs)
			report_at(c, DIAG_WARNING, vi->file, vi->line,
				  "vrrp_instance %s: virtual_ipaddress %s/%u is preferred, so the "
				  "director may send its health checks from it and the LVS-%s real "
				  "servers answer to themselves; add 'preferred_lft 0' to its line",
				  vi->name, addr_format(&v->addr, a, sizeof(a), 0), v->prefix,
				  vs->fwd == FWD_DR ? "DR" : "TUN");
	}
}

void vrrp_kw_finish(struct kw_ctx *c)
{
	struct vrrp_config *vc = &c->cfg->vrrp;
	struct vrrp_instance *vi;

	for (vi = vc->instances; vi; vi = vi->next) {
		finish_version(c, vi, vc->default_version);
		if (vi->garp_interval_ms == UINT_MAX)
			vi->garp_interval_ms = vc->default_garp_interval_ms;
		if (vi->gna_interval_ms == UINT_MAX)
			vi->gna_interval_ms = vc->default_gna_interval_ms;
	}
	for (vi = vc->instances; vi; vi = vi->next) {
		finish_refs(c, vi);
		warn_preferred_dr_vips(c, vi);
	}
	drop_empty_scripts(vc);
	finish_groups(c);
}
