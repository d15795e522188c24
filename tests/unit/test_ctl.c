/* Run-time control: the command table and dispatcher (every command's
 * success and every refusal, which must leave the model unchanged, also
 * without the daemon's ops), the listings, random commands, the generated
 * help and doc.  test_ctl_socket.c: the control socket. */
#include "ctl_harness.h"

/* ---- listings ---- */

static void test_list_text(void **state)
{
	struct fulcrum *fc = *state;
	char expect[2048];
	char *got;

	snprintf(expect, sizeof(expect),
		 "fulcrum %s (engine: %s)\n"
		 "Prot LocalAddress:Port Scheduler Flags\n"
		 "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		 "TCP  127.0.0.1:8080 rr persistent 50 mask 255.255.255.0\n"
		 "  -> 127.0.0.1:9001               Masq    1      2          1         \n"
		 "  -> 127.0.0.1:9002               Masq    0      0          0         \n"
		 "UDP  [2001:db8::1]:53 sh (sh-fallback,sh-port)\n"
		 "  -> [2001:db8::10]:53            Proxy   5      0          0         \n"
		 "TCP  10.0.0.1:53 wlc\n"
		 "  -> 10.0.0.2:53                  Masq    1      0          0         \n"
		 "UDP  10.0.0.1:53 wlc\n"
		 "  -> 10.0.0.3:53                  Masq    1      0          0         \n",
		 FC_VERSION, engine_for(fc->cfg->vs)->name);
	got = run_ok(fc, "list");
	assert_string_equal(got, expect);
	free(got);
}

static void test_list_stats_rate(void **state)
{
	struct fulcrum *fc = *state;
	struct virtual_server *vs = fc->cfg->vs;
	struct real_server *rs = vs->pool->rs;
	char *got;

	vs->live->ctr.main = (struct fc_stats){12, 34, 56, 7890, 123456789012ULL};
	rs->live->ctr.main = (struct fc_stats){5, 6, 7, 99999999, 100000000};
	rs->live->est.rate = (struct fc_rates){1.4, 2.6, 3, 4000, 5000.5};
	got = run_ok(fc, "list --stats");
	assert_contains(got, "Prot LocalAddress:Port               Conns   InPkts  OutPkts"
			     "  InBytes OutBytes\n  -> RemoteAddress:Port\n");
	assert_contains(got, "\nTCP  127.0.0.1:8080                     12       34       56"
			     "     7890     123G\n");
	assert_contains(got, "\n  -> 127.0.0.1:9001                      5        6        7"
			     " 99999999  100000K\n");
	free(got);
	got = run_ok(fc, "list --rate");
	assert_contains(got, "Prot LocalAddress:Port                 CPS    InPPS   OutPPS"
			     "    InBPS   OutBPS\n");
	assert_contains(got, "\n  -> 127.0.0.1:9001                      1        3        3"
			     "     4000     5001\n");
	free(got);
}

