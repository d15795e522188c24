"""fulcrum and a real Pacemaker 2.1 / Corosync 3 cluster of three nodes in
network namespaces (tests/system/pcmknet.py, ../shared/design/TESTBED.md).

Seed 000: the director's pool is the set of nodes where the cloned
ocf:fulcrum:realserver runs whose pgsql-status node attribute is a hot
standby state; `crm_attribute -N nodeX -n pgsql-status -v ... -l reboot`
moves a node in or out within 2 s, and a long-lived stream to a node that
stays is not broken.  The real-server agent runs inside each node (its VIP
on the node's own lo); the director runs inside node1 (its crm_mon asks node1's
Pacemaker), and so do the backends standing for the nodes (on node1's
127.0.0.11-13, `address NODE ADDR`) and the clients.  The same with
lb_kind DR served by the XDP engine: the director on node1 (the VIP on its
eth0), the real servers node2 and node3 at their ring0_addr, clients on the
network.

Seed 001: the promotable ocf:fulcrum:fulcrum.  Seed 003: fulcrum reading a
haproxy.cfg (mode http) in a group after ocf:heartbeat:IPaddr2.

Skipped without Pacemaker, Corosync or resource-agents; root only.  The
cluster is torn down in the fixture, also on failure.

    make && /usr/bin/python3 -m pytest -q tests/system/test_cluster.py
"""
import os
import shutil
import time
import xml.etree.ElementTree as ET

import pytest

import fc
import lvsnet
import pcmknet
from test_xdp import need_xdp

OCF_RESOURCE_D = "/usr/lib/ocf/resource.d"
NODES = ("node1", "node2", "node3")
BACKEND = {"node1": "127.0.0.11", "node2": "127.0.0.12", "node3": "127.0.0.13"}
VIP = "10.233.0.100"
FOLLOW_S = 2.0  # the bound
SLACK_S = 6.0   # a loaded 2-core machine, sanitizer build, a cluster of three

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces, a cluster)"),
    pytest.mark.skipif(not pcmknet.available() or not os.path.isdir(OCF_RESOURCE_D),
                       reason="pacemaker, corosync or resource-agents is not installed"),
]


def ocf_overlay(tmp_path):
    """A copy of /usr/lib/ocf/resource.d with our agents as fulcrum/*, bind
    mounted over the original inside each node only (the host's stays)."""
    d = tmp_path / "resource.d"
    shutil.copytree(OCF_RESOURCE_D, d, symlinks=True)
    (d / "fulcrum").mkdir()
    shutil.copy(fc.REPO / "ocf" / "fulcrum", d / "fulcrum" / "fulcrum")
    shutil.copy(fc.REPO / "ocf" / "fulcrum-realserver", d / "fulcrum" / "realserver")
    for a in ("fulcrum", "realserver"):
        os.chmod(d / "fulcrum" / a, 0o755)
    return d


@pytest.fixture
def cluster(tmp_path):
    c = pcmknet.Cluster(tmp_path, NODES, ocf_overlay=ocf_overlay(tmp_path))
    try:
        c.start()
        yield c
    finally:
        c.close()


def located(c, rsc):
    """Nodes where crm_mon says rsc (a clone's id) is active."""
    r = c.run("node1", "crm_resource", "--locate", "-r", rsc, "--quiet", check=False)
    return sorted(set(r.stdout.split()))


def servers(d, port):
    v = d.vs(port)
    return sorted((r["address"], r["weight"]) for r in v["real_servers"]) if v else None


def wait_servers(d, port, want, timeout):
    t0 = time.monotonic()
    fc.wait_until(lambda: servers(d, port) == sorted(want), timeout,
                  "pool :%d to be %s" % (port, sorted(want)), interval=0.05)
    return time.monotonic() - t0


