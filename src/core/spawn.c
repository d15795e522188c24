/* Running scripts without blocking the loop (see spawn.h for the contract).
 *
 * Life of a spawn:
 *   RUNNING   the leader runs; its pidfd and the output pipe are watched;
 *             the timeout timer (if any) is armed.
 *   EXITED    the leader has ended: its status is read with WNOWAIT, so it
 *             stays a zombie and its pid (= the process group id) cannot be
 *             reused while we may still kill(-pgid).  We wait for EOF on the
 *             pipe, or at most SPAWN_GRACE_MS when a grandchild holds it.
 *   then      reap, call the callback, free (deferred: the spawn holds ev_io).
 * A cancelled spawn kills its group, forgets the callback and closes the
 * pipe; the pidfd stays watched so the leader is still reaped. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/spawn.h"

/* After the leader exited, how long a grandchild may keep the output pipe
 * open before the result is reported anyway. */
#define SPAWN_GRACE_MS 200
/* Reads per readiness callback: a script that writes without end cannot
 * keep the loop in one callback (epoll is level-triggered, it comes back). */
#define SPAWN_READS_PER_CB 16

enum spawn_state { SP_RUNNING, SP_EXITED, SP_CANCELLED, SP_DONE };

struct spawn {
	struct loop *l;
	enum spawn_state state;
	pid_t pid;               /* also the process group id */
	int pidfd;               /* -1 once closed */
	struct ev_io pid_io;
	int outfd;               /* read end of stdout+stderr, -1 once closed */
	struct ev_io out_io;
	struct ev_timer timeout; /* kills the group */
	struct ev_timer grace;   /* EOF wait after the leader's exit */
	int timed_out;
	siginfo_t info;          /* the leader's end (waitid WNOWAIT) */
	spawn_cb cb;
	void *data;
	size_t tail_len;
	char tail[SPAWN_TAIL];   /* last bytes of output */
	char *all;               /* spawn_keep_output: the whole output (owned), or NULL */
	size_t all_len, all_max;
	int all_truncated;
};

/* A user's ids, looked up before fork (no allocation in the child). */
struct spawn_creds {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* malloc'd */
	int ngroups;
};

static unsigned n_pending; /* forked, not yet reaped */
static struct spawn_creds def_creds; /* spawn_set_default_user */
static char *def_name;               /* whose ids def_creds holds, or NULL */
static int devnull_fd = -1;            /* scripts' stdin kept open: spawn_keep_devnull() */
static char read_buf[65536]; /* one loop thread: shared scratch for draining */

unsigned spawn_pending(void)
{
	return n_pending;
}

/* ---- word splitting, as keepalived splits script command lines ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One backslash escape at *pp (just after the backslash); returns the byte
 * and advances *pp.  keepalived's set: \xHH.., \cX, \NNN octal, \a \b \E \f
 * \n \r \t \v, anything else stands for itself. */
static unsigned char unescape(const char **pp)
{
	const char *p = *pp;
	unsigned v = 0;
	int n;

	if (*p == 'x' && hexval((unsigned char)p[1]) >= 0) {
		p++;
		while ((n = hexval((unsigned char)*p)) >= 0) {
			v = (v << 4) | (unsigned)n;
			p++;
		}
	} else if (*p == 'c' && p[1]) {
		v = (unsigned char)p[1] & 0x1f;
		p += 2;
	} else if (*p >= '0' && *p <= '7') {
		for (n = 0; n < 3 && *p >= '0' && *p <= '7'; n++)
			v = (v << 3) + (unsigned)(*p++ - '0');
	} else {
		switch (*p) {
		case 'a': v = '\a'; break;
		case 'b': v = '\b'; break;
		case 'E': v = 0x1b; break;
		case 'f': v = '\f'; break;
		case 'n': v = '\n'; break;
		case 'r': v = '\r'; break;
		case 't': v = '\t'; break;
		case 'v': v = '\v'; break;
		default: v = (unsigned char)*p; break;
		}
		p++;
	}
	*pp = p;
	return (unsigned char)v;
}

