/* The proxy's worker threads (nbthread; doc/internals/threads.md).
 *
 * Each worker runs its own event loop over its own struct proxy: its
 * listeners (one per service, SO_REUSEPORT, so the kernel spreads the
 * clients and accepting takes no lock), its connections, its pools.  The
 * main thread keeps the configuration, apply, checks, VRRP, the control
 * socket and XDP.
 *
 * Two rules keep it safe:
 *  - shared state (the model and its live counters, the pool's scheduler,
 *    persistence, the shed log limits) is touched only under the engine
 *    lock, which every loop holds while it dispatches (loop_set_lock) and
 *    gives up around the syscalls that touch only its own connections;
 *  - a worker's own state (its loop, services, connections) is touched by
 *    the main thread only while the worker is parked: proxy_pause kicks
 *    every worker's eventfd, and each one waits in that callback, between
 *    two events, until proxy_resume.  Every engine op runs paused, so a
 *    worker never sees half of an apply, and what the op frees through a
 *    worker's loop_defer is freed by that worker after its current round. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "model/ctr.h"
#include "proxy/http.h"
#include "proxy/proxy.h"

unsigned proxy_threads_want(unsigned nbthread)
{
	cpu_set_t set;
	int n;

	if (nbthread) /* haproxy.cfg takes up to 4096, as HAProxy's parser does */
		return nbthread > FC_NBTHREAD_MAX ? FC_NBTHREAD_MAX : nbthread;
	if (PROXY_NBTHREAD_DEFAULT)
		return PROXY_NBTHREAD_DEFAULT;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	if (n < 1)
		return 1;
	return n > FC_NBTHREAD_MAX ? FC_NBTHREAD_MAX : (unsigned)n;
}

void proxy_kick(struct proxy *w)
{
	uint64_t one = 1;

	(void)!write(w->kick, &one, sizeof(one));
}

/* The worker's eventfd: park while the main thread applies, or stop;
 * else the streams another worker handed a server slot go on
 * (http_queue.c).  Runs under the engine lock, which pthread_cond_wait
 * gives up. */
static void on_kick(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct proxy *w = io->data;
	struct proxy_threads *t = w->main->thr;
	uint64_t v;

	(void)!read(w->kick, &v, sizeof(v));
	if (t->pause && !t->stop) {
		t->nparked++;
		pthread_cond_signal(&t->parked);
		while (t->pause && !t->stop)
			pthread_cond_wait(&t->resume, &t->lock);
		t->nparked--;
	}
	if (t->stop) {
		loop_stop(l);
		return;
	}
	hq_run_woken(w);
}

static void *worker_main(void *arg)
{
	struct proxy *w = arg;

	ctr_thread_enter(w->index); /* its own counter slots (model/ctr.h) */
	loop_set_lock(w->loop, w->lock);
	if (loop_run(w->loop) < 0)
		log_err("proxy: worker %u: epoll failed: %s", w->index, strerror(errno));
	return NULL;
}

/* Deferred to the main loop's first round: after the privileges were
 * dropped (capabilities are per thread), with every signal blocked so
 * that they keep reaching the main loop's signalfd. */
struct thr_start {
	struct proxy *px; /* NULL: the engine went away before the first round */
};