def realserver_clone(c, nodes=NODES):
    """seed 000's lvsdr-realsvr: the cloned ocf:fulcrum:realserver with
    the VIP, started on `nodes` (the others banned), the VIP on each one's
    lo; then the pgsql agent's attributes (node1 primary, node2 and node3
    hot standbys)."""
    c.run("node1", "cibadmin", "-C", "-o", "resources", "-X",
          '<clone id="lvsdr-realsvr-clone"><meta_attributes id="cm">'
          '<nvpair id="cm-n" name="notify" value="false"/></meta_attributes>'
          '<primitive id="lvsdr-realsvr" class="ocf" provider="fulcrum" type="realserver">'
          '<instance_attributes id="ia"><nvpair id="ia-vip" name="vip" value="%s"/>'
          '<nvpair id="ia-bin" name="binary" value="%s"/></instance_attributes>'
          '<operations><op id="mon" name="monitor" interval="10s" timeout="20s"/></operations>'
          '</primitive></clone>' % (VIP, fc.FULCRUM))
    for n in NODES:
        if n not in nodes:
            c.run("node1", "cibadmin", "-C", "-o", "constraints", "-X",
                  '<rsc_location id="rs-not-%s" rsc="lvsdr-realsvr-clone" node="%s" '
                  'score="-INFINITY"/>' % (n, n))
    fc.wait_until(lambda: located(c, "lvsdr-realsvr-clone") == list(nodes), 60,
                  "the real-server clone started on %s" % (nodes,), interval=0.5)
    # the agent did its job inside each node: the VIP on that node's lo
    for n in nodes:
        fc.wait_until(lambda: VIP in c.run(n, "ip", "-o", "addr", "show", "dev", "lo").stdout,
                      30, "the VIP on %s's lo" % n, interval=0.5)
    for n, v in (("node1", "PRI"), ("node2", "HS:sync"), ("node3", "HS:async")):
        c.run("node1", "crm_attribute", "-N", n, "-n", "pgsql-status", "-v", v, "-l", "reboot")


def test_seed000_attribute_driven_pool(cluster, daemon, backend):
    c = cluster
    realserver_clone(c)

    # the director, its backends and its clients in node1's namespaces:
    # crm_mon there reaches node1's Pacemaker (libqb IPC is per network and
    # mount namespace); 127.0.0.11-13 are node1's own loopback
    bport = fc.free_port()
    for n, a in BACKEND.items():
        c.in_netns("node1", lambda n=n, a=a: backend(n, host=a, port=bport))
    vport = fc.free_port()
    addrs = "".join("        address %s %s\n" % kv for kv in sorted(BACKEND.items()))
    d = daemon("""
virtual_server 127.0.0.1 %d {
    lb_algo rr
    lb_kind PROXY
    pacemaker_real_servers {
        resource lvsdr-realsvr-clone
        attribute pgsql-status "HS:sync|HS:potential|HS:async"
        weight node2 2
%s        port %d
    }
}
""" % (vport, addrs, bport), start=False)
    argv = d.argv
    d.argv = lambda: c.prefix("node1") + argv()
    d.start()
    wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.13", 1)], FOLLOW_S + SLACK_S)
    streams = [c.in_netns("node1", lambda: fc.Stream(vport)) for _ in range(2)]
    try:
        keep = [s for s in streams if s.name == "node2"][0]
        # a promotion as the pgsql agent reports it: node3 primary, node1 standby
        c.run("node2", "crm_attribute", "-N", "node3", "-n", "pgsql-status", "-v", "PRI",
              "-l", "reboot")
        c.run("node2", "crm_attribute", "-N", "node1", "-n", "pgsql-status", "-v",
              "HS:potential", "-l", "reboot")
        took = wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2)],
                            FOLLOW_S + SLACK_S)
        print("the pool followed the attributes in %.2fs" % took)
        keep.assert_flowing()
        # node2 leaves the cluster's resource (standby stops the clone there):
        # it leaves the pool, the others stay
        c.run("node1", "crm_attribute", "-N", "node2", "-n", "standby", "-v", "on")
        wait_servers(d, vport, [("127.0.0.11", 1)], FOLLOW_S + SLACK_S + 20)
        assert VIP not in c.run("node2", "ip", "-o", "addr", "show", "dev", "lo").stdout
        assert c.in_netns("node1", lambda: fc.who(vport)) == "node1"
    finally:
        for s in streams:
            s.close(check=False)


