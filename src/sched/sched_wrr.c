/* wrr — weighted round robin (IPVS ip_vs_wrr.c).
 *
 * The kernel's interleaved sequence: with mw the largest weight and di the
 * greatest common divisor of the positive weights, passes are made over the
 * array with a current weight cw = mw - (di - 1), then cw - di, ... down to
 * 1; each pass picks, in array order, the servers whose weight >= cw.
 * Weights 4,3,2 give A A B A B C A B C, then again.  Overloaded and
 * weight-0 servers are passed over.
 *
 * A change of the array restarts the walk at the head (as the kernel's
 * ip_vs_wrr_dest_changed does) and keeps cw where it was when it is still
 * in range, rounded onto the new di grid. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

struct wrr_state {
	int cl; /* index of the last pick, -1 = head */
	int cw; /* current weight */
	int mw; /* max weight - (di - 1); 0 = nothing available */
	int di; /* gcd of the positive weights */
};


static int wrr_init(struct sched *s, char *err, size_t errlen)
{
	struct wrr_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "wrr: out of memory");
	st->cl = -1;
	st->di = 1;
	s->priv = st;
	return 0;
}

static int wrr_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct wrr_state *st = s->priv;
	int g = 0, maxw = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (srv[i].weight > 0)
			g = g ? sched_gcd(srv[i].weight, g) : srv[i].weight;
		if (srv[i].weight > maxw)
			maxw = srv[i].weight;
	}
	st->cl = -1;
	st->di = g ? g : 1;
	st->mw = maxw - (st->di - 1);
	if (st->cw > st->mw || st->cw <= 0)
		st->cw = st->mw;
	else if (st->di > 1)
		st->cw = (st->cw / st->di) * st->di + 1;
	return 0;
}

/* A transcription of ip_vs_wrr_schedule() onto array indexes; -1 plays the
 * list head.  The walk stops after every server was checked against a
 * weight of 1 (the last pass), so it always ends. */
static int wrr_pick(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in)
{
	struct wrr_state *st = s->priv;
	int dest, last, stop = -2, last_pass = 0, restarted = 0;

	if (st->cl >= (int)n)
		st->cl = -1;
	dest = st->cl;
	if (st->mw <= 0 || n == 0)
		return -1;
	last = dest;
	for (;;) {
		for (dest = dest + 1; dest < (int)n; dest++) {
			if (!srv[dest].overloaded && srv[dest].weight > 0 &&
			    srv[dest].weight >= st->cw) {
				st->cl = dest;
				return dest;
			}
			if (dest == stop)
				goto over;
		}
		dest = -1;
		st->cw -= st->di;
		if (st->cw <= 0) {
			st->cw = st->mw;
			if (last_pass || last == -1)
				goto over;
			restarted = 1;
		}
		last_pass = st->cw <= st->di;
		if (last_pass && restarted && last != -1)
			stop = last;
	}
over:
	st->cl = dest;
	return -1;
}

static void wrr_done(struct sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct sched_ops sched_wrr_ops = {
    .name = "wrr",
    .init = wrr_init,
    .update = wrr_update,
    .pick = wrr_pick,
    .done = wrr_done,
};
