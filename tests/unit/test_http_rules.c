/* haproxy.cfg's HTTP rules (src/http/rules.h): ACLs per fetch and flag,
 * conditions, every action's effect on a parsed request or response (as
 * h1_emit_head writes it), use_backend picking, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "http/h1.h"
#include "http/rules.h"
#include "http/txn-t.h"
#include "model/http_proxy.h"

/* the place a resolve names with its error */
static const char *at_file;
static int at_line;

/* One transaction: a request parsed from text, addresses, a proxy. */
struct fx {
	struct http_proxy *fe;
	struct h1_msg req, resp;
	char rbuf[4096], sbuf[4096];
	struct http_txn t;
	struct http_reply reply;
	char err[ERRLEN];
};

/* Split a config line into words: blanks separate, "..." groups (no
 * escapes needed by these tests). */
static int split(char *line, char **w, int max)
{
	int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			line++;
		if (!*line)
			break;
		if (*line == '"') {
			w[n++] = ++line;
			line = strchr(line, '"');
			assert_non_null(line);
		} else {
			w[n++] = line;
			line += strcspn(line, " ");
		}
		if (*line)
			*line++ = 0;
	}
	return n;
}

/* A rule line into px: 0 or -1 with f->err. */
static int rule(struct fx *f, struct http_proxy *px, const char *text)
{
	char line[1024], *w[64];
	int n;

	snprintf(line, sizeof(line), "%s", text);
	n = split(line, w, 64);
	return http_rules_parse(px, w, n, "test.cfg", 7, f->err, sizeof(f->err));
}

static void rules_ok(struct fx *f, const char *text)
{
	if (rule(f, f->fe, text))
		fail_msg("'%s' refused: %s", text, f->err);
}

static void req(struct fx *f, const char *head)
{
	char err[ERRLEN];

	snprintf(f->rbuf, sizeof(f->rbuf), "%s", head);
	assert_true(h1_parse_req(&f->req, f->rbuf, strlen(f->rbuf), sizeof(f->rbuf)) > 0);
	memset(&f->t, 0, sizeof(f->t));
	f->t.req = &f->req;
	f->t.fe = f->fe;
	assert_int_equal(addr_parse_hostport("10.1.2.3:40000", &f->t.src, err, sizeof(err)), 0);
	assert_int_equal(addr_parse_hostport("192.0.2.10:80", &f->t.dst, err, sizeof(err)), 0);
}

static void resp(struct fx *f, const char *head)
{
	snprintf(f->sbuf, sizeof(f->sbuf), "%s", head);
	assert_true(h1_parse_resp(&f->resp, f->sbuf, strlen(f->sbuf), sizeof(f->sbuf), H1_METH_GET) > 0);
	f->t.resp = &f->resp;
}

static const char *emit(const struct h1_msg *m)
{
	static char out[4096];
	size_t n = h1_emit_head(m, out, sizeof(out) - 1);

	assert_true(n > 0);
	out[n] = 0;
	return out;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fe = http_proxy_new("fe", HP_CAP_FE);
	assert_non_null(f->fe);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	http_proxy_free(f->fe);
	free(f);
	return 0;
}

/* A fresh frontend holding only `acl a ...` and a rule that answers 299
 * when it holds: does the ACL match the request? */
static int acl_matches(struct fx *f, const char *acl, const char *head)
{
	char line[512];
	enum http_verdict v;

	http_proxy_free(f->fe);
	f->fe = http_proxy_new("fe", HP_CAP_FE);
	snprintf(line, sizeof(line), "acl a %s", acl);
	rules_ok(f, line);
	rules_ok(f, "http-request return status 299 if a");
	req(f, head);
	v = http_req_rules(f->fe, &f->t, &f->reply);
	return v == HTTP_V_RETURN && f->reply.status == 299;
}

static const char REQ1[] = "GET /Static/img/logo.JPG?id=42&lang=fr HTTP/1.1\r\n"
			   "Host: www.example.com\r\n"
			   "User-Agent: curl/8.0\r\n"
			   "X-M: a, b\r\n"
			   "X-M: c\r\n"
			   "X-Forwarded-For: 192.168.7.9\r\n"
			   "Content-Length: 12\r\n"
			   "Cookie: theme=dark; sid=abc\r\n"
			   "Accept: text/html, text/plain;q=0.5, */*\r\n"
			   "X-V: a, b,a\r\n"
			   "X-HP: a.example.com:8080\r\n"
			   "\r\n";

