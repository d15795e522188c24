"""An LVS testbed in network namespaces, for tests/system/test_xdp.py and
bench/dr.py (doc: /work/shared/design/TESTBED.md, "Several hosts").

    with LvsNet(n_rs=2, n_dir=1) as net:
        net.start_backend(net.rs[0], "r1", port=80, mode="http", peer=True)
        ...

A "switch" namespace holds a bridge; the client, the directors and the real
servers each get a namespace whose eth0 is one end of a veth pair, the other
end a port of the bridge.  Addressing (N picked from the pid and a counter):

    client      10.N.0.10     fd00:N::10
    director i  10.N.0.(1+i)  fd00:N::(1+i)      i = 1, 2
    real srv i  10.N.0.(10+i) fd00:N::(10+i)     i = 1, 2, 3
    VIP         10.N.0.100    fd00:N::100  (on director 1's eth0; the real
                servers hold it on lo with arp_ignore=1/arp_announce=2)

A test that replays somebody's site passes its own plan instead (prefix,
host numbers, the directors' interface name, whether the VIP starts on
director 1): test_seed002.py builds seed 002's 192.168.244.0/24 with
directors whose NIC is eno16777736.  The addresses exist only inside the
namespaces made here, so any plan is safe; the namespace names carry the
pid, a counter and random bits, so two runs or a leftover never collide.

Veth quirks handled here (TESTBED.md): a frame sent with XDP_TX out of a
director's eth0 is dropped unless the bridge-port peer runs an XDP program,
so each director's port gets a tiny XDP_PASS program compiled at run time
(clang -target bpf, into a temp dir: the Makefile builds every bpf/*.bpf.c,
so it cannot live there); and TCP from a veth carries a partial checksum
that an XDP forwarder never completes, so TX checksum offload is turned off
on the client's eth0 (the real servers answer the client straight over the
bridge, no XDP on that path, so theirs stays on).

Everything created here (namespaces, processes, temp files) is removed by
close(), which the context manager calls even on failure.  Processes run
through `ip netns exec` (which execs the command: the pid is the process's).
Every wait is bounded.
"""
import ctypes
import itertools
import os
import select
import shutil
import subprocess
import tempfile
import threading

import fc

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
ETHTOOL = "/usr/sbin/ethtool" if os.path.exists("/usr/sbin/ethtool") else "ethtool"
_seq = itertools.count(1)

_PASS_C = """#include <linux/bpf.h>
__attribute__((section("xdp"), used)) int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
char _license[] __attribute__((section("license"), used)) = "GPL";
"""
_pass_obj = None
_pass_lock = threading.Lock()


def sh(*args, check=True, timeout=15.0, input=None):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, input=input,
                       stdin=None if input is not None else subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s%s" % (" ".join(map(str, args)), r.returncode,
                                                 r.stderr.strip(), r.stdout.strip()[-500:]))
    return r


def ns_sh(ns, *args, **kw):
    return sh(IP, "netns", "exec", ns, *args, **kw)


def pass_object():
    """Path of an XDP_PASS object (built once per process, in a temp dir that
    lives as long as the process; removed at exit)."""
    global _pass_obj
    with _pass_lock:
        if _pass_obj is None:
            d = tempfile.mkdtemp(prefix="fx-pass-")
            src = os.path.join(d, "pass.c")
            with open(src, "w") as f:
                f.write(_PASS_C)
            obj = os.path.join(d, "pass.o")
            sh("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src,
               "-o", obj, timeout=60)
            import atexit
            atexit.register(shutil.rmtree, d, True)
            _pass_obj = obj
        return _pass_obj


_TOY_DR_C = """#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
__attribute__((section("xdp"), used)) int toy_dr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	unsigned char to[6] = { RS_MAC }, me[6] = { DIR_MAC };
	if ((void *)(ip + 1) > end || eth->h_proto != __builtin_bswap16(ETH_P_IP) ||
	    ip->daddr != VIP_BE)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, to, 6);
	__builtin_memcpy(eth->h_source, me, 6);
	return XDP_TX;
}
char _license[] __attribute__((section("license"), used)) = "GPL";
"""


def toy_dr_object(outdir, vip, rs_mac, dir_mac):
    """A 10-line XDP program that sends every IPv4 packet to vip on to
    rs_mac (XDP_TX): LVS-DR at its simplest, to check the testbed itself
    without fulcrum.  Compiled into outdir; returns the object's path."""
    import socket as _s
    src = os.path.join(outdir, "toy_dr.c")
    with open(src, "w") as f:
        f.write(_TOY_DR_C)
    obj = os.path.join(outdir, "toy_dr.o")
    hexes = lambda m: ",".join("0x" + x for x in m.split(":"))
    vip_be = int.from_bytes(_s.inet_aton(vip), "little")
    sh("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
       "-DRS_MAC=" + hexes(rs_mac), "-DDIR_MAC=" + hexes(dir_mac), "-DVIP_BE=%du" % vip_be,
       "-c", src, "-o", obj, timeout=60)
    return obj


