/* The haproxy.cfg reader (src/conf/haproxy*.c): the language (words,
 * quotes, ${ENV}, .if blocks, units), every section, defaults and their
 * inheritance, the global section, the refusals and warnings at
 * file:line.  What a proxy's keywords become in the model (binds,
 * servers, balance, checks, options): test_conf_haproxy_proxies.c.  Files
 * others wrote (seed 003, the vtc blocks): test_conf_haproxy_files.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "conf/conf.h"
#include "conf/reader.h"
#include "model/http_proxy.h"
#include "model/model.h"

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

#include "haproxy_model.h"

/* ---- the reader in the registry ---- */

static void test_registry_and_probe(void **state)
{
	static const char ha[] = "# comment\nglobal\n    daemon\n";
	static const char ka[] = "global_defs {\n router_id x\n}\n";

	assert_ptr_equal(conf_reader_find("haproxy"), &conf_reader_haproxy);
	assert_ptr_equal(conf_reader_probe(ha, sizeof(ha) - 1), &conf_reader_haproxy);
	assert_ptr_not_equal(conf_reader_probe(ka, sizeof(ka) - 1), &conf_reader_haproxy);
}

static void test_frontend_backend(void **state)
{
	struct config *cfg = expect_ok("frontend web\n"
				       "    bind 127.0.0.1:8080\n"
				       "    mode http\n"
				       "    default_backend app\n"
				       "backend app\n"
				       "    server a1 10.0.0.1:80\n"
				       "    server a2 10.0.0.2:8080 weight 3\n");
	struct http_proxy *fe = px(cfg, "web"), *be = px(cfg, "app");
	struct virtual_server *vs = cfg->vs;
	struct real_server *rs;

	assert_int_equal(cfg->n_vs, 1);
	assert_string_equal(fmt(&vs->addr), "127.0.0.1:8080");
	assert_int_equal(vs->fwd, FWD_PROXY);
	assert_int_equal(vs->bind_fd, -1);
	assert_ptr_equal(vs->http, fe);
	assert_int_equal(fe->cap, HP_CAP_FE);
	assert_int_equal(fe->mode, HP_MODE_HTTP);
	assert_int_equal(be->mode, HP_MODE_TCP); /* haproxy's default */
	assert_ptr_equal(fe->default_be, be);
	assert_ptr_equal(vs->pool, be->pool);
	assert_ptr_equal(be->pool->http, be);
	assert_string_equal(be->pool->name, "app");
	assert_string_equal(be->pool->sched, "wrr"); /* roundrobin, haproxy's default */
	assert_int_equal(be->pool->n_rs, 2);
	rs = srv(cfg, "app", "a1");
	assert_string_equal(fmt(&rs->addr), "10.0.0.1:80");
	assert_int_equal(rs->weight, 1);
	assert_non_null(rs->hp);
	assert_string_equal(rs->hp->cookie, ""); /* no cookie value unless given (as HAProxy) */
	assert_null(rs->checks);		   /* no `check`: always up */
	assert_int_equal(srv(cfg, "app", "a2")->weight, 3);
	assert_int_equal(be->retries, 3);
	config_free(cfg);
}

/* ---- the language ---- */

static void test_words_quotes_env(void **state)
{
	struct config *cfg;

	setenv("HCFG_T", "val", 1);
	unsetenv("HCFG_UNSET");
	cfg = expect_ok("frontend a\n"
			"    log-format \"x \\\"q\\\" ${HCFG_T} '${HCFG_T}'\"\n"
			"    monitor-uri '/x ${HCFG_T}'\n"
			"listen b\n"
			"    monitor-uri /a\\ b#c\n"
			"listen c\n"
			"    monitor-uri \"${HCFG_UNSET-dflt}\"\n"
			"listen d\n"
			"    monitor-uri ${HCFG_UNSET} /e # comment\n"
			"listen e\n"
			"    monitor-uri \"\"\n"
			"listen f\n"
			"    monitor-uri pre${HCFG_T}post\\x41\n");
	assert_string_equal(px(cfg, "a")->log_format, "x \"q\" val 'val'");
	assert_string_equal(px(cfg, "a")->monitor_uri, "/x ${HCFG_T}");
	assert_string_equal(px(cfg, "b")->monitor_uri, "/a b");
	assert_string_equal(px(cfg, "c")->monitor_uri, "dflt");
	assert_string_equal(px(cfg, "d")->monitor_uri, "/e");
	assert_string_equal(px(cfg, "e")->monitor_uri, "");
	assert_string_equal(px(cfg, "f")->monitor_uri, "prevalpostA");
	config_free(cfg);
	expect_error("frontend a\n    monitor-uri \"/x\n", 2, "unterminated double quote");
	expect_error("frontend a\n\n    monitor-uri '/x\n", 3, "unterminated single quote");
	expect_error("frontend a\n    monitor-uri ${HCFG_T\n", 2, "without its closing '}'");
}

