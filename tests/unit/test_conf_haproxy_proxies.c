/* The haproxy.cfg reader (src/conf/haproxy*.c), a proxy's keywords and
 * what they become in the model: bind lines, servers (also from the
 * cluster), balance, health checks, options and the rules handed over to
 * the HTTP engine, with their refusals and warnings at file:line (split
 * from test_conf_haproxy.c, which covers the language, the sections,
 * defaults and global). */
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
#include "model/source.h"

#define SPEC(k, name) ((struct check_##name##_conf *)(k)->spec)

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

#include "haproxy_model.h"

/* ---- proxies ---- */

static void test_bind_forms(void **state)
{
	struct config *cfg;
	struct virtual_server *vs;
	char want[8][32] = {"0.0.0.0:80", "[::]:443", "127.0.0.1:8000", "127.0.0.1:8001",
			    "127.0.0.1:8002", "10.0.0.1:1", "10.0.0.2:2", "[::1]:99"};
	int i = 0;

	setenv("HCFG_FD", "7", 1);
	cfg = expect_ok("frontend f\n"
			"    bind *:80\n"
			"    bind :::443 v4v6\n"
			"    bind 127.0.0.1:8000-8002 name three thread 1\n"
			"    bind 10.0.0.1:1,10.0.0.2:2\n" /* 5 */
			"    bind [::1]:99\n"
			"    bind fd@5\n"
			"    bind \"fd@${HCFG_FD}\"\n"
			"frontend main *:81\n");
	for (vs = cfg->vs; vs && i < 8; vs = vs->next, i++) {
		assert_string_equal(fmt(&vs->addr), want[i]);
		assert_int_equal(vs->bind_fd, -1);
	}
	assert_int_equal(vs->bind_fd, 5);
	assert_int_equal(vs->next->bind_fd, 7);
	assert_string_equal(fmt(&vs->next->next->addr), "0.0.0.0:81"); /* haproxy 1.x form */
	/* no default backend: an empty pool each, named apart */
	assert_string_equal(vs->pool->name, "frontend f #9");
	assert_string_equal(vs->next->pool->name, "frontend f #10");
	assert_int_equal(vs->pool->n_rs, 0);
	assert_int_equal(cfg->n_vs, 11);
	expect_warning(3, "'v4v6' only tunes HAProxy");
	expect_warning(4, "'name three' is not used");
	expect_warning(4, "'thread 1' is not used");
	config_free(cfg);
	/* TLS (certificates loaded here are the system tests', test_https.py) */
	expect_error("frontend f\n    bind :443 ssl crt /nonexistent/x.pem\n", 2,
		     "bind: crt '/nonexistent/x.pem': No such file or directory");
	expect_error("global\n    crt-base /nonexistent\nfrontend f\n    bind :443 ssl crt x.pem\n", 4,
		     "crt '/nonexistent/x.pem'");
	expect_error("frontend f\n    bind :443 ssl\n", 2, "'ssl' needs a certificate");
	expect_error("frontend f\n    bind :443 ssl crt-list /nonexistent/l\n", 2,
		     "bind: crt-list '/nonexistent/l': No such file or directory");
	expect_error("frontend f\n    bind :443 ssl crt /x verify maybe\n", 2,
		     "verify 'maybe': none, optional or required");
	expect_error("frontend f\n    bind :443 ssl crt /x crt-ignore-err 20,300\n", 2,
		     "crt-ignore-err '20,300': 'all' or a comma-separated list");
	expect_error("frontend f\n    bind :443 ssl crt /x generate-certificates\n", 2,
		     "'generate-certificates' is not supported");
	expect_error("frontend f\n    bind :443 ssl crt /x alpn h2,,http/1.1\n", 2,
		     "a protocol name is 1 to 255 characters");
	expect_error("frontend f\n    bind :443 ssl crt /x ssl-min-ver TLS1.2\n", 2,
		     "ssl-min-ver 'TLS1.2': not a version");
	expect_error("frontend f\n    bind :443 ssl crt /x ciphers\n", 2, "'ciphers' needs a value");
	expect_error("global\n    ssl-default-bind-options ssl-max-ver X\n", 2,
		     "ssl-max-ver 'X': not a version");
	diag_reset();
	cfg = load("global\n    ssl-default-bind-options no-sslv3 foo\n"
		   "    ssl-default-bind-ciphers ECDHE+AESGCM\nfrontend f\n    bind :80 crt /x.pem\n");
	assert_non_null(cfg);
	assert_null(cfg->vs->tls); /* crt without ssl: plain */
	expect_warning(2, "ssl-default-bind-options: 'foo' is not read");
	expect_warning(5, "'crt' without 'ssl': the listener is plain HTTP");
	config_free(cfg);
	expect_error("frontend f\n    bind 1.2.3.4\n", 2, "missing port");
	expect_error("frontend f\n    bind 1.2.3.4:http\n", 2, "'http' is not a port");
	expect_error("frontend f\n    bind host.example:80\n", 2, "resolves no host names");
	expect_error("frontend f\n    bind :80 accept-proxy\n", 2,
		     "option 'accept-proxy' is not supported");
	expect_error("frontend f\n    bind /run/x.sock\n", 2, "fulcrum binds TCP addresses");
	expect_error("frontend f\n    bind fd@x\n", 2, "a file descriptor number");
	expect_error("frontend f\n    bind :80\nfrontend g\n    bind 0.0.0.0:80\n", 4,
		     "0.0.0.0:80 is bound twice (first at h.cfg:2)");
	expect_error("frontend f\n    bind :1-1000\n", 2, "bad port range");
	expect_error("backend b\n    bind :80\n", 2, "'bind' is not allowed in a backend section");
	expect_error("frontend f\n    server s 1.2.3.4:80\n", 2,
		     "'server' is not allowed in a frontend section");
	expect_error("frontend f\n    default_backend nowhere\n", 2,
		     "default_backend 'nowhere' is no backend or listen section");
}

