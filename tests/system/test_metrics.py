"""`fulcrumctl metrics` (Prometheus text format 0.0.4) and `show stat` of a
running fulcrum: promtool finds no problem in the exposition, counters only
grow between two scrapes, and the figures are those of `list --json` and
`show vrrp --json`.  NAT services with traffic on loopback; NAT and VRRP at
once in a namespace of their own (skipped where this build has no VRRP).
Skipped cleanly without promtool (Debian package prometheus)."""
import json
import re
import shutil
import subprocess

import pytest

import fc
import vrrpnet as vn

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
