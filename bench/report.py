#!/usr/bin/python3
"""bench/run.sh's bookkeeping: turns tool output into JSON lines, and the
JSON lines into the results table (printed, and written into
doc/benchmarks.md between the markers, replacing the previous run's block).

  report.py cpu PID                      -> CPU ticks (user+sys) used so far
  report.py wrk LABEL METRIC FILE [CPU0 CPU1 [PERFSTAT]]
                                         -> JSON line from wrk's output; with
                                            the proxy's CPU ticks before/after
                                            and what `perf stat -x,` counted
                                            in it during the run
  report.py render RESULTS DOC KEY=VALUE...
                                         -> table on stdout, block in DOC

Exits non-zero when a measurement carries errors: a benchmark whose requests
failed measures nothing.  Ratios never fail a run.
"""
import json
import os
import re
import sys

BEGIN = "<!-- BEGIN bench/run.sh results: generated, replaced on every run -->"
END = "<!-- END bench/run.sh results -->"

TARGETS = [  # (label in results, column title)
    ("direct", "direct to nginx"),
    ("fulcrum", "fulcrum (PROXY)"),
    ("fulcrum_sk", "fulcrum (PROXY, proxy_relay sockmap)"),
    ("fulcrumN", "fulcrum nbthread = CPUs"),
    ("haproxy1", "HAProxy 1 thread"),
    ("haproxy1s", "HAProxy 1 thread + splice"),
    ("haproxyN", "HAProxy default threads"),
    ("fulcrumB", "baseline build (BENCH_BASELINE), nbthread = CPUs"),
]
# (numerator, base, title): fulcrum's default (nbthread 1) against HAProxy
# with one thread, like for like; fulcrum on every CPU against HAProxy's
# default (a thread per CPU), what users of each run
RATIOS = [("fulcrum", "haproxy1", "fulcrum / HAProxy 1t"),
          ("fulcrum", "haproxy1s", "fulcrum / HAProxy 1t+splice"),
          ("fulcrumN", "haproxyN", "fulcrum Nt / HAProxy default"),
          ("fulcrumN", "fulcrum", "fulcrum Nt / fulcrum 1t"),
          ("fulcrum", "direct", "fulcrum / direct"),
          ("fulcrum", "fulcrum_sk", "fulcrum / fulcrum sockmap"),
          ("fulcrumN", "fulcrumB", "fulcrum Nt / baseline Nt")]
MAX_SOCKET_ERRORS = 0.001  # share of requests; above this the run fails


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (whole process)


