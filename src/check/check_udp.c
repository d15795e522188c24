/* UDP_CHECK, with keepalived's semantics: send payload (a hex string
 * as in keepalived: "0a1b2c", spaces allowed between octets; no payload = an
 * empty datagram) on a connected UDP socket, then
 *  - with require_reply: up when any datagram comes back before the core's
 *    deadline (connect_timeout); the reader does not keep keepalived's reply
 *    pattern, so the content is not compared;
 *  - without: up unless an ICMP error (port/host unreachable, reported on
 *    the connected socket) arrives.  keepalived waits the whole connection
 *    timeout for that error; fulcrum waits half of it, at most
 *    UDP_ICMP_WAIT_MS, so the attempt ends before the core's deadline and
 *    does not hold a socket for seconds (an ICMP error takes one round trip).
 * A reply, if one comes, ends the attempt at once either way. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "check/check_udp-t.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"

#define UDP_ICMP_WAIT_MS 1000
#define UDP_REPLY_MAX	 65536

struct udp_att {
	struct ev_io io;       /* the connected UDP socket */
	struct ev_timer quiet; /* without require_reply: no error by then = up */
	struct check_run *run;
	unsigned wait_ms;
};
_Static_assert(offsetof(struct udp_att, io) == 0, "check_att_*() find the watcher first");

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* keepalived's hex string: hex digits in pairs, spaces and tabs between
 * octets, a lone digit before a space is one octet.  The number of octets,
 * or -1 if the string holds anything else or no octet at all. */
static ssize_t udp_hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		int hi, lo;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		hi = hex_digit(*s++);
		if (hi < 0)
			return -1;
		if (*s && *s != ' ' && *s != '\t') {
			lo = hex_digit(*s++);
			if (lo < 0)
				return -1;
			hi = hi << 4 | lo;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)hi;
	}
	return n ? (ssize_t)n : -1;
}

/* The quiet timer stops first; the rest is every single-socket checker's. */
static void udp_stop_quiet(struct check_run *run)
{
	struct udp_att *a = run->priv;

	if (a)
		loop_timer_stop(run->loop, &a->quiet);
}

static void udp_release(struct check_run *run)
{
	udp_stop_quiet(run);
	check_att_release(run);
}

#define udp_finish(run, ...) (udp_stop_quiet(run), check_att_finish((run), __VA_ARGS__))

/* One non-blocking read: 1 = the attempt ended, 0 = nothing queued. */
static int udp_read(struct udp_att *a)
{
	static uint8_t buf[UDP_REPLY_MAX]; /* contents unused: one loop thread */
	ssize_t n;

	do
		n = recv(a->io.fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		udp_finish(a->run, CK_L4OK, "reply of %zd bytes", n);
		return 1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	udp_finish(a->run, CK_L4CON, "%s", check_dgram_errno_reason(errno));
	return 1;
}

static void udp_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	udp_read(io->data);
}

static void udp_on_quiet(struct loop *l, struct ev_timer *t)
{
	struct udp_att *a = t->data;

	/* an error or a reply that raced the timer still counts */
	if (!udp_read(a))
		udp_finish(a->run, CK_L4OK, "no ICMP error within %u ms", a->wait_ms);
}

static void udp_start(struct check_run *run)
{
	const struct check_conf *conf = run->conf;
	const struct check_udp_conf *u = conf->spec;
	uint8_t payload[1024];
	ssize_t plen = 0, n;
	char err[256];
	struct udp_att *a;
	int fd;

	if (u && u->payload && *u->payload) {
		plen = udp_hex_decode(u->payload, payload, sizeof(payload));
		if (plen < 0) {
			check_done(run, CK_UNK, "payload is not a hex string of at most %zu octets",
				   sizeof(payload));
			return;
		}
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		check_done(run, CK_SOCKERR, "out of memory");
		return;
	}
	fd = check_connect(run, SOCK_DGRAM, err, sizeof(err));
	if (fd < 0) {
		free(a);
		check_done(run, check_connect_kind(fd), "%s", err);
		return;
	}
	a->run = run;
	a->io.fd = fd;
	loop_timer_init(&a->quiet, udp_on_quiet, a);
	run->priv = a;
	n = send(fd, payload, (size_t)plen, MSG_NOSIGNAL);
	if (n != plen) {
		udp_finish(run, CK_L4CON, "send: %s", n < 0 ? check_dgram_errno_reason(errno) : "short write");
		return;
	}
	if (loop_io_add(run->loop, &a->io, fd, EPOLLIN, udp_on_io, a) < 0) {
		udp_finish(run, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
		return;
	}
	if (!u || !u->require_reply) {
		a->wait_ms =
		    conf->connect_timeout_ms ? conf->connect_timeout_ms / 2 : UDP_ICMP_WAIT_MS;
		if (a->wait_ms > UDP_ICMP_WAIT_MS)
			a->wait_ms = UDP_ICMP_WAIT_MS;
		if (!a->wait_ms)
			a->wait_ms = 1;
		loop_timer_start(run->loop, &a->quiet, a->wait_ms);
	}
}

static void udp_cancel(struct check_run *run)
{
	udp_release(run);
}

/* ---- configuration ---- */

#define UDP(obj) ((struct check_udp_conf *)((struct check_conf *)(obj))->spec)

static int p_require_reply(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			   size_t errlen)
{
	if (st->argc)
		kw_warn(c, st->kw,
			"require_reply: matching the reply's content is not supported "
			"by fulcrum; any reply is accepted");
	UDP(obj)->require_reply = 1;
	return 0;
}

const struct kw check_udp_kw[] = {
    {"payload", NULL, 1, 1, KW_NOBLOCK,
     CHECK_SPEC_SLOT(struct check_udp_conf, payload, KW_T_STR, 0, 0)},
    {"require_reply", p_require_reply, 0, 1, KW_NOBLOCK},
    {NULL},
};

static void *udp_conf_new(void)
{
	return calloc(1, sizeof(struct check_udp_conf));
}

static void udp_conf_free(void *spec)
{
	struct check_udp_conf *u = spec;

	if (!u)
		return;
	free(u->payload);
	free(u);
}

static int udp_conf_equal(const void *va, const void *vb)
{
	const struct check_udp_conf *a = va, *b = vb;

	return check_str_eq(a->payload, b->payload) && a->require_reply == b->require_reply;
}

const struct check_ops check_udp_ops = {
    .type = CHECK_UDP,
    .name = "UDP_CHECK",
    .keywords = check_udp_kw,
    .retry_default = 1,
    .conf_new = udp_conf_new,
    .conf_free = udp_conf_free,
    .conf_equal = udp_conf_equal,
    .start = udp_start,
    .cancel = udp_cancel,
};
