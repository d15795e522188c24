"""Where the HTTP engine must do exactly what HAProxy 2.6 does, side by
side with Debian's haproxy (the side_by_side fixture of
test_http_answers.py: one haproxy.cfg served by both on loopback, in front
of the same servers): what happens to the client connection after an
answer the proxy makes itself (403, 500, 502, 503, 504 keep it, 400 closes
it), and the retries of one transaction against those of the next on the
same connection, as the log tells them; header names in lower case toward
servers and clients; the soft stop on SIGUSR1 and `hard-stop-after` (each
program alone, the same assertions for both).

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import contextlib
import signal
import socket
import subprocess
import threading
import time

import pytest

import fc
from test_http_answers import side_by_side  # noqa: F401 (a fixture)
from test_http_rules import HAPROXY, Server, programs


@contextlib.contextmanager
def scripted(answer, delay=0.0, got=None):
    """A server that answers each request it reads with `answer` (bytes)
    after `delay` seconds, then closes that connection; any number of
    connections, one at a time; what it read is appended to the list
    `got` if given.  Yields its port; stopped on leaving."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with c:
                c.settimeout(5.0)
                try:
                    data = c.recv(65536)
                    if got is not None:
                        got.append(data)
                    if stop.wait(delay):
                        return
                    c.sendall(answer)
                except OSError:
                    pass
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        t.join(timeout=10)
        srv.close()


def session(port, paths, pause=0.3, idle=1.5):
    """The requests one after the other on one connection (each waits
    `pause` seconds for its answer first), then what came back: the bytes,
    and '<EOF>' if the peer closed or '<open>' if it kept the connection
    `idle` seconds after the last answer."""
    out = b""
    with fc.connect(port, timeout=10.0) as s:
        for p in paths:
            s.sendall(b"GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % p.encode())
            time.sleep(pause)
        s.settimeout(idle)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out + b"<EOF>"
                out += chunk
        except socket.timeout:
            return out + b"<open>"
        except ConnectionResetError:
            return out + b"<RST>"


def test_connection_kept_after_the_proxys_own_errors_as_haproxy(side_by_side, backend):
    """The request was read whole: after 403, 500, 502 (a bad response), 503
    (no server) and 504 (timeout server) HAProxy keeps the client and
    serves its next request; after a 400 it closes."""
    live = backend("live", mode="http")
    dead = fc.free_port()
    with scripted(b"HTTP/1.1 abc\r\n\r\n") as bad, \
            scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", delay=4.0) as slow:
        def sections(port_of):
            return [
                "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"),
                "  http-request deny if { path /403 }",
                "  http-request deny deny_status 500 if { path /500 }",
                "  use_backend dead if { path /503 }",
                "  use_backend bad if { path /502 }",
                "  use_backend slow if { path /504 }",
                "  use_backend none if { path /none }",
                "  default_backend live",
                "backend live", "  server s %s" % live.addr(),
                "backend dead", "  retries 0", "  server d 127.0.0.1:%d" % dead,
                "backend bad", "  server b 127.0.0.1:%d" % bad,
                "backend slow", "  timeout server 1s", "  server w 127.0.0.1:%d" % slow,
                "backend none", "  server n 127.0.0.1:%d disabled" % dead,
            ]
        ports = side_by_side(sections)
        runs = [(["/403", "/x"], 0.3), (["/500", "/x"], 0.3), (["/503", "/x"], 1.0), (["/none", "/x"], 0.3),
                (["/502", "/x"], 1.0), (["/504", "/x"], 2.5)]
        diffs = []
        for paths, pause in runs:
            theirs = session(ports["haproxy"]["fe"], paths, pause)
            ours = session(ports["fulcrum"]["fe"], paths, pause)
            if theirs != ours:
                diffs.append("%s:\n  haproxy %r\n  fulcrum %r" % (paths, theirs, ours))
            assert ours.endswith(b"<open>"), "%s: fulcrum closed: %r" % (paths, ours)
        assert not diffs, "\n".join(diffs)
        # a request that cannot be read: answered, then closed by both
        for who in ("haproxy", "fulcrum"):
            with fc.connect(ports[who]["fe"], timeout=10.0) as s:
                s.sendall(b"GARBAGE\r\n\r\n")
                got = fc.recv_to_eof(s)
            assert got.startswith(b"HTTP/1.1 400 "), (who, got)


