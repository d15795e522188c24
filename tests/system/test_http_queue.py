"""Server `maxconn` queues of the HTTP engine (src/proxy/http_queue.c) side
by side with Debian's haproxy 2.6: the same haproxy.cfg served by both on
loopback in front of the same origins, the same clients, and what they see
must be the same -- who waits, in what order requests reach the server,
which get 503 and when, the termination state of the log line, show stat's
qcur/qmax.

The origin holds a request for /hold/K until the test releases K, so "the
server is busy" is a state the test sets, not a sleep; every wait is
bounded.  Both programs run on 2 threads (haproxy's default on this machine,
fulcrum's nbthread), so a slot freed on one worker serves a request queued
on another.

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import re
import socket
import threading
import time

import pytest

import fc
from test_http_persist import Origin, ask, listen, pair, runtime  # noqa: F401 (pair: a fixture)

DEFAULTS = ("defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
            "  log global\n  option httplog\n")
HOLD_MAX = 30.0  # an origin never holds a request longer


class Holder(Origin):
    """test_http_persist's origin ("NAME PATH cookie=..."); a request for
    /hold/K (or with hold=K in its query) waits until release(K) (at most HOLD_MAX).  Keeps the paths in
    the order their heads arrived, and the most requests it had at once."""

    def __init__(self, name):
        self.gates = {}
        self.arrived = []
        self.active = self.peak = 0
        super().__init__(name)

    def gate(self, key):
        with self.lock:
            return self.gates.setdefault(key, threading.Event())

    def release(self, key):
        self.gate(key).set()

    def seen(self):
        with self.lock:
            return list(self.arrived)

    def handle(self, path):
        with self.lock:
            self.arrived.append(path)
            self.active += 1
            self.peak = max(self.peak, self.active)
        held = re.search(r"[?&]hold=([^&]+)", path)
        if path.startswith("/hold/") or held:
            self.gate(held.group(1) if held else path[6:]).wait(HOLD_MAX)
        with self.lock:
            self.active -= 1

    def stop(self):
        with self.lock:
            for g in self.gates.values():
                g.set()
        super().stop()


@pytest.fixture
def holders():
    made = {}

    def make(name):
        made[name] = Holder(name)
        return made[name]

    yield make
    for h in made.values():
        h.stop()


class Client:
    """One request in a thread: .answer is (status, body) once it came,
    .at when (monotonic seconds)."""

    def __init__(self, port, path, headers=()):
        self.answer = self.at = None
        self.t = threading.Thread(target=self._run, args=(port, path, headers), daemon=True)
        self.t.start()

    def _run(self, port, path, headers):
        try:
            st, _, body = ask(port, path=path, headers=headers)
        except OSError as e:
            st, body = "error", str(e)
        self.answer = (st, body.partition(" cookie=")[0])
        self.at = time.monotonic()

    def join(self):
        self.t.join(HOLD_MAX + 10)
        assert not self.t.is_alive(), "a client got no answer"
        return self.answer


def stat(sock, px, sv):
    """(qcur, qmax, scur) of the row px/sv of `show stat`."""
    rows = runtime(sock, "show stat")
    cols = rows[0].lstrip("# ").split(",")
    for line in rows[1:]:
        f = dict(zip(cols, line.split(",")))
        if f["pxname"] == px and f["svname"] == sv:
            return tuple(int(f[k] or 0) for k in ("qcur", "qmax", "scur"))
    raise AssertionError("no row %s/%s in %r" % (px, sv, rows))


def wait_queued(sock, px, sv, n):
    fc.wait_until(lambda: stat(sock, px, sv)[0] == n, 20.0, "%s/%s: %d queued" % (px, sv, n))


def wait_seen(holder, path):
    fc.wait_until(lambda: path in holder.seen(), 20.0, "%s reaching %s" % (path, holder.name))


def log_states(path, marker):
    """The (status, termination state) of each httplog line naming marker."""
    out = []
    for line in path.read_text(errors="replace").splitlines():
        if marker in line:
            m = re.search(r" (\d{3}|-1) \S+ \S+ \S+ (\S{4}) ", line)
            if m:
                out.append((m.group(1), m.group(2)[:2]))
    return out


def sock_of(tmp_path, ports):
    """The stats socket of the program serving ports."""
    return str(tmp_path / ("s%d.sock" % ports[0]))


def start(pair, tmp_path, sections, n=1):
    """Both programs, on 2 threads with a stats socket and httplog to
    stdout, serving DEFAULTS + sections(ports): {who: (ports, socket)}."""
    def cfg(p):
        return ("global\n  nbthread 2\n  log stdout format raw local0\n  stats socket %s level admin\n"
                % sock_of(tmp_path, p)) + DEFAULTS + sections(p)

    ports = pair(cfg, n)
    return {who: (ports[who], sock_of(tmp_path, ports[who])) for who in ports}


WHO = ("haproxy", "fulcrum")


def test_queue_serves_in_arrival_order(pair, holders, tmp_path):
    """One server at maxconn 1: the requests behind a busy one wait (show
    stat counts them, backend and server), none reaches the server before
    the slot frees, then they reach it one at a time in the order they came."""
    a = holders("A")
    run = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 30s"],
                                                  ["a 127.0.0.1:%d maxconn 1" % a.port]))
    for who in WHO:
        (port,), sock = run[who]
        first = Client(port, "/hold/%s" % who)
        wait_seen(a, "/hold/%s" % who)
        waiting = []
        for i in range(4):
            waiting.append(Client(port, "/%s/%d" % (who, i)))
            wait_queued(sock, "one", "BACKEND", i + 1)
        assert stat(sock, "one", "a")[2] == 1, who  # scur: the one being served
        assert not [p for p in a.seen() if p.startswith("/%s/" % who)], who
        a.release(who)
        assert first.join() == ("200", "A /hold/%s" % who), who
        assert [c.join() for c in waiting] == [("200", "A /%s/%d" % (who, i)) for i in range(4)], who
        assert [p for p in a.seen() if p.startswith("/%s/" % who)] == ["/%s/%d" % (who, i) for i in range(4)], who
        assert stat(sock, "one", "BACKEND")[:2] == (0, 4), who
    assert a.peak == 1


def test_timeout_queue_answers_503_sQ(pair, holders, tmp_path):
    """Past `timeout queue` a waiting request gets 503 and never reaches the
    server; the log says sQ.  Without `timeout queue`, `timeout connect`
    bounds the wait."""
    a = holders("A")
    run = start(pair, tmp_path, lambda p: (
        listen(p[0], "tq", ["timeout queue 1s"], ["a 127.0.0.1:%d maxconn 1" % a.port]) +
        listen(p[1], "tc", ["timeout connect 1s"], ["a 127.0.0.1:%d maxconn 1" % a.port])), n=2)
    for who in WHO:
        ports, sock = run[who]
        for i, port in enumerate(ports):
            key = "%s%d" % (who, i)
            first = Client(port, "/hold/" + key)
            wait_seen(a, "/hold/" + key)
            t0 = time.monotonic()
            late = Client(port, "/late/" + key)
            assert late.join()[0] == "503", (who, i)
            waited = late.at - t0
            assert 0.8 <= waited < 6.0, (who, i, waited)
            assert "/late/" + key not in a.seen(), (who, i)
            a.release(key)
            assert first.join()[0] == "200"
    for who in WHO:
        log = tmp_path / ("%s.log" % who)
        for i in range(2):
            fc.wait_until(lambda: log_states(log, "/late/%s%d" % (who, i)), 10.0, "%s's log line" % who)
            assert log_states(log, "/late/%s%d" % (who, i)) == [("503", "sQ")], (who, i)


def test_balance_skips_a_full_server(pair, holders, tmp_path):
    """roundrobin and first skip a server at its maxconn while another has
    room; with both full the next request waits and takes the first slot
    freed, on whichever server frees it."""
    a, b = holders("A"), holders("B")
    srv = ["a 127.0.0.1:%d maxconn 1" % a.port, "b 127.0.0.1:%d maxconn 1" % b.port]
    run = start(pair, tmp_path, lambda p: (
        listen(p[0], "rr", ["balance roundrobin", "timeout queue 30s"], srv) +
        listen(p[1], "first", ["balance first", "timeout queue 30s"], srv)), n=2)
    for who in WHO:
        ports, sock = run[who]
        for i, (port, px) in enumerate(zip(ports, ("rr", "first"))):
            key = "%s%d" % (who, i)
            one = Client(port, "/hold/%sx" % key)
            fc.wait_until(lambda: "/hold/%sx" % key in a.seen() + b.seen(), 20.0, "the first request")
            busy, other = (a, b) if "/hold/%sx" % key in a.seen() else (b, a)
            two = Client(port, "/hold/%sy" % key)
            wait_seen(other, "/hold/%sy" % key)  # not behind the busy one
            three = Client(port, "/three/" + key)
            wait_queued(sock, px, "BACKEND", 1)
            other.release("%sy" % key)  # the other server frees first: three goes there
            assert two.join() == ("200", "%s /hold/%sy" % (other.name, key)), who
            assert three.join() == ("200", "%s /three/%s" % (other.name, key)), who
            busy.release("%sx" % key)
            assert one.join()[0] == "200"
    assert a.peak == 1 and b.peak == 1


def test_hash_balances_queue_on_the_hashed_server(pair, holders, tmp_path):
    """A hash balance (uri, url_param, hdr, source) whose server for a key
    is at its maxconn queues the request on that server (show stat: the
    server's qcur, not the backend's) while another server has room, and it
    reaches that server once the slot frees; past the server's maxqueue it
    gets 503 SQ at once.  Another key's server serves meanwhile."""
    a, b = holders("A"), holders("B")
    srv = ["a 127.0.0.1:%d maxconn 1 maxqueue 1" % a.port, "b 127.0.0.1:%d maxconn 1 maxqueue 1" % b.port]
    kinds = [("uri", "balance uri", lambda k: ("/k/" + k, ())),
             ("param", "balance url_param u", lambda k: ("/p?u=" + k, ())),
             ("hdr", "balance hdr(X-K)", lambda k: ("/h", [("X-K", k)])),
             ("src", "balance source", lambda k: ("/s", ()))]
    run = start(pair, tmp_path, lambda p: "".join(
        listen(p[i], px, [bal, "timeout queue 30s"], srv) for i, (px, bal, _) in enumerate(kinds)),
        n=len(kinds))
    for who in WHO:
        ports, sock = run[who]
        for port, (px, _, req) in zip(ports, kinds):
            key = "%s-%s" % (who, px)
            # the key that holds: whichever server it hashes to
            path, hdrs = req("x")
            one = Client(port, path + ("&" if "?" in path else "?") + "hold=" + key, hdrs)
            fc.wait_until(lambda: any(key in p for p in a.seen() + b.seen()), 20.0, "the held request")
            busy, other = (a, b) if any(key in p for p in a.seen()) else (b, a)
            two = Client(port, path + ("&" if "?" in path else "?") + "two=" + key, hdrs)
            wait_queued(sock, px, busy.name.lower(), 1)
            assert stat(sock, px, "BACKEND")[0] == 0, (who, px)
            assert not [p for p in other.seen() if key in p], (who, px)  # not sent to the free one
            st, _, body = ask(port, path=path + ("&" if "?" in path else "?") + "three=" + key, headers=hdrs)
            assert st == "503", (who, px, body)  # maxqueue 1: full
            busy.release(key)
            assert one.join()[0] == "200"
            assert two.join()[0] == "200" and two.answer[1].startswith(busy.name + " "), (who, px, two.answer)
            assert stat(sock, px, busy.name.lower())[:2] == (0, 1), (who, px)
    for who in WHO:
        log = tmp_path / ("%s.log" % who)
        fc.wait_until(lambda: log_states(log, "three=%s-uri" % who), 10.0, "%s's log line" % who)
        assert log_states(log, "three=%s-uri" % who) == [("503", "SQ")], who
    assert a.peak == 1 and b.peak == 1


