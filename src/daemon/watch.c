/* The file watcher: inotify on the loop, the configuration files and the
 * callback (contract in watch.h; the maintenance directory: watch_maint.c).
 *
 * Why a content hash and not only events: an editor may write the same
 * text again, `touch` changes nothing, and a reload that reads a file in the
 * middle of a burst of writes would otherwise be followed by a second one
 * for nothing.  The hash is taken when a model goes into service and when
 * the debounce timer fires; a reload happens only when they differ. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/spawn.h"
#include "daemon/watch-int.h"
#include "model/model-t.h"

/* The callback is killed after this long (ldirectord waits for ever). */
#define WATCH_CALLBACK_TIMEOUT_MS 60000
/* A file that cannot be read hashes to this (it differs from any text). */
#define HASH_UNREADABLE 0x1ull

struct conf_file {
	char *path;    /* as the model read it */
	char *dir;     /* the directory watched, of the resolved path */
	char *name;    /* the name matched in it */
	int wd;        /* -1: could not be watched (logged) */
	uint64_t hash; /* FNV-1a of the content in service */
};

struct wd_ref {
	int wd;
	unsigned refs;
};

static struct watcher {
	struct fulcrum *fc;
	const struct watch_hooks *hooks;
	int fd; /* inotify, -1 until first needed */
	struct ev_io io;
	struct wd_ref *wds;
	unsigned n_wds;
	/* configuration files, while autoreload or a callback is set */
	struct conf_file *files;
	unsigned n_files;
	struct ev_timer debounce;
	int debounce_init;
	/* the callback: one at a time, one more queued if a change comes meanwhile */
	struct spawn *cb;
	int cb_again;
} W = {.fd = -1};

struct fulcrum *watch_fc(void)
{
	return W.fc;
}

const struct watch_hooks *watch_hooks(void)
{
	return W.hooks;
}

/* ---- inotify ---- */

static void on_inotify(struct loop *l, struct ev_io *io, uint32_t events);

static int inotify_open(void)
{
	if (W.fd >= 0)
		return 0;
	W.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (W.fd < 0)
		return -1;
	if (loop_io_add(W.fc->loop, &W.io, W.fd, EPOLLIN, on_inotify, NULL) < 0) {
		int e = errno;

		close(W.fd);
		W.fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

int watch_dir_add(const char *dir)
{
	struct wd_ref *grown;
	unsigned i;
	int wd;

	if (inotify_open() < 0)
		return -1;
	/* the same directory twice (or the maintenance directory beside the
	 * configuration) is one wd: counted, removed with its last user */
	wd = inotify_add_watch(W.fd, dir, WATCH_DIR_EVENTS | IN_ONLYDIR);
	if (wd < 0)
		return -1;
	for (i = 0; i < W.n_wds; i++) {
		if (W.wds[i].wd == wd) {
			W.wds[i].refs++;
			return wd;
		}
	}
	grown = realloc(W.wds, (W.n_wds + 1) * sizeof(*grown));
	if (!grown) {
		inotify_rm_watch(W.fd, wd);
		errno = ENOMEM;
		return -1;
	}
	W.wds = grown;
	W.wds[W.n_wds].wd = wd;
	W.wds[W.n_wds++].refs = 1;
	return wd;
}

void watch_dir_release(int wd)
{
	unsigned i;

	if (wd < 0)
		return;
	for (i = 0; i < W.n_wds; i++) {
		if (W.wds[i].wd != wd)
			continue;
		if (--W.wds[i].refs)
			return;
		/* EINVAL when the kernel already dropped it (directory gone) */
		inotify_rm_watch(W.fd, wd);
		W.wds[i] = W.wds[--W.n_wds];
		return;
	}
}

static void conf_event(int wd, uint32_t mask, const char *name);

static void on_inotify(struct loop *l, struct ev_io *io, uint32_t events)
{
	/* aligned as inotify(7) asks */
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	(void)l;
	(void)io;
	(void)events;
	for (;;) {
		n = read(W.fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_err("watch: reading inotify: %s", strerror(errno));
			return;
		}
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			const char *name;

			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* events were lost: look at everything again */
				log_warn("watch: inotify queue overflowed, rescanning");
				conf_event(-1, 0, NULL);
				maint_event(-1, 0, NULL);
				continue;
			}
			name = ev->len ? ev->name : NULL;
			/* a directory may be both: each part takes what it watches */
			conf_event(ev->wd, ev->mask, name);
			maint_event(ev->wd, ev->mask, name);
		}
	}
}

