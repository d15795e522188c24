"""Seed 003 (issue 12) replayed: HAProxy in front of two web servers, with
fulcrum reading the guide's haproxy.cfg files as they are.

The guide's three haproxy.cfg files are used VERBATIM (tests/data/seed003/,
cut from the seed's text at the lines it printed them; comments, the
guide's Chinese notes left out of the files as the guide itself did, the
HAProxy 1.5 form `frontend main *:80` that HAProxy 2.6 no longer reads):

    haproxy-roundrobin.cfg  frontend main *:80 -> backend app (app1, app2)
    haproxy-static.cfg      static paths (path_beg / path_end ACLs) ->
                            backend static (app2), the rest -> app (app1);
                            `listen stats *:8080` with stats auth
    haproxy-readwrite.cfg   PUT/POST (`acl write method PUT|POST`) ->
                            static (app2), the rest -> app (app1)

The guide's addresses, in this test's own namespaces (lvsnet.LvsNet, a
plan of 172.25.5.0/24):

    server1   172.25.5.1    the director: fulcrum, *:80 (and *:8080)
    server2   172.25.5.2    app1: nginx answering "server2 METHOD URI xff=..."
    server3   172.25.5.3    app2: nginx answering "server3 ..."
    desktop   172.25.5.250  the client

What is asserted is what the guide's user sees: which web server answers
which request, the X-Forwarded-For header the servers get (option
forwardfor except 127.0.0.0/8), a stopped server skipped with no failed
request (option redispatch, retries 3, check), and the httplog lines at the
syslog listener the guide configures (`log 127.0.0.1 local2`, rsyslog's
imudp on port 514), in HAProxy's format.

Run: make SAN=1 && FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q \\
     tests/system/test_seed003.py        (root)
"""
import os
import re
import socket

import pytest

import fc
import lvsnet as ln
import vrrpnet as vn

SEED = fc.REPO / "tests" / "data" / "seed003"
NGINX = "/usr/sbin/nginx"
DIRECTOR = "172.25.5.1"
WEB = {"server2": "172.25.5.2", "server3": "172.25.5.3"}
CLIENT = "172.25.5.250"
# haproxy's check defaults (inter 2 s, fall 3) with `timeout check 10s`:
# a stopped server (connection refused) is down after three failed checks
CHECK_DOWN = 3 * 2 + 6.0

SYSLOG = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 514))
print("ready", flush=True)
while True:
    d, a = s.recvfrom(65535)
    print(d.decode(errors="replace").replace("\n", " "), flush=True)
