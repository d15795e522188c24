#!/usr/bin/python3
"""Health-checking benchmark: N real servers checked at delay_loop 1 s.

    checks.py run [--n 5000] [--kind tcp|http|pgsql] [--window 30] [--settle 4]
                  [--fulcrum build/fulcrum] [--fulcrumctl build/fulcrumctl]
                  [--json OUT]
    checks.py serve --kind tcp|http|pgsql --n N                  (internal)
    checks.py report --results A.json [B.json] --doc FILE --load "LOADAVG"

`run` starts ONE server process (`serve`) listening on N ports: 127.0.1.1 ..
127.0.1.K times 100 ports each (so no address carries more than 100
listeners and connect() never runs short of source ports), writes a fulcrum
config with N real servers (10 virtual servers on 127.0.2.1) each with a
TCP_CHECK, an HTTP_GET or a PGSQL_CHECK at delay_loop 1, starts fulcrum, waits --settle
seconds for every checker to have run, then measures over --window seconds:

  cpu      fulcrum's utime+stime from /proc/PID/stat over the window, as % of
           one core (what the health checking costs: nothing else runs);
  attempts `fulcrumctl show checks --json` before and after the window: the
           attempts per server (ok + failed) / window = checks per second
           per server (should be 1);
  latency  each checker's last latency (ms) in the final snapshot:
           p50/p90/p99/max;
  spread   where in the second the checks end: the checkers' last_check_s
           (all relative to one instant of one snapshot) modulo 1 s in 10
           buckets of 100 ms (all in one bucket = a storm; flat = spread),
           reported as max/mean bucket.

The `serve` side is one epoll loop (accept, for http answer one request,
for pgsql speak enough of PostgreSQL's protocol v3 for a check: trust
login, in_hot_standby off, one answer to the check's query, as a primary
would; close) and is not measured.  Prints one JSON object (and writes it to --json).
A benchmark, not a test: it fails only if something does not work (fulcrum
exits, a server stays down, a snapshot cannot be read), never on the figures.
"""
import argparse
import json
import os
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

PORTS_PER_ADDR = 100
PORT0 = 21000
VS_COUNT = 10
VIP = "127.0.2.1"
VPORT0 = 20900


def addrs_for(n):
    k = (n + PORTS_PER_ADDR - 1) // PORTS_PER_ADDR
    if k > 250:
        raise SystemExit("at most %d servers" % (250 * PORTS_PER_ADDR))
    return ["127.0.1.%d" % (i + 1) for i in range(k)]


def servers(n):
    out = []
    for i, a in enumerate(addrs_for(n)):
        for p in range(PORTS_PER_ADDR):
            if len(out) < n:
                out.append((a, PORT0 + p))
    return out


# ------------------------------------------------------------------ serve

HTTP_OK = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
           b"Connection: close\r\n\r\nok\n")


def pg_msg(t, body):
    return t + struct.pack("!I", len(body) + 4) + body


PG_HELLO = (pg_msg(b"R", struct.pack("!I", 0))                        # AuthenticationOk
            + pg_msg(b"S", b"in_hot_standby\0off\0")
            + pg_msg(b"S", b"server_version\0" + b"15.0\0")
            + pg_msg(b"Z", b"I"))
# the check's one query: pg_is_in_recovery(), the WAL position, the replay delay
PG_ANSWER = (pg_msg(b"T", struct.pack("!H", 3) + b"".join(
                 n + b"\0" + struct.pack("!IHIhiH", 0, 0, 25, -1, -1, 0)
                 for n in (b"pg_is_in_recovery", b"lsn", b"delay")))
             + pg_msg(b"D", struct.pack("!H", 3) + b"".join(
                 struct.pack("!I", len(v)) + v for v in (b"f", b"0/3000060", b"0")))
             + pg_msg(b"C", b"SELECT 1\0") + pg_msg(b"Z", b"I"))


PG_STARTED = set()  # connections past their startup message


