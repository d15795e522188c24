"""Director failover with the XDP engine: a VRRP pair of fulcrum directors
serving the same LVS-DR service, long-lived TCP streams through the VIP,
the master dies (SIGKILL, then its link goes down: the host is gone) and
the backup takes the VIP over.  Every stream keeps flowing (issue 5: "flows
survive failover"): the backup has no connection-table entry for them, but
it places each 5-tuple with the same Maglev table over the same servers,
so every packet lands on the server that already holds the connection.

Uses the testbed and fixtures of test_xdp.py (lvsnet.LvsNet: bridge, client,
two directors, real servers set up by `fulcrum realserver start`)."""
import time

import fc
import vrrpnet as vn
from test_xdp import (STREAM, director, lvs, need_xdp, open_streams, rs_list,  # noqa: F401
                      start_http, start_streams_srv, vs_conf, wait_up)

ADVERT = 0.1


def vrrp_conf(net, prio):
    return vn.instance("VI_1", "eth0", 61, prio, net.vip, ADVERT, 3, plen=24)


def has_vip(host, vip):
    return vip in host.sh("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout


def test_streams_survive_director_failover(lvs, director):
    need_xdp("DR")
    net = lvs(n_rs=3, n_dir=2, v6=False, vip_on_dir=False)  # VRRP owns the VIP
    a, b = net.dirs
    start_http(net)         # the TCP_CHECKs look at port 80
    start_streams_srv(net)
    service = vs_conf(net.vip, STREAM, rs_list(net))
    da = director(a, vrrp_conf(net, 150) + service)
    db = director(b, vrrp_conf(net, 100) + service)
    fc.wait_until(lambda: da.state("VI_1") == "MASTER" and has_vip(a, net.vip), 10.0,
                  "director A master with the VIP")
    fc.wait_until(lambda: db.state("VI_1") == "BACKUP" and not has_vip(b, net.vip), 10.0,
                  "director B backup without the VIP")
    for dm in (da, db):
        wait_up(dm, net.vip, STREAM, [r.addr for r in net.rs])

    def one_stream():
        try:
            st = net.client.call(fc.Stream, STREAM, net.vip, None, 2.0)
        except OSError:
            return False
        st.close()
        return True
    # the first flows may wait for next-hop MACs still being resolved
    try:
        fc.wait_until(one_stream, 15.0, "a first stream through the VIP", 0.2)
    except AssertionError:
        print("diagnostics:", da.stderr(), da.ctl("show", "xdp").stdout, a.sh("ip", "addr").stdout,
              net.client.sh("ip", "neigh").stdout, a.sh("ip", "link").stdout)
        raise
    streams = open_streams(net, net.vip, 2, ["r1", "r2", "r3"])
    try:
        for s in streams:
            s.assert_flowing()
        # the master host dies: the daemon is killed and its link goes away
        # (a killed daemon leaves its XDP program and the VIP behind; a dead
        # host answers nothing)
        da.exit_expected = True
        t_wall = time.time()
        da.kill()
        a.sh("ip", "link", "set", "eth0", "down")
        fc.wait_until(lambda: db.state("VI_1") == "MASTER" and has_vip(b, net.vip), 15.0,
                      "director B to take over")
        # timed on B's own log stamp: a poll through fulcrumctl takes
        # seconds on a loaded host
        took = fc.log_since(t_wall, [l for l in db.stderr().splitlines()
                                     if "event=vrrp-state instance=VI_1 " in l and
                                     " to=MASTER " in l][-1])
        broken = []
        for s in streams:
            try:
                s.assert_flowing(n=5, timeout=8.0)
            except (AssertionError, OSError) as e:
                broken.append("%s: %s" % (s.name, e))
        assert not broken, "%d of %d streams broke across the failover:\n%s" % (
            len(broken), len(streams), "\n".join(broken))
        # and they went through B's XDP program
        j = db.list_json()
        v = [x for x in j["virtual_servers"] if x["port"] == STREAM][0]
        assert sum(r["in_packets"] for r in v["real_servers"]) > 0, v
        assert took < 3 * ADVERT + 1.0 + 1.0, "takeover took %.2fs" % took
    finally:
        for s in streams:
            s.close()
