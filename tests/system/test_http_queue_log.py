"""The log's queue places (%sq/%bq) side by side with Debian's haproxy 2.6:
one server at maxconn 1 holding a request, two more waiting in the
backend's queue behind it, released one at a time; each request's httplog
line says how many the queue gave a slot to from its arrival to its turn
(itself included), the same in both programs.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import re

import fc
from test_http_persist import listen, pair  # noqa: F401 (pair: a fixture)
from test_http_queue import WHO, Client, holders, start, wait_queued, wait_seen  # noqa: F401


def places(path, who):
    """{request path: "sq/bq"} of the httplog lines of who's requests."""
    out = {}
    for line in path.read_text(errors="replace").splitlines():
        m = re.search(r" (\d+/\d+) \"GET (/\S*%s\S*) HTTP" % who, line)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def test_queue_places_in_the_log_as_haproxy(pair, holders, tmp_path):  # noqa: F811
    a = holders("A")
    run = start(pair, tmp_path, lambda p: listen(p[0], "one", ["timeout queue 30s"],
                                                  ["a 127.0.0.1:%d maxconn 1" % a.port]))
    got = {}
    for who in WHO:
        (port,), sock = run[who]
        first = Client(port, "/hold/1" + who)
        wait_seen(a, "/hold/1" + who)
        two = Client(port, "/hold/2" + who)
        wait_queued(sock, "one", "BACKEND", 1)
        three = Client(port, "/hold/3" + who)
        wait_queued(sock, "one", "BACKEND", 2)
        for n, c in (("1", first), ("2", two), ("3", three)):
            wait_seen(a, "/hold/%s%s" % (n, who))
            a.release(n + who)
            assert c.join()[0] == "200", (who, n)
        log = tmp_path / ("%s.log" % who)
        got[who] = fc.wait_until(lambda: (lambda p: p if len(p) == 3 else None)(places(log, who)), 20.0,
                                 "%s's three lines" % who)
        got[who] = [got[who]["/hold/%s%s" % (n, who)] for n in "123"]
    assert got["fulcrum"] == got["haproxy"], got
    assert got["fulcrum"] == ["0/0", "0/1", "0/2"]
