/* random — haproxy's `balance random[(N)]`: N servers (in->draws, default
 * 2) are drawn at random, each with probability proportional to its
 * weight, and the least loaded of them (activeconns*256 + inactconns per
 * unit of weight, cross-multiplied) gets the connection; on a tie the
 * earlier draw wins.  N = 1 is a plain weighted random choice.
 * Randomness comes from sched_rand(), seeded by sched_create(). */
#include "sched/sched-int.h"
#include "sched/sched.h"

#define RANDOM_MAX_DRAWS 100

static int random_pick(struct sched *s, const struct sched_server *srv, size_t n,
		       const struct sched_input *in)
{
	unsigned draws = in && in->draws ? in->draws : 2, d;
	uint64_t total = sched_usable_weight(srv, n);
	int best = -1, c;

	if (draws > RANDOM_MAX_DRAWS)
		draws = RANDOM_MAX_DRAWS;
	if (!total)
		return -1;
	for (d = 0; d < draws; d++) {
		c = sched_weight_at(srv, n, (sched_rand(s) >> 16) % total);
		if (c < 0)
			continue;
		if (best < 0 || sched_overhead(&srv[c]) * (uint64_t)srv[best].weight <
				    sched_overhead(&srv[best]) * (uint64_t)srv[c].weight)
			best = c;
	}
	return best;
}

const struct sched_ops sched_random_ops = {
    .name = "random",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = random_pick,
    .done = sched_noop_done,
};
