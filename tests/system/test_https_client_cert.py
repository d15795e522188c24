"""Client certificates on a TLS bind (`verify optional|required`,
`ca-file`, `crl-file`, `crt-ignore-err`, `ca-verify-file`), the ssl_c_*
fetches (lf-string, `http-request set-header ... %{+Q}[ssl_c_s_dn]`,
ACLs), and `crt-list` (per-line options, SNI filters with wildcards and
`!` negations), each case seen by a real TLS client (Python's ssl) on
loopback and compared with /usr/sbin/haproxy on the same haproxy.cfg; the
errors of `fulcrum -t` at file:line.

The PKI is made by the openssl command in a temporary directory: a CA, a
server certificate, clients signed by the CA (one of them revoked in the
CRL), a client of another CA, a self-signed one."""
import shutil
import socket
import ssl
import subprocess

import pytest

import fc
from test_http_rules import HAPROXY, Server, programs
from test_https import OPENSSL, cert_cn, make_cert, origin, read_response  # noqa: F401 (origin: a fixture)

NGHTTP = shutil.which("nghttp")

FACTS = ("used=%[ssl_c_used] has=%[ssl_fc_has_crt] verify=%[ssl_c_verify] err=%[ssl_c_err] "
         "caerr=%[ssl_c_ca_err] sdn=%[ssl_c_s_dn] cn=%[ssl_c_s_dn(CN)] ou2=%[ssl_c_s_dn(OU,2)] "
         "oulast=%[ssl_c_s_dn(OU,-1)] rfc=%[ssl_c_s_dn(,0,rfc2253)] idn=%[ssl_c_i_dn] "
         "icn=%[ssl_c_i_dn(CN)] serial=%[ssl_c_serial,hex] sha1=%[ssl_c_sha1,hex] "
         "nb=%[ssl_c_notbefore] na=%[ssl_c_notafter] ver=%[ssl_c_version] sig=%[ssl_c_sig_alg] "
         "key=%[ssl_c_key_alg] sni=%[ssl_fc_sni] der=%[ssl_c_der,hex] "
         "fder=%[ssl_f_der,hex]")


def der_hex(crt):
    """A PEM certificate's DER, as `,hex` writes it."""
    return subprocess.run([OPENSSL, "x509", "-in", str(crt), "-outform", "DER"], check=True,
                          capture_output=True, timeout=60).stdout.hex().upper()


def run(*args, cwd=None):
    subprocess.run([OPENSSL] + list(args), check=True, capture_output=True, timeout=120, cwd=cwd)


def make_ca(d, name, cn):
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / (name + ".key")), "-out",
        str(d / (name + ".crt")), "-days", "30", "-subj", "/O=Example/CN=" + cn, "-addext",
        "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def make_client(d, name, subj, ca, serial):
    key, csr, crt = d / (name + ".key"), d / (name + ".csr"), d / (name + ".crt")
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", subj)
    run("x509", "-req", "-in", str(csr), "-CA", str(d / (ca + ".crt")), "-CAkey", str(d / (ca + ".key")),
        "-set_serial", serial, "-days", "30", "-out", str(crt))
    (d / (name + ".pem")).write_bytes(crt.read_bytes() + key.read_bytes())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not OPENSSL:
        pytest.skip("no openssl command")
    d = tmp_path_factory.mktemp("pki")
    make_ca(d, "ca", "Test CA")
    make_ca(d, "other", "Other CA")
    make_cert(d, "srv", "srv.example.com", ["srv.example.com"])
    make_cert(d, "www", "www.example.com", ["www.example.com"])
    make_cert(d, "wild", "wild.example.org", ["*.example.org"])
    make_client(d, "alice", "/C=FR/O=Example/OU=Eng/OU=Ops/CN=alice", "ca", "0x1A2B3C")
    make_client(d, "carol", "/O=Example/CN=carol", "ca", "77")
    make_client(d, "mallory", "/O=Example/CN=mallory", "ca", "78")
    make_client(d, "bob", "/O=Elsewhere/CN=bob", "other", "5")
    make_cert(d, "selfie", "selfie", ["selfie"])
    # carol is revoked: a CRL of the CA
    (d / "index.txt").write_text("")
    (d / "crlnumber").write_text("01\n")
    (d / "ca.cnf").write_text(
        "[ca]\ndefault_ca = d\n[d]\ndatabase = %s/index.txt\ncrlnumber = %s/crlnumber\n"
        "default_md = sha256\ndefault_crl_days = 30\ncertificate = %s/ca.crt\n"
        "private_key = %s/ca.key\n" % (d, d, d, d))
    run("ca", "-config", str(d / "ca.cnf"), "-revoke", str(d / "carol.crt"))
    run("ca", "-config", str(d / "ca.cnf"), "-gencrl", "-out", str(d / "crl.pem"))
    (d / "list.txt").write_text(
        "# the default first: no filter, its own names\n"
        "srv.pem\n"
        "\n"
        "www.pem [verify required ca-file %s/ca.crt alpn http/1.1] www.example.com  alt.example.com\n"
        "   wild.pem [ciphers ECDHE-RSA-AES128-GCM-SHA256] "
        "*.example.org !secret.example.org\n" % d)
    return d


