/* Running scripts without blocking the loop: MISC_CHECK, notify_up/down,
 * quorum_up/down (and later VRRP notify and track scripts).
 *
 * The command line is split into words as keepalived does (no shell:
 * double or single quotes group words, backslash escapes the next
 * character) and run with execvp in a new process group, stdin from
 * /dev/null, stdout+stderr into a pipe that the loop drains (a chatty
 * script never blocks; the last SPAWN_TAIL bytes are kept for messages).
 * Exit is watched through a pidfd on the loop.  At the timeout the whole
 * process group is killed (SIGKILL) and the callback reports it. */
#ifndef FC_CORE_SPAWN_H
#define FC_CORE_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "core/loop-t.h"

#define SPAWN_TAIL 256

struct spawn;

struct spawn_result {
	int timed_out;       /* killed at the timeout */
	int exited;          /* 1: exit_code is valid; 0: killed by signal `signo` */
	int exit_code;
	int signo;
	const char *output;  /* last SPAWN_TAIL bytes of stdout+stderr, NUL-terminated */
	const char *all;     /* spawn_keep_output: all of it, NUL-terminated, or NULL */
	size_t all_len;
	int all_truncated;   /* more came than spawn_keep_output's max (dropped) */
};

/* Called once when the process (group leader) has ended and been reaped.
 * The spawn is freed right after the callback returns. */
typedef void (*spawn_cb)(struct spawn_result *res, void *data);

/* Start cmdline.  user: run as this user (NULL or "" = the default user);
 * timeout_ms 0 = no timeout.  NULL with err if it could not be started
 * (bad command line, fork failure, unknown user); an exec failure is
 * reported through the callback as exit code 127 (as a shell does). */
struct spawn *spawn_start(struct loop *l, const char *cmdline, const char *user,
			  unsigned timeout_ms, spawn_cb cb, void *data, char *err, size_t errlen);

/* Keep the whole output (stdout+stderr, up to max bytes) for the callback
 * (res->all), not only its tail: for a program whose output is the answer
 * (crm_mon, a real_server_script).  Call right after spawn_start.  0, or -1
 * out of memory (the tail is still kept). */
int spawn_keep_output(struct spawn *sp, size_t max);

/* The user a script runs as when spawn_start gets none: the configuration's
 * script_user (see doc/security.md).  NULL or "" = as fulcrum itself.  The
 * user is looked up now and its ids kept, so that spawning needs no user
 * database (a chroot may have none).  0, or -1 with err (the old default
 * kept). */
int spawn_set_default_user(const char *user, char *err, size_t errlen);

/* Keep /dev/null (scripts' stdin) open from now on, for a chroot that may
 * have none; otherwise each spawn opens it.  0, or -1 with err. */
int spawn_keep_devnull(char *err, size_t errlen);

/* Kill the process group now and forget it: the callback is not called.
 * The child is still reaped (asynchronously). */
void spawn_cancel(struct spawn *sp);

/* Split a command line in place-style into a NULL-terminated argv (malloc'd
 * array and strings; free with spawn_argv_free).  -1 with err on unbalanced
 * quotes or an empty line.  Exposed for the config reader and tests. */
int spawn_split(const char *cmdline, char ***argv, char *err, size_t errlen);
void spawn_argv_free(char **argv);

/* Number of spawned processes not yet reaped (tests, shutdown). */
unsigned spawn_pending(void);

#endif