static void test_list_json(void **state)
{
	struct fulcrum *fc = *state;
	struct virtual_server *vs = fc->cfg->vs;
	struct real_server *sorry = rs_new();
	char err[ERRLEN];
	char *got;

	assert_int_equal(addr_parse_hostport("127.0.0.1:9999", &sorry->addr, err, sizeof(err)), 0);
	vs->pool->sorry = sorry;
	snprintf(vs->pool->rs->live->reason, sizeof(vs->pool->rs->live->reason),
		 "HTTP \"500\"\n\\ \x01");
	vs->pool->rs->live->ctr.main.inbytes = 1234;
	got = run_ok(fc, "list --json");
	if (!json_valid(got))
		fail_msg("invalid JSON: %s", got);
	assert_true(starts_with(got, "{\"version\":\"" FC_VERSION "\",\"virtual_servers\":[{"));
	assert_contains(got, "\"address\":\"127.0.0.1\",\"port\":8080,");
	assert_contains(got, "\"protocol\":\"TCP\",\"pool\":\"TCP 127.0.0.1:8080\",\"scheduler\":\"rr\"");
	assert_contains(got, "\"forward\":\"NAT\",\"persistence_timeout\":50,");
	assert_contains(got, "\"sorry_server\":{\"name\":null,\"address\":\"127.0.0.1\",\"port\":9999,");
	assert_contains(got, "\"sorry_server\":null");
	assert_contains(got, "\"real_servers\":[{\"name\":\"127.0.0.1:9001\",\"address\":\"127.0.0.1\",\"port\":9001,"
			     "\"weight\":1,\"configured_weight\":1,\"state\":\"up\","
			     "\"reason\":\"HTTP \\\"500\\\"\\u000a\\\\ \\u0001\","
			     "\"active_conns\":2,\"inactive_conns\":1,\"total_conns\":0,");
	assert_contains(got, "\"in_bytes\":1234,");
	/* drained: weight in force 0, configured 2 */
	assert_contains(got, "\"port\":9002,\"weight\":0,\"configured_weight\":2,"
			     "\"state\":\"drain\"");
	assert_contains(got, "\"address\":\"2001:db8::1\",\"port\":53,");
	assert_contains(got, "\"forward\":\"PROXY\"");
	free(got);

	/* an empty model is valid JSON too */
	{
		struct config *keep = fc->cfg, *empty = config_new();

		fc->cfg = empty;
		got = run_ok(fc, "list --json");
		assert_string_equal(got,
				    "{\"version\":\"" FC_VERSION
				    "\",\"virtual_servers\":[],\"vrrp\":[]}\n");
		free(got);
		got = run_ok(fc, "list");
		assert_contains(got, "(engine: none)\n");
		free(got);
		fc->cfg = keep;
		config_free(empty);
	}
}

/* ---- commands that succeed ---- */

static void test_set_weight(void **state)
{
	struct fulcrum *fc = *state;
	struct real_server *rs = rs_at(fc, 0, "127.0.0.1:9001");
	char *got;

	free(run_ok(fc, "set weight 127.0.0.1:8080 127.0.0.1:9001 3"));
	assert_int_equal(rs->cur_weight, 3);
	assert_int_equal(rs->weight, 1);
	free(run_ok(fc, "set weight tcp/127.0.0.1:8080 127.0.0.1:9001 65535"));
	assert_int_equal(rs->cur_weight, 65535);
	free(run_ok(fc, "set weight TCP/127.0.0.1:8080 127.0.0.1:9001 0"));
	assert_int_equal(rs->cur_weight, 0);
	assert_int_equal(rs_effective_weight(rs), 0);
	free(run_ok(fc, "set weight udp/[2001:db8::1]:53 [2001:db8::10]:53 9"));
	assert_int_equal(rs_at(fc, 1, "[2001:db8::10]:53")->cur_weight, 9);
	got = run_ok(fc, "list --json");
	assert_contains(got, "\"port\":9001,\"weight\":0,\"configured_weight\":0,");
	free(got);
}

static void test_admin_states(void **state)
{
	struct fulcrum *fc = *state;
	struct real_server *rs = rs_at(fc, 0, "127.0.0.1:9001");

	free(run_ok(fc, "drain 127.0.0.1:8080 127.0.0.1:9001"));
	assert_int_equal(rs->live->admin, RS_ADMIN_DRAIN);
	assert_string_equal(rs_state_name(rs), "drain");
	free(run_ok(fc, "drain 127.0.0.1:8080 127.0.0.1:9001")); /* again: a no-op, not an error */
	free(run_ok(fc, "disable 127.0.0.1:8080 127.0.0.1:9001"));
	assert_int_equal(rs->live->admin, RS_ADMIN_DISABLED);
	free(run_ok(fc, "enable 127.0.0.1:8080 127.0.0.1:9001"));
	assert_int_equal(rs->live->admin, RS_ADMIN_ENABLED);
	assert_int_equal(rs_effective_weight(rs), 1);
	free(run_ok(fc, "enable 127.0.0.1:8080 127.0.0.1:9002"));
	assert_int_equal(rs_at(fc, 0, "127.0.0.1:9002")->live->admin, RS_ADMIN_ENABLED);
}

