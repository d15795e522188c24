/* Socket helpers shared by the network checkers. */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "core/err.h"
#include "core/loop.h"

int check_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

const char *check_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "connection refused";
	case EHOSTUNREACH:
		return "no route to host";
	case ENETUNREACH:
		return "network unreachable";
	case ETIMEDOUT:
		return "connection timed out";
	case ECONNRESET:
		return "connection reset";
	default:
		return strerror(e);
	}
}

const char *check_dgram_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return "connection refused (ICMP port unreachable)";
	case EHOSTUNREACH:
		return "host unreachable";
	default:
		return check_errno_reason(e);
	}
}

void check_att_release(struct check_run *run)
{
	struct ev_io *io = run->priv; /* the first member, by contract */

	if (!io)
		return;
	run->priv = NULL;
	loop_io_del(run->loop, io);
	close(io->fd);
	io->fd = -1;
	loop_defer(run->loop, free, io);
}

void check_att_finish(struct check_run *run, int ok, const char *fmt, ...)
{
	char reason[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	check_att_release(run);
	check_done(run, ok, "%s", reason);
}

/* The source address: bindto's address and/or bind_port, in the target's
 * family.  0 if there is nothing to bind. */
static int source_of(const struct check_run *run, struct fc_addr *src, char *err, size_t errlen)
{
	const struct check_conf *k = run->conf;

	if (!k->bindto.family && !k->bindto.port)
		return 0;
	if (k->bindto.family && k->bindto.family != run->target.family)
		return err_set(err, errlen, "bindto is not of the target's address family");
	memset(src, 0, sizeof(*src));
	*src = k->bindto;
	src->family = run->target.family;
	return 1;
}

int check_connect(const struct check_run *run, int type, char *err, size_t errlen)
{
	const struct check_conf *k = run->conf;
	struct sockaddr_storage ss;
	struct fc_addr src;
	socklen_t sl;
	int fd, b, one = 1;

	if (!run->target.family || !run->target.port)
		return err_set(err, errlen, "no address or port to check");
	b = source_of(run, &src, err, errlen);
	if (b < 0)
		return -1;
	fd = socket(run->target.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	if (k->bind_if && *k->bind_if &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, k->bind_if,
		       (socklen_t)strnlen(k->bind_if, IFNAMSIZ)) < 0) {
		err_set(err, errlen, "bind_if %s: %s", k->bind_if, strerror(errno));
		goto fail;
	}
	if (b) {
		/* a fixed source port is reused attempt after attempt */
		if (src.port)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sl = addr_to_sockaddr(&src, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			err_set(err, errlen, "bindto: %s", strerror(errno));
			goto fail;
		}
	}
	sl = addr_to_sockaddr(&run->target, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		err_set(err, errlen, "%s", check_errno_reason(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}
