/* PING_CHECK: one ICMP (or ICMPv6) echo request to the target; up when the
 * matching echo reply comes back before the core's deadline
 * (connect_timeout).  An ICMP error the kernel reports on the socket (host
 * or network unreachable) fails the attempt at once.
 *
 * keepalived uses an ICMP datagram ("ping") socket and widens
 * net.ipv4.ping_group_range to allow it.  fulcrum leaves that sysctl alone:
 * it tries the datagram socket and, when the kernel refuses it (EACCES with
 * the default range "1 0", even as root), uses a raw socket (root or
 * CAP_NET_RAW); the refusal is remembered per family for the process.
 * A raw socket sees the echo replies of every pinger on the host: it is
 * connected to the target (the kernel then passes only packets from it),
 * filtered to echo replies, and a reply must carry this attempt's random
 * identifier, sequence number and cookie. */
#include <errno.h>
#include <stddef.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw-t.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* linux/icmp.h, which clashes with netinet/ip_icmp.h */
#endif

#define PING_COOKIE 16 /* payload: random bytes echoed back */
#define PING_RX_MAX 1500

struct ping_att {
	struct ev_io io;
	struct check_run *run;
	int raw;
	uint16_t id, seq;
	uint8_t cookie[PING_COOKIE];
};
_Static_assert(offsetof(struct ping_att, io) == 0, "check_att_*() find the watcher first");

static int ping_dgram_refused[2]; /* [0] IPv4, [1] IPv6 */

static uint16_t icmp_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A non-blocking ICMP socket for the family: datagram if the kernel allows
 * it, else raw.  The fd, or -1 with err. */
static int ping_socket(int family, int *raw, char *err, size_t errlen)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int *refused = &ping_dgram_refused[family == AF_INET6];
	int fd, e = 0;

	if (!*refused) {
		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (fd >= 0) {
			*raw = 0;
			return fd;
		}
		e = errno;
		if (e != EACCES && e != EPERM && e != EPROTONOSUPPORT && e != ESOCKTNOSUPPORT)
			return err_set(err, errlen, "ICMP socket: %s", strerror(e));
		*refused = 1;
	}
	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return err_set(err, errlen,
			       "ICMP socket: the kernel refuses datagram ICMP "
			       "(net.ipv4.ping_group_range) and raw ICMP needs CAP_NET_RAW: %s",
			       strerror(errno));
	*raw = 1;
	if (family == AF_INET) {
		uint32_t pass = ~(1U << ICMP_ECHOREPLY); /* set bits are blocked */

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &pass, sizeof(pass));
	} else {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return fd;
}

/* Bind to bindto / bind_if as the other checkers do, then connect. */
static int ping_bind_connect(const struct check_run *run, int fd, char *err, size_t errlen)
{
	const struct check_conf *conf = run->conf;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (conf->bind_if && *conf->bind_if &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, conf->bind_if,
		       (socklen_t)strlen(conf->bind_if)) < 0)
		return err_set(err, errlen, "bind to interface %s: %s", conf->bind_if,
			       strerror(errno));
	if (conf->bindto.family == run->target.family) {
		struct fc_addr src = conf->bindto;

		src.port = 0; /* ICMP has no port; a datagram socket takes it as its id */
		sl = addr_to_sockaddr(&src, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
			return err_set(err, errlen, "bind: %s", strerror(errno));
	}
	{
		struct fc_addr dst = run->target;

		dst.port = 0;
		sl = addr_to_sockaddr(&dst, &ss);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		return err_set(err, errlen, "%s", check_dgram_errno_reason(errno));
	return 0;
}

/* Is buf[0..n) this attempt's echo reply? */
static int ping_match(const struct ping_att *a, int family, const uint8_t *buf, size_t n)
{
	const uint8_t *icmp = buf;
	uint8_t want = family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;

	if (a->raw && family == AF_INET) {
		/* a raw IPv4 socket gets the IP header too */
		size_t ihl;

		if (n < 20 || (buf[0] >> 4) != 4)
			return 0;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if (ihl < 20 || ihl > n)
			return 0;
		icmp += ihl;
		n -= ihl;
	}
	if (n < 8 + PING_COOKIE || icmp[0] != want || icmp[1] != 0)
		return 0;
	/* a datagram socket's id is the kernel's, which routes replies to it */
	if (a->raw && (uint16_t)(icmp[4] << 8 | icmp[5]) != a->id)
		return 0;
	if ((uint16_t)(icmp[6] << 8 | icmp[7]) != a->seq)
		return 0;
	return !memcmp(icmp + 8, a->cookie, PING_COOKIE);
}

static void ping_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct ping_att *a = io->data;
	uint8_t buf[PING_RX_MAX];
	ssize_t n;

	for (;;) {
		n = recv(io->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			check_att_finish(a->run, CK_L4CON, "%s", check_dgram_errno_reason(errno));
			return;
		}
		if (ping_match(a, a->run->target.family, buf, (size_t)n)) {
			check_att_finish(a->run, CK_L4OK, "echo reply");
			return;
		}
	}
}

