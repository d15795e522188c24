/* Trust in the directories the daemon puts its pid file and control socket
 * in.  The daemon runs as root: a file it creates in a directory another
 * user can change can be replaced, moved aside or pre-empted by that user
 * (issue 16).  A directory is trusted when nobody but root or the daemon's
 * effective user can change its entries, and the same holds for every
 * directory above it. */
#ifndef FC_CORE_DIRTRUST_H
#define FC_CORE_DIRTRUST_H

#include <stddef.h>

/* How the last directory may be shared.  DIRTRUST_PRIVATE: not writable by
 * group or others at all (the control socket's directory).
 * DIRTRUST_STICKY: writable by others only with the sticky bit, as /tmp and
 * /run/lock are (the pid file: the sticky bit stops others from removing or
 * renaming our file, and the file itself is opened without following
 * links). */
enum dirtrust_last { DIRTRUST_PRIVATE, DIRTRUST_STICKY };

/* Check dir and every directory above it, both along the path as written
 * (a symbolic link on it must be owned by root or the effective user) and
 * along the path it resolves to: each must be owned by root or the
 * effective user, and writable by group or others only with the sticky
 * bit (the last one: as `last` says).  0, or -1 with err saying which
 * directory and why ("/tmp/fe is owned by uid 1000, not root"). */
int dirtrust_check(const char *dir, enum dirtrust_last last, char *err, size_t errlen);

#endif
