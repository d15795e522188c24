"""The soft stop (SIGUSR1, what `haproxy -sf` sends the old process) and
`hard-stop-after` with two workers (`nbthread 2`), fulcrum run as haproxy:
whichever worker holds each connection -- the test opens several of each
kind and assumes nothing about where they land -- an idle keep-alive client
is closed at once, no worker listens any more, every request under way
(HTTP and a `mode tcp` relay) is answered whole, and the process exits by
itself when the last one ends; `hard-stop-after` ends it all the same when
clients stay.  test_http_exact.py checks the same with one program each of
haproxy and fulcrum at their default thread counts."""
import signal
import socket
import threading
import time

import pytest

import fc
from test_http_exact import wait_exit
from test_http_rules import Server, programs

BUSY = 6  # requests under way at the stop, HTTP and TCP each
IDLE = 4  # keep-alive clients between two requests


class Gate:
    """A server that holds every request it reads until release(), then
    answers it and closes; connections in parallel, each in its thread."""

    def __init__(self):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(64)
        self.srv.settimeout(0.2)
        self.port = self.srv.getsockname()[1]
        self.opened = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.held = 0
        self.threads = []
        self.t = threading.Thread(target=self._accept, daemon=True)
        self.t.start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(c,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, c):
        with c:
            c.settimeout(30.0)
            try:
                if not c.recv(65536):
                    return
                with self.lock:
                    self.held += 1
                while not self.opened.wait(0.2):
                    if self.stop.is_set():
                        return
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngate")
            except OSError:
                pass

    def count(self):
        with self.lock:
            return self.held

    def close(self):
        self.stop.set()
        for t in [self.t] + self.threads:
            t.join(timeout=10)
        self.srv.close()


@pytest.fixture
def rig(tmp_path):
    """(gate, start, socks): start(hard=None) runs fulcrum in front of the
    gate and returns (server, http port, tcp port); the sockets put in
    socks, the process and the gate are undone at teardown."""
    gate, started, socks = Gate(), [], []

    def run(hard=None):
        started.append(start(tmp_path, gate, hard))
        return started[-1]
    yield gate, run, socks
    for s in socks:
        s.close()
    for srv, _, _ in started:
        srv.stop()
    gate.close()


def start(tmp_path, gate, hard=None):
    http, tcp = fc.free_port(), fc.free_port()
    lines = ["global", "  nbthread 2"] + (["  hard-stop-after %s" % hard] if hard else []) + [
        "defaults", "  timeout connect 5s", "  timeout client 60s", "  timeout server 60s",
        "  timeout http-request 60s",
        "frontend web", "  mode http", "  bind 127.0.0.1:%d" % http,
        "  http-request return status 200 content-type text/plain string here if { path /here }",
        "  default_backend gate",
        "backend gate", "  mode http", "  server g 127.0.0.1:%d" % gate.port,
        "listen relay", "  mode tcp", "  bind 127.0.0.1:%d" % tcp, "  server g 127.0.0.1:%d" % gate.port]
    cfg = tmp_path / "h.cfg"
    cfg.write_text("\n".join(lines) + "\n")
    return Server(str(programs()), cfg, [http, tcp], tmp_path / "out.log"), http, tcp


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2.0).close()
        return False
    except OSError:
        return True


def open_busy(http, tcp, gate):
    busy = []
    for port in (http, tcp):
        for _ in range(BUSY):
            s = fc.connect(port, timeout=30.0)
            s.sendall(b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
            busy.append((port, s))
    fc.wait_until(lambda: gate.count() == 2 * BUSY, 30.0, "every request at the server")
    return busy


def test_soft_stop_two_workers(rig):
    """Idle clients closed, listeners closed on both workers, the requests
    under way answered, then the process exits 0 by itself."""
    gate, run, socks = rig
    srv, http, tcp = run()
    idle = []
    for _ in range(IDLE):
        s = fc.connect(http, timeout=10.0)
        s.sendall(b"GET /here HTTP/1.1\r\nHost: a\r\n\r\n")
        assert fc.recv_head(s).startswith(b"HTTP/1.1 200 ")
        idle.append(s)
    socks += idle
    busy = open_busy(http, tcp, gate)
    socks += [s for _, s in busy]
    srv.p.send_signal(signal.SIGUSR1)
    # every idle keep-alive client is closed (what it still had to
    # read of its answer first)
    for s in idle:
        s.settimeout(10.0)
        fc.recv_to_eof(s)
    # no worker listens: every attempt refused, on both ports
    fc.wait_until(lambda: refused(http) and refused(tcp), 15.0, "the listeners closed")
    assert all(refused(p) for p in (http, tcp) for _ in range(10))
    assert srv.p.poll() is None, "exited with requests under way: %s" % srv.output()
    gate.opened.set()
    for port, s in busy:
        s.settimeout(30.0)
        answer = fc.recv_to_eof(s)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\ngate"), answer
        if port == http:
            assert b"\r\nconnection: close\r\n" in answer, answer
        s.close()  # as a client does once answered (a TCP relay waits for it)
    assert wait_exit(srv.p, 20.0) == 0, srv.output()
    fc.assert_no_sanitizer(srv.output(), "fulcrum")


def test_hard_stop_after_two_workers(rig):
    """Requests held at the server and clients that never send one keep
    the soft stop waiting; `hard-stop-after 3s` ends the process."""
    gate, run, socks = rig
    srv, http, tcp = run(hard="3s")
    quiet = [fc.connect(http, timeout=10.0) for _ in range(IDLE)]
    socks += quiet
    socks += [s for _, s in open_busy(http, tcp, gate)]
    t0 = time.monotonic()
    srv.p.send_signal(signal.SIGUSR1)
    status = wait_exit(srv.p, 30.0)
    took = time.monotonic() - t0
    assert status is not None, "still running 30 s after SIGUSR1"
    assert 2.0 <= took < 25.0, "exited %.1f s after SIGUSR1" % took
    fc.assert_no_sanitizer(srv.output(), "fulcrum")
