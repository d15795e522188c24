#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"

#define LOOP_MAX_EVENTS 256
#define LOOP_MAX_SIGNALS 8

struct deferred {
	ev_defer_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	int running;
	uint64_t now;

	struct ev_timer **heap; /* min-heap on ->when */
	size_t nheap, capheap;

	struct deferred *defer;
	size_t ndefer, capdefer;

	int sigfd;
	struct ev_io sigio;
	sigset_t sigmask;
	struct {
		int signo;
		ev_signal_cb cb;
	} sigs[LOOP_MAX_SIGNALS];
	size_t nsigs;

	pthread_mutex_t *lock; /* loop_set_lock: held while not in epoll_wait */
	int lock_held;

	/* The registered watchers by fd.  An epoll event carries (fd, gen),
	 * never a pointer: it is delivered only if fdtab[fd] is a watcher
	 * whose gen is the event's, so an event fetched for a watcher deleted
	 * earlier in the round, or reported by a registration that outlived
	 * its fd (loop_io_close), reaches nobody. */
	struct ev_io ***fdtab; /* chunks of FDTAB_CHUNK, made on first use */
	size_t nfdtab;	       /* chunks: fixed at loop_new (fs.nr_open) */
	uint32_t gen; /* the last one given out */
};

static uint64_t ev_tag(const struct ev_io *io)
{
	return (uint64_t)io->gen << 32 | (uint32_t)io->fd;
}

/* The table is chunked, not one array grown by realloc: a doubling
 * copy leaves the old block's pages behind in the heap, which cost as
 * much again per idle connection.  8 bytes per fd number, per loop that
 * registered a number in its chunk.
 *
 * The loop's thread reads a slot before it takes the loop's lock (an
 * unlocked watcher's event, the relay's, is dispatched without it), while
 * another thread may register on this loop under the lock (the HTTP
 * applets' eventfd on the main loop, from a worker).  So the array of
 * chunks never moves: it is sized once for every fd number the kernel can
 * hand out (fs.nr_open; untouched, its pages cost nothing), chunks are
 * published with a release store and never freed before loop_free, and
 * slots are loaded and stored atomically. */
#define FDTAB_SHIFT 10
#define FDTAB_CHUNK ((size_t)1 << FDTAB_SHIFT)
#define FDTAB_NR_OPEN_DEFAULT (1u << 20) /* the kernel's default fs.nr_open */

static size_t fdtab_chunks(void)
{
	unsigned long nr = FDTAB_NR_OPEN_DEFAULT;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (f) {
		if (fscanf(f, "%lu", &nr) != 1 || nr < FDTAB_CHUNK)
			nr = FDTAB_NR_OPEN_DEFAULT;
		fclose(f);
	}
	return (nr + FDTAB_CHUNK - 1) >> FDTAB_SHIFT;
}

static struct ev_io **fdtab_slot(const struct loop *l, uint32_t fd)
{
	size_t c = fd >> FDTAB_SHIFT;
	struct ev_io **chunk;

	if (c >= l->nfdtab)
		return NULL;
	chunk = __atomic_load_n(&l->fdtab[c], __ATOMIC_ACQUIRE);
	return chunk ? &chunk[fd & (FDTAB_CHUNK - 1)] : NULL;
}

/* fdtab covers fd: 0, or -1 (out of memory, or a number over fs.nr_open
 * as it was at loop_new) */
static int fdtab_grow(struct loop *l, int fd)
{
	size_t c = (size_t)fd >> FDTAB_SHIFT;
	struct ev_io **chunk;

	if (fd < 0 || c >= l->nfdtab)
		return -1;
	if (__atomic_load_n(&l->fdtab[c], __ATOMIC_ACQUIRE))
		return 0;
	chunk = calloc(FDTAB_CHUNK, sizeof(*chunk));
	if (!chunk)
		return -1;
	__atomic_store_n(&l->fdtab[c], chunk, __ATOMIC_RELEASE);
	return 0;
}

static struct ev_io *fdtab_get(struct ev_io **slot)
{
	return slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : NULL;
}

static void fdtab_forget(struct loop *l, struct ev_io *io)
{
	struct ev_io **slot = io->fd >= 0 ? fdtab_slot(l, (uint32_t)io->fd) : NULL;

	if (fdtab_get(slot) == io)
		__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	io->registered = 0;
}