def test_persistent_requests_wait_for_their_server_up_to_maxqueue(pair, holders, tmp_path):
    """A request whose cookie names a full server waits in that server's
    own queue (show stat: the server's qcur, not the backend's) while the
    balance still sends the others elsewhere; past the server's maxqueue it
    gets 503 SQ at once, or with option redispatch goes to another server."""
    a, b = holders("A"), holders("B")
    srv = ["a 127.0.0.1:%d maxconn 1 maxqueue 1 cookie a" % a.port, "b 127.0.0.1:%d maxconn 5 cookie b" % b.port]
    common = ["balance first", "cookie SRV insert indirect nocache", "timeout queue 30s"]
    run = start(pair, tmp_path, lambda p: (
        listen(p[0], "ck", common, srv) + listen(p[1], "ckr", common + ["option redispatch"], srv)), n=2)
    to_a = [("Cookie", "SRV=a")]
    for who in WHO:
        ports, sock = run[who]
        for i, (port, px) in enumerate(zip(ports, ("ck", "ckr"))):
            key = "%s%d" % (who, i)
            one = Client(port, "/hold/" + key, to_a)
            wait_seen(a, "/hold/" + key)
            two = Client(port, "/two/" + key, to_a)
            wait_queued(sock, px, "a", 1)
            assert stat(sock, px, "BACKEND")[0] == 0, (who, px)
            # no cookie: the balance skips the full a
            assert ask(port, path="/free/" + key)[2].startswith("B /free/%s " % key), (who, px)
            st, _, body = ask(port, path="/three/" + key, headers=to_a)
            body = body.partition(" cookie=")[0]
            if px == "ck":
                assert st == "503", (who, body)
            else:
                assert (st, body) == ("200", "B /three/" + key), who
            a.release(key)
            assert one.join()[0] == "200"
            assert two.join() == ("200", "A /two/" + key), (who, px)
            assert stat(sock, px, "a")[:2] == (0, 1), (who, px)
    for who in WHO:
        log = tmp_path / ("%s.log" % who)
        fc.wait_until(lambda: log_states(log, "/three/%s0" % who), 10.0, "%s's log line" % who)
        assert log_states(log, "/three/%s0" % who) == [("503", "SQ")], who
    assert a.peak == 1


