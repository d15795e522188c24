/* The membership computation of a pool's outside source (src/cluster/
 * members.c, crm_xml.c) on crm_mon output captured from Pacemaker 2.1.5
 * (tests/data/pacemaker/: a 3-node CIB run through crm_simulate, read with
 * CIB_file=... crm_mon --one-shot --output-as=xml
 * --include=none,nodes,resources,attributes), script lines, corosync.conf,
 * and the keywords that configure it (src/conf/source_kw.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/members.h"
#include "conf/conf.h"
#include "model/model.h"
#include "model/source.h"

#define DATA "tests/data/pacemaker/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void view_of(const char *file, struct crm_view *v)
{
	char err[256] = "";
	size_t len;
	char *text = slurp(file, &len);

	if (crm_view_parse(text, len, v, err, sizeof(err)) < 0)
		fail_msg("%s: %s", file, err);
	free(text);
}

/* "node:addr:weight node:addr:weight" */
static void members_str(const struct member_list *l, char *out, size_t len)
{
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		char a[ADDR_STRLEN];
		size_t n = strlen(out);

		snprintf(out + n, len - n, "%s%s=%s/%d", i ? " " : "", l->m[i].node,
			 addr_format(&l->m[i].addr, a, sizeof(a), 1), l->m[i].weight);
	}
}

static struct pool_source *seed000(void)
{
	struct pool_source *s = pool_source_new(SRC_PACEMAKER);

	s->resource = strdup("rs-clone");
	s->attr_name = strdup("pgsql-status");
	s->attr_regex = strdup("HS:sync|HS:potential|HS:async");
	s->weights = calloc(1, sizeof(*s->weights));
	s->weights[0].node = strdup("node2");
	s->weights[0].weight = 2;
	s->n_weights = 1;
	s->addrs = calloc(3, sizeof(*s->addrs));
	s->addrs[0].node = strdup("node1");
	addr_parse_ip("192.0.2.1", &s->addrs[0].addr, NULL, 0);
	s->addrs[1].node = strdup("node2");
	addr_parse_ip("192.0.2.2", &s->addrs[1].addr, NULL, 0);
	s->addrs[2].node = strdup("node3");
	addr_parse_ip("2001:db8::3", &s->addrs[2].addr, NULL, 0);
	s->n_addrs = 3;
	return s;
}

static void compute(const struct pool_source *s, const char *file, const struct ring_map *rings,
		    const char *want, const char *want_skipped)
{
	struct crm_view v;
	struct member_list l;
	char err[256] = "", got[1024];
	char *skipped;

	view_of(file, &v);
	assert_int_equal(members_from_cluster(s, &v, rings, 5432, &l, &skipped, err, sizeof(err)),
			 0);
	members_str(&l, got, sizeof(got));
	assert_string_equal(got, want);
	if (want_skipped)
		assert_string_equal(skipped ? skipped : "(none)", want_skipped);
	free(skipped);
	member_list_free(&l);
	crm_view_free(&v);
}

static void test_view_parsed(void **state)
{
	struct crm_view v;
	const struct crm_node *n;
	unsigned i, rs_clone = 0, other = 0;

	view_of(DATA "crm_mon_3nodes.xml", &v);
	assert_int_equal(v.n_nodes, 3);
	n = crm_view_node(&v, "node3");
	assert_non_null(n);
	assert_true(n->online);
	assert_false(n->standby);
	assert_int_equal(n->n_attrs, 2);
	for (i = 0; i < v.n_active; i++) {
		rs_clone += !strcmp(v.active[i].id, "rs-clone");
		other += !strcmp(v.active[i].id, "other") && !strcmp(v.active[i].node, "node1");
	}
	assert_int_equal(rs_clone, 3); /* the clone's id and its primitive's ("rs") both count */
	assert_int_equal(other, 1);
	crm_view_free(&v);

	view_of(DATA "crm_mon_standby.xml", &v);
	assert_true(crm_view_node(&v, "node3")->standby);
	crm_view_free(&v);
}

