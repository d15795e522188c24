"""Seed 002 (issue 9) replayed: an LVS-DR + keepalived 1.2.13 guide for two
MyCAT (MySQL proxy) servers, with fulcrum in place of keepalived and IPVS.

The guide's own two keepalived.conf files are used VERBATIM
(tests/data/seed002/keepalived01.conf and keepalived02.conf; how they were
put back from the seed's flattened text is in the README there).  Nothing is
substituted, not even the interface: the directors' NIC is named
eno16777736 as on the guide's CentOS 7 hosts.  The guide's addresses are
kept too; they exist only inside this test's own network namespaces
(lvsnet.LvsNet, a plan of 192.168.244.0/24):

    keepalived01  192.168.244.146  LVS-DR master (priority 100), fulcrum
    keepalived02  192.168.244.147  LVS-DR backup (priority 99), fulcrum
    mycat01       192.168.244.148  real server, `fulcrum realserver start
    mycat02       192.168.244.149    --vip 192.168.244.10` (realserver.sh)
    VIP           192.168.244.10:8066 (VRRP VI_1, vrid 51, PASS 1111)
    client        192.168.244.100 (the guide's mysql-server1), with a few
                  more addresses when the test needs several clients

Each MyCAT is a stand-in on port 8066 (tests/tools/backend.py, id mode) that
answers every connection with its host name, as the guide's
`mysql -e 'select @@hostname'` does.

What is asserted is what the guide's user sees: which director holds the
VIP and what `fulcrumctl show vrrp` says; `fulcrumctl list` laid out as the
guide's `ipvsadm -L`; which MyCAT answers.  Each test builds the whole site
(about 5 s) so none depends on another; the health-check one waits the
guide's own timing (delay_loop 6, nb_get_retry 3, delay_before_retry 3).

Run: make SAN=1 && FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q \\
     tests/system/test_seed002.py        (root)
"""
import re

import pytest

import fc
import lvsnet as ln
import vrrpnet as vn
from test_xdp import need_realserver, need_xdp

SEED = fc.REPO / "tests" / "data" / "seed002"
NIC = "eno16777736"
VIP = "192.168.244.10"
PORT = 8066
MYCAT = {"mycat01": "192.168.244.148", "mycat02": "192.168.244.149"}
CLIENTS = ["192.168.244.%d" % i for i in range(100, 108)]

ELECTION = 10.0   # advert_int 1: the backup's down interval is ~3.6 s
# a stopped MyCAT leaves at the next check (delay_loop 6) plus three
# retries 3 s apart (nb_get_retry 3, delay_before_retry 3), ~15 s
CHECK_DOWN = 6 + 3 * 3 + 6.0


def seed_conf(name):
    return (SEED / name).read_text()


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def seed_net(bins):
    """The guide's LAN in namespaces: mycat01/02 set up by `fulcrum
    realserver start`, their MyCAT stand-ins running; removed at teardown."""
    need_xdp("DR")
    need_realserver()
    net = ln.LvsNet(n_rs=2, n_dir=2, v6=False, prefix="192.168.244", vip_idx=10,
                    client_idx=100, dir_idx=(146, 147), rs_idx=(148, 149), dir_dev=NIC,
                    vip_on_dir=False)
    try:
        for extra in CLIENTS[1:]:
            net.client.sh(ln.IP, "addr", "add", extra + "/24", "dev", net.client.dev)
        net.mycat = {}
        for (name, addr), host in zip(sorted(MYCAT.items()), net.rs):
            assert host.addr == addr
            net.mycat[name] = net.start_backend(host, name, PORT, "id", bind="0.0.0.0")
        yield net
    finally:
        net.close()


@pytest.fixture
def site(seed_net, tmp_path, request):
    """seed_net plus fulcrum on both directors with the guide's files as
    they are: (net, keepalived01, keepalived02), keepalived01 already the
    VRRP master.  The daemons stop (exit 0, no sanitizer report) before the
    namespaces go."""
    net = seed_net
    make = vn.daemon_factory(tmp_path, request)
    k1 = make(net.dirs[0].ns, seed_conf("keepalived01.conf"), sub="keepalived01")
    k2 = make(net.dirs[1].ns, seed_conf("keepalived02.conf"), sub="keepalived02")
    k1.host, k2.host = net.dirs
    fc.wait_until(lambda: k1.state("VI_1") == "MASTER" and has_vip(k1.host), ELECTION,
                  "keepalived01 to be MASTER with the VIP")
    fc.wait_until(lambda: k2.state("VI_1") == "BACKUP", ELECTION, "keepalived02 BACKUP")
    return net, k1, k2


# ---------------------------------------------------------------- helpers

def has_vip(host):
    out = host.sh(ln.IP, "-4", "-o", "addr", "show", "dev", NIC).stdout
    return (" %s/32 " % VIP) in out


def hostname(net, src=None, timeout=3.0):
    """One connection to VIP:8066 from the client (source address src):
    the name of the MyCAT that answered (`select @@hostname`)."""
    return net.client.call(fc.who, PORT, VIP, src, timeout)


def first_answer(net, src=None, timeout=10.0):
    """The first answer through a freshly elected director, whose next-hop
    MACs may still be resolving: retried, bounded."""
    def one():
        try:
            return hostname(net, src, timeout=1.0)
        except (OSError, AssertionError):
            return None
    return fc.wait_until(one, timeout, "an answer from %s:%d" % (VIP, PORT), 0.2)


RS_LINE = re.compile(r"^\s+->\s+(\S+):(\d+)\s+(\S+)\s+(\d+)\s+\d+\s+\d+\s*$")


