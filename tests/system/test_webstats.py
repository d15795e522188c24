"""The stats page and /metrics served by the HTTP engine from haproxy.cfg
(issue 14): one haproxy.cfg served by fulcrum AND by Debian's
/usr/sbin/haproxy side by side on loopback, each asked the same requests,
their answers compared where HAProxy's are the reference (401 and its
realm and body, the CSV header, the 303 result codes of the admin form),
and what a user sees checked on fulcrum (a POSTed drain shows in `show
stat`, a refused or malformed POST changes nothing, /metrics passes
promtool).  Skipped without haproxy (the comparisons) or promtool (that
check only)."""
import csv
import http.client
import io
import json
import os
import shutil
import socket
import subprocess

import pytest

import fc

HAPROXY = "/usr/sbin/haproxy"
PROMTOOL = shutil.which("promtool")

CFG = """global
    stats socket {sock} mode 600 level admin
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 5s
frontend fe
    bind 127.0.0.1:{fe}
    stats enable
    stats uri /st
    stats refresh 7s
    stats admin if TRUE
    default_backend app
backend app
    server a1 {b1}
    server a2 {b2}
backend other
    server o1 {b1}
listen locked
    bind 127.0.0.1:{lk}
    stats uri /status
    stats realm Private
    stats auth admin:password
    stats auth ops:s3cret
    stats hide-version
    stats scope other
    server l1 {b1}
frontend metrics
    bind 127.0.0.1:{m}
    http-request use-service prometheus-exporter if {{ path /metrics }}
"""

ADMIN = "Basic YWRtaW46cGFzc3dvcmQ="  # admin:password
OPS = "Basic b3BzOnMzY3JldA=="       # ops:s3cret


class Site:
    """One program serving CFG: its ports, and requests to them."""

    def __init__(self, ports):
        self.fe, self.lk, self.m = ports

    def req(self, port, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def get(self, path, port=None, **kw):
        return self.req(port or self.fe, "GET", path, **kw)

    def post(self, body, path="/st", port=None, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.req(port or self.fe, "POST", path, body=body, headers=h)


def ports():
    return (fc.free_port(), fc.free_port(), fc.free_port())


def stat_rows(text):
    lines = text.splitlines()
    header = lines[0][2:].split(",")
    return {(r[0], r[1]): dict(zip(header, r)) for r in csv.reader(io.StringIO(
        "\n".join(lines[1:]))) if r}


@pytest.fixture
def sites(daemon, backend, tmp_path):
    """(fulcrum's Site, haproxy's Site or None, the fulcrum daemon)."""
    b1, b2 = backend("a"), backend("b")
    fp = ports()
    conf = CFG.format(sock=tmp_path / "f.sock", fe=fp[0], lk=fp[1], m=fp[2], b1=b1.addr(),
                      b2=b2.addr())
    dm = daemon(conf)
    ours = Site(fp)
    fc.wait_until(lambda: ours.get("/st")[0] == 200, 10, "the stats page")
    theirs = None
    proc = None
    if os.access(HAPROXY, os.X_OK):
        hp = ports()
        (tmp_path / "h.cfg").write_text(CFG.format(
            sock=tmp_path / "h.sock", fe=hp[0], lk=hp[1], m=hp[2], b1=b1.addr(), b2=b2.addr()))
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(tmp_path / "h.cfg")],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(tmp_path / "h.err", "w"))
        theirs = Site(hp)

        def up():
            try:
                return theirs.get("/st")[0] == 200
            except OSError:
                return False
        fc.wait_until(up, 10, "haproxy's stats page")
    try:
        yield ours, theirs, dm
    finally:
        if proc:
            proc.kill()
            proc.wait(timeout=10)


def both(sites):
    ours, theirs, _ = sites
    return [s for s in (ours, theirs) if s]


