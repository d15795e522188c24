/* The pid file (-p FILE): created without following links, locked for the
 * daemon's life, and removed only if it is still ours.
 *
 * "Already running" means: another process holds the file's lock (flock).
 * A file left by a daemon that died holds a stale pid, which is
 * overwritten whatever process now has that pid.  The file must sit in a
 * trusted directory (dirtrust.h; a sticky one such as /tmp is accepted),
 * be a regular file with one link owned by root or us: a symbolic link,
 * a hard link or someone else's file is refused, never written through. */
#ifndef FC_DAEMON_PIDFILE_H
#define FC_DAEMON_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

struct pidfile {
	int fd;	   /* the locked file; -1 when none */
	int dirfd; /* its directory, for the removal */
	char *name; /* the last path component (owned) */
	dev_t dev;
	ino_t ino;
};

#define PIDFILE_INIT {.fd = -1, .dirfd = -1}

/* Open, lock and fill path with getpid().  0, or -1 with err (pf then holds
 * nothing and nothing was written). */
int pidfile_open(struct pidfile *pf, const char *path, char *err, size_t errlen);

/* Remove the file if the name still leads to the one we locked, then
 * release the lock.  Safe on a pidfile that was never opened (fd -1). */
void pidfile_close(struct pidfile *pf);

#endif
