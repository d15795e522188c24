"""The OCF resource agents ocf/fulcrum (ocf:fulcrum:fulcrum) and
ocf/fulcrum-realserver (ocf:fulcrum:realserver): their metadata against the
OCF DTD, Debian's ocf-tester on both (the command lines of
doc/pacemaker.md), and the exit codes a cluster acts on: 7 stopped, 0
running, 8 promoted, 190/191 degraded (a pool below quorum), 1/9 for a
daemon that no longer answers, 6 for a configuration fulcrum -t refuses.

Every agent run happens inside a network namespace made by the test (its
lo and a veth pair hold the VIPs and the ARP sysctls the agents set);
teardown stops what the agent started and deletes the namespace, also on
failure.  Skipped without ocf-tester (package resource-agents, which
./dev check installs).  Root only.

    make && /usr/bin/python3 -m pytest -q tests/system/test_ocf.py
"""
import itertools
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import fc

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
OCF_ROOT = Path("/usr/lib/ocf")
OCF_TESTER = shutil.which("ocf-tester") or "/usr/sbin/ocf-tester"
DTD = Path("/usr/share/resource-agents/ra-api-1.dtd")
AGENT = fc.REPO / "ocf" / "fulcrum"
RS_AGENT = fc.REPO / "ocf" / "fulcrum-realserver"
VIP = "10.231.0.100"
_seq = itertools.count(1)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.access(OCF_TESTER, os.X_OK) or
                       not (OCF_ROOT / "lib/heartbeat/ocf-shellfuncs").exists(),
                       reason="resource-agents (ocf-tester) is not installed"),
]

OCF = {"OCF_SUCCESS": 0, "OCF_ERR_GENERIC": 1, "OCF_ERR_CONFIGURED": 6,
       "OCF_NOT_RUNNING": 7, "OCF_RUNNING_PROMOTED": 8, "OCF_FAILED_PROMOTED": 9,
       "OCF_DEGRADED": 190, "OCF_DEGRADED_PROMOTED": 191}


def sh(*args, check=True, timeout=30.0):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s%s" % (" ".join(map(str, args)), r.returncode,
                                                 r.stdout, r.stderr))
    return r


