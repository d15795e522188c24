"""The HTTP engine's own answers and routing side by side with Debian's
haproxy 2.6 (as test_http_rules.py does for fetches and rewrites): the same
haproxy.cfg is served by both on loopback, in front of the same real
servers (tests/tools/backend.py), the same raw requests are sent to each,
and the bytes that come back must be the same.

What is compared: `return`/`deny`/`redirect` answers byte for byte (status
line and reason, the order of content-length and content-type against the
rule's own headers), the servers' answers as relayed (header names in lower
case, as HAProxy writes them), no body after a HEAD, `use_backend` in a `listen`,
backend names built from a log-format, and `http-after-response` on the
servers' responses and on ours (503, errorfile, return, deny).

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import os
import re
import socket
import time

import pytest

import fc
from test_http_rules import HAPROXY, Server

DEFAULTS = ["defaults", "  mode http", "  timeout connect 5s", "  timeout client 10s",
            "  timeout server 10s"]


def raw(port, data, timeout=10.0, shut=False):
    """Send data on a new connection (then half-close it: shut), read
    until the peer closes (every request here says Connection: close): the
    bytes, then '<timeout>' if the peer did not close within timeout."""
    out = b""
    with fc.connect(port, timeout=timeout) as s:
        s.sendall(data.encode() if isinstance(data, str) else data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            out += b"<timeout>"
    return out


@pytest.fixture
def side_by_side(bins, tmp_path):
    """side_by_side(sections) -> {"haproxy": ports, "fulcrum": ports}:
    sections(port_of) returns the config's lines after `defaults`, calling
    port_of(name) for each frontend's bind port; both programs serve it
    until teardown (and fulcrum's output is checked for sanitizer
    reports)."""
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % HAPROXY)
    ours = fc.BUILD / "haproxy"
    assert os.path.islink(ours) or os.access(ours, os.X_OK), "%s: not built" % ours
    started = []

    def start(sections):
        ports = {}
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            mine = {}

            def port_of(name):
                mine.setdefault(name, fc.free_port())
                return mine[name]

            text = "\n".join(DEFAULTS + sections(port_of)) + "\n"
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(text)
            started.append(Server(prog, cfg, list(mine.values()), tmp_path / ("%s.log" % who)))
            ports[who] = mine
        return ports

    yield start
    outs = [s.stop() for s in started]
    for out in outs[1::2]:
        fc.assert_no_sanitizer(out, "fulcrum as haproxy")


def both_logs(tmp_path, keep, n):
    """{who: [lines]}: the lines of each program's output that keep(line)
    says are log lines, once n are there (they are written as the
    transactions end)."""
    logs = {}
    for who in ("haproxy", "fulcrum"):
        path = tmp_path / ("%s.log" % who)

        def lines():
            got = [l for l in path.read_text(errors="replace").splitlines() if keep(l)]
            return got if len(got) >= n else None
        logs[who] = fc.wait_until(lines, 15.0, "%s's log lines" % who)
    return logs


def compare(ports, name, requests):
    """Each request to both: the differences, as readable lines."""
    diffs = []
    for req in requests:
        theirs = raw(ports["haproxy"][name], req)
        ours = raw(ports["fulcrum"][name], req)
        if theirs != ours:
            diffs.append("%s %r:\n  haproxy %r\n  fulcrum %r" % (name, req.split("\r\n")[0], theirs, ours))
    return diffs


def get(path, meth="GET", host="a.example", extra=""):
    return "%s %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n" % (meth, path, host, extra)


RETURNS = [
    'http-request return status 203 content-type text/plain hdr x-a 1 hdr x-b "%[path]" string hello '
    'if { path /r }',
    "http-request return status 200 if { path /empty }",
    'http-request return status 404 content-type "text/html; charset=utf-8" lf-string "<p>%[path]</p>" '
    "if { path /lf }",
    "http-request return status 200 content-type text/plain string x hdr content-length 5 if { path /cl }",
    'http-request deny deny_status 429 content-type text/plain string "slow down" if { path /d }',
    "http-request deny deny_status 404 hdr x-d 1 if { path /dh }",
    "http-request deny if { path /bare }",
    "http-request redirect location /x code 302 if { path /302 }",
    "http-request redirect location /x code 303 if { path /303 }",
    "http-request redirect prefix /p code 301 if { path /301 }",
    "http-request redirect location /x code 307 if { path /307 }",
    "http-request redirect location /x code 308 if { path /308 }",
]
RETURN_PATHS = ["/r", "/empty", "/lf", "/cl", "/d", "/dh", "/bare", "/302", "/303", "/301", "/307", "/308"]


def test_return_deny_redirect_answers_as_haproxy(side_by_side):
    ports = side_by_side(lambda port_of: ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe")]
                         + ["  " + r for r in RETURNS])
    reqs = [get(p) for p in RETURN_PATHS] + [get(p, "HEAD") for p in ("/r", "/lf", "/d", "/bare", "/302")]
    assert not compare(ports, "fe", reqs)
    # what a user sees, whatever haproxy does: 203's reason, the rule's
    # headers before the length, and a HEAD answered without the body
    assert raw(ports["fulcrum"]["fe"], get("/r")) == (
        b"HTTP/1.1 203 Non-Authoritative Information\r\nx-a: 1\r\nx-b: /r\r\ncontent-length: 5\r\n"
        b"content-type: text/plain\r\nconnection: close\r\n\r\nhello")
    assert raw(ports["fulcrum"]["fe"], get("/r", "HEAD")).endswith(b"connection: close\r\n\r\n")
    assert raw(ports["fulcrum"]["fe"], get("/bare", "HEAD")).endswith(b"connection: close\r\n\r\n")


def test_head_answered_without_body_on_keep_alive(side_by_side):
    """A HEAD answered by a rule leaves the connection clean for the next
    request: a body sent after the head would be read as the next
    response."""
    ports = side_by_side(lambda port_of: ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"),
                                          '  http-request return status 200 content-type text/plain '
                                          'lf-string "%[method] %[path]"'])
    for who in ("haproxy", "fulcrum"):
        with fc.connect(ports[who]["fe"], timeout=10.0) as s:
            s.sendall(b"HEAD /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            data = fc.recv_to_eof(s)
        assert data == (b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\ncontent-type: text/plain\r\n\r\n"
                        b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\ncontent-type: text/plain\r\n"
                        b"connection: close\r\n\r\nGET /b"), "%s: %r" % (who, data)


def routing(backend):
    """A listen with use_backend rules, a frontend routing by a log-format
    name, their backends (real servers named after them)."""
    a, b, own = backend("be_a", mode="http"), backend("be_b", mode="http"), backend("own", mode="http")

    def sections(port_of):
        return [
            "listen lst", "  bind 127.0.0.1:%d" % port_of("lst"),
            "  use_backend be_a if { path_beg /a }",
            "  use_backend be_b if { hdr(x-b) -m found }",
            "  server own %s" % own.addr(),
            "frontend dyn", "  bind 127.0.0.1:%d" % port_of("dyn"),
            "  use_backend be_%[req.hdr(host),lower,field(1,.)] if { hdr(host) -m found }",
            "  use_backend be_b",
            "  default_backend be_def",
            "frontend dyn_nodef", "  bind 127.0.0.1:%d" % port_of("dyn_nodef"),
            "  use_backend %[path,field(2,/)]",
            "backend be_a", "  server a %s" % a.addr(),
            "backend be_b", "  server b %s" % b.addr(),
            "backend be_def", "  http-request return status 200 content-type text/plain string default",
        ]
    return sections


def test_listen_use_backend_and_dynamic_names_as_haproxy(side_by_side, backend):
    ports = side_by_side(routing(backend))
    reqs = {
        "lst": [get("/a/x"), get("/b", extra="X-B: 1\r\n"), get("/other")],
        "dyn": [get("/", host="A.example"), get("/", host="b.example"), get("/", host="zz.example"),
                get("/", host="be_a")],
        "dyn_nodef": [get("/be_a/x"), get("/be_b"), get("/nothere")],
    }
    diffs = []
    for name, r in reqs.items():
        diffs += compare(ports, name, r)
    assert not diffs, "\n".join(diffs)
    f = ports["fulcrum"]
    assert raw(f["lst"], get("/a/x")).endswith(b"\r\n\r\nbe_a\n")
    assert raw(f["lst"], get("/b", extra="X-B: 1\r\n")).endswith(b"\r\n\r\nbe_b\n")
    assert raw(f["lst"], get("/other")).endswith(b"\r\n\r\nown\n")
    assert raw(f["dyn"], get("/", host="A.example")).endswith(b"\r\n\r\nbe_a\n")
    # an unknown name ends the rules: the default backend, not `use_backend be_b`
    assert raw(f["dyn"], get("/", host="zz.example")).endswith(b"\r\n\r\ndefault")
    assert raw(f["dyn_nodef"], get("/nothere")).startswith(b"HTTP/1.1 503 ")


def test_http_after_response_as_haproxy(side_by_side, backend, tmp_path):
    srv = backend("srv", mode="http")
    ef = tmp_path / "500.http"
    ef.write_text("HTTP/1.1 500 Oops\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\noops")
    dead = fc.free_port()

    def sections(port_of):
        return [
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"),
            "  errorfile 500 %s" % ef,
            "  http-after-response set-header x-after fe-%[status]",
            "  http-after-response add-header x-fe-only 1 if { status 503 }",
            "  http-request return status 200 content-type text/plain string ret if { path /ret }",
            "  http-request deny if { path /deny }",
            "  http-request deny deny_status 500 if { path /bad }",
            "  use_backend dead if { path /dead }",
            "  default_backend live",
            "backend live",
            "  http-response set-header x-resp 1",
            "  http-after-response set-header x-be after",
            "  http-after-response set-status 299 if { status 200 }",
            "  server srv %s" % srv.addr(),
            "backend dead",
            "  retries 0",
            "  timeout connect 1s",
            "  http-after-response del-header x-nope",
            "  server d 127.0.0.1:%d" % dead,
        ]
    ports = side_by_side(sections)
    reqs = [get("/"), get("/ret"), get("/deny"), get("/dead"), get("/bad"), get("/ret", "HEAD")]
    diffs = compare(ports, "fe", reqs)
    assert not diffs, "\n".join(diffs)
    ours = raw(ports["fulcrum"]["fe"], get("/"))
    assert b"\r\nx-be: after\r\n" in ours and ours.startswith(b"HTTP/1.1 299 "), ours
    assert b"\r\nx-after: fe-503\r\nx-fe-only: 1\r\n" in raw(ports["fulcrum"]["fe"], get("/dead"))


def test_tarpit_holds_the_client_then_answers_as_haproxy(side_by_side, backend):
    """`tarpit` answers after `timeout tarpit`, else (in a section with
    servers) `timeout connect`; the connection stays usable after."""
    srv = backend("srv", mode="http")

    def sections(port_of):
        return [
            "frontend tp", "  bind 127.0.0.1:%d" % port_of("tp"),
            "  timeout tarpit 1500ms",
            '  http-request tarpit deny_status 403 content-type text/plain string "go away" hdr x-t 1 '
            "if { path /t }",
            "  http-request return status 200 content-type text/plain string ok",
            "listen tpl", "  bind 127.0.0.1:%d" % port_of("tpl"),
            "  timeout connect 1s",
            "  http-request tarpit if { path /t }",
            "  server srv %s" % srv.addr(),
        ]
    ports = side_by_side(sections)
    for who in ("haproxy", "fulcrum"):
        for name, least in (("tp", 1.4), ("tpl", 0.9)):
            t0 = time.monotonic()
            with fc.connect(ports[who][name], timeout=15.0) as s:
                s.sendall(b"GET /t HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n"
                          b"Connection: close\r\n\r\n")
                first = s.recv(65536)
                held = time.monotonic() - t0
                rest = fc.recv_to_eof(s)
            assert least <= held < 10.0, "%s %s: answered after %.2fs" % (who, name, held)
            data = first + rest
            if name == "tp":
                assert data.startswith(b"HTTP/1.1 403 Forbidden\r\nx-t: 1\r\ncontent-length: 7\r\n"
                                       b"content-type: text/plain\r\n\r\ngo away"), (who, data)
                assert data.endswith(b"\r\n\r\nok"), (who, data)
            else:
                assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), (who, data)
                assert data.endswith(b"\r\n\r\nsrv\n"), (who, data)


def test_captures_in_the_log_as_haproxy(side_by_side, backend, tmp_path):
    """`capture request|response header NAME len N`: %hr %hs %hrl %hsl in
    a log line, and {...} in httplog, written as haproxy writes them."""
    srv = backend("srv", mode="http")

    def sections(port_of):
        return [
            "global", "  log stdout format raw local0",
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  log global", "  option dontlognull",
            '  log-format "R=%hr|S=%hs|RL=%hrl|SL=%hsl"',
            "  capture request header Host len 5",
            "  capture request header X-A len 20",
            "  capture response header Content-Type len 4",
            "  capture response header X-None len 4",
            "  http-request return status 200 content-type text/plain string ok if { path /ret }",
            "  default_backend app",
            "frontend hl", "  bind 127.0.0.1:%d" % port_of("hl"), "  log global", "  option httplog",
            "  option dontlognull",
            "  capture request header User-Agent len 30",
            "  default_backend app",
            "backend app", "  server srv %s" % srv.addr(),
        ]
    ports = side_by_side(sections)
    reqs = [("fe", "GET / HTTP/1.1\r\nHost: www.example.com\r\nX-A: a\r\nx-a: b {x}|\"#\x01\xc3\xa9\r\n"
                   "Connection: close\r\n\r\n"),
            ("fe", "GET / HTTP/1.0\r\n\r\n"),
            ("fe", "GET /ret HTTP/1.1\r\nHost: h\r\nX-A:\r\nConnection: close\r\n\r\n"),
            ("hl", "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: curl \"q\"\r\nConnection: close\r\n\r\n")]
    for who in ("haproxy", "fulcrum"):
        for name, r in reqs:
            raw(ports[who][name], r.encode("latin-1"))
    logs = both_logs(tmp_path, lambda l: l.startswith("R=") or '"GET /x HTTP/1.1"' in l, 4)
    theirs = logs["haproxy"][:3] + re.findall(r"\{[^}]*\}", logs["haproxy"][3])
    ours = logs["fulcrum"][:3] + re.findall(r"\{[^}]*\}", logs["fulcrum"][3])
    assert ours == theirs
    assert ours[0] == "R={www.e|b #7Bx#7D#7C#22#23#01#C3#A9}|S={text|}|RL=www.e b #7Bx#7D#7C#22#23#01#C3#A9|SL=text -"
    assert ours[3] == "{curl #22q#22}"


def test_empty_errorfile_closes_with_fin_not_reset(side_by_side, tmp_path):
    """An errorfile of /dev/null closes the connection without an answer
    (errorfiles.vtc's expect_close): with a FIN once the request is read,
    never a reset, also when a body or a pipelined request is still
    unread -- as haproxy."""
    def sections(port_of):
        return ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  errorfile 500 /dev/null",
                "  errorfile 408 /dev/null",
                "  http-request deny deny_status 500 if { path /500 }",
                "  http-request deny deny_status 408 if { path /408 }"]
    ports = side_by_side(sections)
    reqs = [b"GET /500 HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /408 HTTP/1.1\r\nHost: a\r\n\r\n",
            b"POST /500 HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + b"x" * 30000,
            b"GET /500 HTTP/1.1\r\nHost: a\r\n\r\nGET /500 HTTP/1.1\r\nHost: a\r\n\r\n"]
    for who in ("haproxy", "fulcrum"):
        for r in reqs:
            for _ in range(5):
                with fc.connect(ports[who]["fe"], timeout=10.0) as s:
                    s.sendall(r)
                    try:
                        got = s.recv(65536)
                    except ConnectionResetError:
                        got = "reset"
                    assert got == b"", "%s %r: %r" % (who, r[:20], got)


def test_empty_errorfile_of_the_deny_status_is_its_answer(side_by_side):
    """`deny deny_status 408` with `errorfile 408 /dev/null` and no
    errorfile for 500: the answer is the empty 408 (a close, nothing
    sent), as haproxy's -- fulcrum took the empty message for a failure and
    sent its 500 page."""
    ports = side_by_side(lambda port_of: [
        "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  errorfile 408 /dev/null",
        "  http-request deny deny_status 408 if { path /408 }"])
    for who in ("haproxy", "fulcrum"):
        assert raw(ports[who]["fe"], b"GET /408 HTTP/1.1\r\nHost: a\r\n\r\n") == b"", who


ERRORFILES = {  # name: the file's text (bare-LF and CRLF heads alike)
    "cl": "HTTP/1.1 503 Busy\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nbusy\n",
    "nocl": "HTTP/1.1 502 Busy\nContent-Type: text/plain\n\nbusy\n",
    "close": "HTTP/1.1 504 Busy\r\nContent-Type: text/plain\r\nConnection: Close\r\n"
             "Content-Length: 5\r\n\r\nbusy\n",
    "ka": "HTTP/1.1 500 Busy\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nbusy\n",
    "empty": "HTTP/1.1 403 No\r\nContent-Length: 0\r\n\r\n",
}


def test_errorfile_answers_keep_alive_as_haproxy(side_by_side, tmp_path):
    """After an errorfile's answer the connection stays open when the
    file gives its length and does not ask for a close (then the next
    pipelined requests are answered too), and closes when it has no
    Content-Length or says `Connection: close` -- as haproxy 2.6, for
    HTTP/1.1, HTTP/1.0 and HTTP/1.0 keep-alive clients, for `deny` with an
    errorfile's status and for `return ... errorfile`."""
    statuses = {"cl": 503, "nocl": 502, "close": 504, "ka": 500, "empty": 403}
    lines = []
    for name, text in ERRORFILES.items():
        (tmp_path / ("%s.http" % name)).write_text(text)
        lines += ["  errorfile %d %s/%s.http" % (statuses[name], tmp_path, name),
                  "  http-request deny deny_status %d if { path /%s }" % (statuses[name], name),
                  "  http-request return status 200 errorfile %s/%s.http if { path /r%s }"
                  % (tmp_path, name, name)]
    ports = side_by_side(lambda port_of: ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe")] + lines
                         + ["  http-request deny deny_status 404 if { path /b404 }"])
    reqs = []
    for path in ["/" + n for n in ERRORFILES] + ["/r" + n for n in ERRORFILES] + ["/b404"]:
        for ver, extra in (("1.1", ""), ("1.0", ""), ("1.0", "Connection: keep-alive\r\n")):
            one = "GET %s HTTP/%s\r\nHost: a\r\n%s\r\n" % (path, ver, extra)
            last = "GET %s HTTP/%s\r\nHost: a\r\nConnection: close\r\n\r\n" % (path, ver)
            reqs.append(one + one + last)
    assert not compare(ports, "fe", reqs)
    # what the comparison stands on, seen from the client
    fe = ports["fulcrum"]["fe"]
    assert raw(fe, reqs[0]).count(b"HTTP/1.1 503 Busy\r\n") == 3  # /cl: kept
    assert raw(fe, reqs[3]).count(b"HTTP/1.1 502 Busy\r\n") == 1  # /nocl: closed
    assert raw(fe, reqs[6]).count(b"HTTP/1.1 504 Busy\r\n") == 1  # /close: closed
    assert raw(fe, reqs[15]).count(b"HTTP/1.1 503 Busy\r\n") == 3  # return errorfile /cl
    assert raw(fe, reqs[18]).count(b"HTTP/1.1 502 Busy\r\n") == 1  # return errorfile /nocl


def test_tarpit_with_an_empty_errorfile_holds_then_closes(side_by_side):
    """`tarpit` whose status has an empty errorfile holds the client for
    `timeout tarpit`, then closes without a byte (the empty file is the
    answer, as for deny) -- fulcrum answered its 500 page at once."""
    ports = side_by_side(lambda port_of: [
        "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  timeout tarpit 1s",
        "  errorfile 403 /dev/null", "  http-request tarpit deny_status 403 if { path /t }"])
    for who in ("haproxy", "fulcrum"):
        t0 = time.monotonic()
        got = raw(ports[who]["fe"], b"GET /t HTTP/1.1\r\nHost: a\r\n\r\n")
        held = time.monotonic() - t0
        assert got == b"", (who, got)
        assert 0.9 <= held < 9.0, "%s: closed after %.2fs" % (who, held)
