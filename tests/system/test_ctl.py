"""fulcrumctl against a running daemon: the listing, the JSON, every
mutating command's effect on where new connections go while long-lived
streams run, refused commands, help, and the socket's mode."""
import os
import re
import stat

import fc

VS_KEYS = {"address", "port", "protocol", "scheduler", "forward", "persistence_timeout",
           "real_servers"}
RS_KEYS = {"address", "port", "weight", "configured_weight", "state", "active_conns",
           "inactive_conns", "total_conns", "in_bytes", "out_bytes"}


def A(port):
    return "127.0.0.1:%d" % port


def two_vs(daemon, backend):
    b1, b2, b3 = backend("a"), backend("b"), backend("c")
    v1, v2 = fc.free_port(), fc.free_port()
    conf = (fc.vs_block(v1, [(b1, 1), (b2, 2)], algo="wrr", extra="persistence_timeout 30") +
            fc.vs_block(v2, [(b3, 3)], algo="rr"))
    return daemon(conf), (b1, b2, b3), (v1, v2)


def test_list_layout(daemon, backend):
    dm, (b1, b2, b3), (v1, v2) = two_vs(daemon, backend)
    out = dm.ctl_ok("list")
    lines = out.splitlines()
    assert any(re.match(r"^Prot\s+LocalAddress:Port\s+Scheduler\s+Flags", l) for l in lines), out
    assert any(re.match(r"^\s+->\s+RemoteAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn",
                        l) for l in lines), out
    vs1 = [i for i, l in enumerate(lines) if re.match(r"^TCP\s+127\.0\.0\.1:%d\s+wrr\b" % v1, l)]
    vs2 = [i for i, l in enumerate(lines) if re.match(r"^TCP\s+127\.0\.0\.1:%d\s+rr\b" % v2, l)]
    assert len(vs1) == 1 and len(vs2) == 1, out
    assert "persistent 30" in lines[vs1[0]], lines[vs1[0]]
    # real server lines follow their virtual server, in config order
    rs = re.compile(r"^\s+->\s+127\.0\.0\.1:(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")
    m1, m2 = rs.match(lines[vs1[0] + 1]), rs.match(lines[vs1[0] + 2])
    m3 = rs.match(lines[vs2[0] + 1])
    assert m1 and m2 and m3, out
    assert (int(m1.group(1)), int(m1.group(3))) == (b1.port, 1)
    assert (int(m2.group(1)), int(m2.group(3))) == (b2.port, 2)
    assert (int(m3.group(1)), int(m3.group(3))) == (b3.port, 3)
    # figures are the running ones: hold a connection and see ActiveConn 1
    s = fc.connect(v2)
    try:
        assert fc.recv_line(s) == "c"
        def active():
            l = [x for x in dm.ctl_ok("list").splitlines() if ":%d " % b3.port in x + " "]
            return l and rs.match(l[0]).group(4) == "1"
        fc.wait_until(active, 15, "ActiveConn 1 in the listing")
    finally:
        s.close()


def test_list_stats_and_rate(daemon, backend):
    dm, (b1, b2, b3), (v1, v2) = two_vs(daemon, backend)
    fc.names(v2, 3)
    st = dm.ctl_ok("list", "--stats")
    assert re.search(r"Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes", st), st
    line = [l for l in st.splitlines() if "127.0.0.1:%d" % b3.port in l]
    assert line and line[0].split()[2] == "3", st
    rt = dm.ctl_ok("list", "--rate")
    assert re.search(r"CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS", rt), rt


