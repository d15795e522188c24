/* HAProxy's outputs and Prometheus's (src/stats/): the `show stat` CSV
 * (HAProxy 2.6's exact header, a row per frontend/server/backend with the
 * figures of the running model, quoting), the typed JSON, `show servers
 * state`, `show backend`, `show info`, and /metrics (every family has its
 * HELP and TYPE before its samples and appears once, names as the format
 * wants, HAProxy's names and labels), on a model built by hand: a
 * keepalived service and a haproxy.cfg `listen` proxy. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/loop.h"
#include "core/sbuf.h"
#include "ctl/ctl.h"
#include "ctl/hasock.h"
#include "daemon/apply.h"
#include "model/fulcrum-t.h"
#include "model/http_proxy.h"
#include "model/model.h"
#include "stats/stats.h"

/* Debian's haproxy 2.6.12, `show stat`, first line */
static const char haproxy26_header[] =
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,"
    "wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,"
    "lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,"
    "hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,"
    "cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,"
    "ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,"
    "check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,"
    "conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,"
    "srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
    "used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,"
    "agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,"
    "h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,"
    "h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,"
    "h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,"
    "h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,"
    "h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,";

static struct virtual_server *mk_vs(struct config *cfg, const char *vip)
{
	struct virtual_server *vs = vs_new();
	char err[ERRLEN];

	assert_non_null(vs);
	assert_int_equal(addr_parse_hostport(vip, &vs->addr, err, sizeof(err)), 0);
	vs->protocol = IPPROTO_TCP;
	snprintf(vs->pool->sched, sizeof(vs->pool->sched), "wrr");
	config_add_vs(cfg, vs);
	return vs;
}

static struct real_server *mk_rs(struct virtual_server *vs, const char *name, const char *rip,
				 int w)
{
	struct real_server *rs = rs_new();
	char err[ERRLEN];

	assert_non_null(rs);
	assert_int_equal(addr_parse_hostport(rip, &rs->addr, err, sizeof(err)), 0);
	rs->weight = rs->cur_weight = w;
	if (name) {
		rs->name = strdup(name);
		assert_non_null(rs->name);
	}
	vs_add_rs(vs, rs);
	return rs;
}

/* keepalived: TCP 10.0.0.1:80 with 10.0.0.2:80 (up, figures) and
 * 10.0.0.3:80 (drained); haproxy.cfg: `listen web` on 127.0.0.1:8080 with
 * s1 (down, a reason with a comma) and s2. */
static int setup(void **state)
{
	struct fulcrum *fc = calloc(1, sizeof(*fc));
	struct virtual_server *vs;
	struct real_server *rs;
	struct http_proxy *hp;

	assert_non_null(fc);
	fc->loop = loop_new();
	fc->cfg = config_new();
	fc->ops = &apply_ops;
	vs = mk_vs(fc->cfg, "10.0.0.1:80");
	rs = mk_rs(vs, NULL, "10.0.0.2:80", 3);
	rs->live->activeconns = 4;
	rs->live->ctr.main.conns = 100;
	rs->live->ctr.main.inbytes = 5000;
	rs->live->ctr.main.outbytes = 70000;
	rs = mk_rs(vs, NULL, "10.0.0.3:80", 2);
	rs->live->admin = RS_ADMIN_DRAIN;
	rs->live->ctr.main.conns = 7;

	vs = mk_vs(fc->cfg, "127.0.0.1:8080");
	vs->live->ctr.main.conns = 42;
	vs->live->ctr.hmain.rsp[HCTR_2XX] = 9;
	vs->live->activeconns = 1;
	hp = http_proxy_new("web", HP_CAP_FE | HP_CAP_BE);
	assert_non_null(hp);
	hp->mode = HP_MODE_HTTP;
	hp->maxconn = 500;
	/* a value the CSV must quote: a comma and quotes */
	snprintf(hp->cookie.name, sizeof(hp->cookie.name), "refused, try \"later\"");
	hp->pool = vs->pool;
	vs->pool->http = hp;
	vs->http = hp;
	config_add_http_proxy(fc->cfg, hp);
	rs = mk_rs(vs, "s1", "127.0.0.1:9001", 1);
	rs->live->health = RS_HEALTH_DOWN;
	snprintf(rs->live->reason, sizeof(rs->live->reason), "connect: refused, try \"later\"");
	rs->checks = calloc(1, sizeof(*rs->checks)); /* "has a check": only its presence is read */
	assert_non_null(rs->checks);
	rs = mk_rs(vs, "s2", "127.0.0.1:9002", 4);
	rs->live->ctr.main.conns = 9;
	*state = fc;
	return 0;
}

