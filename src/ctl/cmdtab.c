/* THE command table, its dispatcher, and the help generated from it.
 *
 * Every run-time command is one line below.  The daemon dispatches through
 * it, fulcrumctl checks word counts with it before connecting, and `help`
 * and doc/fulcrumctl.md are printed from it, so adding a command here is
 * the whole job of documenting it (then regenerate the doc, see below). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "ctl/cmd.h"
#include "ctl/ctl.h"
#include "model/model.h"

#define VS_RS "VS RS"

const struct ctl_cmd ctl_cmds[] = {
    {
	.words = {"list"},
	.usage = "[--stats|--rate|--json]",
	.help = "list the servers in ipvsadm -Ln layout",
	.doc =
	    "Without option, one line per virtual server (protocol, address, scheduler, "
	    "scheduler flags, persistence) and one line per real server with its "
	    "forwarding method, the weight in force (0 while drained, disabled or "
	    "down with `inhibit_on_failure`) and its active and inactive "
	    "connections (the Forward column says Local for a DR/TUN server that "
	    "is this host, as ipvsadm does).  As `ipvsadm -L` shows keepalived's table, a server that "
	    "the health checks took out of the service (down without "
	    "`inhibit_on_failure`, or held out while the quorum is lost) is not "
	    "listed; `--json` lists every server with its `state`.  `--stats` shows the "
	    "counters (Conns InPkts OutPkts InBytes OutBytes), `--rate` the rates "
	    "per second estimated over 2 s samples (CPS InPPS OutPPS InBPS OutBPS); "
	    "figures of 100 million and more are scaled with K, M, G or T as "
	    "ipvsadm does.  `--json` prints every figure as one JSON object "
	    "`{\"version\", \"virtual_servers\": [...]}`; each virtual server has "
	    "`address`, `port`, `fwmark`, `protocol`, `pool` (the name of its pool of "
	    "servers), `scheduler`, `sched_flags`, "
	    "`forward`, `persistence_timeout`, `persistence_prefix`, the counters "
	    "and `rate` named as a real server's, `sorry_server` (an object like a "
	    "real server with `active`: whether it takes the new clients now, or "
	    "null) and `real_servers`, each with `name` (unique in its pool), "
	    "`address`, `port`, `weight` (in "
	    "force), `configured_weight` (from the file or `set weight`), `state` "
	    "(up, down, drain, disabled or maintenance), `reason`, `active_conns`, "
	    "`inactive_conns`, `total_conns`, `in_packets`, `out_packets`, "
	    "`in_bytes`, `out_bytes` and `rate`.  Every figure comes from the "
	    "running state, not from the file.",
	.min_args = 0,
	.max_args = 1,
	.stream = cmd_list_start,
    },
    {
	.words = {"set", "weight"},
	.usage = VS_RS " WEIGHT",
	.help = "change a real server's weight (0-65535)",
	.doc = "New clients are scheduled with the new weight at once; established "
	       "connections are not touched.  Weight 0 takes no new clients (like "
	       "`drain`).  The weight survives a reload unless the file's weight for "
	       "that server changed.",
	.min_args = 3,
	.max_args = 3,
	.fn = cmd_set_weight,
    },
    {
	.words = {"drain"},
	.usage = VS_RS,
	.help = "no new clients; persistent ones stay",
	.doc = "The server's weight in force becomes 0.  Clients that persistence "
	       "already ties to it keep coming, and its open connections run to "
	       "completion.",
	.min_args = 2,
	.max_args = 2,
	.fn = cmd_drain,
    },
    {
	.words = {"disable"},
	.usage = VS_RS,
	.help = "no new connections, persistent ones included",
	.doc = "Unlike `drain`, persistent clients are moved to other servers too.  "
	       "Open connections are not cut.",
	.min_args = 2,
	.max_args = 2,
	.fn = cmd_disable,
    },
    {
	.words = {"enable"},
	.usage = VS_RS,
	.help = "back in service after drain or disable",
	.min_args = 2,
	.max_args = 2,
	.fn = cmd_enable,
    },
    {
	.words = {"add", "server"},
	.usage = VS_RS " [weight WEIGHT]",
	.help = "add a real server (default weight 1)",
	.doc = "The new server has no health check and serves at once.  It lasts "
	       "until the next reload, which serves what the file says.  HAProxy's form "
	       "`add server BACKEND/SERVER ADDRESS:PORT [weight WEIGHT]` names the new "
	       "server (BACKEND/SERVER: see `set server`).",
	.min_args = 2,
	.max_args = 4,
	.fn = cmd_add_server_any,
    },
    {
	.words = {"del", "server"},
	.usage = VS_RS,
	.help = "remove a real server; open conns finish",
	.doc = "HAProxy's form `del server BACKEND/SERVER` removes a server that is in "
	       "maintenance (`set server ... state maint`) and refuses any other, as HAProxy "
	       "does.",
	.min_args = 1,
	.max_args = 2,
	.fn = cmd_del_server_any,
    },
    {
	.words = {"set", "server"},
	.usage = "BACKEND/SERVER state ready|drain|maint | weight N[%] | addr ADDRESS [port PORT]",
	.help = "HAProxy's runtime command: a server's admin state, weight or address",
	.doc = "BACKEND is a haproxy.cfg backend or listen section, a keepalived or "
	       "ldirectord pool (`TCP 10.0.0.1:80`; on a fulcrumctl command line, write the "
	       "service instead: `10.0.0.1:80` or `udp/10.0.0.1:53`) and SERVER the "
	       "server's name in it (haproxy.cfg's, else `10.0.0.2:80`).  `state ready` is "
	       "`enable`, `drain` is `drain`, `maint` is `disable`; `weight N%` is a "
	       "percentage of the configured weight; `addr` moves the server (its health "
	       "checks keep their target until the next reload).  Every service of the "
	       "backend is applied; a refused change is undone.",
	.min_args = 3,
	.max_args = 5,
	.fn = cmd_set_server,
    },
    {
	.words = {"enable", "server"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: out of maintenance (set server ... state ready)",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_enable_server,
    },
    {
	.words = {"disable", "server"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: into maintenance (set server ... state maint)",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_disable_server,
    },
    {
	.words = {"enable", "health"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: run the server's health checks again",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_enable_health,
    },
    {
	.words = {"disable", "health"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: stop the server's health checks, its health stays as it is",
	.doc = "Its agent-check goes on (`disable agent`).  A reload, or the pool's "
	       "ha_suspend resuming, runs them again.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_disable_health,
    },
    {
	.words = {"enable", "agent"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: run the server's agent-check again",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_enable_agent,
    },
    {
	.words = {"disable", "agent"},
	.usage = "BACKEND/SERVER",
	.help = "HAProxy's: stop the server's agent-check; the weight, state and health "
		"it set stay",
	.doc = "`show stat` leaves the agent's columns empty meanwhile, as HAProxy.  A "
	       "reload, or the pool's ha_suspend resuming, runs it again.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_disable_agent,
    },
    {
	.words = {"clear", "counters"},
	.usage = "",
	.help = "HAProxy's: reset the maximum figures (fulcrum keeps none)",
	.doc = "`clear counters all` is refused: fulcrum's counters only grow, as "
	       "Prometheus's rates and the rate estimator expect.",
	.min_args = 0,
	.max_args = 1,
	.fn = cmd_clear_counters,
    },
    {
	.words = {"reload"},
	.usage = "",
	.help = "re-read the configuration (as SIGHUP does)",
	.doc = "A file with errors is refused whole: the running configuration is "
	       "kept and the message names the problem (every `file:line:` error "
	       "is in the daemon's log).",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_reload,
    },
    {
	.words = {"show", "config"},
	.usage = "",
	.help = "config file, control socket, reloads, uptime",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_show_config,
    },
    {
	.words = {"show", "checks"},
	.usage = "[--json]",
	.help = "health checks: state, last result, reason, counters",
	.doc = "One block per virtual server (quorum, sorry server), one line per real "
	       "server (state, how long, reason) and one per checker: its target, "
	       "verdict, how long it has held, the last attempt's result, age, "
	       "duration and reason, and the totals of successful and failed "
	       "attempts.  `--json` prints `{\"virtual_servers\": [...]}`; each has "
	       "`address`, `port`, `protocol`, `suspended`, `quorum` (`state`, "
	       "`weight`, `quorum`, `hysteresis`), `sorry_server` (`address`, `port`, "
	       "`active`, or null) and `real_servers`, each with `address`, `port`, "
	       "`state`, `health`, `reason`, `changed_s`, `weight` and `checks`, each "
	       "with `checker`, `target`, `state`, `last_result` (ok, failed or null), "
	       "`reason`, `changed_s`, `last_check_s`, `attempts_ok`, "
	       "`attempts_failed`, `consecutive_ok`, `consecutive_failed`, "
	       "`latency_ms`, `in_progress`, `interval_ms`, `timeout_ms`, `rise` and "
	       "`fall`.  Times are seconds ago.  See doc/health.md.",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_BULKY,
	.fn = cmd_show_checks,
    },
    {
	.words = {"show", "pools"},
	.usage = "[--json]",
	.help = "pools: servers, and where they come from (file, cluster, script)",
	.doc = "One line per pool: its scheduler, its servers and how many of them the "
	       "file gives; for a pool that follows the cluster (`pacemaker_real_servers`) "
	       "or a script (`real_server_script`), the servers its source gave, when it "
	       "was read last, and `STALE` with the reason while it cannot be read (the "
	       "last list is kept), and the nodes left out for want of an address.  "
	       "`--json` prints `{\"pools\": [...]}`, each with `name`, `scheduler`, "
	       "`servers`, `from_file`, `from_source` and `source` (null, or `kind`, "
	       "`servers`, `reads`, `failures`, `stale`, `last_read_s`, `reason`, "
	       "`note`).  See doc/pacemaker.md.",
	.min_args = 0,
	.max_args = 1,
	.fn = cmd_show_pools,
    },
    {
	.words = {"show", "vrrp"},
	.usage = "[--json]",
	.help = "vrrp instances: state, priority, master, counters, last transition",
	.doc = "One block per vrrp_instance: state, effective and configured priority, "
	       "interface, virtual_router_id, version, the current master's address, "
	       "our source address, advert intervals, the VIPs, the last transition "
	       "(from, to, how long ago, why) and the counters: packets received, "
	       "accepted, adverts sent, send errors and one counter per reason a "
	       "packet was dropped.  `--json` prints `{\"vrrp\": [...]}`; each has "
	       "`name`, `state`, `interface`, `vrid`, `version`, `family`, "
	       "`priority`, `base_priority`, `master`, `master_priority`, `source`, "
	       "`advert_int_ms`, `master_advert_int_ms`, `vips`, `last_transition` "
	       "(`from`, `to`, `ago_ms`, `reason`) and `counters`.  See doc/vrrp.md.",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_BULKY,
	.fn = cmd_show_vrrp,
    },
    {
	.words = {"show", "xdp"},
	.usage = "[--json]",
	.help = "XDP engine (DR/TUN): interfaces, counters, ids, next hops",
	.doc = "The interfaces the XDP program is attached to and how (native or "
	       "generic), its program id, the connection table's entries, one counter "
	       "per reason the program passed or dropped a packet or sent it on "
	       "(pass_not_ip, pass_vlan, pass_not_vip, pass_frag, pass_exthdr, "
	       "pass_trunc, pass_icmp, drop_no_dest, drop_no_mac, drop_no_route, "
	       "drop_encap, tx, redirect, local), and per lb_kind DR/TUN virtual server its "
	       "vs_id and each real server's rs_id, whether it is live (its flows "
	       "keep going) and ready (next hop known), its weight in the lookup "
	       "table, and its MAC and interface (DR) or tunnel source (TUN), or "
	       "`local` for a server that is this host.  "
	       "`--json` prints `{\"loaded\", \"program_id\", \"cpus\", "
	       "\"interfaces\": [{\"name\", \"ifindex\", \"mode\"}], "
	       "\"connections\", \"connection_max\", \"counters\": {...}, "
	       "\"virtual_servers\": [...]}`; each has `address`, `port`, `protocol`, "
	       "`forward`, `scheduler`, `vs_id`, `sequence_length` and `real_servers`, "
	       "each with `address`, `port`, `rs_id`, `sorry`, `live`, `ready`, `local`, "
	       "`weight`, `mac`, `ifindex` and `tunnel_source`.  See doc/xdp.md.",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_BULKY,
	.fn = cmd_show_xdp,
    },
    {
	.words = {"show", "stat"},
	.usage = "[BACKEND] [json]",
	.help = "HAProxy's CSV of every frontend, backend and server (json: typed)",
	.doc = "HAProxy 2.6's `show stat`: the header `# pxname,svname,qcur,...` with "
	       "HAProxy's columns in HAProxy's order, then per haproxy.cfg proxy its "
	       "FRONTEND row, a row per server and its BACKEND row, and per keepalived or "
	       "ldirectord pool (named `TCP 10.0.0.1:80`) a row per server (named "
	       "`10.0.0.2:80`) and a BACKEND row.  Columns fulcrum has no figure for are "
	       "empty.  `json` writes HAProxy's typed JSON.  See doc/metrics.md.",
	.min_args = 0,
	.max_args = 2,
	.flags = CTL_BULKY,
	.fn = cmd_show_stat,
    },
    {
	.words = {"show", "info"},
	.usage = "",
	.help = "process information, HAProxy's `Name: value` lines",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_show_info,
    },
    {
	.words = {"show", "servers", "state"},
	.usage = "[BACKEND]",
	.help = "servers' state in HAProxy's server-state format (version 1)",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_BULKY,
	.fn = cmd_show_servers_state,
    },
    {
	.words = {"show", "table"},
	.usage = "[TABLE]",
	.help = "the stick tables of haproxy.cfg (with TABLE: its entries), as HAProxy writes them",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_BULKY,
	.fn = cmd_show_table,
    },
    {
	.words = {"show", "backend"},
	.usage = "",
	.help = "the backends (pools), one name per line",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_show_backend,
    },
    {
	.words = {"metrics"},
	.usage = "",
	.help = "every figure in Prometheus text format",
	.doc = "HAProxy's exporter families (`haproxy_process_*`, `haproxy_frontend_*`, "
	       "`haproxy_backend_*`, `haproxy_server_*`) and `fulcrum_*` for services, "
	       "servers, checks, VRRP instances and the XDP engine, each with its HELP and "
	       "TYPE lines (text format 0.0.4).  See doc/metrics.md.",
	.min_args = 0,
	.max_args = 0,
	.flags = CTL_BULKY,
	.fn = cmd_metrics,
    },
    {
	.words = {"version"},
	.usage = "",
	.help = "print the daemon's version",
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_version,
    },
    {
	.words = {"help"},
	.usage = "[--markdown]",
	.help = "this help (--markdown: as doc/fulcrumctl.md)",
	.doc = "Answered by fulcrumctl itself: works without a running daemon.",
	.min_args = 0,
	.max_args = 1,
	.flags = CTL_LOCAL,
	.fn = cmd_help,
    },
    {.words = {NULL}},
};

const char *ctl_cmd_name(const struct ctl_cmd *c, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; c->words[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", c->words[i]);
	return buf;
}

/* Number of leading words of argv that spell c's name, or -1 if they do not. */
static int match_words(const struct ctl_cmd *c, int argc, char **argv)
{
	int i;

	for (i = 0; c->words[i]; i++)
		if (i >= argc || strcmp(c->words[i], argv[i]))
			return -1;
	return i;
}

