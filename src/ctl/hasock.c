/* HAProxy's stats socket (ctl/hasock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "ctl/ctl.h"
#include "ctl/hasock.h"
#include "model/fulcrum-t.h"

#define HASOCK_MAX_CLIENTS 64
#define HASOCK_IDLE_MS	   10000 /* HAProxy's default `stats timeout` */

struct hasock_client {
	struct ev_io io;
	struct ev_timer idle;
	struct hasock *srv;
	struct hasock_client *next;
	char in[CTL_MAX_REQUEST + 1];
	size_t in_len;
	struct sbuf out;
	size_t out_off;
	int interactive; /* `prompt`: stay connected, "> " before each line */
	int closing;	 /* close once out is sent */
};

struct hasock {
	struct fulcrum *fc;
	int fd;
	struct ev_io io;
	char *path;
	enum hp_level level; /* `level`: what its clients may run */
	struct hasock_client *clients;
	unsigned n_clients;
	struct hasock *next;
};

int hasock_words(char *cmd, char **argv, int max, char *err, size_t errlen)
{
	char *p = cmd, *o;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return err_set(err, errlen, "too many words (at most %d)", max);
		argv[n++] = o = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\\' && p[1]) {
				*o++ = p[1];
				p += 2;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++)
					*o++ = *p;
				if (!*p)
					return err_set(err, errlen, "unterminated quote");
				p++;
			} else {
				*o++ = *p++;
			}
		}
		if (*p)
			p++;
		*o = 0;
	}
}

static void client_free(void *arg)
{
	struct hasock_client *c = arg;

	sbuf_free(&c->out);
	free(c);
}

static void client_close(struct hasock_client *c)
{
	struct hasock *s = c->srv;
	struct loop *l = s->fc->loop;
	struct hasock_client **pp;

	for (pp = &s->clients; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	s->n_clients--;
	loop_timer_stop(l, &c->idle);
	loop_io_del(l, &c->io);
	close(c->io.fd);
	if (loop_defer(l, client_free, c) < 0)
		client_free(c);
}

/* Sends what it can; closes the client once it is done with. */
static void client_flush(struct hasock_client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->io.fd, sbuf_str(&c->out) + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			loop_io_mod(c->srv->fc->loop, &c->io, EPOLLIN | EPOLLOUT);
			return;
		}
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	sbuf_reset(&c->out);
	c->out_off = 0;
	if (c->closing) {
		client_close(c);
		return;
	}
	loop_io_mod(c->srv->fc->loop, &c->io, EPOLLIN);
}

/* The level a command needs, first match wins (NULL: any word).  As
 * HAProxy 2.6: showing is for everyone, `clear counters` for operators,
 * the rest (servers' state, weight, address, health, reload) for admins;
 * a command this table does not name needs admin, so a command added to
 * ctl_cmds is never opened to lower levels by mistake. */
static const struct {
	const char *words[3];
	enum hp_level level;
} cmd_levels[] = {
    {{"show", NULL, NULL}, HP_LEVEL_USER},
    {{"list", NULL, NULL}, HP_LEVEL_USER},
    {{"metrics", NULL, NULL}, HP_LEVEL_USER},
    {{"version", NULL, NULL}, HP_LEVEL_USER},
    {{"help", NULL, NULL}, HP_LEVEL_USER},
    {{"clear", "counters", "all"}, HP_LEVEL_ADMIN},
    {{"clear", "counters", NULL}, HP_LEVEL_OPERATOR},
};

static enum hp_level cmd_level(int argc, const char *const *argv)
{
	size_t i;
	int w;

	for (i = 0; i < sizeof(cmd_levels) / sizeof(cmd_levels[0]); i++) {
		for (w = 0; w < 3 && cmd_levels[i].words[w]; w++)
			if (w >= argc || strcmp(argv[w], cmd_levels[i].words[w]))
				break;
		if (w == 3 || !cmd_levels[i].words[w])
			return cmd_levels[i].level;
	}
	return HP_LEVEL_ADMIN;
}

