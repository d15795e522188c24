"""userlist + `http-request auth` + the http_auth fetches, side by side
with Debian's haproxy 2.6 (test_http_answers.py's fixture): the same
haproxy.cfg served by both, the same raw requests to each, the same bytes
back -- no credentials, wrong ones, right ones (crypt(3) hashes $5$, $6$,
$y$ yescrypt as Debian makes them, and insecure-password), a user outside
the group asked for (groups written both ways), malformed Basic headers.
And the reader: userlists named but missing, groups unknown, refused at
their line.

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import base64

import fc
from test_http_answers import compare, raw, side_by_side  # noqa: F401 (a fixture)

# "s3cret" hashed with fixed salts (python's crypt / libcrypt's gensalt):
# the test does not depend on a hashing tool being installed
SHA256 = "$5$abcdefgh12345678$Rb6JOQa0YLS4vRu4UyZxc598i6UNkFZ.Fpi6aCZxtx/"
SHA512 = ("$6$abcdefgh12345678$lN8p3HxgOSmGJR.Kp2/V49Jg/2.tRM/P8wgK.QfsfDnpqHVkJnn7V32fbrpFPye7E"
          "zhvayR0N7xwM7PBgVSe/0")
YESCRYPT = "$y$j9T$k2XAnEHBqQ1Ct2aMXFKNa/$p2XKDO4VfgDzjw7O1psVYNJKImBm/WXSIF.edLF3DWA"

USERLIST = [
    "userlist L",
    "  group admins users alice,carol",
    "  group ops",
    "  user alice password %s" % SHA512,
    "  user bob insecure-password pw groups ops",
    "  user carol password %s" % SHA256,
    "  user dave password %s groups admins,ops" % YESCRYPT,
]

RULES = [
    "  acl ok http_auth(L)",
    "  acl adm http_auth_group(L) admins",
    "  acl ops http_auth_group(L) ops",
    "  http-request auth realm Zone if { path_beg /zone } !ok",
    "  http-request auth if { path_beg /admin } !adm",
    "  http-request auth realm Ops if { path_beg /ops } !ops",
    "  http-request auth unless ok",
    '  http-request return status 200 content-type text/plain lf-string '
    '"u=%[http_auth_user] p=%[http_auth_pass] t=%[http_auth_type] g=%[http_auth_group(L)]\\n"',
]


def basic(cred):
    return "Basic " + base64.b64encode(cred.encode()).decode()


CREDS = [None, basic("alice:s3cret"), basic("alice:wrong"), basic("bob:pw"), basic("bob:pw:x"),
         basic("carol:s3cret"), basic("dave:s3cret"), basic("dave:S3cret"), basic("nobody:pw"),
         basic("bob"), basic(":"), basic("alice:"),
         # malformed: not base64, padding wrong or cut, no data, another scheme
         "Basic !!!", "Basic Ym9iOnB3==", "Basic Ym9iOnB", "Basic =Ym9iOnB3", "Basic", "Basic ",
         "basic   Ym9iOnB3", "Digest Ym9iOnB3", "Bearer abc", "Ym9iOnB3", " Basic Ym9iOnB3"]


def req(path, cred, meth="GET"):
    auth = "Authorization: %s\r\n" % cred if cred is not None else ""
    return "%s %s HTTP/1.1\r\nHost: a\r\n%sConnection: close\r\n\r\n" % (meth, path, auth)


def test_auth_answers_as_haproxy(side_by_side):
    ports = side_by_side(lambda port_of: USERLIST + ["frontend fe", "  bind 127.0.0.1:%d" % port_of("fe")]
                         + RULES)
    reqs = [req(p, c) for p in ("/", "/zone", "/admin", "/ops") for c in CREDS]
    reqs += [req("/", None, "HEAD"), req("/admin", basic("bob:pw"), "HEAD")]
    assert not compare(ports, "fe", reqs)
    # what a user sees, whatever haproxy does
    f = ports["fulcrum"]["fe"]
    challenge = raw(f, req("/", None))
    assert challenge.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert b'\r\nwww-authenticate: Basic realm="fe"\r\n' in challenge
    assert b'www-authenticate: Basic realm="Zone"' in raw(f, req("/zone", basic("alice:wrong")))
    assert raw(f, req("/", basic("alice:s3cret"))).endswith(b"u=alice p=s3cret t=Basic g=alice\n")
    for who in ("carol", "dave"):  # $5$ and yescrypt; admins by the group's list and by the user's
        assert raw(f, req("/admin", basic(who + ":s3cret"))).startswith(b"HTTP/1.1 200 OK\r\n"), who
    assert raw(f, req("/admin", basic("bob:pw"))).startswith(b"HTTP/1.1 401 ")  # right password, not admins
    assert raw(f, req("/ops", basic("bob:pw"))).startswith(b"HTTP/1.1 200 OK\r\n")
    assert raw(f, req("/ops", basic("alice:s3cret"))).startswith(b"HTTP/1.1 401 ")
    # a challenge keeps the connection open for the next try, with credentials
    for who in ("haproxy", "fulcrum"):
        with fc.connect(ports[who]["fe"], timeout=10.0) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            first = fc.recv_head(s)
            s.sendall(("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: %s\r\nConnection: close\r\n\r\n"
                       % basic("bob:pw")).encode())
            rest = fc.recv_to_eof(s)
        assert first.startswith(b"HTTP/1.1 401 "), (who, first)
        assert b"HTTP/1.1 200 OK\r\n" in rest and rest.endswith(b"g=bob\n"), (who, rest)


def test_auth_in_backend_with_errorfile(side_by_side, tmp_path):
    """The realm of a backend's rule is the backend's name; the 401 is the
    proxy's errorfile for 401 with the challenge added."""
    ef = tmp_path / "401.http"
    ef.write_text("HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n"
                  "\r\nlogin!\n")
    ports = side_by_side(lambda port_of: USERLIST + [
        "frontend fe", "  bind 127.0.0.1:%d" % port_of("fe"), "  default_backend be",
        "backend be", "  errorfile 401 %s" % ef,
        "  http-request auth unless { http_auth(L) }",
        "  http-request return status 200 content-type text/plain string in"])
    assert not compare(ports, "fe", [req("/", None), req("/", basic("bob:pw")), req("/", basic("bob:x"))])
    f = ports["fulcrum"]["fe"]
    assert raw(f, req("/", None)) == (b"HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n"
                                      b"content-length: 7\r\nwww-authenticate: Basic realm=\"be\"\r\n"
                                      b"connection: close\r\n\r\nlogin!\n")


