"""A real installation: the daemon speaks systemd's readiness protocol,
`make install` lays out what a system needs and `make uninstall` takes it
back, the generated man pages render, the units pass `systemd-analyze
verify`, and the Debian package builds from a copy of the tree, is lintian
clean of errors, installs, runs and is purged.

The package test installs on this machine (dpkg -i) and always purges it
again; it needs root and dpkg-buildpackage (./dev check installs it)."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

import fc

MAKE_TIMEOUT = 600
PAGES = ("man8/fulcrum.8", "man8/fulcrumctl.8", "man5/fulcrum.conf.5")
UNITS = ("fulcrum.service", "fulcrum-realserver@.service")
# a documentation address no host owns (RFC 5737): the instance name only
VIP_INSTANCE = "fulcrum-realserver@192.0.2.10.service"


# ------------------------------------------------------------ sd_notify

class NotifySocket:
    """A datagram socket bound at an abstract name, as systemd binds
    $NOTIFY_SOCKET; messages are read with a bounded wait."""

    def __init__(self):
        self.name = "@fulcrum-test-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])

    def next(self, timeout=15.0):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(4096).decode()
        except socket.timeout:
            raise AssertionError("no sd_notify message within %.0fs" % timeout)

    def close(self):
        self.sock.close()


def fields(msg):
    return dict(line.split("=", 1) for line in msg.split("\n") if line)


@pytest.fixture
def notify(monkeypatch):
    n = NotifySocket()
    monkeypatch.setenv("NOTIFY_SOCKET", n.name)
    yield n
    n.close()


def conf_one_vs():
    return fc.vs_block(fc.free_port(), [fc.free_port()], kind="PROXY")


def test_sd_notify_ready_reload_stop(daemon, notify):
    """READY=1 once serving; SIGHUP: RELOADING=1 with MONOTONIC_USEC, then
    READY=1; a refused reload still ends with READY=1; SIGTERM: STOPPING=1.
    Nothing is sent before the configuration is applied."""
    dm = daemon(conf_one_vs())  # returns once the control socket answers
    m = fields(notify.next())
    assert m.get("READY") == "1", m
    assert m.get("STATUS") == "serving 1 virtual servers", m

    before = time.monotonic_ns() // 1000
    dm.reload()
    m = fields(notify.next())
    assert m.get("RELOADING") == "1", m
    # CLOCK_MONOTONIC, the same clock as Python's monotonic on Linux
    assert before <= int(m["MONOTONIC_USEC"]) <= time.monotonic_ns() // 1000, m
    m = fields(notify.next())
    assert m.get("READY") == "1" and "reloaded" in m.get("STATUS", ""), m

    dm.write_conf("virtual_server 127.0.0.1 {\n")  # refused
    dm.reload()
    assert fields(notify.next()).get("RELOADING") == "1"
    m = fields(notify.next())
    assert m.get("READY") == "1" and "refused" in m.get("STATUS", ""), m
    assert dm.running()

    dm.stop()
    assert fields(notify.next()).get("STOPPING") == "1"


def test_notify_socket_not_passed_to_scripts(daemon, notify, tmp_path):
    """Scripts the daemon runs do not get $NOTIFY_SOCKET: they cannot tell
    systemd the service is ready or stopping."""
    out = tmp_path / "env.txt"
    script = tmp_path / "check.sh"
    script.write_text("#!/bin/sh\nenv > %s\nexit 0\n" % out)
    script.chmod(0o755)
    port, rs = fc.free_port(), fc.free_port()
    conf = ("virtual_server 127.0.0.1 %d {\n lb_kind PROXY\n delay_loop 1\n"
            " real_server 127.0.0.1 %d {\n  MISC_CHECK {\n   misc_path %s\n  }\n }\n}\n"
            % (port, rs, script))
    daemon(conf)
    assert fields(notify.next()).get("READY") == "1"
    fc.wait_until(lambda: out.exists() and out.stat().st_size > 0, 15, "the check script")
    assert "NOTIFY_SOCKET" not in out.read_text()


# ------------------------------------------------------------ make install

def make_args():
    """make variables that select the tests' build: the same BUILD, and
    SAN=1 when it is a sanitizer build (its objects need -fsanitize to link)."""
    args = ["BUILD=%s" % fc.BUILD]
    if b"__asan_init" in fc.FULCRUM.read_bytes():
        args.append("SAN=1")
    return args


def clean_env(**extra):
    """The environment for a build of our own: nothing of an outer make
    (`make check` runs these tests) or of a BUILD/SAN selection leaks in."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BUILD", "SAN")}
    e.update(extra)
    return e


