/* The configuration reader: lexer, keywords, defaults, diagnostics. */
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

#include "check/check_dns-t.h"
#include "check/check_file-t.h"
#include "check/check_http-t.h"
#include "check/check_misc-t.h"
#include "check/check_smtp-t.h"
#include "check/check_udp-t.h"
#include "conf/conf.h"
#include "model/model.h"

/* A checker's own configuration (check_conf.spec, src/check/check_*-t.h). */
#define SPEC(k, name) ((struct check_##name##_conf *)(k)->spec)

/* Every diagnostic of the last load, one per line, "E " or "W " first. */
static char msgs[16384];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static struct conf_diag diag;

static struct config *load(const char *text)
{
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

/* The load must fail with exactly one error, containing `want`. */
static void expect_error(const char *text, const char *want)
{
	struct config *cfg = load(text);

	if (cfg || diag.errors != 1 || !strstr(msgs, want))
		fail_msg("wanted one error containing \"%s\", got (%u errors):\n%s", want,
			 diag.errors, msgs);
	assert_null(cfg);
}

static struct config *expect_ok(const char *text)
{
	struct config *cfg = load(text);

	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	return cfg;
}

static struct fc_addr ipport(const char *s)
{
	struct fc_addr a;
	char err[256];

	assert_int_equal(addr_parse_hostport(s, &a, err, sizeof(err)), 0);
	return a;
}

static void test_defaults(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 80 {\n"
				       "  real_server 10.0.1.1 8080 {\n"
				       "    TCP_CHECK {\n"
				       "    }\n"
				       "  }\n"
				       "  real_server 10.0.1.2 {\n"
				       "  }\n"
				       "}\n");
	struct virtual_server *vs;
	struct real_server *rs;
	struct check_conf *k;
	struct fc_addr a = ipport("10.0.0.1:80");

	(void)state;
	assert_int_equal(cfg->n_vs, 1);
	vs = cfg->vs;
	assert_true(addr_equal(&vs->addr, &a));
	assert_int_equal(vs->protocol, IPPROTO_TCP);
	assert_string_equal(vs->pool->sched, "wlc");
	assert_int_equal(vs->fwd, FWD_NAT);
	assert_int_equal(vs->pool->delay_loop_ms, 60000);
	assert_int_equal(vs->persistence_timeout, 0);
	assert_int_equal(vs->persistence_prefix, 32);
	assert_int_equal(vs->pool->quorum, 1);
	assert_int_equal(vs->connect_timeout_ms, 5000);
	assert_int_equal(vs->idle_timeout_ms, 900000);
	assert_int_equal(vs->udp_timeout_ms, 300000);
	assert_int_equal(vs->connect_retries, 2);
	assert_null(vs->pool->sorry);
	assert_string_equal(vs->file, "t.conf");
	assert_int_equal(vs->line, 1);
	assert_int_equal(vs->pool->n_rs, 2);
	rs = vs->pool->rs;
	a = ipport("10.0.1.1:8080");
	assert_true(addr_equal(&rs->addr, &a));
	assert_int_equal(rs->weight, 1);
	assert_int_equal(rs->inhibit_on_failure, -1);
	assert_int_equal(rs->line, 2);
	k = rs->checks;
	assert_non_null(k);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->line, 3);
	assert_int_equal(k->connect_timeout_ms, 5000);
	assert_int_equal(k->retry, 1);
	assert_int_equal(k->delay_before_retry_ms, 1000);
	assert_int_equal(k->warmup_ms, 0);
	assert_int_equal(k->delay_loop_ms, 0);
	assert_int_equal(k->connect.family, 0);
	/* port defaults to the virtual server's */
	a = ipport("10.0.1.2:80");
	assert_true(addr_equal(&rs->next->addr, &a));
	assert_int_equal(cfg->n_warnings, 0);
	assert_null(cfg->global.control_socket);
	assert_int_equal(cfg->global.nbthread, 0); /* the engine decides (proxy_threads_want) */
	config_free(cfg);
}

