/* The VRRP reader: vrrp_instance, vrrp_script, vrrp_sync_group into
 * cfg->vrrp — every keyword, the defaults, every error at its line. */
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
#include "model/model.h"
#include "model/vrrp_model.h"

static char msgs[32768];
static struct conf_diag diag;

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static struct config *load(const char *text)
{
	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	return conf_load_string("t.conf", text, strlen(text), &diag);
}

static struct config *expect_ok(const char *text)
{
	struct config *cfg = load(text);

	if (!cfg)
		fail_msg("load failed:\n%s", msgs);
	return cfg;
}

/* Exactly one error, containing `want` (which names the line). */
static void expect_error(const char *text, const char *want)
{
	struct config *cfg = load(text);

	if (cfg || diag.errors != 1 || !strstr(msgs, want))
		fail_msg("wanted one error containing \"%s\", got (%u errors):\n%s", want,
			 diag.errors, msgs);
	assert_null(cfg);
}

static void expect_warning(const char *want)
{
	if (!strstr(msgs, want))
		fail_msg("wanted a warning containing \"%s\", got:\n%s", want, msgs);
}

static int ip_is(const struct fc_addr *a, const char *s)
{
	struct fc_addr b;
	char err[128];

	assert_int_equal(addr_parse_ip(s, &b, err, sizeof(err)), 0);
	return addr_ip_equal(a, &b);
}

#define MINI "vrrp_instance V {\n interface eth0\n virtual_router_id 7\n"

static void test_defaults(void **state)
{
	struct config *cfg = expect_ok(MINI "}\n");
	struct vrrp_instance *vi = cfg->vrrp.instances;

	(void)state;
	assert_int_equal(cfg->vrrp.n_instances, 1);
	assert_string_equal(vi->name, "V");
	assert_string_equal(vi->ifname, "eth0");
	assert_int_equal(vi->vrid, 7);
	assert_int_equal(vi->initial, VRRP_BACKUP);
	assert_int_equal(vi->priority, 100);
	assert_int_equal(vi->version, 2);
	assert_int_equal(vi->family, AF_INET);
	assert_int_equal(vi->advert_int_cs, 100);
	assert_int_equal(vi->nopreempt, 0);
	assert_int_equal(vi->preempt_delay_ms, 0);
	assert_int_equal(vi->garp_master_delay_ms, 5000);
	assert_int_equal(vi->garp_master_repeat, 5);
	assert_int_equal(vi->garp_master_refresh_ms, 0);
	assert_int_equal(vi->garp_master_refresh_repeat, 1);
	assert_int_equal(vi->auth_type, VRRP_AUTH_NONE);
	assert_int_equal(vi->n_vips, 0);
	assert_int_equal(vi->src_ip.family, 0);
	assert_int_equal(vi->n_unicast_peers + vi->n_track_ifs + vi->n_track_scripts, 0);
	assert_null(vi->notify_master);
	assert_null(vi->sync_group);
	assert_int_equal(vi->rise, 1);
	assert_int_equal(vi->fall, 1);
	assert_int_equal(vi->dont_track_primary, 0);
	assert_string_equal(vi->file, "t.conf");
	assert_int_equal(vi->line, 1);
	/* VRRP is served: no warning */
	assert_int_equal(diag.warnings, 0);
	config_free(cfg);
}

