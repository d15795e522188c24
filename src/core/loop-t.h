/* Event loop types.  See doc/internals/event-loop.md for the contract. */
#ifndef FC_CORE_LOOP_T_H
#define FC_CORE_LOOP_T_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct ev_io;
struct ev_timer;

/* Called with the epoll events that fired (EPOLLIN, EPOLLOUT, EPOLLERR...). */
typedef void (*ev_io_cb)(struct loop *l, struct ev_io *io, uint32_t events);
typedef void (*ev_timer_cb)(struct loop *l, struct ev_timer *t);
typedef void (*ev_signal_cb)(struct loop *l, int signo);
typedef void (*ev_defer_fn)(void *arg);

/* A file descriptor watched by the loop.  Embedded in its owner; the owner
 * must stay allocated until the end of the current dispatch round after
 * loop_io_del() (free it through loop_defer()). */
struct ev_io {
	int fd;
	uint32_t events;   /* the set asked for */
	int registered;    /* 1 while in the epoll set */
	uint32_t gen;      /* the loop's tag for this registration (loop.c) */
	int unlocked;      /* loop_io_unlocked: cb runs without the loop's lock */
	ev_io_cb cb;
	void *data;        /* owner's pointer, untouched by the loop */
};

/* A one-shot timer in monotonic milliseconds.  Re-arm from its callback. */
struct ev_timer {
	uint64_t when;     /* expiry, loop_now() scale */
	size_t heap_idx;   /* 0 = not armed, else position + 1 */
	ev_timer_cb cb;
	void *data;
};

#endif
