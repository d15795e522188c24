"""The userspace proxy on worker threads (nbthread, issue 11): workers are
started, scheduling stays that of the service as a whole, and a reload, a
`set weight` or another client's burst breaks no established stream.

The rest of the proxy's suites run threaded with FC_NBTHREAD=N (fc.py);
`./dev tsan` runs them under ThreadSanitizer."""
import os
import selectors
import threading
import time

import pytest

import fc
import test_http_persist


@pytest.fixture(autouse=True)
def own_nbthread(monkeypatch):
    """These tests say their nbthread themselves: FC_NBTHREAD would override it."""
    monkeypatch.delenv("FC_NBTHREAD", raising=False)


def conf(vport, servers, algo="wrr", nbthread=4, extra=""):
    return "global_defs {\n    nbthread %d\n}\n" % nbthread + fc.vs_block(
        vport, servers, algo=algo, extra=extra)


def workers_of(dm):
    """The proxy's worker threads (named fulcrum-wN; a sanitizer may add its own)."""
    n = 0
    for t in os.listdir("/proc/%d/task" % dm.proc.pid):
        try:
            with open("/proc/%d/task/%s/comm" % (dm.proc.pid, t)) as f:
                n += f.read().startswith("fulcrum-w")
        except OSError:
            pass
    return n


def in_threads(n, fn):
    """fn() in n threads at once: their results, concatenated (each fn
    returns a list); an exception in any fails the test."""
    results, errors = [], []

    def run():
        try:
            results.extend(fn())
        except Exception as e:  # checked below
            errors.append(repr(e))
    ts = [threading.Thread(target=run) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(180)
    assert not errors, errors[:5]
    return results


@pytest.mark.parametrize("n", [1, 2, 4])
def test_workers_started(daemon, backend, n):
    """nbthread N: N workers beside the main thread (none for 1), all fed."""
    a = backend("A")
    vport = fc.free_port()
    dm = daemon(conf(vport, [a], nbthread=n))
    want = 0 if n == 1 else n
    fc.wait_until(lambda: workers_of(dm) == want, 10, "%d workers" % want)
    # every client is served, whichever worker's listener the kernel picks
    assert fc.names(vport, 40) == ["A"] * 40
    # a reload keeps the workers (and says that a new count waits for a restart)
    dm.write_conf(conf(vport, [a], nbthread=n + 1))
    dm.reload()
    fc.wait_until(lambda: "takes effect at the next start" in dm.stderr(), 10,
                  "the warning about nbthread")
    assert workers_of(dm) == want
    assert fc.names(vport, 10) == ["A"] * 10


@pytest.mark.parametrize("cpus", [None, {0}])
def test_default_is_the_cpus(daemon, backend, cpus):
    """Without nbthread, a worker per CPU the daemon may run on (HAProxy's
    default): none when that is one CPU (the main loop serves, as with
    nbthread 1), and none in a daemon without a proxied service."""
    a = backend("A")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [a]), start=False)
    dm.cpus = cpus
    dm.start()
    n = len(cpus or os.sched_getaffinity(0))
    want = 0 if n == 1 else min(n, 64)
    fc.wait_until(lambda: workers_of(dm) == want, 10, "%d workers" % want)
    assert fc.names(vport, 10) == ["A"] * 10
    # nothing to proxy: no workers, even asked for
    idle = daemon("global_defs {\n    nbthread 2\n}\n")
    idle.ctl_ok("list")  # a round trip: the loop's first rounds (which start workers) ran
    assert workers_of(idle) == 0


