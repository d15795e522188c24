/* MYSQL_CHECK's keepalived.conf grammar, read by the real reader: every
 * keyword and its default, the block left out, and what is refused with
 * file:line (a password_file group or others may read, an unknown role or
 * ssl mode, max_lag with role primary, an over-long user).  The check
 * itself runs in test_check_mysql.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check_mysql-t.h"
#include "conf/conf.h"
#include "model/model.h"

#define PWFILE "/tmp/fc-test-check-mysql-conf-pw"

static char msgs[4096];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

/* The config with `block` as the real server's check; NULL if refused
 * (the diagnostics in msgs). */
static struct config *load_check(const char *block)
{
	static char text[2048];
	struct conf_diag diag = {.fn = collect};

	msgs[0] = 0;
	snprintf(text, sizeof(text),
		 "virtual_server 10.0.0.1 3306 {\n"
		 "  real_server 10.0.1.1 3306 {\n"
		 "%s"
		 "  }\n"
		 "}\n",
		 block);
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

static void refused(const char *block, const char *want)
{
	struct config *cfg = load_check(block);

	if (cfg || !strstr(msgs, want))
		fail_msg("wanted an error containing \"%s\", got:\n%s", want, msgs);
}

static void pwfile(const char *content, mode_t mode)
{
	FILE *f = fopen(PWFILE, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(PWFILE, mode), 0);
}

static void test_conf(void **state)
{
	struct config *cfg;
	const struct check_conf *k;
	const struct check_mysql_conf *m;

	pwfile("fr0m-file\n", 0600);
	cfg = load_check("    MYSQL_CHECK {\n"
			 "      connect_port 3307\n"
			 "      user reader\n"
			 "      password_file " PWFILE "\n"
			 "      dbname app\n"
			 "      ssl require\n"
			 "      role slave\n"
			 "      max_lag 10\n"
			 "      connect_timeout 3\n"
			 "    }\n");
	unlink(PWFILE);
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	k = cfg->vs->pool->rs->checks;
	assert_int_equal(k->type, CHECK_MYSQL);
	assert_int_equal(k->connect.port, 3307);
	assert_int_equal(k->connect_timeout_ms, 3000);
	m = k->spec;
	assert_string_equal(m->user, "reader");
	assert_string_equal(m->password, "fr0m-file");
	assert_string_equal(m->dbname, "app");
	assert_int_equal(m->ssl, MY_SSL_REQUIRE);
	assert_int_equal(m->role, MY_ROLE_REPLICA);
	assert_int_equal(m->max_lag, 10);
	config_free(cfg);

	/* the block left out: user fulcrum (NULL), no password, ssl prefer, any role */
	cfg = load_check("    MYSQL_CHECK\n");
	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	m = cfg->vs->pool->rs->checks->spec;
	assert_null(m->user);
	assert_null(m->password);
	assert_null(m->dbname);
	assert_int_equal(m->ssl, MY_SSL_PREFER);
	assert_int_equal(m->role, MY_ROLE_ANY);
	assert_int_equal(m->max_lag, 0);
	config_free(cfg);
}

static void test_refused(void **state)
{
	pwfile("secret\n", 0640);
	refused("    MYSQL_CHECK {\n      password_file " PWFILE "\n    }\n",
		"t.conf:4: password_file '" PWFILE "' has mode 0640");
	unlink(PWFILE);
	refused("    MYSQL_CHECK {\n      password_file " PWFILE "\n    }\n",
		"t.conf:4: password_file '" PWFILE "'");
	refused("    MYSQL_CHECK {\n      role leader\n    }\n",
		"t.conf:4: role: 'leader' is not any, primary or replica");
	refused("    MYSQL_CHECK {\n      ssl maybe\n    }\n",
		"t.conf:4: ssl: 'maybe' is not disable, prefer or require");
	refused("    MYSQL_CHECK {\n      role primary\n      max_lag 5\n    }\n",
		"max_lag with role primary: a primary has no lag");
	refused("    MYSQL_CHECK {\n      user "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
		"    }\n",
		"t.conf:4: user: over 80 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