static void test_acl_fetches_and_flags(void **state)
{
	static const struct {
		const char *acl;
		int want;
	} cases[] = {
		{"path_beg -i /static /images", 1},
		{"path_beg /static /images", 0}, /* case matters without -i */
		{"path_end -i .jpg .gif", 1},
		{"path_end .jpg", 0},
		{"path_sub img", 1},
		{"path_dir img", 1},
		{"path_dir im", 0},
		{"path_reg ^/[A-Z][a-z]+/", 1},
		{"path_len 10:30", 1},
		{"path_len gt 40", 0},
		{"path /Static/img/logo.JPG", 1},
		{"path,lower /static/img/logo.jpg", 1},
		{"path,length 20", 1},
		{"url_beg /Static/img/logo.JPG?id=", 1},
		{"url_param(id) 42", 1},
		{"urlp(lang) en", 0},
		{"query -m sub lang=fr", 1},
		{"method GET HEAD", 1},
		{"method PUT POST", 0},
		{"hdr(host) -i WWW.example.com", 1},
		{"hdr_beg(host) www.", 1},
		{"hdr_end(host) .com", 1},
		{"hdr_dom(host) example", 1},
		{"hdr_dom(host) exam", 0},
		{"hdr_dom(x-hp) com", 1},       /* ':' delimits a domain part too */
		{"hdr(x-hp) -m dom 8080", 1},
		{"hdr(user-agent) -m int lt 1", 1}, /* "curl/8.0" as an int is 0, as in haproxy */
		{"hdr_sub(user-agent) curl", 1},
		{"hdr_reg(user-agent) ^curl/[0-9]", 1},
		{"hdr(x-m) b", 1}, /* every value of every line */
		{"hdr(x-m,1) b", 0}, /* only the first */
		{"hdr_cnt(x-m) 3", 1},
		{"req.fhdr_cnt(x-m) 2", 1},
		{"req.fhdr(x-m) \"a, b\"", 1},
		{"hdr_cnt(x-m) gt 3", 0},
		{"hdr_val(content-length) ge 12", 1},
		{"hdr_ip(x-forwarded-for) 192.168.0.0/16", 1},
		{"hdr(nothere) -m found", 0},
		{"hdr(host) -m found", 1},
		{"base_beg www.example.com/Static", 1},
		{"cook(sid) abc", 1},
		{"src 10.0.0.0/8", 1},
		{"src 10.1.2.4", 0},
		{"src_port 30000:50000", 1},
		{"dst 192.0.2.10", 1},
		{"dst_port 80 8080", 1},
		{"ssl_fc", 0},
		{"req.ver 1.1", 1},
		{"always_true", 1},
		{"always_false", 0},
		{"path -m beg -- -x /Static", 1}, /* `--` ends the flags */
		{"path -m len 20", 1},
		{"path -m str -i /static/IMG/logo.jpg", 1},
		{"hdr(host),field(2,.) example", 1},
		{"hdr(host),field(-1,.) com", 1},
		{"hdr(host),upper -m beg WWW.", 1},
		{"path,hex -m beg 2F537461", 1},
		{"hdr_cnt(x-m),sub(1) 2", 1},
		{"url_param(lang,;) fr", 0}, /* with ';' as the delimiter the value runs on */
		{"url_param(nosuch) -m found", 0},
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (acl_matches(f, cases[i].acl, REQ1) != cases[i].want)
			fail_msg("acl '%s': expected %s", cases[i].acl, cases[i].want ? "a match" : "no match");
}

/* Values compared with haproxy 2.6 on loopback: url_param's list starts
 * after the first DELIM ('?') and splits on '&', ';' and DELIM; cook()
 * is the last cookie of that name (an ACL tries each); hdr_val of a
 * non-number is 0. */
static void test_fetch_values(void **state)
{
	static const char head[] = "GET /a;x=9?x=1;y=2&b=3 HTTP/1.1\r\nHost: h\r\nCookie: sid=1\r\n"
				   "Cookie: a=b; sid=2\r\nX-N: abc\r\n\r\n";
	struct fx *f = *state;

	rules_ok(f, "http-request set-header X-F %[urlp(x)]|%[urlp(y)]|%[urlp(x,;)]|%[cook(sid)]|%[hdr_val(x-n)]");
	req(f, head);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	assert_non_null(strstr(emit(&f->req), "X-F: 1|2|9?x=1|2|0\r\n"));
	assert_true(acl_matches(f, "cook(sid) 1", head));
	assert_true(acl_matches(f, "urlp(b) 3", head));
	assert_false(acl_matches(f, "urlp(x,;) 1", head));
}

static void test_acl_pattern_file(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/test_http_rules_XXXXXX", line[256];
	int fd = mkstemp(path);
	static const char text[] = "# static trees\r\n  /images  \r\n\n/Static"; /* CRLF, no last newline */

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	snprintf(line, sizeof(line), "path_beg -f %s", path);
	assert_true(acl_matches(f, line, REQ1));
	assert_false(acl_matches(f, line, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n"));
	snprintf(line, sizeof(line), "path_beg -i -f %s", path);
	assert_true(acl_matches(f, line, "GET /IMAGES/x HTTP/1.1\r\nHost: a\r\n\r\n"));
	unlink(path);
}

static void test_conditions(void **state)
{
	static const struct {
		const char *cond;
		int want;
	} cases[] = {
		{"if st", 1},
		{"if st get", 1},		/* implicit and */
		{"if st post", 0},
		{"if post || st", 1},
		{"if post or st", 1},
		{"if !st", 0},
		{"if ! st", 0},
		{"unless st", 0},
		{"unless post", 1},
		{"if st !post", 1},
		{"if post || !st || get", 1},
		{"if { path_beg /Static }", 1},
		{"if { path_beg /x } || { method GET }", 1},
		{"if !{ method GET }", 0},
		{"if METH_GET", 1},
		{"if METH_POST", 0},
		{"if TRUE", 1},
		{"if FALSE", 0},
		{"if HTTP_1.1 HTTP_URL_SLASH", 1},
		{"if LOCALHOST", 0},
	};
	struct fx *f = *state;
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_proxy_free(f->fe);
		f->fe = http_proxy_new("fe", HP_CAP_FE);
		rules_ok(f, "acl st path_beg -i /static /images");
		rules_ok(f, "acl get method GET");
		rules_ok(f, "acl post method POST");
		snprintf(line, sizeof(line), "http-request deny %s", cases[i].cond);
		rules_ok(f, line);
		req(f, REQ1);
		if ((http_req_rules(f->fe, &f->t, &f->reply) == HTTP_V_DENY) != cases[i].want)
			fail_msg("'%s': expected %s", cases[i].cond, cases[i].want ? "deny" : "no deny");
	}
}

/* Two `acl` lines of one name: either matches (haproxy's OR of lines). */
static void test_acl_lines_or(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "acl static path_beg /images");
	rules_ok(f, "acl static path_end .JPG");
	rules_ok(f, "http-request deny if static");
	req(f, REQ1);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_DENY);
	assert_int_equal(f->reply.status, 403);
	assert_null(f->reply.body); /* the proxy's 403 error message then */
}

