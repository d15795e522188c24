/* The checker registry and each checker's own configuration: every
 * checker of CHECK_REGISTRY has its keyword table, new/free/equal (or none
 * of the three), and the same block read twice compares equal while a
 * change of any one keyword of the block (the common ones, the checker's
 * own, those of its url { } / host { } sub-blocks) compares different: a
 * reload keeps a server's health state exactly when its checks did not
 * change.  Configurations are read by the real reader from text. */
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

#include "check/check.h"
#include "check/check_misc-t.h"
#include "check/health.h"
#include "conf/conf.h"
#include "conf/ka.h"
#include "model/model.h"

/* PGSQL_CHECK password_file: relative, in a directory of this run's own
 * (test_equal_sees_every_keyword goes there), so that two runs at once
 * (two checkouts) do not write and unlink each other's files */
#define PGPW "pgpw-"

static char msgs[8192];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

/* The checks of the one real server of `body` put in a virtual_server. */
static struct config *load_checks(const char *body)
{
	struct conf_diag d = {.fn = collect};
	char text[2048];
	struct config *cfg;

	snprintf(text, sizeof(text),
		 "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n%s\n }\n}\n", body);
	msgs[0] = 0;
	cfg = conf_load_string("t.conf", text, strlen(text), &d);
	if (!cfg || !cfg->vs || !cfg->vs->pool->rs || !cfg->vs->pool->rs->checks)
		fail_msg("cannot read:\n%s\n%s", text, msgs);
	return cfg;
}

/* ---- the registry ---- */

static void test_registry(void **state)
{
	const struct kw_block *const *b;
	const struct check_ops *ops;
	const struct kw *k;
	size_t i, n = 0;

	(void)state;
	for (i = 0; (ops = check_ops_at(i)); i++, n++) {
		int has_new = ops->conf_new != NULL;

		assert_non_null(ops->name);
		assert_non_null(ops->start);
		assert_non_null(ops->cancel);
		if (!ops->keywords)
			fail_msg("%s has no keyword table", ops->name);
		if (has_new != (ops->conf_free != NULL) || has_new != (ops->conf_equal != NULL))
			fail_msg("%s: conf_new, conf_free and conf_equal go together", ops->name);
		/* a checker whose table has keywords keeps them in its spec */
		if (ops->keywords[0].name && !has_new)
			fail_msg("%s has keywords but no conf_new", ops->name);
		assert_ptr_equal(check_ops_for(ops->type), ops);
		assert_ptr_equal(check_ops_named(ops->name), ops);
		/* the reader serves it inside real_server */
		for (k = kw_checkers; k->name && strcmp(k->name, ops->name); k++)
			;
		if (!k->name)
			fail_msg("%s is not a keyword of real_server", ops->name);
		if (ops->conf_new) {
			void *spec = ops->conf_new();

			assert_non_null(spec);
			assert_true(ops->conf_equal(spec, spec));
			ops->conf_free(spec);
			ops->conf_free(NULL);
		}
	}
#define ONE(id, word, rule) +1
	assert_int_equal(n, 0 CHECK_REGISTRY(ONE));
#undef ONE
	assert_true(n >= 9);
	/* the block the reader walks has the table ops name */
	for (b = kw_doc_check; *b; b++) {
		ops = check_ops_named((*b)->name);
		if (ops)
			assert_ptr_equal((*b)->kws2, ops->keywords);
	}
	assert_null(check_ops_named("BFD_CHECK"));
	assert_null(check_ops_named("NO_CHECK"));
}

/* ---- equal() against a change of each keyword ---- */

/* Two values of one keyword; base "" = the keyword absent. */
struct sample {
	const char *block; /* "*": every checker block (the common keywords) */
	const char *kw, *base, *changed;
};