/* ---- configuration files ---- */

static uint64_t file_hash(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */
	unsigned char buf[8192];
	ssize_t n, i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return HASH_UNREADABLE;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	close(fd);
	return n < 0 ? HASH_UNREADABLE : h;
}

static void files_free(void)
{
	unsigned i;

	for (i = 0; i < W.n_files; i++) {
		watch_dir_release(W.files[i].wd);
		free(W.files[i].path);
		free(W.files[i].dir);
		free(W.files[i].name);
	}
	free(W.files);
	W.files = NULL;
	W.n_files = 0;
}

/* Fill f for path: the directory and name of the file it resolves to (a
 * configuration that is a link is watched where its content lives). */
static int file_init(struct conf_file *f, const char *path)
{
	char *real = realpath(path, NULL), *d, *b;
	const char *use = real ? real : path;

	memset(f, 0, sizeof(*f));
	f->wd = -1;
	d = strdup(use);
	b = strdup(use);
	f->path = strdup(path);
	if (d && b && f->path) {
		f->dir = strdup(dirname(d));
		f->name = strdup(basename(b));
	}
	free(d);
	free(b);
	free(real);
	if (!f->path || !f->dir || !f->name) {
		free(f->path);
		free(f->dir);
		free(f->name);
		return -1;
	}
	f->hash = file_hash(f->path);
	return 0;
}

static void files_watch(const struct config *cfg)
{
	unsigned i;

	W.files = calloc(cfg->n_files ? cfg->n_files : 1, sizeof(*W.files));
	if (!W.files) {
		log_err("watch: out of memory, configuration files not watched");
		return;
	}
	for (i = 0; i < cfg->n_files; i++) {
		struct conf_file *f = &W.files[W.n_files];
		/* the first file is the one -f named, as given: a relative name
		 * no longer holds once the daemon runs in / */
		const char *path = i == 0 && cfg->files[0][0] != '/' ? W.fc->conf_path : cfg->files[i];

		if (file_init(f, path) < 0) {
			log_err("watch: out of memory, %s not watched", path);
			continue;
		}
		W.n_files++;
		f->wd = watch_dir_add(f->dir);
		if (f->wd < 0)
			log_err("watch: cannot watch %s (for %s): %s", f->dir, f->path,
				strerror(errno));
	}
}

static void conf_event(int wd, uint32_t mask, const char *name)
{
	unsigned i;

	for (i = 0; i < W.n_files; i++) {
		const struct conf_file *f = &W.files[i];

		if (wd >= 0 && (f->wd != wd || !name || strcmp(f->name, name)))
			continue;
		/* the last event of a burst decides: the debounce starts again,
		 * short once the file was closed or renamed into place, longer
		 * while a writer may still be at it (a file truncated and not
		 * yet closed, or moved away and not yet back, must not be read
		 * as the new configuration) */
		log_debug("watch: %s: event 0x%x", f->path, mask);
		loop_timer_start(W.fc->loop, &W.debounce,
				 mask & (IN_CLOSE_WRITE | IN_MOVED_TO) ? WATCH_DEBOUNCE_MS
								      : WATCH_SETTLE_MS);
		return;
	}
}

static void callback_start(void);

