"""100 reloads under load fail no request (issue 12): `fulcrum haproxy -W
-f CFG` as a user runs it, reloaded with SIGUSR2 (HAProxy's master-worker
reload) a hundred times, each time with a changed configuration, while
clients send requests on kept-alive connections and on fresh ones.  Every
request gets its 200 from a real server; each reload is seen served (the
answers carry the configuration's generation) before the next one."""
import signal
import socket
import subprocess
import threading
import time

import fc

RELOADS = 100


def config(port, servers, gen):
    """Generation `gen` of the file: the header naming it, and the servers'
    weights, change at each reload."""
    lines = ["defaults", "  mode http", "  timeout connect 5s",
             "  timeout client 30s", "  timeout server 30s", "  timeout http-keep-alive 30s",
             "frontend fe", "  bind 127.0.0.1:%d" % port,
             "  http-response set-header x-gen %d" % gen, "  default_backend app",
             "backend app", "  balance roundrobin"]
    lines += ["  server s%d %s weight %d" % (i, b.addr(), 1 + (gen + i) % 3) for i, b in enumerate(servers)]
    return "\n".join(lines) + "\n"


def read_response(f):
    """One response from a file-like socket reader: (status, headers)."""
    status = f.readline()
    if not status:
        raise ConnectionError("closed before the status line")
    hdrs = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.partition(b":")
        hdrs[k.strip().lower()] = v.strip()
    body = f.read(int(hdrs.get(b"content-length", b"0")))
    return int(status.split()[1]), hdrs, body


class Load:
    """Clients in threads until stop(): `keepalive` of them on one
    connection each, `fresh` opening one per request.  Counts answers and
    failures (an error, a close mid-exchange, a status other than 200) and
    the newest generation seen."""

    def __init__(self, port, keepalive=2, fresh=2):
        self.port = port
        self.ok = 0
        self.failures = []
        self.gen = -1
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._keepalive, daemon=True) for _ in range(keepalive)] + \
            [threading.Thread(target=self._fresh, daemon=True) for _ in range(fresh)]
        for t in self.threads:
            t.start()

    def _note(self, status, hdrs, what):
        with self.lock:
            if status != 200:
                self.failures.append("%s: status %d" % (what, status))
                return
            self.ok += 1
            self.gen = max(self.gen, int(hdrs.get(b"x-gen", b"-1")))

    def _fail(self, what, e):
        with self.lock:
            self.failures.append("%s: %r" % (what, e))

    def _keepalive(self):
        while not self.stopping.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=20) as s:
                    f = s.makefile("rb")
                    for _ in range(200):
                        if self.stopping.is_set():
                            return
                        s.sendall(b"GET /ka HTTP/1.1\r\nHost: t\r\n\r\n")
                        status, hdrs, _ = read_response(f)
                        self._note(status, hdrs, "keep-alive")
            except OSError as e:
                self._fail("keep-alive", e)
                time.sleep(0.05)

    def _fresh(self):
        while not self.stopping.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=20) as s:
                    s.sendall(b"GET /fresh HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    status, hdrs, _ = read_response(s.makefile("rb"))
                    self._note(status, hdrs, "fresh")
            except OSError as e:
                self._fail("fresh", e)
                time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)


def test_100_reloads_under_load_fail_no_request(bins, backend, tmp_path):
    servers = [backend("s%d" % i, mode="http") for i in range(2)]
    port = fc.free_port()
    cfg = tmp_path / "h.cfg"
    cfg.write_text(config(port, servers, 0))
    log = open(tmp_path / "fulcrum.log", "w+")
    p = subprocess.Popen([str(fc.BUILD / "haproxy"), "-W", "-db", "-f", str(cfg)], stdout=log,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=fc.env())
    load = None
    try:
        fc.wait_until(lambda: p.poll() is not None or _serves(port), 30.0,
                      "fulcrum serving")
        assert p.poll() is None, "fulcrum exited"
        load = Load(port)
        fc.wait_until(lambda: load.gen == 0, 15.0, "the load flowing")
        t0 = time.monotonic()
        for gen in range(1, RELOADS + 1):
            cfg.write_text(config(port, servers, gen))
            p.send_signal(signal.SIGUSR2)
            fc.wait_until(lambda: load.gen >= gen or p.poll() is not None, 15.0,
                          "generation %d served" % gen, interval=0.01)
            assert p.poll() is None, "fulcrum exited at reload %d" % gen
        took = time.monotonic() - t0
        before = load.ok
        fc.wait_until(lambda: load.ok > before + 10, 15.0, "requests after the last reload")
        load.stop()
        assert not load.failures, "%d failed of %d:\n%s" % (len(load.failures), load.ok + len(load.failures),
                                                            "\n".join(load.failures[:20]))
        assert took < 90.0, "100 reloads took %.1fs" % took
        assert load.ok > 2 * RELOADS, load.ok
    finally:
        if load:
            load.stop()
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        log.seek(0)
        out = log.read()
        log.close()
    fc.assert_no_sanitizer(out, "fulcrum haproxy -W")


def _serves(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
