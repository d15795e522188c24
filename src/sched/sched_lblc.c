/* lblc — locality-based least connection (IPVS ip_vs_lblc.c).
 *
 * Meant for cache clusters: connections to the same destination address go
 * to the same server.  A cache maps each destination IP (in->dest, port
 * ignored) to the server chosen for it.  A hit is kept unless that server is
 * gone, quiescent (weight 0), overloaded (uthreshold), or busier than its
 * weight while another server is under half of its own
 * (sched_lbl_overloaded); otherwise the weighted least-connection choice
 * over all servers is made and cached.
 *
 * The cache is a fixed table of LBLC_TAB_SIZE buckets of LBLC_WAYS entries
 * (16384, the kernel's max_size before it starts collecting), allocated
 * once: a pick never allocates.  An entry unused for LBLC_EXPIRE_MS (the
 * kernel's lblc_expiration default, 24 hours) counts as absent; when a
 * bucket is full the least recently used entry is replaced (the kernel
 * instead grows the table and collects entries idle for 6 minutes). */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

#define LBLC_TAB_BITS  10
#define LBLC_TAB_SIZE  (1 << LBLC_TAB_BITS)
#define LBLC_WAYS      16
#define LBLC_EXPIRE_MS (24ull * 60 * 60 * 1000)

struct lblc_entry {
	struct sched_ipkey key;
	int server;	  /* index, -1 = server left the array */
	uint64_t lastuse; /* ms */
};

struct lblc_state {
	struct lblc_entry *tab; /* LBLC_TAB_SIZE * LBLC_WAYS */
	struct sched_ident ident;
};

int sched_lbl_overloaded(const struct sched_server *srv, size_t n, size_t i)
{
	size_t j;

	if (srv[i].weight < 0 || srv[i].activeconns <= (uint32_t)srv[i].weight)
		return 0;
	for (j = 0; j < n; j++)
		if (srv[j].weight > 0 && (uint64_t)srv[j].activeconns * 2 < (uint64_t)srv[j].weight)
			return 1;
	return 0;
}

static int lblc_expired(const struct lblc_entry *e, uint64_t now)
{
	return now >= e->lastuse && now - e->lastuse >= LBLC_EXPIRE_MS;
}

/* Where a new entry goes in a full bucket: a free or expired slot, else the
 * least recently used one. */
static struct lblc_entry *lblc_victim(struct lblc_entry *bucket, uint64_t now)
{
	struct lblc_entry *v = &bucket[0];
	int w;

	for (w = 0; w < LBLC_WAYS; w++) {
		if (!bucket[w].key.family || lblc_expired(&bucket[w], now))
			return &bucket[w];
		if (bucket[w].lastuse < v->lastuse)
			v = &bucket[w];
	}
	return v;
}

static int lblc_init(struct sched *s, char *err, size_t errlen)
{
	struct lblc_state *st = calloc(1, sizeof(*st));

	if (st)
		st->tab = calloc((size_t)LBLC_TAB_SIZE * LBLC_WAYS, sizeof(*st->tab));
	if (!st || !st->tab) {
		free(st);
		return err_set(err, errlen, "lblc: out of memory");
	}
	s->priv = st;
	return 0;
}

static int lblc_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct lblc_state *st = s->priv;
	struct lblc_entry *e;
	int *map = NULL;
	size_t i;

	if (st->ident.n) {
		map = malloc(st->ident.n * sizeof(*map));
		if (!map)
			goto fail;
		sched_ident_map(&st->ident, srv, n, map);
	}
	for (i = 0; i < (size_t)LBLC_TAB_SIZE * LBLC_WAYS; i++) {
		e = &st->tab[i];
		if (!e->key.family || e->server < 0)
			continue;
		e->server = (size_t)e->server < st->ident.n ? map[e->server] : -1;
	}
	free(map);
	if (sched_ident_set(&st->ident, srv, n) < 0)
		goto fail;
	return 0;
fail:
	/* Forget every cached choice rather than keep stale indexes. */
	memset(st->tab, 0, (size_t)LBLC_TAB_SIZE * LBLC_WAYS * sizeof(*st->tab));
	sched_ident_free(&st->ident);
	return -1;
}

static int lblc_pick(struct sched *s, const struct sched_server *srv, size_t n,
		     const struct sched_input *in)
{
	struct lblc_state *st = s->priv;
	struct lblc_entry *bucket, *en = NULL;
	struct sched_ipkey key;
	uint64_t now;
	int d, w;

	if (!in || !in->dest)
		return sched_wlc_choose(srv, n);
	now = in->now_ms;
	sched_ipkey_make(&key, in->dest);
	bucket =
	    &st->tab[(size_t)sched_hash_32(sched_addr_fold(in->dest), LBLC_TAB_BITS) * LBLC_WAYS];
	for (w = 0; w < LBLC_WAYS && !en; w++)
		if (bucket[w].key.family && sched_ipkey_eq(&bucket[w].key, &key))
			en = &bucket[w];
	if (en && lblc_expired(en, now))
		en->server = -1; /* as if collected: choose afresh */
	if (en) {
		en->lastuse = now;
		d = en->server;
		if (d >= 0 && (size_t)d < n && sched_usable(&srv[d]) &&
		    !sched_lbl_overloaded(srv, n, (size_t)d))
			return d;
	}
	d = sched_wlc_choose(srv, n);
	if (d < 0)
		return -1;
	if (!en) {
		en = lblc_victim(bucket, now);
		en->key = key;
	}
	en->server = d;
	en->lastuse = now;
	return d;
}

static void lblc_done(struct sched *s)
{
	struct lblc_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
		free(st->tab);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_lblc_ops = {
    .name = "lblc",
    .init = lblc_init,
    .update = lblc_update,
    .pick = lblc_pick,
    .done = lblc_done,
};
