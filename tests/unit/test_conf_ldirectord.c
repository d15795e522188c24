/* The ldirectord.cf reader (src/conf/ldirectord*.c): every keyword, the
 * defaults ldirectord has, the mapping onto fulcrum's model and checkers,
 * the leniency for unindented files, and errors as file:line: message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_dns-t.h"
#include "check/check_expect-t.h"
#include "check/check_http-t.h"
#include "check/check_misc-t.h"
#include "check/check_mysql-t.h"
#include "check/check_pgsql-t.h"
#include "check/check_udp-t.h"
#include "conf/conf.h"
#include "conf/reader.h"
#include "model/model.h"
#include "model/source.h"

#define SPEC(k, name) ((struct check_##name##_conf *)(k)->spec)

#define HARNESS_FILE "ld.cf"
#define HARNESS_READER conf_reader_ldirectord
#include "reader_harness.h"

static int has_warning(int line, const char *want)
{
	return said('W', line, want);
}

static struct fc_addr ipport(const char *s)
{
	struct fc_addr a;
	char err[256];

	assert_int_equal(addr_parse_hostport(s, &a, err, sizeof(err)), 0);
	return a;
}

static void assert_addr(const struct fc_addr *a, const char *s)
{
	struct fc_addr b = ipport(s);

	if (!addr_equal(a, &b)) {
		char t[ADDR_STRLEN];

		fail_msg("address %s, wanted %s", addr_format(a, t, sizeof(t), 1), s);
	}
}

/* Seed 004's second file, verbatim: every line flush left, blank lines
 * between (as the blog printed it). */
static const char seed004[] = "virtual=192.168.32.66:80\n"
			      "\n"
			      "real=192.168.32.63:80 gate\n"
			      "\n"
			      "real=192.168.32.73:80 gate\n"
			      "\n"
			      "fallback=127.0.0.1:80 gate\n"
			      "\n"
			      "service=http\n"
			      "\n"
			      "scheduler=wrr\n"
			      "\n"
			      "#persistent=600\n"
			      "\n"
			      "#netmask=255.255.255.255\n"
			      "\n"
			      "protocol=tcp\n"
			      "\n"
			      "checktype=negotiate\n"
			      "\n"
			      "checkport=80\n"
			      "\n"
			      "request=\"index.html\"\n"
			      "\n"
			      "receive=\"centos\"\n";

static void test_seed004_leniency(void **state)
{
	struct config *cfg = expect_ok(seed004);
	struct virtual_server *vs = cfg->vs;
	struct real_server *rs;
	struct check_conf *k;
	struct check_url *u;

	assert_int_equal(cfg->n_vs, 1);
	assert_addr(&vs->addr, "192.168.32.66:80");
	assert_int_equal(vs->protocol, IPPROTO_TCP);
	assert_string_equal(vs->pool->sched, "wrr");
	assert_int_equal(vs->fwd, FWD_DR);
	assert_int_equal(vs->pool->inhibit_on_failure, 0); /* quiescent: ldirectord's no */
	assert_int_equal(vs->persistence_timeout, 0);
	assert_int_equal(vs->pool->n_rs, 2);
	assert_addr(&vs->pool->rs->addr, "192.168.32.63:80");
	assert_addr(&vs->pool->rs->next->addr, "192.168.32.73:80");
	/* the unindented fallback= is global in ldirectord: it applies all the same */
	assert_non_null(vs->pool->sorry);
	assert_addr(&vs->pool->sorry->addr, "127.0.0.1:80");
	for (rs = vs->pool->rs; rs; rs = rs->next) {
		assert_int_equal(rs->weight, 1);
		k = rs->checks;
		assert_non_null(k);
		assert_null(k->next);
		assert_int_equal(k->type, CHECK_HTTP_GET);
		u = SPEC(k, http)->urls;
		assert_string_equal(u->path, "/index.html");
		assert_string_equal(u->regex, "centos");
		assert_int_equal(SPEC(k, http)->head, 0);
		assert_null(k->virtualhost);
		assert_int_equal(k->connect.port, 0);		/* checkport 80 = the server's */
		assert_int_equal(k->connect_timeout_ms, 30000); /* negotiatetimeout's default */
		assert_int_equal(k->delay_loop_ms, 10000);	/* checkinterval's default */
		assert_int_equal(k->fall, 1);
		assert_int_equal(k->rise, 1);
	}
	/* one warning per line that ldirectord would refuse, none for the global
	 * fallback (it means what ldirectord makes of it) */
	assert_int_equal(diag.warnings, 9);
	assert_true(has_warning(3, "'real' is not indented: read as part of the virtual service "
				   "of line 1 (ldirectord would refuse this line"));
	assert_true(has_warning(25, "'receive' is not indented"));
	assert_false(has_warning(7, "fallback"));
	config_free(cfg);
}

