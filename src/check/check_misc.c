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
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/check_misc-t.h"
#include "core/err.h"
#include "core/spawn.h"
#include "kw/kw.h"

/* ---- configuration ---- */

#define MISC(obj) ((struct check_misc_conf *)((struct check_conf *)(obj))->spec)
#define MISC_SLOT(f, t, lo, hi) CHECK_SPEC_SLOT(struct check_misc_conf, f, t, lo, hi)

static int p_user(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen)
{
	if (st->argc > 1)
		kw_warn(c, st->kw,
			"user: the group is ignored by fulcrum (the user's own group "
			"applies)");
	return kw_str(st, 0, &MISC(obj)->user, err, errlen);
}

const struct kw check_misc_kw[] = {
    {"misc_path", NULL, 1, 1, KW_NOBLOCK, MISC_SLOT(misc_path, KW_T_STR, 0, 0)},
    {"misc_timeout", NULL, 1, 1, KW_NOBLOCK, MISC_SLOT(misc_timeout_ms, KW_T_SECS_MS, 0, 3600000)},
    {"misc_dynamic", NULL, 0, 1, KW_NOBLOCK, MISC_SLOT(misc_dynamic, KW_T_BOOL, 0, 0)},
    {"user", p_user, 1, 2, KW_NOBLOCK},
    {NULL},
};

static void *misc_conf_new(void)
{
	return calloc(1, sizeof(struct check_misc_conf));
}

static void misc_conf_free(void *spec)
{
	struct check_misc_conf *m = spec;

	if (!m)
		return;
	free(m->misc_path);
	free(m->user);
	free(m);
}

static int misc_conf_equal(const void *va, const void *vb)
{
	const struct check_misc_conf *a = va, *b = vb;

	return check_str_eq(a->misc_path, b->misc_path) &&
	       a->misc_timeout_ms == b->misc_timeout_ms && a->misc_dynamic == b->misc_dynamic &&
	       check_str_eq(a->user, b->user);
}

static int misc_conf_finish(struct check_conf *k, char *err, size_t errlen)
{
	if (!MISC(k)->misc_path)
		return err_set(err, errlen, "MISC_CHECK needs misc_path");
	return 0;
}

/* The script's own deadline, not connect_timeout: misc_timeout, else the
 * interval (keepalived's rule). */
static unsigned misc_attempt_timeout(const struct check_conf *k, unsigned interval_ms)
{
	const struct check_misc_conf *m = k->spec;

	return m && m->misc_timeout_ms && m->misc_timeout_ms <= 86400000u ? m->misc_timeout_ms
									  : interval_ms;
}

static const char *misc_script(const struct check_conf *k, const char **user, const char **what)
{
	const struct check_misc_conf *m = k->spec;

	*what = "MISC_CHECK misc_path";
	*user = m ? m->user : NULL;
	return m ? m->misc_path : NULL;
}

/* ---- running ---- */

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
	enum check_kind kind;

	run->priv = NULL; /* the spawn frees itself after this callback */
	last_line(res->output ? res->output : "", line, sizeof(line));
	if (res->timed_out) {
		snprintf(why, sizeof(why), "timed out");
	} else if (!res->exited) {
		snprintf(why, sizeof(why), "killed by signal %d", res->signo);
	} else if (code == 0) {
		check_done(run, CK_PROCOK, "exit status 0");
		return;
	} else if (((const struct check_misc_conf *)run->conf->spec)->misc_dynamic && code >= 2 && code <= 255) {
		check_set_weight(run, code - 2);
		check_done(run, CK_PROCOK, "exit status %d (weight %d)", code, code - 2);
		return;
	} else {
		snprintf(why, sizeof(why), "exit status %d", code);
	}
	kind = res->timed_out ? CK_PROCTOUT : CK_PROCERR;
	if (line[0])
		check_done(run, kind, "%s: %s", why, line);
	else
		check_done(run, kind, "%s", why);
}

static void misc_start(struct check_run *run)
{
	const struct check_misc_conf *k = run->conf->spec;
	char err[ERRLEN];
	struct spawn *sp;

	if (!k || !k->misc_path) {
		check_done(run, CK_UNK, "no misc_path");
		return;
	}
	/* no timeout of our own: the core's deadline cancels us */
	sp = spawn_start(run->loop, k->misc_path, k->user, 0, misc_result, run, err, sizeof(err));
	if (!sp) {
		check_done(run, CK_PROCERR, "cannot run: %s", err);
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
	.keywords = check_misc_kw,
	.retry_default = 0,
	.conf_new = misc_conf_new,
	.conf_free = misc_conf_free,
	.conf_equal = misc_conf_equal,
	.conf_finish = misc_conf_finish,
	.attempt_timeout_ms = misc_attempt_timeout,
	.script = misc_script,
	.start = misc_start,
	.cancel = misc_cancel,
};
