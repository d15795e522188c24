"""mode tcp's logs side by side with Debian's haproxy 2.6: the same
haproxy.cfg served by both, the same connections, and each program's log
line for each must be the same once what cannot match is masked (the
client's port, the date, the timers -- of which only "-1" or not is kept --
and %ac/%fc, which haproxy may count a moment longer).

What is compared: `option tcplog` lines (frontend, backend/server,
`<NOSRV>`, %B the bytes sent to the client, the termination state: `--`
served, `SD` the server reset, `CD` the client reset, `cD`/`sD` the idle
timeout (the shorter of client and server named), `SC` a server that refuses and no server at all), a `log-format`
in mode tcp (%U, %tsc, the queues), `option dontlognull` (a connection
that sent nothing is not logged), and haproxy's "Connect from" line of a
proxy with `log` targets but no format.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import re
import socket
import struct
import time

import fc
from test_http_answers import side_by_side  # noqa: F401 (a fixture)


class Origin(fc.ThreadServer):
    """Reads what the client says, then: "rst" -> sends "partial" and
    resets; "idle" -> waits for the proxy to close; anything else (nothing
    included) -> answers "hello:" + it and closes its side.  A banner
    server (banner=True) says "hi" first, then waits for the client's end."""

    def __init__(self, banner=False):
        self.banner = banner
        super().__init__()

    def handle(self, c):
        c.settimeout(20.0)
        if self.banner:
            c.sendall(b"hi\n")
            while c.recv(100):
                pass
            return
        data = c.recv(100)
        if data.startswith(b"rst"):
            c.sendall(b"partial")
            time.sleep(0.5)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if data.startswith(b"idle"):
            c.recv(1)  # until the proxy gives up (its idle timeout)
            return
        c.sendall(b"hello:" + data)
        c.shutdown(socket.SHUT_WR)
        while c.recv(100):
            pass


TCP = ["  mode tcp", "  log global"]

# "ip:port [date] fe be/srv Tw/Tc/Tt rest"
LINE = re.compile(r"^127\.0\.0\.1:\d+ \[[^]]+\] (\S+ \S+) (\S+) (.*)$")


def masked(line):
    m = LINE.match(line)
    if not m:
        return line
    timers = "/".join("-1" if t == "-1" else "T" for t in m.group(2).split("/"))
    rest = re.sub(r" \d+/\d+/(\d+/\d+/\+?\d+ \d+/\d+)$", r" A/F/\1", m.group(3))
    return "%s %s %s" % (m.group(1), timers, rest)


def log_lines(path):
    return [masked(ln) for ln in path.read_text(errors="replace").splitlines()
            if ln.startswith("127.0.0.1:") or ln.startswith("LF ")]


def session(port, data, how):
    """One client: sends data, then "shut" half-closes and reads to the
    end, "rst" reads the first bytes and resets, "wait" reads until the
    proxy closes, "banner" reads the server's first bytes (it is
    connected: a client that leaves before is haproxy's CC at random)
    then half-closes and reads to the end.  What it read ("<reset>": it was reset first)."""
    try:
        return exchange(port, data, how)
    except ConnectionResetError:
        return b"<reset>"


def exchange(port, data, how):
    with fc.connect(port, timeout=20.0) as s:
        if data:
            s.sendall(data)
        if how == "rst":
            got = s.recv(100)
            time.sleep(0.3)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return got
        got = s.recv(100) if how == "banner" else b""
        if how in ("shut", "banner"):
            s.shutdown(socket.SHUT_WR)
        if how == "banner":
            return got + fc.recv_to_eof(s)
        return fc.recv_to_eof(s)