# --------------------------------------------------------- thread in a ns

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def ns_call(ns, fn, *args, timeout=60.0, **kw):
    """fn(*args, **kw) run on a fresh thread that first joins network
    namespace ns (setns is per thread).  Sockets it creates belong to ns and
    stay usable from any thread afterwards.  Returns fn's result or re-raises
    its exception; bounded by timeout."""
    box = {}

    def run():
        try:
            fd = os.open("/run/netns/%s" % ns, os.O_RDONLY)
            try:
                if _libc.setns(fd, CLONE_NEWNET) != 0:
                    e = ctypes.get_errno()
                    raise OSError(e, "setns(%s): %s" % (ns, os.strerror(e)))
            finally:
                os.close(fd)
            box["r"] = fn(*args, **kw)
        except BaseException as e:  # handed to the caller
            box["e"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise AssertionError("%s in %s still running after %.0fs" % (fn, ns, timeout))
    if "e" in box:
        raise box["e"]
    return box.get("r")


# ---------------------------------------------------------------- hosts

class Host:
    """One namespace with its NIC (dev: eth0 unless the plan names it) on
    the bridge."""

    def __init__(self, net, role, ns, port, idx, dev="eth0"):
        self.net, self.role, self.ns, self.port, self.idx = net, role, ns, port, idx
        self.dev = dev
        self.addr = "%s.%d" % (net.prefix, idx)
        self.addr6 = "%s%x" % (net.prefix6, idx)

    def sh(self, *args, **kw):
        return ns_sh(self.ns, *args, **kw)

    def mac(self, dev=None):
        return self.read_sys("/sys/class/net/%s/address" % (dev or self.dev))

    def read_sys(self, path):
        # /sys/class/net shows the namespace of whoever mounted sysfs: read
        # it from inside (ip netns exec remounts /sys for the command).
        return self.sh("cat", path).stdout.strip()

    def stat(self, counter, dev=None):
        return int(self.read_sys("/sys/class/net/%s/statistics/%s" % (dev or self.dev, counter)))

    def call(self, fn, *args, **kw):
        return ns_call(self.ns, fn, *args, **kw)

    def __repr__(self):
        return "<%s %s %s>" % (self.role, self.ns, self.addr)


class LvsNet:
    """The topology; see the module doc.  n_rs real servers (1-3), n_dir
    directors (1-2).  rs_vip: how the real servers get the VIP(s) on lo and
    the ARP sysctls: "fulcrum" runs `fulcrum realserver start` (the product
    way; each server with its own state file in the temp dir), "manual"
    does it with ip/sysctl (the testbed without fulcrum), "none" leaves it
    to the caller.

    The plan (all optional): prefix ("a.b.c", the /24 of every host; default
    10.N.0), vip_idx, client_idx, dir_idx and rs_idx (host numbers in it;
    given lists set n_dir/n_rs), dir_dev (the directors' NIC name, e.g. a
    config's `interface`), vip_on_dir (False: nobody holds the VIP at start,
    VRRP will)."""

    def __init__(self, n_rs=2, n_dir=1, rs_vip="fulcrum", v6=True, prefix=None, vip_idx=100,
                 client_idx=10, dir_idx=None, rs_idx=None, dir_dev="eth0", vip_on_dir=True):
        k = next(_seq)
        pid = os.getpid()
        self.tag = "%d-%d-%s" % (pid, k, os.urandom(2).hex())
        self.n = (pid * 7 + k) % 200 + 20
        self.prefix = prefix or "10.%d.0" % self.n
        self.prefix6 = "fd00:%x::" % self.n
        self.vip = "%s.%d" % (self.prefix, vip_idx)
        self.vip6 = "%s%d" % (self.prefix6, vip_idx)  # ::100 for 100, as always
        dir_idx = list(dir_idx or range(2, 2 + n_dir))
        rs_idx = list(rs_idx or range(11, 11 + n_rs))
        self.v6 = v6
        self.made = []      # namespaces, in creation order
        self.procs = []     # fc.Tool-like objects with stop()
        self.tmp = tempfile.mkdtemp(prefix="fx-net-")
        self.sw = "fxsw-" + self.tag
        self.client = None
        self.dirs = []
        self.rs = []
        try:
            self._add_ns(self.sw)
            ns_sh(self.sw, IP, "link", "add", "br0", "type", "bridge")
            ns_sh(self.sw, IP, "link", "set", "br0", "type", "bridge", "mcast_snooping", "0",
                  "stp_state", "0", "forward_delay", "0")
            ns_sh(self.sw, IP, "link", "set", "br0", "up")
            self.client = self._host("client", "fxc", "pc", client_idx)
            # partial TCP checksums from a veth are never completed by an
            # XDP forwarder (TESTBED.md quirk 2)
            self.client.sh(ETHTOOL, "-K", self.client.dev, "tx", "off")
            for i, idx in enumerate(dir_idx, 1):
                d = self._host("director", "fxd%d" % i, "pd%d" % i, idx, dir_dev)
                # XDP_TX out of d's NIC needs an XDP program on the peer
                self.xdp_pass_on_port(d)
                self.dirs.append(d)
            for i, idx in enumerate(rs_idx, 1):
                self.rs.append(self._host("real", "fxr%d" % i, "pr%d" % i, idx))
            if self.dirs and vip_on_dir:
                self.add_vip(self.dirs[0])
            for r in self.rs:
                if rs_vip == "manual":
                    self.rs_vip_manual(r)
                elif rs_vip == "fulcrum":
                    self.realserver(r, "start", "--vip", self.vip,
                                    *(("--vip", self.vip6) if self.v6 else ()))
        except BaseException:
            self.close()
            raise

    # -- building
    def _add_ns(self, name):
        sh(IP, "netns", "add", name)
        self.made.append(name)

    def _host(self, role, short, port, idx, dev="eth0"):
        ns = "%s-%s" % (short, self.tag)
        self._add_ns(ns)
        sh(IP, "link", "add", "name", dev, "netns", ns, "type", "veth",
           "peer", "name", port, "netns", self.sw)
        ns_sh(self.sw, IP, "link", "set", port, "master", "br0", "up")
        h = Host(self, role, ns, port, idx, dev)
        h.sh("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
             "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.%s.accept_dad=0" % dev)
        h.sh(IP, "addr", "add", "%s/24" % h.addr, "dev", dev)
        if self.v6:
            h.sh(IP, "-6", "addr", "add", "%s/64" % h.addr6, "dev", dev, "nodad")
        h.sh(IP, "link", "set", dev, "up")
        h.sh(IP, "link", "set", "lo", "up")
        return h

    def xdp_pass_on_port(self, host):
        ns_sh(self.sw, IP, "link", "set", "dev", host.port, "xdpdrv", "obj", pass_object(),
              "sec", "xdp")

    # -- the VIP
    def add_vip(self, d):
        """The IPv6 VIP goes in deprecated (preferred_lft 0): still taken for
        traffic to it, never picked as the source of the director's own
        connections.  Linux prefers the newest of two addresses of one /64,
        so without it the health checks to the v6 servers would leave from
        the VIP, which each server holds on lo: their SYN-ACKs would stay on
        the server and every check time out (the IPv4 VIP, a secondary
        address, is never picked before the primary)."""
        d.sh(IP, "addr", "add", "%s/24" % self.vip, "dev", d.dev)
        if self.v6:
            d.sh(IP, "-6", "addr", "add", "%s/64" % self.vip6, "dev", d.dev, "nodad",
                 "preferred_lft", "0")

    def del_vip(self, d):
        d.sh(IP, "addr", "del", "%s/24" % self.vip, "dev", d.dev, check=False)
        if self.v6:
            d.sh(IP, "-6", "addr", "del", "%s/64" % self.vip6, "dev", d.dev, check=False)

    def move_vip(self, src, dst):
        """The VIP leaves director src for director dst; the client forgets
        its neighbour entry and learns dst's MAC (as a gratuitous ARP / NA of
        a VRRP takeover would make it)."""
        self.del_vip(src)
        self.add_vip(dst)
        c = self.client
        c.sh(IP, "neigh", "replace", self.vip, "lladdr", dst.mac(), "dev", c.dev, "nud",
             "reachable")
        if self.v6:
            c.sh(IP, "-6", "neigh", "replace", self.vip6, "lladdr", dst.mac(), "dev", c.dev,
                 "nud", "reachable")

    def rs_vip_manual(self, r):
        """What `fulcrum realserver start --vip` does, by hand: the VIP on lo
        and the ARP sysctls so the real server never answers ARP for it."""
        r.sh("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1",
             "net.ipv4.conf.all.arp_announce=2", "net.ipv4.conf.lo.arp_ignore=1",
             "net.ipv4.conf.lo.arp_announce=2")
        r.sh(IP, "addr", "add", "%s/32" % self.vip, "dev", "lo")
        if self.v6:
            r.sh(IP, "-6", "addr", "add", "%s/128" % self.vip6, "dev", "lo", "nodad")

    def realserver(self, r, *args, check=True):
        """`fulcrum realserver ARGS` in r's namespace with a state file of its
        own (the default one in /run/fulcrum is shared by all namespaces)."""
        return r.sh(str(fc.FULCRUM), "realserver", *args, "--state",
                    os.path.join(self.tmp, "rs-%s.state" % r.ns), check=check)

    def rs_vip_clear(self, r):
        r.sh(IP, "addr", "del", "%s/32" % self.vip, "dev", "lo", check=False)
        if self.v6:
            r.sh(IP, "-6", "addr", "del", "%s/128" % self.vip6, "dev", "lo", check=False)
        r.sh("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=0",
             "net.ipv4.conf.all.arp_announce=0", "net.ipv4.conf.lo.arp_ignore=0",
             "net.ipv4.conf.lo.arp_announce=0")

    # -- processes
    def popen(self, host, argv, name, ready=True, timeout=10.0):
        """argv run in host's namespace.  ready=True: wait for a "ready" line
        on stdout (tests/tools convention), then collect lines in .lines."""
        p = NsProc(host, argv, name, self.tmp, ready, timeout)
        self.procs.append(p)
        return p

    def start_backend(self, host, name, port, mode="http", bind="::", peer=False):
        """tests/tools/backend.py in host's namespace.  bind "::" takes IPv4
        and IPv6 on every address (TCP answers from the address it was
        reached at, the VIP); UDP must bind the VIP itself so its answers
        leave from the VIP."""
        argv = [fc.PYTHON, str(fc.BACKEND), "--name", name, "--port", str(port), "--host", bind,
                "--mode", mode]
        if peer:
            argv.append("--peer")
        return self.popen(host, argv, name)

    def stop(self, p):
        p.stop()
        if p in self.procs:
            self.procs.remove(p)

    # -- teardown
    def close(self):
        for p in reversed(self.procs):
            try:
                p.stop()
            except Exception:
                pass
        self.procs = []
        for ns in reversed(self.made):
            sh(IP, "netns", "del", ns, check=False)
        self.made = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class NsProc:
    """A process in a namespace; stdout lines collected in .lines."""

    def __init__(self, host, argv, name, logdir, ready=True, timeout=10.0):
        self.host, self.name = host, name
        self.lines = []
        self.errpath = os.path.join(logdir, "%s-%d.stderr" % (name, next(_seq)))
        self._err = open(self.errpath, "wb")
        self.proc = subprocess.Popen([IP, "netns", "exec", host.ns] + [str(a) for a in argv],
                                     stdout=subprocess.PIPE, stderr=self._err,
                                     stdin=subprocess.DEVNULL)
        if ready:
            r, _, _ = select.select([self.proc.stdout], [], [], timeout)
            line = self.proc.stdout.readline().strip() if r else b""
            if line != b"ready":
                self.stop()
                raise AssertionError("%s in %s did not get ready (%r): %s"
                                     % (name, host.ns, line, self.stderr()[-2000:]))
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    def stderr(self):
        try:
            with open(self.errpath, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def running(self):
        return self.proc.poll() is None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self._err.closed:
            self._err.close()


# ------------------------------------------------------------ sniffing

_SNIFF = r"""
import socket, struct, sys
want = set(sys.argv[2:])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
print("ready", flush=True)
while True:
    f, a = s.recvfrom(65535)
    if a[2] == socket.PACKET_OUTGOING:
        continue
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800 and len(f) >= 34:
        src, dst, proto = socket.inet_ntoa(f[26:30]), socket.inet_ntoa(f[30:34]), f[23]
    elif et == 0x86dd and len(f) >= 54:
        src = socket.inet_ntop(socket.AF_INET6, f[22:38])
        dst = socket.inet_ntop(socket.AF_INET6, f[38:54])
        proto = f[20]
    else:
        continue
    if want and src not in want and dst not in want:
        continue
    print("%s %s %s %d" % (f[6:12].hex(":"), src, dst, proto), flush=True)
"""


class Sniffer:
    """Incoming IP frames on dev of a host, as seen by its stack (after any
    XDP program: frames an XDP program sends on never show here).  Only
    frames from or to one of `addrs` are kept: .seen() -> [(src_mac, src,
    dst, proto)]."""

    def __init__(self, net, host, addrs, dev="eth0"):
        self.p = net.popen(host, [fc.PYTHON, "-c", _SNIFF, dev] + list(addrs),
                           "sniff-%s" % host.role)

    def seen(self):
        return [tuple(l.split()[:3]) + (int(l.split()[3]),) for l in list(self.p.lines)
                if len(l.split()) == 4]

    def clear(self):
        self.p.lines.clear()
