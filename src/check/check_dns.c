/* DNS_CHECK: one UDP query (conf->dns_name, default "."; conf->dns_type,
 * default SOA; class IN, RD set, random ID) on a connected socket; the
 * server is up when a reply with our ID answers our question with rcode
 * NOERROR (answers are not required: keepalived does not require them).
 * Datagrams that are not a reply to us (short, other ID, QR clear) are
 * ignored, as keepalived does, so a stray packet cannot end the attempt.
 * No retransmission: the core retries (DNS retry default 3, keepalived's).
 * The core's deadline (connect_timeout) ends an attempt without reply. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "check/dns_msg.h"
#include "core/loop.h"

#define DNS_REPLY_MAX 4096 /* longer datagrams are cut by recv: parsed as truncated */

struct dns_att {
	struct ev_io io; /* the connected UDP socket */
	struct check_run *run;
	size_t qlen;
	uint8_t query[DNS_QUERY_MAX];
};
_Static_assert(offsetof(struct dns_att, io) == 0, "check_att_*() find the watcher first");

static uint16_t dns_random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint16_t)random();
	return id;
}

static void dns_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct dns_att *a = io->data;
	struct check_run *run = a->run;
	uint8_t buf[DNS_REPLY_MAX];
	struct dns_msg_info info;
	char why[160];
	ssize_t n;

	/* Drain what is queued: stray datagrams are skipped, not fatal. */
	for (;;) {
		n = recv(io->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			check_att_finish(run, 0, "%s", check_dgram_errno_reason(errno));
			return;
		}
		switch (
		    dns_check_reply(a->query, a->qlen, buf, (size_t)n, &info, why, sizeof(why))) {
		case DNS_REPLY_IGNORE:
			continue;
		case DNS_REPLY_OK:
			check_att_finish(run, 1, "NOERROR, %u answer%s", info.answers_of_qtype,
				   info.answers_of_qtype == 1 ? "" : "s");
			return;
		case DNS_REPLY_RCODE:
		case DNS_REPLY_BAD:
			check_att_finish(run, 0, "%s", why);
			return;
		}
	}
}

static void dns_start(struct check_run *run)
{
	const char *name = run->conf->dns_name ? run->conf->dns_name : ".";
	const char *tname = run->conf->dns_type ? run->conf->dns_type : "SOA";
	uint16_t qtype = dns_type_code(tname);
	char err[256];
	struct dns_att *a;
	ssize_t n;
	int fd;

	if (!qtype) {
		check_done(run, 0, "unknown query type '%s'", tname);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		check_done(run, 0, "out of memory");
		return;
	}
	if (dns_build_query(a->query, sizeof(a->query), &a->qlen, dns_random_id(), name, qtype, err,
			    sizeof(err)) < 0) {
		free(a);
		check_done(run, 0, "%s", err);
		return;
	}
	fd = check_connect(run, SOCK_DGRAM, err, sizeof(err));
	if (fd < 0) {
		free(a);
		check_done(run, 0, "%s", err);
		return;
	}
	a->run = run;
	a->io.fd = fd;
	run->priv = a;
	/* A fresh connected UDP socket has room for one small datagram. */
	n = send(fd, a->query, a->qlen, MSG_NOSIGNAL);
	if (n != (ssize_t)a->qlen) {
		check_att_finish(run, 0, "send: %s",
			   n < 0 ? check_dgram_errno_reason(errno) : "short write of the query");
		return;
	}
	if (loop_io_add(run->loop, &a->io, fd, EPOLLIN, dns_on_io, a) < 0)
		check_att_finish(run, 0, "cannot watch the socket: %s", strerror(errno));
}

static void dns_cancel(struct check_run *run)
{
	check_att_release(run);
}

const struct check_ops check_dns_ops = {
    .type = CHECK_DNS,
    .name = "DNS_CHECK",
    .start = dns_start,
    .cancel = dns_cancel,
};
