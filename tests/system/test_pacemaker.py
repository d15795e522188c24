"""Pools whose servers come from outside the file (issue 15): a
pacemaker_real_servers block read through Pacemaker's own crm_mon, and a
real_server_script.

The cluster here is a CIB file (tests/data/pacemaker/cib_3nodes.xml: three
nodes, a cloned resource rs-clone started on each, node attributes), which
Pacemaker's tools read and write when CIB_file names it: the daemon's
crm_mon sees it as it would see a live cluster, and the test changes node
attributes with crm_attribute as an administrator (or the pgsql agent)
would.  Real backends on 127.0.0.11-13 stand for the nodes.  Skipped
without Pacemaker's command-line tools (./dev check installs pacemaker).

    make && /usr/bin/python3 -m pytest -q tests/system/test_pacemaker.py
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import fc

DATA = fc.REPO / "tests" / "data" / "pacemaker"
NODES = {"node1": "127.0.0.11", "node2": "127.0.0.12", "node3": "127.0.0.13"}
# the bound for a change to reach the pool, plus room for a loaded
# 2-core machine running a sanitizer build
FOLLOW_S = 2.0
SLACK_S = 4.0

def have_pacemaker():
    try:
        import pwd
        pwd.getpwnam("hacluster")
    except KeyError:
        return False
    return bool(shutil.which("crm_mon") and shutil.which("crm_attribute"))


pytestmark = [
    pytest.mark.skipif(not have_pacemaker(), reason="Pacemaker is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (crm_mon runs as hacluster)"),
]


def hand_to_pacemaker(path):
    """The daemon runs crm_mon as Pacemaker's user (hacluster), as a CIB
    is Pacemaker's: the file is made theirs."""
    shutil.chown(path, "hacluster", "haclient")
    os.chmod(path, 0o640)


@pytest.fixture
def cib(monkeypatch):
    """A private copy of the CIB, named by CIB_file for the daemon and for
    crm_attribute, in a directory hacluster can enter (pytest's tmp dirs
    are root's alone); removed at teardown."""
    d = Path(tempfile.mkdtemp(prefix="fc-cib-", dir="/tmp"))
    try:
        os.chmod(d, 0o755)
        path = d / "cib.xml"
        shutil.copy(DATA / "cib_3nodes.xml", path)
        hand_to_pacemaker(path)
        monkeypatch.setenv("CIB_file", str(path))
        yield path
    finally:
        shutil.rmtree(d, ignore_errors=True)


def node_attr(node, name, value):
    r = subprocess.run(["crm_attribute", "-N", node, "-n", name, "-v", value, "-l", "reboot"],
                       capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr


def servers(d, port):
    v = d.vs(port)
    return sorted((r["address"], r["weight"]) for r in v["real_servers"]) if v else None


def wait_servers(d, port, want, timeout):
    """Seconds until the pool is want (sorted (address, weight) pairs)."""
    t0 = time.monotonic()
    fc.wait_until(lambda: servers(d, port) == sorted(want), timeout,
                  "pool :%d to be %s" % (port, sorted(want)), interval=0.05)
    return time.monotonic() - t0


def pool_source(d):
    """The one pool's `source` object of show pools --json."""
    pools = json.loads(d.ctl_ok("show", "pools", "--json"))["pools"]
    assert len(pools) == 1, pools
    return pools[0]["source"]


def pcmk_conf(vport, bport, extra="", addresses=True):
    """seed 000's pool; addresses: each node's `address` line (else the
    node's address comes from corosync.conf or its name)."""
    addrs = "".join("        address %s %s\n" % kv for kv in sorted(NODES.items())
                    if addresses)
    return """
virtual_server 127.0.0.1 %d {
    lb_algo rr
    lb_kind PROXY
    pacemaker_real_servers {
        resource rs-clone
        attribute pgsql-status "HS:sync|HS:potential|HS:async"
        weight node2 2
%s        port %d
%s    }
}
""" % (vport, addrs, bport, extra)


@pytest.fixture
def node_backends(backend):
    port = fc.free_port()
    return port, {n: backend(n, host=a, port=port) for n, a in NODES.items()}


def test_attribute_moves_nodes_in_and_out(daemon, cib, node_backends):
    """seed 000: the standbys (HS:*) are the servers, the primary (PRI) is
    not; a changed attribute moves a node in or out within 2 s, and a
    long-lived stream to a node that stays is never broken."""
    bport, _ = node_backends
    vport = fc.free_port()
    d = daemon(pcmk_conf(vport, bport))
    wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.13", 1)], FOLLOW_S + SLACK_S)
    streams = [fc.Stream(vport) for _ in range(2)]
    try:
        assert sorted(s.name for s in streams) == ["node2", "node3"]
        keep = [s for s in streams if s.name == "node2"][0]
        # a promotion: node1 becomes a standby, node3 the primary
        node_attr("node1", "pgsql-status", "HS:sync")
        node_attr("node3", "pgsql-status", "PRI")
        took = wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2)],
                            FOLLOW_S + SLACK_S)
        keep.assert_flowing()
        assert fc.who(vport) in ("node1", "node2")
        for change in ("+127.0.0.11:%d" % bport, "-127.0.0.13:%d" % bport):
            assert [l for l in fc.log_lines(d, "servers follow its cluster:") if change in l], \
                d.stderr()[-3000:]
        print("followed in %.2fs" % took)
        # a reload with the same source keeps the list and the stream
        d.reload()
        fc.wait_until(lambda: fc.log_lines(d, "reloaded"), 15, "the reload")
        assert servers(d, vport) == [("127.0.0.11", 1), ("127.0.0.12", 2)]
        keep.assert_flowing()
        keep.close()
    finally:
        for s in streams:
            s.close(check=False)


