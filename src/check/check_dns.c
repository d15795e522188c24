/* DNS_CHECK: one UDP query (dns_name, default "."; dns_type,
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

#include <strings.h>

#include "check/check.h"
#include "check/check_dns-t.h"
#include "check/dns_msg.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"

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
	int r;

	/* Drain what is queued: stray datagrams are skipped, not fatal. */
	for (;;) {
		n = recv(io->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			check_att_finish(run, CK_L4CON, "%s", check_dgram_errno_reason(errno));
			return;
		}
		r = dns_check_reply(a->query, a->qlen, buf, (size_t)n, &info, why, sizeof(why));
		switch (r) {
		case DNS_REPLY_IGNORE:
			continue;
		case DNS_REPLY_OK:
			check_att_finish(run, CK_L7OK, "NOERROR, %u answer%s", info.answers_of_qtype,
				   info.answers_of_qtype == 1 ? "" : "s");
			return;
		case DNS_REPLY_RCODE: /* an answer, with an error status */
		case DNS_REPLY_BAD:
			check_att_finish(run, r == DNS_REPLY_RCODE ? CK_L7STS : CK_L7RSP, "%s", why);
			return;
		}
	}
}

static void dns_start(struct check_run *run)
{
	const struct check_dns_conf *k = run->conf->spec;
	const char *name = k && k->dns_name ? k->dns_name : ".";
	const char *tname = k && k->dns_type ? k->dns_type : "SOA";
	uint16_t qtype = dns_type_code(tname);
	char err[256];
	struct dns_att *a;
	ssize_t n;
	int fd;

	if (!qtype) {
		check_done(run, CK_UNK, "unknown query type '%s'", tname);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		check_done(run, CK_SOCKERR, "out of memory");
		return;
	}
	if (dns_build_query(a->query, sizeof(a->query), &a->qlen, dns_random_id(), name, qtype, err,
			    sizeof(err)) < 0) {
		free(a);
		check_done(run, CK_SOCKERR, "%s", err);
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
	run->priv = a;
	/* A fresh connected UDP socket has room for one small datagram. */
	n = send(fd, a->query, a->qlen, MSG_NOSIGNAL);
	if (n != (ssize_t)a->qlen) {
		check_att_finish(run, CK_L4CON, "send: %s",
			   n < 0 ? check_dgram_errno_reason(errno) : "short write of the query");
		return;
	}
	/* the query is out: no answer by the deadline is a layer 7 timeout */
	check_stage(run, CK_L7TOUT);
	if (loop_io_add(run->loop, &a->io, fd, EPOLLIN, dns_on_io, a) < 0)
		check_att_finish(run, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
}

static void dns_cancel(struct check_run *run)
{
	check_att_release(run);
}

/* ---- configuration ---- */

#define DNS(obj) ((struct check_dns_conf *)((struct check_conf *)(obj))->spec)

static int p_dns_type(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	static const char *const types[] = {"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", NULL};
	unsigned i;

	for (i = 0; types[i]; i++)
		if (!strcasecmp(types[i], st->args[0].text))
			break;
	if (!types[i])
		return err_set(err, errlen, "type: '%s' is not A, NS, CNAME, SOA, MX, TXT or AAAA",
			       st->args[0].text);
	free(DNS(obj)->dns_type);
	DNS(obj)->dns_type = strdup(types[i]);
	return DNS(obj)->dns_type ? 0 : err_set(err, errlen, "out of memory");
}

const struct kw check_dns_kw[] = {
    {"type", p_dns_type, 1, 1, KW_NOBLOCK},
    {"name", NULL, 1, 1, KW_NOBLOCK,
     CHECK_SPEC_SLOT(struct check_dns_conf, dns_name, KW_T_STR, 0, 0)},
    {NULL},
};

static void *dns_conf_new(void)
{
	return calloc(1, sizeof(struct check_dns_conf));
}

static void dns_conf_free(void *spec)
{
	struct check_dns_conf *k = spec;

	if (!k)
		return;
	free(k->dns_type);
	free(k->dns_name);
	free(k);
}

static int dns_conf_equal(const void *va, const void *vb)
{
	const struct check_dns_conf *a = va, *b = vb;

	return check_str_eq(a->dns_type, b->dns_type) && check_str_eq(a->dns_name, b->dns_name);
}

const struct check_ops check_dns_ops = {
    .type = CHECK_DNS,
    .name = "DNS_CHECK",
    .keywords = check_dns_kw,
    .retry_default = 3,
    .conf_new = dns_conf_new,
    .conf_free = dns_conf_free,
    .conf_equal = dns_conf_equal,
    .start = dns_start,
    .cancel = dns_cancel,
};
