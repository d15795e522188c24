"""Helpers for the system tests: ports, real servers, the daemon, clients.

Everything here talks to 127.0.0.1 / ::1 only, and every wait is bounded.
The binaries come from $FULCRUM_BUILD (default "build"), relative to the
repository root, e.g. FULCRUM_BUILD=build-san for the ASan/UBSan daemon.
"""
import json
import os
import re
import random
import resource
import select
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / os.environ.get("FULCRUM_BUILD", "build")
FULCRUM = BUILD / "fulcrum"
FULCRUMCTL = BUILD / "fulcrumctl"
PYTHON = "/usr/bin/python3"
BACKEND = REPO / "tests" / "tools" / "backend.py"

# Any of these in a daemon's or client's stderr fails the test.
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "ThreadSanitizer")

# Sanitizer settings for every process we start (harmless without ASan).
SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}


def built_with_tsan():
    """True if the daemon is a ThreadSanitizer build (make SAN=thread): its
    allocator and shadow memory make its RSS say nothing of fulcrum's own."""
    try:
        with open(FULCRUM, "rb") as f:
            return b"__tsan_init" in f.read()
    except OSError:
        return False


def env():
    e = dict(os.environ)
    e.update(SAN_ENV)
    return e


def wait_until(pred, timeout, what, interval=0.05):
    """Poll pred() until it returns a true value (returned) or time runs out."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s (last: %r)"
                                 % (timeout, what, last))
        time.sleep(interval)


# ---------------------------------------------------------------- ports

_given = set()
_given_lock = threading.Lock()


def free_port(host="127.0.0.1"):
    """A port free for both TCP and UDP on host.

    Taken below the kernel's ephemeral range (32768-60999 by default) so that
    the proxy's own outgoing connections cannot grab it between our check and
    the bind, and never handed out twice in one test run."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(1000):
        port = random.randint(20000, 32000)
        with _given_lock:
            if port in _given:
                continue
        ok = True
        for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(fam, typ)
            try:
                s.bind((host, port))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            with _given_lock:
                _given.add(port)
            return port
    raise RuntimeError("no free port found")


def has_ipv6():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


# ---------------------------------------------------------- real servers

