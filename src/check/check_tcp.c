/* TCP_CHECK: a TCP connection to the target that completes is a success.
 *
 * The connection is closed at once with a reset (SO_LINGER 0), as HAProxy
 * does for its checks: a normal close would leave a TIME_WAIT socket on the
 * director per check, and at thousands of checks per second those exhaust
 * the local ports. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw-t.h"

struct tcp_attempt {
	struct ev_io io;
	struct check_run *run;
};

/* Close and free the attempt; the ev_io is freed after this round. */
static void tcp_release(struct check_run *run)
{
	struct tcp_attempt *a = run->priv;
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int fd;

	if (!a)
		return;
	run->priv = NULL;
	fd = a->io.fd;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	loop_io_del(run->loop, &a->io); /* before close: see loop.h */
	close(fd);
	/* out of memory for the deferral: leak a few bytes rather than free
	 * what the loop may still reference this round */
	(void)loop_defer(run->loop, free, a);
}

static void tcp_ready(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct tcp_attempt *a = io->data;
	struct check_run *run = a->run;
	socklen_t sl = sizeof(int);
	int e = 0;

	if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
		e = errno;
	if (!e && (events & (EPOLLERR | EPOLLHUP)))
		e = ECONNRESET;
	tcp_release(run);
	if (e)
		check_done(run, CK_L4CON, "%s", check_errno_reason(e));
	else
		check_done(run, CK_L4OK, "connected");
}

static void tcp_start(struct check_run *run)
{
	struct tcp_attempt *a;
	char err[256];
	int fd;

	fd = check_connect(run, SOCK_STREAM, err, sizeof(err));
	if (fd < 0) {
		check_done(run, check_connect_kind(fd), "%s", err);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		check_done(run, CK_SOCKERR, "out of memory");
		return;
	}
	a->run = run;
	if (loop_io_add(run->loop, &a->io, fd, EPOLLOUT, tcp_ready, a) < 0) {
		int e = errno;

		close(fd);
		free(a);
		check_done(run, CK_SOCKERR, "epoll: %s", check_errno_reason(e));
		return;
	}
	run->priv = a;
}

static void tcp_cancel(struct check_run *run)
{
	tcp_release(run);
}

/* Only the keywords every checker has. */
const struct kw check_tcp_kw[] = {
    {NULL},
};

const struct check_ops check_tcp_ops = {
    .type = CHECK_TCP,
    .name = "TCP_CHECK",
    .keywords = check_tcp_kw,
    .retry_default = 1,
    .start = tcp_start,
    .cancel = tcp_cancel,
};
