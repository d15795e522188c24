"""Seed 004 (issue 10) replayed: the CentOS LVS high-availability guide's
ldirectord.cf, with fulcrum in place of ldirectord and IPVS.

The guide's files are used VERBATIM (tests/data/seed004/, where they come
from and how to check them is in the README there).  fulcrum reads them
with `-f FILE` and no --format: the grammar is found by probing the text.

    director  192.168.32.61   the VIP 192.168.32.66 on its eth0, fulcrum,
                              and its own web server on 0.0.0.0:80 whose
                              page says it is the fallback
                              (`fallback=127.0.0.1:80 gate`: the director
                              serves the VIP itself, IPVS's "Local")
    real      192.168.32.63   nginx (python's http.server without it)
    real      192.168.32.73     serving an index.html that says "centos";
                              the VIP on lo, arp_ignore=1/arp_announce=2
    client    192.168.32.100

The addresses exist only in this test's own namespaces (lvsnet.LvsNet).
Every page names its host, so the client can tell who answered.

What is asserted is what the guide's user sees: which page the client
gets through the VIP, what `fulcrumctl list` shows (read like `ipvsadm
-L`), and `fulcrum -t`'s verdict on the guide's annotated example.

Run: make SAN=1 && FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q \\
     tests/system/test_seed004.py        (root)
"""
import os
import re
import shutil
import socket
import time

import pytest

import fc
import lvsnet as ln
import vrrpnet as vn
from test_xdp import need_xdp

SEED = fc.REPO / "tests" / "data" / "seed004"
VIP = "192.168.32.66"
DIRECTOR = "192.168.32.61"
RS = ("192.168.32.63", "192.168.32.73")
NGINX = "/usr/sbin/nginx"

# ldirectord's defaults for what the guide's file leaves out (checkinterval
# 10 s): a server whose page lost the word is out after one failed check
# (failurecount 1), back after one good one
CHECK_VERBATIM = 10 + 10.0
# with the sample's global section (checkinterval=1, checktimeout=3)
CHECK_FAST = 1 + 3 + 6.0


def seed_text(name):
    return (SEED / name).read_text()


def installed_text():
    """The guide's /etc/ha.d/ldirectord.cf as its `cp` of the sample and
    its `vim` leave it: the sample's global section (the first eleven
    lines of the annotated example: checktimeout=3, checkinterval=1,
    autoreload=yes, fallback=..., logfile=..., quiescent=no) and then the
    virtual section the guide prints.  Both parts verbatim."""
    example = seed_text("ldirectord-example.cf").splitlines(keepends=True)
    assert example[12].startswith("virtual=5"), example[12]
    return "".join(example[:11]) + "\n" + seed_text("ldirectord.cf")


# ---------------------------------------------------------------- web servers

