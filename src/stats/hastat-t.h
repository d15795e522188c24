/* HAProxy's statistics rows (`show stat`): one row per frontend, backend
 * and server, with HAProxy 2.6's columns in HAProxy's order.
 *
 * A row is a view of the running model made for the column table
 * (stats/hastat.c, a struct stat_table like every other output's): the
 * getters read the row, the writers (CSV, typed JSON, Prometheus) walk the
 * table.  What fulcrum serves maps onto HAProxy's rows this way:
 *   - a haproxy.cfg proxy with HP_CAP_FE is a FRONTEND row, its figures the
 *     sum of the services that bind for it (vs->http);
 *   - a pool is a BACKEND row (named after the haproxy backend, or the
 *     keepalived/ldirectord pool name "TCP 10.0.0.1:80") after a row per
 *     server (svname: the server's name, "10.0.0.2:80" for keepalived). */
#ifndef FC_STATS_HASTAT_T_H
#define FC_STATS_HASTAT_T_H

#include <stdint.h>

#include "model/ctr-t.h"
#include "model/model-t.h"

/* HAProxy's `type` column. */
enum hs_type {
	HS_FRONTEND = 0,
	HS_BACKEND = 1,
	HS_SERVER = 2,
};

/* The figures a FRONTEND or BACKEND row sums over its services or servers
 * (a SERVER row reads its rs_live directly). */
struct hs_sum {
	uint64_t conns, inbytes, outbytes;
	uint64_t lbtot;	     /* a backend's: its servers' sessions (picks) */
	uint64_t cur;	     /* connections now */
	uint64_t smax;	     /* a frontend's: its services' most at once, summed */
	double cps;	     /* new connections per second */
	long weight, uweight; /* in force, configured (servers up only, as HAProxy) */
	unsigned act, bck;   /* servers up with a weight, active and backup */
	unsigned n_srv;	     /* servers */
	struct fc_hstats h;  /* the HTTP engine's counts (model/ctr-t.h) */
	/* every row (a server's from its rs_live): the rates (enum ctr_fq)
	 * now and their maxima, the last session (ctr_now_ms(), 0: none),
	 * the time averages and maxima (enum ctr_tm) */
	unsigned rate[CTR_NFQ], rate_max[CTR_NFQ];
	uint64_t last_sess;
	unsigned tavg[CTR_NTM], tmax[CTR_NTM];
	int has_times; /* the row has time figures (a server, a backend) */
};

struct hs_row {
	enum hs_type type;
	const char *pxname, *svname;
	unsigned iid, sid;		  /* proxy and server numbers, from 1 (HAProxy's ids) */
	const struct http_proxy *hp;	  /* the haproxy.cfg section, or NULL */
	const struct pool *pool;	  /* BACKEND, SERVER */
	const struct real_server *rs;	  /* SERVER */
	const struct config *cfg;
	struct hs_sum sum;		  /* FRONTEND, BACKEND */
	uint64_t now_ms;		  /* loop_clock_ms() of the walk */
};

/* Called once per row, in HAProxy's order; non-zero stops the walk. */
typedef int (*hs_row_fn)(const struct hs_row *r, void *arg);

#endif