/* seed 000: the nodes where the clone runs whose pgsql-status is a hot
 * standby state; node1 (PRI) is left out, node2 weighs 2. */
static void test_seed000_resource_and_attribute(void **state)
{
	struct pool_source *s = seed000();

	compute(s, DATA "crm_mon_3nodes.xml", NULL,
		"node2=192.0.2.2:5432/2 node3=[2001:db8::3]:5432/1", "(none)");
	/* node3 in standby: the clone stopped there; node2 is HS:alone now */
	compute(s, DATA "crm_mon_standby.xml", NULL, "", "(none)");
	/* the primitive's id works as the clone's does */
	free(s->resource);
	s->resource = strdup("rs");
	compute(s, DATA "crm_mon_3nodes.xml", NULL,
		"node2=192.0.2.2:5432/2 node3=[2001:db8::3]:5432/1", NULL);
	pool_source_free(s);
}

static void test_no_resource_every_online_node(void **state)
{
	struct pool_source *s = seed000();

	free(s->resource);
	s->resource = NULL;
	free(s->attr_name);
	free(s->attr_regex);
	s->attr_name = s->attr_regex = NULL;
	s->default_weight = 3;
	s->port = 80;
	compute(s, DATA "crm_mon_3nodes.xml", NULL,
		"node1=192.0.2.1:80/3 node2=192.0.2.2:80/2 node3=[2001:db8::3]:80/3", NULL);
	/* standby nodes are not servers */
	compute(s, DATA "crm_mon_standby.xml", NULL, "node1=192.0.2.1:80/3 node2=192.0.2.2:80/2",
		NULL);
	/* a resource that runs nowhere: no server */
	s->resource = strdup("nonesuch");
	compute(s, DATA "crm_mon_3nodes.xml", NULL, "", NULL);
	pool_source_free(s);
}

/* node -> address: "address", else the name if it is an address, else
 * corosync.conf's ring0_addr; a node with none is skipped and named. */
static void test_addresses_from_corosync_conf(void **state)
{
	static const char corosync[] =
	    "totem {\n  version: 2\n  cluster_name: c\n}\n"
	    "nodelist {\n"
	    "  node {\n    ring0_addr: 10.0.0.1   # first\n    name: node1\n    nodeid: 1\n  }\n"
	    "  node {\n    name: node2\n    ring0_addr: node2.example\n    nodeid: 2\n  }\n"
	    "  node {\n\tname: node3\n\tring0_addr: fd00::3\n\tnodeid: 3\n  }\n"
	    "}\n";
	struct pool_source *s = pool_source_new(SRC_PACEMAKER);
	struct ring_map m;
	char err[128];

	assert_int_equal(ring_map_parse(corosync, &m, err, sizeof(err)), 0);
	/* node2's ring0_addr is a name: kept to resolve, no address yet */
	assert_int_equal(m.n, 3);
	assert_null(ring_map_addr(&m, "node2"));
	assert_string_equal(ring_map_host(&m, "node2"), "node2.example");
	assert_null(ring_map_host(&m, "node1"));
	compute(s, DATA "crm_mon_3nodes.xml", &m, "node1=10.0.0.1:5432/1 node3=[fd00::3]:5432/1",
		"node2");
	/* what it resolved to (cluster.c, node_dns.h) */
	{
		struct fc_addr a;

		assert_int_equal(addr_parse_ip("10.0.0.2", &a, NULL, 0), 0);
		assert_int_equal(ring_map_set(&m, "node2", &a), 0);
	}
	compute(s, DATA "crm_mon_3nodes.xml", &m,
		"node1=10.0.0.1:5432/1 node2=10.0.0.2:5432/1 node3=[fd00::3]:5432/1", NULL);
	ring_map_free(&m);
	pool_source_free(s);
}