class Web:
    """A web server on 0.0.0.0:80 in host's namespace serving one page,
    index.html, from a directory of its own: nginx when installed (one
    process: `master_process off`, so it reads the test's temp directory
    as root), else python's http.server.  set_page() rewrites the page as
    an operator would."""

    def __init__(self, net, host, page):
        self.net, self.host = net, host
        self.dir = os.path.join(net.tmp, "web-%s" % host.addr)
        self.root = os.path.join(self.dir, "www")
        os.makedirs(self.root)
        self.set_page(page)
        if os.access(NGINX, os.X_OK):
            conf = os.path.join(self.dir, "nginx.conf")
            d = self.dir
            with open(conf, "w") as f:
                f.write("daemon off;\nmaster_process off;\npid %s/nginx.pid;\n"
                        "error_log %s/error.log;\nevents { worker_connections 256; }\n"
                        "http {\n access_log off;\n default_type text/html;\n"
                        " client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
                        " fastcgi_temp_path %s/fastcgi;\n uwsgi_temp_path %s/uwsgi;\n"
                        " scgi_temp_path %s/scgi;\n"
                        " server { listen 0.0.0.0:80; root %s; }\n}\n"
                        % (d, d, d, d, d, d, d, self.root))
            argv = [NGINX, "-e", os.path.join(d, "error.log"), "-p", d, "-c", conf]
        else:
            argv = [fc.PYTHON, "-m", "http.server", "80", "--bind", "0.0.0.0",
                    "--directory", self.root]
        self.argv = argv
        self.start()

    def start(self):
        self.proc = self.net.popen(self.host, self.argv, "web-%s" % self.host.addr, ready=False)
        fc.wait_until(lambda: self._listening(), 10.0, "the web server on %s" % self.host.addr,
                      0.1)

    def stop(self):
        self.net.stop(self.proc)

    def _listening(self):
        if not self.proc.running():
            raise AssertionError("web server on %s exited: %s"
                                 % (self.host.addr, self.proc.stderr()[-1500:]))
        out = self.host.sh("ss", "-Hltn", "sport = :80").stdout
        return "0.0.0.0:80" in out

    def set_page(self, text):
        tmp = os.path.join(self.root, ".index.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.root, "index.html"))


def rs_page(addr, word="centos"):
    return "<html><body><h1>Welcome to %s</h1><p>host %s</p></body></html>\n" % (word, addr)


FALLBACK_PAGE = ("<html><body><h1>Sorry</h1><p>host %s: the fallback, "
                 "served by the director itself</p></body></html>\n" % DIRECTOR)


def who_answered(body):
    m = re.search(r"host (\d+\.\d+\.\d+\.\d+)", body)
    return m.group(1) if m else body


def http_get(timeout=2.0):
    """One HTTP/1.0 GET of the guide's index.html through the VIP, from the
    client's namespace (run through Host.call): the page's body."""
    s = socket.create_connection((VIP, 80), timeout=timeout)
    try:
        s.sendall(b"GET /index.html HTTP/1.0\r\nHost: " + VIP.encode() + b"\r\n\r\n")
        data = fc.recv_to_eof(s, 65536)
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 200 " in head.split(b"\r\n")[0], head[:200]
    return body.decode(errors="replace")


def get(net):
    """Who answered one GET through the VIP."""
    return who_answered(net.client.call(http_get))


def first_get(net, timeout=10.0):
    def one():
        try:
            return get(net)
        except (OSError, AssertionError):
            return None
    return fc.wait_until(one, timeout, "an answer from %s:80" % VIP, 0.2)


class KeepAlive:
    """An HTTP/1.1 keep-alive stream through the VIP, opened in the
    client's namespace and used from the test's thread."""

    def __init__(self, net):
        self.s = net.client.call(socket.create_connection, (VIP, 80), timeout=3.0)

    def get(self):
        self.s.sendall(b"GET /index.html HTTP/1.1\r\nHost: " + VIP.encode() + b"\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.s.recv(4096)
            assert chunk, "the stream was closed by the server"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?i)content-length:\s*(\d+)", head)
        assert m, head
        while len(body) < int(m.group(1)):
            chunk = self.s.recv(4096)
            assert chunk, "the stream was closed mid-answer"
            body += chunk
        return who_answered(body.decode(errors="replace"))

    def close(self):
        self.s.close()


# ---------------------------------------------------------------- listing

SVC_LINE = re.compile(r"^(TCP|UDP)\s+(\S+)\s+(\S+)")
RS_LINE = re.compile(r"^\s+->\s+(\S+):(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def listing(d):
    """`fulcrumctl list` read like `ipvsadm -L`: {address: weight} of the
    real servers of the VIP's service."""
    out = d.ctl_ok("list")
    rs, cur = {}, False
    for line in out.splitlines():
        m = SVC_LINE.match(line)
        if m:
            cur = m.group(2) == "%s:80" % VIP
            continue
        m = RS_LINE.match(line)
        if cur and m:
            rs[m.group(1)] = int(m.group(4))
    return rs


def wait_listing(d, want, timeout, what):
    try:
        fc.wait_until(lambda: listing(d) == want, timeout, what, 0.2)
    except AssertionError:
        raise AssertionError("timed out after %.0fs waiting for %s: want %r, listing:\n%s\n"
                             "log:\n%s" % (timeout, what, want, d.ctl_ok("list"),
                                           d.stderr()[-2000:]))


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def guide_net(bins):
    """The guide's LAN in namespaces, the real servers' VIP on lo set by
    hand as the guide's readers do, their web servers and the director's
    own running; removed at teardown."""
    need_xdp("DR")
    net = ln.LvsNet(n_rs=2, n_dir=1, rs_vip="manual", v6=False, prefix="192.168.32",
                    vip_idx=66, client_idx=100, dir_idx=(61,), rs_idx=(63, 73))
    try:
        assert tuple(r.addr for r in net.rs) == RS and net.dirs[0].addr == DIRECTOR
        net.web = {r.addr: Web(net, r, rs_page(r.addr)) for r in net.rs}
        net.director_web = Web(net, net.dirs[0], FALLBACK_PAGE)
        yield net
    finally:
        net.close()


@pytest.fixture
def site(guide_net, tmp_path, request):
    """site(text) -> fulcrum on the director with that ldirectord.cf
    (`-f` only), started; it must stop cleanly (exit 0, no sanitizer
    report) before the namespaces go."""
    make = vn.daemon_factory(tmp_path, request)

    def start(text, sub="director"):
        d = make(guide_net.dirs[0].ns, text, sub=sub)
        return d
    return start


# ------------------------------------------------------------------- tests

def test_fulcrum_t_reads_the_guide_file_and_refuses_the_annotated_example(bins, tmp_path):
    """`fulcrum -t -f` on the file the guide runs: accepted, read as
    ldirectord.cf without being told.  On the annotated example: refused,
    at the `virtual=5` line, naming what is not served (a firewall-mark
    service); the file is left as it is."""
    ok = tmp_path / "ldirectord.cf"
    shutil.copy(SEED / "ldirectord.cf", ok)
    r = fc.run_fulcrum("-t", "-f", str(ok))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ldirectord" in r.stdout + r.stderr, r.stdout + r.stderr

    bad = tmp_path / "ldirectord-example.cf"
    shutil.copy(SEED / "ldirectord-example.cf", bad)
    before = bad.read_bytes()
    r = fc.run_fulcrum("-t", "-f", str(bad))
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert re.search(r"ldirectord-example\.cf:13: .*(fwmark|firewall mark|virtual=5)", out), out
    assert bad.read_bytes() == before


def test_fulcrum_t_refuses_a_local_server_on_another_port(bins, tmp_path):
    """The director's own server is reached unchanged, at the VIP's port:
    a local sorry server on another port is refused at the virtual
    server's line, saying why (ldirectord's reader moves a fallback's port
    to the virtual's with a warning, as ldirectord does; keepalived.conf
    says it outright)."""
    conf = tmp_path / "keepalived.conf"
    conf.write_text("virtual_server %s 80 {\n    lb_algo wrr\n    lb_kind DR\n"
                    "    sorry_server 127.0.0.1 8080\n"
                    "    real_server %s 80 {\n        weight 1\n    }\n}\n" % (VIP, RS[0]))
    r = fc.run_fulcrum("-t", "-f", str(conf))
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert re.search(r"keepalived\.conf:1: virtual_server TCP %s:80: sorry server "
                     r"127\.0\.0\.1:8080 is this host: .* port 80" % re.escape(VIP), out), out


def test_clients_are_spread_wrr_over_both_servers(site, guide_net):
    """The guide's file as it stands: both servers listed (Route, weight 1)
    and the clients' requests alternate between them (wrr, equal
    weights); the fallback takes nothing while they are up."""
    net = guide_net
    d = site(seed_text("ldirectord.cf"))
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_VERBATIM, "both servers up")
    first_get(net)
    got = [get(net) for _ in range(10)]
    assert sorted(set(got)) == list(RS), got
    assert all(a != b for a, b in zip(got, got[1:])), "not alternating: %r" % got


def test_page_without_centos_is_removed_and_returns(site, guide_net):
    """quiescent=no (the sample's global section): the server whose page
    loses the word is removed from the listing and gets no new client;
    the page back, it returns to both."""
    net = guide_net
    d = site(installed_text())
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_FAST, "both servers up")
    first_get(net)
    net.web[RS[0]].set_page(rs_page(RS[0], word="maintenance"))
    wait_listing(d, {RS[1]: 1}, CHECK_FAST, "%s to be removed" % RS[0])
    got = [get(net) for _ in range(6)]
    assert got == [RS[1]] * 6, got
    net.web[RS[0]].set_page(rs_page(RS[0]))
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_FAST, "%s to return" % RS[0])
    got = [get(net) for _ in range(6)]
    assert sorted(set(got)) == list(RS), got