def make(*args):
    r = subprocess.run(["make", "-C", str(fc.REPO)] + make_args() + list(args),
                       capture_output=True, text=True, timeout=MAKE_TIMEOUT, env=clean_env())
    assert r.returncode == 0, "make %s:\n%s\n%s" % (" ".join(args), r.stdout[-3000:],
                                                     r.stderr[-3000:])
    return r


def man_renders(page):
    """`man -l` renders the page with no groff warning; its text."""
    r = subprocess.run(["man", "-l", "--warnings", str(page)], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, MANWIDTH="80", MAN_DISABLE_SECCOMP="1"))
    assert r.returncode == 0 and not r.stderr.strip(), "man -l %s: %s" % (page, r.stderr)
    return r.stdout


def installed_files(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if not p.is_dir())


def test_make_install_destdir_layout(bins, tmp_path):
    root = tmp_path / "root"
    make("install", "DESTDIR=%s" % root)
    files = installed_files(root)
    for want in ("usr/local/sbin/fulcrum", "usr/local/bin/fulcrumctl",
                 "usr/local/share/man/man8/fulcrum.8", "usr/local/share/man/man8/fulcrumctl.8",
                 "usr/local/share/man/man5/fulcrum.conf.5",
                 "usr/local/lib/systemd/system/fulcrum.service",
                 "usr/local/lib/systemd/system/fulcrum-realserver@.service",
                 "usr/local/share/doc/fulcrum/README.md",
                 "usr/local/share/doc/fulcrum/config.md",
                 "usr/local/share/doc/fulcrum/examples/quickstart.conf",
                 "usr/local/lib/ocf/resource.d/fulcrum/fulcrum",
                 "usr/local/lib/ocf/resource.d/fulcrum/realserver",
                 "etc/fulcrum/fulcrum.conf"):
        assert want in files, "%s not installed; got %s" % (want, files)
    assert os.access(root / "usr/local/sbin/fulcrum", os.X_OK)
    assert (root / "usr/local/share/man/man8/fulcrum.8").stat().st_mode & 0o777 == 0o644
    unit = (root / "usr/local/lib/systemd/system/fulcrum.service").read_text()
    assert "ExecStart=/usr/local/sbin/fulcrum -n -l -f /etc/fulcrum/fulcrum.conf" in unit
    assert "@SBINDIR@" not in unit and "@SYSCONFDIR@" not in unit

    # a configuration already there is the admin's: install leaves it be
    conf = root / "etc/fulcrum/fulcrum.conf"
    conf.write_text("# mine\n")
    make("install", "DESTDIR=%s" % root)
    assert conf.read_text() == "# mine\n"

    make("uninstall", "DESTDIR=%s" % root)
    assert installed_files(root) == ["etc/fulcrum/fulcrum.conf"]


