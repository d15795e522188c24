/* The statistics-field tables (core/stats-t.h) and the JSON generated from
 * them: every table is well formed (names unique in their object, help
 * present, a valid type and a way to read each field), and the members of
 * each command's JSON are exactly the names of its tables, on a model built
 * by hand where every list has an item and every nullable member a value,
 * so a field added to a table appears in the output (and nowhere else).
 * `list --json` is also held byte for byte to what the hand-written printer
 * wrote before the tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "check/health-t.h"
#include "check/health_stats.h"
#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "core/stats.h"
#include "core/version.h"
#include "ctl/ctl.h"
#include "daemon/apply.h"
#include "model/fulcrum-t.h"
#include "model/model.h"
#include "model/stats_fields.h"
#include "vrrp/vrrp_pkt.h"
#include "vrrp/vrrp_run-int.h"
#include "vrrp/vrrp_run.h"
#include "xdp/xdp-t.h"
#include "xdp/xdp_stats.h"

/* ---- every table, walked ---- */

static const struct stat_table *const all_tables[] = {
    &ctl_list_stats, &health_stats, &vrrp_stats,    &vrrp_stats_brief,
    &stat_service,   &stat_server,  &stat_endpoint, &xdp_stats,
};

#define MAX_NAMES 256

struct names {
	const char *v[MAX_NAMES];
	size_t n;
};

static void add_name(struct names *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return;
	assert_true(ns->n < MAX_NAMES);
	ns->v[ns->n++] = name;
}

static int scalar(enum stat_type t)
{
	return t != STAT_OBJECT && t != STAT_LIST && t != STAT_INLINE;
}

/* Checks t and what it nests; `seen` collects the member names of one
 * object (inlined tables write into their host's object); every name a JSON
 * document of t can hold goes into `keys`. */
static void walk(const struct stat_table *t, struct names *seen, struct names *keys, int depth)
{
	size_t i, j;

	assert_true(depth < 16);
	assert_non_null(t->kind);
	assert_true(t->n > 0);
	if (t->bare) /* a list of bare values: one scalar, no member name */
		assert_true(t->n == 1 && scalar(t->fields[0].type));
	for (i = 0; i < t->n; i++) {
		const struct stat_field *f = &t->fields[i];

		if (!f->name || !f->help || !*f->help || !stat_type_name(f->type))
			fail_msg("%s: field %zu (%s): a name, help and a valid type", t->kind, i,
				 f->name ? f->name : "?");
		/* a way to read it, fit for its type */
		if (!f->get && f->load == STAT_LD_NONE)
			fail_msg("%s.%s: neither getter nor load", t->kind, f->name);
		if (f->load == STAT_LD_SUB)
			assert_false(scalar(f->type));
		if (f->load == STAT_LD_DOUBLE)
			assert_int_equal(f->type, STAT_FLOAT);
		if (f->load == STAT_LD_CHARS || f->load == STAT_LD_STR)
			assert_true(f->type == STAT_STRING || f->type == STAT_ENUM);
		if (f->load != STAT_LD_NONE)
			assert_true(f->size > 0);
		if (scalar(f->type)) {
			assert_null(f->sub);
		} else {
			if (!f->sub)
				fail_msg("%s.%s: no table for its %s", t->kind, f->name,
					 stat_type_name(f->type));
		}
		assert_true(!f->next == (f->type != STAT_LIST));
		assert_true(!f->stream || f->type == STAT_LIST);
		if (f->type == STAT_INLINE) {
			walk(f->sub, seen, keys, depth + 1);
			continue;
		}
		if (t->bare)
			continue;
		for (j = 0; j < seen->n; j++)
			if (!strcmp(seen->v[j], f->name))
				fail_msg("%s: two members named %s", t->kind, f->name);
		add_name(seen, f->name);
		add_name(keys, f->name);
		if (f->type == STAT_OBJECT || f->type == STAT_LIST) {
			struct names inner = {.n = 0};

			walk(f->sub, &inner, keys, depth + 1);
		}
	}
}

static void test_tables_well_formed(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(all_tables) / sizeof(all_tables[0]); i++) {
		struct names seen = {.n = 0}, keys = {.n = 0};

		walk(all_tables[i], &seen, &keys, 0);
	}
}