def test_unreadable_cluster_keeps_the_last_list(daemon, cib, node_backends):
    """crm_mon cannot read the cluster: the pool keeps its servers (never
    emptied), one log line says so, and when the cluster is back the pool
    follows it again."""
    bport, _ = node_backends
    vport = fc.free_port()
    d = daemon(pcmk_conf(vport, bport))
    want = [("127.0.0.12", 2), ("127.0.0.13", 1)]
    wait_servers(d, vport, want, FOLLOW_S + SLACK_S)
    hidden = cib.with_name("cib.away")
    os.rename(cib, hidden)
    fc.wait_until(lambda: fc.log_lines(d, "its source cannot be read"), FOLLOW_S + SLACK_S,
                  "the log line saying the cluster cannot be read")
    time.sleep(2.5)  # a few more failed reads
    assert servers(d, vport) == want
    assert len(fc.log_lines(d, "its source cannot be read")) == 1, d.stderr()[-3000:]
    text = d.ctl_ok("show", "pools")
    assert "pacemaker: 2 servers" in text and "STALE, the last list is kept" in text, text
    src = pool_source(d)
    assert src["stale"] is True and src["failures"] >= 2 and src["reason"], src
    os.rename(hidden, cib)
    node_attr("node3", "pgsql-status", "PRI")
    wait_servers(d, vport, [("127.0.0.12", 2)], FOLLOW_S + SLACK_S)
    assert fc.log_lines(d, "its source can be read again")
    src = pool_source(d)
    assert src["stale"] is False and src["servers"] == 1, src
    assert "STALE" not in d.ctl_ok("show", "pools")


def test_standby_node_leaves(daemon, cib, node_backends):
    """Without an attribute filter: every node where the resource runs.  A
    node put in standby (crm_simulate stops the clone there, as the cluster
    would) leaves the pool."""
    if not shutil.which("crm_simulate"):
        pytest.skip("crm_simulate is not installed")
    bport, _ = node_backends
    vport = fc.free_port()
    conf = pcmk_conf(vport, bport).replace(
        '        attribute pgsql-status "HS:sync|HS:potential|HS:async"\n', "")
    d = daemon(conf)
    wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2), ("127.0.0.13", 1)],
                 FOLLOW_S + SLACK_S)
    r = subprocess.run(["crm_attribute", "-N", "node3", "-n", "standby", "-v", "on"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    tmp = cib.with_name("cib.next")
    r = subprocess.run(["crm_simulate", "-x", str(cib), "-S", "-O", str(tmp)],
                       capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "CIB_file"})
    assert r.returncode == 0, r.stderr
    hand_to_pacemaker(tmp)
    os.replace(tmp, cib)
    wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2)], FOLLOW_S + SLACK_S)
    pools = json.loads(d.ctl_ok("show", "pools", "--json"))["pools"]
    assert pools[0]["from_source"] == 2 and pools[0]["from_file"] == 0, pools


