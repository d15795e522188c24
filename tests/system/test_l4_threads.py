"""The L4 proxy's shared state over worker threads, placed with no engine
lock (doc/internals/threads.md): a persistence template is one table for
the service, whichever worker a client reaches (SO_REUSEPORT spreads a
client's connections, and a UDP client's sockets, over the workers by
their ports), and a UDP session keeps its server.  The scheduler is rr over
two servers: without one shared table, two workers' first placements of
one address would alternate."""
import threading

import fc
from test_threads import conf, in_threads, own_nbthread  # noqa: F401 (a fixture)
from test_udp import udp_vs

PERSIST = "persistence_timeout 30"


def at_once(n, fn):
    """fn(i) for i in range(n), started together (a barrier), in n threads:
    the clients of one address reach the workers at the same moment."""
    go = threading.Barrier(n)
    i = iter(range(n))
    lock = threading.Lock()

    def one():
        with lock:
            k = next(i)
        go.wait(30)
        return [fn(k)]
    return in_threads(n, one)


def test_persistence_one_table_over_threads(daemon, backend):
    """nbthread 4: many clients of one address, connecting at once and one
    after another, all go to one server, though their connections are
    spread over the workers; the clients of other addresses spread over
    both servers, each address sticking to its own."""
    bs = [backend("p0"), backend("p1")]
    vport = fc.free_port()
    daemon(conf(vport, bs, algo="rr", nbthread=4, extra=PERSIST))
    # a fresh address per round, its first clients all at once: the
    # workers miss together, pick on their own, and must agree
    for r in range(6):
        src = "127.0.1.%d" % (r + 2)
        got = at_once(8, lambda k: fc.who(vport, src=src, timeout=20))
        got += in_threads(4, lambda: fc.names(vport, 5, src=src, timeout=20))
        assert len(set(got)) == 1, (src, got)
    # other addresses, each first seen alone (one pick each: rr
    # alternates), then from several workers: each keeps its server, and
    # between them both serve
    homes = {}
    for a in range(2, 22):
        src = "127.0.2.%d" % a
        homes[src] = fc.who(vport, src=src)
        got = in_threads(4, lambda: fc.names(vport, 3, src=src, timeout=20))
        assert set(got) == {homes[src]}, (src, homes[src], got)
    assert fc.counts(homes.values()) == {"p0": 10, "p1": 10}, homes


def test_udp_sessions_keep_their_server_over_threads(daemon, backend):
    """nbthread 4: client sockets whose sessions live on different workers,
    each placed there with no engine lock, each keep one server for every
    datagram, and rr spreads them evenly (one position for the service)."""
    bs = [backend("u0", mode="udp"), backend("u1", mode="udp")]
    vport = fc.free_port()
    daemon("global_defs {\n    nbthread 4\n}\n" + udp_vs(vport, bs, timeout_s=30))
    socks = [fc.udp_socket() for _ in range(16)]
    try:
        first = at_once(16, lambda k: fc.udp_ask(socks[k], vport, b"hello %d" % k))
        assert fc.counts(first) == {"u0": 8, "u1": 8}, first
        home = {k: fc.udp_ask(socks[k], vport, b"again %d" % k) for k in range(16)}
        for i in range(5):
            for k, s in enumerate(socks):
                assert fc.udp_ask(s, vport, b"%d %d" % (k, i)) == home[k], (k, i)
    finally:
        for s in socks:
            s.close()


def test_udp_persistence_over_threads(daemon, backend):
    """UDP with persistence_timeout on nbthread 4: every socket of one
    address goes to one server, whichever worker its session is on."""
    bs = [backend("u0", mode="udp"), backend("u1", mode="udp")]
    vport = fc.free_port()
    daemon("global_defs {\n    nbthread 4\n}\n" + udp_vs(vport, bs, extra=PERSIST))
    for r in range(4):
        src = "127.0.3.%d" % (r + 2)
        socks = [fc.udp_socket(src=src) for _ in range(8)]
        try:
            got = at_once(8, lambda k: fc.udp_ask(socks[k], vport, b"hi %d" % k))
            got += [fc.udp_ask(s, vport, b"more") for s in socks]
        finally:
            for s in socks:
                s.close()
        assert len(set(got)) == 1, (src, got)