class Backend:
    """tests/tools/backend.py as a child process."""

    def __init__(self, name, port=None, mode="id", host="127.0.0.1", burst_bytes=None,
                 logdir=None):
        self.name = name
        self.host = host
        self.port = port or free_port(host)
        self.mode = mode
        self.lines = []  # stdout lines after "ready"
        cmd = [PYTHON, str(BACKEND), "--name", name, "--port", str(self.port),
               "--host", host, "--mode", mode]
        if burst_bytes is not None:
            cmd += ["--burst-bytes", str(burst_bytes)]
        logdir = logdir or tempfile.gettempdir()
        self.errpath = os.path.join(logdir, "backend-%s-%d.stderr" % (name, self.port))
        self._err = open(self.errpath, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._err,
                                     stdin=subprocess.DEVNULL)
        self._wait_ready(10.0)
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()

    def _wait_ready(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.stop()
                    raise AssertionError("backend %s did not get ready" % self.name)
                chunk = os.read(self.proc.stdout.fileno(), 1)
                if not chunk:
                    self.stop()
                    raise AssertionError("backend %s exited: %s" % (self.name, self.stderr()))
                buf += chunk
        finally:
            sel.close()
        assert buf.strip() == b"ready", buf

    def _read_lines(self):
        for line in self.proc.stdout:
            self.lines.append(line.decode().rstrip("\n"))

    def stderr(self):
        try:
            with open(self.errpath, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def addr(self):
        return "[%s]:%d" % (self.host, self.port) if ":" in self.host else \
            "%s:%d" % (self.host, self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._err.close()


class ThreadServer:
    """A TCP server on 127.0.0.1 in a thread: each connection goes to
    self.handle(conn), closed after it (an OSError there ends only that
    connection).  A subclass sets its own fields before calling
    __init__, which starts the thread; stop() closes the listener and is
    harmless twice (fixtures call it whatever happens)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.done = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.done:
            try:
                c = self.sock.accept()[0]
            except OSError:
                continue
            with c:
                try:
                    self.handle(c)
                except OSError:
                    pass

    def stop(self):
        if not self.done:
            self.done = True
            self.t.join(5)
            self.sock.close()


# ------------------------------------------------------------ config text

def rs_block(rs, weight=None, host="127.0.0.1"):
    """rs: a Backend or a port number."""
    if isinstance(rs, Backend):
        host, port = rs.host, rs.port
    else:
        port = rs
    w = "" if weight is None else " weight %d " % weight
    return "    real_server %s %d {%s}\n" % (host, port, w)


def vs_block(port, servers, algo="rr", kind="NAT", proto="TCP", host="127.0.0.1", extra=""):
    """A keepalived virtual_server block.  servers: list of Backend/port or
    (Backend/port, weight) tuples."""
    body = "virtual_server %s %d {\n    lb_algo %s\n    lb_kind %s\n    protocol %s\n" % (
        host, port, algo, kind, proto)
    for line in extra.strip().splitlines():
        body += "    %s\n" % line.strip()
    for s in servers:
        if isinstance(s, tuple):
            body += rs_block(s[0], s[1], host)
        else:
            body += rs_block(s, None, host)
    return body + "}\n"


# ----------------------------------------------------------------- daemon

class Daemon:
    """One fulcrum process with its own config, control socket and pid file."""

    def __init__(self, workdir, conf_text, args=()):
        self.workdir = Path(workdir)
        self.conf = self.workdir / "fulcrum.conf"
        self.errpath = self.workdir / "fulcrum.stderr"
        # sun_path is 108 bytes: keep the socket in a short directory.
        self.sockdir = tempfile.mkdtemp(prefix="fc-", dir="/tmp")
        self.sock = os.path.join(self.sockdir, "ctl.sock")
        self.pidfile = os.path.join(self.sockdir, "fulcrum.pid")
        self.extra_args = list(args)
        self.control_cli = True  # pass --control (else global_defs decides)
        self.nofile = None       # RLIMIT_NOFILE (soft = hard) for the daemon, if set
        self.cpus = None         # the CPUs the daemon may run on (sched_setaffinity), if set
        self.extra_env = {}      # added to env() for the daemon (e.g. ASAN_OPTIONS)
        self.proc = None
        self.returncode = None
        self.exit_expected = False  # set by stop()/wait_exit(): any other exit is a crash
        self.write_conf(conf_text)

    def write_conf(self, text):
        # FC_PROXY_RELAY=sockmap|copy|splice runs a test file's daemons with
        # that proxy_relay (e.g. test_tcp.py through the kernel fast path)
        if os.environ.get("FC_PROXY_RELAY"):
            text = "global_defs {\n    proxy_relay %s\n}\n" % os.environ["FC_PROXY_RELAY"] + text
        # FC_NBTHREAD=N: the same with nbthread N (the proxy's worker
        # threads), appended so that the file's line numbers stay
        # (haproxy.cfg: a global section of its own, as HAProxy allows;
        # ldirectord.cf has no such keyword and is left as it is)
        n = os.environ.get("FC_NBTHREAD")
        if n and ("--format=ldirectord" in self.extra_args or
                  re.search(r"^virtual\s*=", text, re.M)):
            pass  # ldirectord.cf has no nbthread: its daemon runs the default
        elif n and ("--format=haproxy" in self.extra_args or
                  re.search(r"^(global|defaults|frontend|backend|listen)\b(?!.*\{)", text, re.M)):
            text = text + "\nglobal\n    nbthread %s\n" % n
        elif n:
            text = text + "\nglobal_defs {\n    nbthread %s\n}\n" % n
        tmp = self.conf.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.conf)

    def argv(self):
        ctl = ["--control", self.sock] if self.control_cli else []
        return [str(FULCRUM), "-f", str(self.conf), "-n", "-l", "-D", "-p", self.pidfile] + \
            ctl + self.extra_args

    def start(self, wait=True, timeout=15.0):
        self._err = open(self.errpath, "ab")
        nofile, cpus = self.nofile, self.cpus

        def pre():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
            if cpus:
                os.sched_setaffinity(0, cpus)
        self.proc = subprocess.Popen(self.argv(), stdout=self._err, stderr=self._err,
                                     stdin=subprocess.DEVNULL, env=dict(env(), **self.extra_env),
                                     preexec_fn=pre if nofile or cpus else None)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=15.0):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("fulcrum exited with %s during start-up:\n%s"
                                     % (self.proc.returncode, self.stderr()))
            if not os.path.exists(self.sock):
                return False
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.settimeout(1.0)
                s.connect(self.sock)
                return True
            except OSError:
                return False
            finally:
                s.close()
        wait_until(ready, timeout, "the control socket %s" % self.sock)
        r = self.ctl("list", "--json")
        assert r.returncode == 0, "list --json failed after start: %r" % (r,)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr(self):
        try:
            return self.errpath.read_text(errors="replace")
        except OSError:
            return ""

    # control
    def ctl(self, *args, timeout=10.0):
        r = subprocess.run([str(FULCRUMCTL), "-S", self.sock] + [str(a) for a in args],
                           capture_output=True, text=True, timeout=timeout, env=env())
        for m in SANITIZER_MARKERS:
            assert m not in r.stderr, "fulcrumctl %s: sanitizer report:\n%s" % (args, r.stderr)
        return r

    def ctl_ok(self, *args):
        r = self.ctl(*args)
        assert r.returncode == 0, "fulcrumctl %s -> %d\nstdout:%s\nstderr:%s" % (
            " ".join(map(str, args)), r.returncode, r.stdout, r.stderr)
        return r.stdout

    def list_json(self):
        return json.loads(self.ctl_ok("list", "--json"))

    def vs(self, port, proto=None, j=None):
        j = j or self.list_json()
        for v in j["virtual_servers"]:
            if v["port"] == port and (proto is None or v["protocol"].upper() == proto.upper()):
                return v
        return None

    def rs(self, vs_port, rs_port, j=None):
        v = self.vs(vs_port, j=j)
        if v is None:
            return None
        for r in v["real_servers"]:
            if r["port"] == rs_port:
                return r
        return None

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def wait_exit(self, timeout=20.0):
        """The test expects the daemon to exit by itself: its exit code."""
        self.exit_expected = True
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("fulcrum still running after %.0fs:\n%s"
                                 % (timeout, self.stderr()[-4000:]))
        return self.returncode

    def stop(self, timeout=20.0):
        """SIGTERM and assert a clean exit (0)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None and not self.exit_expected:
            raise AssertionError("fulcrum had died (exit %d) before it was stopped:\n%s"
                                 % (self.proc.returncode, self.stderr()[-4000:]))
        self.exit_expected = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError("fulcrum did not stop within %.0fs of SIGTERM:\n%s"
                                     % (timeout, self.stderr()[-4000:]))
        self.returncode = self.proc.returncode
        assert self.returncode == 0, "fulcrum exited %d:\n%s" % (
            self.returncode, self.stderr()[-4000:])
        return self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def sanitizer_report(self):
        text = self.stderr()
        for m in SANITIZER_MARKERS:
            if m in text:
                return text
        return None

    def close(self):
        self.kill()
        if getattr(self, "_err", None):
            self._err.close()
        for p in (self.sock, self.pidfile):
            try:
                os.unlink(p)
            except OSError:
                pass
        try:
            os.rmdir(self.sockdir)
        except OSError:
            pass


def run_fulcrum(*args, timeout=30.0):
    """fulcrum with args (e.g. -t -f FILE); CompletedProcess with text."""
    return subprocess.run([str(FULCRUM)] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout, env=env(), stdin=subprocess.DEVNULL)


def assert_no_sanitizer(text, what):
    for m in SANITIZER_MARKERS:
        assert m not in text, "%s: sanitizer report:\n%s" % (what, text)


# ---------------------------------------------------------------- clients

def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def connect(port, host="127.0.0.1", src=None, timeout=5.0):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    try:
        s.connect((host, port))
    except OSError:
        s.close()
        raise
    return s


def recv_head(c):
    """A request or response head from c (up to its blank line, and what
    came with it), or b"" if the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            return b""
        data += chunk
    return data


def recv_line(s, limit=4096):
    buf = b""
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            raise AssertionError("EOF before end of line (got %r)" % buf)
        buf += c
        if len(buf) > limit:
            raise AssertionError("line too long: %r" % buf[:80])
    return buf[:-1].decode()


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        c = s.recv(min(65536, n - len(buf)))
        if not c:
            raise AssertionError("EOF after %d of %d bytes" % (len(buf), n))
        buf += c
    return bytes(buf)


def recv_to_eof(s, limit=1 << 30):
    buf = bytearray()
    while True:
        c = s.recv(65536)
        if not c:
            return bytes(buf)
        buf += c
        if len(buf) > limit:
            raise AssertionError("more than %d bytes" % limit)


def who(port, host="127.0.0.1", src=None, timeout=5.0):
    """Connect through the virtual server to an id-mode backend: its name."""
    s = connect(port, host, src, timeout)
    try:
        return recv_line(s)
    finally:
        s.close()


def names(port, n, host="127.0.0.1", src=None, timeout=5.0):
    return [who(port, host, src, timeout) for _ in range(n)]


def burst(port, n, timeout=5.0):
    """n clients connect at once, then each waits for its backend's name,
    all within timeout seconds: how many were served (the others were
    refused, reset, or still queued when time ran out)."""
    socks, served = [], 0
    deadline = time.monotonic() + timeout
    try:
        for _ in range(n):
            try:
                socks.append(connect(port, timeout=timeout))
            except OSError:
                pass
        for s in socks:
            try:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                if recv_line(s):
                    served += 1
            except (OSError, AssertionError):
                pass
    finally:
        for s in socks:
            s.close()
    return served


def counts(seq):
    out = {}
    for x in seq:
        out[x] = out.get(x, 0) + 1
    return out


class Stream:
    """A long-lived connection through the proxy to an id-mode backend that
    sends a numbered message every `interval` seconds and checks its echo.

    It never reconnects: any error, short read or wrong byte is recorded in
    .error and the stream stops, so a broken connection is always seen."""

    def __init__(self, port, host="127.0.0.1", src=None, interval=0.05, timeout=5.0):
        self.sock = connect(port, host, src, timeout)
        self.name = recv_line(self.sock)
        self.interval = interval
        self.ok = 0
        self.error = None
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        seq = 0
        try:
            while not self._stop.is_set():
                msg = ("%s %08d %s\n" % (self.name, seq, "x" * (seq % 200))).encode()
                self.sock.sendall(msg)
                got = recv_exact(self.sock, len(msg))
                if got != msg:
                    raise AssertionError("echo mismatch: sent %r got %r" % (msg, got))
                seq += 1
                self.ok = seq
                self._stop.wait(self.interval)
        except Exception as e:  # recorded, checked by the test
            self.error = "%s: %r" % (type(e).__name__, e)

    def assert_flowing(self, n=3, timeout=15.0):
        """Still alive: n more round trips happen within timeout."""
        start = self.ok
        wait_until(lambda: self.error is not None or self.ok >= start + n, timeout,
                   "stream to %s to make progress" % self.name)
        assert self.error is None, "stream to %s broke: %s" % (self.name, self.error)

    def close(self, check=True):
        """Stop, then half-close and expect the backend's EOF (clean end)."""
        self._stop.set()
        self._t.join(10)
        try:
            if check:
                assert self.error is None, "stream to %s broke: %s" % (self.name, self.error)
                assert self.ok > 0, "stream to %s never exchanged data" % self.name
                self.sock.shutdown(socket.SHUT_WR)
                rest = recv_to_eof(self.sock)
                assert rest == b"", "unexpected bytes after close: %r" % rest[:80]
        finally:
            self.sock.close()


def udp_socket(host="127.0.0.1", src=None, timeout=3.0):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    return s


def udp_ask(s, port, payload, host="127.0.0.1"):
    """Send one datagram to the VIP; return the answering backend's name.
    The answer must come from the VIP address and port."""
    s.sendto(payload, (host, port))
    data, peer = s.recvfrom(65535)
    assert peer[1] == port, "answer from %r, not the virtual server port %d" % (peer, port)
    name, sep, echo = data.partition(b":")
    assert sep and echo == payload, "bad answer %r to %r" % (data, payload)
    return name.decode()


def backend_pattern(n):
    """The bytes backend.py --mode burst sends after its name line."""
    from importlib import util
    spec = util.spec_from_file_location("fc_backend_tool", str(BACKEND))
    mod = util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.pattern(n)


def run_ctl_raw(argv, timeout=10.0):
    """fulcrumctl with exactly these argv (no -S added)."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env(),
                       stdin=subprocess.DEVNULL)
    assert_no_sanitizer(r.stderr, " ".join(argv))
    return r


VS_SHAPE = ("address", "port", "protocol", "scheduler", "forward", "persistence_timeout",
            "sorry_server")
RS_SHAPE = ("address", "port", "weight", "configured_weight", "state")


def shape(j):
    """The configuration-like part of `list --json` (no counters or rates,
    which move with traffic and time), for "nothing changed" checks."""
    return [({k: v.get(k) for k in VS_SHAPE},
             [{k: r.get(k) for k in RS_SHAPE} for r in v["real_servers"]])
            for v in j["virtual_servers"]]


# ------------------------------------------- health checks (issue 3 helpers)

TOOLS = REPO / "tests" / "tools"
HTTPCTL = TOOLS / "httpctl.py"
PROTOSRV = TOOLS / "protosrv.py"


class Tool(Backend):
    """Any tests/tools program that prints "ready" when listening, then one
    line per event (collected in .lines).  Stopped like a Backend."""

    def __init__(self, name, argv, port, host="127.0.0.1", logdir=None):
        self.name = name
        self.host = host
        self.port = port
        self.mode = "tool"
        self.lines = []
        logdir = logdir or tempfile.gettempdir()
        self.errpath = os.path.join(logdir, "tool-%s-%d.stderr" % (name, port))
        self._err = open(self.errpath, "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._err,
                                     stdin=subprocess.DEVNULL)
        self._wait_ready(10.0)
        self._reader = threading.Thread(target=self._read_lines, daemon=True)
        self._reader.start()


class HttpCtl(Tool):
    """tests/tools/httpctl.py: an HTTP(S) real server whose answer the test
    changes at run time with set(status=..., body=..., mode=...)."""

    def __init__(self, name, ctldir, port=None, host="127.0.0.1", tls=None, logdir=None,
                 **answer):
        port = port or free_port(host)
        self.ctlpath = os.path.join(str(ctldir), "httpctl-%s-%d.json" % (name, port))
        self.set(**answer)
        argv = [PYTHON, str(HTTPCTL), "--port", str(port), "--host", host, "--ctl",
                self.ctlpath]
        if tls:
            argv += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        super().__init__(name, argv, port, host, logdir)

    def set(self, **answer):
        tmp = self.ctlpath + ".tmp"
        with open(tmp, "w") as f:
            json.dump(answer, f)
        os.replace(tmp, self.ctlpath)

    def requests(self):
        """[(method, path, host, version)] seen so far."""
        out = []
        for line in list(self.lines):
            p = line.split(" ")
            if p[0] == "req" and len(p) >= 5:
                out.append(tuple(p[1:5]))
        return out


def make_cert(directory, cn="localhost"):
    """A self-signed certificate made now with the openssl CLI: (cert, key)."""
    cert = os.path.join(str(directory), "cert.pem")
    key = os.path.join(str(directory), "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                        "/CN=%s" % cn, "-days", "1", "-keyout", key, "-out", cert],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "openssl req failed: %s" % r.stderr
    return cert, key


def write_script(path, body):
    """An executable /bin/sh script; its path as a str."""
    path = str(path)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def show_checks(d):
    """`fulcrumctl show checks --json` of daemon d, parsed."""
    return json.loads(d.ctl_ok("show", "checks", "--json"))


def rs_checks(d, vs_port, rs_port, j=None):
    """The checkers of one real server in show checks --json: (rs, [checks])."""
    j = j or show_checks(d)
    for v in j.get("virtual_servers", []):
        if v.get("port") != vs_port:
            continue
        for r in v.get("real_servers", []):
            if r.get("port") == rs_port:
                return r, r.get("checks", [])
    return None, []


def wait_rs(d, vs_port, rs_port, pred, timeout, what):
    """Poll list --json until pred(rs dict) holds; the rs dict."""
    return wait_until(lambda: (lambda r: r if r is not None and pred(r) else None)(
        d.rs(vs_port, rs_port)), timeout, what, interval=0.05)


def wait_state(d, vs_port, rs_port, state, timeout):
    """Wait until the real server's state is `state`; (seconds waited, rs)."""
    t0 = time.monotonic()
    r = wait_rs(d, vs_port, rs_port, lambda r: r.get("state") == state, timeout,
                "real server :%d of :%d to be %s" % (rs_port, vs_port, state))
    return time.monotonic() - t0, r


def log_lines(d, needle):
    """Lines of the daemon's log (stderr) that contain needle."""
    return [l for l in d.stderr().splitlines() if needle in l]


def log_stamp(line):
    """Seconds since local midnight of a daemon log line's "HH:MM:SS.mmm"
    stamp (src/core/log.c)."""
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    assert m, "no time stamp on log line %r" % line
    h, mi, s, ms = (int(x) for x in m.groups())
    return h * 3600 + mi * 60 + s + ms / 1000.0


def _day_diff(later, earlier):
    """later - earlier for seconds of the day, across midnight."""
    d = later - earlier
    return d + 86400 if d < -43200 else d - 86400 if d > 43200 else d


def log_since(t_wall, line):
    """Seconds from t_wall (time.time() taken by the test) to the moment the
    daemon stamped `line`: an interval timed by the daemon's own log, not by
    when a poll of the test saw the change (a poll through fulcrumctl takes
    seconds on a loaded host).  Both are the host's wall clock."""
    lt = time.localtime(t_wall)
    sod = lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t_wall % 1.0)
    return _day_diff(log_stamp(line), sod)


def log_between(first, then):
    """Seconds between two of the daemon's log lines, on its own stamps."""
    return _day_diff(log_stamp(then), log_stamp(first))


class ClientSession:
    """A database client (psql, mariadb) reading queries on its stdin, kept
    open: ask() runs one and returns its answer's first line, None once the
    session is gone.  close() kills it (callers close in a finally)."""

    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=env)

    def ask(self, query, timeout=20):
        try:
            self.p.stdin.write(query + ";\n")
            self.p.stdin.flush()
        except OSError:
            return None
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        return self.p.stdout.readline().strip() or None if ready else None

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(10)
        self.p.stdin.close()
        self.p.stdout.close()


HAPROXY = "/usr/sbin/haproxy"  # Debian's, the reference for haproxy.cfg's meaning


def stat_status(csv_text):
    """{(backend, server): status} from a `show stat` answer (HAProxy's CSV)."""
    lines = csv_text.splitlines()
    if not lines:
        return {}
    cols = lines[0].lstrip("# ").split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(cols, line.split(",")))
        if row.get("svname") not in (None, "FRONTEND", "BACKEND"):
            out[(row["pxname"], row["svname"])] = row["status"]
    return out


