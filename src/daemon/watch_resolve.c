/* Host names of the maintenance directory, resolved off the loop.
 *
 * getaddrinfo() may block for seconds (a name server away), and nothing may
 * block the loop.  So each scan that finds host names hands a copy of them
 * to a detached thread of its own, which resolves them one after the other
 * and sends the answer back as one pointer through a pipe of its own that
 * the loop watches.  The thread owns the answer until the write succeeds;
 * a request that was superseded (a newer scan) or a daemon that stops
 * closes the read end, the thread's write fails (EPIPE: SIGPIPE is ignored)
 * and it frees everything itself.
 *
 * What the names resolved to is kept by name, so that a scan (a file added
 * next to a host name) does not forget a name's addresses while the new
 * request runs.  Every scan asks again: a name's addresses follow DNS. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "daemon/watch-int.h"

struct resolved {
	char *name;
	struct fc_addr *addrs;
	unsigned n;
};

/* One request: names in, answers out (same index). */
struct resolve_job {
	int wfd;
	unsigned n;
	struct resolved *r;
};

static struct {
	struct resolved *known; /* the last answer */
	unsigned n_known;
	int rfd;                /* the request in flight, -1 none */
	struct ev_io io;
} R = {.rfd = -1};

static void resolved_free(struct resolved *r, unsigned n)
{
	unsigned i;

	for (i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].addrs);
	}
	free(r);
}

static void job_free(struct resolve_job *j)
{
	resolved_free(j->r, j->n);
	free(j);
}

static void resolve_one(struct resolved *r)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL, *ai;
	unsigned cap = 0;

	if (getaddrinfo(r->name, NULL, &hints, &res) != 0)
		return; /* no such name: it names no server */
	for (ai = res; ai; ai = ai->ai_next)
		cap++;
	r->addrs = calloc(cap ? cap : 1, sizeof(*r->addrs));
	for (ai = res; r->addrs && ai; ai = ai->ai_next)
		if (addr_from_sockaddr(&r->addrs[r->n], ai->ai_addr) == 0)
			r->n++;
	freeaddrinfo(res);
}

static void *resolve_thread(void *arg)
{
	struct resolve_job *j = arg;
	int wfd = j->wfd; /* once written, j is the loop's */
	unsigned i;

	for (i = 0; i < j->n; i++)
		resolve_one(&j->r[i]);
	if (write(wfd, &j, sizeof(j)) != (ssize_t)sizeof(j))
		job_free(j); /* nobody waits for it any more */
	close(wfd);
	return NULL;
}

static void request_drop(void)
{
	struct fulcrum *fc = watch_fc();

	if (R.rfd < 0)
		return;
	if (fc)
		loop_io_del(fc->loop, &R.io);
	close(R.rfd);
	R.rfd = -1;
}

static void on_answer(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct resolve_job *j = NULL;
	ssize_t n;

	(void)l;
	(void)events;
	if (io->fd != R.rfd)
		return; /* an event of a request dropped this round */
	n = read(R.rfd, &j, sizeof(j));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	request_drop();
	if (n != (ssize_t)sizeof(j)) {
		log_err("maintenance_dir: host name lookup failed");
		return;
	}
	resolved_free(R.known, R.n_known);
	R.known = j->r;
	R.n_known = j->n;
	free(j);
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

	if (!j || !(j->r = calloc(n ? n : 1, sizeof(*j->r)))) {
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
	pthread_attr_t attr;
	pthread_t t;
	int p[2], rc;

	maint_resolve_fill(e, n);
	request_drop(); /* only the newest request counts */
	j = job_new(e, n);
	if (!j || !fc)
		goto fail;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	/* the thread's write may block: only the loop's end is non-blocking */
	fcntl(p[1], F_SETFL, 0);
	j->wfd = p[1];
	R.rfd = p[0];
	if (loop_io_add(fc->loop, &R.io, R.rfd, EPOLLIN, on_answer, NULL) < 0) {
		close(p[1]);
		close(R.rfd);
		R.rfd = -1;
		goto fail;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, resolve_thread, j);
	pthread_attr_destroy(&attr);
	if (rc) {
		close(p[1]);
		request_drop();
		errno = rc;
		goto fail;
	}
	return;
fail:
	if (j) {
		log_err("maintenance_dir: cannot look host names up: %s", strerror(errno));
		job_free(j);
	}
}

void maint_resolve_stop(void)
{
	request_drop();
	resolved_free(R.known, R.n_known);
	R.known = NULL;
	R.n_known = 0;
}
