/* The shared end, watch and TLS wait of byte-stream attempts (check.h,
 * struct check_stream in check-t.h): EXPECT_CHECK, PGSQL_CHECK and
 * MYSQL_CHECK each had its own copy of these. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check/check.h"
#include "check/tls.h"
#include "core/loop.h"

void check_stream_release(struct check_run *run)
{
	struct check_stream *s = run->priv;

	if (!s)
		return;
	if (s->free_parts)
		s->free_parts(s);
	tls_free(s->ssl);
	s->ssl = NULL;
	check_att_release(run);
}

void check_stream_finish(struct check_stream *s, enum check_kind kind, const char *fmt, ...)
{
	struct check_run *run = s->run;
	char reason[sizeof(run->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	check_stream_release(run);
	check_done(run, kind, "%s", reason);
}

int check_stream_events(struct check_stream *s, uint32_t ev)
{
	int rc;

	if (s->io.events == ev && s->io.registered)
		return 0;
	/* an attempt opened by check_stream_open joins the loop here */
	rc = s->io.registered ? loop_io_mod(s->run->loop, &s->io, ev)
			      : loop_io_add(s->run->loop, &s->io, s->io.fd, ev, s->io.cb, s);
	if (rc < 0) {
		check_stream_finish(s, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int check_stream_tls_wait(struct check_stream *s, ssize_t rc, const char *what, const char *err)
{
	if (rc == TLS_WANT_READ)
		check_stream_events(s, EPOLLIN);
	else if (rc == TLS_WANT_WRITE)
		check_stream_events(s, EPOLLOUT);
	else
		check_stream_finish(s, check_conn_kind(s->run), "%s%s%s", what ? what : "", what ? ": " : "",
				    err);
	return -1;
}

void *check_stream_open(struct check_run *run, size_t size, const char *name,
			void (*free_parts)(struct check_stream *s), ev_io_cb on_io)
{
	struct check_stream *s;
	char err[256];
	int fd;

	if (!run->conf->spec) {
		check_done(run, CK_UNK, "%s without its configuration", name);
		return NULL;
	}
	s = calloc(1, size);
	if (!s) {
		check_done(run, CK_SOCKERR, "out of memory");
		return NULL;
	}
	fd = check_connect(run, SOCK_STREAM, err, sizeof(err));
	if (fd < 0) {
		free(s);
		check_done(run, check_connect_kind(fd), "%s", err);
		return NULL;
	}
	s->run = run;
	s->io.fd = fd;
	s->io.cb = on_io;
	s->io.data = s;
	s->free_parts = free_parts;
	run->priv = s;
	return s;
}

void *check_stream_start(struct check_run *run, size_t size, const char *name,
			 void (*free_parts)(struct check_stream *s), ev_io_cb on_io)
{
	struct check_stream *s = check_stream_open(run, size, name, free_parts, on_io);

	if (s && check_stream_events(s, EPOLLOUT) < 0)
		return NULL;
	return s;
}

int check_stream_send(struct check_stream *s, const char *data, size_t len, size_t *sent)
{
	char err[160];

	while (*sent < len) {
		ssize_t n;

		if (s->ssl) {
			n = tls_write(s->ssl, data + *sent, len - *sent, err, sizeof(err));
			if (n < 0) {
				check_stream_tls_wait(s, n, "sending", err);
				return 0;
			}
		} else {
			n = send(s->io.fd, data + *sent, len - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return check_stream_events(s, EPOLLOUT), 0;
			if (n < 0) {
				check_stream_finish(s, check_conn_kind(s->run), "sending: %s",
						    errno == EPIPE ? "the server closed the connection"
								   : check_errno_reason(errno));
				return 0;
			}
		}
		*sent += (size_t)n;
	}
	return 1;
}
