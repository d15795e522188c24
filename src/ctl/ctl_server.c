/* The control socket, daemon side.
 *
 * A Unix stream socket on the daemon's loop.  Each client sends one request
 * line and gets one reply (protocol in ctl-t.h).  Everything is
 * non-blocking with bounded memory: a request is at most CTL_MAX_REQUEST
 * bytes, at most CTL_MAX_CLIENTS clients are served at once, and each
 * client has a deadline for its whole exchange, so a slow or silent client
 * never holds the daemon or grows its memory.
 *
 * Ownership: the server owns its clients.  Client and server memory is
 * freed through loop_defer() because their ev_io may still be referenced
 * by events fetched in the current round (see loop.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/dirtrust.h"
#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "ctl/ctl.h"
#include "model/fulcrum-t.h"

#define ACCEPT_BURST	64  /* accepts per wake-up, so one busy socket cannot starve the loop */
#define ACCEPT_RETRY_MS 200 /* pause after running out of descriptors */
/* Pieces of streamed replies produced per loop round, over all clients:
 * 250 clients each wanting a piece would otherwise hold one round for
 * 250 pieces (tens of ms) while other clients and the proxy wait. */
#define ROUND_PIECES 8

struct ctl_client {
	struct ev_io io;
	struct ev_timer deadline;
	struct loop *loop;
	struct fulcrum *fc;
	struct ctl_server *srv; /* NULL once ctl_server_stop() detached it */
	struct ctl_client *prev, *next;
	char in[CTL_MAX_REQUEST + 1];
	size_t in_len;
	struct sbuf out; /* the reply, or its piece not yet sent */
	size_t out_off;	 /* bytes of out already sent */
	struct ctl_stream stream; /* a listing still being produced (next non-NULL) */
	size_t charged;	 /* bytes of a whole reply counted in srv->pending */
	int replying;	 /* request read, reply being sent */
	int busy;	 /* inside ctl_execute() */
};

struct ctl_server {
	struct fulcrum *fc;
	struct loop *loop;
	int fd;
	struct ev_io io;
	struct ev_timer retry; /* re-arms accepting after EMFILE and friends */
	char *path;
	dev_t dev; /* of the socket we bound: unlink only that one */
	ino_t ino;
	unsigned timeout_ms;
	struct ctl_client *clients;
	unsigned nclients;
	size_t pending;	     /* whole replies not yet sent, over all clients */
	unsigned round_left; /* pieces this round may still produce */
	int round_armed;     /* round_left is counting; reset after the round */
};

static void stream_end(struct ctl_client *c)
{
	if (c->stream.next)
		c->stream.done(c->stream.state);
	memset(&c->stream, 0, sizeof(c->stream));
}

static void free_client(void *arg)
{
	struct ctl_client *c = arg;

	sbuf_free(&c->out);
	free(c);
}

static void client_close(struct ctl_client *c)
{
	loop_io_del(c->loop, &c->io);
	loop_timer_stop(c->loop, &c->deadline);
	close(c->io.fd);
	stream_end(c);
	if (c->srv) {
		c->srv->pending -= c->charged;
		if (c->prev)
			c->prev->next = c->next;
		else
			c->srv->clients = c->next;
		if (c->next)
			c->next->prev = c->prev;
		c->srv->nclients--;
		c->srv = NULL;
	}
	/* without the deferral an event already fetched for this fd would
	 * touch freed memory; if even that fails, leaking is the safe side */
	if (loop_defer(c->loop, free_client, c) < 0)
		log_err("control: out of memory, a client's memory is leaked");
}

/* The next piece of a streamed reply into c->out (which is empty).  A
 * stream that cannot go on ends the reply with an "ERROR" line of its own
 * (fulcrumctl reports it and exits 1). */
static void stream_more(struct ctl_client *c)
{
	char err[ERRLEN], last = c->out.len ? c->out.s[c->out.len - 1] : '\n';
	int r;

	sbuf_reset(&c->out);
	c->out_off = 0;
	c->busy = 1;
	r = c->stream.next(c->fc, c->stream.state, &c->out, err, sizeof(err));
	c->busy = 0;
	if (r > 0)
		return;
	stream_end(c);
	if (r < 0) {
		sbuf_reset(&c->out);
		if (last != '\n')
			sbuf_puts(&c->out, "\n");
		sbuf_printf(&c->out, "ERROR %s\n", err);
	}
}

