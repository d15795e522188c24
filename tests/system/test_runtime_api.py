"""HAProxy's runtime API on fulcrum's control socket (fulcrumctl): `show
stat` read by a CSV parser written from HAProxy's documented column list
(management.txt, section 9.1), `show servers state`, `show backend`, `show
info`, and every mutating command's effect on where new connections go and
its refusals (a refused command changes nothing), for a keepalived service
(its pool is the backend "TCP VIP:PORT", its servers "IP:PORT").  The
haproxy.cfg part runs once fulcrum reads haproxy.cfg (skipped before)."""
import csv
import io
import os
import shutil
import socket
import stat
import tempfile

import pytest

import fc

# HAProxy 2.6 management.txt, 9.1 "CSV format", fields 0..102 in order
HAPROXY_COLUMNS = """pxname svname qcur qmax scur smax slim stot bin bout dreq dresp ereq
econ eresp wretr wredis status weight act bck chkfail chkdown lastchg downtime qlimit pid
iid sid throttle lbtot tracked type rate rate_lim rate_max check_status check_code
check_duration hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other hanafail req_rate
req_rate_max req_tot cli_abrt srv_abrt comp_in comp_out comp_byp comp_rsp lastsess
last_chk last_agt qtime ctime rtime ttime agent_status agent_code agent_duration
check_desc agent_desc check_rise check_fall check_health agent_rise agent_fall
agent_health addr cookie mode algo conn_rate conn_rate_max conn_tot intercepted dcon dses
wrew connect reuse cache_lookups cache_hits srv_icur src_ilim qtime_max ctime_max
rtime_max ttime_max eint idle_conn_cur safe_conn_cur used_conn_cur need_conn_est uweight
agg_server_status agg_server_check_status agg_check_status""".split()


def read_stat(text):
    """{(pxname, svname): {column: value}} as a monitoring tool reads it:
    the documented columns by position, the header checked against them."""
    lines = text.splitlines()
    assert lines[0].startswith("# "), lines[0]
    header = lines[0][2:].split(",")
    assert header[:len(HAPROXY_COLUMNS)] == HAPROXY_COLUMNS, header
    rows = {}
    for rec in csv.reader(io.StringIO("\n".join(lines[1:]))):
        if not rec:
            continue
        assert len(rec) == len(header), rec
        row = dict(zip(HAPROXY_COLUMNS, rec))
        rows[(row["pxname"], row["svname"])] = row
    return rows


def one_service(daemon, backend):
    b1, b2 = backend("a"), backend("b")
    port = fc.free_port()
    dm = daemon(fc.vs_block(port, [(b1, 1), (b2, 1)], algo="wrr"))
    return dm, port, b1, b2, "TCP 127.0.0.1:%d" % port, "127.0.0.1:%d" % port


def test_show_stat_csv_of_an_lvs_service(daemon, backend):
    dm, port, b1, b2, pool, svc = one_service(daemon, backend)
    got = fc.names(port, 6)
    rows = read_stat(dm.ctl_ok("show", "stat"))
    assert set(rows) == {(pool, b1.addr()), (pool, b2.addr()), (pool, "BACKEND")}
    for b in (b1, b2):
        r = rows[(pool, b.addr())]
        assert r["status"] == "no check" and r["weight"] == "1" and r["type"] == "2"
        assert int(r["stot"]) == got.count(b.name) and r["addr"] == b.addr()
        assert r["mode"] == "tcp"
    be = rows[(pool, "BACKEND")]
    assert be["status"] == "UP" and be["algo"] == "wrr" and be["type"] == "1"
    assert int(be["stot"]) == 6 and be["weight"] == "2" and be["act"] == "2"
    # one backend only; an unknown one is an error, not an empty table
    r = dm.ctl("show", "stat", "nosuch")
    assert r.returncode != 0 and "no such proxy 'nosuch'" in r.stderr
    assert dm.ctl_ok("show", "backend") == "# name\n%s\n" % pool
    state = dm.ctl_ok("show", "servers", "state").splitlines()
    assert state[0] == "1" and state[1].startswith("# be_id be_name srv_id srv_name srv_addr ")
    assert state[2].split('" ')[1].split()[:3] == ["1", b1.addr(), "127.0.0.1"]
    info = dict(l.split(": ", 1) for l in dm.ctl_ok("show", "info").splitlines())
    assert info["Name"] == "fulcrum" and int(info["CumConns"]) == 6