static const char *usage_of(const struct ctl_cmd *c, char *buf, size_t len)
{
	char name[64];

	snprintf(buf, len, "%s%s%s", ctl_cmd_name(c, name, sizeof(name)), *c->usage ? " " : "",
		 c->usage);
	return buf;
}

/* Nothing matched: say what could follow argv[0] if it starts a command. */
static int unknown_command(int argc, char **argv, char *err, size_t errlen)
{
	const struct ctl_cmd *c;
	char next[256] = "";
	size_t off = 0;

	for (c = ctl_cmds; c->words[0]; c++) {
		if (strcmp(c->words[0], argv[0]) || !c->words[1] || off >= sizeof(next))
			continue;
		off += (size_t)snprintf(next + off, sizeof(next) - off, "%s'%s %s'",
					off ? ", " : "", c->words[0], c->words[1]);
	}
	if (off)
		return err_set(err, errlen, "unknown command '%s%s%s' (did you mean %s?)", argv[0],
			       argc > 1 ? " " : "", argc > 1 ? argv[1] : "", next);
	return err_set(err, errlen, "unknown command '%s' (fulcrumctl help lists the commands)",
		       argv[0]);
}

const struct ctl_cmd *ctl_lookup(int argc, char **argv, int *nwords)
{
	const struct ctl_cmd *c, *best = NULL;
	int n, best_n = 0;

	for (c = ctl_cmds; c->words[0]; c++) {
		n = match_words(c, argc, argv);
		if (n > best_n) {
			best = c;
			best_n = n;
		}
	}
	*nwords = best_n;
	return best;
}