static void test_vs_keywords(void **state)
{
	struct config *cfg = expect_ok("global_defs {\n"
				       "  control_socket /tmp/f.sock\n"
				       "  router_id LB1\n"
				       "  nbthread 4\n"
				       "}\n"
				       "virtual_server 2001:db8::1 53 {\n"
				       "  lvs_sched mh\n"
				       "  mh-port\n"
				       "  mh-fallback\n"
				       "  flag-3\n"
				       "  lvs_method PROXY\n"
				       "  persistence_timeout\n"
				       "  persistence_granularity 64\n"
				       "  protocol UDP\n"
				       "  delay_loop 2.5\n"
				       "  sorry_server 2001:db8::99\n"
				       "  sorry_server_inhibit\n"
				       "  inhibit_on_failure\n"
				       "  alpha\n"
				       "  omega\n"
				       "  quorum 3\n"
				       "  hysteresis 1\n"
				       "  quorum_up \"/bin/up.sh arg\"\n"
				       "  quorum_down /bin/down.sh\n"
				       "  ha_suspend\n"
				       "  virtualhost www.example.com\n"
				       "  ip_family inet6\n"
				       "  proxy_connect_timeout 1.5\n"
				       "  proxy_idle_timeout 60\n"
				       "  udp_session_timeout 30\n"
				       "  proxy_connect_retries 0\n"
				       "  real_server 2001:db8::10 5353 {\n"
				       "    weight 0\n"
				       "    inhibit_on_failure off\n"
				       "    notify_up /bin/rs-up\n"
				       "    notify_down \"/bin/rs-down x\"\n"
				       "    uthreshold 100\n"
				       "    lthreshold 10\n"
				       "  }\n"
				       "}\n");
	struct virtual_server *vs = cfg->vs;
	struct fc_addr a = ipport("[2001:db8::99]:53");

	(void)state;
	assert_string_equal(cfg->global.control_socket, "/tmp/f.sock");
	assert_string_equal(cfg->global.router_id, "LB1");
	assert_int_equal(cfg->global.nbthread, 4);
	assert_string_equal(vs->pool->sched, "mh");
	assert_int_equal(vs->pool->sched_flags, SCHED_F_PORT | SCHED_F_FALLBACK | SCHED_F_3);
	assert_int_equal(vs->fwd, FWD_PROXY);
	assert_int_equal(vs->persistence_timeout, 360);
	assert_int_equal(vs->persistence_prefix, 64);
	assert_int_equal(vs->protocol, IPPROTO_UDP);
	assert_int_equal(vs->pool->delay_loop_ms, 2500);
	assert_non_null(vs->pool->sorry);
	assert_true(addr_equal(&vs->pool->sorry->addr, &a));
	assert_int_equal(vs->pool->sorry_inhibit, 1);
	assert_int_equal(vs->pool->inhibit_on_failure, 1);
	assert_int_equal(vs->pool->alpha, 1);
	assert_int_equal(vs->pool->omega, 1);
	assert_int_equal(vs->pool->quorum, 3);
	assert_int_equal(vs->pool->hysteresis, 1);
	assert_string_equal(vs->pool->quorum_up, "/bin/up.sh arg");
	assert_string_equal(vs->pool->quorum_down, "/bin/down.sh");
	assert_int_equal(vs->ha_suspend, 1);
	assert_string_equal(vs->pool->virtualhost, "www.example.com");
	assert_int_equal(vs->connect_timeout_ms, 1500);
	assert_int_equal(vs->idle_timeout_ms, 60000);
	assert_int_equal(vs->udp_timeout_ms, 30000);
	assert_int_equal(vs->connect_retries, 0);
	assert_int_equal(vs->pool->rs->weight, 0);
	assert_int_equal(vs->pool->rs->cur_weight, 0);
	assert_int_equal(vs->pool->rs->inhibit_on_failure, 0);
	assert_string_equal(vs->pool->rs->notify_up, "/bin/rs-up");
	assert_string_equal(vs->pool->rs->notify_down, "/bin/rs-down x");
	assert_int_equal(vs->pool->rs->uthreshold, 100);
	assert_int_equal(vs->pool->rs->lthreshold, 10);
	config_free(cfg);
}

static void test_granularity_and_kinds(void **state)
{
	struct config *cfg =
	    expect_ok("virtual_server 10.0.0.1 80 {\n"
		      " lb_algo sh\n sh-port\n sh-fallback\n lb_kind DR\n"
		      " persistence_timeout 50\n"
		      " persistence_granularity 255.255.255.0\n"
		      "}\n"
		      "virtual_server 10.0.0.1 80 {\n protocol UDP\n lb_kind TUN\n}\n"
		      "virtual_server 10.0.0.2 80 {\n lb_kind nat\n flag-1\n flag-2\n}\n");
	struct virtual_server *vs = cfg->vs;

	(void)state;
	assert_int_equal(cfg->n_vs, 3);
	assert_string_equal(vs->pool->sched, "sh");
	assert_int_equal(vs->pool->sched_flags, SCHED_F_PORT | SCHED_F_FALLBACK);
	assert_int_equal(vs->fwd, FWD_DR);
	assert_int_equal(vs->persistence_timeout, 50);
	assert_int_equal(vs->persistence_prefix, 24);
	assert_int_equal(vs->next->fwd, FWD_TUN);
	assert_int_equal(vs->next->protocol, IPPROTO_UDP);
	assert_int_equal(vs->next->next->fwd, FWD_NAT);
	assert_int_equal(vs->next->next->pool->sched_flags, SCHED_F_PORT | SCHED_F_FALLBACK);
	config_free(cfg);
}

