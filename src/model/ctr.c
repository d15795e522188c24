/* Traffic counters per thread, summed when read (model/ctr.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The calling thread's rates and times of c (NULL: the block could not
 * be made, the figure is lost). */
static struct fc_xstats *xmine(struct ctr *c)
{
	struct ctr_slot *sl;

	if (!ctr_self)
		return &c->xmain;
	sl = slot_of(c);
	return sl ? &sl->x : NULL;
}

/* Every thread's rates and times of c, the main thread's first. */
static const struct fc_xstats *xslot(const struct ctr *c, unsigned k)
{
	const struct ctr_block *b = __atomic_load_n(&c->wk, __ATOMIC_ACQUIRE);

	if (!k)
		return &c->xmain;
	return b && k <= b->n ? &b->slot[k - 1].x : NULL;
}

#define LD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ST(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

uint64_t ctr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* HAProxy's update_freq_ctr: a period that is over becomes the previous
 * one (or none, if two went by); the count of the current one is the
 * candidate for max.  The slot is the thread's own: plain logic, relaxed
 * stores for the readers. */
void ctr_hit(struct ctr *c, enum ctr_fq k)
{
	struct fc_xstats *x = xmine(c);
	struct ctr_freq *f;
	uint64_t now = ctr_now_ms(), tick;
	uint32_t n;

	if (!x)
		return;
	f = &x->fq[k];
	tick = LD(&f->tick);
	if (now - tick < 1000) {
		n = LD(&f->curr) + 1;
	} else {
		ST(&f->prev, now - tick < 2000 ? LD(&f->curr) : 0);
		ST(&f->tick, now - tick < 2000 ? tick + 1000 : now);
		n = 1;
	}
	ST(&f->curr, n);
	if (n > LD(&f->max))
		ST(&f->max, n);
	if (k == CTR_FQ_SESS)
		ST(&x->last_sess_ms, now);
}

/* HAProxy's read_freq_ctr of one thread's counter. */
static unsigned freq_read(const struct ctr_freq *f, uint64_t now)
{
	uint64_t tick = LD(&f->tick);
	uint32_t curr = LD(&f->curr), past = LD(&f->prev);
	int64_t remain = (int64_t)(tick + 1000) - (int64_t)now;

	if (remain < 0) {
		remain += 1000;
		past = remain >= 0 ? curr : 0;
		curr = 0;
	}
	if (remain > 1000)
		remain = 1000; /* a clock read before the tick */
	if (past <= 1 && !curr)
		return past;
	return curr + (unsigned)((uint64_t)past * (uint64_t)(remain < 0 ? 0 : remain) / 1000);
}

unsigned ctr_rate(const struct ctr *c, enum ctr_fq k, uint64_t now_ms, unsigned *max)
{
	const struct fc_xstats *x;
	unsigned i, r = 0, m = 0;

	for (i = 0; (x = xslot(c, i)); i++) {
		r += freq_read(&x->fq[k], now_ms);
		m += LD(&x->fq[k].max);
	}
	if (max)
		*max = m;
	return r;
}

uint64_t ctr_last_sess(const struct ctr *c)
{
	const struct fc_xstats *x;
	uint64_t t = 0, v;
	unsigned i;

	for (i = 0; (x = xslot(c, i)); i++) {
		v = LD(&x->last_sess_ms);
		if (v > t)
			t = v;
	}
	return t;
}

/* HAProxy's swrate_add_dynamic: the window is the whole 1024 once more
 * transactions than that came, else none (a plain sum: the average
 * divides by the transactions). */
void ctr_times(struct ctr *c, const int64_t t[CTR_NTM])
{
	struct fc_xstats *x = xmine(c);
	uint64_t n;
	uint32_t w, sum, v;
	int i;

	if (!x)
		return;
	n = LD(&x->tn) + 1;
	ST(&x->tn, n);
	if (t[CTR_TM_C] < 0 || t[CTR_TM_D] < 0)
		return;
	w = n > CTR_TM_SAMPLES ? CTR_TM_SAMPLES : 0;
	for (i = 0; i < CTR_NTM; i++) {
		v = t[i] < 0 ? 0 : t[i] > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)t[i];
		sum = LD(&x->tsum[i]);
		ST(&x->tsum[i], sum - (w ? (sum + w - 1) / w : 0) + v);
		if (v > LD(&x->tmax[i]))
			ST(&x->tmax[i], v);
	}
}

void ctr_times_read(const struct ctr *c, unsigned avg[CTR_NTM], unsigned max[CTR_NTM])
{
	const struct fc_xstats *x;
	uint64_t wsum = 0, acc[CTR_NTM] = {0}, n, w;
	unsigned i, k;

	memset(max, 0, sizeof(unsigned) * CTR_NTM);
	for (k = 0; (x = xslot(c, k)); k++) {
		n = LD(&x->tn);
		if (!n)
			continue;
		w = n < CTR_TM_SAMPLES ? n : CTR_TM_SAMPLES;
		wsum += w;
		for (i = 0; i < CTR_NTM; i++) {
			/* swrate_avg(sum, w) = (sum + w - 1) / w, weighed by w */
			acc[i] += (LD(&x->tsum[i]) + w - 1) / w * w;
			if (LD(&x->tmax[i]) > max[i])
				max[i] = LD(&x->tmax[i]);
		}
	}
	for (i = 0; i < CTR_NTM; i++)
		avg[i] = wsum ? (unsigned)(acc[i] / wsum) : 0;
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