static void test_conditions(void **state)
{
	struct config *cfg;

	setenv("HCFG_T", "val", 1);
	unsetenv("HCFG_UNSET");
	cfg = expect_ok(".if defined(HCFG_T)\n"
			"listen a\n"
			".elif 1\n"
			"listen wrong1\n"
			".endif\n"
			".if defined(HCFG_UNSET)\n"
			"listen wrong2\n"
			".elif feature(THREAD) && feature(OPENSSL) && !feature(LUA)\n"
			"listen b\n"
			".else\n"
			"listen wrong3\n"
			".endif\n"
			".if version_atleast(2.4) && !version_before(2.6) && version_before(2.6.1)\n"
			"  .if streq(${HCFG_T},val) || 0\n"
			"listen c\n"
			"  .else\n"
			"listen wrong4\n"
			"  .endif\n"
			".elif 1\n"
			"listen wrong5\n"
			".endif\n"
			".if 0\n"
			"  .if 1\n"
			"listen wrong6\n"
			"  .else\n"
			"listen wrong7\n"
			"  .endif\n"
			"  .alert never said\n"
			".endif\n"
			".if strneq(a,b) && (0 || 1)\n"
			"listen d\n"
			".endif\n"
			".warning a warning\n"
			".notice a notice\n"
			".diag not shown\n");
	assert_non_null(config_find_http_proxy(cfg, "a", HP_CAP_BE));
	assert_non_null(config_find_http_proxy(cfg, "b", HP_CAP_BE));
	assert_non_null(config_find_http_proxy(cfg, "c", HP_CAP_BE));
	assert_non_null(config_find_http_proxy(cfg, "d", HP_CAP_BE));
	assert_int_equal(cfg->n_http_proxies, 4);
	expect_warning(33, "a warning");
	expect_warning(34, "a notice");
	assert_null(strstr(msgs, "not shown"));
	assert_null(strstr(msgs, "never said"));
	config_free(cfg);
	expect_error("global\n.alert stop here\n", 2, "stop here");
	expect_error("global\n.elif 1\n", 2, "'.elif' without '.if'");
	expect_error("global\n.endif\n", 2, "'.endif' without '.if'");
	expect_error("global\n.if 1\n.else\n.else\n.endif\n", 4, "'.else' after '.else'");
	expect_error("global\n.if 1\n  daemon\n", 2, "'.if' without its '.endif'");
	expect_error("global\n.if frob(x)\n.endif\n", 2, "unknown predicate 'frob'");
	expect_error("global\n.if streq(a)\n.endif\n", 2, "streq() takes 2 arguments");
	expect_error("global\n.if yes\n.endif\n", 2, "'yes' is neither a number nor a predicate");
	expect_error("global\n.if\n.endif\n", 2, ".if needs a condition");
}