def start_haproxy(undo, tmp_path, body):
    """Debian's haproxy on body (defaults and proxies) after a global
    section with a stats socket; stopped by undo.  The socket's path."""
    short = tempfile.mkdtemp(prefix="fc-hap-")  # a unix socket path is short
    undo(shutil.rmtree, short, ignore_errors=True)
    sock = os.path.join(short, "s.sock")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text("global\n    stats socket %s\n%s" % (sock, body))
    log = undo.close(open(tmp_path / "haproxy.log", "w"))
    p = subprocess.Popen([HAPROXY, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    undo(lambda: (p.kill(), p.wait(10)))
    return sock


def haproxy_status(sock):
    """stat_status of the haproxy on sock; {} while it does not answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(sock)
        s.sendall(b"show stat\n")
        return stat_status(recv_to_eof(s, 1 << 20).decode())
    except OSError:
        return {}
    finally:
        s.close()


def haproxy_listens(server_port, proxies):
    """A haproxy.cfg's defaults (mode tcp) and one `listen` per (name, bind
    port, check option line), each with one server, 127.0.0.1:server_port,
    checked every second."""
    return ("defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
            "    timeout connect 3s\n" +
            "".join("listen %s\n    bind 127.0.0.1:%d\n    %s\n"
                    "    server db 127.0.0.1:%d check inter 1s rise 1 fall 1\n"
                    % (name, port, option, server_port) for name, port, option in proxies))


def ldirectord_db(service, server_port, virtuals):
    """An ldirectord.cf with one virtual per (port, login, passwd, database),
    each with one real server, 127.0.0.1:server_port, checked by
    service=SERVICE (pgsql, mysql) every second."""
    return ("checkinterval=1\nnegotiatetimeout=5\nquiescent=no\n" +
            "".join("virtual=127.0.0.1:%d\n    real=127.0.0.1:%d masq\n    service=%s\n"
                    "    checktype=negotiate\n    login=%s\n    passwd=%s\n    database=%s\n"
                    "    scheduler=rr\n" % (vport, server_port, service, login, passwd, db)
                    for vport, login, passwd, db in virtuals))
