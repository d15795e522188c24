"""`capture cookie NAME len N` side by side with Debian's haproxy 2.6: the
request's and the response's cookie in %CC and %CS of a log-format and of
option httplog, the same bytes in both programs' log lines (a prefix name,
an exact `NAME=`, several Cookie headers, a cut at N, none: "-"); and the
capture slots (`declare capture`, `http-request|http-response capture`)
in %hr %hs %hrl %hsl and the capture.req.hdr / capture.res.hdr fetches.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import re

import fc
from test_http_answers import both_logs, raw, side_by_side  # noqa: F401 (a fixture)

LOG_STDOUT = ["global", "  log stdout format raw local0"]


def logging_fe(port_of, name, *extra):
    """A frontend's first lines: bound on loopback, logging to stdout,
    without the fixture's probe of its port (dontlognull)."""
    return (["frontend " + name] + list(extra) +
            ["  bind 127.0.0.1:%d" % port_of(name), "  log global", "  option dontlognull"])


class PathServer(fc.ThreadServer):
    """Answers every request 200 with the header lines HEADERS gives for
    its path (b"" for a path it does not name)."""

    HEADERS = {}

    def handle(self, c):
        c.settimeout(5.0)
        data = fc.recv_head(c)
        if not data:
            return
        hdrs = self.HEADERS.get(data.split(b" ", 2)[1], b"")
        c.sendall(b"HTTP/1.1 200 OK\r\n" + hdrs + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")


class CookieServer(PathServer):
    """/a -> Set-Cookie: other=1, SESSIONID=abcdefghijklmnop; path=/ then
    SESSX=2; /none (and any other) -> none."""

    HEADERS = {b"/a": b"".join(b"Set-Cookie: %s\r\n" % v for v in
                                [b"other=1", b"SESSIONID=abcdefghijklmnop; path=/", b"SESSX=2"])}


def test_capture_cookie_in_the_log_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    srv = undo.stop(CookieServer())

    def sections(port_of):
        return [
            *LOG_STDOUT,
            *logging_fe(port_of, "fe"),
            '  log-format "CC=%CC|CS=%CS|Q=%{+Q}CC"',
            "  capture cookie SESS len 12",
            "  default_backend app",
            *logging_fe(port_of, "ex"),
            "  option httplog", "  capture cookie SESSX= len 20",
            "  default_backend app",
            "backend app", "  server srv 127.0.0.1:%d" % srv.port,
        ]
    ports = side_by_side(sections)
    reqs = [("fe", "GET /a HTTP/1.1\r\nHost: h\r\nCookie: a=1; SESSIONID=0123456789abcdef\r\n"
                   "Connection: close\r\n\r\n"),
            ("fe", "GET /none HTTP/1.1\r\nHost: h\r\nCookie: x=1\r\nCookie: y=2;SESSa = b c \r\n"
                   "Connection: close\r\n\r\n"),
            ("fe", "GET /none HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
            ("ex", "GET /a HTTP/1.1\r\nHost: h\r\nCookie: SESSXY=no; SESSX=yes\r\n"
                   "Connection: close\r\n\r\n")]
    for who in ("haproxy", "fulcrum"):
        for name, r in reqs:
            raw(ports[who][name], r)
    logs = both_logs(tmp_path, lambda l: l.startswith("CC=") or '"GET /a HTTP/1.1"' in l, 4)
    # httplog: the fields from the status to the termination state
    pick = re.compile(r" 200 \d+ (\S+ \S+) ")
    theirs = logs["haproxy"][:3] + pick.findall(logs["haproxy"][3])
    ours = logs["fulcrum"][:3] + pick.findall(logs["fulcrum"][3])
    assert ours == theirs, (logs["haproxy"], logs["fulcrum"])
    assert ours[0] == 'CC=SESSIONID=01|CS=SESSIONID=ab|Q="SESSIONID=01"'
    assert ours[3] == "SESSX=yes SESSX=2"


class HeaderServer(PathServer):
    """/a/long/path, / and /x -> X-B, X-C and X-E headers; /none none."""

    HEADERS = dict.fromkeys([b"/a/long/path", b"/", b"/x"], b"X-B: b|1\r\nX-C: c\\]\"{v}\r\nX-E: e-val-long\r\n")


def test_capture_slots_in_the_log_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """`declare capture`, `http-request capture EXPR len N | id N`,
    `http-response capture EXPR id N` (a backend's rules writing the
    frontend's slots too), beside `capture ... header`: %hr %hs %hrl %hsl
    (with +Q and +E), the capture.req.hdr / capture.res.hdr fetches, and
    httplog's {..} -- the same bytes in both programs' lines."""
    srv = undo.stop(HeaderServer())

    def sections(port_of):
        return [
            *LOG_STDOUT,
            *logging_fe(port_of, "fe"),
            '  log-format "R=%hr|S=%hs|RL=%hrl|SL=%hsl|Q=%{+Q}hr %{+Q}hsl|E=%{+E}hs|'
            'F=%[capture.req.hdr(2)]|G=%[capture.res.hdr(0)]|H=%[capture.req.hdr(1),length]"',
            "  declare capture request len 8",
            "  capture request header Host len 20",
            "  http-request capture req.hdr(x-a) len 4",
            "  http-request capture path id 0",
            "  declare capture response len 12",
            "  capture response header X-B len 10",
            "  http-response capture res.hdr(x-c) id 0",
            "  default_backend app",
            *logging_fe(port_of, "hl"), "  option httplog",
            "  http-request capture req.hdr(user-agent) len 30",
            "  declare capture request len 5",
            "  declare capture response len 5",
            "  http-response capture res.hdr(x-e) id 0",
            "  default_backend app",
            "backend app",
            "  http-request capture req.hdr(x-d) id 1",
            "  http-request capture req.hdr(x-d) id 9",
            "  http-response capture res.hdr(x-e) id 1",
            "  server srv 127.0.0.1:%d" % srv.port,
        ]
    ports = side_by_side(sections)
    reqs = [("fe", "GET /a/long/path HTTP/1.1\r\nHost: h.example\r\nX-A: a{|}z\r\nConnection: close\r\n\r\n"),
            ("fe", "GET /none HTTP/1.1\r\nHost: h\r\nX-D: d\\]\r\nConnection: close\r\n\r\n"),
            ("fe", "GET / HTTP/1.0\r\n\r\n"),
            ("hl", "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: curl \"q\"\r\nConnection: close\r\n\r\n")]
    for who in ("haproxy", "fulcrum"):
        for name, r in reqs:
            raw(ports[who][name], r)
    logs = both_logs(tmp_path, lambda l: l.startswith("R=") or '"GET /x HTTP/1.1"' in l, 4)
    theirs = logs["haproxy"][:3] + re.findall(r"\{[^}]*\}", logs["haproxy"][3])
    ours = logs["fulcrum"][:3] + re.findall(r"\{[^}]*\}", logs["fulcrum"][3])
    assert ours == theirs, (logs["haproxy"], logs["fulcrum"])
    # the backend's rules wrote slot 1 of each direction (X-D over Host,
    # X-E over X-B); no slot 9; nothing captured: "-" in a list, "" quoted
    assert ours[1] == ('R={/none|d\\]|}|S={|}|RL=/none d\\] -|SL=- -|Q="{/none|d\\]|}" "" ""|E={|}|'
                       'F=-|G=-|H=3')
    assert ours[3:] == ["{curl #22q#22|}", "{e-val}"]


class LineServer(PathServer):
    """Every path: X-R: r; a /10 path answers HTTP/1.0."""

    def handle(self, c):
        c.settimeout(5.0)
        data = fc.recv_head(c)
        if not data:
            return
        ver = b"1.0" if data.split(b" ", 2)[1].startswith(b"/10") else b"1.1"
        c.sendall(b"HTTP/" + ver + b" 200 OK\r\nX-R: r\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def test_capture_no_limits_and_request_line_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """haproxy 2.6 limits neither a capture's len (1,500 and 2,000 bytes
    here, over 1,024) nor the number of slots (20 here, over 16); the
    capture.req.method / uri / ver and capture.res.ver fetches -- in a
    log-format and in a response header (a frontend without a log format
    too): the same bytes from both programs."""
    srv = undo.stop(LineServer())
    hdr = ("  http-response set-header X-L \"%[capture.req.method]|%[capture.req.uri]|"
           "%[capture.req.ver]|%[capture.res.ver]\"")

    def sections(port_of):
        return ([
            *LOG_STDOUT,
            *logging_fe(port_of, "fe"),
            '  log-format "M=%[capture.req.method]|U=%[capture.req.uri]|V=%[capture.req.ver]|'
            'W=%[capture.res.ver]|L=%[capture.req.hdr(0),length]|T=%[capture.req.hdr(0),field(360,:)]|'
            'K=%[capture.req.hdr(18),length]|J=%[capture.req.hdr(18),field(300,:)]|N=%[capture.req.hdr(19)]|Z=%[capture.req.hdr(17)]|'
            'R=%[capture.res.hdr(0)]"',
            "  http-request capture req.hdr(x-long) len 2000"]
        + ["  capture request header X-N%d len 2" % i for i in range(1, 18)]
        + ["  declare capture request len 1500",
           "  http-request capture req.hdr(x-long) id 18",
           "  capture request header X-N19 len 0",
           "  declare capture response len 1",
           "  http-response capture res.hdr(x-r) id 0",
           hdr,
           "  default_backend app",
           "frontend nf", "  bind 127.0.0.1:%d" % port_of("nf"),
           hdr,
           "  default_backend app",
           "backend app", "  server srv 127.0.0.1:%d" % srv.port,
           ])
    ports = side_by_side(sections)
    long = "".join("%04d:" % i for i in range(360))  # 1,800 bytes
    reqs = [
        "GET /p/a?q=1&r HTTP/1.1\r\nHost: h\r\nX-Long: %s\r\nX-N17: seventeen\r\nX-N19: z\r\n"
        "Connection: close\r\n\r\n" % long,
        "POST http://h.example/x/y?z HTTP/1.1\r\nHost: h.example\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n",
        "PUT /10/old HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    ]
    answers = {}
    for who in ("haproxy", "fulcrum"):
        answers[who] = []
        for name in ("fe", "nf"):
            for r in reqs:
                got = raw(ports[who][name], r)
                answers[who].append([l for l in got.split(b"\r\n") if l.startswith(b"x-l:") or
                                     l.startswith(b"X-L:") or l.startswith(b"HTTP/")])
    assert answers["fulcrum"] == answers["haproxy"], answers
    assert answers["fulcrum"][7] == [b"HTTP/1.1 200 OK", b"x-l: OPTIONS||HTTP/1.1|HTTP/1.1"]
    logs = both_logs(tmp_path, lambda l: l.startswith("M="), len(reqs))
    assert logs["fulcrum"] == logs["haproxy"]
    first = logs["fulcrum"][0].split("|")
    assert first[:5] == ["M=GET", "U=/p/a?q=1&r", "V=HTTP/1.1", "W=HTTP/1.1", "L=1800"]
    assert first[5:8] == ["T=0359", "K=1500", "J=0299"]
    assert first[8:] == ["N=-", "Z=se", "R=r"]  # len 0 captures "", written "-"


def test_tcp_request_content_capture_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """`tcp-request content capture EXPR len N` in a mode http frontend
    (run before every http-request rule, whatever their order: it sees the
    Host the client sent, not the one a set-header earlier in the file
    writes; its slot numbered in declaration order) and in a mode tcp one
    (the connection's src, dst, fe_name in %hr %hrl): the same log lines
    as haproxy 2.6's."""
    srv = undo.stop(LineServer())

    def sections(port_of):
        return [
            *LOG_STDOUT,
            *logging_fe(port_of, "th"),
            '  log-format "H=%hr|%hrl|%[capture.req.hdr(1)]"',
            "  http-request set-header Host changed.example",
            "  tcp-request content capture req.hdr(host) len 6",
            "  http-request capture req.hdr(host) len 20",
            "  tcp-request content capture src len 20 if { src 127.0.0.1 }",
            "  tcp-request content capture method len 3 if { path /none }",
            "  default_backend app",
            *logging_fe(port_of, "tt", "  mode tcp"),
            '  log-format "T=%hr|%hrl"',
            "  tcp-request content capture src len 20",
            "  tcp-request content capture dst len 3",
            "  tcp-request content capture fe_name len 9",
            "  tcp-request content capture src len 5 if { src 10.0.0.0/8 }",
            "  default_backend raw",
            "backend app", "  server srv 127.0.0.1:%d" % srv.port,
            "backend raw", "  mode tcp", "  server srv 127.0.0.1:%d" % srv.port,
        ]
    ports = side_by_side(sections)
    reqs = [("th", "GET /a HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n"),
            ("th", "POST /none HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            ("tt", "GET /t HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")]
    for who in ("haproxy", "fulcrum"):
        for name, r in reqs:
            raw(ports[who][name], r)
    logs = both_logs(tmp_path, lambda l: l.startswith("H="), 2)
    assert logs["fulcrum"] == logs["haproxy"], logs
    assert logs["fulcrum"][0] == ("H={h.exam|changed.example|127.0.0.1|}|h.exam changed.example 127.0.0.1 -|"
                                  "changed.example")
    assert logs["fulcrum"][1].startswith("H={x|changed.example|127.0.0.1|POS}|")
    # mode tcp: haproxy 2.6 logs the fixture's probe of the port too (an
    # empty connection, in spite of dontlognull), with the same captures
    tcp = both_logs(tmp_path, lambda l: l.startswith("T="), 1)
    assert tcp["fulcrum"] == ["T={127.0.0.1|127|tt|}|127.0.0.1 127 tt -"]
    assert set(tcp["haproxy"]) == set(tcp["fulcrum"]), tcp
