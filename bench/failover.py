"""Failover time of a fulcrum pair vs a keepalived pair (bench/failover.sh).

For each implementation and each (advert_int, version) setting: two
directors in network namespaces on one bridge (tests/system/vrrpnet.py),
priority 150 (A) and 100 (B).  Then N times: SIGKILL A, time from the kill
to the VIP appearing on B (`ip monitor address` in B's namespace, read as it
happens), start A again and wait until it has taken the VIP back.  Prints
medians and the ratio; --doc FILE rewrites the marked block in FILE.

A benchmark, not a test: it fails only if something does not work (an
election that does not settle within its bound).  Everything it creates is
deleted at the end, also on failure or Ctrl-C."""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "system"))
import fc  # noqa: E402
import vrrpnet as vn  # noqa: E402

BEGIN = "<!-- BEGIN bench/failover.sh results: generated, replaced on every run -->"
END = "<!-- END bench/failover.sh results -->"


class Pair:
    def __init__(self, impl, net, workdir, advert, version):
        self.impl, self.net, self.dir = impl, net, Path(workdir)
        self.advert, self.version = advert, version
        self.runs = 0
        self.a = self.start(0, 150)
        self.b = self.start(1, 100)

    def conf(self, prio):
        return vn.instance("VI_1", "eth0", 51, prio, self.net.vip(), self.advert, self.version)

    def start(self, i, prio):
        self.runs += 1
        d = self.dir / ("%s%d-%d" % (self.impl, i, self.runs))
        d.mkdir(parents=True)
        if self.impl == "keepalived":
            return vn.Keepalived(self.net.hosts[i], d, self.conf(prio))
        dm = vn.NsDaemon(self.net.hosts[i], d, self.conf(prio))
        dm.start()
        return dm

    def settled(self):
        return vn.has_addr(self.net.hosts[0], self.net.vip()) and \
            not vn.has_addr(self.net.hosts[1], self.net.vip())

    def wait_settled(self, what):
        fc.wait_until(self.settled, 10.0 + 8 * self.advert, what)

    def kill_a(self):
        if self.impl == "keepalived":
            self.a.kill()
        else:
            self.a.exit_expected = True
            self.a.kill()

    def close(self):
        for x in (self.a, self.b):
            if x is None:
                continue
            if self.impl == "keepalived":
                x.close()
            else:
                x.exit_expected = True
                x.kill()
                x.close()


def measure(impl, advert, version, n, workdir):
    net = vn.Lan(2)
    p = None
    times = []
    try:
        p = Pair(impl, net, workdir, advert, version)
        p.wait_settled("%s: first election" % impl)
        for _ in range(n):
            w = vn.AddrWatch(net.hosts[1])
            try:
                t0 = time.monotonic()
                p.kill_a()
                t1 = w.wait(net.vip(), 5.0 + 4 * advert)
            finally:
                w.close()
            times.append(t1 - t0)
            p.a.close()
            p.a = p.start(0, 150)
            p.wait_settled("%s: A takes the VIP back" % impl)
    finally:
        if p is not None:
            p.close()
        net.close()
    return times


def render(rows, n, load):
    out = [BEGIN, "",
           "Taken %s on this machine (%d CPUs, load %s), N = %d kills per row; "
           "time from SIGKILL of the master to the VIP on the backup. RFC bound = "
           "3 x advert + skew (priority 100)." % (time.strftime("%Y-%m-%d"),
                                                  os.cpu_count(), load, n), "",
           "| advert_int | version | fulcrum median (min..max) | keepalived median (min..max) "
           "| fulcrum / keepalived | RFC bound |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        def cell(t):
            if not t:
                return "not run (%s)" % r.get("why", "n/a")
            return "%.0f ms (%.0f..%.0f)" % (1e3 * statistics.median(t), 1e3 * min(t),
                                             1e3 * max(t))
        f, k = r.get("fulcrum"), r.get("keepalived")
        ratio = "%.2f" % (statistics.median(f) / statistics.median(k)) if f and k else "-"
        bound = 3 * r["advert"] + (256 - 100) * r["advert"] / 256.0
        out.append("| %g s | %d | %s | %s | %s | %.0f ms |" % (
            r["advert"], r["version"], cell(f), cell(k), ratio, 1e3 * bound))
    out += ["", END]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--settings", default="0.1:3,1:2", help="advert:version,...")
    ap.add_argument("--impls", default="fulcrum,keepalived")
    ap.add_argument("--doc", default="")
    a = ap.parse_args()
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    rows = []
    why_f = vn.vrrp_served()
    with tempfile.TemporaryDirectory(prefix="fulcrum-bench-failover.") as tmp:
        for s in a.settings.split(","):
            adv, ver = s.split(":")
            r = {"advert": float(adv), "version": int(ver)}
            for impl in a.impls.split(","):
                if impl == "fulcrum" and why_f:
                    r["why"] = why_f
                    print("fulcrum: skipped: %s" % why_f, flush=True)
                    continue
                if impl == "keepalived" and not vn.keepalived_bin():
                    r["why"] = "keepalived not installed"
                    continue
                t = measure(impl, r["advert"], r["version"], a.n,
                            os.path.join(tmp, "%s-%s-%s" % (impl, adv, ver)))
                r[impl] = t
                print("%-10s advert %gs v%d: median %.0f ms  min %.0f  max %.0f  (n=%d)" % (
                    impl, r["advert"], r["version"], 1e3 * statistics.median(t),
                    1e3 * min(t), 1e3 * max(t), len(t)), flush=True)
            rows.append(r)
    block = render(rows, a.n, load)
    print(block)
    if a.doc:
        text = Path(a.doc).read_text()
        if BEGIN in text and END in text:
            pre, rest = text.split(BEGIN, 1)
            post = rest.split(END, 1)[1]
            text = pre + block + post
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        Path(a.doc).write_text(text)


if __name__ == "__main__":
    main()