def test_a_slot_freed_on_one_worker_serves_a_request_queued_on_another(pair, holders, tmp_path):
    """2 threads, a server at maxconn 1 and nine clients, each on its own
    connection (the kernel spreads them over both workers): released one at
    a time, each slot goes to the oldest waiting request whichever worker
    holds it, and the server never has two at once."""
    a = holders("A")
    n = 8
    run = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 30s"],
                                                  ["a 127.0.0.1:%d maxconn 1" % a.port]))
    for who in WHO:
        (port,), sock = run[who]
        keys = ["%s%d" % (who, i) for i in range(n + 1)]
        clients = [Client(port, "/hold/" + keys[0])]
        wait_seen(a, "/hold/" + keys[0])
        for i in range(1, n + 1):
            clients.append(Client(port, "/hold/" + keys[i]))
            wait_queued(sock, "one", "BACKEND", i)
        for i in range(n + 1):
            wait_seen(a, "/hold/" + keys[i])
            assert [p for p in a.seen() if p.startswith("/hold/" + who)] == ["/hold/" + k for k in keys[:i + 1]], who
            a.release(keys[i])
            assert clients[i].join() == ("200", "A /hold/" + keys[i]), who
    assert a.peak == 1


BURST = 1000
BURST_CLIENTS = 25
BURST_BOUND = 60.0  # seconds: a 100 ms look per hand-over alone would take 50-100