const struct ctl_cmd *ctl_resolve(int argc, char **argv, int *nwords, char *err, size_t errlen)
{
	const struct ctl_cmd *c;
	char usage[128];
	int n, nargs;

	if (argc < 1) {
		err_set(err, errlen, "no command given (fulcrumctl help lists the commands)");
		return NULL;
	}
	c = ctl_lookup(argc, argv, &n);
	if (!c) {
		unknown_command(argc, argv, err, errlen);
		return NULL;
	}
	nargs = argc - n;
	if (nargs < c->min_args || nargs > c->max_args) {
		err_set(err, errlen, "%s arguments (usage: %s)",
			nargs < c->min_args ? "missing" : "too many",
			usage_of(c, usage, sizeof(usage)));
		return NULL;
	}
	*nwords = n;
	return c;
}

int ctl_execute_stream(struct fulcrum *fc, int argc, char **argv, struct sbuf *out,
		       struct ctl_stream *st, char *err, size_t errlen)
{
	const struct ctl_cmd *c;
	int nw;

	memset(st, 0, sizeof(*st));
	c = ctl_resolve(argc, argv, &nw, err, errlen);
	if (!c)
		return -1;
	if (c->stream)
		return c->stream(fc, argc - nw, argv + nw, st, err, errlen);
	if (c->fn(fc, argc - nw, argv + nw, out, err, errlen) < 0)
		return -1;
	/* only listings have long output and they change nothing: refusing
	 * a truncated one keeps the reply honest */
	if (out->oom)
		return err_set(err, errlen, "out of memory while building the reply");
	return 0;
}

