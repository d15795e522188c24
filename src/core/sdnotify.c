/* sd_notify(3) over the datagram socket systemd passes in $NOTIFY_SOCKET.
 * systemd reads one datagram per message and checks the sender's
 * credentials itself, so all there is to do is address it right. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/sdnotify.h"

#define SDN_MSG_MAX 1024 /* READY=1 plus a STATUS line; systemd takes more */

/* A datagram socket connected to addr ("/path" or "@abstract"), or -1. */
static int sdn_connect(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t alen = strlen(addr);
	socklen_t slen;
	int fd;

	/* vsock:... (systemd 256 in a VM) is not for a daemon on the host */
	if ((addr[0] != '/' && addr[0] != '@') || alen < 2)
		return err_set(err, errlen, "NOTIFY_SOCKET '%s' is not a path or an @abstract name",
			       addr);
	if (alen >= sizeof(sun.sun_path))
		return err_set(err, errlen, "NOTIFY_SOCKET '%s' is too long", addr);
	memcpy(sun.sun_path, addr, alen);
	/* an abstract name starts with a NUL and is exactly alen bytes long:
	 * no terminating NUL is part of it */
	if (addr[0] == '@')
		sun.sun_path[0] = 0;
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen + (addr[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "sd_notify: socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, slen) < 0) {
		err_set(err, errlen, "sd_notify: cannot reach %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int sdn_send(int fd, const char *addr, const char *msg, char *err, size_t errlen)
{
	ssize_t n;

	do
		n = send(fd, msg, strlen(msg), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(err, errlen, "sd_notify to %s: %s", addr, strerror(errno));
	return 0;
}

int sdn_send_to(const char *addr, const char *msg, char *err, size_t errlen)
{
	int fd = sdn_connect(addr, err, errlen), rc;

	if (fd < 0)
		return -1;
	rc = sdn_send(fd, addr, msg, err, errlen);
	close(fd);
	return rc;
}

/* $NOTIFY_SOCKET as found by sdn_init(), and a socket connected to it
 * then: the daemon may have chrooted or dropped privileges by the time it
 * is ready, and a connected socket still reaches systemd. */
static char sdn_addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
static int sdn_fd = -1;
static int sdn_taken;

void sdn_init(void)
{
	char err[ERRLEN];
	const char *e;

	if (sdn_taken)
		return;
	sdn_taken = 1;
	e = getenv("NOTIFY_SOCKET");
	if (e) {
		snprintf(sdn_addr, sizeof(sdn_addr), "%s", e);
		sdn_fd = sdn_connect(sdn_addr, err, sizeof(err));
		if (sdn_fd < 0)
			log_warn("%s", err);
	}
	unsetenv("NOTIFY_SOCKET");
}

int sdn_notify(const char *fmt, ...)
{
	char msg[SDN_MSG_MAX], err[ERRLEN];
	va_list ap;

	sdn_init();
	if (!*sdn_addr)
		return 0;
	if (sdn_fd < 0)
		return -1; /* said once, at sdn_init() */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sdn_send(sdn_fd, sdn_addr, msg, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		return -1;
	}
	return 1;
}

int sdn_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sdn_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
			  (unsigned long long)ts.tv_sec * 1000000ull +
			      (unsigned long long)ts.tv_nsec / 1000);
}