static void test_indented_sample(void **state)
{
	/* ldirectord.cf.sample of resource-agents, its live part */
	struct config *cfg = expect_ok("# Global Directives\n"
				       "checktimeout=3\n"
				       "checkinterval=1\n"
				       "#fallback=127.0.0.1:80\n"
				       "autoreload=yes\n"
				       "#logfile=\"/var/log/ldirectord.log\"\n"
				       "quiescent=no\n"
				       "\n"
				       "virtual=192.168.6.240:80\n"
				       "\treal=192.168.6.2:80 gate\n"
				       "\treal=192.168.6.3:80 gate\n"
				       "\treal=192.168.6.6:80 gate\n"
				       "\tfallback=127.0.0.1:80 gate\n"
				       "\tservice=http\n"
				       "\tscheduler=rr\n"
				       "\t#persistent=600\n"
				       "\tprotocol=tcp\n"
				       "\tchecktype=negotiate\n"
				       "\tcheckport=80\n"
				       "\trequest=\"index.html\"\n"
				       "\treceive=\"Test Page\"\n"
				       "\tvirtualhost=www.x.y.z\n");
	struct virtual_server *vs = cfg->vs;
	struct check_conf *k = vs->pool->rs->checks;

	assert_int_equal(diag.warnings, 0);
	assert_int_equal(cfg->global.autoreload, 1);
	assert_int_equal(vs->pool->n_rs, 3);
	assert_string_equal(vs->pool->sched, "rr");
	assert_int_equal(vs->pool->delay_loop_ms, 1000);
	assert_addr(&vs->pool->sorry->addr, "127.0.0.1:80");
	assert_int_equal(k->type, CHECK_HTTP_GET);
	assert_string_equal(k->virtualhost, "www.x.y.z");
	assert_string_equal(SPEC(k, http)->urls->regex, "Test Page");
	/* negotiatetimeout unset: the global checktimeout (ld_setup's order) */
	assert_int_equal(k->connect_timeout_ms, 3000);
	assert_int_equal(k->delay_loop_ms, 1000);
	config_free(cfg);
}

static void test_globals(void **state)
{
	struct config *cfg = expect_ok("autoreload = no\n"
				       "maintenancedir=/nonexistent/maint\n"
				       "callback=\"/usr/local/bin/sync-cf\"\n"
				       "fallbackcommand=\"/usr/local/bin/fb\"\n"
				       "quiescent=yes\n"
				       "failurecount=3\n"
				       "negotiatetimeout=7\n"
				       "emailalert=\"admin@x.y.z\"\n"
				       "emailalertfreq=3600\n"
				       "emailalertstatus=all\n"
				       "emailalertfrom=ld@x.y.z\n"
				       "logfile=\"local0\"\n"
				       "supervised=yes\n"
				       "fork=no\n"
				       "execute=other.cf\n"
				       "smtp=127.0.0.1\n"
				       "readdquiescent=yes\n"
				       "cleanstop=no\n"
				       "virtual=10.0.0.1:80\n"
				       "\treal=10.0.1.1 masq\n"
				       "\treal=10.0.1.2:8080 masq 5\n");
	struct virtual_server *vs = cfg->vs;

	assert_int_equal(cfg->global.autoreload, 0);
	assert_string_equal(cfg->global.maintenance_dir, "/nonexistent/maint");
	assert_true(has_warning(2, "does not exist"));
	assert_string_equal(cfg->global.reload_callback, "/usr/local/bin/sync-cf");
	assert_string_equal(cfg->global.reload_callback_file, "ld.cf");
	assert_int_equal(cfg->global.reload_callback_line, 3);
	assert_string_equal(vs->pool->quorum_down, "/usr/local/bin/fb start");
	assert_string_equal(vs->pool->quorum_up, "/usr/local/bin/fb stop");
	assert_int_equal(vs->pool->quorum, 1);
	assert_int_equal(vs->pool->inhibit_on_failure, 1);
	assert_int_equal(vs->fwd, FWD_NAT);
	assert_string_equal(vs->pool->sched, "wrr");
	/* real without a port: the virtual's; masq may map ports */
	assert_addr(&vs->pool->rs->addr, "10.0.1.1:80");
	assert_addr(&vs->pool->rs->next->addr, "10.0.1.2:8080");
	assert_int_equal(vs->pool->rs->next->weight, 5);
	assert_int_equal(vs->pool->rs->checks->fall, 3);
	assert_int_equal(vs->pool->rs->checks->connect_timeout_ms, 7000);
	/* what fulcrum does instead is said for each */
	assert_true(has_warning(8, "emailalert is ignored: fulcrum sends no mail"));
	assert_true(has_warning(12, "logfile is ignored: fulcrum logs to syslog"));
	assert_true(has_warning(13, "supervised is ignored"));
	assert_true(has_warning(14, "fork is ignored"));
	assert_true(has_warning(15, "execute is ignored"));
	assert_true(has_warning(17, "readdquiescent is ignored"));
	assert_true(has_warning(18, "cleanstop is ignored"));
	config_free(cfg);
}

