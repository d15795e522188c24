"""A reload that moves a queued-for server to another backend (issue 11),
side by side with Debian's haproxy 2.6, both on 4 threads, both reloaded
the master-worker way (-W, SIGUSR2).

Backend app balances over a and b, each `maxconn 1`; 30 clients at once
find both busy (the origins hold every request until the test lets them
go), so 28 wait in app's queue.  The reload moves a to backend other.  In
fulcrum a backend's queue and its servers' slots are under the backend's
own mutex (one of 64, chosen by the backend's queue), so a moved server's
slots are then another mutex's: the waiting requests must still each get
an answer, none hang, and no server ever has two requests at once.
HAProxy's old process serves its queue with the old configuration: 200
for all 30, and fulcrum gives the same.  Under ThreadSanitizer (./dev
tsan) a data race fails the test (fc.assert_no_sanitizer).

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import signal
import subprocess
import threading

import fc
from test_http_persist import ask
from test_http_queue import Holder, stat
from test_http_rules import HAPROXY, Server, programs

N = 30


def config(ports, sock, origins, moved):
    """fe (ports[0]) -> app; probe (ports[1]) -> its own server, answering
    with the generation; a in app, or in other once moved."""
    a, b, c = (origins[n].port for n in "ABC")
    app = ["server b 127.0.0.1:%d maxconn 1" % b]
    other = ["server z 127.0.0.1:%d maxconn 1" % c]
    (other if moved else app).insert(0, "server a 127.0.0.1:%d maxconn 1" % a)
    lines = ["global", "  nbthread 4", "  stats socket %s level admin" % sock,
             "defaults", "  mode http", "  timeout connect 5s", "  timeout client 40s",
             "  timeout server 40s", "  timeout queue 40s",
             "frontend fe", "  bind 127.0.0.1:%d" % ports[0], "  default_backend app",
             "frontend probe", "  bind 127.0.0.1:%d" % ports[1],
             "  http-response set-header x-gen %d" % int(moved), "  default_backend pb",
             "backend app", "  balance roundrobin"] + ["  " + s for s in app] + \
            ["backend other", "  balance roundrobin"] + ["  " + s for s in other] + \
            ["backend pb", "  server p 127.0.0.1:%d" % c]
    return "\n".join(lines) + "\n"


class MasterWorker(Server):
    """Server run with -W: SIGUSR2 reloads it."""

    def __init__(self, argv0, cfg_path, ports, logpath):
        self.log = open(logpath, "w+")
        self.p = subprocess.Popen([argv0, "-W", "-db", "-f", str(cfg_path)], stdout=self.log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=fc.env())
        for port in ports:
            fc.wait_until(lambda: self.p.poll() is not None or self.listening(port), 30.0,
                          "%s listening on %d" % (argv0, port))
            assert self.p.poll() is None, "%s exited: %s" % (argv0, self.output())


def generation(port):
    st, hdrs, _ = ask(port, path="/probe")
    return dict(hdrs).get("x-gen") if st == "200" else None


def reload(srv, probe_port, who):
    """SIGUSR2 until the new configuration answers: haproxy's master may
    let one that comes soon after its start go unheeded (seen 1 run in 3
    here); another reload of the same file changes nothing."""
    for _ in range(10):
        srv.p.send_signal(signal.SIGUSR2)
        try:
            fc.wait_until(lambda: generation(probe_port) == "1", 2.0, "the new configuration")
            return
        except AssertionError:
            pass
    raise AssertionError("%s: the new configuration is not served\n%s" % (who, srv.output()))


def run(prog, tmp_path, who, origins):
    """30 queued clients, the reload, then the origins let go: the answers
    (status, server) in client order."""
    ports = [fc.free_port(), fc.free_port()]
    sock = str(tmp_path / ("%s.sock" % who))
    cfg = tmp_path / ("%s.cfg" % who)
    cfg.write_text(config(ports, sock, origins, False))
    srv = MasterWorker(prog, cfg, ports, tmp_path / ("%s.log" % who))
    got = [None] * N
    threads = []
    try:
        def one(i):
            try:
                st, _, body = ask(ports[0], path="/%s/%d?hold=%s" % (who, i, who))
                got[i] = (st, body.partition(" ")[0])
            except OSError as e:
                got[i] = ("error", str(e))

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(N)]
        for t in threads:
            t.start()
        fc.wait_until(lambda: stat(sock, "app", "BACKEND")[0] == N - 2, 20.0, "%s: %d queued" % (who, N - 2))
        cfg.write_text(config(ports, sock, origins, True))
        reload(srv, ports[1], who)
        for o in origins.values():
            o.release(who)
        for t in threads:
            t.join(60)
        assert not [t for t in threads if t.is_alive()], "%s: a client got no answer" % who
        return got
    finally:
        for o in origins.values():
            o.release(who)
        for t in threads:
            t.join(5)
        out = srv.stop()
        if prog != HAPROXY:
            fc.assert_no_sanitizer(out, "fulcrum as haproxy")


def test_reload_moving_a_queued_for_server_answers_every_client(bins, tmp_path):
    ours = str(programs())
    origins = {n: Holder(n) for n in "ABC"}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", ours)):
            got = run(prog, tmp_path, who, origins)
            statuses = sorted(st for st, _ in got)
            assert statuses == ["200"] * N, (who, [g for g in got if g[0] != "200"][:5])
            seen = sorted(p for o in "AB" for p in origins[o].seen() if p.startswith("/%s/" % who))
            assert seen == sorted("/%s/%d?hold=%s" % (who, i, who) for i in range(N)), who
            assert {o: origins[o].peak for o in "AB"} == {"A": 1, "B": 1}, who
    finally:
        for o in origins.values():
            o.stop()
