/* The generic keyword parsers (src/conf/kw_slot.c): a table of slot entries
 * over a struct of every slot type, read from real lexer tokens by the real
 * walker; values stored, ranges, spellings, units and the exact messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/ka.h"
#include "kw/lexer.h"

struct inner {
	unsigned delay_ms;
	char *name;
};

struct obj {
	unsigned u;
	uint8_t u8;
	uint16_t u16;
	int b, flag;
	char *s, *script;
	unsigned ms, msmin, nz;
	int mode;
	uint8_t mode8;
	struct fc_addr ip;
	uint16_t port;
	char ifname[16];
	struct inner *in; /* KW_SLOT_IN */
};

static const struct kw_enum modes[] = {
    {"auto", 1}, {"native", 2}, {"drv", 2, 1}, {"generic", 3}, {NULL},
};

#define IN(f, t, lo, hi) KW_SLOT_IN(struct obj, in, struct inner, f, t, lo, hi)

static const struct kw kws[] = {
    {"u", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, u, KW_T_UINT, 0, 65535)},
    {"u8", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, u8, KW_T_UINT, 1, 255)},
    {"u16", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, u16, KW_T_UINT, 0, 65535)},
    {"b", NULL, 0, 1, KW_NOBLOCK, KW_SLOT(struct obj, b, KW_T_BOOL, 0, 0)},
    {"flag", NULL, 0, 0, KW_NOBLOCK, KW_SLOT(struct obj, flag, KW_T_FLAG, 0, 0)},
    {"s", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, s, KW_T_STR, 0, 0)},
    {"script", NULL, 1, 3, KW_NOBLOCK, KW_SLOT(struct obj, script, KW_T_SCRIPT, 0, 0)},
    {"ms", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, ms, KW_T_SECS_MS, 0, 3600000)},
    {"msmin", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, msmin, KW_T_SECS_MS, 1, 3600000)},
    {"ms250", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, msmin, KW_T_SECS_MS, 250, 3600000)},
    {"nz", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct obj, nz, KW_T_SECS_NZ, 0, 86400000, "the default (60 s)")},
    {"mode", NULL, 1, 1, KW_NOBLOCK, KW_SLOT_X(KW_SELF, struct obj, mode, KW_T_ENUM, 0, 0, modes)},
    {"mode8", NULL, 1, 1, KW_NOBLOCK,
     KW_SLOT_X(KW_SELF, struct obj, mode8, KW_T_ENUM, 0, 0, modes)},
    {"ip", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, ip, KW_T_IP, 0, 0)},
    {"port", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, port, KW_T_PORT, 0, 0)},
    {"ifname", NULL, 1, 1, KW_NOBLOCK, KW_SLOT(struct obj, ifname, KW_T_IFNAME, 0, 0)},
    {"in_delay", NULL, 1, 1, KW_NOBLOCK, IN(delay_ms, KW_T_SECS_MS, 0, 3600000)},
    {"in_name", NULL, 1, 1, KW_NOBLOCK, IN(name, KW_T_STR, 0, 0)},
    {NULL},
};

static const struct kw_block blk = {"the test block", kws, NULL, NULL, NULL};

static char msgs[4096];

static void collect(void *ctx, int sev, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof(msgs) - n, "%s %s\n", sev == DIAG_ERROR ? "E" : "W", msg);
}

static struct inner in;
static struct obj o;
static struct conf_diag diag;

static void reset(void)
{
	free(o.s);
	free(o.script);
	free(in.name);
	memset(&o, 0, sizeof(o));
	memset(&in, 0, sizeof(in));
	o.in = &in;
}

/* Walk `text` over o (kept from the last walk unless reset()); the number of
 * errors, diagnostics in msgs. */
static unsigned walk(const char *text)
{
	struct lexer lx;
	struct kw_ctx c;

	msgs[0] = 0;
	memset(&diag, 0, sizeof(diag));
	diag.fn = collect;
	lexer_init(&lx, &diag);
	lexer_read_string(&lx, "t.conf", text, strlen(text));
	memset(&c, 0, sizeof(c));
	c.tok = lx.tok;
	c.ntok = lx.ntok;
	c.d = &diag;
	kw_walk_top(&c, &blk, &o);
	lexer_free(&lx);
	return diag.errors;
}