def test_set_server_state_weight_and_refusals(daemon, backend):
    dm, port, b1, b2, pool, svc = one_service(daemon, backend)
    bs1, bs2 = "%s/%s" % (svc, b1.addr()), "%s/%s" % (svc, b2.addr())
    dm.ctl_ok("set", "server", bs2, "state", "drain")
    assert set(fc.names(port, 4)) == {"a"}
    assert read_stat(dm.ctl_ok("show", "stat"))[(pool, b2.addr())]["status"] == "DRAIN"
    dm.ctl_ok("set", "server", bs2, "state", "maint")
    assert read_stat(dm.ctl_ok("show", "stat"))[(pool, b2.addr())]["status"] == "MAINT"
    assert dm.rs(port, b2.port)["state"] == "disabled"
    dm.ctl_ok("set", "server", bs2, "state", "ready")
    dm.ctl_ok("set", "server", bs1, "weight", "3")
    got = fc.names(port, 8)
    assert got.count("a") == 6 and got.count("b") == 2, got
    assert dm.rs(port, b1.port)["configured_weight"] == 3
    dm.ctl_ok("disable", "server", bs1)
    assert set(fc.names(port, 3)) == {"b"}
    dm.ctl_ok("enable", "server", bs1)
    assert "a" in fc.names(port, 8)
    before = fc.shape(dm.list_json())
    for args, why in [
            (("set", "server", "nosuch/x", "state", "drain"), "no such backend 'nosuch'"),
            (("set", "server", svc + "/9.9.9.9:1", "state", "drain"), "no such server"),
            (("set", "server", bs1, "state", "sleepy"), "is not ready, drain or maint"),
            (("set", "server", bs1, "weight", "70000"), "out of range"),
            (("set", "server", bs1, "weight", "x"), "is not a number"),
            (("set", "server", bs1, "addr", "not-an-ip"), "bad address"),
            (("set", "server", bs1, "addr", "127.0.0.1", "port", b2.port), "already server"),
            (("set", "server", "no-slash", "state", "drain"), "is not BACKEND/SERVER"),
            (("del", "server", bs1), "only a server in maintenance"),
            (("disable", "health", bs1), "has no health check"),
            (("add", "server", svc + "/" + b2.addr(), "127.0.0.1:1"), "already has a server"),
            (("clear", "counters", "all"), "only grow")]:
        r = dm.ctl(*args)
        assert r.returncode != 0 and why in r.stderr, (args, r.stderr)
        assert fc.shape(dm.list_json()) == before, args
    dm.ctl_ok("clear", "counters")


def test_add_del_server_and_addr(daemon, backend):
    dm, port, b1, b2, pool, svc = one_service(daemon, backend)
    b3 = backend("c")
    dm.ctl_ok("add", "server", svc + "/third", b3.addr(), "weight", "2")
    rows = read_stat(dm.ctl_ok("show", "stat"))
    assert rows[(pool, "third")]["addr"] == b3.addr() and rows[(pool, "third")]["weight"] == "2"
    assert "c" in fc.names(port, 8)
    # move "third" onto b2's port... refused (b2 is there); onto a new backend
    b4 = backend("d")
    dm.ctl_ok("set", "server", svc + "/third", "addr", "127.0.0.1", "port", b4.port)
    got = fc.names(port, 8)
    assert "d" in got and "c" not in got, got
    dm.ctl_ok("set", "server", svc + "/third", "state", "maint")
    dm.ctl_ok("del", "server", svc + "/third")
    assert (pool, "third") not in read_stat(dm.ctl_ok("show", "stat"))
    assert set(fc.names(port, 4)) == {"a", "b"}
    # fulcrum's own forms are still what they were
    dm.ctl_ok("add", "server", svc, b3.addr())
    dm.ctl_ok("del", "server", svc, b3.addr())


def test_haproxy_cfg_backend(daemon, backend, tmp_path):
    b1 = backend("a")
    port = fc.free_port()
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text("global\n    stats socket %s/s.sock mode 600 level admin\n"
                   "defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
                   "    timeout connect 5s\n"
                   "listen web\n    bind 127.0.0.1:%d\n    server s1 %s\n"
                   % (tmp_path, port, b1.addr()))
    r = fc.run_fulcrum("-t", "-f", str(cfg))
    if r.returncode != 0:
        pytest.skip("fulcrum does not read haproxy.cfg yet: %s" % (r.stdout + r.stderr)[-200:])
    dm = daemon(cfg.read_text())
    fc.who(port)
    rows = read_stat(dm.ctl_ok("show", "stat"))
    assert rows[("web", "s1")]["stot"] == "1" and rows[("web", "BACKEND")]["status"] == "UP"
    assert rows[("web", "FRONTEND")]["status"] == "OPEN"
    dm.ctl_ok("set", "server", "web/s1", "state", "drain")
    assert read_stat(dm.ctl_ok("show", "stat"))[("web", "s1")]["status"] == "DRAIN"


