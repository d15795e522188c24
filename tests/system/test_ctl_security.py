"""The files and sockets a root daemon trusts (issue 16, findings 2, 3, 5):
the pid file is never written through a link and a stale one never blocks a
start; the control socket lives only in a directory root alone can change,
and fulcrumctl refuses an answer from anyone but root (or the daemon's user);
clients that ask for big listings and never read cannot grow the daemon or
hold up other clients.

The unprivileged attacker is uid 65534 (nobody), run with setpriv."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import fc

ATTACKER = 65534


@pytest.fixture
def tmpdirs():
    """tmpdirs(mode=0o700, owner=0) -> a new directory under /tmp (short
    paths: sun_path is 108 bytes); all removed at teardown."""
    made = []

    def make(mode=0o700, owner=0):
        d = tempfile.mkdtemp(prefix="fcsec-", dir="/tmp")
        made.append(d)
        os.chown(d, owner, owner)
        os.chmod(d, mode)
        return d

    yield make
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


def conf(backend):
    return fc.vs_block(fc.free_port(), [backend("b0")], algo="rr")


def assert_refused_start(dm, *needles):
    dm.start(wait=False)
    rc = dm.wait_exit()
    err = dm.stderr()
    assert rc != 0, err
    for n in needles:
        assert n in err, err


# ---------------------------------------------------------------- pid file

def test_symlinked_pidfile_not_followed(daemon, backend, tmpdirs):
    """Root's daemon never writes through a link: the start is refused, the
    link's target keeps its content and the link stays for the operator."""
    d = tmpdirs()
    target = os.path.join(d, "precious")
    with open(target, "w") as f:
        f.write("root:do-not-touch\n")
    dm = daemon(conf(backend), start=False)
    os.symlink(target, dm.pidfile)
    assert_refused_start(dm, "is a symbolic link: refusing to follow it")
    with open(target) as f:
        assert f.read() == "root:do-not-touch\n"
    assert os.path.islink(dm.pidfile)
    assert not os.path.exists(dm.sock), "the daemon went on after refusing its pid file"


def test_stale_pidfile_with_live_pid_starts(daemon, backend):
    """A pid file left behind names pid 1 (alive, not fulcrum, no lock):
    the daemon starts and writes its own pid; at stop the file goes."""
    dm = daemon(conf(backend), start=False)
    with open(dm.pidfile, "w") as f:
        f.write("1\n")
    dm.start()
    with open(dm.pidfile) as f:
        assert f.read() == "%d\n" % dm.proc.pid
    dm.stop()
    assert not os.path.exists(dm.pidfile)


def test_pidfile_in_directory_others_can_write_refused(daemon, backend, tmpdirs):
    d = tmpdirs(mode=0o777)
    dm = daemon(conf(backend), start=False)
    dm.pidfile = os.path.join(d, "fulcrum.pid")
    assert_refused_start(dm, "is writable by others (mode 0777) without the sticky bit")
    assert not os.path.exists(dm.pidfile)


# ---------------------------------------------------------- control socket

def test_socket_directory_of_another_user_refused(daemon, backend, tmpdirs):
    """The issue's attack: a user made /tmp/fe before root started fulcrum
    with its socket there.  The daemon refuses that directory and does not
    start."""
    d = tmpdirs(mode=0o755, owner=ATTACKER)
    dm = daemon(conf(backend), start=False)
    dm.sock = os.path.join(d, "ctl.sock")
    assert_refused_start(dm, "%s is owned by uid %d, not root" % (d, ATTACKER),
                         "refusing that directory")
    assert os.listdir(d) == []


def test_socket_directory_writable_by_others_refused(daemon, backend, tmpdirs):
    for mode in (0o777, 0o1777, 0o770):
        d = tmpdirs(mode=mode)
        dm = daemon(conf(backend), start=False)
        dm.sock = os.path.join(d, "ctl.sock")
        assert_refused_start(dm, "%s is writable by" % d, "(mode %04o)" % mode)
        assert os.listdir(d) == []


def test_socket_directory_created_private(daemon, backend, tmpdirs):
    d = tmpdirs()
    dm = daemon(conf(backend), start=False)
    dm.sock = os.path.join(d, "run", "fulcrum", "ctl.sock")
    dm.start()
    assert os.stat(os.path.join(d, "run", "fulcrum")).st_mode & 0o7777 == 0o700
    assert os.stat(os.path.join(d, "run")).st_mode & 0o7777 == 0o755
    assert os.lstat(dm.sock).st_mode & 0o7777 == 0o600
    dm.stop()


