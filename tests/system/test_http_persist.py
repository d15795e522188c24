"""Persistence in the HTTP engine (src/proxy/http_cookie.c) side by side
with Debian's haproxy 2.6: the same haproxy.cfg is served by both on
loopback in front of the same origin servers, the same requests are sent
to each, and what a client sees must be the same: which server answered,
the Set-Cookie and Cache-control headers, what cookies the server got.

Each listen section uses `balance first`, so a request without a
persistence cookie goes to the first server with room in both programs and
the answers can be compared one by one.

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import socket
import time

import pytest

import fc
import test_http
from test_http_rules import HAPROXY, Server, programs


class Origin(test_http.Origin):
    """test_http's server answering otherwise: "NAME PATH cookie=C" (C: the
    Cookie headers it got, joined by '|'); each request header `X-Give: V`
    comes back as `Set-Cookie: V` and each `X-Resp: H: V` as the header
    `H: V`.  GET /sleep/S waits S seconds first (handle)."""

    def __init__(self, name):
        self.held = []
        super().__init__(name)

    def _serve(self, c):
        with self.lock:
            self.held.append(c)
        c.settimeout(30)
        buf = b""
        try:
            while not self.stopping:
                while b"\r\n\r\n" not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                hdrs = [(k.strip().lower(), v.strip()) for k, _, v in (l.partition(":") for l in lines[1:])]
                n = sum(int(v) for k, v in hdrs if k == "content-length")
                while len(buf) < n:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                buf = buf[n:]
                path = lines[0].split(" ")[1]
                self.handle(path)
                body = ("%s %s cookie=%s" % (self.name, path, "|".join(v for k, v in hdrs if k == "cookie"))).encode()
                extra = "".join("Set-Cookie: %s\r\n" % v for k, v in hdrs if k == "x-give")
                extra += "".join("%s\r\n" % v for k, v in hdrs if k == "x-resp")
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n" % (len(body), extra.encode()) + body)
        except OSError:
            return
        finally:
            c.close()

    def handle(self, path):
        """A request head for path came, its answer follows on return."""
        if path.startswith("/sleep/"):
            time.sleep(float(path.split("/")[2]))

    def stop(self):
        # the proxies keep idle connections: end them, so the threads do
        with self.lock:
            for c in self.held:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        super().stop()


def ask(port, method="GET", path="/", headers=(), body=b""):
    """One request on its own connection: (status, [(name, value)] of the
    response lowercased by name, body)."""
    req = "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" % (method, path)
    req += "".join("%s: %s\r\n" % h for h in headers)
    if body or method == "POST":
        req += "Content-Length: %d\r\n" % len(body)
    with fc.connect(port, timeout=20.0) as s:
        s.sendall(req.encode() + b"\r\n" + body)
        data = fc.recv_to_eof(s)
    head, _, rbody = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = [(k.strip().lower(), v.strip()) for k, _, v in (l.partition(":") for l in lines[1:])]
    return lines[0].split(" ")[1], hdrs, rbody.decode("latin-1")


def seen(answer):
    """What a client and the server saw of one exchange: status, server,
    the cookie the server got, Set-Cookie values, Cache-control values."""
    status, hdrs, body = answer
    who, _, rest = body.partition(" ")
    return (status, who if status == "200" else "-", rest.partition("cookie=")[2],
            [v for k, v in hdrs if k == "set-cookie"], [v for k, v in hdrs if k == "cache-control"])


@pytest.fixture
def origins():
    made = {n: Origin(n) for n in ("A", "B", "C")}
    yield made
    for o in made.values():
        o.stop()


@pytest.fixture
def pair(bins, tmp_path):
    """pair(make_cfg, nlisten) starts haproxy and fulcrum-as-haproxy on the
    config make_cfg(ports) returns for nlisten fresh ports each: returns
    {"haproxy": ports, "fulcrum": ports}.  Both stopped at teardown."""
    ours = programs()
    started = []

    def start(make_cfg, n):
        ports = {}
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            ports[who] = [fc.free_port() for _ in range(n)]
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(make_cfg(ports[who]))
            started.append(Server(prog, cfg, ports[who], tmp_path / ("%s.log" % who)))
        return ports

    try:
        yield start
    finally:
        outs = [s.stop() for s in started]
    for out in outs[1::2]:
        fc.assert_no_sanitizer(out, "fulcrum as haproxy")


DEFAULTS = ("defaults\n  mode http\n  balance first\n  timeout connect 2s\n  timeout client 20s\n"
            "  timeout server 20s\n")


def listen(port, name, lines, servers):
    return "listen %s\n  bind 127.0.0.1:%d\n%s%s" % (
        name, port, "".join("  %s\n" % l for l in lines),
        "".join("  server %s\n" % s for s in servers))


def both(ports, i, *args, **kw):
    return seen(ask(ports["haproxy"][i], *args, **kw)), seen(ask(ports["fulcrum"][i], *args, **kw))


def compare(ports, cases):
    """cases: (listen index, method, path, headers).  Every exchange's
    (haproxy's, fulcrum's), after asserting they are the same."""
    got, diffs = [], []
    for i, method, path, headers in cases:
        theirs, ours = both(ports, i, method, path, headers)
        if theirs != ours:
            diffs.append("listen %d %s %s %r:\n  haproxy %r\n  fulcrum %r" % (i, method, path, headers, theirs, ours))
        got.append(ours)
    assert not diffs, "\n".join(diffs)
    return got


FRESH = ("X-Resp", "Cache-Control: max-age=5")


def test_cookie_insert_rewrite_prefix_as_haproxy(pair, origins):
    a, b, c = (origins[n].port for n in "ABC")
    srv = ["a 127.0.0.1:%d cookie ca" % a, "b 127.0.0.1:%d cookie cb" % b, "c 127.0.0.1:%d" % c]

    def cfg(p):
        return DEFAULTS + "".join([
            listen(p[0], "ins", ['cookie SRV insert indirect nocache httponly secure domain .ex.com attr "SameSite=Lax"'], srv),
            listen(p[1], "nocookie_first", ["cookie SRV insert indirect nocache"], [srv[2], srv[0]]),
            listen(p[2], "rw", ["cookie SRV rewrite"], srv),
            listen(p[3], "pf", ["cookie JS prefix"], srv),
            listen(p[4], "direct", ["cookie SRV insert"], srv),
            listen(p[5], "keep", ["cookie SRV insert preserve postonly"], srv),
            listen(p[6], "passive", ["cookie SRV"], srv),
        ])

    ports = pair(cfg, 7)
    got = compare(ports, [
        (0, "GET", "/", []),                                                          # 0: first server, cookie inserted
        (0, "GET", "/", [("Cookie", "a=1; SRV=cb; b=2")]),                           # 1: to b, SRV removed, no new one
        (0, "GET", "/", [("Cookie", "SRV=zz")]),                                     # 2: unknown value: reinserted
        (0, "GET", "/", [("Cookie", "SRV=cb"), ("X-Give", "SRV=mine"), ("X-Give", "o=1")]),  # 3: server's SRV dropped
        (0, "GET", "/", [FRESH]),                                                     # 4: cacheable: private added
        (0, "GET", "/", [FRESH, ("X-Resp", "Pragma: no-cache")]),                     # 5: not cacheable
        (0, "POST", "/", [FRESH]),                                                    # 6: POST is not cached
        (1, "GET", "/", [FRESH]),                                                     # 7: no server cookie: expire it
        (2, "GET", "/", [("X-Give", "SRV=app; Path=/x"), ("Cookie", "SRV=cb")]),     # 8: rewritten to b's
        (2, "GET", "/", [("X-Give", "other=1")]),                                    # 9: nothing to rewrite
        (3, "GET", "/", [("X-Give", "JS=sess42; HttpOnly")]),                        # 10: prefixed
        (3, "GET", "/", [("Cookie", "x=1; JS=cb~sess42")]),                          # 11: to b, prefix gone
        (3, "GET", "/", [("Cookie", "JS=sess42")]),                                  # 12: no prefix: balanced
        (4, "GET", "/", [("Cookie", "SRV=cb; t=2")]),                                # 13: not indirect: server sees it
        (4, "GET", "/", [("Cookie", "SRV=cb"), ("X-Give", "SRV=srv")]),              # 14: insert drops the server's own
        (5, "GET", "/", []),                                                          # 15: postonly: not on GET
        (5, "POST", "/", [("X-Give", "SRV=bye")]),                                   # 16: preserve: the server's stays
        (5, "POST", "/", []),                                                         # 17: POST: inserted
        (6, "GET", "/", [("Cookie", "SRV=cb"), ("X-Give", "SRV=x")]),                # 18: passive: read, nothing changed
    ])
    ins = "; path=/; domain=.ex.com; HttpOnly; Secure; SameSite=Lax"
    assert got[0] == ("200", "A", "", ["SRV=ca" + ins], []), got[0]
    assert got[1] == ("200", "B", "a=1; b=2", [], []), got[1]
    assert got[2] == ("200", "A", "", ["SRV=ca" + ins], []), got[2]
    assert got[3] == ("200", "B", "", ["o=1"], []), got[3]
    assert got[4][3:] == (["SRV=ca" + ins], ["max-age=5", "private"]), got[4]
    assert got[7][3] == ["SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"], got[7]
    assert got[8][:4] == ("200", "B", "SRV=cb", ["SRV=cb; Path=/x"]), got[8]
    assert got[10][3] == ["JS=ca~sess42; HttpOnly"], got[10]
    assert got[11][:3] == ("200", "B", "x=1; JS=sess42"), got[11]
    assert got[13][:4] == ("200", "B", "SRV=cb; t=2", []), got[13]
    assert got[16][3] == ["SRV=bye"] and got[17][3] == ["SRV=ca; path=/"], got[16:18]
    assert got[18][:4] == ("200", "B", "SRV=cb", ["SRV=x"]), got[18]


def test_cookie_of_a_down_server_as_haproxy(pair, origins):
    """A cookie naming a server whose checks failed: redispatched by the
    balance and a new cookie; with `option persist` the dead server is
    tried first, then `option redispatch` moves the request on; without
    redispatch the client gets 503."""
    a = origins["A"].port
    dead = fc.free_port()
    srv = ["a 127.0.0.1:%d cookie ca" % a, "b 127.0.0.1:%d cookie cb check inter 300 fall 1 rise 1" % dead]

    def cfg(p):
        return DEFAULTS + "  retries 1\n" + "".join([
            listen(p[0], "plain", ["cookie SRV insert indirect"], srv),
            listen(p[1], "persist", ["cookie SRV insert indirect", "option persist", "option redispatch"], srv),
            listen(p[2], "stuck", ["cookie SRV insert indirect", "option persist"], srv),
        ])

    ports = pair(cfg, 3)
    for who in ("haproxy", "fulcrum"):
        fc.wait_until(lambda: seen(ask(ports[who][0], headers=[("Cookie", "SRV=cb")]))[1] == "A", 30.0,
                      "%s marks the dead server down" % who)
    got = compare(ports, [
        (0, "GET", "/", [("Cookie", "SRV=cb")]),
        (1, "GET", "/", [("Cookie", "SRV=cb")]),
        (2, "GET", "/", [("Cookie", "SRV=cb")]),
        (2, "GET", "/", [("Cookie", "SRV=ca")]),
    ])
    assert got[0] == ("200", "A", "", ["SRV=ca; path=/"], []), got[0]
    assert got[1] == ("200", "A", "", ["SRV=ca; path=/"], []), got[1]
    assert got[2][0] == "503", got[2]
    assert got[3] == ("200", "A", "", [], []), got[3]


def shape(names):
    """Servers renamed in order of first appearance: the pattern of who
    answered, whichever server a balance started with."""
    order = {}
    return [order.setdefault(n, len(order)) for n in names]


def who_answers(port, cases):
    return [seen(ask(port, path=path, headers=h))[1] for path, h in cases]


def runtime(path, cmd):
    """A command on a stats socket: its answer's non-empty lines."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(cmd.encode() + b"\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    return [l for l in data.decode().split("\n") if l.strip()]