def test_auth_realm_and_401_like_haproxy(sites):
    ours, theirs, _ = sites
    got = {}
    for s in both(sites):
        st, h, body = s.get("/status", port=s.lk)
        got[s is ours] = (st, h.get("www-authenticate"), h.get("content-type"), body)
        assert st == 401 and h["www-authenticate"] == 'Basic realm="Private"'
        # wrong password, then each of the two pairs
        assert s.get("/status", port=s.lk, headers={"Authorization": "Basic YTpi"})[0] == 401
        for cred in (ADMIN, OPS):
            st, h, body = s.get("/status", port=s.lk, headers={"Authorization": cred})
            assert st == 200 and h["content-type"] == "text/html"
    if theirs:
        assert got[True] == got[False]  # status, realm, type and body byte for byte


def test_page_csv_json_refresh_scope_and_version(sites):
    ours, theirs, _ = sites
    st, h, page = ours.get("/st")
    assert st == 200 and h["content-type"] == "text/html" and h["refresh"] == "7"
    page = page.decode()
    assert "version" in page and '<a name="app">' in page and ">a2<" in page
    # the CSV header is HAProxy's, byte for byte
    st, h, text = ours.get("/st;csv")
    assert st == 200 and h["content-type"] == "text/plain" and h["refresh"] == "7"
    text = text.decode()
    if theirs:
        assert text.splitlines()[0] == theirs.get("/st;csv")[2].decode().splitlines()[0]
    rows = stat_rows(text)
    assert {("app", "a1"), ("app", "a2"), ("app", "BACKEND"), ("fe", "FRONTEND")} <= set(rows)
    assert "refresh" not in ours.get("/st;csv;norefresh")[1]
    # ;json: HAProxy's typed JSON, one array per row
    st, h, js = ours.get("/st;json")
    assert st == 200 and h["content-type"] == "application/json"
    doc = json.loads(js)
    assert any(f["field"]["name"] == "svname" and f["value"]["value"] == "a2"
               for row in doc for f in row)
    # ?scope= keeps one proxy, as HAProxy's
    for s in both(sites):
        got = set(k[0] for k in stat_rows(s.get("/st?;csv;scope=app")[2].decode()))
        assert got == {"app"}, got
    # `stats scope other` and hide-version on the locked page
    auth = {"Authorization": ADMIN}
    rows = stat_rows(ours.get("/status;csv", port=ours.lk, headers=auth)[2].decode())
    assert set(k[0] for k in rows) == {"other"}
    page = ours.get("/status", port=ours.lk, headers=auth)[2].decode()
    assert "version" not in page and '<a name="other">' in page and "app" not in page
    assert "refresh" not in ours.get("/status", port=ours.lk, headers=auth)[1]


def test_head_has_no_body(sites):
    for s in both(sites):
        st, h, body = s.req(s.fe, "HEAD", "/st")
        assert st == 200 and body == b"" and h["content-type"] == "text/html"


