/* HTTP_GET and SSL_GET against a real Python HTTP and HTTPS server on
 * 127.0.0.1 (started by the test, with a self-signed certificate made by
 * the openssl CLI): status sets and ranges, digest, regex and
 * regex_no_match, virtualhost and the request per http_protocol, HEAD
 * (http_method) that does not wait for the body its headers announce, chunked
 * bodies, several urls, the body limit, TLS with SNI, TLS to a plain
 * server, connection refused, and a server that never answers cancelled
 * mid-attempt (ASan checks that cancel frees everything).  Each attempt
 * must end with exactly one check_done. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check.h"
#include "check/check_http-t.h"
#include "core/addr.h"
#include "core/loop.h"

#include "py_server.h"

/* The test server: one plain and one TLS listener, same paths. */
static const char server_py[] =
    "import http.client, http.server, socketserver, ssl, sys, threading, time, socket, os\n"
    "d = sys.argv[1]\n"
    "state = {\"sni\": \"\"}\n"
    "\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = \"HTTP/1.0\"\n"
    "    def log_message(self, *a):\n"
    "        pass\n"
    "    def parse_request(self):\n"
    "        # http.server waits for headers even after an HTTP/0.9 request line\n"
    "        words = self.raw_requestline.split()\n"
    "        if len(words) == 2 and words[0] == b\"GET\":\n"
    "            self.command, self.path = \"GET\", words[1].decode()\n"
    "            self.request_version = \"HTTP/0.9\"\n"
    "            self.requestline = self.raw_requestline.decode().rstrip(\"\\r\\n\")\n"
    "            self.close_connection = True\n"
    "            self.headers = http.client.HTTPMessage()\n"
    "            return True\n"
    "        return super().parse_request()\n"
    "    def reply(self, code, body, chunked=False, length=True):\n"
    "        self.send_response(code)\n"
    "        if chunked:\n"
    "            self.send_header(\"Transfer-Encoding\", \"chunked\")\n"
    "        elif length:\n"
    "            self.send_header(\"Content-Length\", str(len(body)))\n"
    "        self.end_headers()\n"
    "        if chunked:\n"
    "            # awkward pieces: the regex/digest must see across them\n"
    "            for i in range(0, len(body), 3):\n"
    "                part = body[i:i + 3]\n"
    "                self.wfile.write(b\"%x;ext=1\\r\\n%s\\r\\n\" % (len(part), part))\n"
    "            self.wfile.write(b\"0\\r\\nX-Trailer: t\\r\\n\\r\\n\")\n"
    "        else:\n"
    "            self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        p = self.path\n"
    "        if p == \"/ok\":\n"
    "            self.reply(200, b\"hello world\")\n"
    "        elif p.startswith(\"/status/\"):\n"
    "            self.reply(int(p[8:]), b\"status page\")\n"
    "        elif p == \"/echo-host\":\n"
    "            self.reply(200, (self.headers.get(\"Host\") or \"\").encode())\n"
    "        elif p == \"/echo-request\":\n"
    "            self.reply(200, (self.requestline + \"\\n\" + str(self.headers)).encode())\n"
    "        elif p == \"/chunked\":\n"
    "            self.protocol_version = \"HTTP/1.1\"\n"
    "            self.reply(200, b\"hello chunked world\", chunked=True)\n"
    "        elif p == \"/close\":\n"
    "            self.reply(200, b\"until close\", length=False)\n"
    "        elif p == \"/big\":\n"
    "            self.reply(200, b\"x\" * (5 << 20))\n"
    "        elif p == \"/bigchunked\":\n"
    "            self.protocol_version = \"HTTP/1.1\"\n"
    "            self.send_response(200)\n"
    "            self.send_header(\"Transfer-Encoding\", \"chunked\")\n"
    "            self.end_headers()\n"
    "            try:\n"
    "                for i in range(80):\n"
    "                    self.wfile.write(b\"10000\\r\\n\" + b\"y\" * 65536 + b\"\\r\\n\")\n"
    "                self.wfile.write(b\"0\\r\\n\\r\\n\")\n"
    "            except OSError:\n"
    "                pass\n"
    "        elif p == \"/sni\":\n"
    "            self.reply(200, state[\"sni\"].encode())\n"
    "        elif p == \"/garbage\":\n"
    "            self.wfile.write(b\"SSH-2.0-OpenSSH\\r\\n\")\n"
    "        elif p == \"/slow\":\n"
    "            time.sleep(30)\n"
    "        elif p == \"/method\":\n"
    "            self.reply(405, b\"HEAD only\")\n"
    "        else:\n"
    "            self.reply(404, b\"no\")\n"
    "    def do_HEAD(self):\n"
    "        # /method answers HEAD only; its headers promise a body that never\n"
    "        # comes and the connection stays open: a HEAD check must not wait\n"
    "        if self.path == \"/method\":\n"
    "            self.send_response(200)\n"
    "            self.send_header(\"Content-Length\", \"1000\")\n"
    "            self.end_headers()\n"
    "            self.wfile.flush()\n"
    "            time.sleep(30)\n"
    "        else:\n"
    "            self.send_response(404)\n"
    "            self.send_header(\"Content-Length\", \"2\")\n"
    "            self.end_headers()\n"
    "\n"
    "class TH(H):\n"
    "    def setup(self):\n"
    "        self.request.settimeout(5)\n"
    "        self.request.do_handshake()\n"
    "        super().setup()\n"
    "\n"
    "class S(socketserver.ThreadingMixIn, http.server.HTTPServer):\n"
    "    daemon_threads = True\n"
    "    allow_reuse_address = True\n"
    "    def handle_error(self, request, addr):\n"
    "        pass\n"
    "\n"
    "plain = S((\"127.0.0.1\", 0), H)\n"
    "tls = S((\"127.0.0.1\", 0), TH)\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(os.path.join(d, \"cert.pem\"), os.path.join(d, \"key.pem\"))\n"
    "def on_sni(sock, name, c):\n"
    "    state[\"sni\"] = name or \"\"\n"
    "ctx.sni_callback = on_sni\n"
    "tls.socket = ctx.wrap_socket(tls.socket, server_side=True, do_handshake_on_connect=False)\n"
    "for s in (plain, tls):\n"
    "    threading.Thread(target=s.serve_forever, daemon=True).start()\n"
    "print(\"READY %d %d\" % (plain.server_address[1], tls.server_address[1]), flush=True)\n"
    "sys.stdin.read()  # until the test closes our stdin\n";

