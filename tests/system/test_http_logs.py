"""option httplog side by side with Debian's haproxy 2.6: the same
haproxy.cfg served by both, the same requests, and each program's log line
for each must be the same once what cannot match is masked (the client's
port, the date, and the timers, of which only "-1" or not is kept).

What is compared: the termination state (%ts: `----` served, `PR` deny,
`LR` return and redirect, `PT` tarpit, `sH` server timeout, `SH` server
closed, `PH` bad response, `SC` refused and no server, `CR`/`cR` a head cut
short or too slow), %B as HAProxy counts it (its HTX size: not the bytes
sent), `<BADREQ>` lines with their -1 timers and 0 bytes, %bc/%sc/%rc
and the queues (%ac/%fc are masked: haproxy's may count the last
connection a moment after it closed), that a
monitor-uri request is not logged, and that `option dontlognull` and
`option http-ignore-probes` keep a connection that sent nothing out of it.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import re
import socket
import ssl
import time

import pytest

import fc
from test_http_answers import raw, side_by_side  # noqa: F401 (a fixture)
from test_https import OPENSSL, make_cert


class Origin(fc.ThreadServer):
    """Answers by path: /silent never, /closer closes, /bad sends no HTTP,
    /chunk a chunked body, anything else 200 with a 5-byte body."""

    def handle(self, c):
        c.settimeout(15.0)
        path = (fc.recv_head(c).split(b" ", 2) + [b"", b""])[1]
        if not path:
            return
        if path == b"/silent":
            c.recv(1)  # until the proxy gives up (timeout server)
        elif path == b"/bad":
            c.sendall(b"garbage\r\n\r\n")
        elif path == b"/chunk":
            c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        elif path != b"/closer":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")


LOGGED = ["  log global", "  option httplog", "  timeout http-request 2s"]

# HAProxy's line, from the client: "ip:port [date] fe be/srv TR/Tw/Tc/Tr/Ta rest"
LINE = re.compile(r"^127\.0\.0\.1:\d+ \[[^]]+\] (\S+ \S+) (\S+) (.*)$")


def masked(line):
    m = LINE.match(line)
    assert m, line
    timers = "/".join("-1" if t == "-1" else "T" for t in m.group(2).split("/"))
    # %ac/%fc: the process's and the frontend's connections, of which
    # haproxy may count the last one (closed) a moment longer
    rest = re.sub(r" \d+/\d+/(\d+/\d+/\+?\d+ \d+/\d+ )", r" A/F/\1", m.group(3))
    return "%s %s %s" % (m.group(1), timers, rest)


def log_lines(path):
    return [masked(ln) for ln in path.read_text(errors="replace").splitlines()
            if ln.startswith("127.0.0.1:")]


def wait_lines(path, n, what):
    return fc.wait_until(lambda: (lambda got: got if len(got) >= n else None)(log_lines(path)),
                         20.0, what)


def get(path, meth="GET"):
    return "%s %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" % (meth, path)


def test_httplog_lines_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    origin = undo.stop(Origin())
    refused = fc.free_port()  # nothing listens there
    nn_ports = []  # haproxy's, then fulcrum's

    def sections(port_of):
        # "nn" logs empty connections: kept from the fixture's readiness
        # probes (port_of's ports), which would log there
        nn_ports.append(fc.free_port())
        return [
            "global", "  log stdout format raw local0",
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe")] + LOGGED + [
            "  option dontlognull", "  timeout tarpit 200ms", "  monitor-uri /mon",
            "  http-request deny if { path /deny }",
            "  http-request return status 200 content-type text/plain string hi if { path /ret }",
            "  http-request redirect location /x if { path /redir }",
            "  http-request tarpit if { path /tarpit }",
            "  use_backend refused if { path /refused }",
            "  use_backend none if { path /none }",
            "  use_backend slow if { path /silent }",
            "  default_backend app",
            "frontend nn", "  bind 127.0.0.1:%d" % nn_ports[-1]] + LOGGED + [
            "  default_backend app",
            "frontend ip", "  bind 127.0.0.1:%d" % port_of("ip")] + LOGGED + [
            "  option http-ignore-probes", "  default_backend app",
            "backend app", "  server s1 127.0.0.1:%d" % origin.port,
            "backend slow", "  timeout server 1s", "  server s1 127.0.0.1:%d" % origin.port,
            "backend refused", "  retries 0", "  server s1 127.0.0.1:%d" % refused,
            "backend none",
        ]
    ports = side_by_side(sections)
    ports["haproxy"]["nn"], ports["fulcrum"]["nn"] = nn_ports
    reqs = [get("/"), get("/", "HEAD"), get("/chunk"), get("/deny"), get("/ret"), get("/redir"),
            get("/tarpit"), get("/mon"), get("/silent"), get("/closer"), get("/bad"),
            get("/refused"), get("/none")]
    # (frontend, bytes, half-close, lines it adds): heads cut short or
    # garbage, connections that send nothing
    # (garbage and a FIN together make haproxy's "PR" a "CR" at times)
    cuts = [("fe", b"\x01\x02garbage\r\n\r\n", False, 1),
            ("fe", b"GET / HTTP/1.1\r\nHost: h\r\n", True, 1),
            ("fe", b"GET / HTTP/1.1\r\nHost: h\r\n", False, 1),
            ("fe", b"", True, 0),  # dontlognull
            ("nn", b"", True, 1),
            ("ip", b"", False, 0),  # http-ignore-probes: no 408 either
            ("fe", get("/after").encode(), True, 1)]
    logs, answers = {}, {}
    for who in ("haproxy", "fulcrum"):
        path = tmp_path / ("%s.log" % who)
        n = 0
        for r in reqs:
            raw(ports[who]["fe"], r)
            n += 0 if r.startswith("GET /mon ") else 1
            wait_lines(path, n, "%s's line for %r" % (who, r.split("\r\n")[0]))
        answers[who] = []
        for name, data, shut, lines in cuts:
            answers[who].append(raw(ports[who][name], data, 20.0, shut).split(b"\r\n")[0])
            n += lines
            wait_lines(path, n, "%s's line for %r on %s" % (who, data[:20], name))
        logs[who] = log_lines(path)
    assert logs["fulcrum"] == logs["haproxy"], "\n".join(
        ["haproxy:"] + logs["haproxy"] + ["fulcrum:"] + logs["fulcrum"])
    assert answers["fulcrum"] == answers["haproxy"]
    ours = logs["fulcrum"]
    assert len(ours) == len(reqs) - 1 + 5
    assert ours[0] == 'fe app/s1 T/T/T/T/T 200 58 - - ---- A/F/0/0/0 0/0 "GET / HTTP/1.1"'
    assert ours[-5:] == [
        'fe fe/<NOSRV> -1/-1/-1/-1/T 400 0 - - PR-- A/F/0/0/0 0/0 "<BADREQ>"',
        'fe fe/<NOSRV> -1/-1/-1/-1/T 400 0 - - CR-- A/F/0/0/0 0/0 "<BADREQ>"',
        'fe fe/<NOSRV> -1/-1/-1/-1/T 408 0 - - cR-- A/F/0/0/0 0/0 "<BADREQ>"',
        'nn nn/<NOSRV> -1/-1/-1/-1/T 400 0 - - CR-- A/F/0/0/0 0/0 "<BADREQ>"',
        'fe app/s1 T/T/T/T/T 200 58 - - ---- A/F/0/0/0 0/0 "GET /after HTTP/1.1"']
    assert answers["fulcrum"][5] == b""


def test_idle_time_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """A client that waits before its request: the wait is %Ti, in %Tq and
    %Tt, not in %TR, %Ta and %Tu, in both programs' lines."""
    origin = undo.stop(Origin())

    def sections(port_of):
        return ["global", "  log stdout format raw local0",
                "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  log global",
                "  option dontlognull", "  timeout http-request 20s",
                '  log-format "IDLE %Ti %TR %Ta %Tt %Tu %Tq"', "  default_backend app",
                "backend app", "  server s1 127.0.0.1:%d" % origin.port]
    ports = side_by_side(sections)
    for who in ("haproxy", "fulcrum"):
        with fc.connect(ports[who]["fe"], timeout=20.0) as s:
            time.sleep(2.5)  # idle, then the request
            s.sendall(get("/").encode())
            while s.recv(65536):
                pass
        path = tmp_path / ("%s.log" % who)
        line = fc.wait_until(lambda: next((ln for ln in path.read_text(errors="replace").splitlines()
                                            if ln.startswith("IDLE ")), None), 20.0, "%s's line" % who)
        ti, tr, ta, tt, tu, tq = (int(v) for v in line.split()[1:])
        assert ti >= 2000 and 0 <= tr <= ta, (who, line)
        assert (tt, tu, tq) == (ti + ta, ta, ti + tr), (who, line)


