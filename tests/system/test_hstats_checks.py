"""A server's check columns in `show stat` and the check families of
/metrics, side by side with Debian's haproxy 2.6 (src/check/check_kind.c:
every check result has its kind where the checker finds it).  The same
haproxy.cfg served by both on loopback, checking the same small servers of
this module: one that refuses, HTTP answers 200 and 500, one that accepts
and never answers, one that answers a line that is neither HTTP nor
+PONG, a Redis-like one that answers +PONG, an SMTP-like one.  Then the
weights of DOWN and MAINT servers, a backend's own DOWN transitions
(chkdown, lastchg, downtime) and its slim (fullconn as HAProxy computes it).

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import socket
import threading
import time
import urllib.request

import fc
from test_http_persist import pair  # noqa: F401 (a fixture)
from test_hstats import WHO, closed_port, pick, start  # noqa: F401 (closed_port: a fixture)
from test_metrics import parse

import pytest


class Fake:
    """A TCP server on loopback whose handler(conn) speaks for it; every
    connection is closed at stop."""

    def __init__(self, handler):
        self.handler = handler
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(64)
        self.port = self.s.getsockname()[1]
        self.conns = []
        self.stopping = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stopping:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        try:
            c.settimeout(10.0)
            self.handler(c)
        except OSError:
            pass
        finally:
            c.close()

    def stop(self):
        self.stopping = True
        self.s.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass
        self.t.join(5.0)


def http(status):
    def h(c):
        c.recv(4096)
        c.sendall(b"HTTP/1.1 %d Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % status)
    return h


def silent(c):
    """Accepts, reads, never answers: the check's deadline passes."""
    while c.recv(4096):
        pass


def line(text):
    def h(c):
        c.recv(4096)
        c.sendall(text)
        time.sleep(0.3)
    return h


def smtp(c):
    c.sendall(b"220 mail ready\r\n")
    f = c.makefile("rb")
    while True:
        l = f.readline()
        if not l:
            return
        if l.upper().startswith(b"QUIT"):
            c.sendall(b"221 bye\r\n")
            return
        c.sendall(b"250 hello\r\n")


@pytest.fixture
def fakes():
    made = {}
    try:
        for name, h in (("ok", http(200)), ("s500", http(500)), ("silent", silent),
                        ("nope", line(b"NOPE\r\n")), ("pong", line(b"+PONG\r\n")), ("smtp", smtp)):
            made[name] = Fake(h)
        yield {k: v.port for k, v in made.items()}
    finally:
        for f in made.values():
            f.stop()


CHECK = "check inter 500ms"
# backend: (its lines, the server's port key, what both must say: status, code)
CASES = {
    "refused": ([], "closed", ("L4CON", "")),
    "plain": ([], "ok", ("L4OK", "")),
    "httpok": (["option httpchk GET /", "http-check expect status 200"], "ok", ("L7OK", "200")),
    "http500": (["option httpchk GET /", "http-check expect status 200"], "s500", ("L7STS", "500")),
    "http500d": (["option httpchk GET /"], "s500", ("L7STS", "500")),
    "nothttp": (["option httpchk GET /"], "nope", ("L7RSP", "")),
    "httptout": (["option httpchk GET /"], "silent", ("L7TOUT", "")),
    "tcpmiss": (["option tcp-check", "tcp-check send PING\\r\\n", "tcp-check expect string +PONG"], "nope",
                ("L7RSP", "")),
    "tcpok": (["option tcp-check", "tcp-check send PING\\r\\n", "tcp-check expect string +PONG"], "pong",
              ("L7OK", "0")),
    "tcpsend": (["option tcp-check", "tcp-check send PING\\r\\n"], "pong", ("L7OK", "0")),
    "tcpnone": (["option tcp-check"], "pong", ("L4OK", "")),
    "redisok": (["option redis-check"], "pong", ("L7OK", "0")),
    "redisbad": (["option redis-check"], "nope", ("L7STS", "0")),
    "smtp": (["option smtpchk"], "smtp", ("L7OK", "221")),
}
COLS = ("check_status", "check_code", "check_desc")


def checks_config(ports, closed):
    def cfg(p):
        text = ("frontend prom\n  bind 127.0.0.1:%d\n"
                "  http-request use-service prometheus-exporter if { path /metrics }\n" % p[0])
        for name, (lines, port, _) in CASES.items():
            text += "backend %s\n%s  server s 127.0.0.1:%d %s\n" % (
                name, "".join("  %s\n" % l for l in lines), closed if port == "closed" else ports[port], CHECK)
        return text
    return cfg


def check_cols(sock):
    got = pick(sock, [(b, "s") for b in CASES], COLS)
    for r in got.values():
        r["check_status"] = r["check_status"].lstrip("* ")  # "* ": an attempt under way
    return got


def settle(read, want, timeout):
    """read() until it gives want or timeout seconds pass: its last value
    (the caller asserts it, for a diff that says what differs)."""
    deadline = time.monotonic() + timeout
    while True:
        got = read()
        if got == want or time.monotonic() >= deadline:
            return got
        time.sleep(0.1)


def metrics(port, families):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=20) as r:
        samples, _ = parse(r.read().decode())
    return {k: v for k, v in samples.items() if k[0] in families}