static struct py_server srv;
static uint16_t http_port, tls_port;

static int start_server(void **state)
{
	char line[128];

	signal(SIGPIPE, SIG_IGN);
	/* "READY <http> <tls>" */
	if (py_server_start(&srv, server_py, line, sizeof(line)) < 0)
		return -1;
	if (sscanf(line, "READY %hu %hu", &http_port, &tls_port) != 2) {
		fprintf(stderr, "test server said '%s'\n", line);
		return -1;
	}
	return 0;
}

static int stop_server(void **state)
{
	return py_server_stop(&srv);
}

/* ---- a stand-in for the health core: records the one result ---- */

static struct {
	int calls, ok, cancelled;
	enum check_kind kind;
	int code; /* run->code at the end */
	char reason[192];
} res;

void check_done(struct check_run *run, enum check_kind kind, const char *fmt, ...)
{
	int ok = check_kind_ok(kind) == 1;
	va_list ap;

	if (++res.calls == 1) {
		res.ok = ok;
		res.kind = kind;
		res.code = run->code;
		va_start(ap, fmt);
		vsnprintf(res.reason, sizeof(res.reason), fmt, ap);
		va_end(ap);
	}
	run->in_progress = 0;
	run->priv = NULL;
	loop_stop(run->loop);
}

static struct check_run *cur_run;

/* The core's deadline: cancel, no check_done. */
static void deadline(struct loop *l, struct ev_timer *t)
{
	cur_run->ops->cancel(cur_run);
	cur_run->priv = NULL;
	res.cancelled = 1;
	loop_stop(l);
}

static void settle_end(struct loop *l, struct ev_timer *t)
{
	loop_stop(l);
}

/* One attempt of ops with conf k against 127.0.0.1:port.  The core's
 * deadline is deadline_ms. */
