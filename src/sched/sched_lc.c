/* lc — least connection (IPVS ip_vs_lc.c).
 *
 * The usable server with the smallest overhead, activeconns*256 + inactconns;
 * the first one in array order on ties.  Weights only decide usability:
 * a weight-0 (quiescent) or overloaded server is skipped. */
#include "sched/sched-int.h"

static int lc_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	uint64_t loh = 0, doh;
	int least = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sched_usable(&srv[i]))
			continue;
		doh = sched_overhead(&srv[i]);
		if (least < 0 || doh < loh) {
			least = (int)i;
			loh = doh;
		}
	}
	return least;
}

const struct sched_ops sched_lc_ops = {
    .name = "lc",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = lc_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
