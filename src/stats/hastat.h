/* HAProxy's `show stat` rows and columns (stats/hastat-t.h). */
#ifndef FC_STATS_HASTAT_H
#define FC_STATS_HASTAT_H

#include "core/stats-t.h"
#include "stats/hastat-t.h"

/* HAProxy 2.6's `show stat` columns, in order (field i is column i); the
 * object of every field is a struct hs_row.  A column fulcrum has no figure
 * for has neither getter nor load: it reads STAT_NULL and is left empty,
 * as HAProxy leaves the columns that do not apply. */
extern const struct stat_table hastat_columns;

/* Column numbers the other writers look up (positions in hastat_columns). */
enum hs_col {
	HS_PXNAME = 0, HS_SVNAME = 1, HS_QCUR = 2, HS_QMAX = 3, HS_SCUR = 4, HS_SMAX = 5, HS_SLIM = 6, HS_STOT = 7,
	HS_BIN = 8, HS_BOUT = 9, HS_DREQ = 10, HS_DRESP = 11, HS_EREQ = 12, HS_ECON = 13,
	HS_ERESP = 14, HS_WRETR = 15, HS_WREDIS = 16, HS_STATUS = 17, HS_WEIGHT = 18, HS_ACT = 19, HS_BCK = 20,
	HS_CHKFAIL = 21, HS_CHKDOWN = 22, HS_LASTCHG = 23, HS_DOWNTIME = 24, HS_QLIMIT = 25,
	HS_THROTTLE = 29, HS_LBTOT = 30, HS_TYPE = 32, HS_RATE = 33, HS_RATE_LIM = 34, HS_RATE_MAX = 35, HS_CHECK_STATUS = 36, HS_CHECK_CODE = 37,
	HS_CHECK_DURATION = 38, HS_HRSP_1XX = 39, HS_HRSP_OTHER = 44, HS_REQ_TOT = 48,
	HS_REQ_RATE_MAX = 47, HS_CLI_ABRT = 49, HS_SRV_ABRT = 50, HS_LASTSESS = 55, HS_QTIME = 58,
	HS_CHECK_DESC = 65, HS_ADDR = 73, HS_MODE = 75, HS_ALGO = 76, HS_CONN_RATE_MAX = 78,
	HS_CONN_TOT = 79, HS_INTERCEPTED = 80, HS_DCON = 81, HS_DSES = 82, HS_WREW = 83,
	HS_QTIME_MAX = 90, HS_EINT = 94, HS_UWEIGHT = 99,
};

/* Every row of cfg in HAProxy's order: per haproxy.cfg proxy (file order)
 * its FRONTEND, its servers and its BACKEND; then per pool that no proxy
 * owns (keepalived, ldirectord) its servers and its BACKEND.  backend, if
 * not NULL, keeps the rows of that proxy/pool name only.  Returns what fn
 * returned last (0: every row seen). */
int hs_walk(const struct config *cfg, const char *backend, uint64_t now_ms, hs_row_fn fn,
	    void *arg);

/* "UP", "DOWN", "MAINT", "DRAIN", "no check" (a server), "UP"/"DOWN" (a
 * backend: some server can take clients), "OPEN" (a frontend). */
const char *hs_status(const struct hs_row *r);

/* The pool of the backend named name (a haproxy.cfg backend or listen
 * section, or a keepalived/ldirectord pool "TCP 10.0.0.1:80"), or NULL. */
struct pool *hs_find_pool(const struct config *cfg, const char *name);

#endif
