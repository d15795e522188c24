/* SMTP_CHECK, with keepalived's dialogue: connect, read the greeting (must
 * be 220), send "HELO <helo_name>" (default keepalived's
 * "smtpchecker.keepalived.org"), read the reply (must be 250), send QUIT
 * and wait for its reply.  Unlike keepalived, which only looks at the first
 * line it reads, whole replies are read: a multi-line greeting
 * ("220-...", "220 ...") is one reply, so its second line is not taken for
 * the HELO answer.  After QUIT any reply, or the server closing, is success.
 * (keepalived's legacy host { } blocks are split into one check each at the
 * end of the block, smtp_conf_finish.)  The core's deadline (connect_timeout) bounds the whole dialogue. */
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
#include "check/check_smtp-t.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"
#include "model/model.h"

#define SMTP_DEFAULT_HELO "smtpchecker.keepalived.org"
#define SMTP_LINE_MAX	  1024 /* RFC 5321 says 512 with CRLF; be lenient */
#define SMTP_TEXT_MAX	  80   /* reply text kept for the reason */

enum smtp_state { SMTP_CONNECTING, SMTP_BANNER, SMTP_HELO, SMTP_QUIT };

struct smtp_att {
	struct ev_io io;
	struct check_run *run;
	enum smtp_state state;
	/* the reply being read */
	int code; /* of its first line; 0 = none yet */
	char text[SMTP_TEXT_MAX + 1];
	size_t inlen;
	char in[SMTP_LINE_MAX];
	/* the command being written */
	size_t outlen, outoff;
	char out[SMTP_LINE_MAX];
};
_Static_assert(offsetof(struct smtp_att, io) == 0, "check_att_*() find the watcher first");

static const char *smtp_step(enum smtp_state s)
{
	return s == SMTP_BANNER ? "the banner" : s == SMTP_HELO ? "the HELO reply" : "QUIT";
}

/* Parse one complete line (no CR/LF) into the reply in progress.
 * 1 = the reply is complete, 0 = more lines follow, -1 = malformed. */
static int smtp_line(struct smtp_att *a, const char *line, size_t len)
{
	int code, last;
	size_t i, t;

	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3 || line[3] == ' ')
		last = 1;
	else if (line[3] == '-')
		last = 0;
	else
		return -1;
	if (a->code && code != a->code)
		return -1; /* RFC 5321 4.2.1: every line carries the same code */
	if (!a->code) {
		a->code = code;
		for (i = 4, t = 0; i < len && t < SMTP_TEXT_MAX; i++)
			a->text[t++] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
		a->text[t] = 0;
	}
	return last;
}

/* Send what is left of a->out; arm EPOLLOUT if the socket is full.
 * 0, or -1 when the attempt ended. */
