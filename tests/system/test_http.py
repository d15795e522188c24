"""The HTTP engine (mode http) seen from a client, beyond HAProxy's vtc
tests: smuggling defences, slow clients, keep-alive reuse of the server
connection, pipelining, Upgrade tunnels and dead servers, over real
sockets on loopback against raw-socket HTTP servers run by the test.

Skipped in a build without the haproxy.cfg reader."""
import contextlib
import signal
import socket
import subprocess
import threading
import time

import pytest

import fc

HEAD_END = b"\r\n\r\n"


class Origin:
    """An HTTP/1.1 server on 127.0.0.1: answers each request with its name,
    the request's line and what it saw of the head; counts connections and
    keeps every request head (bytes) and body received.  `upgrade`: answer
    101 to an Upgrade request, then echo bytes.  GET /status/N answers
    status N."""

    def __init__(self, name):
        self.name = name
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = 0
        self.heads = []
        self.bodies = []
        self.lock = threading.Lock()
        self.stopping = False
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.conns += 1
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, c):
        c.settimeout(10)
        buf = b""
        try:
            while not self.stopping:
                while HEAD_END not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(HEAD_END, 1)
                lines = head.decode("latin-1").split("\r\n")
                hdrs = {}
                for l in lines[1:]:
                    k, v = l.split(":", 1)
                    hdrs.setdefault(k.strip().lower(), []).append(v.strip())
                body = b""
                if "content-length" in hdrs:
                    n = int(hdrs["content-length"][0])
                    while len(buf) < n:
                        buf += c.recv(65536)
                    body, buf = buf[:n], buf[n:]
                elif "chunked" in ",".join(hdrs.get("transfer-encoding", [])):
                    while not buf.endswith(b"0\r\n\r\n"):
                        buf += c.recv(65536)
                    body, buf = buf, b""
                with self.lock:
                    self.heads.append(head)
                    self.bodies.append(body)
                if "upgrade" in hdrs:
                    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
                              b"Upgrade: websocket\r\n\r\n" + buf)
                    while True:
                        d = c.recv(65536)
                        if not d:
                            return
                        c.sendall(d)
                path = lines[0].split(" ")[1]
                out = ("%s %s" % (self.name, path)).encode()
                if path.startswith("/big"):
                    out = b"x" * int(path[4:])
                status = int(path[8:11]) if path.startswith("/status/") else 200
                c.sendall(b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\nX-Server: %s\r\n\r\n"
                          % (status, b"OK" if status == 200 else b"Other", len(out), self.name.encode()) + out)
        except OSError:
            return
        finally:
            c.close()

    def stop(self):
        self.stopping = True
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)


@pytest.fixture
def origin():
    made = []

    def make(name):
        o = Origin(name)
        made.append(o)
        return o
    yield make
    for o in made:
        o.stop()


def cfg(port, servers, extra="", defaults=""):
    srv = "".join("    server s%d 127.0.0.1:%d\n" % (i, p) for i, p in enumerate(servers))
    return ("defaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n"
            "    timeout server 10s\n%s\nlisten px\n    bind 127.0.0.1:%d\n%s%s"
            % (defaults, port, extra, srv))


@pytest.fixture
def lb(daemon):
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")

    def make(servers, extra="", defaults=""):
        port = fc.free_port()
        d = daemon(cfg(port, servers, extra, defaults), args=["--format=haproxy"])
        return port, d
    return make


