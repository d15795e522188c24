"""Seed 001 (issue 10) replayed: the pacemaker + LVS + ldirectord guide for
RDP and SSH, with fulcrum in place of ldirectord and IPVS.

The guide's Ansible template is used VERBATIM
(tests/data/seed001/ldirectord.cf.j2) and rendered as Ansible renders it
(Jinja2, trim_blocks) with the guide's inventory, once per service port
(3389 and 22; how, and why those ports, in the README there).  fulcrum
reads the result with `-f FILE` and no --format.

    node1     192.168.122.111  the director (Pacemaker's pick; here fixed):
                               the VIP 192.168.122.100 on its eth0, fulcrum
                               and, being in the real= list like every node,
                               a real server too (a local server: its
                               sessions go to its own stack)
    node2     192.168.122.112  real servers: the VIP on lo with
    node3     192.168.122.113    arp_ignore=1/arp_announce=2 (the guide's
                                 lvs_slave)
    client    192.168.122.10

Each node runs a stand-in on 3389 and 22 (tests/tools/backend.py, id mode)
that answers every connection with the node's name and then holds it open
(echo), as an RDP or SSH session stays open: the guide's `nc -l 80 -e
/usr/bin/hostname -k` check, long-lived.

The template says scheduler=lc, gate (LVS-DR), checktype=connect,
quiescent=yes, checkinterval=10, checktimeout=3.  What is asserted is what
the guide's user sees: which node a session reaches, and `fulcrumctl list`
read like `ipvsadm -L` (weights, ActiveConn).

Run: make SAN=1 && FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q \\
     tests/system/test_seed001.py        (root)
"""
import re

import pytest

import fc
import lvsnet as ln
import vrrpnet as vn
from test_xdp import need_xdp

SEED = fc.REPO / "tests" / "data" / "seed001"
VIP = "192.168.122.100"
NODES = {"node1": "192.168.122.111", "node2": "192.168.122.112", "node3": "192.168.122.113"}
PORTS = (3389, 22)
# checkinterval=10, checktimeout=3: a stopped node is seen at the next
# check, at most 13 s later; back, at the one after
CHECK = 10 + 3 + 7.0


def render(port):
    """ldirectord.cf.j2 as Ansible's template module renders it for the
    guide's inventory, with `port` for the [nodes:vars] port."""
    jinja2 = pytest.importorskip("jinja2")  # python3-jinja2: ./dev check installs it
    env = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    tpl = env.from_string((SEED / "ldirectord.cf.j2").read_text())
    hosts = sorted(NODES)
    return tpl.render(vip=VIP, port=port, groups={"nodes": hosts},
                      hostvars={h: {"ip": NODES[h]} for h in hosts})


def site_conf():
    """One global section (the first rendering's), then each port's
    virtual section: what an operator templating both services deploys."""
    first, second = render(PORTS[0]), render(PORTS[1])
    return first + "\n" + second[second.index("virtual="):]


def test_rendering_is_the_template_with_the_inventory():
    """The rendering itself: the template's lines, the loop unrolled into
    one real= line per node (trim_blocks: no blank lines left by the
    block tags), for both ports."""
    text = site_conf()
    assert text.count("autoreload=yes") == 1 and text.count("quiescent=yes") == 1
    for port in PORTS:
        block = "virtual=%s:%d\n" % (VIP, port) + "".join(
            "    real=%s:%d gate\n" % (NODES[n], port) for n in sorted(NODES)) + \
            "    checkport=%d\n    checktype=connect\n    service=simpletcp\n" \
            "    scheduler=lc\n    protocol=tcp\n" % port
        assert block in text, text


# ---------------------------------------------------------------- listing