static void test_every_keyword(void **state)
{
	struct config *cfg = expect_ok(
	    "vrrp_script chk {\n"					 /* 1 */
	    "  script \"/bin/true arg\"\n"				 /* 2 */
	    "  interval 2\n  timeout 0.5\n  weight -20\n"		 /* 3-5 */
	    "  rise 3\n  fall 4\n  user nobody\n"			 /* 6-8 */
	    "}\n"							 /* 9 */
	    "vrrp_instance VI_1 {\n"					 /* 10 */
	    "  state MASTER\n  interface eth1\n"			 /* 11-12 */
	    "  virtual_router_id 51\n  priority 150\n"			 /* 13-14 */
	    "  advert_int 0.25\n  version 3\n"				 /* 15-16 */
	    "  nopreempt\n  preempt_delay 2.5\n"			 /* 17-18 */
	    "  virtual_ipaddress {\n"					 /* 19 */
	    "    10.0.0.10/24 dev eth2 label eth2:1\n"			 /* 20 */
	    "    10.0.0.11\n"						 /* 21 */
	    "  }\n"							 /* 22 */
	    "  virtual_ipaddress_excluded {\n    2001:db8::5/64\n  }\n"	 /* 23-25 */
	    "  track_interface {\n    eth3\n    eth4 weight -10\n  }\n"	 /* 26-29 */
	    "  track_script {\n    chk\n    chk weight 5\n  }\n"	 /* 30-33 */
	    "  notify_master /m\n  notify_backup /b\n"			 /* 34-35 */
	    "  notify_fault /f\n  notify_stop /s\n  notify /n\n"	 /* 36-38 */
	    "  garp_master_delay 3\n  garp_master_repeat 2\n"		 /* 39-40 */
	    "  garp_master_refresh 60\n  garp_master_refresh_repeat 4\n" /* 41-42 */
	    "  authentication {\n    auth_type HMAC\n    auth_pass 0123456789abcdef0123\n  }\n"
	    "  unicast_src_ip 10.0.0.2\n"			  /* 47 */
	    "  unicast_peer {\n    10.0.0.3\n    10.0.0.4\n  }\n" /* 48-51 */
	    "  dont_track_primary\n  rise 2\n  fall 3\n"	  /* 52-54 */
	    "}\n"
	    "vrrp_instance VI_2 {\n  interface eth1\n  virtual_router_id 52\n"
	    "  vrrp_version 2\n  mcast_src_ip 10.0.0.9\n"
	    "  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n"
	    "}\n"
	    "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n"
	    "  notify_master /gm\n  notify_backup /gb\n  notify_fault /gf\n  notify /gn\n}\n");
	struct vrrp_instance *vi = cfg->vrrp.instances, *v2;
	struct vrrp_script *s = cfg->vrrp.scripts;
	struct vrrp_sync_group *g = cfg->vrrp.groups;

	(void)state;
	assert_non_null(vi);
	v2 = vi->next;
	assert_non_null(v2);
	assert_null(v2->next);
	assert_int_equal(cfg->vrrp.n_instances, 2);

	assert_string_equal(s->name, "chk");
	assert_string_equal(s->script, "/bin/true arg");
	assert_int_equal(s->interval_ms, 2000);
	assert_int_equal(s->timeout_ms, 500);
	assert_int_equal(s->weight, -20);
	assert_int_equal(s->rise, 3);
	assert_int_equal(s->fall, 4);
	assert_string_equal(s->user, "nobody");
	assert_int_equal(s->line, 1);
	assert_null(s->next);

	assert_int_equal(vi->initial, VRRP_MASTER);
	assert_string_equal(vi->ifname, "eth1");
	assert_int_equal(vi->vrid, 51);
	assert_int_equal(vi->priority, 150);
	assert_int_equal(vi->advert_int_cs, 25);
	assert_int_equal(vi->version, 3);
	assert_int_equal(vi->nopreempt, 1);
	assert_int_equal(vi->preempt_delay_ms, 2500);
	assert_int_equal(vi->family, AF_INET);
	assert_int_equal(vi->n_vips, 3);
	assert_true(ip_is(&vi->vips[0].addr, "10.0.0.10"));
	assert_int_equal(vi->vips[0].prefix, 24);
	assert_string_equal(vi->vips[0].dev, "eth2");
	assert_string_equal(vi->vips[0].label, "eth2:1");
	assert_int_equal(vi->vips[0].excluded, 0);
	assert_true(ip_is(&vi->vips[1].addr, "10.0.0.11"));
	assert_int_equal(vi->vips[1].prefix, 32);
	assert_string_equal(vi->vips[1].dev, "");
	assert_true(ip_is(&vi->vips[2].addr, "2001:db8::5"));
	assert_int_equal(vi->vips[2].prefix, 64);
	assert_int_equal(vi->vips[2].excluded, 1);
	assert_int_equal(vi->n_track_ifs, 2);
	assert_string_equal(vi->track_ifs[0].name, "eth3");
	assert_int_equal(vi->track_ifs[0].weight, 0);
	assert_string_equal(vi->track_ifs[1].name, "eth4");
	assert_int_equal(vi->track_ifs[1].weight, -10);
	assert_int_equal(vi->n_track_scripts, 2);
	assert_string_equal(vi->track_scripts[0].name, "chk");
	assert_int_equal(vi->track_scripts[0].weight, VRRP_WEIGHT_UNSET);
	assert_int_equal(vi->track_scripts[1].weight, 5);
	assert_int_equal(vi->track_scripts[1].line, 32);
	assert_string_equal(vi->notify_master, "/m");
	assert_string_equal(vi->notify_backup, "/b");
	assert_string_equal(vi->notify_fault, "/f");
	assert_string_equal(vi->notify_stop, "/s");
	assert_string_equal(vi->notify, "/n");
	assert_int_equal(vi->garp_master_delay_ms, 3000);
	assert_int_equal(vi->garp_master_repeat, 2);
	assert_int_equal(vi->garp_master_refresh_ms, 60000);
	assert_int_equal(vi->garp_master_refresh_repeat, 4);
	assert_int_equal(vi->auth_type, VRRP_AUTH_HMAC);
	assert_string_equal(vi->auth_pass, "0123456789abcdef0123");
	assert_true(ip_is(&vi->src_ip, "10.0.0.2"));
	assert_int_equal(vi->n_unicast_peers, 2);
	assert_true(ip_is(&vi->unicast_peers[1], "10.0.0.4"));
	assert_int_equal(vi->dont_track_primary, 1);
	assert_int_equal(vi->rise, 2);
	assert_int_equal(vi->fall, 3);
	assert_string_equal(vi->sync_group, "G");

	assert_int_equal(v2->version, 2);
	assert_true(ip_is(&v2->src_ip, "10.0.0.9"));
	assert_int_equal(v2->auth_type, VRRP_AUTH_PASS);
	assert_string_equal(v2->auth_pass, "secret");
	assert_string_equal(v2->sync_group, "G");
	expect_warning("authentication PASS is weak");

	assert_string_equal(g->name, "G");
	assert_int_equal(g->n_members, 2);
	assert_string_equal(g->members[0], "VI_1");
	assert_string_equal(g->members[1], "VI_2");
	assert_string_equal(g->notify_master, "/gm");
	assert_string_equal(g->notify_backup, "/gb");
	assert_string_equal(g->notify_fault, "/gf");
	assert_string_equal(g->notify, "/gn");
	assert_int_equal(diag.errors, 0);
	config_free(cfg);
}

