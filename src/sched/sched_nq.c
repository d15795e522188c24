/* nq — never queue (IPVS ip_vs_nq.c).
 *
 * The first usable server with no active connection wins at once, whatever
 * its weight; otherwise the sed choice, (activeconns + 1) / weight, smallest
 * first, ties to the first server. */
#include "sched/sched-int.h"

static int nq_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	uint64_t loh = 0, doh;
	int least = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sched_usable(&srv[i]))
			continue;
		if (srv[i].activeconns == 0)
			return (int)i;
		doh = (uint64_t)srv[i].activeconns + 1;
		if (least < 0 ||
		    loh * (uint64_t)srv[i].weight > doh * (uint64_t)srv[least].weight) {
			least = (int)i;
			loh = doh;
		}
	}
	return least;
}

const struct sched_ops sched_nq_ops = {
    .name = "nq",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = nq_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
