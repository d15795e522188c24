#!/usr/bin/python3
"""A tiny real server for tests, the demo and the benchmark.

    backend.py --name NAME --port PORT [--host 127.0.0.1]
               [--mode id|http|echo|udp|burst] [--burst-bytes N] [--peer]

Prints "ready" on stdout once listening and runs until SIGTERM/SIGINT.
Every client gets its own thread, so many concurrent clients are fine.

Modes:
  id     on accept writes "NAME\\n", then echoes everything until EOF, then
         shuts down its write side and closes (half-close friendly).
  echo   echoes everything until EOF, then shuts down its write side.
  http   HTTP/1.1 with keep-alive; every request gets 200 and body "NAME\\n".
  udp    every datagram is answered with b"NAME:" + payload.
  burst  on accept writes "NAME\\n" plus --burst-bytes bytes of a pattern
         (see pattern()), shuts down its write side first, then reads until
         the client's EOF and prints "rx NAME <bytes received>" on stdout.
         This tests that a proxy keeps the other direction open after the
         server's FIN.

--peer: in id and http modes NAME is followed by a space and the client
address this server saw ("r1 10.0.0.10"; an IPv4 client of a "::" listener
shows as plain IPv4), so a test can check which address reached it (LVS DR:
the client's, not the director's).

Interface kept stable: tests/system, examples/ and bench/ rely on it.
"""
import argparse
import hashlib
import signal
import socket
import sys
import threading


def pattern(n):
    """n deterministic, non-repeating-looking bytes (sha256 counter stream)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[:n])


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def echo_until_eof(conn):
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


def half_close(conn):
    try:
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def ident(conn, args):
    """NAME, or with --peer "NAME PEERADDR"."""
    if not args.peer:
        return args.name.encode()
    peer = conn.getpeername()[0]
    if peer.startswith("::ffff:") and "." in peer:
        peer = peer[7:]
    return ("%s %s" % (args.name, peer)).encode()


def serve_id(conn, args):
    conn.sendall(ident(conn, args) + b"\n")
    echo_until_eof(conn)
    half_close(conn)


def serve_echo(conn, args):
    echo_until_eof(conn)
    half_close(conn)


def serve_burst(conn, args):
    conn.sendall(args.name.encode() + b"\n" + pattern(args.burst_bytes))
    half_close(conn)
    total = 0
    while True:
        data = conn.recv(65536)
        if not data:
            break
        total += len(data)
    say("rx %s %d" % (args.name, total))


def serve_http(conn, args):
    body = ident(conn, args) + b"\n"
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        close = False
        length = 0
        for h in lines[1:]:
            k, _, v = h.partition(b":")
            k = k.strip().lower()
            v = v.strip()
            if k == b"content-length":
                length = int(v)
            elif k == b"connection" and v.lower() == b"close":
                close = True
        if lines[0].endswith(b"HTTP/1.0"):
            close = True
        while len(buf) < length:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
        buf = buf[length:]
        resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\n%s\r\n" %
                (len(body), b"Connection: close\r\n" if close else b""))
        conn.sendall(resp + body)
        if close:
            half_close(conn)
            return


SERVE = {"id": serve_id, "echo": serve_echo, "http": serve_http, "burst": serve_burst}


def client_thread(conn, args):
    try:
        SERVE[args.mode](conn, args)
    except OSError:
        pass
    finally:
        conn.close()


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def run_tcp(args):
    srv = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(512)
    say("ready")
    while True:
        conn, _ = srv.accept()
        t = threading.Thread(target=client_thread, args=(conn, args), daemon=True)
        t.start()


def run_udp(args):
    srv = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    say("ready")
    prefix = args.name.encode() + b":"
    while True:
        data, peer = srv.recvfrom(65535)
        srv.sendto(prefix + data, peer)


def main():
    ap = argparse.ArgumentParser(description="test real server")
    ap.add_argument("--name", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--mode", default="id", choices=["id", "http", "echo", "udp", "burst"])
    ap.add_argument("--burst-bytes", type=int, default=1 << 20)
    ap.add_argument("--peer", action="store_true",
                    help="id/http: append the client address seen")
    args = ap.parse_args()

    def stop(signum, frame):
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if args.mode == "udp":
            run_udp(args)
        else:
            run_tcp(args)
    except OSError as e:
        sys.stderr.write("backend %s: %s\n" % (args.name, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