def test_admin_form_post_like_haproxy(sites):
    ours, theirs, dm = sites

    def status(s, sv):
        if s is ours:
            return stat_rows(dm.ctl_ok("show", "stat"))[("app", sv)]["status"]
        return stat_rows(s.get("/st;csv")[2].decode())[("app", sv)]["status"]

    # the page carries HAProxy's form: a checkbox per server, the action, b
    page = ours.get("/st")[2].decode()
    assert '<form method="post" action="/st">' in page
    assert '<input type="checkbox" name="s" value="a2">' in page
    assert '<select name=action>' in page and '<option value="drain">' in page
    b = page.split('name="b" value="')[1].split('"')[0]
    assert b == "#3"  # the stats socket is #1 in HAProxy, fe #2, app #3
    for s in both(sites):
        for body, code in [("s=a2&action=drain&b=%233", "DONE"),
                           ("s=a2&s=nosuch&action=maint&b=app", "PART"),
                           ("s=a1&action=fly&b=app", "ERRP"),
                           ("s=nosuch&action=maint&b=app", "ERRP"),
                           ("action=maint&b=app", "NONE"),
                           ("s=a1&action=maint", "NONE")]:
            st, h, data = s.post(body)
            assert (st, h.get("location")) == (303, "/st;st=" + code), (s is ours, body)
        assert status(s, "a2") == "MAINT" and status(s, "a1") == "no check"
        st, h, _ = s.post("s=a2&action=ready&b=%233")
        assert h["location"] == "/st;st=DONE" and status(s, "a2") == "no check"
    # what a drain does on fulcrum: the page says so, the server takes no new client
    ours.post("s=a2&action=drain&b=%233")
    assert status(ours, "a2") == "DRAIN"
    page = ours.get("/st;st=DONE")[2].decode()
    assert "Action processed successfully." in page and 'class="active_draining"' in page
    # a chunked body is read whole, as HAProxy reads it
    c = http.client.HTTPConnection("127.0.0.1", ours.fe, timeout=10)
    c.request("POST", "/st", body=iter([b"s=a2&act", b"ion=maint&b=app"]),
              headers={"Content-Type": "application/x-www-form-urlencoded",
                       "Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = c.getresponse()
    assert (r.status, r.getheader("location")) == (303, "/st;st=DONE")
    r.read()
    c.close()
    assert status(ours, "a2") == "MAINT"


def states(dm):
    """Every server's status and weights, as `show stat` says."""
    return {k: (r["status"], r["weight"], r["uweight"])
            for k, r in stat_rows(dm.ctl_ok("show", "stat")).items() if k[1] != "BACKEND"}


def test_post_refused_or_malformed_changes_nothing(sites):
    ours, theirs, dm = sites
    before = states(dm)
    auth = {"Authorization": ADMIN}
    for s in both(sites):
        # no `stats admin` on the locked page: DENY, as HAProxy answers
        st, h, _ = s.post("s=l1&action=maint&b=locked", path="/status", port=s.lk, headers=auth)
        assert (st, h["location"]) == (303, "/status;st=DENY")
        # no credentials: 401 before anything
        assert s.post("s=l1&action=maint&b=locked", path="/status", port=s.lk)[0] == 401
        # a body over HAProxy's buffer: EXCD, nothing done
        big = "s=a1&" * 4000 + "action=maint&b=app"
        st, h, _ = s.post(big)
        assert (st, h["location"]) == (303, "/st;st=EXCD")
    # a body that is not a form (a bad escape) is refused whole
    st, h, _ = ours.post("s=a1&s=a%zz&action=maint&b=app")
    assert h["location"] == "/st;st=ERRP"
    assert states(dm) == before


def test_metrics_use_service_passes_promtool(sites):
    ours, theirs, dm = sites
    ours.get("/st")
    st, h, body = ours.get("/metrics", port=ours.m)
    assert st == 200 and h["content-type"] == "text/plain; version=0.0.4"
    text = body.decode()
    assert 'haproxy_server_status{proxy="app",server="a2"' in text
    # the same data as `fulcrumctl metrics`: the same families
    families = {l.split()[2] for l in text.splitlines() if l.startswith("# TYPE")}
    ctl = dm.ctl_ok("metrics")
    assert families == {l.split()[2] for l in ctl.splitlines() if l.startswith("# TYPE")}
    # another path is not the service's: no backend, 503
    assert ours.get("/other", port=ours.m)[0] == 503
    if not PROMTOOL:
        pytest.skip("promtool not installed (Debian package prometheus)")
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_use_service_refuses_other_services(tmp_path):
    cfg = tmp_path / "h.cfg"
    cfg.write_text("defaults\n    mode http\nfrontend f\n    bind 127.0.0.1:%d\n"
                   "    http-request use-service lua.hello\n" % fc.free_port())
    r = fc.run_fulcrum("-t", "-f", str(cfg))
    assert r.returncode != 0
    assert "h.cfg:5:" in r.stderr and "unknown service 'lua.hello'" in r.stderr, r.stderr