def listing(d):
    """`fulcrumctl list` of director d, read like `ipvsadm -L`:
    {service line: [(address:port, forward, weight)]}."""
    out = d.ctl_ok("list")
    svcs, cur = {}, None
    for line in out.splitlines():
        if line.startswith(("TCP ", "UDP ")):
            cur = " ".join(line.split())
            svcs[cur] = []
        elif cur and RS_LINE.match(line):
            m = RS_LINE.match(line)
            svcs[cur].append(("%s:%s" % (m.group(1), m.group(2)), m.group(3), int(m.group(4))))
    return svcs


def wait_listing(d, want, timeout, what):
    """Wait until `fulcrumctl list` of d is `want`; on timeout say what it
    was and what the daemon logged last."""
    try:
        fc.wait_until(lambda: listing(d) == want, timeout, what)
    except AssertionError:
        raise AssertionError("timed out after %.0fs waiting for %s: want %r, listing:\n%s\n"
                             "log:\n%s" % (timeout, what, want, d.ctl_ok("list"),
                                           d.stderr()[-1500:]))


def guide_listing(persistent):
    """What the guide's `ipvsadm -L` shows while both MyCATs are up."""
    head = "TCP %s:%d rr" % (VIP, PORT) + (" persistent %d" % persistent if persistent else "")
    return {head: [("%s:%d" % (a, PORT), "Route", 1) for a in sorted(MYCAT.values())]}


# ------------------------------------------------------------------- tests

def test_keepalived01_is_master_and_both_mycats_answer(site):
    """Section 5 of the guide: both services started, keepalived01 holds
    the VIP, `ipvsadm -L` maps it to both MyCATs (rr persistent 50, Route,
    weight 1), and the clients reach both MyCATs."""
    net, k1, k2 = site
    assert has_vip(k1.host) and not has_vip(k2.host)
    show1, show2 = k1.ctl_ok("show", "vrrp"), k2.ctl_ok("show", "vrrp")
    assert re.search(r"^vrrp_instance VI_1: MASTER\s+%s vrid 51 " % NIC, show1, re.M), show1
    assert re.search(r"^vrrp_instance VI_1: BACKUP\s+%s vrid 51 " % NIC, show2, re.M), show2
    for d in (k1, k2):
        assert listing(d) == guide_listing(50), d.ctl_ok("list")
    first_answer(net)
    # each client address is a client of its own (persistence is per client)
    seen = {}
    for src in CLIENTS:
        seen[src] = hostname(net, src)
        if set(seen.values()) == set(MYCAT):
            break
    assert set(seen.values()) == set(MYCAT), "clients reached only %r" % seen


def test_persistence_50_keeps_a_client_on_one_mycat(site):
    """Section 6: "連續執行三次,每次都是訪問mycat02節點" -- with
    persistence_timeout 50 one client's connections all go to one MyCAT."""
    net, k1, _ = site
    first = first_answer(net)
    got = [hostname(net) for _ in range(10)]
    assert got == [first] * 10, got


def test_persistence_0_alternates_strictly(site):
    """Section 6, next step: persistence_timeout set to 0 in keepalived01's
    file and the service reloaded; then one client's connections alternate
    strictly between the two MyCATs (mycat02, mycat01, mycat02, ...) and the
    listing says plain rr."""
    net, k1, _ = site
    first_answer(net)  # a persistence template exists from here on
    text = seed_conf("keepalived01.conf")
    assert text.count("persistence_timeout 50") == 1
    k1.write_conf(text.replace("persistence_timeout 50", "persistence_timeout 0"))
    k1.reload()
    wait_listing(k1, guide_listing(0), 10.0, "the reload to drop persistence")
    assert k1.state("VI_1") == "MASTER" and has_vip(k1.host)
    got = [hostname(net) for _ in range(10)]
    assert set(got) == set(MYCAT), got
    assert all(a != b for a, b in zip(got, got[1:])), "not strict round robin: %r" % got


def test_master_stopped_keepalived02_takes_over(site):
    """"手動斷開LVS-DR-Master節點的Keepalived服務": keepalived01 stopped, the
    VIP moves to keepalived02 and the client still gets answers."""
    net, k1, k2 = site
    first_answer(net)
    k1.stop()  # `service keepalived stop`: SIGTERM, clean exit
    assert not has_vip(k1.host)
    fc.wait_until(lambda: k2.state("VI_1") == "MASTER" and has_vip(k2.host), 15.0,
                  "keepalived02 to take the VIP")
    show = k2.ctl_ok("show", "vrrp")
    assert re.search(r"^vrrp_instance VI_1: MASTER\s+%s " % NIC, show, re.M), show
    assert first_answer(net, timeout=10.0) in MYCAT
    got = [hostname(net) for _ in range(4)]
    assert set(got) <= set(MYCAT) and len(got) == 4, got


def test_mycat01_stopped_leaves_the_listing(site):
    """"手動關閉mycat01節點的mycat服務": the TCP_CHECK takes mycat01 out;
    `ipvsadm -L` on keepalived01 then shows only 192.168.244.149, and the
    clients are all served by mycat02."""
    net, k1, _ = site
    first_answer(net)
    net.stop(net.mycat["mycat01"])
    only = {"TCP %s:%d rr persistent 50" % (VIP, PORT): [("%s:%d" % (MYCAT["mycat02"], PORT),
                                                         "Route", 1)]}
    wait_listing(k1, only, CHECK_DOWN, "mycat01 to leave the listing")
    got = [hostname(net, src) for src in CLIENTS[:4]]
    assert got == ["mycat02"] * 4, got