static void test_virtual_keywords(void **state)
{
	struct config *cfg = expect_ok("fallback=10.9.9.9\n"
				       "virtual=10.0.0.1:http\n"
				       "    real=10.0.1.1->10.0.1.3 gate 2 # a range\n"
				       "    scheduler=sh\n"
				       "    persistent=600\n"
				       "    netmask=255.255.255.0\n"
				       "    httpmethod=head\n"
				       "virtual=10.0.0.1:53\n"
				       "\treal=10.0.1.1 gate\n"
				       "\tchecktype=connect\n"
				       "virtual=10.0.0.1:53\n"
				       "\tprotocol=tcp\n"
				       "\tfallback=10.8.8.8:53\n"
				       "\tops=no\n"
				       "virtual6=[2001:db8::1]:443\n"
				       "\treal6=[2001:db8::10]:443 ipip\n"
				       "\tfallback6=[::1]\n"
				       "\tnetmask=64\n"
				       "\tservice=https\n"
				       "\tvirtualhost=\"www.example.org\"\n");
	struct virtual_server *vs = cfg->vs;
	struct real_server *rs;
	unsigned n = 0;

	assert_int_equal(cfg->n_vs, 4);
	assert_addr(&vs->addr, "10.0.0.1:80");
	assert_string_equal(vs->pool->sched, "sh");
	assert_int_equal(vs->persistence_timeout, 600);
	assert_int_equal(vs->persistence_prefix, 24);
	assert_int_equal(vs->pool->n_rs, 3);
	for (rs = vs->pool->rs; rs; rs = rs->next, n++) {
		char want[32];

		snprintf(want, sizeof(want), "10.0.1.%u:80", n + 1);
		assert_addr(&rs->addr, want);
		assert_int_equal(rs->weight, 2);
		assert_int_equal(SPEC(rs->checks, http)->head, 1);
	}
	/* the global fallback without a port: the virtual's */
	assert_addr(&vs->pool->sorry->addr, "10.9.9.9:80");
	/* port 53: udp, and a connect check pings (ldirectord's rule) */
	vs = vs->next;
	assert_int_equal(vs->protocol, IPPROTO_UDP);
	assert_int_equal(vs->pool->rs->checks->type, CHECK_PING);
	assert_addr(&vs->pool->sorry->addr, "10.9.9.9:53");
	/* protocol=tcp wins over the guess; its own fallback */
	vs = vs->next;
	assert_int_equal(vs->protocol, IPPROTO_TCP);
	assert_addr(&vs->pool->sorry->addr, "10.8.8.8:53");
	assert_int_equal(vs->pool->n_rs, 0);
	vs = vs->next;
	assert_int_equal(vs->addr.family, AF_INET6);
	assert_int_equal(vs->fwd, FWD_TUN);
	assert_int_equal(vs->persistence_prefix, 64);
	assert_addr(&vs->pool->sorry->addr, "[::1]:443");
	assert_int_equal(vs->pool->rs->checks->type, CHECK_SSL_GET);
	assert_string_equal(vs->pool->rs->checks->virtualhost, "www.example.org");
	config_free(cfg);
}

static struct check_conf *checks_of(const char *body, struct config **cfg)
{
	char text[4096];

	snprintf(text, sizeof(text), "virtual=10.0.0.1:%s", body);
	*cfg = expect_ok(text);
	assert_non_null((*cfg)->vs->pool->rs);
	return (*cfg)->vs->pool->rs->checks;
}