static void callback_done(struct spawn_result *res, void *data)
{
	(void)data;
	W.cb = NULL;
	if (res->timed_out)
		log_err("autoreload_callback killed after %u ms", WATCH_CALLBACK_TIMEOUT_MS);
	else if (!res->exited)
		log_err("autoreload_callback killed by signal %d", res->signo);
	else if (res->exit_code)
		log_warn("autoreload_callback exited %d%s%s", res->exit_code,
			 *res->output ? ": " : "", res->output);
	else
		log_info("autoreload_callback done");
	if (W.cb_again) {
		W.cb_again = 0;
		callback_start();
	}
}

/* cmd with the configuration's name as one more word: spawn.h splits
 * words as keepalived does, so the characters that split or quote are
 * escaped (a backslash before a letter or digit would be an escape code). */
static char *callback_line(const char *cmd, const char *file)
{
	size_t n = strlen(cmd), i;
	char *s = malloc(n + 2 + 2 * strlen(file) + 1), *p;

	if (!s)
		return NULL;
	p = s + sprintf(s, "%s ", cmd);
	for (i = 0; file[i]; i++) {
		if (strchr(" \t\n\"'\\", file[i]))
			*p++ = '\\';
		*p++ = file[i];
	}
	*p = 0;
	return s;
}

static void callback_start(void)
{
	const char *cmd = W.fc->cfg ? W.fc->cfg->global.reload_callback : NULL;
	char err[256], *line;

	if (!cmd)
		return;
	if (W.cb) {
		W.cb_again = 1; /* one at a time, as ldirectord runs it */
		return;
	}
	line = callback_line(cmd, W.fc->conf_path);
	if (!line) {
		log_err("autoreload_callback: out of memory");
		return;
	}
	log_info("running autoreload_callback %s %s", cmd, W.fc->conf_path);
	/* the default user is script_user, as for every script */
	W.cb = spawn_start(W.fc->loop, line, NULL, WATCH_CALLBACK_TIMEOUT_MS, callback_done, NULL,
			   err, sizeof(err));
	if (!W.cb)
		log_err("autoreload_callback: cannot run: %s", err);
	free(line);
}

static void on_debounce(struct loop *l, struct ev_timer *t)
{
	const struct global_defs *g;
	int changed = 0;
	unsigned i;

	(void)l;
	(void)t;
	for (i = 0; i < W.n_files; i++) {
		uint64_t h = file_hash(W.files[i].path);

		if (h == W.files[i].hash)
			continue;
		log_info("watch: %s changed on disk", W.files[i].path);
		W.files[i].hash = h;
		changed = 1;
	}
	if (!changed)
		return;
	g = &W.fc->cfg->global;
	if (g->autoreload)
		W.hooks->reload(W.fc);
	else
		log_info("watch: autoreload is off: the change waits for a reload");
	/* the callback of the model now in service (a reload may change it) */
	callback_start();
}

/* ---- the public side ---- */

static int conf_wanted(const struct config *cfg)
{
	return cfg->global.autoreload || cfg->global.reload_callback;
}

void watch_apply(struct fulcrum *fc, const struct watch_hooks *hooks)
{
	W.fc = fc;
	W.hooks = hooks;
	if (!W.debounce_init) {
		loop_timer_init(&W.debounce, on_debounce, NULL);
		W.debounce_init = 1;
	}
	/* the file list is the new model's (an include may come or go) */
	files_free();
	if (conf_wanted(fc->cfg))
		files_watch(fc->cfg);
	else
		loop_timer_stop(fc->loop, &W.debounce);
	maint_apply(fc);
}

void watch_stop(struct fulcrum *fc)
{
	(void)fc;
	if (!W.fc)
		return;
	maint_stop();
	files_free();
	if (W.debounce_init)
		loop_timer_stop(W.fc->loop, &W.debounce);
	if (W.cb) {
		spawn_cancel(W.cb);
		W.cb = NULL;
	}
	W.cb_again = 0;
	if (W.fd >= 0) {
		loop_io_del(W.fc->loop, &W.io);
		close(W.fd);
		W.fd = -1;
	}
	free(W.wds);
	W.wds = NULL;
	W.n_wds = 0;
	W.fc = NULL;
}