static void test_header_actions(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request set-header X-Path %[path]");
	rules_ok(f, "http-request add-header X-Src \"%[src]:%[src_port] %[hdr(nothere)]end\"");
	rules_ok(f, "http-request del-header user-agent");
	rules_ok(f, "http-request del-header x-forw -m beg");
	rules_ok(f, "http-request del-header ^x-m$ -m reg");
	rules_ok(f, "http-request replace-header Host ^www\\.(.*)$ \\1");
	rules_ok(f, "http-request replace-value Accept ^text/([a-z]*)$ TEXT/\\1");
	rules_ok(f, "http-request replace-value X-V ^a$ A");
	req(f, REQ1);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	/* replaced values stay where they were, with their own spacing */
	assert_string_equal(emit(&f->req), "GET /Static/img/logo.JPG?id=42&lang=fr HTTP/1.1\r\n"
					   "Host: example.com\r\n"
					   "Content-Length: 12\r\n"
					   "Cookie: theme=dark; sid=abc\r\n"
					   "Accept: TEXT/html, text/plain;q=0.5, */*\r\n"
					   "X-V: A, b,A\r\n"
					   "X-HP: a.example.com:8080\r\n"
					   "X-Path: /Static/img/logo.JPG\r\n"
					   "X-Src: 10.1.2.3:40000 end\r\n"
					   "\r\n");
}

