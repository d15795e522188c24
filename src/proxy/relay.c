/* The data pump: recv/send through a pooled buffer for small transfers,
 * splice(2) through a pipe (zero-copy) for big ones.
 *
 * Small messages (requests, short answers) cost less copied than spliced:
 * a pipe adds work per call that copying 1 KiB does not.  So a direction
 * copies until one read fills the whole buffer -- more is queued, a bulk
 * transfer -- and then splices until a splice brings less than a buffer's
 * worth (HAProxy's splice-auto follows the same idea).
 *
 * A direction alternates between reading (nothing held: read the source
 * while it is ready) and writing (bytes held: write them while the
 * destination is ready).  It reads again only once everything held was
 * written, so memory per direction is bounded by one pipe (or one
 * PROXY_BUF_SIZE buffer) and a slow peer stops the reads from the fast one
 * (backpressure).  The sockets are watched edge-triggered (tcp.c), so the
 * caller keeps "ready" bits that epoll sets and only I/O clears: a read or
 * write that would block clears its bit, and so does a copied read shorter
 * than asked (TCP's receive queue was empty then; what comes later fires
 * the edge again).  A short splice does not: a pipe can fill up on its
 * buffer count before its bytes, with the socket still holding data.
 *
 * Pipes are taken from a small pool when a read starts and given back as
 * soon as they are empty: an idle connection holds no pipe. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy/proxy.h"

void relay_init(struct relay_dir *d)
{
	d->pipe[0] = d->pipe[1] = -1;
	d->buf = NULL;
	d->len = d->off = 0;
	d->eof = d->shut = d->nosplice = d->bulk = d->always = 0;
}

char *proxy_buf_get(struct proxy *px)
{
	if (px->nbufs)
		return px->bufs[--px->nbufs];
	return malloc(PROXY_BUF_SIZE);
}

void proxy_buf_put(struct proxy *px, char **buf)
{
	if (!*buf)
		return;
	if (px->nbufs < PROXY_BUF_POOL)
		px->bufs[px->nbufs++] = *buf;
	else
		free(*buf);
	*buf = NULL;
}

static int pipe_get(struct proxy *px, int p[2])
{
	int r;

	if (px->npipes) {
		px->npipes--;
		p[0] = px->pipes[px->npipes][0];
		p[1] = px->pipes[px->npipes][1];
		return 0;
	}
	proxy_fd_enter(px); /* not while a sibling sheds (proxy.h) */
	r = pipe2(p, O_NONBLOCK | O_CLOEXEC);
	proxy_fd_leave(px);
	if (r < 0)
		return -1;
	/* the default is 16 pages too, but say it: this bounds the memory */
	(void)fcntl(p[1], F_SETPIPE_SZ, PROXY_PIPE_SIZE);
	return 0;
}

/* An empty pipe goes back to the pool; one still holding bytes (the
 * connection failed) is closed, its bytes dropped. */
static void pipe_put(struct proxy *px, int p[2], int empty)
{
	if (empty && px->npipes < PROXY_PIPE_POOL) {
		px->pipes[px->npipes][0] = p[0];
		px->pipes[px->npipes][1] = p[1];
		px->npipes++;
	} else {
		close(p[0]);
		close(p[1]);
	}
	p[0] = p[1] = -1;
}

void relay_release(struct proxy *px, struct relay_dir *d)
{
	if (d->pipe[0] >= 0)
		pipe_put(px, d->pipe, d->len == 0);
	proxy_buf_put(px, &d->buf);
}

void relay_pool_free(struct proxy *px)
{
	while (px->npipes) {
		px->npipes--;
		close(px->pipes[px->npipes][0]);
		close(px->pipes[px->npipes][1]);
	}
	while (px->nbufs)
		free(px->bufs[--px->nbufs]);
}