@pytest.mark.parametrize("n", [2, 4])
def test_wrr_exact_cycle_over_threads(daemon, backend, n):
    """wrr 3:2:1 over 2 and 4 workers: exactly 3:2:1 in every cycle of
    sequential clients, and in total for clients that connect at the same
    time (the workers place them with no lock: one shared position in the
    cycle, sched_wrr.c)."""
    bs = [backend("s%d" % i) for i in range(3)]
    vport = fc.free_port()
    dm = daemon(conf(vport, [(bs[0], 3), (bs[1], 2), (bs[2], 1)], nbthread=n))
    got = fc.names(vport, 60)
    for start in range(0, 60, 6):
        assert fc.counts(got[start:start + 6]) == {"s0": 3, "s1": 2, "s2": 1}, (start, got)

    per_client, clients = 30, 8  # 240 connections: 40 whole cycles
    results = in_threads(clients, lambda: fc.names(vport, per_client, timeout=20))
    assert fc.counts(results) == {"s0": 120, "s1": 80, "s2": 40}
    # the service's figures are the sum over the workers
    fc.wait_until(lambda: dm.vs(vport)["total_conns"] == 300, 10, "300 connections counted")
    assert sorted(r["total_conns"] for r in dm.vs(vport)["real_servers"]) == [50, 100, 150]


def test_lc_counts_are_shared(daemon, backend):
    """lc sees every worker's connections: 6 held clients land 2 per server."""
    bs = [backend("s%d" % i) for i in range(3)]
    vport = fc.free_port()
    dm = daemon(conf(vport, bs, algo="lc"))
    held = []
    try:
        for _ in range(6):
            s = fc.connect(vport)
            held.append((fc.recv_line(s), s))
            # lc counts a connection once it is established both ways
            fc.wait_until(lambda: dm.vs(vport)["active_conns"] == len(held), 10,
                          "%d active" % len(held))
        assert fc.counts(n for n, _ in held) == {"s0": 2, "s1": 2, "s2": 2}
    finally:
        for _, s in held:
            s.close()


