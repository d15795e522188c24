/* The pid file (see pidfile.h).
 *
 * Order matters: open without O_TRUNC (truncating before the lock is held
 * would wipe a running daemon's pid), lock, check that the name still
 * leads to the inode we locked (a daemon stopping meanwhile unlinks its
 * file, and a lock on an unlinked inode protects nothing), and only then
 * truncate and write. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dirtrust.h"
#include "core/err.h"
#include "daemon/pidfile.h"

#define OPEN_TRIES 3 /* the name replaced under us this often: give up */

static void reset(struct pidfile *pf)
{
	pf->fd = pf->dirfd = -1;
	pf->name = NULL;
}

/* The pid a locked file holds, for the message; 0 if unreadable. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* The file at fd: a regular file, one link, owned by root or us. */
static int check_file(int fd, const char *path, struct stat *st, char *err, size_t errlen)
{
	if (fstat(fd, st) < 0)
		return err_set(err, errlen, "pid file %s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return err_set(err, errlen, "pid file %s is not a regular file: refusing it", path);
	if (st->st_nlink != 1)
		return err_set(err, errlen,
			       "pid file %s has %lu hard links: refusing to write to it", path,
			       (unsigned long)st->st_nlink);
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return err_set(err, errlen, "pid file %s is owned by uid %u: refusing it", path,
			       (unsigned)st->st_uid);
	return 0;
}

/* One attempt: 0 locked and checked, 1 the name moved (try again), -1. */
static int open_locked(struct pidfile *pf, const char *path, char *err, size_t errlen)
{
	struct stat st, now;
	long pid;

	pf->fd = openat(pf->dirfd, pf->name,
			O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (pf->fd < 0) {
		if (errno == ELOOP)
			return err_set(err, errlen,
				       "pid file %s is a symbolic link: refusing to follow it "
				       "(remove it)",
				       path);
		return err_set(err, errlen, "cannot open pid file %s: %s", path, strerror(errno));
	}
	if (check_file(pf->fd, path, &st, err, errlen) < 0)
		return -1;
	if (flock(pf->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return err_set(err, errlen, "cannot lock pid file %s: %s", path,
				       strerror(errno));
		pid = holder_pid(pf->fd);
		if (pid > 0)
			return err_set(err, errlen, "%s: fulcrum is already running (pid %ld)",
				       path, pid);
		return err_set(err, errlen, "%s: fulcrum is already running (the file is locked)",
			       path);
	}
	if (fstatat(pf->dirfd, pf->name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
	    now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		close(pf->fd);
		pf->fd = -1;
		return 1;
	}
	pf->dev = st.st_dev;
	pf->ino = st.st_ino;
	return 0;
}

static int split(struct pidfile *pf, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return err_set(err, errlen, "pid file %s: not a file name", path);
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	pf->name = strdup(base);
	if (!dir || !pf->name) {
		free(dir);
		return err_set(err, errlen, "out of memory");
	}
	if (dirtrust_check(dir, DIRTRUST_STICKY, err, errlen) < 0) {
		char why[ERRLEN];

		snprintf(why, sizeof(why), "%s", err);
		free(dir);
		return err_set(err, errlen, "pid file %s: %s: refusing that directory", path,
			       why);
	}
	pf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pf->dirfd < 0)
		err_set(err, errlen, "pid file %s: cannot open %s: %s", path, dir,
			strerror(errno));
	free(dir);
	return pf->dirfd < 0 ? -1 : 0;
}

static void release(struct pidfile *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	if (pf->dirfd >= 0)
		close(pf->dirfd);
	free(pf->name);
	reset(pf);
}

int pidfile_open(struct pidfile *pf, const char *path, char *err, size_t errlen)
{
	char buf[32];
	int i, r = 1, n;

	reset(pf);
	if (split(pf, path, err, errlen) < 0)
		goto fail;
	for (i = 0; i < OPEN_TRIES && r == 1; i++)
		r = open_locked(pf, path, err, errlen);
	if (r == 1)
		err_set(err, errlen, "pid file %s keeps being replaced: giving up", path);
	if (r != 0)
		goto fail;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) < 0 || pwrite(pf->fd, buf, (size_t)n, 0) != n) {
		err_set(err, errlen, "cannot write pid file %s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	release(pf);
	return -1;
}

void pidfile_close(struct pidfile *pf)
{
	struct stat st;

	if (pf->fd >= 0 && fstatat(pf->dirfd, pf->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == pf->dev && st.st_ino == pf->ino)
		unlinkat(pf->dirfd, pf->name, 0);
	release(pf);
}
