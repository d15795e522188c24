"""TLS termination in the HTTP engine (`bind ... ssl crt ... alpn ...`), seen
from real TLS clients (Python's ssl, curl, openssl s_client, nghttp) on
loopback: the same answers as /usr/sbin/haproxy on the same haproxy.cfg
(fetches ssl_fc*, redirect scheme https, SNI choosing the certificate, a
plain-HTTP client on the TLS port), HTTP/1.1 keep-alive, pipelining and
bodies through the session, h2 chosen by ALPN, the TLS facts in the log,
the handshake timeout, new certificates after a reload, and the errors of
`fulcrum -t` at file:line.

The certificates are made by `openssl req` in a temporary directory.
Skipped without the haproxy.cfg reader; the comparisons without haproxy."""
import os
import shutil
import socket
import ssl
import subprocess
import time

import pytest

import fc
from test_http import Origin
from test_http_persist import Origin as SleepyOrigin
from test_http_rules import HAPROXY, Server, clen, programs

NGHTTP = shutil.which("nghttp")
CURL = shutil.which("curl")
OPENSSL = shutil.which("openssl")

FACTS = ("ssl=%[ssl_fc] sni=%[ssl_fc_sni] proto=%[ssl_fc_protocol] alpn=%[ssl_fc_alpn] "
         "cipher=%[ssl_fc_cipher]")


def make_cert(d, name, cn, sans):
    """d/name.pem: a self-signed certificate for cn and sans, its key after
    it (HAProxy's crt layout)."""
    key, crt = d / (name + ".key"), d / (name + ".crt")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "30", "-subj", "/CN=" + cn, "-addext",
                    "subjectAltName=" + ",".join("DNS:" + s for s in sans)],
                   check=True, capture_output=True, timeout=120)
    (d / (name + ".pem")).write_bytes(crt.read_bytes() + key.read_bytes())
    return d / (name + ".pem")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    if not OPENSSL:
        pytest.skip("no openssl command")
    d = tmp_path_factory.mktemp("certs")
    make_cert(d, "a", "a.example.com", ["a.example.com", "*.a.test"])
    make_cert(d, "b", "b.example.com", ["b.example.com"])
    make_cert(d, "c", "c.example.com", ["c.example.com"])
    # a certificate with another certificate's key
    (d / "mismatch.pem").write_bytes((d / "a.crt").read_bytes() + (d / "b.key").read_bytes())
    return d


@pytest.fixture
def origin():
    o = Origin("o")
    yield o
    o.stop()


def tls_cfg(certdir, tls, plain, origin_port, extra=""):
    return ("global\n    crt-base %s\n"
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 10s\n"
            "    timeout server 10s\n"
            "frontend fe\n"
            "    bind 127.0.0.1:%d ssl crt a.pem crt b.pem alpn h2,http/1.1\n"
            "    bind 127.0.0.1:%d\n"
            "    http-request redirect scheme https code 301 unless { ssl_fc }\n"
            "    http-request set-header X-Forwarded-Proto https if { ssl_fc }\n"
            "    http-request return status 200 content-type text/plain lf-string \"%s\" "
            "if { path /facts }\n%s"
            "    default_backend be\n"
            "backend be\n    server o 127.0.0.1:%d\n"
            % (certdir, tls, plain, FACTS, extra, origin_port))


def client_ctx(alpn=None, maxver=None):
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if alpn:
        c.set_alpn_protocols(alpn)
    if maxver:
        c.maximum_version = maxver
    return c


def tls_connect(port, sni=None, alpn=None, maxver=None, timeout=10.0):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return client_ctx(alpn, maxver).wrap_socket(raw, server_hostname=sni)
    except Exception:
        raw.close()
        raise


def cert_cn(s):
    """The CN of the certificate the server sent (not verified)."""
    der = s.getpeercert(binary_form=True)
    out = subprocess.run([OPENSSL, "x509", "-inform", "DER", "-noout", "-subject"], input=der,
                         capture_output=True, timeout=30).stdout.decode()
    return out.strip().split("CN", 1)[1].lstrip(" =")


