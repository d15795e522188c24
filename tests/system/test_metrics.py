"""`fulcrumctl metrics` (Prometheus text format 0.0.4) and `show stat` of a
running fulcrum: promtool finds no problem in the exposition, counters only
grow between two scrapes, and the figures are those of `list --json` and
`show vrrp --json`.  NAT services with traffic on loopback; NAT and VRRP at
once in a namespace of their own (skipped where this build has no VRRP);
and /metrics over HTTP (keepalived.conf stats_listen) of one director
serving its page, NAT, DR (the XDP engine, an lvsnet testbed) and VRRP at
once (issue 14).  Skipped cleanly without promtool (Debian package prometheus)."""
import json
import re
import shutil
import subprocess
import time

import pytest

import fc
import lvsnet as ln
import vrrpnet as vn
from test_stats_listen import get
from test_xdp import HTTP, http_many, need_xdp, vs_conf as xdp_vs_conf, wait_serving, wait_up

PROMTOOL = shutil.which("promtool")

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@pytest.fixture
def promtool():
    if not PROMTOOL:
        pytest.skip("promtool not installed (Debian package prometheus)")
    return PROMTOOL


def check_metrics(promtool, text):
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), \
        "promtool check metrics:\n%s%s" % (r.stdout, r.stderr)


def parse(text):
    """{(name, frozenset(labels)): value} and {name: type}."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            types[name] = typ
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        key = (m.group(1), labels)
        assert key not in samples, "sample twice: %r" % line
        samples[key] = float(m.group(4))
    return samples, types


def value(samples, name, **labels):
    want = set(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and want <= set(ls)]
    assert len(found) == 1, "%s%r: %d samples" % (name, labels, len(found))
    return found[0]


def assert_counters_grew(before, after, types):
    for (name, labels), v in before.items():
        if types.get(name) == "counter" and (name, labels) in after:
            assert after[(name, labels)] >= v, "%s%s went down: %s -> %s" % (
                name, dict(labels), v, after[(name, labels)])


def test_nat_metrics_promtool_counters_and_list(promtool, daemon, backend):
    b1, b2 = backend("a"), backend("b")
    v1 = fc.free_port()
    dm = daemon(fc.vs_block(v1, [(b1, 1), (b2, 3)], algo="wrr"))
    for _ in range(8):
        fc.who(v1)
    first = dm.ctl_ok("metrics")
    check_metrics(promtool, first)
    s1, types = parse(first)
    for _ in range(8):
        fc.who(v1)
    second = dm.ctl_ok("metrics")
    check_metrics(promtool, second)
    s2, _ = parse(second)
    assert_counters_grew(s1, s2, types)
    pool = "TCP 127.0.0.1:%d" % v1
    # the figures are the listing's, read after the scrape (nothing runs between)
    j = dm.list_json()
    vs = dm.vs(v1, j=j)
    total = 0
    for rs in vs["real_servers"]:
        name = "127.0.0.1:%d" % rs["port"]
        assert value(s2, "haproxy_server_sessions_total", proxy=pool, server=name) == \
            rs["total_conns"]
        assert value(s2, "fulcrum_server_conns_total", pool=pool, server=name) == \
            rs["total_conns"]
        assert value(s2, "haproxy_server_bytes_in_total", proxy=pool, server=name) == \
            rs["in_bytes"]
        assert value(s2, "haproxy_server_bytes_out_total", proxy=pool, server=name) == \
            rs["out_bytes"]
        assert value(s2, "haproxy_server_weight", proxy=pool, server=name) == rs["weight"]
        assert value(s2, "haproxy_server_status", proxy=pool, server=name, state="UP") == 1
        total += rs["total_conns"]
    assert total == 16
    assert value(s2, "haproxy_backend_sessions_total", proxy=pool) == 16
    assert value(s2, "haproxy_backend_weight", proxy=pool) == 4
    assert value(s2, "fulcrum_service_conns_total", service_port=str(v1)) == \
        vs["total_conns"]
    assert types["haproxy_server_status"] == "gauge"
    assert types["haproxy_server_sessions_total"] == "counter"
    # a drained server says so, in HAProxy's names and in the CSV
    dm.ctl_ok("drain", "127.0.0.1:%d" % v1, b2.addr())
    s3, _ = parse(dm.ctl_ok("metrics"))
    assert value(s3, "haproxy_server_status", proxy=pool, server=b2.addr(), state="DRAIN") == 1
    assert value(s3, "haproxy_server_status", proxy=pool, server=b2.addr(), state="UP") == 0
    assert value(s3, "haproxy_backend_weight", proxy=pool) == 1


def test_nat_and_vrrp_at_once(promtool, bins, tmp_path, request):
    why = vn.vrrp_served()
    if why:
        pytest.skip(why)
    lan = vn.Lan(1)
    request.addfinalizer(lan.close)
    ns = lan.hosts[0]
    port, rport = fc.free_port(), fc.free_port()
    conf = (vn.instance("VI_1", "eth0", 61, 150, lan.vip(), 0.2, 3, "MASTER") +
            fc.vs_block(port, [rport]))
    dm = vn.daemon_factory(tmp_path, request)(ns, conf)
    fc.wait_until(lambda: dm.state("VI_1") == "MASTER", 20, "VI_1 MASTER")
    # adverts go out every 0.2 s: wait for some before the first scrape
    fc.wait_until(lambda: (vn.counter(dm.inst("VI_1"), "tx") or 0) >= 3, 20, "3 adverts sent")
    first = dm.ctl_ok("metrics")
    check_metrics(promtool, first)
    s1, types = parse(first)
    inst1 = dm.inst("VI_1")
    fc.wait_until(lambda: (vn.counter(dm.inst("VI_1"), "tx") or 0) > inst1["counters"]["tx"] + 2,
                  20, "more adverts")
    second = dm.ctl_ok("metrics")
    check_metrics(promtool, second)
    s2, _ = parse(second)
    assert_counters_grew(s1, s2, types)
    inst = dm.inst("VI_1")
    sent = value(s2, "fulcrum_vrrp_instance_counters_tx_total", vrrp_instance="VI_1")
    assert value(s1, "fulcrum_vrrp_instance_counters_tx_total", vrrp_instance="VI_1") < sent
    assert inst1["counters"]["tx"] <= sent <= inst["counters"]["tx"]
    assert value(s2, "fulcrum_vrrp_instance_state", vrrp_instance="VI_1", state="MASTER") == 1
    assert value(s2, "fulcrum_vrrp_instance_priority", vrrp_instance="VI_1") == inst["priority"]
    assert value(s2, "fulcrum_vrrp_instance_counters_drop_total", vrrp_instance="VI_1",
                 reason="bad_ttl") == inst["counters"]["drop"]["bad_ttl"]
    assert types["fulcrum_vrrp_instance_counters_drop_total"] == "counter"
    assert value(s2, "haproxy_backend_status", proxy="TCP 127.0.0.1:%d" % port,
                 state="UP") in (0, 1)
    # the NAT service is there in both worlds
    assert value(s2, "fulcrum_service_conns_total", service_port=str(port)) == 0
    csv = dm.ctl_ok("show", "stat")
    assert csv.startswith("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,")
    assert ("TCP 127.0.0.1:%d,BACKEND," % port) in csv


# ------------------------------------------- HTTP, NAT, DR and VRRP at once

def counters_of(obj):
    """The traffic counters of a `list --json` service or server, by the
    name /metrics gives them (fulcrum_{service,server}_NAME_total)."""
    t = obj.get("traffic", obj)
    return {k: t[k] for k in ("total_conns", "in_packets", "out_packets", "in_bytes",
                              "out_bytes")}


def prom_name(kind, key):
    return "fulcrum_%s_%s_total" % (kind, "conns" if key == "total_conns" else key)


def all_counters(j, but=None):
    """Every service's and server's counters, but those of port `but`."""
    return [(counters_of(v), [counters_of(r) for r in v["real_servers"]])
            for v in j["virtual_servers"] if v["port"] != but]


def settled(dm, timeout=20.0):
    """`list --json` once two reads 0.5 s apart have the same counters (the
    last FINs and ACKs of the traffic have gone through): the figures a
    scrape made now must show."""
    box = {}

    def same():
        first = all_counters(dm.list_json())
        time.sleep(0.5)
        box["j"] = dm.list_json()
        return first == all_counters(box["j"])
    fc.wait_until(same, timeout, "the counters to settle")
    return box["j"]


@pytest.fixture
def everything(promtool, bins, tmp_path, request):
    """One director in a namespace of an lvsnet testbed: keepalived.conf
    with stats_listen (the page and /metrics, on the director's loopback),
    a NAT service to an id backend on that loopback, an lb_kind DR service
    on the VIP to the two real servers (the XDP engine) and a MASTER
    vrrp_instance on eth0.  The namespaces, backends and daemon are undone
    at teardown, also on failure."""
    need_xdp("DR")
    why = vn.vrrp_served()
    if why:
        pytest.skip(why)
    net = ln.LvsNet(n_rs=2, v6=False)
    request.addfinalizer(net.close)
    d = net.dirs[0]
    for r in net.rs:
        net.start_backend(r, "r%d" % (r.idx - 10), HTTP, "http", peer=True)
    sport, nat, nat_rs = fc.free_port(), fc.free_port(), fc.free_port()
    net.start_backend(d, "n1", nat_rs, "id", bind="127.0.0.1")
    conf = ("global_defs {\n    stats_listen 127.0.0.1:%d\n}\n" % sport +
            fc.vs_block(nat, [nat_rs]) +
            xdp_vs_conf(net.vip, HTTP, [(r.addr, 1) for r in net.rs]) +
            vn.instance("VI_1", "eth0", 61, 150, "%s.200" % net.prefix, 0.2, 3, "MASTER"))
    dm = vn.daemon_factory(tmp_path, request)(d.ns, conf)
    net.dm, net.base, net.nat = dm, "http://127.0.0.1:%d" % sport, nat
    return net


def scrape(net):
    st, hdr, text = net.dirs[0].call(get, net.base + "/metrics")
    assert st == 200 and hdr["Content-Type"].startswith("text/plain; version=0.0.4"), \
        (st, dict(hdr), text[:500])
    return text


def traffic(net):
    """Some of each: connections through the NAT service (in the
    director's namespace), HTTP through the DR service (from the client)."""
    got = net.dirs[0].call(fc.names, net.nat, 4)
    assert got == ["n1"] * 4, got
    answers = net.client.call(http_many, net.vip, 10)
    assert {a.split()[0] for a in answers} <= {"r1", "r2"}, answers


def test_http_nat_dr_and_vrrp_at_once(everything, promtool):
    """Issue 14: /metrics over HTTP of one fulcrum serving HTTP (its stats
    listener), NAT, DR and VRRP at once, scraped twice with traffic in
    between: promtool finds no problem, counters only grow, the LVS figures
    (DR's from the XDP maps) are `list --json`'s, the VRRP instance's are
    `show vrrp --json`'s, the stats listener's frontend is there."""
    net, dm = everything, everything.dm
    wait_up(dm, net.vip, HTTP, [r.addr for r in net.rs])
    fc.wait_until(lambda: dm.state("VI_1") == "MASTER", 20, "VI_1 MASTER")
    wait_serving(net, net.vip)
    traffic(net)
    settled(dm)
    first = scrape(net)
    check_metrics(promtool, first)
    s1, types = parse(first)
    tx1 = value(s1, "fulcrum_vrrp_instance_counters_tx_total", vrrp_instance="VI_1")
    traffic(net)
    # adverts go out every 0.2 s: a few more before the second scrape
    fc.wait_until(lambda: (vn.counter(dm.inst("VI_1"), "tx") or 0) > tx1 + 2, 20,
                  "more adverts")
    j = settled(dm)
    second = scrape(net)
    j_after = dm.list_json()
    inst = dm.inst("VI_1")
    check_metrics(promtool, second)
    s2, types2 = parse(second)
    assert_counters_grew(s1, s2, types)
    assert set(types) <= set(types2), set(types) - set(types2)

    # the LVS figures are the listing's, NAT and DR alike; DR's moved
    # ... but for the stats listener's own service (a PROXY one, no real
    # server): the second scrape is its second connection
    sport = int(net.base.rsplit(":", 1)[1])
    mine = [v for v in j_after["virtual_servers"] if v["port"] == sport]
    assert [(v["forward"], v["total_conns"], v["real_servers"]) for v in mine] == \
        [("PROXY", 2, [])], mine
    assert all_counters(j, but=sport) == all_counters(j_after, but=sport), \
        "counters moved around the scrape"
    j = j_after
    kinds = {}
    for v in j["virtual_servers"]:
        pool = v.get("pool") or "%s %s:%d" % (v["protocol"].upper(), v["address"], v["port"])
        kinds[v["forward"]] = v
        for key, n in counters_of(v).items():
            got = value(s2, prom_name("service", key), service_port=str(v["port"]))
            if v["port"] == sport:
                # the listener's own figures were written while the scrape
                # was being answered: its reply's bytes come after them
                assert got <= n, (v["port"], key, got, n)
            else:
                assert got == n, (v["port"], key)
        if v["port"] == sport:
            assert 0 < value(s2, prom_name("service", "in_bytes"), service_port=str(sport))
        for rs in v["real_servers"]:
            name = "%s:%d" % (rs["address"], rs["port"])
            for key, n in counters_of(rs).items():
                assert value(s2, prom_name("server", key), pool=pool, server=name) == n, \
                    (pool, name, key)
            assert value(s2, "haproxy_server_sessions_total", proxy=pool, server=name) == \
                counters_of(rs)["total_conns"]
    assert set(kinds) == {"NAT", "DR", "PROXY"}, kinds
    nat, dr = counters_of(kinds["NAT"]), counters_of(kinds["DR"])
    assert nat["total_conns"] == 8, nat
    assert dr["total_conns"] >= 20 + 1 and dr["in_packets"] > 0 and dr["in_bytes"] > 0, dr
    assert dr["out_packets"] == 0, dr  # DR: replies never pass the director
    dr_pool = "TCP %s:%d" % (net.vip, HTTP)
    grew = [value(s, "fulcrum_server_conns_total", pool=dr_pool,
                  server="%s:%d" % (r.addr, HTTP)) for s in (s1, s2) for r in net.rs]
    assert sum(grew[2:]) >= sum(grew[:2]) + 10, grew

    # the VRRP instance is `show vrrp --json`'s
    assert inst["state"].upper() == "MASTER", inst
    assert value(s2, "fulcrum_vrrp_instance_state", vrrp_instance="VI_1", state="MASTER") == 1
    assert value(s2, "fulcrum_vrrp_instance_priority", vrrp_instance="VI_1") == inst["priority"]
    tx2 = value(s2, "fulcrum_vrrp_instance_counters_tx_total", vrrp_instance="VI_1")
    assert tx1 < tx2 <= inst["counters"]["tx"]

    # the stats listener is an HTTP frontend of its own, UP, each scrape a
    # connection to it
    assert value(s2, "haproxy_frontend_status", proxy="stats", state="UP") == 1
    assert value(s2, "haproxy_frontend_connections_total", proxy="stats") > \
        value(s1, "haproxy_frontend_connections_total", proxy="stats") >= 1