SVC_LINE = re.compile(r"^(TCP|UDP)\s+(\S+):(\d+)\s+(\S+)")
RS_LINE = re.compile(r"^\s+->\s+(\S+):(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def listing(d):
    """`fulcrumctl list` read like `ipvsadm -L`: {port: {node: (forward,
    weight, ActiveConn)}} for the VIP's services."""
    by_addr = {a: n for n, a in NODES.items()}
    out, cur = {}, None
    for line in d.ctl_ok("list").splitlines():
        m = SVC_LINE.match(line)
        if m:
            cur = int(m.group(3)) if m.group(2) == VIP else None
            if cur is not None:
                out[cur] = {}
            continue
        m = RS_LINE.match(line)
        if cur is not None and m:
            out[cur][by_addr.get(m.group(1), m.group(1))] = (
                m.group(3), int(m.group(4)), int(m.group(5)))
    return out


def weights(d, port):
    return {n: w for n, (_, w, _) in listing(d).get(port, {}).items()}


def wait_weights(d, port, want, timeout, what):
    try:
        fc.wait_until(lambda: weights(d, port) == want, timeout, what, 0.2)
    except AssertionError:
        raise AssertionError("timed out after %.0fs waiting for %s: want %r, listing:\n%s\n"
                             "log:\n%s" % (timeout, what, want, d.ctl_ok("list"),
                                           d.stderr()[-2000:]))


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def cluster(bins, tmp_path, request):
    """The guide's three nodes and a client in namespaces, node1 the
    director running fulcrum with the rendered file; every node's
    stand-ins on 3389 and 22.  Sessions opened by a test are closed, the
    daemon stopped (exit 0, no sanitizer report) and the namespaces
    removed at teardown, also on failure."""
    need_xdp("DR")
    net = ln.LvsNet(n_rs=2, n_dir=1, rs_vip="manual", v6=False, prefix="192.168.122",
                    vip_idx=100, client_idx=10, dir_idx=(111,), rs_idx=(112, 113))
    net.sessions = []
    try:
        hosts = dict(zip(sorted(NODES), net.dirs + net.rs))
        assert all(h.addr == NODES[n] for n, h in hosts.items())
        net.node = hosts
        net.apps = {(n, p): net.start_backend(h, n, p, "id", bind="0.0.0.0")
                    for n, h in hosts.items() for p in PORTS}
        make = vn.daemon_factory(tmp_path, request)
        net.director = make(net.dirs[0].ns, site_conf(), sub="node1")
        yield net
    finally:
        for s, _ in net.sessions:
            s.close()
        net.close()


def session(net, port):
    """A new session through the VIP, held open: the node it reached."""
    s = net.client.call(fc.connect, port, VIP, None, 3.0)
    try:
        who = fc.recv_line(s)
    except BaseException:
        s.close()
        raise
    net.sessions.append((s, who))
    return who


def first_session(net, port, timeout=10.0):
    def one():
        try:
            return session(net, port)
        except (OSError, AssertionError):
            return None
    return fc.wait_until(one, timeout, "a session on %s:%d" % (VIP, port), 0.2)


# ------------------------------------------------------------------- tests

def test_both_services_listed_and_sessions_spread_over_the_three_nodes(cluster):
    """Both rendered services, each with the three nodes (weight 1; Route,
    and node1, the director itself, Local as ipvsadm shows a local server);
    held-open sessions are spread evenly, the director itself taking its
    share, and `list` counts them as active per node."""
    net = cluster
    d = net.director
    full = {n: 1 for n in NODES}
    for p in PORTS:
        wait_weights(d, p, full, CHECK, "port %d with the three nodes" % p)
        assert {n: f for n, (f, _, _) in listing(d)[p].items()} == {
            "node1": "Local", "node2": "Route", "node3": "Route"}, d.ctl_ok("list")
    for p in PORTS:
        got = [first_session(net, p)] + [session(net, p) for _ in range(5)]
        assert fc.counts(got) == {n: 2 for n in NODES}, got
    fc.wait_until(lambda: all(a == 2 for p in PORTS for _, _, a in listing(d)[p].values()),
                  15.0, "ActiveConn 2 per node and port")


def test_lc_new_sessions_go_to_the_node_with_fewest(cluster):
    """lc proper: after node2's sessions end, the next new sessions go to
    node2, the node with the fewest, until it has caught up."""
    net = cluster
    d = net.director
    port = PORTS[0]
    wait_weights(d, port, {n: 1 for n in NODES}, CHECK, "the three nodes")
    got = [first_session(net, port)] + [session(net, port) for _ in range(5)]
    assert fc.counts(got) == {n: 2 for n in NODES}, got
    for s, who in net.sessions:
        if who == "node2":
            s.close()
    fc.wait_until(lambda: listing(d)[port]["node2"][2] == 0, 15.0, "node2's sessions to end")
    nxt = [session(net, port) for _ in range(2)]
    assert nxt == ["node2", "node2"], nxt


def test_stopped_node_is_quiescent_then_takes_sessions_again(cluster):
    """quiescent=yes: node3's RDP service stopped, the connect check sees
    it; node3 stays listed with weight 0 (its SSH service untouched) and
    new RDP sessions go to node1 and node2 only; started again, it is back
    at weight 1 and takes new sessions."""
    net = cluster
    d = net.director
    rdp, ssh = PORTS
    full = {n: 1 for n in NODES}
    wait_weights(d, rdp, full, CHECK, "the three nodes")
    first_session(net, rdp)
    net.stop(net.apps[("node3", rdp)])
    wait_weights(d, rdp, {"node1": 1, "node2": 1, "node3": 0}, CHECK, "node3 at weight 0")
    assert weights(d, ssh) == full, d.ctl_ok("list")
    got = [session(net, rdp) for _ in range(6)]
    assert set(got) == {"node1", "node2"}, got
    net.apps[("node3", rdp)] = net.start_backend(net.node["node3"], "node3", rdp, "id",
                                                 bind="0.0.0.0")
    wait_weights(d, rdp, full, CHECK, "node3 back at weight 1")
    got = [session(net, rdp) for _ in range(3)]
    assert "node3" in got, got