def test_real_server_script(daemon, tmp_path, backend):
    """real_server_script: its lines are the servers (ADDR[:PORT] [WEIGHT]);
    a changed output moves them; a failing script keeps the last list."""
    port = fc.free_port()
    a = backend("a", host="127.0.0.21", port=port)
    b = backend("b", host="127.0.0.22", port=port)
    out = tmp_path / "list"
    out.write_text("127.0.0.21\n")
    script = tmp_path / "list-servers"
    fc.write_script(script, "#!/bin/sh\nexec cat %s\n" % out)
    vport = fc.free_port()
    d = daemon("""
virtual_server 127.0.0.1 %d {
    lb_algo rr
    lb_kind PROXY
    real_server_script %s 0.5
}
""" % (vport, script))
    # the script gives no port: the service's, which the backends do not use
    wait_servers(d, vport, [("127.0.0.21", 1)], SLACK_S)
    out.write_text("127.0.0.21:%d 3\n127.0.0.22:%d\n# a comment\n" % (port, port))
    wait_servers(d, vport, [("127.0.0.21", 3), ("127.0.0.22", 1)], SLACK_S)
    assert fc.who(vport) in (a.name, b.name)
    out.unlink()  # cat fails: exit status 1
    fc.wait_until(lambda: fc.log_lines(d, "its source cannot be read"), SLACK_S, "the log line")
    assert servers(d, vport) == [("127.0.0.21", 3), ("127.0.0.22", 1)]


def states(d, port):
    """{address: state} of the pool's servers (list --json)."""
    v = d.vs(port)
    return {r["address"]: r["state"] for r in v["real_servers"]} if v else {}


def checked(d, port):
    """The addresses that have checks in show checks --json."""
    for v in fc.show_checks(d).get("virtual_servers", []):
        if v.get("port") == port:
            return sorted(r["address"] for r in v.get("real_servers", []) if r.get("checks"))
    return []


def test_source_checks(daemon, cib, node_backends, backend):
    """A checker block inside pacemaker_real_servers: every node the
    cluster lists gets it.  A listed node whose server does not answer is
    taken out by its check as any real server would be; a node that stays
    in the list keeps its check state from one read to the next (no flap);
    a node that leaves the list drops its check, and one that comes back
    with a dead server is taken out again."""
    bport, nodes = node_backends
    vport = fc.free_port()
    conf = pcmk_conf(vport, bport, "        TCP_CHECK { connect_timeout 1 }\n").replace(
        "    lb_kind PROXY\n", "    lb_kind PROXY\n    delay_loop 1\n")
    d = daemon(conf)
    wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.13", 1)], FOLLOW_S + SLACK_S)
    fc.wait_until(lambda: checked(d, vport) == ["127.0.0.12", "127.0.0.13"], SLACK_S,
                  "both nodes' checks")
    nodes["node3"].stop()
    fc.wait_until(lambda: states(d, vport).get("127.0.0.13") == "down", 3 * SLACK_S,
                  "node3's dead server to be taken out by its check")
    for _ in range(20):  # every answer from node2, none lost to node3
        assert fc.who(vport) == "node2"
    # several reads of an unchanged cluster later: the same states, no new
    # transition logged (a server kept, not re-added with a fresh check)
    ups = len(fc.log_lines(d, "real server 127.0.0.12:%d UP" % bport))
    downs = len(fc.log_lines(d, "real server 127.0.0.13:%d DOWN" % bport))
    reads = pool_source(d)["reads"]
    fc.wait_until(lambda: pool_source(d)["reads"] >= reads + 3, 3 * SLACK_S, "three more reads")
    assert states(d, vport) == {"127.0.0.12": "up", "127.0.0.13": "down"}
    assert len(fc.log_lines(d, "real server 127.0.0.12:%d UP" % bport)) == ups, d.stderr()[-3000:]
    assert len(fc.log_lines(d, "real server 127.0.0.13:%d DOWN" % bport)) == downs, d.stderr()[-3000:]
    # node3 leaves the list: its server and its check go
    node_attr("node3", "pgsql-status", "PRI")
    wait_servers(d, vport, [("127.0.0.12", 2)], FOLLOW_S + SLACK_S)
    fc.wait_until(lambda: checked(d, vport) == ["127.0.0.12"], SLACK_S, "node3's check to go")
    # node1 joins with a live server and is checked UP; node3 comes back
    # with its server still dead and is taken out again
    node_attr("node1", "pgsql-status", "HS:async")
    node_attr("node3", "pgsql-status", "HS:sync")
    wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2), ("127.0.0.13", 1)],
                 FOLLOW_S + SLACK_S)
    fc.wait_until(lambda: states(d, vport) == {"127.0.0.11": "up", "127.0.0.12": "up",
                                               "127.0.0.13": "down"},
                  3 * SLACK_S, "node1 up, node3 down")
    # its server back: node3's check brings it in
    backend("node3", host=NODES["node3"], port=bport)
    fc.wait_until(lambda: states(d, vport).get("127.0.0.13") == "up", 3 * SLACK_S,
                  "node3 up again")