def test_a_burst_against_maxconn_1_is_served_at_the_pace_of_the_server(pair, holders, tmp_path):
    """1,000 requests from 25 clients at once against one server at maxconn
    1 (2 workers): each freed slot goes at once to a waiting request,
    whichever worker holds it, so all are answered 200 in bounded time --
    not one poll period per request -- and the server never has two."""
    a = holders("A")
    run = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 120s"],
                                                  ["a 127.0.0.1:%d maxconn 1" % a.port]))
    for who in WHO:
        (port,), sock = run[who]
        got = []

        def client(c):
            for i in range(BURST // BURST_CLIENTS):
                try:
                    got.append(ask(port, path="/b/%s/%d/%d" % (who, c, i))[0])
                except OSError as e:
                    got.append(str(e))

        t0 = time.monotonic()
        threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(BURST_CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(BURST_BOUND * 2)
        took = time.monotonic() - t0
        assert not [t for t in threads if t.is_alive()], (who, len(got))
        assert got.count("200") == BURST, (who, [g for g in got if g != "200"][:5])
        assert took < BURST_BOUND, (who, took)
        assert stat(sock, "one", "BACKEND")[0] == 0, who
        print("%s: %d requests at maxconn 1 in %.1fs" % (who, BURST, took))
    assert a.peak == 1


def test_a_queued_request_waits_as_long_as_the_slot_is_held(pair, holders, tmp_path):
    """The log's %Tw of a request that waited behind one held for ~1.5 s is
    the time it waited (at least until the release, no more than it took
    the client), and the request reaches the server after the release."""
    a = holders("A")
    run = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 30s"],
                                                  ["a 127.0.0.1:%d maxconn 1" % a.port]))
    for who in WHO:
        (port,), sock = run[who]
        first = Client(port, "/hold/tw" + who)
        wait_seen(a, "/hold/tw" + who)
        t0 = time.monotonic()
        two = Client(port, "/tw/" + who)
        wait_queued(sock, "one", "BACKEND", 1)
        queued = time.monotonic()  # it waits since before this
        time.sleep(1.5)
        released = time.monotonic()
        a.release("tw" + who)
        assert two.join() == ("200", "A /tw/" + who), who
        assert first.join()[0] == "200"
        log = tmp_path / ("%s.log" % who)
        fc.wait_until(lambda: re.search(r" \d+/(\d+)/\d+/\d+/\d+ 200 .*/tw/%s " % who, log.read_text()),
                      10.0, "%s's log line" % who)
        tw = int(re.search(r" \d+/(\d+)/\d+/\d+/\d+ 200 .*/tw/%s " % who, log.read_text()).group(1))
        assert (released - queued) * 1000 - 50 <= tw <= (two.at - t0) * 1000 + 50, (who, tw)