static void test_parse_refuses_bad_output(void **state)
{
	static const char *const bad[] = {
	    "",
	    "crm_mon: Error: cluster is not available on this node\n",
	    "<pacemaker-result><nodes><node name=\"a\" online=\"true\"/></nodes>", /* cut short */
	    "<pacemaker-result><nodes><node online=\"true\"/></nodes></pacemaker-result>",
	    "<pacemaker-result><status code=\"102\" message=\"Not connected\"/></pacemaker-result>",
	    "<pacemaker-result><nodes><node name=\"a\" online=\"true></nodes></pacemaker-result>",
	    "<pacemaker-result></nodes></pacemaker-result></x>",
	    /* what crm_mon 2.1.5 prints, exit 0, when it cannot reach the CIB */
	    "<pacemaker-result api-version=\"2.25\" request=\"crm_mon\">\n"
	    "  <status code=\"0\" message=\"OK\">\n    <errors>\n"
	    "      <error>Could not connect to the CIB: No such device or address</error>\n"
	    "    </errors>\n  </status>\n</pacemaker-result>\n",
	    "<pacemaker-result><status code=\"0\" message=\"OK\"/></pacemaker-result>",
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct crm_view v;
		char err[128] = "";

		assert_int_equal(crm_view_parse(bad[i], strlen(bad[i]), &v, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_int_equal(v.n_nodes, 0);
	}
}

static void test_parse_entities_and_noise(void **state)
{
	static const char xml[] =
	    "warning: something on stderr\n<?xml version=\"1.0\"?>\n<!-- c -->"
	    "<pacemaker-result api-version=\"2.25\"><nodes>"
	    "<node name=\"n&amp;1\" online=\"true\" standby=\"false\"/></nodes>"
	    "<node_attributes><node name=\"n&amp;1\">"
	    "<attribute name=\"s\" value=\"HS:&#115;ync &lt;x&gt;\"/></node></node_attributes>"
	    "<status code=\"0\" message=\"OK\"/></pacemaker-result>";
	struct crm_view v;
	char err[128] = "";

	assert_int_equal(crm_view_parse(xml, strlen(xml), &v, err, sizeof(err)), 0);
	assert_int_equal(v.n_nodes, 1);
	assert_string_equal(v.nodes[0].name, "n&1");
	assert_string_equal(v.nodes[0].attrs[0].value, "HS:sync <x>");
	crm_view_free(&v);
}

static void test_script_lines(void **state)
{
	static const char out[] = "# replicas\n"
				  "10.0.0.1\n"
				  "  10.0.0.2:6432 3  \r\n"
				  "\n"
				  "[2001:db8::1]:5433 0\n"
				  "2001:db8::2\n"
				  "10.0.0.1\n"			   /* duplicate: the first stays */
				  "not-an-address\n"		   /* bad */
				  "10.0.0.9 heavy\n"		   /* bad weight */
				  "10.0.0.8 1 2\n";		   /* too many words */
	struct member_list l;
	char err[256] = "", got[1024];
	unsigned bad;

	assert_int_equal(
	    members_from_lines(out, strlen(out), 5432, 1, &l, &bad, err, sizeof(err)), 0);
	members_str(&l, got, sizeof(got));
	assert_string_equal(got, "10.0.0.1=10.0.0.1:5432/1 10.0.0.2:6432 3=10.0.0.2:6432/3 "
				 "[2001:db8::1]:5433 0=[2001:db8::1]:5433/0 "
				 "2001:db8::2=[2001:db8::2]:5432/1");
	assert_int_equal(bad, 3);
	assert_non_null(strstr(err, "not-an-address"));
	member_list_free(&l);
}

/* ---- the keywords */

static char msgs[4096];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s\n", msg);
}

static struct config *load(const char *text, struct conf_diag *d)
{
	msgs[0] = '\0';
	memset(d, 0, sizeof(*d));
	d->fn = collect;
	return conf_load_string("t.conf", text, strlen(text), d);
}

static void test_keywords(void **state)
{
	static const char ok[] = "virtual_server 192.0.2.237 5432 {\n"
				 "    lb_algo rr\n"
				 "    lb_kind PROXY\n"
				 "    pacemaker_real_servers {\n"
				 "        resource lvsdr-realsvr-clone\n"
				 "        attribute pgsql-status \"HS:sync|HS:potential|HS:async\"\n"
				 "        default_weight 2\n"
				 "        weight node1 3\n"
				 "        address node1 192.0.2.11\n"
				 "        port 6432\n"
				 "        interval 0.5\n"
				 "        TCP_CHECK { connect_timeout 2 }\n"
				 "        PGSQL_CHECK {\n"
				 "            user monitor\n"
				 "            role standby\n"
				 "        }\n"
				 "    }\n"
				 "    delay_loop 3\n"
				 "}\n"
				 "virtual_server 192.0.2.237 80 {\n"
				 "    lb_kind PROXY\n"
				 "    real_server_script \"/usr/local/bin/list-replicas -a\" 5 {\n"
				 "        TCP_CHECK\n"
				 "    }\n"
				 "}\n";
	struct conf_diag d;
	struct config *cfg = load(ok, &d);
	const struct pool_source *s;

	if (!cfg || d.errors)
		fail_msg("%s", msgs);
	s = cfg->vs->pool->source;
	assert_non_null(s);
	assert_int_equal(s->kind, SRC_PACEMAKER);
	assert_string_equal(s->resource, "lvsdr-realsvr-clone");
	assert_string_equal(s->attr_name, "pgsql-status");
	assert_int_equal(s->default_weight, 2);
	assert_int_equal(pool_source_weight(s, "node1"), 3);
	assert_int_equal(pool_source_weight(s, "node9"), 2);
	assert_non_null(pool_source_addr(s, "node1"));
	assert_int_equal(s->port, 6432);
	assert_int_equal(s->interval_ms, 500);
	assert_int_equal(s->line, 4);
	/* the checkers every server it yields gets: the block's own values,
	 * else the virtual_server's, else keepalived's defaults */
	assert_non_null(s->checks);
	assert_int_equal(s->checks->type, CHECK_TCP);
	assert_int_equal(s->checks->line, 12);
	assert_int_equal(s->checks->connect_timeout_ms, 2000);
	assert_int_equal(s->checks->retry, 1);
	assert_non_null(s->checks->next);
	assert_int_equal(s->checks->next->type, CHECK_PGSQL);
	assert_int_equal(s->checks->next->connect_timeout_ms, 5000);
	assert_null(s->checks->next->next);
	assert_int_equal(cfg->vs->pool->delay_loop_ms, 3000);
	assert_int_equal(cfg->vs->pool->n_rs, 0);
	s = cfg->vs->next->pool->source;
	assert_int_equal(s->kind, SRC_SCRIPT);
	assert_string_equal(s->script, "/usr/local/bin/list-replicas -a");
	assert_int_equal(s->interval_ms, 5000);
	assert_non_null(s->checks);
	assert_int_equal(s->checks->type, CHECK_TCP);
	assert_null(s->checks->next);
	config_free(cfg);
}

static void test_keywords_refused(void **state)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
	    {"pacemaker_real_servers {\n attribute a \"((\"\n }\n", "t.conf:4: attribute: bad regex"},
	    {"pacemaker_real_servers {\n weight n1 70000\n }\n", "t.conf:4: weight:"},
	    {"pacemaker_real_servers {\n weight n1 1\n weight n1 2\n }\n",
	     "t.conf:5: weight: node n1 given twice"},
	    {"pacemaker_real_servers {\n address n1 node1.example\n }\n", "t.conf:4: "},
	    {"pacemaker_real_servers {\n bogus 1\n }\n", "t.conf:4: unknown keyword 'bogus'"},
	    {"real_server_script /bin/true 1\npacemaker_real_servers {\n}\n",
	     "t.conf:4: a virtual_server takes one source of servers: real_server_script given "
	     "at t.conf:3"},
	    {"real_server_script /bin/true 0\n", "t.conf:3: real_server_script: interval 0 is below"},
	    /* a checker's own refusals, at their line, as in a real_server */
	    {"pacemaker_real_servers {\n PGSQL_CHECK {\n role leader\n }\n }\n", "t.conf:5: "},
	    {"pacemaker_real_servers {\n TCP_CHECK {\n bogus 1\n }\n }\n",
	     "t.conf:5: unknown keyword 'bogus'"},
	    {"real_server_script /bin/true 1 {\n weight 2\n }\n", "t.conf:4: unknown keyword"},
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct conf_diag d;
		struct config *cfg;

		snprintf(text, sizeof(text), "virtual_server 192.0.2.1 80 {\n lb_kind PROXY\n%s}\n",
			 cases[i].body);
		cfg = load(text, &d);
		if (cfg && !d.errors)
			fail_msg("case %u accepted:\n%s", i, text);
		if (!strstr(msgs, cases[i].want))
			fail_msg("case %u: want '%s' in:\n%s", i, cases[i].want, msgs);
		config_free(cfg);
	}
}

