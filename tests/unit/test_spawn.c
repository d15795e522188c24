/* The script runner: real processes on a real loop.  Exit codes, output tail,
 * a chatty script that must not block, timeouts that kill the whole process
 * group (grandchildren included), cancel, exec failure, user switching, a
 * clean signal state in the child, many at once, and nothing left behind.
 *
 * What a test leaves behind when it fails half-way -- its temp dir, the
 * sleeping scripts it started, a descriptor, SIGPIPE ignored -- is undone
 * by teardown(), so a failure does not spill into the tests after it. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/spawn.h"

struct got {
	int called;
	int exited, exit_code, signo, timed_out;
	char out[SPAWN_TAIL + 1];
	uint64_t at_ms;
};

static struct loop *L;

/* A test's leftovers, undone by teardown() (see the file comment). */
static struct {
	char dir[32];	   /* "" or the test's mkdtemp() dir */
	char pidfile[300]; /* "" or a file of pids of `sleep` scripts to kill */
	pid_t pid;	   /* 0 or a `sleep` to kill */
	int fd;		   /* -1 or a descriptor to close */
} left;
static int stop_when_done; /* stop the loop once this many callbacks came */
static int n_done;

static void on_result(struct spawn_result *r, void *data)
{
	struct got *g = data;

	g->called++;
	g->exited = r->exited;
	g->exit_code = r->exit_code;
	g->signo = r->signo;
	g->timed_out = r->timed_out;
	snprintf(g->out, sizeof(g->out), "%s", r->output);
	g->at_ms = loop_clock_ms();
	if (++n_done >= stop_when_done)
		loop_stop(L);
}

static void on_guard(struct loop *l, struct ev_timer *t)
{
	(void)t;
	loop_stop(l);
}

/* Run the loop until `want` callbacks or `max_ms`. */
static void run_until(int want, unsigned max_ms)
{
	struct ev_timer guard;

	n_done = 0;
	stop_when_done = want;
	loop_timer_init(&guard, on_guard, NULL);
	loop_timer_start(L, &guard, max_ms);
	loop_run(L);
	loop_timer_stop(L, &guard);
}

/* Spin the loop until no spawned process is left unreaped (bounded). */
static void drain_pending(unsigned max_ms)
{
	uint64_t end = loop_clock_ms() + max_ms;

	while (spawn_pending() && loop_clock_ms() < end) {
		struct ev_timer tick;

		loop_timer_init(&tick, on_guard, NULL);
		loop_timer_start(L, &tick, 10);
		loop_run(L);
		loop_timer_stop(L, &tick);
	}
}

/* A temp dir for this test, removed by teardown(): its path. */
static const char *test_dir(void)
{
	snprintf(left.dir, sizeof(left.dir), "/tmp/fc-spawn-XXXXXX");
	assert_non_null(mkdtemp(left.dir));
	return left.dir;
}

/* SIGKILL pid if it still runs `sleep` (anything else has the pid by now). */
static void kill_sleep(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	if (!strcmp(comm, "sleep\n") || !strcmp(comm, "sh\n"))
		kill(pid, SIGKILL);
}

static int setup(void **state)
{
	(void)state;
	memset(&left, 0, sizeof(left));
	left.fd = -1;
	L = loop_new();
	return L ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];
	FILE *f;
	int pid;

	(void)state;
	if (left.pidfile[0] && (f = fopen(left.pidfile, "r"))) {
		while (fscanf(f, "%d", &pid) == 1)
			kill_sleep(pid);
		fclose(f);
	}
	kill_sleep(left.pid);
	if (left.fd >= 0)
		close(left.fd);
	signal(SIGPIPE, SIG_DFL);
	drain_pending(3000);
	if (left.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", left.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", left.dir);
	}
	loop_free(L);
	L = NULL;
	assert_int_equal(spawn_pending(), 0);
	return 0;
}

static void run_one(const char *cmd, const char *user, unsigned timeout_ms, struct got *g,
		    unsigned max_ms)
{
	char err[ERRLEN] = "";
	struct spawn *sp;

	memset(g, 0, sizeof(*g));
	sp = spawn_start(L, cmd, user, timeout_ms, on_result, g, err, sizeof(err));
	if (!sp)
		fail_msg("spawn_start(%s): %s", cmd, err);
	run_until(1, max_ms);
	assert_int_equal(g->called, 1);
}

