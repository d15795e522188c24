"""Debian's haproxy 2.6 and fulcrum side by side on one haproxy.cfg, both
inside a network namespace the test makes (test_tcp_retries.py,
test_tcp_queue.py): there, besides loopback, a veth pair whose subnet
swallows every packet (HOLE's neighbour entry is a MAC nobody has, so the
peer drops the frames), so a server at HOLE never answers a SYN (a connect
that times out), while a port of 127.0.0.1 where nothing listens refuses.

    with NsPair(tmp_path) as pair:
        origin = pair.call(SomeThreadServer)        # made inside the namespace
        ports = pair.start(sections)                # {"haproxy": {...}, "fulcrum": {...}}
        got = pair.call(client_fn, ports["fulcrum"]["x"])
        pair.stat("fulcrum")                        # show stat, as rows

sections(port_of, sock) returns the config's lines (a `global` section
with `stats socket SOCK` is added first, the defaults after it); each
program's output (its `log stdout` lines) is read with pair.log(who).
FC_NBTHREAD=N runs fulcrum with nbthread N, as fc.Daemon does.

No probe connection is made to see the listeners up (it would be logged
and counted: a refused server's econ): the namespace's listening sockets
are read with `ss`.  close() stops both programs and removes the
namespace, whatever happened; the name carries the pid, a counter and
random bits, so two runs never collide."""
import itertools
import os
import signal
import subprocess

import pytest

import fc
from lvsnet import IP, ns_call, sh

HAPROXY = "/usr/sbin/haproxy"
HOLE = "10.254.77.2"  # on the namespace's dummy NIC's subnet: no host answers
_seq = itertools.count(1)


class NsPair:
    def __init__(self, tmp_path):
        if not os.access(HAPROXY, os.X_OK):
            pytest.skip("no %s to compare with (apt-get install haproxy)" % HAPROXY)
        self.ours = fc.BUILD / "haproxy"
        assert os.path.islink(self.ours) or os.access(self.ours, os.X_OK), "%s: not built" % self.ours
        self.tmp = tmp_path
        self.procs = {}
        self.logs = {}
        self.ns = "fcq%d-%d-%s" % (os.getpid(), next(_seq), os.urandom(3).hex())
        sh(IP, "netns", "add", self.ns)
        try:
            for cmd in (["link", "set", "lo", "up"],
                        ["link", "add", "hole0", "type", "veth", "peer", "name", "hole1"],
                        ["addr", "add", "10.254.77.1/24", "dev", "hole0"], ["link", "set", "hole0", "up"],
                        ["link", "set", "hole1", "up"],
                        # frames to HOLE go to a MAC nobody has: hole1 drops them
                        ["neigh", "add", HOLE, "lladdr", "02:00:5e:fe:77:02", "dev", "hole0", "nud",
                         "permanent"]):
                sh(IP, "-n", self.ns, *cmd)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, fn, *args, **kw):
        """fn(*args, **kw) on a thread inside the namespace (its sockets
        are the namespace's)."""
        return ns_call(self.ns, fn, *args, **kw)

    def sock(self, who):
        return str(self.tmp / ("%s.sock" % who))

    def start(self, sections, defaults=("mode tcp", "timeout client 10s", "timeout server 10s")):
        ports = {}
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(self.ours))):
            mine = {}

            def port_of(name):
                mine.setdefault(name, fc.free_port())
                return mine[name]

            lines = ["global", "  stats socket %s level admin" % self.sock(who),
                     "  log stdout format raw local0", "defaults"] + ["  " + d for d in defaults]
            lines += sections(port_of)
            n = os.environ.get("FC_NBTHREAD")
            if who == "fulcrum" and n:
                lines += ["global", "  nbthread %s" % n]
            cfg = self.tmp / ("%s.cfg" % who)
            cfg.write_text("\n".join(lines) + "\n")
            self.logs[who] = self.tmp / ("%s.log" % who)
            with open(self.logs[who], "w") as out:
                self.procs[who] = subprocess.Popen(
                    [IP, "netns", "exec", self.ns, prog, "-d", "-f", str(cfg)], stdout=out,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=fc.env())
            want = set(mine.values())
            fc.wait_until(lambda: self.procs[who].poll() is not None or
                          want <= self.listening() and os.path.exists(self.sock(who)), 30.0,
                          "%s listening on %s" % (who, sorted(want)))
            assert self.procs[who].poll() is None, "%s exited: %s" % (who, self.log(who))
            ports[who] = mine
        return ports

    def listening(self):
        out = sh(IP, "netns", "exec", self.ns, "ss", "-Hltn").stdout
        return {int(l.split()[3].rsplit(":", 1)[1]) for l in out.splitlines() if l.strip()}

    def log(self, who):
        return self.logs[who].read_text(errors="replace")

    def stat(self, who):
        """{(pxname, svname): {column: text}} of `show stat`."""
        from test_http_persist import runtime
        lines = runtime(self.sock(who), "show stat")
        cols = lines[0].lstrip("# ").split(",")
        return {(r["pxname"], r["svname"]): r for r in (dict(zip(cols, l.split(","))) for l in lines[1:])}

    def close(self):
        outs = {}
        for who, p in self.procs.items():
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
            outs[who] = self.log(who)
        self.procs = {}
        sh(IP, "netns", "del", self.ns, check=False)
        if "fulcrum" in outs:
            fc.assert_no_sanitizer(outs["fulcrum"], "fulcrum as haproxy")