static void test_types_named(void **state)
{
	int t;

	for (t = STAT_COUNTER; t < STAT__COUNT; t++)
		assert_non_null(stat_type_name(t));
	assert_null(stat_type_name(0));
	assert_null(stat_type_name(STAT__COUNT));
}

static const struct stat_table *sub_named(const struct stat_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->fields[i].name, name))
			return t->fields[i].sub;
	fail_msg("%s has no field %s", t->kind, name);
	return NULL;
}

/* Tables that list the members of an enum name every member, under the
 * name the rest of fulcrum uses: VRRP's drop reasons (vrrp_drop_name, the
 * log lines) and the XDP program's fx_global counters. */
static void test_enum_tables_complete(void **state)
{
	const struct stat_table *drop =
	    sub_named(sub_named(sub_named(&vrrp_stats, "vrrp"), "counters"), "drop");
	size_t i;

	assert_int_equal(drop->n, VRRP_DROP__COUNT - 1);
	for (i = 0; i < drop->n; i++) {
		size_t k = (drop->fields[i].off - offsetof(struct vinst, drop)) / sizeof(uint64_t);

		assert_true(k >= 1 && k < VRRP_DROP__COUNT);
		assert_string_equal(drop->fields[i].name, vrrp_drop_name(k));
	}
	for (i = 0; i < FX_G_MAX; i++)
		if (!xdp_global_name((unsigned)i))
			fail_msg("fx_global counter %zu has no field in show xdp's table", i);
}

/* The member names of a JSON text: every string followed by ':'. */
static void json_keys(const char *s, struct names *keys, char *store, size_t storelen)
{
	size_t used = 0;

	while (*s) {
		const char *start;

		if (*s != '"') {
			s++;
			continue;
		}
		start = ++s;
		while (*s && *s != '"')
			s += *s == '\\' && s[1] ? 2 : 1;
		assert_int_equal(*s, '"');
		if (s[1] == ':') {
			size_t n = (size_t)(s - start);

			assert_true(used + n + 1 <= storelen);
			memcpy(store + used, start, n);
			store[used + n] = 0;
			add_name(keys, store + used);
			used += n + 1;
		}
		s++;
	}
}

static void same_names(const struct names *a, const struct names *b, const char *what)
{
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && strcmp(a->v[i], b->v[j]); j++)
			;
		if (j == b->n)
			fail_msg("%s: \"%s\" is in the table but not in the output", what, a->v[i]);
	}
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < a->n && strcmp(b->v[i], a->v[j]); j++)
			;
		if (j == a->n)
			fail_msg("%s: \"%s\" is in the output but not in the table", what, b->v[i]);
	}
}

/* ---- a model built by hand, every figure set ---- */

#define MAX_ALLOC 64

struct env {
	struct fulcrum fc;
	void *mem[MAX_ALLOC];
	size_t n_mem;
};

static void *zalloc(struct env *e, size_t n)
{
	void *p = calloc(1, n);

	assert_non_null(p);
	assert_true(e->n_mem < MAX_ALLOC);
	e->mem[e->n_mem++] = p;
	return p;
}

static struct virtual_server *mk_vs(struct env *e, const char *vip, int proto, const char *sched)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(vs);
	assert_int_equal(addr_parse_hostport(vip, &vs->addr, err, sizeof(err)), 0);
	vs->protocol = proto;
	snprintf(vs->pool->sched, sizeof(vs->pool->sched), "%s", sched);
	config_add_vs(e->fc.cfg, vs);
	return vs;
}

static struct real_server *mk_rs(const char *rip, int w, int k)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_hostport(rip, &rs->addr, err, sizeof(err)), 0);
	rs->weight = rs->cur_weight = w;
	rs->live->activeconns = 3 + k;
	rs->live->inactconns = 4 + k;
	rs->live->ctr.main = (struct fc_stats){10 + k, 11 + k, 12 + k, 13 + k, 123456789012ULL + k};
	rs->live->est.rate = (struct fc_rates){1.5 + k, 2.25, 3.0004, 1e12, 0.0005};
	snprintf(rs->live->reason, sizeof(rs->live->reason), "reason \"%d\"\n", k);
	rs->live->health = k % 2 ? RS_HEALTH_DOWN : RS_HEALTH_UP;
	return rs;
}