def test_installed_tree_runs_and_verifies(bins, tmp_path):
    """Installed under a private prefix (the units then name binaries that
    exist): the installed daemon checks the example configurations, every
    page renders, and systemd-analyze verify passes on both units."""
    prefix, etc = tmp_path / "usr", tmp_path / "etc"
    make("install", "PREFIX=%s" % prefix, "SYSCONFDIR=%s" % etc)
    fulcrum = prefix / "sbin/fulcrum"
    for conf in (prefix / "share/doc/fulcrum/examples/quickstart.conf", etc / "fulcrum/fulcrum.conf"):
        r = subprocess.run([str(fulcrum), "-t", "-f", str(conf)], capture_output=True,
                           text=True, timeout=30, env=fc.env())
        assert r.returncode == 0 and "configuration OK" in r.stdout, r
    ctl_page = man_renders(prefix / "share/man/man8/fulcrumctl.8")
    assert "set weight VS RS WEIGHT" in ctl_page  # from the command table
    conf_page = man_renders(prefix / "share/man/man5/fulcrum.conf.5")
    assert "persistence_timeout" in conf_page and "real_server" in conf_page  # keyword tables
    daemon_page = man_renders(prefix / "share/man/man8/fulcrum.8")
    assert "--config-test" in daemon_page  # from fulcrum --help
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    units = prefix / "lib/systemd/system"
    shutil.copy(units / "fulcrum-realserver@.service", units / VIP_INSTANCE)
    r = subprocess.run(["systemd-analyze", "verify", str(units / "fulcrum.service"),
                        str(units / VIP_INSTANCE)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, MANPATH=str(prefix / "share/man")))
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    make("uninstall", "PREFIX=%s" % prefix, "SYSCONFDIR=%s" % etc)


# ------------------------------------------------------------ the .deb

def purge():
    """dpkg --purge fulcrum, waiting (bounded) for a dpkg lock held by
    someone else."""
    deadline = time.monotonic() + 120
    while True:
        r = subprocess.run(["dpkg", "--purge", "fulcrum"], capture_output=True, text=True,
                           timeout=120)
        if r.returncode == 0 or "lock" not in r.stderr or time.monotonic() > deadline:
            return r
        time.sleep(2)


def dpkg_install(deb):
    deadline = time.monotonic() + 120
    while True:
        r = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if r.returncode == 0 or "lock" not in r.stderr or time.monotonic() > deadline:
            return r
        time.sleep(2)


def copy_tree(dst):
    """The repository's files (tracked and new ones not ignored), without
    build directories: the package build must not touch the work tree."""
    files = subprocess.run(["git", "-C", str(fc.REPO), "ls-files", "-z", "--cached",
                            "--others", "--exclude-standard"], capture_output=True,
                           timeout=60, check=True).stdout.split(b"\0")
    for f in filter(None, files):
        src = fc.REPO / os.fsdecode(f)
        if src.is_file():
            (dst / os.fsdecode(f)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / os.fsdecode(f))


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    if not shutil.which("dpkg-buildpackage"):
        pytest.skip("dpkg-buildpackage is not installed (./dev check installs it)")
    if os.geteuid() != 0:
        pytest.skip("installing the package needs root")
    if subprocess.run(["dpkg-query", "-W", "fulcrum"], capture_output=True).returncode == 0:
        pytest.skip("a fulcrum package is installed already: not touching it")
    work = tmp_path_factory.mktemp("deb")
    src = work / "fulcrum"
    copy_tree(src)
    r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b", "-j2"], cwd=src,
                       capture_output=True, text=True, timeout=MAKE_TIMEOUT, env=clean_env())
    assert r.returncode == 0, "dpkg-buildpackage:\n%s\n%s" % (r.stdout[-4000:], r.stderr[-4000:])
    debs = [p for p in work.glob("fulcrum_*.deb")]
    assert len(debs) == 1, list(work.iterdir())
    return debs[0]


@pytest.fixture
def installed(deb):
    try:
        r = dpkg_install(deb)
        assert r.returncode == 0, "dpkg -i: %s\n%s" % (r.stdout, r.stderr)
        yield deb
    finally:
        r = purge()
        assert r.returncode == 0, "dpkg --purge fulcrum: %s" % r.stderr
        assert not os.path.exists("/usr/sbin/fulcrum")
        assert not os.path.exists("/etc/fulcrum/fulcrum.conf")