def machine_ticks():
    """Busy ticks of the whole machine, all CPUs (/proc/stat): the work the
    kernel does for a proxy outside its process (softirq, kworkers) too."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:3]) + sum(v[5:8])  # user nice system, irq softirq steal


def to_seconds(v, unit):
    return float(v) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def parse_wrk(text):
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        raise ValueError("no Requests/sec in wrk output")
    r["value"] = float(m.group(1))
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    r["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["bad_status"] = int(m.group(1)) if m else 0
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    if m:
        r["p99_ms"] = round(to_seconds(*m.groups()) * 1e3, 3)
    return r


# perf stat events (bench/run.sh's PERF_EVENTS) -> result field, per request.
# System calls and context switches do not depend on the machine's load as
# CPU time does; instructions are counted only where the CPU exposes them
# (not in every VM: the field is then left out).
PERF_FIELDS = {"raw_syscalls:sys_enter": "syscalls_per_req",
               "context-switches": "cswitches_per_req",
               "instructions:u": "instr_u_per_req",
               "instructions:k": "instr_k_per_req"}


def parse_perf_stat(text, requests):
    """perf stat -x, output -> {field: count per request}."""
    r = {}
    for line in text.splitlines():
        cols = line.split(",")
        if len(cols) < 3 or cols[2] not in PERF_FIELDS:
            continue
        try:
            r[PERF_FIELDS[cols[2]]] = round(float(cols[0]) / requests, 2)
        except ValueError:  # <not supported>, <not counted>
            pass
    if "instr_u_per_req" in r and "instr_k_per_req" in r:
        r["instr_per_req"] = round(r["instr_u_per_req"] + r["instr_k_per_req"])
    return r


def cmd_wrk(args):
    label, metric, path = args[:3]
    with open(path) as f:
        r = parse_wrk(f.read())
    r.update(target=label, metric=metric)
    if len(args) >= 5 and r["requests"]:
        (p0, m0), (p1, m1) = ([int(x) for x in a.split("/")] for a in args[3:5])
        per_req = 1e6 / os.sysconf("SC_CLK_TCK") / r["requests"]
        r["cpu_us_per_req"] = round((p1 - p0) * per_req, 2)
        r["machine_cpu_us_per_req"] = round((m1 - m0) * per_req, 2)
    if len(args) >= 6 and r["requests"] and os.path.exists(args[5]):
        with open(args[5]) as f:
            r.update(parse_perf_stat(f.read(), r["requests"]))
    print(json.dumps(r))
    errs = r["socket_errors"]
    if r["requests"] == 0 or r["bad_status"] or errs > MAX_SOCKET_ERRORS * r["requests"]:
        print("report.py: %s %s: %d requests, %d socket errors, %d bad answers"
              % (label, metric, r["requests"], errs, r["bad_status"]), file=sys.stderr)
        return 1
    return 0


def fmt_num(v, unit):
    if v is None:
        return "—"
    if unit == "B":
        return "%.0f" % v if v < 10240 else "%.1f KiB" % (v / 1024)
    if v >= 100:
        return "{:,.0f}".format(v)
    return "%.2f" % v if v < 10 else "%.1f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return "%.2f" % (a / b)


def load(path):
    """{(target, metric): best round}; every round's value is kept in
    "rounds" so the spread can be shown."""
    res = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            key = (r["target"], r["metric"])
            old = res.get(key)
            rounds = (old["rounds"] if old else []) + [r.get("value")]
            every = (old["every"] if old else []) + [r]
            if old is None or (r.get("value") or 0) > (old.get("value") or 0):
                old = r
            old["rounds"] = rounds
            old["every"] = every
            res[key] = old
    return res


# (row title, metric, field, unit, higher is better)
ROWS = [
    ("Requests/s, keep-alive (wrk -c50)", "rps_ka", "value", "req/s", True),
    ("  p99 latency, keep-alive (ms)", "rps_ka", "p99_ms", "ms", False),
    ("  proxy CPU per request (µs)", "rps_ka", "cpu_us_per_req", "µs", False),
    ("  machine CPU per request, all processes (µs)", "rps_ka", "machine_cpu_us_per_req", "µs",
     False),
    ("  proxy system calls per request", "rps_ka", "syscalls_per_req", "", False),
    ("  proxy context switches per request", "rps_ka", "cswitches_per_req", "", False),
    ("  proxy instructions per request (user + kernel)", "rps_ka", "instr_per_req", "", False),
    ("Requests/s, new connection each (Connection: close)", "rps_close", "value", "req/s", True),
    ("  proxy CPU per request (µs)", "rps_close", "cpu_us_per_req", "µs", False),
    ("  machine CPU per request, all processes (µs)", "rps_close", "machine_cpu_us_per_req", "µs",
     False),
    ("  proxy system calls per request", "rps_close", "syscalls_per_req", "", False),
    ("  proxy context switches per request", "rps_close", "cswitches_per_req", "", False),
    ("  proxy instructions per request (user + kernel)", "rps_close", "instr_per_req", "", False),
    ("Bulk download (MB/s)", "bulk_mbs", "value", "MB/s", True),
    ("Memory per idle connection, never used (RSS bytes)", "idle_mem", "idle_bytes", "B", False),
    ("Memory per idle connection after one request (RSS bytes)", "idle_mem", "used_bytes", "B", False),
    ("File descriptors per connection", "idle_mem", "fds_per_conn", "", False),
]


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def best_of(r, field):
    """The figure of the round the table keeps (the best requests/s)."""
    return r.get(field)


def median_of(r, field):
    """The median over every round."""
    return median(x.get(field) for x in r["every"])


# The figures ratios are read from, as medians over the rounds: steadier
# than one round on a shared machine (a target's best round may be the one
# a neighbour's build did not disturb, its CPU per request not)
MEDIAN_ROWS = [row for row in ROWS if row[1] in ("rps_ka", "rps_close") and
               row[2] in ("value", "cpu_us_per_req", "syscalls_per_req", "cswitches_per_req")]


def table(res, rows=ROWS, pick=best_of):
    """Only the targets this run measured, and the ratios between them."""
    measured = {label for label, _ in res}
    targets = [t for t in TARGETS if t[0] in measured]
    ratios = [r for r in RATIOS if r[0] in measured and r[1] in measured]
    head = ["Measurement"] + [t[1] for t in targets] + [r[2] for r in ratios]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for title, metric, field, unit, _ in rows:
        vals = {}
        for label, _ in targets:
            r = res.get((label, metric))
            vals[label] = pick(r, field) if r else None
        if all(v is None for v in vals.values()):
            continue
        cells = [title] + [fmt_num(vals[l], unit) for l, _ in targets]
        for num, base, _ in ratios:
            cells.append(ratio(vals[num], vals[base]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cmd_render(args):
    results, doc = args[0], args[1]
    meta = dict(a.split("=", 1) for a in args[2:])
    res = load(results)
    tbl = table(res)
    mtbl = table(res, MEDIAN_ROWS, median_of)
    block = [BEGIN, "",
             "Taken %s by `bench/run.sh` at commit `%s`." % (meta.get("date", "?"), meta.get("commit", "?")),
             "",
             "- Machine: %s CPUs (%s), %s RAM, Linux %s, %s."
             % (meta.get("nproc", "?"), meta.get("cpu", "?"), meta.get("mem", "?"),
                meta.get("kernel", "?"), meta.get("os", "?")),
             "- Software: %s; %s; %s; %s." % (meta.get("fulcrum", "fulcrum ?"), meta.get("haproxy", "?"),
                                              meta.get("nginx", "?"), meta.get("wrk", "?")),
             "- HAProxy default threads = %s here; fulcrum nbthread = CPUs = %s workers.  "
             "Load average when the run started: %s."
             % (meta.get("haproxy_threads", "?"), meta.get("fulcrum_threads", "?"),
                meta.get("load", "?")),
             "- Exact commands (PROXY is the address of the target under test):",
             "",
             "```"]
    block += [c for c in meta.get("commands", "").split(";;") if c]
    block += ["```", "", tbl, ""]
    if int(meta.get("rounds", "1")) > 2:
        block += ["Medians over the %s rounds:" % meta["rounds"], "", mtbl, ""]
    spread = []
    for label, title in TARGETS:
        parts = []
        for metric, name in (("rps_ka", "keep-alive"), ("rps_close", "close"), ("bulk_mbs", "bulk")):
            r = res.get((label, metric))
            if r and len(r.get("rounds", [])) > 1:
                parts.append("%s %s" % (name, " / ".join(fmt_num(v, "") for v in r["rounds"])))
        if parts:
            spread.append("%s: %s" % (title, "; ".join(parts)))
    if spread:
        block += ["Every round (the table keeps the best): " + ". ".join(spread) + ".", ""]
    notes = []
    for (label, metric), r in sorted(res.items()):
        if r.get("socket_errors"):
            notes.append("- %s %s: %d socket errors in %d requests (wrk)."
                         % (label, metric, r["socket_errors"], r["requests"]))
    if notes:
        block += ["Errors seen (below the failure threshold of %.1f%%):" % (MAX_SOCKET_ERRORS * 100), ""]
        block += notes + [""]
    block.append(END)
    text = "\n".join(block)
    print(tbl)
    print("\nMedians over the rounds:\n" + mtbl)

    if doc in ("", "-"):
        return 0
    old = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n\n"
    if BEGIN in old and END in old:
        pre = old[:old.index(BEGIN)]
        post = old[old.index(END) + len(END):]
        new = pre + text + post
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    tmp = doc + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, doc)
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "cpu":
        print("%d/%d" % (cpu_ticks(int(args[0])), machine_ticks()))
        return 0
    if cmd == "wrk":
        return cmd_wrk(args)
    if cmd == "render":
        return cmd_render(args)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
