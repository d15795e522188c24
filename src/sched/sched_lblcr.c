/* lblcr — locality-based least connection with replication (IPVS
 * ip_vs_lblcr.c).
 *
 * Like lblc, but each destination IP (in->dest) maps to a set of servers.
 * A pick takes the weighted least-connection member of the set (newest
 * member first on ties); if there is none, or it is busier than its weight
 * while some server is under half of its own, the weighted least-connection
 * server of the whole array is chosen and added to the set.  A set with
 * more than one member that has not changed for LBLCR_EXPIRE_MS (the
 * kernel's lblcr_expiration default, 24 hours) loses its most loaded member,
 * so sets shrink back once a hot destination cools down.
 *
 * Storage is fixed and allocated once (a pick never allocates):
 * LBLCR_TAB_SIZE buckets of LBLCR_WAYS entries, each set holding at most
 * LBLCR_SET_MAX servers.  Entries unused for LBLCR_EXPIRE_MS count as
 * absent; a full bucket replaces its least recently used entry; a full set
 * drops its most loaded member to make room.  The kernel's lists are
 * unbounded instead, and it collects idle entries from a timer. */
#include <stdlib.h>

#include "core/err.h"
#include "sched/sched-int.h"

#define LBLCR_TAB_BITS	10
#define LBLCR_TAB_SIZE	(1 << LBLCR_TAB_BITS)
#define LBLCR_WAYS	8
#define LBLCR_SET_MAX	8
#define LBLCR_EXPIRE_MS (24ull * 60 * 60 * 1000)

struct lblcr_entry {
	struct sched_ipkey key;
	int nset;
	int set[LBLCR_SET_MAX]; /* server indexes, newest first */
	uint64_t lastuse;	/* ms, last lookup */
	uint64_t lastmod;	/* ms, last change of the set */
};

struct lblcr_state {
	struct lblcr_entry *tab; /* LBLCR_TAB_SIZE * LBLCR_WAYS */
	struct sched_ident ident;
};

#define LBLCR_ENTRIES ((size_t)LBLCR_TAB_SIZE * LBLCR_WAYS)

static int older_than(uint64_t then, uint64_t now, uint64_t age)
{
	return now >= then && now - then >= age;
}