def check_refused(tmp_path, lines, needle):
    cfg = tmp_path / "bad.cfg"
    cfg.write_text("\n".join(["defaults", "  mode http", "  timeout client 5s", "  timeout server 5s",
                              "  timeout connect 5s"] + lines) + "\n")
    r = fc.run_fulcrum("-t", "-f", str(cfg))
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert needle in out, out
    return out


def test_userlist_mistakes_refused_at_their_line(tmp_path):
    fe = ["frontend fe", "  bind 127.0.0.1:%d" % fc.free_port()]
    out = check_refused(tmp_path, fe + ["  http-request auth if !{ http_auth(NOPE) }"] + USERLIST,
                        "no userlist named 'NOPE'")
    assert "bad.cfg:8:" in out
    out = check_refused(tmp_path, USERLIST + fe + ["  acl a http_auth_group(L) nosuch",
                                                   "  http-request auth unless a"],
                        "userlist 'L' has no group 'nosuch'")
    assert "bad.cfg:15:" in out
    check_refused(tmp_path, ["userlist M", "  group G users nobody"],
                  "bad.cfg:7: userlist 'M': no such user 'nobody' in group 'G'")
    check_refused(tmp_path, ["userlist M", "  user u insecure-password p groups NG"],
                  "bad.cfg:7: userlist 'M': no such group 'NG' in user 'u'")
    check_refused(tmp_path, fe + ['  http-request auth realm "a\\"b"'], "realm 'a\"b'")
    check_refused(tmp_path, fe + ["  http-request auth realm"], "'realm' expects a value")
    check_refused(tmp_path, fe + ["  http-request auth foo"], "unexpected 'foo'")
    check_refused(tmp_path, fe + ["  http-response auth"], "unsupported action 'auth'")
