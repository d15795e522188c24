"""An ldirectord.cf served end to end on loopback: the reader picked by the
probe (no --format), its negotiate check (HTTP_GET with ldirectord's
request/receive), quiescent=no, the fallback as the sorry server, wrr
weights, and a server whose page loses the receive word taken out and put
back.  masq (the proxy) so that no namespace is needed; seed 004's own file
(gate, in namespaces) is tests/system/test_seed004.py.  Every wait is
bounded; every process is stopped by its fixture.
"""
import urllib.request

import fc

# ldirectord counts in whole seconds: checkinterval=1, negotiatetimeout=1.
WAIT = 15


def get(port):
    """The body of GET / through the virtual service (an HTTP client)."""
    with urllib.request.urlopen("http://127.0.0.1:%d/index.html" % port, timeout=5) as r:
        return r.read().decode().strip()


def passed(d, vport, rport):
    """The server's check, once it passed an attempt."""
    _, checks = fc.rs_checks(d, vport, rport)
    return next((c for c in checks if c["attempts_ok"] > 0), None)


def bodies(port, n):
    return [get(port) for _ in range(n)]


# Written flush left with blank lines between, as seed 004 was published: the
# reader's leniency (warnings) has to put every line where it belongs.
CF = """checkinterval=1
negotiatetimeout=1
quiescent=no
fallback=127.0.0.1:{fb} masq

virtual=127.0.0.1:{vport}

real=127.0.0.1:{a} masq 2

real=127.0.0.1:{b} masq 1

service=http

scheduler=wrr

checktype=negotiate

request="index.html"

receive="centos"
"""


def test_ldirectord_cf_http_negotiate_fallback(daemon, tmp_path, undo):
    mk = lambda name, body: undo.stop(fc.HttpCtl(name, tmp_path, logdir=str(tmp_path),
                                                 body=body + "\n"))
    a, b = mk("a", "centos a"), mk("b", "centos b")
    fb = mk("fb", "fallback")
    vport = fc.free_port()
    text = CF.format(fb=fb.port, vport=vport, a=a.port, b=b.port)

    path = tmp_path / "ldirectord.cf"
    path.write_text(text)
    r = fc.run_fulcrum("-t", "-f", path)
    assert r.returncode == 0, r.stderr
    assert "(ldirectord grammar): configuration OK (1 virtual server)" in r.stdout, r.stdout
    assert "'real' is not indented: read as part of the virtual service of line 6" in r.stderr

    d = daemon(text)
    for s in (a, b):
        c = fc.wait_until(lambda: passed(d, vport, s.port), WAIT, "a passed check of %s" % s.name)
        assert c["checker"] == "HTTP_GET", c
        fc.wait_state(d, vport, s.port, "up", WAIT)
    reqs = a.requests()
    assert reqs and reqs[-1][:2] == ("GET", "/index.html"), reqs
    seen = fc.counts(bodies(vport, 30))
    assert seen == {"centos a": 20, "centos b": 10}, seen  # wrr 2:1
    assert d.vs(vport)["sorry_server"]["active"] is False

    # the page loses the word: a is taken out, no new client reaches it
    a.set(body="maintenance\n")
    fc.wait_state(d, vport, a.port, "down", WAIT)
    assert set(bodies(vport, 6)) == {"centos b"}
    # both gone: the fallback answers
    b.set(status=503)
    fc.wait_state(d, vport, b.port, "down", WAIT)
    fc.wait_until(lambda: d.vs(vport)["sorry_server"]["active"], WAIT,
                  "the fallback to be in use")
    assert set(bodies(vport, 6)) == {"fallback"}
    # the word back: a serves again, the fallback steps aside
    a.set(body="centos a again\n")
    fc.wait_state(d, vport, a.port, "up", WAIT)
    fc.wait_until(lambda: not d.vs(vport)["sorry_server"]["active"], WAIT,
                  "the fallback to step aside")
    assert set(bodies(vport, 6)) == {"centos a again"}