def test_lc_held_from_several_workers(daemon, backend):
    """lc over 4 workers with long-lived clients that arrive together: every
    server gets some; then, with one server's clients gone, the next clients
    (whichever worker takes them) all go to it until it has as many as the
    others -- IPVS lc over the service's counts, which every worker shares."""
    bs = [backend("s%d" % i) for i in range(3)]
    vport = fc.free_port()
    dm = daemon(conf(vport, bs, algo="lc"))
    held, errors, lock = [], [], threading.Lock()

    def hold(k):
        try:
            for _ in range(k):
                s = fc.connect(vport, timeout=20)
                name = fc.recv_line(s)
                with lock:
                    held.append((name, s))
        except Exception as e:  # checked below
            errors.append(repr(e))
    try:
        ts = [threading.Thread(target=hold, args=(3,)) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        assert not errors, errors
        fc.wait_until(lambda: dm.vs(vport)["active_conns"] == 12, 15, "12 active")
        got = fc.counts(name for name, _ in held)
        assert set(got) == {"s0", "s1", "s2"}, got
        # one server's clients leave: it alone is below the others
        gone = [s for name, s in held if name == "s0"]
        for s in gone:
            s.close()
        held = [(name, s) for name, s in held if name != "s0"]
        fc.wait_until(lambda: dm.vs(vport)["active_conns"] == len(held), 15,
                      "%d active" % len(held))
        new = []
        # lc sends each new client to the least loaded: s0 until it has
        # caught up with the less loaded of the other two
        for _ in range(min(got["s1"], got["s2"])):
            s = fc.connect(vport, timeout=20)
            new.append(fc.recv_line(s))
            held.append((new[-1], s))
            fc.wait_until(lambda: dm.vs(vport)["active_conns"] == len(held), 15,
                          "%d active" % len(held))
        assert new == ["s0"] * len(new), (got, new)
    finally:
        for _, s in held:
            s.close()


def short_clients(vport, stop, failures, served):
    """Short connections, one after the other, until stop: each must get a name."""
    while not stop.is_set():
        try:
            if fc.who(vport, timeout=20):
                served.append(1)
        except Exception as e:  # checked by the test
            failures.append(repr(e))


def test_reload_and_set_weight_under_load(daemon, backend):
    """4 workers, streams held across them and short clients arriving all the
    time: three reloads and two `set weight` break no stream and refuse no
    client."""
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(conf(vport, [(a, 1), (b, 1)]))
    streams = [fc.Stream(vport, interval=0.02) for _ in range(8)]
    stop, failures, served = threading.Event(), [], []
    loaders = [threading.Thread(target=short_clients, args=(vport, stop, failures, served))
               for _ in range(2)]
    for t in loaders:
        t.start()
    try:
        for w in (2, 3, 1):
            dm.write_conf(conf(vport, [(a, w), (b, 1)], extra="proxy_idle_timeout 60"))
            dm.reload()
            fc.wait_until(lambda: dm.rs(vport, a.port)["weight"] == w, 15,
                          "the reload to weight %d" % w)
            dm.ctl_ok("set", "weight", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % b.port, w + 1)
            for s in streams:
                s.assert_flowing(timeout=15)
    finally:
        stop.set()
        for t in loaders:
            t.join(60)
    assert not failures, failures[:5]
    assert len(served) > 0
    for s in streams:
        s.close()


def test_streams_survive_a_burst(daemon, backend):
    """Connections held on the workers keep flowing while 300 clients arrive
    at once, and every one of those is served."""
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(conf(vport, [a, b], algo="rr", nbthread=2))
    streams = [fc.Stream(vport, interval=0.02) for _ in range(6)]
    for _ in range(2):
        assert fc.burst(vport, 300, timeout=60) == 300
        for s in streams:
            s.assert_flowing(timeout=15)
    for s in streams:
        s.close()
    fc.wait_until(lambda: dm.vs(vport)["active_conns"] + dm.vs(vport)["inactive_conns"] == 0,
                  15, "every connection closed")


def http_name(port, timeout=10.0):
    """One request on a fresh connection through a mode http frontend to an
    http-mode backend: the server's name (its body)."""
    s = fc.connect(port, timeout=timeout)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        out = fc.recv_to_eof(s, 1 << 16)
    finally:
        s.close()
    assert out.startswith(b"HTTP/1.1 200"), out
    return out.split(b"\r\n\r\n", 1)[1].decode().strip()


def test_http_backend_balances_over_threads(daemon, backend):
    """mode http, balance roundrobin over 2 workers: the backend's position
    is the backend's, not a worker's, so fresh connections alternate exactly
    as HAProxy's do, whichever worker the kernel hands each one to."""
    bs = [backend("s%d" % i, mode="http") for i in range(3)]
    port = fc.free_port()
    srv = "".join("    server s%d %s\n" % (i, b.addr()) for i, b in enumerate(bs))
    daemon("global\n    nbthread 2\n"
           "defaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n"
           "    timeout server 10s\n"
           "listen px\n    bind 127.0.0.1:%d\n    balance roundrobin\n%s" % (port, srv),
           args=["--format=haproxy"])
    got = [http_name(port) for _ in range(60)]
    for start in range(0, 60, 3):
        assert sorted(got[start:start + 3]) == ["s0", "s1", "s2"], (start, got)

    results = in_threads(6, lambda: [http_name(port, timeout=20) for _ in range(30)])
    assert fc.counts(results) == {"s0": 60, "s1": 60, "s2": 60}


def answer(s, deadline):
    """One whole answer of `http-request return` (its content-length) on a
    kept-alive connection, by the deadline (time.monotonic())."""
    buf = b""
    while b"\r\n\r\n" not in buf or len(buf) < buf.index(b"\r\n\r\n") + 4 + clen(buf):
        s.settimeout(max(0.05, deadline - time.monotonic()))
        got = s.recv(4096)
        assert got, "closed after %r" % buf
        buf += got
    assert buf.startswith(b"HTTP/1.1 200"), buf
    return buf


def clen(buf):
    for line in buf.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return int(v)
    return 0


def slow_get(n):
    """A head whose x-slow header makes the rules' regex backtrack: its time
    grows about 1.6x per byte of n (up to PCRE2's match limit, n = 40)."""
    return b"GET / HTTP/1.1\r\nHost: x\r\nx-slow: " + b"a" * n + b"b\r\n\r\n"


def test_http_rules_run_beside_another_worker(daemon):
    """mode http over 2 workers: a request whose http-request rules take
    seconds of CPU (a backtracking regex) holds up its own worker only.
    Clients on the other worker are answered meanwhile: the parse and the
    rules run without the engine lock (issue 11; they held it, so every
    worker waited for the slow rules)."""
    port = fc.free_port()
    rule = "    http-request set-var(txn.slow) int(1) if { req.hdr(x-slow) -m reg (a|aa)+$ }\n"
    daemon("global\n    nbthread 2\n"
           "defaults\n    mode http\n    timeout connect 2s\n    timeout client 120s\n"
           "    timeout server 120s\n"
           "frontend fe\n    bind 127.0.0.1:%d\n%s"
           "    http-request return status 200 content-type text/plain string ok\n"
           % (port, rule * 16), args=["--format=haproxy"])
    # how long the rules take here (this build, this load): n grows until
    # one request takes 2 s
    n = 16
    while True:
        s = fc.connect(port, timeout=60)
        t = time.monotonic()
        s.sendall(slow_get(n))
        answer(s, t + 120)
        s.close()
        if time.monotonic() - t >= 2.0 or n >= 40:
            break
        n += 1
    fast = [fc.connect(port, timeout=10) for _ in range(16)]
    slow = fc.connect(port, timeout=10)
    try:
        for s in fast:  # each one settled on its worker
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer(s, time.monotonic() + 20)
        t0 = time.monotonic()
        slow.sendall(slow_get(n))
        time.sleep(0.3)  # its worker is in the rules now
        for s in fast:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        sel = selectors.DefaultSelector()
        for s in fast:
            sel.register(s, selectors.EVENT_READ)
        first = None
        while first is None and time.monotonic() < t0 + 120:
            if sel.select(0.5):
                first = time.monotonic()
        sel.close()
        answer(slow, t0 + 120)
        t_slow = time.monotonic()
    finally:
        for s in fast + [slow]:
            s.close()
    # the kernel spreads 16 clients over both workers (all on one: 2^-15);
    # one on the other worker is answered within the slow request's first
    # half (with the lock held, only once the slow rules ended)
    assert first is not None, "no fast client answered"
    assert first - t0 < 0.5 * (t_slow - t0), (first - t0, t_slow - t0)


def haproxy_listen(port, lines, servers, nbthread=2):
    """A haproxy.cfg of one listen section in mode http on nbthread workers."""
    return ("global\n    nbthread %d\n"
            "defaults\n    mode http\n    timeout connect 2s\n    timeout client 20s\n"
            "    timeout server 20s\n"
            "listen px\n    bind 127.0.0.1:%d\n%s%s" % (
                nbthread, port, "".join("    %s\n" % l for l in lines),
                "".join("    server %s\n" % s for s in servers)))


def http_get(port, headers=(), src=None, timeout=20.0):
    """One GET on a fresh connection (from src if given): (server name,
    the response head's lines)."""
    s = fc.connect(port, src=src, timeout=timeout)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                  b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in headers) + b"\r\n")
        out = fc.recv_to_eof(s, 1 << 16)
    finally:
        s.close()
    assert out.startswith(b"HTTP/1.1 200"), out
    head, _, body = out.partition(b"\r\n\r\n")
    return body.decode().strip(), head.decode("latin-1").split("\r\n")[1:]