int ctl_execute(struct fulcrum *fc, int argc, char **argv, struct sbuf *out, char *err,
		size_t errlen)
{
	struct ctl_stream st;
	int r;

	if (ctl_execute_stream(fc, argc, argv, out, &st, err, errlen) < 0)
		return -1;
	if (!st.next)
		return 0;
	/* here the whole reply is wanted at once: pull every piece */
	while ((r = st.next(fc, st.state, out, err, errlen)) > 0)
		;
	st.done(st.state);
	if (r < 0)
		return -1;
	/* only listings have long output and they change nothing: refusing
	 * a truncated one keeps the reply honest */
	if (out->oom)
		return err_set(err, errlen, "out of memory while building the reply");
	return 0;
}

int ctl_split(char *line, char **argv, int max, char *err, size_t errlen)
{
	unsigned char *q;
	char *p = line;
	int n = 0;

	for (q = (unsigned char *)line; *q; q++)
		if ((*q < 0x20 && *q != '\t') || *q == 0x7f)
			return err_set(err, errlen, "the request contains control character 0x%02x",
				       *q);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == max)
			return err_set(err, errlen, "too many words in the request (at most %d)",
				       max);
		argv[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
	if (!n)
		return err_set(err, errlen, "empty request");
	return n;
}

/* ---- help, generated from the table ---- */

