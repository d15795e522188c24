"""haproxy.cfg's HTTP health checks side by side with Debian's haproxy 2.6:
the same backends (`option httpchk`, `http-check send`) check a recording
server each, and the request each program sends must be the same bytes
(OPTIONS by default, any method, the headers and the body of `http-check
send`).

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import os

import pytest

import fc
from test_http_answers import DEFAULTS
from test_http_rules import HAPROXY, Server

CHECKS = {
    "plain": ["option httpchk"],
    "uri": ["option httpchk /health"],
    "options": ["option httpchk OPTIONS /x HTTP/1.1",
                'http-check send hdr Host www.example.com hdr X-A "a b" body "hello"'],
    "post": ["option httpchk", 'http-check send meth POST uri /p ver HTTP/1.1 hdr X-Y z body "{}"'],
    "get10": ["option httpchk GET /g"],
    "legacy": ["option httpchk HEAD /h HTTP/1.1\\r\\nHost:\\ legacy.example"],
}


class Recorder(fc.ThreadServer):
    """A server that keeps the first request of each connection and
    answers 200; stopped by the fixture."""

    def __init__(self):
        self.requests = []
        super().__init__()

    def handle(self, c):
        c.settimeout(2.0)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    while len(body) < int(line.split(b":")[1]):
                        chunk = c.recv(4096)
                        if not chunk:
                            break
                        body += chunk
                        data += chunk
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        finally:
            if data:
                self.requests.append(data)


@pytest.fixture
def recorders():
    made = []

    def make():
        made.append(Recorder())
        return made[-1]
    yield make
    for r in made:
        r.stop()


def test_httpchk_requests_as_haproxy(bins, tmp_path, recorders):
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % HAPROXY)
    ours = fc.BUILD / "haproxy"
    servers, recs = [], {}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            port = fc.free_port()
            lines = DEFAULTS + ["frontend fe", "  bind 127.0.0.1:%d" % port, "  default_backend plain"]
            for name, kws in CHECKS.items():
                recs[(who, name)] = recorders()
                lines += ["backend %s" % name] + ["  " + k for k in kws] + [
                    "  server s 127.0.0.1:%d check inter 300" % recs[(who, name)].port]
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text("\n".join(lines) + "\n")
            servers.append(Server(prog, cfg, [port], tmp_path / ("%s.log" % who)))
        fc.wait_until(lambda: all(r.requests for r in recs.values()), 30.0, "every server checked")
    finally:
        outs = [s.stop() for s in servers]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")
    diffs = ["%s: haproxy sent %r, fulcrum %r" % (name, recs[("haproxy", name)].requests[0],
                                                  recs[("fulcrum", name)].requests[0])
             for name in CHECKS if recs[("haproxy", name)].requests[0] != recs[("fulcrum", name)].requests[0]]
    assert not diffs, "\n".join(diffs)
    assert recs[("fulcrum", "plain")].requests[0] == b"OPTIONS / HTTP/1.0\r\n\r\n"
    assert recs[("fulcrum", "post")].requests[0] == (
        b"POST /p HTTP/1.1\r\nx-y: z\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
