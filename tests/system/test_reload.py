"""Reloads (SIGHUP and `fulcrumctl reload`): changes take effect, streams to
servers that stay keep going, a bad file changes nothing, counters stay."""
import re

import pytest

import fc


def A(port):
    return "127.0.0.1:%d" % port


def do_reload(dm, how):
    """Reload and wait until the daemon has done it (reload count or model)."""
    before = dm.list_json()
    if how == "sighup":
        dm.reload()
    else:
        dm.ctl_ok("reload")
    return before


def ports_of(dm, vport):
    v = dm.vs(vport)
    return None if v is None else [r["port"] for r in v["real_servers"]]


@pytest.mark.parametrize("how", ["sighup", "ctl"])
def test_reload_changes_take_effect_streams_survive(daemon, backend, how):
    a, b, c, d = backend("A"), backend("B"), backend("C"), backend("D")
    v1, v2 = fc.free_port(), fc.free_port()
    dm = daemon(fc.vs_block(v1, [(a, 1), (b, 1)], algo="wrr"))
    streams = [fc.Stream(v1) for _ in range(4)]
    try:
        assert sorted(s.name for s in streams) == ["A", "A", "B", "B"]
        fc.names(v1, 10)
        total_a = dm.rs(v1, a.port)["total_conns"]
        assert total_a >= 7

        # 1: C added, A's weight 1 -> 3, new VS v2 -> D
        dm.write_conf(fc.vs_block(v1, [(a, 3), (b, 1), (c, 1)], algo="wrr") +
                      fc.vs_block(v2, [d], algo="rr"))
        do_reload(dm, how)
        fc.wait_until(lambda: ports_of(dm, v1) == [a.port, b.port, c.port] and
                      dm.vs(v2) is not None, 10, "the first reload")
        assert dm.rs(v1, a.port)["weight"] == 3
        assert dm.rs(v1, a.port)["total_conns"] >= total_a, "counters lost in reload"
        got = fc.counts(fc.names(v1, 50))
        assert got == {"A": 30, "B": 10, "C": 10}, got
        assert fc.names(v2, 3) == ["D"] * 3
        for s in streams:
            s.assert_flowing()

        # 2: B removed (its streams may end), v2 removed
        dm.write_conf(fc.vs_block(v1, [(a, 3), (c, 1)], algo="wrr"))
        do_reload(dm, "ctl" if how == "sighup" else "sighup")
        fc.wait_until(lambda: ports_of(dm, v1) == [a.port, c.port] and dm.vs(v2) is None,
                      10, "the second reload")
        assert "B" not in fc.counts(fc.names(v1, 12))
        with pytest.raises(OSError):
            fc.connect(v2, timeout=2).close()
        for s in streams:
            if s.name == "A":
                s.assert_flowing()
        assert dm.rs(v1, a.port)["total_conns"] >= total_a + 30
    finally:
        for s in streams:
            s.close(check=(s.name == "A"))


@pytest.mark.parametrize("change,key,value", [
    (("lb_algo rr", "lb_algo wlc"), "scheduler", "wlc"),
    (("lb_kind NAT", "lb_kind PROXY"), "forward", "PROXY"),
    (("lb_algo rr", "lb_algo sh\n    persistence_timeout 5"), "persistence_timeout", 5),
    (("lb_algo rr", "lb_algo rr\n    proxy_idle_timeout 100\n    proxy_connect_timeout 2"),
     "scheduler", "rr"),
], ids=["scheduler", "lb_kind", "persistence", "timeouts"])
def test_reload_vs_settings_keeps_streams(daemon, backend, change, key, value):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    conf = fc.vs_block(vport, [a, b], algo="rr")
    dm = daemon(conf)
    streams = [fc.Stream(vport) for _ in range(4)]
    try:
        dm.write_conf(conf.replace(*change))
        dm.ctl_ok("reload")
        assert dm.vs(vport)[key] == value
        for s in streams:
            s.assert_flowing()
        assert set(fc.names(vport, 4, src="127.0.0.2") + fc.names(vport, 4, src="127.0.0.3")) \
            <= {"A", "B"}
    finally:
        for s in streams:
            s.close()


