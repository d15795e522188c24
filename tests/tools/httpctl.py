#!/usr/bin/python3
"""A controllable HTTP (or HTTPS) real server for the health-check tests.

    httpctl.py --port PORT [--host 127.0.0.1] --ctl FILE
               [--tls-cert CERT --tls-key KEY]

Prints "ready" on stdout once listening and runs until SIGTERM/SIGINT.
Every request is answered from the control file FILE, read again on each
request, so a test changes the answer at run time by rewriting it (write a
temporary file and rename it over FILE: a reader never sees half a file).
FILE is JSON; every key is optional:

    {"status": 200,           status code of the answer
     "reason": "OK",          reason phrase
     "body": "text",          body (UTF-8); default "ok\\n"
     "headers": {"K": "V"},   extra response headers
     "chunked": false,        send the body with Transfer-Encoding: chunked
     "mode": "normal"}        "normal" | "hang" (read the request, never answer)
                              | "close" (read the request, close at once)

A missing or unreadable FILE means the defaults (200, "ok\\n").  For every
request one line goes to stdout:

    req METHOD PATH HOST VERSION      (HOST is "-" when absent)

so a test can see what a checker sent (path, virtualhost, HTTP version).
Interface kept stable: tests/system relies on it.
"""
import argparse
import json
import signal
import socket
import ssl
import sys
import threading

_out_lock = threading.Lock()


def say(line):
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def load(path):
    try:
        with open(path, "r") as f:
            c = json.load(f)
        return c if isinstance(c, dict) else {}
    except (OSError, ValueError):
        return {}


def read_request(conn):
    """Request line and headers (bytes), or None on EOF/garbage.  Bounded."""
    buf = b""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None if not buf else buf
        buf += data
        if len(buf) > 65536:
            return None
    return buf


def parse(head):
    text = head.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    parts = lines[0].split()
    method = parts[0] if parts else "-"
    path = parts[1] if len(parts) > 1 else "-"
    version = parts[2] if len(parts) > 2 else "HTTP/0.9"
    host = "-"
    for h in lines[1:]:
        k, _, v = h.partition(":")
        if k.strip().lower() == "host":
            host = v.strip() or "-"
    return method, path, host, version


def answer(conn, c, version):
    status = int(c.get("status", 200))
    reason = str(c.get("reason", "OK" if status == 200 else "Status"))
    body = str(c.get("body", "ok\n")).encode()
    head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\n" % (status, reason)
    for k, v in dict(c.get("headers", {})).items():
        head += "%s: %s\r\n" % (k, v)
    if c.get("chunked"):
        head += "Transfer-Encoding: chunked\r\n\r\n"
        out = head.encode()
        for i in range(0, len(body), 7):
            piece = body[i:i + 7]
            out += b"%x\r\n%s\r\n" % (len(piece), piece)
        out += b"0\r\n\r\n"
    else:
        head += "Content-Length: %d\r\n\r\n" % len(body)
        out = head.encode() + body
    if version == "HTTP/0.9":
        out = body
    conn.sendall(out)


def serve(conn, args, stop):
    try:
        head = read_request(conn)
        if head is None:
            return
        method, path, host, version = parse(head)
        say("req %s %s %s %s" % (method, path, host, version))
        c = load(args.ctl)
        mode = c.get("mode", "normal")
        if mode == "close":
            return
        if mode == "hang":
            stop.wait(600)
            return
        answer(conn, c, version)
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        # drain what the client still sends, briefly, so the close is clean
        conn.settimeout(2.0)
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
    except (OSError, ssl.SSLError, ValueError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def client(raw, args, ctx, stop):
    conn = raw
    try:
        raw.settimeout(30.0)
        if ctx is not None:
            conn = ctx.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    serve(conn, args, stop)


def main():
    ap = argparse.ArgumentParser(description="controllable HTTP(S) test server")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--ctl", required=True, help="JSON control file, read on every request")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    ctx = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fam = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        srv = socket.socket(fam, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((args.host, args.port))
        srv.listen(512)
    except OSError as e:
        sys.stderr.write("httpctl: %s\n" % e)
        return 1
    say("ready")
    while True:
        raw, _ = srv.accept()
        threading.Thread(target=client, args=(raw, args, ctx, stop), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