static void test_versions_and_advert(void **state)
{
	struct config *cfg;
	struct vrrp_instance *vi;

	(void)state;
	/* global_defs vrrp_version applies, even when given after the instance */
	cfg = expect_ok(MINI "}\nglobal_defs {\n vrrp_version 3\n}\n");
	assert_int_equal(cfg->vrrp.default_version, 3);
	assert_int_equal(cfg->vrrp.instances->version, 3);
	config_free(cfg);
	/* the instance's own version wins */
	cfg = expect_ok("global_defs {\n vrrp_version 3\n}\n" MINI " version 2\n}\n");
	assert_int_equal(cfg->vrrp.instances->version, 2);
	config_free(cfg);
	/* v2 carries whole seconds: fractions rounded, with a warning */
	cfg = expect_ok(MINI " advert_int 1.5\n}\n");
	assert_int_equal(cfg->vrrp.instances->advert_int_cs, 200);
	expect_warning("W t.conf:1: vrrp_instance V: VRRP version 2 sends advert_int in whole "
		       "seconds: 1.50 s rounded to 2 s");
	config_free(cfg);
	cfg = expect_ok(MINI " advert_int 0.1\n}\n");
	assert_int_equal(cfg->vrrp.instances->advert_int_cs, 100);
	config_free(cfg);
	cfg = expect_ok(MINI " advert_int 0.01\n version 3\n}\n");
	assert_int_equal(cfg->vrrp.instances->advert_int_cs, 1);
	config_free(cfg);
	cfg = expect_ok(MINI " advert_int 255\n}\n");
	assert_int_equal(cfg->vrrp.instances->advert_int_cs, 25500);
	config_free(cfg);
	/* IPv6 needs v3 */
	cfg = expect_ok(MINI " virtual_ipaddress {\n  2001:db8::1\n }\n}\n");
	vi = cfg->vrrp.instances;
	assert_int_equal(vi->family, AF_INET6);
	assert_int_equal(vi->version, 3);
	assert_int_equal(vi->vips[0].prefix, 128);
	expect_warning("IPv6 needs VRRP version 3");
	config_free(cfg);
	/* v3 has no PASS/AH: dropped with a warning; HMAC stays */
	cfg = expect_ok(MINI
			" version 3\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n}\n");
	assert_int_equal(cfg->vrrp.instances->auth_type, VRRP_AUTH_NONE);
	assert_string_equal(cfg->vrrp.instances->auth_pass, "");
	expect_warning("VRRP version 3 has no authentication (RFC 5798): auth_type PASS ignored");
	config_free(cfg);
	cfg = expect_ok(MINI
			" version 3\n authentication {\n  auth_type HMAC\n  auth_pass k\n }\n}\n");
	assert_int_equal(cfg->vrrp.instances->auth_type, VRRP_AUTH_HMAC);
	config_free(cfg);
	/* PASS / AH: 8 octets on the wire */
	cfg = expect_ok(MINI " authentication {\n  auth_type AH\n  auth_pass 0123456789\n }\n}\n");
	assert_int_equal(cfg->vrrp.instances->auth_type, VRRP_AUTH_AH);
	assert_string_equal(cfg->vrrp.instances->auth_pass, "01234567");
	expect_warning("W t.conf:6: auth_pass: only the first 8 characters are used");
	config_free(cfg);
	/* no VIPs: the family follows the unicast addresses */
	cfg = expect_ok(MINI " unicast_peer {\n  2001:db8::2\n }\n}\n");
	assert_int_equal(cfg->vrrp.instances->family, AF_INET6);
	config_free(cfg);
}