static void test_servers(void **state)
{
	struct config *cfg = expect_ok("listen l\n"
				       "    bind :8080\n"
				       "    default-server inter 1s rise 4 maxconn 10\n"
				       "    server a 10.0.0.1 check\n"
				       "    server b 10.0.0.2:81 weight 0 check inter 5s fastinter 1s "
				       "downinter 9s rise 1 fall 2 port 9000 addr 10.0.9.9 backup "
				       "maxconn 5 maxqueue 7 slowstart 30s disabled on-marked-down "
				       "shutdown-sessions send-proxy-v2 cookie B\n"
				       "    server c [2001:db8::1]:80 send-proxy\n"
				       "    server d 2001:db8::2\n"
				       "backend other\n"
				       "    server e 10.0.0.5\n");
	struct real_server *a = srv(cfg, "l", "a"), *b = srv(cfg, "l", "b");

	/* no port: the port of the bind clients come to */
	assert_string_equal(fmt(&a->addr), "10.0.0.1:8080");
	assert_int_equal(a->hp->rise, 4);
	assert_int_equal(a->hp->maxconn, 10);
	assert_int_equal(a->checks->type, CHECK_TCP);
	assert_int_equal(a->checks->rise, 4);
	assert_int_equal(a->checks->fall, 3);
	assert_int_equal(a->checks->delay_loop_ms, 1000);
	assert_int_equal(b->weight, 0);
	assert_int_equal(b->hp->inter_ms, 5000);
	assert_int_equal(b->hp->fastinter_ms, 1000);
	assert_int_equal(b->hp->downinter_ms, 9000);
	assert_int_equal(b->hp->rise, 1);
	assert_int_equal(b->hp->fall, 2);
	assert_true(b->hp->backup);
	assert_int_equal(b->hp->maxconn, 5);
	assert_int_equal(b->hp->maxqueue, 7);
	assert_int_equal(b->hp->slowstart_ms, 30000);
	assert_true(b->hp->disabled);
	assert_int_equal(b->live->admin, RS_ADMIN_DISABLED);
	assert_true(b->hp->shutdown_on_down);
	assert_int_equal(b->hp->send_proxy, 2);
	assert_string_equal(b->hp->cookie, "B");
	assert_string_equal(fmt(&b->checks->connect), "10.0.9.9:9000");
	assert_int_equal(b->checks->delay_loop_ms, 5000);
	assert_int_equal(b->checks->rise, 1);
	assert_int_equal(b->checks->fall, 2);
	assert_int_equal(srv(cfg, "l", "c")->hp->send_proxy, 1);
	assert_string_equal(fmt(&srv(cfg, "l", "c")->addr), "[2001:db8::1]:80");
	assert_string_equal(fmt(&srv(cfg, "l", "d")->addr), "[2001:db8::2]:8080");
	/* no frontend sends clients to it: no port to take */
	assert_int_equal(srv(cfg, "other", "e")->addr.port, 0);
	config_free(cfg);
	expect_error("backend b\n    server s 10.0.0.1:80\n    server s 10.0.0.2:80\n", 3,
		     "server 's' is defined twice in 'b'");
	expect_error("backend b\n    server s web1:80\n", 2, "resolves no host names");
	expect_error("backend b\n    server s 10.0.0.1:80 track a/b\n", 2,
		     "server option 'track' is not supported");
	expect_error("backend b\n    server s 10.0.0.1:80 weight 300\n", 2, "weight: '300'");
	expect_error("backend b\n    server s 10.0.0.1:80 inter 0\n", 2, "inter must be above 0");
	expect_error("backend b\n    server s 10.0.0.1:80 inter\n", 2, "'inter' needs a value");
	expect_error("backend b\n    server s 10.0.0.1:+1\n", 2, "a relative port");
	expect_error("backend b\n    server s\n", 2, "usage: server NAME ADDRESS");
	expect_error("backend b\n    server s 10.0.0.1:80 minconn 3\n", 2,
		     "server option 'minconn' is not supported");
}