def pg_serve(s, buf):
    """Answer what buf holds of a PostgreSQL check: (rest, done)."""
    out = b""
    done = False
    while True:
        if s not in PG_STARTED:
            if len(buf) < 8:
                break
            n, code = struct.unpack("!II", buf[:8])
            if len(buf) < n:
                break
            buf = buf[n:]
            if code == 80877103:       # SSLRequest: no TLS here
                out += b"N"
                continue
            PG_STARTED.add(s)
            out += PG_HELLO
            continue
        if len(buf) < 5:
            break
        t, n = buf[:1], struct.unpack("!I", buf[1:5])[0]
        if len(buf) < n + 1:
            break
        buf = buf[n + 1:]
        if t == b"Q":
            out += PG_ANSWER
        elif t == b"X":
            done = True
            break
    if out:
        try:
            s.send(out)
        except OSError:
            done = True
    return buf, done


def serve(args):
    n = args.n
    sel = selectors.EpollSelector()
    listeners = 0
    for a, p in servers(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, p))
        s.listen(1024)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, None)
        listeners += 1
    sys.stdout.write("ready %d\n" % listeners)
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    pending = {}
    while True:
        for key, _ in sel.select(1.0):
            s = key.fileobj
            if key.data is None:  # a listener
                while True:
                    try:
                        c, _ = s.accept()
                    except (BlockingIOError, OSError):
                        break
                    if args.kind == "tcp":
                        c.close()
                        continue
                    c.setblocking(False)
                    pending[c] = b""
                    sel.register(c, selectors.EVENT_READ, "conn")
                continue
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            buf = pending.get(s, b"") + data
            if args.kind == "pgsql" and data:
                buf, done = pg_serve(s, buf)
                if not done:
                    pending[s] = buf
                    continue
                data = b""
            if data and b"\r\n\r\n" not in buf and len(buf) < 65536:
                pending[s] = buf
                continue
            if data:
                try:
                    s.send(HTTP_OK)
                except OSError:
                    pass
            sel.unregister(s)
            pending.pop(s, None)
            PG_STARTED.discard(s)
            s.close()


# -------------------------------------------------------------------- run