FRONTENDS = [  # (name, bind options)
    ("required", "ssl crt srv.pem verify required ca-file {d}/ca.crt"),
    ("optional", "ssl crt srv.pem verify optional ca-file ca.crt crl-file crl.pem"),  # under ca-base
    ("ignore", "ssl crt srv.pem verify required ca-file {d}/ca.crt crt-ignore-err all"),
    ("verifyfile", "ssl crt srv.pem verify required ca-verify-file {d}/ca.crt"),
    ("none", "ssl crt srv.pem"),
    ("list", "ssl crt-list {d}/list.txt"),
]


def cfg_text(d, ports, origin_port):
    out = ("global\n    crt-base %s\n    ca-base %s\n"
           "defaults\n    mode http\n    timeout connect 5s\n    timeout client 10s\n"
           "    timeout server 10s\n" % (d, d))
    for (name, opts), port in zip(FRONTENDS, ports):
        out += ("frontend %s\n    bind 127.0.0.1:%d %s\n" % (name, port, opts.format(d=d)) +
                "    http-request deny deny_status 403 if { ssl_c_s_dn(CN) -m str mallory }\n"
                "    http-request return status 401 content-type text/plain string nocert "
                "if { path /acl } !{ ssl_c_used }\n"
                "    http-request set-header X-SSL-Client-DN %{+Q}[ssl_c_s_dn]\n"
                "    http-request set-header X-SSL-Client-Verify %[ssl_c_verify]\n"
                "    http-request return status 200 content-type text/plain lf-string \"" + FACTS +
                "\" if { path /facts }\n"
                "    default_backend be\n")
    return out + "backend be\n    server o 127.0.0.1:%d\n" % origin_port


@pytest.fixture
def pair(bins, tmp_path, pki, origin):
    """haproxy and fulcrum-as-haproxy on the same configuration:
    {who: {frontend: port}}."""
    ours = programs()
    started, ports = [], {}
    try:
        for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
            p = [fc.free_port() for _ in FRONTENDS]
            cfg = tmp_path / ("%s.cfg" % who)
            cfg.write_text(cfg_text(pki, p, origin.port))
            started.append(Server(prog, cfg, p, tmp_path / ("%s.log" % who)))
            ports[who] = dict(zip([f[0] for f in FRONTENDS], p))
        yield ports
    finally:
        outs = [s.stop() for s in started]
    if len(outs) == 2:
        fc.assert_no_sanitizer(outs[1], "fulcrum as haproxy")