def test_http_cookie_persistence_over_threads(daemon, backend):
    """`cookie SRV insert indirect` over 2 workers: a client without the
    cookie gets the roundrobin's server and its cookie; every request
    carrying a server's cookie goes to that server, whichever worker takes
    it, also with 6 clients at once; a cookie naming no server is ignored
    (the cookie is decoded without the engine lock, its server's state read
    under it)."""
    bs = [backend("s%d" % i, mode="http") for i in range(3)]
    port = fc.free_port()
    daemon(haproxy_listen(port, ["balance roundrobin", "cookie SRV insert indirect nocache"],
                          ["s%d %s cookie c%d" % (i, b.addr(), i) for i, b in enumerate(bs)]),
           args=["--format=haproxy"])
    first = [http_get(port) for _ in range(3)]
    assert sorted(n for n, _ in first) == ["s0", "s1", "s2"], first
    for name, head in first:
        assert "set-cookie: srv=c%s; path=/" % name[1] in [l.lower() for l in head], (name, head)
    got = in_threads(6, lambda: [(c, http_get(port, [("Cookie", "a=1; SRV=c%d" % c)])[0])
                                 for _ in range(5) for c in range(3)])
    assert len(got) == 90
    assert [(c, n) for c, n in got if n != "s%d" % c] == [], got
    # an unknown value: the balance chooses, as without a cookie
    names = [http_get(port, [("Cookie", "SRV=nope")])[0] for _ in range(6)]
    assert fc.counts(names) == {"s0": 2, "s1": 2, "s2": 2}, names