/* One error, exactly "t.conf:1: " + want. */
static void expect_error(const char *text, const char *want)
{
	char line[512];

	snprintf(line, sizeof(line), "E t.conf:1: %s\n", want);
	if (walk(text) != 1 || strcmp(msgs, line))
		fail_msg("%s: wanted \"%s\", got:\n%s", text, want, msgs);
}

static int setup(void **state)
{
	reset();
	return 0;
}

static int teardown(void **state)
{
	reset();
	return 0;
}

static void test_uint(void **state)
{
	assert_int_equal(walk("u 65535\nu8 255\nu16 4242\n"), 0);
	assert_int_equal(o.u, 65535);
	assert_int_equal(o.u8, 255);
	assert_int_equal(o.u16, 4242);
	expect_error("u 65536", "u: '65536' is not a number in 0..65535");
	expect_error("u -1", "u: '-1' is not a number in 0..65535");
	expect_error("u 1x", "u: '1x' is not a number in 0..65535");
	expect_error("u8 0", "u8: '0' is not a number in 1..255");
	expect_error("u8 256", "u8: '256' is not a number in 1..255");
	/* a refused value leaves the field as it was */
	assert_int_equal(o.u, 65535);
	assert_int_equal(o.u8, 255);
}

static void test_bool_spellings(void **state)
{
	static const char *const yes[] = {"on", "true", "yes", "ON", NULL};
	static const char *const no[] = {"off", "false", "no", NULL};
	char line[32];
	unsigned i;

	for (i = 0; no[i]; i++) {
		o.b = 1;
		snprintf(line, sizeof(line), "b %s\n", no[i]);
		assert_int_equal(walk(line), 0);
		assert_int_equal(o.b, 0);
	}
	for (i = 0; yes[i]; i++) {
		o.b = 0;
		snprintf(line, sizeof(line), "b %s\n", yes[i]);
		if (i == 3) { /* spellings are lower case, as in keepalived */
			expect_error(line, "b: 'ON' is not on|off|true|false|yes|no");
			continue;
		}
		assert_int_equal(walk(line), 0);
		assert_int_equal(o.b, 1);
	}
	o.b = 0;
	assert_int_equal(walk("b\n"), 0); /* no argument: on */
	assert_int_equal(o.b, 1);
	expect_error("b 1", "b: '1' is not on|off|true|false|yes|no");
	assert_int_equal(walk("flag\n"), 0);
	assert_int_equal(o.flag, 1);
	expect_error("flag 1", "'flag' takes 0 arguments, not 1");
}

static void test_secs_units(void **state)
{
	assert_int_equal(walk("ms 1.5\n"), 0);
	assert_int_equal(o.ms, 1500);
	assert_int_equal(walk("ms .25\n"), 0);
	assert_int_equal(o.ms, 250);
	assert_int_equal(walk("ms 0\n"), 0);
	assert_int_equal(o.ms, 0);
	assert_int_equal(walk("ms 3600\n"), 0);
	assert_int_equal(o.ms, 3600000);
	expect_error("ms 3600.001", "ms: '3600.001' is not a number of seconds (0..3600)");
	expect_error("ms -1", "ms: '-1' is not a number of seconds (0..3600)");
	expect_error("ms 1s", "ms: '1s' is not a number of seconds (0..3600)");
	expect_error("ms nan", "ms: 'nan' is not a number of seconds (0..3600)");
	expect_error("msmin 0", "msmin: must be more than 0");
	expect_error("ms250 0.2", "ms250: must be at least 0.250 s");
	assert_int_equal(walk("msmin 0.001\n"), 0);
	assert_int_equal(o.msmin, 1);
	/* in the struct behind the object's pointer */
	assert_int_equal(walk("in_delay 2\nin_name x\n"), 0);
	assert_int_equal(in.delay_ms, 2000);
	assert_string_equal(in.name, "x");
}

