/* twos — weighted power of two choices (IPVS ip_vs_twos.c).
 *
 * Two servers are drawn at random, each with probability proportional to its
 * weight, and the one with the lower overhead/weight (activeconns*256 +
 * inactconns, cross-multiplied) gets the connection; on a tie the first draw
 * wins.  As in the kernel, the draws are uniform over [0, total weight]
 * inclusive and walk the array subtracting weights until the remainder is
 * <= 0, which gives the first usable server one extra chance in
 * total+1.  Randomness comes from sched_rand(), seeded by sched_create(). */
#include "sched/sched-int.h"
#include "sched/sched.h"

static int twos_pick(struct sched *s, const struct sched_server *srv, size_t n,
		     const struct sched_input *in)
{
	int64_t total = 0, r1, r2;
	int c1 = -1, c2 = -1;
	uint64_t oh1 = 0, oh2 = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (sched_usable(&srv[i]))
			total += srv[i].weight;
	if (total == 0)
		return -1;
	total += 1;
	r1 = (int64_t)((sched_rand(s) >> 32) % (uint64_t)total);
	r2 = (int64_t)((sched_rand(s) >> 32) % (uint64_t)total);

	for (i = 0; i < n && (c1 < 0 || c2 < 0); i++) {
		if (!sched_usable(&srv[i]))
			continue;
		r1 -= srv[i].weight;
		r2 -= srv[i].weight;
		if (r1 <= 0 && c1 < 0) {
			c1 = (int)i;
			oh1 = sched_overhead(&srv[i]);
		}
		if (r2 <= 0 && c2 < 0) {
			c2 = (int)i;
			oh2 = sched_overhead(&srv[i]);
		}
	}
	/* Each draw is at most the sum of the weights, so both land. */
	if (c1 < 0)
		return c2;
	if (c2 >= 0 && (uint64_t)srv[c2].weight * oh1 > (uint64_t)srv[c1].weight * oh2)
		return c2;
	return c1;
}

const struct sched_ops sched_twos_ops = {
    .name = "twos",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = twos_pick,
    .done = sched_noop_done,
};