def test_both_gone_the_director_answers_then_a_server_returns(site, guide_net):
    """Both pages lose the word: the director's own web server answers on
    the VIP (fallback=127.0.0.1:80 gate, passed to the director's stack:
    `show xdp` counts it `local`); one page back, that server answers
    again and the fallback takes nothing more."""
    net = guide_net
    d = site(installed_text())
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_FAST, "both servers up")
    for a in RS:
        net.web[a].set_page(rs_page(a, word="maintenance"))
    # the fallback is listed in their place, as ldirectord adds it to
    # the IPVS table then
    wait_listing(d, {"127.0.0.1": 1}, CHECK_FAST, "both servers to be removed")
    first = fc.wait_until(lambda: first_get(net, 2.0) == DIRECTOR, 6.0,
                          "the fallback to answer", 0.2)
    got = [get(net) for _ in range(4)]
    assert first and got == [DIRECTOR] * 4, got
    xdp = d.ctl_ok("show", "xdp")
    assert re.search(r"^\s+local\s+[1-9]", xdp, re.M), xdp
    assert re.search(r"127\.0\.0\.1:80 .*sorry live ready .*local", xdp), xdp

    net.web[RS[1]].set_page(rs_page(RS[1]))
    wait_listing(d, {RS[1]: 1}, CHECK_FAST, "%s to return" % RS[1])
    got = [get(net) for _ in range(4)]
    assert got == [RS[1]] * 4, got