static void test_checktypes(void **state)
{
	struct config *cfg;
	struct check_conf *k;

	k = checks_of("8080\n\treal=10.0.1.1 masq\n\tchecktype=connect\n\tcheckport=9000\n"
		      "\tchecktimeout=2\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->connect.port, 9000);
	assert_int_equal(k->connect_timeout_ms, 2000);
	config_free(cfg);

	k = checks_of("80\n\treal=10.0.1.1 gate\n\tchecktype=ping\n\tcheckcount=3\n"
		      "\tfailurecount=2\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_PING);
	assert_int_equal(k->fall, 6);
	assert_true(has_warning(4, "checkcount is deprecated"));
	config_free(cfg);

	k = checks_of("80\n\treal=10.0.1.1:80 gate\n\tchecktype=external\n"
		      "\tcheckcommand=\"/usr/local/bin/chk -v\"\n\tchecktimeout=4\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_MISC);
	/* ldirectord's order: VIP VPORT RIP RPORT */
	assert_string_equal(SPEC(k, misc)->misc_path,
			    "/usr/local/bin/chk -v 10.0.0.1 80 10.0.1.1 80");
	assert_int_equal(SPEC(k, misc)->misc_timeout_ms, 4000);
	config_free(cfg);

	k = checks_of("80\n\treal=10.0.1.1 gate\n\tchecktype=external-perl\n", &cfg);
	assert_string_equal(SPEC(k, misc)->misc_path, "/bin/true 10.0.0.1 80 10.0.1.1 80");
	assert_true(has_warning(1, "external-perl"));
	config_free(cfg);

	k = checks_of("80\n\treal=10.0.1.1 gate\n\tchecktype=on\n", &cfg);
	assert_null(k);
	assert_int_equal(cfg->vs->pool->rs->weight, 1);
	config_free(cfg);

	k = checks_of("80\n\treal=10.0.1.1 gate 3\n\tchecktype=off\n", &cfg);
	assert_null(k);
	assert_int_equal(cfg->vs->pool->rs->weight, 0);
	assert_true(has_warning(1, "checktype=off"));
	config_free(cfg);

	/* N: a connect every checkinterval, the negotiate every N+1 */
	k = checks_of("80\n\treal=10.0.1.1 gate\n\tchecktype=3\n\tcheckinterval=5\n", &cfg);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->delay_loop_ms, 5000);
	assert_int_equal(k->next->type, CHECK_HTTP_GET);
	assert_int_equal(k->next->delay_loop_ms, 20000);
	assert_true(has_warning(1, "checktype=3"));
	config_free(cfg);
}

static void test_services(void **state)
{
	struct config *cfg;
	struct check_conf *k;

	/* guessed from the virtual's port */
	k = checks_of("25\n\treal=10.0.1.1 gate\n", &cfg);
	assert_int_equal(k->type, CHECK_SMTP);
	config_free(cfg);
	k = checks_of("443\n\treal=10.0.1.1 gate\n", &cfg);
	assert_int_equal(k->type, CHECK_SSL_GET);
	assert_string_equal(SPEC(k, http)->urls->path, "/");
	config_free(cfg);
	k = checks_of("8080\n\treal=10.0.1.1 gate\n", &cfg);
	assert_null(k); /* none: always up */
	config_free(cfg);

	k = checks_of("110\n\treal=10.0.1.1 masq\n\tlogin=\"u\"\n\tpasswd=\"p\"\n", &cfg);
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_string_equal(SPEC(k, expect)->expect, "^\\+OK");
	assert_null(SPEC(k, expect)->send);
	assert_int_equal(SPEC(k, expect)->tls, 0);
	assert_true(has_warning(1, "service=pop: login/passwd are not tried"));
	config_free(cfg);
	k = checks_of("993\n\treal=10.0.1.1 masq\n", &cfg);
	assert_string_equal(SPEC(k, expect)->expect, "^\\* OK");
	assert_int_equal(SPEC(k, expect)->tls, 1);
	config_free(cfg);

	k = checks_of("7000\n\treal=10.0.1.1 masq\n\tservice=simpletcp\n"
		      "\trequest=\"PING\\nx\\t\"\n\treceive=\"^PONG\"\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_string_equal(SPEC(k, expect)->send, "PING\nx\\t"); /* only \n, as ldirectord */
	assert_string_equal(SPEC(k, expect)->expect, "^PONG");
	config_free(cfg);

	k = checks_of("53\n\treal=10.0.1.1 masq\n\trequest=\"www.example.org\"\n"
		      "\treceive=\"10.1.1.1\"\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_DNS);
	assert_string_equal(SPEC(k, dns)->dns_name, "www.example.org");
	assert_string_equal(SPEC(k, dns)->dns_type, "A");
	assert_true(has_warning(1, "is not compared"));
	config_free(cfg);

	/* mysql: MYSQL_CHECK logs in with login/passwd/database, any role */
	k = checks_of("3306\n\treal=10.0.1.1 gate\n\tlogin=\"readuser\"\n\tpasswd=\"pw\"\n"
		      "\tdatabase=\"portal\"\n\trequest=\"SELECT 1\"\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_MYSQL);
	assert_string_equal(SPEC(k, mysql)->user, "readuser");
	assert_string_equal(SPEC(k, mysql)->password, "pw");
	assert_string_equal(SPEC(k, mysql)->dbname, "portal");
	assert_int_equal(SPEC(k, mysql)->role, MY_ROLE_ANY);
	assert_true(has_warning(1, "request is not run"));
	assert_false(has_warning(1, "issue 13"));
	config_free(cfg);

	k = checks_of("1521\n\treal=10.0.1.1 gate\n\tlogin=\"readuser\"\n", &cfg);
	assert_int_equal(k->type, CHECK_TCP);
	assert_true(has_warning(1, "issue 13"));
	config_free(cfg);

	/* pgsql: PGSQL_CHECK logs in with login/passwd/database, any role */
	k = checks_of("5432\n\treal=10.0.1.1 gate\n\tlogin=\"reader\"\n\tpasswd=\"pw\"\n"
		      "\tdatabase=\"portal\"\n",
		      &cfg);
	assert_int_equal(k->type, CHECK_PGSQL);
	assert_string_equal(SPEC(k, pgsql)->user, "reader");
	assert_string_equal(SPEC(k, pgsql)->password, "pw");
	assert_string_equal(SPEC(k, pgsql)->dbname, "portal");
	assert_int_equal(SPEC(k, pgsql)->role, PG_ROLE_ANY);
	assert_false(has_warning(1, "issue 13"));
	config_free(cfg);

	k = checks_of("5060\n\treal=10.0.1.1 gate\n\tlogin=\"probe@x\"\n", &cfg);
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_non_null(strstr(SPEC(k, expect)->send, "OPTIONS sip:probe@x SIP/2.0\r\n"));
	config_free(cfg);
	k = checks_of("5060\n\tprotocol=udp\n\treal=10.0.1.1 gate\n", &cfg);
	assert_int_equal(k->type, CHECK_UDP);
	assert_int_equal(SPEC(k, udp)->require_reply, 1);
	assert_int_equal(strncmp(SPEC(k, udp)->payload, "4f5054494f4e53", 14), 0); /* OPTIONS */
	config_free(cfg);

	/* http_proxy: the absolute URL goes to the proxy as it is */
	k = checks_of("3128\n\treal=10.0.1.1 gate\n\trequest=\"http://www.example.org/\"\n", &cfg);
	assert_string_equal(SPEC(k, http)->urls->path, "http://www.example.org/");
	config_free(cfg);
}

static void test_real_request_receive(void **state)
{
	struct config *cfg = expect_ok("virtual=10.0.0.1:80\n"
				       "\treal=10.0.1.1 gate 1 \"/a.html\", \"ok\"\n"
				       "\treal=10.0.1.2 gate \"http://10.0.2.2:8080/b\" \"fine\"\n"
				       "\treal=10.0.1.3 gate\n"
				       "\trequest=\"main.html\"\n"
				       "\treceive=\"main\"\n");
	struct real_server *rs = cfg->vs->pool->rs;
	struct check_url *u;

	u = SPEC(rs->checks, http)->urls;
	assert_string_equal(u->path, "/a.html");
	assert_string_equal(u->regex, "ok");
	rs = rs->next;
	u = SPEC(rs->checks, http)->urls;
	assert_string_equal(u->path, "/b");
	assert_string_equal(u->regex, "fine");
	assert_addr(&rs->checks->connect, "10.0.2.2:8080");
	rs = rs->next;
	u = SPEC(rs->checks, http)->urls;
	assert_string_equal(u->path, "/main.html");
	assert_string_equal(u->regex, "main");
	config_free(cfg);
}

static void test_comments_and_quotes(void **state)
{
	struct config *cfg = expect_ok("checktimeout=3 # seconds\n"
				       "virtual=10.0.0.1:80   # the web\n"
				       "\treal=10.0.1.1:80 gate 2 # gate, weight 2\n"
				       "\treceive=\"a#b\" # the # inside quotes stays\n"
				       "    # an indented comment\n"
				       "\n"
				       "\tservice=http\n");
	struct check_conf *k = cfg->vs->pool->rs->checks;

	assert_int_equal(cfg->vs->pool->rs->weight, 2);
	assert_string_equal(SPEC(k, http)->urls->regex, "a#b");
	assert_int_equal(k->connect_timeout_ms, 3000);
	config_free(cfg);
}

static void test_errors(void **state)
{
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate\n\treal=10.0.1.2 masq\n", 3,
		     "forwarding method masq differs from the gate of line 2: fulcrum serves a "
		     "virtual service with one method");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate\n\tfallback=127.0.0.1 masq\n", 3,
		     "fallback method masq differs from the real servers' (gate)");
	expect_error("virtual=10.0.0.1:80\n\tschedular=rr\n", 2,
		     "unknown keyword 'schedular' (did you mean 'scheduler'?)");
	expect_error("chektimeout=3\n", 1,
		     "unknown keyword 'chektimeout' (did you mean 'checktimeout'?)");
	expect_error("virtual=10.0.0.1:80\n\tchecktype=smart\n", 2, "checktype must be");
	expect_error("virtual=10.0.0.1:80\n\treal6=[::1]:80 gate\n", 2,
		     "cannot specify \"real6\" in a virtual section: use \"real\"");
	expect_error("virtual=5\n\treal=10.0.1.1 gate\n", 1,
		     "virtual=5: firewall-mark virtual services are not supported by fulcrum yet");
	expect_error("virtual=www.example.org:80\n", 1,
		     "is a host name: fulcrum reads IP addresses");
	expect_error("virtual=10.0.0.1\n", 1, "needs a port");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 route\n", 2,
		     "forward method must be gate, masq or ipip");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate 1 \"/x\"\n", 2,
		     "two quoted strings");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.9->10.0.1.1 gate\n", 2,
		     "the first address is above the last");
	expect_error(
	    "real=10.0.1.1 gate\n", 1,
	    "'real' belongs to a virtual service: write it indented under a virtual= line");
	expect_error("virtual=10.0.0.1:80\n\treceive=\xe2\x80\x9c"
		     "centos\"\n",
		     2, "typographic quote");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate\n\thttpmethod=HEAD\n"
		     "\treceive=\"x\"\n",
		     2, "httpmethod=HEAD with receive");
	expect_error("virtual=10.0.0.1:80\n\treceive=\"(\"\n", 2, "receive \"(\": missing closing");
	expect_error("timeout=3\n", 1, "timeout directive deprecated");
	expect_error("virtual=10.0.0.1:80\n\treceive=\"\"\n", 2, "receive: empty value");
	expect_error("virtual=10.0.0.1:80\n\tconnecttimeout=3\n", 2, "connecttimeout directive");
	expect_error("quiescent=maybe\n", 1, "quiescent must be 'yes' or 'no'");
	expect_error("maintenancedir=maint\n", 1, "is not an absolute path");
	expect_error("checktimeout=0\n", 1, "checktimeout: '0' is not a number in 1..3600");
	expect_error("virtual=10.0.0.1:80\n\tprotocol=sctp\n", 2, "protocol must be tcp or udp");
	expect_error("virtual=10.0.0.1:80\n\tnetmask=255.0.255.0\n", 2, "this mask is not one");
	expect_error("virtual=10.0.0.1:80\n\tscheduler=fastest\n", 2, "unknown scheduler");
	expect_error("virtual=10.0.0.1:80\nvirtual=10.0.0.1:80\n", 2,
		     "duplicate virtual service 10.0.0.1:80 TCP (first at ld.cf:1)");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate\n\treal=10.0.1.1:80 gate\n", 3,
		     "duplicate real server 10.0.1.1:80");
	expect_error("virtual=10.0.0.1:80\n\treal=10.0.0.1 masq\n", 2, "connections would loop");
	expect_error("virtual=10.0.0.1:80\n\tfallback6=[::1]:80\n", 2, "use \"fallback\"");
	expect_error("virtual6=10.0.0.1:80\n", 1, "an IPv6 address is written in brackets");
	expect_error("virtual6=[10.0.0.1]:80\n", 1,
		     "10.0.0.1 is an IPv4 address; this line takes IPv6");
	expect_error("virtual=10.0.0.1:80\nreal 10.0.1.1 gate\n", 2, "expected keyword=value");
	expect_error("virtual=10.0.0.1:nosuchservice\n", 1, "is not a number nor a tcp service");
}