def ask(port, d, client=None, path="/facts", sni=None, alpn=("h2", "http/1.1")):
    """One request with client's certificate (None: none): (status, body,
    the server certificate's CN, the protocol ALPN chose), or ("refused",
    why) when the handshake or the first read failed."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(list(alpn))
    if client:
        ctx.load_cert_chain(str(d / (client + ".pem")))
    raw = socket.create_connection(("127.0.0.1", port), timeout=15.0)
    try:
        with ctx.wrap_socket(raw, server_hostname=sni) as s:
            cn, alpn = cert_cn(s), s.selected_alpn_protocol()
            if alpn == "h2":
                return ("h2", cn)
            s.sendall(b"GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" % path.encode())
            status, _, body = read_response(s)
            if not status:
                return ("refused", "closed")
            return (status, body.decode("latin-1"), cn, alpn)
    except ssl.SSLError as e:
        return ("refused", e.reason)
    except (ConnectionResetError, BrokenPipeError):
        return ("refused", "reset")
    finally:
        raw.close()


CLIENTS = [None, "alice", "carol", "mallory", "bob", "selfie"]


def test_client_certificates_as_haproxy(pair, pki, origin):
    """Every client on every frontend (but the crt-list one): refused or
    served, and what the fetches say, as HAProxy."""
    got = {}
    for who, ports in pair.items():
        got[who] = {(fe, c, p): ask(ports[fe], pki, c, p) for fe in ports if fe != "list"
                    for c in CLIENTS for p in ("/facts", "/acl")}
    assert got["fulcrum"] == got["haproxy"]
    g = got["fulcrum"]
    # required: no certificate, another CA's, a self-signed one: refused
    for c in (None, "bob", "selfie"):
        assert g[("required", c, "/facts")][0] == "refused"
    alice = g[("required", "alice", "/facts")]
    assert alice[0] == "HTTP/1.1 200 OK"
    assert ("used=1 has=1 verify=0 err=0 caerr=0 sdn=/C=FR/O=Example/OU=Eng/OU=Ops/CN=alice cn=alice "
            "ou2=Ops oulast=Ops rfc=CN=alice,OU=Ops,OU=Eng,O=Example,C=FR idn=/O=Example/CN=Test CA "
            "icn=Test CA serial=1A2B3C sha1=") in alice[1]
    assert " ver=1 sig=RSA-SHA256 key=rsaEncryption" in alice[1]  # x509 -req: a v1 certificate
    assert " der=%s fder=%s" % (der_hex(pki / "alice.crt"), der_hex(pki / "srv.pem")) in alice[1]
    assert " der= fder=%s" % der_hex(pki / "srv.pem") in g[("optional", None, "/facts")][1]
    # optional: no certificate gets in, a revoked one does not
    assert g[("optional", None, "/facts")][1].startswith("used=0 has=0 verify=0 err=0 caerr=0 sdn= ")
    assert g[("optional", None, "/acl")][:2] == ("HTTP/1.1 401 Unauthorized", "nocert")
    assert g[("optional", "carol", "/facts")][0] == "refused"
    assert g[("optional", "alice", "/acl")][1] == "o /acl"
    # an ACL on the subject
    assert g[("optional", "mallory", "/facts")][0] == "HTTP/1.1 403 Forbidden"
    # crt-ignore-err all: another CA's client served, the error kept
    # (ssl_c_verify: the last error, 21; ssl_c_err: the first, 20)
    assert g[("ignore", "bob", "/facts")][1].startswith("used=1 has=1 verify=21 err=20 caerr=0 ")
    assert g[("ignore", None, "/facts")][0] == "refused"
    assert g[("verifyfile", "alice", "/facts")][0] == "HTTP/1.1 200 OK"
    assert g[("none", "alice", "/facts")][1].startswith("used=0 ")
    # the headers the server got for alice's /acl on the four verifying
    # frontends, from haproxy and from us (%{+Q} quotes no fetch in a
    # header, in both)
    dn = [h for h in origin.heads if b"\r\nx-ssl-client-dn: /C=FR/O=Example/OU=Eng/OU=Ops/CN=alice\r\n" in h]
    assert len(dn) == 8 and all(h.endswith(b"\r\nx-ssl-client-verify: 0") for h in dn)


CRTLIST_CASES = [  # (sni, client)
    (None, None),
    ("srv.example.com", None),
    ("www.example.com", None),
    ("www.example.com", "alice"),
    ("ALT.example.com", "alice"),
    ("a.example.org", None),
    ("x.y.example.org", None),
    ("secret.example.org", None),
    ("unknown.test", None),
]


def test_crt_list_as_haproxy(pair, pki):
    """The certificate SNI picks through the crt-list's filters (the
    default without a match, a wildcard, a negation), each line's own
    verify and alpn, as HAProxy."""
    got = {who: [ask(ports["list"], pki, c, "/facts", sni) for sni, c in CRTLIST_CASES]
           for who, ports in pair.items()}
    assert got["fulcrum"] == got["haproxy"]
    g = dict(zip(CRTLIST_CASES, got["fulcrum"]))
    assert g[(None, None)][2] == "srv.example.com"
    assert g[("www.example.com", None)][0] == "refused"  # that line's verify required
    assert g[("www.example.com", "alice")][2:] == ("www.example.com", "http/1.1")  # its alpn
    assert g[("ALT.example.com", "alice")][2] == "www.example.com"
    assert g[("a.example.org", None)][2] == "wild.example.org"
    assert (" fder=%s" % der_hex(pki / "wild.pem")) in g[("a.example.org", None)][1]  # ssl_f_der
    assert g[("x.y.example.org", None)][2] == "srv.example.com"  # one label only
    assert g[("secret.example.org", None)][2] == "srv.example.com"  # !secret
    assert g[("srv.example.com", None)][2:] == ("srv.example.com", None)  # no alpn on the bind
    # the wildcard line's own ciphers (TLSv1.2; TLSv1.3's are the bind's)
    ciphers = {who: [cipher(ports["list"], sni, tls12) for sni in ("a.example.org", "srv.example.com")
                     for tls12 in (False, True)] for who, ports in pair.items()}
    assert ciphers["fulcrum"] == ciphers["haproxy"]
    assert ciphers["fulcrum"][1] == "ECDHE-RSA-AES128-GCM-SHA256" and "AES128" not in ciphers["fulcrum"][3]


def cipher(port, sni, tls12):
    """The cipher a handshake with SNI sni chose (TLSv1.2 at most: tls12)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=15.0) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as s:
            return s.cipher()[0]