def conf_text(srv, kind):
    per = (len(srv) + VS_COUNT - 1) // VS_COUNT
    out = []
    for v in range(VS_COUNT):
        chunk = srv[v * per:(v + 1) * per]
        if not chunk:
            break
        out.append("virtual_server %s %d {\n    delay_loop 1\n    lb_algo rr\n"
                   "    lb_kind NAT\n    protocol TCP\n" % (VIP, VPORT0 + v))
        for a, p in chunk:
            if kind == "tcp":
                chk = "TCP_CHECK {\n            connect_timeout 2\n        }"
            elif kind == "pgsql":
                chk = ("PGSQL_CHECK {\n            user bench\n            dbname postgres\n"
                       "            sslmode disable\n            connect_timeout 2\n        }")
            else:
                chk = ("HTTP_GET {\n            url {\n                path /health\n"
                       "                status_code 200\n            }\n"
                       "            connect_timeout 2\n        }")
            out.append("    real_server %s %d {\n        %s\n    }\n" % (a, p, chk))
        out.append("}\n")
    return "".join(out)


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def show_checks(ctl, sock):
    r = subprocess.run([ctl, "-S", sock, "show", "checks", "--json"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit("show checks --json failed: %s %s" % (r.stdout, r.stderr))
    return json.loads(r.stdout)


def checkers(snap):
    """{(rs address, rs port): checker dict} from a show checks --json
    snapshot (layout of doc/health.md)."""
    out = {}
    for vs in snap.get("virtual_servers", []):
        for rs in vs.get("real_servers", []):
            for c in rs.get("checks", []):
                out[(rs["address"], rs["port"], c["checker"])] = (rs, c)
    return out


def pct(vals, q):
    if not vals:
        return None
    vals = sorted(vals)
    i = min(len(vals) - 1, int(round(q / 100.0 * (len(vals) - 1))))
    return vals[i]


def run(args):
    hz = os.sysconf("SC_CLK_TCK")
    # one listener per server here, one socket per attempt in flight in fulcrum
    need = args.n + 4096
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, hard), max(need, hard)))
        except (ValueError, OSError):
            raise SystemExit("cannot raise the open-files limit to %d (run as root)" % need)
    tmp = tempfile.mkdtemp(prefix="fc-bench-checks-")
    procs = []
    result = {"kind": args.kind, "servers": args.n, "window_s": args.window}
    try:
        srv = servers(args.n)
        sp = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", "--kind",
                               args.kind, "--n", str(args.n)], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL)
        procs.append(sp)
        line = sp.stdout.readline().decode().strip()
        if not line.startswith("ready"):
            raise SystemExit("server process did not start: %r" % line)
        conf = os.path.join(tmp, "fulcrum.conf")
        with open(conf, "w") as f:
            f.write(conf_text(srv, args.kind))
        sock = os.path.join(tmp, "ctl.sock")
        log = open(os.path.join(tmp, "fulcrum.log"), "wb")
        fp = subprocess.Popen([args.fulcrum, "-f", conf, "-n", "-l", "--control", sock,
                               "-p", os.path.join(tmp, "pid")], stdout=log, stderr=log,
                              stdin=subprocess.DEVNULL)
        procs.append(fp)
        deadline = time.monotonic() + 30
        while not os.path.exists(sock):
            if fp.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise SystemExit("fulcrum did not start:\n%s" %
                                 open(os.path.join(tmp, "fulcrum.log")).read()[-3000:])
            time.sleep(0.1)
        t_start = time.monotonic()
        # settle: every checker has run at least once and every server is up
        deadline = time.monotonic() + args.settle + 30
        while True:
            time.sleep(1.0)
            snap = show_checks(args.fulcrumctl, sock)
            ch = checkers(snap)
            ran = sum(1 for rs, c in ch.values() if c["attempts_ok"] + c["attempts_failed"] > 0)
            up = sum(1 for rs, c in ch.values() if rs.get("state") == "up")
            if (ran >= args.n and up >= args.n and time.monotonic() - t_start >= args.settle):
                break
            if time.monotonic() > deadline:
                raise SystemExit("after %.0fs: %d of %d checkers ran, %d servers up"
                                 % (time.monotonic() - t_start, ran, args.n, up))
        result["settle_s"] = round(time.monotonic() - t_start, 1)
        s0 = checkers(show_checks(args.fulcrumctl, sock))
        c0, w0 = cpu_ticks(fp.pid), time.monotonic()
        time.sleep(args.window)
        c1, w1 = cpu_ticks(fp.pid), time.monotonic()
        s1 = checkers(show_checks(args.fulcrumctl, sock))
        if fp.poll() is not None:
            raise SystemExit("fulcrum exited during the window")
        wall = w1 - w0
        result["cpu_pct_one_core"] = round(100.0 * (c1 - c0) / hz / wall, 2)
        result["rss_mib"] = round(rss_kib(fp.pid) / 1024.0, 1)
        rates, lat, phase, down = [], [], [], 0
        for key, (rs, c) in s1.items():
            b = s0.get(key)
            if b is None:
                continue
            n1 = c["attempts_ok"] + c["attempts_failed"]
            n0 = b[1]["attempts_ok"] + b[1]["attempts_failed"]
            rates.append((n1 - n0) / wall)
            if c.get("latency_ms") is not None:
                lat.append(c["latency_ms"])
            if c.get("last_check_s") is not None:
                # every last_check_s of one snapshot is relative to the same instant
                phase.append(int(round(-1000.0 * c["last_check_s"])) % 1000)
            if rs.get("state") != "up":
                down += 1
        result["servers_down_at_end"] = down
        result["failed_attempts_in_window"] = sum(
            c["attempts_failed"] - s0[k][1]["attempts_failed"] for k, (rs, c) in s1.items() if k in s0)
        result["checks_per_s_total"] = round(sum(rates), 1)
        result["checks_per_s_per_server"] = {"min": round(min(rates), 2) if rates else None,
                                             "p50": round(pct(rates, 50), 2) if rates else None,
                                             "max": round(max(rates), 2) if rates else None}
        result["latency_ms"] = {"p50": pct(lat, 50), "p90": pct(lat, 90), "p99": pct(lat, 99),
                                "max": max(lat) if lat else None}
        if phase:
            buckets = [0] * 10
            for ph in phase:
                buckets[ph // 100] += 1
            mean = len(phase) / 10.0
            result["spread_buckets_100ms"] = buckets
            result["spread_max_over_mean"] = round(max(buckets) / mean, 2)
        else:
            result["spread_buckets_100ms"] = None
        text = json.dumps(result)
        print(text)
        if args.json:
            with open(args.json, "w") as f:
                f.write(text + "\n")
        return 0
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
        subprocess.run(["rm", "-rf", tmp])


# ----------------------------------------------------------------- report

BEGIN = "<!-- BEGIN bench/checks.sh results: generated, replaced on every run -->"
END = "<!-- END bench/checks.sh results -->"


def sh(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine():
    cpu, mem = "?", "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576.0)
    except OSError:
        pass
    osname = "?"
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "%d CPUs (%s), %s RAM, Linux %s, %s" % (os.cpu_count() or 0, cpu, mem,
                                                    os.uname().release, osname)


def fmt(v, unit=""):
    return "—" if v is None else ("%s%s" % (v, unit))


def report(args):
    res = []
    for path in args.results:
        with open(path) as f:
            res.append(json.load(f))
    names = {"tcp": "TCP_CHECK", "http": "HTTP_GET (url /health, status 200)",
             "pgsql": "PGSQL_CHECK (login, role and WAL query)"}
    rows = [("real servers checked every second", lambda r: fmt(r["servers"])),
            ("fulcrum CPU, % of one core", lambda r: fmt(r["cpu_pct_one_core"], " %")),
            ("fulcrum RSS", lambda r: fmt(r["rss_mib"], " MiB")),
            ("checks per second, all servers", lambda r: fmt(r["checks_per_s_total"])),
            ("checks per second per server, min / median / max",
             lambda r: "%s / %s / %s" % tuple(fmt(r["checks_per_s_per_server"][k])
                                              for k in ("min", "p50", "max"))),
            ("check latency p50 / p90 / p99 / max (ms)",
             lambda r: " / ".join(fmt(r["latency_ms"][k]) for k in ("p50", "p90", "p99", "max"))),
            ("checks ending in each 100 ms of the second, max / mean",
             lambda r: fmt(r.get("spread_max_over_mean"))),
            ("failed attempts in the window", lambda r: fmt(r["failed_attempts_in_window"])),
            ("servers down at the end", lambda r: fmt(r["servers_down_at_end"]))]
    head = "| | " + " | ".join(names.get(r["kind"], r["kind"]) for r in res) + " |"
    lines = [head, "|---|" + "---:|" * len(res)]
    for title, f in rows:
        lines.append("| %s | %s |" % (title, " | ".join(f(r) for r in res)))
    table = "\n".join(lines)
    commit = sh("git", "rev-parse", "--short", "HEAD")
    window = res[0]["window_s"] if res else 0
    block = [BEGIN, "",
             "Taken %s by `bench/checks.sh` at commit `%s`: %s real servers, delay_loop 1 s, "
             "measured over %s s after every checker had run (%s s of settling)."
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), commit,
                " / ".join(str(r["servers"]) for r in res), window,
                " / ".join(str(r["settle_s"]) for r in res)),
             "",
             "- Machine: %s.  Load average when the run started: %s." % (machine(), args.load),
             "",
             table, ""]
    for r in res:
        if r.get("spread_buckets_100ms"):
            block.append("- %s: checks ending in each 100 ms of the second: %s."
                         % (names.get(r["kind"], r["kind"]),
                            ", ".join(str(b) for b in r["spread_buckets_100ms"])))
    block += ["", END]
    text = "\n".join(block)
    print(table)
    if not args.doc:
        return 0
    old = open(args.doc).read()
    if BEGIN not in old or END not in old:
        raise SystemExit("%s has no bench/checks.sh block (markers %r ... %r)"
                         % (args.doc, BEGIN, END))
    new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END):]
    tmp = args.doc + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, args.doc)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["run", "serve", "report"])
    ap.add_argument("--results", nargs="*", default=[])
    ap.add_argument("--doc", default="")
    ap.add_argument("--load", default="?")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--kind", choices=["tcp", "http", "pgsql"], default="tcp")
    ap.add_argument("--window", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=4.0)
    ap.add_argument("--fulcrum", default="build/fulcrum")
    ap.add_argument("--fulcrumctl", default="build/fulcrumctl")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.cmd == "serve":
        return serve(args)
    if args.cmd == "report":
        return report(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