def test_json_schema(daemon, backend):
    dm, (b1, b2, b3), (v1, v2) = two_vs(daemon, backend)
    j = dm.list_json()
    vss = j["virtual_servers"]
    assert [v["port"] for v in vss] == [v1, v2]
    for v in vss:
        assert VS_KEYS <= set(v), VS_KEYS - set(v)
        assert v["address"] == "127.0.0.1" and v["protocol"].upper() == "TCP"
        for r in v["real_servers"]:
            assert RS_KEYS <= set(r), RS_KEYS - set(r)
            assert r["address"] == "127.0.0.1"
            assert r["state"] == "up"
            for k in ("port", "weight", "configured_weight", "active_conns", "inactive_conns",
                      "total_conns", "in_bytes", "out_bytes"):
                assert isinstance(r[k], int) and r[k] >= 0, (k, r[k])
    assert vss[0]["scheduler"] == "wrr" and vss[0]["persistence_timeout"] == 30
    assert vss[1]["scheduler"] == "rr" and vss[1]["persistence_timeout"] == 0
    assert [(r["port"], r["weight"], r["configured_weight"]) for r in vss[0]["real_servers"]] == \
        [(b1.port, 1, 1), (b2.port, 2, 2)]
    assert isinstance(vss[0]["forward"], str) and vss[0]["forward"]
    # counters move with traffic
    fc.names(v2, 4)
    fc.wait_until(lambda: (lambda r: r["total_conns"] == 4 and r["in_bytes"] == 0 and
                           r["out_bytes"] == 4 * len("c\n"))(dm.rs(v2, b3.port)),
                  15, "counters of 4 connections (%r)" % dm.rs(v2, b3.port))


def test_commands_move_new_connections_streams_survive(daemon, backend):
    """wrr over A, B, C (weight 1) and T (weight 0).  Three streams run to
    A, B and C the whole time; every command on T (and add/del of N) changes
    where new connections go, and none of the streams breaks."""
    a, b, c, t = backend("A"), backend("B"), backend("C"), backend("T")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [(a, 1), (b, 1), (c, 1), (t, 0)], algo="wrr"))
    VS, T = A(vport), A(t.port)
    streams = [fc.Stream(vport) for _ in range(3)]
    try:
        assert sorted(s.name for s in streams) == ["A", "B", "C"]
        for s in streams:
            s.assert_flowing()

        def placement(n=30):
            return fc.counts(fc.names(vport, n))

        assert "T" not in placement(12)

        dm.ctl_ok("set", "weight", VS, T, 3)
        r = dm.rs(vport, t.port)
        assert (r["weight"], r["configured_weight"]) == (3, 3), r
        got = placement(60)  # 6-connection cycle: T 3, A/B/C 1 each
        assert abs(got.get("T", 0) - 30) <= 2 and all(abs(got.get(x, 0) - 10) <= 2
                                                      for x in "ABC"), got
        # a connection to T, kept open across drain
        for _ in range(6):
            held = fc.Stream(vport)
            if held.name == "T":
                break
            held.close()
        assert held.name == "T"

        dm.ctl_ok("drain", VS, T)
        r = dm.rs(vport, t.port)
        assert r["state"] == "drain" and r["weight"] == 0, r
        assert "T" not in placement(12)
        held.assert_flowing()  # drained: its open connection keeps working
        for s in streams:
            s.assert_flowing()

        dm.ctl_ok("enable", VS, T)
        assert dm.rs(vport, t.port)["state"] == "up"
        assert placement(12).get("T", 0) >= 4
        held.close()

        dm.ctl_ok("disable", VS, T)
        r = dm.rs(vport, t.port)
        assert r["state"] == "disabled" and r["weight"] == 0, r
        assert "T" not in placement(12)
        dm.ctl_ok("enable", VS, T)
        assert placement(12).get("T", 0) >= 4

        n = backend("N")
        dm.ctl_ok("add", "server", VS, A(n.port), "weight", 2)
        r = dm.rs(vport, n.port)
        assert r and r["weight"] == 2 and r["state"] == "up", dm.list_json()
        assert placement(16).get("N", 0) >= 3
        dm.ctl_ok("del", "server", VS, A(n.port))
        assert dm.rs(vport, n.port) is None
        assert "N" not in placement(16)

        dm.ctl_ok("set", "weight", VS, T, 0)
        assert "T" not in placement(12)

        for s in streams:
            s.assert_flowing()
    finally:
        for s in streams:
            s.close()


def test_del_server_lets_open_connection_finish(daemon, backend):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [a, b], algo="rr"))
    streams = [fc.Stream(vport) for _ in range(2)]
    try:
        victim = [s for s in streams if s.name == "B"][0]
        dm.ctl_ok("del", "server", A(vport), A(b.port))
        assert fc.names(vport, 6) == ["A"] * 6
        for s in streams:
            s.assert_flowing()
    finally:
        for s in streams:
            s.close()
    assert victim.ok > 0


