#!/usr/bin/python3
"""Memory per idle connection of a proxy process.

Opens N client connections to ADDR (the proxy) and holds them without
sending anything; waits until the proxy has N more ESTABLISHED connections to
the backend port (read from /proc/net/tcp, so we know it really set up both
sides); reads the proxy's VmRSS before and after.  Then sends one tiny HTTP
request on every connection, reads every answer, and measures again: that is
an idle keep-alive connection after use, which shows whether the proxy keeps
per-connection buffers once traffic stops.  Prints one JSON line.

With --http (a mode http proxy, which connects to a server only for a
request) the first figure is taken once the N client connections are
accepted; after the requests, the server connections the proxy keeps alive
are reported (srv_conns: HAProxy and fulcrum keep about one per client).

Usage: idle.py HOST:PORT PID N BACKEND_PORT PATH [--label L] [--http]
RSS counts user-space memory only (kernel socket buffers are not in it);
fds/conn is the growth of the proxy's open file descriptors per connection.
"""
import json
import os
import socket
import sys
import time


def vmrss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError("no VmRSS for pid %d" % pid)


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def established_to(port):
    """ESTABLISHED IPv4 connections whose remote port is `port`."""
    n = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            rem, st = parts[2], parts[3]
            if st == "01" and int(rem.split(":")[1], 16) == port:
                n += 1
    return n


def read_answer(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("idle.py: connection closed before the answer")
        data += chunk
    if not data.startswith(b"HTTP/1.1 200"):
        sys.exit("idle.py: bad answer %r" % data[:40])


def wait_backend(bport, base_est, n):
    """Until the proxy holds n more connections to the backend (15 s)."""
    deadline = time.monotonic() + 15
    while established_to(bport) - base_est < n:
        if time.monotonic() > deadline:
            sys.exit("idle.py: the proxy opened only %d of %d backend connections"
                     % (established_to(bport) - base_est, n))
        time.sleep(0.1)


def settle(pid, secs=1.0):
    """RSS once it stops moving (allocators may return memory lazily)."""
    last = vmrss_kib(pid)
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        time.sleep(0.2)
        cur = vmrss_kib(pid)
        if cur == last:
            break
        last = cur
    return last


def main():
    args = sys.argv[1:]
    label = None
    http = "--http" in args
    if http:
        args.remove("--http")
    serial = "--serial" in args
    if serial:
        args.remove("--serial")
    if "--label" in args:
        i = args.index("--label")
        label = args[i + 1]
        del args[i:i + 2]
    if len(args) != 5:
        sys.exit(__doc__)
    host, port = args[0].rsplit(":", 1)
    pid, n, bport, path = int(args[1]), int(args[2]), int(args[3]), args[4]

    base_rss, base_fds, base_est = settle(pid), nfds(pid), established_to(bport)
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((host, int(port)), timeout=10)
            socks.append(s)
        if not http:
            wait_backend(bport, base_est, n)
        time.sleep(0.5)
        rss1, fds1 = settle(pid), nfds(pid)

        req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()
        for s in socks:
            s.sendall(req)
            if serial:
                read_answer(s)
        for s in ([] if serial else socks):
            read_answer(s)
        time.sleep(0.5)
        srv_conns = established_to(bport) - base_est
        rss2 = settle(pid)
    finally:
        for s in socks:
            s.close()

    def per(kib):
        return round(kib * 1024 / n)

    print(json.dumps({"target": label, "metric": "idle_mem", "n": n,
                      "rss_base_kib": base_rss,
                      "idle_bytes": per(rss1 - base_rss),
                      "used_bytes": per(rss2 - base_rss),
                      "fds_per_conn": round((fds1 - base_fds) / n, 2),
                      "srv_conns": srv_conns}))


if __name__ == "__main__":
    main()