static void test_checkers(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 443 {\n"
				       "  retry 7\n"
				       "  delay_before_retry 4\n"
				       "  virtualhost vs.example\n"
				       "  real_server 10.0.1.1 443 {\n"
				       "    connect_timeout 9\n"
				       "    delay_loop 11\n"
				       "    HTTP_GET {\n"
				       "      url {\n"
				       "        path /health\n"
				       "        digest 640205b7b0fc66c1ea91c463fac6334d\n"
				       "        status_code 200-204 301 404\n"
				       "        regex \"ok|fine\"\n"
				       "        regex_no_match\n"
				       "        virtualhost u.example\n"
				       "      }\n"
				       "      url { path /two }\n"
				       "      http_protocol 1.1\n"
				       "      connect_ip 10.9.9.9\n"
				       "      connect_port 8443\n"
				       "      bindto 10.0.0.5\n"
				       "      bind_port 5000\n"
				       "      bind_if eth0\n"
				       "      retry 2\n"
				       "      rise 3\n"
				       "      fall 4\n"
				       "      warmup 1.5\n"
				       "    }\n"
				       "    SSL_GET {\n"
				       "      url {\n path /\n }\n"
				       "      enable_sni\n"
				       "      nb_get_retry 5\n"
				       "      delay_loop 3\n"
				       "    }\n"
				       "    MISC_CHECK {\n"
				       "      misc_path \"/bin/check --x\"\n"
				       "      misc_timeout 6\n"
				       "      misc_dynamic\n"
				       "      user nobody\n"
				       "    }\n"
				       "    DNS_CHECK {\n type aaaa\n name example.org\n }\n"
				       "    UDP_CHECK {\n payload 0a0b\n require_reply\n }\n"
				       "    PING_CHECK\n"
				       "    FILE_CHECK {\n track_file tf1\n weight -10\n }\n"
				       "  }\n"
				       "}\n");
	struct check_conf *k = cfg->vs->pool->rs->checks;
	struct fc_addr a = ipport("10.9.9.9:8443"), b = ipport("10.0.0.5:5000");
	struct check_url *u;

	(void)state;
	assert_int_equal(k->type, CHECK_HTTP_GET);
	u = SPEC(k, http)->urls;
	assert_string_equal(u->path, "/health");
	assert_string_equal(u->digest, "640205b7b0fc66c1ea91c463fac6334d");
	assert_string_equal(u->regex, "ok|fine");
	assert_int_equal(u->regex_no_match, 1);
	assert_string_equal(u->virtualhost, "u.example");
	assert_true(u->status_ok[200 / 8] & (1 << (200 % 8)));
	assert_true(u->status_ok[204 / 8] & (1 << (204 % 8)));
	assert_false(u->status_ok[205 / 8] & (1 << (205 % 8)));
	assert_true(u->status_ok[301 / 8] & (1 << (301 % 8)));
	assert_true(u->status_ok[404 / 8] & (1 << (404 % 8)));
	assert_string_equal(u->next->path, "/two");
	assert_null(u->next->next);
	assert_string_equal(SPEC(k, http)->http_protocol, "1.1");
	assert_true(addr_equal(&k->connect, &a));
	assert_true(addr_equal(&k->bindto, &b));
	assert_string_equal(k->bind_if, "eth0");
	assert_int_equal(k->retry, 2);			  /* its own */
	assert_int_equal(k->delay_before_retry_ms, 4000); /* the virtual server's */
	assert_int_equal(k->connect_timeout_ms, 9000);	  /* the real server's */
	assert_int_equal(k->delay_loop_ms, 11000);	  /* the real server's */
	assert_int_equal(k->rise, 3);
	assert_int_equal(k->fall, 4);
	assert_int_equal(k->warmup_ms, 1500);
	assert_string_equal(k->virtualhost, "vs.example");
	k = k->next;
	assert_int_equal(k->type, CHECK_SSL_GET);
	assert_int_equal(k->retry, 5);
	assert_int_equal(k->delay_loop_ms, 3000);
	assert_string_equal(SPEC(k, http)->sni, "vs.example");
	k = k->next;
	assert_int_equal(k->type, CHECK_MISC);
	assert_string_equal(SPEC(k, misc)->misc_path, "/bin/check --x");
	assert_int_equal(SPEC(k, misc)->misc_timeout_ms, 6000);
	assert_int_equal(SPEC(k, misc)->misc_dynamic, 1);
	assert_string_equal(SPEC(k, misc)->user, "nobody");
	assert_int_equal(k->retry, 7);
	k = k->next;
	assert_int_equal(k->type, CHECK_DNS);
	assert_string_equal(SPEC(k, dns)->dns_type, "AAAA");
	assert_string_equal(SPEC(k, dns)->dns_name, "example.org");
	k = k->next;
	assert_int_equal(k->type, CHECK_UDP);
	assert_string_equal(SPEC(k, udp)->payload, "0a0b");
	assert_int_equal(SPEC(k, udp)->require_reply, 1);
	k = k->next;
	assert_int_equal(k->type, CHECK_PING);
	k = k->next;
	assert_int_equal(k->type, CHECK_FILE);
	assert_string_equal(SPEC(k, file)->track_file, "tf1");
	assert_int_equal(SPEC(k, file)->file_weight, -10);
	assert_null(k->next);
	config_free(cfg);
}

