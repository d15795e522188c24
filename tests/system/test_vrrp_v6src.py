"""VRRP IPv6 VIPs and source-address selection (preferred_lft).

Linux picks a preferred address of the outgoing /64 as the source of what a
host sends; a VIP that is preferred can win over the host's own address (a
/128 VIP always does: its match with the destination is not cut at /64).
With LVS-DR/TUN every real server holds the VIP on lo, so a health check
sent from the VIP is answered to the server itself and every real server
goes DOWN.  fulcrum serves keepalived's `preferred_lft` VIP option and its
default (an IPv6 /128 VIP is added deprecated): a deprecated VIP still
receives but is never the source when the host's own address fits.

A fulcrum MASTER in namespace host 1 holds the VIP in the /64 of its own
address; host 2 is the peer (a real server).  The source the kernel picks
for a connection to the peer (`ip -6 route get`, and a connected UDP socket
opened in host 1) must be the own address, and the peer still reaches the
VIP.  Namespaces and daemons go at teardown (the lan and director fixtures).
"""
import subprocess
import sys

import pytest

import fc
import vrrpnet as vn

@pytest.fixture
def lan(bins, request):
    """lan(n) -> vn.Lan with n hosts, deleted at teardown with whatever the
    test handed it (Lan.own); skipped when this build has no VRRP."""
    why = vn.vrrp_served()
    if why:
        pytest.skip(why)
    made = []
    request.addfinalizer(lambda: [x.close() for x in made])

    def make(n):
        made.append(vn.Lan(n))
        return made[-1]
    return make


@pytest.fixture
def director(tmp_path, request):
    """director(ns, conf) -> vn.NsDaemon; at teardown each must exit 0 on
    SIGTERM with no sanitizer report."""
    return vn.daemon_factory(tmp_path, request)


ADVERT = 0.1

# the source a connected UDP socket in the namespace gets towards argv[1]
_SRC = ("import socket,sys\n"
        "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
        "s.connect((sys.argv[1], 9))\n"
        "print(s.getsockname()[0])\n")

_LISTEN = ("import socket,sys\n"
           "s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\n"
           "s.bind((sys.argv[1], int(sys.argv[2])))\n"
           "s.listen(1)\n"
           "s.settimeout(5)\n"
           "print('ready', flush=True)\n"
           "s.accept()[0].close()\n")
_CONNECT = ("import socket,sys\n"
            "socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5).close()\n")


def own6(net, i):
    return net.vip6(i)


def route_src(ns, dst):
    out = vn.ns_sh(ns, vn.IP, "-6", "route", "get", dst).stdout.split()
    return out[out.index("src") + 1]


def socket_src(ns, dst):
    return vn.ns_sh(ns, sys.executable, "-c", _SRC, dst).stdout.strip()


def addr_line(ns, addr):
    out = vn.ns_sh(ns, vn.IP, "-o", "-6", "addr", "show", "dev", "eth0").stdout
    return next((ln for ln in out.splitlines() if (" %s/" % addr) in ln), "")


@pytest.mark.parametrize("plen,opt,want", [
    (64, "preferred_lft 0", "own"),    # asked for: deprecated
    (128, "", "own"),                  # keepalived's default for a /128: deprecated
    (64, "preferred_lft forever", "vip"),
    (64, "", "vip"),                   # keepalived's default for a /64: preferred
])
def test_master_sources_from_own_address(lan, director, plen, opt, want):
    net = lan(2)
    me, peer, vip = own6(net, 1), own6(net, 2), net.vip6()
    for i, h in enumerate(net.hosts, 1):
        vn.ns_sh(h, vn.IP, "addr", "add", "%s/64" % own6(net, i), "dev", "eth0", "nodad")
    conf = vn.instance("VI_1", "eth0", 51, 150, vip, ADVERT, 3, "MASTER", plen=plen)
    if opt:
        conf = conf.replace("%s/%d\n" % (vip, plen), "%s/%d %s\n" % (vip, plen, opt))
    d = director(net.hosts[0], conf)
    fc.wait_until(lambda: d.state("VI_1") == "MASTER" and vn.has_addr(d.ns, vip), 15.0,
                  "%s MASTER with %s" % (d.ns, vip))
    src = me if want == "own" else vip
    assert route_src(d.ns, peer) == src
    assert socket_src(d.ns, peer) == src
    line = addr_line(d.ns, vip)
    assert ("deprecated" in line) == (want == "own"), line
    # deprecated or not, the VIP still receives: the peer connects to it
    assert tcp_reaches(d.ns, net.hosts[1], vip)


