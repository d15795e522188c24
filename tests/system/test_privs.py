"""Script security and least privilege (issue 16, findings 1 and 4).

- enable_script_security: `fulcrum -t` refuses, at the script's file:line,
  a script that someone other than root (and the script's user) may change,
  in the file itself or in a directory on its path; without the keyword it
  is a warning and the script runs, as keepalived does.
- Scripts run as script_user (each writes `id -u` to a file we read back).
- The running daemon holds only the capabilities its configuration needs
  (/proc/PID/status CapEff, CapBnd), with NoNewPrivs: 1, while checks,
  scripts, reload, VRRP (a namespace LAN, vrrpnet.Lan) and XDP DR (the
  lvsnet testbed of test_xdp.py) keep working.

Run: FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q tests/system/test_privs.py
(root).  Every wait is bounded; namespaces and daemons are removed by their
fixtures, also on failure."""
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest

import fc
import vrrpnet as vn
from test_xdp import (HTTP, director, http_many, lvs, need_xdp, rs_list, served_by,
                      start_http, vs_conf, wait_up)

NOBODY = pwd.getpwnam("nobody").pw_uid

CAP_DAC_OVERRIDE = 1
CAP_KILL = 5
CAP_SETGID = 6
CAP_SETUID = 7
CAP_NET_BIND_SERVICE = 10
CAP_NET_ADMIN = 12
CAP_NET_RAW = 13
CAP_SYS_ADMIN = 21
CAP_BPF = 39
CAP_PERFMON = 38
SCRIPT_USER_CAPS = {CAP_KILL, CAP_SETGID, CAP_SETUID}

__all__ = ["director", "lvs"]  # fixtures borrowed from test_xdp.py


# ---------------------------------------------------------------- helpers

@pytest.fixture
def pubdir():
    """A directory under /tmp that root owns, mode 0755 (so that a script
    inside is safe and a daemon running as nobody can read its config);
    removed at teardown."""
    d = tempfile.mkdtemp(prefix="fc-privs-", dir="/tmp")
    os.chmod(d, 0o755)
    yield d
    with open("/proc/self/mounts") as f:
        mounted = [line.split()[1] for line in f if line.split()[1].startswith(d + "/")]
    assert not mounted, "still mounted, %s left in place: %s" % (d, mounted)
    shutil.rmtree(d, ignore_errors=True)


def script(path, body, mode=0o755):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, mode)
    return path


def id_script(d, name, out):
    """A script that writes its uid into `out` (in a directory everyone may
    write, away from the script's own path)."""
    return script(os.path.join(d, name), "id -u > %s.tmp && mv %s.tmp %s" % (out, out, out))


def outdir(d):
    o = os.path.join(d, "out")
    os.mkdir(o)
    os.chmod(o, 0o1777)
    return o


def read_uid(path, timeout=10.0):
    def got():
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return None
    return int(fc.wait_until(got, timeout, "a script to write %s" % path))


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def caps(pid, key="CapEff"):
    v = int(proc_status(pid)[key], 16)
    return {c for c in range(64) if v >> c & 1}


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def misc_conf(port, rs_port, misc, glob="", extra_rs=""):
    return ("global_defs {\n%s}\n"
            "virtual_server 127.0.0.1 %d {\n"
            "    delay_loop 1\n"
            "    real_server 127.0.0.1 %d {\n"
            "%s"
            "        MISC_CHECK {\n"
            "            misc_path \"%s\"\n"
            "        }\n"
            "    }\n"
            "}\n" % (glob, port, rs_port, extra_rs, misc))


def check_t(path):
    r = fc.run_fulcrum("-t", "-f", path)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t")
    return r


def line_of(path, text):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise AssertionError("%s not in %s" % (text, path))


# ---------------------------------------------------------------- fulcrum -t

SECURE = "    enable_script_security\n    script_user nobody\n"