def test_tcplog_lines_as_haproxy(side_by_side, undo, tmp_path):  # noqa: F811
    origin = undo.stop(Origin())
    banner = undo.stop(Origin(banner=True))
    refused = fc.free_port()  # nothing listens there
    # logging every connection: not probed by the fixture (a probe that
    # closes while haproxy connects would be logged CC or SC at random)
    unprobed = {"haproxy": {}, "fulcrum": {}}

    def sections(port_of):
        mine = unprobed["fulcrum" if unprobed["haproxy"] else "haproxy"]
        for name in ("ref", "nosrv", "nn"):
            mine[name] = fc.free_port()
        srv = "  server s1 127.0.0.1:%d" % origin.port
        return [
            "global", "  log stdout format raw local0",
            "listen tl", "  bind 127.0.0.1:%d" % port_of("tl")] + TCP + [
            "  option tcplog", "  option dontlognull", srv,
            "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe")] + TCP + [
            "  option tcplog", "  option dontlognull", "  default_backend be",
            "backend be", "  mode tcp", srv,
            "listen ref", "  bind 127.0.0.1:%d" % mine["ref"]] + TCP + [
            "  option tcplog", "  retries 0", "  server s1 127.0.0.1:%d" % refused,
            "listen nosrv", "  bind 127.0.0.1:%d" % mine["nosrv"]] + TCP + [
            "  option tcplog",
            "listen idle", "  bind 127.0.0.1:%d" % port_of("idle")] + TCP + [
            "  option tcplog", "  option dontlognull", "  timeout client 1s", "  timeout server 2s", srv,
            "listen idles", "  bind 127.0.0.1:%d" % port_of("idles")] + TCP + [
            "  option tcplog", "  option dontlognull", "  timeout client 2s", "  timeout server 1s", srv,
            "listen lf", "  bind 127.0.0.1:%d" % port_of("lf")] + TCP + [
            "  option dontlognull",
            '  log-format "LF %ft %b/%s %B %U %ts %tsc %bc/%sc/%rc %sq/%bq %{+Q}b"', srv,
            "listen nn", "  bind 127.0.0.1:%d" % mine["nn"]] + TCP + [
            "  option tcplog", "  server s1 127.0.0.1:%d" % banner.port,
        ]
    ports = side_by_side(sections)
    for who in ports:
        ports[who].update(unprobed[who])
    # (frontend, bytes, how, lines it adds)
    cases = [("tl", b"abc", "shut", 1), ("tl", b"", "shut", 0),  # dontlognull
             ("tl", b"rst", "wait", 1), ("tl", b"hold", "rst", 1),
             ("fe", b"abc", "shut", 1), ("ref", b"abc", "wait", 1), ("nosrv", b"abc", "wait", 1),
             ("idle", b"idle", "wait", 1), ("idles", b"idle", "wait", 1), ("lf", b"abcd", "shut", 1), ("nn", b"", "banner", 1)]
    logs, answers = {}, {}
    for who in ("haproxy", "fulcrum"):
        path = tmp_path / ("%s.log" % who)
        n = 0
        answers[who] = []
        for name, data, how, lines in cases:
            got = session(ports[who][name], data, how)
            # what a reset leaves the client is the kernel's; a client that
            # sent nothing may be cut before the connect (haproxy's CC)
            if data and how == "shut" or how == "banner":
                answers[who].append(got)
            n += lines
            fc.wait_until(lambda: len(log_lines(path)) >= n, 20.0,
                          "%s's line for %r on %s" % (who, data, name))
        logs[who] = log_lines(path)
    assert logs["fulcrum"] == logs["haproxy"], "\n".join(
        ["haproxy:"] + logs["haproxy"] + ["fulcrum:"] + logs["fulcrum"])
    assert answers["fulcrum"] == answers["haproxy"] == [b"hello:abc", b"hello:abc", b"hello:abcd", b"hi\n"]
    assert logs["fulcrum"] == [
        "tl tl/s1 T/T/T 9 -- A/F/0/0/0 0/0",
        "tl tl/s1 T/T/T 7 SD A/F/0/0/0 0/0",
        "tl tl/s1 T/T/T 10 CD A/F/0/0/0 0/0",
        "fe be/s1 T/T/T 9 -- A/F/0/0/0 0/0",
        "ref ref/s1 T/-1/T 0 SC A/F/0/0/0 0/0",
        "nosrv nosrv/<NOSRV> -1/-1/T 0 SC A/F/0/0/0 0/0",
        "idle idle/s1 T/T/T 0 cD A/F/0/0/0 0/0",
        "idles idles/s1 T/T/T 0 sD A/F/0/0/0 0/0",
        'LF lf lf/s1 10 4 -- ---- 0/0/0 0/0 "lf"',
        "nn nn/s1 T/T/T 3 -- A/F/0/0/0 0/0"]


def test_connect_from_line_without_a_format(side_by_side, undo, tmp_path):  # noqa: F811
    """`log global` without tcplog: haproxy's "Connect from" line at the
    accept, `option dontlognull` or not."""
    origin = undo.stop(Origin())

    def sections(port_of):
        return ["global", "  log stdout format raw local0",
                "listen plain", "  bind 127.0.0.1:%d" % port_of("plain")] + TCP + [
                "  option dontlognull", "  server s1 127.0.0.1:%d" % origin.port]
    ports = side_by_side(sections)
    for who in ("haproxy", "fulcrum"):
        port = ports[who]["plain"]
        with fc.connect(port, timeout=20.0) as s:
            me = s.getsockname()[1]
            s.sendall(b"abc")
            s.shutdown(socket.SHUT_WR)
            assert fc.recv_to_eof(s) == b"hello:abc"
        want = "Connect from 127.0.0.1:%d to 127.0.0.1:%d (plain/TCP)" % (me, port)
        path = tmp_path / ("%s.log" % who)
        fc.wait_until(lambda: want in path.read_text(errors="replace").splitlines(), 20.0,
                      "%s's %r" % (who, want))