/* The sequence of haproxy's path_and_pathq.vtc, on origin and absolute
 * forms. */
static void test_uri_actions(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request add-header x-path  %[path]");
	rules_ok(f, "http-request add-header x-pathq %[pathq]");
	rules_ok(f, "http-request add-header x-query %[query]");
	rules_ok(f, "http-request set-path /fe%[path]");
	rules_ok(f, "http-request replace-path (.*) /foo\\1");
	rules_ok(f, "http-request replace-path (.*) \\1/bar");
	rules_ok(f, "http-request set-pathq %[path]?app=regtest&%[query]");
	rules_ok(f, "http-request replace-pathq /([^?]*)\\?app=([^&]*)&?(.*) /\\2/\\1?\\3");
	req(f, "GET /req1?param1=val1&param2=val2 HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	assert_string_equal(emit(&f->req), "GET /regtest/foo/fe/req1/bar?param1=val1&param2=val2 HTTP/1.1\r\n"
					   "Host: h\r\n"
					   "x-path: /req1\r\n"
					   "x-pathq: /req1?param1=val1&param2=val2\r\n"
					   "x-query: param1=val1&param2=val2\r\n"
					   "\r\n");
	req(f, "GET http://127.0.0.1/req2?param1=val1&param2=val2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	assert_non_null(strstr(emit(&f->req),
			       "GET http://127.0.0.1/regtest/foo/fe/req2/bar?param1=val1&param2=val2 HTTP/1.1\r\n"));
}

static void test_uri_method_query(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request set-method POST if { path /m }");
	rules_ok(f, "http-request set-query a=1&%[query] if { path /q }");
	rules_ok(f, "http-request set-uri /new%[url] if { path /u }");
	rules_ok(f, "http-request replace-uri ^/r(.*) /R\\1");
	req(f, "GET /m HTTP/1.1\r\nHost: h\r\n\r\n");
	http_req_rules(f->fe, &f->t, &f->reply);
	assert_non_null(strstr(emit(&f->req), "POST /m HTTP/1.1\r\n"));
	req(f, "GET /q?b=2 HTTP/1.1\r\nHost: h\r\n\r\n");
	http_req_rules(f->fe, &f->t, &f->reply);
	assert_non_null(strstr(emit(&f->req), "GET /q?a=1&b=2 HTTP/1.1\r\n"));
	req(f, "GET /u HTTP/1.1\r\nHost: h\r\n\r\n");
	http_req_rules(f->fe, &f->t, &f->reply);
	assert_non_null(strstr(emit(&f->req), "GET /new/u HTTP/1.1\r\n"));
	req(f, "GET /rx?y HTTP/1.1\r\nHost: h\r\n\r\n");
	http_req_rules(f->fe, &f->t, &f->reply);
	assert_non_null(strstr(emit(&f->req), "GET /Rx?y HTTP/1.1\r\n"));
}

static void test_vars_and_src(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request set-var(txn.ua) req.hdr(user-agent),lower");
	rules_ok(f, "http-request set-var(txn.n) hdr_cnt(x-m)");
	rules_ok(f, "http-request set-src hdr(x-forwarded-for)");
	rules_ok(f, "http-request set-header X-V \"%[var(txn.ua)] %[var(txn.n),add(1)] %[src]:%[src_port]\"");
	rules_ok(f, "http-request unset-var(txn.ua)");
	rules_ok(f, "http-request deny if { var(txn.ua) -m found }");
	req(f, REQ1);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	assert_non_null(strstr(emit(&f->req), "X-V: curl/8.0 4 192.168.7.9:40000\r\n"));
	assert_int_equal(f->t.nvars, 1);
}