def exchange(port, data, timeout=10.0, until_close=False):
    """Send data, read responses until the connection closes or (not
    until_close) a quiet moment after a complete response."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    return read_all(s, until_close), s


def _complete(out):
    """The last response in out has all its head and, when it says its
    Content-Length, all its body (else: a quiet moment has to do)."""
    start = out.rfind(b"HTTP/1.")
    head, sep, body = out[max(start, 0):].partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


def read_all(s, until_close=True, quiet=0.5):
    """Bytes from s until EOF or (not until_close) a quiet moment after a
    complete response -- one that is not complete waits on, as a slow
    proxy on a loaded host may pause between its head and its body."""
    out = b""
    deadline = time.monotonic() + 10
    s.settimeout(quiet if not until_close else 10)
    while time.monotonic() < deadline:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if not until_close and out and _complete(out):
                break
            continue
        if not d:
            break
        out += d
    return out


def closed(s, timeout=5.0):
    """True if the peer closes s within timeout (EOF or reset)."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_get_keepalive_reuses_server_connection(lb, origin):
    o = origin("a")
    port, _ = lb([o.port])
    req = b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
    out, s = exchange(port, req)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"a /one")
    s.sendall(b"GET /two HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_all(s, until_close=False).endswith(b"a /two")
    s.close()
    # both requests went over one server connection
    assert o.conns == 1 and len(o.heads) == 2


def vmrss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def settled_rss(pid, secs=3.0):
    """RSS once two readings 0.3 s apart agree (bounded)."""
    last, deadline = vmrss_kib(pid), time.monotonic() + secs
    while time.monotonic() < deadline:
        time.sleep(0.3)
        cur = vmrss_kib(pid)
        if cur == last:
            break
        last = cur
    return last


def test_idle_keepalive_connections_hold_no_buffers(daemon, origin):
    """200 keep-alive clients, each after one request, and the server
    connections kept for them, cost the daemon under 4 KiB of RSS each: an
    idle stream holds no buffer and no transaction (doc/internals/http.md;
    each held a 16 KiB input buffer, a 64 KiB block and its 15 KiB
    transaction before).  ASan's quarantine is off so that freed memory is
    reused as in a normal build."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    if fc.built_with_tsan():
        pytest.skip("ThreadSanitizer's allocator: RSS says nothing of the engine's")
    n = 200
    o = origin("a")
    port = fc.free_port()
    d = daemon(cfg(port, [o.port], defaults="    maxconn 1000\n"), start=False,
               args=["--format=haproxy"])
    d.extra_env = {"ASAN_OPTIONS": fc.SAN_ENV["ASAN_OPTIONS"] +
                   ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"}
    d.start()
    socks = []

    def get(s):
        s.sendall(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
        out = b""
        while not out.endswith(b"a /idle"):
            d = s.recv(4096)
            assert d, "closed after %r" % out
            out += d
        assert out.startswith(b"HTTP/1.1 200"), out

    def client():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
        get(s)
    try:
        for _ in range(2):  # the engine's first allocations (pools, backend)
            client()
        base = settled_rss(d.proc.pid)
        for _ in range(n):
            client()
        grown = settled_rss(d.proc.pid) - base
        get(socks[2])  # still open, still served
        assert o.conns <= n + 3  # the server connections were kept
    finally:
        for s in socks:
            s.close()
    assert grown * 1024 / n < 4096, "%d KiB for %d idle connections" % (grown, n)


def test_pipelined_requests_answered_in_order(lb, origin):
    o = origin("a")
    port, _ = lb([o.port])
    reqs = b"".join(b"GET /p%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(5))
    out, s = exchange(port, reqs + b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                      until_close=True)
    s.close()
    bodies = [part for part in out.split(b"HTTP/1.1 200 OK") if part]
    assert [b.rsplit(b"\r\n\r\n", 1)[1] for b in bodies] == \
        [b"a /p%d" % i for i in range(5)] + [b"a /last"]


def test_te_and_cl_forwarded_chunked_then_closed(lb, origin):
    """Transfer-Encoding with Content-Length: the body is chunked, the
    Content-Length never reaches the server, the client connection closes
    after (a smuggled request behind it is never served)."""
    o = origin("a")
    port, _ = lb([o.port])
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    req = (b"POST /te HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled)
    out, s = exchange(port, req, until_close=True)
    s.close()
    assert out.count(b"HTTP/1.1 ") == 1 and out.endswith(b"a /te")
    assert b"connection: close" in out.lower()
    head = o.heads[0].lower()
    assert b"content-length" not in head and b"transfer-encoding: chunked" in head
    assert o.bodies[0] == b"5\r\nhello\r\n0\r\n\r\n"
    assert all(b"/smuggled" not in h for h in o.heads)


@pytest.mark.parametrize("bad", [
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n folded: 1\r\n\r\n",
    # a head larger than the 16 KiB buffer
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: %s\r\n" % (b"y" * 8000) * 3 + b"\r\n",
])
def test_malformed_requests_get_400_and_never_reach_the_server(lb, origin, bad):
    o = origin("a")
    port, _ = lb([o.port])
    out, s = exchange(port, bad, until_close=True)
    s.close()
    assert out.startswith(b"HTTP/1.1 400 Bad request\r\n")
    assert o.heads == []


def test_slowloris_gets_408_at_timeout_http_request(lb, origin):
    o = origin("a")
    port, _ = lb([o.port], defaults="    timeout http-request 1s\n")
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.monotonic()
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    # a byte every 300 ms never completes the head: the deadline holds
    got = b""
    for _ in range(20):
        try:
            s.sendall(b"X")
        except OSError:
            break
        s.settimeout(0.3)
        try:
            d = s.recv(4096)
            if not d:
                break
            got += d
        except socket.timeout:
            pass
        if got:
            break
    got += read_all(s)
    s.close()
    assert got.startswith(b"HTTP/1.1 408 Request Time-out\r\n")
    assert 0.9 <= time.monotonic() - t0 < 5
    assert o.heads == []


def test_slow_reader_gets_the_whole_body(lb, origin):
    o = origin("a")
    port, _ = lb([o.port])
    n = 1 << 20
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /big%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % n)
    got = b""
    time.sleep(0.5)
    while True:
        d = s.recv(8192)
        if not d:
            break
        got += d
        if len(got) < 64 * 1024:
            time.sleep(0.01)
    s.close()
    head, body = got.split(HEAD_END, 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and body == b"x" * n


def test_dead_server_redispatched_then_503(lb, origin):
    a = origin("a")
    dead = fc.free_port()
    port, _ = lb([dead, a.port], extra="    option redispatch\n    retries 2\n")
    names = set()
    for i in range(4):
        out, s = exchange(port, b"GET /r%d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % i,
                          until_close=True)
        s.close()
        assert out.startswith(b"HTTP/1.1 200 OK"), out
        names.add(out.rsplit(b"\r\n\r\n", 1)[1].split(b" ")[0])
    assert names == {b"a"}
    a.stop()
    out, s = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", until_close=True)
    s.close()
    assert out.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")


def test_websocket_upgrade_relayed(lb, origin):
    o = origin("a")
    port, _ = lb([o.port])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
    got = b""
    while HEAD_END not in got:
        d = s.recv(4096)
        assert d, got
        got += d
    assert got.startswith(b"HTTP/1.1 101 ")
    for msg in (b"ping", b"x" * 100000):
        s.sendall(msg)
        echo = b""
        while len(echo) < len(msg):
            d = s.recv(65536)
            assert d
            echo += d
        assert echo == msg
    # a half-close crosses the tunnel: the echo of the last bytes still
    # comes back, then the server's close
    s.sendall(b"last words")
    s.shutdown(socket.SHUT_WR)
    assert read_all(s) == b"last words"
    s.close()


def test_forwardfor_added(lb, origin):
    o = origin("a")
    port, _ = lb([o.port], extra="    option forwardfor\n")
    out, s = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                      until_close=True)
    s.close()
    assert b"\r\nx-forwarded-for: 127.0.0.1" in o.heads[0].lower()


@contextlib.contextmanager
def one_answer(answer, delay=0.0, linger=0.2):
    """A server for one connection: reads the request, waits `delay`, sends
    `answer` as it is (a response cut short, a slow one...), waits `linger`
    and closes.  Yields its port; stopped on leaving, also on failure."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        c, _ = srv.accept()
        c.recv(65536)
        time.sleep(delay)
        c.sendall(answer)
        time.sleep(linger)
        c.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1]
    finally:
        t.join(timeout=5)
        srv.close()


