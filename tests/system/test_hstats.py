"""The HTTP engine's figures in `show stat` (src/stats/hastat.c), side by
side with Debian's haproxy 2.6: the same haproxy.cfg served by both on
loopback in front of the same origin, the same requests, and the columns
an operator reads first must say the same for every row both print --
req_tot, hrsp_*, dreq, ereq, econ, wretr, wredis...; the check columns of
a server that refuses (L4CON) and of one that answers (L4OK).

Skipped when /usr/sbin/haproxy (the reference) or the haproxy.cfg reader is
absent."""
import csv
import socket
import time

import fc
from test_http_persist import ask, listen, pair, runtime  # noqa: F401 (pair: a fixture)
from test_http import Origin
from test_metrics import check_metrics, parse, promtool  # noqa: F401 (promtool: a fixture)

import pytest

WHO = ("haproxy", "fulcrum")
COUNTERS = ("req_tot", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other",
            "dreq", "dresp", "ereq", "econ", "eresp", "wretr", "wredis", "cli_abrt", "srv_abrt",
            "intercepted")
CHECKS = ("check_status", "check_code", "check_rise", "check_fall", "check_health", "chkfail",
          "chkdown")


@pytest.fixture
def origin():
    o = Origin("A")
    yield o
    o.stop()


@pytest.fixture
def closed_port():
    """A port nothing listens on (bound, never listening: refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    yield s.getsockname()[1]
    s.close()


def sock_of(tmp_path, ports):
    return str(tmp_path / ("s%d.sock" % ports[0]))


def start(pair, tmp_path, sections, n):
    def cfg(p):
        return ("global\n  stats socket %s level admin\n" % sock_of(tmp_path, p) +
                "defaults\n  mode http\n  option http-ignore-probes\n  timeout connect 2s\n  timeout client 20s\n"
                "  timeout server 20s\n" + sections(p))

    ports = pair(cfg, n)
    return {who: (ports[who], sock_of(tmp_path, ports[who])) for who in ports}


def rows(sock):
    """{(pxname, svname): {column: text}} of `show stat`, read as CSV (a
    last_chk in fulcrum's words may hold a comma, quoted)."""
    lines = runtime(sock, "show stat")
    cols = lines[0].lstrip("# ").split(",")
    return {(r["pxname"], r["svname"]): r for r in (dict(zip(cols, l)) for l in csv.reader(lines[1:]))}


def pick(sock, keys, cols):
    got = rows(sock)
    return {k: {c: got[k][c] for c in cols} for k in keys}


def bad_request(port):
    """A head with two Content-Length: 400 from both."""
    with fc.connect(port, timeout=20.0) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        return fc.recv_to_eof(s).split(b" ")[1]


def test_http_counters_as_haproxy(pair, origin, tmp_path, promtool):
    """3 answers 200, one 404 from the server, one request denied by the
    frontend's rule, one that does not parse: the FRONTEND, BACKEND and
    server rows count them in the same columns as haproxy's; `metrics` says
    them in haproxy's exporter families, which promtool accepts."""
    run = start(pair, tmp_path, lambda p: listen(p[0], "web", ["http-request deny if { path /deny }"],
                                                 ["a 127.0.0.1:%d" % origin.port]), 1)
    keys = [("web", "FRONTEND"), ("web", "a"), ("web", "BACKEND")]
    for who in WHO:
        (port,), sock = run[who]
        assert [ask(port, path=p)[0] for p in ("/", "/x", "/y", "/status/404", "/deny")] == \
            ["200", "200", "200", "404", "403"], who
        assert bad_request(port) == b"400", who
    want = {("web", "FRONTEND"): dict(req_tot="6", hrsp_2xx="3", hrsp_4xx="3", dreq="1", ereq="1"),
            ("web", "a"): dict(req_tot="4", hrsp_2xx="3", hrsp_4xx="1"),
            ("web", "BACKEND"): dict(req_tot="4", hrsp_2xx="3", hrsp_4xx="1")}
    got = {}
    for who in WHO:
        sock = run[who][1]
        # the counts land as each transaction ends: bounded wait
        fc.wait_until(lambda: all(pick(sock, keys, COUNTERS)[k][c] == v for k in want for c, v in want[k].items()),
                      20.0, "%s's counters: %r" % (who, pick(sock, keys, COUNTERS)))
        got[who] = pick(sock, keys, COUNTERS)
    assert got["fulcrum"] == got["haproxy"]
    text = "\n".join(runtime(run["fulcrum"][1], "metrics")) + "\n"
    check_metrics(promtool, text)
    samples, types = parse(text)
    fe = frozenset([("proxy", "web")])
    assert types["haproxy_frontend_http_responses_total"] == "counter"
    assert samples[("haproxy_frontend_http_responses_total", fe | {("code", "2xx")})] == 3
    assert samples[("haproxy_frontend_http_responses_total", fe | {("code", "4xx")})] == 3
    assert samples[("haproxy_frontend_http_requests_total", fe)] == 6
    assert samples[("haproxy_frontend_requests_denied_total", fe)] == 1
    assert samples[("haproxy_frontend_request_errors_total", fe)] == 1
    assert samples[("haproxy_server_http_responses_total", fe | {("server", "a"), ("code", "4xx")})] == 1


def test_retries_redispatch_and_checks_as_haproxy(pair, origin, closed_port, tmp_path):
    """A server that refuses: without redispatch its request is retried
    (wretr), then fails (econ, 503); with option redispatch it goes to the
    next server (wredis) and is served.  Checked every second, the one that
    refuses is L4CON, down once (chkdown, chkfail), health 0; the one that
    answers L4OK with rise + fall - 1."""
    gone = "gone 127.0.0.1:%d" % closed_port
    up = "a 127.0.0.1:%d" % origin.port
    run = start(pair, tmp_path, lambda p: (
        listen(p[0], "nore", ["retries 1"], [gone]) +
        listen(p[1], "redis", ["retries 1", "option redispatch", "balance first"], [gone, up]) +
        listen(p[2], "chk", [], [gone + " check inter 1s rise 1 fall 1", up + " check inter 1s"])), 3)
    for who in WHO:
        ports, sock = run[who]
        assert ask(ports[0])[0] == "503", who
        assert ask(ports[1])[0] == "200", who
    # (the backends count the 503 they answered in req_tot and hrsp_5xx,
    # as haproxy does: their own figures, not their servers' sum)
    keys = [("nore", "gone"), ("nore", "BACKEND"), ("redis", "gone"), ("redis", "a"), ("redis", "BACKEND")]
    chk = [("chk", "gone"), ("chk", "a")]
    got = {}
    for who in WHO:
        sock = run[who][1]
        fc.wait_until(lambda: pick(sock, keys, COUNTERS)[("nore", "gone")]["econ"] == "1" and
                      pick(sock, keys, COUNTERS)[("redis", "a")]["req_tot"] == "1", 20.0, "%s's counters" % who)
        fc.wait_until(lambda: [r["check_status"].lstrip("* ") for r in pick(sock, chk, CHECKS).values()] ==
                      ["L4CON", "L4OK"], 20.0, "%s's checks" % who)
        got[who] = pick(sock, keys, COUNTERS)
        c = pick(sock, chk, CHECKS + ("check_duration", "last_chk", "downtime"))
        for r in c.values():
            r["check_status"] = r["check_status"].lstrip("* ")  # "* ": an attempt under way
            assert r.pop("check_duration").isdigit(), (who, r)
        assert c[("chk", "gone")].pop("last_chk"), who  # the reason, in each one's words
        assert c[("chk", "gone")].pop("downtime").isdigit(), who
        assert c[("chk", "a")].pop("downtime") == "0", who
        got[who + " checks"] = c
    diff = {k: {c: (got["haproxy"][k][c], v) for c, v in got["fulcrum"][k].items() if v != got["haproxy"][k][c]}
            for k in keys}
    assert not any(diff.values()), diff
    assert got["fulcrum"][("nore", "gone")]["wretr"] == "1"
    assert got["fulcrum"][("redis", "gone")]["wredis"] == "1"
    assert got["fulcrum checks"] == got["haproxy checks"]
    assert got["fulcrum checks"][("chk", "gone")] == dict(
        check_status="L4CON", check_code="", check_rise="1", check_fall="1", check_health="0",
        chkfail="1", chkdown="1")
    assert got["fulcrum checks"][("chk", "a")]["check_health"] == "4"



# Columns whose value is the same in both for the same traffic (the byte
# counts are not: each rewrites the request its own way; the times and
# the rates now depend on the moment they are read).
SAME = ("stot", "lbtot", "req_tot", "hrsp_2xx", "hrsp_5xx", "econ", "dreq", "rate_lim", "conn_tot",
        "cookie", "algo", "comp_in", "comp_rsp", "dcon", "dses", "wrew", "eint", "cache_hits", "-")


def burst(port, paths):
    """The requests one after the other: their statuses and how long the
    whole took (s)."""
    t0 = time.monotonic()
    got = [ask(port, path=p)[0] for p in paths]
    return got, time.monotonic() - t0


def test_backend_rows_rates_and_times_as_haproxy(pair, origin, tmp_path, promtool):
    """A frontend sends / to `app` (one server, cookie persistence) and
    /none to `none` (its one server disabled: 503 without a server).  The
    BACKEND rows count what they took -- the 503s in none's req_tot,
    hrsp_5xx and econ -- and lbtot only what a server took; rate_max,
    req_rate_max and conn_rate_max are the burst's counts; lastsess is -1
    where no server ever took a session; the time averages are figures of
    a server and a backend, not of a frontend."""
    run = start(pair, tmp_path, lambda p: (
        "frontend fe\n  bind 127.0.0.1:%d\n  use_backend none if { path_beg /none }\n"
        "  default_backend app\n"
        "backend app\n  cookie SRV insert indirect nocache\n  server a 127.0.0.1:%d cookie ca\n"
        "backend none\n  server x 127.0.0.1:%d disabled\n" % (p[0], origin.port, origin.port)), 1)
    took = {}
    # the start-up's probe of the port is a session of the frontend: two
    # seconds later its period is over, the burst's starts afresh
    time.sleep(2.1)
    for who in WHO:
        (port,), sock = run[who]
        got, took[who] = burst(port, ("/", "/x", "/y", "/none", "/none/2"))
        assert got == ["200", "200", "200", "503", "503"], who
    keys = [("fe", "FRONTEND"), ("app", "a"), ("app", "BACKEND"), ("none", "x"), ("none", "BACKEND")]
    for who in WHO:
        sock = run[who][1]
        fc.wait_until(lambda: rows(sock)[("fe", "FRONTEND")]["req_tot"] == "5", 20.0, who)
    got = {who: pick(run[who][1], keys, SAME + ("rate", "rate_max", "req_rate_max", "conn_rate_max",
                                                "lastsess", "qtime", "ctime", "rtime", "ttime",
                                                "rtime_max"))
           for who in WHO}
    ours = got["fulcrum"]
    diff = {k: {c: (got["haproxy"][k][c], ours[k][c]) for c in SAME if got["haproxy"][k][c] != ours[k][c]}
            for k in keys}
    assert not any(diff.values()), diff
    assert ours[("none", "BACKEND")]["req_tot"] == "2" and ours[("none", "BACKEND")]["hrsp_5xx"] == "2"
    assert ours[("none", "BACKEND")]["econ"] == "2" and ours[("none", "BACKEND")]["lbtot"] == "0"
    assert ours[("app", "BACKEND")]["req_tot"] == "3" and ours[("app", "BACKEND")]["hrsp_5xx"] == "0"
    assert ours[("app", "a")]["cookie"] == "ca" and ours[("app", "BACKEND")]["cookie"] == "SRV"
    assert ours[("app", "BACKEND")]["algo"] == "roundrobin"
    # a burst within one second: each one's rate_max is its count
    want = {("fe", "FRONTEND"): "5", ("app", "a"): "3", ("app", "BACKEND"): "3",
            ("none", "x"): "0", ("none", "BACKEND"): "2"}
    fe = ("fe", "FRONTEND")
    for who in WHO:
        if took[who] < 0.8:
            assert {k: got[who][k]["rate_max"] for k in want} == want, who
            assert got[who][fe]["req_rate_max"] == got[who][fe]["conn_rate_max"] == "5", who
    for k in keys:
        assert 0 <= int(ours[k]["rate"]) <= int(ours[k]["rate_max"]), (k, ours[k])
    assert ours[("none", "x")]["lastsess"] == ours[("none", "BACKEND")]["lastsess"] == "-1"
    assert got["haproxy"][("none", "BACKEND")]["lastsess"] == "-1"
    assert 0 <= int(ours[("app", "a")]["lastsess"]) <= 30
    assert 0 <= int(ours[("app", "BACKEND")]["lastsess"]) <= 30
    for k in keys:
        times = [ours[k][c] for c in ("qtime", "ctime", "rtime", "ttime", "rtime_max")]
        if k[1] == "FRONTEND":
            assert times == [""] * 5, times
        else:
            assert all(t.isdigit() for t in times), (k, times)
    # the times of the server that answered: Tt is at least Tr
    assert int(ours[("app", "a")]["ttime"]) >= int(ours[("app", "a")]["rtime"])
    # the same figures in HAProxy's exporter families, which promtool accepts
    text = "\n".join(runtime(run["fulcrum"][1], "metrics")) + "\n"
    check_metrics(promtool, text)
    samples, types = parse(text)
    none, app = frozenset([("proxy", "none")]), frozenset([("proxy", "app")])
    assert samples[("haproxy_backend_http_responses_total", none | {("code", "5xx")})] == 2
    assert samples[("haproxy_backend_connection_errors_total", none)] == 2
    assert samples[("haproxy_server_last_session_seconds", none | {("server", "x")})] == -1
    assert samples[("haproxy_backend_max_session_rate", none)] == int(ours[("none", "BACKEND")]["rate_max"])
    assert samples[("haproxy_frontend_limit_session_rate", frozenset([("proxy", "fe")]))] == 0
    assert types["haproxy_backend_response_time_average_seconds"] == "gauge"
    assert samples[("haproxy_server_max_total_time_seconds", app | {("server", "a")})] == \
        int(rows(run["fulcrum"][1])[("app", "a")]["ttime_max"]) / 1000.0


def test_smax_as_haproxy(pair, origin, tmp_path, promtool):
    """Three requests held at once (their bodies still coming): the
    server's scur and smax are 3 in both, the frontend's smax at least
    that; once they are answered scur is 0 and smax stays."""
    run = start(pair, tmp_path, lambda p: listen(p[0], "web", [], ["a 127.0.0.1:%d" % origin.port]), 1)
    key = ("web", "a")
    for who in WHO:
        (port,), sock = run[who]
        held = []
        try:
            for _ in range(3):
                c = fc.connect(port, timeout=20.0)
                held.append(c)
                c.sendall(b"POST /hold HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                          b"Content-Length: 10\r\n\r\nab")
            fc.wait_until(lambda: rows(sock)[key]["scur"] == "3", 20.0,
                          "%s: %r" % (who, rows(sock)[key]["scur"]))
            assert rows(sock)[key]["smax"] == "3", who
            for c in held:
                c.sendall(b"cdefghij")
                assert fc.recv_to_eof(c).split(b" ")[1] == b"200", who
        finally:
            for c in held:
                c.close()
        fc.wait_until(lambda: rows(sock)[key]["scur"] == "0", 20.0, who)
        r = rows(sock)
        assert r[key]["smax"] == "3", who
        assert int(r[("web", "FRONTEND")]["smax"]) >= 3, who
    text = "\n".join(runtime(run["fulcrum"][1], "metrics")) + "\n"
    check_metrics(promtool, text)
    samples, _ = parse(text)
    assert samples[("haproxy_server_max_sessions", frozenset([("proxy", "web"), ("server", "a")]))] == 3
