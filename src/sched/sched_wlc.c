/* wlc — weighted least connection (IPVS ip_vs_wlc.c), fulcrum's default.
 *
 * The usable server with the smallest overhead/weight, where overhead is
 * activeconns*256 + inactconns.  No division: h1/w1 > h2/w2 is tested as
 * h1*w2 > h2*w1 in 64 bits.  Ties go to the first server in array order. */
#include "sched/sched-int.h"

int sched_wlc_choose(const struct sched_server *srv, size_t n)
{
	uint64_t loh, doh;
	size_t i, least;

	for (i = 0; i < n; i++)
		if (sched_usable(&srv[i]))
			break;
	if (i == n)
		return -1;
	least = i;
	loh = sched_overhead(&srv[least]);
	for (i++; i < n; i++) {
		/* The kernel only skips overloaded servers here: a weight-0
		 * one can never win the comparison below.  Skipping it is
		 * the same result, said plainly. */
		if (!sched_usable(&srv[i]))
			continue;
		doh = sched_overhead(&srv[i]);
		if (loh * (uint64_t)srv[i].weight > doh * (uint64_t)srv[least].weight) {
			least = i;
			loh = doh;
		}
	}
	return (int)least;
}

static int wlc_pick(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in)
{
	return sched_wlc_choose(srv, n);
}

const struct sched_ops sched_wlc_ops = {
    .name = "wlc",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = wlc_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
