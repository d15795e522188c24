/* The virtual-server level of health checking: quorum and hysteresis with
 * their scripts, the sorry server hand-over, ha_suspend.
 *
 * keepalived's rules (check/ipwrapper.c, update_quorum_state):
 *  - weight = sum of the weights of the servers that are up;
 *  - quorum gained when weight >= quorum + hysteresis;
 *  - quorum lost when weight = 0 or weight < quorum - hysteresis;
 *  - on loss with a sorry server: the servers still up leave the pool and
 *    the sorry server enters it; on gain the reverse.  Without a sorry
 *    server the pool is not touched; only the scripts run.
 * Here "leave the pool" is the live `held` flag: the server stays in the
 * engine's table with weight 0 (rs_available() is 0), so the engine picks
 * no one and falls back on the sorry server. */
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/health-int.h"
#include "check/health.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/model.h"

struct vs_health *vh_new(struct fulcrum *fc, const struct health_hooks *hooks,
			  struct virtual_server *vs)
{
	struct vs_health *vh = calloc(1, sizeof(*vh));

	if (!vh)
		return NULL;
	vh->fc = fc;
	vh->hooks = hooks;
	vh->vs = vs;
	return vh;
}

long vh_weight(const struct virtual_server *vs)
{
	const struct real_server *rs;
	long w = 0;

	for (rs = vs->rs; rs; rs = rs->next) {
		const struct rs_live *lv = rs->live;

		if (lv->health != RS_HEALTH_UP || lv->admin != RS_ADMIN_ENABLED)
			continue;
		w += lv->dyn_set ? lv->dyn_weight : rs->cur_weight;
	}
	return w;
}

static void quorum_script(struct vs_health *vh, const char *cmd, const char *which)
{
	char l[ADDR_STRLEN + 16], what[ADDR_STRLEN + 48];

	if (!cmd)
		return;
	snprintf(what, sizeof(what), "%s: %s", health_vs_label(vh->vs, l, sizeof(l)), which);
	health_script(vh->fc->loop, cmd, what);
}

static int set_held(struct rs_live *lv, int held)
{
	if (lv->held == held)
		return 0;
	lv->held = held;
	return 1;
}

int vh_eval(struct vs_health *vh)
{
	struct virtual_server *vs = vh->vs;
	long q = vs->quorum ? (long)vs->quorum : 1, h = vs->hysteresis;
	long w = vh_weight(vs);
	char l[ADDR_STRLEN + 16], a[ADDR_STRLEN];
	struct real_server *rs;
	int changed = 0, active;

	health_vs_label(vs, l, sizeof(l));
	if (!vh->started) {
		vh->started = 1;
		vh->quorum_up = w > 0 && w >= q + h;
		vh->quorum_ms = loop_now(vh->fc->loop);
		if (!vh->quorum_up) {
			log_info("%s: starting with quorum down (weight %ld < %ld+%ld)", l, w, q,
				 h);
			quorum_script(vh, vs->quorum_down, "quorum_down");
		}
	} else if (!vh->quorum_up && w > 0 && w >= q + h) {
		vh->quorum_up = 1;
		vh->quorum_ms = loop_now(vh->fc->loop);
		log_info("%s: quorum gained (weight %ld >= %ld+%ld)", l, w, q, h);
		quorum_script(vh, vs->quorum_up, "quorum_up");
	} else if (vh->quorum_up && (w == 0 || w < q - h)) {
		vh->quorum_up = 0;
		vh->quorum_ms = loop_now(vh->fc->loop);
		log_warn("%s: quorum lost (weight %ld < %ld-%ld)", l, w, q, h);
		quorum_script(vh, vs->quorum_down, "quorum_down");
	}

	active = vs->sorry && !vh->quorum_up;
	if (active != vh->sorry_active) {
		vh->sorry_active = active;
		addr_format(&vs->sorry->addr, a, sizeof(a), 1);
		if (active)
			log_warn("%s: sorry server %s takes the new clients", l, a);
		else
			log_info("%s: sorry server %s hands back to the real servers", l, a);
	}
	/* the held flags follow the state whether it just changed or not: a
	 * server added or brought up while quorum is lost joins the others */
	for (rs = vs->rs; rs; rs = rs->next)
		changed |= set_held(rs->live, active);
	if (vs->sorry)
		changed |= set_held(vs->sorry->live, !active);
	return changed;
}

int health_sorry_active(const struct virtual_server *vs)
{
	const struct vs_health *vh = vs->health;

	if (!vs->sorry)
		return 0;
	if (vh)
		return vh->sorry_active;
	/* not checked (yet): the engine's own rule */
	return vh_weight(vs) == 0;
}

int vh_vip_is_local(const struct virtual_server *vs)
{
	struct ifaddrs *ifa, *i;
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		return 1; /* cannot tell: do not stop checking */
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct fc_addr a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != vs->addr.family)
			continue;
		if (addr_from_sockaddr(&a, i->ifa_addr) < 0)
			continue;
		found = addr_ip_equal(&a, &vs->addr);
	}
	freeifaddrs(ifa);
	return found;
}

void health_suspend_vs(struct fulcrum *fc, struct virtual_server *vs, int suspended)
{
	struct vs_health *vh = vs->health;
	char l[ADDR_STRLEN + 16];
	struct rs_health *rh;

	suspended = !!suspended;
	if (!vh || vh->suspended == suspended)
		return;
	vh->suspended = suspended;
	for (rh = vh->servers; rh; rh = rh->next)
		rh_suspend(rh, suspended);
	log_info("%s: checks %s", health_vs_label(vs, l, sizeof(l)),
		 suspended ? "suspended (ha_suspend)" : "resumed");
}
