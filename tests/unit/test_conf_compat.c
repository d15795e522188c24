/* keepalived.conf compatibility: what some keepalived release documented is
 * accepted (served, or ignored with a warning at file:line that names what
 * replaced it); values keepalived took are taken; only a keyword no
 * keepalived knew is an error.  Seed 002's two files are loaded as they are
 * (tests/data/seed002, see its README for how they were put back on lines). */
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
#include "conf/ka.h"
#include "core/sbuf.h"
#include "model/model.h"
#include "model/vrrp_model.h"

#define SEED002 "tests/data/seed002/"

/* Every diagnostic of the last load, one per line, "E " or "W " first. */
static char msgs[16384];
static struct conf_diag diag;

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static void diag_reset(void)
{
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
}

static struct config *load(const char *text)
{
	diag_reset();
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

static struct config *expect_ok(const char *text)
{
	struct config *cfg = load(text);

	if (!cfg || diag.errors)
		fail_msg("load failed:\n%s\n--- config:\n%s", msgs, text);
	return cfg;
}

static void expect_msg(const char *want)
{
	if (!strstr(msgs, want))
		fail_msg("wanted \"%s\" among:\n%s", want, msgs);
}

/* The load must fail with exactly one error, containing `want`. */
static void expect_error(const char *text, const char *want)
{
	struct config *cfg = load(text);

	if (cfg || diag.errors != 1 || !strstr(msgs, want))
		fail_msg("wanted one error containing \"%s\", got (%u errors):\n%s", want,
			 diag.errors, msgs);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open (run the unit tests from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* ---- seed 002 ---- */

/* What both files of the guide set up: VIP 192.168.244.10:8066, rr, DR,
 * persistence 50 s, two MyCAT servers checked over TCP. */
static void check_seed_vs(const struct config *cfg)
{
	const struct virtual_server *vs = cfg->vs;
	const struct real_server *rs;
	char a[ADDR_STRLEN];

	assert_int_equal(cfg->n_vs, 1);
	assert_string_equal(addr_format(&vs->addr, a, sizeof(a), 1), "192.168.244.10:8066");
	assert_string_equal(vs->pool->sched, "rr");
	assert_int_equal(vs->fwd, FWD_DR);
	assert_int_equal(vs->persistence_timeout, 50);
	assert_int_equal(vs->pool->delay_loop_ms, 6000);
	assert_int_equal(vs->pool->n_rs, 2);
	for (rs = vs->pool->rs; rs; rs = rs->next) {
		assert_int_equal(rs->weight, 1);
		assert_non_null(rs->checks);
		assert_int_equal(rs->checks->type, CHECK_TCP);
		assert_int_equal(rs->checks->connect_timeout_ms, 3000);
		assert_int_equal(rs->checks->retry, 3); /* nb_get_retry */
		assert_int_equal(rs->checks->delay_before_retry_ms, 3000);
		assert_int_equal(rs->checks->connect.port, 8066);
	}
}

static struct config *load_seed(const char *name)
{
	struct config *cfg;

	diag_reset();
	cfg = conf_load_file(name, &diag);
	if (!cfg || diag.errors)
		fail_msg("%s refused:\n%s", name, msgs);
	return cfg;
}

static void test_seed002_master(void **state)
{
	struct config *cfg = load_seed(SEED002 "keepalived01.conf");
	const struct vrrp_instance *vi = vrrp_find_instance(&cfg->vrrp, "VI_1");

	(void)state;
	/* the one keyword keepalived retired: a warning naming file:line */
	expect_msg("W " SEED002 "keepalived01.conf:31: keyword 'nat_mask' is ignored by fulcrum: "
		   "the netmask of IPVS NAT, which only Linux 2.2 used (removed in keepalived "
		   "1.2.20; nothing replaced it)\n");
	check_seed_vs(cfg);
	assert_non_null(vi);
	assert_int_equal(vi->initial, VRRP_MASTER);
	assert_int_equal(vi->priority, 100);
	assert_int_equal(vi->vrid, 51);
	assert_int_equal(vi->n_vips, 1);
	assert_string_equal(vi->ifname, "eno16777736");
	config_free(cfg);
}

static void test_seed002_backup(void **state)
{
	struct config *cfg = load_seed(SEED002 "keepalived02.conf");
	const struct vrrp_instance *vi = vrrp_find_instance(&cfg->vrrp, "VI_1");

	(void)state;
	expect_msg("W " SEED002 "keepalived02.conf:31: keyword 'nat_mask' is ignored by fulcrum");
	check_seed_vs(cfg);
	assert_non_null(vi);
	assert_int_equal(vi->initial, VRRP_BACKUP);
	assert_int_equal(vi->priority, 99);
	config_free(cfg);
}

/* The seed prints each file flattened onto one line.  Read as it stands,
 * that line is a single comment (it starts with '!'), which is why the
 * files in tests/data/seed002 have their line breaks put back. */
static void test_seed002_flattened_is_a_comment(void **state)
{
	char *text = read_file(SEED002 "keepalived01.conf");
	struct config *cfg;
	char *r, *w;

	(void)state;
	/* without its line breaks the file is the seed's line again */
	for (r = w = text; *r; r++)
		if (*r != '\n')
			*w++ = *r;
	*w = 0;
	cfg = expect_ok(text);
	assert_int_equal(cfg->n_vs, 0);
	assert_int_equal(cfg->vrrp.n_instances, 0);
	assert_int_equal(cfg->n_warnings, 0);
	config_free(cfg);
	free(text);
}

/* The guide's second step: persistence_timeout set to 0 "to see rr at
 * work".  keepalived took it as no persistence; so does fulcrum. */
static void test_seed002_persistence_zero(void **state)
{
	char *text = read_file(SEED002 "keepalived01.conf");
	char *p = strstr(text, "persistence_timeout 50");
	struct config *cfg;

	(void)state;
	assert_non_null(p);
	memcpy(p, "persistence_timeout  0", strlen("persistence_timeout 50"));
	cfg = expect_ok(text);
	assert_int_equal(cfg->vs->persistence_timeout, 0);
	assert_string_equal(cfg->vs->pool->sched, "rr");
	expect_msg("W t.conf:32: persistence_timeout 0: no persistence (as in keepalived), each "
		   "connection is scheduled on its own\n");
	config_free(cfg);
	free(text);
}

/* ---- retired keywords, one class each ---- */

/* Removed, nothing replaced it: ignored, the warning says so. */
static void test_retired_removed(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 80 {\n"
				       "  lb_kind NAT\n"
				       "  nat_mask 255.255.255.0\n"
				       "  real_server 10.0.1.1 80 {\n  }\n"
				       "}\n");

	(void)state;
	expect_msg("W t.conf:3: keyword 'nat_mask' is ignored by fulcrum: the netmask of IPVS NAT");
	expect_msg("nothing replaced it)\n");
	assert_int_equal(cfg->n_warnings, 1);
	config_free(cfg);
}

/* Moved elsewhere: ignored, the warning names where it went. */
static void test_retired_moved(void **state)
{
	struct config *cfg = expect_ok("vrrp_instance V {\n"
				       "  interface lo\n"
				       "  virtual_router_id 7\n"
				       "  lvs_sync_daemon_interface eth1\n"
				       "  native_ipv6\n"
				       "  linkbeat_use_polling\n"
				       "}\n");

	(void)state;
	expect_msg("W t.conf:4: keyword 'lvs_sync_daemon_interface' is ignored by fulcrum: "
		   "fulcrum does not run the IPVS connection sync daemon (moved to global_defs in "
		   "keepalived 1.2.20; use global_defs lvs_sync_daemon)\n");
	expect_msg("W t.conf:5: keyword 'native_ipv6' is ignored by fulcrum: the VIPs decide the "
		   "family");
	expect_msg("W t.conf:6: keyword 'linkbeat_use_polling' is ignored by fulcrum: fulcrum "
		   "follows link state over netlink (deprecated in keepalived 2.0.13; use the "
		   "linkbeat_interfaces block)\n");
	config_free(cfg);
}

/* Renamed: served under the old name as the new one. */
static void test_retired_renamed_served(void **state)
{
	struct config *cfg = expect_ok("global_defs {\n  lvs_id LVS_DEVEL\n}\n"
				       "virtual_server 10.0.0.1 80 {\n"
				       "  lb_algo wrr\n"
				       "  lb_kind TUN\n"
				       "  real_server 10.0.1.1 80 {\n"
				       "    HTTP_GET {\n      url {\n        path /\n      }\n"
				       "      nb_get_retry 4\n    }\n"
				       "  }\n"
				       "}\n");

	(void)state;
	assert_string_equal(cfg->global.router_id, "LVS_DEVEL");
	assert_string_equal(cfg->vs->pool->sched, "wrr");
	assert_int_equal(cfg->vs->fwd, FWD_TUN);
	assert_int_equal(cfg->vs->pool->rs->checks->retry, 4);
	assert_int_equal(cfg->n_warnings, 0);
	config_free(cfg);
}

/* keepalived 2.1/2.2 keywords fulcrum does not serve: warnings. */
static void test_current_unserved(void **state)
{
	struct config *cfg = expect_ok("global_defs {\n"
				       "  vrrp_cpu_affinity 1\n"
				       "  vrrp_rx_bufs_policy MTU\n"
				       "  include_check\n"
				       "}\n"
				       "interface_up_down_delays {\n  eth0 2 1\n}\n"
				       "vrrp_instance V {\n"
				       "  interface lo\n  virtual_router_id 7\n"
				       "  promote_secondaries\n"
				       "  old_unicast_checksum never\n"
				       "}\n"
				       "virtual_server 10.0.0.1 80 {\n"
				       "  snmp_name web\n"
				       "  real_server 10.0.1.1 80 {\n    snmp_name web1\n  }\n"
				       "}\n");

	(void)state;
	expect_msg("W t.conf:2: keyword 'vrrp_cpu_affinity' is ignored by fulcrum\n");
	expect_msg("W t.conf:3: keyword 'vrrp_rx_bufs_policy' is ignored by fulcrum\n");
	expect_msg("W t.conf:4: keyword 'include_check' is ignored by fulcrum\n");
	expect_msg("W t.conf:6: interface_up_down_delays: ");
	expect_msg("W t.conf:12: keyword 'promote_secondaries' is ignored by fulcrum\n");
	expect_msg("W t.conf:13: keyword 'old_unicast_checksum' is ignored by fulcrum\n");
	expect_msg("W t.conf:16: keyword 'snmp_name' is ignored by fulcrum\n");
	expect_msg("W t.conf:18: keyword 'snmp_name' is ignored by fulcrum\n");
	config_free(cfg);
}

/* The keywords issue 9 names, in the blocks keepalived documented them in:
 * all accepted. */
static void test_issue_list_accepted(void **state)
{
	struct config *cfg =
	    expect_ok("global_defs {\n  smtp_alert\n  linkbeat_use_polling\n"
		      "  lvs_sync_daemon eth0 VI_1\n}\n"
		      "vrrp_instance V {\n"
		      "  interface lo\n  virtual_router_id 7\n  version 3\n"
		      "  dont_track_primary\n  mcast_src_ip 127.0.0.1\n  native_ipv6\n"
		      "  debug 2\n  garp_master_delay 5\n  garp_master_repeat 2\n"
		      "  garp_master_refresh 60\n  garp_master_refresh_repeat 2\n"
		      "  smtp_alert\n  linkbeat_use_polling\n  lvs_sync_daemon_interface eth0\n"
		      "  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n"
		      "  virtual_ipaddress {\n    10.0.0.100\n  }\n"
		      "}\n"
		      "vrrp_sync_group G {\n  group {\n    V\n  }\n  global_tracking\n}\n"
		      "virtual_server 10.0.0.1 80 {\n"
		      "  lb_algo rr\n  lb_kind NAT\n  nat_mask 255.255.255.0\n"
		      "  persistence_timeout 0\n  persistence_granularity 255.255.255.0\n"
		      "  ha_suspend\n  ops\n  hysteresis 1\n  virtualhost www\n"
		      "  sorry_server 10.0.2.1 80\n  sorry_server_inhibit\n  warmup 1\n"
		      "  real_server 10.0.1.1 80 {\n"
		      "    notify_up /bin/true\n    notify_down /bin/true\n"
		      "    HTTP_GET {\n"
		      "      url {\n        path /\n        digest 0123456789abcdef0123456789abcdef\n"
		      "        status_code 200\n      }\n"
		      "      connect_ip 10.0.1.1\n      bindto 10.0.0.1\n      nb_get_retry 3\n"
		      "      nb_sock_retry 2\n      warmup 2\n      virtualhost w2\n"
		      "    }\n"
		      "    SMTP_CHECK {\n      helo_name me\n"
		      "      host {\n        connect_ip 10.0.1.1\n        connect_port 25\n      }\n"
		      "    }\n"
		      "    MISC_CHECK {\n      misc_path /bin/true\n      misc_timeout 3\n    }\n"
		      "  }\n"
		      "}\n");

	(void)state;
	/* a VRRPv3 instance's authentication is ignored, as keepalived does */
	expect_msg("VRRP version 3 has no authentication");
	assert_int_equal(cfg->vs->persistence_timeout, 0);
	config_free(cfg);
}

/* Every row of the retired table, in its block: accepted; an ignored row
 * warns at its line and names what replaced it. */
static const struct {
	const char *block;
	const char *fmt; /* %s = the keyword line */
} where[] = {
    {"the top level", "%s\n"},
    {"global_defs", "global_defs {\n%s\n}\n"},
    {"virtual_server", "virtual_server 10.0.0.1 80 {\n%s\n}\n"},
    {"real_server", "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n%s\n }\n}\n"},
    {"checker", "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n  TCP_CHECK {\n%s\n"
		"  }\n }\n}\n"},
    {"SMTP_CHECK", "virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n  SMTP_CHECK {\n"
		   "%s\n  }\n }\n}\n"},
    {"vrrp_instance", "vrrp_instance V {\n interface lo\n virtual_router_id 1\n%s\n}\n"},
    {"vrrp_sync_group", "vrrp_instance V {\n interface lo\n virtual_router_id 1\n}\n"
			"vrrp_sync_group G {\n group {\n  V\n }\n%s\n}\n"},
};

static void test_retired_table(void **state)
{
	const struct kw_retired *r;
	unsigned rows = 0, ignored = 0;

	(void)state;
	for (r = kw_retired; r->name; r++) {
		char line[256], text[1024], want[512];
		const char *fmt = NULL;
		struct config *cfg;
		size_t i;

		for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
			if (!strcmp(where[i].block, r->block))
				fmt = where[i].fmt;
		if (!fmt)
			fail_msg("retired %s: no test template for block %s", r->name, r->block);
		snprintf(line, sizeof(line), "%s %s", r->name, r->example);
		snprintf(text, sizeof(text), fmt, line);
		cfg = expect_ok(text);
		if (!r->served) {
			unsigned ln = 1;
			const char *p;

			for (p = text; p < strstr(text, line); p++)
				ln += *p == '\n';
			snprintf(want, sizeof(want),
				 "W t.conf:%u: keyword '%s' is ignored by fulcrum: %s (%s; ", ln,
				 r->name, r->what, r->change);
			expect_msg(want);
			expect_msg(r->instead ? r->instead : "nothing replaced it");
			ignored++;
		} else {
			assert_non_null(r->instead);
		}
		config_free(cfg);
		rows++;
	}
	assert_true(rows >= 10);
	assert_true(ignored >= 1);
}

/* doc/config.md's "Retired and legacy keywords" names every row. */
static void test_retired_documented(void **state)
{
	char *doc = read_file("doc/config.md");
	char *sec = strstr(doc, "\n## Retired and legacy keywords\n");
	char *end, want[128];
	const struct kw_retired *r;

	(void)state;
	assert_non_null(sec);
	end = strstr(sec + 1, "\n## ");
	if (end)
		*end = 0;
	for (r = kw_retired; r->name; r++) {
		snprintf(want, sizeof(want), "`%s", r->name);
		if (!strstr(sec, want))
			fail_msg("doc/config.md, Retired and legacy keywords: %s is missing",
				 r->name);
	}
	free(doc);
}

/* keepalived 2.2's include variants: includer tolerates a missing file,
 * includew/includea want even a pattern to match. */
static void test_include_variants(void **state)
{
	char dir[] = "/tmp/fc_compat_XXXXXX", path[64], text[512], want[192];
	struct config *ok, *bad;
	unsigned ok_errors;
	static char ok_msgs[sizeof(msgs)];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vs.conf", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("virtual_server 10.0.0.1 80 {\n}\n", f);
		fclose(f);
	}
	snprintf(text, sizeof(text),
		 "includea %s/vs.conf\nincluder %s/none.conf\nincludem %s/*.none\n", dir, dir,
		 dir);
	ok = load(text);
	ok_errors = diag.errors;
	snprintf(ok_msgs, sizeof(ok_msgs), "%s", msgs);
	snprintf(text, sizeof(text), "includew %s/*.none\n", dir);
	bad = load(text);
	/* the files go before any assertion can leave them behind */
	unlink(path);
	assert_int_equal(rmdir(dir), 0);

	if (!ok || ok_errors)
		fail_msg("includea/includer/includem refused:\n%s", ok_msgs);
	assert_int_equal(ok->n_vs, 1);
	config_free(ok);
	snprintf(want, sizeof(want), "W t.conf:2: include '%s/none.conf' matches no file", dir);
	if (!strstr(ok_msgs, want))
		fail_msg("wanted \"%s\" among:\n%s", want, ok_msgs);
	assert_null(bad);
	snprintf(want, sizeof(want), "E t.conf:1: include '%s/*.none' matches no file", dir);
	expect_msg(want);
}

/* The generated reference (fulcrum.conf(5), kw_doc.c) lists the rows in
 * their blocks too. */
static void test_retired_in_reference(void **state)
{
	struct sbuf out;

	(void)state;
	sbuf_init(&out);
	kw_doc_markdown(&out);
	assert_false(out.oom);
	assert_non_null(strstr(sbuf_str(&out), "Retired in keepalived, ignored with a warning: "
						"`nat_mask` (removed in keepalived 1.2.20; nothing "
						"replaced it)"));
	assert_non_null(strstr(sbuf_str(&out), "`lb_algo` (now lvs_sched)"));
	assert_non_null(strstr(sbuf_str(&out), "`nb_get_retry` (now retry)"));
	sbuf_free(&out);
}

/* ---- values keepalived took ---- */

static void test_zero_values(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 80 {\n"
				       "  delay_loop 0\n"
				       "  persistence_timeout 0\n"
				       "  connect_timeout 0\n"
				       "  real_server 10.0.1.1 80 {\n"
				       "    weight 0\n"
				       "    delay_loop 0\n"
				       "    TCP_CHECK {\n"
				       "      connect_timeout 0\n"
				       "      delay_loop 0\n"
				       "      retry 0\n"
				       "    }\n"
				       "  }\n"
				       "}\n");
	const struct check_conf *k = cfg->vs->pool->rs->checks;

	(void)state;
	/* keepalived logs and ignores a 0 where it wants at least 1: defaults */
	assert_int_equal(cfg->vs->pool->delay_loop_ms, 60000);
	assert_int_equal(cfg->vs->persistence_timeout, 0);
	assert_int_equal(cfg->vs->pool->rs->weight, 0);
	assert_int_equal(k->connect_timeout_ms, 5000);
	assert_int_equal(k->delay_loop_ms, 0); /* 0: the virtual_server's applies */
	assert_int_equal(k->retry, 0);
	expect_msg("W t.conf:2: delay_loop 0 is ignored, as keepalived does: the default (60 s) "
		   "applies\n");
	expect_msg("W t.conf:3: persistence_timeout 0: no persistence");
	expect_msg("W t.conf:4: connect_timeout 0 is ignored, as keepalived does: the default "
		   "(5 s) applies\n");
	expect_msg("W t.conf:7: delay_loop 0 is ignored");
	expect_msg("W t.conf:9: connect_timeout 0 is ignored");
	expect_msg("W t.conf:10: delay_loop 0 is ignored");
	assert_int_equal(cfg->n_warnings, 6);
	config_free(cfg);
}

static void test_vrrp_zero_values(void **state)
{
	struct config *cfg = expect_ok("vrrp_instance V {\n"
				       "  interface lo\n  virtual_router_id 1\n"
				       "  priority 50\n"
				       "  priority 0\n"
				       "  advert_int 0\n"
				       "}\n");
	const struct vrrp_instance *vi = vrrp_find_instance(&cfg->vrrp, "V");

	(void)state;
	/* keepalived: "Priority not valid ... Using default 100", "Advert
	 * interval not valid! Must be > 0 - ignoring" */
	assert_int_equal(vi->priority, 100);
	assert_int_equal(vi->advert_int_cs, 100);
	expect_msg("W t.conf:5: priority 0 is ignored, as keepalived does");
	expect_msg("W t.conf:6: advert_int 0 is ignored, as keepalived does (less than 0.01 s): "
		   "the default 1 s applies\n");
	config_free(cfg);
	/* above the owner's 255 stays an error: no keepalived meant it */
	expect_error("vrrp_instance V {\n  interface lo\n  virtual_router_id 1\n  priority 256\n}\n",
		     "t.conf:4: priority: '256' is not a number in 1..255");
}

static void test_other_values(void **state)
{
	struct config *cfg = expect_ok("vrrp_script s {\n"
				       "  script /bin/true\n"
				       "  interval 0\n"
				       "  timeout 0\n"
				       "}\n"
				       "virtual_server 10.0.0.1 80 {\n"
				       "  quorum 0\n"
				       "  hysteresis -2\n"
				       "}\n");
	const struct vrrp_script *vs = vrrp_find_script(&cfg->vrrp, "s");

	(void)state;
	/* keepalived: "interval must be greater than 0, setting to 1", "Quorum
	 * >= 1 ... using 1 instead", "0 <= Hysteresis ... using 0 instead" */
	assert_int_equal(vs->interval_ms, 1000);
	assert_int_equal(vs->timeout_ms, 1000);
	assert_int_equal(cfg->vs->pool->quorum, 1);
	assert_int_equal(cfg->vs->pool->hysteresis, 0);
	expect_msg("W t.conf:3: interval 0 is read as 1 s, as keepalived does\n");
	expect_msg("W t.conf:4: timeout 0 is read as 1 s, as keepalived does\n");
	expect_msg("W t.conf:7: quorum 0 is read as 1, as keepalived does\n");
	expect_msg("W t.conf:8: hysteresis -2 is read as 0, as keepalived does\n");
	config_free(cfg);
}

static void test_scheduler_case(void **state)
{
	struct config *cfg = expect_ok("virtual_server 10.0.0.1 80 {\n  lb_algo RR\n}\n");

	(void)state;
	assert_string_equal(cfg->vs->pool->sched, "rr");
	expect_msg("W t.conf:2: lb_algo RR: scheduler names are lower case, read as 'rr'");
	config_free(cfg);
	expect_error("virtual_server 10.0.0.1 80 {\n  lb_algo RX\n}\n",
		     "t.conf:2: lb_algo: unknown scheduler 'RX'");
}

/* keepalived 2.0.20+ takes these; fulcrum cannot serve them: refused with
 * a message that says why, not "not a netmask". */
static void test_granularity_refused(void **state)
{
	(void)state;
	expect_error("virtual_server 10.0.0.1 80 {\n  persistence_granularity 0.0.0.0\n}\n",
		     "E t.conf:2: persistence_granularity 0.0.0.0 (every client on one server) is "
		     "not supported by fulcrum\n");
	expect_error("virtual_server 10.0.0.1 80 {\n  persistence_granularity 255.0.255.0\n}\n",
		     "is not a contiguous netmask (fulcrum persists by prefix length)\n");
}

/* ---- what no keepalived knew stays an error ---- */

static void test_never_known(void **state)
{
	(void)state;
	expect_error("virtual_server 10.0.0.1 80 {\n  nat_mask_bits 24\n}\n",
		     "E t.conf:2: unknown keyword 'nat_mask_bits' in virtual_server\n");
	expect_error("global_defs {\n  lvs_idd x\n}\n",
		     "E t.conf:2: unknown keyword 'lvs_idd' in global_defs (did you mean "
		     "'lvs_id'?)\n");
	expect_error("global_defs {\n  vrrp_cpu_afinity 1\n}\n",
		     "E t.conf:2: unknown keyword 'vrrp_cpu_afinity' in global_defs (did you mean "
		     "'vrrp_cpu_affinity'?)\n");
	/* known to keepalived, but in another block: an error there */
	expect_error("virtual_server 10.0.0.1 80 {\n  lvs_sync_daemon_interface eth0\n}\n",
		     "t.conf:2: unknown keyword 'lvs_sync_daemon_interface' in virtual_server");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed002_master),
	    cmocka_unit_test(test_seed002_backup),
	    cmocka_unit_test(test_seed002_persistence_zero),
	    cmocka_unit_test(test_seed002_flattened_is_a_comment),
	    cmocka_unit_test(test_retired_removed),
	    cmocka_unit_test(test_retired_moved),
	    cmocka_unit_test(test_retired_renamed_served),
	    cmocka_unit_test(test_current_unserved),
	    cmocka_unit_test(test_issue_list_accepted),
	    cmocka_unit_test(test_retired_table),
	    cmocka_unit_test(test_retired_documented),
	    cmocka_unit_test(test_retired_in_reference),
	    cmocka_unit_test(test_include_variants),
	    cmocka_unit_test(test_zero_values),
	    cmocka_unit_test(test_vrrp_zero_values),
	    cmocka_unit_test(test_other_values),
	    cmocka_unit_test(test_scheduler_case),
	    cmocka_unit_test(test_granularity_refused),
	    cmocka_unit_test(test_never_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