def test_http_stick_on_src_over_threads(daemon, backend):
    """`stick on src` over 2 workers: 6 client addresses get the roundrobin's
    servers in turn (two each), then keep theirs on every fresh connection,
    from 6 threads at once: the table is the backend's, not a worker's."""
    bs = [backend("s%d" % i, mode="http") for i in range(3)]
    port = fc.free_port()
    daemon(haproxy_listen(port, ["balance roundrobin", "stick-table type ip size 100 expire 60s",
                                 "stick on src"],
                          ["s%d %s" % (i, b.addr()) for i, b in enumerate(bs)]),
           args=["--format=haproxy"])
    srcs = ["127.0.0.%d" % i for i in range(2, 8)]
    owner = {src: http_get(port, src=src)[0] for src in srcs}
    assert fc.counts(owner.values()) == {"s0": 2, "s1": 2, "s2": 2}, owner
    got = in_threads(6, lambda: [(src, http_get(port, src=src)[0]) for _ in range(4) for src in srcs])
    assert len(got) == 144
    assert [(src, n) for src, n in got if n != owner[src]] == [], (owner, [(src, n) for src, n in got if n != owner[src]])


class HoldingOrigin(test_http_persist.Origin):
    """test_http_persist's origin holding every request head it reads,
    unanswered, until `go` is set: the requests stay in flight, so the
    proxy counts them on this server.  `nheads`: how many came."""

    def __init__(self, name):
        self.go = threading.Event()
        self.nheads = 0
        super().__init__(name)

    def handle(self, path):
        with self.lock:
            self.nheads += 1
        self.go.wait(120)

    def stop(self):
        self.go.set()
        super().stop()


def test_http_leastconn_over_threads(daemon):
    """balance leastconn over 2 workers: 6 requests held by their servers,
    each sent once the last one reached its server, land 2 per server: the
    counts are the backend's, whichever worker placed each."""
    origins = [HoldingOrigin("s%d" % i) for i in range(3)]
    clients = []
    try:
        port = fc.free_port()
        daemon(haproxy_listen(port, ["balance leastconn"],
                              ["s%d 127.0.0.1:%d" % (i, o.port) for i, o in enumerate(origins)]),
               args=["--format=haproxy"])
        for i in range(6):
            s = fc.connect(port, timeout=60)
            clients.append(s)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            fc.wait_until(lambda: sum(o.nheads for o in origins) == i + 1, 20,
                          "request %d at its server" % (i + 1))
        assert [o.nheads for o in origins] == [2, 2, 2]
        for o in origins:
            o.go.set()
        names = []
        for s in clients:
            out = fc.recv_to_eof(s, 1 << 16)
            assert out.startswith(b"HTTP/1.1 200"), out
            names.append(out.partition(b"\r\n\r\n")[2].decode().split(" ")[0])
        assert fc.counts(names) == {"s0": 2, "s1": 2, "s2": 2}, names
    finally:
        for s in clients:
            s.close()
        for o in origins:
            o.stop()