static int teardown(void **state)
{
	struct fulcrum *fc = *state;
	struct real_server *rs;

	for (rs = fc->cfg->http_proxies->pool->rs; rs; rs = rs->next) {
		free(rs->checks);
		rs->checks = NULL;
	}
	config_free(fc->cfg);
	loop_free(fc->loop);
	free(fc);
	return 0;
}

static char *run(struct fulcrum *fc, const char *line, int want)
{
	char buf[CTL_MAX_REQUEST], *argv[CTL_MAX_WORDS], err[ERRLEN] = "";
	static struct sbuf out;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = ctl_split(buf, argv, CTL_MAX_WORDS, err, sizeof(err));
	assert_true(argc > 0);
	sbuf_free(&out);
	sbuf_init(&out);
	if (ctl_execute(fc, argc, argv, &out, err, sizeof(err)) != want) {
		fail_msg("%s: expected %d: %s", line, want, err);
	}
	if (want < 0) {
		sbuf_reset(&out);
		sbuf_puts(&out, err);
	}
	return (char *)sbuf_str(&out);
}

/* ---- a CSV reader: HAProxy's quoting (a field in "..." with "" inside) ---- */

#define MAXCOL 160

struct row {
	char *col[MAXCOL];
	int n;
	char store[4096];
};

static const char *parse_row(const char *s, struct row *r)
{
	char *o = r->store;

	r->n = 0;
	while (*s && *s != '\n') {
		r->col[r->n++] = o;
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++;
				*o++ = *s;
			}
			s++;
		} else {
			while (*s && *s != ',' && *s != '\n')
				*o++ = *s++;
		}
		*o++ = 0;
		if (*s == ',')
			s++;
	}
	return *s ? s + 1 : s;
}

static int col_of(const char *name)
{
	const char *h = haproxy26_header + 2;
	int i = 0;
	size_t l = strlen(name);

	while (*h) {
		if (!strncmp(h, name, l) && h[l] == ',')
			return i;
		h = strchr(h, ',') + 1;
		i++;
	}
	fail_msg("no column %s", name);
	return -1;
}

static const char *cell(const struct row *r, const char *name)
{
	int i = col_of(name);

	assert_true(i < r->n);
	return r->col[i];
}

static void test_csv_header_is_haproxy26(void **state)
{
	char *out = run(*state, "show stat", 0);
	const char *nl = strchr(out, '\n');

	assert_non_null(nl);
	assert_int_equal((size_t)(nl - out), strlen(haproxy26_header));
	assert_memory_equal(out, haproxy26_header, strlen(haproxy26_header));
}