uint64_t loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->nfdtab = fdtab_chunks();
	l->fdtab = calloc(l->nfdtab, sizeof(*l->fdtab));
	if (!l->fdtab) {
		close(l->epfd);
		free(l);
		return NULL;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	l->now = loop_clock_ms();
	return l;
}

static void run_deferred(struct loop *l)
{
	/* fn may defer more work: loop until the list stays empty */
	while (l->ndefer) {
		size_t n = l->ndefer, i;
		struct deferred *d = l->defer;

		l->defer = NULL;
		l->ndefer = l->capdefer = 0;
		for (i = 0; i < n; i++)
			d[i].fn(d[i].arg);
		free(d);
	}
}

void loop_free(struct loop *l)
{
	size_t i;

	if (!l)
		return;
	run_deferred(l);
	if (l->sigfd >= 0)
		close(l->sigfd);
	close(l->epfd);
	for (i = 0; i < l->nfdtab; i++)
		free(l->fdtab[i]);
	free(l->fdtab);
	free(l->heap);
	free(l);
}

uint64_t loop_now(struct loop *l)
{
	return l->now;
}

void loop_stop(struct loop *l)
{
	l->running = 0;
}

void loop_set_lock(struct loop *l, pthread_mutex_t *m)
{
	l->lock = m;
	l->lock_held = 0;
	loop_lock_acquire(l);
}

void loop_lock_acquire(struct loop *l)
{
	if (l->lock && !l->lock_held) {
		pthread_mutex_lock(l->lock);
		l->lock_held = 1;
	}
}

int loop_lock_held(const struct loop *l)
{
	return l->lock && l->lock_held;
}

void loop_lock_release(struct loop *l)
{
	if (l->lock && l->lock_held) {
		l->lock_held = 0;
		pthread_mutex_unlock(l->lock);
	}
}

int loop_io_add(struct loop *l, struct ev_io *io, int fd, uint32_t events, ev_io_cb cb,
		void *data)
{
	struct epoll_event ev = {.events = events};

	io->fd = fd;
	io->events = events;
	io->unlocked = 0;
	io->cb = cb;
	io->data = data;
	io->registered = 0;
	io->gen = ++l->gen;
	if (fdtab_grow(l, fd) < 0) {
		errno = fd < 0 ? EBADF : (size_t)fd >> FDTAB_SHIFT >= l->nfdtab ? EMFILE : ENOMEM;
		return -1;
	}
	/* in the table before epoll can report it: a registration made from
	 * another thread may see its first event at once, edge-triggered too */
	io->registered = 1;
	__atomic_store_n(fdtab_slot(l, (uint32_t)fd), io, __ATOMIC_RELEASE);
	ev.data.u64 = ev_tag(io);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;

		fdtab_forget(l, io);
		errno = e;
		return -1;
	}
	return 0;
}

void loop_io_unlocked(struct ev_io *io)
{
	io->unlocked = 1;
}

int loop_io_mod(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = ev_tag(io)};

	if (!io->registered)
		return -1;
	if (io->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -1;
	io->events = events;
	return 0;
}

int loop_io_rearm(struct loop *l, struct ev_io *io)
{
	struct epoll_event ev = {.events = io->events, .data.u64 = ev_tag(io)};

	if (!io->registered)
		return -1;
	/* a MOD polls the file and queues it if ready, edge or not */
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev);
}

void loop_io_del(struct loop *l, struct ev_io *io)
{
	if (!io->registered)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	fdtab_forget(l, io);
}

void loop_io_close(struct loop *l, struct ev_io *io)
{
	if (io->registered && !(io->events & EPOLLET))
		loop_io_del(l, io);
	/* close() drops the registration with the file's last reference;
	 * if another holder keeps it, its events find no watcher (fdtab) */
	fdtab_forget(l, io);
	close(io->fd);
}

/* ---- timers: binary min-heap, heap_idx is position + 1 ---- */

static void heap_set(struct loop *l, size_t i, struct ev_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i + 1;
}

static void heap_up(struct loop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->when <= t->when)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct ev_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_init(struct ev_timer *t, ev_timer_cb cb, void *data)
{
	t->when = 0;
	t->heap_idx = 0;
	t->cb = cb;
	t->data = data;
}

void loop_timer_stop(struct loop *l, struct ev_timer *t)
{
	size_t i;

	if (!t->heap_idx)
		return;
	i = t->heap_idx - 1;
	t->heap_idx = 0;
	l->nheap--;
	if (i == l->nheap)
		return;
	{
		struct ev_timer *m = l->heap[l->nheap];

		heap_set(l, i, m);
		heap_down(l, i);
		heap_up(l, m->heap_idx - 1);
	}
}