def test_world_writable_misc_check_refused_by_t(pubdir):
    s = script(os.path.join(pubdir, "check.sh"), "exit 0", mode=0o777)
    conf = write(os.path.join(pubdir, "k.conf"), misc_conf(8080, 8081, s + " arg", SECURE))
    r = check_t(conf)
    assert r.returncode == 1, r
    want = "%s:%d: MISC_CHECK misc_path '%s arg' refused by enable_script_security: " \
           "%s is writable by everyone" % (conf, line_of(conf, "MISC_CHECK"), s, s)
    assert want in r.stderr, r.stderr
    assert "configuration refused" in r.stderr

    os.chmod(s, 0o755)
    r = check_t(conf)
    assert r.returncode == 0, r.stderr


def test_script_in_world_writable_directory_refused(pubdir):
    d = os.path.join(pubdir, "open")
    os.mkdir(d)
    os.chmod(d, 0o777)
    s = script(os.path.join(d, "check.sh"), "exit 0")
    conf = write(os.path.join(pubdir, "k.conf"), misc_conf(8080, 8081, s, SECURE))
    r = check_t(conf)
    assert r.returncode == 1, r
    assert "refused by enable_script_security: %s is writable by everyone" % d in r.stderr, \
        r.stderr

    # a safe-looking symlink to it is no way round
    os.chmod(d, 0o755)
    link = os.path.join(pubdir, "link.sh")
    os.symlink(s, link)
    os.chmod(d, 0o777)
    write(conf, misc_conf(8080, 8081, link, SECURE))
    r = check_t(conf)
    assert r.returncode == 1 and "%s is writable by everyone" % d in r.stderr, r.stderr


def test_vrrp_and_notify_scripts_are_checked_too(pubdir):
    bad = script(os.path.join(pubdir, "bad.sh"), "exit 0", mode=0o666 | 0o111)
    text = ("global_defs {\n%s}\n"
            "vrrp_script chk {\n    script \"%s\"\n}\n" % (SECURE, bad) +
            vn.instance("VI_1", "lo", 51, 100, "192.0.2.1",
                        extra="notify_master %s\ntrack_script {\n chk\n}" % bad))
    conf = write(os.path.join(pubdir, "v.conf"), text)
    r = check_t(conf)
    assert r.returncode == 1, r
    assert "%s:%d: vrrp_script script" % (conf, line_of(conf, "vrrp_script")) in r.stderr
    assert "%s:%d: notify_master" % (conf, line_of(conf, "vrrp_instance")) in r.stderr


def test_without_script_security_a_warning_and_it_runs(pubdir):
    s = script(os.path.join(pubdir, "check.sh"), "exit 0", mode=0o777)
    conf = write(os.path.join(pubdir, "k.conf"), misc_conf(8080, 8081, s))
    r = check_t(conf)
    assert r.returncode == 0, r.stderr
    assert "%s:%d: MISC_CHECK misc_path '%s' is unsafe: %s is writable by everyone " \
           "(enable_script_security would refuse it) (warning)" \
           % (conf, line_of(conf, "MISC_CHECK"), s, s) in r.stderr, r.stderr


def source_conf(port, cmd, glob=""):
    return ("global_defs {\n%s}\n"
            "virtual_server 127.0.0.1 %d {\n"
            "    lb_algo rr\n"
            "    lb_kind PROXY\n"
            "    real_server_script \"%s\" 0.5\n"
            "}\n" % (glob, port, cmd))


def test_real_server_script_refused_as_other_scripts(pubdir):
    """real_server_script is a script like MISC_CHECK's: under
    enable_script_security an unsafe one (the file, or a directory on its
    path, writable by others) refuses the file at its line; without it, a
    warning."""
    s = script(os.path.join(pubdir, "list.sh"), "echo 127.0.0.1", mode=0o777)
    conf = write(os.path.join(pubdir, "k.conf"), source_conf(8080, s + " --all", SECURE))
    r = check_t(conf)
    assert r.returncode == 1, r
    assert "%s:%d: real_server_script '%s --all' refused by enable_script_security: " \
           "%s is writable by everyone" % (conf, line_of(conf, "real_server_script"), s, s) \
        in r.stderr, r.stderr
    write(conf, source_conf(8080, s))
    r = check_t(conf)
    assert r.returncode == 0 and "real_server_script '%s' is unsafe" % s in r.stderr, r.stderr
    os.chmod(s, 0o755)
    write(conf, source_conf(8080, s, SECURE))
    r = check_t(conf)
    assert r.returncode == 0 and "unsafe" not in r.stderr, r.stderr