/* fulcrum-pacemaker-servers / fulcrum-server-script (issue 15): keepalived's
 * pacemaker_real_servers keywords on one backend line, into the same
 * model; the servers get the default-server in force there and its check. */
static void test_servers_from_the_cluster(void **state)
{
	struct config *cfg = expect_ok(
	    "backend b\n"
	    "    option pgsql-check user monitor\n"
	    "    default-server check inter 2s fall 2 weight 3 maxconn 9 cookie X\n"
	    "    fulcrum-pacemaker-servers resource rs-clone attribute pgsql-status "
	    "\"HS:sync|HS:async\" weight node1 2 port 5432 address node1 10.0.0.11 "
	    "address node2 10.0.0.12 interval 0.5 crm-mon /usr/sbin/crm_mon\n"
	    "    default-server no-check\n"
	    "backend s\n"
	    "    fulcrum-server-script \"/usr/local/bin/list -a\" 5\n");
	const struct pool_source *s = px(cfg, "b")->pool->source;

	assert_non_null(s);
	assert_int_equal(s->kind, SRC_PACEMAKER);
	assert_string_equal(s->resource, "rs-clone");
	assert_string_equal(s->attr_name, "pgsql-status");
	assert_string_equal(s->attr_regex, "HS:sync|HS:async");
	assert_int_equal(pool_source_weight(s, "node1"), 2);
	assert_int_equal(pool_source_weight(s, "node3"), 3); /* default-server weight */
	assert_non_null(pool_source_addr(s, "node2"));
	assert_int_equal(s->port, 5432);
	assert_int_equal(s->interval_ms, 500);
	assert_string_equal(s->crm_mon, "/usr/sbin/crm_mon");
	assert_int_equal(s->line, 4);
	/* the default-server of its line, not the later one; no cookie */
	assert_non_null(s->hp);
	assert_int_equal(s->hp->maxconn, 9);
	assert_string_equal(s->hp->cookie, "");
	assert_non_null(s->checks);
	assert_int_equal(s->checks->type, CHECK_PGSQL);
	assert_int_equal(s->checks->delay_loop_ms, 2000);
	assert_int_equal(s->checks->fall, 2);
	assert_int_equal(px(cfg, "b")->pool->n_rs, 0);
	s = px(cfg, "s")->pool->source;
	assert_int_equal(s->kind, SRC_SCRIPT);
	assert_string_equal(s->script, "/usr/local/bin/list -a");
	assert_int_equal(s->interval_ms, 5000);
	assert_null(s->checks); /* no `check` in default-server */
	config_free(cfg);
	expect_error("backend b\n    fulcrum-pacemaker-servers resource\n", 2,
		     "fulcrum-pacemaker-servers: 'resource' needs 1 value");
	expect_error("backend b\n    fulcrum-pacemaker-servers resourse r\n", 2,
		     "fulcrum-pacemaker-servers: unknown option 'resourse'");
	expect_error("backend b\n    fulcrum-pacemaker-servers weight n1 x\n", 2, "weight:");
	expect_error("backend b\n    fulcrum-pacemaker-servers attribute a ((\n", 2,
		     "attribute: bad regex");
	expect_error("backend b\n    fulcrum-server-script /bin/true\n"
		     "    fulcrum-pacemaker-servers resource r\n",
		     3,
		     "a backend takes one source of servers: fulcrum-server-script given at "
		     "h.cfg:2 already");
	expect_error("backend b\n    fulcrum-server-script /bin/true 0\n", 2,
		     "fulcrum-server-script: interval 0 is below 0.1 s");
	expect_error("frontend f\n    fulcrum-server-script /bin/true\n", 2,
		     "'fulcrum-server-script' is not allowed in a frontend section");
}

