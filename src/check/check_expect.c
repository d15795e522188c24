/* EXPECT_CHECK: connect, optionally TLS, optionally send a request, and
 * match what the server says against a PCRE2 pattern -- a fulcrum
 * extension of keepalived.conf, and what ldirectord's simpletcp, pop,
 * imap, ftp, nntp... negotiations become (the struct is check_expect-t.h).
 *
 * Configuration:
 *   EXPECT_CHECK {
 *       connect_port 110
 *       send "QUIT\r\n"     # optional; C escapes \r \n \t \\ \" \xHH
 *       expect "^\+OK"      # optional; PCRE2 on the first 16 KiB of the reply
 *       tls                 # optional; a TLS handshake first
 *   }
 * plus the keywords every checker has.
 *
 * One attempt: connect (check_connect), the TLS handshake (tls.c), write
 * send, then read and match after every read; it passes at the first
 * match and fails when the server closes, at EXPECT_MAX bytes, or as soon
 * as an anchored pattern can no longer match (rx_may_match_longer).  All on
 * the loop; the core's deadline (connect_timeout) bounds the whole of it
 * and cancel frees everything.  This file and its registry line in check.h
 * (with CHECK_EXPECT in model/check-t.h) are the whole checker. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check/check.h"
#include "check/check_expect-t.h"
#include "check/check_expect.h"
#include "check/rx_cache.h"
#include "check/tls.h"
#include "core/err.h"
#include "core/loop.h"
#include "kw/kw.h"

/* ---- running ---- */

#define EXPECT_MAX   16384 /* the reply is matched in its first EXPECT_MAX bytes */
#define EXPECT_CHUNK 1024  /* the reply buffer grows by doubling from this */

enum expect_state { EX_CONNECT, EX_HANDSHAKE, EX_SEND, EX_RECV };

struct expect_att {
	struct check_stream s; /* first: the watcher, the run, the TLS session */
	enum expect_state st;
	size_t sent;     /* of conf->send */
	char *buf;       /* the reply so far, bounded by EXPECT_MAX */
	size_t len, cap;
};
_Static_assert(offsetof(struct expect_att, s) == 0, "check_att_*() find the watcher first");

#define CONF(a) ((const struct check_expect_conf *)(a)->s.run->conf->spec)

/* The reply buffer: what the stream head does not know about. */
static void expect_free_parts(struct check_stream *s)
{
	struct expect_att *a = (struct expect_att *)s;

	free(a->buf);
	a->buf = NULL;
}

/* The first line of the reply, printable and short, for a reason text. */
static const char *reply_head(const struct expect_att *a, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < a->len && o + 4 < outlen; i++) {
		unsigned char ch = (unsigned char)a->buf[i];

		if (ch == '\r' || ch == '\n')
			break;
		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if (i < a->len && a->buf[i] != '\r' && a->buf[i] != '\n') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return out;
}

static void no_match(struct expect_att *a, const char *why)
{
	char head[48];

	check_stream_finish(&a->s, CONF(a)->miss_sts ? CK_L7STS : CK_L7RSP, "reply did not match '%.60s' (%zu bytes%s, \"%s\")", CONF(a)->expect, a->len,
	       why, reply_head(a, head, sizeof(head)));
}

/* More of the reply is in: 1 if the attempt ended (matched, or can no
 * longer match). */
static int judge(struct expect_att *a)
{
	const char *pat = CONF(a)->expect;
	char err[160];
	int m = rx_match(pat, a->buf, a->len, err, sizeof(err));

	if (m < 0) {
		check_stream_finish(&a->s, CK_UNK, "expect: %s", err);
		return 1;
	}
	if (m) {
		check_stream_finish(&a->s, CK_L7OK, "reply matched '%.60s'", pat);
		return 1;
	}
	if (a->len == EXPECT_MAX) {
		no_match(a, ", the most read");
		return 1;
	}
	if (!rx_may_match_longer(pat, a->buf, a->len)) {
		no_match(a, "");
		return 1;
	}
	return 0;
}

