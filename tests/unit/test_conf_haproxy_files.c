/* The haproxy.cfg reader on files others wrote: seed 003's three
 * haproxy.cfg files as the guide wrote them, and the haproxy.cfg blocks of
 * HAProxy's own regression tests (../shared/vtc), read with their macros
 * replaced as varnishtest would (split from test_conf_haproxy.c, which
 * covers the language and the keywords). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "check/check_mysql-t.h"
#include "check/check_pgsql-t.h"
#include "conf/conf.h"
#include "conf/reader.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define SPEC(k, name) ((struct check_##name##_conf *)(k)->spec)

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"
#include "haproxy_model.h"

/* ---- real files ---- */

static struct config *load_path(const char *path)
{
	diag_reset();
	return conf_load_file(path, &diag);
}

/* Seed 003's round-robin file, verbatim: read, served as the guide means. */
static void test_seed003_roundrobin(void **state)
{
	struct config *cfg = load_path("tests/data/seed003/haproxy-roundrobin.cfg");
	struct http_proxy *main_fe, *app;

	if (!cfg)
		fail_msg("refused:\n%s", msgs);
	assert_int_equal(diag.warnings, 0);
	main_fe = px(cfg, "main");
	app = px(cfg, "app");
	assert_int_equal(cfg->n_vs, 1);
	assert_string_equal(fmt(&cfg->vs->addr), "0.0.0.0:80");
	assert_ptr_equal(cfg->vs->pool, app->pool);
	assert_int_equal(main_fe->mode, HP_MODE_HTTP);
	assert_int_equal(main_fe->maxconn, 3000);
	assert_int_equal(main_fe->conn_mode, HP_CONN_SCL);
	assert_true(main_fe->options & HP_OPT_HTTPLOG);
	assert_true(main_fe->fwdfor.has_except);
	assert_int_equal(app->t_check, 10000);
	assert_int_equal(app->retries, 3);
	assert_int_equal(app->pool->n_rs, 2);
	assert_int_equal(srv(cfg, "app", "app1")->checks->type, CHECK_TCP);
	assert_string_equal(fmt(&srv(cfg, "app", "app2")->addr), "172.25.5.3:80");
	assert_string_equal(cfg->global.run_as_user, "haproxy");
	assert_string_equal(cfg->global.chroot_dir, "/var/lib/haproxy");
	assert_string_equal(cfg->hp_global->stats_sockets[0], "/var/lib/haproxy/stats");
	assert_int_equal(cfg->hp_global->logs->facility, 18);
	config_free(cfg);
}

/* The other two route with acl/use_backend (the rules module's) and add
 * `listen stats`. */
static void test_seed003_with_rules(void **state)
{
	static const char *const files[] = {"tests/data/seed003/haproxy-static.cfg",
					    "tests/data/seed003/haproxy-readwrite.cfg"};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct config *cfg = load_path(files[i]);
		struct http_proxy *stats;

		if (!cfg)
			fail_msg("%s refused:\n%s", files[i], msgs);
		assert_int_equal(diag.warnings, 0);
		assert_int_equal(cfg->n_vs, 2);
		assert_non_null(px(cfg, "main")->rules);
		assert_ptr_equal(px(cfg, "main")->default_be, px(cfg, "app"));
		assert_int_equal(srv(cfg, "static", "app2")->checks->type, CHECK_TCP);
		stats = px(cfg, "stats");
		assert_int_equal(stats->cap, HP_CAP_FE | HP_CAP_BE);
		assert_true(stats->stats.enabled);
		assert_string_equal(stats->stats.uri, "/status");
		assert_string_equal(stats->stats.auth[0], "admin:password");
		assert_int_equal(stats->maxconn, 65535);
		config_free(cfg);
	}
}

/* One vtc file's haproxy blocks: `haproxy NAME [-conf] { ... }` with the
 * config between the braces; ${NAME_addr} / ${NAME_port} as varnishtest
 * gives them, fd@${fe} given a number.  Lines go out raw. */
static int vtc_config(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t len = 0;
	int in = 0, depth = 0, found = 0;

	if (!f)
		return -1;
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		if (!in) {
			if (!strncmp(p, "haproxy ", 8) && strstr(p, "-conf") && strchr(p, '{')) {
				in = 1;
				depth = 1;
				found = 1;
			}
			continue;
		}
		for (char *c = p; *c; c++)
			depth += *c == '{' ? 1 : *c == '}' ? -1 : 0;
		if (depth <= 0) {
			in = 0;
			continue;
		}
		len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s", line);
	}
	fclose(f);
	return found && len < cap ? 0 : -1;
}

/* varnishtest's macros for every ${NAME} of text: NAME_addr 127.0.0.1,
 * NAME_port and a bare NAME (fd@${NAME}: a listener it passes) a number,
 * ${testdir} the file's directory. */
static void vtc_macros(const char *text, const char *dir)
{
	const char *p = text;
	unsigned k = 0;
	char name[128], v[32];

	setenv("testdir", dir, 1);
	while ((p = strstr(p, "${"))) {
		size_t n = strcspn(p + 2, "}");

		p += 2;
		if (n >= sizeof(name) || !strncmp(p, "testdir}", 8))
			continue;
		memcpy(name, p, n);
		name[n] = 0;
		snprintf(v, sizeof(v), "%u", 10 + k++ % 1000);
		if (n > 5 && !strcmp(name + n - 5, "_addr"))
			setenv(name, "127.0.0.1", 1);
		else if (n > 5 && !strcmp(name + n - 5, "_port"))
			setenv(name, "42000", 1);
		else
			setenv(name, v, 1);
	}
}

static void test_vtc_configs(void **state)
{
	static const char *const dirs[] = {"balance", "checks", "http-errorfiles", "http-messaging",
					   "http-rules", "webstats"};
	static char text[1 << 18];
	unsigned i, read = 0, ok = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char dir[512], path[1024];
		struct dirent **names;
		int n, j;

		snprintf(dir, sizeof(dir), "../shared/vtc/%s", dirs[i]);
		n = scandir(dir, &names, NULL, alphasort);
		if (n < 0)
			continue;
		for (j = 0; j < n; j++) {
			struct config *cfg;
			const char *p;

			if (!strstr(names[j]->d_name, ".vtc")) {
				free(names[j]);
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s", dir, names[j]->d_name);
			free(names[j]);
			assert_int_equal(vtc_config(path, text, sizeof(text)), 0);
			vtc_macros(text, dir);
			read++;
			cfg = load(text);
			printf("%-60s %s\n", path, cfg ? "read" : "refused");
			if (cfg) {
				ok++;
				config_free(cfg);
				continue;
			}
			/* refused: only for the HTTP modules' lines (rules, error files)
			 * still being built */
			for (p = msgs; *p; p = strchr(p, '\n') + 1) {
				const char *eol = strchr(p, '\n');

				printf("    %.*s\n", (int)(eol - p), p);
				if (p[0] == 'E' && !strstr(p, "is not supported yet") &&
				    !strstr(p, "unknown or unsupported action") &&
				    !strstr(p, "errorfile") && !strstr(p, "unknown fetch"))
					fail_msg("%s: refused for a reader keyword", path);
			}
		}
		free(names);
	}
	if (!read) {
		printf("../shared/vtc not found: skipped\n");
		skip();
	}
	printf("vtc configs: %u of %u read\n", ok, read);
	assert_int_equal(read, 14);
	/* with the placeholder rules module, the files without rule lines */
	assert_true(ok >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed003_roundrobin),
	    cmocka_unit_test(test_seed003_with_rules),
	    cmocka_unit_test(test_vtc_configs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
