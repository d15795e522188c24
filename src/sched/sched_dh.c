/* dh — destination hashing (IPVS ip_vs_dh.c).
 *
 * A 256-bucket table maps a hash of the connection's destination address
 * (the kernel's hash_32 of the folded address, 8 bits) to a server; bucket i
 * holds server i mod n, so weights do not shape the table.  If the server of
 * the bucket is quiescent (weight 0) or overloaded there is no fallback: the
 * connection gets no server (-1), as in IPVS, where dh is meant for cache
 * clusters with a bypass to the origin. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

#define DH_TAB_BITS 8
#define DH_TAB_SIZE (1 << DH_TAB_BITS)

struct dh_state {
	int bucket[DH_TAB_SIZE]; /* server index, -1 = none */
};

static int dh_init(struct sched *s, char *err, size_t errlen)
{
	struct dh_state *st = malloc(sizeof(*st));
	int i;

	if (!st)
		return err_set(err, errlen, "dh: out of memory");
	for (i = 0; i < DH_TAB_SIZE; i++)
		st->bucket[i] = -1;
	s->priv = st;
	return 0;
}

static int dh_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct dh_state *st = s->priv;
	size_t i;

	for (i = 0; i < DH_TAB_SIZE; i++)
		st->bucket[i] = n ? (int)(i % n) : -1;
	return 0;
}

static int dh_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct dh_state *st = s->priv;
	int i;

	if (!in || !in->dest)
		return -1;
	i = st->bucket[sched_hash_32(sched_addr_fold(in->dest), DH_TAB_BITS)];
	if (i < 0 || (size_t)i >= n || !sched_usable(&srv[i]))
		return -1;
	return i;
}

static void dh_done(struct sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct sched_ops sched_dh_ops = {
    .name = "dh",
    .init = dh_init,
    .update = dh_update,
    .pick = dh_pick,
    .done = dh_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
