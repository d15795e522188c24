"""LVS-DR benchmark (bench/dr.sh): requests/s and director CPU per request.

In the namespaces of tests/system/lvsnet.py (a client, one director and one
real server on a bridge; TESTBED.md), wrk in the client's namespace asks
nginx for a 43-byte file, with keep-alive and with `Connection: close`,
through each of:

    direct   client -> the real server's own address (no director)
    toy-xdp  client -> VIP:80 on the director, a 10-line XDP program that
             rewrites the destination MAC and nothing else (lvsnet's
             toy_dr_object): the cost of the extra hop through the
             director in this testbed, with the least a DR program can do
    xdp      client -> VIP:80 on the director, fulcrum lb_kind DR (XDP
             program; the real server answers the client directly)
    proxy    client -> director:8080, fulcrum lb_kind NAT (userspace proxy)
    haproxy  client -> director:8081, HAProxy 2.6 mode tcp, nbthread 1

All four go to the same single nginx (one worker): the only difference is
what stands in the path.  Each director-side program is started for its
round only, so nothing else runs on the director while another is measured.

Director CPU per request:
  proxy, haproxy: user+system time of the director's process
                  (/proc/PID/stat) over the wrk run / requests.
  xdp:            run time of fulcrum's XDP program as the kernel counts it
                  (BPF_ENABLE_STATS, run_time_ns of the program attached to
                  the director's eth0) / requests.  This is the per-packet
                  program only: the veth driver's receive and XDP_TX work
                  around it is not in it (on a real NIC that is the
                  driver's), as the proxies' numbers do not hold the
                  kernel's softirq work for their sockets either.
Box CPU per request (every CPU of the machine, /proc/stat busy time / requests)
is printed too: client, director and server share this machine.

A benchmark, not a test: it fails only when something does not work.
Everything it creates is deleted at the end (LvsNet.close in finally)."""
import argparse
import ctypes
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "system"))
import fc  # noqa: E402
import lvsnet as ln  # noqa: E402
from vrrpnet import NsDaemon  # noqa: E402  (fc.Daemon in a namespace)

BEGIN = "<!-- BEGIN bench/dr.sh results: generated, replaced on every run -->"
END = "<!-- END bench/dr.sh results -->"
P_PROXY, P_HAPROXY = 8080, 8081
TARGETS = ("direct", "toy-xdp", "xdp", "proxy", "haproxy")
MODES = ("keepalive", "close")
TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------- CPU meters