static void test_add_del_server(void **state)
{
	struct fulcrum *fc = *state;
	struct virtual_server *vs = fc->cfg->vs;
	struct real_server *rs;
	char *got;

	free(run_ok(fc, "add server 127.0.0.1:8080 127.0.0.1:9003"));
	rs = rs_at(fc, 0, "127.0.0.1:9003");
	assert_non_null(rs);
	assert_int_equal(vs->pool->n_rs, 3);
	assert_int_equal(rs->cur_weight, 1);
	assert_ptr_equal(vs->pool->rs->next->next, rs); /* appended in order */
	assert_string_equal(rs_state_name(rs), "up");
	free(run_ok(fc, "add server 127.0.0.1:8080 [::1]:9004 weight 7"));
	rs = rs_at(fc, 0, "[::1]:9004");
	assert_non_null(rs);
	assert_int_equal(rs->weight, 7);
	assert_int_equal(rs->cur_weight, 7);
	assert_int_equal(vs->pool->n_rs, 4);
	got = run_ok(fc, "list");
	assert_contains(got, "  -> [::1]:9004                   Masq    7      0          0");
	free(got);

	free(run_ok(fc, "del server 127.0.0.1:8080 127.0.0.1:9003"));
	assert_null(rs_at(fc, 0, "127.0.0.1:9003"));
	assert_int_equal(vs->pool->n_rs, 3);
	free(run_ok(fc, "del server 127.0.0.1:8080 127.0.0.1:9001"));
	free(run_ok(fc, "del server 127.0.0.1:8080 127.0.0.1:9002"));
	free(run_ok(fc, "del server 127.0.0.1:8080 [::1]:9004"));
	assert_int_equal(vs->pool->n_rs, 0);
	assert_null(vs->pool->rs);
	got = run_ok(fc, "list");
	assert_contains(got, "mask 255.255.255.0\nUDP  [2001:db8::1]:53");
	free(got);
}

static void test_misc_commands(void **state)
{
	struct fulcrum *fc = *state;
	char err[ERRLEN];
	struct sbuf out;
	char *got;

	got = run_ok(fc, "version");
	assert_string_equal(got, "fulcrum " FC_VERSION "\n");
	free(got);
	got = run_ok(fc, "show config");
	assert_contains(got, "virtual servers:  4\n");
	assert_contains(got, "reloads:          0\n");
	free(got);
	sbuf_init(&out);
	assert_int_equal(run(fc, "reload", &out, err, sizeof(err)), -1);
	assert_string_equal(err, "no configuration file to reload");
	sbuf_free(&out);
}

/* ---- refusals: precise message, nothing changed ---- */