static void test_checker_default_retries(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 53 {\n"
				       " real_server 10.0.1.1 53 {\n"
				       "  DNS_CHECK {\n }\n"
				       "  MISC_CHECK {\n misc_path /bin/true\n }\n"
				       " }\n}\n");
	struct check_conf *k = cfg->vs->pool->rs->checks;

	(void)state;
	assert_int_equal(k->retry, 3);
	assert_int_equal(k->next->retry, 0);
	config_free(cfg);
}

static void test_smtp_hosts(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 25 {\n"
				       " real_server 10.0.1.1 25 {\n"
				       "  SMTP_CHECK {\n"
				       "   helo_name \"foo.bar\"\n"
				       "   connect_timeout 10\n"
				       "   host {\n connect_ip 10.0.1.1\n }\n"
				       "   host {\n connect_ip 10.0.2.2\n connect_port 587\n"
				       "     bindto 10.0.0.9\n connect_timeout 2\n }\n"
				       "  }\n }\n}\n");
	struct check_conf *k = cfg->vs->pool->rs->checks;
	struct fc_addr a;

	(void)state;
	assert_int_equal(k->type, CHECK_SMTP);
	assert_string_equal(SPEC(k, smtp)->helo_name, "foo.bar");
	assert_int_equal(k->connect_timeout_ms, 10000);
	assert_int_equal(k->connect.port, 0);
	assert_string_equal(addr_format(&k->connect, (char[64]){0}, 64, 0), "10.0.1.1");
	k = k->next;
	assert_non_null(k);
	a = ipport("10.0.2.2:587");
	assert_true(addr_equal(&k->connect, &a));
	assert_int_equal(k->connect_timeout_ms, 2000);
	assert_string_equal(SPEC(k, smtp)->helo_name, "foo.bar");
	assert_string_equal(addr_format(&k->bindto, (char[64]){0}, 64, 0), "10.0.0.9");
	assert_null(k->next);
	config_free(cfg);
}

static void test_comments_quotes_braces(void **state)
{
	struct config *cfg = expect_ok("# comment\n"
				       "! another\n"
				       "virtual_server 10.0.0.1 80   # trailing\n"
				       "{\n"
				       "  lb_algo rr ! trailing\n"
				       "  real_server 10.0.1.1 80 { weight 5 }\n"
				       "  real_server 10.0.1.2 80\n"
				       "  {\n"
				       "    MISC_CHECK { misc_path \"/bin/a # not a comment\" }\n"
				       "  }\n"
				       "}\n");
	struct virtual_server *vs = cfg->vs;

	(void)state;
	assert_string_equal(vs->pool->sched, "rr");
	assert_int_equal(vs->pool->rs->weight, 5);
	assert_string_equal(SPEC(vs->pool->rs->next->checks, misc)->misc_path,
			    "/bin/a # not a comment");
	config_free(cfg);
}

static void test_group_expansion(void **state)
{
	struct config *cfg = expect_ok("virtual_server_group G {\n"
				       "  10.0.0.1 80\n"
				       "  10.0.0.5-7 8080\n"
				       "  2001:db8::a-c 443\n"
				       "}\n"
				       "virtual_server group G {\n"
				       "  lb_algo rr\n"
				       "  real_server 10.0.1.1 {\n   TCP_CHECK\n  }\n"
				       "}\n");
	static const char *const want[] = {
	    "10.0.0.1:80",	 "10.0.0.5:8080",     "10.0.0.6:8080",	  "10.0.0.7:8080",
	    "[2001:db8::a]:443", "[2001:db8::b]:443", "[2001:db8::c]:443"};
	struct virtual_server *vs;
	unsigned i = 0;

	(void)state;
	assert_int_equal(cfg->n_vs, 7);
	for (vs = cfg->vs; vs; vs = vs->next, i++) {
		struct fc_addr a = ipport(want[i]);

		assert_true(addr_equal(&vs->addr, &a));
		assert_string_equal(vs->group, "G");
		assert_string_equal(vs->pool->sched, "rr");
		assert_int_equal(vs->pool->n_rs, 1);
		/* the real server's port follows each entry */
		assert_int_equal(vs->pool->rs->addr.port, a.port);
		assert_non_null(vs->pool->rs->checks);
		assert_int_equal(vs->line, 6);
	}
	config_free(cfg);
}

static void test_group_defined_later(void **state)
{
	struct config *cfg =
	    expect_ok("virtual_server group LATE {\n"
		      "  real_server 10.0.1.1 80 {\n  }\n"
		      "}\n"
		      "virtual_server_group LATE {\n  10.0.0.1 80\n  10.0.0.2 80\n}\n");

	(void)state;
	assert_int_equal(cfg->n_vs, 2);
	assert_int_equal(cfg->vs->pool->n_rs, 1);
	config_free(cfg);
}

