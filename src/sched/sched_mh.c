/* mh — Maglev hashing (IPVS ip_vs_mh.c; Eisenbud et al., NSDI 2016, 3.4).
 *
 * Each server gets a preference list of the slots of a lookup table of
 * MH_TAB_SIZE (a prime) slots: start at `offset`, step by `skip`, both
 * hashes of the server's address and port.  Servers take turns claiming
 * their next free preferred slot until the table is full; a server of
 * weight w claims w/gcd slots per turn (shifted right when weight/gcd would
 * need more than MH_TAB_BITS bits, as the kernel does).  A client is placed
 * by hashing its address (and port with SCHED_F_PORT, "mh-port") onto the
 * table.  Removing one of n servers moves about 1/n of the clients.
 *
 * Like the kernel, the table is built from each server's last non-zero
 * weight: a server set to weight 0 (drained, quiescent) keeps its slots, so
 * the other servers' clients do not move; its own clients get no server,
 * unless SCHED_F_FALLBACK ("mh-fallback") where the kernel's walk rehashes
 * with offsets ihash, ihash+1, ... until a usable server turns up.
 *
 * Hashes are bit-exact with a 64-bit little-endian kernel: hsiphash there
 * is SipHash-1-3 with the fixed keys of ip_vs_mh.c over the 32-bit value
 * offset + port + folded address.  So the table and every pick are the same
 * on every fulcrum and on a 64-bit IPVS director with the same server list
 * in the same order and CONFIG_IP_VS_MH_TAB_INDEX=12 (the default).  The
 * table itself is built by mh_table.c, which the XDP engine shares. */
#include <stdlib.h>

#include "core/err.h"
#include "model/model-t.h"
#include "sched/mh_table.h"
#include "sched/sched-int.h"

struct mh_state {
	int lookup[MH_TAB_SIZE]; /* server index, -1 = none */
	struct sched_ident ident;
};

static void mh_reset(struct mh_state *st)
{
	int i;

	for (i = 0; i < MH_TAB_SIZE; i++)
		st->lookup[i] = -1;
}

static int mh_init(struct sched *s, char *err, size_t errlen)
{
	struct mh_state *st = calloc(1, sizeof(*st));

	if (!st)
		return err_set(err, errlen, "mh: out of memory");
	mh_reset(st);
	s->priv = st;
	return 0;
}

/* The shared population (mh_table.c) over the last non-zero weights. */
static int mh_populate(struct mh_state *st, size_t n)
{
	struct mh_server *ms;
	size_t i;
	int r;

	if (!n) {
		mh_reset(st);
		return 0;
	}
	ms = calloc(n, sizeof(*ms));
	if (!ms)
		return -1;
	for (i = 0; i < n; i++) {
		ms[i].addr = &st->ident.addr[i];
		ms[i].weight = st->ident.last_weight[i];
	}
	r = mh_table_populate(ms, n, st->lookup);
	free(ms);
	return r;
}

static int mh_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct mh_state *st = s->priv;

	/* More servers than slots cannot be placed (the kernel refuses too). */
	if (n > MH_TAB_SIZE || sched_ident_set(&st->ident, srv, n) < 0 || mh_populate(st, n) < 0) {
		mh_reset(st);
		return -1;
	}
	return 0;
}

static int mh_pick(struct sched *s, const struct sched_server *srv, size_t n,
		   const struct sched_input *in)
{
	struct mh_state *st = s->priv;
	uint32_t ihash, off;
	uint16_t port;
	int i;

	if (!in || !in->client)
		return -1;
	port = (s->flags & SCHED_F_PORT) ? in->client->port : 0;
	ihash = mh_client_hash(in->client, port, 0) % MH_TAB_SIZE;
	i = st->lookup[ihash];
	if (i < 0 || (size_t)i >= n)
		return -1;
	if (sched_usable(&srv[i]))
		return i;
	if (!(s->flags & SCHED_F_FALLBACK))
		return -1;
	for (off = 0; off < MH_TAB_SIZE; off++) {
		uint32_t h = mh_client_hash(in->client, port, (off + ihash) % MH_TAB_SIZE);

		i = st->lookup[h % MH_TAB_SIZE];
		if (i < 0 || (size_t)i >= n)
			return -1;
		if (sched_usable(&srv[i]))
			return i;
	}
	return -1;
}

static void mh_done(struct sched *s)
{
	struct mh_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_mh_ops = {
    .name = "mh",
    .init = mh_init,
    .update = mh_update,
    .pick = mh_pick,
    .done = mh_done,
    .shared = 1, /* a pure read of srv[] and the tables */
};
