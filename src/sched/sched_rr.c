/* rr — round robin (IPVS ip_vs_rr.c).
 *
 * Each pick takes the next usable server (weight > 0, not overloaded) after
 * the one picked last, wrapping around; weights other than 0 do not matter.
 *
 * The position is the last server picked, or "head" (-1) before the first.
 * When the array changes, the position follows that server to its new index;
 * if it left, the position moves to the nearest server before it that is
 * still there (the kernel's ip_vs_rr_del_dest steps back to the previous
 * list entry), so the rotation continues with the server that came after. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

struct rr_state {
	int pos; /* index of the last pick, -1 = head */
	struct sched_ident ident;
};

static int rr_init(struct sched *s, char *err, size_t errlen)
{
	struct rr_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "rr: out of memory");
	st->pos = -1;
	s->priv = st;
	return 0;
}

static int rr_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct rr_state *st = s->priv;
	int *map = NULL;
	int pos = -1, i;

	if (st->pos >= 0 && (size_t)st->pos < st->ident.n) {
		map = malloc(st->ident.n * sizeof(*map));
		if (!map) {
			st->pos = -1;
			return -1;
		}
		sched_ident_map(&st->ident, srv, n, map);
		for (i = st->pos; i >= 0; i--) {
			if (map[i] >= 0) {
				pos = map[i];
				break;
			}
		}
		free(map);
	}
	st->pos = pos;
	if (sched_ident_set(&st->ident, srv, n) < 0) {
		sched_ident_free(&st->ident);
		return -1;
	}
	return 0;
}

static int rr_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct rr_state *st = s->priv;
	int last, i;

	/* A position beyond the array (update not called) restarts at head. */
	if (st->pos >= (int)n)
		st->pos = -1;
	last = st->pos;
	/* From the server after `last` to the end, then from the start up to
	 * and including `last`: every server is looked at exactly once. */
	for (i = last + 1; i < (int)n; i++)
		if (sched_usable(&srv[i]))
			goto hit;
	for (i = 0; i <= last; i++)
		if (sched_usable(&srv[i]))
			goto hit;
	return -1;
hit:
	st->pos = i;
	return i;
}

static void rr_done(struct sched *s)
{
	struct rr_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
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
};
