"""haproxy.cfg's ACLs, fetches and rewrite rules (src/http/) side by side
with Debian's haproxy 2.6: the same haproxy.cfg is served by both on
loopback, the same raw requests are sent to each, and what comes back must
be the same.  Each frontend answers with `http-request return` and a
body made of the fetch values and of which ACLs held (one variable per ACL,
set by `http-request set-var ... if { ACL }`), so a difference names the
fetch or ACL that differs.

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import os
import signal
import socket
import subprocess

import pytest

import fc

HAPROXY = "/usr/sbin/haproxy"

FETCHES = [
    "path", "pathq", "url", "query", "base", "method", "req.ver", "url_param(id)", "urlp(y)", "urlp(x,;)",
    "hdr(x-m)", "hdr(x-m,1)", "hdr(x-m,-2)", "req.fhdr(x-m)", "hdr_cnt(x-m)", "req.fhdr_cnt(x-m)",
    "hdr_val(x-n)", "hdr_ip(x-ip)", "cook(sid)", "src", "ssl_fc", "fe_name", "path,lower", "path,upper",
    "path,length", "hdr(host),field(2,.)", "hdr(host),field(-1,.)", "path,hex", "hdr_cnt(x-m),add(3)",
    "int(5),sub(7)", "hdr(nope)",
]

ACLS = [
    "path_beg -i /static /images", "path_end -i .jpg .gif", "path_sub img", "path_dir img", "path_dir im",
    "path_reg ^/[A-Z]", "path_len 10:30", "path_len gt 40", "url_beg /S", "url_param(id) 42",
    "method GET HEAD", "hdr(host) -i WWW.example.com", "hdr_beg(host) www.", "hdr_end(host) .com",
    "hdr_dom(host) example", "hdr_dom(host) com", "hdr_dom(host) exam", "hdr_sub(user-agent) curl",
    "hdr(x-m) b", "hdr(x-m,1) b", "hdr_cnt(x-m) 3", "hdr_val(x-n) ge 12", "hdr(x-n) -m int lt 13",
    "hdr_ip(x-ip) 192.168.0.0/16", "hdr(nothere) -m found", "hdr(x-e) -m found", "hdr(x-e) -m len 0",
    "base_beg www.example.com/St", "cook(sid) abc", "cook(sid) 1", "src 127.0.0.0/8", "ssl_fc",
    "req.ver 1.1", "path -m len 20", "path -m str -i /static/IMG/logo.jpg", "query -m reg id=[0-9]+",
    "url_dom logo", "path,lower -m end .jpg", "urlp_reg(id) ^4", "METH_POST", "HTTP_1.0",
]

REQUESTS = [
    "GET /Static/img/logo.JPG?id=42&lang=fr HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n"
    "X-M: a, b\r\nX-M: c\r\nX-N: 12\r\nX-IP: 192.168.7.9\r\nCookie: theme=dark; sid=abc\r\nX-E:\r\n\r\n",
    "GET http://h.example.com:8080/a/b.gif?x=1;y=2&b= HTTP/1.1\r\nHost: h.example.com:8080\r\nX-M: 3\r\n\r\n",
    "POST /images HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    "GET /? HTTP/1.1\r\nHost: www.example.com\r\nX-M: ,, x ,\r\nCookie: sid=1\r\nCookie: sid=2\r\n\r\n",
    "GET /%41b/c/..//d?id=4&id=5 HTTP/1.1\r\nHost: example.com\r\nX-N: abc\r\nX-IP: ::1\r\n\r\n",
]

# rewrites, each frontend answering with what the request became
REWRITES = {
    "paths": ["http-request set-path /fe%[path]", "http-request replace-path (.*) /foo\\1",
              "http-request set-query a=1&%[query]"],
    "uri": ["http-request replace-uri ^http://[^/]*(/.*) \\1", "http-request set-pathq /pq%[pathq]"],
    "headers": ["http-request set-header x-a %[hdr(x-m)]", "http-request add-header x-a z",
                "http-request del-header x-m", "http-request replace-header x-r ^(.*)b$ \\1B",
                "http-request replace-value x-v ^a$ A"],
    "query": ["http-request set-query %[query,upper] if { query -m found }",
              "http-request replace-pathq ^/([^?]*)\\?(.*)$ /\\2/\\1"],
}
REWRITE_BODY = ("%[url]|%[base]|%[req.fhdr_cnt(x-a)]|%[req.fhdr(x-a,1)]|%[req.fhdr(x-a,2)]|%[hdr_cnt(x-m)]|"
                "%[req.fhdr(x-r,1)]|%[req.fhdr(x-r,2)]|%[req.fhdr(x-v)]")
REWRITE_REQUESTS = [
    "GET /abc?x=1&y=2 HTTP/1.1\r\nHost: www.example.com\r\nX-M: a, b\r\nX-M: c\r\nX-R: ab\r\nX-R: cc\r\n"
    "X-V: a, b,a\r\n\r\n",
    "GET http://h.example.com/d/e?q=1 HTTP/1.1\r\nHost: h.example.com\r\n\r\n",
    "GET /? HTTP/1.1\r\nHost: a.b\r\n\r\n",
]

REDIRECTS = [
    "http-request redirect prefix /p drop-query append-slash if { path_beg /d }",
    "http-request redirect prefix http://o.example if { path_beg /e }",
    "http-request redirect scheme https code 301 if { path_beg /s }",
    "http-request redirect location /l?from=%[url] code 307 if { path_beg /l }",
    "http-request redirect prefix / if { path_beg /z }",
    "http-request return status 200",
]
REDIRECT_REQUESTS = ["GET /l/z HTTP/1.1\r\nHost: a.b\r\n\r\n", "GET /s/x?k HTTP/1.1\r\nHost: a.b:81\r\n\r\n",
                     "GET /zz/y?k=1 HTTP/1.1\r\nHost: a.b\r\n\r\n", "GET /e HTTP/1.1\r\nHost: a.b\r\n\r\n",
                     "GET /d/x?q HTTP/1.1\r\nHost: a.b\r\n\r\n"]

CHUNK = 14  # ACLs per frontend: a transaction holds 16 variables


def config(ports):
    """The haproxy.cfg and the (name, port) of its frontends in order."""
    lines = ["defaults", "  mode http", "  timeout connect 10s", "  timeout client 10s",
             "  timeout server 10s"]
    fes = []

    def frontend(name, rules):
        port = ports.pop()
        fes.append((name, port))
        lines.extend(["frontend %s" % name, "  bind 127.0.0.1:%d" % port] + ["  " + r for r in rules])

    for k in range(0, len(ACLS), CHUNK):
        idx = range(k, min(len(ACLS), k + CHUNK))
        rules = ["http-request set-var(txn.a%d) int(1) if { %s }" % (i, ACLS[i]) if ACLS[i][0].islower()
                 else "http-request set-var(txn.a%d) int(1) if %s" % (i, ACLS[i]) for i in idx]
        body = ("|".join("%%[%s]" % f for f in FETCHES) if k == 0 else "") + "#" + \
            ",".join("%%[var(txn.a%d),add(0)]" % i for i in idx)
        rules.append('http-request return status 200 content-type text/plain lf-string "%s"' % body)
        frontend("acl%d" % k, rules)
    for name, rules in sorted(REWRITES.items()):
        frontend(name, rules + ['http-request return status 200 content-type text/plain lf-string "%s"'
                                % REWRITE_BODY])
    frontend("redirects", REDIRECTS)
    return "\n".join(lines) + "\n", fes


def ask(port, raw):
    """One request on its own connection: (status line, location, body)."""
    with fc.connect(port, timeout=10.0) as s:
        s.sendall(raw.encode())
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < clen(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    loc = [l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("location:")]
    return lines[0].split(" ")[1] if " " in lines[0] else lines[0], loc, body.decode(errors="replace")


def clen(data):
    head = data.partition(b"\r\n\r\n")[0]
    for l in head.split(b"\r\n")[1:]:
        if l.lower().startswith(b"content-length:"):
            return int(l.split(b":")[1])
    return 0


class Server:
    """haproxy or fulcrum-as-haproxy on a config; stopped (SIGINT, then
    SIGKILL) by the fixture whatever happens."""

    def __init__(self, argv0, cfg_path, ports, logpath):
        self.log = open(logpath, "w+")
        self.p = subprocess.Popen([argv0, "-d", "-f", str(cfg_path)], stdout=self.log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=fc.env())
        for port in ports:
            fc.wait_until(lambda: self.p.poll() is not None or self.listening(port), 30.0,
                          "%s listening on %d" % (argv0, port))
            assert self.p.poll() is None, "%s exited: %s" % (argv0, self.output())

    @staticmethod
    def listening(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            return True
        except OSError:
            return False

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(10)
        out = self.output()
        self.log.close()
        return out


def programs():
    """fulcrum's `haproxy` to run beside the reference; the test is skipped
    when either is missing."""
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % HAPROXY)
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    ours = fc.BUILD / "haproxy"
    assert os.path.islink(ours) or os.access(ours, os.X_OK), "%s: not built" % ours
    return ours


@pytest.fixture
def pair(bins, tmp_path):
    """Both programs serving the same rules: (config frontends, ours, theirs)."""
    ours = programs()
    started = []
    try:
        fes = {}
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            nfe = (len(ACLS) + CHUNK - 1) // CHUNK + len(REWRITES) + 1
            text, fes[who] = config([fc.free_port() for _ in range(nfe)])
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(text)
            started.append(Server(prog, cfg, [p for _, p in fes[who]], tmp_path / ("%s.log" % who)))
        yield fes, started[1], started[0]
    finally:
        outs = [s.stop() for s in started]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")


def answers(fes, names, requests):
    return {(name, i): ask(port, raw) for name, port in fes if name in names for i, raw in enumerate(requests)}


def test_fetches_and_acls_as_haproxy(pair):
    fes, _, _ = pair
    acl_fes = [n for n, _ in fes["haproxy"] if n.startswith("acl")]
    theirs = answers(fes["haproxy"], acl_fes, REQUESTS)
    ours = answers(fes["fulcrum"], acl_fes, REQUESTS)
    diffs = []
    for key in sorted(theirs):
        t_fetch, _, t_acl = theirs[key][2].partition("#")
        o_fetch, _, o_acl = ours[key][2].partition("#")
        assert ours[key][0] == "200", "%s: %r" % (key, ours[key])
        for name, a, b in zip(FETCHES, t_fetch.split("|"), o_fetch.split("|")) if t_fetch else []:
            if a != b:
                diffs.append("request %d: %s is %r in haproxy, %r in fulcrum" % (key[1], name, a, b))
        base = int(key[0][3:])
        for i, (a, b) in enumerate(zip(t_acl.split(","), o_acl.split(","))):
            if a != b:
                diffs.append("request %d: acl '%s' %s in haproxy, not in fulcrum" % (
                    key[1], ACLS[base + i], "holds" if a else "does not hold") if a else
                    "request %d: acl '%s' holds in fulcrum, not in haproxy" % (key[1], ACLS[base + i]))
    assert not diffs, "\n".join(diffs)
    # and the answers are what a user reads, not two empty strings
    first = ours[("acl0", 0)][2]
    assert first.startswith("/Static/img/logo.JPG|/Static/img/logo.JPG?id=42&lang=fr|"), first


def test_rewrites_and_redirects_as_haproxy(pair):
    fes, _, _ = pair
    theirs = answers(fes["haproxy"], REWRITES, REWRITE_REQUESTS)
    ours = answers(fes["fulcrum"], REWRITES, REWRITE_REQUESTS)
    theirs.update(answers(fes["haproxy"], ["redirects"], REDIRECT_REQUESTS))
    ours.update(answers(fes["fulcrum"], ["redirects"], REDIRECT_REQUESTS))
    diffs = ["%s: haproxy %r, fulcrum %r" % (k, theirs[k], ours[k]) for k in sorted(theirs) if theirs[k] != ours[k]]
    assert not diffs, "\n".join(diffs)
    assert ours[("headers", 0)][2] == "/abc?x=1&y=2|www.example.com/abc|2|c|z|0|aB|cc|A, b,A", ours[("headers", 0)]
    assert ours[("redirects", 1)][:2] == ("301", ["https://a.b:81/s/x?k"])