static void test_units(void **state)
{
	struct config *cfg = expect_ok("defaults\n"
				       "    timeout client 1m\n"
				       "    timeout server 10s\n"
				       "    timeout connect 500\n"
				       "    timeout queue 2h\n"
				       "    timeout tunnel 1d\n"
				       "    timeout check 100us\n"
				       "    timeout http-request 250ms\n"
				       "listen a\n");
	struct http_proxy *a = px(cfg, "a");

	assert_int_equal(a->t_client, 60000);
	assert_int_equal(a->t_server, 10000);
	assert_int_equal(a->t_connect, 500);
	assert_int_equal(a->t_queue, 7200000);
	assert_int_equal(a->t_tunnel, 86400000);
	assert_int_equal(a->t_check, 1); /* microseconds round up */
	assert_int_equal(a->t_http_request, 250);
	config_free(cfg);
	expect_error("listen a\n    timeout client 10x\n", 2, "'10x' is not a time");
	expect_error("listen a\n    timeout client 30d\n", 2, "too large");
	expect_error("listen a\n    timeout frob 1s\n", 2, "'timeout frob' is not supported");
}

/* ---- sections ---- */

static void test_defaults_inheritance(void **state)
{
	struct config *cfg = expect_ok("defaults\n"				  /* 1 */
				       "    mode http\n"
				       "    option httplog\n"
				       "    option redispatch\n"
				       "    retries 5\n"				  /* 5 */
				       "    timeout connect 4s\n"
				       "    balance leastconn\n"
				       "    default-server inter 3s fall 5 check\n"
				       "    log 127.0.0.1:5514 local0\n"
				       "defaults tcpish\n"			  /* 10 */
				       "    mode tcp\n"
				       "    timeout connect 7s\n"
				       "backend one\n"
				       "    server s 10.0.0.1:80\n"
				       "backend two from tcpish\n"		  /* 15 */
				       "    server s 10.0.0.1:80\n"
				       "defaults\n"
				       "    mode http\n"
				       "    retries 2\n"
				       "backend three\n"			  /* 20 */
				       "    no option httplog\n"
				       "frontend four from tcpish\n"
				       "    bind :9000\n");
	struct http_proxy *one = px(cfg, "one"), *two = px(cfg, "two");
	struct http_proxy *three = px(cfg, "three"), *four = px(cfg, "four");

	/* the last defaults before it (the named one is one too) */
	assert_int_equal(one->mode, HP_MODE_TCP);
	assert_int_equal(one->t_connect, 7000);
	assert_int_equal(one->retries, 3);
	assert_int_equal(two->mode, HP_MODE_TCP);
	assert_int_equal(two->t_connect, 7000);
	assert_int_equal(three->mode, HP_MODE_HTTP);
	assert_int_equal(three->retries, 2);
	assert_int_equal(three->options & HP_OPT_HTTPLOG, 0);
	assert_int_equal(four->t_connect, 7000);
	assert_ptr_equal(cfg->vs->http, four);
	assert_int_equal(cfg->vs->addr.port, 9000);
	/* the userspace proxy's own: connect and retries (no backend: its own) */
	assert_int_equal(cfg->vs->connect_timeout_ms, 7000);
	assert_int_equal(cfg->vs->connect_retries, 3);
	assert_int_equal(cfg->vs->idle_timeout_ms, 900000); /* no client/server timeout */
	config_free(cfg);

	/* a proxy straight after the first defaults takes all of it */
	cfg = expect_ok("defaults\n"
			"    mode http\n"
			"    option httplog\n"
			"    option redispatch\n"
			"    retries 5\n"
			"    balance leastconn\n"
			"    default-server inter 3s fall 5 check\n"
			"    log 127.0.0.1:5514 local0\n"
			"    log global\n"
			"backend one\n"
			"    server s 10.0.0.1:80\n"
			"    server t 10.0.0.2:80 no-check\n");
	one = px(cfg, "one");
	assert_int_equal(one->mode, HP_MODE_HTTP);
	assert_true(one->options & HP_OPT_HTTPLOG);
	assert_true(one->options & HP_OPT_REDISPATCH);
	assert_int_equal(one->retries, 5);
	assert_string_equal(one->pool->sched, "wlc");
	assert_non_null(one->logs);
	assert_int_equal(one->logs->addr.port, 5514);
	assert_int_equal(one->logs->facility, 16);
	assert_true(one->log_global);
	assert_int_equal(srv(cfg, "one", "s")->hp->inter_ms, 3000);
	assert_non_null(srv(cfg, "one", "s")->checks);
	assert_int_equal(srv(cfg, "one", "s")->checks->fall, 5);
	assert_int_equal(srv(cfg, "one", "s")->checks->delay_loop_ms, 3000);
	assert_null(srv(cfg, "one", "t")->checks);
	config_free(cfg);

	/* `log global`: the global section's targets join the proxy's own */
	cfg = expect_ok("global\n"
			"    log 127.0.0.1 local2\n"
			"defaults\n"
			"    log global\n"
			"listen a\n"
			"    log 10.0.0.9:5140 local5\n"
			"listen b\n"
			"    no log\n");
	assert_int_equal(px(cfg, "a")->logs->facility, 21);
	assert_non_null(px(cfg, "a")->logs->next);
	assert_int_equal(px(cfg, "a")->logs->next->facility, 18);
	assert_string_equal(fmt(&px(cfg, "a")->logs->next->addr), "127.0.0.1:514");
	assert_null(px(cfg, "b")->logs);
	config_free(cfg);

	/* `no log` drops the defaults' targets; tcp timeouts inherited */
	cfg = expect_ok("defaults\n"
			"    log 127.0.0.1 local0\n"
			"    timeout client 20s\n"
			"    timeout server 40s\n"
			"    retries 1\n"
			"listen a\n"
			"    no log\n"
			"    bind :7000\n"
			"listen b\n"
			"    bind :7001\n"
			"    timeout tunnel 1h\n");
	assert_null(px(cfg, "a")->logs);
	assert_non_null(px(cfg, "b")->logs);
	assert_null(px(cfg, "b")->logs->next);
	/* the relay reads the idle ones from the proxies (proxy/tcp_idle.c) */
	assert_int_equal(px(cfg, "a")->t_client, 20000);
	assert_int_equal(px(cfg, "a")->t_server, 40000);
	assert_int_equal(cfg->vs->connect_retries, 1);
	assert_int_equal(px(cfg, "b")->t_tunnel, 3600000);
	config_free(cfg);

	/* a backend ignores the default_backend of its defaults; a frontend not */
	config_free(expect_ok("defaults\n    default_backend nope\nbackend b\n"));
	expect_error("defaults\n    default_backend nope\nfrontend f\n", 2,
		     "default_backend 'nope' is no backend or listen section");
	expect_error("defaults a\nbackend b from c\n", 2, "no defaults section named 'c'");
	expect_error("backend b\nbackend b\n", 2, "has the same name as the backend at h.cfg:1");
	expect_error("frontend b\nbackend b\nbackend b\n", 3,
		     "backend 'b' has the same name as the backend at h.cfg:2");
	expect_error("frontend b\nbackend b\nlisten b\n", 3,
		     "listen 'b' has the same name as the frontend at h.cfg:1");
	cfg = expect_ok("frontend www\n    bind :80\n    default_backend www\nbackend www\n"
			"    server s 10.0.0.1:80\n");
	assert_ptr_equal(cfg->vs->pool, config_find_pool(cfg, "www"));
	config_free(cfg);
	expect_error("frontend\n", 1, "'frontend' needs a name");
	expect_error("frontend f 1.2.3.4:80 extra\n", 1, "unexpected 'extra'");
	/* resolved after the file, named at the line that wants it (once) */
	expect_error("frontend f\n    bind :80\n    use_backend nope if { path /x }\n", 3,
		     "use_backend: no backend named 'nope'");
	expect_error("defaults\n    mode http\nfrontend f\n    errorfiles nope\n", 4,
		     "errorfiles: unknown http-errors section 'nope'");
	/* a log-format is compiled at the reader, in its proxy's mode (mode
	 * tcp: no HTTP variables, as haproxy) */
	expect_error("frontend f\n    bind :80\n    log-format \"%ci %zz\"\n", 3,
		     "log-format: unknown log-format variable '%zz'");
	expect_error("defaults\n    log-format \"%ci %Ti\"\nfrontend f\n    bind :80\n", 2,
		     "log-format: format variable 'Ti' is reserved for HTTP mode");
	config_free(expect_ok("defaults\n    mode http\n    log-format \"%ci %Ti %[path]\"\n"
			      "frontend f\n    bind :80\nbackend b\n    mode tcp\n"));
}