/* preferred_lft: keepalived's values (forever or seconds) and its default,
 * deprecated (0) for an IPv6 /128 VIP and forever for every other one; the
 * bad values fail at their line and load nothing. */
static void test_vip_preferred_lft(void **state)
{
	struct config *cfg;
	struct vrrp_instance *vi;

	(void)state;
	cfg = expect_ok(MINI " version 3\n virtual_ipaddress {\n"
			     "  2001:db8::1\n"			      /* 6: /128: keepalived's 0 */
			     "  2001:db8::2/64\n"		      /* 7: forever */
			     "  2001:db8::3/64 preferred_lft 0\n"     /* 8 */
			     "  2001:db8::4 preferred_lft forever\n" /* 9 */
			     "  2001:db8::5/64 dev eth1 preferred_lft 4294967294 peer ::1\n"
			     " }\n}\n");
	vi = cfg->vrrp.instances;
	assert_int_equal(vi->n_vips, 5);
	assert_int_equal(vi->vips[0].preferred_lft, 0);
	assert_int_equal(vi->vips[1].preferred_lft, 0xffffffffu);
	assert_int_equal(vi->vips[2].preferred_lft, 0);
	assert_int_equal(vi->vips[3].preferred_lft, 0xffffffffu);
	assert_int_equal(vi->vips[4].preferred_lft, 4294967294u);
	assert_string_equal(vi->vips[4].dev, "eth1");
	/* served, so no "ignored" warning for it; peer is still ignored */
	assert_null(strstr(msgs, "preferred_lft"));
	expect_warning("W t.conf:10: virtual_ipaddress 2001:db8::5/64: 'peer ::1' is ignored");
	config_free(cfg);

	cfg = expect_ok(MINI " virtual_ipaddress {\n  10.0.0.1/24\n  10.0.0.2 preferred_lft 30\n"
			     " }\n}\n");
	vi = cfg->vrrp.instances;
	/* keepalived applies it to IPv6 only: an IPv4 VIP stays preferred */
	assert_int_equal(vi->vips[0].preferred_lft, 0xffffffffu);
	assert_int_equal(vi->vips[1].preferred_lft, 0xffffffffu);
	expect_warning("W t.conf:6: virtual_ipaddress 10.0.0.2: 'preferred_lft 30' is ignored "
		       "for IPv4");
	config_free(cfg);

	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 preferred_lft\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: 'preferred_lft' needs a value");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 preferred_lft never\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: preferred_lft 'never' is not "
		     "'forever' or 0..4294967294 seconds");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1\n  10.0.0.2 preferred_lft -1\n }\n}\n",
		     "E t.conf:6: virtual_ipaddress 10.0.0.2: preferred_lft '-1' is not");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 preferred_lft 4294967295\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: preferred_lft '4294967295' is not");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 preferred_lft 1s\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: preferred_lft '1s' is not");
}

