/* The event loop: epoll for descriptors, a binary heap of timers, signalfd
 * for signals, and a deferred-work list run after each dispatch round.
 *
 * Single-threaded.  Nothing here blocks except epoll_wait.  Contract:
 *  - a callback may add, modify or delete any watcher, arm or stop any timer;
 *  - memory that holds an ev_io or ev_timer may only be freed once the loop no
 *    longer references it: after loop_io_del()/loop_timer_stop(), and for an
 *    ev_io not before the current round ends -> free it with loop_defer();
 *  - loop_now() is the time at the start of the round (cheap, monotonic ms).
 */
#ifndef FC_CORE_LOOP_H
#define FC_CORE_LOOP_H

#include <pthread.h>

#include "core/loop-t.h"

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Run until loop_stop(); returns 0, or -1 if epoll itself failed. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

/* Threads (doc/internals/threads.md): the loop holds m while it runs its
 * callbacks, timers and deferred work -- but takes it only when there is
 * such work, so a round whose only events are unlocked watchers' takes
 * no lock at all.  set takes m at once (call it from the loop's own
 * thread); release and acquire let the loop's thread give m up for a
 * moment (a syscall that touches nothing shared) or for good (before
 * joining other threads), or take it inside an unlocked callback. */
void loop_set_lock(struct loop *l, pthread_mutex_t *m);
void loop_lock_release(struct loop *l);
void loop_lock_acquire(struct loop *l);
/* 1 if the loop's thread holds m now: a callback that gives it up around
 * a syscall takes it back only if it had it. */
int loop_lock_held(const struct loop *l);

uint64_t loop_now(struct loop *l);
uint64_t loop_clock_ms(void);   /* fresh CLOCK_MONOTONIC reading */

int loop_io_add(struct loop *l, struct ev_io *io, int fd, uint32_t events, ev_io_cb cb,
		void *data);
int loop_io_mod(struct loop *l, struct ev_io *io, uint32_t events);
/* An edge-triggered watcher (EPOLLET) whose owner stopped before its fd
 * ran dry: epoll looks at it again, and io fires in the next round if it
 * is still ready.  0 or -1. */
int loop_io_rearm(struct loop *l, struct ev_io *io);
/* After loop_io_add: io's callback is called without the loop's lock (it
 * takes it itself, with loop_lock_acquire, before touching shared state).
 * For watchers whose common events touch only their owner's own state. */
void loop_io_unlocked(struct ev_io *io);
/* Before close() (or loop_io_close instead of both): a child forked for a
 * script holds copies of every descriptor for a moment, and while it does,
 * a closed descriptor's epoll registration stays alive. */
void loop_io_del(struct loop *l, struct ev_io *io);
/* Forget io and close its fd, without the EPOLL_CTL_DEL (one system call
 * fewer per socket).  Safe because an event carries (fd, generation), not
 * a pointer: a registration that outlives the close (the file still held
 * by a forked child or a pidfd_getfd) reports a generation the loop no
 * longer knows, and its events are dropped.  Only an edge-triggered io
 * skips the DEL (a level-triggered stale registration would be reported
 * at every round until its other holder lets go); others are deleted
 * first.  io's memory follows loop_io_del's rule. */
void loop_io_close(struct loop *l, struct ev_io *io);

void loop_timer_init(struct ev_timer *t, ev_timer_cb cb, void *data);
void loop_timer_start(struct loop *l, struct ev_timer *t, uint64_t after_ms);
void loop_timer_stop(struct loop *l, struct ev_timer *t);
static inline int loop_timer_armed(const struct ev_timer *t)
{
	return t->heap_idx != 0;
}

/* Route a signal to cb on the loop (blocks it for the process). */
int loop_signal(struct loop *l, int signo, ev_signal_cb cb);

/* Run fn(arg) after the current dispatch round; used to free objects whose
 * ev_io may still be referenced by events already fetched this round. */
int loop_defer(struct loop *l, ev_defer_fn fn, void *arg);

#endif