static void test_allow_stops(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request allow if { src 10.0.0.0/8 }");
	rules_ok(f, "http-request deny");
	req(f, REQ1);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_ALLOW);
	f->t.src.u.v4.s_addr = htonl(0x0b000001);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_DENY);
}

static void test_return_and_deny(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/test_http_rules_XXXXXX", line[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "path is %[url]\n", 15), 15);
	close(fd);
	rules_ok(f, "http-request return if { path /def }");
	rules_ok(f, "http-request return content-type text/plain lf-string \"path is %[url]\" "
		    "hdr x-custom-hdr %[url] hdr x-empty %[hdr(nothere)] if { path /lf }");
	snprintf(line, sizeof(line), "http-request return status 201 content-type text/plain lf-file %s if "
		 "{ path /lf-file }", path);
	rules_ok(f, line);
	rules_ok(f, "http-request deny deny_status 429 content-type text/plain string \"slow down\" "
		    "if { path /busy }");
	rules_ok(f, "http-request tarpit if { path /tar }");
	/* haproxy 2.6: %ST is the reply's status, +Q quotes a variable but not a sample in a rule */
	rules_ok(f, "http-request return status 202 content-type text/plain lf-string \"%ST %{+Q}[path] %{+Q}HU\" "
		    "if { path /st }");
	req(f, "GET /def HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_RETURN);
	assert_int_equal(f->reply.status, 200);
	assert_null(f->reply.ctype);
	assert_non_null(f->reply.body); /* empty, not the proxy's message for 200 */
	assert_int_equal(f->reply.body_len, 0);
	assert_int_equal(f->reply.nhdrs, 0);

	req(f, "GET /lf HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_RETURN);
	assert_memory_equal(f->reply.ctype, "text/plain", f->reply.ctype_len);
	assert_int_equal(f->reply.body_len, 11);
	assert_memory_equal(f->reply.body, "path is /lf", 11);
	assert_int_equal(f->reply.nhdrs, 1); /* an empty value: the header is left out */
	assert_memory_equal(f->reply.hdrs[0].name, "x-custom-hdr", 12);
	assert_int_equal(f->reply.hdrs[0].vlen, 3);
	assert_memory_equal(f->reply.hdrs[0].val, "/lf", 3);

	req(f, "GET /lf-file HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_RETURN);
	assert_int_equal(f->reply.status, 201);
	assert_int_equal(f->reply.body_len, 17);
	assert_memory_equal(f->reply.body, "path is /lf-file\n", 17);

	req(f, "GET /busy HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_DENY);
	assert_int_equal(f->reply.status, 429);
	assert_int_equal(f->reply.body_len, 9);

	req(f, "GET /st HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_RETURN);
	assert_int_equal(f->reply.body_len, 13);
	assert_memory_equal(f->reply.body, "202 /st \"/st\"", 13);

	req(f, "GET /tar HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_TARPIT);
	assert_int_equal(f->reply.status, 500);
	unlink(path);
}

static void expect_location(struct fx *f, const char *head, unsigned status, const char *loc)
{
	req(f, head);
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_RETURN);
	assert_int_equal(f->reply.status, status);
	assert_int_equal(f->reply.nhdrs, 1);
	assert_memory_equal(f->reply.hdrs[0].name, "location", 8);
	if (f->reply.hdrs[0].vlen != strlen(loc) || memcmp(f->reply.hdrs[0].val, loc, strlen(loc)))
		fail_msg("location '%.*s', expected '%s'", (int)f->reply.hdrs[0].vlen, f->reply.hdrs[0].val, loc);
}

static void test_redirect(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-request redirect scheme https code 301 if { path_beg /s }");
	rules_ok(f, "http-request redirect prefix http://other.example drop-query if { path_beg /p }");
	rules_ok(f, "http-request redirect prefix / append-slash drop-query if { path_beg /d }");
	rules_ok(f, "http-request redirect location /login?from=%[path] code 303 if { path_beg /l }");
	expect_location(f, "GET /s/x?a=1 HTTP/1.1\r\nHost: www.example.com\r\n\r\n", 301,
			"https://www.example.com/s/x?a=1");
	expect_location(f, "GET /p/x?a=1 HTTP/1.1\r\nHost: h\r\n\r\n", 302, "http://other.example/p/x");
	expect_location(f, "GET /dir?a=1 HTTP/1.1\r\nHost: h\r\n\r\n", 302, "/dir/");
	expect_location(f, "GET /l/x HTTP/1.1\r\nHost: h\r\n\r\n", 303, "/login?from=/l/x");
}

static void test_response_rules(void **state)
{
	struct fx *f = *state;

	rules_ok(f, "http-response set-header X-Status %[status]");
	rules_ok(f, "http-response del-header x-str1");
	rules_ok(f, "http-response del-header sub -m sub");
	rules_ok(f, "http-response set-status 404 if { status 204 }");
	rules_ok(f, "http-response deny if { res.hdr(x-secret) -m found }");
	req(f, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	resp(f, "HTTP/1.1 204 No Content\r\nx-str1: a\r\nx-sub1: b\r\nx-always: c\r\n\r\n");
	assert_int_equal(http_resp_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	assert_string_equal(emit(&f->resp), "HTTP/1.1 404 Not Found\r\nx-always: c\r\nX-Status: 204\r\n\r\n");
	resp(f, "HTTP/1.1 200 OK\r\nX-Secret: 1\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(http_resp_rules(f->fe, &f->t, &f->reply), HTTP_V_DENY);
	assert_int_equal(f->reply.status, 502);
}

static void test_use_backend(void **state)
{
	struct fx *f = *state;
	struct config cfg;
	struct http_proxy *st = http_proxy_new("static", HP_CAP_BE), *app = http_proxy_new("app", HP_CAP_BE);
	struct http_proxy *fe = f->fe;

	memset(&cfg, 0, sizeof(cfg));
	config_add_http_proxy(&cfg, fe);
	config_add_http_proxy(&cfg, st);
	config_add_http_proxy(&cfg, app);
	/* seed 003's frontend, uncommented */
	rules_ok(f, "acl url_static path_beg -i /static /images /javascript /stylesheets");
	rules_ok(f, "acl url_static path_end -i .jpg .gif .png .css .js");
	rules_ok(f, "acl write method PUT");
	rules_ok(f, "acl write method POST");
	rules_ok(f, "use_backend static if url_static || write");
	fe->default_be = app;
	assert_int_equal(http_rules_resolve(&cfg, fe, &at_file, &at_line, f->err, sizeof(f->err)), 0);
	req(f, "GET /images/a.png HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), st);
	req(f, "GET /x/A.GIF HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), st);
	req(f, "POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), st);
	req(f, "GET /api HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), app);

	/* a name built per request: a backend's, else the rules end there
	 * and default_backend takes it (not the next use_backend) */
	rules_ok(f, "use_backend %[req.hdr(x-be),lower] if { req.hdr(x-be) -m found }");
	rules_ok(f, "use_backend static");
	assert_int_equal(http_rules_resolve(&cfg, fe, &at_file, &at_line, f->err, sizeof(f->err)), 0);
	req(f, "GET /api HTTP/1.1\r\nHost: h\r\nX-BE: STATIC\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), st);
	req(f, "GET /api HTTP/1.1\r\nHost: h\r\nX-BE: nowhere\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), app);
	req(f, "GET /api HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_ptr_equal(http_pick_backend(fe, &f->t), st);

	/* a backend that does not exist: refused at resolve, with file:line */
	rules_ok(f, "use_backend nowhere if { path /n }");
	assert_int_equal(http_rules_resolve(&cfg, fe, &at_file, &at_line, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "use_backend: no backend named 'nowhere'");
	assert_string_equal(at_file, "test.cfg");
	assert_int_equal(at_line, 7);
	/* use_backend is a frontend's */
	assert_int_equal(rule(f, st, "use_backend app"), -1);
	assert_non_null(strstr(f->err, "frontend"));
	f->fe = http_proxy_new("fe", HP_CAP_FE);
	http_proxy_free(fe);
	http_proxy_free(st);
	http_proxy_free(app);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{"acl a nosuch /x", "unknown fetch method 'nosuch'"},
		{"acl a path_beg -z /x", "unknown ACL flag '-z'"},
		{"acl a path -m nope /x", "unknown match method 'nope'"},
		{"acl a path -m reg (", "bad regex '('"},
		{"acl a path -f /nonexistent/file", "cannot read pattern file '/nonexistent/file'"},
		{"acl a path -f /dev/zero", "pattern file '/dev/zero' has a line over 4096 bytes"},
		{"acl a hdr_cnt(x) abc", "'abc' is not an integer or a range"},
		{"acl a src 10.0.0.0/40", "bad network mask"},
		{"acl a ssl_fc 1", "takes no pattern"},
		{"acl a hdr(x,notanint) y", "argument 2 must be an integer"},
		{"acl a path,nosuchconv /x", "unknown converter 'nosuchconv'"},
		{"acl b@d path /x", "ACL name 'b@d'"},
		{"http-request deny if undefined_acl", "no such ACL 'undefined_acl'"},
		{"http-request deny if { path /x", "missing '}'"},
		{"http-request deny if", "missing condition after 'if'"},
		{"http-request deny if { path /x } ||", "condition ends with '||'"},
		{"http-request deny if { status 200 }", "needs the response"},
		{"http-request set-header X %[status]", "needs the response"},
		{"http-request frobnicate", "unknown or unsupported action 'frobnicate'"},
		{"http-request set-status 200", "unknown or unsupported action 'set-status'"},
		{"http-request set-var(foo) str(a)", "must start with its scope"},
		{"http-request return status 600", "status '600' is not between 200 and 599"},
		{"http-request return string hello", "a content-type must be given"},
		{"http-request redirect prefix / code 309", "'309' is not 301, 302, 303, 307 or 308"},
		{"http-request redirect elsewhere /", "unknown redirect type 'elsewhere'"},
		{"http-request set-header X", "expects NAME FORMAT"},
		{"http-request set-header X:Y v", "'X:Y' is not a valid header name"},
		{"http-response replace-header \"a b\" x y", "'a b' is not a valid header name"},
		{"http-request return hdr x@y v", "'x@y' is not a valid header name"},
		{"http-request set-header X %[nosuch]", "unknown fetch method 'nosuch'"},
		{"http-request set-header X %[path", "missing ']'"},
		{"http-request del-header x -m dom", "unknown match method 'dom'"},
		{"http-request replace-path ( x", "bad regex"},
		{"http-response set-status 99", "between 100 and 999"},
		{"use_backend %[res.hdr(x)]", "needs the response"},
		{"use_backend", "expects a backend name"},
		/* what a rule set cannot see, as haproxy refuses it */
		{"http-response set-header X %[path]", "needs the request headers"},
		{"http-response deny if { hdr(host) h }", "needs the request headers"},
		{"http-response deny if req_only", "ACL 'req_only' needs the request headers"},
		{"http-request deny if resp_only", "ACL 'resp_only' needs the response"},
		{"use_backend b if resp_only", "ACL 'resp_only' needs the response"},
		{"http-request set-var(txn.s) res.hdr(x)", "needs the response"},
	};
	struct fx *f = *state;
	size_t i;

	rules_ok(f, "http-request deny if { path /keep }");
	rules_ok(f, "acl req_only path /x");
	rules_ok(f, "acl resp_only status 200");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->err[0] = 0;
		if (rule(f, f->fe, cases[i].line) != -1)
			fail_msg("'%s' accepted", cases[i].line);
		if (!strstr(f->err, cases[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", cases[i].line, f->err, cases[i].msg);
	}
	/* nothing of the refused lines stayed: the one rule still decides alone */
	req(f, "GET /other HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_CONTINUE);
	req(f, "GET /keep HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(http_req_rules(f->fe, &f->t, &f->reply), HTTP_V_DENY);
	assert_int_equal(rule(f, f->fe, "http-request deny if a"), -1); /* `acl a ...` never made it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_acl_fetches_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acl_pattern_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acl_lines_or, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uri_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uri_method_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vars_and_src, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_return_and_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_use_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
