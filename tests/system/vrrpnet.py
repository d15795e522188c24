"""Helpers for the VRRP system tests and bench/failover.sh: a switched LAN of
network namespaces, fulcrum and keepalived daemons inside them, VIP watching
and crafted adverts.

Every namespace is created here with a unique name (pid, counter, random
bits) and deleted by Lan.close(), which the tests call from a finalizer.
Addresses (10.231.K.0/24) exist only inside those namespaces.  Every wait is
bounded.
"""
import itertools
import json
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

import fc

_seq = itertools.count(1)
IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"


def sh(*args, check=True, timeout=10.0):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s" % (" ".join(map(str, args)), r.returncode,
                                                r.stderr.strip()))
    return r


def ns_sh(ns, *args, **kw):
    return sh(IP, "netns", "exec", ns, *args, **kw)


# ------------------------------------------------------------------ LAN

class Lan:
    """A bridge in a "switch" namespace and n hosts, each with eth0 on it.

    Host i (1-based) is self.hosts[i-1] with address 10.231.K.i/24; the
    bridge port of host i is "p<i>" in self.sw (port_down/port_up cut and
    restore its link: a partition)."""

    def __init__(self, n):
        k = next(_seq)
        # pid, counter and random bits: a leftover of a crashed run whose
        # pid came back never collides with this one
        self.tag = "%d-%d-%s" % (os.getpid(), k, os.urandom(2).hex())
        self.net = "10.231.%d" % (k % 250 + 1)
        self.sw = "fvsw-" + self.tag
        self.hosts = []
        self.made = []
        self.owned = []
        try:
            self._add_ns(self.sw)
            ns_sh(self.sw, IP, "link", "add", "br0", "type", "bridge")
            # VRRP's 224.0.0.18 is link-local (always flooded); no snooping
            # and no STP delay so ports forward at once.
            ns_sh(self.sw, IP, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0",
                  "stp_state", "0", "forward_delay", "0")
            ns_sh(self.sw, IP, "link", "set", "br0", "up")
            for i in range(1, n + 1):
                h = "fvh%d-%s" % (i, self.tag)
                self._add_ns(h)
                sh(IP, "link", "add", "name", "eth0", "netns", h, "type", "veth",
                   "peer", "name", "p%d" % i, "netns", self.sw)
                ns_sh(self.sw, IP, "link", "set", "p%d" % i, "master", "br0", "up")
                # no DAD: the IPv6 link-local source is usable at once
                ns_sh(h, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                      "net.ipv6.conf.default.accept_dad=0")
                ns_sh(h, IP, "addr", "add", "%s.%d/24" % (self.net, i), "dev", "eth0")
                ns_sh(h, IP, "link", "set", "eth0", "up")
                ns_sh(h, IP, "link", "set", "lo", "up")
                self.hosts.append(h)
        except Exception:
            self.close()
            raise

    def _add_ns(self, name):
        sh(IP, "netns", "add", name)
        self.made.append(name)

    def addr(self, i):
        return "%s.%d" % (self.net, i)

    def vip(self, n=100):
        return "%s.%d" % (self.net, n)

    def vip6(self, n=100):
        return "fd00:231:%x::%x" % (int(self.net.split(".")[2]), n)

    def port_down(self, i):
        """Host i loses its link (carrier down on its eth0)."""
        ns_sh(self.sw, IP, "link", "set", "p%d" % i, "down")

    def port_up(self, i):
        ns_sh(self.sw, IP, "link", "set", "p%d" % i, "up")

    def cut(self, i):
        """Partition: host i's port leaves the bridge while both ends of
        its veth keep their carrier."""
        ns_sh(self.sw, IP, "link", "set", "p%d" % i, "nomaster")

    def heal(self, i):
        ns_sh(self.sw, IP, "link", "set", "p%d" % i, "master", "br0")

    def mac(self, i):
        out = ns_sh(self.hosts[i - 1], IP, "-o", "link", "show", "dev", "eth0").stdout.split()
        return out[out.index("link/ether") + 1]

    def own(self, obj):
        """obj (a watcher, a Keepalived: anything with close()) is closed by
        close(), before the namespaces go; returns obj.  A test hands over
        what it starts in the LAN instead of closing it in a finally."""
        self.owned.append(obj)
        return obj

    def close(self):
        for obj in reversed(self.owned):
            try:
                obj.close()
            except Exception:  # the others must still go
                pass
        self.owned = []
        for ns in reversed(self.made):
            sh(IP, "netns", "del", ns, check=False)
        self.made = []


