/* sed — shortest expected delay (IPVS ip_vs_sed.c).
 *
 * The usable server with the smallest (activeconns + 1) / weight: the delay
 * the new connection would see, counting itself.  Inactive connections do
 * not count.  Cross-multiplied in 64 bits; ties go to the first server. */
#include "sched/sched-int.h"

static int sed_pick(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in)
{
	uint64_t loh, doh;
	size_t i, least;

	for (i = 0; i < n; i++)
		if (sched_usable(&srv[i]))
			break;
	if (i == n)
		return -1;
	least = i;
	loh = (uint64_t)srv[least].activeconns + 1;
	for (i++; i < n; i++) {
		if (!sched_usable(&srv[i]))
			continue;
		doh = (uint64_t)srv[i].activeconns + 1;
		if (loh * (uint64_t)srv[i].weight > doh * (uint64_t)srv[least].weight) {
			least = i;
			loh = doh;
		}
	}
	return (int)least;
}

const struct sched_ops sched_sed_ops = {
    .name = "sed",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = sed_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