static void test_refusals_change_nothing(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
	    {"frobnicate", "unknown command 'frobnicate' (fulcrumctl help lists the commands)"},
	    {"set colour 127.0.0.1:8080 127.0.0.1:9001 1",
	     "unknown command 'set colour' (did you mean 'set weight', 'set server'?)"},
	    {"set", "unknown command 'set' (did you mean 'set weight', 'set server'?)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001",
	     "missing arguments (usage: set weight VS RS WEIGHT)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 1 2",
	     "too many arguments (usage: set weight VS RS WEIGHT)"},
	    {"list --stats --json", "too many arguments (usage: list [--stats|--rate|--json])"},
	    {"list --xml", "unknown option '--xml' for list (--stats, --rate or --json)"},
	    {"version now", "too many arguments (usage: version)"},
	    {"set weight 127.0.0.1 127.0.0.1:9001 1",
	     "bad virtual server: '127.0.0.1' is not IP:PORT (write IPv6 as [ADDR]:PORT)"},
	    {"set weight 127.0.0.1:99999 127.0.0.1:9001 1",
	     "bad virtual server: '99999' is not a port number (1-65535)"},
	    {"set weight sctp/127.0.0.1:8080 127.0.0.1:9001 1",
	     "bad virtual server: 'sctp/127.0.0.1' is not an IPv4 or IPv6 address"},
	    {"set weight 127.0.0.1:8080 host:9001 1",
	     "bad real server: 'host' is not an IPv4 or IPv6 address"},
	    {"set weight 127.0.0.1:8081 127.0.0.1:9001 1", "no virtual server 127.0.0.1:8081"},
	    {"set weight udp/127.0.0.1:8080 127.0.0.1:9001 1",
	     "no virtual server UDP 127.0.0.1:8080"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9009 1",
	     "no real server 127.0.0.1:9009 in TCP 127.0.0.1:8080"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 65536",
	     "weight 65536 is out of range (0-65535)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 99999999999999999999",
	     "weight 99999999999999999999 is out of range (0-65535)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 -1",
	     "weight '-1' is not a number (0-65535)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 3x",
	     "weight '3x' is not a number (0-65535)"},
	    {"set weight 127.0.0.1:8080 127.0.0.1:9001 heavy",
	     "weight 'heavy' is not a number (0-65535)"},
	    {"drain 10.0.0.1:53 10.0.0.2:53",
	     "virtual server 10.0.0.1:53 is ambiguous: both TCP and UDP services have that "
	     "address (write tcp/10.0.0.1:53 or udp/10.0.0.1:53)"},
	    {"disable 127.0.0.1:8080 127.0.0.1:9999",
	     "no real server 127.0.0.1:9999 in TCP 127.0.0.1:8080"},
	    {"enable [2001:db8::1]:53 [2001:db8::11]:53",
	     "no real server [2001:db8::11]:53 in UDP [2001:db8::1]:53"},
	    {"add server 127.0.0.1:8080 127.0.0.1:9001",
	     "127.0.0.1:9001 is already a real server of TCP 127.0.0.1:8080"},
	    {"add server 127.0.0.1:8080 127.0.0.1:8080",
	     "127.0.0.1:8080 is the virtual server itself: connections would loop"},
	    {"add server 127.0.0.1:8080 127.0.0.1:9005 weight",
	     "missing weight after 'weight' (usage: add server VS RS [weight WEIGHT])"},
	    {"add server 127.0.0.1:8080 127.0.0.1:9005 wieght 3",
	     "unexpected 'wieght' (usage: add server VS RS [weight WEIGHT])"},
	    {"add server 127.0.0.1:8080 127.0.0.1:9005 weight 70000",
	     "weight 70000 is out of range (0-65535)"},
	    {"add server 127.0.0.1:8081 127.0.0.1:9005", "no virtual server 127.0.0.1:8081"},
	    {"add server 127.0.0.1:8080 127.0.0.1:0",
	     "bad real server: '0' is not a port number (1-65535)"},
	    {"del server 127.0.0.1:8080 10.0.0.2:53",
	     "no real server 10.0.0.2:53 in TCP 127.0.0.1:8080"},
	    {"del server 10.0.0.1:53 10.0.0.2:53",
	     "virtual server 10.0.0.1:53 is ambiguous: both TCP and UDP services have that "
	     "address (write tcp/10.0.0.1:53 or udp/10.0.0.1:53)"},
	    {"help --pdf", "unknown option '--pdf' for help (--markdown)"},
	};
	struct fulcrum *fc = *state;
	char err[ERRLEN];
	struct sbuf out;
	char *before, *after;
	size_t i;

	before = snapshot(fc);
	sbuf_init(&out);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (run(fc, bad[i].line, &out, err, sizeof(err)) != -1)
			fail_msg("'%s' was accepted", bad[i].line);
		if (strcmp(err, bad[i].msg))
			fail_msg("'%s':\n  got    '%s'\n  wanted '%s'", bad[i].line, err,
				 bad[i].msg);
		after = snapshot(fc);
		if (strcmp(before, after))
			fail_msg("'%s' changed the model", bad[i].line);
		free(after);
	}
	/* the protocol prefix lifts the ambiguity */
	free(run_ok(fc, "drain udp/10.0.0.1:53 10.0.0.3:53"));
	assert_int_equal(rs_at(fc, 3, "10.0.0.3:53")->live->admin, RS_ADMIN_DRAIN);
	assert_int_equal(rs_at(fc, 2, "10.0.0.2:53")->live->admin, RS_ADMIN_ENABLED);
	sbuf_free(&out);
	free(before);
}