static int smtp_flush(struct smtp_att *a)
{
	while (a->outoff < a->outlen) {
		ssize_t n = send(a->io.fd, a->out + a->outoff, a->outlen - a->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			check_att_finish(a->run, CK_L7RSP, "sending %s: %s",
				    a->state == SMTP_HELO ? "HELO" : "QUIT",
				    check_errno_reason(errno));
			return -1;
		}
		a->outoff += (size_t)n;
	}
	loop_io_mod(a->run->loop, &a->io, a->outoff < a->outlen ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

static int smtp_send(struct smtp_att *a, enum smtp_state next, const char *cmd)
{
	int n = snprintf(a->out, sizeof(a->out), "%s\r\n", cmd);

	a->outlen = n > 0 && (size_t)n < sizeof(a->out) ? (size_t)n : 0;
	a->outoff = 0;
	a->state = next;
	a->code = 0;
	return smtp_flush(a);
}

static const char *helo_of(const struct check_conf *k)
{
	const struct check_smtp_conf *s = k->spec;

	return s && s->helo_name && *s->helo_name ? s->helo_name : SMTP_DEFAULT_HELO;
}

/* A whole reply has been read: act on it.  0, or -1 when the attempt ended. */
static int smtp_reply(struct smtp_att *a)
{
	struct check_run *run = a->run;
	char helo[SMTP_LINE_MAX];
	const char *name;

	run->code = a->code; /* check_code: the last reply's, as haproxy's smtpchk */
	switch (a->state) {
	case SMTP_BANNER:
		if (a->code != 220) {
			check_att_finish(run, CK_L7STS, "banner %d %s", a->code, a->text);
			return -1;
		}
		name = helo_of(run->conf);
		if (strpbrk(name, "\r\n") || strlen(name) > SMTP_LINE_MAX - 16) {
			check_att_finish(run, CK_UNK, "helo_name is not a single short line");
			return -1;
		}
		snprintf(helo, sizeof(helo), "HELO %s", name);
		return smtp_send(a, SMTP_HELO, helo);
	case SMTP_HELO:
		if (a->code != 250) {
			check_att_finish(run, CK_L7STS, "HELO reply %d %s", a->code, a->text);
			return -1;
		}
		return smtp_send(a, SMTP_QUIT, "QUIT");
	case SMTP_QUIT:
		check_att_finish(run, CK_L7OK, "banner 220, HELO 250");
		return -1;
	case SMTP_CONNECTING:
		break;
	}
	return 0;
}

/* Read and handle every complete line; the attempt may end inside. */
static void smtp_read(struct smtp_att *a)
{
	struct check_run *run = a->run;

	for (;;) {
		char *nl;
		ssize_t n;

		/* handle the complete lines already buffered */
		while ((nl = memchr(a->in, '\n', a->inlen))) {
			size_t len = (size_t)(nl - a->in), used = len + 1;
			int r;

			if (len && a->in[len - 1] == '\r')
				len--;
			r = smtp_line(a, a->in, len);
			memmove(a->in, a->in + used, a->inlen - used);
			a->inlen -= used;
			if (r < 0) {
				check_att_finish(run, CK_L7RSP, "malformed reply to %s", smtp_step(a->state));
				return;
			}
			if (r > 0 && smtp_reply(a) < 0)
				return;
		}
		if (a->inlen == sizeof(a->in)) {
			check_att_finish(run, CK_L7RSP, "reply line over %d bytes", SMTP_LINE_MAX);
			return;
		}
		n = recv(a->io.fd, a->in + a->inlen, sizeof(a->in) - a->inlen, MSG_DONTWAIT);
		if (n > 0) {
			a->inlen += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (a->state == SMTP_QUIT) /* the server hung up after QUIT: fine */
			check_att_finish(run, CK_L7OK, "banner 220, HELO 250");
		else if (n == 0)
			check_att_finish(run, CK_L7RSP, "connection closed before %s", smtp_step(a->state));
		else
			check_att_finish(run, CK_L7RSP, "reading %s: %s", smtp_step(a->state),
				    check_errno_reason(errno));
		return;
	}
}

static void smtp_on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct smtp_att *a = io->data;

	if (a->state == SMTP_CONNECTING) {
		int e = 0;
		socklen_t elen = sizeof(e);

		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e) {
			check_att_finish(a->run, CK_L4CON, "%s", check_errno_reason(e));
			return;
		}
		if (!(events & (EPOLLOUT | EPOLLIN | EPOLLHUP)))
			return;
		a->state = SMTP_BANNER;
		check_stage(a->run, CK_L7TOUT);
		loop_io_mod(l, &a->io, EPOLLIN);
		smtp_read(a); /* the banner may already be there */
		return;
	}
	if ((events & EPOLLOUT) && a->outoff < a->outlen && smtp_flush(a) < 0)
		return;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		smtp_read(a);
}

static void smtp_start(struct check_run *run)
{
	struct smtp_att *a = calloc(1, sizeof(*a));
	char err[256];
	int fd;

	if (!a) {
		check_done(run, CK_SOCKERR, "out of memory");
		return;
	}
	fd = check_connect(run, SOCK_STREAM, err, sizeof(err));
	if (fd < 0) {
		free(a);
		check_done(run, check_connect_kind(fd), "%s", err);
		return;
	}
	a->run = run;
	a->io.fd = fd;
	a->state = SMTP_CONNECTING;
	run->priv = a;
	if (loop_io_add(run->loop, &a->io, fd, EPOLLOUT, smtp_on_io, a) < 0)
		check_att_finish(run, CK_SOCKERR, "cannot watch the socket: %s", strerror(errno));
}

static void smtp_cancel(struct check_run *run)
{
	check_att_release(run);
}

/* ---- configuration ---- */

#define SMTP(obj) ((struct check_smtp_conf *)((struct check_conf *)(obj))->spec)
#define HOST(obj) ((struct smtp_host *)(obj))
#define HOST_SLOT(f, t, lo, hi) KW_SLOT(struct smtp_host, f, t, lo, hi)

static int p_h_connect_ip(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen)
{
	uint16_t port = HOST(obj)->connect.port;

	if (kw_ip(st, 0, &HOST(obj)->connect, err, errlen) < 0)
		return -1;
	HOST(obj)->connect.port = port;
	return 0;
}

static int p_h_bindto(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		      size_t errlen)
{
	uint16_t port = HOST(obj)->bindto.port;

	if (kw_ip(st, 0, &HOST(obj)->bindto, err, errlen) < 0)
		return -1;
	HOST(obj)->bindto.port = port;
	return 0;
}

static const struct kw kw_host[] = {
    {"connect_ip", p_h_connect_ip, 1, 1, KW_NOBLOCK},
    {"connect_port", NULL, 1, 1, KW_NOBLOCK, HOST_SLOT(connect.port, KW_T_PORT, 0, 0)},
    {"bindto", p_h_bindto, 1, 1, KW_NOBLOCK},
    {"bind_port", NULL, 1, 1, KW_NOBLOCK, HOST_SLOT(bindto.port, KW_T_PORT, 0, 0)},
    {"bind_if", NULL, 1, 1, KW_NOBLOCK, HOST_SLOT(bind_if, KW_T_STR, 0, 0)},
    {"connect_timeout", NULL, 1, 1, KW_NOBLOCK,
     HOST_SLOT(connect_timeout_ms, KW_T_SECS_MS, 0, 3600000)},
    {NULL},
};

const struct kw_block check_smtp_host_block = {"host", kw_host, NULL, ign_check, NULL};

static int p_host(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	struct smtp_host *h = calloc(1, sizeof(*h)), **hp;

	if (!h)
		return err_set(err, errlen, "out of memory");
	h->connect_timeout_ms = CHK_UNSET;
	kw_body(c, &check_smtp_host_block, h, st->kw);
	for (hp = &SMTP(obj)->hosts; *hp; hp = &(*hp)->next)
		;
	*hp = h;
	return 0;
}

const struct kw check_smtp_kw[] = {
    {"helo_name", NULL, 1, 1, KW_NOBLOCK,
     CHECK_SPEC_SLOT(struct check_smtp_conf, helo_name, KW_T_STR, 0, 0)},
    {"host", p_host, 0, 0, KW_NEEDBLOCK},
    {NULL},
};

static void *smtp_conf_new(void)
{
	return calloc(1, sizeof(struct check_smtp_conf));
}

static void free_hosts(struct smtp_host *h)
{
	struct smtp_host *n;

	for (; h; h = n) {
		n = h->next;
		free(h->bind_if);
		free(h);
	}
}

static void smtp_conf_free(void *spec)
{
	struct check_smtp_conf *s = spec;

	if (!s)
		return;
	free(s->helo_name);
	free_hosts(s->hosts);
	free(s);
}

/* hosts are only there while the block is read */
static int smtp_conf_equal(const void *va, const void *vb)
{
	const struct check_smtp_conf *a = va, *b = vb;

	return check_str_eq(a->helo_name, b->helo_name);
}

static int dup_into(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return s && !*dst ? -1 : 0;
}

/* Aim k at host h: its address, source, interface and timeout. */
static int host_apply(struct check_conf *k, const struct smtp_host *h)
{
	k->connect = h->connect;
	k->bindto = h->bindto;
	if (h->connect_timeout_ms != CHK_UNSET)
		k->connect_timeout_ms = h->connect_timeout_ms;
	if (!h->bind_if)
		return 0;
	free(k->bind_if);
	return dup_into(&k->bind_if, h->bind_if);
}

/* A copy of k (not its hosts) aimed at h, or NULL on out of memory. */
static struct check_conf *for_host(const struct check_conf *k, const struct smtp_host *h)
{
	struct check_conf *n = malloc(sizeof(*n));
	struct check_smtp_conf *s;
	int oom;

	if (!n)
		return NULL;
	*n = *k;
	n->next = NULL;
	n->spec = s = calloc(1, sizeof(*s));
	oom = !s;
	oom |= dup_into(&n->bind_if, k->bind_if) | dup_into(&n->alpha_set, k->alpha_set) |
	       dup_into(&n->virtualhost, k->virtualhost);
	if (s)
		oom |= dup_into(&s->helo_name, SMTP(k)->helo_name);
	if (oom || host_apply(n, h) < 0) {
		check_conf_free(n);
		return NULL;
	}
	return n;
}

/* Each host { } is a check of its own, all must pass, as in keepalived: k
 * becomes the first host's, copies for the others follow it. */
static int smtp_conf_finish(struct check_conf *k, char *err, size_t errlen)
{
	struct smtp_host *hosts = SMTP(k)->hosts, *h;
	struct check_conf **tail = &k->next;
	int rc = 0;

	SMTP(k)->hosts = NULL;
	for (h = hosts ? hosts->next : NULL; h; h = h->next) {
		*tail = for_host(k, h);
		if (!*tail) {
			rc = -1;
			break;
		}
		tail = &(*tail)->next;
	}
	if (!rc && hosts)
		rc = host_apply(k, hosts);
	free_hosts(hosts);
	return rc < 0 ? err_set(err, errlen, "out of memory") : 0;
}

const struct check_ops check_smtp_ops = {
    .type = CHECK_SMTP,
    .name = "SMTP_CHECK",
    .keywords = check_smtp_kw,
    .retry_default = 1,
    .conf_new = smtp_conf_new,
    .conf_free = smtp_conf_free,
    .conf_equal = smtp_conf_equal,
    .conf_finish = smtp_conf_finish,
    .start = smtp_start,
    .cancel = smtp_cancel,
};