def test_refused_commands_change_nothing(daemon, backend):
    dm, (b1, b2, b3), (v1, v2) = two_vs(daemon, backend)
    before = dm.list_json()
    other = fc.free_port()
    bad = [
        ("set", "weight", A(other), A(b1.port), 5),           # unknown VS
        ("set", "weight", A(v1), A(other), 5),                # unknown RS
        ("set", "weight", A(v1), A(b1.port), -1),             # bad weights
        ("set", "weight", A(v1), A(b1.port), 65536),
        ("set", "weight", A(v1), A(b1.port), "abc"),
        ("set", "weight", A(v1), A(b1.port), "3x"),
        ("drain", A(v1), A(other)),
        ("disable", "udp/" + A(v1), A(b1.port)),              # right port, wrong protocol
        ("enable", "127.0.0.1", A(b1.port)),                  # no port
        ("add", "server", A(v1), A(b1.port)),                 # duplicate
        ("add", "server", A(v1), A(other), "weight", "heavy"),
        ("add", "server", A(other), A(b1.port)),
        ("add", "server", A(v1), A(v1)),                      # itself: a proxy loop
        ("del", "server", A(v1), A(other)),
        ("del", "server", A(v2), A(b1.port)),                 # in the other VS
        ("frobnicate",),
        ("set", "colour", A(v1), A(b1.port), 1),
    ]
    for args in bad:
        r = dm.ctl(*args)
        assert r.returncode == 1, "%s -> %d (%r)" % (args, r.returncode, r.stdout + r.stderr)
        assert r.stderr.strip(), "%s: no message" % (args,)
        assert fc.shape(dm.list_json()) == fc.shape(before), "%s changed the model" % (args,)
    assert dm.running()


def test_usage_and_connect_errors(daemon, backend, tmp_path):
    dm, _, (v1, v2) = two_vs(daemon, backend)
    r = fc.run_ctl_raw([str(fc.FULCRUMCTL), "-S", str(tmp_path / "none.sock"), "list"])
    assert r.returncode == 2 and r.stderr.strip(), r
    r = fc.run_ctl_raw([str(fc.FULCRUMCTL)])
    assert r.returncode == 2, r
    r = dm.ctl("set", "weight", A(v1))  # too few arguments
    assert r.returncode in (1, 2), r


def test_vs_spelling(daemon, backend):
    dm, (b1, b2, b3), (v1, v2) = two_vs(daemon, backend)
    dm.ctl_ok("set", "weight", "tcp/" + A(v2), A(b3.port), 7)
    assert dm.rs(v2, b3.port)["weight"] == 7
    dm.ctl_ok("set", "weight", A(v2), A(b3.port), 8)
    assert dm.rs(v2, b3.port)["weight"] == 8


def test_help_lists_every_command(daemon, backend):
    dm, _, _ = two_vs(daemon, backend)
    out = dm.ctl_ok("help")
    for cmd in ("list", "set weight", "drain", "disable", "enable", "add server",
                "del server", "reload", "help", "version"):
        assert re.search(r"(^|\s)%s(\s|$)" % re.escape(cmd), out, re.M), \
            "help does not list %r:\n%s" % (cmd, out)
    v = dm.ctl_ok("version")
    assert re.search(r"\d+\.\d+", v), v


def test_socket_mode_0600(daemon, backend):
    dm, _, _ = two_vs(daemon, backend)
    st = os.stat(dm.sock)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)


def test_tcp_and_udp_on_one_port(daemon, backend):
    t, u = backend("T"), backend("U", mode="udp")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [t]) + fc.vs_block(vport, [u], proto="UDP"))
    assert fc.names(vport, 2) == ["T", "T"]
    s = fc.udp_socket()
    try:
        assert fc.udp_ask(s, vport, b"x") == "U"
    finally:
        s.close()
    before = dm.list_json()
    r = dm.ctl("set", "weight", A(vport), A(u.port), 4)  # which service? refused
    assert r.returncode == 1 and "udp/" in r.stderr.lower(), r
    r = dm.ctl("set", "weight", "tcp/" + A(vport), A(u.port), 4)  # U is not in the TCP one
    assert r.returncode == 1, r
    assert fc.shape(dm.list_json()) == fc.shape(before)
    dm.ctl_ok("set", "weight", "udp/" + A(vport), A(u.port), 4)
    assert dm.vs(vport, "UDP")["real_servers"][0]["weight"] == 4
    assert dm.vs(vport, "TCP")["real_servers"][0]["weight"] == 1