def test_deb_lintian_has_no_errors(deb):
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed")
    changes = next(deb.parent.glob("fulcrum_*.changes"))
    r = subprocess.run(["lintian", "--tag-display-limit", "0", str(changes)],
                       capture_output=True, text=True, timeout=300)
    errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
    assert not errors, "lintian errors:\n" + "\n".join(errors)


def test_deb_installs_runs_and_purges(installed, tmp_path):
    listing = subprocess.run(["dpkg", "-L", "fulcrum"], capture_output=True, text=True,
                             timeout=60, check=True).stdout.split()
    for want in ("/usr/sbin/fulcrum", "/usr/bin/fulcrumctl", "/lib/systemd/system/fulcrum.service",
                 "/lib/systemd/system/fulcrum-realserver@.service",
                 "/usr/share/man/man8/fulcrum.8.gz", "/usr/share/man/man5/fulcrum.conf.5.gz",
                 "/usr/share/doc/fulcrum/examples/quickstart.conf", "/etc/fulcrum/fulcrum.conf"):
        assert want in listing, want
    conffiles = subprocess.run(["dpkg-query", "-W", "-f", "${Conffiles}", "fulcrum"],
                               capture_output=True, text=True, check=True).stdout
    assert "/etc/fulcrum/fulcrum.conf" in conffiles

    for page in ("fulcrum.8.gz", "fulcrumctl.8.gz"):
        man_renders(Path("/usr/share/man/man8") / page)
    man_renders("/usr/share/man/man5/fulcrum.conf.5.gz")
    for conf in ("/etc/fulcrum/fulcrum.conf", "/usr/share/doc/fulcrum/examples/quickstart.conf"):
        r = subprocess.run(["/usr/sbin/fulcrum", "-t", "-f", conf], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r

    if os.path.isdir("/run/systemd/system"):
        systemd_cycle()
    else:
        r = subprocess.run(["systemd-analyze", "verify", "fulcrum.service", VIP_INSTANCE],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and not r.stderr.strip(), r.stderr
        packaged_daemon_runs(tmp_path)


def systemd_cycle():
    """systemd is PID 1: start, reload and stop fulcrum.service through it."""
    def ctl(*a):
        return subprocess.run(["systemctl"] + list(a), capture_output=True, text=True,
                              timeout=90)
    try:
        assert ctl("start", "fulcrum.service").returncode == 0
        assert ctl("is-active", "fulcrum.service").stdout.strip() == "active"
        assert subprocess.run(["/usr/bin/fulcrumctl", "list"], timeout=30).returncode == 0
        assert ctl("reload", "fulcrum.service").returncode == 0  # waits for READY=1
        assert ctl("is-active", "fulcrum.service").stdout.strip() == "active"
    finally:
        r = ctl("stop", "fulcrum.service")
    assert r.returncode == 0
    assert ctl("is-active", "fulcrum.service").stdout.strip() == "inactive"


def packaged_daemon_runs(tmp_path):
    """No systemd here: the packaged daemon is run as the unit would run it
    (foreground, its default configuration, the notify protocol), with its
    control socket in a private directory."""
    n = NotifySocket()
    sock = tmp_path / "ctl.sock"
    p = subprocess.Popen(["/usr/sbin/fulcrum", "-n", "-l", "--control", str(sock)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=dict(os.environ, NOTIFY_SOCKET=n.name))
    try:
        assert fields(n.next()).get("READY") == "1"
        r = subprocess.run(["/usr/bin/fulcrumctl", "-S", str(sock), "show", "config"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and "/etc/fulcrum/fulcrum.conf" in r.stdout, r
        p.send_signal(signal.SIGTERM)
        assert fields(n.next()).get("STOPPING") == "1"
        assert p.wait(20) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
        p.stderr.close()
        n.close()