def xdp_quirks(c, directors):
    """TESTBED.md's veth quirks for a director's XDP engine (undone with the
    switch's namespace): an XDP program on the directors' bridge ports so
    that XDP_TX frames leave, and the client's checksums computed before
    they reach an XDP forwarder."""
    for n in directors:
        pcmknet.sh(pcmknet.IP, "-n", c.sw, "link", "set", "dev", "p%d" % NODES.index(n),
                   "xdpdrv", "obj", lvsnet.pass_object(), "sec", "xdp")
    pcmknet.sh(pcmknet.IP, "netns", "exec", c.sw, lvsnet.ETHTOOL, "-K", "br0", "tx", "off")


def test_seed000_dr_served_by_xdp(cluster, daemon, backend):
    """seed 000 as it runs: lb_kind DR, served by the XDP engine of a
    director on node1 (the VIP on its eth0); the real servers are node2 and
    node3, where the cloned ocf:fulcrum:realserver holds the VIP on lo, each
    at its corosync ring0_addr; clients on the network.  crm_attribute
    takes node3 out of the pool and puts it back within 2 s; a long-lived
    stream to node2, which stays, flows throughout; new clients reach
    node3 again."""
    need_xdp("DR")
    c = cluster
    realserver_clone(c, ("node2", "node3"))
    port = fc.free_port()
    for n in ("node2", "node3"):
        c.in_netns(n, lambda n=n: backend(n, host=VIP, port=port))
    # the director's side of the testbed: the VIP on node1's eth0
    c.run("node1", "ip", "addr", "add", VIP + "/32", "dev", "eth0")
    xdp_quirks(c, ("node1",))
    d = daemon("""
virtual_server %s %d {
    lb_algo mh
    mh-port
    lb_kind DR
    protocol TCP
    pacemaker_real_servers {
        resource lvsdr-realsvr-clone
        attribute pgsql-status "HS:sync|HS:potential|HS:async"
        corosync_conf %s
    }
}
""" % (VIP, port, c.corosync_conf), start=False)
    argv = d.argv
    d.argv = lambda: c.prefix("node1") + argv()
    d.start()
    both = [(c.addr["node2"], 1), (c.addr["node3"], 1)]
    wait_servers(d, port, both, FOLLOW_S + SLACK_S)
    streams = []
    try:
        def stream():
            try:
                return c.in_client(lambda: fc.Stream(port, VIP, timeout=2.0))
            except (OSError, AssertionError):
                return None  # the director's first neighbour lookups: retried
        for _ in range(40):  # mh-port spreads source ports: both get one
            st = fc.wait_until(stream, 20, "a stream through the VIP", interval=0.5)
            streams.append(st)
            if {"node2", "node3"} <= {x.name for x in streams}:
                break
        keep = [x for x in streams if x.name == "node2"]
        assert keep and [x for x in streams if x.name == "node3"], \
            [x.name for x in streams]
        c.run("node2", "crm_attribute", "-N", "node3", "-n", "pgsql-status", "-v", "PRI",
              "-l", "reboot")
        took = wait_servers(d, port, both[:1], FOLLOW_S + SLACK_S)
        print("node3 left the DR pool in %.2fs" % took)
        for x in keep:
            x.assert_flowing()
        for _ in range(5):
            assert c.in_client(lambda: fc.who(port, host=VIP)) == "node2"
        c.run("node2", "crm_attribute", "-N", "node3", "-n", "pgsql-status", "-v", "HS:async",
              "-l", "reboot")
        took = wait_servers(d, port, both, FOLLOW_S + SLACK_S)
        print("node3 came back in %.2fs" % took)
        fc.wait_until(lambda: c.in_client(lambda: fc.who(port, host=VIP)) == "node3", 20,
                      "a new client served by node3", interval=0.1)
        for x in keep:
            x.assert_flowing()
    finally:
        for x in streams:
            x.close(check=False)


def promoted(c, rsc="lvs"):
    """The node where crm_mon shows rsc Promoted, or None."""
    r = c.run("node1", "crm_mon", "--one-shot", "--output-as=xml",
              "--include=none,resources", check=False)
    if r.returncode != 0:
        return None
    root = ET.fromstring(r.stdout)
    for res in root.iter("resource"):
        if res.get("id") == rsc and res.get("role") in ("Promoted", "Master") and \
                res.get("active") == "true" and res.get("failed") != "true":
            nodes = [n.get("name") for n in res.iter("node")]
            return nodes[0] if nodes else None
    return None