/* Only the commands valid at the socket's level, as HAProxy lists them. */
static void help(struct sbuf *out, enum hp_level level)
{
	const struct ctl_cmd *c;
	char name[64], l[160];
	int n;

	sbuf_puts(out, "The following commands are valid at this level:\n");
	for (c = ctl_cmds; c->words[0]; c++) {
		if (c->flags & CTL_LOCAL)
			continue;
		for (n = 0; c->words[n]; n++)
			;
		if (cmd_level(n, c->words) > level)
			continue;
		snprintf(l, sizeof(l), "%s %s", ctl_cmd_name(c, name, sizeof(name)), c->usage);
		sbuf_printf(out, "  %-39s : %s\n", l, c->help);
	}
	sbuf_puts(out, "  help                                    : this list\n"
		       "  prompt                                  : toggle interactive mode with prompt\n"
		       "  quit                                    : disconnect\n");
}

/* One command of a line: its answer, then the empty line ending it. */
static void run_one(struct hasock_client *c, char *cmd)
{
	char *argv[CTL_MAX_WORDS], err[ERRLEN];
	size_t at = c->out.len;
	int argc = hasock_words(cmd, argv, CTL_MAX_WORDS, err, sizeof(err)), n;

	if (argc == 0)
		return;
	if (argc < 0) {
		sbuf_printf(&c->out, "%s\n", err);
	} else if (!strcmp(argv[0], "quit") && argc == 1) {
		c->closing = 1;
		return;
	} else if (!strcmp(argv[0], "prompt") && argc == 1) {
		c->interactive = !c->interactive;
		return;
	} else if (!strcmp(argv[0], "help") && argc == 1) {
		help(&c->out, c->srv->level);
	} else if (ctl_lookup(argc, argv, &n) && cmd_level(argc, (const char *const *)argv) > c->srv->level) {
		sbuf_puts(&c->out, "Permission denied\n"); /* HAProxy's words; nothing run */
	} else if (ctl_execute(c->srv->fc, argc, argv, &c->out, err, sizeof(err)) < 0) {
		c->out.len = at; /* a refused command's partial output is not its answer */
		sbuf_printf(&c->out, "%s\n", err);
	} else if (c->out.len > at && sbuf_str(&c->out)[c->out.len - 1] != '\n') {
		sbuf_puts(&c->out, "\n");
	}
	sbuf_puts(&c->out, "\n");
}

/* A line: its ';'-separated commands (a ';' inside quotes or escaped is
 * part of a word). */
static void run_line(struct hasock_client *c, char *line)
{
	char *p = line, *start = line;
	int quoted = 0;

	for (;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		if (*p && (*p != ';' || quoted))
			continue;
		if (*p) {
			*p = 0;
			run_one(c, start);
			start = p + 1;
			if (c->closing)
				return;
			continue;
		}
		run_one(c, start);
		return;
	}
}

static void client_read(struct hasock_client *c)
{
	for (;;) {
		char *nl;
		ssize_t n;

		if (c->in_len == sizeof(c->in) - 1) {
			sbuf_printf(&c->out, "line too long (at most %d bytes)\n\n", CTL_MAX_REQUEST);
			c->closing = 1;
			break;
		}
		n = recv(c->io.fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) { /* the client is gone, or half-closed: answer and close */
			c->closing = 1;
			if (c->in_len) {
				c->in[c->in_len] = 0;
				c->in_len = 0;
				run_line(c, c->in);
			}
			break;
		}
		c->in_len += (size_t)n;
		c->in[c->in_len] = 0;
		while (!c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
			size_t used = (size_t)(nl - c->in) + 1;

			*nl = 0;
			if (nl > c->in && nl[-1] == '\r')
				nl[-1] = 0;
			run_line(c, c->in);
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			c->in[c->in_len] = 0;
			if (!c->interactive)
				c->closing = 1;
			else if (!c->closing)
				sbuf_puts(&c->out, "> ");
		}
		if (c->closing)
			break;
	}
	loop_timer_start(c->srv->fc->loop, &c->idle, HASOCK_IDLE_MS);
	client_flush(c);
}

static void on_client(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct hasock_client *c = io->data;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (c->closing)
			client_flush(c);
		else
			client_read(c);
		return;
	}
	client_flush(c);
}

static void on_idle(struct loop *l, struct ev_timer *t)
{
	client_close(t->data);
}

