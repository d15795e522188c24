"""A crt-list line's `ssl-min-ver`, `ssl-max-ver`, `ciphersuites`,
`curves` and `ecdhe` (and a bind's own `ssl-min-ver`), seen by `openssl
s_client` (-tls1_2 / -tls1_3, -ciphersuites, -curves) on loopback, side by
side with /usr/sbin/haproxy on the same haproxy.cfg: the line SNI picks
brings its versions and its TLSv1.3 suites for that name only; its curves
and ecdhe are taken and, as haproxy 2.6's, change nothing (the bind's
groups are negotiated); `fulcrum -t` says so at the list's line."""
import subprocess

import pytest

import fc
from test_http_rules import HAPROXY, Server, programs
from test_https import OPENSSL, make_cert

LIST = ("srv.pem\n"
        "a.pem [ssl-min-ver TLSv1.3] a.example\n"
        "b.pem [ciphersuites TLS_AES_128_GCM_SHA256] b.example\n"
        "c.pem [curves X25519] c.example\n"
        "d.pem [ssl-max-ver TLSv1.2 ecdhe secp384r1] d.example\n")

CLIENTS = [["-tls1_2"], ["-tls1_3"], ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
           ["-tls1_3", "-curves", "P-256"], ["-tls1_2", "-curves", "P-256"]]
NAMES = ["srv.example.com", "a.example", "b.example", "c.example", "d.example"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    if not OPENSSL:
        pytest.skip("no openssl command")
    d = tmp_path_factory.mktemp("crtlist")
    make_cert(d, "srv", "srv.example.com", ["srv.example.com"])
    for n in "abcd":
        make_cert(d, n, n + ".example", [n + ".example"])
    (d / "list.txt").write_text(LIST)
    return d


def cfg_text(d, ports):
    return ("global\n    crt-base %s\n"
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 10s\n"
            "    timeout server 10s\n"
            "frontend list\n    bind 127.0.0.1:%d ssl crt-list %s/list.txt\n"
            "    http-request return status 200 content-type text/plain string ok\n"
            "frontend min13\n    bind 127.0.0.1:%d ssl crt srv.pem ssl-min-ver TLSv1.3\n"
            "    http-request return status 200 content-type text/plain string ok\n"
            % (d, ports[0], d, ports[1]))


@pytest.fixture
def pair(bins, tmp_path, certs):
    """haproxy and fulcrum-as-haproxy on the same configuration:
    {who: (list port, min13 port)}."""
    ours = programs()
    started, ports = [], {}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            p = [fc.free_port(), fc.free_port()]
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(cfg_text(certs, p))
            started.append(Server(prog, cfg, p, tmp_path / ("%s.log" % who)))
            ports[who] = p
        yield ports
    finally:
        outs = [s.stop() for s in started]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")


def hello(port, sni, args):
    """What `openssl s_client -brief` says of one handshake: (version,
    suite, certificate, key exchange group), or ("refused", the alert)."""
    r = subprocess.run([OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", sni,
                        "-brief"] + args, input=b"", capture_output=True, timeout=30)
    out = (r.stdout + r.stderr).decode(errors="replace")
    if "CONNECTION ESTABLISHED" not in out:
        alert = [a for a in ("protocol version", "handshake failure") if a in out]
        return ("refused", alert[0] if alert else out[-200:])
    facts = dict(l.split(": ", 1) for l in out.splitlines() if ": " in l)
    return (facts.get("Protocol version"), facts.get("Ciphersuite"), facts.get("Peer certificate"),
            facts.get("Server Temp Key", facts.get("Peer Temp Key", "")).split(",")[:2])


def test_crt_list_line_versions_and_suites_as_haproxy(pair):
    got = {who: [hello(p[0], sni, c) for sni in NAMES for c in CLIENTS] + [hello(p[1], NAMES[0], c)
                                                                           for c in CLIENTS[:2]]
           for who, p in pair.items()}
    assert got["fulcrum"] == got["haproxy"]
    g = dict(zip([(sni, " ".join(c)) for sni in NAMES for c in CLIENTS], got["fulcrum"]))
    # the default certificate: what the bind allows
    assert g[("srv.example.com", "-tls1_2")][:3] == ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384",
                                                    "CN = srv.example.com")
    # ssl-min-ver TLSv1.3 on a.example's line: a TLS 1.2 client is refused for that name only
    assert g[("a.example", "-tls1_2")] == ("refused", "protocol version")
    assert g[("a.example", "-tls1_3")][:3] == ("TLSv1.3", "TLS_AES_256_GCM_SHA384", "CN = a.example")
    # ciphersuites: b.example's TLS 1.3 suite is the line's, a client without it is refused
    assert g[("b.example", "-tls1_3")][1] == "TLS_AES_128_GCM_SHA256"
    assert g[("b.example", "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384")] == ("refused", "handshake failure")
    assert g[("srv.example.com", "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384")][0] == "TLSv1.3"
    # ssl-max-ver TLSv1.2 on d.example's line
    assert g[("d.example", "-tls1_3")] == ("refused", "protocol version")
    assert g[("d.example", "-tls1_2")][0] == "TLSv1.2"
    # curves X25519 / ecdhe secp384r1 on a line: haproxy 2.6 still agrees on P-256
    assert g[("c.example", "-tls1_3 -curves P-256")][3] == ["ECDH", " prime256v1"]
    assert g[("d.example", "-tls1_2 -curves P-256")][3] == ["ECDH", " prime256v1"]
    # the bind's own ssl-min-ver
    assert got["fulcrum"][-2:][0] == ("refused", "protocol version")
    assert got["fulcrum"][-1][0] == "TLSv1.3"


def test_crt_list_curves_warned_at_the_line(tmp_path, certs):
    cfg = tmp_path / "c.cfg"
    cfg.write_text(cfg_text(certs, [1, 2]))
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(cfg))
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    assert r.returncode == 0, r.stderr
    lst = certs / "list.txt"
    assert "%s:4: crt-list: 'curves X25519' is accepted as haproxy 2.6 accepts it" % lst in r.stderr
    assert "%s:5: crt-list: 'ecdhe secp384r1' is accepted" % lst in r.stderr
    assert "%s:2:" % lst not in r.stderr and "%s:3:" % lst not in r.stderr