def test_pacemaker_crm_mon_of_the_file_is_checked(pubdir):
    """pacemaker_real_servers' own crm_mon program is a script too."""
    s = script(os.path.join(pubdir, "crm_mon"), "exit 0", mode=0o777)
    conf = write(os.path.join(pubdir, "k.conf"),
                 "global_defs {\n%s}\nvirtual_server 127.0.0.1 8080 {\n    lb_kind PROXY\n"
                 "    pacemaker_real_servers {\n        crm_mon %s\n    }\n}\n" % (SECURE, s))
    r = check_t(conf)
    assert r.returncode == 1, r
    assert "%s:%d: pacemaker_real_servers crm_mon '%s' refused by enable_script_security" \
        % (conf, line_of(conf, "pacemaker_real_servers"), s) in r.stderr, r.stderr


def test_real_server_script_runs_as_script_user(pubdir, daemon, backend):
    """The script runs as script_user, as the daemon's other scripts, and
    its servers are followed: the daemon keeps what it needs for that."""
    out = outdir(pubdir)
    b = backend("r1")
    port = fc.free_port()
    lister = script(os.path.join(pubdir, "list.sh"),
                    "id -u > %s/who.tmp && mv %s/who.tmp %s/who\necho 127.0.0.1:%d"
                    % (out, out, out, b.port))
    d = daemon(source_conf(port, lister, SECURE))
    assert read_uid(os.path.join(out, "who")) == NOBODY
    fc.wait_until(lambda: [r["address"] for r in (d.vs(port) or {}).get("real_servers", [])]
                  == ["127.0.0.1"], 10.0, "the script's server in the pool")
    assert fc.who(port) == "r1"
    assert SCRIPT_USER_CAPS <= caps(d.proc.pid)


# ---------------------------------------------------------------- the daemon

def test_nat_daemon_keeps_only_what_it_needs_and_scripts_run_as_script_user(
        pubdir, daemon, backend):
    out = outdir(pubdir)
    b = backend("r1")
    port = fc.free_port()
    misc = id_script(pubdir, "misc.sh", os.path.join(out, "misc"))
    text = misc_conf(port, b.port, misc, SECURE)
    d = daemon(text)
    assert read_uid(os.path.join(out, "misc")) == NOBODY

    st = proc_status(d.proc.pid)
    assert st["NoNewPrivs"] == "1", st
    assert caps(d.proc.pid) == SCRIPT_USER_CAPS, st["CapEff"]
    assert caps(d.proc.pid, "CapPrm") == SCRIPT_USER_CAPS
    assert caps(d.proc.pid, "CapBnd") == SCRIPT_USER_CAPS
    assert caps(d.proc.pid, "CapInh") == set() and caps(d.proc.pid, "CapAmb") == set()
    assert CAP_SYS_ADMIN not in caps(d.proc.pid) and CAP_DAC_OVERRIDE not in caps(d.proc.pid)

    # reload still works, and scripts still run as script_user after it
    os.unlink(os.path.join(out, "misc"))
    d.write_conf(text.replace("delay_loop 1", "delay_loop 1\n    lb_algo wrr"))
    d.reload()
    fc.wait_until(lambda: "reloaded" in d.stderr(), 10.0, "the reload")
    assert read_uid(os.path.join(out, "misc")) == NOBODY
    assert caps(d.proc.pid) == SCRIPT_USER_CAPS