static const char *const help_options[][2] = {
    {"-S PATH", "control socket (default " FC_DEFAULT_CONTROL_SOCKET ")"},
    {"-u USER", "also accept a socket served by USER (the daemon's user: name or uid;\n"
		"                  --daemon-user, or $FULCRUMCTL_DAEMON_USER); default: root only"},
    {"-h, --help", "print this help and exit"},
    {"-V, --version", "print fulcrumctl's version and exit"},
};

static const char help_addresses[] =
    "VS is a virtual server: VIP:PORT or [IPv6]:PORT, optionally prefixed by\n"
    "tcp/ or udp/ (needed when a TCP and a UDP service share the address).\n"
    "RS is a real server of it: IP:PORT or [IPv6]:PORT.\n";

static const char help_exit[] =
    "Exit status: 0 done (output on stdout); 1 refused by the daemon: unknown\n"
    "command, bad or unknown server, bad weight... (message on stderr, nothing\n"
    "changed); 2 usage error (e.g. wrong number of arguments, found before\n"
    "connecting), the daemon cannot be reached, or the socket is served by a\n"
    "process that is neither root nor the daemon user (nothing is sent to it).\n";

#define HELP_COL_MAX 40

void ctl_help_text(struct sbuf *out)
{
	const struct ctl_cmd *c;
	char u[128];
	size_t i;
	int w = 0, n;

	for (c = ctl_cmds; c->words[0]; c++) {
		n = (int)strlen(usage_of(c, u, sizeof(u)));
		if (n > w && n <= HELP_COL_MAX)
			w = n;
	}
	sbuf_puts(out, "Usage: fulcrumctl [-S PATH] [-u USER] COMMAND [ARGUMENT]...\n"
		       "Drive a running fulcrum daemon through its control socket.\n\nOptions:\n");
	for (i = 0; i < sizeof(help_options) / sizeof(help_options[0]); i++)
		sbuf_printf(out, "  %-15s %s\n", help_options[i][0], help_options[i][1]);
	sbuf_puts(out, "\nCommands:\n");
	for (c = ctl_cmds; c->words[0]; c++)
		sbuf_printf(out, "  %-*s  %s\n", w, usage_of(c, u, sizeof(u)), c->help);
	sbuf_printf(out, "\n%s%s", help_addresses, help_exit);
}