def holds_vip(c, n, dev="eth0"):
    return VIP in c.run(n, "ip", "-o", "addr", "show", "dev", dev).stdout


def lvs_clone(c, tmp_path, conf, unpromoted_role=None):
    """seed 001's `lvs`: ocf:fulcrum:fulcrum as a promotable clone (one
    promoted) with the VIP on eth0 when promoted."""
    role = ('<nvpair id="li6" name="unpromoted_role" value="%s"/>' % unpromoted_role
            if unpromoted_role else "")
    os.chmod(tmp_path, 0o755)
    c.run("node1", "cibadmin", "-C", "-o", "resources", "-X",
          '<clone id="lvs-clone"><meta_attributes id="lm">'
          '<nvpair id="lm1" name="promotable" value="true"/>'
          '<nvpair id="lm2" name="promoted-max" value="1"/></meta_attributes>'
          '<primitive id="lvs" class="ocf" provider="fulcrum" type="fulcrum">'
          '<instance_attributes id="li">'
          '<nvpair id="li1" name="config" value="%s"/>'
          '<nvpair id="li2" name="binary" value="%s"/>'
          '<nvpair id="li3" name="ctl" value="%s"/>'
          '<nvpair id="li4" name="vip" value="%s"/>'
          '<nvpair id="li5" name="nic" value="eth0"/>%s</instance_attributes>'
          '<operations><op id="lo1" name="monitor" interval="3s" role="Promoted" timeout="20s"/>'
          '<op id="lo2" name="monitor" interval="4s" role="Unpromoted" timeout="20s"/>'
          '</operations></primitive></clone>' % (conf, fc.FULCRUM, fc.FULCRUMCTL, VIP, role))


def test_seed001_promotable_director_moves(cluster, tmp_path, backend):
    """seed 001: ocf:fulcrum:fulcrum as a promotable clone; the promoted
    node holds the VIP on eth0 and serves it (lc over a backend on each
    node); `standby` of that node promotes another, the VIP moves with it,
    and clients (from the switch's namespace) reconnect to it."""
    c = cluster
    bport, vport = fc.free_port(), fc.free_port()
    for n in NODES:
        c.in_netns(n, lambda n=n: backend(n, host=c.addr[n], port=bport))
    conf = tmp_path / "director.conf"
    conf.write_text("virtual_server %s %d {\n    lb_algo lc\n    lb_kind PROXY\n%s}\n" % (
        VIP, vport, "".join("    real_server %s %d {\n        TCP_CHECK {\n"
                            "            connect_timeout 2\n        }\n    }\n"
                            % (c.addr[n], bport) for n in NODES)))
    lvs_clone(c, tmp_path, conf)
    first = fc.wait_until(lambda: promoted(c), 90, "an instance promoted", interval=0.5)
    fc.wait_until(lambda: holds_vip(c, first), 20, "the VIP on %s" % first, interval=0.2)
    assert not [n for n in NODES if n != first and holds_vip(c, n)]
    # the promoted director serves the VIP to a client on the network
    name = fc.wait_until(lambda: c.in_client(lambda: _who(vport)), 30,
                         "a client served through the VIP", interval=0.5)
    assert name in NODES

    c.run("node1", "crm_attribute", "-N", first, "-n", "standby", "-v", "on")
    second = fc.wait_until(lambda: (lambda p: p if p and p != first else None)(promoted(c)), 90,
                           "another instance promoted", interval=0.5)
    fc.wait_until(lambda: holds_vip(c, second) and not holds_vip(c, first), 30,
                  "the VIP moved from %s to %s" % (first, second), interval=0.2)
    # clients reconnect to the new director (a neighbour's ARP cache may
    # still name the old one for a moment: bounded retries)
    name = fc.wait_until(lambda: c.in_client(lambda: _who(vport)), 30,
                         "a client served by %s" % second, interval=0.5)
    assert name in NODES


