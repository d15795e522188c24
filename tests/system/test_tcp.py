"""TCP through the proxy: byte-exact bulk transfer, half-close in both
directions, dead real servers skipped, IPv6."""
import hashlib
import os
import socket
import threading
import time

import pytest

import fc

MiB = 1 << 20


def one_vs(port, servers, algo="rr", kind="NAT", host="127.0.0.1", extra=""):
    return fc.vs_block(port, servers, algo=algo, kind=kind, host=host,
                       extra="proxy_connect_timeout 1\n" + extra)


@pytest.mark.parametrize("kind", ["NAT", "PROXY"])
def test_bulk_32mib_each_way(daemon, backend, kind):
    b = backend("echo", mode="echo")
    vport = fc.free_port()
    dm = daemon(one_vs(vport, [b], kind=kind))
    echo_bulk(vport, 32)
    total = 32 * MiB
    # the running counters saw the traffic, both ways
    fc.wait_until(lambda: (dm.rs(vport, b.port) or {}).get("in_bytes", 0) >= total and
                  dm.rs(vport, b.port)["out_bytes"] >= total, 10, "byte counters")


def echo_bulk(vport, mib):
    """mib MiB to an echo server through vport while reading the echo, then
    the client's FIN: every byte back in order (sha256), then EOF."""
    total = mib * MiB
    chunk = os.urandom(MiB)
    # Each MiB differs (the index is mixed in), so a reordered or repeated
    # chunk changes the digest.
    blocks = [hashlib.sha256(i.to_bytes(4, "big")).digest() + chunk[32:] for i in range(mib)]
    sent_hash = hashlib.sha256(b"".join(blocks)).hexdigest()

    s = fc.connect(vport, timeout=60)
    err = []

    def send():
        try:
            for blk in blocks:
                s.sendall(blk)
            s.shutdown(socket.SHUT_WR)
        except Exception as e:
            err.append(e)

    t = threading.Thread(target=send, daemon=True)
    t.start()
    h = hashlib.sha256()
    got = 0
    try:
        while True:
            data = s.recv(256 * 1024)
            if not data:
                break
            h.update(data)
            got += len(data)
            assert got <= total, "more bytes than sent"
    finally:
        t.join(60)
        s.close()
    assert not err, err
    assert got == total, "received %d of %d bytes" % (got, total)
    assert h.hexdigest() == sent_hash


def test_client_half_close_gets_rest_and_eof(daemon, backend):
    """Client shuts down its write side right after sending 4 MiB: the
    backend is still echoing, and the client must get all of it, then EOF."""
    b = backend("A", mode="id")
    vport = fc.free_port()
    daemon(one_vs(vport, [b]))
    s = fc.connect(vport, timeout=30)
    try:
        assert fc.recv_line(s) == "A"
        payload = os.urandom(4 * MiB)
        err = []

        def send():
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            except Exception as e:
                err.append(e)
        t = threading.Thread(target=send, daemon=True)
        t.start()
        rest = fc.recv_to_eof(s)
        t.join(30)
        assert not err, err
        assert len(rest) == len(payload), "got %d of %d bytes" % (len(rest), len(payload))
        assert rest == payload
    finally:
        s.close()


@pytest.mark.parametrize("n", [100, 16000, 2 * MiB])
def test_server_half_close_first(daemon, backend, n):
    """The backend sends n bytes and shuts down its write side first; the
    client gets everything and EOF, and can still send afterwards: the
    backend reports the bytes it received after its own FIN.  A small n
    comes with the FIN in one event, read by one short copy (relay.c: no
    recv() of the EOF after it); 2 MiB goes the splice way."""
    b = backend("B", mode="burst", burst_bytes=n)
    vport = fc.free_port()
    daemon(one_vs(vport, [b]))
    s = fc.connect(vport, timeout=30)
    try:
        assert fc.recv_line(s) == "B"
        data = fc.recv_to_eof(s)
        assert len(data) == n
        assert data == fc.backend_pattern(n)
        # the client->server direction is still open
        s.sendall(b"z" * 100000)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b""
    finally:
        s.close()
    fc.wait_until(lambda: "rx B 100000" in b.lines, 10,
                  "backend to receive the client's data after its FIN (lines %r)" % b.lines)


def test_refusing_real_server_is_skipped(daemon, backend):
    dead = fc.free_port()  # nothing listens there: connect is refused
    live = backend("live")
    vport = fc.free_port()
    dm = daemon(one_vs(vport, [dead, live]))
    got = fc.names(vport, 20)
    assert got == ["live"] * 20
    assert dm.rs(vport, live.port)["total_conns"] >= 20


