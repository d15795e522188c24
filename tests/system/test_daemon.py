"""The daemon's life: pid file, clean stop, one instance per control socket,
connection counters back to 0 when clients leave."""
import os
import resource
import signal
import socket
import time

import pytest

import fc


def simple(daemon, backend, n=2):
    bs = [backend("d%d" % i) for i in range(n)]
    vport = fc.free_port()
    return daemon(fc.vs_block(vport, bs, algo="rr")), bs, vport


def test_pidfile_and_clean_stop(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    with open(dm.pidfile) as f:
        assert f.read().strip() == str(dm.proc.pid)
    assert os.path.exists(dm.sock)
    assert fc.names(vport, 4)
    dm.stop()  # asserts exit 0
    assert not os.path.exists(dm.pidfile), "pid file left behind"
    assert not os.path.exists(dm.sock), "control socket left behind"
    # and the virtual server's port is closed
    try:
        fc.connect(vport, timeout=2).close()
        raise AssertionError("virtual server still accepts after stop")
    except OSError:
        pass


def test_sigint_stops_cleanly(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    dm.proc.send_signal(signal.SIGINT)
    assert dm.wait_exit() == 0, dm.stderr()
    assert not os.path.exists(dm.pidfile) and not os.path.exists(dm.sock)


def test_stop_with_open_connections(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    streams = [fc.Stream(vport) for _ in range(4)]
    try:
        for s in streams:
            s.assert_flowing()
        dm.stop()
    finally:
        for s in streams:
            s.close(check=False)


def test_second_instance_refused(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    other = fc.free_port()
    second = daemon(fc.vs_block(other, bs, algo="rr"), start=False)
    second.sock = dm.sock  # same control socket, own pid file and config
    second.start(wait=False)
    rc = second.wait_exit()
    assert rc != 0
    assert dm.sock in second.stderr() or "running" in second.stderr(), second.stderr()
    # the first one is untouched
    assert os.path.exists(dm.sock)
    assert dm.ctl("list").returncode == 0
    assert set(fc.names(vport, 4)) == {"d0", "d1"}
    with open(dm.pidfile) as f:
        assert f.read().strip() == str(dm.proc.pid)


def test_second_instance_same_pidfile_refused(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    second = daemon(fc.vs_block(fc.free_port(), bs, algo="rr"), start=False)
    second.pidfile = dm.pidfile
    second.start(wait=False)
    rc = second.wait_exit()
    assert rc != 0
    with open(dm.pidfile) as f:
        assert f.read().strip() == str(dm.proc.pid)
    assert dm.ctl("list").returncode == 0


def test_stale_socket_file_is_replaced(daemon, backend, tmp_path):
    """A socket file left by a crashed daemon (nobody listening) does not
    prevent a start."""
    import socket as so
    bs = [backend("d0")]
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, bs, algo="rr"), start=False)
    s = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    s.bind(dm.sock)
    s.close()  # the file stays, nobody listens
    dm.start()
    assert dm.ctl("list").returncode == 0


def test_counters_return_to_zero(daemon, backend):
    dm, bs, vport = simple(daemon, backend)
    socks = []
    try:
        for _ in range(6):
            s = fc.connect(vport)
            assert fc.recv_line(s) in ("d0", "d1")
            socks.append(s)

        def active():
            v = dm.vs(vport)
            return [r["active_conns"] for r in v["real_servers"]]
        fc.wait_until(lambda: active() == [3, 3], 15, "3 active connections on each server")
    finally:
        for s in socks:
            s.close()

    def idle():
        v = dm.vs(vport)
        return all(r["active_conns"] == 0 and r["inactive_conns"] == 0
                   for r in v["real_servers"])
    fc.wait_until(idle, 10, "active/inactive counters back to 0")
    v = dm.vs(vport)
    assert [r["total_conns"] for r in v["real_servers"]] == [3, 3]
    out = dm.ctl_ok("list")
    for b in bs:
        line = [l for l in out.splitlines() if "127.0.0.1:%d " % b.port in l + " "][0]
        assert line.split()[-2:] == ["0", "0"], line


def test_counters_zero_after_half_closed_and_reset(daemon, backend):
    """Clients that half-close, or reset, still leave nothing behind."""
    import socket as so
    import struct
    dm, bs, vport = simple(daemon, backend)
    for i in range(10):
        s = fc.connect(vport)
        fc.recv_line(s)
        if i % 2:
            s.shutdown(so.SHUT_WR)
            assert fc.recv_to_eof(s) == b""
        else:  # RST: SO_LINGER with timeout 0
            s.setsockopt(so.SOL_SOCKET, so.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    fc.wait_until(lambda: all(r["active_conns"] == 0 and r["inactive_conns"] == 0
                              for r in dm.vs(vport)["real_servers"]),
                  10, "counters back to 0")
    assert dm.running()


def test_control_socket_from_global_defs(daemon, backend):
    bs = [backend("d0")]
    vport = fc.free_port()
    dm = daemon("", start=False)
    conf = "global_defs {\n    control_socket %s\n}\n" % dm.sock + fc.vs_block(vport, bs)
    dm.write_conf(conf)
    dm.control_cli = False
    dm.start()
    assert fc.names(vport, 2) == ["d0", "d0"]
    # --control wins over global_defs
    dm2 = daemon("", start=False)
    dm2.write_conf("global_defs {\n    control_socket %s\n}\n" % (dm.sock + ".unused") +
                   fc.vs_block(fc.free_port(), bs))
    dm2.start()
    assert os.path.exists(dm2.sock) and not os.path.exists(dm.sock + ".unused")


def _fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def _outcomes(port, n, timeout):
    """n clients connect at once, then each waits for its backend's name
    until the common deadline: (served, refused, hung), refused meaning
    reset, closed or not connected, hung still waiting at the deadline."""
    socks, served, refused, hung = [], 0, 0, 0
    deadline = time.monotonic() + timeout
    try:
        for _ in range(n):
            try:
                socks.append(fc.connect(port, timeout=timeout))
            except OSError:
                refused += 1
        for s in socks:
            try:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                fc.recv_line(s)
                served += 1
            except socket.timeout:
                hung += 1
            except (OSError, AssertionError):
                refused += 1
    finally:
        for s in socks:
            s.close()
    return served, refused, hung


def _idle(dm, vport):
    fc.wait_until(lambda: all(r["active_conns"] == 0 and r["inactive_conns"] == 0
                              for r in dm.vs(vport)["real_servers"]),
                  10, "counters back to 0")


@pytest.mark.parametrize("nbthread", [1, 2])
@pytest.mark.parametrize("slack", [0, 1, 2, 5])
def test_out_of_descriptors_recovers(daemon, backend, monkeypatch, slack, nbthread):
    """The daemon's descriptor limit is lowered to what it holds at rest
    plus `slack`, then 100 clients come at once: every one is served or
    refused (reset) in bounded time -- none waits in the listen queue for
    ever -- the daemon survives, its counters return to 0, and clients that
    come one at a time are served whenever a connection's two descriptors
    fit (slack >= 2), else refused at once.  Before the proxy kept a
    descriptor in reserve, at slack 0 the queued clients were never
    accepted nor refused, and the daemon never served again.

    The arithmetic holds for workers too: `base` counts every worker's
    reserve descriptor (each holds one while it listens, beside its epoll,
    its eventfd and its listener), and a client needs the same two
    descriptors whichever worker takes it.  But the limit is the process's:
    the main thread's control connection (the listing above) may hold one
    of the two for a moment while a worker takes a client.  Before a
    shortage ended once no client failed for a whole wait, that client was
    reset at once, for the burst long before (nbthread 2, slack 2)."""
    # the test says its nbthread itself: FC_NBTHREAD would add another
    monkeypatch.delenv("FC_NBTHREAD", raising=False)
    bs = [backend("d0"), backend("d1")]
    vport = fc.free_port()
    dm = daemon("global_defs {\n    nbthread %d\n}\n" % nbthread + fc.vs_block(vport, bs))
    pid = dm.proc.pid
    base = _fds(pid)
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (base + slack, hard))
    t0 = time.monotonic()
    served, refused, hung = _outcomes(vport, 100, 10.0)
    assert hung == 0, "%d clients neither served nor refused in %.1fs (%d served)" % (
        hung, time.monotonic() - t0, served)
    assert served < 100 and served + refused == 100, (served, refused)
    assert dm.running(), dm.stderr()
    if slack >= 2:
        _idle(dm, vport)
        # one client at a time, each once the daemon is back at rest: at
        # slack 2 exactly one connection fits, and the previous client's
        # (or the listing's control connection's) descriptors are given back
        # when its worker sees the close, which with two workers may come
        # after the next client is accepted by the other one
        got = []
        for _ in range(4):
            fc.wait_until(lambda: _fds(pid) <= base, 15, "the daemon back at rest")
            got.append(fc.who(vport))
        assert sorted(got) == ["d0", "d0", "d1", "d1"]
        assert "cannot accept clients" in dm.stderr()
        fc.wait_until(lambda: _fds(pid) == base, 15, "no descriptor left behind")
        return
    for _ in range(4):
        # refused, not left to time out: well under the client's 15 s even
        # when the daemon waits for a CPU under load
        t1 = time.monotonic()
        with pytest.raises(OSError):
            fc.who(vport, timeout=15.0)
        assert time.monotonic() - t1 < 8.0, "a refusal took %.1fs" % (time.monotonic() - t1)
    # nothing was left stuck: with descriptors back, it serves at once
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    _idle(dm, vport)
    assert sorted(fc.names(vport, 4)) == ["d0", "d0", "d1", "d1"]
    fc.wait_until(lambda: _fds(pid) == base, 15, "no descriptor left behind")


def _proc_stat(pid):
    """(nice, rt_priority, policy) from /proc/PID/stat (fields 19, 40, 41)."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    # rest[0] is field 3 (state)
    return int(rest[19 - 3]), int(rest[40 - 3]), int(rest[41 - 3])


def _status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise AssertionError("%s not in /proc/%d/status" % (key, pid))


def _rttime_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max realtime timeout"):
                return line.split()[3:5]
    raise AssertionError("no realtime timeout line")


def test_rt_priority_no_swap_nice(daemon, backend, tmp_path):
    """vrrp_rt_priority / checker_rt_priority / vrrp_no_swap / vrrp_priority /
    vrrp_rlimit_rttime: the daemon runs SCHED_RR at the higher rt priority,
    with the RTTIME limit, locked memory and the lower nice value; a script it
    forks (MISC_CHECK) is back at SCHED_OTHER; a reload without them leaves
    the real-time class."""
    bs = [backend("rt0")]
    vport = fc.free_port()
    out = tmp_path / "child-policy"
    script = tmp_path / "policy.sh"
    script.write_text("#!/bin/sh\n"
                      "cut -d')' -f2- /proc/$$/stat | awk '{print $39}' > %s\n"
                      "exit 0\n" % out)
    script.chmod(0o755)
    check = ("MISC_CHECK {\n misc_path %s\n misc_timeout 5\n }\n"
             "delay_loop 1\n" % script)
    glob = ("global_defs {\n vrrp_rt_priority 10\n checker_rt_priority 20\n"
            " vrrp_rlimit_rttime 50000\n vrrp_no_swap\n vrrp_priority -5\n"
            " checker_priority 3\n}\n")
    vs = fc.vs_block(vport, bs, algo="rr")
    vs = vs.replace("real_server 127.0.0.1 %d {" % bs[0].port,
                    "real_server 127.0.0.1 %d {\n%s" % (bs[0].port, check), 1)
    assert check in vs, vs
    dm = daemon(glob + vs)
    pid = dm.proc.pid
    nice, rtprio, policy = _proc_stat(pid)
    assert policy == 2, "policy %d, not SCHED_RR" % policy
    assert rtprio == 20, "the higher of vrrp/checker rt_priority wins: %d" % rtprio
    assert nice == -5, "the lower nice value wins: %d" % nice
    assert _rttime_limit(pid) == ["50000", "100000"], _rttime_limit(pid)
    assert _status_kb(pid, "VmLck") > 0, "no_swap: nothing locked"
    fc.wait_until(lambda: out.exists() and out.read_text().strip(), 10, "MISC_CHECK ran")
    assert out.read_text().strip() == "0", "a forked script must not inherit SCHED_RR"
    assert fc.names(vport, 2)
    dm.write_conf(vs)
    dm.reload()
    fc.wait_until(lambda: _proc_stat(pid)[2] == 0, 10, "SCHED_OTHER after reload")
    fc.wait_until(lambda: _status_kb(pid, "VmLck") == 0, 10, "memory unlocked after reload")


def test_rt_priority_bad_value(tmp_path):
    conf = tmp_path / "k.conf"
    conf.write_text("global_defs {\n vrrp_rt_priority 100\n vrrp_priority 30\n}\n")
    r = fc.run_fulcrum("-t", "-f", str(conf))
    assert r.returncode != 0
    assert "k.conf:2:" in r.stderr and "k.conf:3:" in r.stderr, r.stderr