def proc_cpu(pid):
    """user+system seconds of pid."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def box_busy():
    """Busy seconds of all CPUs together (everything but idle and iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / TICK


class BpfStats:
    """BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): the kernel counts run time of
    every BPF program while the returned fd is open (the sysctl
    kernel.bpf_stats_enabled is left alone)."""

    def __init__(self):
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.create_string_buffer(8)  # enable_stats.type = 0 (RUN_TIME)
        fd = libc.syscall(321, 32, attr, 4)   # __NR_bpf (x86_64), BPF_ENABLE_STATS
        if fd < 0:
            raise OSError(ctypes.get_errno(), "BPF_ENABLE_STATS")
        self.fd = fd

    def close(self):
        os.close(self.fd)


def xdp_prog_id(host):
    out = host.sh(ln.IP, "-d", "-j", "link", "show", "dev", "eth0").stdout
    j = json.loads(out)[0]
    xdp = j.get("xdp") or {}
    pid = xdp.get("prog", {}).get("id")
    if pid is None:
        for a in xdp.get("attached", []):
            pid = a.get("prog", {}).get("id") or pid
    return pid


def prog_run_ns(pid):
    j = json.loads(ln.sh("bpftool", "-j", "prog", "show", "id", pid).stdout)
    return j.get("run_time_ns", 0), j.get("run_cnt", 0)


# ------------------------------------------------------------- programs

def nginx_conf(d, port):
    text = (ROOT / "bench" / "nginx.conf.in").read_text()
    text = text.replace("127.0.0.1:@PORT@", "@PORT@").replace("@PORT@", str(port))
    return text.replace("@DIR@", str(d))


def haproxy_conf(listen, server):
    text = (ROOT / "bench" / "haproxy.cfg.in").read_text()
    text = text.replace("127.0.0.1:@PORT@", listen).replace("127.0.0.1:@BACKEND_PORT@", server)
    return text.replace("@NBTHREAD@", "nbthread 1").replace("@OPTIONS@", "")


def vs(addr, port, kind, algo, rs_addr, rs_port):
    return ("virtual_server %s %d {\n    lb_algo %s\n    lb_kind %s\n    protocol TCP\n"
            "    real_server %s %d {\n        weight 1\n    }\n}\n"
            % (addr, port, algo, kind, rs_addr, rs_port))


class Director:
    """One director-side program in the director's namespace, for a round."""

    def __init__(self, net, target, workdir, algo="mh"):
        self.net, self.target = net, target
        d = net.dirs[0]
        rs = net.rs[0]
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc = None
        self.daemon = None
        self.toy = False
        if target == "toy-xdp":
            obj = ln.toy_dr_object(str(self.dir), net.vip, rs.mac(), d.mac())
            d.sh(ln.IP, "link", "set", "dev", "eth0", "xdpdrv", "obj", obj, "sec", "xdp")
            self.toy = True
        elif target == "haproxy":
            cfg = self.dir / "haproxy.cfg"
            cfg.write_text(haproxy_conf("%s:%d" % (d.addr, P_HAPROXY), "%s:80" % rs.addr))
            self.proc = net.popen(d, ["haproxy", "-db", "-f", cfg], "haproxy", ready=False)
            self.pid = self.proc.proc.pid
            wait_port(net, d.addr, P_HAPROXY)
        elif target in ("xdp", "proxy"):
            conf = vs(net.vip, 80, "DR", algo, rs.addr, 80) if target == "xdp" else \
                vs(d.addr, P_PROXY, "NAT", "rr", rs.addr, 80)
            self.daemon = NsDaemon(d.ns, self.dir, conf)
            self.daemon.start()
            self.pid = self.daemon.proc.pid
            if target == "proxy":
                wait_port(net, d.addr, P_PROXY)
        self.prog = xdp_prog_id(d) if "xdp" in target else None
        if "xdp" in target and self.prog is None:
            raise RuntimeError("fulcrum runs but no XDP program is attached to %s eth0" % d.ns)

    def url(self):
        n = self.net
        return {"direct": "http://%s/tiny.txt" % n.rs[0].addr,
                "xdp": "http://%s/tiny.txt" % n.vip,
                "toy-xdp": "http://%s/tiny.txt" % n.vip,
                "proxy": "http://%s:%d/tiny.txt" % (n.dirs[0].addr, P_PROXY),
                "haproxy": "http://%s:%d/tiny.txt" % (n.dirs[0].addr, P_HAPROXY)}[self.target]

    def cpu(self):
        """Director CPU seconds so far (see the module doc)."""
        if self.target == "direct":
            return None
        if "xdp" in self.target:
            return prog_run_ns(self.prog)[0] / 1e9
        return proc_cpu(self.pid)

    def close(self):
        if self.toy:
            self.net.dirs[0].sh(ln.IP, "link", "set", "dev", "eth0", "xdpdrv", "off")
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon.close()
        if self.proc is not None:
            self.net.stop(self.proc)


def wait_port(net, host, port, timeout=10.0):
    def ok():
        r = net.client.sh("bash", "-c", "exec 3<>/dev/tcp/%s/%d" % (host, port), check=False)
        return r.returncode == 0
    fc.wait_until(ok, timeout, "%s:%d to accept" % (host, port), 0.1)


# ------------------------------------------------------------------ wrk

def wrk(net, url, mode, dur, conns):
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % dur, url]
    if mode == "close":
        argv[1:1] = ["-H", "Connection: close"]
    r = net.client.sh(*argv, timeout=dur + 60)
    out = r.stdout
    m = re.search(r"^\s*(\d+) requests in", out, re.M)
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not m or not rps:
        raise RuntimeError("cannot read wrk output:\n" + out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError("wrk saw %s failed responses via %s:\n%s" % (bad.group(1), url, out))
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # a `close` run's read errors are nginx closing after the answer
    if errs and (int(errs.group(1)) or int(errs.group(4))):
        raise RuntimeError("wrk socket errors via %s:\n%s" % (url, out))
    return int(m.group(1)), float(rps.group(1))


# ---------------------------------------------------------------- report

def xdp_missing():
    conf = vs("192.0.2.1", 80, "DR", "mh", "192.0.2.2", 80)
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(conf)
    try:
        r = fc.run_fulcrum("-t", "-f", f.name)
    finally:
        os.unlink(f.name)
    if r.returncode == 0:
        return None
    out = (r.stdout + r.stderr).strip().splitlines()
    return out[0].split(": ", 2)[-1][:160] if out else "fulcrum -t refused DR"


def table(best, why, head):
    lines = head + ["",
                    "| target | keep-alive req/s | vs direct | vs HAProxy | director CPU/req "
                    "| CPU vs HAProxy | close req/s | vs direct | vs HAProxy | director CPU/req "
                    "| CPU vs HAProxy | box CPU/req (ka, close) |",
                    "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in TARGETS:
        if t in why:
            lines.append("| %s | not run: %s |%s" % (t, why[t], " |" * 10))
            continue
        row = ["%s" % t]
        for mode in MODES:
            r = best.get((t, mode))
            d = best.get(("direct", mode))
            h = best.get(("haproxy", mode))
            if r is None:
                row += ["-"] * 5
                continue
            row.append("%.0f" % r["rps"])
            row.append("%.2f" % (r["rps"] / d["rps"]) if d else "-")
            row.append("%.2f" % (r["rps"] / h["rps"]) if h else "-")
            if r["cpu_us"] is None:
                row += ["-", "-"]
            else:
                row.append("%.2f us" % r["cpu_us"])
                row.append("%.3f" % (r["cpu_us"] / h["cpu_us"]) if h and h["cpu_us"] else "-")
        row.append(", ".join("%.1f us" % best[(t, m)]["box_us"] if (t, m) in best else "-"
                             for m in MODES))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--conns", type=int, default=32)
    ap.add_argument("--doc", default="")
    ap.add_argument("--targets", default=" ".join(TARGETS),
                    help="which of %s to run (direct and haproxy give the ratios)"
                    % " ".join(TARGETS))
    ap.add_argument("--modes", default=" ".join(MODES), help="keepalive and/or close")
    ap.add_argument("--algo", default="mh", help="lb_algo of the xdp target")
    a = ap.parse_args()
    targets = [t for t in TARGETS if t in a.targets.split()]
    modes = [m for m in MODES if m in a.modes.split()]
    if not targets or not modes:
        sys.exit("bench/dr: no target or mode left to run (--targets %r --modes %r)"
                 % (a.targets, a.modes))

    why = {}
    if not os.access(str(fc.FULCRUM), os.X_OK):
        sys.exit("bench/dr: %s is not built" % fc.FULCRUM)
    m = xdp_missing()
    if m:
        why["xdp"] = m
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    results = {}
    stats = BpfStats()
    work = tempfile.mkdtemp(prefix="fx-bench-")
    try:
        with ln.LvsNet(n_rs=1, n_dir=1) as net:
            rs = net.rs[0]
            www = Path(net.tmp) / "www"
            www.mkdir()
            (www / "tiny.txt").write_text("tiny file served by the fulcrum benchmark\n")
            (Path(net.tmp) / "nginx-tmp").mkdir()
            nconf = Path(net.tmp) / "nginx.conf"
            nconf.write_text(nginx_conf(net.tmp, 80))
            net.popen(rs, ["nginx", "-c", nconf, "-p", net.tmp + "/", "-e",
                           net.tmp + "/nginx-error.log"], "nginx", ready=False)
            wait_port(net, rs.addr, 80)
            for rnd in range(a.rounds):
                for t in targets:
                    if t in why:
                        continue
                    try:
                        dr = Director(net, t, "%s/%s-%d" % (work, t, rnd), a.algo)
                    except (AssertionError, RuntimeError) as e:
                        why[t] = str(e).splitlines()[0][:160]
                        continue
                    try:
                        wrk(net, dr.url(), "keepalive", 1, 4)  # warm-up (MACs, caches)
                        for mode in modes:
                            c0, b0 = dr.cpu(), box_busy()
                            n, rps = wrk(net, dr.url(), mode, a.duration, a.conns)
                            c1, b1 = dr.cpu(), box_busy()
                            res = {"rps": rps, "n": n, "box_us": (b1 - b0) / n * 1e6,
                                   "cpu_us": None if c0 is None else (c1 - c0) / n * 1e6}
                            print("round %d %-8s %-9s %8.0f req/s  director %s  box %.1f us/req"
                                  % (rnd + 1, t, mode, rps,
                                     "-" if res["cpu_us"] is None else
                                     "%.2f us/req" % res["cpu_us"], res["box_us"]), flush=True)
                            k = (t, mode)
                            if k not in results or rps > results[k]["rps"]:
                                results[k] = res
                    finally:
                        dr.close()
    finally:
        stats.close()
        import shutil
        shutil.rmtree(work, ignore_errors=True)

    head = ["Taken %s on this machine (%d CPUs, load %s) by bench/dr.sh: wrk -t1 -c%d, %d s "
            "per run, %d rounds interleaved, best round kept; one real server (nginx, 1 worker, "
            "43-byte file), client, director and server in namespaces on one bridge; xdp with "
            "lb_algo %s."
            % (time.strftime("%Y-%m-%d"), os.cpu_count(), load, a.conns, a.duration, a.rounds,
               a.algo),
            "Director CPU: xdp = XDP program run time (BPF_ENABLE_STATS); proxy/haproxy = "
            "the process's user+system time.  Box CPU = all CPUs' busy time."]
    load_after = " ".join(open("/proc/loadavg").read().split()[:3])
    head[0] = head[0].replace("(%d CPUs, load %s)" % (os.cpu_count(), load),
                              "(%d CPUs, load %s before, %s after)"
                              % (os.cpu_count(), load, load_after))
    lines = table(results, why, head)
    print("\n".join(lines))
    if a.doc:
        block = "\n".join([BEGIN, ""] + lines + ["", END])
        p = Path(a.doc)
        text = p.read_text()
        if BEGIN in text and END in text:
            pre, rest = text.split(BEGIN, 1)
            text = pre + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        p.write_text(text)


if __name__ == "__main__":
    main()
