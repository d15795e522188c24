/* enable_script_security: the path check (core/script_sec.c) on real files
 * and directories, and what the configuration reader does with it
 * (conf/script_check.c).  Runs as root, as the daemon does. */
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

#include "conf/conf.h"
#include "core/script_sec.h"
#include "model/model.h"

static char top[64]; /* a private directory under /tmp (root, 0700) */
static char msgs[8192];
static struct conf_diag diag;

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static char *at(const char *rel)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static void mkscript(const char *rel, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static void mkdir_mode(const char *rel, mode_t mode)
{
	assert_int_equal(mkdir(at(rel), 0755), 0);
	assert_int_equal(chmod(at(rel), mode), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/fc-scriptsec-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	return chmod(top, 0755);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static enum script_sec check(const char *cmdline, uid_t uid, gid_t gid, char *why)
{
	return script_sec_check(cmdline, uid, gid, NULL, why, 256);
}

static void test_modes(void **state)
{
	char why[256], line[300];

	(void)state;
	mkscript("ok.sh", 0755);
	snprintf(line, sizeof(line), "%s arg 'two words'", at("ok.sh"));
	assert_int_equal(check(line, 0, 0, why), SCRIPT_SAFE);

	mkscript("ww.sh", 0757);
	assert_int_equal(check(at("ww.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "ww.sh is writable by everyone"));

	/* group-writable: unsafe with another group than root's or the user's */
	mkscript("gw.sh", 0775);
	assert_int_equal(chown(at("gw.sh"), 0, 100), 0);
	assert_int_equal(check(at("gw.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "writable by group 100"));
	assert_int_equal(check(at("gw.sh"), 65534, 100, why), SCRIPT_SAFE);
	assert_int_equal(chown(at("gw.sh"), 0, 0), 0);
	assert_int_equal(check(at("gw.sh"), 0, 0, why), SCRIPT_SAFE);

	/* owned by another user: only that user may run it */
	mkscript("own.sh", 0755);
	assert_int_equal(chown(at("own.sh"), 1234, 0), 0);
	assert_int_equal(check(at("own.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "owned by uid 1234"));
	assert_int_equal(check(at("own.sh"), 1234, 1234, why), SCRIPT_SAFE);
}

static void test_directories(void **state)
{
	char why[256];

	(void)state;
	mkdir_mode("open", 0777);
	mkscript("open/s.sh", 0755);
	assert_int_equal(check(at("open/s.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "/open is writable by everyone"));

	/* sticky, as /tmp: others cannot replace a file they do not own */
	mkdir_mode("sticky", 01777);
	mkscript("sticky/s.sh", 0755);
	assert_int_equal(check(at("sticky/s.sh"), 0, 0, why), SCRIPT_SAFE);

	mkdir_mode("theirs", 0755);
	mkscript("theirs/s.sh", 0755);
	assert_int_equal(chown(at("theirs"), 1234, 0), 0);
	assert_int_equal(check(at("theirs/s.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "theirs is owned by uid 1234"));
}

static void test_symlinks_and_path(void **state)
{
	char why[256], *old;

	(void)state;
	/* a link in a safe place to a script in an open one */
	mkdir_mode("safe", 0755);
	mkdir_mode("pub", 0777);
	mkscript("pub/t.sh", 0755);
	assert_int_equal(symlink(at("pub/t.sh"), at("safe/link.sh")), 0);
	assert_int_equal(check(at("safe/link.sh"), 0, 0, why), SCRIPT_UNSAFE);
	assert_non_null(strstr(why, "/pub is writable by everyone"));
	/* a directory reached through a symlink: the real one is checked */
	assert_int_equal(symlink(at("pub"), at("safe/dirlink")), 0);
	assert_int_equal(check(at("safe/dirlink/t.sh"), 0, 0, why), SCRIPT_UNSAFE);

	/* a bare name is looked up in PATH, as execvp does */
	mkdir_mode("bin", 0755);
	mkscript("bin/fc-probe-ww", 0777);
	old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", at("bin"), 1);
	assert_int_equal(check("fc-probe-ww --flag", 0, 0, why), SCRIPT_UNSAFE);
	assert_int_equal(check("fc-no-such-program", 0, 0, why), SCRIPT_NOTFOUND);
	if (old)
		setenv("PATH", old, 1);
	free(old);

	assert_int_equal(check(at("missing/x.sh"), 0, 0, why), SCRIPT_NOTFOUND);
	assert_int_equal(check("'unbalanced", 0, 0, why), SCRIPT_BAD);
}

static struct config *load(const char *global, const char *script)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "global_defs {\n%s}\n"
		 "virtual_server 127.0.0.1 80 {\n"
		 "  real_server 127.0.0.2 80 {\n"
		 "    MISC_CHECK {\n"
		 "      misc_path \"%s\"\n"
		 "    }\n"
		 "  }\n"
		 "}\n",
		 global, script);
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

static void test_config(void **state)
{
	struct config *cfg;
	char want[512];

	(void)state;
	mkscript("c-ww.sh", 0777);
	mkscript("c-ok.sh", 0755);

	/* enable_script_security: refused at the MISC_CHECK line */
	cfg = load("  enable_script_security\n  script_user nobody\n", at("c-ww.sh"));
	assert_null(cfg);
	snprintf(want, sizeof(want),
		 "E t.conf:7: MISC_CHECK misc_path '%s' refused by enable_script_security: %s is "
		 "writable by everyone",
		 at("c-ww.sh"), at("c-ww.sh"));
	if (!strstr(msgs, want))
		fail_msg("wanted \"%s\", got:\n%s", want, msgs);

	/* without it: a warning, and the script runs (keepalived's way) */
	cfg = load("", at("c-ww.sh"));
	assert_non_null(cfg);
	assert_int_equal(diag.errors, 0);
	assert_non_null(strstr(msgs, "(enable_script_security would refuse it)"));
	config_free(cfg);

	cfg = load("  enable_script_security\n  script_user nobody\n", at("c-ok.sh"));
	assert_non_null(cfg);
	assert_int_equal(cfg->global.script_security, 1);
	assert_string_equal(cfg->global.script_user, "nobody");
	assert_int_equal(diag.warnings, 0);
	config_free(cfg);

	/* no script_user: keepalived_script, else nobody with a warning */
	cfg = load("  enable_script_security\n", at("c-ok.sh"));
	assert_non_null(cfg);
	assert_non_null(cfg->global.script_user);
	if (strcmp(cfg->global.script_user, "keepalived_script"))
		assert_non_null(strstr(msgs, "scripts run as 'nobody'"));
	config_free(cfg);

	/* a script that cannot be checked is refused too */
	cfg = load("  enable_script_security\n", at("nowhere.sh"));
	assert_null(cfg);
	assert_non_null(strstr(msgs, "cannot be checked for enable_script_security"));

	cfg = load("  script_user no-such-user-fc\n", at("c-ok.sh"));
	assert_null(cfg);
	assert_non_null(strstr(msgs, "E t.conf:2: script_user: unknown user 'no-such-user-fc'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_symlinks_and_path),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