/* lb_kind DR (and TUN) keeps the service's port: a source that gives its
 * servers another one is warned at its `port` line (ldirectord.cf too);
 * the same port, or a PROXY service, is not. */
static void test_dr_source_port_warned(void **state)
{
	static const char dr[] = "virtual_server 192.0.2.237 5432 {\n"
				 "    lb_algo mh\n"
				 "    pacemaker_real_servers {\n"
				 "        resource rs-clone\n"
				 "        port %s\n"
				 "    }\n"
				 "    lb_kind %s\n"
				 "}\n";
	static const char ld[] = "virtual=192.0.2.237:5432\n"
				 "\tpacemaker_resource = rs-clone\n"
				 "\tpacemaker_port = 5433\n"
				 "\tforward = gate\n";
	static const struct {
		const char *port, *kind;
		int warned;
	} cases[] = {{"6432", "DR", 1}, {"6432", "TUN", 1}, {"5432", "DR", 0}, {"6432", "NAT", 0}};
	char text[512];
	struct conf_diag d;
	struct config *cfg;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), dr, cases[i].port, cases[i].kind);
		cfg = load(text, &d);
		if (!cfg || d.errors)
			fail_msg("case %u: %s", i, msgs);
		if (cases[i].warned && !strstr(msgs, "t.conf:5: pacemaker_real_servers port 6432 "
						     "differs from the virtual server's 5432: with "
						     "lb_kind "))
			fail_msg("case %u: no warning at the port line:\n%s", i, msgs);
		if (!cases[i].warned && strstr(msgs, "differs"))
			fail_msg("case %u: warned:\n%s", i, msgs);
		config_free(cfg);
	}
	cfg = load(ld, &d);
	if (!cfg || d.errors)
		fail_msg("%s", msgs);
	if (!strstr(msgs, "t.conf:3: pacemaker_real_servers port 5433 differs"))
		fail_msg("ldirectord.cf: no warning at the port line:\n%s", msgs);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_view_parsed),
	    cmocka_unit_test(test_seed000_resource_and_attribute),
	    cmocka_unit_test(test_no_resource_every_online_node),
	    cmocka_unit_test(test_addresses_from_corosync_conf),
	    cmocka_unit_test(test_parse_refuses_bad_output),
	    cmocka_unit_test(test_parse_entities_and_noise),
	    cmocka_unit_test(test_script_lines),
	    cmocka_unit_test(test_keywords),
	    cmocka_unit_test(test_keywords_refused),
	    cmocka_unit_test(test_dr_source_port_warned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