def has_addr(ns, addr, dev="eth0"):
    r = ns_sh(ns, IP, "-o", "addr", "show", "dev", dev, check=False)
    return any((" %s/" % addr) in line for line in r.stdout.splitlines())


class AddrWatch:
    """`ip -o monitor address` in a namespace: the monotonic time at which
    an address first appeared (or disappeared) after start."""

    def __init__(self, ns):
        self.events = []  # (time, "add"|"del", line)
        self.proc = subprocess.Popen([IP, "netns", "exec", ns, IP, "-o", "monitor", "address"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, text=True, bufsize=1)
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()
        self._subscribed(ns)

    # A marker address on lo: the monitor has subscribed once it reports a
    # change made after it started (a fixed sleep was not enough on a loaded
    # host: the takeover it was to see came before the subscription).
    MARK = "127.254.0.77"

    def _subscribed(self, ns):
        deadline = time.monotonic() + 15.0
        try:
            while not self.first(self.MARK):
                if time.monotonic() >= deadline:
                    raise AssertionError("ip monitor address did not report a change in 15 s")
                subprocess.run([IP, "netns", "exec", ns, IP, "addr", "add", self.MARK + "/32",
                                "dev", "lo"], check=False, capture_output=True)
                end = time.monotonic() + 0.5
                while not self.first(self.MARK) and time.monotonic() < end:
                    time.sleep(0.01)
                subprocess.run([IP, "netns", "exec", ns, IP, "addr", "del", self.MARK + "/32",
                                "dev", "lo"], check=False, capture_output=True)
        except BaseException:
            self.close()
            raise

    def _read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            self.events.append((now, "del" if line.startswith("Deleted") else "add", line))

    def first(self, addr, kind="add"):
        for t, k, line in list(self.events):
            if k == kind and (" %s/" % addr) in line:
                return t
        return None

    def wait(self, addr, timeout, kind="add"):
        return fc.wait_until(lambda: self.first(addr, kind), timeout,
                             "%s of %s" % (kind, addr), interval=0.005)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stdout.close()


# Each frame with the kernel's receive time (SO_TIMESTAMPNS, the wall
# clock): intervals between frames are the wire's, not when this sniffer
# and the test's reader thread got to run on a loaded host.
_ARP_SNIFF = r"""
import socket, struct, sys
SO_TIMESTAMPNS = 35
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind(("eth0", 0))
print("ready", flush=True)
while True:
    f, anc, _, _ = s.recvmsg(2048, 64)
    if len(f) < 42:
        continue
    ts = [struct.unpack("qq", d[:16]) for lvl, typ, d in anc
          if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS]
    op = struct.unpack("!H", f[20:22])[0]
    print("%.6f %d %s %s %s" % (ts[0][0] + ts[0][1] / 1e9 if ts else -1, op, f[22:28].hex(":"),
                                socket.inet_ntoa(f[28:32]), socket.inet_ntoa(f[38:42])),
          flush=True)
"""


class ArpWatch:
    """ARP frames seen on eth0 of a namespace: (time, op, sender_mac,
    sender_ip, target_ip), time the kernel's receive time on the
    time.monotonic() clock.  A gratuitous ARP has sender_ip == target_ip."""

    def __init__(self, ns):
        self.events = []
        self.proc = subprocess.Popen([IP, "netns", "exec", ns, fc.PYTHON, "-c", _ARP_SNIFF],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL, text=True, bufsize=1)
        r, _, _ = select.select([self.proc.stdout], [], [], 10.0)
        assert r and self.proc.stdout.readline().strip() == "ready", "ARP sniffer did not start"
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for line in self.proc.stdout:
            p = line.split()
            if len(p) == 5:
                # the kernel's stamp on the monotonic clock the tests use
                now = time.monotonic()
                t = float(p[0])
                t = now if t < 0 else min(now, t - (time.time() - now))
                self.events.append((t, int(p[1]), p[2], p[3], p[4]))

    def garps(self, ip, mac=None, since=0.0):
        return [e for e in list(self.events) if e[0] >= since and e[3] == ip and
                e[4] == ip and (mac is None or e[2] == mac)]

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stdout.close()


# -------------------------------------------------------------- configs

def instance(name, iface, vrid, prio, vip, advert=1.0, version=3, state="BACKUP",
             extra="", plen=None):
    body = ("vrrp_instance %s {\n    state %s\n    interface %s\n    virtual_router_id %d\n"
            "    priority %d\n    advert_int %s\n    version %d\n"
            % (name, state, iface, vrid, prio, ("%g" % advert), version))
    for line in extra.strip().splitlines():
        body += "    %s\n" % line.strip()
    plen = plen or (64 if ":" in vip else 24)
    return body + "    virtual_ipaddress {\n        %s/%d\n    }\n}\n" % (vip, plen)


# ---------------------------------------------------------------- fulcrum

_served = None


def vrrp_served():
    """None when this build runs VRRP, else why not (a skip reason).
    Decided at run time from `fulcrum -t` on a VRRP-only config."""
    global _served
    if _served is not None:
        return _served or None
    d = tempfile.mkdtemp(prefix="fvs-")
    conf = os.path.join(d, "probe.conf")
    with open(conf, "w") as f:
        f.write(instance("probe", "lo", 51, 100, "192.0.2.1"))
    try:
        r = fc.run_fulcrum("-t", "-f", conf)
    finally:
        os.unlink(conf)
        os.rmdir(d)
    out = r.stdout + r.stderr
    if "not served by this build" in out:
        _served = "fulcrum -t says VRRP is not served by this build yet"
    elif r.returncode != 0:
        _served = "fulcrum -t refuses a VRRP config: %s" % out.strip()[-300:]
    else:
        _served = ""
    return _served or None


class NsDaemon(fc.Daemon):
    """fc.Daemon run inside a namespace (`ip netns exec` execs fulcrum
    itself, so proc.pid is the daemon's pid and kill() is a real SIGKILL)."""

    def __init__(self, ns, workdir, conf_text, args=()):
        self.ns = ns
        super().__init__(workdir, conf_text, args)

    def argv(self):
        return [IP, "netns", "exec", self.ns] + super().argv()

    def vrrp_json(self):
        return json.loads(self.ctl_ok("show", "vrrp", "--json"))

    def inst(self, name, j=None):
        """The JSON object of instance `name` in `show vrrp --json`."""
        j = self.vrrp_json() if j is None else j
        cands = j
        if isinstance(j, dict):
            for key in ("instances", "vrrp_instances", "vrrp"):
                if key in j:
                    cands = j[key]
                    break
        if isinstance(cands, dict):
            if name in cands:
                return cands[name]
            cands = list(cands.values())
        for o in cands:
            if isinstance(o, dict) and (o.get("name") == name or o.get("instance") == name):
                return o
        raise AssertionError("no instance %s in show vrrp --json: %r" % (name, j))

    def state(self, name):
        return str(self.inst(name).get("state", "")).upper()


def counter(obj, key):
    """Integer `key` anywhere inside obj (counters may be nested)."""
    if isinstance(obj, dict):
        if key in obj and isinstance(obj[key], int):
            return obj[key]
        for v in obj.values():
            c = counter(v, key)
            if c is not None:
                return c
    elif isinstance(obj, list):
        for v in obj:
            c = counter(v, key)
            if c is not None:
                return c
    return None


# ------------------------------------------------------------- keepalived

def keepalived_bin():
    for p in ("/usr/sbin/keepalived", "/sbin/keepalived"):
        if os.access(p, os.X_OK):
            return p
    return None


class Keepalived:
    """Debian's keepalived, VRRP only, in a namespace, with its own pid files."""

    def __init__(self, ns, workdir, conf_text):
        self.ns = ns
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "keepalived.conf"
        self.conf.write_text(conf_text)
        self.pid = self.dir / "k.pid"
        self.vpid = self.dir / "k-vrrp.pid"
        self.cpid = self.dir / "k-check.pid"
        self.errpath = self.dir / "keepalived.log"
        self.closed = self.child_killed = False
        self._log = open(self.errpath, "ab")
        self.proc = subprocess.Popen(
            [IP, "netns", "exec", ns, keepalived_bin(), "-n", "-l", "-D", "-P",
             "-f", str(self.conf), "-p", str(self.pid), "-r", str(self.vpid),
             "-c", str(self.cpid)],
            stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL)

    def log(self):
        return self.errpath.read_text(errors="replace")

    def _kill_child(self):
        """SIGKILL the VRRP child, once: later its pid may be somebody else's."""
        if self.child_killed:
            return
        self.child_killed = True
        try:
            os.kill(int(self.vpid.read_text().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def kill(self):
        """SIGKILL of parent and VRRP child: no priority-0 advert, no respawn."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGSTOP)
        self._kill_child()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)

    def close(self):
        """Stop both processes (idempotent: Lan.close calls it too)."""
        if self.closed:
            return
        self.closed = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._kill_child()  # the child may survive its parent briefly
        self._log.close()


# ------------------------------------------------------------ raw adverts

def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def advert_v3(src, vrid, prio, vips, advert_cs=100, bad_csum=False, count=None):
    """A VRRPv3 IPv4 advert (RFC 5798 5.1) with its pseudo-header checksum."""
    addrs = b"".join(socket.inet_aton(a) for a in vips)
    n = len(vips) if count is None else count
    hdr = struct.pack("!BBBBHH", 0x31, vrid, prio, n, advert_cs & 0x0fff, 0)
    pkt = hdr + addrs
    pseudo = socket.inet_aton(src) + socket.inet_aton("224.0.0.18") + \
        struct.pack("!BBH", 0, 112, len(pkt))
    c = _csum(pseudo + pkt)
    if bad_csum:
        c ^= 0x5a5a
    return hdr[:6] + struct.pack("!H", c) + addrs


def send_raw(ns, src, payload, ttl=255):
    """Send payload as IP protocol 112 to 224.0.0.18 from inside ns.

    Runs a short python in the namespace (setns needs Python >= 3.12)."""
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,112)\n"
            "s.setsockopt(socket.IPPROTO_IP,socket.IP_MULTICAST_TTL,%d)\n"
            "s.setsockopt(socket.IPPROTO_IP,socket.IP_MULTICAST_IF,socket.inet_aton(%r))\n"
            "s.sendto(bytes.fromhex(%r),('224.0.0.18',0))\n" % (ttl, src, payload.hex()))
    ns_sh(ns, fc.PYTHON, "-c", code)


def daemon_factory(tmp_path, request):
    """make(ns, conf, start=True, sub=None) -> NsDaemon in namespace ns, its
    files in tmp_path/sub.  At teardown every daemon still running gets
    SIGTERM and must exit 0; none may leave a sanitizer report (killed ones
    are expected to be gone).  The `director` fixtures of test_vrrp.py and
    test_xdp.py."""
    made = []

    def make(ns, conf, start=True, sub=None):
        d = tmp_path / (sub or "f%d" % len(made))
        d.mkdir(exist_ok=True)
        dm = NsDaemon(ns, d, conf)
        made.append(dm)
        if start:
            dm.start()
        return dm

    def fin():
        problems = []
        for dm in made:
            try:
                if dm.proc is not None and not dm.exit_expected:
                    dm.stop()
            except AssertionError as e:
                problems.append(str(e))
            finally:
                dm.close()
            rep = dm.sanitizer_report()
            if rep:
                problems.append("sanitizer report in %s:\n%s" % (dm.errpath, rep[-6000:]))
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)

    request.addfinalizer(fin)
    return make