static const struct sample samples[] = {
    {"*", "connect_ip", "connect_ip 10.0.1.2", "connect_ip 10.0.1.3"},
    {"*", "connect_port", "connect_port 81", "connect_port 82"},
    {"*", "bindto", "bindto 10.0.0.5", "bindto 10.0.0.6"},
    {"*", "bind_port", "bind_port 1000", "bind_port 1001"},
    {"*", "bind_if", "bind_if eth0", "bind_if eth1"},
    {"*", "connect_timeout", "connect_timeout 3", "connect_timeout 4"},
    {"*", "retry", "retry 2", "retry 3"},
    {"*", "nb_get_retry", "nb_get_retry 2", "nb_get_retry 3"},
    {"*", "delay_before_retry", "delay_before_retry 2", "delay_before_retry 3"},
    {"*", "warmup", "warmup 2", "warmup 3"},
    {"*", "delay_loop", "delay_loop 2", "delay_loop 3"},
    {"*", "rise", "rise 2", "rise 3"},
    {"*", "fall", "fall 2", "fall 3"},
    {"HTTP_GET", "virtualhost", "virtualhost a.example", "virtualhost b.example"},
    {"HTTP_GET", "http_protocol", "http_protocol 1.0", "http_protocol 1.1"},
    {"HTTP_GET", "http_method", "http_method GET", "http_method HEAD"},
    {"SSL_GET", "virtualhost", "virtualhost a.example", "virtualhost b.example"},
    {"SSL_GET", "http_protocol", "http_protocol 1.0C", "http_protocol 1.1"},
    {"SSL_GET", "enable_sni", "enable_sni no", "enable_sni yes"},
    {"SSL_GET", "http_method", "http_method GET", "http_method HEAD"},
    {"url", "path", "path /x", "path /y"},
    {"url", "digest", "digest 640205b7b0fc66c1ea91c463fac6334d",
     "digest 740205b7b0fc66c1ea91c463fac6334d"},
    {"url", "status_code", "status_code 200", "status_code 200-201"},
    {"url", "regex", "regex ok", "regex fine"},
    {"url", "regex_no_match", "regex_no_match no", "regex_no_match yes"},
    {"url", "virtualhost", "virtualhost u1.example", "virtualhost u2.example"},
    {"MISC_CHECK", "misc_path", "misc_path /bin/a", "misc_path /bin/b"},
    {"MISC_CHECK", "misc_timeout", "misc_timeout 2", "misc_timeout 3"},
    {"MISC_CHECK", "misc_dynamic", "misc_dynamic no", "misc_dynamic yes"},
    {"MISC_CHECK", "user", "user nobody", "user daemon"},
    {"SMTP_CHECK", "helo_name", "helo_name a.example", "helo_name b.example"},
    {"host", "connect_ip", "connect_ip 10.0.1.5", "connect_ip 10.0.1.6"},
    {"host", "connect_port", "connect_port 25", "connect_port 587"},
    {"host", "bindto", "bindto 10.0.0.5", "bindto 10.0.0.6"},
    {"host", "bind_port", "bind_port 1000", "bind_port 1001"},
    {"host", "bind_if", "bind_if eth0", "bind_if eth1"},
    {"host", "connect_timeout", "connect_timeout 2", "connect_timeout 3"},
    {"DNS_CHECK", "type", "type A", "type AAAA"},
    {"DNS_CHECK", "name", "name a.example", "name b.example"},
    {"UDP_CHECK", "payload", "payload 0a", "payload 0b"},
    {"UDP_CHECK", "require_reply", "", "require_reply"},
    {"FILE_CHECK", "track_file", "track_file /run/a", "track_file /run/b"},
    {"FILE_CHECK", "weight", "weight 1", "weight 2"},
    {"EXPECT_CHECK", "send", "send \"A\\r\\n\"", "send \"A\\n\""},
    {"EXPECT_CHECK", "expect", "expect \"^\\+OK\"", "expect \"^\\+OK \""},
    {"EXPECT_CHECK", "tls", "tls no", "tls"},
    {"AGENT_CHECK", "send", "send \"a\\n\"", "send \"b\\n\""},
    {"MYSQL_CHECK", "user", "user a", "user b"},
    {"MYSQL_CHECK", "password", "password a", "password b"},
    {"MYSQL_CHECK", "password_file", "password_file " PGPW "a", "password_file " PGPW "b"},
    {"MYSQL_CHECK", "dbname", "dbname a", "dbname b"},
    {"MYSQL_CHECK", "ssl", "ssl disable", "ssl require"},
    {"MYSQL_CHECK", "role", "role any", "role replica"},
    {"MYSQL_CHECK", "max_lag", "max_lag 1", "max_lag 2"},
    {"PGSQL_CHECK", "user", "user a", "user b"},
    {"PGSQL_CHECK", "password", "password a", "password b"},
    {"PGSQL_CHECK", "password_file", "password_file " PGPW "a", "password_file " PGPW "b"},
    {"PGSQL_CHECK", "dbname", "dbname a", "dbname b"},
    {"PGSQL_CHECK", "sslmode", "sslmode disable", "sslmode require"},
    {"PGSQL_CHECK", "role", "role any", "role standby"},
    {"PGSQL_CHECK", "max_lag", "max_lag 1", "max_lag 2"},
    {"PGSQL_CHECK", "max_replay_delay", "max_replay_delay 1", "max_replay_delay 2"},
    {NULL},
};