@pytest.mark.parametrize("line,why", [
    ("srv.pem [verify required", "'[' without ']'"),
    ("srv.pem [verify maybe]", "verify 'maybe': none, optional or required"),
    ("srv.pem [frobnicate] a.example", "unknown ssl option 'frobnicate'"),
    ("srv.pem [ssl-min-ver TLSv9]", "ssl-min-ver 'TLSv9': not a version"),
    ("srv.pem [no-tlsv12]", "unknown ssl option 'no-tlsv12'"),  # haproxy 2.6: the bind's only
    ("srv.pem [strict-sni]", "unknown ssl option 'strict-sni'"),
    ("srv.pem [ciphers NOSUCHCIPHER]", "NOSUCHCIPHER"),
    ("srv.pem a.example [alpn h2]", "come right after the certificate"),
    ("srv.pem ] x", "']' without '['"),
    ("srv.pem [alpn h2] [alpn h2]", "a second '['"),
    ("srv.pem !", "an empty SNI filter"),
    ("nothere.pem", "nothere.pem"),
])
def test_crt_list_errors_at_file_line(tmp_path, pki, line, why):
    """A bad line is refused at the list's FILE:LINE (a missing
    certificate: at the bind's line, naming the file)."""
    lst = tmp_path / "bad.lst"
    lst.write_text("# comment\nsrv.pem\n%s\n" % line)
    cfg = tmp_path / "c.cfg"
    cfg.write_text("global\n    crt-base %s\ndefaults\n    mode http\nfrontend fe\n"
                   "    bind 127.0.0.1:1 ssl crt-list %s\n    default_backend be\n"
                   "backend be\n    server s 127.0.0.1:2\n" % (pki, lst))
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(cfg))
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    assert r.returncode != 0
    where = "%s:6:" % cfg if why in ("nothere.pem", "NOSUCHCIPHER") else "%s:3:" % lst
    assert where in r.stderr and why in r.stderr, r.stderr


