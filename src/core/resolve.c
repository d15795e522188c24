/* The resolver (contract in resolve.h): a list of getaddrinfo_a requests
 * and one loop timer that polls them while the list is not empty. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/loop.h"
#include "core/resolve.h"

struct resolve_req {
	struct gaicb gai;	 /* glibc's until gai_error says it ended */
	struct addrinfo hints;
	char *name;		 /* gai.ar_name */
	resolve_cb done;	 /* NULL once cancelled */
	void *ctx;
	int listed;		 /* on R.running (else ended, its callback pending) */
	struct resolve_req *next;
};

static struct {
	struct loop *loop;	       /* of the requests in flight */
	struct ev_timer timer;	       /* polls them */
	int timer_init;
	struct resolve_req *running;   /* started, not seen ended yet */
	struct resolve_req *orphans;   /* glibc kept them at stop: reachable, never freed */
} R;

static void req_free(struct resolve_req *r)
{
	if (gai_error(&r->gai) == 0 && r->gai.ar_result)
		freeaddrinfo(r->gai.ar_result);
	free(r->name);
	free(r);
}

static void unlist(struct resolve_req *r)
{
	struct resolve_req **pp;

	for (pp = &R.running; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			r->next = NULL;
			r->listed = 0;
			return;
		}
}

/* The ended requests are taken off the list first and then called back
 * one by one: a callback may start or cancel any request. */
static void tick(struct loop *l, struct ev_timer *t)
{
	struct resolve_req **pp = &R.running, *r, *ended = NULL, **tail = &ended;

	while ((r = *pp)) {
		if (gai_error(&r->gai) == EAI_INPROGRESS) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = NULL;
		r->listed = 0;
		*tail = r;
		tail = &r->next;
	}
	while ((r = ended)) {
		int rc = gai_error(&r->gai);

		ended = r->next;
		if (r->done)
			r->done(r->ctx, rc, rc == 0 ? r->gai.ar_result : NULL);
		req_free(r);
	}
	if (R.running)
		loop_timer_start(l, t, RESOLVE_POLL_MS);
}

struct resolve_req *resolve_start(struct loop *l, const char *name, resolve_cb done, void *ctx,
				  int *err)
{
	struct resolve_req *r = calloc(1, sizeof(*r));
	struct gaicb *list[1];
	int rc;

	if (!r || !(r->name = strdup(name))) {
		free(r);
		*err = EAI_MEMORY;
		return NULL;
	}
	r->hints.ai_family = AF_UNSPEC;
	r->hints.ai_socktype = SOCK_STREAM;
	r->gai.ar_name = r->name;
	r->gai.ar_request = &r->hints;
	r->done = done;
	r->ctx = ctx;
	list[0] = &r->gai;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (rc != 0) {
		free(r->name);
		free(r);
		*err = rc;
		return NULL;
	}
	if (!R.timer_init) {
		loop_timer_init(&R.timer, tick, NULL);
		R.timer_init = 1;
	}
	R.loop = l;
	r->next = R.running;
	r->listed = 1;
	R.running = r;
	if (!loop_timer_armed(&R.timer))
		loop_timer_start(l, &R.timer, RESOLVE_POLL_MS);
	return r;
}

void resolve_cancel(struct resolve_req *r)
{
	if (!r)
		return;
	r->done = NULL;
	/* an ended one not yet called back is freed by tick; a listed one
	 * now if glibc lets it go, else once it ends */
	if (r->listed && gai_cancel(&r->gai) != EAI_NOTCANCELED) {
		unlist(r);
		req_free(r);
	}
}

void resolve_stop(void)
{
	struct timespec deadline, now, left;
	struct resolve_req *r;

	if (R.timer_init && R.loop)
		loop_timer_stop(R.loop, &R.timer);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += RESOLVE_STOP_WAIT_MS / 1000;
	deadline.tv_nsec += (long)(RESOLVE_STOP_WAIT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while ((r = R.running)) {
		R.running = r->next;
		r->next = NULL;
		r->listed = 0;
		r->done = NULL;
		if (gai_cancel(&r->gai) == EAI_NOTCANCELED) {
			const struct gaicb *list[1] = {&r->gai};

			clock_gettime(CLOCK_MONOTONIC, &now);
			left.tv_sec = deadline.tv_sec - now.tv_sec;
			left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000L;
			}
			if (left.tv_sec >= 0)
				gai_suspend(list, 1, &left);
			if (gai_error(&r->gai) == EAI_INPROGRESS) {
				r->next = R.orphans; /* glibc's thread still writes it */
				R.orphans = r;
				continue;
			}
		}
		req_free(r);
	}
	R.loop = NULL;
}
