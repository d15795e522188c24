/* haproxy.cfg's agent-check (src/conf/haproxy_srv.c, haproxy_chk.c): the
 * server options become an AGENT_CHECK after the regular check (or alone),
 * with the agent's own address, port, interval, send string, and HAProxy's
 * agent rise and fall (1, 1); default-server passes them on, no-agent-check
 * takes the agent away, and agent-check without agent-port is refused at
 * its line as HAProxy refuses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_expect-t.h"
#include "conf/conf.h"
#include "conf/reader.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"
#include "haproxy_model.h"

#define AGENT(k) ((const struct check_expect_conf *)(k)->spec)

static void test_agent_options(void **state)
{
	struct config *cfg = expect_ok("backend b\n"
				       "    default-server agent-inter 500ms agent-send \"b\\n\"\n"
				       "    server a 10.0.0.1:80 check inter 3s agent-check agent-port 5555\n"
				       "    server o 10.0.0.2:80 agent-check agent-port 6 agent-addr 10.0.9.9 "
				       "agent-inter 7s agent-send x\n"
				       "    server n 10.0.0.3:80 agent-check agent-port 6 no-agent-check\n");
	const struct check_conf *k = srv(cfg, "b", "a")->checks;

	(void)state;
	/* the regular check first, then the agent with its own timings */
	assert_non_null(k);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->delay_loop_ms, 3000);
	k = k->next;
	assert_non_null(k);
	assert_int_equal(k->type, CHECK_AGENT);
	assert_null(k->next);
	assert_int_equal(k->delay_loop_ms, 500);
	assert_int_equal(k->rise, 1);
	assert_int_equal(k->fall, 1);
	assert_int_equal(k->connect.family, 0); /* the server's address */
	assert_int_equal(k->connect.port, 5555);
	assert_string_equal(AGENT(k)->send, "b\n");
	/* agent alone: no regular check, an agent at its own address */
	k = srv(cfg, "b", "o")->checks;
	assert_non_null(k);
	assert_int_equal(k->type, CHECK_AGENT);
	assert_null(k->next);
	assert_string_equal(fmt(&k->connect), "10.0.9.9:6");
	assert_int_equal(k->delay_loop_ms, 7000);
	assert_string_equal(AGENT(k)->send, "x");
	assert_null(srv(cfg, "b", "n")->checks);
	assert_non_null(px(cfg, "b"));
	config_free(cfg);

	expect_error("backend b\n    server s 10.0.0.1:80 agent-check\n", 2,
		     "server s: agent-check needs agent-port");
	expect_error("backend b\n    default-server agent-check\n    server s 10.0.0.1:80 check\n",
		     3, "agent-check needs agent-port");
	expect_error("backend b\n    server s 10.0.0.1:80 agent-check agent-port 0\n", 2,
		     "agent-port");
	expect_error("backend b\n    server s 10.0.0.1:80 agent-check agent-port 1 agent-inter 0\n",
		     2, "agent-inter must be above 0");
	expect_error("backend b\n    server s 10.0.0.1:80 agent-port\n", 2,
		     "'agent-port' needs a value");
	expect_error("backend b\n    server s 10.0.0.1:80 agent-check agent-port 1 agent-addr h\n",
		     2, "resolves no host names");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agent_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