static void round_over(void *arg)
{
	struct ctl_server *s = arg;

	s->round_armed = 0;
}

/* May c produce a piece in this round?  The budget starts fresh each round
 * (reset by a deferred call, which runs before a stopped server's memory
 * is freed: deferred calls run in order).  A client the server let go
 * (stopped) is not counted. */
static int round_take(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	if (!s)
		return 1;
	if (!s->round_armed) {
		if (loop_defer(s->loop, round_over, s) < 0)
			return 1;
		s->round_armed = 1;
		s->round_left = ROUND_PIECES;
	}
	if (!s->round_left)
		return 0;
	s->round_left--;
	return 1;
}

/* Send what is pending; produce at most one more piece of a streamed reply
 * per call and ROUND_PIECES per round over all clients, so that listings
 * never hold the loop for longer than a few pieces (the next comes at the
 * next EPOLLOUT, i.e. next round). */
static void client_flush(struct ctl_client *c)
{
	int produced = 0;

	for (;;) {
		ssize_t n;

		if (c->out_off == c->out.len) {
			if (!c->stream.next)
				break;
			if (produced || !round_take(c)) {
				/* writable, so EPOLLOUT brings us back next round */
				if (loop_io_mod(c->loop, &c->io, EPOLLOUT) < 0)
					client_close(c);
				return;
			}
			stream_more(c);
			produced = 1;
			if (c->out.oom) {
				log_err("control: out of memory building a reply");
				client_close(c);
				return;
			}
			continue;
		}
		n = send(c->io.fd, c->out.s + c->out_off, c->out.len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (loop_io_mod(c->loop, &c->io, EPOLLOUT) < 0)
				client_close(c);
			return;
		}
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
		if (c->charged) {
			size_t took = (size_t)n < c->charged ? (size_t)n : c->charged;

			c->charged -= took;
			if (c->srv)
				c->srv->pending -= took;
		}
	}
	client_close(c);
}

/* The reply is one "ERROR" line: a message must not break the framing. */
static void reply_error(struct ctl_client *c, const char *msg)
{
	const char *p;

	sbuf_reset(&c->out);
	sbuf_puts(&c->out, "ERROR ");
	for (p = msg; *p; p++)
		sbuf_add(&c->out, *p == '\n' || *p == '\r' ? " " : p, 1);
	sbuf_puts(&c->out, "\n");
}

/* line: the request without its '\n', NUL-terminated in place. */
static void client_request(struct ctl_client *c, char *line, size_t len)
{
	char *argv[CTL_MAX_WORDS], err[ERRLEN];
	const struct ctl_cmd *cmd;
	int argc, nw;

	c->replying = 1;
	loop_io_mod(c->loop, &c->io, 0);
	if (len && line[len - 1] == '\r')
		line[--len] = 0;
	if (memchr(line, 0, len)) {
		reply_error(c, "the request contains control character 0x00");
		goto send;
	}
	argc = ctl_split(line, argv, CTL_MAX_WORDS, err, sizeof(err));
	if (argc < 0) {
		reply_error(c, err);
		goto send;
	}
	cmd = ctl_lookup(argc, argv, &nw);
	if (cmd && (cmd->flags & CTL_BULKY) && c->srv && c->srv->pending >= CTL_MAX_PENDING) {
		reply_error(c, "busy: replies to other clients that do not read fill "
			       CTL_MAX_PENDING_TEXT "; try again");
		goto send;
	}
	sbuf_puts(&c->out, "OK\n");
	c->busy = 1;
	if (ctl_execute_stream(c->fc, argc, argv, &c->out, &c->stream, err, sizeof(err)) < 0)
		reply_error(c, err);
	else if (c->out.len > CTL_MAX_REPLY)
		reply_error(c, "the reply is too large for the control socket (over "
			       CTL_MAX_REPLY_TEXT ")");
	c->busy = 0;
send:
	if (c->srv && !c->stream.next) {
		c->charged = c->out.len;
		c->srv->pending += c->charged;
	}
	if (c->out.oom) {
		log_err("control: out of memory building a reply");
		client_close(c);
		return;
	}
	client_flush(c);
}