static void test_gate_port(void **state)
{
	/* LVS-DR cannot map ports: the virtual's, with a warning */
	struct config *cfg = expect_ok("virtual=10.0.0.1:80\n\treal=10.0.1.1:8080 gate\n"
				       "\tfallback=127.0.0.1:81\n");

	assert_addr(&cfg->vs->pool->rs->addr, "10.0.1.1:80");
	assert_true(has_warning(2, "LVS-DR/TUN cannot change the port"));
	assert_addr(&cfg->vs->pool->sorry->addr, "127.0.0.1:80");
	config_free(cfg);
}

static void test_global_keyword_indented(void **state)
{
	struct config *cfg = expect_ok("virtual=10.0.0.1:80\n\treal=10.0.1.1 gate\n"
				       "\tautoreload=yes\n");

	assert_int_equal(cfg->global.autoreload, 1);
	assert_true(has_warning(3, "'autoreload' is a global keyword: read as global"));
	config_free(cfg);
}

static void test_virtual_accepted_not_served(void **state)
{
	struct config *cfg = expect_ok("virtual=10.0.0.1:1812\n"
				       "\treal=10.0.1.1 gate\n"
				       "\tprotocol=udp\n"
				       "\tops=yes\n"
				       "\tmonitorfile=\"/var/log/ld.mon\"\n"
				       "\tload=\"x\"\n"
				       "\tsecret=\"s3\"\n"
				       "\tlogin=\"u\"\n"
				       "\tpasswd=\"p\"\n"
				       "\tcheckinterval=4\n"
				       "\temailalert=\"a@b\"\n"
				       "\tsmtp=10.0.0.25\n");
	struct check_conf *k = cfg->vs->pool->rs->checks;

	assert_true(has_warning(4, "ops (one-packet scheduling) is ignored"));
	assert_true(has_warning(5, "monitorfile is ignored"));
	assert_true(has_warning(6, "load is ignored"));
	assert_true(has_warning(11, "emailalert is ignored"));
	assert_true(has_warning(12, "smtp is ignored"));
	/* ldirectord ignores a virtual's checkinterval without fork=yes; fulcrum
	 * applies it and says so */
	assert_true(has_warning(10, "checkinterval in a virtual section: applied by fulcrum"));
	assert_int_equal(cfg->vs->pool->delay_loop_ms, 4000);
	/* radius over udp: a ping until issue 13 */
	assert_int_equal(k->type, CHECK_PING);
	assert_int_equal(k->delay_loop_ms, 4000);
	assert_true(has_warning(1, "service=radius: checked by a ping"));
	config_free(cfg);
}