def tcp_reaches(ns, client_ns, addr, port=8080):
    """A TCP listener on [addr]:port in ns accepts a connection from
    client_ns; both sides bounded by a few seconds, the listener always
    killed."""
    srv = subprocess.Popen([vn.IP, "netns", "exec", ns, sys.executable, "-c", _LISTEN, addr,
                            str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().strip() == "ready"
        vn.ns_sh(client_ns, sys.executable, "-c", _CONNECT, addr, str(port))
        return srv.wait(timeout=5) == 0
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        srv.stdout.close()


# one instance per family, each VIP with and without the option
_PARITY = ("vrrp_instance V6 {\n state MASTER\n interface eth0\n virtual_router_id 51\n"
           " priority 150\n advert_int 0.1\n version 3\n virtual_ipaddress {\n"
           "  fd00:9::1/128\n  fd00:9::2/64\n  fd00:9::3/64 preferred_lft 0\n"
           "  fd00:9::4/128 preferred_lft forever\n  fd00:9::5/64 preferred_lft 3600\n }\n}\n"
           "vrrp_instance V4 {\n state MASTER\n interface eth0\n virtual_router_id 52\n"
           " priority 150\n advert_int 1\n virtual_ipaddress {\n"
           "  10.9.0.1/24 preferred_lft 0\n  10.9.0.2/24\n }\n}\n")
_PARITY_ADDRS = ("fd00:9::1", "fd00:9::2", "fd00:9::3", "fd00:9::4", "fd00:9::5", "10.9.0.1",
                 "10.9.0.2")


def lifetimes(ns):
    """{address: "deprecated"|"preferred", " forever"|" <n>sec"} of the
    parity VIPs on eth0 once all are there; the seconds are cut to their
    first digit (they count down: 3600 stays "3..sec" for 10 minutes)."""
    def get():
        out = vn.ns_sh(ns, vn.IP, "-o", "addr", "show", "dev", "eth0").stdout
        got = {}
        for a in _PARITY_ADDRS:
            ln = next((x for x in out.splitlines() if (" %s/" % a) in x), None)
            if ln is None:
                return None
            lft = ln.split("preferred_lft ")[1].split()[0]
            got[a] = ("deprecated" if " deprecated" in ln else "preferred",
                      lft if lft == "forever" else lft[0] + "..sec")
        return got
    return fc.wait_until(get, 15.0, "every VIP on eth0 of %s" % ns)


def test_vip_lifetimes_as_keepalived(lan, director, tmp_path):
    """fulcrum adds each VIP with the preferred lifetime keepalived gives it
    for the same virtual_ipaddress lines (run side by side, each MASTER alone
    on a LAN of its own)."""
    if not vn.keepalived_bin():
        pytest.skip("keepalived is not installed (apt-get install -y keepalived)")
    mine, theirs = lan(1), lan(1)
    director(mine.hosts[0], _PARITY)
    theirs.own(vn.Keepalived(theirs.hosts[0], tmp_path / "ka", _PARITY))
    got = lifetimes(mine.hosts[0])
    assert got == lifetimes(theirs.hosts[0])
    assert got["fd00:9::1"] == ("deprecated", "0..sec")
    assert got["fd00:9::2"] == ("preferred", "forever")