"""


def seed_text(name):
    return (SEED / name).read_text()


class Web:
    """nginx on 0.0.0.0:80 in host's namespace (one process, files in the
    test's temp dir), answering every request with one line that names the
    server and echoes the method, the URI and X-Forwarded-For."""

    def __init__(self, net, host, name):
        d = os.path.join(net.tmp, "web-" + name)
        os.makedirs(d)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write("daemon off;\nmaster_process off;\npid %s/nginx.pid;\n"
                    "error_log %s/error.log;\nevents { worker_connections 256; }\n"
                    "http {\n access_log off;\n"
                    " client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
                    " fastcgi_temp_path %s/fastcgi;\n uwsgi_temp_path %s/uwsgi;\n"
                    " scgi_temp_path %s/scgi;\n"
                    " server { listen 0.0.0.0:80;\n"
                    "  location / { default_type text/plain;\n"
                    "   return 200 \"%s $request_method $request_uri xff=$http_x_forwarded_for\\n\"; }\n"
                    " }\n}\n" % (d, d, d, d, d, d, d, name))
        self.proc = net.popen(host, [NGINX, "-e", os.path.join(d, "error.log"), "-p", d,
                                     "-c", conf], name, ready=False)
        fc.wait_until(lambda: host.call(port_open, host.addr, 80), 10.0,
                      "nginx %s on %s:80" % (name, host.addr))


def port_open(addr, port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def http(method, path, port=80, body=b"", timeout=5.0, headers=()):
    """One request from the client (run in its namespace): (status, body).
    headers: more header lines ("Name: value")."""
    s = socket.create_connection((DIRECTOR, port), timeout=timeout)
    try:
        req = ("%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Length: %d\r\n%s\r\n"
               % (method, path, DIRECTOR, len(body),
                  "".join(h + "\r\n" for h in headers))).encode() + body
        s.sendall(req)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, rest.decode(errors="replace")


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def seed_net(bins):
    if not os.access(NGINX, os.X_OK):
        pytest.skip("nginx is not installed (./dev check installs nginx-light)")
    net = ln.LvsNet(n_rs=2, n_dir=1, rs_vip="none", v6=False, prefix="172.25.5", vip_idx=100,
                    client_idx=250, dir_idx=(1,), rs_idx=(2, 3), vip_on_dir=False)
    try:
        net.web = {}
        for (name, addr), host in zip(sorted(WEB.items()), net.rs):
            assert host.addr == addr
            net.web[name] = Web(net, host, name)
        net.director = net.dirs[0]
        net.director.sh(ln.IP, "link", "set", "lo", "up")
        net.syslog = net.popen(net.director, [fc.PYTHON, "-c", SYSLOG], "syslog")
        yield net
    finally:
        net.close()


@pytest.fixture
def site(seed_net, tmp_path, request):
    """seed_net plus a function starting fulcrum on server1 with one of the
    guide's files, verbatim; the daemon stops (exit 0, no sanitizer report)
    before the namespaces go."""
    make = vn.daemon_factory(tmp_path, request)

    def start(name):
        d = make(seed_net.director.ns, seed_text(name), start=False, sub=name)
        # the guide's `chroot /var/lib/haproxy` holds no /proc, which
        # LeakSanitizer reads at exit (it then fails with "does not work
        # under ptrace"): leak checking is off for this daemon only; the
        # HTTP engine's leaks are checked by test_http.py and test_vtc.py
        d.extra_env = {"ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0"}
        d.start()
        fc.wait_until(lambda: seed_net.client.call(port_open, DIRECTOR, 80), 10.0,
                      "fulcrum listening on %s:80" % DIRECTOR)
        return d
    return seed_net, start


def get(net, method, path, **kw):
    return net.client.call(http, method, path, **kw)


# ---------------------------------------------------------------- tests

def test_fulcrum_t_reads_the_guides_files(bins):
    """`fulcrum -t` accepts each of the guide's files as haproxy.cfg."""
    for name in ("haproxy-roundrobin.cfg", "haproxy-static.cfg", "haproxy-readwrite.cfg"):
        r = fc.run_fulcrum("-t", "-f", str(SEED / name))
        assert r.returncode == 0, "%s: %s%s" % (name, r.stdout, r.stderr)
        assert "(haproxy grammar)" in r.stdout + r.stderr, r.stdout + r.stderr


def test_roundrobin_over_app1_and_app2_with_forwardfor(site):
    net, start = site
    start("haproxy-roundrobin.cfg")
    seen = []
    for i in range(6):
        status, body = get(net, "GET", "/index.html?i=%d" % i)
        assert status == 200, body
        name, meth, uri, xff = body.split()
        assert (meth, uri) == ("GET", "/index.html?i=%d" % i)
        # option forwardfor except 127.0.0.0/8: the desktop is not local
        assert xff == "xff=" + CLIENT
        seen.append(name)
    # balance roundrobin with equal weights alternates
    assert seen[0] != seen[1] and seen == [seen[0], seen[1]] * 3, seen
    assert set(seen) == set(WEB)