static void test_group_errors(void **state)
{
	(void)state;
	expect_error("virtual_server group NOPE {\n}\n",
		     "t.conf:1: virtual_server group NOPE: no virtual_server_group NOPE");
	expect_error("virtual_server_group G {\n 10.0.0.1 80\n fwmark 3\n}\n"
		     "virtual_server group G {\n}\n",
		     "t.conf:3: virtual_server_group G: fwmark 3: fwmark virtual services are not "
		     "supported by fulcrum yet");
	expect_error("virtual_server_group G {\n 10.0.0.9-3 80\n}\n",
		     "t.conf:2: virtual_server_group: bad range '10.0.0.9-3'");
	expect_error("virtual_server_group G {\n 10.0.0.1 80\n}\n"
		     "virtual_server_group G {\n}\n",
		     "t.conf:4: virtual_server_group G is defined twice (first at t.conf:1)");
	expect_error("virtual_server_group G {\n 10.0.0.1 80\n}\n"
		     "virtual_server 10.0.0.1 80 {\n}\n"
		     "virtual_server group G {\n}\n",
		     "t.conf:2: duplicate virtual_server 10.0.0.1:80 TCP (first at t.conf:4)");
	/* a bad keyword in a group body is reported once, not once per address */
	expect_error("virtual_server_group G {\n 10.0.0.1-9 80\n}\n"
		     "virtual_server group G {\n lb_algo nope\n}\n",
		     "t.conf:5: lb_algo: unknown scheduler 'nope'");
}

static void test_ignored_warnings(void **state)
{
	struct config *cfg = expect_ok("global_defs {\n"
				       "  notification_email {\n    a@b\n    c@d\n  }\n"
				       "  smtp_server 10.0.0.1\n"
				       "  enable_script_security\n"
				       "}\n"
				       "vrrp_instance VI_1 {\n"
				       "  interface eth0\n  virtual_router_id 1\n"
				       "  virtual_routes {\n    10.0.0.0/8 dev eth0\n  }\n"
				       "  smtp_alert\n"
				       "}\n"
				       "static_routes {\n 10.0.0.0/8 dev eth0\n}\n"
				       "virtual_server 10.0.0.1 80 {\n"
				       "  hashed\n"
				       "  ops\n"
				       "  real_server 10.0.1.1 80 {\n"
				       "    smtp_alert\n"
				       "    TCP_CHECK {\n fwmark 5\n }\n"
				       "    BFD_CHECK {\n name b1\n }\n"
				       "  }\n"
				       "}\n");

	(void)state;
	assert_int_equal(cfg->n_vs, 1);
	assert_int_equal(diag.errors, 0);
	assert_int_equal(cfg->n_warnings, 10); /* enable_script_security is served */
	assert_non_null(strstr(msgs, "W t.conf:2: keyword 'notification_email' is ignored by "
				     "fulcrum\n"));
	assert_non_null(strstr(msgs, "W t.conf:12: keyword 'virtual_routes' is ignored by "
				     "fulcrum\n"));
	assert_null(strstr(msgs, "VRRP is not served")); /* it is now */
	assert_non_null(strstr(msgs, "W t.conf:17: static_routes: static addresses"));
	assert_non_null(strstr(msgs, "W t.conf:22: ops (one-packet scheduling)"));
	assert_non_null(strstr(msgs, "W t.conf:26: keyword 'fwmark' is ignored by fulcrum"));
	assert_non_null(strstr(msgs, "W t.conf:28: BFD_CHECK is ignored"));
	/* BFD_CHECK adds no check */
	assert_int_equal(cfg->vs->pool->rs->checks->type, CHECK_TCP);
	assert_null(cfg->vs->pool->rs->checks->next);
	config_free(cfg);
}

static void test_unknown_keyword_suggestion(void **state)
{
	(void)state;
	expect_error("virtual_server 10.0.0.1 80 {\n  lb_algp rr\n}\n",
		     "E t.conf:2: unknown keyword 'lb_algp' in virtual_server (did you mean "
		     "'lb_algo'?)\n");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  TCP_CHEK {\n  }\n }\n}\n",
		     "t.conf:3: unknown keyword 'TCP_CHEK' in real_server (did you mean "
		     "'TCP_CHECK'?)");
	expect_error("virtual_sever 10.0.0.1 80 {\n}\n",
		     "t.conf:1: unknown keyword 'virtual_sever' at the top level (did you mean "
		     "'virtual_server'?)");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  HTTP_GET {\n url {\n paht /\n }\n }\n }\n}\n",
		     "t.conf:5: unknown keyword 'paht' in url (did you mean 'path'?)");
	expect_error("global_defs {\n smtp_sever x\n}\n",
		     "t.conf:2: unknown keyword 'smtp_sever' in global_defs (did you mean "
		     "'smtp_server'?)");
	expect_error("virtual_server 10.0.0.1 80 {\n  frobnicate\n}\n",
		     "t.conf:2: unknown keyword 'frobnicate' in virtual_server\n");
	/* known to another checker only: an error */
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  TCP_CHECK {\n   misc_path /x\n  }\n }\n}\n",
		     "t.conf:4: unknown keyword 'misc_path' in TCP_CHECK");
}

