/* AGENT_CHECK: HAProxy's agent-check.  Connect to the agent (agent-addr,
 * agent-port: the check's connect address and port), send agent-send if
 * any, read one line and hand it, parsed (agent_reply.c), to the health
 * core (health_agent.c), which applies it as HAProxy 2.6 does.
 *
 * Configuration (haproxy.cfg: `server ... agent-check agent-port P
 * [agent-addr A] [agent-inter T] [agent-send S]`; keepalived.conf, a
 * fulcrum extension):
 *   AGENT_CHECK {
 *       connect_port 5555
 *       send "backend-a\n"   # optional; C escapes as EXPECT_CHECK's
 *   }
 * plus the keywords every checker has.
 *
 * An agent that cannot be reached, times out, closes before a whole line
 * or says nothing of the health says nothing of the server: the attempt
 * ends without a verdict (ops.fail_neutral; HAProxy: "failure to connect to
 * the agent is not considered an error").  Only `down`, `stopped` and
 * `fail` count as failures. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check/agent_reply.h"
#include "check/check.h"
#include "check/check_expect-t.h"
#include "check/check_expect.h"
#include "core/loop.h"
#include "kw/kw.h"

#define AGENT_LINE_MAX 1024 /* an answer without a line end by then is ignored */

enum agent_state { AG_CONNECT, AG_SEND, AG_RECV };

struct agent_att {
	struct check_stream s; /* first: check_att_release() finds the watcher */
	enum agent_state st;
	size_t sent;
	size_t len;
	char buf[AGENT_LINE_MAX];
};
_Static_assert(offsetof(struct agent_att, s) == 0, "check_att_*() find the watcher first");

#define CONF(a) ((const struct check_expect_conf *)(a)->s.run->conf->spec)

static void agent_recv(struct agent_att *a)
{
	struct check_run *run = a->s.run;
	struct agent_reply r;

	for (;;) {
		ssize_t n = recv(a->s.io.fd, a->buf + a->len, sizeof(a->buf) - a->len, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			check_stream_finish(&a->s, CK_L4CON, "reading the agent: %s",
					    check_errno_reason(errno));
			return;
		}
		if (n == 0) {
			check_stream_finish(&a->s, CK_L7RSP, "%s", a->len ? "ignoring incomplete line from agent"
								  : "agent closed without a reply");
			return;
		}
		a->len += (size_t)n;
		if (agent_reply_parse(a->buf, a->len, &r)) {
			check_stream_release(run); /* a is freed after this round */
			check_agent_result(run, &r);
			return;
		}
		if (a->len == sizeof(a->buf)) {
			check_stream_finish(&a->s, CK_L7RSP, "agent line longer than %d bytes, ignored",
					    AGENT_LINE_MAX);
			return;
		}
	}
}

static void agent_send(struct agent_att *a)
{
	const char *req = CONF(a)->send;
	size_t len = req ? strlen(req) : 0;

	a->st = AG_SEND;
	check_stage(a->s.run, CK_L7TOUT);
	if (check_stream_send(&a->s, req, len, &a->sent) != 1)
		return;
	a->st = AG_RECV;
	if (check_stream_events(&a->s, EPOLLIN) == 0)
		agent_recv(a);
}

static void on_io(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct agent_att *a = io->data;
	socklen_t el = sizeof(int);
	int e = 0;

	if (a->st == AG_CONNECT && (events & (EPOLLERR | EPOLLHUP))) {
		if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		check_stream_finish(&a->s, CK_L4CON, "agent: %s",
				    e ? check_errno_reason(e) : "connection failed");
		return;
	}
	if (a->st == AG_RECV)
		agent_recv(a);
	else
		agent_send(a);
}

static void agent_start(struct check_run *run)
{
	(void)check_stream_start(run, sizeof(struct agent_att), "AGENT_CHECK", NULL, on_io);
}

/* ---- configuration ---- */

/* The configuration is EXPECT_CHECK's struct, only `send` used. */
const struct kw check_agent_kw[] = {
    {"send", check_expect_kw_send, 1, 1, KW_NOBLOCK},
    {NULL},
};

const struct check_ops check_agent_ops = {
    .type = CHECK_AGENT,
    .name = "AGENT_CHECK",
    .keywords = check_agent_kw,
    .retry_default = 0,
    .fail_neutral = 1,
    .conf_new = check_expect_conf_new,
    .conf_free = check_expect_conf_free,
    .conf_equal = check_expect_conf_equal,
    .start = agent_start,
    .cancel = check_stream_release,
};
