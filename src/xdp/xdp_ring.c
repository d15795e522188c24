/* Lookup tables for the XDP engine (contract: xdp_ring.h). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "fulcrum_xdp.h"
#include "sched/mh_table.h"
#include "sched/sched.h"
#include "xdp/xdp_ring.h"

/* The ring of a service is the Maglev table: same size as IPVS's. */
_Static_assert(FX_RING_SIZE == MH_TAB_SIZE, "fx_ring and the mh table must have one size");

/* A server that may take new flows, with its place in the caller's array. */
struct ring_ent {
	const struct fc_addr *addr;
	uint64_t weight;
	uint32_t idx;
};

static int addr_cmp(const struct fc_addr *a, const struct fc_addr *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET6)
		c = memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6));
	else
		c = memcmp(&a->u.v4, &b->u.v4, sizeof(a->u.v4));
	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/* By address (network byte order, so the same on every host), then port;
 * duplicates keep their input order so the result is still total. */
static int ent_cmp(const void *pa, const void *pb)
{
	const struct ring_ent *a = pa, *b = pb;
	int c = addr_cmp(a->addr, b->addr);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Servers with weight > 0 of srv, sorted (ent_cmp).  *m = their number.
 * NULL with *m = 0 when there are none; NULL with *m = 1 on no memory. */
static struct ring_ent *live_sorted(const struct xdp_ring_server *srv, size_t n, size_t *m)
{
	struct ring_ent *e;
	size_t i, k = 0;

	*m = 0;
	for (i = 0; i < n; i++)
		k += srv[i].weight > 0;
	if (!k)
		return NULL;
	e = calloc(k, sizeof(*e));
	if (!e) {
		*m = 1;
		return NULL;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (srv[i].weight > 0) {
			e[k].addr = srv[i].addr;
			e[k].weight = (uint64_t)srv[i].weight;
			e[k].idx = (uint32_t)i;
			k++;
		}
	}
	qsort(e, k, sizeof(*e), ent_cmp);
	*m = k;
	return e;
}

static int ring_mh(const struct ring_ent *e, size_t m, uint32_t *ring)
{
	struct mh_server *ms = calloc(m, sizeof(*ms));
	int *lookup = calloc(MH_TAB_SIZE, sizeof(*lookup));
	size_t i;
	int r = -1;

	if (!ms || !lookup)
		goto out;
	for (i = 0; i < m; i++) {
		ms[i].addr = e[i].addr;
		/* mh_table cuts weights to MH_TAB_BITS per turn anyway, after
		 * dividing by their gcd; clamp so an int holds it. */
		ms[i].weight = e[i].weight > 0x7fffffff ? 0x7fffffff : (int)e[i].weight;
	}
	if (mh_table_populate(ms, m, lookup) < 0)
		goto out;
	for (i = 0; i < MH_TAB_SIZE; i++)
		ring[i] = lookup[i] < 0 ? FX_RS_NONE : e[lookup[i]].idx;
	r = 0;
out:
	free(ms);
	free(lookup);
	return r;
}

struct quota_rem {
	uint64_t rem;
	size_t pos;
};

/* Larger remainder first; ties to the earlier position. */
static int rem_cmp(const void *pa, const void *pb)
{
	const struct quota_rem *a = pa, *b = pb;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Weighted buckets.  Each server's share of the FX_RING_SIZE slots: one
 * slot, plus the rest split in proportion to weight, the slots left by
 * rounding going to the largest remainders.  Then rounds: each server in
 * turn fills min(weight / gcd, what is left of its share) consecutive slots.
 * m <= FX_RING_SIZE (checked by the caller). */
static int ring_buckets(const struct ring_ent *e, size_t m, uint32_t *ring)
{
	uint64_t *left = calloc(m, sizeof(*left));
	struct quota_rem *qr = calloc(m, sizeof(*qr));
	uint64_t sum = 0, g = 0, spare = FX_RING_SIZE - m, given = 0;
	size_t i, pos = 0;
	int r = -1;

	if (!left || !qr)
		goto out;
	for (i = 0; i < m; i++) {
		sum += e[i].weight;
		g = gcd64(e[i].weight, g);
	}
	for (i = 0; i < m; i++) {
		/* weight < 2^31 and m >= 1, so spare * weight fits in 64 bits */
		left[i] = 1 + spare * e[i].weight / sum;
		given += left[i] - 1;
		qr[i].rem = spare * e[i].weight % sum;
		qr[i].pos = i;
	}
	qsort(qr, m, sizeof(*qr), rem_cmp);
	/* given >= spare - (m - 1): at most one extra slot per server */
	for (i = 0; given < spare; i++, given++)
		left[qr[i].pos]++;
	while (pos < FX_RING_SIZE) {
		for (i = 0; i < m && pos < FX_RING_SIZE; i++) {
			uint64_t run = e[i].weight / g;

			if (run > left[i])
				run = left[i];
			left[i] -= run;
			while (run--)
				ring[pos++] = e[i].idx;
		}
	}
	r = 0;
out:
	free(left);
	free(qr);
	return r;
}

static void ring_none(uint32_t *ring)
{
	size_t i;

	for (i = 0; i < FX_RING_SIZE; i++)
		ring[i] = FX_RS_NONE;
}

int xdp_ring_hash(const char *sched, const struct xdp_ring_server *srv, size_t n, uint32_t *ring,
		  char *err, size_t errlen)
{
	struct ring_ent *e = NULL;
	int mh = !strcmp(sched, "mh");
	size_t m;
	int r;

	ring_none(ring);
	if (!mh && strcmp(sched, "sh") && strcmp(sched, "dh"))
		return err_set(err, errlen, "scheduler '%s' has no hash table", sched);
	e = live_sorted(srv, n, &m);
	if (!e)
		return m ? err_set(err, errlen, "%s table: out of memory", sched) : 0;
	if (m > FX_RING_SIZE) {
		free(e);
		return err_set(err, errlen, "%s table: %zu servers do not fit in %d slots", sched,
			       m, FX_RING_SIZE);
	}
	r = mh ? ring_mh(e, m, ring) : ring_buckets(e, m, ring);
	free(e);
	if (r < 0) {
		ring_none(ring);
		return err_set(err, errlen, "%s table: out of memory", sched);
	}
	return 0;
}

/* Divide w[] by the gcd of its positive entries; if their sum is still
 * over limit, scale them down proportionally, each positive one kept >= 1,
 * until the sum fits (or every one is 1). */
static void scale_weights(uint64_t *w, size_t n, uint64_t limit)
{
	uint64_t g = 0, sum = 0, target, scaled;
	size_t i;

	for (i = 0; i < n; i++)
		g = w[i] ? gcd64(w[i], g) : g;
	if (!g)
		return;
	for (i = 0; i < n; i++) {
		w[i] /= g;
		sum += w[i];
	}
	if (sum <= limit)
		return;
	/* Each pass overshoots by the servers rounded up to 1: lower the
	 * target by the overshoot and try again.  The target only falls, so
	 * this ends within limit passes. */
	for (target = limit;; target = scaled - limit < target ? target - (scaled - limit) : 1) {
		scaled = 0;
		for (i = 0; i < n; i++)
			if (w[i])
				scaled += w[i] * target / sum ? w[i] * target / sum : 1;
		if (scaled <= limit || target == 1)
			break;
	}
	g = 0;
	for (i = 0; i < n; i++) {
		if (w[i]) {
			w[i] = w[i] * target / sum ? w[i] * target / sum : 1;
			g = gcd64(w[i], g);
		}
	}
	for (i = 0; i < n; i++)
		w[i] /= g;
}

/* IPVS wrr's passes: current weight cw from the largest weight down to 1;
 * each pass takes, in array order, the servers whose weight >= cw. */
static size_t seq_wrr(const struct xdp_ring_server *srv, size_t n, uint32_t *ring)
{
	uint64_t *w = calloc(n, sizeof(*w)), mw = 0, cw;
	size_t i, len = 0;

	if (!w)
		return 0;
	for (i = 0; i < n; i++)
		w[i] = srv[i].weight > 0 ? (uint64_t)srv[i].weight : 0;
	scale_weights(w, n, FX_RING_SIZE);
	for (i = 0; i < n; i++)
		mw = w[i] > mw ? w[i] : mw;
	for (cw = mw; cw >= 1 && len < FX_RING_SIZE; cw--)
		for (i = 0; i < n && len < FX_RING_SIZE; i++)
			if (w[i] && w[i] >= cw)
				ring[len++] = (uint32_t)i;
	free(w);
	return len;
}

size_t xdp_ring_seq(const char *sched, const struct xdp_ring_server *srv, size_t n, uint32_t *ring)
{
	size_t i, len = 0;

	if (!strcmp(sched, "rr")) {
		for (i = 0; i < n && len < FX_RING_SIZE; i++)
			if (srv[i].weight > 0)
				ring[len++] = (uint32_t)i;
		return len;
	}
	if (!strcmp(sched, "fo")) {
		int hw = 0;

		for (i = 0; i < n; i++) {
			if (srv[i].weight > hw) {
				hw = srv[i].weight;
				ring[0] = (uint32_t)i;
				len = 1;
			}
		}
		return len;
	}
	return seq_wrr(srv, n, ring);
}

int xdp_ring_kind(const char *sched)
{
	if (!sched || !sched_find(sched))
		return -1;
	if (!strcmp(sched, "mh") || !strcmp(sched, "sh"))
		return FX_SCHED_HASH_SRC;
	if (!strcmp(sched, "dh"))
		return FX_SCHED_HASH_DST;
	return FX_SCHED_SEQ;
}