static void test_probe(void **state)
{
	const char *ld = seed004, *ka = "virtual_server 10.0.0.1 80 {\n}\n";
	const char *ha = "# x\nglobal\n    daemon\nfrontend www\n    bind :80\n";
	struct config *cfg;

	assert_int_equal(conf_reader_ldirectord.probe(ld, strlen(ld)), 100);
	assert_int_equal(conf_reader_ldirectord.probe("checktimeout=3\n", 15), 60);
	assert_int_equal(conf_reader_ldirectord.probe(ka, strlen(ka)), 0);
	assert_int_equal(conf_reader_ldirectord.probe("virtual=1.2.3.4:80 {\n", 21), 0);
	assert_int_equal(conf_reader_ldirectord.probe("virtual=1.2.3.4:80 # {\n", 23), 100);
	assert_int_equal(conf_reader_ldirectord.probe("virtual=1.2.3.4:80\n\trequest=\"{}\"\n", 33),
			 100);
	assert_int_equal(conf_reader_ldirectord.probe(ha, strlen(ha)), 0);
	assert_ptr_equal(conf_reader_probe(ld, strlen(ld)), &conf_reader_ldirectord);
	assert_ptr_equal(conf_reader_probe(ka, strlen(ka)), &conf_reader_keepalived);
	assert_ptr_equal(conf_reader_find("ldirectord"), &conf_reader_ldirectord);
	/* haproxy.cfg: its own reader's */
	assert_ptr_equal(conf_reader_probe(ha, strlen(ha)), &conf_reader_haproxy);
	diag_reset();
	cfg = conf_load_string("h.cfg", ha, strlen(ha), &diag);
	assert_non_null(cfg);
	assert_int_equal(cfg->n_vs, 1);
	config_free(cfg);
}