def test_server_closing_mid_body_closes_the_client(lb, daemon, tmp_path):
    """A response cut short by the server: the client sees its connection
    close (it must not take a short body for a whole one)."""
    with one_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"z" * 10) as sport:
        port, _ = lb([sport])
        out, s = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", until_close=True)
    assert out.startswith(b"HTTP/1.1 200 OK") and out.endswith(b"z" * 10)
    assert closed(s)
    s.close()


def test_slow_server_has_timeout_server_not_timeout_connect(lb):
    """Once connected, the server has `timeout server` to answer: one that
    takes longer than `timeout connect` (but less than `timeout server`)
    is waited for, as HAProxy does -- it used to get a 504 when what was
    left of `timeout connect` ran out."""
    with one_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow",
                    delay=2.0, linger=0.5) as sport:
        port, _ = lb([sport], extra="    timeout connect 1s\n")
        out, s = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                          until_close=True)
    s.close()
    assert out.startswith(b"HTTP/1.1 200 OK") and out.endswith(b"slow"), out


def test_bytes_counted_for_frontend_and_server(lb, origin):
    """The HTTP engine counts what it moves, as the L4 relay does (HAProxy's
    bin/bout): the service's in = what clients sent, out = what they were
    sent; a server's in = what it was sent, out = what it answered.  They
    stayed 0 for every HTTP frontend before."""
    o = origin("a")
    port, d = lb([o.port])
    req = b"GET /big3000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for _ in range(3):
        out, s = exchange(port, req, until_close=True)
        s.close()
        assert out.startswith(b"HTTP/1.1 200") and out.endswith(b"x" * 3000)

    def figures():
        v = d.vs(port)
        r = d.rs(port, o.port)
        return v and r and (v["in_bytes"], v["out_bytes"], r["in_bytes"], r["out_bytes"])
    fc.wait_until(lambda: figures() and figures()[1] >= 3 * 3000, 10.0, "bytes counted")
    vin, vout, rin, rout = figures()
    assert vin >= 3 * len(req) and vout >= 3 * 3000, figures()
    assert rin >= 3 * len(b"GET /big3000 HTTP/1.1\r\n") and rout >= 3 * 3000, figures()