def test_connect_line_without_format_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """A mode http frontend with `log global` and neither httplog nor a
    log-format: haproxy 2.6's "Connect from CLIENT to LOCAL (fe/HTTP)",
    one per request its stream took (each of a keep-alive connection's,
    a denied one, none for a head that never parsed nor for a connection
    that sent nothing), the local address the client reached behind a
    wildcard bind."""
    origin = undo.stop(Origin())

    def sections(port_of):
        return ["global", "  log stdout format raw local0",
                "frontend fe", "  bind :%d" % port_of("fe"), "  log global",
                "  timeout http-request 1s",
                "  http-request deny if { path /deny }", "  default_backend app",
                "backend app", "  server s1 127.0.0.1:%d" % origin.port]
    ports = side_by_side(sections)
    keep = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" + get("/b")
    # (client address, bytes, half-close after them): the lines they add
    sends = [("127.0.0.1", get("/"), False, 1), ("127.0.0.1", keep, False, 2),
             ("127.0.0.2", get("/deny"), False, 1), ("127.0.0.1", b"\x01garbage\r\n\r\n", False, 0),
             ("127.0.0.1", b"GET / HTTP/1.1\r\n", True, 0), ("127.0.0.1", b"", True, 0),
             ("127.0.0.2", get("/last"), False, 1)]
    logs = {}
    for who in ("haproxy", "fulcrum"):
        port = ports[who]["fe"]
        path = tmp_path / ("%s.log" % who)
        n = 0
        for host, data, shut, lines in sends:
            with fc.connect(port, host=host, src=host, timeout=10.0) as s:
                s.sendall(data.encode() if isinstance(data, str) else data)
                if shut:
                    s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
            n += lines

            def got():
                ls = [re.sub(r":\d+ to ", ":P to ", ln) for ln in path.read_text(errors="replace").splitlines()
                      if ln.startswith("Connect from ")]
                return ls if len(ls) >= n else None
            logs[who] = fc.wait_until(got, 15.0, "%s's lines after %r" % (who, data[:20]))
    to = "to %s:%d (fe/HTTP)"
    assert logs["haproxy"] == [
        "Connect from 127.0.0.1:P " + to % ("127.0.0.1", ports["haproxy"]["fe"])] * 3 + [
        "Connect from 127.0.0.2:P " + to % ("127.0.0.2", ports["haproxy"]["fe"])] * 2, logs["haproxy"]
    assert [ln.replace(str(ports["fulcrum"]["fe"]), "PORT") for ln in logs["fulcrum"]] == [
        ln.replace(str(ports["haproxy"]["fe"]), "PORT") for ln in logs["haproxy"]]


