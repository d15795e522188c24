#!/usr/bin/python3
"""Bulk throughput: download one large file COUNT times over PAR parallel
connections (one HTTP/1.1 keep-alive connection per worker process, each
downloading COUNT/PAR times), check every byte count, print a JSON line
{"metric": "bulk_mbs", "value": MB/s, ...}.  MB = 10^6 bytes.

Usage: bulk.py HOST:PORT PATH SIZE COUNT PAR [--label L]
"""
import json
import multiprocessing as mp
import socket
import sys
import time

BUF = 1 << 20


def read_response(sock, buf, size):
    """Read one response whose body must be `size` bytes; return body bytes."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("connection closed in the response head")
        head += chunk
    head, _, rest = head.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise OSError("bad status: %r" % status)
    length = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    if length != size:
        raise OSError("content-length %r, expected %d" % (length, size))
    got = len(rest)
    view = memoryview(buf)
    while got < length:
        n = sock.recv_into(view, min(BUF, length - got))
        if n == 0:
            raise OSError("connection closed after %d of %d bytes" % (got, length))
        got += n
    if got != length:
        raise OSError("read %d bytes past the body" % (got - length))
    return got


def worker(addr, path, size, count, q):
    try:
        host, port = addr.rsplit(":", 1)
        buf = bytearray(BUF)
        total = 0
        with socket.create_connection((host, int(port)), timeout=30) as s:
            req = ("GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % path).encode()
            for _ in range(count):
                s.sendall(req)
                total += read_response(s, buf, size)
        q.put(("ok", total))
    except Exception as e:  # reported, and the run fails
        q.put(("error", "%s: %s" % (type(e).__name__, e)))


def main():
    args = sys.argv[1:]
    label = None
    if "--label" in args:
        i = args.index("--label")
        label = args[i + 1]
        del args[i:i + 2]
    if len(args) != 5:
        sys.exit(__doc__)
    addr, path, size, count, par = args[0], args[1], int(args[2]), int(args[3]), int(args[4])
    per = max(1, count // par)
    q = mp.Queue()
    procs = [mp.Process(target=worker, args=(addr, path, size, per, q)) for _ in range(par)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [q.get(timeout=120) for _ in procs]
    elapsed = time.monotonic() - t0
    for p in procs:
        p.join()
    errors = [r[1] for r in results if r[0] == "error"]
    if errors:
        print("bulk.py: %s" % errors[0], file=sys.stderr)
        sys.exit(1)
    total = sum(r[1] for r in results)
    print(json.dumps({"target": label, "metric": "bulk_mbs",
                      "value": round(total / elapsed / 1e6, 1),
                      "bytes": total, "seconds": round(elapsed, 3),
                      "downloads": per * par, "parallel": par}))


if __name__ == "__main__":
    main()
