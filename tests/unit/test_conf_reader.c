/* The reader registry (src/conf/reader.c): keepalived's probe, the choice
 * of a reader for a file or a text, --format's forcing and its error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"

static int probe_ka(const char *text)
{
	return conf_reader_keepalived.probe(text, strlen(text));
}

static void test_keepalived_probe(void **state)
{
	/* its block keywords, '{' on the line or the next */
	assert_int_equal(probe_ka("global_defs {\n}\n"), 100);
	assert_int_equal(probe_ka("! keepalived\n# x\n  virtual_server 10.0.0.1 80\n{\n}\n"), 100);
	assert_int_equal(probe_ka("vrrp_instance VI_1 {\n"), 100);
	assert_int_equal(probe_ka("virtual_server_group G{\n"), 100);
	assert_int_equal(probe_ka("static_ipaddress {\n"), 100); /* a block fulcrum ignores */
	/* not its own */
	assert_int_equal(probe_ka(""), 0);
	assert_int_equal(probe_ka("include /etc/keepalived/conf.d/*.conf\n"), 0);
	assert_int_equal(probe_ka("virtual=192.168.32.66:80\n\treal=192.168.32.63:80 gate\n"), 0);
	assert_int_equal(probe_ka("# global_defs {\n"), 0);
	assert_int_equal(probe_ka("frontend www\n    bind :80\n"), 0);
	assert_int_equal(probe_ka("virtual_server 10.0.0.1 80\nlb_algo rr\n"), 0);
	/* the length is the text's, not up to a NUL */
	assert_int_equal(conf_reader_keepalived.probe("global_defs {", 6), 0);
}

static void test_probe_and_default(void **state)
{
	const char *ld = "virtual=192.168.32.66:80\n", *other = "server {\n listen 80;\n}\n";

	assert_ptr_equal(conf_reader_probe("vrrp_script chk {\n}\n", 19), &conf_reader_keepalived);
	assert_ptr_equal(conf_reader_probe(ld, strlen(ld)), &conf_reader_ldirectord);
	/* nobody claims it: read as keepalived, whose errors are fulcrum's usual ones */
	assert_ptr_equal(conf_reader_probe(other, strlen(other)), conf_readers[0]);
	assert_ptr_equal(conf_readers[0], &conf_reader_keepalived);
	assert_ptr_equal(conf_reader_find("keepalived"), &conf_reader_keepalived);
	assert_null(conf_reader_find("nginx"));
	assert_null(conf_reader_find(""));
}

static void test_for_file(void **state)
{
	char path[] = "/tmp/test_conf_reader.XXXXXX";
	const char *text = "global_defs {\n router_id r1\n}\n";
	struct config *cfg;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_ptr_equal(conf_reader_for_file(path), &conf_reader_keepalived);
	cfg = conf_load_file(path, NULL);
	assert_non_null(cfg);
	assert_string_equal(cfg->global.router_id, "r1");
	config_free(cfg);
	unlink(path);
	/* unreadable: the default reader, which reports it */
	assert_ptr_equal(conf_reader_for_file(path), &conf_reader_keepalived);
}

static void test_force(void **state)
{
	char err[256] = "";

	assert_int_equal(conf_reader_force("nginx", err, sizeof(err)), -1);
	assert_string_equal(
	    err, "--format nginx: unknown grammar (fulcrum reads keepalived, ldirectord, haproxy)");
	assert_null(conf_reader_forced());
	assert_int_equal(conf_reader_force("keepalived", err, sizeof(err)), 0);
	assert_ptr_equal(conf_reader_forced(), &conf_reader_keepalived);
	/* forced: taken without probing */
	assert_ptr_equal(conf_reader_for_file("/nonexistent/x.cf"), &conf_reader_keepalived);
	assert_int_equal(conf_reader_force(NULL, err, sizeof(err)), 0);
	assert_null(conf_reader_forced());
	assert_int_equal(conf_reader_force("haproxy", err, sizeof(err)), 0);
	assert_ptr_equal(conf_reader_forced(), &conf_reader_haproxy);
	assert_int_equal(conf_reader_force("ldirectord", err, sizeof(err)), 0);
	assert_ptr_equal(conf_reader_for_file("/nonexistent/x.cf"), &conf_reader_ldirectord);
	assert_int_equal(conf_reader_force(NULL, err, sizeof(err)), 0);
	conf_reader_names(err, sizeof(err));
	assert_string_equal(err, "keepalived, ldirectord, haproxy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keepalived_probe),
	    cmocka_unit_test(test_probe_and_default),
	    cmocka_unit_test(test_for_file),
	    cmocka_unit_test(test_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
