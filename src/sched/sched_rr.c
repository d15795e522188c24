/* rr — round robin (IPVS ip_vs_rr.c).
 *
 * Each pick takes the next usable server (weight > 0, not overloaded) after
 * the one picked last, wrapping around; weights other than 0 do not matter.
 *
 * The turn is the servers of weight > 0 at the last update, in array order
 * (`idx`), and the position one shared counter (`next`, the slots taken so
 * far: the server is idx[next % m]): a pick takes its slot with one relaxed
 * atomic add, so several threads pick at once with no lock and the service
 * as a whole still goes round exactly.  A slot whose server cannot take the
 * connection now (overloaded, tried already) is passed over for the next
 * usable one, and the counter is moved past it (compare-and-swap: if
 * another thread moved it first, its move stands); when nobody is usable
 * the position stays.
 *
 * When the array changes, the position follows the server picked last to
 * its new index; if it left, the position moves to the nearest server
 * before it that is still there (the kernel's ip_vs_rr_del_dest steps back
 * to the previous list entry), so the rotation continues with the server
 * that came after.  update runs alone (sched-t.h). */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

struct rr_state {
	uint64_t next; /* slots taken (atomic); the last pick is idx[(next - 1) % m] */
	int *idx;      /* the turn: indexes of the servers of weight > 0 */
	size_t m;
	struct sched_ident ident;
};

static int rr_init(struct sched *s, char *err, size_t errlen)
{
	struct rr_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "rr: out of memory");
	s->priv = st;
	return 0;
}

/* The index of the last pick, -1 = none (head). */
static int rr_last(const struct rr_state *st)
{
	uint64_t next = __atomic_load_n(&st->next, __ATOMIC_RELAXED);

	return next && st->m ? st->idx[(next - 1) % st->m] : -1;
}

static int rr_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct rr_state *st = s->priv;
	int *map = NULL, *idx = NULL;
	int pos = -1, last = rr_last(st), i;
	size_t m = 0, k, before = 0;

	if (n && !(idx = malloc(n * sizeof(*idx))))
		return -1;
	for (k = 0; k < n; k++)
		if (srv[k].weight > 0)
			idx[m++] = (int)k;
	if (last >= 0 && (size_t)last < st->ident.n) {
		map = malloc(st->ident.n * sizeof(*map));
		if (!map) {
			free(idx);
			return -1;
		}
		sched_ident_map(&st->ident, srv, n, map);
		for (i = last; i >= 0; i--) {
			if (map[i] >= 0) {
				pos = map[i];
				break;
			}
		}
		free(map);
	}
	if (sched_ident_set(&st->ident, srv, n) < 0) {
		free(idx);
		return -1;
	}
	/* the turn goes on after the server picked last (or the one before
	 * it that stayed): the slot after it in the new turn */
	for (k = 0; k < m && idx[k] <= pos; k++)
		before++;
	free(st->idx);
	st->idx = idx;
	st->m = m;
	__atomic_store_n(&st->next, (uint64_t)before, __ATOMIC_RELAXED);
	return 0;
}

static int rr_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct rr_state *st = s->priv;
	uint64_t slot, want;
	size_t k;
	int i = -1;

	if (!st->m)
		return -1;
	slot = __atomic_fetch_add(&st->next, 1, __ATOMIC_RELAXED);
	/* from the slot's server on, every server of the turn is looked at
	 * once (an index past n: update was not called, the contract broken) */
	for (k = 0; k < st->m; k++) {
		i = st->idx[(slot + k) % st->m];
		if ((size_t)i < n && sched_usable(&srv[i]))
			break;
	}
	want = k < st->m ? slot + k + 1 : slot;
	if (want != slot + 1)
		__atomic_compare_exchange_n(&st->next, &(uint64_t){slot + 1}, want, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return k < st->m ? i : -1;
}

static void rr_done(struct sched *s)
{
	struct rr_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
		free(st->idx);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_rr_ops = {
    .name = "rr",
    .init = rr_init,
    .update = rr_update,
    .pick = rr_pick,
    .done = rr_done,
    .shared = 1,
};