def test_plain_nat_daemon_has_no_capability_left(daemon, backend):
    b = backend("r1")
    port = fc.free_port()
    d = daemon(fc.vs_block(port, [b.port]))
    st = proc_status(d.proc.pid)
    assert caps(d.proc.pid) == set(), st["CapEff"]
    assert caps(d.proc.pid, "CapBnd") == set(), st["CapBnd"]
    assert st["NoNewPrivs"] == "1"
    assert fc.wait_until(lambda: d.rs(port, b.port) is not None, 15.0, "the listing")


class NoSetpcapDaemon(fc.Daemon):
    """Started as a systemd unit whose CapabilityBoundingSet leaves out
    CAP_SETPCAP would start it (capsh drops it from the bounding set; bash
    execs fulcrum, so the pid is the daemon's)."""

    def argv(self):
        return ["capsh", "--drop=cap_setpcap", "--", "-c", 'exec "$0" "$@"'] + super().argv()


def test_without_cap_setpcap_the_bounding_set_is_left_but_the_rest_dropped(pubdir, undo):
    if not shutil.which("capsh"):
        pytest.skip("capsh (libcap2-bin) not installed")
    b = fc.Backend("r1", logdir=pubdir)
    undo(b.stop)
    d = NoSetpcapDaemon(pubdir, fc.vs_block(fc.free_port(), [b.port]))
    undo(d.close)
    undo(d.stop)
    d.start()
    assert caps(d.proc.pid) == set() and caps(d.proc.pid, "CapPrm") == set()
    assert CAP_SYS_ADMIN in caps(d.proc.pid, "CapBnd")  # as given
    assert proc_status(d.proc.pid)["NoNewPrivs"] == "1"
    assert "no cap_setpcap: the bounding set is left as given" in d.stderr()


def test_reload_needing_a_dropped_capability_is_refused(daemon, backend):
    b = backend("r1")
    port = fc.free_port()
    text = fc.vs_block(port, [b.port])
    d = daemon(text)
    assert caps(d.proc.pid) == set()
    # port 81 needs CAP_NET_BIND_SERVICE, dropped at start
    d.write_conf(text + fc.vs_block(81, [b.port]))
    d.reload()
    fc.wait_until(lambda: "reload refused" in d.stderr(), 10.0, "the refusal")
    log = d.stderr()
    assert "needs cap_net_bind_service, dropped at start" in log, log[-2000:]
    assert "restart fulcrum to grant it" in log
    assert d.vs(81) is None and d.vs(port) is not None
    assert d.running()


def test_reload_bringing_the_first_xdp_service_is_refused(daemon, backend):
    """The XDP program is loaded with the first DR/TUN service: CAP_BPF and
    CAP_PERFMON, which a daemon without one dropped, are needed again."""
    b = backend("r1")
    port = fc.free_port()
    text = fc.vs_block(port, [b.port])
    d = daemon(text)
    d.write_conf(text + "virtual_server 192.0.2.1 80 {\n    lb_algo mh\n    lb_kind DR\n"
                 "    real_server 192.0.2.2 80 {\n    }\n}\n")
    d.reload()
    fc.wait_until(lambda: "reload refused" in d.stderr(), 10.0, "the refusal")
    assert "needs cap_net_admin, cap_perfmon, cap_bpf, dropped at start" in d.stderr(), \
        d.stderr()[-2000:]
    assert len(d.list_json()["virtual_servers"]) == 1


def test_run_as_user(pubdir, undo):
    """run_as_user nobody: the daemon's uid, no capability for a NAT config
    whose scripts run as the same user, control socket and reload work."""
    out = outdir(pubdir)
    b = fc.Backend("r1", logdir=pubdir)
    undo(b.stop)
    port = fc.free_port()
    misc = id_script(pubdir, "misc.sh", os.path.join(out, "misc"))
    text = misc_conf(port, b.port, misc, "    run_as_user nobody\n")
    d = fc.Daemon(pubdir, text)
    os.chmod(d.conf, 0o644)
    undo(d.close)
    undo(d.stop)
    d.start()
    st = proc_status(d.proc.pid)
    assert st["Uid"].split() == [str(NOBODY)] * 4, st["Uid"]
    assert caps(d.proc.pid) == set() and st["NoNewPrivs"] == "1", st
    assert read_uid(os.path.join(out, "misc")) == NOBODY
    d.write_conf(text + fc.vs_block(fc.free_port(), [b.port]))
    os.chmod(d.conf, 0o644)
    d.reload()
    fc.wait_until(lambda: len(d.list_json()["virtual_servers"]) == 2, 10.0, "the reload")