static const struct check_ops fake_tcp = {.name = "TCP_CHECK"};

/* checks state: vs's servers get k runs each (k = their index), run 0 has
 * been checked, later ones have not */
static void mk_health(struct env *e, struct virtual_server *vs)
{
	struct pool_health *ph = zalloc(e, sizeof(*ph));
	struct real_server *rs;
	unsigned k = 0, i;

	ph->pool = vs->pool;
	ph->suspended = 1;
	ph->sorry_active = 1;
	vs->pool->health = ph;
	for (rs = vs->pool->rs; rs; rs = rs->next, k++) {
		struct rs_health *rh = zalloc(e, sizeof(*rh));

		rh->rs = rs;
		rh->n_runs = k;
		rh->runs = zalloc(e, (k + 1) * sizeof(*rh->runs));
		for (i = 0; i < k; i++) {
			struct health_run *hr = &rh->runs[i];

			hr->run.ops = &fake_tcp;
			hr->run.target = rs->addr;
			hr->run.n_ok = i ? 0 : 7;
			hr->run.n_fail = i ? 0 : 5;
			hr->rise = 2;
			hr->fall = 4;
		}
		rs->health = rh;
	}
}

static struct vrrp_instance *mk_vcfg(struct env *e, const char *name, int fam, const char *vip)
{
	struct vrrp_instance *c = zalloc(e, sizeof(*c));
	char err[ERRLEN];

	c->name = (char *)name;
	snprintf(c->ifname, sizeof(c->ifname), "eth0");
	c->vrid = 51;
	c->priority = 150;
	c->version = fam == AF_INET6 ? 3 : 2;
	c->family = fam;
	c->vips = zalloc(e, sizeof(*c->vips));
	c->n_vips = 1;
	assert_int_equal(addr_parse_ip(vip, &c->vips[0].addr, err, sizeof(err)), 0);
	c->vips[0].prefix = 24;
	return c;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct virtual_server *vs;
	struct vinst *a, *b;
	struct vrun *r;
	char err[ERRLEN];

	assert_non_null(e);
	e->fc.cfg = config_new();
	e->fc.ops = &apply_ops;
	vs = mk_vs(e, "127.0.0.1:8080", IPPROTO_TCP, "sh");
	vs->persistence_timeout = 50;
	vs->persistence_prefix = 24;
	vs->pool->sched_flags = 3;
	vs->pool->quorum = 3;
	vs->live->activeconns = 7;
	vs->live->ctr.main = (struct fc_stats){1, 2, 3, 4, 5};
	vs->live->est.rate = (struct fc_rates){0.1, 0.2, 1.0 / 0.0, 0.4, -3};
	vs_add_rs(vs, mk_rs("127.0.0.1:9001", 1, 0));
	vs_add_rs(vs, mk_rs("127.0.0.1:9002", 2, 1));
	vs->pool->sorry = mk_rs("127.0.0.1:9999", 1, 2);
	mk_health(e, vs);
	vs = mk_vs(e, "[2001:db8::1]:53", IPPROTO_UDP, "wrr");
	vs->fwd = FWD_PROXY;

	r = zalloc(e, sizeof(*r));
	a = zalloc(e, sizeof(*a));
	b = zalloc(e, sizeof(*b));
	a->cfg = mk_vcfg(e, "VI_1", AF_INET, "192.168.1.10");
	a->fsm.state = VRRP_MASTER;
	a->fsm.prio = 160;
	assert_int_equal(addr_parse_ip("192.168.1.2", &a->src, err, sizeof(err)), 0);
	a->fsm.last_from = VRRP_BACKUP;
	a->fsm.last_at_ms = 1; /* long ago: ago_ms is a number */
	a->rx = 1;
	a->fsm.cnt.to_fault = 16;
	a->drop[VRRP_DROP_REPLAY] = 116;
	b->cfg = mk_vcfg(e, "VI_2", AF_INET6, "2001:db8::5");
	b->fsm.state = VRRP_BACKUP;
	r->inst = a;
	a->next = b;
	e->fc.vrrp = r;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	struct virtual_server *vs;
	size_t i;