static void test_true_false_codes(void **state)
{
	struct got g;

	(void)state;
	run_one("/bin/true", NULL, 0, &g, 5000);
	assert_true(g.exited);
	assert_int_equal(g.exit_code, 0);
	assert_false(g.timed_out);
	run_one("/bin/false", NULL, 0, &g, 5000);
	assert_true(g.exited);
	assert_int_equal(g.exit_code, 1);
	run_one("sh -c 'exit 42'", NULL, 0, &g, 5000);
	assert_int_equal(g.exit_code, 42);
	run_one("sh -c \"exit 255\"", NULL, 0, &g, 5000);
	assert_int_equal(g.exit_code, 255);
	/* PATH lookup, arguments reach the program */
	run_one("printf %s-%s 'a b' c", NULL, 0, &g, 5000);
	assert_string_equal(g.out, "a b-c");
	assert_int_equal(spawn_pending(), 0);
}

static void test_output_both_streams(void **state)
{
	struct got g;

	(void)state;
	run_one("sh -c 'echo to-out; echo to-err >&2; exit 3'", NULL, 0, &g, 5000);
	assert_int_equal(g.exit_code, 3);
	assert_non_null(strstr(g.out, "to-out\n"));
	assert_non_null(strstr(g.out, "to-err\n"));
}

/* A script that prints 1 MiB: it must run to the end (the pipe is drained
 * while it runs) and only the tail is kept. */
static void test_chatty_script_tail(void **state)
{
	struct got g;
	uint64_t t0 = loop_clock_ms();

	(void)state;
	run_one("sh -c 'head -c 1048576 /dev/zero | tr \"\\\\000\" a; echo END'", NULL, 0, &g,
		10000);
	assert_true(g.exited);
	assert_int_equal(g.exit_code, 0);
	assert_int_equal(strlen(g.out), SPAWN_TAIL);
	assert_string_equal(g.out + SPAWN_TAIL - 4, "END\n");
	assert_int_equal(g.out[0], 'a');
	assert_true(g.at_ms - t0 < 10000);
}

/* spawn_keep_output: the whole output up to its max, NUL-terminated, and
 * whether more came (src/cluster/ reads crm_mon's XML this way). */
struct kept {
	int called, truncated;
	size_t len;
	char head[8], tail[8];
};

static void on_kept(struct spawn_result *r, void *data)
{
	struct kept *k = data;

	k->called++;
	k->truncated = r->all_truncated;
	k->len = r->all ? r->all_len : (size_t)-1;
	if (r->all && r->all_len >= 4) {
		assert_int_equal(strlen(r->all), r->all_len);
		memcpy(k->head, r->all, 4);
		memcpy(k->tail, r->all + r->all_len - 4, 4);
	}
	if (++n_done >= stop_when_done)
		loop_stop(L);
}

static void keep_run(const char *cmd, size_t max, struct kept *k)
{
	char err[ERRLEN] = "";
	struct spawn *sp;

	memset(k, 0, sizeof(*k));
	sp = spawn_start(L, cmd, NULL, 0, on_kept, k, err, sizeof(err));
	if (!sp)
		fail_msg("spawn_start(%s): %s", cmd, err);
	assert_int_equal(spawn_keep_output(sp, max), 0);
	run_until(1, 10000);
	assert_int_equal(k->called, 1);
}

static void test_keep_output(void **state)
{
	struct kept k;

	(void)state;
	/* 300 KiB of 'a' between BEG and END: all of it, far past SPAWN_TAIL */
	keep_run("sh -c 'printf BEG; head -c 307200 /dev/zero | tr \"\\\\000\" a; printf END'",
		 1 << 20, &k);
	assert_false(k.truncated);
	assert_int_equal(k.len, 307206);
	assert_memory_equal(k.head, "BEGa", 4);
	assert_memory_equal(k.tail, "aEND", 4);
	/* over the max: the first max bytes, and said so */
	keep_run("sh -c 'printf BEG; head -c 307200 /dev/zero | tr \"\\\\000\" a; printf END'",
		 1000, &k);
	assert_true(k.truncated);
	assert_int_equal(k.len, 1000);
	assert_memory_equal(k.head, "BEGa", 4);
	assert_memory_equal(k.tail, "aaaa", 4);
	/* nothing printed: an empty string, not NULL */
	keep_run("/bin/true", 100, &k);
	assert_int_equal(k.len, 0);
	assert_false(k.truncated);
}

/* Is the process gone (or a zombie waiting for its reaper)? */
static int proc_dead(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

static int wait_dead(pid_t pid, unsigned max_ms)
{
	uint64_t end = loop_clock_ms() + max_ms;

	while (!proc_dead(pid)) {
		if (loop_clock_ms() > end)
			return 0;
		usleep(10000);
	}
	return 1;
}

/* A script that sleeps past its timeout after starting a grandchild that
 * also sleeps: both die at the timeout (the group is killed). */
static void test_timeout_kills_group(void **state)
{
	char cmd[512], *path = left.pidfile, buf[64];
	struct got g;
	pid_t gc = 0, leader = 0;
	uint64_t t0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(left.pidfile), "%s/pids", test_dir());
	snprintf(cmd, sizeof(cmd), "sh -c 'sleep 30 & echo $! $$ > %s; sleep 30'", path);
	t0 = loop_clock_ms();
	run_one(cmd, NULL, 400, &g, 10000);
	assert_true(g.timed_out);
	assert_false(g.exited);
	assert_int_equal(g.signo, SIGKILL);
	assert_true(g.at_ms - t0 >= 400);
	assert_true(g.at_ms - t0 < 3000);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(sscanf(buf, "%d %d", &gc, &leader), 2);
	assert_true(gc > 1 && leader > 1);
	assert_true(wait_dead(gc, 3000));   /* the grandchild too */
	assert_true(wait_dead(leader, 100)); /* reaped by us */
}

