/* sh — source hashing (IPVS ip_vs_sh.c).
 *
 * A 256-bucket table maps a hash of the client address (and its port with
 * SCHED_F_PORT, "sh-port") to a server.  The table is filled as the kernel
 * does: walking the array in order, each server takes `weight` consecutive
 * buckets (at least one, even at weight 0), round after round, until the 256
 * buckets are full; so weights give proportional shares as long as their
 * sum stays well under 256, and servers past the 256th bucket get nothing.
 *
 * The hash is the kernel's: hash_32(port + folded address, 8).  If the
 * bucket's server is quiescent (weight 0) or overloaded, the connection gets
 * no server, unless SCHED_F_FALLBACK ("sh-fallback"): then the kernel's walk
 * tries buckets hash + ihash + k for k = 0..255 and takes the first usable
 * server, which spreads the lost server's clients over the others. */
#include <stdlib.h>

#include "core/err.h"
#include "model/model-t.h"
#include "sched/sched-int.h"

#define SH_TAB_BITS 8
#define SH_TAB_SIZE (1 << SH_TAB_BITS)
#define SH_TAB_MASK (SH_TAB_SIZE - 1)

struct sh_state {
	int bucket[SH_TAB_SIZE]; /* server index, -1 = none */
};

static int sh_init(struct sched *s, char *err, size_t errlen)
{
	struct sh_state *st = malloc(sizeof(*st));
	int i;

	if (!st)
		return err_set(err, errlen, "sh: out of memory");
	for (i = 0; i < SH_TAB_SIZE; i++)
		st->bucket[i] = -1;
	s->priv = st;
	return 0;
}

static int sh_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct sh_state *st = s->priv;
	size_t i, p = 0;
	int count = 0;

	for (i = 0; i < SH_TAB_SIZE; i++) {
		if (!n) {
			st->bucket[i] = -1;
			continue;
		}
		st->bucket[i] = (int)p;
		if (++count >= srv[p].weight) {
			p = (p + 1) % n;
			count = 0;
		}
	}
	return 0;
}

static unsigned sh_hashkey(const struct fc_addr *a, uint16_t port, unsigned offset)
{
	return (offset + sched_hash_32(port + sched_addr_fold(a), SH_TAB_BITS)) & SH_TAB_MASK;
}

static int sh_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct sh_state *st = s->priv;
	uint16_t port;
	unsigned ihash, off;
	int i;

	if (!in || !in->client)
		return -1;
	port = (s->flags & SCHED_F_PORT) ? in->client->port : 0;
	ihash = sh_hashkey(in->client, port, 0);
	i = st->bucket[ihash];
	if (i < 0 || (size_t)i >= n)
		return -1;
	if (sched_usable(&srv[i]))
		return i;
	if (!(s->flags & SCHED_F_FALLBACK))
		return -1;
	for (off = 0; off < SH_TAB_SIZE; off++) {
		i = st->bucket[sh_hashkey(in->client, port, (off + ihash) % SH_TAB_SIZE)];
		if (i < 0 || (size_t)i >= n)
			return -1;
		if (sched_usable(&srv[i]))
			return i;
	}
	return -1;
}

static void sh_done(struct sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct sched_ops sched_sh_ops = {
    .name = "sh",
    .init = sh_init,
    .update = sh_update,
    .pick = sh_pick,
    .done = sh_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