def test_all_real_servers_dead_closes_client(daemon):
    vport = fc.free_port()
    dm = daemon(one_vs(vport, [fc.free_port(), fc.free_port()]))
    # no real server: the proxy closes (or resets) the client, no hang
    for _ in range(3):
        try:
            s = fc.connect(vport, timeout=10)
        except ConnectionResetError:
            continue
        try:
            assert s.recv(100) == b""
        except ConnectionResetError:
            pass
        finally:
            s.close()
    assert dm.running()


@pytest.mark.skipif(not fc.has_ipv6(), reason="no IPv6 on loopback")
def test_ipv6(daemon, backend):
    b = backend("six", host="::1")
    vport = fc.free_port("::1")
    daemon(one_vs(vport, [b], host="::1"))
    assert fc.names(vport, 5, host="::1") == ["six"] * 5
    s = fc.connect(vport, host="::1")
    try:
        assert fc.recv_line(s) == "six"
        s.sendall(b"hello6\n")
        assert fc.recv_exact(s, 7) == b"hello6\n"
    finally:
        s.close()


def test_sorry_server_when_no_real_server_can_take_it(daemon, backend):
    a, b, sorry = backend("A"), backend("B"), backend("SORRY")
    vport = fc.free_port()
    dm = daemon(one_vs(vport, [a, b], extra="sorry_server 127.0.0.1 %d" % sorry.port))
    assert sorted(fc.names(vport, 4)) == ["A", "A", "B", "B"]
    dm.ctl_ok("disable", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % a.port)
    dm.ctl_ok("drain", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % b.port)
    assert fc.names(vport, 4) == ["SORRY"] * 4
    dm.ctl_ok("enable", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % b.port)
    assert fc.names(vport, 4) == ["B"] * 4


def test_sorry_server_when_real_servers_refuse(daemon, backend):
    sorry = backend("SORRY")
    vport = fc.free_port()
    daemon(one_vs(vport, [fc.free_port(), fc.free_port()],
                  extra="sorry_server 127.0.0.1 %d" % sorry.port))
    assert fc.names(vport, 6) == ["SORRY"] * 6


def test_many_concurrent_clients(daemon, backend):
    """100 clients at once, each with its own payload echoed back exactly."""
    bs = [backend("c%d" % i) for i in range(3)]
    vport = fc.free_port()
    dm = daemon(one_vs(vport, bs))
    n = 100
    socks = [fc.connect(vport, timeout=20) for _ in range(n)]
    try:
        names = [fc.recv_line(s) for s in socks]
        assert sorted(fc.counts(names).values()) == [33, 33, 34], fc.counts(names)
        payloads = [os.urandom(20000 + i) for i in range(n)]
        for s, p in zip(socks, payloads):
            s.sendall(p)
        for s, p in zip(socks, payloads):
            assert fc.recv_exact(s, len(p)) == p
        fc.wait_until(lambda: sum(r["active_conns"] for r in dm.vs(vport)["real_servers"]) == n,
                      15, "%d active connections" % n)
    finally:
        for s in socks:
            s.close()
    fc.wait_until(lambda: sum(r["active_conns"] + r["inactive_conns"]
                              for r in dm.vs(vport)["real_servers"]) == 0,
                  10, "all connections gone")


def test_idle_timeout_closes_idle_only(daemon, backend):
    a = backend("A")
    vport = fc.free_port()
    daemon(one_vs(vport, [a], extra="proxy_idle_timeout 1"))
    idle = fc.connect(vport, timeout=10)
    busy = fc.Stream(vport, interval=0.1)
    try:
        assert fc.recv_line(idle) == "A"
        t0 = time.monotonic()
        try:
            assert idle.recv(1) == b""
        except ConnectionResetError:
            pass
        waited = time.monotonic() - t0
        assert 0.5 <= waited <= 5, "idle connection closed after %.1fs" % waited
        busy.assert_flowing()
    finally:
        idle.close()
        busy.close()


def test_blackholed_real_server_times_out_and_is_skipped(daemon, backend):
    """A server whose accept queue is full drops SYNs: the proxy gives up
    after proxy_connect_timeout (1 s) and tries the other server."""
    hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers = []
    try:
        hole.bind(("127.0.0.1", fc.free_port()))
        hole.listen(0)
        hport = hole.getsockname()[1]
        for _ in range(4):  # fill the accept queue (never accepted)
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", hport))
            fillers.append(f)
        time.sleep(0.2)
        live = backend("live")
        vport = fc.free_port()
        daemon(one_vs(vport, [hport, live]))
        for _ in range(3):
            t0 = time.monotonic()
            assert fc.who(vport, timeout=10) == "live"
            assert time.monotonic() - t0 < 4
    finally:
        for f in fillers:
            f.close()
        hole.close()