void spawn_argv_free(char **argv)
{
	char **a;

	if (!argv)
		return;
	for (a = argv; *a; a++)
		free(*a);
	free(argv);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Words are separated by white space outside quotes; "..." and '...' group
 * (and may be glued to unquoted text: a"b c"d is one word "ab cd"); a
 * backslash escapes the next character inside quotes too (keepalived's
 * rule, not the shell's).  No variables, globs or redirections: no shell. */
int spawn_split(const char *cmdline, char ***argv_out, char *err, size_t errlen)
{
	size_t len = cmdline ? strlen(cmdline) : 0, nw = 0, cap = 4;
	char **argv = NULL, *word = NULL;
	const char *p = cmdline;
	int rc = -1;

	*argv_out = NULL;
	if (!cmdline)
		return err_set(err, errlen, "empty command line");
	argv = calloc(cap, sizeof(*argv));
	word = malloc(len + 1); /* a word is never longer than the line */
	if (!argv || !word) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		size_t wl = 0;
		char quote = 0;

		while (is_space((unsigned char)*p))
			p++;
		if (!*p)
			break;
		while (*p) {
			if (*p == '\\') {
				unsigned char c;

				p++;
				if (!*p) {
					err_set(err, errlen, "'%s': backslash at the end of the line",
						cmdline);
					goto out;
				}
				c = unescape(&p);
				if (!c) {
					err_set(err, errlen, "'%s': an escape gives a NUL byte",
						cmdline);
					goto out;
				}
				word[wl++] = (char)c;
			} else if (quote) {
				if (*p == quote)
					quote = 0;
				else
					word[wl++] = *p;
				p++;
			} else if (*p == '"' || *p == '\'') {
				quote = *p++;
			} else if (is_space((unsigned char)*p)) {
				break;
			} else {
				word[wl++] = *p++;
			}
		}
		if (quote) {
			err_set(err, errlen, "'%s': missing closing %c", cmdline, quote);
			goto out;
		}
		if (nw + 2 > cap) {
			char **n = realloc(argv, cap * 2 * sizeof(*argv));

			if (!n) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			memset(n + cap, 0, cap * sizeof(*argv));
			argv = n;
			cap *= 2;
		}
		argv[nw] = strndup(word, wl);
		if (!argv[nw]) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
		nw++;
	}
	if (!nw) {
		err_set(err, errlen, "empty command line");
		goto out;
	}
	argv[nw] = NULL;
	*argv_out = argv;
	argv = NULL;
	rc = 0;
out:
	spawn_argv_free(argv);
	free(word);
	return rc;
}

/* ---- the child side: only what is safe between fork and exec ---- */

static void child_write(const char *s)
{
	ssize_t r = write(2, s, strlen(s));

	(void)r;
}

static void __attribute__((noreturn))
child_run(char **argv, int devnull, int out_wr, int change_user, const struct spawn_creds *cr)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	setpgid(0, 0);
	/* The daemon blocks signals for its signalfd and ignores SIGPIPE: a
	 * script must start with the defaults and an empty mask. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails harmlessly for KILL, STOP, RT gaps */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(devnull, 0) < 0 || dup2(out_wr, 1) < 0 || dup2(out_wr, 2) < 0)
		_exit(127);
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
		int fd;

		for (fd = 3; fd < 65536; fd++)
			close(fd);
	}
	if (change_user) {
		if (setgroups((size_t)cr->ngroups, cr->groups) < 0 || setgid(cr->gid) < 0 ||
		    setuid(cr->uid) < 0) {
			child_write("fulcrum: cannot change to the script's user: ");
			child_write(strerror(errno));
			child_write("\n");
			_exit(127);
		}
	}
	execvp(argv[0], argv);
	child_write("fulcrum: cannot run ");
	child_write(argv[0]);
	child_write(": ");
	child_write(strerror(errno));
	child_write("\n");
	_exit(127);
}

/* ---- the loop side ---- */