static void test_balance(void **state)
{
	static const struct {
		const char *line, *sched;
		int src;
		const char *name;
	} cases[] = {
	    {"balance roundrobin", "wrr", HP_HASH_NONE, ""},
	    {"balance static-rr", "wrr", HP_HASH_NONE, ""},
	    {"balance leastconn", "wlc", HP_HASH_NONE, ""},
	    {"balance first", "first", HP_HASH_NONE, ""},
	    {"balance source", "sh", HP_HASH_SOURCE, ""},
	    {"balance random", "random", HP_HASH_NONE, ""},
	    {"balance uri", "hash", HP_HASH_URI, ""},
	    {"balance url_param userid", "hash", HP_HASH_URL_PARAM, "userid"},
	    {"balance hdr(Host)", "hash", HP_HASH_HDR, "Host"},
	    {"balance rdp-cookie", "hash", HP_HASH_RDP_COOKIE, "mstshash"},
	    {"balance rdp-cookie(user)", "hash", HP_HASH_RDP_COOKIE, "user"},
	    {"hash-type consistent\n    balance uri", "chash", HP_HASH_URI, ""},
	    {"balance hdr(X-Id)\n    hash-type consistent", "chash", HP_HASH_HDR, "X-Id"},
	};
	char text[256];
	struct config *cfg;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_proxy *b;

		snprintf(text, sizeof(text), "backend b\n    %s\n", cases[i].line);
		cfg = expect_ok(text);
		b = px(cfg, "b");
		assert_string_equal(b->pool->sched, cases[i].sched);
		assert_int_equal(b->balance.src, cases[i].src);
		assert_string_equal(b->balance.name, cases[i].name);
		config_free(cfg);
	}
	cfg = expect_ok("backend b\n    balance random(5)\nbackend c\n"
			"    balance uri whole depth 3 len 20 path-only\n");
	assert_int_equal(px(cfg, "b")->balance.random_draws, 5);
	assert_true(px(cfg, "c")->balance.uri_whole);
	assert_true(px(cfg, "c")->balance.uri_path_only);
	assert_int_equal(px(cfg, "c")->balance.uri_depth, 3);
	assert_int_equal(px(cfg, "c")->balance.uri_len, 20);
	config_free(cfg);
	expect_error("backend b\n    balance fastest\n", 2, "balance 'fastest' is not supported");
	expect_error("backend b\n    balance hdr\n", 2, "balance 'hdr' is not supported");
	expect_error("backend b\n    balance uri sideways\n", 2, "unexpected 'sideways'");
	expect_error("backend b\n    balance leastconn now\n", 2, "takes no option");
	expect_error("backend b\n    hash-type ring\n", 2, "usage: hash-type");
	expect_error("frontend f\n    balance uri\n", 2, "not allowed in a frontend section");
}