static struct spawn *to_cancel;
static void on_cancel_timer(struct loop *l, struct ev_timer *t)
{
	(void)t;
	spawn_cancel(to_cancel);
	to_cancel = NULL;
	loop_stop(l);
}

/* spawn_cancel kills the group, calls nothing, and the child is reaped. */
static void test_cancel(void **state)
{
	char cmd[512], *path = left.pidfile, buf[64];
	char err[ERRLEN];
	struct ev_timer t;
	struct got g;
	pid_t gc = 0;
	FILE *f;

	(void)state;
	memset(&g, 0, sizeof(g));
	snprintf(path, sizeof(left.pidfile), "%s/pid", test_dir());
	snprintf(cmd, sizeof(cmd), "sh -c 'sleep 30 & echo $! > %s; sleep 30'", path);
	to_cancel = spawn_start(L, cmd, NULL, 0, on_result, &g, err, sizeof(err));
	assert_non_null(to_cancel);
	assert_int_equal(spawn_pending(), 1);
	loop_timer_init(&t, on_cancel_timer, NULL);
	loop_timer_start(L, &t, 300);
	loop_run(L);
	drain_pending(3000);
	assert_int_equal(spawn_pending(), 0);
	assert_int_equal(g.called, 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	gc = atoi(buf);
	assert_true(gc > 1);
	assert_true(wait_dead(gc, 3000));
	/* cancel of a finished-but-unreaped-output spawn and of NULL: harmless */
	spawn_cancel(NULL);
}

/* The leader exits but a grandchild keeps the pipe open: the result comes
 * after a short grace, not when the grandchild ends. */
static void test_grandchild_holds_pipe(void **state)
{
	struct got g;
	uint64_t t0 = loop_clock_ms();
	pid_t gc;

	(void)state;
	run_one("sh -c 'sleep 20 & echo $!; exit 5'", NULL, 0, &g, 10000);
	/* a normal exit leaves background jobs alone: teardown kills it */
	left.pid = gc = atoi(g.out);
	assert_true(g.exited);
	assert_int_equal(g.exit_code, 5);
	assert_true(g.at_ms - t0 < 3000);
	assert_true(gc > 1);
}

static void test_exec_failure_127(void **state)
{
	struct got g;

	(void)state;
	run_one("/nonexistent/fulcrum-script arg", NULL, 0, &g, 5000);
	assert_true(g.exited);
	assert_int_equal(g.exit_code, 127);
	assert_non_null(strstr(g.out, "/nonexistent/fulcrum-script"));
	run_one("no-such-program-in-path-fulcrum", NULL, 0, &g, 5000);
	assert_int_equal(g.exit_code, 127);
}

static void test_start_errors(void **state)
{
	char err[ERRLEN] = "";
	struct got g;

	(void)state;
	assert_null(spawn_start(L, "", NULL, 0, on_result, &g, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	assert_null(spawn_start(L, "echo 'unbalanced", NULL, 0, on_result, &g, err, sizeof(err)));
	assert_non_null(strstr(err, "missing closing"));
	assert_null(spawn_start(L, "/bin/true", "no-such-user-fulcrum", 0, on_result, &g, err,
				sizeof(err)));
	assert_non_null(strstr(err, "unknown user"));
	assert_int_equal(spawn_pending(), 0);
}

static void test_user_nobody(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	char want[32];
	struct got g;

	(void)state;
	if (geteuid() != 0 || !pw) {
		skip();
		return;
	}
	snprintf(want, sizeof(want), "%u %u\n", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	run_one("sh -c 'echo $(id -u) $(id -g)'", "nobody", 0, &g, 5000);
	assert_int_equal(g.exit_code, 0);
	assert_string_equal(g.out, want);
	/* and as ourselves when no user is given */
	run_one("id -u", NULL, 0, &g, 5000);
	assert_int_equal(atoi(g.out), (int)geteuid());
}

static void on_sig(struct loop *l, int signo)
{
	(void)l;
	(void)signo;
}

/* The daemon blocks signals (signalfd) and ignores SIGPIPE; the script must
 * start with an empty mask and default dispositions, and must not inherit
 * the daemon's other descriptors. */
static void test_child_clean_state(void **state)
{
	struct got g;
	int fd;

	(void)state;
	assert_int_equal(loop_signal(L, SIGUSR2, on_sig), 0);
	signal(SIGPIPE, SIG_IGN);
	run_one("grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL, 0, &g, 5000);
	{
		/* What the daemon changes must not reach the script: its
		 * signalfd mask and its SIGPIPE ignore.  (Other ignores could
		 * only come from fulcrum's own parent; spawn resets those too,
		 * but that is not what this asserts.) */
		const char *ign = strstr(g.out, "SigIgn:\t");
		unsigned long long mask = 0;

		if (!strstr(g.out, "SigBlk:\t0000000000000000") || !ign ||
		    sscanf(ign, "SigIgn:\t%llx", &mask) != 1 ||
		    (mask & (1ULL << (SIGPIPE - 1))) || (mask & (1ULL << (SIGUSR2 - 1))))
			fail_msg("child signal state not clean:\n%s", g.out);
	}

	fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 200), 200);
	close(fd);
	left.fd = 200;
	run_one("ls /proc/self/fd", NULL, 0, &g, 5000);
	assert_null(strstr(g.out, "200"));
}

/* Many at once, each with its own exit code. */
#define MANY 64
static void test_many_concurrent(void **state)
{
	static struct got gs[MANY];
	char cmd[64], err[ERRLEN];
	int i;

	(void)state;
	memset(gs, 0, sizeof(gs));
	for (i = 0; i < MANY; i++) {
		snprintf(cmd, sizeof(cmd), "sh -c 'sleep 0.%d; exit %d'", i % 3, i);
		assert_non_null(spawn_start(L, cmd, NULL, 0, on_result, &gs[i], err, sizeof(err)));
	}
	assert_int_equal(spawn_pending(), MANY);
	run_until(MANY, 20000);
	for (i = 0; i < MANY; i++) {
		assert_int_equal(gs[i].called, 1);
		assert_true(gs[i].exited);
		assert_int_equal(gs[i].exit_code, i);
	}
	assert_int_equal(spawn_pending(), 0);
}

/* ---- spawn_split ---- */

static void expect_split(const char *line, const char *const *want)
{
	char err[ERRLEN] = "", **argv = NULL;
	int i;

	if (spawn_split(line, &argv, err, sizeof(err)) < 0)
		fail_msg("split(%s): %s", line, err);
	for (i = 0; want[i]; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	spawn_argv_free(argv);
}

static void expect_split_error(const char *line, const char *msg)
{
	char err[ERRLEN] = "", **argv = (char **)1;

	assert_int_equal(spawn_split(line, &argv, err, sizeof(err)), -1);
	assert_null(argv);
	assert_non_null(strstr(err, msg));
}

static void test_split(void **state)
{
	(void)state;
	expect_split("/bin/check", (const char *const[]){"/bin/check", NULL});
	expect_split("  a   b\tc  ", (const char *const[]){"a", "b", "c", NULL});
	expect_split("a \"b c\" d", (const char *const[]){"a", "b c", "d", NULL});
	expect_split("a 'b c' d", (const char *const[]){"a", "b c", "d", NULL});
	/* quotes glue to the text around them */
	expect_split("x\"y z\"w", (const char *const[]){"xy zw", NULL});
	expect_split("'it''s'", (const char *const[]){"its", NULL});
	/* the other quote is literal inside a quote */
	expect_split("\"it's\" 'say \"hi\"'", (const char *const[]){"it's", "say \"hi\"", NULL});
	/* empty quoted word */
	expect_split("a \"\" b", (const char *const[]){"a", "", "b", NULL});
	/* backslash: outside and inside quotes (keepalived's rule) */
	expect_split("a\\ b", (const char *const[]){"a b", NULL});
	expect_split("\"a\\\"b\"", (const char *const[]){"a\"b", NULL});
	expect_split("'a\\'b'", (const char *const[]){"a'b", NULL});
	expect_split("\\\\", (const char *const[]){"\\", NULL});
	expect_split("a\\tb \\x41\\102 \\cA", (const char *const[]){"a\tb", "AB", "\001", NULL});
	expect_split("\\n\\E", (const char *const[]){"\n\033", NULL});
	/* errors */
	expect_split_error("", "empty");
	expect_split_error("   \t ", "empty");
	expect_split_error(NULL, "empty");
	expect_split_error("a \"b", "missing closing \"");
	expect_split_error("a 'b", "missing closing '");
	expect_split_error("a\\", "backslash at the end");
	expect_split_error("a\\x00", "NUL");
	expect_split_error("a\\0", "NUL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test_setup_teardown(test_true_false_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_both_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chatty_script_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grandchild_holds_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure_127, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_clean_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_concurrent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