static void sp_free(void *arg)
{
	struct spawn *sp = arg;

	free(sp->all);
	free(sp);
}

/* loop_io_del before close (see loop.h): a child forked by another spawn may
 * hold a copy of these descriptors until its exec, and epoll watches the
 * open file, not the descriptor, so close() alone would not unwatch it. */
static void close_out(struct spawn *sp)
{
	if (sp->outfd < 0)
		return;
	loop_io_del(sp->l, &sp->out_io);
	close(sp->outfd);
	sp->outfd = -1;
}

static void close_pidfd(struct spawn *sp)
{
	if (sp->pidfd < 0)
		return;
	loop_io_del(sp->l, &sp->pid_io);
	close(sp->pidfd);
	sp->pidfd = -1;
}

/* Collect the zombie leader. */
static void reap(struct spawn *sp)
{
	int st;

	while (waitpid(sp->pid, &st, 0) < 0 && errno == EINTR)
		;
	n_pending--;
	close_pidfd(sp);
}

static void release(struct spawn *sp)
{
	sp->state = SP_DONE;
	loop_timer_stop(sp->l, &sp->timeout);
	loop_timer_stop(sp->l, &sp->grace);
	close_out(sp);
	close_pidfd(sp);
	if (loop_defer(sp->l, sp_free, sp) < 0)
		log_err("spawn: cannot defer a free (out of memory); %zu bytes leaked",
			sizeof(*sp));
}

static void finish(struct spawn *sp)
{
	struct spawn_result res;
	char out[SPAWN_TAIL + 1];
	size_t i;

	reap(sp);
	for (i = 0; i < sp->tail_len; i++)
		out[i] = sp->tail[i] ? sp->tail[i] : ' ';
	out[sp->tail_len] = '\0';
	memset(&res, 0, sizeof(res));
	res.timed_out = sp->timed_out;
	if (sp->info.si_code == CLD_EXITED) {
		res.exited = 1;
		res.exit_code = sp->info.si_status;
	} else {
		res.signo = sp->info.si_status;
	}
	res.output = out;
	if (sp->all) {
		sp->all[sp->all_len] = '\0';
		res.all = sp->all;
		res.all_len = sp->all_len;
		res.all_truncated = sp->all_truncated;
	}
	sp->state = SP_DONE;
	loop_timer_stop(sp->l, &sp->timeout);
	loop_timer_stop(sp->l, &sp->grace);
	close_out(sp);
	if (sp->cb)
		sp->cb(&res, sp->data);
	release(sp);
}

static void keep_tail(struct spawn *sp, const char *buf, size_t n)
{
	if (sp->all) {
		size_t room = sp->all_max - sp->all_len;

		memcpy(sp->all + sp->all_len, buf, n < room ? n : room);
		sp->all_len += n < room ? n : room;
		sp->all_truncated |= n > room;
	}
	if (n >= SPAWN_TAIL) {
		memcpy(sp->tail, buf + n - SPAWN_TAIL, SPAWN_TAIL);
		sp->tail_len = SPAWN_TAIL;
		return;
	}
	if (sp->tail_len + n > SPAWN_TAIL) {
		size_t drop = sp->tail_len + n - SPAWN_TAIL;

		memmove(sp->tail, sp->tail + drop, sp->tail_len - drop);
		sp->tail_len -= drop;
	}
	memcpy(sp->tail + sp->tail_len, buf, n);
	sp->tail_len += n;
}