def test_reload_moves_vs_to_new_port(daemon, backend):
    a = backend("A")
    v1, v2 = fc.free_port(), fc.free_port()
    dm = daemon(fc.vs_block(v1, [a]))
    dm.write_conf(fc.vs_block(v2, [a]))
    dm.ctl_ok("reload")
    assert fc.names(v2, 2) == ["A", "A"]
    with pytest.raises(OSError):
        fc.connect(v1, timeout=2).close()
    assert [v["port"] for v in dm.list_json()["virtual_servers"]] == [v2]


def test_bad_reload_keeps_running_model(daemon, backend):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [a, b], algo="rr"))
    stream = fc.Stream(vport)
    try:
        fc.names(vport, 4)
        before = dm.list_json()
        good = dm.conf.read_text()
        bad = good.replace("lb_algo rr", "lb_algo rr\n    no_such_keyword 1") \
                  .replace("real_server 127.0.0.1 %d {" % b.port, "real_server 127.0.0.1 %d {"
                           % fc.free_port())
        dm.write_conf(bad)
        line = [i for i, l in enumerate(bad.splitlines(), 1) if "no_such_keyword" in l][0]
        want = re.compile(re.escape("%s:%d:" % (dm.conf, line)))

        dm.reload()
        fc.wait_until(lambda: want.search(dm.stderr()), 10,
                      "the reload error naming %s:%d" % (dm.conf, line))
        assert dm.running()
        assert fc.shape(dm.list_json()) == fc.shape(before)
        assert set(fc.names(vport, 4)) == {"A", "B"}

        r = dm.ctl("reload")
        assert r.returncode == 1, r
        assert r.stderr.strip()
        assert fc.shape(dm.list_json()) == fc.shape(before)
        stream.assert_flowing()

        # fixed again: reload works
        dm.write_conf(good.replace("lb_algo rr", "lb_algo wrr"))
        dm.ctl_ok("reload")
        fc.wait_until(lambda: dm.vs(vport)["scheduler"] == "wrr", 10, "the good reload")
        stream.assert_flowing()
    finally:
        stream.close()


def test_reload_keeps_runtime_changes_unless_file_changes_them(daemon, backend):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [(a, 1), (b, 1)], algo="wrr"))
    dm.ctl_ok("drain", A(vport), A(b.port))
    dm.ctl_ok("set", "weight", A(vport), A(a.port), 5)
    dm.write_conf(dm.conf.read_text().replace("lb_algo wrr", "lb_algo rr"))
    dm.ctl_ok("reload")
    fc.wait_until(lambda: dm.vs(vport)["scheduler"] == "rr", 10, "the reload")
    assert dm.rs(vport, b.port)["state"] == "drain"
    assert dm.rs(vport, a.port)["weight"] == 5
    assert fc.names(vport, 6) == ["A"] * 6


def test_reload_counters_survive(daemon, backend):
    a = backend("A")
    vport = fc.free_port()
    dm = daemon(fc.vs_block(vport, [a], algo="rr"))
    fc.names(vport, 7)
    fc.wait_until(lambda: dm.rs(vport, a.port)["total_conns"] == 7, 15, "7 connections counted")
    out_before = dm.rs(vport, a.port)["out_bytes"]
    for i in range(3):
        dm.reload()
        dm.ctl_ok("reload")
    r = dm.rs(vport, a.port)
    assert r["total_conns"] == 7 and r["out_bytes"] == out_before, r


def test_reload_storm_under_traffic(daemon, backend):
    """30 reloads (alternating SIGHUP and fulcrumctl, a server coming and
    going, weights changing) while streams and short connections run:
    nothing to A or B breaks, every short connection gets an answer."""
    a, b, c = backend("A"), backend("B"), backend("C")
    vport = fc.free_port()
    conf1 = fc.vs_block(vport, [(a, 1), (b, 1)], algo="wrr")
    conf2 = fc.vs_block(vport, [(a, 2), (b, 1), (c, 1)], algo="wrr")
    dm = daemon(conf1)
    streams = [fc.Stream(vport, interval=0.01) for _ in range(4)]
    try:
        seen = set()
        for i in range(30):
            dm.write_conf(conf2 if i % 2 == 0 else conf1)
            if i % 3:
                dm.reload()
            else:
                dm.ctl_ok("reload")
            seen.update(fc.names(vport, 5))
        for s in streams:
            s.assert_flowing()
        assert seen == {"A", "B", "C"}, seen
        fc.wait_until(lambda: ports_of(dm, vport) == [a.port, b.port], 10, "the last reload")
    finally:
        for s in streams:
            s.close()
    assert dm.running()