static void on_accept(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct hasock *s = io->data;
	struct hasock_client *c;
	int i, fd;

	for (i = 0; i < 16; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		c = s->n_clients < HASOCK_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		sbuf_init(&c->out);
		loop_timer_init(&c->idle, on_idle, c);
		if (loop_io_add(l, &c->io, fd, EPOLLIN, on_client, c) < 0) {
			close(fd);
			client_free(c);
			continue;
		}
		c->next = s->clients;
		s->clients = c;
		s->n_clients++;
		loop_timer_start(l, &c->idle, HASOCK_IDLE_MS);
	}
}

/* A socket left by a process that is gone is removed; one that answers,
 * or a file that is not a socket, is an error.  The new one gets mode perm. */
static int listen_at(const char *path, unsigned perm, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set(err, errlen, "stats socket path is too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode) || !connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
		    errno != ECONNREFUSED) {
			close(fd);
			return err_set(err, errlen, "stats socket %s: %s", path,
				       S_ISSOCK(st.st_mode) ? "in use by another process"
							    : "exists and is not a socket");
		}
		unlink(path);
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return err_set(err, errlen, "socket: %s", strerror(errno));
	}
	old = umask(0177); /* mode 600 from the start, as HAProxy's default */
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	/* `mode`, as HAProxy sets it: after bind, so never wider meanwhile */
	if (rc == 0 && perm != 0600 && chmod(path, perm) < 0) {
		err_set(err, errlen, "stats socket %s: chmod %o: %s", path, perm, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (rc < 0 || listen(fd, 16) < 0) {
		err_set(err, errlen, "cannot listen on stats socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* `stats socket fd@N`: a listening socket the parent passed (varnishtest
 * does), used as it is and never unlinked. */
static int inherited(const char *path, char *err, size_t errlen)
{
	int fd, on = 0, fl;
	socklen_t len = sizeof(on);
	char *end;
	long v = strtol(path + 3, &end, 10);

	if (!path[3] || *end || v < 3 || v > 65535)
		return err_set(err, errlen, "stats socket %s: not fd@N (N a descriptor from 3)", path);
	fd = (int)v;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on)
		return err_set(err, errlen, "stats socket %s: not a listening socket", path);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return err_set(err, errlen, "stats socket %s: %s", path, strerror(errno));
	return fd;
}

static int is_fd(const char *path)
{
	return !strncmp(path, "fd@", 3);
}

int hasock_start_all(struct fulcrum *fc, struct hasock **out, char *err, size_t errlen)
{
	const struct hp_global *g = fc->cfg ? fc->cfg->hp_global : NULL;
	struct hasock *s;
	unsigned i;

	*out = NULL;
	for (i = 0; g && i < g->n_stats_sockets; i++) {
		const char *path = g->stats_sockets[i];
		struct hp_stats_opts o = g->stats_opts ? g->stats_opts[i]
						       : (struct hp_stats_opts){0600, HP_LEVEL_OPERATOR};
		int fd = is_fd(path) ? inherited(path, err, errlen)
				     : listen_at(path, o.mode, err, errlen);

		/* HAProxy would not start; the services matter more than a
		 * monitoring socket (a verbatim file's /var/lib/haproxy/stats
		 * on a host without that directory): say so and go on */
		if (fd < 0) {
			log_err("%s; not served", err);
			continue;
		}
		s = calloc(1, sizeof(*s));
		if (!s || !(s->path = strdup(g->stats_sockets[i]))) {
			free(s);
			close(fd);
			if (!is_fd(path))
				unlink(path);
			err_set(err, errlen, "out of memory");
			goto fail;
		}
		s->fc = fc;
		s->fd = fd;
		s->level = o.level;
		s->next = *out;
		*out = s;
		if (loop_io_add(fc->loop, &s->io, fd, EPOLLIN, on_accept, s) < 0) {
			err_set(err, errlen, "cannot watch stats socket %s: %s", s->path,
				strerror(errno));
			goto fail;
		}
		log_info("stats socket %s", s->path);
	}
	return 0;
fail:
	hasock_stop_all(*out);
	*out = NULL;
	return -1;
}

void hasock_stop_all(struct hasock *list)
{
	struct hasock *s, *next;

	for (s = list; s; s = next) {
		next = s->next;
		while (s->clients)
			client_close(s->clients);
		loop_io_del(s->fc->loop, &s->io);
		close(s->fd);
		if (!is_fd(s->path))
			unlink(s->path);
		free(s->path);
		free(s);
	}
}