/* An IPv6 VIP that stays preferred and is an LVS-DR/TUN virtual_server's
 * address: warned at the instance (health checks may leave from it). */
static void test_vip_preferred_dr_warning(void **state)
{
	static const char *const cases[][2] = {
	    /* VIP line, lb_kind -> warned? ("1"/"0") */
	    {"2001:db8::64/64", "DR"},
	    {"2001:db8::64/64", "TUN"},
	    {"2001:db8::64/64 preferred_lft 0", "DR"},
	    {"2001:db8::64", "DR"}, /* /128: deprecated by default */
	    {"2001:db8::64/64", "NAT"},
	};
	static const int warned[] = {1, 1, 0, 0, 0};
	char text[512];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg;

		snprintf(text, sizeof(text),
			 MINI " version 3\n virtual_ipaddress {\n  %s\n }\n}\n"
			 "virtual_server 2001:db8::64 80 {\n lb_kind %s\n"
			 " real_server 2001:db8::2 80 {\n }\n}\n",
			 cases[i][0], cases[i][1]);
		cfg = expect_ok(text);
		if (warned[i])
			expect_warning("W t.conf:1: vrrp_instance V: virtual_ipaddress "
				       "2001:db8::64/64 is preferred, so the director may send "
				       "its health checks from it");
		else if (strstr(msgs, "is preferred"))
			fail_msg("case %u: unexpected warning:\n%s", i, msgs);
		config_free(cfg);
	}
}

static void test_warnings(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = expect_ok(MINI " priority 255\n smtp_alert\n use_vmac\n"
			     " lvs_sync_daemon_interface eth1\n"
			     " virtual_rules {\n  from 10.0.0.0/8 table 2\n }\n"
			     " notify_master /x root\n"
			     " virtual_ipaddress {\n  10.0.0.1 brd 10.0.0.255 scope link no_track\n"
			     "  10.0.0.1 label eth0:1\n }\n"
			     " unicast_peer {\n  10.0.0.2 min_ttl 1\n }\n"
			     "}\n"
			     "vrrp_script s {\n script x\n user u g\n init_fail\n}\n"
			     "vrrp_sync_group G {\n V\n smtp_alert\n global_tracking\n}\n");
	assert_int_equal(cfg->vrrp.instances->priority, 255);
	expect_warning("W t.conf:4: priority 255 is for the address owner");
	expect_warning("W t.conf:5: keyword 'smtp_alert' is ignored by fulcrum");
	expect_warning("W t.conf:6: use_vmac is ignored by fulcrum");
	expect_warning("W t.conf:7: keyword 'lvs_sync_daemon_interface' is ignored");
	expect_warning("W t.conf:8: keyword 'virtual_rules' is ignored");
	expect_warning("W t.conf:11: notify_master: the user/group");
	expect_warning("W t.conf:13: virtual_ipaddress 10.0.0.1: 'brd 10.0.0.255' is ignored");
	expect_warning("W t.conf:13: virtual_ipaddress 10.0.0.1: 'scope link' is ignored");
	expect_warning("W t.conf:13: virtual_ipaddress 10.0.0.1: 'no_track' is ignored");
	expect_warning("W t.conf:14: virtual_ipaddress 10.0.0.1 is listed twice");
	expect_warning("W t.conf:17: unicast_peer 10.0.0.2: 'min_ttl' is ignored");
	expect_warning("W t.conf:22: user: the group is ignored");
	expect_warning("W t.conf:23: keyword 'init_fail' is ignored");
	expect_warning("W t.conf:26: vrrp_sync_group: instance V listed outside group { }");
	expect_warning("W t.conf:27: keyword 'smtp_alert' is ignored");
	/* global_tracking is read (sync_group_tracking_weight's old name) */
	assert_int_equal(cfg->vrrp.groups->tracking_weight, 1);
	assert_int_equal(cfg->vrrp.instances->sync_tracking_weight, 1);
	assert_string_equal(cfg->vrrp.instances->sync_group, "G");
	assert_string_equal(cfg->vrrp.instances->vips[1].label, "eth0:1");
	config_free(cfg);

	/* a vrrp_script without script (e.g. only @conditional lines): dropped
	 * with its track_script entries, as keepalived does */
	cfg = expect_ok("vrrp_script e {\n interval 1\n}\n" MINI " track_script {\n  e\n }\n}\n");
	assert_null(cfg->vrrp.scripts);
	assert_int_equal(cfg->vrrp.instances->n_track_scripts, 0);
	expect_warning("W t.conf:1: vrrp_script e: no script line");
	config_free(cfg);
	/* timeout defaults to the interval */
	cfg = expect_ok("vrrp_script s {\n script x\n interval 3\n}\n");
	assert_int_equal(cfg->vrrp.scripts->timeout_ms, 3000);
	assert_int_equal(cfg->vrrp.scripts->rise, 1);
	assert_int_equal(cfg->vrrp.scripts->weight, 0);
	config_free(cfg);
}