/* pacemaker_* and real_server_script (issue 15): keepalived's
 * pacemaker_real_servers keywords in ldirectord's key = value style, into
 * the same model; the source's servers get the section's checks. */
static void test_servers_from_the_cluster(void **state)
{
	struct config *cfg = expect_ok(
	    "checktimeout=3\n"
	    "virtual=192.0.2.237:5432\n"
	    "\treal=192.0.2.50:5432 gate\n"
	    "\tpacemaker_resource = lvsdr-realsvr-clone\n"
	    "\tpacemaker_attribute = pgsql-status \"HS:sync|HS:potential|HS:async\"\n"
	    "\tpacemaker_weight = node1:2 node2,3\n"
	    "\tpacemaker_default_weight = 4\n"
	    "\tpacemaker_address = node1:192.0.2.11 node6:fd00::6\n"
	    "\tpacemaker_port = 6432\n"
	    "\tpacemaker_interval = 0.5\n"
	    "\tpacemaker_crm_mon = /usr/sbin/crm_mon\n"
	    "\tchecktype = connect\n"
	    "\tforward = gate\n"
	    "virtual=192.0.2.237:80\n"
	    "\treal_server_script = \"/usr/local/bin/list-web -a\" 5\n"
	    "\tchecktype = on\n"
	    "virtual=192.0.2.237:81\n"
	    "\treal_server_script = /usr/local/bin/list-web\n");
	const struct pool_source *s = cfg->vs->pool->source;
	struct fc_addr six;

	assert_non_null(s);
	assert_int_equal(s->kind, SRC_PACEMAKER);
	assert_string_equal(s->resource, "lvsdr-realsvr-clone");
	assert_string_equal(s->attr_name, "pgsql-status");
	assert_string_equal(s->attr_regex, "HS:sync|HS:potential|HS:async");
	assert_int_equal(pool_source_weight(s, "node1"), 2);
	assert_int_equal(pool_source_weight(s, "node2"), 3);
	assert_int_equal(pool_source_weight(s, "node9"), 4);
	assert_int_equal(addr_parse_ip("192.0.2.11", &six, NULL, 0), 0);
	assert_true(addr_equal(pool_source_addr(s, "node1"), &six));
	assert_int_equal(addr_parse_ip("fd00::6", &six, NULL, 0), 0);
	assert_true(addr_equal(pool_source_addr(s, "node6"), &six));
	assert_int_equal(s->port, 6432);
	assert_int_equal(s->interval_ms, 500);
	assert_string_equal(s->crm_mon, "/usr/sbin/crm_mon");
	assert_int_equal(s->line, 4);
	/* the file's real= stays beside it; the source's servers are checked
	 * as it is: a connect, checktimeout 3 s, on each server's own port */
	assert_int_equal(cfg->vs->pool->n_rs, 1);
	assert_int_equal(cfg->vs->fwd, FWD_DR);
	assert_int_equal(cfg->vs->next->fwd, FWD_NAT); /* no real=, no forward= */
	assert_non_null(s->checks);
	assert_int_equal(s->checks->type, CHECK_TCP);
	assert_int_equal(s->checks->connect_timeout_ms, 3000);
	assert_int_equal(s->checks->connect.port, 0);
	assert_null(s->checks->next);
	s = cfg->vs->next->pool->source;
	assert_int_equal(s->kind, SRC_SCRIPT);
	assert_string_equal(s->script, "/usr/local/bin/list-web -a");
	assert_int_equal(s->interval_ms, 5000);
	assert_null(s->checks); /* checktype=on: always up */
	s = cfg->vs->next->next->pool->source;
	assert_string_equal(s->script, "/usr/local/bin/list-web");
	assert_int_equal(s->interval_ms, 1000);
	config_free(cfg);
}