static void test_csv_rows(void **state)
{
	const char *s = strchr(run(*state, "show stat", 0), '\n') + 1;
	const char *expect[][2] = {{"web", "FRONTEND"}, {"web", "s1"},
				   {"web", "s2"},	{"web", "BACKEND"},
				   {"TCP 10.0.0.1:80", "10.0.0.2:80"}, {"TCP 10.0.0.1:80", "10.0.0.3:80"},
				   {"TCP 10.0.0.1:80", "BACKEND"}};
	struct row r[7];
	int n = 0;

	while (*s && n < 7) {
		s = parse_row(s, &r[n]);
		/* every row has every column (and the trailing comma's empty one) */
		assert_int_equal(r[n].n, col_of("h1_spliced_bytes_out") + 1);
		assert_string_equal(r[n].col[0], expect[n][0]);
		assert_string_equal(r[n].col[1], expect[n][1]);
		n++;
	}
	assert_int_equal(n, 7);
	assert_int_equal(*s, 0);
	/* the frontend: the services' figures, maxconn, OPEN, type 0 */
	assert_string_equal(cell(&r[0], "stot"), "42");
	assert_string_equal(cell(&r[0], "scur"), "1");
	assert_string_equal(cell(&r[0], "slim"), "500");
	assert_string_equal(cell(&r[0], "status"), "OPEN");
	assert_string_equal(cell(&r[0], "type"), "0");
	assert_string_equal(cell(&r[0], "mode"), "http");
	assert_string_equal(cell(&r[0], "weight"), "");
	/* s1: down, its weight shown as HAProxy's (kept while down); no
	 * check ended yet in this model: no status in words */
	assert_string_equal(cell(&r[1], "status"), "DOWN");
	assert_string_equal(cell(&r[1], "weight"), "1");
	assert_string_equal(cell(&r[1], "uweight"), "1");
	assert_string_equal(cell(&r[1], "check_desc"), "");
	assert_string_equal(cell(&r[1], "sid"), "1");
	assert_string_equal(cell(&r[2], "status"), "no check");
	assert_string_equal(cell(&r[2], "sid"), "2");
	/* the backend: s2 alone is up */
	assert_string_equal(cell(&r[3], "status"), "UP");
	assert_string_equal(cell(&r[3], "weight"), "4");
	assert_string_equal(cell(&r[3], "act"), "1");
	/* its sessions are its own (mode http: none went through it here);
	 * lbtot its servers' */
	assert_string_equal(cell(&r[3], "stot"), "0");
	assert_string_equal(cell(&r[3], "lbtot"), "9");
	assert_string_equal(cell(&r[3], "type"), "1");
	/* the backend's cookie name, quoted (a comma and quotes) */
	assert_string_equal(cell(&r[3], "cookie"), "refused, try \"later\"");
	assert_string_equal(cell(&r[3], "iid"), "1");
	/* keepalived's pool: a server's figures, the drained one */
	assert_string_equal(cell(&r[4], "scur"), "4");
	assert_string_equal(cell(&r[4], "stot"), "100");
	assert_string_equal(cell(&r[4], "bin"), "5000");
	assert_string_equal(cell(&r[4], "bout"), "70000");
	assert_string_equal(cell(&r[4], "status"), "no check");
	assert_string_equal(cell(&r[4], "weight"), "3");
	assert_string_equal(cell(&r[4], "addr"), "10.0.0.2:80");
	assert_string_equal(cell(&r[4], "mode"), "tcp");
	assert_string_equal(cell(&r[4], "type"), "2");
	assert_string_equal(cell(&r[4], "iid"), "2");
	assert_string_equal(cell(&r[5], "status"), "DRAIN");
	assert_string_equal(cell(&r[5], "weight"), "0");
	assert_string_equal(cell(&r[5], "uweight"), "2");
	assert_string_equal(cell(&r[6], "stot"), "107");
	assert_string_equal(cell(&r[6], "algo"), "wrr");
	assert_string_equal(cell(&r[6], "weight"), "3");
	assert_string_equal(cell(&r[6], "act"), "1");
	assert_string_equal(cell(&r[6], "status"), "UP");
	/* columns fulcrum has no figure for are empty */
	assert_string_equal(cell(&r[4], "hrsp_2xx"), "");
	assert_string_equal(cell(&r[4], "hanafail"), "");
	assert_string_equal(cell(&r[4], "smax"), "0");
	assert_string_equal(cell(&r[4], "lastsess"), "-1");
	assert_string_equal(cell(&r[3], "smax"), "");
}

static void test_csv_one_backend_and_refusal(void **state)
{
	const char *s = run(*state, "show stat web", 0);
	int lines = 0;

	for (; *s; s++)
		lines += *s == '\n';
	assert_int_equal(lines, 5); /* header, FRONTEND, s1, s2, BACKEND */
	assert_non_null(strstr(run(*state, "show stat nosuch", -1), "no such proxy 'nosuch'"));
	assert_non_null(strstr(run(*state, "show servers state nosuch", -1),
			       "no such backend 'nosuch'"));
	assert_non_null(strstr(run(*state, "show stat web json extra", -1), "too many"));
}

static void test_stat_json(void **state)
{
	const char *s = run(*state, "show stat json", 0);

	assert_true(s[0] == '[' && s[1] == '[');
	assert_non_null(strstr(s, "{\"objType\":\"Frontend\",\"proxyId\":1,\"id\":0,\"field\":{\"pos\":0,"
				  "\"name\":\"pxname\"},\"processNum\":1,\"tags\":{\"origin\":\"Key\","
				  "\"nature\":\"Name\",\"scope\":\"Process\"},\"value\":{\"type\":\"str\","
				  "\"value\":\"web\"}}"));
	assert_non_null(strstr(s, "\"field\":{\"pos\":7,\"name\":\"stot\"},\"processNum\":1,"
				  "\"tags\":{\"origin\":\"Metric\",\"nature\":\"Counter\","
				  "\"scope\":\"Process\"},\"value\":{\"type\":\"u64\",\"value\":100}"));
	/* the HTTP engine's counts (the frontend's: its service's) */
	assert_non_null(strstr(s, "\"name\":\"hrsp_2xx\"},\"processNum\":1,\"tags\":{\"origin\":"
				  "\"Metric\",\"nature\":\"Counter\",\"scope\":\"Process\"},"
				  "\"value\":{\"type\":\"u64\",\"value\":9}"));
	/* an empty column is left out */
	assert_null(strstr(s, "\"hanafail\""));
	assert_string_equal(s + strlen(s) - 3, "]]\n");
}