static void test_checks(void **state)
{
	struct config *cfg = expect_ok("defaults\n"
				       "    timeout connect 1s\n"
				       "    timeout check 2s\n"
				       "backend h\n"
				       "    server s 10.0.0.1:80 check\n" /* before the option */
				       "    option httpchk GET /health HTTP/1.1\n"
				       "    http-check expect status 200,204\n"
				       "backend h2\n"
				       "    option httpchk\n"
				       "    server s 10.0.0.1:80 check\n" /* 10 */
				       "backend h3\n"
				       "    option httpchk\n"
				       "    http-check send meth GET uri /ping ver HTTP/1.1 hdr Host "
				       "www.example\n"
				       "    http-check expect ! rstring ^fail\n"
				       "    server s 10.0.0.1:80 check\n" /* 15 */
				       "backend h4\n"
				       "    option httpchk HEAD * HTTP/1.1\\r\\nHost:\\ www\n"
				       "    http-check expect rstatus ^3\n"
				       "    server s 10.0.0.1:80 check\n"
				       "backend t\n" /* 20 */
				       "    option tcp-check\n"
				       "    tcp-check connect port 2525\n"
				       "    tcp-check send HELO\\ x\\r\\n\n"
				       "    tcp-check expect string 250\n"
				       "    server s 10.0.0.1:25 check\n" /* 25 */
				       "backend r\n"
				       "    option redis-check\n"
				       "    server s 10.0.0.1:6379 check\n"
				       "backend m\n"
				       "    option smtpchk\n" /* 30 */
				       "    server s 10.0.0.1:25 check\n"
				       "backend pg\n"
				       "    option pgsql-check user monitor\n"
				       "    server s 10.0.0.1:5432 check\n"
				       "backend my\n" /* 35 */
				       "    option mysql-check user haproxy post-41\n"
				       "    server s 10.0.0.1:3306 check\n"
				       "backend off\n"
				       "    option httpchk\n"
				       "    no option httpchk\n" /* 40 */
				       "    server s 10.0.0.1:80 check\n"
				       "backend my2\n"
				       "    option mysql-check\n"
				       "    server s 10.0.0.1:3306 check\n");
	struct check_conf *k;
	struct check_url *u;

	k = srv(cfg, "h", "s")->checks;
	assert_int_equal(k->type, CHECK_HTTP_GET);
	u = SPEC(k, http)->urls;
	assert_string_equal(u->path, "/health");
	/* the request as haproxy 2.6 writes it */
	assert_string_equal(SPEC(k, http)->raw_req, "GET /health HTTP/1.1\r\nconnection: close\r\n\r\n");
	assert_true(u->status_ok[200 / 8] & (1 << (200 % 8)));
	assert_true(u->status_ok[204 / 8] & (1 << (204 % 8)));
	assert_false(u->status_ok[201 / 8] & (1 << (201 % 8)));
	/* min(timeout connect, inter) + timeout check */
	assert_int_equal(k->connect_timeout_ms, 3000);
	assert_int_equal(k->rise, 2);
	assert_int_equal(k->fall, 3);
	assert_int_equal(k->delay_loop_ms, 2000);

	k = srv(cfg, "h2", "s")->checks;
	u = SPEC(k, http)->urls;
	assert_string_equal(u->path, "/");
	/* without expect: 2xx and 3xx, as haproxy */
	assert_true(u->status_ok[302 / 8] & (1 << (302 % 8)));
	assert_true(u->status_ok[200 / 8] & (1 << (200 % 8)));
	assert_false(u->status_ok[404 / 8] & (1 << (404 % 8)));

	k = srv(cfg, "h3", "s")->checks;
	u = SPEC(k, http)->urls;
	assert_false(SPEC(k, http)->head);
	assert_string_equal(u->path, "/ping");
	assert_string_equal(SPEC(k, http)->raw_req,
			    "GET /ping HTTP/1.1\r\nhost: www.example\r\nconnection: close\r\n\r\n");
	assert_string_equal(u->regex, "^fail");
	assert_true(u->regex_no_match);

	k = srv(cfg, "h4", "s")->checks;
	u = SPEC(k, http)->urls;
	assert_true(SPEC(k, http)->head);
	assert_string_equal(u->path, "*");
	assert_string_equal(SPEC(k, http)->raw_req, "HEAD * HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n");
	assert_true(u->status_ok[301 / 8] & (1 << (301 % 8)));
	assert_false(u->status_ok[200 / 8] & (1 << (200 % 8)));

	k = srv(cfg, "t", "s")->checks;
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_int_equal(k->connect.port, 2525);
	assert_string_equal(SPEC(k, expect)->send, "HELO x\\r\\n");
	assert_string_equal(SPEC(k, expect)->expect, "250");

	k = srv(cfg, "r", "s")->checks;
	assert_int_equal(k->type, CHECK_EXPECT);
	assert_string_equal(SPEC(k, expect)->send, "PING\\r\\n");
	assert_string_equal(SPEC(k, expect)->expect, "^\\+PONG");

	assert_int_equal(srv(cfg, "m", "s")->checks->type, CHECK_SMTP);
	k = srv(cfg, "pg", "s")->checks;
	assert_int_equal(k->type, CHECK_PGSQL);
	assert_string_equal(SPEC(k, pgsql)->user, "monitor");
	assert_true(SPEC(k, pgsql)->startup_only); /* haproxy's meaning */
	k = srv(cfg, "my", "s")->checks;
	assert_int_equal(k->type, CHECK_MYSQL);
	assert_string_equal(SPEC(k, mysql)->user, "haproxy");
	assert_false(SPEC(k, mysql)->handshake_only);
	k = srv(cfg, "my2", "s")->checks; /* no user: the greeting only, as haproxy */
	assert_int_equal(k->type, CHECK_MYSQL);
	assert_true(SPEC(k, mysql)->handshake_only);
	assert_int_equal(srv(cfg, "off", "s")->checks->type, CHECK_TCP);
	config_free(cfg);

	expect_error("backend b\n    option pgsql-check\n", 2, "usage: option pgsql-check user");
	expect_error("backend b\n    http-check expect status 200\n    http-check expect status 204\n",
		     3, "one http-check expect per backend");
	expect_error("backend b\n    http-check expect body x\n", 2,
		     "http-check expect 'body' is not supported");
	expect_error("backend b\n    option httpchk\n    http-check expect status 2x\n", 3,
		     "not a status");
	expect_error("backend b\n    http-check expect rstatus (\n", 2,
		     "not a regular expression");
	expect_error("backend b\n    tcp-check send-binary 0g\n", 2, "is not hex");
	expect_error("backend b\n    tcp-check expect ! string x\n", 2, "negated expect");
	expect_error("frontend f\n    option httpchk\n", 2, "'option httpchk' is for backends");
	expect_error("backend b\n    option ldap-check\n", 2, "'option ldap-check' is not supported");
	expect_error("defaults\n    option h1-case-adjust-bogus-client\n", 2, "header names in lower case");
	expect_error("backend b\n    option h1-case-adjust-bogus-server\n", 2, "header names in lower case");
}