	for (vs = e->fc.cfg->vs; vs; vs = vs->next) {
		struct real_server *rs;

		vs->pool->health = NULL;
		for (rs = vs->pool->rs; rs; rs = rs->next)
			rs->health = NULL;
	}
	config_free(e->fc.cfg);
	for (i = 0; i < e->n_mem; i++)
		free(e->mem[i]);
	free(e);
	return 0;
}

static char *run(struct fulcrum *fc, const char *line)
{
	char buf[256], *argv[8], err[ERRLEN] = "";
	struct sbuf out;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_split(buf, argv, 8, err, sizeof(err));
	assert_true(argc > 0);
	sbuf_init(&out);
	if (ctl_execute(fc, argc, argv, &out, err, sizeof(err)) < 0)
		fail_msg("'%s': %s", line, err);
	return out.s ? out.s : strdup("");
}

static void keys_are_table(struct fulcrum *fc, const char *cmd, const struct stat_table *t)
{
	struct names want = {.n = 0}, seen = {.n = 0}, got = {.n = 0};
	char *out = run(fc, cmd), store[8192];

	walk(t, &seen, &want, 0);
	json_keys(out, &got, store, sizeof(store));
	same_names(&want, &got, cmd);
	free(out);
}

static void test_json_keys_are_the_tables(void **state)
{
	struct env *e = *state;

	keys_are_table(&e->fc, "list --json", &ctl_list_stats);
	keys_are_table(&e->fc, "show checks --json", &health_stats);
	keys_are_table(&e->fc, "show vrrp --json", &vrrp_stats);
}

/* show xdp: an engine as the daemon holds it, the program "loaded" (no map
 * can be read: the counters are 0), a DR service with a resolved server and
 * a TUN one with a tunnel source; then no engine at all, where only
 * "loaded" and the two lists are written. */
static void test_xdp_keys(void **state)
{
	struct env *e = *state;
	struct xdp_engine *x = zalloc(e, sizeof(*x));
	struct xdp_vs *d = zalloc(e, sizeof(*d)), *t = zalloc(e, sizeof(*t));
	char err[ERRLEN], *out;

	memset(&x->fd, 0xff, sizeof(x->fd)); /* every map fd -1 */
	x->skel = (struct fulcrum_xdp *)x;   /* "loaded": never dereferenced here */
	x->n_ifs = 1;
	snprintf(x->ifs[0].name, sizeof(x->ifs[0].name), "veth0");
	d->vs = e->fc.cfg->vs;
	d->vs->fwd = FWD_DR;
	d->n = 1;
	d->srv = zalloc(e, sizeof(*d->srv));
	d->srv->nh_ok = d->srv->nh.resolved = 1;
	t->vs = d->vs->next;
	t->vs->fwd = FWD_TUN;
	t->n = 1;
	t->srv = zalloc(e, sizeof(*t->srv));
	t->srv->nh_ok = 1;
	assert_int_equal(addr_parse_ip("2001:db8::1", &t->srv->nh.src, err, sizeof(err)), 0);
	x->services = d;
	d->next = t;
	e->fc.xdp = x;
	keys_are_table(&e->fc, "show xdp --json", &xdp_stats);
	out = run(&e->fc, "show xdp --json");
	assert_non_null(strstr(out, "\"mac\":\"00:00:00:00:00:00\",\"ifindex\":0,"));
	assert_non_null(strstr(out, "\"tunnel_source\":\"2001:db8::1\"}"));
	free(out);

	e->fc.xdp = NULL;
	out = run(&e->fc, "show xdp --json");
	assert_string_equal(out, "{\"loaded\":false,\"interfaces\":[],\"virtual_servers\":[]}\n");
	free(out);
}

/* What the hand-written printer wrote for this model, before the tables
 * (the sorry server inlines a server and adds "active"; a rate that is not
 * finite is 0.000; a negative one is written as it is), plus the two fields
 * the services/pools split added on purpose: a service's "pool" and a
 * server's "name" (null for this hand-made sorry server, which no reader
 * added). */