/* Room for the next read; 0, or -1 when the attempt ended. */
static int grow(struct expect_att *a)
{
	size_t cap;
	char *nb;

	if (a->len < a->cap)
		return 0;
	cap = a->cap ? a->cap * 2 : EXPECT_CHUNK;
	if (cap > EXPECT_MAX)
		cap = EXPECT_MAX;
	nb = realloc(a->buf, cap);
	if (!nb) {
		check_stream_finish(&a->s, CK_SOCKERR, "out of memory");
		return -1;
	}
	a->buf = nb;
	a->cap = cap;
	return 0;
}

static void do_recv(struct expect_att *a)
{
	char err[160];

	for (;;) {
		ssize_t n;

		if (grow(a) < 0)
			return;
		if (a->s.ssl) {
			n = tls_read(a->s.ssl, a->buf + a->len, a->cap - a->len, err, sizeof(err));
			if (n < 0) {
				check_stream_tls_wait(&a->s, n, "reading the reply", err);
				return;
			}
		} else {
			n = recv(a->s.io.fd, a->buf + a->len, a->cap - a->len, MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0) {
				check_stream_finish(&a->s, CK_L7RSP, "reading the reply: %s",
						    check_errno_reason(errno));
				return;
			}
		}
		if (n == 0) {
			if (!a->len)
				check_stream_finish(&a->s, CK_L7RSP, "connection closed before a reply");
			else
				no_match(a, ", then the server closed");
			return;
		}
		a->len += (size_t)n;
		if (judge(a))
			return;
	}
}

/* Connected (and TLS done): read, or what a check without expect passes on. */
static void start_recv(struct expect_att *a)
{
	const struct check_expect_conf *e = CONF(a);

	/* haproxy's tcp-check: a request sent is a layer 7 check passed,
	 * a connection alone layer 4's (layer 6's over TLS) */
	if (!e->expect) {
		check_stream_finish(&a->s, e->send ? CK_L7OK : a->s.ssl ? CK_L6OK : CK_L4OK, "%s%s", a->s.ssl ? "TLS handshake done" : "connected",
		       e->send ? ", request sent" : "");
		return;
	}
	a->st = EX_RECV;
	if (check_stream_events(&a->s, EPOLLIN) == 0)
		do_recv(a); /* the greeting may be there already (TLS buffers it) */
}

static void do_send(struct expect_att *a)
{
	const char *req = CONF(a)->send;
	size_t len = req ? strlen(req) : 0;

	a->st = EX_SEND;
	if (check_stream_send(&a->s, req, len, &a->sent) == 1)
		start_recv(a);
}

static void do_handshake(struct expect_att *a)
{
	char err[160];
	int rc = tls_handshake(a->s.ssl, err, sizeof(err));

	if (rc != 1) {
		check_stream_tls_wait(&a->s, rc, NULL, err); /* "TLS handshake failed: ..." */
		return;
	}
	check_stage(a->s.run, CK_L7TOUT);
	do_send(a);
}