static void test_options(void **state)
{
	struct config *cfg = expect_ok("defaults\n"
				       "    option forwardfor except 127.0.0.0/8 header X-Client "
				       "if-none\n"
				       "    option originalto header X-Dst\n"
				       "    option http-server-close\n"
				       "    option dontlognull\n" /* 5 */
				       "    option redispatch\n"
				       "    option splice-auto\n"
				       "listen a\n"
				       "    option httplog clf\n"
				       "    option abortonclose\n" /* 10 */
				       "    option http-buffer-request\n"
				       "    option log-health-checks\n"
				       "    option allbackups\n"
				       "    option tcplog\n"
				       "    no option redispatch\n" /* 15 */
				       "listen b\n"
				       "    option httpclose\n"
				       "listen c\n"
				       "    option redispatch -2\n"
				       "    option http-server-close\n"
				       "    option http-keep-alive\n" /* 20 */
				       "    no option forwardfor\n"
				       "    maxconn 100\n"
				       "    monitor-uri /alive\n"
				       "    stats enable\n"
				       "    stats uri /st\n" /* 25 */
				       "    stats realm Area\n"
				       "    stats auth admin:pw\n"
				       "    stats auth two:pw2\n"
				       "    stats refresh 10s\n"
				       "    stats hide-version\n" /* 30 */
				       "    stats admin if TRUE\n"
				       "    cookie SRV insert indirect nocache\n"
				       "    http-reuse safe\n"
				       "    backlog 100\n");
	struct http_proxy *a = px(cfg, "a"), *b = px(cfg, "b"), *c = px(cfg, "c");

	assert_true(a->options & HP_OPT_FORWARDFOR);
	assert_string_equal(a->fwdfor.header, "X-Client");
	assert_true(a->fwdfor.has_except);
	assert_string_equal(fmt(&a->fwdfor.except), "127.0.0.0:0");
	assert_int_equal(a->fwdfor.except_prefix, 8);
	assert_true(a->fwdfor.if_none);
	assert_true(a->options & HP_OPT_ORIGINALTO);
	assert_string_equal(a->origto.header, "X-Dst");
	assert_int_equal(a->conn_mode, HP_CONN_SCL);
	assert_true(a->options & HP_OPT_DONTLOGNULL);
	assert_false(a->options & HP_OPT_REDISPATCH);
	assert_true(a->options & HP_OPT_HTTPLOG);
	assert_true(a->options & HP_OPT_HTTPLOG_CLF);
	assert_true(a->options & HP_OPT_ABORTONCLOSE);
	assert_true(a->options & HP_OPT_BUFREQ);
	assert_true(a->options & HP_OPT_LOGHEALTH);
	assert_true(a->options & HP_OPT_ALLBACKUPS);
	assert_true(a->options & HP_OPT_TCPLOG);
	assert_int_equal(b->conn_mode, HP_CONN_CLO);
	assert_true(b->options & HP_OPT_REDISPATCH);
	assert_int_equal(c->conn_mode, HP_CONN_KAL);
	assert_false(c->options & HP_OPT_FORWARDFOR);
	assert_int_equal(c->maxconn, 100);
	assert_string_equal(c->monitor_uri, "/alive");
	assert_true(c->stats.enabled);
	assert_string_equal(c->stats.uri, "/st");
	assert_string_equal(c->stats.realm, "Area");
	assert_int_equal(c->stats.n_auth, 2);
	assert_string_equal(c->stats.auth[1], "two:pw2");
	assert_int_equal(c->stats.refresh_s, 10);
	assert_true(c->stats.hide_version);
	assert_true(c->stats.admin);
	assert_string_equal(c->stats.admin_cond, "if TRUE");
	assert_string_equal(c->cookie.name, "SRV");
	assert_int_equal(c->cookie.mode, HP_CK_INSERT);
	assert_true(c->cookie.indirect && c->cookie.nocache);
	expect_warning(7, "'option splice-auto' only tunes HAProxy");
	expect_warning(12, "'option log-health-checks' is not served yet");
	assert_false(said('W', 10, "abortonclose")); /* served (http_txn.c) */
	assert_false(said('W', 11, "http-buffer-request")); /* served */
	expect_warning(35, "'backlog' only tunes HAProxy");
	/* the defaults' redispatch: the last retry; `no`: none; -2 kept */
	assert_int_equal(b->redispatch_after, -1);
	assert_int_equal(a->redispatch_after, 0);
	assert_true((c->options & HP_OPT_REDISPATCH) && c->redispatch_after == -2);
	config_free(cfg);
	expect_error("backend b\n    option redispatch 2x\n", 2, "'2x' is no interval");
	expect_error("backend b\n    option redispatch 1 2\n", 2, "usage: option redispatch");
	expect_error("listen a\n    option frobnicate\n", 2, "'option frobnicate' is not supported");
	expect_error("listen a\n    option forwardfor except 10.0.0.0/40\n", 2, "'40'");
	expect_error("listen a\n    option httplog fancy\n", 2, "usage: option httplog [clf]");
	expect_error("listen a\n    mode health\n", 2, "mode 'health' is not supported");
	expect_error("listen a\n    stats auth nopassword\n", 2, "not USER:PASSWORD");
	expect_error("listen a\n    compression algo gzip\n", 2,
		     "'compression' is not supported (not a keyword fulcrum serves in a listen");
	expect_error("listen a\n    retries many\n", 2, "retries: 'many' is not a number");
	expect_error("listen a\n    cookie SRV sideways\n", 2, "cookie: unknown option 'sideways'");
	expect_error("listen a\n    no frob\n", 2, "'no' is followed by");
}

