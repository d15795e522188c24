"""mode tcp's idle timeouts side by side with Debian's haproxy 2.6: the
same haproxy.cfg served by both, the same idle connections; each program's
log line says when (%Tt) and how (%ts) it ended each, and both must say
the same, within a few tenths of a second.

What HAProxy does (src/proxy/tcp_idle.c): bytes either way refresh both
sides' timeouts; a side's timeout (`timeout client`, `timeout server`)
expiring stops reading that side and sends the other a FIN (which it sees
then); the connection ends when neither side is read any more: an idle one
at the longer timeout, named by the shorter in the log ("cD", "sD"), a
half-closed one at the open side's; a side that got a FIN waits
`client-fin` / `server-fin` instead, if set; `timeout tunnel` replaces
client and server.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import socket
import threading
import time

import fc
from test_http_answers import side_by_side  # noqa: F401 (a fixture)


class Origin(fc.ThreadServer):
    """A server taking connections concurrently (the cases run at once):
    it reads the client's first bytes; "fin..." -> answers "bye" and
    half-closes.  Then it keeps its side open, without a FIN, until the
    proxy closes it or HOLD seconds pass; fins[first bytes] is how long
    after them the proxy's FIN came."""
    HOLD = 8.0

    def __init__(self):
        self.fins = {}
        super().__init__()

    def handle(self, c):
        # a copy of the socket for the thread: c is closed on return
        threading.Thread(target=self._one, args=(c.dup(),), daemon=True).start()

    def _one(self, c):
        with c:
            end = time.monotonic() + self.HOLD
            c.settimeout(0.1)
            try:
                data = None
                while data is None and time.monotonic() < end and not self.done:
                    try:
                        data = c.recv(100)
                    except socket.timeout:
                        continue
                if not data:  # a probe's
                    return
                start = time.monotonic()
                if data.startswith(b"fin"):
                    c.sendall(b"bye")
                    c.shutdown(socket.SHUT_WR)
                fin = False
                while time.monotonic() < end and not self.done:
                    try:
                        if not c.recv(100):  # the proxy's FIN: hold on
                            if not fin:
                                self.fins[data] = time.monotonic() - start
                            fin = True
                            time.sleep(0.1)
                    except socket.timeout:
                        pass
            except OSError:  # the proxy's reset: done
                pass


def client(port, name, how, fins):
    """One client: sends its name ("fin..." has the server answer and
    half-close), "shut" then half-closes; it keeps its side open until the
    proxy ends the connection or 6 s pass.  fins[name]: when the proxy's
    FIN came."""
    with fc.connect(port, timeout=6.0) as s:
        s.sendall(name.encode())
        start = time.monotonic()
        if how == "shut":
            s.shutdown(socket.SHUT_WR)
        try:
            while time.monotonic() < start + 6.0:
                if not s.recv(100):
                    fins.setdefault(name, time.monotonic() - start)
                    time.sleep(0.1)  # the proxy may end it later
        except OSError:  # its reset, or 6 s passed
            pass


TCP = ["  mode tcp", "  log global", "  option dontlognull", '  log-format "%ft %ts %Tt"']

# (name, timeouts, how the client behaves, seconds until the end, state)
CASES = [
    # idle both ways: the shorter sends a FIN, the longer ends it
    ("cs", ["client 1s", "server 3s"], "idle", 3.0, "cD"),
    ("sc", ["client 3s", "server 1s"], "idle", 3.0, "sD"),
    ("tun", ["client 1s", "server 1s", "tunnel 2s"], "idle", 2.0, "cD"),
    # the client's timeout sent the server a FIN: server-fin from then
    ("csfin", ["client 1s", "server 3s", "server-fin 1s"], "idle", 2.0, "cD"),
    # the client's FIN: its own timeout no longer counts
    ("shut", ["client 1s", "server 3s"], "shut", 3.0, "sD"),
    ("shutfin", ["client 1s", "server 3s", "server-fin 2s"], "shut", 2.0, "sD"),
    # the server's FIN: the client's timeout, or client-fin
    ("fin1", ["client 1s", "server 3s"], "fin", 1.0, "cD"),
    ("fin2", ["client 3s", "server 3s", "client-fin 1s"], "fin", 1.0, "cD"),
]


def test_idle_connections_end_when_haproxy_ends_them(side_by_side, tmp_path):  # noqa: F811
    origin = Origin()
    try:
        def sections(port_of):
            out = ["global", "  log stdout format raw local0"]
            for name, timeouts, _, _, _ in CASES:
                out += ["listen " + name, "  bind 127.0.0.1:%d" % port_of(name)] + TCP
                out += ["  timeout " + t for t in timeouts]
                out += ["  server s1 127.0.0.1:%d" % origin.port]
            return out
        ports = side_by_side(sections)
        ended = {}
        for who in ports:
            origin.fins.clear()
            fins = {}
            threads = [threading.Thread(target=client, args=(ports[who][name], name, how, fins))
                       for name, _, how, _, _ in CASES]
            for t in threads:
                t.start()
            for t in threads:
                t.join(15)
            # the client's timeout: the server got a FIN then, not before
            assert 0.7 < origin.fins[b"cs"] < 1.5, (who, origin.fins)
            # the server's: the client got a FIN then
            assert 0.7 < fins["sc"] < 1.5, (who, fins)
            path = tmp_path / ("%s.log" % who)

            def lines():
                got = [ln.split(" ") for ln in path.read_text(errors="replace").splitlines()]
                got = {w[0]: w[1:] for w in got if len(w) == 3 and w[0] in ports[who]}
                return got if len(got) == len(CASES) else None
            got = fc.wait_until(lines, 10.0, "%s's lines" % who)
            ended[who] = {name: (got[name][0], int(got[name][1]) / 1000.0) for name in got}
        for name, _, _, want, state in CASES:
            for who in ports:
                ts, tt = ended[who][name]
                assert ts == state and abs(tt - want) < 0.4, (
                    "%s ended %s after %.2f s (%s), not %.1f s (%s): %r" % (who, name, tt, ts, want, state, ended))
    finally:
        origin.stop()
