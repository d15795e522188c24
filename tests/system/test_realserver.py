"""`fulcrum realserver start|stop|status` and the TUN decapsulator, end to end.

Every test runs the built binary inside network namespaces it creates
(unique names: pid, counter and random bits; deleted in teardown even on
failure, with the helper processes started in them); the sysctls and
addresses it touches are those of these namespaces only.
Every wait is bounded.  Root only.

    make && /usr/bin/python3 -m pytest -q tests/system/test_realserver.py
"""
import itertools
import json
import os
import socket
import struct
import subprocess
import time

import pytest

import fc

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
_seq = itertools.count(1)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)")


def sh(*args, check=True, timeout=15.0, input=None):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, input=input,
                       stdin=None if input is not None else subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s%s" % (" ".join(map(str, args)), r.returncode,
                                                 r.stdout, r.stderr))
    return r


class Net:
    """Namespaces made by one test and the processes started in them;
    close() kills the processes and deletes the namespaces."""

    def __init__(self):
        self.made = []
        self.procs = []
        self.tag = "%d-%d-%s" % (os.getpid(), next(_seq), os.urandom(2).hex())

    def ns(self, role):
        name = "frs%s-%s" % (role, self.tag)
        sh(IP, "netns", "add", name)
        self.made.append(name)
        sh(IP, "-n", name, "link", "set", "lo", "up")
        return name

    def spawn(self, ns, script, *args):
        """python -c script ARGS in ns, once it printed "ready"; killed by
        close() if still running."""
        p = subprocess.Popen([IP, "netns", "exec", ns, fc.PYTHON, "-c", script] + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        line = p.stdout.readline()
        assert line.strip() == "ready", (line, p.stderr.read() if p.poll() is not None else "")
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(5)
            p.stdout.close()
            p.stderr.close()
        self.procs = []
        for n in reversed(self.made):
            sh(IP, "netns", "del", n, check=False)


@pytest.fixture
def net():
    n = Net()
    try:
        yield n
    finally:
        n.close()


@pytest.fixture
def state(tmp_path):
    return str(tmp_path / "rs" / "realserver.state")


def rs(ns, state, *args, check=None):
    """Runs `fulcrum realserver ARGS --state STATE` in ns; check = expected rc."""
    if not os.access(fc.FULCRUM, os.X_OK):
        pytest.fail("not built: %s" % fc.FULCRUM)
    r = subprocess.run([IP, "netns", "exec", ns, str(fc.FULCRUM), "realserver"]
                       + [str(a) for a in args] + ["--state", state],
                       capture_output=True, text=True, timeout=30, env=fc.env(),
                       stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    for m in fc.SANITIZER_MARKERS:
        assert m not in out, out
    if check is not None:
        assert r.returncode == check, "rc %d, expected %d:\n%s" % (r.returncode, check, out)
    return r


def sysctl(ns, dev, key):
    return sh(IP, "netns", "exec", ns, "cat",
              "/proc/sys/net/ipv4/conf/%s/%s" % (dev, key)).stdout.strip()


def set_sysctl(ns, dev, key, val):
    sh(IP, "netns", "exec", ns, "sh", "-c",
       "echo %s > /proc/sys/net/ipv4/conf/%s/%s" % (val, dev, key))


ARP_KEYS = [(d, k) for d in ("all", "lo") for k in ("arp_ignore", "arp_announce")]


def arp_sysctls(ns):
    return {(d, k): sysctl(ns, d, k) for d, k in ARP_KEYS}


def lo_addrs(ns):
    j = json.loads(sh(IP, "-n", ns, "-j", "addr", "show", "dev", "lo").stdout)
    return sorted("%s/%d" % (a["local"], a["prefixlen"]) for a in j[0].get("addr_info", []))


def lo_addr_info(ns, addr):
    j = json.loads(sh(IP, "-n", ns, "-j", "addr", "show", "dev", "lo").stdout)
    for a in j[0].get("addr_info", []):
        if a["local"] == addr:
            return a
    return None


# ------------------------------------------------------------ start / stop / status

def test_start_stop_restores_exactly(net, state):
    ns = net.ns("a")
    # non-default values that start must change, to prove stop puts back
    # exactly these and not the kernel defaults
    before_vals = {("all", "arp_ignore"): "3", ("all", "arp_announce"): "1",
                   ("lo", "arp_ignore"): "0", ("lo", "arp_announce"): "1"}
    for (d, k), v in before_vals.items():
        set_sysctl(ns, d, k, v)
    # a VIP that is on lo already: start keeps it, stop must not remove it
    sh(IP, "-n", ns, "addr", "add", "10.77.0.2/32", "dev", "lo")
    before_addrs = lo_addrs(ns)

    r = rs(ns, state, "start", "--vip", "10.77.0.1", "--vip", "10.77.0.2",
           "--vip", "2001:db8:77::1", check=0)
    assert "10.77.0.1/32 added on lo" in r.stdout
    assert "10.77.0.2 is already on lo" in r.stdout
    assert "10.77.0.1/32" in lo_addrs(ns)
    v6 = lo_addr_info(ns, "2001:db8:77::1")
    assert v6 and v6["prefixlen"] == 128 and v6.get("nodad"), v6
    assert arp_sysctls(ns) == {("all", "arp_ignore"): "1", ("all", "arp_announce"): "2",
                               ("lo", "arp_ignore"): "1", ("lo", "arp_announce"): "2"}
    with open(state) as f:
        text = f.read()
    assert "vip 10.77.0.1 added" in text and "vip 10.77.0.2 present" in text
    assert "sysctl all arp_ignore 3" in text and "sysctl lo arp_announce 1" in text

    # again: nothing changes, and it says so
    after_first = (lo_addrs(ns), arp_sysctls(ns), text)
    r = rs(ns, state, "start", "--vip", "10.77.0.1", "--vip", "10.77.0.2",
           "--vip", "2001:db8:77::1", check=0)
    assert "nothing changed" in r.stdout
    with open(state) as f:
        assert (lo_addrs(ns), arp_sysctls(ns), f.read()) == after_first

    r = rs(ns, state, "status", check=0)
    assert "status: everything in place" in r.stdout
    j = json.loads(rs(ns, state, "status", "--json", check=0).stdout)
    assert j["ok"] is True
    assert {v["vip"]: v["on_lo"] for v in j["vips"]} == {
        "10.77.0.1": True, "10.77.0.2": True, "2001:db8:77::1": True}
    assert all(s["ok"] for s in j["sysctls"]) and len(j["sysctls"]) == 4

    r = rs(ns, state, "stop", check=0)
    assert lo_addrs(ns) == before_addrs  # 10.77.0.2 stays, the others go
    assert arp_sysctls(ns) == before_vals
    assert not os.path.exists(state)
    # stop is idempotent; status now fails
    r = rs(ns, state, "stop", check=0)
    assert "nothing to stop" in r.stdout
    rs(ns, state, "status", check=1)
    assert json.loads(rs(ns, state, "status", "--json", "--vip", "10.77.0.1",
                         check=1).stdout)["ok"] is False


def test_ipv6_only_touches_no_sysctl(net, state):
    ns = net.ns("6")
    before = arp_sysctls(ns)
    rs(ns, state, "start", "--vip", "2001:db8:66::1", check=0)
    assert arp_sysctls(ns) == before
    assert lo_addr_info(ns, "2001:db8:66::1")["prefixlen"] == 128
    j = json.loads(rs(ns, state, "status", "--json", check=0).stdout)
    assert j["ok"] and j["sysctls"] == []
    rs(ns, state, "stop", check=0)
    assert lo_addr_info(ns, "2001:db8:66::1") is None


@pytest.mark.parametrize("vip", ["300.1.1.1", "127.0.0.9", "0.0.0.0", "224.0.0.5",
                                 "fe80::1", "::1", "10.1.1.1/24", "not-an-address"])
def test_bad_vip_changes_nothing(net, state, vip):
    ns = net.ns("b")
    before = (lo_addrs(ns), arp_sysctls(ns))
    r = rs(ns, state, "start", "--vip", "10.78.0.1", "--vip", vip)
    assert r.returncode != 0
    assert vip in r.stderr and r.stderr.strip()
    assert (lo_addrs(ns), arp_sysctls(ns)) == before
    assert not os.path.exists(state)


def test_usage_errors(net, state):
    ns = net.ns("u")
    assert rs(ns, state, "start").returncode == 2  # no --vip
    assert rs(ns, state, "frobnicate").returncode == 2
    assert rs(ns, state, "stop", "--json").returncode == 2
    assert rs(ns, state, "start", "--vip", "10.1.2.3", "--dev", "eth0").returncode == 2
    r = subprocess.run([str(fc.FULCRUM), "realserver", "--help"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 0 and "fulcrum realserver start --vip" in r.stdout


def test_failed_start_undoes_everything(net, tmp_path):
    ns = net.ns("f")
    before = (lo_addrs(ns), arp_sysctls(ns))
    # the state file cannot be written: every change made so far is undone
    bad_state = "/proc/fulcrum-no-such-dir/realserver.state"
    r = rs(ns, bad_state, "start", "--vip", "10.79.0.1", "--vip", "2001:db8:79::1")
    assert r.returncode == 1
    assert "nothing was changed" in r.stderr
    assert (lo_addrs(ns), arp_sysctls(ns)) == before
    # an unknown --dev is caught before anything changes
    st = str(tmp_path / "s")
    r = rs(ns, st, "start", "--vip", "10.79.0.1", "--decap", "--dev", "nosuchif0")
    assert r.returncode == 1 and "nosuchif0" in r.stderr
    assert (lo_addrs(ns), arp_sysctls(ns)) == before
    assert not os.path.exists(st)


def test_bad_state_file_is_refused(net, state):
    ns = net.ns("s")
    os.makedirs(os.path.dirname(state), exist_ok=True)
    with open(state, "w") as f:
        f.write("vip 10.80.0.1 added\nsysctl all arp_ignore ../../x\n")
    before = (lo_addrs(ns), arp_sysctls(ns))
    for cmd in ("start", "stop", "status"):
        r = rs(ns, state, cmd, *(["--vip", "10.80.0.2"] if cmd == "start" else []))
        assert r.returncode == 1, r
        assert state + ":2:" in r.stderr
    assert (lo_addrs(ns), arp_sysctls(ns)) == before


def test_stop_some_vips(net, state):
    ns = net.ns("p")
    before = (lo_addrs(ns), arp_sysctls(ns))
    rs(ns, state, "start", "--vip", "10.81.0.1", "--vip", "10.81.0.2", check=0)
    rs(ns, state, "start", "--vip", "10.81.0.3", check=0)  # adds to the same state
    r = rs(ns, state, "stop", "--vip", "10.81.0.1", "--vip", "10.81.9.9", check=0)
    assert "10.81.9.9 was not set up by start" in r.stdout
    addrs = lo_addrs(ns)
    assert "10.81.0.1/32" not in addrs and "10.81.0.2/32" in addrs and "10.81.0.3/32" in addrs
    assert arp_sysctls(ns)[("all", "arp_ignore")] == "1"  # VIPs remain: ARP stays quiet
    rs(ns, state, "status", check=0)
    rs(ns, state, "status", "--vip", "10.81.0.1", check=1)
    # a VIP removed by hand: status notices
    sh(IP, "-n", ns, "addr", "del", "10.81.0.3/32", "dev", "lo")
    j = json.loads(rs(ns, state, "status", "--json", check=1).stdout)
    assert {v["vip"]: v["on_lo"] for v in j["vips"]} == {"10.81.0.2": True,
                                                         "10.81.0.3": False}
    rs(ns, state, "stop", check=0)
    assert (lo_addrs(ns), arp_sysctls(ns)) == before


# ------------------------------------------------------------ ARP / NDP for a VIP on lo

def pair(net):
    """client and server namespaces joined by one veth: 10.82.0.1|2/24,
    2001:db8:82::1|2/64, both ends named eth0."""
    c, s = net.ns("c"), net.ns("r")
    sh(IP, "link", "add", "name", "eth0", "netns", c, "type", "veth",
       "peer", "name", "eth0", "netns", s)
    for ns, i in ((c, 1), (s, 2)):
        sh(IP, "-n", ns, "addr", "add", "10.82.0.%d/24" % i, "dev", "eth0")
        sh(IP, "-n", ns, "addr", "add", "2001:db8:82::%d/64" % i, "dev", "eth0", "nodad")
        sh(IP, "-n", ns, "link", "set", "eth0", "up")
    return c, s


def neigh_state(client, addr):
    six = ":" in addr
    return sh(IP, "-n", client, "-6" if six else "-4", "neigh", "show", addr).stdout


def neigh_resolves(client, addr, timeout=3.0):
    """Does the client resolve addr (routed as on-link) to a MAC?  A UDP
    datagram to it makes the kernel ask by ARP / NDP."""
    fam = "AF_INET6" if ":" in addr else "AF_INET"
    sh(IP, "netns", "exec", client, fc.PYTHON, "-c",
       "import socket; s = socket.socket(socket.%s, socket.SOCK_DGRAM); "
       "s.sendto(b'x', (%r, 9))" % (fam, addr))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = neigh_state(client, addr)
        if "lladdr" in out and "INCOMPLETE" not in out and "FAILED" not in out:
            return True
        if "FAILED" in out:
            return False
        time.sleep(0.05)
    return False


def test_arp_and_ndp_for_vip_on_lo(net, state):
    c, s = pair(net)
    vip4, vip6 = "10.82.1.1", "2001:db8:83::1"
    # the client treats the VIPs as on-link, as a director on the LAN would
    sh(IP, "-n", c, "route", "add", vip4 + "/32", "dev", "eth0")
    sh(IP, "-n", c, "-6", "route", "add", vip6 + "/128", "dev", "eth0")
    # control: with the kernel's defaults a VIP on lo IS answered by ARP
    sh(IP, "-n", s, "addr", "add", vip4 + "/32", "dev", "lo")
    assert neigh_resolves(c, vip4), "expected ARP to answer without arp_ignore"
    sh(IP, "-n", s, "addr", "del", vip4 + "/32", "dev", "lo")
    sh(IP, "-n", c, "neigh", "flush", "dev", "eth0")

    rs(s, state, "start", "--vip", vip4, "--vip", vip6, check=0)
    assert not neigh_resolves(c, vip4), "the real server answered ARP for its VIP"
    # IPv6: Linux answers a neighbour solicitation only for addresses of the
    # interface it arrived on; a VIP on lo is never announced, no sysctl needed
    assert not neigh_resolves(c, vip6), "the real server answered NDP for its VIP"
    # its own address still resolves
    assert neigh_resolves(c, "10.82.0.2") and neigh_resolves(c, "2001:db8:82::2")
    rs(s, state, "stop", check=0)


# ------------------------------------------------------------ --decap: TUN traffic

# The "director" (the client namespace here) sends the client's packet inside
# IPIP / IPv6-in-IPv6 with a raw socket; the kernel adds the outer header.
_SEND_TUNNEL = r"""
import socket, struct, sys
fam, outer_dst, inner_src, vip, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

payload = b"through the tunnel"
if fam == "4":
    src, dst = socket.inet_aton(inner_src), socket.inet_aton(vip)
    udp = struct.pack("!HHHH", 20400, 9999, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(udp)) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    pkt = ip + udp
else:
    src, dst = socket.inet_pton(socket.AF_INET6, inner_src), socket.inet_pton(socket.AF_INET6, vip)
    udp = struct.pack("!HHHH", 20400, 9999, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!IxxxB", len(udp), 17) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64, src, dst)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 41)
    pkt = ip + udp
for _ in range(n):
    s.sendto(pkt, (outer_dst, 0))
"""

# On the real server: one datagram on VIP:9999, answered to its source.
_ECHO = r"""
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999))
s.settimeout(float(sys.argv[2]))
print("ready", flush=True)
try:
    data, peer = s.recvfrom(2048)
except socket.timeout:
    print("timeout", flush=True)
    sys.exit(1)
print("got %s from %s" % (data.decode(), peer[0]), flush=True)
s.sendto(b"reply:" + data, peer)
"""

# On the client: the direct reply from the VIP (LVS-TUN: not via the director),
# on port 20400, below the ephemeral range (32768-60999): no socket of the
# namespace can hold it already.
_LISTEN = r"""
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 20400))
s.settimeout(float(sys.argv[2]))
print("ready", flush=True)
try:
    data, peer = s.recvfrom(2048)
except socket.timeout:
    print("timeout", flush=True)
    sys.exit(1)
print("got %s from %s" % (data.decode(), peer[0]), flush=True)
"""


def tunnel_roundtrip(net, c, s, fam, outer_dst, client, vip):
    """Sends the client's datagram through the tunnel until the real server
    got it (bounded); returns (server output, client output)."""
    echo = net.spawn(s, _ECHO, vip, "8")
    listen = net.spawn(c, _LISTEN, client, "10")
    deadline = time.monotonic() + 6
    while echo.poll() is None and time.monotonic() < deadline:
        sh(IP, "netns", "exec", c, fc.PYTHON, "-c", _SEND_TUNNEL, fam, outer_dst, client,
           vip, "1")
        time.sleep(0.2)
    eout = echo.communicate(timeout=10)[0]
    lout = listen.communicate(timeout=10)[0]
    return eout, lout


def xdp_prog(ns, dev):
    j = json.loads(sh(IP, "-n", ns, "-d", "-j", "link", "show", "dev", dev).stdout)[0]
    x = j.get("xdp")
    return (x.get("prog", {}) or {}).get("name") if x else None


def tun_pair(net):
    c, s = pair(net)
    # the client's own address (the inner source) lives on the client's lo;
    # the server reaches it (and answers it) by its default route
    sh(IP, "-n", c, "addr", "add", "198.51.100.7/32", "dev", "lo")
    sh(IP, "-n", c, "addr", "add", "2001:db8:c::7/128", "dev", "lo", "nodad")
    sh(IP, "-n", s, "route", "add", "default", "via", "10.82.0.1")
    sh(IP, "-n", s, "-6", "route", "add", "default", "via", "2001:db8:82::1")
    # the client's veth must not leave checksums to an offload (TESTBED.md)
    sh(IP, "netns", "exec", c, "ethtool", "-K", "eth0", "tx", "off", check=False)
    return c, s


def test_decap_tunnel_end_to_end(net, state):
    c, s = tun_pair(net)
    vip4, vip6 = "10.82.1.1", "2001:db8:83::1"
    set_sysctl(s, "all", "rp_filter", "1")  # strict: start must loosen it, stop restore it
    set_sysctl(s, "eth0", "rp_filter", "1")

    # before: no decapsulator, the tunnel packet is not delivered
    sh(IP, "-n", s, "addr", "add", vip4 + "/32", "dev", "lo")
    echo = net.spawn(s, _ECHO, vip4, "1.5")
    sh(IP, "netns", "exec", c, fc.PYTHON, "-c", _SEND_TUNNEL, "4", "10.82.0.2",
       "198.51.100.7", vip4, "3")
    assert "timeout" in echo.communicate(timeout=10)[0]
    sh(IP, "-n", s, "addr", "del", vip4 + "/32", "dev", "lo")

    r = rs(s, state, "start", "--vip", vip4, "--vip", vip6, "--decap", check=0)
    assert "decap attached to eth0" in r.stdout and "default route" in r.stdout
    assert xdp_prog(s, "eth0") == "fulcrum_decap"
    assert sysctl(s, "all", "rp_filter") == "2" and sysctl(s, "eth0", "rp_filter") == "2"
    r = rs(s, state, "start", "--vip", vip4, "--vip", vip6, "--decap", check=0)
    assert "nothing changed" in r.stdout

    eout, lout = tunnel_roundtrip(net, c, s, "4", "10.82.0.2", "198.51.100.7", vip4)
    assert "got through the tunnel from 198.51.100.7" in eout
    assert "got reply:through the tunnel from %s" % vip4 in lout  # straight from the VIP
    eout, lout = tunnel_roundtrip(net, c, s, "6", "2001:db8:82::2", "2001:db8:c::7", vip6)
    assert "got through the tunnel from 2001:db8:c::7" in eout
    assert "got reply:through the tunnel from %s" % vip6 in lout

    j = json.loads(rs(s, state, "status", "--json", check=0).stdout)
    assert j["ok"] is True
    d = j["decap"][0]
    assert d["dev"] == "eth0" and d["attached"] and d["vips"] == 2
    assert d["decap4"] >= 1 and d["decap6"] >= 1
    assert all(v["decap"] == ["eth0"] for v in j["vips"])

    # a VIP stopped alone leaves the decap map
    rs(s, state, "stop", "--vip", vip6, check=0)
    j = json.loads(rs(s, state, "status", "--json", check=0).stdout)
    assert j["decap"][0]["vips"] == 1

    rs(s, state, "stop", check=0)
    assert xdp_prog(s, "eth0") is None
    assert sysctl(s, "all", "rp_filter") == "1" and sysctl(s, "eth0", "rp_filter") == "1"
    assert not os.path.exists(state)


def test_decap_leaves_a_foreign_program_alone(net, state):
    c, s = tun_pair(net)
    obj = fc.BUILD / "bpf" / "fulcrum_xdp.bpf.o"
    if not obj.exists():
        pytest.skip("no %s to stand for a foreign XDP program" % obj)
    sh(IP, "-n", s, "link", "set", "dev", "eth0", "xdpgeneric", "obj", obj, "sec", "xdp")
    before = (lo_addrs(s), arp_sysctls(s))
    r = rs(s, state, "start", "--vip", "10.84.0.1", "--decap", "--dev", "eth0", check=1)
    assert "another XDP program" in r.stderr
    assert (lo_addrs(s), arp_sysctls(s)) == before
    assert xdp_prog(s, "eth0") == "fulcrum_xdp"
    assert not os.path.exists(state)
    # stop after a start that was then replaced by hand: the foreign one stays
    sh(IP, "-n", s, "link", "set", "dev", "eth0", "xdpgeneric", "off")
    rs(s, state, "start", "--vip", "10.84.0.1", "--decap", "--dev", "eth0", check=0)
    sh(IP, "-n", s, "link", "set", "dev", "eth0", "xdp", "off")
    sh(IP, "-n", s, "link", "set", "dev", "eth0", "xdpgeneric", "obj", obj, "sec", "xdp")
    rs(s, state, "status", check=1)
    r = rs(s, state, "stop", check=0)
    assert "another XDP program" in r.stdout
    assert xdp_prog(s, "eth0") == "fulcrum_xdp"


def test_decap_follows_later_vips(net, state):
    c, s = tun_pair(net)
    rs(s, state, "start", "--vip", "10.85.0.1", "--decap", "--dev", "eth0", check=0)
    # a later start without --decap: the decapsulator takes the new VIP too
    r = rs(s, state, "start", "--vip", "10.85.0.2", "--vip", "2001:db8:85::2", check=0)
    assert "decap on eth0" in r.stdout
    j = json.loads(rs(s, state, "status", "--json", check=0).stdout)
    assert j["ok"] and j["decap"][0]["vips"] == 3
    assert all(v["decap"] == ["eth0"] for v in j["vips"])
    rs(s, state, "stop", check=0)
    assert xdp_prog(s, "eth0") is None