/* PGSQL_CHECK's password_file is read with the config: two of them. */
static void pgpw(const char *which)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), PGPW "%s", which);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "pw-%s\n", which);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/* How a line of block `name` is put in a real_server: what the block
 * needs besides it.  Others: "NAME {\n%s\n}". */
static const struct {
	const char *block, *fmt;
} frames[] = {
    {"HTTP_GET", "HTTP_GET {\n url {\n path /a\n }\n%s\n}"},
    {"SSL_GET", "SSL_GET {\n url {\n path /a\n }\n%s\n}"},
    {"url", "HTTP_GET {\n url {\n path /a\n%s\n }\n url {\n path /two\n }\n}"},
    {"MISC_CHECK", "MISC_CHECK {\n misc_path /bin/true\n%s\n}"},
    {"host", "SMTP_CHECK {\n host {\n connect_ip 10.0.1.9\n }\n host {\n%s\n }\n}"},
    {"FILE_CHECK", "FILE_CHECK {\n track_file /run/f\n%s\n}"},
    {NULL, NULL},
};

static void frame(char *buf, size_t len, const char *block, const char *line)
{
	unsigned i;

	for (i = 0; frames[i].block; i++)
		if (!strcmp(frames[i].block, block)) {
			snprintf(buf, len, frames[i].fmt, line);
			return;
		}
	snprintf(buf, len, "%s {\n%s\n}", block, line);
}

static const struct sample *sample_of(const char *block, const char *kw, int common)
{
	const struct sample *s;

	for (s = samples; s->block; s++)
		if (!strcmp(s->kw, kw) && !strcmp(s->block, common ? "*" : block))
			return s;
	return NULL;
}

/* Read `block` with the base and the changed line of s: the base twice is
 * equal, base and changed are not (either way round). */
static void check_sample(const char *block, const struct sample *s)
{
	char b1[1024], b2[1024];
	struct config *a, *a2, *c;

	frame(b1, sizeof(b1), block, s->base);
	frame(b2, sizeof(b2), block, s->changed);
	a = load_checks(b1);
	a2 = load_checks(b1);
	c = load_checks(b2);
	if (!check_conf_equal(a->vs->pool->rs->checks, a2->vs->pool->rs->checks))
		fail_msg("%s: the same '%s' twice compares different", block, s->base);
	if (check_conf_equal(a->vs->pool->rs->checks, c->vs->pool->rs->checks) ||
	    check_conf_equal(c->vs->pool->rs->checks, a->vs->pool->rs->checks))
		fail_msg("%s: '%s' and '%s' compare equal: a reload would keep the old check",
			 block, s->base, s->changed);
	config_free(a);
	config_free(a2);
	config_free(c);
}