def read_response(s):
    """One HTTP/1.1 response with a Content-Length: (status line, head, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            break
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    n = clen(data)
    while len(body) < n:
        d = s.recv(65536)
        if not d:
            break
        body += d
    return head.split(b"\r\n")[0].decode(), head.decode("latin-1"), body


def get(port, path, sni=None, alpn=None, maxver=None):
    with tls_connect(port, sni, alpn, maxver) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" % path.encode())
        status, _, body = read_response(s)
        return status, body.decode(errors="replace"), cert_cn(s), s.version()


@pytest.fixture
def pair(bins, tmp_path, certs, origin):
    """haproxy and fulcrum-as-haproxy on the same TLS configuration:
    {who: (tls port, plain port)}."""
    ours = programs()
    started, ports = [], {}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            tls, plain = fc.free_port(), fc.free_port()
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(tls_cfg(certs, tls, plain, origin.port))
            started.append(Server(prog, cfg, [tls, plain], tmp_path / ("%s.log" % who)))
            ports[who] = (tls, plain)
        yield ports
    finally:
        outs = [s.stop() for s in started]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")


CASES = [  # (path, sni, alpn, max version)
    ("/facts", None, None, None),
    ("/facts", "a.example.com", ["http/1.1"], None),
    ("/facts", "b.example.com", ["spdy/3", "http/1.1"], None),
    ("/facts", "x.a.test", None, ssl.TLSVersion.TLSv1_2),
    ("/facts", "unknown.example", None, None),
    ("/facts", "B.EXAMPLE.COM", None, None),
    ("/via/server", "b.example.com", None, None),
]


def test_same_answers_as_haproxy(pair, origin):
    """Each case on each program: the status, the body (ssl_fc* through
    lf-string, or the server's answer) and the certificate SNI chose."""
    got = {}
    for who, (tls, _) in pair.items():
        got[who] = [get(tls, p, sni, alpn, mv) for p, sni, alpn, mv in CASES]
    assert got["fulcrum"] == got["haproxy"]
    by_case = dict(zip([c[1] for c in CASES], got["fulcrum"]))
    # SNI picked the certificate (a wildcard too); none or unknown: the first
    assert [g[2] for g in got["fulcrum"]] == ["a.example.com", "a.example.com", "b.example.com",
                                               "a.example.com", "a.example.com", "b.example.com",
                                               "b.example.com"]
    assert got["fulcrum"][0][:2] == ("HTTP/1.1 200 OK", "ssl=1 sni= proto=TLSv1.3 alpn= "
                                     "cipher=TLS_AES_256_GCM_SHA384")
    assert "alpn=http/1.1" in by_case["a.example.com"][1]
    assert by_case["x.a.test"][3] == "TLSv1.2" and "proto=TLSv1.2" in by_case["x.a.test"][1]
    assert got["fulcrum"][-1][:2] == ("HTTP/1.1 200 OK", "o /via/server")


def test_redirect_scheme_https_as_haproxy(pair):
    """The plain listener answers `redirect scheme https unless { ssl_fc }`,
    the TLS one serves: curl -k sees the same on both programs."""
    if not CURL:
        pytest.skip("no curl")
    seen = {}
    for who, (tls, plain) in pair.items():
        r1 = subprocess.run([CURL, "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                             "-H", "Host: site.example", "http://127.0.0.1:%d/p?q=1" % plain],
                            capture_output=True, timeout=60)
        r2 = subprocess.run([CURL, "-sk", "--http1.1", "https://127.0.0.1:%d/facts" % tls],
                            capture_output=True, timeout=60)
        seen[who] = (r1.stdout, r2.stdout)
    assert seen["fulcrum"] == seen["haproxy"]
    assert seen["fulcrum"][0] == b"301 https://site.example/p?q=1"
    assert seen["fulcrum"][1].startswith(b"ssl=1 ")


def plain_on_tls(port):
    """A plain HTTP request on the TLS port: the bytes that came back
    before the close (or b'<open>' if it stayed open)."""
    with fc.connect(port, timeout=10.0) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        out = b""
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    return out
                out += d
        except ConnectionResetError:
            return out + b"<reset>"
        except socket.timeout:
            return out + b"<open>"


def test_plain_http_client_on_the_tls_port_as_haproxy(pair):
    """No HTTP answer on a TLS port: the connection is closed, as HAProxy
    does (no hang until a timeout)."""
    got = {who: plain_on_tls(tls) for who, (tls, _) in pair.items()}
    assert got["fulcrum"] == got["haproxy"]
    assert b"HTTP/1." not in got["fulcrum"] and b"<open>" not in got["fulcrum"]


@pytest.fixture
def tlslb(daemon, certs, origin):
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")

    def make(extra="", certdir=None):
        tls, plain = fc.free_port(), fc.free_port()
        d = daemon(tls_cfg(certdir or certs, tls, plain, origin.port, extra), args=["--format=haproxy"])
        return tls, d
    return make


def test_keepalive_pipelining_and_bodies(tlslb, origin):
    """Through the session: two pipelined requests, a 200 KB POST body and
    a 300 KB response on one kept-alive connection."""
    tls, _ = tlslb()
    body = bytes(range(256)) * 800
    with tls_connect(tls) as s:
        s.sendall(b"GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\n")
        assert read_response(s)[2] == b"o /one"
        assert read_response(s)[2] == b"o /two"
        s.sendall(b"POST /post HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert read_response(s)[2] == b"o /post"
        s.sendall(b"GET /big300000 HTTP/1.1\r\nHost: h\r\n\r\n")
        status, _, got = read_response(s)
        assert status == "HTTP/1.1 200 OK" and got == b"x" * 300000
    assert origin.bodies[2] == body
    assert origin.conns == 1  # one server connection kept alive as the client's
    assert all(b"\r\nx-forwarded-proto: https" in h for h in origin.heads)  # names go out in lower case, as HAProxy 2.6 writes them


@pytest.fixture
def slow_origin():
    """test_http_persist's origin: keep-alive, /sleep/SECONDS answers late."""
    o = SleepyOrigin("s")
    yield o
    o.stop()


def test_bytes_the_session_holds_are_read(daemon, certs, slow_origin):
    """A record that does not fit in the room left in the client's buffer:
    what OpenSSL keeps of it is read once there is room, though no socket
    event will come for it.  /b waits in the buffer behind a slow request,
    /c's record arrives then and only its start fits."""
    tls = fc.free_port()
    daemon(tls_cfg(certs, tls, fc.free_port(), slow_origin.port), args=["--format=haproxy"])
    pad = b"X-Pad: " + b"p" * 9000 + b"\r\n"
    with tls_connect(tls, timeout=15.0) as s:
        s.sendall(b"GET /sleep/0.5 HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n" + pad +
                  b"\r\n")
        time.sleep(0.2)  # the first is at the server, /b in the buffer
        s.sendall(b"GET /c HTTP/1.1\r\nHost: h\r\n" + pad + b"\r\n")
        got = [read_response(s)[2] for _ in range(3)]
    assert [g.split(b" cookie=")[0] for g in got] == [b"s /sleep/0.5", b"s /b", b"s /c"]


def test_close_notify_after_connection_close(tlslb):
    """`Connection: close`: the answer, then close_notify (a clean TLS end:
    Python's ssl raises on a truncated stream)."""
    tls, _ = tlslb()
    with tls_connect(tls) as s:
        s.sendall(b"GET /facts HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(65536)  # SSLEOFError without close_notify
            if not d:
                break
            data += d
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"cipher=TLS_AES_256_GCM_SHA384")


def test_h2_by_alpn_with_nghttp(tlslb, origin, tmp_path):
    """ALPN h2: the HTTP/2 gateway over TLS; streams on one connection, a
    POST body, the TLS facts of the connection in each stream."""
    if not NGHTTP:
        pytest.skip("nghttp is not installed (apt-get install nghttp2-client)")
    tls, _ = tlslb()
    r = subprocess.run([NGHTTP, "-v", "-t", "30", "https://127.0.0.1:%d/facts" % tls,
                        "https://127.0.0.1:%d/s1" % tls], capture_output=True, timeout=60)
    out = r.stdout.decode("latin-1")
    assert r.returncode == 0, out + r.stderr.decode("latin-1")
    assert "The negotiated protocol: h2" in out
    assert "ssl=1 sni= proto=TLSv1.3 alpn=h2" in out or "ssl=1 sni=127.0.0.1" in out
    assert "alpn=h2 " in out and "o /s1" in out
    f = tmp_path / "body"
    f.write_bytes(b"z" * 70000)
    r = subprocess.run([NGHTTP, "-t", "30", "-d", str(f), "https://127.0.0.1:%d/up" % tls],
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout == b"o /up", r.stderr
    assert origin.bodies[-1] == b"z" * 70000


def test_sni_with_openssl_s_client(tlslb):
    """openssl s_client -servername picks b's certificate; without, a's."""
    tls, _ = tlslb()
    for name, cn in (("b.example.com", "b.example.com"), (None, "a.example.com")):
        args = [OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % tls, "-brief", "-ign_eof"]
        if name:
            args += ["-servername", name]
        r = subprocess.run(args, input=b"GET /facts HTTP/1.0\r\n\r\n", capture_output=True, timeout=60)
        err = r.stderr.decode("latin-1")
        assert "CN = %s" % cn in err or "CN=%s" % cn in err, err
        assert r.stdout.endswith(b"sni=%s proto=TLSv1.3 alpn= cipher=TLS_AES_256_GCM_SHA384"
                                 % (name or "").encode())


def test_key_update_mid_connection(tlslb):
    """A TLS 1.3 KeyUpdate asking for ours (s_client's `K` command) between
    two requests of one kept-alive connection: the session reads it, sends
    its own, and the second answer comes under the new keys."""
    tls, _ = tlslb()
    p = subprocess.Popen([OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % tls, "-brief"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = {p.stdout: b"", p.stderr: b""}
    try:
        for f in got:
            os.set_blocking(f.fileno(), False)

        def until(f, want):
            deadline = time.monotonic() + 30
            while want not in got[f] and time.monotonic() < deadline and p.poll() is None:
                moved = False
                for g in got:
                    d = g.read(65536)
                    if d:
                        got[g] += d
                        moved = True
                if not moved:
                    time.sleep(0.05)
            return want in got[f]

        def send(b):
            p.stdin.write(b)
            p.stdin.flush()
        send(b"GET /one HTTP/1.1\r\nHost: h\r\n\r\n")
        assert until(p.stdout, b"o /one"), got
        send(b"K\n")  # s_client's command: a KeyUpdate with update_requested
        assert until(p.stderr, b"KEYUPDATE"), got
        send(b"GET /two HTTP/1.1\r\nHost: h\r\n\r\n")
        assert until(p.stdout, b"o /two"), got
    finally:
        p.kill()
        p.wait(timeout=30)
        for f in (p.stdin, p.stdout, p.stderr):
            f.close()
    assert got[p.stdout].count(b"HTTP/1.1 200") == 2


def test_log_has_tls_facts(tlslb):
    """%ft gets '~' on TLS, %sslv and %sslc the version and the cipher."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(10)
    try:
        tls, _ = tlslb(extra="    log 127.0.0.1:%d local2\n    log-format \"%%ft %%sslv %%sslc %%ST\"\n"
                       % u.getsockname()[1])
        get(tls, "/x", maxver=ssl.TLSVersion.TLSv1_2)
        line = u.recv(4096).decode()
    finally:
        u.close()
    assert line.endswith(": fe~ TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 200"), line


def test_handshake_timeout_closes(tlslb):
    """A client that never finishes its handshake is closed at timeout
    http-request, without an HTTP answer."""
    tls, _ = tlslb(extra="    timeout http-request 1s\n")
    with fc.connect(tls, timeout=15.0) as s:
        s.sendall(b"\x16\x03\x01\x00\x50")  # the start of a ClientHello, no more
        t0 = time.monotonic()
        try:
            out = s.recv(4096)
        except ConnectionResetError:
            out = b""
        took = time.monotonic() - t0
    assert out == b"" and took < 12


def test_reload_serves_new_certificate(tlslb, certs, tmp_path):
    """The certificate file replaced, then a reload: new clients get the new
    certificate, a client kept alive across the reload is still served."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(certs / "a.pem", site / "a.pem")
    shutil.copy(certs / "b.pem", site / "b.pem")
    tls, d = tlslb(certdir=site)
    assert get(tls, "/x")[2] == "a.example.com"
    kept = tls_connect(tls)
    try:
        kept.sendall(b"GET /k1 HTTP/1.1\r\nHost: h\r\n\r\n")
        assert read_response(kept)[2] == b"o /k1"
        (site / "a.pem").write_bytes((certs / "c.pem").read_bytes())
        d.reload()
        fc.wait_until(lambda: get(tls, "/x")[2] == "c.example.com", 30, "the new certificate")
        kept.sendall(b"GET /k2 HTTP/1.1\r\nHost: h\r\n\r\n")
        assert read_response(kept)[2] == b"o /k2"
    finally:
        kept.close()


BAD = [  # (line, fulcrum's message, haproxy refuses it too)
    ("    bind 127.0.0.1:{p} ssl crt {d}/nope.pem\n", "crt '{d}/nope.pem': No such file or directory", 1),
    ("    bind 127.0.0.1:{p} ssl crt {d}/mismatch.pem\n",
     "crt '{d}/mismatch.pem': the private key does not match the certificate", 1),
    ("    bind 127.0.0.1:{p} ssl\n", "'ssl' needs a certificate", 1),
    ("    bind 127.0.0.1:{p} ssl crt {d}/a.pem ssl-min-ver TLSv9\n", "ssl-min-ver 'TLSv9': not a version", 1),
    # client certificates without the CAs to check them against
    ("    bind 127.0.0.1:{p} ssl crt {d}/a.pem verify required\n",
     "verify required needs the CAs the clients' certificates chain to (ca-file FILE)", 1),
]


@pytest.mark.parametrize("line,msg,theirs", BAD)
def test_bad_tls_bind_refused_at_its_line(certs, tmp_path, line, msg, theirs):
    """fulcrum -t names the line and the problem; haproxy -c refuses the
    same file."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    cfg = tmp_path / "bad.cfg"
    cfg.write_text("defaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n"
                   "    timeout connect 5s\nfrontend fe\n" + line.format(p=fc.free_port(), d=certs) +
                   "    default_backend be\nbackend be\n    server s 127.0.0.1:9\n")
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(cfg))
    assert r.returncode != 0
    assert "%s:7: bind: %s" % (cfg, msg.format(d=certs)) in r.stderr or \
        "%s:7: %s" % (cfg, msg.format(d=certs)) in r.stderr, r.stderr
    if theirs and os.access(HAPROXY, os.X_OK):
        h = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, timeout=60)
        assert h.returncode != 0


def test_ssl_on_a_mode_tcp_frontend_refused(certs, tmp_path):
    """TLS is terminated in mode http only: a mode tcp frontend with ssl is
    refused at the bind's line rather than served as plain TCP."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    cfg = tmp_path / "tcp.cfg"
    cfg.write_text("defaults\n    mode tcp\n    timeout client 5s\n    timeout server 5s\n"
                   "    timeout connect 5s\nfrontend fe\n    bind 127.0.0.1:%d ssl crt %s/a.pem\n"
                   "    default_backend be\nbackend be\n    server s 127.0.0.1:9\n"
                   % (fc.free_port(), certs))
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(cfg))
    assert r.returncode != 0
    assert "%s:7: bind ... ssl: fulcrum terminates TLS in mode http only" % cfg in r.stderr, r.stderr