/* A struct fulcrum without the daemon's ops (fc->ops): the commands that
 * change what is served are refused and change nothing; the listings and
 * the rest still answer. */
static void test_without_ops(void **state)
{
	struct fulcrum *fc = *state;
	char err[ERRLEN] = "", *before, *after;
	struct sbuf out;

	fc->ops = NULL;
	fc->conf_path = "/nonexistent/fulcrum.conf";
	before = snapshot(fc);
	sbuf_init(&out);
	assert_int_equal(run(fc, "set weight 127.0.0.1:8080 127.0.0.1:9001 7", &out, err,
			     sizeof(err)),
			 -1);
	assert_string_equal(err, "refused, nothing changed: no daemon to apply the change to");
	assert_int_equal(run(fc, "reload", &out, err, sizeof(err)), -1);
	assert_string_equal(err, "no daemon to reload");
	after = snapshot(fc);
	assert_string_equal(before, after);
	free(run_ok(fc, "show checks"));
	sbuf_free(&out);
	free(before);
	free(after);
	fc->conf_path = NULL;
}

/* Random commands: command shapes filled with good and bad servers and
 * weights, and sequences of loose words.  Whatever fails must leave the
 * model exactly as it was, and nothing may crash. */
static const char *const rnd_vs[] = {
    "127.0.0.1:8080",
    "tcp/127.0.0.1:8080",
    "udp/127.0.0.1:8080",
    "10.0.0.1:53",
    "udp/10.0.0.1:53",
    "tcp/10.0.0.1:53",
    "[2001:db8::1]:53",
    "127.0.0.1:8081",
    "[::1",
    "tcp/",
    "1.2.3.4:0",
    "x",
};
static const char *const rnd_rs[] = {
    "127.0.0.1:9001", "127.0.0.1:9002",	   "127.0.0.1:9003", "10.0.0.2:53",
    "10.0.0.3:53",    "[2001:db8::10]:53", "[::1]:9",	     ":80",
    "127.0.0.1",      "[2001:db8::10]",
};
static const char *const rnd_w[] = {"0", "1", "7", "65535", "65536", "-3", "x", "1e3", "007"};
static const char *const rnd_cmd[] = {
    "set weight V R W",	     "drain V R",
    "disable V R",	     "enable V R",
    "add server V R",	     "add server V R weight W",
    "add server V R wait W", "del server V R",
    "list --json",	     "set weight V R",
    "del server V",	     "set weight V R W W",
};
static const char *const rnd_words[] = {"set",	"weight", "drain",   "add",  "server", "del",
					"list", "help",	  "version", "show", "config", "--json"};

#define PICK(a, seed) (a)[rand_r(seed) % (sizeof(a) / sizeof((a)[0]))]

static void random_line(char *line, size_t len, unsigned *seed)
{
	size_t off = 0;
	const char *p;

	line[0] = 0;
	if (rand_r(seed) % 4 == 0) {
		int n = 1 + (int)(rand_r(seed) % 5), k;

		for (k = 0; k < n; k++)
			off += (size_t)snprintf(line + off, len - off, "%s%s", k ? " " : "",
						PICK(rnd_words, seed));
		return;
	}
	for (p = PICK(rnd_cmd, seed); *p && off < len; p++) {
		const char *w = NULL;

		if (*p == 'V' && (p[1] == ' ' || !p[1]))
			w = PICK(rnd_vs, seed);
		else if (*p == 'R' && (p[1] == ' ' || !p[1]))
			w = PICK(rnd_rs, seed);
		else if (*p == 'W' && (p[1] == ' ' || !p[1]))
			w = PICK(rnd_w, seed);
		if (!w) {
			line[off++] = *p;
			line[off] = 0;
			continue;
		}
		off += (size_t)snprintf(line + off, len - off, "%s", w);
	}
}

