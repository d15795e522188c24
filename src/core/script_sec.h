/* Is a script safe to run?  keepalived's enable_script_security rule.
 *
 * A script is unsafe when someone other than root and the user it runs as
 * could change what runs: the file, or any directory on its path, is owned
 * by another user, or is writable by a group other than root's and the
 * script user's, or by everyone (a directory with the sticky bit, such as
 * /tmp, is exempt from the group/world rule: others cannot replace what
 * they do not own there).  The path is checked as written (each component
 * followed through symlinks, as exec does) and, when it differs, as
 * realpath() resolves it, so a symlink cannot point into a writable place.
 * A bare name is looked up in PATH as execvp would.
 *
 * keepalived checks only scripts that run as root (uid or gid 0, or setuid
 * root); for uid 0 this rule is exactly its rule, and for another user it
 * also refuses what would let a third user act as that one. */
#ifndef FC_CORE_SCRIPT_SEC_H
#define FC_CORE_SCRIPT_SEC_H

#include <stddef.h>
#include <sys/types.h>

enum script_sec {
	SCRIPT_SAFE = 0,
	SCRIPT_UNSAFE = 1,   /* why names the path and who may write it */
	SCRIPT_NOTFOUND = 2, /* the program or a directory cannot be found or read */
	SCRIPT_BAD = 3,      /* the command line cannot be split (why says) */
};

/* Check the program of cmdline (its first word) for a script that runs as
 * uid/gid.  root: where "/" is for the paths (a chroot; NULL or "" = "/"). */
enum script_sec script_sec_check(const char *cmdline, uid_t uid, gid_t gid, const char *root,
				 char *why, size_t whylen);

#endif