def test_seed001_dr_promotable_realservers(cluster, tmp_path, backend):
    """seed 001 as it runs: the promotable ocf:fulcrum:fulcrum with lb_kind
    DR, lb_algo lc and unpromoted_role=realserver on three nodes.  The
    promoted node holds the VIP on eth0 and forwards through its XDP engine
    to the unpromoted nodes, which hold the VIP on lo and answer clients
    directly; the director is also listed (the same config on every node)
    and serves its own share through its stack, as IPVS's Local forwarding
    does.  Standby of the promoted node: another is promoted, takes the VIP
    off lo onto eth0 and forwards; the old one holds the VIP nowhere;
    clients reconnect and are served by the new director and the node that
    stays a real server."""
    need_xdp("DR")
    c = cluster
    port = fc.free_port()
    for n in NODES:  # the service on every address: the VIP moves lo <-> eth0
        c.in_netns(n, lambda n=n: backend(n, host="0.0.0.0", port=port))
    xdp_quirks(c, NODES)
    # the real servers are the nodes where the clone runs (at their
    # ring0_addr): a node in standby leaves the pool, though its service
    # still answers its own address there
    conf = tmp_path / "director.conf"
    conf.write_text("""
virtual_server %s %d {
    lb_algo lc
    lb_kind DR
    protocol TCP
    pacemaker_real_servers {
        resource lvs-clone
        corosync_conf %s
    }
}
""" % (VIP, port, c.corosync_conf))
    lvs_clone(c, tmp_path, conf, unpromoted_role="realserver")
    first = fc.wait_until(lambda: promoted(c), 90, "an instance promoted", interval=0.5)
    fc.wait_until(lambda: holds_vip(c, first) and not holds_vip(c, first, "lo"), 30,
                  "the VIP on %s's eth0 only" % first, interval=0.2)
    rest = [n for n in NODES if n != first]
    for n in rest:  # the unpromoted instances are real servers
        fc.wait_until(lambda: holds_vip(c, n, "lo") and not holds_vip(c, n), 60,
                      "the VIP on %s's lo only" % n, interval=0.5)
    streams = []
    try:
        seen = _dr_streams(c, port, streams, set(NODES))
        assert _xdp_on(c, first) and not [n for n in rest if _xdp_on(c, n)]
        assert seen == set(NODES), seen

        c.run("node1", "crm_attribute", "-N", first, "-n", "standby", "-v", "on")
        second = fc.wait_until(lambda: (lambda p: p if p and p != first else None)(
            promoted(c)), 90, "another instance promoted", interval=0.5)
        fc.wait_until(lambda: holds_vip(c, second) and not holds_vip(c, second, "lo"), 30,
                      "the VIP moved from %s's lo to its eth0" % second, interval=0.2)
        fc.wait_until(lambda: not holds_vip(c, first) and not holds_vip(c, first, "lo"), 30,
                      "the VIP gone from %s" % first, interval=0.2)
        fc.wait_until(lambda: not _xdp_on(c, first), 30,
                      "the old director's XDP program gone from %s" % first, interval=0.2)
        third = [n for n in rest if n != second][0]
        assert holds_vip(c, third, "lo") and not holds_vip(c, third)
        # the old director's connections went with it; clients reconnect
        for x in streams:
            x.close(check=False)
        streams = []
        seen = _dr_streams(c, port, streams, {second, third})
        assert seen == {second, third}, seen
    finally:
        for x in streams:
            x.close(check=False)


def _xdp_on(c, n):
    """An XDP program on n's eth0 (the director's engine)."""
    return " xdp" in c.run(n, "ip", "-o", "link", "show", "dev", "eth0").stdout


def _dr_streams(c, port, streams, want):
    """Streams through the VIP from the client, held open (lc spreads them)
    until every node in want answered one; the set of names seen."""
    def stream():
        try:
            return c.in_client(lambda: fc.Stream(port, VIP, timeout=2.0))
        except (OSError, AssertionError):
            return None  # checks coming up, a neighbour lookup, a stale ARP entry
    for _ in range(12):
        streams.append(fc.wait_until(stream, 60, "a stream through the VIP", interval=0.5))
        if want <= {x.name for x in streams}:
            break
    for x in streams:
        x.assert_flowing()
    return {x.name for x in streams}