static void test_value_errors(void **state)
{
	(void)state;
	expect_error("virtual_server 10.0.0.1 80 {\n weight 3\n}\n",
		     "t.conf:2: unknown keyword 'weight' in virtual_server");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n weight 70000\n"
		     " }\n}\n",
		     "t.conf:3: weight: '70000' is not a number in 0..65535");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n weight\n }\n}\n",
		     "t.conf:3: 'weight' takes 1 argument, not 0");
	expect_error("virtual_server 10.0.0.1 80 {\n lb_algo rr wrr\n}\n",
		     "t.conf:2: 'lb_algo' takes 1 argument, not 2");
	expect_error("virtual_server 10.0.0.1 80 {\n lb_algo nope\n}\n",
		     "t.conf:2: lb_algo: unknown scheduler 'nope'");
	expect_error("virtual_server 10.0.0.1 80 {\n lb_kind MASQ\n}\n",
		     "t.conf:2: lb_kind: 'MASQ' is not NAT, DR, TUN or PROXY");
	expect_error("virtual_server 10.0.0.300 80 {\n}\n",
		     "t.conf:1: virtual_server: '10.0.0.300' is not an IPv4 or IPv6 address");
	expect_error("virtual_server 10.0.0.1 99999 {\n}\n", "t.conf:1: virtual_server: '99999'");
	expect_error("virtual_server 10.0.0.1 {\n}\n",
		     "t.conf:1: virtual_server needs IP PORT, fwmark N or group NAME");
	expect_error("virtual_server 10.0.0.1 80 {\n protocol SCTP\n}\n",
		     "t.conf:2: protocol SCTP is not supported by fulcrum");
	expect_error("virtual_server 10.0.0.1 80 {\n protocol ICMP\n}\n",
		     "t.conf:2: protocol: 'ICMP' is not TCP, UDP or SCTP");
	expect_error("virtual_server 10.0.0.1 80 {\n delay_loop soon\n}\n",
		     "t.conf:2: delay_loop: 'soon' is not a number of seconds");
	expect_error(
	    "virtual_server 10.0.0.1 80 {\n persistence_granularity 255.0.255.0\n}\n",
	    "t.conf:2: persistence_granularity: '255.0.255.0' is not a contiguous netmask");
	expect_error("virtual_server 10.0.0.1 80 {\n persistence_granularity 64\n}\n",
		     "t.conf:1: persistence_granularity /64 is longer than the address (/32)");
	expect_error("virtual_server fwmark 1 {\n}\n",
		     "t.conf:1: virtual_server fwmark 1: fwmark virtual services are not "
		     "supported by fulcrum yet");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  HTTP_GET {\n   connect_timeout 3\n  }\n }\n}\n",
		     "t.conf:3: HTTP_GET needs at least one url { path ... }");
	expect_error(
	    "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
	    "  HTTP_GET {\n   url {\n    status_code 200-99\n   path /\n   }\n  }\n }\n}\n",
	    "t.conf:5: status_code: '200-99' is not a code or range");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  HTTP_GET {\n   url {\n    digest xyz\n   path /\n   }\n  }\n }\n}\n",
		     "t.conf:5: digest: 'xyz' is not an MD5 sum");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  MISC_CHECK {\n  }\n }\n}\n",
		     "t.conf:3: MISC_CHECK needs misc_path");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  TCP_CHECK {\n   connect_ip 1.2.3\n  }\n }\n}\n",
		     "t.conf:4: connect_ip: '1.2.3' is not an IPv4 or IPv6 address");
	expect_error("virtual_server 10.0.0.1 80 {\n alpha maybe\n}\n",
		     "t.conf:2: alpha: 'maybe' is not on|off|true|false|yes|no");
	expect_error("virtual_server 10.0.0.1 80 {\n ha_suspend {\n }\n}\n",
		     "t.conf:2: 'ha_suspend' takes no { block }");
	expect_error("virtual_server 10.0.0.1 80\n",
		     "t.conf:1: 'virtual_server' needs a { block }");
	expect_error("global_defs {\n nbthread 0\n}\n",
		     "t.conf:2: nbthread: '0' is not a number in 1..64");
	expect_error("global_defs {\n nbthread 65\n}\n",
		     "t.conf:2: nbthread: '65' is not a number in 1..64");
	expect_error("global_defs {\n control_socket rel/path\n}\n",
		     "t.conf:2: control_socket: 'rel/path' is not an absolute path");
	expect_error("virtual_server 10.0.0.1 80 {\n ip_family inet6\n}\n",
		     "t.conf:2: ip_family inet6 does not match");
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_error("virtual_server 10.0.0.1 80 {\n}\n\nvirtual_server 10.0.0.1 80 {\n}\n",
		     "t.conf:4: duplicate virtual_server 10.0.0.1:80 TCP (first at t.conf:1)");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n"
		     " real_server 10.0.0.2 80 {\n }\n}\n",
		     "t.conf:4: duplicate real_server 10.0.0.2:80 in this virtual_server (first at "
		     "t.conf:2)");
	expect_error("virtual_server 10.0.0.1 80 {\n sorry_server 10.0.0.3 80\n"
		     " sorry_server 10.0.0.4 80\n}\n",
		     "t.conf:3: sorry_server given twice");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n"
		     "   url {\n    path /\n    regex \"(unclosed\"\n   }\n  }\n }\n}\n",
		     "t.conf:6: regex '(unclosed': missing closing parenthesis at offset 9");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.1 80 {\n }\n}\n",
		     "t.conf:2: real_server 10.0.0.1:80 is the virtual server itself: connections "
		     "would loop");
}