FAKE_SERVER = r"""
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
s.settimeout(20)
print("ready", flush=True)
with open(log, "ab", buffering=0) as out:
    while True:
        try:
            c, _ = s.accept()
        except socket.timeout:
            break
        c.settimeout(5)
        try:
            got = c.recv(4096)
            out.write(b"REQUEST " + got if got else b"EOF\n")
            if got:
                c.sendall(b"OK\nfake listing from uid %d\n" % os.getuid())
        except OSError:
            pass
        c.close()
"""


@pytest.fixture
def fake_server(tmpdirs):
    """An unprivileged process (uid 65534) serving a fake control socket in
    its own directory: (socket path, path of its request log)."""
    d = tmpdirs(mode=0o755, owner=ATTACKER)
    path, log = os.path.join(d, "ctl.sock"), os.path.join(d, "requests.log")
    script = os.path.join(d, "fake.py")
    with open(script, "w") as f:
        f.write(FAKE_SERVER)
    proc = subprocess.Popen(["setpriv", "--reuid=%d" % ATTACKER, "--regid=%d" % ATTACKER,
                             "--clear-groups", fc.PYTHON, script, path, log],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline()
        assert line.strip() == b"ready", line
        assert os.stat(path).st_uid == ATTACKER
        yield path, log
    finally:
        proc.kill()
        proc.wait(5)


def run_ctl(*args, env_extra=None):
    e = fc.env()
    e.pop("FULCRUMCTL_DAEMON_USER", None)
    e.update(env_extra or {})
    r = subprocess.run([str(fc.FULCRUMCTL)] + list(args), capture_output=True, text=True,
                       timeout=20, env=e)
    fc.assert_no_sanitizer(r.stderr, "fulcrumctl")
    return r


def requests_seen(log):
    try:
        with open(log, "rb") as f:
            return [l for l in f.read().splitlines() if l.startswith(b"REQUEST")]
    except OSError:
        return []


def test_spoofed_socket_detected(bins, fake_server):
    """Root's fulcrumctl finds a socket served by uid 65534: it says so,
    exits 2, prints none of the fake output and sends it no command."""
    path, log = fake_server
    for args in (["list"], ["set", "weight", "127.0.0.1:80", "127.0.0.1:81", "0"]):
        r = run_ctl("-S", path, *args)
        assert r.returncode == 2, r
        assert r.stdout == "", r
        assert ("control socket %s is served by uid %d, not root: refusing" % (path, ATTACKER)
                in r.stderr), r.stderr
    assert requests_seen(log) == []


def test_daemon_user_accepted_when_named(bins, fake_server):
    """A daemon that runs as an unprivileged user is reachable when named
    (-u or $FULCRUMCTL_DAEMON_USER); another user is still refused."""
    path, log = fake_server
    r = run_ctl("-u", str(ATTACKER), "-S", path, "list")
    assert r.returncode == 0 and r.stdout == "fake listing from uid %d\n" % ATTACKER, r
    r = run_ctl("-S", path, "list", env_extra={"FULCRUMCTL_DAEMON_USER": "nobody"})
    assert r.returncode == 0, r
    r = run_ctl("-u", "daemon", "-S", path, "list")
    assert r.returncode == 2, r
    assert "served by uid %d, not root or daemon: refusing" % ATTACKER in r.stderr, r.stderr
    r = run_ctl("-u", "no-such-user-h6", "-S", path, "list")
    assert r.returncode == 2 and "no such user" in r.stderr, r
    assert len(requests_seen(log)) == 2


# ------------------------------------------------------ bounded replies

N_SERVERS = 4000
N_SILENT = 250
# Measured growth, list --json / show checks: +6 / +10 MB (plain build),
# +19 / +29 MB (ASan build: its quarantine keeps freed buffers, and on a
# loaded host, where more replies are built and dropped, +80 MB: so the
# ASan daemon of this test runs with a small quarantine, and RSS counts what
# the daemon holds, not what ASan keeps to catch use after free).  The old
# code grew by 285 MB for list --json (its show checks replies, 200 KB,
# mostly sat in the kernel's socket buffers: +4 MB of RSS, but +144 MB in
# the ASan build before the pending budget).  The daemon holds at most two
# 16 KiB pieces per streamed client (8 MB for 250) and 8 MiB of whole
# replies pending; 40 MB leaves room for the allocators.
RSS_GROWTH_MAX_KB = 40 * 1024
# Another client's wait for `version` while the silent ones sit there: the
# daemon works under 100 ms of CPU before it answers (the old code stalled
# the loop 700 ms), and the wait itself stays under 3 s even on a loaded
# host (a quiet one: under 100 ms).
OTHER_CLIENT_MAX_MS = 100
OTHER_CLIENT_MAX_WALL_MS = 3000


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def big_conf():
    """4,000 real servers over 40 services (nothing listens on them: no
    checks, so every one counts as up)."""
    out = ""
    for v in range(40):
        out += "virtual_server 127.0.0.1 %d {\n    lb_algo rr\n    lb_kind NAT\n" % (
            fc.free_port())
        for i in range(100):
            out += "    real_server 127.0.%d.%d 80 { }\n" % (10 + v, 1 + i)
        out += "}\n"
    return out


def read_to_eof(s, got=b""):
    while True:
        b = s.recv(65536)
        if not b:
            return got
        got += b


def ask(path, request, timeout=5.0):
    """One raw exchange: (reply bytes, milliseconds from connect to close)."""
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(request)
        got = read_to_eof(s)
    finally:
        s.close()
    return got, (time.monotonic() - t0) * 1000.0


def cpu_ms(pid):
    """The CPU time the process (all its threads) has used, in ms."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def answer_ms(dm):
    """How long another client waits for `version`, as (wall ms, ms of CPU
    the daemon used meanwhile): the better of two tries back to back.  A
    stalled loop works through the wait (the old code: 700 ms of CPU); on a
    loaded host the wait grows while the daemon is not running at all, so
    the CPU it used is what tells the two apart."""
    best = None
    for _ in range(2):
        c0 = cpu_ms(dm.proc.pid)
        got, ms = ask(dm.sock, b"version\n")
        cpu = cpu_ms(dm.proc.pid) - c0
        assert got.startswith(b"OK\nfulcrum "), got
        best = (ms, cpu) if best is None or cpu < best[1] else best
    return best


@pytest.mark.parametrize("request_words,min_size", [
    (("list", "--json"), 800 * 1024),  # streamed
    (("show", "checks"), 150 * 1024),  # built whole: the pending budget
])
def test_silent_clients_of_big_listings_bounded(daemon, request_words, min_size):
    """250 clients ask for `list --json` of 4,000 servers (about 1 MB each)
    or `show checks` (200 KB) and never read.  The daemon's memory stays
    bounded and another client is answered within 100 ms all along; the
    silent ones are dropped at their deadline and the daemon serves
    normally afterwards."""
    import json
    dm = daemon(big_conf(), start=False)
    dm.extra_env["ASAN_OPTIONS"] = fc.SAN_ENV["ASAN_OPTIONS"] + ":quarantine_size_mb=1"
    dm.start()
    full = json.loads(dm.ctl_ok("list", "--json"))
    assert sum(len(v["real_servers"]) for v in full["virtual_servers"]) == N_SERVERS
    size = len(dm.ctl_ok(*request_words))
    assert size > min_size, size
    request = (" ".join(request_words) + "\n").encode()
    base = rss_kb(dm.proc.pid)
    silent, waits, peak = [], [], base
    try:
        for i in range(N_SILENT):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            silent.append(s)
            s.connect(dm.sock)
            s.sendall(request)
            if i % 25 == 24:
                waits.append(answer_ms(dm))
                peak = max(peak, rss_kb(dm.proc.pid))
        # and while all 250 sit there with their replies pending
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            waits.append(answer_ms(dm))
            peak = max(peak, rss_kb(dm.proc.pid))
            time.sleep(0.05)
    finally:
        for s in silent:
            s.close()
    growth = peak - base
    wall, cpu = max(w[0] for w in waits), max(w[1] for w in waits)
    print("RSS %d kB -> peak %d kB (+%d kB); other clients waited at most %.1f ms, the daemon "
          "working at most %.1f ms of a wait" % (base, peak, growth, wall, cpu))
    assert growth < RSS_GROWTH_MAX_KB, "RSS grew by %d kB" % growth
    assert cpu < OTHER_CLIENT_MAX_MS, "the daemon worked %.1f ms before answering" % cpu
    assert wall < OTHER_CLIENT_MAX_WALL_MS, "another client waited %.1f ms" % wall
    again = json.loads(dm.ctl_ok("list", "--json"))
    assert sum(len(v["real_servers"]) for v in again["virtual_servers"]) == N_SERVERS


def test_listing_cut_short_when_servers_change(daemon):
    """A listing produced piece by piece while a server is deleted (or the
    configuration reloaded) does not mix two states: it ends with an ERROR
    line after what it had sent; listings after the change are whole."""
    import json
    dm = daemon(big_conf())
    vs = dm.list_json()["virtual_servers"][0]
    victim = vs["real_servers"][5]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(dm.sock)
        s.sendall(b"list --json\n")
        first = b""
        while len(first) < 100:  # the listing has begun
            b = s.recv(4096)
            assert b, first
            first += b
        assert first.startswith(b"OK\n{"), first[:40]
        dm.ctl_ok("del", "server", "127.0.0.1:%d" % vs["port"],
                  "%s:%d" % (victim["address"], victim["port"]))
        got = read_to_eof(s, first)
    finally:
        s.close()
    last = got.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    assert last == (b"ERROR the configuration changed during the listing (reload, add or "
                    b"del server): run it again"), got[-300:]
    after = json.loads(dm.ctl_ok("list", "--json"))
    assert sum(len(v["real_servers"]) for v in after["virtual_servers"]) == N_SERVERS - 1


# ------------------------------------------------- shed clients are logged

def shed_lines(text):
    return [l for l in text.splitlines()
            if "proxy:" in l and ("reset: no descriptor" in l or "cannot accept clients" in l)]


def test_clients_shed_at_fd_limit_are_logged_rate_limited(daemon, backend):
    """With 64 descriptors, bursts of 150 clients: the ones turned away are
    logged, at most one line a second per reason, with the number held
    back; the daemon serves normally afterwards."""
    bs = [backend("d0"), backend("d1")]
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, bs), start=False)
    dm.nofile = 64
    dm.start()
    t0 = time.monotonic()
    for burst in range(2):
        assert fc.burst(vport, 150) < 150
        if burst == 0:
            fc.wait_until(lambda: shed_lines(dm.stderr()), 15, "a line about shed clients")
            time.sleep(1.1)  # the next line may come
    fc.wait_until(lambda: all(r["active_conns"] == 0 and r["inactive_conns"] == 0
                              for r in dm.vs(vport)["real_servers"]),
                  10, "connections closed")
    elapsed = time.monotonic() - t0
    lines = shed_lines(dm.stderr())
    for reason in ("reset: no descriptor", "cannot accept clients"):
        n = len([l for l in lines if reason in l])
        assert n <= elapsed + 1, "%d lines '%s' in %.1fs:\n%s" % (n, reason, elapsed,
                                                                   "\n".join(lines))
    assert any("more since the last message" in l for l in lines), "\n".join(lines)
    assert sorted(fc.names(vport, 4)) == ["d0", "d0", "d1", "d1"]


def test_reload_refuses_socket_directory_of_another_user(daemon, backend, tmpdirs):
    """A reload that moves control_socket (used from the next start) into a
    directory another user owns is refused, so that the next start cannot
    fail on it or, worse, be impersonated; a safe new place is accepted."""
    bad = tmpdirs(mode=0o755, owner=ATTACKER)
    good = tmpdirs()
    vs = conf(backend)
    dm = daemon("", start=False)
    dm.control_cli = False
    dm.write_conf("global_defs {\n    control_socket %s\n}\n" % dm.sock + vs)
    dm.start()
    dm.write_conf("global_defs {\n    control_socket %s/ctl.sock\n}\n" % bad + vs)
    r = dm.ctl("reload")
    assert r.returncode == 1, r
    assert "reload refused" in r.stderr and "%s is owned by uid %d" % (bad, ATTACKER) in r.stderr, r
    dm.write_conf("global_defs {\n    control_socket %s/new/ctl.sock\n}\n" % good + vs)
    dm.ctl_ok("reload")
    assert "takes effect at the next start" in dm.stderr()


def test_fulcrumctl_reports_a_listing_cut_short(bins, tmpdirs):
    """fulcrumctl prints what a cut-short listing had sent, the daemon's
    message on stderr, and exits 1 (a script must not take a part for the
    whole).  The daemon's side is a root-owned stand-in here: the real
    daemon's cut is shown by test_listing_cut_short_when_servers_change."""
    import threading
    path = os.path.join(tmpdirs(), "ctl.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(10)
    reply = (b'OK\n{"version":"x","virtual_servers":[{"address":"127.0.0.1"\n'
             b"ERROR the configuration changed during the listing (reload, add or del "
             b"server): run it again\n")

    def serve():
        try:
            c, _ = srv.accept()
            with c:
                c.recv(4096)
                c.sendall(reply)
        except OSError:
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        r = run_ctl("-S", path, "list", "--json")
    finally:
        t.join(10)
        srv.close()
    assert r.returncode == 1, r
    assert r.stdout == '{"version":"x","virtual_servers":[{"address":"127.0.0.1"\n', r
    assert r.stderr == ("fulcrumctl: the configuration changed during the listing (reload, "
                        "add or del server): run it again\n"), r
