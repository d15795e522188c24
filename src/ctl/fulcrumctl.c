/* fulcrumctl: the control client.  A thin layer over the command table
 * (src/ctl/cmdtab.c): it checks the command and its word count locally,
 * answers `help` itself, and sends everything else as one request line.
 *
 * Before sending anything it checks who answers (SO_PEERCRED): root, or
 * the user named by -u/--daemon-user or $FULCRUMCTL_DAEMON_USER.  Anyone
 * else who managed to bind a socket at that path would otherwise read our
 * command and make up the reply (issue 16).
 *
 * Exit status: 0 OK (body on stdout), 1 the daemon refused (message on
 * stderr), 2 usage error, the daemon cannot be reached, or the socket is
 * served by someone else. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/version.h"
#include "ctl/ctl.h"
#include "model/model.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2
/* A reload reads files and builds sockets inside the daemon: give it time,
 * but never hang forever on a stuck daemon. */
#define REPLY_TIMEOUT_MS 30000
#define REPLY_MAX	 (64u << 20)

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("fulcrumctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Words travel space-separated on one line: refuse what cannot. */
static int check_words(int argc, char **argv)
{
	int i;
	const unsigned char *p;

	for (i = 0; i < argc; i++) {
		if (!*argv[i])
			return fail(EXIT_USAGE, "empty argument");
		for (p = (const unsigned char *)argv[i]; *p; p++)
			if (*p <= ' ' || *p == 0x7f)
				return fail(EXIT_USAGE,
					    "argument '%s' contains a space or control character",
					    argv[i]);
	}
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until the daemon closes; -1 with errno on error or timeout. */
static int read_reply(int fd, struct sbuf *reply)
{
	uint64_t end = loop_clock_ms() + REPLY_TIMEOUT_MS;
	char buf[65536];

	for (;;) {
		uint64_t now = loop_clock_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int rc;

		if (now >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&p, 1, (int)(end - now));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* a Unix socket closed with unread input reports ECONNRESET
		 * after the data it did send: that is still the end */
		if (n < 0 && errno == ECONNRESET && reply->len)
			return 0;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		sbuf_add(reply, buf, (size_t)n);
		if (reply->oom || reply->len > REPLY_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
}

/* Who may serve the control socket besides root (uid 0). */
struct peer_rule {
	uid_t uid;	  /* (uid_t)-1: root only */
	const char *name; /* as given, for messages */
};

/* "fulcrum" or "998" -> uid; -1 with a message if no such user. */
static int parse_user(const char *s, struct peer_rule *r)
{
	struct passwd *pw = getpwnam(s);
	char *end;
	unsigned long v;

	r->name = s;
	if (pw) {
		r->uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s && !*end && !errno && v < (unsigned long)(uid_t)-1) {
		r->uid = (uid_t)v;
		return 0;
	}
	return fail(EXIT_USAGE, "daemon user '%s': no such user", s);
}

/* The process that listens on fd's other end must be root or r->uid. */
static int check_peer(int fd, const char *path, const struct peer_rule *r)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return fail(EXIT_USAGE, "cannot tell who serves %s: %s", path, strerror(errno));
	if (cred.uid == 0 || cred.uid == r->uid)
		return 0;
	if (r->uid == (uid_t)-1)
		return fail(EXIT_USAGE, "control socket %s is served by uid %u, not root: refusing",
			    path, (unsigned)cred.uid);
	return fail(EXIT_USAGE,
		    "control socket %s is served by uid %u, not root or %s: refusing", path,
		    (unsigned)cred.uid, r->name);
}

/* A CTL_LOCAL command: run its handler here, without a daemon (fc NULL). */
static int run_local(const struct ctl_cmd *cmd, int argc, char **argv)
{
	char err[ERRLEN];
	struct sbuf out;
	int rc = 0;

	sbuf_init(&out);
	if (cmd->fn(NULL, argc, argv, &out, err, sizeof(err)) < 0)
		rc = fail(EXIT_USAGE, "%s", err);
	else
		fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	return rc;
}

/* A streamed reply (a listing) that the daemon could not finish ends with
 * a line "ERROR <message>" after the output so far: 1 and the message's
 * offset if reply (after "OK\n") ends so. */
static int cut_short(const struct sbuf *reply, size_t *msg)
{
	size_t i;

	if (reply->len < 4 || reply->s[reply->len - 1] != '\n')
		return 0;
	for (i = reply->len - 1; i > 3 && reply->s[i - 1] != '\n'; i--)
		;
	if (strncmp(reply->s + i, "ERROR ", 6))
		return 0;
	*msg = i;
	return 1;
}

static int run(const char *path, const struct peer_rule *peer, int streamed, int argc,
	       char **argv)
{
	size_t msg;

	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sbuf req, reply;
	int fd = -1, i, rc = EXIT_USAGE;

	sbuf_init(&req);
	sbuf_init(&reply);
	for (i = 0; i < argc; i++) {
		sbuf_puts(&req, i ? " " : "");
		sbuf_puts(&req, argv[i]);
	}
	sbuf_puts(&req, "\n");
	if (req.oom || req.len > CTL_MAX_REQUEST) {
		fprintf(stderr, "fulcrumctl: the command is too long (at most %d bytes)\n",
			CTL_MAX_REQUEST);
		goto out;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fail(EXIT_USAGE, "socket path is too long: %s", path);
		goto out;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fail(EXIT_USAGE, "cannot connect to %s: %s", path, strerror(errno));
		goto out;
	}
	if (check_peer(fd, path, peer))
		goto out;
	if (write_all(fd, req.s, req.len) < 0 || read_reply(fd, &reply) < 0) {
		fail(EXIT_USAGE, "talking to %s: %s", path, strerror(errno));
		goto out;
	}
	if (!strncmp(sbuf_str(&reply), "OK\n", 3) && streamed && cut_short(&reply, &msg)) {
		fwrite(reply.s + 3, 1, msg - 3, stdout);
		fflush(stdout);
		fprintf(stderr, "fulcrumctl: %.*s\n", (int)(reply.len - msg - 7), reply.s + msg + 6);
		rc = EXIT_REFUSED;
	} else if (!strncmp(sbuf_str(&reply), "OK\n", 3)) {
		fwrite(reply.s + 3, 1, reply.len - 3, stdout);
		rc = fflush(stdout) ? EXIT_USAGE : 0;
	} else if (!strncmp(sbuf_str(&reply), "ERROR ", 6)) {
		size_t n = reply.len - 6;

		if (n && reply.s[reply.len - 1] == '\n')
			n--;
		fprintf(stderr, "fulcrumctl: %.*s\n", (int)n, reply.s + 6);
		rc = EXIT_REFUSED;
	} else if (!reply.len) {
		fail(EXIT_USAGE, "%s closed the connection without a reply", path);
	} else {
		fail(EXIT_USAGE, "unexpected reply from %s", path);
	}
out:
	if (fd >= 0)
		close(fd);
	sbuf_free(&req);
	sbuf_free(&reply);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"daemon-user", required_argument, NULL, 'u'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = FC_DEFAULT_CONTROL_SOCKET;
	const char *user = getenv("FULCRUMCTL_DAEMON_USER");
	struct peer_rule peer = {.uid = (uid_t)-1};
	const struct ctl_cmd *cmd;
	char err[ERRLEN];
	int c, nwords;

	/* '+': options end at the command, so "list --json" reaches it */
	while ((c = getopt_long(argc, argv, "+S:u:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			path = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'h': {
			struct sbuf out;

			sbuf_init(&out);
			ctl_help_text(&out);
			fputs(sbuf_str(&out), stdout);
			sbuf_free(&out);
			return 0;
		}
		case 'V':
			printf("fulcrumctl %s\n", FC_VERSION);
			return 0;
		default:
			fputs("Try 'fulcrumctl help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (user && *user && parse_user(user, &peer))
		return EXIT_USAGE;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fputs("fulcrumctl: no command given (fulcrumctl help lists the commands)\n",
		      stderr);
		return EXIT_USAGE;
	}
	c = check_words(argc, argv);
	if (c)
		return c;
	/* A command this client does not know goes to the daemon anyway: a
	 * newer daemon may know it, and an older one refuses it (exit 1).
	 * A known one is checked here, so a wrong word count is a usage
	 * error before any connection. */
	if (!ctl_lookup(argc, argv, &nwords))
		return run(path, &peer, 0, argc, argv);
	cmd = ctl_resolve(argc, argv, &nwords, err, sizeof(err));
	if (!cmd)
		return fail(EXIT_USAGE, "%s", err);
	if (cmd->flags & CTL_LOCAL)
		return run_local(cmd, argc - nwords, argv + nwords);
	return run(path, &peer, cmd->stream != NULL, argc, argv);
}