def test_static_paths_go_to_the_static_backend(site):
    net, start = site
    start("haproxy-static.cfg")
    for path in ("/static/a.txt", "/IMAGES/logo", "/javascript/x", "/stylesheets/s",
                 "/a/b.jpg", "/c.GIF", "/d.png", "/e.css", "/f.js"):
        status, body = get(net, "GET", path)
        assert status == 200 and body.startswith("server3 "), (path, body)
    for path in ("/", "/index.html", "/api/static/x", "/a.jpg.html", "/api/js"):
        status, body = get(net, "GET", path)
        assert status == 200 and body.startswith("server2 "), (path, body)


def test_the_stats_page_on_8080_asks_for_the_guides_password(site):
    """`listen stats *:8080`, `stats uri /status`, `stats auth admin:password`:
    the guide's user opens the page with that password and sees both
    backends' servers."""
    net, start = site
    start("haproxy-static.cfg")
    status, body = get(net, "GET", "/status", port=8080)
    assert status == 401 and "valid user and password" in body
    auth = ["Authorization: Basic YWRtaW46cGFzc3dvcmQ="]  # admin:password
    assert get(net, "GET", "/status", port=8080, headers=["Authorization: Basic YTpi"])[0] == 401
    status, body = get(net, "GET", "/status", port=8080, headers=auth)
    assert status == 200 and '<a name="app">' in body and '<a name="static">' in body
    status, body = get(net, "GET", "/status;csv", port=8080, headers=auth)
    assert status == 200 and body.startswith("# pxname,svname,qcur,")
    rows = {tuple(l.split(",")[:2]) for l in body.splitlines()[1:]}
    assert {("app", "app1"), ("static", "app2"), ("app", "BACKEND")} <= rows, rows


def test_writes_go_to_server3_reads_to_server2(site):
    net, start = site
    start("haproxy-readwrite.cfg")
    for method in ("PUT", "POST"):
        status, body = get(net, method, "/upload.php", body=b"x" * 100)
        assert status == 200 and body.startswith("server3 %s " % method), (method, body)
    for method in ("GET", "HEAD", "DELETE"):
        status, body = get(net, method, "/index.php")
        assert status == 200, (method, body)
        # a HEAD answer has no body: which server answered is not visible
        if method != "HEAD":
            assert body.startswith("server2 %s " % method), (method, body)


def test_a_stopped_server_is_skipped_without_a_failed_request(site):
    """option redispatch + retries 3: a request that meets app1 stopped is
    sent to app2; after `fall` failed checks app1 is out of the rotation."""
    net, start = site
    start("haproxy-roundrobin.cfg")
    assert {get(net, "GET", "/")[1].split()[0] for _ in range(4)} == set(WEB)
    net.stop(net.web["server2"].proc)
    for _ in range(6):
        status, body = get(net, "GET", "/")
        assert status == 200 and body.startswith("server3 "), body
    fc.wait_until(lambda: all(get(net, "GET", "/")[1].startswith("server3 ")
                              for _ in range(4)), CHECK_DOWN, "only server3 answering")


def test_httplog_lines_reach_the_syslog_listener(site):
    net, start = site
    start("haproxy-roundrobin.cfg")
    status, _ = get(net, "GET", "/logme?x=1")
    assert status == 200
    # <150> = local2 (18) * 8 + info (6); then HAProxy's httplog format:
    # client:port [accept date] frontend backend/server TR/Tw/Tc/Tr/Ta
    # status bytes - - ---- act/fe/be/srv/retries queues "request line"
    pat = re.compile(r'^<150>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+\[\d+\]: '
                     + re.escape(CLIENT) + r':\d+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] '
                     r'main app/app[12] -?\d+/-?\d+/-?\d+/-?\d+/\d+ 200 \d+ - - [-\w]{4} '
                     r'\d+/\d+/\d+/\d+/\d+ \d+/\d+ "GET /logme\?x=1 HTTP/1\.1"$')
    line = fc.wait_until(lambda: next((ln_ for ln_ in net.syslog.lines if "/logme" in ln_), None),
                         15.0, "the httplog line at 127.0.0.1:514")
    assert pat.match(line), line