def test_script_source_checks(daemon, tmp_path, backend):
    """real_server_script's block: its checkers run on every server the
    script prints; the one whose server does not answer is taken out."""
    port = fc.free_port()
    backend("a", host="127.0.0.21", port=port)
    script = fc.write_script(tmp_path / "list-servers",
                             "echo 127.0.0.21:%d\necho 127.0.0.22:%d\n" % (port, port))
    vport = fc.free_port()
    d = daemon("""
virtual_server 127.0.0.1 %d {
    lb_algo rr
    lb_kind PROXY
    delay_loop 1
    real_server_script %s 0.5 {
        TCP_CHECK { connect_timeout 1 }
    }
}
""" % (vport, script))
    fc.wait_until(lambda: states(d, vport) == {"127.0.0.21": "up", "127.0.0.22": "down"},
                  3 * SLACK_S, "the dead server to be taken out by its check")
    for _ in range(10):
        assert fc.who(vport) == "a"


def follow_then_check(d, vport, nodes):
    """The cluster's list followed (a promotion moves node1 in, node3 out),
    then node1's server dies and its check takes it out."""
    wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.13", 1)], FOLLOW_S + SLACK_S)
    node_attr("node1", "pgsql-status", "HS:sync")
    node_attr("node3", "pgsql-status", "PRI")
    wait_servers(d, vport, [("127.0.0.11", 1), ("127.0.0.12", 2)], FOLLOW_S + SLACK_S)
    assert fc.who(vport) in ("node1", "node2")
    nodes["node1"].stop()
    fc.wait_until(lambda: states(d, vport).get("127.0.0.11") == "down", 3 * SLACK_S,
                  "node1's dead server to be taken out by its check")
    for _ in range(10):
        assert fc.who(vport) == "node2"


def test_ldirectord_cf(daemon, cib, node_backends):
    """ldirectord.cf's pacemaker_* keys: the same pool as keepalived's
    block, following the cluster; the section's checktype checks every
    server the cluster lists, so a listed node whose server is dead is
    taken out."""
    bport, nodes = node_backends
    vport = fc.free_port()
    d = daemon("""checktimeout=2
checkinterval=1
virtual=127.0.0.1:%d
\tpacemaker_resource = rs-clone
\tpacemaker_attribute = pgsql-status "HS:sync|HS:potential|HS:async"
\tpacemaker_weight = node2:2
\tpacemaker_address = node1:127.0.0.11 node2:127.0.0.12 node3:127.0.0.13
\tpacemaker_port = %d
\tchecktype = connect
\tscheduler = rr
""" % (vport, bport))
    follow_then_check(d, vport, nodes)


def hp_conf(vport, backend_lines):
    """A haproxy.cfg: TCP frontend on vport, backend b of these lines."""
    return ("defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 30s\n"
            "    timeout server 30s\nfrontend f\n    bind 127.0.0.1:%d\n"
            "    default_backend b\nbackend b\n    balance roundrobin\n%s" % (vport, backend_lines))


def test_haproxy_cfg(daemon, cib, node_backends):
    """haproxy.cfg's fulcrum-pacemaker-servers: the backend's servers follow
    the cluster; with `default-server check` each is checked, so a listed
    node whose server is dead is taken out."""
    bport, nodes = node_backends
    vport = fc.free_port()
    d = daemon(hp_conf(vport, """    default-server check inter 500ms fall 2
    fulcrum-pacemaker-servers resource rs-clone attribute pgsql-status "HS:sync|HS:potential|HS:async" weight node2 2 address node1 127.0.0.11 address node2 127.0.0.12 address node3 127.0.0.13 port %d
""" % bport))
    follow_then_check(d, vport, nodes)


def test_haproxy_default_server_options_on_script_servers(daemon, tmp_path, backend):
    """The default-server options in force at fulcrum-server-script apply
    to every server it yields, as to a `server` line there: `disabled`
    starts them in maintenance (no client reaches them), `weight` is
    theirs; one enabled by hand stays enabled across the script's reads."""
    port = fc.free_port()
    backend("a", host="127.0.0.21", port=port)
    backend("b", host="127.0.0.22", port=port)
    script = fc.write_script(tmp_path / "list-servers",
                             "echo 127.0.0.21:%d\necho 127.0.0.22:%d\n" % (port, port))
    vport = fc.free_port()
    d = daemon(hp_conf(vport, """    default-server disabled weight 7
    fulcrum-server-script "%s" 0.5
""" % script))

    def configured():
        v = d.vs(vport)
        return sorted((r["address"], r["configured_weight"], r["state"])
                      for r in v["real_servers"]) if v else None
    fc.wait_until(lambda: configured() == [("127.0.0.21", 7, "disabled"),
                                           ("127.0.0.22", 7, "disabled")],
                  SLACK_S, "both script servers in, disabled, weight 7")
    with pytest.raises((OSError, AssertionError)):
        fc.who(vport)
    d.ctl_ok("enable", "127.0.0.1:%d" % vport, "127.0.0.22:%d" % port)
    reads = pool_source(d)["reads"]
    fc.wait_until(lambda: pool_source(d)["reads"] >= reads + 3, 3 * SLACK_S, "three more reads")
    assert states(d, vport) == {"127.0.0.21": "disabled", "127.0.0.22": "up"}
    for _ in range(5):
        assert fc.who(vport) == "b"



