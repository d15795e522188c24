"""`capture cookie NAME len N` side by side with Debian's haproxy 2.6: the
request's and the response's cookie in %CC and %CS of a log-format and of
option httplog, the same bytes in both programs' log lines (a prefix name,
an exact `NAME=`, several Cookie headers, a cut at N, none: "-").

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import re

import fc
from test_http_answers import both_logs, raw, side_by_side  # noqa: F401 (a fixture)


class CookieServer(fc.ThreadServer):
    """Answers every request 200 with the Set-Cookie headers its path asks:
    /a -> SESSIONID=abcdefghijklmnop; path=/ then SESSX=2, /none -> none."""

    SETS = {b"/a": [b"other=1", b"SESSIONID=abcdefghijklmnop; path=/", b"SESSX=2"],
            b"/none": []}

    def handle(self, c):
        c.settimeout(5.0)
        data = fc.recv_head(c)
        if not data:
            return
        path = data.split(b" ", 2)[1]
        sets = b"".join(b"Set-Cookie: %s\r\n" % v for v in self.SETS.get(path, []))
        c.sendall(b"HTTP/1.1 200 OK\r\n" + sets + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")


def test_capture_cookie_in_the_log_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    srv = undo.stop(CookieServer())

    def sections(port_of):
        return [
            "global", "  log stdout format raw local0",
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  log global",
            "  option dontlognull",
            '  log-format "CC=%CC|CS=%CS|Q=%{+Q}CC"',
            "  capture cookie SESS len 12",
            "  default_backend app",
            "frontend ex", "  bind 127.0.0.1:%d" % port_of("ex"), "  log global",
            "  option dontlognull",
            "  option httplog", "  capture cookie SESSX= len 20",
            "  default_backend app",
            "backend app", "  server srv 127.0.0.1:%d" % srv.port,
        ]
    ports = side_by_side(sections)
    reqs = [("fe", "GET /a HTTP/1.1\r\nHost: h\r\nCookie: a=1; SESSIONID=0123456789abcdef\r\n"
                   "Connection: close\r\n\r\n"),
            ("fe", "GET /none HTTP/1.1\r\nHost: h\r\nCookie: x=1\r\nCookie: y=2;SESSa = b c \r\n"
                   "Connection: close\r\n\r\n"),
            ("fe", "GET /none HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
            ("ex", "GET /a HTTP/1.1\r\nHost: h\r\nCookie: SESSXY=no; SESSX=yes\r\n"
                   "Connection: close\r\n\r\n")]
    for who in ("haproxy", "fulcrum"):
        for name, r in reqs:
            raw(ports[who][name], r)
    logs = both_logs(tmp_path, lambda l: l.startswith("CC=") or '"GET /a HTTP/1.1"' in l, 4)
    # httplog: the fields from the status to the termination state
    pick = re.compile(r" 200 \d+ (\S+ \S+) ")
    theirs = logs["haproxy"][:3] + pick.findall(logs["haproxy"][3])
    ours = logs["fulcrum"][:3] + pick.findall(logs["fulcrum"][3])
    assert ours == theirs, (logs["haproxy"], logs["fulcrum"])
    assert ours[0] == 'CC=SESSIONID=01|CS=SESSIONID=ab|Q="SESSIONID=01"'
    assert ours[3] == "SESSX=yes SESSX=2"