def test_stick_tables_as_haproxy(pair, origins, tmp_path):
    """stick on src / req.hdr() / req.cook() / url_param, match + store-request,
    store-response and a table in another section: clients keep their
    server under roundrobin, in the same pattern as haproxy."""
    a, b = origins["A"].port, origins["B"].port
    srv = ["a 127.0.0.1:%d" % a, "b 127.0.0.1:%d" % b]
    rr = "balance roundrobin"

    def sock(p):
        """The stats socket of the program serving ports p."""
        return str(tmp_path / ("s%d.sock" % p[0]))

    def cfg(p):
        return "global\n  stats socket %s level admin\n" % sock(p) + DEFAULTS + "".join([
            listen(p[0], "src", [rr, "stick-table type ip size 100 expire 30s", "stick on src"], srv),
            listen(p[1], "hdr", [rr, "stick-table type string len 8 size 100", "stick on req.hdr(x-user)"], srv),
            listen(p[2], "cook", [rr, "stick-table type string size 100",
                                  "stick on req.cook(sid) if { req.cook(sid) -m found }"], srv),
            listen(p[3], "param", [rr, "stick-table type integer size 100", "stick match url_param(u)",
                                   "stick store-request url_param(u)"], srv),
            listen(p[4], "resp", [rr, "stick-table type string size 100", "stick match req.cook(sid)",
                                  "stick store-response res.hdr(x-sid)"], srv),
            listen(p[5], "other", [rr, "stick on req.hdr(x-user) table tbl"], srv),
            "backend tbl\n  stick-table type string size 10\n",
        ])

    ports = pair(cfg, 6)
    users = ["u1", "u2", "u3", "u1", "u2", "u3", "u1", "u4", "u2"]
    cases = {
        0: [("/", [])] * 5,
        1: [("/", [("X-User", u)]) for u in users],
        2: [("/", [("Cookie", "sid=%s" % u)]) for u in users] + [("/", [])] * 3,
        3: [("/?u=%d" % (int(u[1]) * 7), []) for u in users],
        4: [("/", [("Cookie", "sid=%s" % u), ("X-Resp", "X-Sid: %s" % u)]) for u in users],
        5: [("/", [("X-User", u)]) for u in users],
    }
    diffs = []
    for i, cs in sorted(cases.items()):
        theirs = who_answers(ports["haproxy"][i], cs)
        ours = who_answers(ports["fulcrum"][i], cs)
        assert set(ours) <= {"A", "B"}, (i, ours)
        if shape(theirs) != shape(ours):
            diffs.append("listen %d: haproxy %s, fulcrum %s" % (i, theirs, ours))
        if i == 0:
            assert len(set(ours)) == 1, ours  # one client, one server
        else:
            # each user keeps the server it got first
            first = {}
            for key, who in zip(users, ours):
                assert first.setdefault(key, who) == who, (i, ours)
            assert len(set(ours[:len(users)])) == 2, (i, ours)
    assert not diffs, "\n".join(diffs)
    # the runtime API's view of the tables
    tables = {who: runtime(sock(ports[who]), "show table") for who in ports}
    assert sorted(tables["fulcrum"]) == sorted(tables["haproxy"]), tables
    assert "# table: hdr, type: string, size:100, used:4" in tables["fulcrum"], tables
    entries = {who: sorted(l.split(" ", 1)[1].split(" exp=")[0] for l in runtime(sock(ports[who]), "show table tbl")
                           if l.startswith("0x")) for who in ports}
    assert entries["fulcrum"] == entries["haproxy"] == ["key=u%d use=0" % i for i in (1, 2, 3, 4)], entries
    assert runtime(sock(ports["fulcrum"]), "show table nope") == ["No such table"]
    # the pattern a user of haproxy sees, stated once: u1 u2 u3 alternate
    # under roundrobin, then come back to their own servers
    hdr = who_answers(ports["fulcrum"][1], cases[1][:7])
    assert hdr[0] == hdr[2] == hdr[3] == hdr[5] == hdr[6] != hdr[1] == hdr[4], hdr