def test_haproxy_numeric_uid_gid(pubdir, undo):
    """haproxy.cfg's `uid N` / `gid N` (content-sw-sample.cfg of the corpus):
    the ids themselves, which need no passwd or group entry, as haproxy's;
    the daemon runs as them and serves.  `uid` of no entry without `gid` is
    refused at start, not run with root's group."""
    b = fc.Backend("r1", logdir=pubdir)
    undo(b.stop)
    port = fc.free_port()
    uid, gid = 4242, 4243
    assert not any(p.pw_uid == uid for p in pwd.getpwall())
    body = ("defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
            "    timeout connect 5s\n"
            "listen l\n    bind 127.0.0.1:%d\n    server s1 127.0.0.1:%d\n" % (port, b.port))
    d = fc.Daemon(pubdir, "global\n    uid %d\n    gid %d\n" % (uid, gid) + body,
                  args=["--format=haproxy"])
    os.chmod(d.conf, 0o644)
    undo(d.close)
    undo(d.stop)
    d.start()
    st = proc_status(d.proc.pid)
    assert st["Uid"].split() == [str(uid)] * 4, st["Uid"]
    assert st["Gid"].split() == [str(gid)] * 4, st["Gid"]
    assert st["Groups"].split() == [str(gid)], st["Groups"]
    assert caps(d.proc.pid) == set(), st["CapEff"]
    assert fc.who(port) == "r1"
    conf = write(os.path.join(pubdir, "u.cfg"), "global\n    uid %d\n" % uid + body)
    r = fc.run_fulcrum("-n", "-l", "-f", conf, "--format=haproxy", timeout=10.0)
    assert r.returncode != 0
    assert "uid %d has no passwd entry: give its group (gid)" % uid in r.stderr, r.stderr
    r = check_t(write(os.path.join(pubdir, "bad.cfg"), "global\n    uid nobody\n" + body))
    assert r.returncode != 0 and ":2: 'uid nobody': not a numeric id" in r.stderr, r.stderr


def make_root(pubdir, undo):
    """A chroot: /usr bind-mounted read-only and /proc (unmounted at
    teardown), the merged-/usr links, root and nobody in etc/passwd, an
    open out/."""
    root = os.path.join(pubdir, "root")
    for sub in ("usr", "scripts", "etc", "proc"):
        os.makedirs(os.path.join(root, sub))
    out = outdir(root)
    usr = os.path.join(root, "usr")
    subprocess.run(["mount", "--bind", "/usr", usr], check=True, timeout=10)
    undo(subprocess.run, ["umount", "-l", usr], timeout=10)
    subprocess.run(["mount", "-o", "remount,bind,ro", usr], check=True, timeout=10)
    # not for fulcrum: LeakSanitizer reads /proc/PID/task at the ASan
    # build's exit
    subprocess.run(["mount", "-t", "proc", "proc", os.path.join(root, "proc")], check=True,
                   timeout=10)
    undo(subprocess.run, ["umount", "-l", os.path.join(root, "proc")], timeout=10)
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), os.path.join(root, link))
    for name in ("passwd", "group"):
        with open("/etc/" + name) as f, open(os.path.join(root, "etc", name), "w") as o:
            o.writelines(line for line in f if line.split(":")[0] in ("root", "nobody",
                                                                      "nogroup"))
    return root, out


