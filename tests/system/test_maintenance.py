"""maintenance_dir (ldirectord's maintenancedir): a file named after a real
server (IP:PORT, IP, HOST:PORT, HOST) forces it down while it exists, for
every service that has it; the listings say why; checks go on and their
verdict applies again when the file goes.  Real daemon, real directory,
backends on loopback."""
import os
import shutil
import socket
import time

import pytest

import fc

# longer than a rescan, for "nothing happened" checks
QUIET = 1.0


def conf(maint, services, glob=""):
    g = "    maintenance_dir %s\n" % maint
    g += "".join("    %s\n" % l.strip() for l in glob.strip().splitlines())
    return "global_defs {\n%s}\n" % g + "".join(services)


def state(dm, vport, rs_port):
    r = dm.rs(vport, rs_port)
    return None if r is None else (r["state"], r["reason"], r["weight"])


def wait_state(dm, vport, rs_port, want, what):
    return fc.wait_until(lambda: (state(dm, vport, rs_port) or ("",))[0] == want, 10, what)


def touch(path):
    with open(path, "w"):
        pass


def test_ip_port_file_takes_server_out_and_back(daemon, backend, tmp_path):
    a, b = backend("A"), backend("B")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    dm = daemon(conf(maint, [fc.vs_block(vport, [a, b])]))
    assert set(fc.names(vport, 4)) == {"A", "B"}

    f = maint / ("127.0.0.1:%d" % b.port)
    touch(f)
    wait_state(dm, vport, b.port, "maintenance", "B in maintenance")
    st, reason, w = state(dm, vport, b.port)
    assert reason == "maintenance (file %s)" % f
    assert w == 0
    assert fc.names(vport, 10) == ["A"] * 10, "clients still reach B"
    checks = dm.ctl_ok("show", "checks")
    assert "127.0.0.1:%d maintenance" % b.port in checks, checks
    assert "maintenance (file %s)" % f in checks, checks
    # out of the ipvsadm-style table, as a failed server without inhibit_on_failure
    assert ":%d " % b.port not in dm.ctl_ok("list"), dm.ctl_ok("list")
    assert state(dm, vport, a.port)[0] == "up"

    f.unlink()
    wait_state(dm, vport, b.port, "up", "B back")
    assert set(fc.names(vport, 4)) == {"A", "B"}


def test_ip_file_matches_every_port_and_service(daemon, backend, tmp_path):
    b1, b2 = backend("B1", host="127.0.0.2"), backend("B2", host="127.0.0.2")
    c = backend("C")
    maint = tmp_path / "maint"
    maint.mkdir()
    v1, v2 = fc.free_port(), fc.free_port()
    dm = daemon(conf(maint, [fc.vs_block(v1, [b1, b2, c]), fc.vs_block(v2, [b1, c])]))

    touch(maint / "127.0.0.2")
    for vport, port in ((v1, b1.port), (v1, b2.port), (v2, b1.port)):
        wait_state(dm, vport, port, "maintenance", "127.0.0.2:%d of :%d" % (port, vport))
    assert state(dm, v1, c.port)[0] == "up"
    assert fc.names(v1, 6) == ["C"] * 6
    assert fc.names(v2, 3) == ["C"] * 3

    # a file for one port only: the other port comes back
    touch(maint / ("127.0.0.2:%d" % b1.port))
    os.unlink(maint / "127.0.0.2")
    wait_state(dm, v1, b2.port, "up", "B2 back")
    time.sleep(QUIET)
    assert state(dm, v1, b1.port)[0] == "maintenance"
    assert state(dm, v1, b1.port)[1].endswith("/127.0.0.2:%d)" % b1.port)
    assert set(fc.names(v1, 6)) == {"B2", "C"}


def test_inhibit_on_failure_keeps_it_with_weight_0(daemon, backend, tmp_path):
    a, b = backend("A"), backend("B")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    dm = daemon(conf(maint, [fc.vs_block(vport, [a, b], extra="inhibit_on_failure")]))
    touch(maint / ("127.0.0.1:%d" % b.port))
    wait_state(dm, vport, b.port, "maintenance", "B in maintenance")
    line = [l for l in dm.ctl_ok("list").splitlines() if ":%d " % b.port in l]
    assert len(line) == 1 and line[0].split()[3] == "0", line
    assert fc.names(vport, 6) == ["A"] * 6