/* Each socket keeps its own mode and level; defaults 0600 and operator. */
static void test_stats_socket_opts(void **state)
{
	struct config *cfg = expect_ok("global\n"
				       "    stats socket /run/a.sock\n"
				       "    stats socket /run/u.sock level user mode 666\n"
				       "    stats socket fd@3 level admin\n"
				       "    stats socket /run/o.sock mode 0640 level operator\n");
	const struct hp_global *g = cfg->hp_global;

	assert_int_equal(g->n_stats_sockets, 4);
	assert_string_equal(g->stats_sockets[1], "/run/u.sock");
	assert_int_equal(g->stats_opts[0].mode, 0600);
	assert_int_equal(g->stats_opts[0].level, HP_LEVEL_OPERATOR);
	assert_int_equal(g->stats_opts[1].mode, 0666);
	assert_int_equal(g->stats_opts[1].level, HP_LEVEL_USER);
	assert_int_equal(g->stats_opts[2].mode, 0600);
	assert_int_equal(g->stats_opts[2].level, HP_LEVEL_ADMIN);
	assert_int_equal(g->stats_opts[3].mode, 0640);
	assert_int_equal(g->stats_opts[3].level, HP_LEVEL_OPERATOR);
	config_free(cfg);
	expect_error("global\n    stats socket /x mode 9\n", 2, "mode '9' is not an octal mode");
}

