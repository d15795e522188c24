"""TLS toward the servers (`server ... ssl verify ... ca-file ... sni ...`),
seen from a client on loopback and from nginx as the TLS server: side by
side with /usr/sbin/haproxy on the same haproxy.cfg, the answers when the
server's certificate verifies, when it is signed by another CA or names
another host (503), with `verify none`; the SNI nginx saw; TLS session
resumption toward the server on a new connection; one kept-alive TLS
connection serving the requests of one client connection; and the errors
of `fulcrum -t` at file:line.

The CAs and certificates are made by `openssl req`/`x509` in a temporary
directory.  Skipped without nginx or the haproxy.cfg reader; the
comparisons without haproxy."""
import os
import socket
import subprocess

import pytest

import fc
from test_http_rules import HAPROXY, Server, programs
from test_https import read_response

NGINX = "/usr/sbin/nginx"
OPENSSL = "/usr/bin/openssl"


def run(*args):
    subprocess.run(args, check=True, capture_output=True, timeout=120)


def make_ca(d, name):
    run(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / (name + ".key")),
        "-out", str(d / (name + ".pem")), "-days", "30", "-subj", "/CN=" + name)
    return d / (name + ".pem")


def make_signed(d, name, ca, host):
    """d/name.crt and .key: a certificate for host signed by ca; d/name.pem
    both (HAProxy's crt layout)."""
    key, csr, crt = d / (name + ".key"), d / (name + ".csr"), d / (name + ".crt")
    run(OPENSSL, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", "/CN=" + host)
    ext = d / (name + ".ext")
    ext.write_text("subjectAltName=DNS:%s\n" % host)
    run(OPENSSL, "x509", "-req", "-in", str(csr), "-CA", str(d / (ca + ".pem")), "-CAkey",
        str(d / (ca + ".key")), "-CAcreateserial", "-out", str(crt), "-days", "30", "-extfile", str(ext))
    (d / (name + ".pem")).write_bytes(crt.read_bytes() + key.read_bytes())
    return d / (name + ".pem")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not os.access(OPENSSL, os.X_OK):
        pytest.skip("no openssl command")
    d = tmp_path_factory.mktemp("pki")
    make_ca(d, "ca")
    make_ca(d, "otherca")
    make_signed(d, "srv", "ca", "srv.test")
    return d


class Nginx:
    """nginx serving TLS on 127.0.0.1:port with srv.test's certificate; its
    answer says what it saw: the SNI, whether the session was resumed, the
    request's number on its connection."""

    def __init__(self, d, pki):
        if not os.access(NGINX, os.X_OK):
            pytest.skip("no nginx")
        self.port = fc.free_port()
        os.makedirs(d, exist_ok=True)
        conf = d / "nginx.conf"
        conf.write_text(
            "daemon off;\nmaster_process off;\npid %s/nginx.pid;\nerror_log %s/error.log;\n"
            "events { worker_connections 256; }\n"
            "http {\n log_format t '$status $ssl_protocol $request';\n access_log %s/access.log t;\n"
            " client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
            " fastcgi_temp_path %s/fcgi;\n uwsgi_temp_path %s/uwsgi;\n scgi_temp_path %s/scgi;\n"
            " keepalive_requests 1000;\n ssl_session_cache shared:s:1m;\n"
            " server {\n  listen 127.0.0.1:%d ssl;\n  ssl_certificate %s;\n  ssl_certificate_key %s;\n"
            "  location / { default_type text/plain; return 200 "
            "\"sni=$ssl_server_name reused=$ssl_session_reused req=$connection_requests\"; }\n }\n}\n"
            % ((d,) * 8 + (self.port, pki / "srv.crt", pki / "srv.key")))
        self.access = d / "access.log"
        self.p = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(d)], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fc.wait_until(lambda: self.p.poll() is not None or Server.listening(self.port), 30.0,
                      "nginx listening")
        assert self.p.poll() is None, (d / "error.log").read_text()

    def stop(self):
        self.p.kill()
        self.p.wait(10)


@pytest.fixture
def nginx(tmp_path, pki):
    n = Nginx(tmp_path / "nginx", pki)
    yield n
    n.stop()


