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

/* Events per second, HAProxy's freq_ctr: curr events in the period (1 s)
 * that began at tick (ms, a thread's own clock reading), prev in the one
 * before; max, the most one period saw (`show stat`'s rate_max).  A
 * thread's own, written by it alone. */
struct ctr_freq {
	uint64_t tick;
	uint32_t curr, prev, max;
};

enum ctr_fq {
	CTR_FQ_SESS, /* sessions: rate, rate_max (a frontend: conn_rate too) */
	CTR_FQ_REQ,  /* HTTP requests: a frontend's req_rate, req_rate_max */
	CTR_NFQ
};

/* HAProxy's time figures of a transaction (ms): queue, connect, response
 * (HAProxy's "data"), total: qtime, ctime, rtime, ttime. */
enum ctr_tm { CTR_TM_Q, CTR_TM_C, CTR_TM_D, CTR_TM_T, CTR_NTM };

#define CTR_TM_SAMPLES 1024 /* HAProxy's TIME_STATS_SAMPLES */

/* The figures HAProxy keeps beside the counters: rates, the time
 * averages (sliding-window sums over CTR_TM_SAMPLES transactions, as
 * HAProxy's swrate) and their maxima, the last session's time. */
struct fc_xstats {
	struct ctr_freq fq[CTR_NFQ];
	uint64_t tn;		   /* transactions that reached the object (the window) */
	uint32_t tsum[CTR_NTM];	   /* swrate sums */
	uint32_t tmax[CTR_NTM];	   /* qtime_max... */
	uint64_t last_sess_ms;	   /* ctr_now_ms() of the last session, 0: none */
};

#define CTR_LINE 64 /* a cache line: slots of two threads never share one */

struct ctr_slot {
	struct fc_stats s;
	struct fc_hstats h;
	struct fc_xstats x;
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
	struct fc_xstats xmain; /* the main thread's rates and times */
	struct ctr_block *wk; /* the workers' slots, allocated (atomically) at a
			       * worker's first count; NULL until then.  Owned. */
};

#endif