void loop_timer_start(struct loop *l, struct ev_timer *t, uint64_t after_ms)
{
	/* saturated: a caller's "practically never" must not wrap to "now" */
	uint64_t when = after_ms > UINT64_MAX - l->now ? UINT64_MAX : l->now + after_ms;

	if (t->heap_idx) {
		/* re-armed (a stream's timeout restarted at every request):
		 * moved from where it is, one sift instead of a removal and an
		 * insertion */
		uint64_t was = t->when;

		t->when = when;
		if (when < was)
			heap_up(l, t->heap_idx - 1);
		else
			heap_down(l, t->heap_idx - 1);
		return;
	}
	if (l->nheap == l->capheap) {
		size_t cap = l->capheap ? l->capheap * 2 : 64;
		struct ev_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			abort(); /* out of memory on the loop: nothing sane to do */
		l->heap = h;
		l->capheap = cap;
	}
	t->when = when;
	heap_set(l, l->nheap++, t);
	heap_up(l, l->nheap - 1);
}

static void run_timers(struct loop *l)
{
	while (l->nheap && l->heap[0]->when <= l->now) {
		struct ev_timer *t = l->heap[0];

		loop_timer_stop(l, t);
		t->cb(l, t);
	}
}

/* ---- signals ---- */

static void on_signalfd(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct signalfd_siginfo si;
	size_t i;

	(void)events;
	while (read(io->fd, &si, sizeof(si)) == sizeof(si)) {
		for (i = 0; i < l->nsigs; i++)
			if (l->sigs[i].signo == (int)si.ssi_signo)
				l->sigs[i].cb(l, (int)si.ssi_signo);
	}
}

int loop_signal(struct loop *l, int signo, ev_signal_cb cb)
{
	int fd;

	if (l->nsigs == LOOP_MAX_SIGNALS)
		return -1;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -1;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (l->sigfd < 0) {
		l->sigfd = fd;
		if (loop_io_add(l, &l->sigio, fd, EPOLLIN, on_signalfd, l) < 0)
			return -1;
	}
	l->sigs[l->nsigs].signo = signo;
	l->sigs[l->nsigs].cb = cb;
	l->nsigs++;
	return 0;
}

int loop_defer(struct loop *l, ev_defer_fn fn, void *arg)
{
	if (l->ndefer == l->capdefer) {
		size_t cap = l->capdefer ? l->capdefer * 2 : 32;
		struct deferred *d = realloc(l->defer, cap * sizeof(*d));

		if (!d)
			return -1;
		l->defer = d;
		l->capdefer = cap;
	}
	l->defer[l->ndefer].fn = fn;
	l->defer[l->ndefer].arg = arg;
	l->ndefer++;
	return 0;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	l->running = 1;
	while (l->running) {
		int timeout = -1, n, i;

		l->now = loop_clock_ms();
		/* the lock only for work: a due timer or deferred calls */
		if (l->ndefer || (l->nheap && l->heap[0]->when <= l->now))
			loop_lock_acquire(l);
		run_timers(l);
		run_deferred(l);
		if (!l->running)
			break;
		if (l->nheap) {
			uint64_t w = l->heap[0]->when;

			/* epoll takes an int of ms: a timer further away than
			 * INT_MAX ms (24.8 days) is waited for in INT_MAX steps,
			 * not by a cast that turns negative (wait forever) */
			timeout = w <= l->now		 ? 0
				  : w - l->now > INT_MAX ? INT_MAX
							 : (int)(w - l->now);
		}
		loop_lock_release(l);
		n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		l->now = loop_clock_ms();
		for (i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			uint32_t fd = (uint32_t)tag;
			struct ev_io *io = fdtab_get(fdtab_slot(l, fd));

			/* deleted by an earlier handler of this round, or a
			 * registration that outlived its fd: nobody's */
			if (!io || io->gen != (uint32_t)(tag >> 32))
				continue;
			/* an unlocked watcher is called without the lock (it
			 * takes it if it needs it), the others under it */
			if (io->unlocked)
				loop_lock_release(l);
			else
				loop_lock_acquire(l);
			io->cb(l, io, evs[i].events);
		}
		if (l->ndefer)
			loop_lock_acquire(l);
		run_deferred(l);
	}
	loop_lock_release(l);
	return 0;
}