static void test_braces(void **state)
{
	(void)state;
	expect_error(
	    "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n weight 1\n}\n",
	    "t.conf:1: '{' opened here is never closed (missing '}' for 'virtual_server')");
	expect_error("global_defs {\n}\n}\n", "t.conf:3: '}' without a matching '{'");
	expect_error("{\n}\n", "t.conf:1: '{' without a keyword before it");
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  misc_path \"unterminated\n }\n}\n",
		     "t.conf:3: unterminated quoted string");
}

static void test_many_errors_reported(void **state)
{
	struct config *cfg = load("virtual_server 10.0.0.1 80 {\n lb_algo x\n lb_kind y\n"
				  " bogus\n}\nnonsense\n");

	(void)state;
	assert_null(cfg);
	assert_int_equal(diag.errors, 4);
	assert_non_null(strstr(msgs, "t.conf:2:"));
	assert_non_null(strstr(msgs, "t.conf:3:"));
	assert_non_null(strstr(msgs, "t.conf:4:"));
	assert_non_null(strstr(msgs, "t.conf:6:"));
}

static void test_conditional_and_params(void **state)
{
	struct config *cfg = expect_ok("$PORT=8080\n"
				       "$BASE=10.0.${SUB}\n"
				       "$SUB=1\n"
				       "@main virtual_server 10.9.9.9 80 {\n"
				       "@^main virtual_server ${BASE}.1 $PORT {\n"
				       "   real_server ${BASE}.2 $PORT {\n"
				       "@backup    weight 9\n"
				       "   }\n"
				       "   $UNDEFINED_IS_KEPT=1\n"
				       "}\n"
				       "$BLOCK= \\\n"
				       "virtual_server 10.0.2.${N} 80 { \\\n"
				       "   lb_algo rr \\\n"
				       "}\n"
				       "$N=1\n"
				       "$BLOCK\n"
				       "$N=2\n"
				       "$BLOCK\n");
	struct fc_addr a = ipport("10.0.1.1:8080"), b = ipport("10.0.1.2:8080");
	struct fc_addr c = ipport("10.0.2.2:80");

	(void)state;
	assert_int_equal(cfg->n_vs, 3);
	assert_true(addr_equal(&cfg->vs->addr, &a));
	assert_true(addr_equal(&cfg->vs->pool->rs->addr, &b));
	assert_int_equal(cfg->vs->pool->rs->weight, 1);
	assert_string_equal(cfg->vs->next->pool->sched, "rr");
	assert_true(addr_equal(&cfg->vs->next->next->addr, &c));
	assert_int_equal(cfg->vs->next->next->line, 18);
	/* one warning for the skipped @NAME lines, however many there are */
	assert_int_equal(cfg->n_warnings, 1);
	assert_non_null(strstr(msgs, "W t.conf:4: conditional line (@NAME) skipped"));
	config_free(cfg);
}

/* ---- includes, in a scratch directory ---- */

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/fc-conf-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct config *load_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	return conf_load_file(path, &diag);
}