static void test_value_errors(void **state)
{
	(void)state;
	expect_error(MINI " state LEADER\n}\n",
		     "E t.conf:4: state: 'LEADER' is not MASTER or BACKUP");
	expect_error("vrrp_instance V {\n interface eth0\n virtual_router_id 0\n}\n",
		     "E t.conf:3: virtual_router_id: '0' is not a number in 1..255");
	expect_error("vrrp_instance V {\n interface eth0\n virtual_router_id 256\n}\n",
		     "E t.conf:3: virtual_router_id: '256' is not a number in 1..255");
	expect_error(MINI " priority 256\n}\n", "E t.conf:4: priority: '256' is not a number");
	expect_error(MINI " advert_int 256\n}\n", "E t.conf:4: advert_int: '256' is not a number");
	expect_error(MINI " advert_int 41\n version 3\n}\n",
		     "E t.conf:1: vrrp_instance V: advert_int 41.00 s is more than VRRP version 3");
	expect_error(MINI " version 4\n}\n", "E t.conf:4: version: '4' is not a number in 2..3");
	expect_error("global_defs {\n vrrp_version 1\n}\n",
		     "E t.conf:2: vrrp_version: '1' is not a number in 2..3");
	expect_error(MINI " nopreempt 1\n}\n", "E t.conf:4: 'nopreempt' takes 0 arguments, not 1");
	expect_error(MINI " preempt_delay x\n}\n",
		     "E t.conf:4: preempt_delay: 'x' is not a number");
	expect_error(MINI " garp_master_repeat 0\n}\n",
		     "E t.conf:4: garp_master_repeat: '0' is not a number in 1..255");
	expect_error(MINI " rise 0\n}\n", "E t.conf:4: rise: '0' is not a number in 1..1000");
	expect_error(MINI " interface 0123456789abcdefX\n}\n",
		     "E t.conf:4: interface: '0123456789abcdefX' is not an interface name");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.300\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress: '10.0.0.300' is not an IPv4 or IPv6");
	expect_error(
	    MINI " virtual_ipaddress {\n  10.0.0.1/33\n }\n}\n",
	    "E t.conf:5: virtual_ipaddress: '10.0.0.1/33': the prefix length is not 0..32");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1/\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress: '10.0.0.1/': the prefix length");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 dev\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: 'dev' needs a value");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 colour blue\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress 10.0.0.1: unknown option 'colour'");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 label 0123456789abcdefX\n }\n}\n",
		     "E t.conf:5: label: '0123456789abcdefX' is not an interface name");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1 { }\n }\n}\n",
		     "E t.conf:5: virtual_ipaddress entries take no { block }");
	expect_error(MINI " track_interface {\n  eth1 weight 300\n }\n}\n",
		     "E t.conf:5: weight: '300' is not a number in -254..254");
	expect_error(MINI " track_interface {\n  eth1 weight\n }\n}\n",
		     "E t.conf:5: track_interface eth1: expected 'weight W' after the name");
	expect_error(MINI " track_interface {\n  eth1 weight 2 reverse\n }\n}\n",
		     "E t.conf:5: track_interface eth1: 'reverse' is not supported by fulcrum");
	expect_error("vrrp_script s {\n script x\n}\n" MINI
		     " track_script {\n  s weight 1 x\n }\n}\n",
		     "E t.conf:8: track_script s: unexpected 'x'");
	expect_error(MINI " unicast_peer {\n  10.0.0.1 ttl 2\n }\n}\n",
		     "E t.conf:5: unicast_peer 10.0.0.1: unexpected 'ttl'");
	expect_error(MINI " unicast_peer {\n  nope\n }\n}\n",
		     "E t.conf:5: unicast_peer: 'nope' is not an IPv4 or IPv6 address");
	expect_error(MINI " unicast_src_ip nope\n}\n",
		     "E t.conf:4: unicast_src_ip: 'nope' is not an IPv4 or IPv6 address");
	expect_error(MINI " authentication {\n  auth_type MD5\n  auth_pass x\n }\n}\n",
		     "E t.conf:5: auth_type: 'MD5' is not PASS, AH or HMAC");
	expect_error(MINI " authentication {\n  auth_type PASS\n }\n}\n",
		     "E t.conf:4: authentication: auth_pass is missing");
	expect_error(MINI " authentication {\n  auth_pass x\n }\n}\n",
		     "E t.conf:4: authentication: auth_type is missing");
	expect_error(MINI
		     " authentication {\n  auth_type HMAC\n  auth_pass "
		     "0123456789012345678901234567890123456789012345678901234567890123X\n }\n}\n",
		     "E t.conf:6: auth_pass: 1..64 characters expected, not 65");
	expect_error("vrrp_script s {\n script x\n weight -255\n}\n",
		     "E t.conf:3: weight: '-255' is not a number in -254..254");
	expect_error("vrrp_script s {\n script x\n weight 2 reverse\n}\n",
		     "E t.conf:3: weight: 'reverse' is not supported by fulcrum");
	expect_error("vrrp_script s {\n script x\n fall 0\n}\n",
		     "E t.conf:3: fall: '0' is not a number in 1..1000");
	expect_error("vrrp_sync_group G {\n group {\n  V extra\n }\n}\n",
		     "E t.conf:3: group: one vrrp_instance name per line expected");
}