static int is_again(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/* Read once into the direction's storage.  2 = got fewer bytes than asked
 * (the socket is most likely empty now), 1 = a full read or EOF, 0 = would
 * block, -1 = error. */
static int fill(struct proxy *px, struct relay_dir *d, int src, uint64_t *bytes, uint64_t *xfers)
{
	int spl = d->bulk && !d->nosplice;
	ssize_t n = -1;

	if (spl && d->pipe[0] < 0 && pipe_get(px, d->pipe) < 0) {
		d->nosplice = 1; /* out of descriptors: copy */
		spl = 0;
	}
	if (spl) {
		n = splice(src, NULL, d->pipe[1], NULL, PROXY_PIPE_SIZE,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EINVAL) {
			d->nosplice = 1;
			spl = 0;
		}
	}
	if (!spl) {
		if (d->pipe[0] >= 0)
			pipe_put(px, d->pipe, 1); /* empty: fill runs only when len == 0 */
		if (!d->buf) {
			d->buf = proxy_buf_get(px);
			if (!d->buf)
				return -1;
		}
		n = recv(src, d->buf, PROXY_BUF_SIZE, MSG_DONTWAIT);
		d->off = 0;
	}
	if (n > 0) {
		d->len = (uint32_t)n;
		*bytes += (uint64_t)n;
		(*xfers)++;
		if (!spl && n == PROXY_BUF_SIZE)
			d->bulk = 1;
		else if (spl && n < PROXY_BUF_SIZE && !d->always)
			d->bulk = 0;
		return n < (spl ? PROXY_PIPE_SIZE : PROXY_BUF_SIZE) ? 2 : 1;
	}
	if (n == 0) {
		d->eof = 1;
		return 1;
	}
	return is_again(errno) ? 0 : -1;
}

/* Write what is held.  1 = all written, 0 = would block, -1 = error. */
static int drain(struct relay_dir *d, int dst)
{
	while (d->len) {
		ssize_t n;

		if (d->pipe[0] >= 0)
			n = splice(d->pipe[0], NULL, dst, NULL, d->len,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = send(dst, d->buf + d->off, d->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return is_again(errno) ? 0 : -1;
		if (n == 0)
			return 0;
		d->len -= (uint32_t)n;
		d->off += (uint32_t)n;
	}
	return 1;
}

int relay_pump(struct proxy *px, struct relay_dir *d, int src, int dst, int last_half,
	       uint8_t *rd, uint8_t *wr, uint64_t *bytes, uint64_t *xfers)
{
	int i, r;

	for (i = 0; i < PROXY_RELAY_BATCH; i++) {
		int shortread = 0;

		if (!d->len && !d->eof) {
			if (!*rd)
				break;
			r = fill(px, d, src, bytes, xfers);
			if (r < 0)
				return RELAY_ERR;
			if (r == 0) {
				*rd = 0;
				break;
			}
			/* copied (no pipe held): a short read emptied the
			 * socket, a new edge comes when more arrives.  If
			 * the peer's FIN was seen already (RELAY_FIN), every
			 * byte before it was queued then, and the short read
			 * took them all: the FIN is what is left, no recv()
			 * needs to return 0 to say so (one system call less
			 * per connection closed by its server; HAProxy reads
			 * a short read after EPOLLRDHUP the same way).  One
			 * exception: a read also stops short at TCP urgent
			 * data's mark, so bytes sent after an urgent byte in
			 * the last moment before a FIN are dropped (the relay
			 * never forwards the urgent byte itself either). */
			shortread = r == 2 && d->pipe[0] < 0;
			if (shortread && (*rd & RELAY_FIN))
				d->eof = 1;
			if (shortread)
				*rd = 0;
		}
		if (d->len) {
			if (!*wr)
				break;
			r = drain(d, dst);
			if (r < 0)
				return RELAY_ERR;
			if (r == 0) {
				*wr = 0;
				break;
			}
		}
		if (d->eof || shortread)
			break;
	}
	if (!d->len) {
		/* nothing in flight: hand the pipe and the buffer back */
		if (d->pipe[0] >= 0)
			pipe_put(px, d->pipe, 1);
		proxy_buf_put(px, &d->buf);
	}
	if (d->eof && !d->len && !d->shut) {
		if (!last_half && shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN)
			return RELAY_ERR;
		d->shut = 1;
	}
	return 0;
}
