/* Persistence templates (IPVS "persistent port"): a client network, the
 * client address masked with the service's granularity, is tied to one real
 * server for persistence_timeout seconds.
 *
 * Pure data structure: no I/O, no loop; time is passed in (monotonic ms).
 *
 * Lifetime, as in IPVS: a template controls the connections (or UDP
 * sessions) placed through it; it never expires while it controls one, and
 * expires persistence_timeout after the last one ended.  A template taken
 * out of its table (dropped, flushed, replaced) while it still controls
 * connections stays allocated, unlinked, until the last persist_release();
 * so a connection may keep its `struct persist_tpl *` for its whole life.
 *
 * Threads (doc/internals/threads.md): one table per service, used by every
 * worker.  Each operation on the table takes the table's own mutex for its
 * length (a leaf: nothing else is taken under it); a template's reference
 * count is atomic -- one for the table while it is linked, one per
 * connection -- so persist_release needs no lock, and of a release and an
 * unlink, or of two releases, on different threads the last one frees,
 * once.  A worker places through persist_get / persist_put, which hold the
 * template they return; persist_find and persist_add return one that
 * nobody holds, for a caller that alone uses the table. */
#ifndef FC_PROXY_PERSIST_H
#define FC_PROXY_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "proxy/proxy-t.h"

/* timeout_s 0 = persistence off (every lookup misses, add refuses).
 * prefix: granularity as a prefix length; 0 or >= the address length means
 * the whole address (a per-host template). */
void persist_init(struct persist_table *t, unsigned timeout_s, unsigned prefix);
/* Drop every template, and the lock: t is no longer usable. */
void persist_destroy(struct persist_table *t);
static inline int persist_on(const struct persist_table *t)
{
	return t->timeout_ms != 0;
}
/* New timeout for the table and every template in it. */
void persist_set_timeout(struct persist_table *t, unsigned timeout_s);
/* A reload's settings for a table in use (workers parked): off (timeout 0)
 * or another prefix drops every template, else the new timeout holds. */
void persist_config(struct persist_table *t, unsigned timeout_s, unsigned prefix);

/* The key a client falls under (its address masked, port 0). */
void persist_key(const struct persist_table *t, const struct fc_addr *client, struct fc_addr *key);

/* The template for client, or NULL.  An expired one found on the way is
 * dropped and NULL returned. */
struct persist_tpl *persist_find(struct persist_table *t, const struct fc_addr *client,
				 uint64_t now_ms);

/* Tie client's network to server (address copied, live referenced).  An
 * existing template for the same key is dropped first.  The new template
 * controls nothing yet (call persist_hold); NULL on allocation failure or
 * when persistence is off. */
struct persist_tpl *persist_add(struct persist_table *t, const struct fc_addr *client,
				const struct fc_addr *server, struct rs_live *live,
				uint64_t now_ms);

/* What a placement may follow: a template whose server is one of table[]
 * (persist_tpl_valid) and none of tried[] (servers that failed this
 * client). */
struct persist_want {
	struct rs_live *const *table;
	size_t n;
	struct rs_live *const *tried;
	size_t ntried;
};

/* The client's template, held, if it may be followed; one that may not is
 * dropped.  NULL: pick a server, then persist_put. */
struct persist_tpl *persist_get(struct persist_table *t, const struct fc_addr *client,
				uint64_t now_ms, const struct persist_want *w);
/* Tie the client's network to server, unless another thread did since
 * persist_get missed and its template may be followed: then that one.
 * Either way the template returned is held, and its server (tpl->server,
 * tpl->live) is where the client goes.  NULL as persist_add. */
struct persist_tpl *persist_put(struct persist_table *t, const struct fc_addr *client,
				const struct fc_addr *server, struct rs_live *live,
				uint64_t now_ms, const struct persist_want *w);

/* A connection or session is placed through tpl / has ended.  release
 * restarts the expiry clock and frees a dropped template that controls
 * nothing any more; it takes no lock (tpl may have left its table). */
void persist_hold(struct persist_tpl *tpl);
void persist_release(struct persist_tpl *tpl, uint64_t now_ms);

/* Take tpl out of t (freed now if it controls nothing). */
void persist_drop(struct persist_table *t, struct persist_tpl *tpl);

/* Drop expired templates, looking at no more than max_visit of them; returns
 * how many were freed.  Called from a timer: the work per tick is bounded,
 * the scan resumes where it stopped. */
size_t persist_reap(struct persist_table *t, uint64_t now_ms, size_t max_visit);

/* Move every template of src into dst (a reload that keeps persistence);
 * src is left empty but usable. */
void persist_move(struct persist_table *dst, struct persist_table *src);

/* Drop every template and release the bucket array. */
void persist_clear(struct persist_table *t);

/* May a new connection follow tpl?  Only if its server is one of `table`:
 * the caller's list of servers that may take persistent clients (pvs.c:
 * in the service's table, up, neither disabled nor held, as of the last
 * rebuild, so that no live state is read here).  A drained server stays
 * valid: it keeps its persistent clients, as IPVS does with
 * expire_quiescent_template = 0. */
int persist_tpl_valid(const struct persist_tpl *tpl, struct rs_live *const *table, size_t n);

#endif
