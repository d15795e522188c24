"""The stats page and /metrics of a keepalived.conf / ldirectord.cf
director (global_defs stats_listen...; ldirectord.cf's stats_listen=...),
read as a monitoring tool reads them: HAProxy's CSV with a row per real
server and a BACKEND row per LVS pool, Prometheus text, Basic auth; and
what a reload does to the listener.  The browser's view is
test_stats_browser.py's."""
import base64
import csv
import io
import socket
import urllib.error
import urllib.request

import fc


def get(url, auth=None, timeout=10):
    """(status, headers, body) of a GET, 4xx/5xx included."""
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def csv_rows(text):
    assert text.startswith("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,"), text[:200]
    rows = list(csv.reader(io.StringIO(text[2:])))
    return [dict(zip(rows[0], r)) for r in rows[1:] if r]


def refused(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def test_keepalived_csv_and_metrics(daemon, backend):
    a, b = backend("a"), backend("b")
    sport, vport = fc.free_port(), fc.free_port()
    d = daemon("global_defs {\n    stats_listen 127.0.0.1:%d\n    stats_auth ops:s3cret\n}\n"
               % sport + fc.vs_block(vport, [(a, 3), (b, 1)], algo="wrr"))
    base = "http://127.0.0.1:%d" % sport
    st, hdr, _ = get(base + "/;csv")
    assert st == 401 and hdr["WWW-Authenticate"] == 'Basic realm="HAProxy Statistics"'
    assert get(base + "/;csv", "ops:wrong")[0] == 401

    st, hdr, text = get(base + "/;csv", "ops:s3cret")
    assert st == 200, text
    rows = csv_rows(text)
    pool = "TCP 127.0.0.1:%d" % vport
    mine = [(r["svname"], r["weight"], r["status"]) for r in rows if r["pxname"] == pool]
    assert mine == [("127.0.0.1:%d" % a.port, "3", "no check"),
                    ("127.0.0.1:%d" % b.port, "1", "no check"),
                    ("BACKEND", "4", "UP")], mine
    # the listener itself, as HAProxy shows `listen stats`
    assert ("stats", "FRONTEND") in [(r["pxname"], r["svname"]) for r in rows]
    # the same rows as the runtime API's
    assert [r["svname"] for r in csv_rows(d.ctl_ok("show", "stat"))
            if r["pxname"] == pool] == [m[0] for m in mine]

    # /metrics (default metrics_uri): answered without the page's
    # credentials, as HAProxy's exporter (use-service runs before stats auth)
    st, hdr, prom = get(base + "/metrics")
    assert st == 200 and hdr["Content-Type"].startswith("text/plain; version=0.0.4"), hdr
    assert ('haproxy_server_status{proxy="%s",server="127.0.0.1:%d",state="UP"} 1'
            % (pool, a.port)) in prom, prom[:2000]
    assert "fulcrum_server_conns_total" in prom

    # the HTML page: a table for the pool, a row per server
    st, hdr, page = get(base + "/", "ops:s3cret")
    assert st == 200 and "text/html" in hdr["Content-Type"]
    assert ">%s<" % pool in page and ">127.0.0.1:%d<" % a.port in page


def test_ldirectord_page(daemon, backend):
    a = backend("a")
    sport, vport = fc.free_port(), fc.free_port()
    d = daemon("stats_listen = 127.0.0.1:%d\nstats_uri = /lvs\nmetrics_uri = /prom\n"
               "virtual = 127.0.0.1:%d\n\treal = 127.0.0.1:%d masq 2\n\tchecktype = on\n"
               "\tscheduler = wrr\n" % (sport, vport, a.port), args=("--format=ldirectord",))
    base = "http://127.0.0.1:%d" % sport
    st, _, text = get(base + "/lvs;csv")
    assert st == 200, text
    pool = "TCP 127.0.0.1:%d" % vport
    assert [(r["svname"], r["weight"]) for r in csv_rows(text) if r["pxname"] == pool] == [
        ("127.0.0.1:%d" % a.port, "2"), ("BACKEND", "2")]
    st, _, prom = get(base + "/prom")
    assert st == 200 and "haproxy_backend_status" in prom
    assert d.running()


def test_reload_changes_and_removes_the_listener(daemon, backend):
    a = backend("a")
    sport, vport = fc.free_port(), fc.free_port()
    vs = fc.vs_block(vport, [a])
    d = daemon("global_defs {\n    stats_listen 127.0.0.1:%d\n    stats_uri /one\n}\n"
               % sport + vs)
    base = "http://127.0.0.1:%d" % sport
    assert get(base + "/one;csv")[0] == 200

    d.write_conf("global_defs {\n    stats_listen 127.0.0.1:%d\n    stats_uri /two\n"
                 "    stats_auth u:p\n}\n" % sport + vs)
    d.ctl_ok("reload")
    assert get(base + "/two;csv")[0] == 401
    assert get(base + "/two;csv", "u:p")[0] == 200
    assert get(base + "/one;csv", "u:p")[0] != 200

    # a bad value: refused at its line, the page stays as it was
    d.write_conf("global_defs {\n    stats_listen 127.0.0.1:%d\n    stats_uri two\n}\n"
                 % sport + vs)
    r = d.ctl("reload")
    assert r.returncode != 0
    assert "fulcrum.conf:3: stats_uri: 'two' does not begin with '/'" in d.stderr()
    assert get(base + "/two;csv", "u:p")[0] == 200

    # no stats_listen any more: the port is closed, the service still served
    d.write_conf(vs)
    d.ctl_ok("reload")
    fc.wait_until(lambda: refused(sport), 10, "the stats port to close")
    assert fc.names(vport, 2) == ["a", "a"]