/* ip_vs_dest_set_min(): weighted least-connection member, -1 if none. */
static int set_min(const struct lblcr_entry *en, const struct sched_server *srv, size_t n)
{
	uint64_t loh = 0, doh;
	int i, d, least = -1;

	for (i = 0; i < en->nset; i++) {
		d = en->set[i];
		if (d < 0 || (size_t)d >= n || !sched_usable(&srv[d]))
			continue;
		doh = sched_overhead(&srv[d]);
		if (least < 0 ||
		    loh * (uint64_t)srv[d].weight > doh * (uint64_t)srv[least].weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* ip_vs_dest_set_max(): weighted most-connection member with weight > 0
 * (overloaded or not), -1 if none. */
static int set_max(const struct lblcr_entry *en, const struct sched_server *srv, size_t n)
{
	uint64_t moh = 0, doh;
	int i, d, most = -1;

	for (i = 0; i < en->nset; i++) {
		d = en->set[i];
		if (d < 0 || (size_t)d >= n || srv[d].weight <= 0)
			continue;
		doh = sched_overhead(&srv[d]);
		if (most < 0 || moh * (uint64_t)srv[d].weight < doh * (uint64_t)srv[most].weight) {
			most = d;
			moh = doh;
		}
	}
	return most;
}

static void set_erase(struct lblcr_entry *en, int d, uint64_t now)
{
	int i;

	for (i = 0; i < en->nset; i++) {
		if (en->set[i] == d) {
			memmove(&en->set[i], &en->set[i + 1],
				(size_t)(en->nset - i - 1) * sizeof(en->set[0]));
			en->nset--;
			en->lastmod = now;
			return;
		}
	}
}

static void set_insert(struct lblcr_entry *en, int d, const struct sched_server *srv, size_t n,
		       uint64_t now)
{
	int i, m;

	for (i = 0; i < en->nset; i++)
		if (en->set[i] == d)
			return;
	if (en->nset == LBLCR_SET_MAX) {
		m = set_max(en, srv, n);
		if (m >= 0)
			set_erase(en, m, now);
		else
			en->nset--; /* all quiescent: drop the oldest */
	}
	memmove(&en->set[1], &en->set[0], (size_t)en->nset * sizeof(en->set[0]));
	en->set[0] = d;
	en->nset++;
	en->lastmod = now;
}

static struct lblcr_entry *lblcr_victim(struct lblcr_entry *bucket, uint64_t now)
{
	struct lblcr_entry *v = &bucket[0];
	int w;

	for (w = 0; w < LBLCR_WAYS; w++) {
		if (!bucket[w].key.family || older_than(bucket[w].lastuse, now, LBLCR_EXPIRE_MS))
			return &bucket[w];
		if (bucket[w].lastuse < v->lastuse)
			v = &bucket[w];
	}
	return v;
}

static int lblcr_init(struct sched *s, char *err, size_t errlen)
{
	struct lblcr_state *st = calloc(1, sizeof(*st));

	if (st)
		st->tab = calloc(LBLCR_ENTRIES, sizeof(*st->tab));
	if (!st || !st->tab) {
		free(st);
		return err_set(err, errlen, "lblcr: out of memory");
	}
	s->priv = st;
	return 0;
}

static int lblcr_update(struct sched *s, const struct sched_server *srv, size_t n)
{
	struct lblcr_state *st = s->priv;
	struct lblcr_entry *e;
	int *map = NULL, i, k, d;
	size_t j;

	if (st->ident.n) {
		map = malloc(st->ident.n * sizeof(*map));
		if (!map)
			goto fail;
		sched_ident_map(&st->ident, srv, n, map);
	}
	/* Renumber members; drop those that left (the kernel keeps them as
	 * unavailable until the set shrinks). */
	for (j = 0; j < LBLCR_ENTRIES; j++) {
		e = &st->tab[j];
		if (!e->key.family)
			continue;
		for (i = 0, k = 0; i < e->nset; i++) {
			d = e->set[i];
			d = d >= 0 && (size_t)d < st->ident.n ? map[d] : -1;
			if (d >= 0)
				e->set[k++] = d;
		}
		e->nset = k;
	}
	free(map);
	if (sched_ident_set(&st->ident, srv, n) < 0)
		goto fail;
	return 0;
fail:
	memset(st->tab, 0, LBLCR_ENTRIES * sizeof(*st->tab));
	sched_ident_free(&st->ident);
	return -1;
}

static int lblcr_pick(struct sched *s, const struct sched_server *srv, size_t n,
		      const struct sched_input *in)
{
	struct lblcr_state *st = s->priv;
	struct lblcr_entry *bucket, *en = NULL;
	struct sched_ipkey key;
	uint64_t now;
	int d, m, w;

	if (!in || !in->dest)
		return sched_wlc_choose(srv, n);
	now = in->now_ms;
	sched_ipkey_make(&key, in->dest);
	bucket =
	    &st->tab[(size_t)sched_hash_32(sched_addr_fold(in->dest), LBLCR_TAB_BITS) * LBLCR_WAYS];
	for (w = 0; w < LBLCR_WAYS && !en; w++)
		if (bucket[w].key.family && sched_ipkey_eq(&bucket[w].key, &key))
			en = &bucket[w];
	if (en && older_than(en->lastuse, now, LBLCR_EXPIRE_MS))
		en->nset = 0; /* as if collected: start a new set */

	if (en) {
		en->lastuse = now;
		d = set_min(en, srv, n);
		if (en->nset > 1 && now > en->lastmod && now - en->lastmod > LBLCR_EXPIRE_MS) {
			m = set_max(en, srv, n);
			if (m >= 0)
				set_erase(en, m, now);
		}
		if (d >= 0 && !sched_lbl_overloaded(srv, n, (size_t)d))
			return d;
		d = sched_wlc_choose(srv, n);
		if (d < 0)
			return -1;
		set_insert(en, d, srv, n, now);
		return d;
	}

	d = sched_wlc_choose(srv, n);
	if (d < 0)
		return -1;
	en = lblcr_victim(bucket, now);
	memset(en, 0, sizeof(*en));
	en->key = key;
	en->lastuse = now;
	set_insert(en, d, srv, n, now);
	return d;
}

static void lblcr_done(struct sched *s)
{
	struct lblcr_state *st = s->priv;

	if (st) {
		sched_ident_free(&st->ident);
		free(st->tab);
		free(st);
	}
	s->priv = NULL;
}

const struct sched_ops sched_lblcr_ops = {
    .name = "lblcr",
    .init = lblcr_init,
    .update = lblcr_update,
    .pick = lblcr_pick,
    .done = lblcr_done,
};
