/* Traffic counters, one slot per thread that counts (doc/internals/threads.md,
 * "Statistics").  Types only; the functions are model/ctr.h.
 *
 * A service's and a server's counters are written by every worker that
 * relays for them.  One shared set would put one cache line under every
 * worker's wake-up (the measured cost of two workers: 1.33x one loop's CPU
 * per keep-alive request).  So each thread adds to a slot of its own, a
 * cache line apart from the others', with no lock, and whoever reads
 * (listings, show stat, /metrics, the rate estimator) sums the slots. */
#ifndef FC_MODEL_CTR_T_H
#define FC_MODEL_CTR_T_H

#include <stdint.h>

/* Monotonic counters, as ipvsadm --stats shows them. */
struct fc_stats {
	uint64_t conns;
	uint64_t inpkts, outpkts;   /* datagrams (UDP) or relay reads (TCP proxy) */
	uint64_t inbytes, outbytes; /* in = client->server, out = server->client */
};

#define CTR_LINE 64 /* a cache line: slots of two threads never share one */

struct ctr_slot {
	struct fc_stats s;
} __attribute__((aligned(CTR_LINE)));

/* The workers' slots of one object: n of them, worker k writes slot k
 * (a worker beyond n shares the last one: every add is atomic, so sharing
 * is only slower, never wrong). */
struct ctr_block {
	unsigned n;
	struct ctr_slot slot[];
};

struct ctr {
	struct fc_stats main; /* the main thread's: the one loop of nbthread 1, the
			       * XDP engine's map readings, the main thread's applets */
	struct ctr_block *wk; /* the workers' slots, allocated (atomically) at a
			       * worker's first count; NULL until then.  Owned. */
};

#endif