# (frontend, server options): what each frontend's one server says
FRONTENDS = [
    ("ok", "ssl verify required ca-file {ca} sni str(srv.test)"),
    ("otherca", "ssl verify required ca-file {otherca} sni str(srv.test)"),
    ("wrongname", "ssl verify required ca-file {ca} sni str(other.test)"),
    ("verifyhost", "ssl verify required ca-file {ca} verifyhost srv.test"),
    ("none", "ssl verify none"),
    ("hostsni", "ssl verify required ca-file {ca} sni req.hdr(host)"),
    ("close", "ssl verify none sni str(srv.test)"),
]


def cfg(pki, nginx_port, ports):
    text = ("defaults\n    mode http\n    timeout connect 5s\n    timeout client 10s\n"
            "    timeout server 10s\n    retries 1\n")
    for (name, opts), port in zip(FRONTENDS, ports):
        text += "frontend fe_%s\n    bind 127.0.0.1:%d\n    default_backend be_%s\n" % (name, port, name)
        text += "backend be_%s\n" % name
        if name == "close":
            text += "    option http-server-close\n"
        text += "    server n 127.0.0.1:%d %s\n" % (
            nginx_port, opts.format(ca=pki / "ca.pem", otherca=pki / "otherca.pem"))
    return text


def ask(port, host="srv.test", n=1, hosts=None):
    """n requests on one kept-alive connection (with these Host headers):
    [(status, body)]."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        for host in hosts or [host] * n:
            s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host.encode())
            status, _, body = read_response(s)
            out.append((status.split(" ")[1] if status else "", body.decode(errors="replace")))
    return out


@pytest.fixture
def pair(bins, tmp_path, pki, nginx):
    ours = programs()
    started, ports = [], {}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            ports[who] = [fc.free_port() for _ in FRONTENDS]
            c = tmp_path / ("%s.cfg" % who)
            c.write_text(cfg(pki, nginx.port, ports[who]))
            started.append(Server(prog, c, ports[who], tmp_path / ("%s.log" % who)))
        yield {who: dict(zip([f[0] for f in FRONTENDS], ports[who])) for who in ports}, started[1]
    finally:
        outs = [s.stop() for s in started]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")


def test_verify_and_sni_as_haproxy(pair):
    """The same statuses and the same things seen by nginx through haproxy
    and through fulcrum; a verify failure is a 503 and fulcrum logs why.
    A session made for one SNI is not resumed for another (its
    certificate was never checked against that name)."""
    fes, ours = pair
    got = {}
    for who in ("haproxy", "fulcrum"):
        p = fes[who]
        got[who] = {
            "ok": ask(p["ok"]),
            "otherca": ask(p["otherca"]),
            "wrongname": ask(p["wrongname"]),
            "verifyhost": ask(p["verifyhost"]),
            "none": ask(p["none"]),
            "hostsni": ask(p["hostsni"]) + ask(p["hostsni"], host="other.test"),
            # one client connection: the kept server connection was made
            # (and verified) for srv.test, not for other.test (the
            # statuses: whether HAProxy resumes depends on its thread)
            "hostsni_ka": [a[0] for a in ask(p["hostsni"], hosts=["srv.test", "other.test"])],
        }
    theirs, mine = got["haproxy"], got["fulcrum"]
    assert mine == theirs
    assert mine["ok"] == [("200", "sni=srv.test reused=. req=1")]
    assert mine["otherca"][0][0] == "503"
    assert mine["wrongname"][0][0] == "503"
    assert mine["verifyhost"] == [("200", "sni= reused=. req=1")]
    assert mine["none"] == [("200", "sni= reused=. req=1")]
    assert mine["hostsni"][0] == ("200", "sni=srv.test reused=. req=1")
    assert mine["hostsni"][1][0] == "503"
    assert mine["hostsni_ka"] == ["200", "503"]
    out = ours.output()
    assert "TLS to server 127.0.0.1" in out and "certificate verify failed" in out, out


def test_session_resumed_on_a_new_server_connection(pair):
    """option http-server-close: a new TLS connection to the server per
    request, the second one resuming the first one's session (a short
    handshake: nginx says r).  HAProxy keeps its sessions per thread, so
    whether it resumes depends on the thread: not compared."""
    fes, _ = pair
    p = fes["fulcrum"]["close"]
    assert ask(p) + ask(p) == [("200", "sni=srv.test reused=. req=1"), ("200", "sni=srv.test reused=r req=1")]


def test_one_tls_server_connection_per_client_connection(daemon, pki, nginx):
    """Three requests on one client connection: one TLS connection to the
    server carries them (nginx counts them on it)."""
    port = fc.free_port()
    daemon(cfg(pki, nginx.port, [port]), args=["--format=haproxy"])  # fe_ok alone
    got = ask(port, n=3)
    assert got == [("200", "sni=srv.test reused=. req=%d" % i) for i in (1, 2, 3)]


def test_httpchk_over_tls(daemon, pki, nginx):
    """option httpchk toward an ssl server goes over TLS (as HAProxy's, the
    checks going to the server's port): nginx sees the check's requests
    with their TLS version and answers 200, never the 400 it gives plain
    HTTP on its TLS port; the server stays up and serves."""
    port = fc.free_port()
    text = cfg(pki, nginx.port, [port]).replace(
        "\nbackend be_ok\n", "\nbackend be_ok\n    option httpchk GET /chk\n").replace(
        "sni str(srv.test)\n", "sni str(srv.test) check inter 300 check-sni srv.test\n")
    daemon(text, args=["--format=haproxy"])

    def checks():
        return [l for l in nginx.access.read_text().splitlines() if "/chk" in l] if nginx.access.exists() else []
    fc.wait_until(lambda: len(checks()) >= 3, 60.0, "three checks at nginx")
    assert all(l.startswith("200 TLSv1.") for l in checks()), checks()
    assert ask(port)[0][0] == "200"


@pytest.mark.parametrize("opts,msg", [
    ("ssl", "verify is enabled by default but no CA file specified"),
    ("ssl verify required ca-file /nonexistent/ca.pem", "ca-file '/nonexistent/ca.pem'"),
    ("ssl verify maybe", "verify 'maybe': none or required"),
    ("ssl verify none crt /nonexistent/me.pem", "crt '/nonexistent/me.pem'"),
    ("ssl verify none alpn h2,http/1.1", "fulcrum speaks HTTP/1.1 to servers"),
    ("ssl verify none sni nosuchfetch(x)", "sni 'nosuchfetch(x)'"),
])
def test_bad_server_ssl_refused_at_its_line(bins, tmp_path, opts, msg):
    c = tmp_path / "bad.cfg"
    c.write_text("defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n"
                 "    timeout server 1s\nfrontend f\n    bind 127.0.0.1:%d\n    default_backend b\n"
                 "backend b\n    server s 127.0.0.1:1 %s\n" % (fc.free_port(), opts))
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(c))
    assert r.returncode != 0
    assert "bad.cfg:10:" in r.stderr and msg in r.stderr, r.stderr


def test_ssl_server_in_mode_tcp_refused(bins, tmp_path):
    c = tmp_path / "tcp.cfg"
    c.write_text("defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n"
                 "    timeout server 1s\nlisten l\n    bind 127.0.0.1:%d\n"
                 "    server s 127.0.0.1:1 ssl verify none\n" % fc.free_port())
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(c))
    assert r.returncode != 0
    assert "tcp.cfg:8:" in r.stderr and "mode http only" in r.stderr, r.stderr


def test_ssl_server_verify_none_global(bins, tmp_path):
    """`ssl-server-verify none`: a server with ssl and no ca-file is
    accepted (verify none unless it says otherwise)."""
    c = tmp_path / "g.cfg"
    c.write_text("global\n    ssl-server-verify none\ndefaults\n    mode http\n    timeout connect 1s\n"
                 "    timeout client 1s\n    timeout server 1s\nfrontend f\n    bind 127.0.0.1:%d\n"
                 "    default_backend b\nbackend b\n    default-server ssl\n    server s 127.0.0.1:1\n"
                 % fc.free_port())
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(c))
    assert r.returncode == 0, r.stderr