def test_header_names_in_lower_case_both_ways_as_haproxy(side_by_side):
    """HAProxy 2.6 writes every header name in lower case (HTX), in the
    request a server reads and in the response a client reads; the values,
    the request line and the status line stay as they were."""
    got = []
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Mixed-Case: Some Value\r\n"
              b"SET-COOKIE: a=B\r\nContent-Length: 3\r\n\r\nok\n")
    with scripted(answer, got=got) as srv:
        ports = side_by_side(lambda port_of: ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"),
                                              "  default_backend be",
                                              "backend be", "  server s 127.0.0.1:%d" % srv])
        # keep-alive (a client's Connection: close is not passed on by haproxy)
        req = b"GET /A?B=C HTTP/1.1\r\nHost: Example.COM\r\nX-Mixed-Case: Value\r\nUSER-AGENT: t/1\r\n\r\n"
        answers = {}
        for who in ("haproxy", "fulcrum"):
            with fc.connect(ports[who]["fe"], timeout=10.0) as s:
                s.sendall(req)
                answers[who] = b""
                while not answers[who].endswith(b"\r\n\r\nok\n"):
                    chunk = s.recv(65536)
                    assert chunk, (who, answers[who])
                    answers[who] += chunk
        fc.wait_until(lambda: len(got) == 2, 10.0, "both requests at the server")
    assert answers["fulcrum"] == answers["haproxy"]
    assert answers["fulcrum"] == (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-mixed-case: Some Value\r\n"
                                  b"set-cookie: a=B\r\ncontent-length: 3\r\n\r\nok\n")
    assert got[1] == got[0]
    assert got[1] == b"GET /A?B=C HTTP/1.1\r\nhost: Example.COM\r\nx-mixed-case: Value\r\nuser-agent: t/1\r\n\r\n"


def test_retries_count_per_transaction_as_haproxy(side_by_side, backend, tmp_path):
    """`balance first` tries the dead server first for every request: each
    transaction on the connection retries and is redispatched to the live
    one ('+1' in %rc), the second does not inherit the first's failed
    server; without redispatch, `retries 1` is one retry, then 503."""
    live = backend("live", mode="http")
    dead = fc.free_port()

    def sections(port_of):
        return [
            "global", "  log stdout format raw local0",
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  log global", "  option dontlognull",
            '  log-format "RC %HP %b/%s %ST %rc"',
            "  use_backend one if { path_beg /one }",
            "  default_backend two",
            "backend two", "  balance first", "  retries 2", "  option redispatch",
            "  server d 127.0.0.1:%d" % dead, "  server s %s" % live.addr(),
            "backend one", "  retries 1", "  server d 127.0.0.1:%d" % dead,
        ]
    ports = side_by_side(sections)
    for who in ("haproxy", "fulcrum"):
        got = session(ports[who]["fe"], ["/a", "/b", "/one", "/c"], pause=2.0)
        assert got.count(b"HTTP/1.1 200 ") == 3 and got.count(b"HTTP/1.1 503 ") == 1, (who, got)
    logs = {}
    for who in ("haproxy", "fulcrum"):
        path = tmp_path / ("%s.log" % who)

        def lines():
            got = [l for l in path.read_text(errors="replace").splitlines() if l.startswith("RC ")]
            return got if len(got) >= 4 else None
        logs[who] = fc.wait_until(lines, 15.0, "%s's log lines" % who)
    assert logs["fulcrum"] == logs["haproxy"]
    assert logs["fulcrum"] == ["RC /a two/s 200 +1", "RC /b two/s 200 +1", "RC /one one/d 503 1",
                               "RC /c two/s 200 +1"]


def accepted(port, pid):
    """A connection to port is held by process pid: accepted, not only in
    the listen queue (ss names no owner for those)."""
    r = subprocess.run(["ss", "-Htnp", "state", "established", "( sport = :%d )" % port],
                       capture_output=True, text=True, timeout=10)
    return "pid=%d," % pid in r.stdout


