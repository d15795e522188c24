/* ovf — overflow connection (IPVS ip_vs_ovf.c).
 *
 * The weight is a connection budget: new connections go to the server with
 * the highest weight (first on ties) among those whose active connections do
 * not exceed their weight; when it fills up, they overflow to the next.
 * As in the kernel the test is activeconns > weight, so a server holding
 * exactly `weight` active connections still takes one more.  Only active
 * connections count, which makes it a poor fit for UDP. */
#include "sched/sched-int.h"

static int ovf_pick(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in)
{
	int best = -1, hw = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!sched_usable(&srv[i]) || srv[i].activeconns > (uint32_t)srv[i].weight)
			continue;
		if (best < 0 || srv[i].weight > hw) {
			best = (int)i;
			hw = srv[i].weight;
		}
	}
	return best;
}

const struct sched_ops sched_ovf_ops = {
    .name = "ovf",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = ovf_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
