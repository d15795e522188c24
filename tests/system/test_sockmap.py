"""The proxy's kernel fast path (global_defs proxy_relay sockmap): once a TCP
connection is established the kernel moves its bytes (a BPF sockmap), and
fulcrum still forwards half-closes, sees resets, enforces the idle timeout,
counts the bytes for `list` and removes the sockets from the map at close.

Needs root (CAP_BPF, CAP_NET_ADMIN) for the program, as the daemon does."""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

import fc
import test_tcp

MiB = 1 << 20
BPFTOOL = shutil.which("bpftool") or "/usr/sbin/bpftool"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sockmap program needs root")

GLOBAL = "global_defs {\n    proxy_relay sockmap\n}\n"


def conf(vport, servers, extra="", relay="sockmap"):
    return ("global_defs {\n    proxy_relay %s\n}\n" % relay) + fc.vs_block(
        vport, servers, extra="proxy_connect_timeout 1\n" + extra)


def map_ids(pid):
    """Ids of the BPF maps process pid holds (its descriptors' fdinfo)."""
    ids = set()
    d = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(d):
        try:
            with open(os.path.join(d, fd)) as f:
                for line in f:
                    if line.startswith("map_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def links_of(dm):
    """Entries of the daemon's fsk_links map (bpftool): one per socket the
    kernel relays."""
    out = subprocess.run([BPFTOOL, "-j", "map", "show"], capture_output=True, text=True,
                         timeout=10, check=True).stdout
    mine = map_ids(dm.proc.pid)
    ids = [m["id"] for m in json.loads(out) if m.get("name") == "fsk_links" and m["id"] in mine]
    assert len(ids) == 1, "the daemon has no fsk_links map: the fast path is not on"
    out = subprocess.run([BPFTOOL, "-j", "map", "dump", "id", str(ids[0])],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    return len(json.loads(out))


def test_loaded_and_echo(daemon, backend):
    b = backend("A", mode="id")
    vport = fc.free_port()
    dm = daemon(conf(vport, [b]))
    s = fc.connect(vport)
    try:
        assert fc.recv_line(s) == "A"
        for i in range(50):
            msg = b"ping %d\n" % i
            s.sendall(msg)
            assert fc.recv_exact(s, len(msg)) == msg
        assert links_of(dm) == 2
    finally:
        s.close()
    fc.wait_until(lambda: links_of(dm) == 0, 15, "the map emptied after the close")
    assert "the kernel relays" in dm.stderr()


def test_bulk_64mib_both_ways_byte_exact(daemon, backend):
    """64 MiB up and the same back (echo), concurrently, then the client's
    FIN: every byte in order, and the FIN after the last byte both ways."""
    b = backend("echo", mode="echo")
    vport = fc.free_port()
    dm = daemon(conf(vport, [b]))
    test_tcp.echo_bulk(vport, 64)
    # list's figures come from the program's per-connection counters
    fc.wait_until(lambda: dm.rs(vport, b.port)["in_bytes"] == 64 * MiB and
                  dm.rs(vport, b.port)["out_bytes"] == 64 * MiB, 15,
                  "byte counters equal to the bytes sent (%r)" % dm.rs(vport, b.port))
    fc.wait_until(lambda: links_of(dm) == 0, 15, "the map emptied after the close")


@pytest.fixture
def relay_sockmap(monkeypatch):
    """test_tcp.py's daemons with proxy_relay sockmap (fc.Daemon reads it)."""
    monkeypatch.setenv("FC_PROXY_RELAY", "sockmap")


def test_server_half_close_first(relay_sockmap, daemon, backend):
    """The server sends 2 MiB and its FIN at once: the client gets every byte
    before EOF (the FIN waits until the kernel's bytes are in the client
    socket's send queue) and can still send afterwards."""
    test_tcp.test_server_half_close_first(daemon, backend, 2 * test_tcp.MiB)


def test_client_half_close_gets_rest_and_eof(relay_sockmap, daemon, backend):
    test_tcp.test_client_half_close_gets_rest_and_eof(daemon, backend)


def test_server_reset_reaches_client(daemon):
    """A real server that resets its side: the client is reset too, and the
    connection leaves the map."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    try:
        vport = fc.free_port()
        dm = daemon(conf(vport, [ls.getsockname()[1]]))
        s = fc.connect(vport, timeout=10)
        try:
            ls.settimeout(5)
            srv, _ = ls.accept()
            srv.sendall(b"hello\n")
            assert fc.recv_line(s) == "hello"
            fc.wait_until(lambda: links_of(dm) == 2, 15, "the connection in the map")
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            srv.close()
            with pytest.raises((ConnectionResetError, BrokenPipeError)):
                s.settimeout(5)
                for _ in range(50):
                    if s.recv(100) == b"":
                        raise AssertionError("EOF, not a reset")
        finally:
            s.close()
        fc.wait_until(lambda: links_of(dm) == 0, 15, "the map emptied after the reset")
    finally:
        ls.close()


def test_idle_timeout_still_enforced(daemon, backend):
    """proxy_idle_timeout 1: a connection that moves bytes (only in the
    kernel) lives past it; one that stops is reset after it."""
    b = backend("A", mode="id")
    vport = fc.free_port()
    dm = daemon(conf(vport, [b], extra="proxy_idle_timeout 1"))
    s = fc.connect(vport, timeout=10)
    try:
        assert fc.recv_line(s) == "A"
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            s.sendall(b"x\n")
            assert fc.recv_exact(s, 2) == b"x\n"
            time.sleep(0.2)
        t0 = time.monotonic()
        s.settimeout(5)
        try:
            assert s.recv(10) == b""
        except ConnectionResetError:
            pass
        assert 0.5 < time.monotonic() - t0 < 3.5
    finally:
        s.close()
    fc.wait_until(lambda: links_of(dm) == 0, 15, "the map emptied after the timeout")


def test_counters_match_and_conns(daemon, backend):
    b = backend("A", mode="echo")
    vport = fc.free_port()
    dm = daemon(conf(vport, [b]))
    socks = [fc.connect(vport, timeout=10) for _ in range(3)]
    try:
        for i, s in enumerate(socks):
            msg = bytes([65 + i]) * (1000 * (i + 1))
            s.sendall(msg)
            assert fc.recv_exact(s, len(msg)) == msg
        fc.wait_until(lambda: dm.rs(vport, b.port)["active_conns"] == 3, 15, "3 active")
        fc.wait_until(lambda: dm.rs(vport, b.port)["in_bytes"] == 6000 and
                      dm.rs(vport, b.port)["out_bytes"] == 6000, 15,
                      "counters (%r)" % dm.rs(vport, b.port))
        assert dm.rs(vport, b.port)["total_conns"] == 3
        assert dm.vs(vport)["in_bytes"] == 6000
    finally:
        for s in socks:
            s.close()
    fc.wait_until(lambda: dm.rs(vport, b.port)["active_conns"] == 0 and links_of(dm) == 0, 15,
                  "connections gone")


def test_reload_and_set_weight_keep_streams(daemon, backend):
    a, b = backend("A", mode="id"), backend("B", mode="id")
    vport = fc.free_port()
    dm = daemon(conf(vport, [a, b]))
    socks = [fc.connect(vport, timeout=10) for _ in range(4)]
    try:
        names = [fc.recv_line(s) for s in socks]
        assert sorted(names) == ["A", "A", "B", "B"]

        def echo_all(tag):
            for s in socks:
                msg = b"%s\n" % tag
                s.sendall(msg)
                assert fc.recv_exact(s, len(msg)) == msg
        echo_all(b"before")
        dm.ctl_ok("set", "weight", "127.0.0.1:%d" % vport, "127.0.0.1:%d" % a.port, 5)
        echo_all(b"after-weight")
        dm.write_conf(conf(vport, [(a, 2), b], extra="proxy_idle_timeout 60"))
        dm.reload()
        fc.wait_until(lambda: dm.rs(vport, a.port)["weight"] == 2, 10, "the reload applied")
        echo_all(b"after-reload")
        assert links_of(dm) == 8
    finally:
        for s in socks:
            s.close()
    fc.wait_until(lambda: links_of(dm) == 0, 15, "the map emptied")


def test_fallback_when_relay_is_not_sockmap(daemon, backend):
    """proxy_relay copy and splice keep fulcrum relaying: no map is made."""
    for relay in ("copy", "splice"):
        b = backend("A", mode="echo")
        vport = fc.free_port()
        dm = daemon(conf(vport, [b], relay=relay))
        s = fc.connect(vport)
        try:
            payload = os.urandom(MiB)
            s.sendall(payload)
            assert fc.recv_exact(s, MiB) == payload
            mine = map_ids(dm.proc.pid)
            assert not mine, "a BPF map with proxy_relay %s" % relay
        finally:
            s.close()
        dm.stop()


class NoBpfDaemon(fc.Daemon):
    """A daemon started without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN in its
    bounding set: it cannot load a BPF program."""

    def argv(self):
        return ["setpriv", "--bounding-set", "-bpf,-perfmon,-sys_admin", "--"] + super().argv()


@pytest.mark.skipif(not shutil.which("setpriv"), reason="no setpriv")
def test_no_bpf_falls_back_with_one_warning(daemon, backend, monkeypatch):
    monkeypatch.setattr(fc, "Daemon", NoBpfDaemon)
    b = backend("A", mode="echo")
    vport = fc.free_port()
    dm = daemon(conf(vport, [b]))
    for _ in range(3):
        s = fc.connect(vport)
        try:
            payload = os.urandom(256 * 1024)
            s.sendall(payload)
            assert fc.recv_exact(s, len(payload)) == payload
        finally:
            s.close()
    assert not map_ids(dm.proc.pid)
    err = dm.stderr()
    assert err.count("proxy_relay sockmap: cannot load the BPF program") == 1, err
    fc.wait_until(lambda: dm.rs(vport, b.port)["in_bytes"] == 3 * 256 * 1024, 15, "counters")