static void attempt(const struct check_ops *ops, struct check_http_conf *h, uint16_t port,
		    const char *vhost, unsigned deadline_ms)
{
	struct check_conf kc = {.spec = h}, *k = &kc;
	struct loop *l = loop_new();
	struct check_run run;
	struct ev_timer dl, settle;
	char err[128];

	assert_non_null(l);
	memset(&res, 0, sizeof(res));
	memset(&run, 0, sizeof(run));
	k->type = ops->type;
	run.ops = ops;
	run.conf = k;
	assert_int_equal(addr_parse_ip("127.0.0.1", &run.target, err, sizeof(err)), 0);
	run.target.port = port;
	run.rs_addr = &run.target;
	run.vhost = vhost;
	run.loop = l;
	run.in_progress = 1;
	cur_run = &run;
	loop_timer_init(&dl, deadline, NULL);
	loop_timer_start(l, &dl, deadline_ms);
	ops->start(&run);
	if (res.calls == 0)
		assert_int_equal(loop_run(l), 0);
	loop_timer_stop(l, &dl);
	/* a little more loop: deferred frees run, a second check_done shows */
	loop_timer_init(&settle, settle_end, NULL);
	loop_timer_start(l, &settle, 30);
	assert_int_equal(loop_run(l), 0);
	assert_true(res.calls + res.cancelled == 1);
	assert_null(run.priv);
	loop_free(l);
}

static void expect(const struct check_ops *ops, struct check_http_conf *k, uint16_t port,
		   const char *vhost, int ok, const char *reason_part)
{
	attempt(ops, k, port, vhost, 5000);
	if (getenv("FC_TEST_VERBOSE"))
		printf("%s %s -> %s: %s\n", ops->name, k->urls->path, res.ok ? "ok" : "failed",
		       res.reason);
	if (res.calls != 1 || res.ok != ok || !strstr(res.reason, reason_part))
		fail_msg("%s %s: calls %d ok %d reason '%s', expected ok %d '%s'", ops->name,
			 k->urls ? k->urls->path : "", res.calls, res.ok, res.reason, ok,
			 reason_part);
}

static void set_status(struct check_url *u, unsigned lo, unsigned hi)
{
	unsigned s;

	for (s = lo; s <= hi; s++)
		u->status_ok[s / 8] |= (unsigned char)(1u << (s % 8));
}

#define URL(p)                                                                                     \
	{                                                                                          \
		.path = (char *)(p)                                                                \
	}

static void test_status(void **state)
{
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};

	expect(&check_http_get_ops, &k, http_port, NULL, 1, "/ok: status 200");
	u.path = "/status/503";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/status/503: status 503");
	/* the default set is 200-299 */
	u.path = "/status/204";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 204");
	u.path = "/status/301";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "status 301");
	/* a set of its own replaces the default */
	set_status(&u, 200, 200);
	set_status(&u, 500, 503);
	u.path = "/status/503";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 503");
	u.path = "/status/204";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "status 204");
	u.path = "/status/504";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "status 504");
	u.path = "/ok";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
}

static void test_digest(void **state)
{
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};

	/* md5("hello world"), and in capitals: hex is compared without case */
	u.digest = "5eb63bbbe01eeed093cb22bb8f5acdc3";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.digest = "5EB63BBBE01EEED093CB22BB8F5ACDC3";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.digest = "00000000000000000000000000000000";
	expect(&check_http_get_ops, &k, http_port, NULL, 0,
	       "/ok: digest mismatch (got 5eb63bbbe01eeed093cb22bb8f5acdc3)");
	/* the digest is of the decoded body, read across chunk boundaries */
	u.path = "/chunked";
	u.digest = "92873159d2e4b6da16819e6be96ed5b0";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	/* a body that ends with the connection */
	u.path = "/close";
	u.digest = "a7014f2971c78d7d629d253f943b373a";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.digest = "92873159d2e4b6da16819e6be96ed5b0";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/close: digest mismatch");
}