static void test_structure_errors(void **state)
{
	(void)state;
	/* required keywords */
	expect_error("vrrp_instance V {\n interface eth0\n}\n",
		     "E t.conf:1: vrrp_instance V: virtual_router_id is missing");
	expect_error("vrrp_instance V {\n virtual_router_id 1\n}\n",
		     "E t.conf:1: vrrp_instance V: interface is missing");
	expect_error("vrrp_instance {\n}\n", "E t.conf:1: 'vrrp_instance' takes 1 argument, not 0");
	expect_error("vrrp_instance V\n", "E t.conf:1: 'vrrp_instance' needs a { block }");
	/* one family per instance (excluded addresses may mix) */
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1\n  2001:db8::1\n }\n}\n",
		     "E t.conf:6: virtual_ipaddress 2001:db8::1: an instance advertises one "
		     "address family (this one is IPv4)");
	expect_error(
	    MINI " virtual_ipaddress {\n  10.0.0.1\n }\n unicast_peer {\n  2001:db8::1\n }\n}\n",
	    "E t.conf:1: vrrp_instance V: unicast_peer 2001:db8::1 is not of the VIPs' family");
	expect_error(MINI " virtual_ipaddress {\n  10.0.0.1\n }\n mcast_src_ip 2001:db8::1\n}\n",
		     "E t.conf:1: vrrp_instance V: source address 2001:db8::1 is not of the VIPs'");
	/* duplicates */
	expect_error(MINI "}\n" MINI "}\n",
		     "E t.conf:5: vrrp_instance V is defined twice (first at t.conf:1)");
	expect_error(MINI "}\nvrrp_instance W {\n interface eth0\n virtual_router_id 7\n}\n",
		     "E t.conf:5: vrrp_instance W: interface eth0, virtual_router_id 7 and IPv4 "
		     "are already used by vrrp_instance V (t.conf:1)");
	expect_error("vrrp_script s {\n script x\n}\nvrrp_script s {\n script y\n}\n",
		     "E t.conf:4: vrrp_script s is defined twice (first at t.conf:1)");
	expect_error("vrrp_sync_group G {\n group {\n }\n}\nvrrp_sync_group G {\n}\n",
		     "E t.conf:5: vrrp_sync_group G is defined twice (first at t.conf:1)");
	/* references */
	expect_error(MINI " track_script {\n  nope\n }\n}\n",
		     "E t.conf:5: track_script nope: no vrrp_script nope is defined");
	expect_error("vrrp_sync_group G {\n group {\n  V\n  W\n }\n}\n" MINI "}\n",
		     "E t.conf:4: vrrp_sync_group G: no vrrp_instance W is defined");
	expect_error(
	    MINI "}\nvrrp_sync_group G {\n group {\n  V\n }\n}\n"
		 "vrrp_sync_group H {\n group {\n  V\n }\n}\n",
	    "E t.conf:12: vrrp_sync_group H: vrrp_instance V is already in vrrp_sync_group G");
	/* the walker's suggestions */
	expect_error(MINI " priorty 5\n}\n",
		     "E t.conf:4: unknown keyword 'priorty' in vrrp_instance (did you mean "
		     "'priority'?)");
	expect_error(MINI " authentication {\n  auth_typ PASS\n  auth_pass x\n }\n}\n",
		     "E t.conf:5: unknown keyword 'auth_typ' in authentication (did you mean "
		     "'auth_type'?)");
	expect_error("vrrp_script s {\n script x\n intervall 2\n}\n",
		     "E t.conf:3: unknown keyword 'intervall' in vrrp_script (did you mean "
		     "'interval'?)");
	expect_error("vrrp_sync_group G {\n notify_mastr /x\n}\n",
		     "E t.conf:2: unknown keyword 'notify_mastr' in vrrp_sync_group (did you mean "
		     "'notify_master'?)");
	expect_error("vrrp_instanse V {\n}\n",
		     "E t.conf:1: unknown keyword 'vrrp_instanse' at the top level (did you mean "
		     "'vrrp_instance'?)");
}