def test_fallback_on_the_director_without_the_vip_is_warned(site, guide_net):
    """The director does not hold the VIP (a VRRP backup, or a forgotten
    `ip addr add`): the fallback's packets would reach a stack that does
    not take them, and fulcrum says so when it applies the file."""
    net = guide_net
    net.del_vip(net.dirs[0])
    d = site(seed_text("ldirectord.cf"))
    fc.wait_until(lambda: "the VIP is not an address of this host" in d.stderr(), 15.0,
                  "the warning about the VIP")
    assert re.search(r"sorry server 127\.0\.0\.1:80 is this host, but the VIP is not",
                     d.stderr()), d.stderr()[-2000:]


def keepalived_text(inhibit):
    """The guide's service written as keepalived.conf, one real server
    with a TCP check and the director's own web server as sorry server."""
    return ("virtual_server %s 80 {\n    delay_loop 1\n    lb_algo wrr\n    lb_kind DR\n"
            "    protocol TCP\n    sorry_server 127.0.0.1 80\n%s"
            "    real_server %s 80 {\n        TCP_CHECK {\n            connect_timeout 1\n"
            "        }\n    }\n}\n" % (VIP, "    sorry_server_inhibit\n" if inhibit else "",
                                         RS[0]))


@pytest.mark.parametrize("inhibit", [True, False], ids=["sorry_server_inhibit", "plain"])
def test_a_stream_on_the_director_when_the_real_server_returns(site, guide_net, inhibit):
    """A client served by the director's own web server (the sorry server,
    a local server) keeps its keep-alive stream when the real server comes
    back if sorry_server_inhibit keeps the sorry server in the table
    (weight 0, as keepalived does); without it the sorry server leaves and
    the stream's requests soon land on the real server, which resets it
    (IPVS's expire_nodest_conn).  New clients go to the real server either
    way."""
    net = guide_net
    net.web[RS[0]].stop()
    d = site(keepalived_text(inhibit))
    fc.wait_until(lambda: first_get(net, 2.0) == DIRECTOR, 10.0, "the sorry server", 0.2)
    held = KeepAlive(net)
    try:
        assert held.get() == DIRECTOR
        net.web[RS[0]].start()
        fc.wait_until(lambda: first_get(net, 2.0) == RS[0], 10.0,
                      "the real server back", 0.2)
        if inhibit:
            for _ in range(3):
                assert held.get() == DIRECTOR
            assert re.search(r"127\.0\.0\.1:80 .*sorry live ready weight 0 .*local",
                             d.ctl_ok("show", "xdp")), d.ctl_ok("show", "xdp")
        else:
            # The sorry server leaves the table in the apply that follows the
            # real server's return, which may come a moment after the first
            # new client reached the real server: the stream breaks within a
            # bound, not necessarily at its very next request.
            deadline = time.monotonic() + 5.0
            while True:
                try:
                    held.get()
                except (OSError, AssertionError):
                    break
                assert time.monotonic() < deadline, (
                    "the stream on the director still answers 5 s after the real server "
                    "returned:\n" + d.ctl_ok("show", "xdp"))
                time.sleep(0.2)
    finally:
        held.close()


