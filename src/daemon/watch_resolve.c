/* Host names of the maintenance directory, resolved off the loop.
 *
 * Each scan that finds host names asks the daemon's resolver
 * (core/resolve.h) for each of them; once every one has its answer, the
 * answers replace the known ones together and the entries are filled
 * again (maint_resolved).  A newer scan supersedes a request still
 * running: its lookups are cancelled and its answers never used.
 *
 * What the names resolved to is kept by name, so that a scan (a file added
 * next to a host name) does not forget a name's addresses while the new
 * request runs.  Every scan asks again: a name's addresses follow DNS. */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/resolve.h"
#include "daemon/watch-int.h"

struct resolved {
	char *name;
	struct fc_addr *addrs;
	unsigned n;
};

struct resolve_job;

/* A name's lookup: the context its answer comes back with. */
struct resolve_slot {
	struct resolve_job *j;
	unsigned i;		 /* the name's index in j->r */
	struct resolve_req *req; /* while it runs */
};

/* One request: names in, answers out (same index). */
struct resolve_job {
	unsigned n;
	unsigned left; /* lookups still running */
	struct resolved *r;
	struct resolve_slot *slot;
};

static struct {
	struct resolved *known;	 /* the last answer */
	unsigned n_known;
	struct resolve_job *job; /* the request in flight, NULL none */
} R;

static void resolved_free(struct resolved *r, unsigned n)
{
	unsigned i;

	for (i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].addrs);
	}
	free(r);
}

/* Cancels what still runs of j, then frees it. */
static void job_free(struct resolve_job *j)
{
	unsigned i;

	for (i = 0; j->slot && i < j->n; i++)
		resolve_cancel(j->slot[i].req);
	free(j->slot);
	resolved_free(j->r, j->n);
	free(j);
}

/* One name's answer: all its addresses, in getaddrinfo's order (none when
 * it does not resolve: it names no server).  The last one makes the job
 * the known answer. */
static void on_answer(void *ctx, int rc, const struct addrinfo *res)
{
	struct resolve_slot *slot = ctx;
	struct resolve_job *j = slot->j;
	struct resolved *r = &j->r[slot->i];
	const struct addrinfo *ai;
	unsigned cap = 0;

	slot->req = NULL;
	for (ai = rc == 0 ? res : NULL; ai; ai = ai->ai_next)
		cap++;
	if (cap && (r->addrs = calloc(cap, sizeof(*r->addrs))))
		for (ai = res; ai; ai = ai->ai_next)
			if (addr_from_sockaddr(&r->addrs[r->n], ai->ai_addr) == 0)
				r->n++;
	if (--j->left)
		return;
	R.job = NULL;
	resolved_free(R.known, R.n_known);
	R.known = j->r;
	R.n_known = j->n;
	j->r = NULL;
	job_free(j);
	maint_resolved();
}

void maint_resolve_fill(struct maint_entry *e, unsigned n)
{
	unsigned i, k;

	for (i = 0; i < n; i++) {
		if (!e[i].host)
			continue;
		free(e[i].resolved);
		e[i].resolved = NULL;
		e[i].n_resolved = 0;
		for (k = 0; k < R.n_known; k++) {
			size_t hl = e[i].has_port ? (size_t)(strrchr(e[i].name, ':') - e[i].name)
						  : strlen(e[i].name);

			if (strlen(R.known[k].name) != hl || strncmp(R.known[k].name, e[i].name, hl))
				continue;
			if (!R.known[k].n)
				break;
			e[i].resolved = malloc(R.known[k].n * sizeof(*e[i].resolved));
			if (e[i].resolved) {
				memcpy(e[i].resolved, R.known[k].addrs,
				       R.known[k].n * sizeof(*e[i].resolved));
				e[i].n_resolved = R.known[k].n;
			}
			break;
		}
	}
}

/* A job with the distinct host names of e, or NULL (none, or no memory). */
static struct resolve_job *job_new(const struct maint_entry *e, unsigned n)
{
	struct resolve_job *j = calloc(1, sizeof(*j));
	unsigned i, k;

	if (!j || !(j->r = calloc(n ? n : 1, sizeof(*j->r))) ||
	    !(j->slot = calloc(n ? n : 1, sizeof(*j->slot)))) {
		if (j)
			free(j->r);
		free(j);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		size_t hl;
		char *name;

		if (!e[i].host)
			continue;
		hl = e[i].has_port ? (size_t)(strrchr(e[i].name, ':') - e[i].name)
				   : strlen(e[i].name);
		name = strndup(e[i].name, hl);
		if (!name)
			break;
		for (k = 0; k < j->n; k++)
			if (!strcmp(j->r[k].name, name))
				break;
		if (k < j->n) {
			free(name);
			continue;
		}
		j->r[j->n++].name = name;
	}
	if (!j->n) {
		job_free(j);
		return NULL;
	}
	return j;
}

void maint_resolve(struct maint_entry *e, unsigned n)
{
	struct fulcrum *fc = watch_fc();
	struct resolve_job *j;
	unsigned i;
	int err = EAI_MEMORY;

	maint_resolve_fill(e, n);
	if (R.job) /* only the newest request counts */
		job_free(R.job);
	R.job = NULL;
	j = job_new(e, n);
	if (!j || !fc)
		goto fail;
	for (i = 0; i < j->n; i++) {
		j->slot[i].j = j;
		j->slot[i].i = i;
		j->slot[i].req = resolve_start(fc->loop, j->r[i].name, on_answer, &j->slot[i], &err);
		if (!j->slot[i].req)
			goto fail;
		j->left++;
	}
	R.job = j;
	return;
fail:
	if (j) {
		log_err("maintenance_dir: cannot look host names up: %s", gai_strerror(err));
		job_free(j);
	}
}

void maint_resolve_stop(void)
{
	if (R.job)
		job_free(R.job);
	R.job = NULL;
	resolved_free(R.known, R.n_known);
	R.known = NULL;
	R.n_known = 0;
}