static void test_regex(void **state)
{
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};

	u.regex = "wor.d$";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.regex = "^nothing";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/ok: regex did not match");
	u.regex_no_match = 1;
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.regex = "hello";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "regex matched (regex_no_match)");
	u.regex_no_match = 0;
	/* across chunks of 3 bytes */
	u.path = "/chunked";
	u.regex = "chunked w";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	/* only the body is matched, not the headers */
	u.regex = "Content-Length|Transfer-Encoding";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "regex did not match");
	/* a pattern that does not compile fails the check with the reason */
	u.regex = "(unclosed";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/chunked: bad regex at offset");
	/* the status is still checked first */
	u.path = "/status/500";
	u.regex = "status";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "status 500");
	/* haproxy's words: a wrong status, with it as the code */
	assert_int_equal(res.kind, CK_L7STS);
	assert_int_equal(res.code, 500);
	u.path = "/chunked";
	u.regex = "chunked w";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	assert_int_equal(res.kind, CK_L7OK);
	assert_int_equal(res.code, 200);
	u.regex = "Content-Length|Transfer-Encoding";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "regex did not match");
	assert_int_equal(res.kind, CK_L7RSP);
}

/* Host: the url's virtualhost, else the check's, else address:port;
 * the request line and headers per http_protocol. */
static void test_request(void **state)
{
	struct check_url u = URL("/echo-host");
	struct check_http_conf k = {.urls = &u};
	char want[64];

	snprintf(want, sizeof(want), "^127\\.0\\.0\\.1:%u$", http_port);
	u.regex = want;
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.regex = "^vs\\.example\\.test$";
	expect(&check_http_get_ops, &k, http_port, "vs.example.test", 1, "status 200");
	u.virtualhost = "url.example.test";
	u.regex = "^url\\.example\\.test$";
	expect(&check_http_get_ops, &k, http_port, "vs.example.test", 1, "status 200");

	u.path = "/echo-request";
	u.virtualhost = NULL;
	u.regex = "^GET /echo-request HTTP/1\\.0\n(?s).*User-Agent: KeepAliveClient";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.regex = "Connection:";
	u.regex_no_match = 1;
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.regex_no_match = 0;
	k.http_protocol = "1.0C";
	u.regex = "^GET /echo-request HTTP/1\\.0\n(?s).*Connection: close";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	k.http_protocol = "1.1";
	u.regex = "^GET /echo-request HTTP/1\\.1\n(?s).*Connection: close";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	/* HTTP/0.9: bare request line, the reply has no status line */
	k.http_protocol = "0.9";
	u.path = "/ok";
	u.regex = "^hello world$";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
}

/* http_method HEAD: the request is a HEAD, and the status is judged as
 * soon as the headers are in, though they announce a body and the server
 * keeps the connection open (a GET of /method is answered 405). */
static void test_head(void **state)
{
	struct check_url u = URL("/method");
	struct check_http_conf k = {.urls = &u, .head = 1};

	attempt(&check_http_get_ops, &k, http_port, NULL, 3000);
	if (res.calls != 1 || !res.ok || !strstr(res.reason, "/method: status 200"))
		fail_msg("HEAD /method: calls %d ok %d reason '%s'", res.calls, res.ok,
			 res.reason);
	attempt(&check_ssl_get_ops, &k, tls_port, NULL, 3000);
	if (res.calls != 1 || !res.ok || !strstr(res.reason, "/method: status 200"))
		fail_msg("SSL HEAD /method: calls %d ok %d reason '%s'", res.calls, res.ok,
			 res.reason);
	u.path = "/ok"; /* answered 404 to HEAD */
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/ok: status 404");
	k.head = 0;
	u.path = "/method";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/method: status 405");
}

static void test_several_urls(void **state)
{
	struct check_url c = URL("/chunked"), b = URL("/status/503"), a = URL("/ok");
	struct check_http_conf k = {.urls = &a};

	a.next = &b;
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/status/503: status 503");
	a.next = &c;
	c.regex = "world";
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "/chunked: status 200");
	/* the first failing url ends the attempt */
	a.path = "/status/404";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/status/404: status 404");
}

