/* Traffic counters per thread, summed when read (model/ctr.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "model/ctr.h"

__thread unsigned ctr_self;

static unsigned ctr_nworkers; /* written before the workers start, read by them */

void ctr_workers(unsigned n)
{
	if (n > __atomic_load_n(&ctr_nworkers, __ATOMIC_RELAXED))
		__atomic_store_n(&ctr_nworkers, n, __ATOMIC_RELAXED);
}

void ctr_thread_enter(unsigned k)
{
	ctr_self = k + 1;
}

static struct ctr_block *block_new(void)
{
	unsigned n = __atomic_load_n(&ctr_nworkers, __ATOMIC_RELAXED);
	size_t sz;
	struct ctr_block *b;

	if (n < 1)
		n = 1;
	sz = sizeof(*b) + (size_t)n * sizeof(b->slot[0]);
	/* aligned: the slots' lines are the block's own */
	b = aligned_alloc(CTR_LINE, (sz + CTR_LINE - 1) / CTR_LINE * CTR_LINE);
	if (!b)
		return NULL;
	memset(b, 0, sz);
	b->n = n;
	return b;
}

static struct ctr_slot *slot_of(struct ctr *c)
{
	struct ctr_block *b = __atomic_load_n(&c->wk, __ATOMIC_ACQUIRE), *nb;
	unsigned k = ctr_self - 1;

	if (!b) {
		/* two workers may count the object first at once: one block wins */
		nb = block_new();
		if (!nb)
			return NULL;
		if (__atomic_compare_exchange_n(&c->wk, &b, nb, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			b = nb;
		else
			free(nb);
	}
	return &b->slot[k < b->n ? k : b->n - 1];
}

struct fc_stats *ctr_slot_of(struct ctr *c)
{
	struct ctr_slot *sl = slot_of(c);

	return sl ? &sl->s : NULL;
}

struct fc_hstats *ctr_hmine(struct ctr *c)
{
	struct ctr_slot *sl;

	if (!ctr_self)
		return &c->hmain;
	sl = slot_of(c);
	return sl ? &sl->h : NULL;
}

void ctr_hadd(struct ctr *c, size_t off)
{
	struct fc_hstats *h = ctr_hmine(c);

	if (h)
		ctr_add64((uint64_t *)((char *)h + off), 1);
}

void ctr_hrsp(struct ctr *c, int status)
{
	int k = status >= 100 && status < 600 ? status / 100 - 1 : HCTR_OTHER;

	ctr_hadd(c, offsetof(struct fc_hstats, rsp) + (size_t)k * sizeof(uint64_t));
}

static void hadd_loaded(struct fc_hstats *to, const struct fc_hstats *h)
{
	const uint64_t *from = (const uint64_t *)h;
	uint64_t *sum = (uint64_t *)to;
	size_t i;

	for (i = 0; i < sizeof(*h) / sizeof(uint64_t); i++)
		sum[i] += __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

void ctr_hsum(const struct ctr *c, struct fc_hstats *out)
{
	memset(out, 0, sizeof(*out));
	ctr_hsum_add(c, out);
}

void ctr_hsum_add(const struct ctr *c, struct fc_hstats *out)
{
	const struct ctr_block *b = __atomic_load_n(&c->wk, __ATOMIC_ACQUIRE);
	unsigned k;

	hadd_loaded(out, &c->hmain);
	for (k = 0; b && k < b->n; k++)
		hadd_loaded(out, &b->slot[k].h);
}

static void add_loaded(struct fc_stats *to, const struct fc_stats *s)
{
	to->conns += __atomic_load_n(&s->conns, __ATOMIC_RELAXED);
	to->inpkts += __atomic_load_n(&s->inpkts, __ATOMIC_RELAXED);
	to->outpkts += __atomic_load_n(&s->outpkts, __ATOMIC_RELAXED);
	to->inbytes += __atomic_load_n(&s->inbytes, __ATOMIC_RELAXED);
	to->outbytes += __atomic_load_n(&s->outbytes, __ATOMIC_RELAXED);
}

void ctr_sum(const struct ctr *c, struct fc_stats *out)
{
	const struct ctr_block *b = __atomic_load_n(&c->wk, __ATOMIC_ACQUIRE);
	unsigned k;

	memset(out, 0, sizeof(*out));
	add_loaded(out, &c->main);
	for (k = 0; b && k < b->n; k++)
		add_loaded(out, &b->slot[k].s);
}

void ctr_main_get(const struct ctr *c, struct fc_stats *out)
{
	memset(out, 0, sizeof(*out));
	add_loaded(out, &c->main);
}

void ctr_main_set(struct ctr *c, const struct fc_stats *v)
{
	__atomic_store_n(&c->main.conns, v->conns, __ATOMIC_RELAXED);
	__atomic_store_n(&c->main.inpkts, v->inpkts, __ATOMIC_RELAXED);
	__atomic_store_n(&c->main.outpkts, v->outpkts, __ATOMIC_RELAXED);
	__atomic_store_n(&c->main.inbytes, v->inbytes, __ATOMIC_RELAXED);
	__atomic_store_n(&c->main.outbytes, v->outbytes, __ATOMIC_RELAXED);
}

void ctr_release(struct ctr *c)
{
	free(c->wk);
	c->wk = NULL;
}