static void test_global(void **state)
{
	struct config *cfg = expect_ok("global\n"
				       "    log 127.0.0.1 local2\n"
				       "    log /dev/log daemon info notice\n"
				       "    log stdout format raw local0\n"
				       "    chroot /var/lib/haproxy\n" /* 5 */
				       "    pidfile /run/h.pid\n"
				       "    maxconn 4000\n"
				       "    user haproxy\n"
				       "    group nogroup\n"
				       "    daemon\n" /* 10 */
				       "    stats socket /run/h.sock mode 600 level admin\n"
				       "    nbthread 4\n"
				       "    tune.bufsize 32768\n"
				       "    cpu-map auto:1/1-4 0-3\n"
				       "    stats timeout 30s\n" /* 15 */
				       "    nbproc 1\n");
	const struct hp_global *g = cfg->hp_global;
	const struct hp_log *l;

	assert_non_null(g);
	l = g->logs;
	assert_int_equal(l->kind, HP_LOG_UDP);
	assert_string_equal(fmt(&l->addr), "127.0.0.1:514");
	assert_int_equal(l->facility, 18); /* local2 */
	assert_int_equal(l->level, 7);
	l = l->next;
	assert_int_equal(l->kind, HP_LOG_UNIX);
	assert_string_equal(l->path, "/dev/log");
	assert_int_equal(l->facility, 3);
	assert_int_equal(l->level, 6);
	assert_int_equal(l->minlevel, 5);
	assert_int_equal(l->next->kind, HP_LOG_STDOUT);
	assert_string_equal(g->chroot, "/var/lib/haproxy");
	assert_string_equal(cfg->global.chroot_dir, "/var/lib/haproxy");
	assert_string_equal(cfg->global.run_as_user, "haproxy");
	assert_string_equal(cfg->global.run_as_group, "nogroup");
	assert_string_equal(g->pidfile, "/run/h.pid");
	assert_int_equal(g->maxconn, 4000);
	assert_true(g->daemon);
	assert_int_equal(g->n_stats_sockets, 1);
	assert_string_equal(g->stats_sockets[0], "/run/h.sock");
	assert_int_equal(g->stats_opts[0].mode, 0600);
	assert_int_equal(g->stats_opts[0].level, HP_LEVEL_ADMIN);
	assert_int_equal(g->nbthread, 4);
	assert_int_equal(cfg->global.nbthread, 4);
	expect_warning(13, "'tune.bufsize' only tunes HAProxy");
	expect_warning(14, "'cpu-map' only tunes HAProxy");
	expect_warning(15, "'stats timeout' only tunes HAProxy");
	config_free(cfg);
	expect_error("global\n    uid haproxy\n", 2, "'uid haproxy': not a numeric id");
	expect_error("global\n    gid 1x\n", 2, "'gid 1x': not a numeric id");
	{
		struct config *c = expect_ok("global\n    uid 200\n    gid 201\n");

		assert_string_equal(c->global.run_as_user, "200");
		assert_string_equal(c->global.run_as_group, "201");
		config_free(c);
	}
	expect_error("global\n    lua-load x.lua\n", 2, "'lua-load' is not supported in global");
	expect_error("global\n    nbthread 0\n", 2, "nbthread: '0' is not a number in 1..4096");
	expect_error("global\n    hard-stop-after soon\n", 2, "'soon' is not a time");
	expect_error("global\n    hard-stop-after\n", 2, "'hard-stop-after' takes one value");
	{
		struct config *c = expect_ok("global\n    hard-stop-after 90s\n");

		assert_int_equal(c->hp_global->hard_stop_ms, 90000);
		config_free(c);
	}
	expect_error("global\n    nbproc 2\n", 2, "fulcrum is one process");
	expect_error("global\n    log 127.0.0.1 local9\n", 2, "'local9' is not a syslog facility");
	expect_error("global\n    log 127.0.0.1 local0 loud\n", 2, "'loud' is not a level");
	expect_error("global\n    log global\n", 2, "'log global' is for proxies");
	expect_error("global\n    log ring@buf local0\n", 2, "fulcrum sends logs to");
	expect_error("global\n    stats socket /x level god\n", 2, "level 'god'");
	expect_error("global\n    chroot\n", 2, "'chroot' takes one value");
	expect_error("    daemon\n", 1, "'daemon' outside of any section");
}