@pytest.mark.parametrize("opts,why", [
    ("verify required", "verify required needs the CAs"),
    ("verify sometimes ca-file {d}/ca.crt", "none, optional or required"),
    ("verify optional ca-file {d}/nope.crt", "nope.crt"),
    ("verify optional ca-file {d}/ca.crt crl-file {d}/srv.key", "crl-file"),
    ("verify optional ca-file {d}/ca.crt crt-ignore-err 20,x", "crt-ignore-err '20,x'"),
    ("crt-list {d}/none.lst", "none.lst"),
])
def test_bind_errors_at_file_line(tmp_path, pki, opts, why):
    cfg = tmp_path / "c.cfg"
    cfg.write_text("defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:1 ssl crt %s/srv.pem %s\n"
                   "    default_backend be\nbackend be\n    server s 127.0.0.1:2\n"
                   % (pki, opts.format(d=pki)))
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", str(cfg))
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    assert r.returncode != 0 and "%s:4:" % cfg in r.stderr and why in r.stderr, r.stderr


@pytest.fixture
def verifying(daemon, pki, origin):
    """fulcrum alone on a `verify required` bind with alpn h2, its log
    lines to a UDP socket of ours: (tls port, the socket)."""
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(20)
    try:
        port = fc.free_port()
        daemon("defaults\n    mode http\n    timeout connect 5s\n    timeout client 10s\n"
               "    timeout server 10s\nfrontend fe\n"
               "    bind 127.0.0.1:%d ssl crt %s/srv.pem verify required ca-file %s/ca.crt alpn h2,http/1.1\n"
               "    log 127.0.0.1:%d local2\n"
               "    log-format \"%%[ssl_c_s_dn(CN)] %%[ssl_c_verify] %%{+Q}[ssl_c_i_dn] %%ST %%HP\"\n"
               "    http-request return status 200 content-type text/plain lf-string "
               "\"cn=%%[ssl_c_s_dn(CN)] serial=%%[ssl_c_serial,hex]\" if { path /facts }\n"
               "    default_backend be\nbackend be\n    server o 127.0.0.1:%d\n"
               % (port, pki, pki, u.getsockname()[1], origin.port), args=["--format=haproxy"])
        yield port, u
    finally:
        u.close()


def test_fetches_in_the_log_and_over_h2(verifying, pki):
    """log-format with ssl_c_* fetches; an HTTP/2 connection's streams see
    the connection's certificate (each its own reference: ASan sees any
    use after the connection freed it)."""
    port, u = verifying
    assert ask(port, pki, "alice", "/x", alpn=["http/1.1"])[:2] == ("HTTP/1.1 200 OK", "o /x")
    line = u.recv(4096).decode()
    assert line.endswith(": alice 0 \"/O=Example/CN=Test CA\" 200 /x"), line
    if not NGHTTP:
        pytest.skip("nghttp is not installed (apt-get install nghttp2-client)")
    r = subprocess.run([NGHTTP, "-t", "30", "--cert", str(pki / "alice.crt"), "--key", str(pki / "alice.key"),
                        "https://127.0.0.1:%d/facts" % port, "https://127.0.0.1:%d/s2" % port],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"cn=alice serial=1A2B3Co /s2"
    r = subprocess.run([NGHTTP, "-t", "30", "https://127.0.0.1:%d/facts" % port], capture_output=True,
                       timeout=60)
    assert r.stdout == b"" and b"processed=0" in r.stderr, r.stderr  # no certificate: refused
