"""Every change of state is one log line of key=value pairs (doc/metrics.md,
"Logs"): a real server going down and up with the check's reason, an
operator's drain / maint (fulcrumctl's command and HAProxy's `set server`),
a maintenance_dir file, a reload's result, a VRRP transition.  The lines
are read from the daemon's log (stderr with -l) and parsed as logfmt, the
way a log pipeline reads them."""
import os
import re

import pytest

import fc
import vrrpnet as vn

INTERVAL = 0.2

_PAIR = re.compile(r'([A-Za-z_][\w-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)')


def logfmt(line):
    """The key=value pairs of a line from `event=` on, unquoted."""
    i = line.find("event=")
    if i < 0:
        return None
    out = {}
    for k, v in _PAIR.findall(line[i:]):
        if v.startswith('"'):
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        out[k] = v
    return out


def events(d, name, **match):
    """The parsed lines of event `name` whose keys have the given values."""
    found = []
    for line in d.stderr().splitlines():
        kv = logfmt(line)
        if kv and kv.get("event") == name and all(kv.get(k) == v for k, v in match.items()):
            found.append(kv)
    return found


def wait_event(d, name, timeout=15.0, **match):
    fc.wait_until(lambda: events(d, name, **match), timeout,
                  "a log line event=%s %r" % (name, match))
    return events(d, name, **match)


def test_logfmt_parser_reads_quotes():
    kv = logfmt('12:00 fulcrum info: event=x a=1 b="two words" c="q\\"d" d= e="" msg="m"')
    assert kv == {"event": "x", "a": "1", "b": "two words", "c": 'q"d', "d": "", "e": "",
                  "msg": "m"}


def test_server_state_lines(daemon, backend, tmp_path):
    a, b = backend("a"), backend("b")
    vport = fc.free_port()
    maint = tmp_path / "maint"
    maint.mkdir()
    chk = ("        TCP_CHECK {\n            connect_timeout 1\n            retry 1\n"
           "            delay_before_retry %s\n        }\n" % INTERVAL)
    conf = ("global_defs {\n    maintenance_dir %s\n}\n"
            "virtual_server 127.0.0.1 %d {\n    delay_loop %s\n    lb_algo rr\n"
            "    lb_kind NAT\n    protocol TCP\n"
            "    real_server 127.0.0.1 %d {\n%s    }\n"
            "    real_server 127.0.0.1 %d {\n%s    }\n}\n"
            % (maint, vport, INTERVAL, a.port, chk, b.port, chk))
    d = daemon(conf)
    pool = "TCP 127.0.0.1:%d" % vport
    sa, sb = "127.0.0.1:%d" % a.port, "127.0.0.1:%d" % b.port
    fc.wait_state(d, vport, a.port, "up", 10)

    # the check takes a down: one line, its reason and checker
    a.stop()
    down = wait_event(d, "server-state", server=sa, to="DOWN")
    assert len(down) == 1, down
    kv = down[0]
    assert kv["pool"] == pool and kv["addr"] == sa and kv["from"] == "UP", kv
    assert kv["by"] == "check" and kv["check"] == "TCP_CHECK", kv
    assert "refused" in kv["reason"] and kv["reason"] in kv["msg"], kv
    # the human sentence is still there, in msg
    assert "real server %s DOWN" % sa in kv["msg"], kv

    a2 = backend("a", port=a.port)
    up = wait_event(d, "server-state", server=sa, to="UP", by="check")
    assert up[-1]["from"] == "DOWN" and up[-1]["check"] == "TCP_CHECK", up
    fc.wait_state(d, vport, a.port, "up", 10)

    # an operator: fulcrumctl's drain, HAProxy's set server ... state maint
    d.ctl_ok("drain", "127.0.0.1:%d" % vport, sb)
    kv = wait_event(d, "server-state", server=sb, to="DRAIN")[-1]
    assert kv["from"] == "UP" and kv["by"] == "command" and kv["pool"] == pool, kv
    assert "reason" not in kv and "check" not in kv, kv
    d.ctl_ok("set", "server", "127.0.0.1:%d/%s" % (vport, sb), "state", "maint")
    kv = wait_event(d, "server-state", server=sb, to="MAINT")[-1]
    assert kv["from"] == "DRAIN" and kv["by"] == "command", kv
    d.ctl_ok("set", "server", "127.0.0.1:%d/%s" % (vport, sb), "state", "ready")
    kv = wait_event(d, "server-state", server=sb, to="UP", by="command")[-1]
    assert kv["from"] == "MAINT", kv
    # a command that changes nothing logs nothing
    n = len(events(d, "server-state", server=sb))
    d.ctl_ok("set", "server", "127.0.0.1:%d/%s" % (vport, sb), "state", "ready")
    assert len(events(d, "server-state", server=sb)) == n

    # maintenance_dir: in, then out
    (maint / sa).write_text("")
    kv = wait_event(d, "server-state", server=sa, to="MAINT")[-1]
    assert kv["by"] == "maintenance_dir" and kv["from"] == "UP", kv
    os.unlink(maint / sa)
    kv = wait_event(d, "server-state", server=sa, by="maintenance_dir", to="UP")[-1]
    assert kv["from"] == "MAINT", kv
    a2.stop()


def test_reload_lines(daemon, backend):
    a = backend("a")
    vport = fc.free_port()
    conf = fc.vs_block(vport, [a])
    d = daemon(conf)
    d.ctl_ok("reload")
    kv = wait_event(d, "reload", result="ok")[-1]
    assert kv["file"] == str(d.conf) and kv["services"] == "1", kv
    assert "error" not in kv and kv["msg"].startswith("reloaded "), kv

    d.write_conf(conf + "virtual_server 127.0.0.1 %d {\n    lb_algo nosuch\n}\n"
                 % fc.free_port())
    r = d.ctl("reload")
    assert r.returncode != 0
    kv = wait_event(d, "reload", result="failed")[-1]
    assert kv["file"] == str(d.conf) and "services" not in kv, kv
    assert "nosuch" in kv["error"] or "error" in kv["error"], kv
    assert "running configuration is kept" in kv["error"], kv
    # still one line per reload: no second line for the same failure
    assert len(events(d, "reload")) == 2


@pytest.fixture
def lan(bins, request):
    why = vn.vrrp_served()
    if why:
        pytest.skip(why)
    made = []

    def make(n):
        made.append(vn.Lan(n))
        return made[-1]

    request.addfinalizer(lambda: [x.close() for x in made])
    return make


@pytest.fixture
def director(tmp_path, request):
    return vn.daemon_factory(tmp_path, request)


def test_vrrp_state_lines(lan, director):
    net = lan(1)
    d = director(net.hosts[0], vn.instance("VI_1", "eth0", 51, 120, net.vip(), 0.1))
    kv = wait_event(d, "vrrp-state", instance="VI_1", to="MASTER", timeout=10)[-1]
    assert kv["from"] == "BACKUP" and kv["vrid"] == "51" and kv["prio"] == "120", kv
    assert kv["reason"] and "BACKUP -> MASTER" in kv["msg"], kv
    # the instance leaves MASTER when it stops: nothing else before that
    assert [e["to"] for e in events(d, "vrrp-state", instance="VI_1")][-1] == "MASTER"
