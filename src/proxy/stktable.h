/* Stick tables (haproxy.cfg's `stick-table`): key -> the server a client
 * stuck to, bounded in entries (the least recently used one leaves when
 * the table is full) and in time (an entry unused for `expire` leaves).
 *
 * A table is found by its proxy's name in a process-wide registry, so the
 * entries outlive a reload (as long as the table's type, len and size stay
 * the same) and every worker thread sees the same table: each call takes
 * the table's lock, held for one hash lookup.  Time is the caller's
 * monotonic milliseconds. */
#ifndef FC_PROXY_STKTABLE_H
#define FC_PROXY_STKTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "model/http_proxy-t.h"

struct stktable;

#define STK_SRV_NAME 64 /* a server's name as kept (struct real_server's name is free length) */

/* A table alone (unit tests; the registry below makes them): NULL out of
 * memory. */
struct stktable *stktable_new(const struct hp_stick_table *def);
void stktable_free(struct stktable *t);
/* The server key[0..klen) stuck to, into srv (STK_SRV_NAME bytes): 1 (the
 * entry is used now: its expiry starts again), or 0 (none, or expired). */
int stktable_get(struct stktable *t, const void *key, size_t klen, uint64_t now_ms, char *srv);
/* key -> srv, made or replaced; 0, or -1 out of memory (the table as it
 * was). */
int stktable_put(struct stktable *t, const void *key, size_t klen, const char *srv, uint64_t now_ms);
size_t stktable_count(struct stktable *t);

/* Each live entry of t, most recently used first: its key, the server, and
 * the milliseconds left before it expires (-1: never).  Under the table's
 * lock: fn must not call into the table. */
void stktable_walk(struct stktable *t, uint64_t now_ms,
		   void (*fn)(void *ctx, const void *entry, const unsigned char *key, size_t klen,
			      const char *srv, int64_t exp_ms),
		   void *ctx);
/* The registry's table of that name, or NULL (none was used yet). */
struct stktable *stktable_lookup(const char *name);

/* The table of the proxy named `name` as def describes it: made on first
 * use, remade empty if def changed; NULL out of memory.  Tables live until
 * stktable_registry_free (at exit). */
struct stktable *stktable_find(const char *name, const struct hp_stick_table *def);
void stktable_registry_free(void);

#endif