static void start_workers(void *arg)
{
	struct thr_start *st = arg;
	struct proxy *px = st->px;
	struct proxy_threads *t = px ? px->thr : NULL;
	sigset_t all, old;
	unsigned k;
	int e;

	free(st);
	if (t)
		t->start = NULL;
	if (!t || t->started)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (k = 0; k < t->n; k++) {
		e = pthread_create(&t->tid[k], NULL, worker_main, t->w[k]);
		if (e) {
			/* its listeners still take a share of the clients:
			 * loud, and the service is degraded, not silent */
			log_err("proxy: cannot start worker %u of %u: %s", k, t->n, strerror(e));
			break;
		}
		t->started++;
		/* what top -H and ps -L show: "fulcrum-w0".. */
		{
			char name[16];

			snprintf(name, sizeof(name), "fulcrum-w%u", k % FC_NBTHREAD_MAX);
			(void)pthread_setname_np(t->tid[k], name);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void worker_free(struct proxy *w)
{
	if (!w)
		return;
	if (w->loop) {
		loop_io_del(w->loop, &w->kick_io);
		loop_free(w->loop);
	}
	if (w->kick >= 0)
		close(w->kick);
	pthread_mutex_destroy(&w->fd_gate);
	free(w);
}

static struct proxy *worker_new(struct proxy *px, unsigned k)
{
	struct proxy *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->kick = -1;
	pthread_mutex_init(&w->fd_gate, NULL);
	w->main = px;
	w->lock = &px->thr->lock;
	w->index = k;
	w->relay = px->relay;
	w->loop = loop_new();
	if (!w->loop)
		goto fail;
	w->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->kick < 0 || loop_io_add(w->loop, &w->kick_io, w->kick, EPOLLIN, on_kick, w) < 0)
		goto fail;
	return w;
fail:
	worker_free(w);
	return NULL;
}

static void threads_free(struct proxy_threads *t)
{
	unsigned k;

	/* a start still deferred on the main loop must not find us */
	if (t->start)
		t->start->px = NULL;
	for (k = 0; k < t->n; k++)
		worker_free(t->w[k]);
	free(t->w);
	free(t->tid);
	pthread_cond_destroy(&t->parked);
	pthread_cond_destroy(&t->resume);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int proxy_threads_init(struct proxy *px, unsigned n, char *err, size_t errlen)
{
	struct proxy_threads *t = calloc(1, sizeof(*t));
	unsigned k;

	if (!t)
		return err_set(err, errlen, "out of memory");
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->parked, NULL);
	pthread_cond_init(&t->resume, NULL);
	t->w = calloc(n, sizeof(*t->w));
	t->tid = calloc(n, sizeof(*t->tid));
	if (!t->w || !t->tid) {
		threads_free(t);
		return err_set(err, errlen, "out of memory");
	}
	px->thr = t;
	t->n = n;
	ctr_workers(n);
	for (k = 0; k < n; k++) {
		t->w[k] = worker_new(px, k);
		if (!t->w[k]) {
			px->thr = NULL;
			threads_free(t);
			return err_set(err, errlen, "cannot set up %u worker threads: %s", n,
				       strerror(errno));
		}
	}
	loop_set_lock(px->loop, &t->lock);
	/* The engine may be shut down before the main loop's first round
	 * (a refused start, a unit test): the deferred call then finds
	 * st->px NULL instead of freed memory. */
	t->start = malloc(sizeof(*t->start));
	if (!t->start) {
		px->thr = NULL;
		loop_set_lock(px->loop, NULL);
		threads_free(t);
		return err_set(err, errlen, "out of memory");
	}
	t->start->px = px;
	if (loop_defer(px->loop, start_workers, t->start) < 0)
		start_workers(t->start);
	return 0;
}

void proxy_pause(struct proxy *px)
{
	struct proxy_threads *t = px->thr;
	unsigned k;

	if (!t || !t->started || t->depth++)
		return;
	loop_lock_acquire(px->loop);
	t->pause = 1;
	for (k = 0; k < t->started; k++)
		proxy_kick(t->w[k]);
	while (t->nparked < t->started)
		pthread_cond_wait(&t->parked, &t->lock);
}

void proxy_resume(struct proxy *px)
{
	struct proxy_threads *t = px->thr;

	if (!t || !t->started || --t->depth)
		return;
	t->pause = 0;
	pthread_cond_broadcast(&t->resume);
}

void proxy_threads_stop(struct proxy *px)
{
	struct proxy_threads *t = px->thr;
	unsigned k;

	if (!t)
		return;
	/* the workers need the lock to leave their loops */
	loop_lock_release(px->loop);
	pthread_mutex_lock(&t->lock);
	t->stop = 1;
	pthread_cond_broadcast(&t->resume);
	pthread_mutex_unlock(&t->lock);
	for (k = 0; k < t->started; k++)
		proxy_kick(t->w[k]);
	for (k = 0; k < t->started; k++)
		pthread_join(t->tid[k], NULL);
	t->started = 0;
	/* from now on the main thread closes what they served, alone */
	for (k = 0; k < t->n; k++)
		loop_set_lock(t->w[k]->loop, NULL);
}

void proxy_threads_free(struct proxy *px)
{
	if (!px->thr)
		return;
	proxy_threads_stop(px);
	loop_set_lock(px->loop, NULL);
	threads_free(px->thr);
	px->thr = NULL;
}