/* The rules module (src/http/rules.c) gets the rule lines with their
 * file:line, from defaults too (replayed into each proxy). */
static void test_rules_handed_over(void **state)
{
	expect_error("frontend f\n    http-request frobnicate-everything\n", 2, "frobnicate");
	expect_error("defaults\n    http-request frobnicate-everything\nfrontend f\n", 2,
		     "frobnicate");
}

/* server ... ssl: a context per server (default-server's options too),
 * none with no-ssl; the refusals at the server's line. */
static void test_server_ssl(void **state)
{
	struct config *cfg = expect_ok(
		"global\n    ssl-server-verify none\n"
		"defaults\n    mode http\n"
		"backend b\n    default-server ssl sni str(x.test) ssl-min-ver TLSv1.3\n"
		"    server a 10.0.0.1:443\n    server p 10.0.0.2:80 no-ssl\n"
		"backend c\n    option httpchk\n"
		"    server s 10.0.0.3:443 ssl verify none check check-sni c.test alpn http/1.1\n");

	assert_non_null(srv(cfg, "b", "a")->tls);
	assert_null(srv(cfg, "b", "p")->tls);
	assert_non_null(srv(cfg, "c", "s")->tls);
	assert_int_equal(srv(cfg, "c", "s")->checks->type, CHECK_SSL_GET);
	config_free(cfg);
	expect_error("defaults\n    mode http\nbackend b\n    server s 10.0.0.1:443 ssl\n", 4,
		     "verify is enabled by default but no CA file specified");
	expect_error("defaults\n    mode http\nbackend b\n    server s 10.0.0.1:443 ssl verify none "
		     "sni nofetch(a)\n",
		     4, "unknown fetch");
	expect_error("defaults\n    mode http\nbackend b\n    server s 10.0.0.1:443 ssl verify none "
		     "alpn h2\n",
		     4, "fulcrum speaks HTTP/1.1 to servers");
	expect_error("defaults\n    mode http\nbackend b\n    server s 10.0.0.1:443 ssl verify none "
		     "ssl-min-ver TLSv9\n",
		     4, "ssl-min-ver 'TLSv9'");
	expect_error("backend b\n    server s 10.0.0.1:443 ssl verify none\n", 2, "mode http only");
	expect_error("defaults\n    mode http\nbackend b\n    option tcp-check\n"
		     "    server s 10.0.0.1:443 ssl verify none check\n",
		     5, "this check over TLS (ssl or check-ssl) is not supported");
	expect_error("global\n    ca-base /nonexistent\ndefaults\n    mode http\nbackend b\n"
		     "    server s 10.0.0.1:443 ssl crl-file crl.pem ca-file ca.pem\n",
		     6, "ca-file '/nonexistent/ca.pem': No such file or directory");
	expect_error("defaults\n    mode http\nbackend b\n    server s 10.0.0.1:443 ssl ca-file "
		     "/nonexistent/ca.pem\n",
		     4, "ca-file '/nonexistent/ca.pem': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bind_forms),
	    cmocka_unit_test(test_servers),
	    cmocka_unit_test(test_server_ssl),
	    cmocka_unit_test(test_servers_from_the_cluster),
	    cmocka_unit_test(test_balance),
	    cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_rules_handed_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