def send_then_close(port, path, when):
    """A request, then once when() holds the client's FIN (shutdown of its
    write side): the socket, to read what comes back."""
    c = fc.connect(port, timeout=20.0)
    c.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode())
    when()
    c.shutdown(socket.SHUT_WR)
    return c


def test_abortonclose_drops_a_queued_request_whose_client_left(pair, holders, tmp_path):
    """option abortonclose: a client that closes (its request whole) while
    the request waits for a slot is dropped at once -- it reads the end of
    the connection, the server never sees the request, the log says CQ with
    no status.  Without the option the request waits on and is served."""
    a = holders("A")
    srv = ["a 127.0.0.1:%d maxconn 1" % a.port]
    run = start(pair, tmp_path, lambda p: (
        listen(p[0], "abort", ["timeout queue 30s", "option abortonclose"], srv) +
        listen(p[1], "keep", ["timeout queue 30s"], srv)), n=2)
    for who in WHO:
        ports, sock = run[who]
        for i, (port, px) in enumerate(zip(ports, ("abort", "keep"))):
            key = "%s%d" % (who, i)
            first = Client(port, "/hold/" + key)
            wait_seen(a, "/hold/" + key)
            with send_then_close(port, "/gone/" + key, lambda: wait_queued(sock, px, "BACKEND", 1)) as c:
                if px == "abort":
                    assert fc.recv_to_eof(c) == b"", who
                    assert stat(sock, px, "BACKEND")[0] == 0, who
                    a.release(key)
                    assert first.join()[0] == "200"
                    assert "/gone/" + key not in a.seen(), who
                else:
                    a.release(key)
                    assert first.join()[0] == "200"
                    assert fc.recv_to_eof(c).startswith(b"HTTP/1.1 200 OK\r\n"), who
                    wait_seen(a, "/gone/" + key)
    for who in WHO:
        log = tmp_path / ("%s.log" % who)
        fc.wait_until(lambda: log_states(log, "/gone/%s0" % who), 10.0, "%s's log line" % who)
        assert log_states(log, "/gone/%s0" % who) == [("-1", "CQ")], who
        assert log_states(log, "/gone/%s1" % who) == [("200", "--")], who


def test_abortonclose_drops_a_request_still_connecting(pair, tmp_path):
    """option abortonclose: a client that closes while the server has not
    taken the connection (its accept queue is full: the SYN waits) is
    dropped, CC in the log; without the option the connect goes on until
    timeout connect, then 503."""
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    try:
        for _ in range(2):  # the accept queue's room (backlog 0 takes one)
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", port))
            fillers.append(f)
        time.sleep(0.2)
        srv = ["a 127.0.0.1:%d" % port]
        run = start(pair, tmp_path, lambda p: (
            # abort's connect timeout is far beyond its bound below: the
            # drop is told from the timeout also under a load average of 15
            listen(p[0], "abort", ["timeout connect 30s", "retries 0", "option abortonclose"], srv) +
            listen(p[1], "keep", ["timeout connect 5s", "retries 0"], srv)), n=2)
        for who in WHO:
            ports, sock = run[who]
            for port, px in zip(ports, ("abort", "keep")):
                t0 = time.monotonic()
                # scur: the server counts the request from the connect on
                with send_then_close(port, "/%s/%s" % (px, who),
                                     lambda: fc.wait_until(lambda: stat(sock, px, "a")[2] == 1, 15.0,
                                                           "the connect")) as c:
                    got = fc.recv_to_eof(c)
                if px == "abort":
                    assert got == b"", who
                    assert time.monotonic() - t0 < 20.0, who  # before timeout connect
                else:
                    assert got.startswith(b"HTTP/1.1 503 "), (who, got)
        for who in WHO:
            log = tmp_path / ("%s.log" % who)
            fc.wait_until(lambda: log_states(log, "/abort/" + who), 10.0, "%s's log line" % who)
            assert log_states(log, "/abort/" + who) == [("-1", "CC")], who
    finally:
        for f in fillers:
            f.close()
        full.close()