# the daemon's own /etc/hosts and /etc/resolv.conf: a private mount
# namespace (unshare) with the test's files bound over them, so the host's
# are never edited and no lookup leaves the machine (a resolver on loopback
# where nothing answers: a name not in the file fails at once)
PRIVATE_ETC = 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && ' \
              'shift 2 && exec "$@"'


def private_names(d, tmp_path, hosts_text):
    hosts, resolv = tmp_path / "hosts", tmp_path / "resolv.conf"
    hosts.write_text(hosts_text)
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    argv = d.argv
    d.argv = lambda: ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                      PRIVATE_ETC, "sh", str(hosts), str(resolv)] + argv()
    return hosts


def test_node_names_resolved(daemon, cib, node_backends, backend, tmp_path):
    """A node with no `address` and no ring0_addr address is placed by the
    name its corosync ring0_addr gives (node2), else by its node name
    (node3), as corosync resolves them (here through the daemon's own
    /etc/hosts).  An address that changes is followed after resolve_ttl, a
    stream to a node that keeps its address intact; a name that stops
    resolving keeps its last address and says so."""
    bport, _ = node_backends
    backend("node3-moved", host="127.0.0.14", port=bport)
    corosync = tmp_path / "corosync.conf"
    corosync.write_text("nodelist {\n"
                        "    node {\n        ring0_addr: 127.0.0.11\n        name: node1\n    }\n"
                        "    node {\n        ring0_addr: node2.fcdns.test\n        name: node2\n"
                        "    }\n}\n")
    vport = fc.free_port()
    d = daemon(pcmk_conf(vport, bport, "        corosync_conf %s\n        resolve_ttl 0.5\n"
                         % corosync, addresses=False), start=False)
    hosts = private_names(d, tmp_path, "127.0.0.12 node2.fcdns.test\n127.0.0.13 node3\n")
    d.start()
    wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.13", 1)], FOLLOW_S + SLACK_S)
    keep = fc.Stream(vport)
    for _ in range(4):  # rr over two: one of the next ones is node2's
        if keep.name == "node2":
            break
        keep.close(check=False)
        keep = fc.Stream(vport)
    try:
        assert keep.name == "node2", keep.name
        hosts.write_text("127.0.0.12 node2.fcdns.test\n127.0.0.14 node3\n")
        wait_servers(d, vport, [("127.0.0.12", 2), ("127.0.0.14", 1)], FOLLOW_S + SLACK_S)
        fc.wait_until(lambda: fc.log_lines(d, "node name node3 now resolves to 127.0.0.14 "
                                              "(was 127.0.0.13)"), SLACK_S, "the log line")
        keep.assert_flowing()
        # node3 no longer resolves: its last address stays, and it is said
        hosts.write_text("127.0.0.12 node2.fcdns.test\n")
        fc.wait_until(lambda: fc.log_lines(d, "node name node3 cannot be resolved"),
                      FOLLOW_S + SLACK_S, "the log line")
        fc.wait_until(lambda: "node3: 'node3' does not resolve" in pool_source(d)["note"],
                      FOLLOW_S + SLACK_S, "show pools to say it")
        assert "its last address is kept" in pool_source(d)["note"]
        assert servers(d, vport) == [("127.0.0.12", 2), ("127.0.0.14", 1)]
        keep.assert_flowing()
        hosts.write_text("127.0.0.12 node2.fcdns.test\n127.0.0.14 node3\n")
        fc.wait_until(lambda: fc.log_lines(d, "node name node3 resolves again"),
                      FOLLOW_S + SLACK_S, "the log line")
        fc.wait_until(lambda: pool_source(d)["note"] == "", FOLLOW_S + SLACK_S,
                      "the note to go")
    finally:
        keep.close(check=False)