def test_handshake_time_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    """%Th on a TLS frontend: the accept to the handshake's end on a
    connection's first request (a client that waits before its
    ClientHello), 0 on the next request of the connection; %Ti starts after
    it, and %Tq %Tt %Tu count it -- in both programs' lines."""
    if not OPENSSL:
        pytest.skip("no openssl command")
    origin = undo.stop(Origin())
    pem = make_cert(tmp_path, "a", "a.example.com", ["a.example.com"])

    def sections(port_of):
        return ["global", "  log stdout format raw local0",
                "frontend fe", "  bind 127.0.0.1:%d ssl crt %s" % (port_of("fe"), pem), "  log global",
                "  option dontlognull", "  option http-server-close", "  timeout http-request 20s",
                "  timeout http-keep-alive 20s",
                '  log-format "HS %Th %Ti %TR %Ta %Tt %Tu %Tq"', "  default_backend app",
                "backend app", "  server s1 127.0.0.1:%d" % origin.port]
    ports = side_by_side(sections)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for who in ("haproxy", "fulcrum"):
        with fc.connect(ports[who]["fe"], timeout=20.0) as raw_s:
            time.sleep(1.5)  # before the ClientHello: Th
            with ctx.wrap_socket(raw_s, server_hostname="a.example.com") as s:
                for wait, last in ((1.0, False), (0.5, True)):
                    time.sleep(wait)  # Ti
                    s.sendall(("GET / HTTP/1.1\r\nHost: h\r\n%s\r\n"
                               % ("Connection: close\r\n" if last else "")).encode())
                    got = b""
                    while not got.endswith(b"hello"):
                        chunk = s.recv(65536)
                        assert chunk, (who, got)
                        got += chunk
        path = tmp_path / ("%s.log" % who)
        lines = fc.wait_until(lambda: (lambda ls: ls if len(ls) >= 2 else None)(
            [ln for ln in path.read_text(errors="replace").splitlines() if ln.startswith("HS ")]),
            20.0, "%s's lines" % who)
        for i, line in enumerate(lines):
            th, ti, tr, ta, tt, tu, tq = (int(v) for v in line.split()[1:])
            assert (tt, tu, tq) == (th + ti + ta, th + ta, th + ti + tr), (who, line)
            assert 0 <= tr <= ta, (who, line)
            if i == 0:
                # (haproxy's clock is its loop's: a few ms either way)
                assert 1400 <= th < 3000 and 900 <= ti < 1500, (who, line)
            else:
                assert th == 0 and 450 <= ti < 1000, (who, line)
