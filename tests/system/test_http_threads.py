"""The HTTP engine's shared backend state on 4 workers, side by side with
Debian's haproxy 2.6 on 4 threads (issue 11: the server choice, the
servers' maxconn slots and the queues are the backend's, whatever worker
the kernel hands a client to): what the clients and the servers see.

Each program gets the same haproxy.cfg (nbthread 4, also on this 2-CPU
machine) in front of the same origins; every request is on a connection
of its own, so the kernel spreads them over the workers.

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import threading
import time

import pytest

from test_http_persist import ask, listen, pair  # noqa: F401 (pair: a fixture)
from test_http_queue import Holder, WHO, log_states, holders, sock_of  # noqa: F401 (holders: a fixture)

import fc

NBTHREAD = 4
DEFAULTS = ("defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
            "  log global\n  option httplog\n")


class Slow(Holder):
    """A Holder that keeps every request SLOW_S before answering, so that
    parallel clients find the server busy."""
    SLOW_S = 0.02

    def handle(self, path):
        with self.lock:
            self.arrived.append(path)
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.SLOW_S)
        with self.lock:
            self.active -= 1


def start(pair, tmp_path, sections, n=1):
    """Both programs on NBTHREAD threads, httplog to stdout, a stats socket."""
    def cfg(p):
        return ("global\n  nbthread %d\n  log stdout format raw local0\n  stats socket %s level admin\n"
                % (NBTHREAD, sock_of(tmp_path, p))) + DEFAULTS + sections(p)

    return pair(cfg, n)


def parallel(port, paths):
    """One client thread per path, all at once: their statuses and bodies."""
    got = [None] * len(paths)
    go = threading.Event()

    def one(i):
        go.wait(10)
        try:
            st, _, body = ask(port, path=paths[i])
        except OSError as e:
            st, body = "error", str(e)
        got[i] = (st, body.partition(" cookie=")[0])

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(paths))]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(60)
    assert not [t for t in threads if t.is_alive()], "a client got no answer"
    return got


def test_maxconn_1_holds_over_four_workers(pair, tmp_path):
    """A server at maxconn 1, 40 clients at once over 4 workers: every one is
    answered 200 by that server, and the server never has two requests at
    once (it counts them itself), with haproxy as with fulcrum."""
    a = Slow("A")
    try:
        ports = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 30s"],
                                                       ["a 127.0.0.1:%d maxconn 1" % a.port]))
        for who in WHO:
            with a.lock:
                a.peak = 0
            paths = ["/%s/%d" % (who, i) for i in range(40)]
            got = parallel(ports[who][0], paths)
            assert got == [("200", "A " + p) for p in paths], (who, [g for g in got if g[0] != "200"][:5])
            assert sorted(p for p in a.seen() if p.startswith("/%s/" % who)) == sorted(paths), who
            assert a.peak == 1, (who, a.peak)
    finally:
        a.stop()


def test_roundrobin_gives_each_server_a_third_over_four_workers(pair, tmp_path):
    """balance roundrobin over 3 servers on 4 workers: 300 requests one after
    another, each on a fresh connection (any worker), give each server
    exactly 100, and every 3 in a row one each -- as haproxy does."""
    origins = [Slow("s%d" % i) for i in range(3)]
    try:
        ports = start(pair, tmp_path, lambda p: listen(
            p[0], "rr", ["balance roundrobin"],
            ["s%d 127.0.0.1:%d" % (i, o.port) for i, o in enumerate(origins)]))
        for who in WHO:
            names = []
            for i in range(300):
                st, _, body = ask(ports[who][0], path="/%s/%d" % (who, i))
                assert st == "200", (who, i, st)
                names.append(body.partition(" ")[0])
            assert {n: names.count(n) for n in set(names)} == {"s0": 100, "s1": 100, "s2": 100}, who
            for k in range(0, 300, 3):
                assert sorted(names[k:k + 3]) == ["s0", "s1", "s2"], (who, k, names[k:k + 3])
    finally:
        for o in origins:
            o.stop()


def test_timeout_queue_503_over_four_workers(pair, holders, tmp_path):
    """A server at maxconn 1 held busy, 8 clients queued over 4 workers with
    `timeout queue 1s`: each gets 503 after about 1 s, none reaches the
    server, the log says sQ for each; the held one is then served.  The
    same as haproxy."""
    a = holders("A")
    ports = start(pair, tmp_path, lambda p: listen(p[0], "tq", ["timeout queue 1s"],
                                                   ["a 127.0.0.1:%d maxconn 1" % a.port]))
    for who in WHO:
        port = ports[who][0]
        got = {}
        first = threading.Thread(target=lambda: got.update(first=ask(port, path="/hold/" + who)[0]),
                                 daemon=True)
        first.start()
        fc.wait_until(lambda: "/hold/" + who in a.seen(), 20.0, "the held request at the server")
        t0 = time.monotonic()
        late = parallel(port, ["/late/%s/%d" % (who, i) for i in range(8)])
        waited = time.monotonic() - t0
        assert [st for st, _ in late] == ["503"] * 8, (who, late)
        assert 0.8 <= waited < 6.0, (who, waited)
        assert not [p for p in a.seen() if p.startswith("/late/%s/" % who)], who
        a.release(who)
        first.join(30)
        assert got.get("first") == "200", who
        log = tmp_path / ("%s.log" % who)
        for i in range(8):
            fc.wait_until(lambda: log_states(log, "/late/%s/%d " % (who, i)), 10.0, "%s's log line" % who)
            assert log_states(log, "/late/%s/%d " % (who, i)) == [("503", "sQ")], (who, i)
