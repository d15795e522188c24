/* MISC_CHECK and FILE_CHECK driven directly: a hand-made check_run on a real
 * loop, real scripts and real files.  check_done / check_set_weight are the
 * health core's; here the test provides them to see what the checkers say
 * (the core's own behaviour is tested in test_health.c). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define rs_health rs_health_state /* see check_file.c: a tag clash */
#include "model/model-t.h"
#undef rs_health
#include "check/check.h"
#include "check/check_file-t.h"
#include "check/check_misc-t.h"
#include "core/loop.h"
#include "core/spawn.h"

static struct loop *L;
static int n_done, last_ok, last_weight;
static char last_reason[256];

void check_done(struct check_run *run, enum check_kind kind, const char *fmt, ...)
{
	int ok = check_kind_ok(kind) == 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_reason, sizeof(last_reason), fmt, ap);
	va_end(ap);
	assert_null(run->priv); /* released before or right at the end */
	last_ok = ok;
	n_done++;
	if (L)
		loop_stop(L);
}

void check_set_weight(struct check_run *run, int weight)
{
	last_weight = weight;
	run->dyn_weight = weight;
}

static void on_guard(struct loop *l, struct ev_timer *t)
{
	(void)t;
	loop_stop(l);
}

static void spin(unsigned ms)
{
	struct ev_timer t;

	loop_timer_init(&t, on_guard, NULL);
	loop_timer_start(L, &t, ms);
	loop_run(L);
	loop_timer_stop(L, &t);
}

static int setup(void **state)
{
	(void)state;
	L = loop_new();
	return L ? 0 : -1;
}

static int teardown(void **state)
{
	uint64_t end = loop_clock_ms() + 3000;

	(void)state;
	while (spawn_pending() && loop_clock_ms() < end)
		spin(10);
	assert_int_equal(spawn_pending(), 0);
	loop_free(L);
	L = NULL;
	return 0;
}

static void init_run(struct check_run *run, struct check_conf *k, const struct check_ops *ops)
{
	memset(run, 0, sizeof(*run));
	run->ops = ops;
	run->conf = k;
	run->loop = L;
	run->dyn_weight = -1;
	run->in_progress = 1;
}

/* One MISC_CHECK attempt of `cmd`; returns ok and fills last_reason. */
static int misc_once(const char *cmd, int dynamic, const char *user)
{
	struct check_misc_conf m = {.misc_path = (char *)cmd, .misc_dynamic = dynamic,
				    .user = (char *)user};
	struct check_conf k;
	struct check_run run;
	uint64_t t0 = loop_clock_ms();

	memset(&k, 0, sizeof(k));
	k.type = CHECK_MISC;
	k.spec = &m;
	init_run(&run, &k, &check_misc_ops);
	n_done = 0;
	last_weight = -1;
	run.ops->start(&run);
	while (!n_done && loop_clock_ms() - t0 < 10000)
		spin(10000);
	assert_int_equal(n_done, 1);
	assert_null(run.priv);
	return last_ok;
}

static void test_misc_exit_codes(void **state)
{
	(void)state;
	assert_true(misc_once("/bin/true", 0, NULL));
	assert_string_equal(last_reason, "exit status 0");
	assert_int_equal(last_weight, -1);

	assert_false(misc_once("/bin/false", 0, NULL));
	assert_string_equal(last_reason, "exit status 1");

	/* not dynamic: any non-zero exit fails */
	assert_false(misc_once("sh -c 'exit 7'", 0, NULL));
	assert_string_equal(last_reason, "exit status 7");
	assert_int_equal(last_weight, -1);

	/* the script's last line says why */
	assert_false(misc_once("sh -c 'echo first; echo \"  db is read-only  \"; exit 3'", 0, NULL));
	assert_string_equal(last_reason, "exit status 3: db is read-only");

	assert_false(misc_once("sh -c 'kill -TERM $$'", 0, NULL));
	assert_string_equal(last_reason, "killed by signal 15");

	/* cannot exec: exit 127 with the error the child wrote */
	assert_false(misc_once("/nonexistent/check.sh", 0, NULL));
	assert_non_null(strstr(last_reason, "exit status 127: fulcrum: cannot run /nonexistent/check.sh"));

	/* cannot even start: bad command line */
	assert_false(misc_once("check 'unbalanced", 0, NULL));
	assert_non_null(strstr(last_reason, "cannot run: "));
	assert_non_null(strstr(last_reason, "missing closing"));
}

/* keepalived's misc_dynamic: 0 ok (weight unchanged), 1 fail, 2..255 ok with
 * weight = exit - 2. */
static void test_misc_dynamic_weights(void **state)
{
	static const struct {
		int code, ok, weight;
	} cases[] = {
		{0, 1, -1}, {1, 0, -1}, {2, 1, 0}, {3, 1, 1}, {12, 1, 10}, {102, 1, 100},
		{255, 1, 253},
	};
	char cmd[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), "sh -c 'exit %d'", cases[i].code);
		assert_int_equal(misc_once(cmd, 1, NULL), cases[i].ok);
		assert_int_equal(last_weight, cases[i].weight);
	}
	assert_true(misc_once("sh -c 'exit 12'", 1, NULL));
	assert_string_equal(last_reason, "exit status 12 (weight 10)");
	/* a signal is a failure even when dynamic */
	assert_false(misc_once("sh -c 'kill -KILL $$'", 1, NULL));
	assert_int_equal(last_weight, -1);
}

/* The core's deadline calls cancel: the script and its children die, no
 * check_done comes, and the child is reaped. */