def test_chroot_dir_scripts_and_reload_inside(pubdir, undo):
    """chroot_dir: scripts resolve inside the root (checked there by -t),
    the configuration is re-read at its own path inside the root."""
    root, out = make_root(pubdir, undo)
    script(os.path.join(root, "scripts", "check.sh"), "id -u > /out/id")
    b = fc.Backend("r1", logdir=pubdir)
    undo(b.stop)
    port = fc.free_port()
    text = misc_conf(port, b.port, "/scripts/check.sh",
                     "    chroot_dir %s\n" % root + SECURE)
    work = os.path.join(pubdir, "d")
    os.mkdir(work)
    d = fc.Daemon(work, text)
    inside = root + str(d.conf)

    def publish(t):
        d.write_conf(t)
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        shutil.copy(d.conf, inside)
    publish(text)
    undo(d.close)
    undo(d.stop)
    d.start()
    assert os.readlink("/proc/%d/root" % d.proc.pid) == root
    assert read_uid(os.path.join(out, "id")) == NOBODY
    publish(text + fc.vs_block(fc.free_port(), [b.port]))
    d.reload()
    fc.wait_until(lambda: len(d.list_json()["virtual_servers"]) == 2, 10.0, "the reload")

    os.chmod(os.path.join(root, "scripts", "check.sh"), 0o777)
    r = check_t(d.conf)
    assert r.returncode == 1, r
    assert "%s/scripts/check.sh is writable by everyone" % root in r.stderr, r.stderr


# ---------------------------------------------------------------- VRRP, XDP

def test_vrrp_master_with_dropped_capabilities(pubdir, tmp_path, request):
    why = vn.vrrp_served()
    if why:
        pytest.skip(why)
    out = outdir(pubdir)
    net = vn.Lan(1)
    request.addfinalizer(net.close)
    make = vn.daemon_factory(tmp_path, request)
    note = id_script(pubdir, "master.sh", os.path.join(out, "master"))
    text = "global_defs {\n%s}\n" % SECURE + vn.instance(
        "VI_1", "eth0", 51, 150, net.vip(), 0.1, extra="notify_master %s" % note)
    d = make(net.hosts[0], text)
    fc.wait_until(lambda: d.state("VI_1") == "MASTER" and vn.has_addr(d.ns, net.vip()),
                  10.0, "MASTER with the VIP")
    assert read_uid(os.path.join(out, "master")) == NOBODY
    assert caps(d.proc.pid) == {CAP_NET_ADMIN, CAP_NET_RAW} | SCRIPT_USER_CAPS
    assert proc_status(d.proc.pid)["NoNewPrivs"] == "1"
    d.reload()
    fc.wait_until(lambda: "reloaded" in d.stderr(), 10.0, "the reload")
    time.sleep(0.5)
    assert d.state("VI_1") == "MASTER" and vn.has_addr(d.ns, net.vip())


def test_xdp_dr_with_only_cap_net_admin(lvs, director):
    """The XDP program is loaded before the drop; serving, adding a server
    by reload and the neighbour refresh need CAP_NET_ADMIN only."""
    need_xdp("DR")
    net = lvs(n_rs=3)
    start_http(net)
    d = director(net.dirs[0], vs_conf(net.vip, HTTP, rs_list(net, [0, 1])))
    wait_up(d, net.vip, HTTP, [net.rs[0].addr, net.rs[1].addr])
    assert caps(d.proc.pid) == {CAP_NET_ADMIN}, proc_status(d.proc.pid)["CapEff"]
    assert CAP_BPF not in caps(d.proc.pid, "CapBnd")
    assert proc_status(d.proc.pid)["NoNewPrivs"] == "1"
    assert set(served_by(net.client.call(http_many, net.vip, 20))) == {"r1", "r2"}
    d.write_conf(vs_conf(net.vip, HTTP, rs_list(net)))
    d.reload()
    wait_up(d, net.vip, HTTP, [r.addr for r in net.rs])
    assert set(served_by(net.client.call(http_many, net.vip, 30))) == {"r1", "r2", "r3"}