static const char list_before[] =
    "{\"version\":\"" FC_VERSION "\",\"virtual_servers\":[{\"address\":\"127.0.0.1\","
    "\"port\":8080,\"fwmark\":0,\"protocol\":\"TCP\",\"pool\":\"TCP 127.0.0.1:8080\",\"scheduler\":\"sh\",\"sched_flags\":3,"
    "\"forward\":\"NAT\",\"persistence_timeout\":50,\"persistence_prefix\":24,"
    "\"active_conns\":7,\"inactive_conns\":0,\"total_conns\":1,\"in_packets\":2,"
    "\"out_packets\":3,\"in_bytes\":4,\"out_bytes\":5,\"rate\":{\"cps\":0.100,"
    "\"in_pps\":0.200,\"out_pps\":0.000,\"in_bps\":0.400,\"out_bps\":-3.000},"
    "\"sorry_server\":{\"name\":null,\"address\":\"127.0.0.1\",\"port\":9999,\"weight\":1,"
    "\"configured_weight\":1,\"state\":\"up\",\"reason\":\"reason \\\"2\\\"\\u000a\","
    "\"active_conns\":5,\"inactive_conns\":6,\"total_conns\":12,\"in_packets\":13,"
    "\"out_packets\":14,\"in_bytes\":15,\"out_bytes\":123456789014,\"rate\":{\"cps\":3.500,"
    "\"in_pps\":2.250,\"out_pps\":3.000,\"in_bps\":1000000000000.000,\"out_bps\":0.001},"
    "\"active\":true},\"real_servers\":[{\"name\":\"127.0.0.1:9001\",\"address\":\"127.0.0.1\",\"port\":9001,"
    "\"weight\":1,\"configured_weight\":1,\"state\":\"up\",\"reason\":\"reason "
    "\\\"0\\\"\\u000a\",\"active_conns\":3,\"inactive_conns\":4,\"total_conns\":10,"
    "\"in_packets\":11,\"out_packets\":12,\"in_bytes\":13,\"out_bytes\":123456789012,"
    "\"rate\":{\"cps\":1.500,\"in_pps\":2.250,\"out_pps\":3.000,"
    "\"in_bps\":1000000000000.000,\"out_bps\":0.001}},{\"name\":\"127.0.0.1:9002\",\"address\":\"127.0.0.1\","
    "\"port\":9002,\"weight\":0,\"configured_weight\":2,\"state\":\"down\",\"reason\":"
    "\"reason \\\"1\\\"\\u000a\",\"active_conns\":4,\"inactive_conns\":5,\"total_conns\":11,"
    "\"in_packets\":12,\"out_packets\":13,\"in_bytes\":14,\"out_bytes\":123456789013,"
    "\"rate\":{\"cps\":2.500,\"in_pps\":2.250,\"out_pps\":3.000,"
    "\"in_bps\":1000000000000.000,\"out_bps\":0.001}}]},{\"address\":\"2001:db8::1\","
    "\"port\":53,\"fwmark\":0,\"protocol\":\"UDP\",\"pool\":\"UDP [2001:db8::1]:53\",\"scheduler\":\"wrr\",\"sched_flags\":0,"
    "\"forward\":\"PROXY\",\"persistence_timeout\":0,\"persistence_prefix\":0,"
    "\"active_conns\":0,\"inactive_conns\":0,\"total_conns\":0,\"in_packets\":0,"
    "\"out_packets\":0,\"in_bytes\":0,\"out_bytes\":0,\"rate\":{\"cps\":0.000,"
    "\"in_pps\":0.000,\"out_pps\":0.000,\"in_bps\":0.000,\"out_bps\":0.000},"
    "\"sorry_server\":null,\"real_servers\":[]}],\"vrrp\":[{\"name\":\"VI_1\","
    "\"state\":\"MASTER\",\"priority\":160,\"master\":\"192.168.1.2\"},{\"name\":\"VI_2\","
    "\"state\":\"BACKUP\",\"priority\":0,\"master\":\"\"}]}\n";

static void test_list_json_as_before(void **state)
{
	struct env *e = *state;
	char *out = run(&e->fc, "list --json");

	assert_string_equal(out, list_before);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types_named),
	    cmocka_unit_test(test_tables_well_formed),
	    cmocka_unit_test(test_enum_tables_complete),
	    cmocka_unit_test_setup_teardown(test_json_keys_are_the_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_json_as_before, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
