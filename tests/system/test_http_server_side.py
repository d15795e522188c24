"""What the servers see of a client's transaction, side by side with
Debian's haproxy 2.6 (the side_by_side fixture of test_http_answers.py:
one haproxy.cfg served by both on loopback, in front of the same real
server): the Connection header the server gets when the client wants to
close, in each connection mode; which server a failed connection is
retried on (option redispatch [N]) and when.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import time

import fc
import test_http
from test_http_answers import raw, side_by_side  # noqa: F401 (a fixture)

MODES = {"ka": [], "sc": ["option http-server-close"], "hc": ["option httpclose"]}

# requests whose client wants its connection closed after the answer
CLOSING = ["GET /close HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
           "GET /close-mixed HTTP/1.1\r\nHost: t\r\nConnection: Close\r\n\r\n",
           "GET /ten HTTP/1.0\r\nHost: t\r\n\r\n"]


def conn_of(head):
    """The request line and the Connection values of a head (bytes)."""
    lines = head.decode("latin-1").split("\r\n")
    return lines[0], [v.strip().lower() for k, _, v in (l.partition(":") for l in lines[1:])
                      if k.strip().lower() == "connection"]


def test_client_close_does_not_close_the_server_side(side_by_side):
    """A client's `Connection: close` (or HTTP/1.0 without keep-alive) is
    the client side's business: with http-keep-alive the server gets the
    request as a kept-alive one (no `close`; `keep-alive` on HTTP/1.0), as
    HAProxy 2.6 sends it, and the client's answer says close; with
    http-server-close and httpclose the server gets `close` on HTTP/1.1 and
    nothing on HTTP/1.0 (whose default is to close)."""
    origin = test_http.Origin("a")
    try:
        ports = side_by_side(lambda port_of: sum(
            (["listen " + m, "  bind 127.0.0.1:%d" % port_of(m)] + ["  " + l for l in lines]
             + ["  server a 127.0.0.1:%d" % origin.port] for m, lines in MODES.items()), []))
        seen = {}
        for who in ("haproxy", "fulcrum"):
            for mode in MODES:
                for req in CLOSING:
                    n = len(origin.heads)
                    out = raw(ports[who][mode], req)
                    head = out.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
                    assert head.startswith("http/1.1 200 "), (who, mode, out)
                    with origin.lock:
                        got = [conn_of(h) for h in origin.heads[n:]]
                    seen[who, mode, req] = got, [l for l in head.split("\r\n") if l.startswith("connection:")]
        diffs = ["%s %r:\n  haproxy %r\n  fulcrum %r" % (m, r.split("\r\n")[0], seen["haproxy", m, r],
                                                         seen["fulcrum", m, r])
                 for m in MODES for r in CLOSING if seen["haproxy", m, r] != seen["fulcrum", m, r]]
        assert not diffs, "\n".join(diffs)
        # what the server and the client see, whatever haproxy does
        assert seen["fulcrum", "ka", CLOSING[0]] == ([("GET /close HTTP/1.1", [])], ["connection: close"])
        assert seen["fulcrum", "ka", CLOSING[2]] == ([("GET /ten HTTP/1.0", ["keep-alive"])],
                                                     ["connection: close"])
        assert seen["fulcrum", "sc", CLOSING[2]][0] == [("GET /ten HTTP/1.0", [])]
    finally:
        origin.stop()


def test_redispatch_on_the_retries_haproxy_chooses(side_by_side, backend, tmp_path):
    """`option redispatch [N]` with `retries 3`, a persistence cookie naming
    a server that refuses: HAProxy 2.6 retries that server (after a turn-
    around of a second each time) and goes to another only on the last
    retry (no N), on every retry (1), on the second before the last (-2);
    a request nothing ties to a server (roundrobin, no cookie) goes to
    another at once; without redispatch the same server is retried until
    503.  The log's %rc and the time each answer takes tell them apart."""
    live = backend("live", mode="http")
    dead = fc.free_port()
    srv = ["  server d 127.0.0.1:%d cookie d" % dead, "  server s %s cookie s" % live.addr()]
    cases = {  # backend: (its lines, the cookie sent, turn-arounds waited)
        "last": (["option redispatch"], "d", 2),
        "every": (["option redispatch 1"], "d", 0),
        "minus2": (["option redispatch -2"], "d", 1),
        "free": (["option redispatch"], None, 0),
        "never": (["retries 2"], "d", 2),
    }

    def sections(port_of):
        out = ["global", "  log stdout format raw local0",
               "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  log global",
               "  option dontlognull", '  log-format "RC %HP %b/%s %ST %rc"',
               "  use_backend %[path,field(2,/)]"]
        for name, (lines, _, _) in cases.items():
            out += ["backend " + name, "  balance roundrobin", "  retries 3",
                    "  cookie SRV insert indirect nocache"] + ["  " + l for l in lines] + srv
        return out

    ports = side_by_side(sections)
    for who in ("haproxy", "fulcrum"):
        for name, (_, cookie, turns) in cases.items():
            t0 = time.monotonic()
            hdr = "Cookie: SRV=%s\r\n" % cookie if cookie else ""
            out = raw(ports[who]["fe"], "GET /%s/%s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n"
                      % (name, who, hdr))
            took = time.monotonic() - t0
            assert out.startswith(b"HTTP/1.1 503 " if name == "never" else b"HTTP/1.1 200 "), (who, name, out)
            # a lower bound only: a loaded machine may be slower, never faster
            assert took >= turns * 0.9, (who, name, took)
            if turns == 0:
                assert took < 30, (who, name, took)
    logs = {}
    for who in ("haproxy", "fulcrum"):
        path = tmp_path / ("%s.log" % who)

        def lines():
            got = sorted(l.replace("/" + who, "") for l in path.read_text(errors="replace").splitlines()
                         if l.startswith("RC "))
            return got if len(got) >= len(cases) else None
        logs[who] = fc.wait_until(lines, 15.0, "%s's log lines" % who)
    assert logs["fulcrum"] == logs["haproxy"]
    assert logs["fulcrum"] == sorted(["RC /last last/s 200 +3", "RC /every every/s 200 +1",
                                      "RC /minus2 minus2/s 200 +2", "RC /free free/s 200 +1",
                                      "RC /never never/d 503 2"])