static void test_secs_nonzero(void **state)
{
	o.nz = 60000;
	assert_int_equal(walk("nz 0\n"), 0);
	assert_string_equal(msgs,
			    "W t.conf:1: nz 0 is ignored, as keepalived does: the default (60 s) "
			    "applies\n");
	assert_int_equal(o.nz, 60000);
	assert_int_equal(walk("nz 2.5\n"), 0);
	assert_int_equal(o.nz, 2500);
	expect_error("nz 86401", "nz: '86401' is not a number of seconds (0..86400)");
}

static void test_enum(void **state)
{
	assert_int_equal(walk("mode NATIVE\nmode8 generic\n"), 0);
	assert_int_equal(o.mode, 2);
	assert_int_equal(o.mode8, 3);
	assert_int_equal(walk("mode drv\n"), 0); /* an alias, not listed */
	assert_int_equal(o.mode, 2);
	expect_error("mode skb", "mode: 'skb' is not auto, native or generic");
	assert_int_equal(o.mode, 2);
}

static void test_str_script(void **state)
{
	assert_int_equal(walk("s one\ns two\n"), 0); /* the old value freed (ASan) */
	assert_string_equal(o.s, "two");
	assert_int_equal(walk("script \"/bin/true x\"\n"), 0);
	assert_string_equal(o.script, "/bin/true x");
	assert_string_equal(msgs, "");
	assert_int_equal(walk("script /bin/false nobody\n"), 0);
	assert_string_equal(o.script, "/bin/false");
	assert_string_equal(msgs, "W t.conf:1: script: the user/group to run the script as is "
				  "ignored by fulcrum\n");
}

static void test_addr_port_ifname(void **state)
{
	char a[ADDR_STRLEN];

	o.ip.port = 80;
	assert_int_equal(walk("ip fd00::1\nport 8080\nifname eth0\n"), 0);
	assert_string_equal(addr_format(&o.ip, a, sizeof(a), 0), "fd00::1");
	assert_int_equal(o.port, 8080);
	assert_string_equal(o.ifname, "eth0");
	expect_error("ip 10.0.0.256", "ip: '10.0.0.256' is not an IPv4 or IPv6 address");
	expect_error("port 65536", "port: '65536' is not a port number (1-65535)");
	expect_error("ifname abcdefghijklmnop",
		     "ifname: 'abcdefghijklmnop' is not an interface name (1..15 characters)");
	assert_string_equal(o.ifname, "eth0");
}

/* Every entry of fulcrum's own tables without a parser has a slot, and a
 * number slot's range fits its field: a mistake there would only show when
 * a file used the keyword. */
static void check_table(const struct kw *k, const char *block)
{
	for (; k && k->name; k++) {
		const struct kw_slot *s = &k->slot;

		if (k->parse)
			continue;
		if (s->type == KW_T_NONE)
			fail_msg("%s %s: no parser and no slot", block, k->name);
		if (s->type == KW_T_UINT && s->size < 4 && s->max >= 1u << (8 * s->size))
			fail_msg("%s %s: max %u does not fit %u bytes", block, k->name, s->max,
				 s->size);
		if (s->type == KW_T_UINT && s->min > s->max)
			fail_msg("%s %s: empty range", block, k->name);
		if ((s->type == KW_T_ENUM || s->type == KW_T_SECS_NZ) && !s->arg)
			fail_msg("%s %s: no names / no fallback text", block, k->name);
	}
}

static void test_tables_consistent(void **state)
{
	const struct kw_block *const *lists[] = {kw_doc_global, kw_doc_ka, kw_doc_check,
						 kw_doc_vrrp};
	unsigned i, j, n = 0;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (j = 0; lists[i][j]; j++, n++) {
			check_table(lists[i][j]->kws, lists[i][j]->name);
			check_table(lists[i][j]->kws2, lists[i][j]->name);
		}
	check_table(kw_top.kws, kw_top.name);
	check_table(kw_top.kws2, kw_top.name);
	assert_true(n > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_uint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bool_spellings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secs_units, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secs_nonzero, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_str_script, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_addr_port_ifname, setup, teardown),
	    cmocka_unit_test(test_tables_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