static void test_misc_cancel_kills_group(void **state)
{
	char dir[] = "/tmp/fc-misc-XXXXXX", cmd[512], path[300], buf[32], stat[300];
	struct check_conf k;
	struct check_run run;
	uint64_t end;
	pid_t gc;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pid", dir);
	snprintf(cmd, sizeof(cmd), "sh -c 'sleep 30 & echo $! > %s; sleep 30'", path);
	memset(&k, 0, sizeof(k));
	k.type = CHECK_MISC;
	k.spec = &(struct check_misc_conf){.misc_path = cmd};
	init_run(&run, &k, &check_misc_ops);
	n_done = 0;
	run.ops->start(&run);
	assert_non_null(run.priv);
	/* wait until the grandchild wrote its pid */
	end = loop_clock_ms() + 5000;
	while (access(path, R_OK) && loop_clock_ms() < end)
		spin(20);
	spin(50);
	run.ops->cancel(&run);
	assert_null(run.priv);
	run.ops->cancel(&run); /* harmless when idle */
	end = loop_clock_ms() + 3000;
	while (spawn_pending() && loop_clock_ms() < end)
		spin(10);
	assert_int_equal(spawn_pending(), 0);
	assert_int_equal(n_done, 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	gc = atoi(buf);
	assert_true(gc > 1);
	/* gone, or a zombie waiting for init */
	snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)gc);
	end = loop_clock_ms() + 3000;
	for (;;) {
		char line[512] = "", *p;

		f = fopen(stat, "r");
		if (!f)
			break;
		p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		fclose(f);
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			break;
		assert_true(loop_clock_ms() < end);
		usleep(10000);
	}
	unlink(path);
	rmdir(dir);
}

static void test_misc_user(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	char cmd[64];

	(void)state;
	if (geteuid() != 0 || !pw) {
		skip();
		return;
	}
	/* exit 0 only if the script really runs as nobody */
	snprintf(cmd, sizeof(cmd), "sh -c 'test $(id -u) = %u'", (unsigned)pw->pw_uid);
	assert_true(misc_once(cmd, 0, "nobody"));
	assert_false(misc_once(cmd, 0, NULL));
	assert_false(misc_once("/bin/true", 0, "no-such-user-fulcrum"));
	assert_non_null(strstr(last_reason, "unknown user"));
}

/* ---- FILE_CHECK ---- */

static char fdir[] = "/tmp/fc-file-XXXXXX";
static char fpath[300];

static void put(const char *text)
{
	FILE *f = fopen(fpath, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int file_once(const char *path, int weight, int rs_weight)
{
	struct check_file_conf f = {.track_file = (char *)path, .file_weight = weight};
	struct check_conf k;
	struct check_run run;
	struct real_server rs;

	memset(&k, 0, sizeof(k));
	k.type = CHECK_FILE;
	k.spec = &f;
	init_run(&run, &k, &check_file_ops);
	memset(&rs, 0, sizeof(rs));
	rs.weight = rs_weight;
	run.rs = rs_weight >= 0 ? &rs : NULL;
	n_done = 0;
	last_weight = -1;
	run.ops->start(&run); /* a file read ends the attempt at once */
	assert_int_equal(n_done, 1);
	run.ops->cancel(&run);
	return last_ok;
}

static void test_file_check(void **state)
{
	char want[400];

	(void)state;
	assert_non_null(mkdtemp(fdir));
	snprintf(fpath, sizeof(fpath), "%s/state", fdir);

	/* weight 0: 0 = up, anything else = down; a missing file reads 0 */
	assert_true(file_once(fpath, 0, 1));
	put("0\n");
	assert_true(file_once(fpath, 0, 1));
	snprintf(want, sizeof(want), "%s holds 0", fpath);
	assert_string_equal(last_reason, want);
	put("1\n");
	assert_false(file_once(fpath, 0, 1));
	snprintf(want, sizeof(want), "%s holds 1", fpath);
	assert_string_equal(last_reason, want);
	put("-3");
	assert_false(file_once(fpath, 0, 1));
	put("maintenance\n"); /* not a number: 0, as keepalived reads it */
	assert_true(file_once(fpath, 0, 1));
	put("");
	assert_true(file_once(fpath, 0, 1));
	assert_int_equal(last_weight, -1);

	/* weight W: up, weight = configured + value * W, clamped 0..65535 */
	put("3\n");
	assert_true(file_once(fpath, 5, 1));
	assert_int_equal(last_weight, 16);
	assert_true(file_once(fpath, 5, -1)); /* weight unknown: keepalived's default 1 */
	assert_int_equal(last_weight, 16);
	put("0x10");
	assert_true(file_once(fpath, 1, 1));
	assert_int_equal(last_weight, 17);
	put("1");
	assert_true(file_once(fpath, -10, 3));
	assert_int_equal(last_weight, 0);
	put("1000000");
	assert_true(file_once(fpath, 254, 1));
	assert_int_equal(last_weight, 65535);
	put("-2147483648");
	assert_false(file_once(fpath, 254, 1)); /* keepalived's fault level */

	/* out of range, unreadable, not absolute */
	put("99999999999");
	assert_false(file_once(fpath, 0, 1));
	assert_non_null(strstr(last_reason, "out of range"));
	assert_false(file_once(fdir, 0, 1)); /* a directory: read fails */
	assert_non_null(strstr(last_reason, "cannot read"));
	assert_false(file_once("state", 0, 1));
	assert_non_null(strstr(last_reason, "not an absolute path"));

	/* a FIFO must not block the loop */
	unlink(fpath);
	assert_int_equal(mkfifo(fpath, 0600), 0);
	assert_true(file_once(fpath, 0, 1));

	unlink(fpath);
	rmdir(fdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_misc_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc_dynamic_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc_cancel_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