static void test_random_commands(void **state)
{
	struct fulcrum *fc = *state;
	char line[512], err[ERRLEN];
	unsigned seed = 12345, i, ok = 0, refused = 0;
	struct sbuf out;

	sbuf_init(&out);
	for (i = 0; i < 3000; i++) {
		char *before, *after;

		random_line(line, sizeof(line), &seed);
		before = snapshot(fc);
		err[0] = 0;
		if (run(fc, line, &out, err, sizeof(err)) == 0) {
			ok++;
		} else {
			refused++;
			assert_true(err[0] != 0);
			after = snapshot(fc);
			if (strcmp(before, after))
				fail_msg("refused '%s' (%s) changed the model", line, err);
			free(after);
		}
		free(before);
	}
	/* both paths were exercised */
	if (ok < 100 || refused < 1000)
		fail_msg("%u accepted, %u refused: the generator is off", ok, refused);
	sbuf_free(&out);
}

static void test_split(void **state)
{
	char line[64], *argv[4], err[ERRLEN];

	(void)state;
	snprintf(line, sizeof(line), "  set\tweight  a b ");
	assert_int_equal(ctl_split(line, argv, 4, err, sizeof(err)), 4);
	assert_string_equal(argv[0], "set");
	assert_string_equal(argv[1], "weight");
	assert_string_equal(argv[3], "b");
	snprintf(line, sizeof(line), "a b c d e");
	assert_int_equal(ctl_split(line, argv, 4, err, sizeof(err)), -1);
	assert_string_equal(err, "too many words in the request (at most 4)");
	snprintf(line, sizeof(line), "   ");
	assert_int_equal(ctl_split(line, argv, 4, err, sizeof(err)), -1);
	assert_string_equal(err, "empty request");
	snprintf(line, sizeof(line), "list\x1b[2J");
	assert_int_equal(ctl_split(line, argv, 4, err, sizeof(err)), -1);
	assert_string_equal(err, "the request contains control character 0x1b");
}

/* ---- help and the generated doc ---- */

static void test_help_lists_every_command(void **state)
{
	struct fulcrum *fc = *state;
	const struct ctl_cmd *c;
	char name[64], line[256];
	char *got = run_ok(fc, "help");
	struct sbuf local;

	for (c = ctl_cmds; c->words[0]; c++) {
		ctl_cmd_name(c, name, sizeof(name));
		snprintf(line, sizeof(line), "\n  %s%s%s ", name, *c->usage ? " " : "", c->usage);
		if (!strstr(got, line))
			fail_msg("help lacks '%s'", line + 1);
		if (!strstr(got, c->help))
			fail_msg("help lacks the text of '%s'", name);
	}
	/* the daemon's help and the client's local help are the same text */
	sbuf_init(&local);
	ctl_help_text(&local);
	assert_string_equal(got, sbuf_str(&local));
	sbuf_free(&local);
	free(got);
}

static void test_doc_is_generated(void **state)
{
	struct fulcrum *fc = *state;
	char *want = run_ok(fc, "help --markdown");
	const char *path = "doc/fulcrumctl.md";
	FILE *f = fopen(path, "r");
	struct sbuf have;
	char buf[4096];
	size_t n;

	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root): %s", path,
			 strerror(errno));
	sbuf_init(&have);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&have, buf, n);
	fclose(f);
	if (strcmp(sbuf_str(&have), want))
		fail_msg("%s is stale: regenerate with "
			 "build/fulcrumctl help --markdown > doc/fulcrumctl.md",
			 path);
	sbuf_free(&have);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_list_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_stats_rate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_weight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_admin_states, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_del_server, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_misc_commands, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_without_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_commands, setup, teardown),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test_setup_teardown(test_help_lists_every_command, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_doc_is_generated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