def htx_size(resp):
    """%B as HAProxy 2.6 counts a response (its HTX size, not the bytes
    sent): 20 and the start line's three fields, each header's name and
    value but a Connection: close, 1 for the head's end, then the body."""
    head, body = resp.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    n = 20 + len(lines[0].replace(b" ", b"", 2)) + 1 + len(body)
    for ln in lines[1:]:
        name, value = ln.split(b":", 1)
        if (name.lower(), value.strip().lower()) != (b"connection", b"close"):
            n += len(name) + len(value.strip())
    return n


def test_httplog_line_reaches_syslog(lb, origin):
    """option httplog to a UDP syslog listener: RFC 3164 with facility
    local2 (18 * 8 + info 6 = 150), HAProxy's httplog fields."""
    o = origin("a")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(10)
    try:
        port, _ = lb([o.port], defaults="    log 127.0.0.1:%d local2\n    option httplog\n"
                     % u.getsockname()[1])
        out, s = exchange(port, b"GET /logged?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                          until_close=True)
        s.close()
        line = u.recv(4096).decode()
    finally:
        u.close()
    assert line.startswith("<150>")
    assert " haproxy[" in line
    # client, [date], frontend, backend/server, timers, status, bytes, ..., request line
    assert " px px/s0 " in line
    assert " 200 %d " % htx_size(out) in line
    assert line.endswith('"GET /logged?q=1 HTTP/1.1"')


def test_maxconn_plus_one_waits_then_is_served(lb, origin):
    """maxconn 2: a third client is not served while two hold their
    connections, and is served as soon as one leaves."""
    o = origin("a")
    port, _ = lb([o.port], extra="    maxconn 2\n")
    held = []
    for i in range(2):
        out, s = exchange(port, b"GET /h%d HTTP/1.1\r\nHost: x\r\n\r\n" % i)
        assert out.endswith(b"a /h%d" % i)
        held.append(s)
    third = socket.create_connection(("127.0.0.1", port), timeout=10)
    third.sendall(b"GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    third.settimeout(1.0)
    with pytest.raises(socket.timeout):
        third.recv(4096)
    held.pop().close()
    got = read_all(third)
    third.close()
    for s in held:
        s.close()
    assert got.startswith(b"HTTP/1.1 200 OK") and got.endswith(b"a /third")


def test_reload_keeps_listener_and_kept_alive_client(lb, origin):
    """SIGHUP with a changed backend: a client kept alive across the reload
    is served by the new configuration on its next request, and the
    listener never refused anyone."""
    a, b = origin("a"), origin("b")
    port, d = lb([a.port])
    out, s = exchange(port, b"GET /before HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.endswith(b"a /before")
    d.write_conf(cfg(port, [b.port]))
    d.reload()

    def served_by_b():
        got, p = exchange(port, b"GET /probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                          until_close=True)
        p.close()
        assert got.startswith(b"HTTP/1.1 200 OK"), got  # never refused during the reload
        return got.endswith(b"b /probe")
    fc.wait_until(served_by_b, 15, "the new backend")
    s.sendall(b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
    got = read_all(s, until_close=False)
    s.close()
    assert got.startswith(b"HTTP/1.1 200 OK") and got.endswith(b"b /after")


def test_sf_new_process_takes_over_the_port(lb, origin, tmp_path):
    """haproxy -f CFG -sf OLD: the new process binds the same port beside
    the old one, serves, and the old one stops (SIGUSR1)."""
    o = origin("a")
    port = fc.free_port()
    conf = tmp_path / "h.cfg"
    conf.write_text(cfg(port, [o.port]))
    prog = str(fc.BUILD / "haproxy")
    procs = []

    def start(*extra, name):
        err = open(tmp_path / (name + ".stderr"), "w")
        p = subprocess.Popen([prog, "-db", "-f", str(conf)] + list(extra), stdout=err,
                             stderr=err, stdin=subprocess.DEVNULL, env=fc.env())
        procs.append((p, err, tmp_path / (name + ".stderr")))
        return p

    def serves():
        try:
            got, s = exchange(port, b"GET /sf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              until_close=True)
        except OSError:
            return False
        s.close()
        return got.endswith(b"a /sf")

    try:
        old = start(name="old")
        fc.wait_until(serves, 15, "the first process")
        new = start("-sf", str(old.pid), name="new")
        assert old.wait(timeout=15) == 0
        assert new.poll() is None
        assert serves()
        new.send_signal(signal.SIGTERM)
        assert new.wait(timeout=15) == 0
    finally:
        for p, err, _ in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            err.close()
    for _, _, path in procs:
        fc.assert_no_sanitizer(path.read_text(errors="replace"), path.name)


def test_haproxy_c_and_cc(lb, tmp_path):
    """haproxy -c says what HAProxy says; -cc evaluates a .if condition."""
    prog = str(fc.BUILD / "haproxy")
    good = tmp_path / "good.cfg"
    good.write_text(cfg(fc.free_port(), [9]))
    bad = tmp_path / "bad.cfg"
    bad.write_text("frontend f\n    bind 127.0.0.1:9\n    frobnicate 1\n")

    def run(*args):
        r = subprocess.run([prog] + list(args), capture_output=True, text=True, timeout=30,
                           env=fc.env(), stdin=subprocess.DEVNULL)
        fc.assert_no_sanitizer(r.stderr, "haproxy " + " ".join(args))
        return r
    r = run("-c", "-f", str(good))
    assert (r.returncode, r.stdout) == (0, "Configuration file is valid\n"), r.stderr
    r = run("-c", "-f", str(bad))
    assert r.returncode == 1
    assert "[ALERT] config : %s:3: 'frobnicate'" % bad in r.stderr, r.stderr
    assert r.stderr.endswith("Fatal errors found in configuration.\n")
    assert run("-cc", "version_atleast(2.5-dev0)").returncode == 0
    assert run("-cc", "version_atleast(9.0)").returncode == 1
    assert run("-v").stdout.startswith("HA-Proxy version 2.6-compatible (fulcrum ")