static void ping_start(struct check_run *run)
{
	static uint16_t seq;
	uint8_t pkt[8 + PING_COOKIE];
	int family = run->target.family;
	char err[256];
	struct ping_att *a;
	ssize_t n;
	int fd, raw = 0;

	if (family != AF_INET && family != AF_INET6) {
		check_done(run, CK_UNK, "no address to ping");
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		check_done(run, CK_SOCKERR, "out of memory");
		return;
	}
	fd = ping_socket(family, &raw, err, sizeof(err));
	if (fd < 0) {
		free(a);
		check_done(run, CK_SOCKERR, "%s", err);
		return;
	}
	a->run = run;
	a->io.fd = fd;
	a->raw = raw;
	run->priv = a;
	if (ping_bind_connect(run, fd, err, sizeof(err)) < 0) {
		check_att_finish(run, CK_SOCKERR, "%s", err);
		return;
	}
	if (getrandom(a->cookie, sizeof(a->cookie), GRND_NONBLOCK) != (ssize_t)sizeof(a->cookie))
		for (size_t i = 0; i < sizeof(a->cookie); i++)
			a->cookie[i] = (uint8_t)random();
	a->id = (uint16_t)(a->cookie[0] << 8 | a->cookie[1]);
	a->seq = ++seq;

	memset(pkt, 0, 8);
	pkt[0] = family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (uint8_t)(a->id >> 8);
	pkt[5] = (uint8_t)a->id;
	pkt[6] = (uint8_t)(a->seq >> 8);
	pkt[7] = (uint8_t)a->seq;
	memcpy(pkt + 8, a->cookie, PING_COOKIE);
	if (family == AF_INET && raw) {
		/* datagram sockets and ICMPv6 get their checksum from the kernel */
		uint16_t c = icmp_checksum(pkt, sizeof(pkt));

		pkt[2] = (uint8_t)(c >> 8);
		pkt[3] = (uint8_t)c;
	}
	if (loop_io_add(run->loop, &a->io, fd, EPOLLIN, ping_on_io, a) < 0) {
		check_att_finish(run, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
		return;
	}
	n = send(fd, pkt, sizeof(pkt), MSG_NOSIGNAL);
	if (n != (ssize_t)sizeof(pkt))
		check_att_finish(run, CK_L4CON, "%s", n < 0 ? check_dgram_errno_reason(errno) : "short send");
}

static void ping_cancel(struct check_run *run)
{
	check_att_release(run);
}

/* Only the keywords every checker has. */
const struct kw check_ping_kw[] = {
    {NULL},
};

const struct check_ops check_ping_ops = {
    .type = CHECK_PING,
    .name = "PING_CHECK",
    .keywords = check_ping_kw,
    .retry_default = 1,
    .start = ping_start,
    .cancel = ping_cancel,
};
