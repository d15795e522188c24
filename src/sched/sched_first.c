/* first — haproxy's `balance first`: the first server in the pool's order
 * that can take the connection gets it, so that the others can be switched
 * off while it is busy.  "Can take it" is weight > 0 and not over its
 * connection limit (the overloaded flag the engine sets from maxconn /
 * uthreshold); haproxy orders by server id, which is the file order. */
#include "sched/sched-int.h"
#include "sched/sched.h"

static int first_pick(struct sched *s, const struct sched_server *srv, size_t n,
		      const struct sched_input *in)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sched_usable(&srv[i]))
			return (int)i;
	return -1;
}

const struct sched_ops sched_first_ops = {
    .name = "first",
    .init = sched_noop_init,
    .update = sched_noop_update,
    .pick = first_pick,
    .done = sched_noop_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
