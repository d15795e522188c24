/* fo — weighted failover (IPVS ip_vs_fo.c).
 *
 * Every new connection goes to the usable server with the highest weight,
 * the first one in array order on ties.  Give the primary the highest
 * weight and the standbys lower ones: when the primary is drained,
 * overloaded or removed, the next weight takes over. */
#include "sched/sched-int.h"

static int fo_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	int best = -1, hw = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!srv[i].overloaded && srv[i].weight > hw) {
			best = (int)i;
			hw = srv[i].weight;
		}
	}
	return best;
}

const struct sched_ops sched_fo_ops = {
    .name = "fo",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = fo_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
