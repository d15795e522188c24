/* FILE_CHECK: the real server's health (or weight) is a number written in a
 * file by someone else (an operator, a deploy tool).  keepalived's
 * track_file semantics, read once per attempt (every delay_loop) instead of
 * through inotify:
 *   - the file holds an integer (decimal, 0x hex or 0 octal, as strtol base
 *     0); a missing or empty file, or text that is not a number, reads as 0;
 *   - weight 0 (fulcrum's default): 0 = up, anything else = down;
 *   - weight W != 0: always up, and the server's weight becomes its
 *     configured weight + value * W, clamped to 0..65535 (keepalived adds
 *     value * W to the effective weight; weight 0 keeps the server listed
 *     but sends it nothing).  A product below INT_MIN is keepalived's fault
 *     level: down.
 * Differences from keepalived, on purpose: track_file names the file itself
 * and must be an absolute path (fulcrum does not read top-level track_file
 * blocks; a bare name would otherwise read as a missing file = 0 = healthy),
 * a file that exists but cannot be read fails the check instead of reading
 * as 0, and a number outside the 32-bit range fails it instead of being
 * ignored. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "check/check_file-t.h"
#include "core/err.h"
#include "kw/kw.h"
#include "model/model-t.h"

#define FILE_WEIGHT_MAX 65535

/* Read the value: 0 and *val, or -1 with the reason in why. */
static int read_value(const char *path, int64_t *val, char *why, size_t whylen)
{
	char buf[128], *end;
	ssize_t n;
	long long v;
	int fd;

	*val = 0;
	/* O_NONBLOCK: a FIFO put there by mistake must not block the loop */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* keepalived: a file that is not there reads as 0 */
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0; /* an empty FIFO: nothing written = 0 */
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 0);
	if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX) {
		snprintf(why, whylen, "%s: number out of range", path);
		return -1;
	}
	*val = v; /* no digits at all: strtoll gave 0, as keepalived reads it */
	return 0;
}

static void file_start(struct check_run *run)
{
	static const struct check_file_conf none;
	const struct check_file_conf *k = run->conf->spec ? run->conf->spec : &none;
	char why[160];
	int64_t val, delta, w;

	if (!k->track_file || k->track_file[0] != '/') {
		check_done(run, CK_UNK,
			   "track_file '%s' is not an absolute path (fulcrum reads the file named "
			   "in FILE_CHECK; top-level track_file blocks are not read)",
			   k->track_file ? k->track_file : "");
		return;
	}
	if (read_value(k->track_file, &val, why, sizeof(why)) < 0) {
		check_done(run, CK_L7RSP, "%s", why);
		return;
	}
	if (!k->file_weight) {
		if (val)
			check_done(run, CK_L7STS, "%s holds %lld", k->track_file, (long long)val);
		else
			check_done(run, CK_L7OK, "%s holds 0", k->track_file);
		return;
	}
	delta = val * k->file_weight;
	if (delta < INT_MIN) {
		check_done(run, CK_L7STS, "%s holds %lld (x weight %d: fault level)", k->track_file,
			   (long long)val, k->file_weight);
		return;
	}
	/* keepalived's default real-server weight if the core did not say */
	w = (run->rs ? run->rs->weight : 1) + delta;
	if (w < 0)
		w = 0;
	if (w > FILE_WEIGHT_MAX)
		w = FILE_WEIGHT_MAX;
	check_set_weight(run, (int)w);
	check_done(run, CK_L7OK, "%s holds %lld (weight %lld)", k->track_file, (long long)val,
		   (long long)w);
}

static void file_cancel(struct check_run *run)
{
	(void)run; /* an attempt ends inside start: nothing is ever in progress */
}

/* ---- configuration ---- */

#define FILEC(obj) ((struct check_file_conf *)((struct check_conf *)(obj))->spec)

static int p_file_weight(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			 size_t errlen)
{
	const char *s = st->args[0].text;
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < -254 || v > 254)
		return err_set(err, errlen, "weight: '%s' is not a number in -254..254", s);
	if (st->argc > 1 && strcmp(st->args[1].text, "reverse"))
		return err_set(err, errlen, "weight: '%s' is not 'reverse'", st->args[1].text);
	if (st->argc > 1)
		kw_warn(c, st->kw, "weight ... reverse is ignored by fulcrum");
	FILEC(obj)->file_weight = (int)v;
	return 0;
}

const struct kw check_file_kw[] = {
    {"track_file", NULL, 1, 1, KW_NOBLOCK,
     CHECK_SPEC_SLOT(struct check_file_conf, track_file, KW_T_STR, 0, 0)},
    {"weight", p_file_weight, 1, 2, KW_NOBLOCK},
    {NULL},
};

static void *file_conf_new(void)
{
	return calloc(1, sizeof(struct check_file_conf));
}

static void file_conf_free(void *spec)
{
	struct check_file_conf *f = spec;

	if (!f)
		return;
	free(f->track_file);
	free(f);
}

static int file_conf_equal(const void *va, const void *vb)
{
	const struct check_file_conf *a = va, *b = vb;

	return check_str_eq(a->track_file, b->track_file) && a->file_weight == b->file_weight;
}

static int file_conf_finish(struct check_conf *k, char *err, size_t errlen)
{
	if (!FILEC(k)->track_file)
		return err_set(err, errlen, "FILE_CHECK needs track_file");
	return 0;
}

const struct check_ops check_file_ops = {
	.type = CHECK_FILE,
	.name = "FILE_CHECK",
	.keywords = check_file_kw,
	.retry_default = 1,
	.conf_new = file_conf_new,
	.conf_free = file_conf_free,
	.conf_equal = file_conf_equal,
	.conf_finish = file_conf_finish,
	.start = file_start,
	.cancel = file_cancel,
};