def stats_socket(path, text, timeout=10.0):
    """Send text to a stats socket, read to EOF (the server closes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall(text.encode())
        return fc.recv_to_eof(s, 1 << 22).decode()
    finally:
        s.close()


def test_haproxy_cfg_stats_socket(undo, daemon, backend, tmp_path):
    b1, b2 = backend("a"), backend("b")
    port = fc.free_port()
    sock = "%s/s.sock" % short_dir(undo)
    missing = "%s/no-such-dir/s.sock" % short_dir(undo)
    cfg = ("global\n    stats socket %s mode 600 level admin\n    stats socket %s\n"
           "defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
           "    timeout connect 5s\n"
           "listen web\n    bind 127.0.0.1:%d\n    server s1 %s\n    server s2 %s\n"
           % (sock, missing, port, b1.addr(), b2.addr()))
    (tmp_path / "probe.cfg").write_text(cfg)
    r = fc.run_fulcrum("-t", "-f", str(tmp_path / "probe.cfg"))
    if r.returncode != 0:
        pytest.skip("fulcrum does not read haproxy.cfg yet: %s" % (r.stdout + r.stderr)[-200:])
    dm = daemon(cfg)
    fc.wait_until(lambda: os.path.exists(sock), 10, "the stats socket")
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600
    # a socket that cannot be made is an error in the log, not a daemon down
    fc.wait_until(lambda: "no-such-dir/s.sock" in dm.stderr(), 10, "the error logged")
    assert "not served" in dm.stderr() and dm.running()
    # one command per connection, the answer ends with an empty line
    info = stats_socket(sock, "show info\n")
    assert info.startswith("Name: fulcrum\n") and info.endswith("\n\n"), info
    # ';'-separated commands, each answered in turn; a refusal says why
    out = stats_socket(sock, "show backend; set server web/s1 state drain; "
                             "set server web/nosuch weight 2; show servers state web\n")
    # (an answer that is empty is its empty line alone, as HAProxy's)
    head = "# name\nweb\n\n\nno such server 'nosuch' in backend 'web'\n\n1\n# be_id "
    assert out.startswith(head) and out.endswith("\n\n"), out
    # be_id 2: HAProxy's stats socket is proxy 1
    assert "\n2 web 1 s1 127.0.0.1 2 8 " in out, out
    assert set(fc.names(port, 4)) == {"b"}
    # interactive: a prompt before each line until quit
    out = stats_socket(sock, "prompt\nset server web/s1 state ready\nshow stat web\nquit\n")
    assert out.startswith("> \n> # pxname,svname,"), out[:200]
    rows = read_stat(out[5:].split("\n\n")[0])
    assert rows[("web", "s1")]["status"] == "no check" and rows[("web", "s2")]["weight"] == "1"
    assert "a" in fc.names(port, 4)
    # the same through fulcrumctl; the socket goes with the daemon
    assert read_stat(dm.ctl_ok("show", "stat"))[("web", "BACKEND")]["act"] == "2"
    dm.stop()
    assert not os.path.exists(sock)


def short_dir(undo):
    """A short directory for a socket path (sun_path is 108 bytes), removed
    at teardown (undo comes before daemon: the daemon has stopped by then)."""
    d = tempfile.mkdtemp(prefix="fst-", dir="/tmp")
    undo(shutil.rmtree, d, True)
    return d


# (command, the lowest level HAProxy 2.6 runs it at): below it, the answer is
# "Permission denied" and nothing changes
LEVEL_COMMANDS = [
    ("show backend", "user"),
    ("show servers state web", "user"),
    ("clear counters", "operator"),
    ("clear counters all", "admin"),
    ("set server web/s1 state maint", "admin"),
    ("set weight web/s1 5", "admin"),
    ("disable health web/s1", "admin"),
    ("disable server web/s1", "admin"),
    ("del server web/s1", "admin"),
]
LEVELS = ["user", "operator", "admin"]
DENIED = "Permission denied\n\n"


def level_sockets(d):
    """`stats socket` lines: level user (mode 666), none (= operator),
    operator, admin; {name: (path, level)}."""
    socks = {"u": "user", "n": "operator", "o": "operator", "a": "admin"}
    paths = {k: ("%s/%s.sock" % (d, k), lvl) for k, lvl in socks.items()}
    lines = ("    stats socket %s mode 666 level user\n    stats socket %s\n"
             "    stats socket %s level operator\n    stats socket %s level admin\n"
             % tuple(paths[k][0] for k in "unoa"))
    return paths, lines


def test_stats_socket_mode_and_level(undo, daemon, backend, tmp_path):
    b1, b2 = backend("a"), backend("b")
    port = fc.free_port()
    paths, lines = level_sockets(short_dir(undo))
    body = ("defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
            "    timeout connect 5s\n"
            "listen web\n    bind 127.0.0.1:%d\n    server s1 %s\n    server s2 %s\n")
    cfg = "global\n" + lines + body % (port, b1.addr(), b2.addr())
    (tmp_path / "probe.cfg").write_text(cfg)
    r = fc.run_fulcrum("-t", "-f", str(tmp_path / "probe.cfg"))
    if r.returncode != 0:
        pytest.skip("fulcrum does not read haproxy.cfg yet: %s" % (r.stdout + r.stderr)[-200:])
    dm = daemon(cfg)
    for path, _ in paths.values():
        fc.wait_until(lambda: os.path.exists(path), 10, "the stats socket %s" % path)
    # `mode` is the file's mode; without it, 600
    assert stat.S_IMODE(os.stat(paths["u"][0]).st_mode) == 0o666
    assert stat.S_IMODE(os.stat(paths["n"][0]).st_mode) == 0o600
    # below its level a command is refused in HAProxy's words and changes
    # nothing: both servers still take clients, s1 is not in maintenance
    for name, (path, level) in paths.items():
        for cmd, needs in LEVEL_COMMANDS:
            if LEVELS.index(level) < LEVELS.index(needs):
                assert stats_socket(path, cmd + "\n") == DENIED, (name, cmd)
    assert set(fc.names(port, 6)) == {"a", "b"}
    rows = read_stat(stats_socket(paths["a"][0], "show stat web\n"))
    assert rows[("web", "s1")]["status"] == "no check" and rows[("web", "s1")]["weight"] == "1"
    # at their level they run: `show` for all, `clear counters` from
    # operator, `set server` for admin
    assert stats_socket(paths["u"][0], "show backend\n") == "# name\nweb\n\n"
    assert stats_socket(paths["n"][0], "clear counters\n") == "\n"
    assert stats_socket(paths["a"][0], "set server web/s1 state maint\n") == "\n"
    assert set(fc.names(port, 4)) == {"b"}
    # `help` lists what the level may run
    helps = {k: stats_socket(p, "help\n") for k, (p, _) in paths.items()}
    assert "show stat" in helps["u"] and "clear counters" not in helps["u"]
    assert "clear counters" in helps["n"] and "set server" not in helps["n"]
    assert "set server" in helps["a"]
    # fd@N gets its level as well: varnishtest's `level admin` (test_vtc.py)
    assert dm.running()


@pytest.mark.skipif(not os.path.exists(fc.HAPROXY), reason="no /usr/sbin/haproxy")
def test_stats_socket_levels_as_haproxy(undo, daemon, backend, tmp_path):
    """The same cfg's sockets side by side with Debian's haproxy: each
    command is refused on the same sockets."""
    b1 = backend("a")
    body = ("defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
            "    timeout connect 5s\n"
            "listen web\n    bind 127.0.0.1:%d\n    server s1 %s\n    server s2 %s\n")
    hp_paths, hp_lines = level_sockets(short_dir(undo))
    ref = tmp_path / "ref"
    ref.mkdir()
    fc.start_haproxy(undo, ref, hp_lines + body % (fc.free_port(), b1.addr(), b1.addr()))
    paths, lines = level_sockets(short_dir(undo))
    cfg = "global\n" + lines + body % (fc.free_port(), b1.addr(), b1.addr())
    (tmp_path / "probe.cfg").write_text(cfg)
    r = fc.run_fulcrum("-t", "-f", str(tmp_path / "probe.cfg"))
    if r.returncode != 0:
        pytest.skip("fulcrum does not read haproxy.cfg yet: %s" % (r.stdout + r.stderr)[-200:])
    daemon(cfg)
    for path, _ in list(paths.values()) + list(hp_paths.values()):
        fc.wait_until(lambda: os.path.exists(path), 10, "the stats socket %s" % path)
    for name in "unoa":
        for cmd, _ in LEVEL_COMMANDS:
            if cmd.startswith("del server"):
                continue  # HAProxy's answer depends on the server's state
            want = stats_socket(hp_paths[name][0], cmd + "\n") == DENIED
            got = stats_socket(paths[name][0], cmd + "\n") == DENIED
            assert got == want, (name, cmd, want)