static void test_sections_ignored_and_userlist(void **state)
{
	struct config *cfg = expect_ok("resolvers dns\n"
				       "    nameserver ns1 10.0.0.53:53\n"
				       "peers p\n"
				       "    peer a 10.0.0.1:1024\n"
				       "userlist admins\n" /* 5 */
				       "    group ops users alice\n"
				       "    user alice insecure-password secret\n"
				       "    user bob password $5$abc groups ops\n"
				       "mailers m\n"
				       "program p\n" /* 10 */
				       "ring r\n"
				       "cache c\n");

	expect_warning(1, "section 'resolvers' is not read");
	expect_warning(3, "section 'peers' is not read");
	expect_warning(9, "section 'mailers' is not read");
	expect_warning(10, "section 'program' is not read");
	expect_warning(11, "section 'ring' is not read");
	expect_warning(12, "section 'cache' is not read");
	{
		const struct hp_userlist *ul = config_find_userlist(cfg, "admins");
		const struct hp_user *u;

		assert_non_null(ul);
		u = ul->users;
		assert_string_equal(u->name, "alice");
		assert_string_equal(u->password, "secret");
		assert_true(u->insecure);
		assert_null(u->groups);
		u = u->next;
		assert_string_equal(u->name, "bob");
		assert_string_equal(u->password, "$5$abc");
		assert_false(u->insecure);
		assert_string_equal(u->groups, "ops");
		assert_null(u->next);
		assert_string_equal(ul->groups->name, "ops");
		assert_string_equal(ul->groups->users, "alice");
	}
	config_free(cfg);
	expect_error("userlist u\nuserlist u\n", 2, "userlist 'u' is defined twice");
	expect_error("userlist u\n    user a\n    user a\n", 3,
		     "user 'a' is defined twice in userlist 'u'");
	expect_error("userlist u\n    user bob passwd x\n", 2, "unexpected 'passwd'");
	expect_error("userlist u\n    frob\n", 2, "'frob' is not a keyword of a userlist");
	expect_error("http-errors e\n    frob x\n", 2, "'frob' is not a keyword of http-errors");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_and_probe),
	    cmocka_unit_test(test_frontend_backend),
	    cmocka_unit_test(test_words_quotes_env),
	    cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_defaults_inheritance),
	    cmocka_unit_test(test_global),
	    cmocka_unit_test(test_stats_socket_opts),
	    cmocka_unit_test(test_sections_ignored_and_userlist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