def _who(vport):
    try:
        return fc.who(vport, host=VIP, timeout=2.0)
    except (OSError, AssertionError):
        return None


def running_on(c, rsc):
    r = c.run("node1", "crm_resource", "--locate", "-r", rsc, "--quiet", check=False)
    nodes = r.stdout.split()
    return nodes[0] if len(nodes) == 1 else None


def test_seed003_group_with_ipaddr2(cluster, tmp_path, backend):
    """seed 003: HAProxy's place taken by fulcrum reading a haproxy.cfg
    (mode http, the agent's format=haproxy) in a group after an
    ocf:heartbeat:IPaddr2 VIP; standby of the node moves both, and an HTTP
    client on the network is served through the VIP again."""
    c = cluster
    bport, vport = fc.free_port(), fc.free_port()
    for n in NODES:
        c.in_netns(n, lambda n=n: backend(n, mode="http", host=c.addr[n], port=bport))
    conf = tmp_path / "haproxy.cfg"
    conf.write_text("defaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n"
                    "    timeout server 10s\nfrontend www\n    bind %s:%d\n"
                    "    default_backend web\nbackend web\n    balance roundrobin\n%s" % (
                        VIP, vport, "".join("    server %s %s:%d\n" % (n, c.addr[n], bport)
                                            for n in NODES)))
    os.chmod(tmp_path, 0o755)
    c.run("node1", "cibadmin", "-C", "-o", "resources", "-X",
          '<group id="hagroup">'
          '<primitive id="VIP" class="ocf" provider="heartbeat" type="IPaddr2">'
          '<instance_attributes id="vi"><nvpair id="vi1" name="ip" value="%s"/>'
          '<nvpair id="vi2" name="cidr_netmask" value="24"/>'
          '<nvpair id="vi3" name="nic" value="eth0"/></instance_attributes>'
          '<operations><op id="vo" name="monitor" interval="5s" timeout="20s"/></operations>'
          '</primitive>'
          '<primitive id="lb" class="ocf" provider="fulcrum" type="fulcrum">'
          '<instance_attributes id="bi"><nvpair id="bi1" name="config" value="%s"/>'
          '<nvpair id="bi2" name="binary" value="%s"/>'
          '<nvpair id="bi3" name="ctl" value="%s"/>'
          '<nvpair id="bi4" name="format" value="haproxy"/></instance_attributes>'
          '<operations><op id="bo" name="monitor" interval="3s" timeout="20s"/></operations>'
          '</primitive></group>' % (VIP, conf, fc.FULCRUM, fc.FULCRUMCTL))
    first = fc.wait_until(lambda: running_on(c, "lb"), 60, "the group started", interval=0.5)
    assert running_on(c, "VIP") == first
    fc.wait_until(lambda: holds_vip(c, first), 20, "the VIP on %s" % first, interval=0.2)
    assert fc.wait_until(lambda: c.in_client(lambda: _http_who(vport)), 30,
                         "a client served through the VIP", interval=0.5) in NODES

    c.run("node1", "crm_attribute", "-N", first, "-n", "standby", "-v", "on")
    second = fc.wait_until(lambda: (lambda n: n if n and n != first else None)(
        running_on(c, "lb")), 60, "the group moved", interval=0.5)
    assert running_on(c, "VIP") == second
    fc.wait_until(lambda: holds_vip(c, second) and not holds_vip(c, first), 30,
                  "the VIP moved from %s to %s" % (first, second), interval=0.2)
    # the old node's director is gone: its control socket no longer answers
    assert not c.run(first, "sh", "-c", "ls /run/resource-agents/fulcrum-lb.sock",
                     check=False).stdout.strip()
    assert fc.wait_until(lambda: c.in_client(lambda: _http_who(vport)), 30,
                         "a client served by %s" % second, interval=0.5) in NODES


def _http_who(vport):
    """One HTTP GET through the VIP: the answering backend's name, or None."""
    try:
        sk = fc.connect(vport, VIP, timeout=2.0)
        try:
            sk.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
            data = fc.recv_to_eof(sk, 1 << 16)
        finally:
            sk.close()
    except OSError:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        return None
    return body.decode(errors="replace").split()[0] if body.strip() else None