static void test_body_limit(void **state)
{
	struct check_url u = URL("/big");
	struct check_http_conf k = {.urls = &u};

	/* without body checks the status is enough: no need to read 5 MiB */
	expect(&check_http_get_ops, &k, http_port, NULL, 1, "status 200");
	u.digest = "4f08eef4096726bff1125e1b1b734644";
	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/big: body larger than 4194304 bytes");
	u.digest = NULL;
	u.path = "/bigchunked";
	u.regex = "z";
	expect(&check_http_get_ops, &k, http_port, NULL, 0,
	       "/bigchunked: body larger than 4194304 bytes");
}

static void test_bad_replies(void **state)
{
	struct check_url u = URL("/garbage");
	struct check_http_conf k = {.urls = &u};

	expect(&check_http_get_ops, &k, http_port, NULL, 0, "/garbage: no HTTP status line");
	/* plain HTTP to the TLS port: no HTTP comes back */
	u.path = "/ok";
	attempt(&check_http_get_ops, &k, tls_port, NULL, 5000);
	if (getenv("FC_TEST_VERBOSE"))
		printf("HTTP_GET to the TLS port -> %s\n", res.reason);
	assert_int_equal(res.calls, 1);
	assert_int_equal(res.ok, 0);
}

static void test_tls(void **state)
{
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};

	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "/ok: status 200");
	u.digest = "5eb63bbbe01eeed093cb22bb8f5acdc3";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");
	u.digest = NULL;
	u.path = "/chunked";
	u.regex = "hello chunked world";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");
	u.path = "/status/500";
	u.regex = NULL;
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 0, "/status/500: status 500");
	/* a body ended by the server closing the TLS connection */
	u.path = "/close";
	u.digest = "a7014f2971c78d7d629d253f943b373a";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");
	u.digest = NULL;

	/* SNI: sent only with enable_sni; the url's virtualhost first */
	u.path = "/sni";
	u.regex = "^$";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");
	k.sni = "sni.example.test";
	u.regex = "^sni\\.example\\.test$";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");
	u.virtualhost = "url.example.test";
	u.regex = "^url\\.example\\.test$";
	expect(&check_ssl_get_ops, &k, tls_port, NULL, 1, "status 200");

	/* TLS to a plain HTTP server fails cleanly, with the reason */
	u.path = "/ok";
	u.regex = NULL;
	u.virtualhost = NULL;
	expect(&check_ssl_get_ops, &k, http_port, NULL, 0, "TLS handshake failed: ");
}

/* A port with nothing listening. */
static uint16_t closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_refused(void **state)
{
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};
	uint16_t port = closed_port();

	expect(&check_http_get_ops, &k, port, NULL, 0, "connection refused");
	expect(&check_ssl_get_ops, &k, port, NULL, 0, "connection refused");
}

/* A server that accepts (the kernel does, from the backlog) and never
 * answers: the attempt is still running at the core's deadline, and
 * cancel frees the socket, the TLS session and the buffers. */
static void test_silent_server_cancelled(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	struct check_url u = URL("/ok");
	struct check_http_conf k = {.urls = &u};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	u.digest = "5eb63bbbe01eeed093cb22bb8f5acdc3";
	u.regex = "x";
	attempt(&check_http_get_ops, &k, ntohs(sa.sin_port), NULL, 200);
	assert_int_equal(res.calls, 0);
	assert_int_equal(res.cancelled, 1);
	attempt(&check_ssl_get_ops, &k, ntohs(sa.sin_port), NULL, 200);
	assert_int_equal(res.calls, 0);
	assert_int_equal(res.cancelled, 1);
	close(fd);
	/* and a server that takes the request but sends only half a reply */
	u.path = "/slow";
	attempt(&check_http_get_ops, &k, http_port, NULL, 200);
	assert_int_equal(res.cancelled, 1);
	attempt(&check_ssl_get_ops, &k, tls_port, NULL, 200);
	assert_int_equal(res.cancelled, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status),	 cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_regex),	 cmocka_unit_test(test_request),
	    cmocka_unit_test(test_several_urls), cmocka_unit_test(test_body_limit),
	    cmocka_unit_test(test_bad_replies),	 cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_refused),	 cmocka_unit_test(test_silent_server_cancelled),
	    cmocka_unit_test(test_head),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