static void test_servers_from_the_cluster_refused(void **state)
{
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_weight = node1\n", 2,
		     "pacemaker_weight: 'node1' is not NODE:WEIGHT");
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_weight = node1:70000\n", 2, "weight:");
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_address = node1:n1.example\n", 2, "");
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_attribute = pgsql-status\n", 2,
		     "pacemaker_attribute: NAME REGEX");
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_attribute = a ((\n", 2,
		     "attribute: bad regex");
	expect_error("virtual=10.0.0.1:80\n\tpacemaker_resourse = r\n", 2,
		     "unknown keyword 'pacemaker_resourse' (did you mean 'pacemaker_resource'?)");
	expect_error("virtual=10.0.0.1:80\n\treal_server_script = /bin/true 0\n", 2,
		     "real_server_script: interval 0 is below 0.1 s");
	expect_error("virtual=10.0.0.1:80\n\treal_server_script = /bin/true\n"
		     "\tpacemaker_resource = r\n",
		     3,
		     "a virtual section takes one source of servers: real_server_script given "
		     "at ld.cf:2 already");
	expect_error("virtual=10.0.0.1:80\n\treal_server_script = /bin/true\n"
		     "\tchecktype = external\n",
		     2, "checktype=external is not served for servers from the cluster");
	expect_error("virtual=10.0.0.1:80\n\tforward = route\n", 2,
		     "forward method must be gate, masq or ipip, not 'route'");
	expect_error("virtual=10.0.0.1:80\n\tforward = gate\n\treal=10.0.1.1 masq\n", 3,
		     "forwarding method masq differs from the gate of line 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed004_leniency),
	    cmocka_unit_test(test_indented_sample),
	    cmocka_unit_test(test_globals),
	    cmocka_unit_test(test_virtual_keywords),
	    cmocka_unit_test(test_checktypes),
	    cmocka_unit_test(test_services),
	    cmocka_unit_test(test_real_request_receive),
	    cmocka_unit_test(test_comments_and_quotes),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_gate_port),
	    cmocka_unit_test(test_global_keyword_indented),
	    cmocka_unit_test(test_virtual_accepted_not_served),
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_servers_from_the_cluster),
	    cmocka_unit_test(test_servers_from_the_cluster_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
