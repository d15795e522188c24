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

/* The HTTP engine's counts, HAProxy's `show stat` columns of the same
 * names (doc/metrics.md): a frontend's on its services' vs_live, a server's
 * on its rs_live (a backend's row sums its servers').  The L4 proxy counts
 * econ alone. */
enum hctr_rsp { HCTR_1XX, HCTR_2XX, HCTR_3XX, HCTR_4XX, HCTR_5XX, HCTR_OTHER, HCTR_NRSP };

struct fc_hstats {
	uint64_t req;		     /* req_tot: requests (a server: responses it gave) */
	uint64_t rsp[HCTR_NRSP];     /* hrsp_1xx..hrsp_5xx, hrsp_other */
	uint64_t ereq, dreq, dresp;  /* bad requests; requests, responses denied */
	uint64_t intercepted;	     /* answered by an applet (stats page) or monitor-uri */
	uint64_t econ, eresp;	     /* connections failed after the retries; bad responses */
	uint64_t wretr, wredis;	     /* attempts retried on the server, redispatched off it */
	uint64_t cli_abrt, srv_abrt; /* transfers cut by the client, by the server */
};

#define CTR_LINE 64 /* a cache line: slots of two threads never share one */

struct ctr_slot {
	struct fc_stats s;
	struct fc_hstats h;
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
	struct fc_hstats hmain; /* the main thread's HTTP counts */
	struct ctr_block *wk; /* the workers' slots, allocated (atomically) at a
			       * worker's first count; NULL until then.  Owned. */
};

#endif
