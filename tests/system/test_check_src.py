"""Health checks never leave from a VIP the real servers hold (IPv6).

With LVS-DR/TUN every real server holds the VIP on lo.  A director whose
IPv6 VIP is preferred and in the /64 of its own address (keepalived's
default for a /64 VIP) gets that VIP as the kernel's source towards the real
servers; a check sent from it is answered by the real server to itself and
the server goes DOWN.  fulcrum binds such a check to the interface's own
address instead (doc/health.md, "The source address of a check").

Two namespaces joined by one veth pair: the director with fd00:K::1/64 and
the VIP fd00:K::64/64 added preferred by hand (no VRRP needed), and the real
server fd00:K::2/64 holding the VIP on lo with a TCP listener that writes
the peer address of every connection it accepts.  Namespaces and the
listener go at teardown, also when the test fails.
"""
import ipaddress
import os
import subprocess

import pytest

import fc
import vrrpnet as vn

PORT = 8080

# accept for at most 60 s; one line per connection: the peer's address
_LISTEN = ("import socket,sys,time\n"
           "s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\n"
           "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
           "s.bind(('::', int(sys.argv[1])))\n"
           "s.listen(64)\n"
           "s.settimeout(1)\n"
           "out = open(sys.argv[2], 'a')\n"
           "end = time.monotonic() + 60\n"
           "while time.monotonic() < end:\n"
           "    try:\n"
           "        c, peer = s.accept()\n"
           "    except socket.timeout:\n"
           "        continue\n"
           "    out.write(peer[0] + '\\n'); out.flush()\n"
           "    c.close()\n")


class Pair:
    """Namespaces <tag>-d (director) and <tag>-r (real server), eth0 each,
    joined by a veth pair; the addresses of the module docstring."""

    def __init__(self, tmp_path):
        k = os.urandom(2).hex()
        self.tag = "fcsrc-%d-%s" % (os.getpid(), k)
        self.d, self.r = self.tag + "-d", self.tag + "-r"
        # canonical text (k "0982" is written "982" by ip and by accept()):
        # the addresses are compared as strings with what they print
        self.own, self.rs, self.vip = (str(ipaddress.IPv6Address("fd00:%s::%s" % (k, h)))
                                       for h in ("1", "2", "64"))
        self.peers = tmp_path / "peers.txt"
        self.peers.write_text("")
        self.listener = None
        self.made = []
        for ns in (self.d, self.r):
            vn.sh(vn.IP, "netns", "add", ns)
            self.made.append(ns)
            vn.ns_sh(ns, vn.IP, "link", "set", "lo", "up")
        vn.sh(vn.IP, "-n", self.d, "link", "add", "eth0", "type", "veth", "peer", "name",
              "eth0", "netns", self.r)
        for ns, a in ((self.d, self.own), (self.r, self.rs)):
            vn.ns_sh(ns, vn.IP, "addr", "add", "%s/64" % a, "dev", "eth0", "nodad")
            vn.ns_sh(ns, vn.IP, "link", "set", "eth0", "up")
        # the VIP as keepalived adds a /64 one: preferred, on the interface
        vn.ns_sh(self.d, vn.IP, "-6", "addr", "add", "%s/64" % self.vip, "dev", "eth0", "nodad")
        vn.ns_sh(self.r, vn.IP, "-6", "addr", "add", "%s/128" % self.vip, "dev", "lo")
        self.listener = subprocess.Popen(
            [vn.IP, "netns", "exec", self.r, fc.PYTHON, "-c", _LISTEN, str(PORT),
             str(self.peers)])

    def route_src(self):
        out = vn.ns_sh(self.d, vn.IP, "-6", "route", "get", self.rs).stdout.split()
        return out[out.index("src") + 1]

    def seen(self):
        return self.peers.read_text().split()

    def close(self):
        if self.listener is not None and self.listener.poll() is None:
            self.listener.kill()
            self.listener.wait()
        for ns in self.made:
            vn.sh(vn.IP, "netns", "del", ns, check=False)


@pytest.fixture
def pair(bins, tmp_path, request):
    p = Pair(tmp_path)
    request.addfinalizer(p.close)
    return p


@pytest.fixture
def director(tmp_path, request):
    return vn.daemon_factory(tmp_path, request)


def conf(p, kind="DR", bindto=None):
    check = "            connect_timeout 1\n"
    if bindto:
        check += "            bindto %s\n" % bindto
    return ("virtual_server %s %d {\n    delay_loop 1\n    lb_algo rr\n    lb_kind %s\n"
            "    protocol TCP\n    alpha\n"
            "    real_server %s %d {\n        weight 1\n        TCP_CHECK {\n%s"
            "            retry 0\n        }\n    }\n}\n" % (p.vip, PORT, kind, p.rs, PORT, check))


@pytest.mark.parametrize("kind", ["DR", "TUN"])
def test_dr_check_does_not_leave_from_the_vip(pair, director, kind):
    # the setup holds: the kernel's own choice towards the real server is the VIP
    assert pair.route_src() == pair.vip
    d = director(pair.d, conf(pair, kind=kind))
    # alpha: the server starts down and comes up only on a check that got through
    fc.wait_state(d, PORT, PORT, "up", 10)
    seen = fc.wait_until(pair.seen, 15.0, "a connection at the listener")
    assert set(seen) == {pair.own}, seen


def test_explicit_bindto_is_left_alone(pair, director):
    # bindto is the user's word, even the VIP: no check gets through
    d = director(pair.d, conf(pair, bindto=pair.vip))
    fc.wait_until(lambda: d.rs(PORT, PORT), 15.0, "the real server listed")
    fc.wait_until(lambda: "TCP_CHECK" in (d.rs(PORT, PORT) or {}).get("reason", ""), 10.0,
                  "a failed TCP_CHECK attempt")
    assert d.rs(PORT, PORT)["state"] == "down"
    assert pair.seen() == []



def test_nat_leaves_the_kernel_choice(pair, director):
    # lb_kind NAT: real servers do not hold the VIP, so the rule does not
    # apply and the kernel's choice stands (here the VIP, which this test's
    # real server happens to hold: the check fails, as it always did)
    d = director(pair.d, conf(pair, kind="NAT"))
    fc.wait_until(lambda: "TCP_CHECK" in (d.rs(PORT, PORT) or {}).get("reason", ""), 10.0,
                  "a failed TCP_CHECK attempt")
    assert d.rs(PORT, PORT)["state"] == "down"
    assert pair.seen() == []