def wait_exit(proc, timeout):
    """proc's exit status, or None if it still runs after timeout s."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize("who", ["haproxy", "fulcrum"])
def test_soft_stop_on_sigusr1_as_haproxy(who, backend, tmp_path, bins):
    """SIGUSR1 (what `haproxy -sf` sends the old process): no new client
    from then on, a keep-alive client idle between requests is closed, a
    request under way gets its whole answer with `connection: close`, and
    the process exits by itself once the last one is done; with
    `hard-stop-after` a client that never sends a request does not hold it
    longer than that.  The same for haproxy and fulcrum."""
    prog = {"haproxy": HAPROXY, "fulcrum": str(programs())}[who]
    live = backend("live", mode="http")
    port = fc.free_port()
    reached = []
    with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow", delay=3.0,
                  got=reached) as slow:
        cfg = tmp_path / "h.cfg"
        cfg.write_text("\n".join([
            "global", "  hard-stop-after 8s",
            "defaults", "  mode http", "  timeout connect 5s", "  timeout client 30s", "  timeout server 30s",
            "frontend fe", "  bind 127.0.0.1:%d" % port,
            "  use_backend slow if { path /slow }", "  default_backend live",
            "backend live", "  server s %s" % live.addr(),
            "backend slow", "  server w 127.0.0.1:%d" % slow]) + "\n")
        srv = Server(prog, cfg, [port], tmp_path / "out.log")
        try:
            idle = fc.connect(port, timeout=10.0)
            idle.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            first = idle.recv(65536)
            assert first.startswith(b"HTTP/1.1 200 "), first
            busy = fc.connect(port, timeout=10.0)
            busy.sendall(b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
            fc.wait_until(lambda: reached, 15.0, "the request at the slow server")
            t0 = time.monotonic()
            srv.p.send_signal(signal.SIGUSR1)
            # the idle keep-alive client is closed at once
            idle.settimeout(5.0)
            assert idle.recv(65536) == b"", "the idle client was not closed"
            assert time.monotonic() - t0 < 3.0
            # nobody listens any more
            fc.wait_until(lambda: not Server.listening(port), 15.0, "the listener closed")
            # the request under way is answered whole, and closed after
            answer = fc.recv_to_eof(busy)
            assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nslow"), answer
            assert b"\r\nconnection: close\r\n" in answer, answer
            busy.close()
            idle.close()
            # then the process ends by itself
            assert wait_exit(srv.p, 10.0) == 0, srv.output()
            fc.assert_no_sanitizer(srv.output(), who)
        finally:
            srv.stop()


@pytest.mark.parametrize("who", ["haproxy", "fulcrum"])
def test_hard_stop_after_bounds_the_soft_stop_as_haproxy(who, tmp_path, bins):
    """A client that connected and never sends a request keeps a soft stop
    waiting until `hard-stop-after`, then the process exits all the same."""
    prog = {"haproxy": HAPROXY, "fulcrum": str(programs())}[who]
    port = fc.free_port()
    cfg = tmp_path / "h.cfg"
    cfg.write_text("\n".join([
        "global", "  hard-stop-after 2s",
        "defaults", "  mode http", "  timeout connect 5s", "  timeout client 60s", "  timeout server 60s",
        "  timeout http-request 60s",
        "frontend fe", "  bind 127.0.0.1:%d" % port,
        "  http-request return status 200"]) + "\n")
    srv = Server(prog, cfg, [port], tmp_path / "out.log")
    try:
        with fc.connect(port, timeout=10.0) as quiet:
            # taken by the process (a client still in the listen queue
            # would be reset with the listener, not wait)
            fc.wait_until(lambda: accepted(port, srv.p.pid), 15.0, "the client accepted")
            t0 = time.monotonic()
            srv.p.send_signal(signal.SIGUSR1)
            status = wait_exit(srv.p, 20.0)
            took = time.monotonic() - t0
            assert status is not None, "still running 20 s after SIGUSR1"
            assert 1.5 <= took < 15.0, "exited %.1f s after SIGUSR1" % took
            del quiet
        fc.assert_no_sanitizer(srv.output(), who)
    finally:
        srv.stop()