def test_stick_entry_follows_a_redispatched_client(pair, origins):
    """A's check fails: the stuck client is sent to B, and the table now
    says B, so it stays on B once A is back (both programs)."""
    a, b = origins["A"].port, origins["B"].port
    chk_port = fc.free_port()
    chk = socket.socket()
    chk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    chk.bind(("127.0.0.1", chk_port))
    chk.listen(64)
    srv = ["a 127.0.0.1:%d check port %d inter 300 fall 1 rise 1" % (a, chk_port), "b 127.0.0.1:%d" % b]

    def cfg(p):
        return DEFAULTS + listen(p[0], "s", ["stick-table type string size 10", "stick on req.hdr(x-user)"], srv)

    try:
        ports = pair(cfg, 1)
        u1 = [("X-User", "u1")]
        for who in ("haproxy", "fulcrum"):
            assert seen(ask(ports[who][0], headers=u1))[1] == "A", who  # balance first
        chk.close()
        for who in ("haproxy", "fulcrum"):
            fc.wait_until(lambda: seen(ask(ports[who][0], headers=u1))[1] == "B", 30.0,
                          "%s sends u1 to B once A is down" % who)
        chk = socket.socket()
        chk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        chk.bind(("127.0.0.1", chk_port))
        chk.listen(64)
        for who in ("haproxy", "fulcrum"):
            fc.wait_until(lambda: seen(ask(ports[who][0]))[1] == "A", 30.0, "%s has A back" % who)
        for who in ("haproxy", "fulcrum"):
            assert [seen(ask(ports[who][0], headers=u1))[1] for _ in range(3)] == ["B"] * 3, who
    finally:
        chk.close()