class Host:
    """A namespace standing for one cluster node: lo up, a veth pair (d0
    holds 10.231.0.1/24 and, when promoted, the VIP), a private run
    directory (mode 700: fulcrum accepts a control socket only in a
    directory others cannot write).  close() kills what the agent started
    in it (by the pid files) and deletes it."""

    def __init__(self, tmp_path):
        self.ns = "focf-%d-%d-%s" % (os.getpid(), next(_seq), os.urandom(2).hex())
        self.run = tmp_path / ("run-" + self.ns)
        self.run.mkdir(mode=0o700)
        sh(IP, "netns", "add", self.ns)
        sh(IP, "-n", self.ns, "link", "set", "lo", "up")
        sh(IP, "-n", self.ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1")
        for dev in ("d0", "d1"):
            sh(IP, "-n", self.ns, "link", "set", dev, "up")
        sh(IP, "-n", self.ns, "addr", "add", "10.231.0.1/24", "dev", "d0")

    def close(self):
        for pidfile in self.run.glob("*.pid"):
            try:
                os.kill(int(pidfile.read_text().strip()), signal.SIGKILL)
            except (ValueError, OSError):
                pass
        sh(IP, "netns", "del", self.ns, check=False)

    def env(self, params):
        e = fc.env()
        e["PATH"] = "%s:%s" % (fc.BUILD, e.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"))
        e.update({"OCF_ROOT": str(OCF_ROOT), "OCF_RESOURCE_INSTANCE": "fc",
                  "OCF_RESKEY_CRM_meta_timeout": "20000", "HA_RSCTMP": str(self.run)})
        e.update({"OCF_RESKEY_" + k: v for k, v in params.items()})
        return e

    def agent(self, agent, action, params, interval=10000):
        env = self.env(params)
        env["OCF_RESKEY_CRM_meta_interval"] = str(interval)
        env["__OCF_ACTION"] = action
        return subprocess.run([IP, "netns", "exec", self.ns, str(agent), action],
                              capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL)

    def addrs(self, dev):
        return sh(IP, "-n", self.ns, "-o", "addr", "show", "dev", dev).stdout

    def sysctl(self, name):
        return sh(IP, "netns", "exec", self.ns, "sysctl", "-n", name).stdout.strip()


@pytest.fixture
def host(tmp_path):
    made = []

    def make():
        h = Host(tmp_path)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def conf(tmp_path, text):
    p = tmp_path / "fulcrum.conf"
    p.write_text(text)
    return p


def proxy_conf(tmp_path, check=""):
    """One PROXY service on the VIP; with check, its one server has a
    TCP_CHECK on a port nothing listens on (the pool goes below quorum)."""
    return conf(tmp_path, """
virtual_server %s 18080 {
    lb_algo rr
    lb_kind PROXY
    delay_loop 1
    real_server 10.231.0.1 18081 {
        weight 1
%s    }
}
""" % (VIP, "        TCP_CHECK {\n            connect_timeout 1\n        }\n" if check else ""))


def director_params(h, config, **more):
    p = {"config": str(config), "binary": str(fc.FULCRUM), "ctl": str(fc.FULCRUMCTL),
         "pidfile": str(h.run / "fulcrum.pid"), "control": str(h.run / "fulcrum.sock")}
    p.update(more)
    return p


def ocf_tester(h, agent, params):
    """ocf-tester -n fc -o k=v ... AGENT in h's namespace, as
    doc/pacemaker.md runs it."""
    argv = [IP, "netns", "exec", h.ns, OCF_TESTER, "-n", "fc"]
    for k, v in params.items():
        argv += ["-o", "%s=%s" % (k, v)]
    argv.append(str(agent))
    env = h.env({})
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0 and "passed all tests" in r.stdout, r.stdout + r.stderr
    return r


# ------------------------------------------------------------ metadata

@pytest.mark.parametrize("agent", [AGENT, RS_AGENT], ids=["fulcrum", "realserver"])
def test_metadata_valid_against_ra_api_dtd(agent, tmp_path):
    """meta-data exits 0 and validates against the OCF ra-api DTD that
    resource-agents ships; every action the issue asks for is declared."""
    if not DTD.exists() or not shutil.which("xmllint"):
        pytest.skip("no %s or xmllint" % DTD)
    r = subprocess.run([str(agent), "meta-data"], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, OCF_ROOT=str(OCF_ROOT)))
    assert r.returncode == 0, r.stderr
    xml = tmp_path / "meta.xml"
    xml.write_text(r.stdout)
    v = sh("xmllint", "--noout", "--dtdvalid", DTD, xml, check=False)
    assert v.returncode == 0, v.stderr
    assert "<version>1.1</version>" in r.stdout
    want = ("start", "stop", "monitor", "validate-all", "meta-data")
    if agent == AGENT:
        want += ("promote", "demote", "notify", "reload")
        for p in ("config", "format", "binary", "ctl", "pidfile", "unpromoted_role"):
            assert '<parameter name="%s"' % p in r.stdout, p
    for a in want:
        assert '<action name="%s"' % a in r.stdout, a


# ------------------------------------------------------------ ocf-tester

@pytest.mark.parametrize("mode", ["primitive", "promotable", "promotable-realserver"])
def test_ocf_tester_director(host, tmp_path, mode):
    h = host()
    params = director_params(h, proxy_conf(tmp_path))
    if mode != "primitive":
        params.update(vip=VIP, nic="d0", CRM_meta_promotable="true")
    if mode == "promotable-realserver":
        params.update(unpromoted_role="realserver",
                      realserver_state=str(h.run / "rs.state"))
    ocf_tester(h, AGENT, params)
    # it leaves the host as it found it
    assert VIP not in h.addrs("d0") and VIP not in h.addrs("lo")
    assert not (h.run / "fulcrum.pid").exists()
    assert h.sysctl("net.ipv4.conf.all.arp_ignore") == "0"


def test_ocf_tester_realserver(host):
    h = host()
    ocf_tester(h, RS_AGENT, {"vip": "%s,10.231.0.101" % VIP, "binary": str(fc.FULCRUM),
                             "state": str(h.run / "rs.state")})
    assert VIP not in h.addrs("lo")
    assert h.sysctl("net.ipv4.conf.all.arp_ignore") == "0"


def test_realserver_decap(host):
    """decap=true (LVS-TUN real servers): start attaches fulcrum's
    decapsulator to `dev` as well as the VIP on lo, monitor says running,
    a decapsulator taken off behind the cluster's back is a failure, stop
    leaves no program; ocf-tester passes with it."""
    h = host()
    params = {"vip": VIP, "binary": str(fc.FULCRUM), "state": str(h.run / "rs.state"),
              "decap": "true", "dev": "d0"}

    def xdp_on_d0():
        return "xdp" in sh(IP, "-n", h.ns, "link", "show", "dev", "d0").stdout

    ocf_tester(h, RS_AGENT, params)
    assert not xdp_on_d0() and VIP not in h.addrs("lo")
    r = h.agent(RS_AGENT, "start", params)
    assert r.returncode == 0, r.stdout + r.stderr
    try:
        assert xdp_on_d0() and VIP in h.addrs("lo")
        assert h.agent(RS_AGENT, "monitor", params).returncode == 0
        sh(IP, "-n", h.ns, "link", "set", "dev", "d0", "xdp", "off")
        r = h.agent(RS_AGENT, "monitor", params)
        assert r.returncode == 1, r.stdout + r.stderr
    finally:
        r = h.agent(RS_AGENT, "stop", params)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not xdp_on_d0() and VIP not in h.addrs("lo")
    assert h.agent(RS_AGENT, "monitor", params).returncode == 7


# ------------------------------------------------------------ what Pacemaker sees

def test_director_promotable_codes(host, tmp_path):
    """The promotable clone's life as Pacemaker drives it, and the codes it
    acts on: the VIP is on d0 only while promoted; a daemon stopped with
    SIGSTOP (alive, not answering) is a failure (1, or 9 promoted), not
    "running"."""
    h = host()
    p = director_params(h, proxy_conf(tmp_path), vip=VIP, nic="d0", CRM_meta_promotable="true")
    assert h.agent(AGENT, "monitor", p, interval=0).returncode == OCF["OCF_NOT_RUNNING"]
    assert h.agent(AGENT, "start", p).returncode == 0
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_SUCCESS"]
    assert VIP not in h.addrs("d0")
    assert h.agent(AGENT, "promote", p).returncode == 0
    assert VIP in h.addrs("d0")
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_RUNNING_PROMOTED"]

    pid = int((h.run / "fulcrum.pid").read_text())
    os.kill(pid, signal.SIGSTOP)
    try:
        r = h.agent(AGENT, "monitor", p)
        assert r.returncode == OCF["OCF_FAILED_PROMOTED"], r
        assert "does not answer" in r.stderr
    finally:
        os.kill(pid, signal.SIGCONT)
    assert h.agent(AGENT, "demote", p).returncode == 0
    assert VIP not in h.addrs("d0")
    os.kill(pid, signal.SIGSTOP)
    try:
        assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_ERR_GENERIC"]
    finally:
        os.kill(pid, signal.SIGCONT)
    assert h.agent(AGENT, "stop", p).returncode == 0
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_NOT_RUNNING"]
    fc.wait_until(lambda: not os.path.exists("/proc/%d" % pid), 10, "the daemon's exit")


def test_director_degraded_below_quorum(host, tmp_path):
    """A pool below its quorum is 190 (191 promoted) while degraded=true,
    0 (8) with degraded=false."""
    h = host()
    p = director_params(h, proxy_conf(tmp_path, check=True), vip=VIP, nic="d0",
                        CRM_meta_promotable="true")
    assert h.agent(AGENT, "start", p).returncode == 0
    fc.wait_until(lambda: h.agent(AGENT, "monitor", p).returncode == OCF["OCF_DEGRADED"], 20,
                  "monitor 190 once the check failed")
    assert h.agent(AGENT, "monitor", dict(p, degraded="false")).returncode == 0
    assert h.agent(AGENT, "promote", p).returncode == 0
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_DEGRADED_PROMOTED"]
    assert h.agent(AGENT, "monitor", dict(p, degraded="false")).returncode == \
        OCF["OCF_RUNNING_PROMOTED"]
    assert h.agent(AGENT, "stop", p).returncode == 0


def test_realserver_role_when_unpromoted(host, tmp_path):
    """unpromoted_role=realserver: unpromoted, no director runs and the VIP
    is on lo with the ARP sysctls (seed 001's slaves); promoted, the VIP
    moves to d0 and the daemon serves; demoted, back again."""
    h = host()
    p = director_params(h, proxy_conf(tmp_path), vip=VIP, nic="d0", CRM_meta_promotable="true",
                        unpromoted_role="realserver", realserver_state=str(h.run / "rs.state"))
    assert h.agent(AGENT, "start", p).returncode == 0
    assert VIP in h.addrs("lo") and VIP not in h.addrs("d0")
    assert h.sysctl("net.ipv4.conf.all.arp_ignore") == "1"
    assert h.sysctl("net.ipv4.conf.all.arp_announce") == "2"
    assert not (h.run / "fulcrum.pid").exists()
    assert h.agent(AGENT, "monitor", p).returncode == 0
    assert h.agent(AGENT, "promote", p).returncode == 0
    assert VIP in h.addrs("d0") and VIP not in h.addrs("lo")
    assert h.sysctl("net.ipv4.conf.all.arp_ignore") == "0"
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_RUNNING_PROMOTED"]
    assert h.agent(AGENT, "demote", p).returncode == 0
    assert VIP in h.addrs("lo") and VIP not in h.addrs("d0")
    assert not (h.run / "fulcrum.pid").exists()
    # the real-server setup removed by hand is a failure, not "stopped"
    sh(IP, "-n", h.ns, "addr", "del", VIP + "/32", "dev", "lo")
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_ERR_GENERIC"]
    assert h.agent(AGENT, "stop", p).returncode == 0
    assert h.agent(AGENT, "monitor", p).returncode == OCF["OCF_NOT_RUNNING"]


def test_validate_all_runs_config_test(host, tmp_path):
    """validate-all is fulcrum -t: a refused file is 6 with its file:line
    reason; start refuses it the same way and starts nothing."""
    h = host()
    bad = conf(tmp_path, "virtual_server %s 18080 {\n    lb_kind PROXY\n    lb_algo nonesuch\n}\n" % VIP)
    p = director_params(h, bad)
    r = h.agent(AGENT, "validate-all", p)
    assert r.returncode == OCF["OCF_ERR_CONFIGURED"], r
    assert "%s:3:" % bad in r.stderr, r.stderr
    assert h.agent(AGENT, "start", p).returncode == OCF["OCF_ERR_CONFIGURED"]
    assert not (h.run / "fulcrum.pid").exists()
    assert h.agent(AGENT, "validate-all", director_params(h, bad, unpromoted_role="x")) \
        .returncode == OCF["OCF_ERR_CONFIGURED"]
    r = h.agent(RS_AGENT, "validate-all", {"vip": "not-an-ip", "binary": str(fc.FULCRUM)})
    assert r.returncode == OCF["OCF_ERR_CONFIGURED"]


def test_reload_applies_a_changed_file(host, tmp_path):
    """reload: the file is checked, then the running daemon re-reads it."""
    h = host()
    cfg = proxy_conf(tmp_path)
    p = director_params(h, cfg)
    assert h.agent(AGENT, "start", p).returncode == 0
    cfg.write_text(cfg.read_text().replace("lb_algo rr", "lb_algo wlc"))
    assert h.agent(AGENT, "reload", p).returncode == 0
    out = sh(IP, "netns", "exec", h.ns, fc.FULCRUMCTL, "-S", h.run / "fulcrum.sock", "list").stdout
    assert "wlc" in out, out
    assert h.agent(AGENT, "stop", p).returncode == 0
