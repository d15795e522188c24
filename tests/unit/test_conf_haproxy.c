/* The haproxy.cfg reader (src/conf/haproxy*.c): the language (words,
 * quotes, ${ENV}, .if blocks, units), every section, defaults and their
 * inheritance, the keywords and what they become in the model (services,
 * pools, servers, checks, schedulers), the refusals and warnings at
 * file:line.  Files others wrote (seed 003, the vtc blocks):
 * test_conf_haproxy_files.c. */
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
#include "model/source.h"

#define SPEC(k, name) ((struct check_##name##_conf *)(k)->spec)

#define HARNESS_FILE "h.cfg"
#define HARNESS_READER conf_reader_haproxy
#include "reader_harness.h"

static void expect_warning(int line, const char *want)
{
	if (!said('W', line, want))
		fail_msg("wanted a warning \"h.cfg:%d: ...%s\", got:\n%s", line, want, msgs);
}

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

	/* `no log` drops the defaults' targets; tcp timeouts on the service */
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
	assert_int_equal(cfg->vs->idle_timeout_ms, 40000);
	assert_int_equal(cfg->vs->connect_retries, 1);
	assert_int_equal(cfg->vs->next->idle_timeout_ms, 3600000);
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
	expect_error("global\n    uid 99\n", 2, "'uid' is not supported");
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
	expect_error("frontend f\n    bind :443 ssl crt-list /l\n", 2, "'crt-list' is not supported");
	expect_error("frontend f\n    bind :443 ssl crt /x verify required\n", 2,
		     "'verify required' is not supported");
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
	expect_error("backend b\n    server s 10.0.0.1:80 ssl verify none\n", 2,
		     "server option 'ssl' is not supported");
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
	    cmocka_unit_test(test_bind_forms),
	    cmocka_unit_test(test_servers),
	    cmocka_unit_test(test_servers_from_the_cluster),
	    cmocka_unit_test(test_balance),
	    cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_rules_handed_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