static void test_includes(void **state)
{
	char path[256];
	struct config *cfg;
	struct virtual_server *vs;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("main.conf", "global_defs {\n router_id X\n}\n"
			 "include conf.d/*.conf\n"
			 "include conf.d/none-*.conf\n");
	put("conf.d/a.conf", "virtual_server 10.0.0.1 80 {\n"
			     "  include rs.inc\n"
			     "}\n");
	put("conf.d/rs.inc", "real_server 10.0.1.1 80 {\n}\n");
	put("conf.d/b.conf", "\n\nvirtual_server 10.0.0.2 80 {\n  lb_algp rr\n}\n");
	cfg = load_file("main.conf");
	assert_null(cfg);
	/* the error names the included file and its own line */
	assert_non_null(strstr(msgs, "conf.d/b.conf:4: unknown keyword 'lb_algp'"));
	assert_non_null(strstr(msgs, "main.conf:5: include 'conf.d/none-*.conf' matches no file"));
	assert_int_equal(diag.errors, 1);

	put("conf.d/b.conf", "\n\nvirtual_server 10.0.0.2 80 {\n  lb_algo rr\n}\n");
	cfg = load_file("main.conf");
	assert_non_null(cfg);
	assert_int_equal(cfg->n_vs, 2);
	vs = cfg->vs;
	assert_int_equal(vs->pool->n_rs, 1);
	assert_non_null(strstr(vs->file, "conf.d/a.conf"));
	assert_non_null(strstr(vs->pool->rs->file, "conf.d/rs.inc"));
	assert_int_equal(vs->pool->rs->line, 1);
	assert_non_null(strstr(vs->next->file, "conf.d/b.conf"));
	assert_int_equal(vs->next->line, 3);
	config_free(cfg);

	/* a named file that is missing is an error */
	put("missing.conf", "include nothere.conf\n");
	assert_null(load_file("missing.conf"));
	assert_non_null(strstr(msgs, "missing.conf:1: include 'nothere.conf': no such file"));

	/* self-inclusion, directly and through another file */
	put("self.conf", "include self.conf\n");
	assert_null(load_file("self.conf"));
	assert_non_null(strstr(msgs, "self.conf:1: include '"));
	assert_non_null(strstr(msgs, "/self.conf': the file includes itself (include loop)"));
	put("loop1.conf", "include loop2.conf\n");
	put("loop2.conf", "\ninclude loop1.conf\n");
	assert_null(load_file("loop1.conf"));
	assert_non_null(strstr(msgs, "loop2.conf:2: include '"));
	assert_non_null(strstr(msgs, "/loop1.conf': the file includes itself"));

	/* the main file missing */
	assert_null(load_file("does-not-exist.conf"));
	assert_non_null(strstr(msgs, "does-not-exist.conf: cannot open"));
	assert_int_equal(diag.errors, 1);
}

static void test_include_depth(void **state)
{
	char name[32], text[64];
	int i;

	(void)state;
	/* d0 -> d1 -> ... -> d20: deeper than the limit */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include d%d.conf\n", i + 1);
		put(name, text);
	}
	put("d20.conf", "virtual_server 10.0.0.1 80 {\n}\n");
	assert_null(load_file("d0.conf"));
	assert_non_null(strstr(msgs, "includes nested deeper than 16"));
	assert_int_equal(diag.errors, 1);
}

static void test_limits(void **state)
{
	size_t n = 10000, i;
	char *big = malloc(n + 64);
	struct config *cfg;

	(void)state;
	assert_non_null(big);
	/* a word longer than the token limit */
	strcpy(big, "virtual_server ");
	for (i = strlen(big); i < n; i++)
		big[i] = 'a';
	big[n] = 0;
	strcat(big, " 80 {\n}\n");
	cfg = load(big);
	assert_null(cfg);
	assert_non_null(strstr(msgs, "t.conf:1: word longer than 4096 characters"));
	/* deep nesting inside an ignored block is skipped without recursion */
	free(big);
	big = malloc(2000 * 24 + 64);
	assert_non_null(big);
	strcpy(big, "global_defs ");
	for (i = 0; i < 2000; i++)
		strcat(big, "{ notification_email\n");
	for (i = 0; i < 2000; i++)
		strcat(big, "}\n");
	cfg = load(big);
	assert_non_null(cfg);
	assert_int_equal(diag.warnings, 1);
	config_free(cfg);
	free(big);
	expect_error("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		     "  HTTP_GET {\n url {\n path /\n virtualhost {\n } } } } }\n",
		     "t.conf:6: 'virtualhost' takes 1 argument, not 0");
	/* a NUL byte: refused, not read past */
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	assert_null(conf_load_string("t.conf", "global_defs {\n}\0x", 16, &diag));
	assert_non_null(strstr(msgs, "t.conf:1: file contains a NUL byte"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_vs_keywords),
	    cmocka_unit_test(test_granularity_and_kinds),
	    cmocka_unit_test(test_checkers),
	    cmocka_unit_test(test_checker_default_retries),
	    cmocka_unit_test(test_smtp_hosts),
	    cmocka_unit_test(test_comments_quotes_braces),
	    cmocka_unit_test(test_group_expansion),
	    cmocka_unit_test(test_group_defined_later),
	    cmocka_unit_test(test_group_errors),
	    cmocka_unit_test(test_ignored_warnings),
	    cmocka_unit_test(test_unknown_keyword_suggestion),
	    cmocka_unit_test(test_value_errors),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_braces),
	    cmocka_unit_test(test_many_errors_reported),
	    cmocka_unit_test(test_conditional_and_params),
	    cmocka_unit_test(test_includes),
	    cmocka_unit_test(test_include_depth),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
