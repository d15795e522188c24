#!/usr/bin/python3
"""Small SMTP and DNS peers for the health-check tests.

    protosrv.py smtp --port PORT [--host H] [--banner 220] [--helo 250]
    protosrv.py dns  --port PORT [--host H] [--ok NAME[,NAME...]]

Prints "ready" on stdout once listening and runs until SIGTERM/SIGINT.

smtp  greets every client with "<banner> fulcrum-test ESMTP", answers
      HELO/EHLO with <helo> (EHLO as a multi-line 250- reply when <helo> is
      250), QUIT with 221 and closes; anything else gets 502.  One line per
      command received goes to stdout: "cmd <LINE>".
dns   UDP.  Answers every query with the same ID, QR set and the question
      echoed: names in --ok (case-insensitive, "." is the root) get NOERROR
      with one A record 127.0.0.1, every other name SERVFAIL (rcode 2).  One
      line per query to stdout: "query <NAME> <TYPE>".
Interface kept stable: tests/system relies on it.
"""
import argparse
import signal
import socket
import struct
import sys
import threading

_out_lock = threading.Lock()


def say(line):
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


# ------------------------------------------------------------------ SMTP

def smtp_client(conn, args):
    try:
        conn.settimeout(30.0)
        f = conn.makefile("rb")
        conn.sendall(b"%d fulcrum-test ESMTP\r\n" % args.banner)
        for raw in f:
            line = raw.decode("latin-1").rstrip("\r\n")
            say("cmd %s" % line)
            verb = line.split(" ", 1)[0].upper()
            if verb == "HELO":
                conn.sendall(b"%d fulcrum-test\r\n" % args.helo)
            elif verb == "EHLO":
                if args.helo == 250:
                    conn.sendall(b"250-fulcrum-test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                else:
                    conn.sendall(b"%d fulcrum-test\r\n" % args.helo)
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"502 not implemented\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def run_smtp(args, fam):
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(128)
    say("ready")
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=smtp_client, args=(conn, args), daemon=True).start()


# ------------------------------------------------------------------- DNS

def read_name(msg, off):
    """QNAME at off (no compression in queries): (name, next offset)."""
    labels = []
    while True:
        if off >= len(msg):
            raise ValueError("truncated name")
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n & 0xC0 or off + n > len(msg):
            raise ValueError("bad label")
        labels.append(msg[off:off + n].decode("latin-1"))
        off += n
    return (".".join(labels) + ".") if labels else ".", off


def dns_answer(q, ok):
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if flags & 0x8000 or qd != 1:
        return None
    name, off = read_name(q, 12)
    if off + 4 > len(q):
        return None
    qtype, qclass = struct.unpack("!HH", q[off:off + 4])
    question = q[12:off + 4]
    say("query %s %d" % (name, qtype))
    good = name.lower().rstrip(".") in ok or (name == "." and "." in ok)
    rd = flags & 0x0100
    if good:
        rflags = 0x8000 | 0x0400 | rd  # QR, AA
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
        return struct.pack("!HHHHHH", qid, rflags, 1, 1, 0, 0) + question + answer
    rflags = 0x8000 | rd | 2  # SERVFAIL
    return struct.pack("!HHHHHH", qid, rflags, 1, 0, 0, 0) + question


def run_dns(args, fam):
    ok = set(n.strip().lower().rstrip(".") if n.strip() != "." else "."
             for n in args.ok.split(",") if n.strip())
    srv = socket.socket(fam, socket.SOCK_DGRAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    say("ready")
    while True:
        q, peer = srv.recvfrom(4096)
        try:
            r = dns_answer(q, ok)
        except ValueError:
            r = None
        if r:
            srv.sendto(r, peer)


def main():
    ap = argparse.ArgumentParser(description="SMTP / DNS test peers")
    ap.add_argument("proto", choices=["smtp", "dns"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--banner", type=int, default=220)
    ap.add_argument("--helo", type=int, default=250)
    ap.add_argument("--ok", default=".")
    args = ap.parse_args()

    def stop(signum, frame):
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fam = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        if args.proto == "smtp":
            run_smtp(args, fam)
        else:
            run_dns(args, fam)
    except OSError as e:
        sys.stderr.write("protosrv %s: %s\n" % (args.proto, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
