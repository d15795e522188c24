/* MISC_CHECK: run misc_path (as `user`, if set) and judge by its exit.
 *
 * keepalived's rule:
 *   exit 0                      ok, weight unchanged
 *   exit 1                      failed
 *   exit 2..255, misc_dynamic   ok, and the server's weight becomes exit - 2
 *                               (0..253; told to the core by check_set_weight)
 *   exit 2..255, not dynamic    failed
 *   killed by a signal          failed ("killed by signal 9")
 * The deadline (misc_timeout, default delay_loop) is the core's: when it
 * passes the core calls cancel, which kills the script's whole process
 * group.  The reason carries the last line the script printed, which is
 * usually the one saying why. */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "core/err.h"
#include "core/spawn.h"

/* The last non-empty line of out, trimmed, at most max-1 bytes, into buf. */
static void last_line(const char *out, char *buf, size_t max)
{
	const char *end = out + strlen(out), *start;
	size_t n;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
			     end[-1] == '\t'))
		end--;
	start = end;
	while (start > out && start[-1] != '\n')
		start--;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	n = (size_t)(end - start);
	if (n >= max)
		n = max - 1;
	memcpy(buf, start, n);
	buf[n] = '\0';
	/* keep the reason on one printable line */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static void misc_result(struct spawn_result *res, void *data)
{
	struct check_run *run = data;
	char line[96], why[64];
	int code = res->exit_code;

	run->priv = NULL; /* the spawn frees itself after this callback */
	last_line(res->output ? res->output : "", line, sizeof(line));
	if (res->timed_out) {
		snprintf(why, sizeof(why), "timed out");
	} else if (!res->exited) {
		snprintf(why, sizeof(why), "killed by signal %d", res->signo);
	} else if (code == 0) {
		check_done(run, 1, "exit status 0");
		return;
	} else if (run->conf->misc_dynamic && code >= 2 && code <= 255) {
		check_set_weight(run, code - 2);
		check_done(run, 1, "exit status %d (weight %d)", code, code - 2);
		return;
	} else {
		snprintf(why, sizeof(why), "exit status %d", code);
	}
	if (line[0])
		check_done(run, 0, "%s: %s", why, line);
	else
		check_done(run, 0, "%s", why);
}

static void misc_start(struct check_run *run)
{
	const struct check_conf *k = run->conf;
	char err[ERRLEN];
	struct spawn *sp;

	if (!k->misc_path) {
		check_done(run, 0, "no misc_path");
		return;
	}
	/* no timeout of our own: the core's deadline cancels us */
	sp = spawn_start(run->loop, k->misc_path, k->user, 0, misc_result, run, err, sizeof(err));
	if (!sp) {
		check_done(run, 0, "cannot run: %s", err);
		return;
	}
	run->priv = sp;
}

static void misc_cancel(struct check_run *run)
{
	if (!run->priv)
		return;
	spawn_cancel(run->priv); /* kills the group; no callback */
	run->priv = NULL;
}

const struct check_ops check_misc_ops = {
	.type = CHECK_MISC,
	.name = "MISC_CHECK",
	.start = misc_start,
	.cancel = misc_cancel,
};
