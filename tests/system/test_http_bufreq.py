"""`option http-buffer-request` side by side with Debian's haproxy 2.6: a
request whose body comes in two parts reaches no server before its last
byte (the server sees no connection meanwhile), then the whole request
arrives at once; a body that stops coming gets 408 after `timeout
http-request` and the server never sees it.  Without the option the
server is connected at once (what fulcrum did before).

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import socket
import time

import pytest

import fc
from test_http_rules import HAPROXY, Server, programs

HALF = 0.8  # seconds between the two parts of the body


class Recorder(fc.ThreadServer):
    """One HTTP server: the time of each accept and what each connection
    sent until its request was whole; answers 200 "ok"."""

    def __init__(self):
        self.accepts, self.requests = [], []
        super().__init__()

    def handle(self, c):
        self.accepts.append(time.monotonic())
        c.settimeout(5.0)
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < self._clen(data):
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        self.requests.append(data)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    @staticmethod
    def _clen(data):
        for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                return int(v)
        return 0


@pytest.fixture
def pair(bins, tmp_path, undo):
    """Both programs, each with a recording server, on the option (and a
    frontend without it): {who: (port_with, port_without, recorder)}."""
    ours = programs()
    out = {}
    for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
        rec = undo.stop(Recorder())
        with_, without = fc.free_port(), fc.free_port()
        cfg = tmp_path / ("%s.cfg" % who)
        cfg.write_text("\n".join([
            "defaults", "  mode http", "  timeout connect 3s", "  timeout client 10s",
            "  timeout server 10s", "  timeout http-request 1500ms",
            "frontend on", "  bind 127.0.0.1:%d" % with_, "  option http-buffer-request",
            "  default_backend be",
            "frontend off", "  bind 127.0.0.1:%d" % without, "  default_backend be",
            "backend be", "  server s 127.0.0.1:%d" % rec.port]) + "\n")
        srv = Server(prog, cfg, [with_, without], tmp_path / ("%s.log" % who))
        undo(lambda srv=srv, who=who: fc.assert_no_sanitizer(srv.stop(), who))
        out[who] = (with_, without, rec)
    return out


HEAD = (b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n")


def two_parts(port, rec):
    """Head and half the body, a pause, the rest: (accepts seen during the
    pause, the answer)."""
    before = len(rec.accepts)
    with fc.connect(port, timeout=10.0) as s:
        s.sendall(HEAD + b"12345")
        time.sleep(HALF)
        during = len(rec.accepts) - before
        s.sendall(b"67890")
        return during, fc.recv_to_eof(s, 1 << 20)


def test_body_before_server(pair):
    for who, (with_, without, rec) in pair.items():
        during, answer = two_parts(with_, rec)
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok"), (who, answer)
        assert during == 0, "%s connected to the server before the body was in" % who
        assert len(rec.requests) == 1 and rec.requests[0].endswith(b"\r\n\r\n1234567890"), \
            (who, rec.requests)
        # without the option the server is reached while the body comes
        during, answer = two_parts(without, rec)
        assert answer.endswith(b"ok"), (who, answer)
        assert during == 1, "%s without the option: %d connections during the body" % (who, during)


def test_stalled_body_408(pair):
    for who, (with_, _, rec) in pair.items():
        with fc.connect(with_, timeout=15.0) as s:
            s.sendall(HEAD + b"123")
            answer = fc.recv_to_eof(s, 1 << 20)
        assert answer.startswith(b"HTTP/1.1 408"), (who, answer)
        assert not rec.accepts, "%s reached the server with half a body" % who
