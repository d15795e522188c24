/* Host names to addresses without blocking the loop: the daemon's one
 * resolver (the maintenance directory's host names, daemon/watch_resolve.c;
 * Pacemaker node names, cluster/node_dns.c).
 *
 * getaddrinfo() may block for seconds (a name server away) and nothing may
 * block the loop.  Each request is a getaddrinfo_a() request (GAI_NOWAIT):
 * glibc's own resolver threads run it -- /etc/hosts, DNS, whatever
 * nsswitch.conf says, as getaddrinfo() -- and a timer on the loop looks
 * for the ended ones every RESOLVE_POLL_MS while any runs.  The callback
 * is called on the loop, never on another thread.  Main thread only.
 *
 * A request's callback is called exactly once unless it was cancelled
 * first; cancelling is always allowed (also from a callback, also of a
 * request that already ended but whose callback has not run yet) and the
 * memory glibc still writes is freed once glibc gives it back. */
#ifndef FC_CORE_RESOLVE_H
#define FC_CORE_RESOLVE_H

#include <netdb.h>

struct loop;
struct resolve_req;

#define RESOLVE_POLL_MS 20u    /* while a lookup runs, its end is looked for this often */
#define RESOLVE_STOP_WAIT_MS 2000u /* at stop, for lookups glibc could not cancel (in all) */

/* rc: 0 and res the answer (AF_UNSPEC, SOCK_STREAM; the resolver's, valid
 * during the call only), or getaddrinfo's error (EAI_*) and res NULL. */
typedef void (*resolve_cb)(void *ctx, int rc, const struct addrinfo *res);

/* Starts looking name up; done(ctx, ...) runs on l once it ended.  NULL
 * when it could not start: *err is getaddrinfo's error (EAI_MEMORY,
 * EAI_AGAIN, ...) and done is never called.  Every request in flight is
 * on the same loop. */
struct resolve_req *resolve_start(struct loop *l, const char *name, resolve_cb done, void *ctx,
				  int *err);

/* done will not be called for r (NULL: nothing). */
void resolve_cancel(struct resolve_req *r);

/* Daemon stop: cancels every request, waiting at most
 * RESOLVE_STOP_WAIT_MS for the ones glibc's threads are in; those it
 * still holds then stay allocated (reachable) for good. */
void resolve_stop(void);

#endif