static void client_read(struct ctl_client *c)
{
	for (;;) {
		size_t room = CTL_MAX_REQUEST - c->in_len;
		char *nl;
		ssize_t n;

		n = read(c->io.fd, c->in + c->in_len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		if (n == 0) {
			/* connected and left without a word (e.g. a second daemon
			 * probing whether this one is alive): nothing to answer */
			if (!c->in_len) {
				client_close(c);
				return;
			}
			reply_error(c, "the request is not terminated by a newline");
			c->replying = 1;
			client_flush(c);
			return;
		}
		nl = memchr(c->in + c->in_len, '\n', (size_t)n);
		c->in_len += (size_t)n;
		if (nl) {
			/* anything after the newline is ignored: one request per
			 * connection */
			*nl = 0;
			client_request(c, c->in, (size_t)(nl - c->in));
			return;
		}
		if (c->in_len == CTL_MAX_REQUEST) {
			char msg[80];

			snprintf(msg, sizeof(msg), "request too long (at most %d bytes)",
				 CTL_MAX_REQUEST);
			reply_error(c, msg);
			c->replying = 1;
			loop_io_mod(c->loop, &c->io, 0);
			client_flush(c);
			return;
		}
	}
}

static void on_client(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct ctl_client *c = io->data;

	if (!c->replying)
		client_read(c);
	else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		client_flush(c);
}

static void on_client_deadline(struct loop *l, struct ev_timer *t)
{
	struct ctl_client *c = t->data;

	log_debug("control: client timed out after %u ms", c->srv ? c->srv->timeout_ms : 0);
	client_close(c);
}

static void client_add(struct ctl_server *s, int fd)
{
	struct ctl_client *c;

	if (s->nclients >= CTL_MAX_CLIENTS) {
		static const char busy[] = "ERROR too many control clients at once, try again\n";

		/* best effort: the socket buffer of a fresh connection takes it */
		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("control: cannot refuse a client: %s", strerror(errno));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	/* a small send buffer: a client that stops reading stops the
	 * listing after a few pieces instead of after a few hundred KB */
	{
		int sndbuf = (int)CTL_CHUNK; /* the kernel doubles it */

		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
			log_debug("control: SO_SNDBUF: %s", strerror(errno));
	}
	c->loop = s->loop;
	c->fc = s->fc;
	c->srv = s;
	sbuf_init(&c->out);
	if (loop_io_add(s->loop, &c->io, fd, EPOLLIN, on_client, c) < 0) {
		log_err("control: cannot watch a client: %s", strerror(errno));
		close(fd);
		free(c);
		return;
	}
	loop_timer_init(&c->deadline, on_client_deadline, c);
	loop_timer_start(s->loop, &c->deadline, s->timeout_ms);
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->nclients++;
}

static void on_accept(struct loop *l, struct ev_io *io, uint32_t events);

static void on_retry(struct loop *l, struct ev_timer *t)
{
	struct ctl_server *s = t->data;

	if (loop_io_add(l, &s->io, s->fd, EPOLLIN, on_accept, s) < 0) {
		log_err("control: cannot watch the control socket again: %s", strerror(errno));
		loop_timer_start(l, &s->retry, ACCEPT_RETRY_MS);
	}
}

static void on_accept(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct ctl_server *s = io->data;
	int i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			client_add(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* out of descriptors or memory: the socket stays readable, so
		 * stop watching it for a moment rather than spin */
		log_warn("control: cannot accept: %s; pausing %d ms", strerror(errno),
			 ACCEPT_RETRY_MS);
		loop_io_del(l, &s->io);
		loop_timer_start(l, &s->retry, ACCEPT_RETRY_MS);
		return;
	}
}

static int dir_verdict(const char *path, const char *dir, enum dirtrust_last rule, char *err,
		       size_t errlen)
{
	char why[ERRLEN];

	if (dirtrust_check(dir, rule, why, sizeof(why)) < 0)
		return err_set(err, errlen,
			       "control socket %s: %s: refusing that directory (it must be "
			       "writable only by root, e.g. /run/fulcrum)",
			       path, why);
	return 0;
}

/* mkdir -p of path's parent directory: directories above it 0755, the
 * socket's own directory 0700.  Then the directory must be one only root
 * (or the daemon's user) can change, all the way up: in any other, its
 * owner could move our socket aside and answer fulcrumctl in our place
 * (issue 16).  An existing directory is never re-moded: it is refused and
 * the operator decides. */
static int make_parent(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p, *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	for (p = dir + 1; slash && slash != dir; p++) {
		if (*p && *p != '/')
			continue;
		{
			char c = *p;

			*p = 0;
			if (mkdir(dir, c ? 0755 : 0700) < 0 && errno != EEXIST)
				return err_set(err, errlen, "cannot create directory %s: %s", dir,
					       strerror(errno));
			*p = c;
		}
		if (!*p)
			break;
	}
	return dir_verdict(path, dir, DIRTRUST_PRIVATE, err, errlen);
}

int ctl_socket_dir_check(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	enum dirtrust_last rule = DIRTRUST_PRIVATE;
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0; /* relative: the check is made at the start */
	slash[slash == dir] = 0;
	/* a directory still to be created: the one it goes in must keep
	 * others from moving it (a sticky one will do) */
	while (stat(dir, &st) < 0 && errno == ENOENT && (slash = strrchr(dir, '/'))) {
		slash[slash == dir] = 0;
		rule = DIRTRUST_STICKY;
	}
	return dir_verdict(path, dir, rule, err, errlen);
}

/* An existing socket at path: refuse if a daemon answers on it, else it is
 * a leftover of a daemon that died and may go. */
static int clear_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0
				       : err_set(err, errlen, "cannot check %s: %s", sun->sun_path,
						 strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return err_set(err, errlen, "%s exists and is not a socket; not removing it",
			       sun->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0)
		return err_set(err, errlen,
			       "another fulcrum is already running with control socket %s",
			       sun->sun_path);
	if (errno != ECONNREFUSED)
		return err_set(err, errlen, "cannot check %s: %s", sun->sun_path, strerror(errno));
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return err_set(err, errlen, "cannot remove stale socket %s: %s", sun->sun_path,
			       strerror(errno));
	log_info("control: removed stale socket %s", sun->sun_path);
	return 0;
}

struct ctl_server *ctl_server_start(struct fulcrum *fc, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ctl_server *s = NULL;
	struct stat st;
	mode_t old_mask;
	int fd = -1, rc;

	if (!fc->loop || !path || !*path) {
		err_set(err, errlen, "no control socket path or no event loop");
		goto fail;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		err_set(err, errlen, "control socket path is too long (at most %zu bytes): %s",
			sizeof(sun.sun_path) - 1, path);
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (make_parent(path, err, errlen) < 0 || clear_stale(&sun, err, errlen) < 0)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err_set(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* no window in which the socket exists with looser permissions; the
	 * daemon is single-threaded so the umask dance is safe here */
	old_mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc < 0) {
		err_set(err, errlen, "cannot bind control socket %s: %s", path, strerror(errno));
		goto fail;
	}
	if (listen(fd, 64) < 0 || lstat(path, &st) < 0) {
		err_set(err, errlen, "cannot set up control socket %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		err_set(err, errlen, "out of memory");
		unlink(path);
		goto fail;
	}
	s->fc = fc;
	s->loop = fc->loop;
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->timeout_ms = CTL_TIMEOUT_MS;
	loop_timer_init(&s->retry, on_retry, s);
	if (loop_io_add(s->loop, &s->io, fd, EPOLLIN, on_accept, s) < 0) {
		err_set(err, errlen, "cannot watch control socket %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return s;
fail:
	if (s)
		free(s->path);
	free(s);
	if (fd >= 0)
		close(fd);
	return NULL;
}

void ctl_server_set_timeout(struct ctl_server *s, unsigned ms)
{
	s->timeout_ms = ms;
}

static void free_server(void *arg)
{
	struct ctl_server *s = arg;

	free(s->path);
	free(s);
}

void ctl_server_stop(struct ctl_server *s)
{
	struct ctl_client *c, *next;
	struct stat st;

	if (!s)
		return;
	loop_io_del(s->loop, &s->io);
	loop_timer_stop(s->loop, &s->retry);
	close(s->fd);
	/* a newer daemon may have replaced the path meanwhile: not ours then */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->busy) {
			/* stop was called from inside this client's command (a
			 * reload, say): it finishes on its own and frees itself */
			c->srv = NULL;
			c->prev = c->next = NULL;
			continue;
		}
		c->srv = NULL; /* the list goes away with the server */
		client_close(c);
	}
	s->clients = NULL;
	s->nclients = 0;
	if (loop_defer(s->loop, free_server, s) < 0)
		log_err("control: out of memory, the control server's memory is leaked");
}
