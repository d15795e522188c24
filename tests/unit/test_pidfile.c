/* The pid file and the directory trust rules behind it (issue 16): real
 * files in a private temporary directory, real locks.  A symbolic link is
 * never followed, a stale pid never blocks a start, a live lock always
 * does, and only our own file is ever removed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/dirtrust.h"
#include "core/err.h"
#include "daemon/pidfile.h"

#define OTHER_UID 65534 /* nobody: a user that is neither root nor us */

struct tdir {
	char dir[64];
	char path[128]; /* dir/fulcrum.pid */
};

static int setup(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/fulcrum-pid-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/fulcrum.pid", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdir *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void assert_contains(const char *s, const char *sub)
{
	if (!strstr(s, sub))
		fail_msg("'%s' does not contain '%s'", s, sub);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char *read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static const char *my_pid(char *buf, size_t len)
{
	snprintf(buf, len, "%ld\n", (long)getpid());
	return buf;
}

static void test_write_lock_remove(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT, b = PIDFILE_INIT;
	char err[ERRLEN], buf[64], pid[32];
	struct stat st;

	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), 0);
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), my_pid(pid, sizeof(pid)));
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* a second daemon (another open file description: flock conflicts
	 * even inside one process) is refused and writes nothing */
	assert_int_equal(pidfile_open(&b, t->path, err, sizeof(err)), -1);
	assert_contains(err, "fulcrum is already running (pid ");
	assert_int_equal(b.fd, -1);
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), pid);
	pidfile_close(&a);
	assert_int_equal(lstat(t->path, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* closing twice, or what was never opened, is harmless */
	pidfile_close(&a);
	pidfile_close(&b);
}

/* A file left by a daemon that died names a pid that may be anyone's now:
 * pid 1 always lives.  Only the lock counts; a longer stale content is
 * truncated, not left as a tail. */
static void test_stale_pid_overwritten(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT;
	char err[ERRLEN], buf[64], pid[32];

	write_file(t->path, "1\n");
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), 0);
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), my_pid(pid, sizeof(pid)));
	pidfile_close(&a);

	write_file(t->path, "123456789012345678901234567890\n");
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), 0);
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), pid);
	pidfile_close(&a);
}

/* A link to a file the daemon must not touch: refused, the target keeps
 * its content, the link stays (we remove nothing we did not create). */
static void test_symlink_refused(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT;
	char err[ERRLEN], buf[64], target[160];
	struct stat st;

	snprintf(target, sizeof(target), "%s/shadow", t->dir);
	write_file(target, "root:secret\n");
	assert_int_equal(symlink(target, t->path), 0);
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), -1);
	assert_contains(err, "is a symbolic link: refusing to follow it");
	assert_string_equal(read_file(target, buf, sizeof(buf)), "root:secret\n");
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* a dangling link is not created through either */
	unlink(target);
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), -1);
	assert_int_equal(lstat(target, &st), -1);
}

static void test_hardlink_and_foreign_file_refused(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT;
	char err[ERRLEN], buf[64], other[160];

	snprintf(other, sizeof(other), "%s/other", t->dir);
	write_file(other, "keep\n");
	assert_int_equal(link(other, t->path), 0);
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), -1);
	assert_contains(err, "has 2 hard links");
	assert_string_equal(read_file(other, buf, sizeof(buf)), "keep\n");
	unlink(t->path);
	unlink(other);

	if (geteuid() != 0)
		return; /* chown needs root */
	write_file(t->path, "1\n");
	assert_int_equal(chown(t->path, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), -1);
	assert_contains(err, "is owned by uid 65534: refusing it");
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), "1\n");
}

/* Directories: writable by others only with the sticky bit (like /tmp),
 * and never owned by another user. */
static void test_directory_rules(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT;
	char err[ERRLEN], sub[128], p[160], link[128];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/run", t->dir);
	snprintf(p, sizeof(p), "%s/fulcrum.pid", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(pidfile_open(&a, p, err, sizeof(err)), -1);
	assert_contains(err, "is writable by others (mode 0777) without the sticky bit");
	assert_int_equal(lstat(p, &st), -1); /* nothing created */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(pidfile_open(&a, p, err, sizeof(err)), 0);
	pidfile_close(&a);
	/* the control socket's rule is stricter: no sticky exception */
	assert_int_equal(dirtrust_check(sub, DIRTRUST_PRIVATE, err, sizeof(err)), -1);
	assert_contains(err, "is writable by others (mode 1777)");
	assert_int_equal(chmod(sub, 0700), 0);
	assert_int_equal(dirtrust_check(sub, DIRTRUST_PRIVATE, err, sizeof(err)), 0);
	/* a group-writable directory above it taints it */
	assert_int_equal(chmod(t->dir, 0770), 0);
	assert_int_equal(dirtrust_check(sub, DIRTRUST_PRIVATE, err, sizeof(err)), -1);
	assert_contains(err, "is writable by its group (mode 0770) without the sticky bit");
	assert_int_equal(chmod(t->dir, 0700), 0);

	if (geteuid() != 0)
		return;
	assert_int_equal(chown(sub, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(pidfile_open(&a, p, err, sizeof(err)), -1);
	assert_contains(err, "is owned by uid 65534, not root");
	assert_int_equal(dirtrust_check(sub, DIRTRUST_PRIVATE, err, sizeof(err)), -1);
	/* reached through a link another user owns: that user can re-point it */
	assert_int_equal(chown(sub, 0, 0), 0);
	snprintf(link, sizeof(link), "%s/link", t->dir);
	assert_int_equal(symlink(sub, link), 0);
	assert_int_equal(dirtrust_check(link, DIRTRUST_PRIVATE, err, sizeof(err)), 0);
	assert_int_equal(lchown(link, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(dirtrust_check(link, DIRTRUST_PRIVATE, err, sizeof(err)), -1);
	assert_contains(err, "link is owned by uid 65534");
}

/* The name replaced by another file while we hold the lock: we do not
 * remove the newcomer on the way out. */
static void test_close_removes_only_ours(void **state)
{
	struct tdir *t = *state;
	struct pidfile a = PIDFILE_INIT;
	char err[ERRLEN], buf[64], moved[160];

	snprintf(moved, sizeof(moved), "%s/moved", t->dir);
	assert_int_equal(pidfile_open(&a, t->path, err, sizeof(err)), 0);
	assert_int_equal(rename(t->path, moved), 0);
	write_file(t->path, "999\n");
	pidfile_close(&a);
	assert_string_equal(read_file(t->path, buf, sizeof(buf)), "999\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_lock_remove, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_pid_overwritten, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hardlink_and_foreign_file_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_directory_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_removes_only_ours, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