static void test_servers_state_and_backend(void **state)
{
	const char *s = run(*state, "show servers state", 0);

	assert_true(!strncmp(s, "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state ", 56));
	assert_non_null(strstr(s, "\n1 web 1 s1 127.0.0.1 0 0 1 1 "));
	assert_non_null(strstr(s, "\n2 \"TCP 10.0.0.1:80\" 2 10.0.0.3:80 10.0.0.3 2 8 2 2 "));
	s = run(*state, "show backend", 0);
	assert_string_equal(s, "# name\nweb\nTCP 10.0.0.1:80\n");
	s = run(*state, "show info", 0);
	assert_true(!strncmp(s, "Name: fulcrum\nVersion: ", 23));
	assert_non_null(strstr(s, "\nCumConns: 42\n"));
}

/* ---- Prometheus ---- */

static int valid_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':') ||
		    (i == 0 && isdigit((unsigned char)s[i])))
			return 0;
	return n > 0;
}

static void test_metrics_format(void **state)
{
	char *s = strdup(run(*state, "metrics", 0));
	char fams[256][160], cur[160] = "";
	int nf = 0, i, typed = 0;
	char *line, *save = NULL;

	assert_non_null(s);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[160];
		size_t n;

		if (!strncmp(line, "# HELP ", 7)) {
			n = strcspn(line + 7, " ");
			assert_true(n < sizeof(name));
			memcpy(name, line + 7, n);
			name[n] = 0;
			assert_true(valid_name(name, n));
			for (i = 0; i < nf; i++) /* a family appears once */
				if (!strcmp(fams[i], name))
					fail_msg("family %s twice", name);
			assert_true(nf < 256);
			snprintf(fams[nf++], sizeof(fams[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			typed = 0;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			n = strlen(cur);
			assert_memory_equal(line + 7, cur, n);
			assert_true(!strcmp(line + 7 + n, " counter") || !strcmp(line + 7 + n, " gauge"));
			if (!strcmp(line + 7 + n, " counter"))
				assert_string_equal(cur + strlen(cur) - 6, "_total");
			typed = 1;
			continue;
		}
		/* a sample of the family just announced */
		assert_true(typed);
		n = strcspn(line, "{ ");
		assert_int_equal(n, strlen(cur));
		assert_memory_equal(line, cur, n);
	}
	free(s);
	assert_true(nf > 20);
}

static void test_metrics_haproxy_names(void **state)
{
	const char *s = run(*state, "metrics", 0);

	assert_non_null(strstr(s, "# TYPE haproxy_server_status gauge\n"));
	assert_non_null(strstr(s, "haproxy_server_status{proxy=\"TCP 10.0.0.1:80\","
				  "server=\"10.0.0.3:80\",state=\"DRAIN\"} 1\n"));
	assert_non_null(strstr(s, "haproxy_server_status{proxy=\"TCP 10.0.0.1:80\","
				  "server=\"10.0.0.3:80\",state=\"UP\"} 0\n"));
	assert_non_null(strstr(s, "haproxy_server_status{proxy=\"web\",server=\"s1\",state=\"DOWN\"} 1\n"));
	assert_non_null(strstr(s, "haproxy_server_sessions_total{proxy=\"TCP 10.0.0.1:80\","
				  "server=\"10.0.0.2:80\"} 100\n"));
	assert_non_null(strstr(s, "haproxy_frontend_sessions_total{proxy=\"web\"} 42\n"));
	assert_non_null(strstr(s, "haproxy_backend_weight{proxy=\"web\"} 4\n"));
	assert_non_null(strstr(s, "haproxy_frontend_limit_sessions{proxy=\"web\"} 500\n"));
	assert_non_null(strstr(s, "# TYPE haproxy_process_connections_total counter\n"));
	/* fulcrum's own: a label value escaped, a counter renamed */
	assert_non_null(strstr(s, "fulcrum_server_conns_total{pool=\"TCP 10.0.0.1:80\","
				  "server=\"10.0.0.2:80\",server_address=\"10.0.0.2\","
				  "server_port=\"80\"} 100\n"));
	assert_non_null(strstr(s, "reason=\"connect: refused, try \\\"later\\\"\""));
}

/* ---- the stats page ---- */

static void test_stats_html(void **state)
{
	const char *const scope[] = {"TCP 10.0.0.1:80"};
	struct stats_html_opts o = {.uri = "/st", .refresh_s = 5, .hide_version = 1};
	struct sbuf out;

	sbuf_init(&out);
	/* s1 at a name that needs escaping */
	free(((struct fulcrum *)*state)->cfg->http_proxies->pool->rs->name);
	((struct fulcrum *)*state)->cfg->http_proxies->pool->rs->name = strdup("s<1>");
	stats_html(*state, &o, &out);
	assert_false(out.oom);
	assert_non_null(strstr(sbuf_str(&out), "<meta http-equiv=\"refresh\" content=\"5\">"));
	assert_null(strstr(sbuf_str(&out), "version"));
	assert_non_null(strstr(sbuf_str(&out), "<a href=\"/st;csv\">"));
	/* a table per proxy, a row per server coloured by its state */
	assert_non_null(strstr(sbuf_str(&out), "<tr class=\"frontend\"><td class=\"ac\">Frontend"));
	assert_non_null(strstr(sbuf_str(&out), "<tr class=\"active_down\"><td class=\"ac\">s&lt;1&gt;"));
	/* HAProxy's groups; a row's Queue, Session rate and Sessions cells */
	assert_non_null(strstr(sbuf_str(&out), "<th colspan=3>Queue</th><th colspan=3>Session rate</th>"
					       "<th colspan=6>Sessions</th><th colspan=2>Bytes</th>"
					       "<th colspan=2>Denied</th><th colspan=3>Errors</th>"
					       "<th colspan=2>Warnings</th><th colspan=9>Server</th>"));
	assert_non_null(strstr(sbuf_str(&out), "<tr class=\"active_draining\"><td class=\"ac\">10.0.0.3:80"
					       "</td><td>0</td><td>0</td><td></td><td>0</td><td>0</td>"
					       "<td></td><td>0</td><td>0</td><td></td><td class=\"tot\">7</td>"));
	assert_non_null(strstr(sbuf_str(&out), "<span class=\"st\">DRAIN</span>"));
	/* the frontend's HTTP answers in its Total cell's tooltip */
	assert_non_null(strstr(sbuf_str(&out), "<tr><th>- HTTP 2xx responses:</th><td>9</td></tr>"));
	assert_non_null(strstr(sbuf_str(&out), "<tr class=\"backend\"><td class=\"ac\">Backend"));
	/* scope: one proxy only */
	sbuf_reset(&out);
	o.scope = scope;
	o.n_scope = 1;
	stats_html(*state, &o, &out);
	assert_null(strstr(sbuf_str(&out), "Frontend"));
	assert_non_null(strstr(sbuf_str(&out), ">TCP 10.0.0.1:80</th>"));
	sbuf_reset(&out);
	stats_html(*state, NULL, &out);
	assert_non_null(strstr(sbuf_str(&out), "<h1>fulcrum version "));
	sbuf_free(&out);
}

/* ---- the stats socket's words ---- */

static void test_stats_socket_words(void **state)
{
	char line[] = "set server \"TCP 10.0.0.1:80/10.0.0.2:80\" state\\ x  drain ";
	char bad[] = "show stat \"web";
	char *argv[8], err[ERRLEN];

	assert_int_equal(hasock_words(line, argv, 8, err, sizeof(err)), 5);
	assert_string_equal(argv[0], "set");
	assert_string_equal(argv[2], "TCP 10.0.0.1:80/10.0.0.2:80");
	assert_string_equal(argv[3], "state x");
	assert_string_equal(argv[4], "drain");
	assert_int_equal(hasock_words(bad, argv, 8, err, sizeof(err)), -1);
	assert_string_equal(err, "unterminated quote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_csv_header_is_haproxy26, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_one_backend_and_refusal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stat_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_servers_state_and_backend, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics_haproxy_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stats_html, setup, teardown),
	    cmocka_unit_test(test_stats_socket_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