def test_checks_go_on_and_their_verdict_applies_after(daemon, backend, tmp_path):
    """B dies while in maintenance: when the file goes it is down (its
    check's verdict), not up; back up once it answers again."""
    a, b = backend("A"), backend("B")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    chk = "TCP_CHECK {\n connect_timeout 1\n delay_loop 0.3\n }"
    vs = ("virtual_server 127.0.0.1 %d {\n    lb_algo rr\n    lb_kind NAT\n"
          "    real_server 127.0.0.1 %d {\n        %s\n    }\n"
          "    real_server 127.0.0.1 %d {\n        %s\n    }\n}\n"
          % (vport, a.port, chk, b.port, chk))
    dm = daemon(conf(maint, [vs]))
    wait_state(dm, vport, b.port, "up", "B up")
    f = maint / ("127.0.0.1:%d" % b.port)
    touch(f)
    wait_state(dm, vport, b.port, "maintenance", "B in maintenance")
    port = b.port
    b.stop()
    time.sleep(QUIET)  # its check fails meanwhile; it stays in maintenance
    assert state(dm, vport, port)[1] == "maintenance (file %s)" % f
    f.unlink()
    wait_state(dm, vport, port, "down", "B down after maintenance")
    assert "TCP_CHECK" in state(dm, vport, port)[1]
    backend("B", port=port)
    wait_state(dm, vport, port, "up", "B up again")


def test_directory_missing_then_created_then_removed(daemon, backend, tmp_path):
    """A missing directory holds no file: every server serves, and its
    creation is noticed (within a second); removing it ends the maintenance."""
    a, b = backend("A"), backend("B")
    maint = tmp_path / "later"
    vport = fc.free_port()
    text = conf(maint, [fc.vs_block(vport, [a, b])])
    (tmp_path / "t.conf").write_text(text)
    r = fc.run_fulcrum("-t", "-f", tmp_path / "t.conf")
    assert r.returncode == 0 and "maintenance_dir: '%s' does not exist" % maint in r.stderr, r
    dm = daemon(text)
    assert set(fc.names(vport, 4)) == {"A", "B"}

    tmp = tmp_path / "later.tmp"
    tmp.mkdir()
    touch(tmp / ("127.0.0.1:%d" % b.port))
    os.rename(tmp, maint)
    wait_state(dm, vport, b.port, "maintenance", "the created directory to be seen")
    shutil.rmtree(maint)
    wait_state(dm, vport, b.port, "up", "B back with the directory gone")
    maint.mkdir()
    touch(maint / ("127.0.0.1:%d" % a.port))
    wait_state(dm, vport, a.port, "maintenance", "the directory made again")


def test_host_name_file(daemon, backend, tmp_path):
    try:
        addrs = {ai[4][0] for ai in socket.getaddrinfo("localhost", None)}
    except OSError:
        addrs = set()
    if "127.0.0.1" not in addrs:
        pytest.skip("localhost does not resolve to 127.0.0.1 here")
    a, b = backend("A"), backend("B", host="127.0.0.2")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    dm = daemon(conf(maint, [fc.vs_block(vport, [a, b])]))
    touch(maint / ("localhost:%d" % a.port))
    wait_state(dm, vport, a.port, "maintenance", "localhost:PORT to name A")
    assert state(dm, vport, a.port)[1] == "maintenance (file %s/localhost:%d)" % (maint, a.port)
    assert state(dm, vport, b.port)[0] == "up"
    os.unlink(maint / ("localhost:%d" % a.port))
    wait_state(dm, vport, a.port, "up", "A back")


def test_new_servers_start_in_maintenance(daemon, backend, tmp_path):
    """A server that a reload or `fulcrumctl add` brings in while its file
    exists starts in maintenance; the reload keeps the others' too."""
    a, b, c, d = backend("A"), backend("B"), backend("C"), backend("D")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    dm = daemon(conf(maint, [fc.vs_block(vport, [a, b])]))
    for s in (b, c, d):
        touch(maint / ("127.0.0.1:%d" % s.port))
    wait_state(dm, vport, b.port, "maintenance", "B in maintenance")

    dm.write_conf(conf(maint, [fc.vs_block(vport, [a, b, c])]))
    dm.ctl_ok("reload")
    assert state(dm, vport, c.port)[0] == "maintenance"
    assert state(dm, vport, b.port)[0] == "maintenance"
    dm.ctl_ok("add", "server", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % d.port)
    assert state(dm, vport, d.port)[0] == "maintenance"
    assert fc.names(vport, 8) == ["A"] * 8
    assert "D" not in "".join(x for s in (b, c, d) for x in s.lines)

    # a reload that drops maintenance_dir takes every server out of it
    dm.write_conf("".join(fc.vs_block(vport, [a, b, c])))
    dm.ctl_ok("reload")
    for s in (b, c):
        assert state(dm, vport, s.port)[0] == "up"
    assert set(fc.names(vport, 6)) == {"A", "B", "C"}
