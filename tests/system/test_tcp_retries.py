"""mode tcp's `retries` and `option redispatch` side by side with Debian's
haproxy 2.6 (hpns.py: both in a namespace of the test's own, where a port
of 127.0.0.1 nobody listens on refuses and HOLE swallows SYNs).

What HAProxy 2.6 does, and fulcrum must: a failed connect is retried on
the same server -- after min(timeout connect, 1 s) when refused, at once
after a timeout -- `retries` times, then the client is closed with SC (sC
once an attempt timed out), %rc the retries; each retry counts on the
failed server's wretr, the last failure its econ.  With `option
redispatch` and a balance that does not hash, each retry goes to another
server (wredis, '+' before %rc), and a server that answers takes the
client.  Compared: the tcplog lines (timers masked to "T" or "-1"), the
econ/wretr/wredis/lbtot columns of `show stat`; and the waits themselves.
And show stat's time columns of a mode tcp server and backend (qtime,
ctime, rtime, ttime), which HAProxy fills from each connection.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import errno
import socket
import time

import pytest

import fc
from hpns import HOLE, NsPair
from test_tcp_logs import Origin, log_lines, masked

COLS = ("econ", "wretr", "wredis", "lbtot")


@pytest.fixture
def pair(bins, tmp_path):
    with NsPair(tmp_path) as p:
        yield p


def session(port):
    """A client that says "abc" and reads until the proxy closes: what it
    read ("<reset>" if reset, even before it half-closed)."""
    try:
        with fc.connect(port, timeout=20.0) as s:
            s.sendall(b"abc")
            s.shutdown(socket.SHUT_WR)
            return fc.recv_to_eof(s)
    except (ConnectionResetError, BrokenPipeError):
        return b"<reset>"
    except OSError as e:
        if e.errno == errno.ENOTCONN:
            return b"<reset>"
        raise


def test_retries_and_redispatch_as_haproxy(pair):
    origin = pair.call(Origin)
    try:
        run(pair, origin)
    finally:
        origin.stop()


def run(pair, origin):
    refused = "127.0.0.1:%d" % fc.free_port()  # nothing listens there (in the namespace)
    hole = "%s:%d" % (HOLE, 80)
    good = "127.0.0.1:%d" % origin.port

    def sections(port_of):
        out = []
        for name, extra, servers in (
                ("ref", ["retries 2"], [refused]),
                ("refr", ["retries 3", "option redispatch"], [refused, refused]),
                ("hole", ["retries 2"], [hole]),
                ("holer", ["retries 3", "option redispatch"], [hole, refused]),
                ("served", ["retries 3", "option redispatch"], [refused, good]),
                ("noredis", ["retries 1"], [refused, good])):
            out += ["listen " + name, "  bind 127.0.0.1:%d" % port_of(name), "  log global",
                    "  option tcplog", "  timeout connect 400ms", "  balance roundrobin"]
            out += ["  " + e for e in extra]
            out += ["  server s%d %s" % (i + 1, a) for i, a in enumerate(servers)]
        return out

    ports = pair.start(sections)
    names = ["ref", "refr", "hole", "holer", "served", "noredis"]
    answers, logs, raw = {}, {}, {}
    for who in ("haproxy", "fulcrum"):
        answers[who] = [pair.call(session, ports[who][n]) for n in names]
        path = pair.logs[who]
        fc.wait_until(lambda: len(log_lines(path)) >= len(names), 20.0, "%s's log lines" % who)
        logs[who] = log_lines(path)
        raw[who] = [l for l in path.read_text(errors="replace").splitlines() if l.startswith("127.0.0.1:")]
    assert logs["fulcrum"] == logs["haproxy"], "\n".join(
        ["haproxy:"] + logs["haproxy"] + ["fulcrum:"] + logs["fulcrum"])
    assert logs["fulcrum"] == [
        "ref ref/s1 T/-1/T 0 SC A/F/0/0/2 0/0",
        "refr refr/s2 T/-1/T 0 SC A/F/0/0/+3 0/0",
        "hole hole/s1 T/-1/T 0 sC A/F/0/0/2 0/0",
        "holer holer/s2 T/-1/T 0 sC A/F/0/0/+3 0/0",
        "served served/s2 T/T/T 9 -- A/F/0/0/+1 0/0",
        "noredis noredis/s1 T/-1/T 0 SC A/F/0/0/1 0/0"]
    # the client of a server that answers is served; the others closed
    # (a FIN: the proxy read what they sent) -- but refr's, closed at
    # once: its bytes may come after the close, and bring a reset
    for who in answers:
        del answers[who][1]
    assert answers["fulcrum"] == answers["haproxy"] == [b""] * 3 + [b"hello:abc", b""]
    # the waits: two turn-arounds of 400 ms (refused), three connect
    # timeouts (hole), two timeouts of s1 between refusals of s2 (holer)
    for who, lines in raw.items():
        tt = [int(l.split()[4].split("/")[2]) for l in lines]  # Tw/Tc/Tt
        for name, low in (("ref", 800), ("refr", 0), ("hole", 1200), ("holer", 800),
                          ("served", 0), ("noredis", 400)):
            t = tt[names.index(name)]
            assert low - 50 <= t < low + 2500, (who, name, t, lines)
    got = {}
    for who in ("haproxy", "fulcrum"):
        rows = pair.stat(who)
        got[who] = {(n, s): {c: rows[(n, s)][c] for c in COLS} for (n, s) in rows
                    if n in names and s != "FRONTEND"}
    assert got["fulcrum"] == got["haproxy"]
    assert got["fulcrum"][("ref", "s1")] == dict(econ="1", wretr="2", wredis="0", lbtot="1")
    assert got["fulcrum"][("refr", "s1")]["wredis"] == "2"
    assert got["fulcrum"][("holer", "BACKEND")] == dict(econ="1", wretr="0", wredis="3", lbtot="4")


class Slow(fc.ThreadServer):
    """Reads the client's first bytes, answers "hi" 200 ms later, closes."""

    def handle(self, c):
        c.settimeout(20.0)
        c.recv(100)
        time.sleep(0.2)
        c.sendall(b"hi")


