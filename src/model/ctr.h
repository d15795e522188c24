/* Traffic counters per thread, summed when read (model/ctr-t.h).
 *
 * Writers (the L4 relay, UDP sessions, the HTTP engine) call ctr_conn /
 * ctr_in / ctr_out on the object's struct ctr: the add lands in the
 * calling thread's slot, atomically (relaxed: a lone owner's cache line
 * makes it as cheap as a plain add), and needs no lock.  Readers call
 * ctr_sum, from any thread, with no lock either: each slot only grows, so
 * a sum read while workers count is a moment's figure, never a torn one,
 * and never less than an earlier sum read by the same thread.
 *
 * The object's struct ctr lives in its live object (rs_live, vs_live),
 * which reloads carry from one model to the next: counters never go back
 * across a reload. */
#ifndef FC_MODEL_CTR_H
#define FC_MODEL_CTR_H

#include <stddef.h>

#include "model/ctr-t.h"

/* This thread's slot: 0 the main thread, k + 1 worker k.  Thread-local. */
extern __thread unsigned ctr_self;

/* How many worker slots an object's counters get: the engine's workers,
 * said before they start (the count only ever grows: an object counted
 * before keeps its block, and a worker beyond it shares its last slot). */
void ctr_workers(unsigned n);
/* A worker says which it is, first thing on its thread (k from 0). */
void ctr_thread_enter(unsigned k);

/* The calling thread's slot of c (allocating the workers' block at the
 * first count; NULL only if that allocation failed: the count is lost). */
struct fc_stats *ctr_slot_of(struct ctr *c);

static inline void ctr_add64(uint64_t *p, uint64_t n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static inline struct fc_stats *ctr_mine(struct ctr *c)
{
	return ctr_self ? ctr_slot_of(c) : &c->main;
}

/* One more connection in *cur (a live object's activeconns: an atomic
 * shared count, as before), and *max (`show stat`'s smax) raised to it:
 * a compare-and-swap only when a new maximum is seen. */
static inline void ctr_max_up(uint32_t *max, uint32_t n)
{
	uint32_t m = __atomic_load_n(max, __ATOMIC_RELAXED);

	while (n > m &&
	       !__atomic_compare_exchange_n(max, &m, n, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* *max as written by ctr_max_up on any thread: readers (show stat) load it
 * atomically too, a plain read racing the CAS being a data race. */
static inline uint32_t ctr_max_get(const uint32_t *max)
{
	return __atomic_load_n(max, __ATOMIC_RELAXED);
}

static inline void ctr_cur_up(_Atomic uint32_t *cur, uint32_t *max)
{
	ctr_max_up(max, ++*cur);
}

/* The clock of the rates and of lastsess: CLOCK_MONOTONIC's (the loops'
 * loop_clock_ms), read coarse, in ms. */
uint64_t ctr_now_ms(void);

/* One event of kind k (enum ctr_fq) in this thread's rate of c; a
 * session also stamps the last session's time. */
void ctr_hit(struct ctr *c, enum ctr_fq k);

/* A new connection (or UDP session): counted, and in the session rate. */
static inline void ctr_conn(struct ctr *c)
{
	struct fc_stats *s = ctr_mine(c);

	if (s)
		ctr_add64(&s->conns, 1);
	ctr_hit(c, CTR_FQ_SESS);
}

/* The rate of kind k over the last second as HAProxy's read_freq_ctr
 * reads it (this period's events plus the last one's pro rata), summed
 * over the threads; *max, the sum of each thread's most in one period
 * (HAProxy's, with one thread; an upper bound with several: their
 * periods need not coincide). */
unsigned ctr_rate(const struct ctr *c, enum ctr_fq k, uint64_t now_ms, unsigned *max);

/* The last session's ctr_now_ms(), 0 if none. */
uint64_t ctr_last_sess(const struct ctr *c);

/* A transaction that reached c ends: t[] its times (enum ctr_tm, ms); a
 * connect or response time below 0 (none happened) counts the
 * transaction in the window without a sample, as HAProxy does. */
void ctr_times(struct ctr *c, const int64_t t[CTR_NTM]);
/* The averages (HAProxy's swrate_avg over min(transactions, 1024); with
 * several threads the threads' averages weighed by their windows) and
 * the maxima. */
void ctr_times_read(const struct ctr *c, unsigned avg[CTR_NTM], unsigned max[CTR_NTM]);

/* Bytes client -> server (in) or back (out), in pkts reads or datagrams. */
static inline void ctr_in(struct ctr *c, uint64_t pkts, uint64_t bytes)
{
	struct fc_stats *s = ctr_mine(c);

	if (s) {
		ctr_add64(&s->inpkts, pkts);
		ctr_add64(&s->inbytes, bytes);
	}
}

static inline void ctr_out(struct ctr *c, uint64_t pkts, uint64_t bytes)
{
	struct fc_stats *s = ctr_mine(c);

	if (s) {
		ctr_add64(&s->outpkts, pkts);
		ctr_add64(&s->outbytes, bytes);
	}
}

/* The HTTP engine's counts (struct fc_hstats): one more in the field at
 * off (offsetof(struct fc_hstats, FIELD): HCTR(c, FIELD)), or in the
 * hrsp_* column of status (hrsp_other outside 100-599). */
struct fc_hstats *ctr_hmine(struct ctr *c);
void ctr_hadd(struct ctr *c, size_t off);
void ctr_hrsp(struct ctr *c, int status);
#define HCTR(c, field) ctr_hadd((c), offsetof(struct fc_hstats, field))
/* Their sum over every slot of c, from any thread. */
void ctr_hsum(const struct ctr *c, struct fc_hstats *out);
/* out += that sum (a row summing several objects). */
void ctr_hsum_add(const struct ctr *c, struct fc_hstats *out);

static inline struct fc_hstats ctr_htotal(const struct ctr *c)
{
	struct fc_hstats h;

	ctr_hsum(c, &h);
	return h;
}

/* The sum of every slot of c, from any thread. */
void ctr_sum(const struct ctr *c, struct fc_stats *out);

static inline struct fc_stats ctr_total(const struct ctr *c)
{
	struct fc_stats s;

	ctr_sum(c, &s);
	return s;
}

/* The main thread's slot as a whole: the XDP engine keeps it equal to a
 * base plus what its maps counted (xdp_stats.c).  Main thread only. */
void ctr_main_get(const struct ctr *c, struct fc_stats *out);
void ctr_main_set(struct ctr *c, const struct fc_stats *v);

/* Free the workers' block (the live object is being freed). */
void ctr_release(struct ctr *c);

#endif