/* Markdown wants paragraphs on one line; the shared texts are wrapped for
 * a terminal, so join their lines. */
static void md_paragraph(struct sbuf *out, const char *text)
{
	const char *p;

	for (p = text; *p; p++) {
		if (*p != '\n')
			sbuf_add(out, p, 1);
		else if (p[1])
			sbuf_add(out, " ", 1);
	}
	sbuf_puts(out, "\n\n");
}

/* A table cell: '|' must be escaped, even inside a code span (GFM). */
static void md_cell(struct sbuf *out, const char *text)
{
	for (; *text; text++) {
		if (*text == '|')
			sbuf_add(out, "\\", 1);
		sbuf_add(out, text, 1);
	}
}

void ctl_help_markdown(struct sbuf *out)
{
	const struct ctl_cmd *c;
	char u[128];
	size_t i;

	sbuf_puts(out,
		  "# fulcrumctl\n\n"
		  "<!-- Generated from src/ctl/cmdtab.c; do not edit by hand.  Regenerate with:\n"
		  "     make && build/fulcrumctl help --markdown > doc/fulcrumctl.md -->\n\n"
		  "`fulcrumctl` drives a running `fulcrum` daemon through its control socket. "
		  "Every change goes through the same path as a reload: a refused command "
		  "changes nothing, and established connections to servers that stay in "
		  "service are never cut.\n\n"
		  "## Synopsis\n\n"
		  "    fulcrumctl [-S PATH] [-u USER] COMMAND [ARGUMENT]...\n\n"
		  "## Options\n\n"
		  "| Option | Meaning |\n"
		  "|---|---|\n");
	for (i = 0; i < sizeof(help_options) / sizeof(help_options[0]); i++) {
		const char *p;

		/* the terminal text's continuation lines join into one cell */
		sbuf_printf(out, "| `%s` | ", help_options[i][0]);
		for (p = help_options[i][1]; *p; p++) {
			if (*p != '\n')
				sbuf_add(out, p, 1);
			else
				for (sbuf_add(out, " ", 1); p[1] == ' '; p++)
					;
		}
		sbuf_puts(out, " |\n");
	}
	sbuf_puts(out, "\n## Arguments\n\n");
	md_paragraph(out, help_addresses);
	sbuf_puts(out, "## Commands\n\n| Command | What it does |\n|---|---|\n");
	for (c = ctl_cmds; c->words[0]; c++) {
		sbuf_puts(out, "| `");
		md_cell(out, usage_of(c, u, sizeof(u)));
		sbuf_puts(out, "` | ");
		md_cell(out, c->help);
		sbuf_puts(out, " |\n");
	}
	sbuf_puts(out, "\n");
	for (c = ctl_cmds; c->words[0]; c++) {
		sbuf_printf(out, "### `%s`\n\n", usage_of(c, u, sizeof(u)));
		sbuf_printf(out, "%c%s.\n\n", toupper((unsigned char)c->help[0]), c->help + 1);
		if (c->doc)
			sbuf_printf(out, "%s\n\n", c->doc);
	}
	sbuf_puts(out, "## Exit status\n\n");
	md_paragraph(out, help_exit);
	sbuf_printf(out,
		    "## Protocol\n\n"
		    "The control socket is a Unix stream socket (mode 0600).  A client sends one "
		    "line: the words of the command separated by single spaces, ending with a "
		    "newline, at most %d bytes.  The daemon answers `OK` and a newline followed "
		    "by the output, or `ERROR <message>` and a newline, then closes the "
		    "connection.  A client has %d seconds for the whole exchange.  For example:\n\n"
		    "    printf 'list --json\\n' | socat - UNIX-CONNECT:%s\n\n"
		    "A listing is produced %u KiB at a time, the next piece only once the client "
		    "has taken the last, so a client that stops reading costs the daemon one "
		    "piece.  If the servers change under it (a reload, `add server`, `del "
		    "server`) the listing stops with a last line `ERROR <message>` "
		    "(fulcrumctl: exit 1); run it again.  Any other reply is at most %s, and while "
		    "%s of replies wait for clients that do not read, the `show` commands are "
		    "refused unrun (`ERROR busy: ...`; try again).\n\n"
		    "The socket's directory must be writable by root alone (created 0700 if "
		    "missing; the daemon refuses to start otherwise), and fulcrumctl talks only "
		    "to a socket served by root or by the user `-u` names (`SO_PEERCRED`).\n",
		    CTL_MAX_REQUEST, CTL_TIMEOUT_MS / 1000, FC_DEFAULT_CONTROL_SOCKET,
		    CTL_CHUNK >> 10, CTL_MAX_REPLY_TEXT, CTL_MAX_PENDING_TEXT);
}
