/* wrr — weighted round robin (IPVS ip_vs_wrr.c).
 *
 * The kernel's interleaved sequence: with mw the largest weight and di the
 * greatest common divisor of the positive weights, passes are made over the
 * array with a current weight cw = mw - (di - 1), then cw - di, ... down to
 * 1; each pass picks, in array order, the servers whose weight >= cw.
 * Weights 4,3,2 give A A B A B C A B C, then again.  Overloaded and
 * weight-0 servers are passed over.
 *
 * That cycle is computed once per update, as the start of each pass in it
 * (pass_start), and a pick is a position in it: one shared counter taken
 * with a relaxed atomic add, so several threads pick at once with no lock
 * and the service as a whole keeps the exact cycle (3:2:1 stays 3:2:1
 * over every cycle, whichever thread places which client).  A position
 * whose server cannot take the connection now (overloaded, or tried
 * already) is passed over for the next usable one in the cycle, as the
 * kernel's walk does, and the counter is moved past it (compare-and-swap:
 * if another thread moved it first, its move stands).  The cycle is not
 * materialised: weights up to 65535 on many servers would make it long;
 * a position maps to its pass by binary search and to its server by a
 * walk of the array.
 *
 * A change of the array restarts the walk at the head (as the kernel's
 * ip_vs_wrr_dest_changed does) and keeps cw where it was when it is still
 * in range, rounded onto the new di grid.  update runs alone (sched-t.h):
 * a pick never sees a half-built cycle. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

struct wrr_state {
	uint64_t next;	      /* position of the next pick (atomic), counts on */
	uint64_t next0;	      /* next right after the last update */
	int cw;		      /* the pass the last update started at */
	int mw;		      /* max weight - (di - 1); 0 = nothing available */
	int di;		      /* gcd of the positive weights */
	int *w;		      /* the weights at the last update, n entries */
	size_t n;
	uint64_t *pass_start; /* npass + 1 entries: pass j's first position */
	size_t npass;	      /* pass j has cw = mw - j * di */
};

static int wrr_init(struct sched *s, char *err, size_t errlen)
{
	struct wrr_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "wrr: out of memory");
	st->di = 1;
	s->priv = st;
	return 0;
}

static uint64_t wrr_len(const struct wrr_state *st)
{
	return st->npass ? st->pass_start[st->npass] : 0;
}

static int pass_cw(const struct wrr_state *st, size_t j)
{
	return st->mw - (int)j * st->di;
}

/* The pass holding position p (< wrr_len). */
static size_t pass_of(const struct wrr_state *st, uint64_t p)
{
	size_t lo = 0, hi = st->npass - 1;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (st->pass_start[mid] <= p)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int member(const struct wrr_state *st, size_t i, int cw)
{
	return st->w[i] > 0 && st->w[i] >= cw;
}

static int wrr_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct wrr_state *st = s->priv;
	uint64_t next = __atomic_load_n(&st->next, __ATOMIC_RELAXED), *ps = NULL;
	int g = 0, maxw = 0, cur, di, mw, cw, *w = NULL;
	size_t i, j, npass = 0;

	/* where the cycle is: the pass of the last pick, or where the last
	 * update started it if nothing was picked since */
	cur = st->cw;
	if (next != st->next0 && wrr_len(st))
		cur = pass_cw(st, pass_of(st, (next - 1) % wrr_len(st)));
	for (i = 0; i < n; i++) {
		if (srv[i].weight > 0)
			g = g ? sched_gcd(srv[i].weight, g) : srv[i].weight;
		if (srv[i].weight > maxw)
			maxw = srv[i].weight;
	}
	di = g ? g : 1;
	mw = maxw - (di - 1);
	if (cur > mw || cur <= 0)
		cw = mw;
	else if (di > 1)
		cw = (cur / di) * di + 1;
	else
		cw = cur;
	if (mw > 0)
		npass = (size_t)(mw - 1) / (size_t)di + 1;
	if (n && !(w = malloc(n * sizeof(*w))))
		return -1;
	if (!(ps = malloc((npass + 1) * sizeof(*ps)))) {
		free(w);
		return -1;
	}
	for (i = 0; i < n; i++)
		w[i] = srv[i].weight;
	ps[0] = 0;
	for (j = 0; j < npass; j++) {
		uint64_t count = 0;

		for (i = 0; i < n; i++)
			count += w[i] > 0 && w[i] >= mw - (int)j * di;
		ps[j + 1] = ps[j] + count;
	}
	free(st->w);
	free(st->pass_start);
	st->w = w;
	st->n = n;
	st->pass_start = ps;
	st->npass = npass;
	st->di = di;
	st->mw = mw;
	st->cw = cw;
	st->next0 = npass ? ps[(size_t)(mw - cw) / (size_t)di] : 0;
	__atomic_store_n(&st->next, st->next0, __ATOMIC_RELAXED);
	return 0;
}

/* Some server of the cycle may take a connection now. */
static int any_usable(const struct wrr_state *st, const struct sched_server *srv, size_t n)
{
	size_t i;

	for (i = 0; i < st->n && i < n; i++)
		if (st->w[i] > 0 && sched_usable(&srv[i]))
			return 1;
	return 0;
}

static int wrr_pick(struct sched *s, const struct sched_server *srv, size_t n,
		    const struct sched_input *in)
{
	struct wrr_state *st = s->priv;
	uint64_t slot, k, steps = 0;
	size_t i, j;
	int cw;

	/* none usable: the position stays where it is (the kernel's walk
	 * comes back to where it started) */
	if (!wrr_len(st) || !any_usable(st, srv, n))
		return -1;
	slot = __atomic_fetch_add(&st->next, 1, __ATOMIC_RELAXED);
	j = pass_of(st, slot % wrr_len(st));
	k = slot % wrr_len(st) - st->pass_start[j];
	cw = pass_cw(st, j);
	for (i = 0; i < st->n; i++)
		if (member(st, i, cw) && k-- == 0)
			break;
	/* every pass holds a server of the largest weight, and the last one
	 * every server of the cycle: one usable is met within a cycle */
	while (i >= n || !sched_usable(&srv[i])) {
		steps++;
		for (i++; i < st->n && !member(st, i, cw); i++)
			;
		if (i < st->n)
			continue;
		j = (j + 1) % st->npass;
		cw = pass_cw(st, j);
		for (i = 0; !member(st, i, cw); i++)
			;
	}
	if (steps)
		__atomic_compare_exchange_n(&st->next, &(uint64_t){slot + 1}, slot + 1 + steps, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return (int)i;
}

static void wrr_done(struct sched *s)
{
	struct wrr_state *st = s->priv;

	if (st) {
		free(st->w);
		free(st->pass_start);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_wrr_ops = {
    .name = "wrr",
    .init = wrr_init,
    .update = wrr_update,
    .pick = wrr_pick,
    .done = wrr_done,
    .shared = 1,
};