def test_verbatim_file_removes_a_failed_server(site, guide_net):
    """The guide's file as it stands, ldirectord's own defaults for the rest
    (quiescent=no as its set_defaults has it, checkinterval=10): the
    server whose page lost the word leaves the listing and gets no new
    client."""
    net = guide_net
    d = site(seed_text("ldirectord.cf"))
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_VERBATIM, "both servers up")
    first_get(net)
    net.web[RS[1]].set_page(rs_page(RS[1], word="maintenance"))
    wait_listing(d, {RS[0]: 1}, CHECK_VERBATIM, "%s to be removed" % RS[1])
    got = [get(net) for _ in range(6)]
    assert got == [RS[0]] * 6, got


def test_autoreload_applies_a_weight_and_keeps_other_streams(site, guide_net):
    """autoreload=yes: the operator rewrites the file with a weight for one
    real server (`gate 3`); fulcrum applies it without being told, and a
    keep-alive stream held open to the other server goes on answering.
    New clients then follow wrr 3:1."""
    net = guide_net
    d = site(installed_text())
    wait_listing(d, {RS[0]: 1, RS[1]: 1}, CHECK_FAST, "both servers up")
    first_get(net)
    # a stream to .73, held open across the edit
    streams = []
    try:
        for _ in range(4):
            s = KeepAlive(net)
            streams.append(s)
            if s.get() == RS[1]:
                break
        held = streams[-1]
        assert held.get() == RS[1]
        text = installed_text()
        line = "real=%s:80 gate\n" % RS[0]
        assert text.count(line) == 1
        d.write_conf(text.replace(line, "real=%s:80 gate 3\n" % RS[0]))
        wait_listing(d, {RS[0]: 3, RS[1]: 1}, 10.0, "autoreload to apply weight 3")
        for _ in range(3):
            assert held.get() == RS[1]
        got = [get(net) for _ in range(8)]
        assert got.count(RS[0]) == 6 and got.count(RS[1]) == 2, got
        assert held.get() == RS[1]
    finally:
        for s in streams:
            s.close()