static void check_table(const char *block, const struct kw *t, int common, unsigned *n)
{
	const struct sample *s;

	for (; t && t->name; t++) {
		if (t->block == KW_NEEDBLOCK)
			continue; /* url, host: their own blocks are walked */
		s = sample_of(block, t->name, common);
		if (!s)
			fail_msg("%s: no sample for keyword '%s' (add one to this test)", block,
				 t->name);
		check_sample(block, s);
		(*n)++;
	}
}

static void test_equal_sees_every_keyword(void **state)
{
	const struct kw_block *const *b;
	unsigned n = 0;

	char dir[] = "/tmp/fc-test-check-conf-XXXXXX", cwd[4096];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	pgpw("a");
	pgpw("b");
	/* every checker block and sub-block the reader knows */
	for (b = kw_doc_check; *b; b++) {
		if (check_ops_named((*b)->name)) {
			check_table((*b)->name, (*b)->kws, 1, &n);
			check_table((*b)->name, (*b)->kws2, 0, &n);
		} else {
			check_table((*b)->name, (*b)->kws, 0, &n);
		}
	}
	assert_true(n >= 9 * 13 + 28);
	unlink(PGPW "a");
	unlink(PGPW "b");
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
}

/* SMTP's host { } blocks become checks of their own; read twice, the list
 * is equal; one host more is a change. */
static void test_smtp_hosts_equal(void **state)
{
	const char *two = "SMTP_CHECK {\n helo_name h\n host {\n connect_ip 10.0.1.5\n }\n"
			  " host {\n connect_ip 10.0.1.6\n bind_if eth0\n }\n}";
	const char *three = "SMTP_CHECK {\n helo_name h\n host {\n connect_ip 10.0.1.5\n }\n"
			    " host {\n connect_ip 10.0.1.6\n bind_if eth0\n }\n"
			    " host {\n connect_ip 10.0.1.7\n }\n}";
	struct config *a = load_checks(two), *a2 = load_checks(two), *c = load_checks(three);

	(void)state;
	assert_non_null(a->vs->pool->rs->checks->next);
	assert_true(check_conf_equal(a->vs->pool->rs->checks, a2->vs->pool->rs->checks));
	assert_false(check_conf_equal(a->vs->pool->rs->checks, c->vs->pool->rs->checks));
	config_free(a);
	config_free(a2);
	config_free(c);
}

/* MISC_CHECK's deadline is its script's (misc_timeout, else the interval),
 * through its op; the other checkers keep connect_timeout (no op). */
static void test_misc_deadline(void **state)
{
	struct check_misc_conf m = {.misc_path = "/bin/true"};
	struct check_conf k = {.type = CHECK_MISC, .spec = &m};
	const struct check_ops *ops = check_ops_for(CHECK_MISC);
	const char *user = "x", *what = NULL;
	size_t i;

	(void)state;
	assert_non_null(ops->attempt_timeout_ms);
	assert_int_equal(ops->attempt_timeout_ms(&k, 7000), 7000);
	m.misc_timeout_ms = 1500;
	assert_int_equal(ops->attempt_timeout_ms(&k, 7000), 1500);
	assert_string_equal(ops->script(&k, &user, &what), "/bin/true");
	assert_null(user);
	assert_string_equal(what, "MISC_CHECK misc_path");
	for (i = 0; check_ops_at(i); i++)
		if (check_ops_at(i) != ops) {
			assert_null(check_ops_at(i)->attempt_timeout_ms);
			assert_null(check_ops_at(i)->script);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_equal_sees_every_keyword),
	    cmocka_unit_test(test_smtp_hosts_equal),
	    cmocka_unit_test(test_misc_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