/* A fresh instance and script carry the documented defaults; free is
 * NULL-safe and frees everything (ASan checks the rest). */
static void test_model(void **state)
{
	struct vrrp_config vc;
	struct vrrp_instance *vi = vrrp_instance_new("X");
	struct vrrp_script *s = vrrp_script_new("S");
	struct vrrp_sync_group *g = vrrp_sync_group_new("G");
	struct vrrp_vip v;
	struct fc_addr a;
	struct vrrp_track_if t;

	(void)state;
	memset(&vc, 0, sizeof(vc));
	memset(&v, 0, sizeof(v));
	memset(&a, 0, sizeof(a));
	memset(&t, 0, sizeof(t));
	assert_non_null(vi);
	assert_int_equal(vi->priority, 100);
	assert_int_equal(s->interval_ms, 1000);
	assert_int_equal(vrrp_instance_add_vip(vi, &v), 0);
	assert_int_equal(vrrp_instance_add_peer(vi, &a), 0);
	assert_int_equal(vrrp_instance_add_track_if(vi, &t), 0);
	assert_int_equal(vrrp_instance_add_track_script(vi, "S", 1, "f", 2), 0);
	assert_int_equal(vrrp_sync_group_add(g, "X", 3), 0);
	assert_int_equal(g->member_lines[0], 3);
	vrrp_add_instance(&vc, vi);
	vrrp_add_script(&vc, s);
	vrrp_add_sync_group(&vc, g);
	assert_ptr_equal(vrrp_find_instance(&vc, "X"), vi);
	assert_ptr_equal(vrrp_find_script(&vc, "S"), s);
	assert_ptr_equal(vrrp_find_sync_group(&vc, "G"), g);
	assert_null(vrrp_find_instance(&vc, "Y"));
	assert_int_equal(vc.n_instances, 1);
	vrrp_config_free(&vc);
	assert_null(vc.instances);
	vrrp_config_free(NULL);
	vrrp_instance_free(NULL);
	vrrp_script_free(NULL);
	vrrp_sync_group_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_keyword),
	    cmocka_unit_test(test_versions_and_advert),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_vip_preferred_lft),
	    cmocka_unit_test(test_vip_preferred_dr_warning),
	    cmocka_unit_test(test_value_errors),
	    cmocka_unit_test(test_structure_errors),
	    cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