def test_check_statuses_as_haproxy(pair, fakes, closed_port, tmp_path):
    """Each check's status, code and description are haproxy's: L4CON for
    a refusal, L4OK for a connect, L7OK with the HTTP status, L7STS with
    the wrong one (expected or the default 2xx/3xx), L7RSP for an answer
    that is not HTTP or not the expected string, L7TOUT for no answer,
    L7OK with code 0 for a tcp-check send or expect and for redis-check,
    L7STS for redis-check's wrong reply, L7OK with SMTP's last code; the
    exporter's haproxy_server_check_status and the backends' aggregates
    say the same."""
    run = start(pair, tmp_path, checks_config(fakes, closed_port), 1)
    want = {(b, "s"): dict(zip(COLS[:2], c[2])) for b, c in CASES.items()}
    got = {}
    for who in WHO:
        sock = run[who][1]
        seen = settle(lambda: {k: {c: v[c] for c in COLS[:2]} for k, v in check_cols(sock).items()}, want, 30.0)
        assert seen == want, (who, {k: v for k, v in seen.items() if v != want[k]})
        got[who] = check_cols(sock)
    assert got["fulcrum"] == got["haproxy"]
    assert got["fulcrum"][("refused", "s")]["check_desc"] == "Layer4 connection problem"
    assert got["fulcrum"][("httptout", "s")]["check_desc"] == "Layer7 timeout"
    fams = ("haproxy_server_check_status", "haproxy_backend_agg_check_status",
            "haproxy_backend_agg_server_status", "haproxy_backend_agg_server_check_status")
    prom = {}
    # the statuses are settled (above); the servers' states may still be
    # on their way (rise 2): read both until they agree, or 20 s
    theirs = run["haproxy"][0][0]
    prom["haproxy"] = metrics(theirs, fams)
    prom["fulcrum"] = settle(lambda: metrics(run["fulcrum"][0][0], fams),
                             prom["haproxy"], 20.0)
    if prom["fulcrum"] != prom["haproxy"]:  # haproxy's may have moved on meanwhile
        prom["haproxy"] = metrics(theirs, fams)
    assert prom["fulcrum"] == prom["haproxy"], {k: (prom["haproxy"].get(k), v) for k, v in prom["fulcrum"].items()
                                                if prom["haproxy"].get(k) != v}
    s = frozenset([("proxy", "http500"), ("server", "s"), ("state", "L7STS")])
    assert prom["fulcrum"][("haproxy_server_check_status", s)] == 1


def test_weights_and_backend_state_as_haproxy(pair, fakes, closed_port, tmp_path):
    """A DOWN server (weight 7) and a MAINT one (weight 3, disabled) show
    their weights as haproxy does; the MAINT one's checks are paused (no
    status); a backend whose one server refuses went DOWN once (chkdown 1),
    at the first failure (haproxy starts a checked server one failure from
    DOWN: chkfail 1), and has been down since (lastchg, downtime); slim of
    a backend is its fullconn, else a tenth of its frontends' maxconn."""
    ok, gone = fakes["ok"], closed_port
    run = start(pair, tmp_path, lambda p: (
        "frontend f1\n  bind 127.0.0.1:%d\n  maxconn 500\n  default_backend mix\n"
        "  use_backend dead if { path /dead }\n"
        "frontend f2\n  bind 127.0.0.1:%d\n  maxconn 300\n  default_backend dead\n"
        "backend mix\n  server d 127.0.0.1:%d check inter 500ms weight 7\n"
        "  server m 127.0.0.1:%d check inter 500ms weight 3 disabled\n"
        "  server u 127.0.0.1:%d weight 5\n"
        "backend dead\n  server s 127.0.0.1:%d check inter 500ms\n"
        "backend full\n  fullconn 77\n  server s 127.0.0.1:%d\n"
        "backend alone\n  server s 127.0.0.1:%d\n" % (p[0], p[1], gone, ok, ok, gone, ok, ok)), 2)
    keys = [("mix", "d"), ("mix", "m"), ("mix", "u"), ("mix", "BACKEND"), ("dead", "s"), ("dead", "BACKEND"),
            ("full", "BACKEND"), ("alone", "BACKEND")]
    cols = ("status", "weight", "chkfail", "chkdown", "slim", "check_status", "check_rise", "check_health")
    got, times = {}, {}
    for who in WHO:
        sock = run[who][1]
        fc.wait_until(lambda: pick(sock, keys, ("status",))[("dead", "BACKEND")]["status"] == "DOWN" and
                      pick(sock, keys, ("status",))[("mix", "d")]["status"] == "DOWN", 20.0, who)
        time.sleep(2.0)  # some downtime to measure
        got[who] = pick(sock, keys, cols)
        for r in got[who].values():
            r["check_status"] = r["check_status"].lstrip("* ")
        times[who] = pick(sock, keys, ("lastchg", "downtime"))
    assert got["fulcrum"] == got["haproxy"], {k: {c: (got["haproxy"][k][c], v) for c, v in r.items()
                                                  if got["haproxy"][k][c] != v} for k, r in got["fulcrum"].items()}
    ours = got["fulcrum"]
    assert (ours[("mix", "d")]["weight"], ours[("mix", "m")]["weight"]) == ("7", "3")
    assert ours[("mix", "m")]["check_status"] == ""
    assert (ours[("dead", "BACKEND")]["chkdown"], ours[("dead", "s")]["chkfail"]) == ("1", "1")
    assert [ours[(b, "BACKEND")]["slim"] for b in ("mix", "dead", "full", "alone")] == ["50", "80", "77", "1"]
    # the times, read a moment apart: within two seconds of haproxy's
    for k in [("dead", "s"), ("dead", "BACKEND"), ("mix", "BACKEND"), ("mix", "d")]:
        for c in ("lastchg", "downtime"):
            h, f = int(times["haproxy"][k][c]), int(times["fulcrum"][k][c])
            assert abs(h - f) <= 2, (k, c, h, f)
    assert int(times["fulcrum"][("dead", "BACKEND")]["downtime"]) >= 2
    assert times["fulcrum"][("mix", "BACKEND")]["downtime"] == "0"
