/* The pool level of health checking: quorum and hysteresis with their
 * scripts, the sorry server hand-over, ha_suspend.  A pool's state is one,
 * whatever number of services use it; a change is handed to each of them.
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

struct pool_health *ph_new(struct fulcrum *fc, const struct health_hooks *hooks, struct pool *pool)
{
	struct pool_health *ph = calloc(1, sizeof(*ph));

	if (!ph)
		return NULL;
	ph->fc = fc;
	ph->hooks = hooks;
	ph->pool = pool;
	return ph;
}

int ph_add_svc(struct pool_health *ph, struct virtual_server *vs)
{
	struct virtual_server **v = realloc(ph->svcs, (ph->n_svcs + 1) * sizeof(*v));

	if (!v)
		return -1;
	ph->svcs = v;
	v[ph->n_svcs] = vs;
	ph->all_ha = (ph->n_svcs == 0 || ph->all_ha) && vs->ha_suspend;
	ph->n_svcs++;
	return 0;
}

const char *ph_label(const struct pool_health *ph)
{
	return ph->pool->name ? ph->pool->name : "?";
}

long ph_weight(const struct pool *pool)
{
	const struct real_server *rs;
	long w = 0;

	for (rs = pool->rs; rs; rs = rs->next) {
		const struct rs_live *lv = rs->live;

		if (lv->health != RS_HEALTH_UP || lv->admin != RS_ADMIN_ENABLED)
			continue;
		w += lv->dyn_set ? lv->dyn_weight : rs->cur_weight;
	}
	return w;
}

static void quorum_script(struct pool_health *ph, const char *cmd, const char *which)
{
	char what[ADDR_STRLEN + 48];

	if (!cmd)
		return;
	snprintf(what, sizeof(what), "%s: %s", ph_label(ph), which);
	health_script(ph->fc->loop, cmd, what);
}

static int set_held(struct rs_live *lv, int held)
{
	if (lv->held == held)
		return 0;
	lv->held = held;
	return 1;
}

int ph_eval(struct pool_health *ph)
{
	struct pool *pool = ph->pool;
	long q = pool->quorum ? (long)pool->quorum : 1, h = pool->hysteresis;
	long w = ph_weight(pool);
	const char *l = ph_label(ph);
	char a[ADDR_STRLEN];
	struct real_server *rs;
	int changed = 0, active;

	if (!ph->started) {
		ph->started = 1;
		ph->quorum_up = w > 0 && w >= q + h;
		ph->quorum_ms = loop_now(ph->fc->loop);
		if (!ph->quorum_up) {
			log_info("%s: starting with quorum down (weight %ld < %ld+%ld)", l, w, q,
				 h);
			quorum_script(ph, pool->quorum_down, "quorum_down");
		}
	} else if (!ph->quorum_up && w > 0 && w >= q + h) {
		ph->quorum_up = 1;
		ph->quorum_ms = loop_now(ph->fc->loop);
		log_info("%s: quorum gained (weight %ld >= %ld+%ld)", l, w, q, h);
		quorum_script(ph, pool->quorum_up, "quorum_up");
	} else if (ph->quorum_up && (w == 0 || w < q - h)) {
		ph->quorum_up = 0;
		ph->quorum_ms = loop_now(ph->fc->loop);
		log_warn("%s: quorum lost (weight %ld < %ld-%ld)", l, w, q, h);
		quorum_script(ph, pool->quorum_down, "quorum_down");
	}

	active = pool->sorry && !ph->quorum_up;
	if (active != ph->sorry_active) {
		ph->sorry_active = active;
		addr_format(&pool->sorry->addr, a, sizeof(a), 1);
		if (active)
			log_warn("%s: sorry server %s takes the new clients", l, a);
		else
			log_info("%s: sorry server %s hands back to the real servers", l, a);
	}
	/* the held flags follow the state whether it just changed or not: a
	 * server added or brought up while quorum is lost joins the others */
	for (rs = pool->rs; rs; rs = rs->next)
		changed |= set_held(rs->live, active);
	if (pool->sorry)
		changed |= set_held(pool->sorry->live, !active);
	return changed;
}

int health_sorry_active(const struct virtual_server *vs)
{
	const struct pool_health *ph = vs->pool->health;

	if (!vs->pool->sorry)
		return 0;
	if (ph)
		return ph->sorry_active;
	/* not checked (yet): the engine's own rule */
	return ph_weight(vs->pool) == 0;
}

int ph_vip_is_local(const struct virtual_server *vs)
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

int ph_want_suspended(const struct pool_health *ph, const struct virtual_server *except)
{
	unsigned i;

	if (!ph->all_ha)
		return 0;
	for (i = 0; i < ph->n_svcs; i++)
		if (ph->svcs[i] != except && ph_vip_is_local(ph->svcs[i]))
			return 0;
	return 1;
}

void health_suspend_vs(struct fulcrum *fc, struct virtual_server *vs, int suspended)
{
	struct pool_health *ph = vs->pool->health;
	struct rs_health *rh;

	suspended = !!suspended;
	if (!ph || ph->suspended == suspended)
		return;
	/* a pool shared with other services stops checking only when none of
	 * them needs it: each has ha_suspend and its address is not local */
	if (suspended && ph->n_svcs > 1 && !ph_want_suspended(ph, vs))
		return;
	ph->suspended = suspended;
	for (rh = ph->servers; rh; rh = rh->next)
		rh_suspend(rh, suspended);
	log_info("%s: checks %s", ph_label(ph), suspended ? "suspended (ha_suspend)" : "resumed");
}
