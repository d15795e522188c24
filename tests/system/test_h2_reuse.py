"""The HTTP/2 gateway's streams against a real HTTP/1.1 server: the streams
of one connection run together (ten answers each delayed 300 ms come back
in about 300 ms, not 3 s), and they form one session for server-connection
reuse: a later stream takes the server connection an earlier one left idle,
counted at the server, side by side with Debian's haproxy 2.6 on the same
haproxy.cfg (`http-reuse` safe, the default, and never)."""
import socket
import time

import pytest

from test_h2 import PREFACE, field, frame, h2lb, recv_frames  # noqa: F401 (h2lb: a fixture, on our origin)
from test_http import Origin
from test_http_answers import side_by_side  # noqa: F401 (a fixture)


class _Delayed:
    """A server connection that holds each answer to GET /d/MS for MS
    milliseconds."""

    def __init__(self, c, origin):
        self.c, self.delay = c, 0
        with origin.lock:
            origin.clients.append(c)

    def recv(self, n):
        d = self.c.recv(n)
        if d.startswith(b"GET "):  # a request head (GETs here come whole)
            path = d.split(b" ")[1]
            self.delay = int(path[3:]) / 1000.0 if path.startswith(b"/d/") else 0
        return d

    def sendall(self, data):
        time.sleep(self.delay)
        self.c.sendall(data)

    def __getattr__(self, name):
        return getattr(self.c, name)


class DelayOrigin(Origin):
    """test_http's Origin (named "a", a thread per connection, counting
    them) whose answers to GET /d/MS come MS milliseconds late."""

    def __init__(self):
        self.clients = []
        super().__init__("a")

    def _serve(self, c):
        super()._serve(_Delayed(c, self))

    def stop(self):
        # the connections fulcrum and haproxy keep idle end now
        with self.lock:
            for c in self.clients:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        super().stop()


@pytest.fixture
def origin():
    o = DelayOrigin()
    yield o
    o.stop()


def h2_connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(PREFACE + frame(0x4, 0, 0))
    return s


def h2_gets(s, sids, paths):
    """GET each path on its stream, all sent at once; {sid: body} once
    every stream has ended (or the connection did)."""
    s.sendall(b"".join(frame(0x1, 0x5, sid, b"\x82\x86" + field(b":path", p) + field(b":authority", b"x"))
                       for sid, p in zip(sids, paths)))

    def ended(fr):
        return {f[2] for f in fr if f[0] in (0x0, 0x1) and f[1] & 1} >= set(sids) or \
            any(f[0] in (0x3, 0x7) for f in fr)
    fr = recv_frames(s, ended)
    assert not [f for f in fr if f[0] in (0x3, 0x7)], fr
    return {sid: b"".join(f[3] for f in fr if f[0] == 0x0 and f[2] == sid) for sid in sids}


def test_streams_of_one_connection_run_together(h2lb, origin):
    # ten streams at once, each answer delayed 300 ms by the server: one
    # at a time would take 3 s; together about 300 ms (the bound leaves
    # room for a loaded machine and cannot be met one at a time)
    s = h2_connect(h2lb)
    sids = list(range(1, 21, 2))
    t0 = time.monotonic()
    got = h2_gets(s, sids, [b"/d/300"] * 10)
    took = time.monotonic() - t0
    s.close()
    assert all(got[sid] == b"a /d/300" for sid in sids), got
    assert took < 1.5, "10 streams of 300 ms took %.2f s: not concurrent" % took
    # ten answers at once needed ten server connections, and no more
    assert origin.conns == 10


def test_later_streams_reuse_the_connections_idle(h2lb, origin):
    # the ten lanes (and their server connections) left idle by a first
    # burst carry the next bursts: still ten server connections
    s = h2_connect(h2lb)
    for k in range(3):
        sids = list(range(1 + 20 * k, 21 + 20 * k, 2))
        got = h2_gets(s, sids, [b"/d/100"] * 10)
        assert all(got[sid] == b"a /d/100" for sid in sids), got
    s.close()
    assert origin.conns == 10


def served(side_by_side, origin, reuse, nconn, nstreams):  # noqa: F811
    """{who: server connections opened} for haproxy and fulcrum, each
    serving nconn HTTP/2 connections one after the other, each with
    nstreams streams one after the other."""
    ports = side_by_side(lambda port_of: [
        "frontend fe", "  bind 127.0.0.1:%d proto h2" % port_of("fe"), "  default_backend be",
        "backend be", reuse, "  server s1 127.0.0.1:%d" % origin.port])
    seen = {}
    for who in ("haproxy", "fulcrum"):
        before = origin.conns
        for _ in range(nconn):
            s = h2_connect(ports[who]["fe"])
            for sid in range(1, 2 * nstreams, 2):
                assert h2_gets(s, [sid], [b"/n%d" % sid]) == {sid: b"a /n%d" % sid}
            s.close()
        seen[who] = origin.conns - before
    return seen


@pytest.mark.parametrize("reuse", ["", "  http-reuse safe", "  http-reuse never"])
def test_later_streams_reuse_side_by_side(side_by_side, origin, reuse):  # noqa: F811
    # five streams one after the other on one connection: its first opens a
    # server connection, the later ones reuse it (before: one per stream)
    assert served(side_by_side, origin, reuse, 1, 5) == {"haproxy": 1, "fulcrum": 1}


def test_reuse_never_is_per_connection_side_by_side(side_by_side, origin):  # noqa: F811
    # `never`: a connection's idle server connections serve only its own
    # streams -- two HTTP/2 connections, two server connections.  (With
    # `safe` HAProxy lends the first one's idle connection to the second,
    # whose streams it never counts as a session's first request; fulcrum
    # shares no idle connection between clients: doc/internals/http.md.)
    assert served(side_by_side, origin, "  http-reuse never", 2, 3) == {"haproxy": 2, "fulcrum": 2}