/* Read what is there; 1 at EOF (or a read error: nothing more will come). */
static int drain(struct spawn *sp)
{
	int i;

	for (i = 0; i < SPAWN_READS_PER_CB; i++) {
		ssize_t n = read(sp->outfd, read_buf, sizeof(read_buf));

		if (n > 0) {
			keep_tail(sp, read_buf, (size_t)n);
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : 1;
	}
	return 0;
}

static void on_output(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct spawn *sp = io->data;

	if (!drain(sp))
		return;
	close_out(sp);
	if (sp->state == SP_EXITED)
		finish(sp);
}

static void on_grace(struct loop *l, struct ev_timer *t)
{
	struct spawn *sp = t->data;

	/* a grandchild still holds the pipe: take what is there and report */
	if (sp->outfd >= 0)
		drain(sp);
	finish(sp);
}

static void on_timeout(struct loop *l, struct ev_timer *t)
{
	struct spawn *sp = t->data;

	/* the leader is alive or an unreaped zombie: its pgid is ours */
	sp->timed_out = 1;
	kill(-sp->pid, SIGKILL);
}

static void on_exit_ev(struct loop *l, struct ev_io *io, uint32_t events)
{
	struct spawn *sp = io->data;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	/* WNOWAIT: keep the zombie, so the pgid stays ours until we reap */
	if (waitid(P_PID, (id_t)sp->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || !si.si_pid)
		return;
	loop_io_del(l, &sp->pid_io); /* readable until reaped: stop listening */
	if (sp->state == SP_CANCELLED) {
		reap(sp);
		release(sp);
		return;
	}
	sp->info = si;
	sp->state = SP_EXITED;
	loop_timer_stop(l, &sp->timeout);
	if (sp->outfd >= 0) {
		/* usually EOF is already there; a grandchild may keep it open */
		if (drain(sp)) {
			close_out(sp);
		} else {
			loop_timer_start(l, &sp->grace, SPAWN_GRACE_MS);
			return;
		}
	}
	finish(sp);
}

void spawn_cancel(struct spawn *sp)
{
	if (!sp || sp->state == SP_CANCELLED || sp->state == SP_DONE)
		return;
	sp->cb = NULL;
	/* RUNNING: alive; EXITED: an unreaped zombie.  Either way the pgid is
	 * still ours, so the kill cannot hit a recycled group. */
	kill(-sp->pid, SIGKILL);
	loop_timer_stop(sp->l, &sp->timeout);
	loop_timer_stop(sp->l, &sp->grace);
	close_out(sp);
	if (sp->state == SP_EXITED) {
		reap(sp);
		release(sp);
		return;
	}
	sp->state = SP_CANCELLED; /* reaped when the pidfd says it ended */
}

/* The user's ids and groups.  0, or -1 with err. */
static int lookup_user(const char *user, struct spawn_creds *cr, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf;
	int n = 16, rc;

	if (sz < 1024)
		sz = 16384;
	buf = malloc((size_t)sz);
	if (!buf)
		return err_set(err, errlen, "out of memory");
	rc = getpwnam_r(user, &pw, buf, (size_t)sz, &res);
	if (rc || !res) {
		free(buf);
		return err_set(err, errlen, "unknown user '%s'", user);
	}
	cr->uid = pw.pw_uid;
	cr->gid = pw.pw_gid;
	for (;;) {
		gid_t *g = malloc((size_t)n * sizeof(*g));
		int want = n;

		if (!g) {
			free(buf);
			return err_set(err, errlen, "out of memory");
		}
		if (getgrouplist(user, pw.pw_gid, g, &want) >= 0) {
			cr->groups = g;
			cr->ngroups = want;
			break;
		}
		free(g);
		if (want <= n)
			want = n * 2;
		n = want;
	}
	free(buf);
	return 0;
}

/* The kept descriptor, else one opened for this spawn (closed by the
 * caller once forked): a descriptor held for the daemon's life counts
 * against its RLIMIT_NOFILE, so it is held only when a chroot needs it. */
static int open_devnull(int *opened, char *err, size_t errlen)
{
	int fd = devnull_fd;

	*opened = -1;
	if (fd < 0)
		fd = *opened = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errlen, "/dev/null: %s", strerror(errno));
	return fd;
}

int spawn_keep_devnull(char *err, size_t errlen)
{
	int opened;

	if (devnull_fd >= 0)
		return 0;
	if (open_devnull(&opened, err, errlen) < 0)
		return -1;
	devnull_fd = opened;
	return 0;
}

int spawn_set_default_user(const char *user, char *err, size_t errlen)
{
	struct spawn_creds cr = {0};
	char *name = NULL;

	/* the same user again (a reload): keep the ids looked up before any
	 * chroot */
	if (user && *user && def_name && !strcmp(def_name, user))
		return 0;
	if (user && *user) {
		if (!(name = strdup(user)))
			return err_set(err, errlen, "out of memory");
		if (lookup_user(user, &cr, err, errlen) < 0) {
			free(name);
			return -1;
		}
	}
	free(def_creds.groups);
	def_creds = cr;
	free(def_name);
	def_name = name;
	return 0;
}

struct spawn *spawn_start(struct loop *l, const char *cmdline, const char *user,
			  unsigned timeout_ms, spawn_cb cb, void *data, char *err, size_t errlen)
{
	struct spawn *sp = NULL;
	char **argv = NULL;
	int pfd[2] = {-1, -1}, change_user = 0, devnull, own_devnull = -1;
	struct spawn_creds own = {0}, *cr = NULL;
	pid_t pid;

	if (spawn_split(cmdline, &argv, err, errlen) < 0)
		return NULL;
	if (user && *user) {
		if (lookup_user(user, &own, err, errlen) < 0)
			goto fail;
		cr = &own;
	} else if (def_name) {
		cr = &def_creds;
	}
	/* already that user: nothing to change (and no privilege needed) */
	if (cr)
		change_user = !(cr->uid == geteuid() && cr->gid == getegid());
	sp = calloc(1, sizeof(*sp));
	if (!sp) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		err_set(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* only our end is non-blocking: a script writing into a full pipe
	 * must wait, not get EAGAIN */
	if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) < 0) {
		err_set(err, errlen, "fcntl: %s", strerror(errno));
		goto fail;
	}
	if ((devnull = open_devnull(&own_devnull, err, errlen)) < 0)
		goto fail;
	pid = fork();
	if (pid < 0) {
		err_set(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_run(argv, devnull, pfd[1], change_user, cr);

	/* parent: the group must exist before anyone may kill(-pid); EACCES
	 * means the child already exec'd, after its own setpgid */
	setpgid(pid, pid);
	n_pending++;
	close(pfd[1]);
	pfd[1] = -1;
	if (own_devnull >= 0)
		close(own_devnull);
	own_devnull = -1;
	spawn_argv_free(argv);
	argv = NULL;
	free(own.groups);
	own.groups = NULL;

	sp->l = l;
	sp->pid = pid;
	sp->cb = cb;
	sp->data = data;
	sp->state = SP_RUNNING;
	sp->outfd = pfd[0];
	loop_timer_init(&sp->timeout, on_timeout, sp);
	loop_timer_init(&sp->grace, on_grace, sp);
	sp->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (sp->pidfd < 0 || fcntl(sp->pidfd, F_SETFD, FD_CLOEXEC) < 0 ||
	    loop_io_add(l, &sp->pid_io, sp->pidfd, EPOLLIN, on_exit_ev, sp) < 0 ||
	    loop_io_add(l, &sp->out_io, sp->outfd, EPOLLIN, on_output, sp) < 0) {
		/* cannot watch it: do not leave it running unobserved */
		err_set(err, errlen, "cannot watch the script: %s", strerror(errno));
		kill(-pid, SIGKILL);
		if (sp->pidfd >= 0) {
			loop_io_del(l, &sp->pid_io);
			close(sp->pidfd);
		}
		loop_io_del(l, &sp->out_io);
		close(sp->outfd);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			; /* SIGKILLed: this wait is short */
		n_pending--;
		free(sp);
		return NULL;
	}
	if (timeout_ms)
		loop_timer_start(l, &sp->timeout, timeout_ms);
	return sp;

fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (own_devnull >= 0)
		close(own_devnull);
	spawn_argv_free(argv);
	free(own.groups);
	free(sp);
	return NULL;
}

int spawn_keep_output(struct spawn *sp, size_t max)
{
	sp->all = malloc(max + 1);
	if (!sp->all)
		return -1;
	sp->all_max = max;
	return 0;
}
