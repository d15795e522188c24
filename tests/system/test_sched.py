"""Where new connections go, per scheduler, seen by the backend names the
client reads.  Sequential connections are closed before the next one opens,
except where a test holds them open on purpose (lc, wlc, sed, nq)."""
import pytest

import fc


def make_vs(daemon, backend, weights, algo, extra=""):
    bs = [backend("s%d" % i) for i in range(len(weights))]
    vport = fc.free_port()
    servers = [(b, w) for b, w in zip(bs, weights)]
    dm = daemon(fc.vs_block(vport, servers, algo=algo, extra=extra))
    return dm, bs, vport


def test_rr_exact_alternation(daemon, backend):
    dm, bs, vport = make_vs(daemon, backend, [1, 1, 1], "rr")
    got = fc.names(vport, 60)
    assert set(got[:3]) == {"s0", "s1", "s2"}, got[:3]
    for i in range(3, 60):
        assert got[i] == got[i - 3], "not a strict rotation at %d: %s" % (i, got)


def test_rr_ignores_weights_but_not_zero(daemon, backend):
    dm, bs, vport = make_vs(daemon, backend, [1, 5, 0], "rr")
    got = fc.names(vport, 20)
    assert fc.counts(got) == {"s0": 10, "s1": 10}, got


@pytest.mark.parametrize("weights", [[1, 2, 3], [4, 3, 2], [5, 1]])
def test_wrr_proportional(daemon, backend, weights):
    dm, bs, vport = make_vs(daemon, backend, weights, "wrr")
    cycle = sum(weights)
    n = cycle * (60 // cycle)
    got = fc.names(vport, n)
    want = {"s%d" % i: w * (n // cycle) for i, w in enumerate(weights)}
    assert fc.counts(got) == want, got
    # exact over every full cycle, not only in total
    for start in range(0, n, cycle):
        c = fc.counts(got[start:start + cycle])
        assert c == {"s%d" % i: w for i, w in enumerate(weights)}, (start, got)
    # and the heaviest server is never picked more than its weight in a row
    run, prev = 0, None
    for x in got:
        run = run + 1 if x == prev else 1
        prev = x
        assert run <= max(weights), got


@pytest.mark.parametrize("algo", ["sh", "mh"])
def test_hash_same_source_same_server(daemon, backend, algo):
    dm, bs, vport = make_vs(daemon, backend, [1, 1, 1], algo)
    sources = ["127.0.0.%d" % i for i in range(2, 26)]
    placed = {}
    for src in sources:
        got = fc.names(vport, 4, src=src)
        assert len(set(got)) == 1, "%s: source %s moved: %s" % (algo, src, got)
        placed[src] = got[0]
    # and once more, interleaved: still the same mapping
    for src in reversed(sources):
        assert fc.who(vport, src=src) == placed[src]
    spread = fc.counts(placed.values())
    assert len(spread) >= 2, "%s put 24 sources all on one server: %s" % (algo, spread)


def hold(vport, n):
    """n connections opened one after the other and kept open."""
    out = []
    for _ in range(n):
        s = fc.connect(vport)
        out.append((fc.recv_line(s), s))
    return out


def wait_active(dm, vport, want):
    """Wait until the daemon's active counts per real-server port equal want."""
    def ok():
        v = dm.vs(vport)
        got = {r["port"]: r["active_conns"] for r in v["real_servers"]}
        return got if got == want else None
    fc.wait_until(ok, 10, "active connections %r" % want)


@pytest.mark.parametrize("algo", ["lc", "wlc", "sed", "nq"])
def test_least_loaded_equal_weights(daemon, backend, algo):
    dm, bs, vport = make_vs(daemon, backend, [1, 1, 1], algo)
    held = hold(vport, 6)
    c = fc.counts(n for n, _ in held)
    assert c == {"s0": 2, "s1": 2, "s2": 2}, "%s: %s" % (algo, c)
    wait_active(dm, vport, {b.port: 2 for b in bs})
    # free both slots on s1: the next two new connections must go there
    for n, s in held:
        if n == "s1":
            s.close()
    wait_active(dm, vport, {bs[0].port: 2, bs[1].port: 0, bs[2].port: 2})
    more = hold(vport, 2)
    assert [n for n, _ in more] == ["s1", "s1"], "%s: %s" % (algo, more)
    for _, s in held + more:
        s.close()
    wait_active(dm, vport, {b.port: 0 for b in bs})


def test_wlc_weights_held_connections(daemon, backend):
    dm, bs, vport = make_vs(daemon, backend, [1, 3], "wlc")
    held = hold(vport, 8)
    assert fc.counts(n for n, _ in held) == {"s0": 2, "s1": 6}, held
    # close three on s1: wlc now prefers s1 (3/3 = 1 < 2/1) for the next three
    closed = 0
    for n, s in held:
        if n == "s1" and closed < 3:
            s.close()
            closed += 1
    wait_active(dm, vport, {bs[0].port: 2, bs[1].port: 3})
    more = hold(vport, 3)
    assert [n for n, _ in more] == ["s1"] * 3, more
    for _, s in held + more:
        s.close()