static void do_connected(struct expect_att *a, uint32_t events)
{
	int e = 0;
	socklen_t el = sizeof(e);
	char err[160];

	if (events & (EPOLLERR | EPOLLHUP)) {
		if (getsockopt(a->s.io.fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		check_stream_finish(&a->s, CK_L4CON, "%s", e ? check_errno_reason(e) : "connection failed");
		return;
	}
	if (!CONF(a)->tls) {
		check_stage(a->s.run, CK_L7TOUT);
		do_send(a);
		return;
	}
	check_stage(a->s.run, CK_L6TOUT);
	a->s.ssl = tls_client_new(a->s.io.fd, NULL, err, sizeof(err));
	if (!a->s.ssl) {
		check_stream_finish(&a->s, CK_SOCKERR, "%s", err);
		return;
	}
	a->st = EX_HANDSHAKE;
	do_handshake(a);
}

static void on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct expect_att *a = io->data;

	switch (a->st) {
	case EX_CONNECT:
		do_connected(a, events);
		break;
	case EX_HANDSHAKE:
		do_handshake(a);
		break;
	case EX_SEND:
		do_send(a);
		break;
	case EX_RECV:
		do_recv(a);
		break;
	}
}

static void expect_start(struct check_run *run)
{
	struct expect_att *a = check_stream_start(run, sizeof(*a), "EXPECT_CHECK", expect_free_parts, on_io);
}

/* ---- configuration ---- */

#define EXPECT(obj) ((struct check_expect_conf *)((struct check_conf *)(obj))->spec)

int check_expect_unescape(const char *in, char **out, char *err, size_t errlen)
{
	char *s = malloc(strlen(in) + 1), *o = s;
	const char *p;

	if (!s)
		return err_set(err, errlen, "out of memory");
	for (p = in; *p; p++) {
		char hex[3];
		unsigned long v;

		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'r':
			*o++ = '\r';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '"':
			*o++ = '"';
			break;
		case 'x':
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2])) {
				free(s);
				return err_set(err, errlen,
					       "'\\x' must be followed by two hex digits (\\x0d)");
			}
			hex[0] = p[1];
			hex[1] = p[2];
			hex[2] = 0;
			v = strtoul(hex, NULL, 16);
			if (!v) {
				free(s);
				return err_set(err, errlen, "'\\x00' cannot be sent");
			}
			*o++ = (char)v;
			p += 2;
			break;
		case 0:
			free(s);
			return err_set(err, errlen, "a lone '\\' at the end");
		default:
			free(s);
			return err_set(err, errlen,
				       "unknown escape '\\%c' (\\r \\n \\t \\\\ \\\" \\xHH)", *p);
		}
	}
	*o = 0;
	*out = s;
	return 0;
}

int check_expect_kw_send(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	char *s, sub[ERRLEN];

	if (check_expect_unescape(st->args[0].text, &s, sub, sizeof(sub)) < 0)
		return err_set(err, errlen, "send: %s", sub);
	if (!*s) {
		free(s);
		return err_set(err, errlen, "send: empty (leave send out to only read)");
	}
	free(EXPECT(obj)->send);
	EXPECT(obj)->send = s;
	return 0;
}

/* a pattern PCRE2 refuses is an error here, not a check failing later */
static int p_expect(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		    size_t errlen)
{
	char sub[ERRLEN];

	if (rx_check(st->args[0].text, sub, sizeof(sub)) < 0)
		return err_set(err, errlen, "expect %s", sub);
	return kw_str(st, 0, &EXPECT(obj)->expect, err, errlen);
}

const struct kw check_expect_kw[] = {
    {"send", check_expect_kw_send, 1, 1, KW_NOBLOCK},
    {"expect", p_expect, 1, 1, KW_NOBLOCK},
    {"tls", NULL, 0, 1, KW_NOBLOCK, CHECK_SPEC_SLOT(struct check_expect_conf, tls, KW_T_BOOL, 0, 0)},
    {NULL},
};

void *check_expect_conf_new(void)
{
	return calloc(1, sizeof(struct check_expect_conf));
}

void check_expect_conf_free(void *spec)
{
	struct check_expect_conf *e = spec;

	if (!e)
		return;
	free(e->send);
	free(e->expect);
	free(e);
}

int check_expect_conf_equal(const void *va, const void *vb)
{
	const struct check_expect_conf *a = va, *b = vb;

	return check_str_eq(a->send, b->send) && check_str_eq(a->expect, b->expect) &&
	       !a->tls == !b->tls && !a->miss_sts == !b->miss_sts;
}

const struct check_ops check_expect_ops = {
    .type = CHECK_EXPECT,
    .name = "EXPECT_CHECK",
    .keywords = check_expect_kw,
    .retry_default = 1,
    .conf_new = check_expect_conf_new,
    .conf_free = check_expect_conf_free,
    .conf_equal = check_expect_conf_equal,
    .start = expect_start,
    .cancel = check_stream_release,
};