def ask(port):
    with fc.connect(port, timeout=20.0) as s:
        s.sendall(b"x")
        return fc.recv_to_eof(s)


def test_time_columns_as_haproxy(pair):
    """Three connections the server holds 200 ms each: the server's and the
    backend's qtime and rtime 0 (mode tcp: no queue here, the data phase
    starts at the connect), ctime a few ms, ttime the whole connection --
    as haproxy's (was 0 in fulcrum's CSV)."""
    slow = pair.call(Slow)
    try:
        ports = pair.start(lambda port_of: [
            "listen t", "  bind 127.0.0.1:%d" % port_of("t"), "  timeout connect 2s",
            "  server s1 127.0.0.1:%d" % slow.port])
        got = {}
        for who in ("haproxy", "fulcrum"):
            assert [pair.call(ask, ports[who]["t"]) for _ in range(3)] == [b"hi"] * 3, who
            # haproxy divides by the connections placed, and adds the
            # last one's time at its end, a moment after the client's
            # EOF: read once every one's is in
            fc.wait_until(lambda: all(int(pair.stat(who)[("t", k)]["ttime"] or 0) >= 200
                                      for k in ("s1", "BACKEND")), 10.0, "%s's ttime" % who)
            rows = pair.stat(who)
            got[who] = {k: {c: rows[k][c] for c in ("qtime", "ctime", "rtime", "ttime", "qtime_max",
                                                     "rtime_max", "ttime_max")}
                        for k in (("t", "s1"), ("t", "BACKEND"))}
        for who, rows in got.items():
            for k, r in rows.items():
                assert r["qtime"] == r["rtime"] == r["qtime_max"] == r["rtime_max"] == "0", (who, k, r)
                assert 0 <= int(r["ctime"]) < 500, (who, k, r)
                assert 200 <= int(r["ttime"]) <= int(r["ttime_max"]) < 2000, (who, k, r)
            # the backend's figures are its server's (one server)
            assert rows[("t", "s1")] == rows[("t", "BACKEND")], (who, rows)
    finally:
        slow.stop()
