"""Health checking end to end: real backends on loopback, the daemon's
checkers, and what a user sees (list --json state/reason/weight, show checks,
which backend answers, the log).

Checkers that have not landed yet fail every attempt with "... is not
implemented in this build": their tests skip at run time (need()), so the
suite stays green while they are written.  Every wait is bounded.
"""
import hashlib
import os
import re
import signal
import socket
import subprocess
import time

import pytest

import fc

# Timing used by most tests: short intervals so the file stays quick, a margin
# for ASan builds and a loaded 2-core machine.
INTERVAL = 0.3
MARGIN = 1.5


def need_core(d):
    """Skip the test if the daemon has no health core yet."""
    r = d.ctl("show", "checks", "--json")
    if r.returncode != 0:
        pytest.skip("health core not in this build (show checks: %s)"
                    % (r.stderr or r.stdout).strip()[:120])


def need(d, vs_port, rs_port, checker, timeout=6.0):
    """Skip the test if the daemon has no health core or `checker` is a
    placeholder; else the checker's show-checks entry after its first
    attempt."""
    need_core(d)

    def attempted():
        rs, checks = fc.rs_checks(d, vs_port, rs_port)
        for c in checks:
            if c["checker"] == checker and c["attempts_ok"] + c["attempts_failed"] > 0:
                return c
        return None
    c = fc.wait_until(attempted, timeout, "a first %s attempt on :%d" % (checker, rs_port))
    if "not implemented" in (c.get("reason") or ""):
        pytest.skip("%s is not implemented in this build" % checker)
    return c


def transitions(d, port, word, host="127.0.0.1"):
    """Log lines announcing `word` (UP/DOWN) for the real server at port."""
    pat = re.compile(r"real server %s:%d %s\b" % (re.escape(host), port, word))
    return [l for l in d.stderr().splitlines() if pat.search(l)]


def checker_of(d, vs_port, rs_port, name, index=0):
    rs, checks = fc.rs_checks(d, vs_port, rs_port)
    found = [c for c in checks if c["checker"] == name]
    assert len(found) > index, "no %s #%d on :%d in show checks: %r" % (
        name, index, rs_port, checks)
    return found[index]


def wait_failed(d, vs_port, rs_port, name, words, host="127.0.0.1", timeout=10.0):
    """Wait until checker `name` of the server has failed an attempt; assert
    the server is down and the checker's reason has every word.  The
    checker."""
    def failed():
        j = fc.show_checks(d)
        for v in j["virtual_servers"]:
            if v["port"] != vs_port:
                continue
            for r in v["real_servers"]:
                if r["address"] == host and r["port"] == rs_port:
                    for c in r["checks"]:
                        if c["checker"] == name and c["attempts_failed"] > 0:
                            return r, c
        return None
    r, c = fc.wait_until(failed, timeout, "a failed %s on %s:%d" % (name, host, rs_port))
    assert r["state"] == "down" and r["health"] == "down", r
    assert c["state"] == "down" and c["last_result"] == "failed", c
    for w in words:
        assert w in c["reason"], (w, c)
    # a server that stays down shows its latest failure (doc/health.md)
    def reason():
        for r in d.vs(vs_port)["real_servers"]:
            if r["address"] == host and r["port"] == rs_port:
                return name in r["reason"] and r["state"] == "down" and r["reason"]
    fc.wait_until(reason, 15, "list --json to give %s as the reason" % name)
    return c


def rs_conf(host, port, body, weight=None):
    w = "" if weight is None else "        weight %d\n" % weight
    return "    real_server %s %d {\n%s%s\n    }\n" % (host, port, w, body)


def vs_conf(port, rs_blocks, extra="", proto="TCP", host="127.0.0.1"):
    return ("virtual_server %s %d {\n    delay_loop %s\n    lb_algo rr\n    lb_kind NAT\n"
            "    protocol %s\n    proxy_connect_timeout 1\n%s%s}\n"
            % (host, port, INTERVAL, proto, "".join("    %s\n" % l for l in
                                                     extra.strip().splitlines()),
               "".join(rs_blocks)))


def tcp_check(extra=""):
    return "        TCP_CHECK {\n            connect_timeout 1\n%s        }\n" % "".join(
        "            %s\n" % l for l in extra.strip().splitlines())


def dead_port():
    """A port with nothing listening (TCP and UDP)."""
    return fc.free_port()


def connected_to(vport, name, tries=20):
    """A Stream through vport that landed on backend `name` (others closed)."""
    extra = []
    try:
        for _ in range(tries):
            s = fc.Stream(vport)
            if s.name == name:
                return s
            extra.append(s)
        raise AssertionError("no connection through :%d reached %s" % (vport, name))
    finally:
        for s in extra:
            s.close()


# --------------------------------------------------------- TCP_CHECK, core

def test_kill_backend_down_within_bound_and_back_after_rise(daemon, backend):
    """fall 3 / rise 2 at INTERVAL: a killed backend is down within
    fall x interval + timeout, gets no new connections, streams to the other
    stay; back after rise; one DOWN and one UP line with the reason."""
    a, b = backend("a"), backend("b")
    vport = fc.free_port()
    fall, rise, timeout = 3, 2, 1.0
    chk = tcp_check("fall %d\nrise %d\ndelay_before_retry %s" % (fall, rise, INTERVAL))
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, chk),
                               rs_conf("127.0.0.1", b.port, chk)]))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    fc.wait_state(d, vport, b.port, "up", 15)
    assert set(fc.names(vport, 4)) == {"a", "b"}

    keep = [connected_to(vport, "b") for _ in range(2)]
    doomed = connected_to(vport, "a")

    # the bounds are timed from the test's kill / restart to the daemon's
    # own DOWN / UP log line, not to when a poll saw it
    t_kill = time.time()
    a.stop()
    _, r = fc.wait_state(d, vport, a.port, "down", 30)
    waited = fc.log_since(t_kill, transitions(d, a.port, "DOWN")[0])
    bound = fall * INTERVAL + timeout
    assert waited <= bound + MARGIN, "down after %.2fs, bound %.2fs" % (waited, bound)
    assert "TCP_CHECK" in r["reason"] and "refused" in r["reason"], r
    doomed.close(check=False)

    # no new connection goes to the dead server, and no client sees an error
    assert fc.names(vport, 12) == ["b"] * 12
    for s in keep:
        s.assert_flowing()
    assert d.rs(vport, b.port)["state"] == "up"

    c = checker_of(d, vport, a.port, "TCP_CHECK")
    assert c["state"] == "down" and c["attempts_failed"] >= fall, c
    assert "refused" in c["reason"], c

    # back: up after `rise` successes, not before the first of them
    a2 = backend("a", port=a.port)
    t_back = time.time()  # listening once backend() returns
    _, r = fc.wait_state(d, vport, a.port, "up", 30)
    waited = fc.log_since(t_back, transitions(d, a.port, "UP")[0])
    assert waited <= rise * INTERVAL + timeout + MARGIN, "up after %.2fs" % waited
    assert set(fc.names(vport, 6)) == {"a", "b"}
    for s in keep:
        s.assert_flowing()
        s.close()
    a2.stop()

    downs = transitions(d, a.port, "DOWN")
    ups = transitions(d, a.port, "UP")
    assert len(downs) == 1, "DOWN lines: %r" % downs
    assert len(ups) == 1, "UP lines: %r" % ups
    assert "TCP_CHECK" in downs[0] and "refused" in downs[0], downs[0]
    assert transitions(d, b.port, "DOWN") == []


def test_blackholed_server_down_at_timeouts_within_bound(daemon, backend):
    """A server that drops SYNs (full accept queue): each attempt ends at
    connect_timeout; down within the documented bound
    delay_loop + fall x connect_timeout + (fall-1) x delay_before_retry."""
    fall, timeout, dbr = 2, 0.5, INTERVAL
    hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers = []
    try:
        hole.bind(("127.0.0.1", fc.free_port()))
        hole.listen(0)
        hport = hole.getsockname()[1]
        for _ in range(4):  # fill the accept queue (never accepted)
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", hport))
            fillers.append(f)
        time.sleep(0.2)
        live = backend("live")
        vport = fc.free_port()
        chk = tcp_check("fall %d\ndelay_before_retry %s" % (fall, dbr)).replace(
            "connect_timeout 1", "connect_timeout %s" % timeout)
        d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", hport, chk),
                                   rs_conf("127.0.0.1", live.port, chk)]))
        need_core(d)
        _, r = fc.wait_state(d, vport, hport, "down", 30)
        # from the daemon's "started" line (its checks begin) to its DOWN
        # line, on its own log stamps: the ASan daemon's start-up (seconds
        # on a loaded host) is not the bound
        took = fc.log_between(fc.log_lines(d, " started: ")[0], transitions(d, hport, "DOWN")[0])
        bound = INTERVAL + fall * timeout + (fall - 1) * dbr
        assert took <= bound + MARGIN, "down %.2fs after start, bound %.2fs" % (took, bound)
        c = checker_of(d, vport, hport, "TCP_CHECK")
        if "not implemented" in c["reason"]:
            pytest.skip("TCP_CHECK is not implemented in this build")
        assert "timed out" in r["reason"] and "TCP_CHECK" in r["reason"], r
        assert c["attempts_failed"] >= fall and c["latency_ms"] >= timeout * 1000 - 50, c
        assert d.rs(vport, live.port)["state"] == "up"
        assert fc.names(vport, 4) == ["live"] * 4
    finally:
        for f in fillers:
            f.close()
        hole.close()


def test_connect_ip_port_and_two_checkers_all_must_pass(daemon, backend):
    """A server whose TCP_CHECK goes to another address:port follows that
    target, not its own port; with two checkers both must pass."""
    a = backend("a")
    side = backend("side", host="127.0.0.2")
    vport = fc.free_port()
    two = tcp_check() + tcp_check("connect_ip 127.0.0.2\nconnect_port %d" % side.port)
    only_side = tcp_check("connect_ip 127.0.0.2\nconnect_port %d" % side.port)
    a_alias = backend("a-alias")
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, two),
                               rs_conf("127.0.0.1", a_alias.port, only_side)],
                       extra="alpha"))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_state(d, vport, a_alias.port, "up", 10)
    rs, checks = fc.rs_checks(d, vport, a.port)
    assert [c["checker"] for c in checks] == ["TCP_CHECK", "TCP_CHECK"], checks
    assert checks[1]["target"] == "127.0.0.2:%d" % side.port, checks[1]
    assert checks[0]["target"] == "127.0.0.1:%d" % a.port, checks[0]

    side.stop()
    _, r = fc.wait_state(d, vport, a.port, "down", 10)
    fc.wait_state(d, vport, a_alias.port, "down", 10)
    rs, checks = fc.rs_checks(d, vport, a.port)
    assert checks[0]["state"] == "up", checks   # its own port still answers
    assert checks[1]["state"] == "down", checks
    assert "TCP_CHECK" in r["reason"], r
    # the server itself still accepts: only the check target is gone
    assert fc.who(a.port) == "a"

    side2 = backend("side", host="127.0.0.2", port=side.port)
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_state(d, vport, a_alias.port, "up", 10)
    side2.stop()


def test_alpha_starts_down_until_first_success(daemon, backend):
    """alpha: a server starts down and is up after its first success; without
    alpha a server starts up (and a dead one only goes down after its
    retries)."""
    live = backend("live")
    dead = dead_port()
    v_alpha, v_plain = fc.free_port(), fc.free_port()
    slow = tcp_check("retry 1\ndelay_before_retry 3")
    conf = (vs_conf(v_alpha, [rs_conf("127.0.0.1", live.port, tcp_check()),
                              rs_conf("127.0.0.1", dead, tcp_check())], extra="alpha")
            + vs_conf(v_plain, [rs_conf("127.0.0.1", dead, slow)]).replace(
                "delay_loop %s" % INTERVAL, "delay_loop 3"))
    d = daemon(conf)
    need_core(d)
    j = d.list_json()
    assert d.rs(v_alpha, dead, j)["state"] == "down", j
    assert d.rs(v_plain, dead, j)["state"] == "up", j
    need(d, v_alpha, live.port, "TCP_CHECK")
    fc.wait_state(d, v_alpha, live.port, "up", 15)
    time.sleep(3 * INTERVAL)
    r = d.rs(v_alpha, dead)
    assert r["state"] == "down", r
    assert "TCP_CHECK" in r["reason"] and "refused" in r["reason"], r  # not "alpha: ..."
    assert transitions(d, dead, "UP") == []
    assert fc.names(v_alpha, 4) == ["live"] * 4


def test_inhibit_on_failure_keeps_server_with_weight_zero(daemon, backend):
    a, b = backend("a"), backend("b")
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, tcp_check("retry 0") +
                                       "        inhibit_on_failure\n", weight=3),
                               rs_conf("127.0.0.1", b.port, tcp_check("retry 0"))]))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    assert d.rs(vport, a.port)["weight"] == 3
    a.stop()
    _, r = fc.wait_state(d, vport, a.port, "down", 10)
    assert r["weight"] == 0 and r["configured_weight"] == 3, r
    assert fc.names(vport, 6) == ["b"] * 6
    out = d.ctl_ok("list")
    assert ":%d" % a.port in out, out  # still listed
    a2 = backend("a", port=a.port)
    _, r = fc.wait_state(d, vport, a.port, "up", 10)
    assert r["weight"] == 3, r
    a2.stop()


def test_sorry_server_only_while_all_down(daemon, backend):
    a, b, sorry = backend("a"), backend("b"), backend("sorry")
    vport = fc.free_port()
    chk = tcp_check("retry 0")
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, chk),
                               rs_conf("127.0.0.1", b.port, chk)],
                       extra="sorry_server 127.0.0.1 %d" % sorry.port))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    assert set(fc.names(vport, 6)) == {"a", "b"}
    a.stop()
    fc.wait_state(d, vport, a.port, "down", 10)
    assert fc.names(vport, 6) == ["b"] * 6
    assert d.vs(vport)["sorry_server"]["active"] is False
    b.stop()
    fc.wait_state(d, vport, b.port, "down", 10)
    fc.wait_until(lambda: d.vs(vport)["sorry_server"]["active"] is True, 15,
                  "the sorry server to be active")
    assert fc.names(vport, 6) == ["sorry"] * 6
    held = connected_to(vport, "sorry")  # a client on the sorry server keeps it
    b2 = backend("b", port=b.port)
    fc.wait_state(d, vport, b.port, "up", 10)
    assert d.vs(vport)["sorry_server"]["active"] is False
    assert fc.names(vport, 6) == ["b"] * 6
    held.assert_flowing()
    held.close()
    b2.stop()


def test_notify_scripts_once_per_transition(daemon, backend, tmp_path):
    a = backend("a")
    vport = fc.free_port()
    log = tmp_path / "notify.log"
    up = fc.write_script(tmp_path / "up.sh", 'echo "UP $1" >> %s\n' % log)
    down = fc.write_script(tmp_path / "down.sh", 'echo "DOWN $1" >> %s\n' % log)
    body = tcp_check("retry 0") + '        notify_up "%s %d"\n        notify_down "%s %d"\n' % (
        up, a.port, down, a.port)
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, body)]))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    time.sleep(2 * INTERVAL)

    def lines():
        return log.read_text().splitlines() if log.exists() else []
    before = lines()
    assert not any(l.startswith("DOWN") for l in before), before
    a.stop()
    fc.wait_state(d, vport, a.port, "down", 10)
    fc.wait_until(lambda: len(lines()) > len(before), 15, "notify_down to run")
    time.sleep(6 * INTERVAL)  # more failed attempts: no more notifications
    assert lines()[len(before):] == ["DOWN %d" % a.port], lines()
    a2 = backend("a", port=a.port)
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_until(lambda: len(lines()) > len(before) + 1, 15, "notify_up to run")
    time.sleep(6 * INTERVAL)
    assert lines()[len(before):] == ["DOWN %d" % a.port, "UP %d" % a.port], lines()
    a2.stop()


def test_quorum_scripts_once_per_transition(daemon, backend, tmp_path):
    """quorum 2 over two weight-1 servers: losing one fires quorum_down once
    and (with a sorry server, as keepalived) sends every new client to the
    sorry server although one server is still up; getting it back fires
    quorum_up once and hands back."""
    a, b, sorry = backend("a"), backend("b"), backend("sorry")
    vport = fc.free_port()
    log = tmp_path / "quorum.log"
    qup = fc.write_script(tmp_path / "qup.sh", 'echo UP >> %s\n' % log)
    qdown = fc.write_script(tmp_path / "qdown.sh", 'echo DOWN >> %s\n' % log)
    chk = tcp_check("retry 0")
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, chk, weight=1),
                               rs_conf("127.0.0.1", b.port, chk, weight=1)],
                       extra="quorum 2\nhysteresis 0\nquorum_up %s\nquorum_down %s\n"
                       "sorry_server 127.0.0.1 %d" % (qup, qdown, sorry.port)))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    fc.wait_state(d, vport, b.port, "up", 15)
    time.sleep(3 * INTERVAL)

    def lines():
        return log.read_text().splitlines() if log.exists() else []
    before = lines()
    assert "DOWN" not in before, before
    a.stop()
    fc.wait_state(d, vport, a.port, "down", 10)
    fc.wait_until(lambda: len(lines()) > len(before), 15, "quorum_down to run")
    assert d.rs(vport, b.port)["state"] == "up"
    q = fc.show_checks(d)["virtual_servers"][0]["quorum"]
    assert q["state"] == "down" and q["weight"] == 1 and q["quorum"] == 2, q
    assert fc.names(vport, 6) == ["sorry"] * 6
    time.sleep(6 * INTERVAL)
    assert lines()[len(before):] == ["DOWN"], lines()
    assert len([l for l in d.stderr().splitlines() if "quorum lost" in l]) == 1
    a2 = backend("a", port=a.port)
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_until(lambda: len(lines()) > len(before) + 1, 15, "quorum_up to run")
    assert set(fc.names(vport, 6)) == {"a", "b"}
    time.sleep(6 * INTERVAL)
    assert lines()[len(before):] == ["DOWN", "UP"], lines()
    a2.stop()


def test_reload_keeps_state_of_unchanged_checks(daemon, backend):
    """SIGHUP with the same checks: no DOWN/UP, no false state in JSON, the
    counters go on; a server whose check changed starts afresh."""
    a, c = backend("a"), backend("c")
    dead = dead_port()
    vport = fc.free_port()
    ok_chk = tcp_check("retry 0")

    def conf(c_timeout):
        return vs_conf(vport, [rs_conf("127.0.0.1", a.port, ok_chk),
                               rs_conf("127.0.0.1", dead, ok_chk),
                               rs_conf("127.0.0.1", c.port,
                                       tcp_check("retry 0\nconnect_timeout %s" % c_timeout))])
    d = daemon(conf(1))
    need(d, vport, a.port, "TCP_CHECK")
    fc.wait_state(d, vport, a.port, "up", 15)
    fc.wait_state(d, vport, dead, "down", 15)
    fc.wait_state(d, vport, c.port, "up", 15)
    fc.wait_until(lambda: checker_of(d, vport, c.port, "TCP_CHECK")["attempts_ok"] >= 6, 10,
                  "a few checks of c")
    before = fc.show_checks(d)
    ca = fc.rs_checks(d, vport, a.port, before)[1][0]
    cd = fc.rs_checks(d, vport, dead, before)[1][0]
    cc = fc.rs_checks(d, vport, c.port, before)[1][0]
    assert cc["attempts_ok"] >= 3, cc
    n_down, n_up = len(transitions(d, dead, "DOWN")), len(transitions(d, a.port, "UP"))

    d.write_conf(conf(2))  # c's check changes, a's and dead's do not
    d.reload()
    seen = []
    fresh = None
    t_end = time.monotonic() + 10
    while time.monotonic() < t_end:
        j = d.list_json()
        seen.append((d.rs(vport, a.port, j)["state"], d.rs(vport, dead, j)["state"]))
        if fresh is None and "reloaded" in d.stderr():
            fresh = fc.show_checks(d)  # right after the reload
            t_end = time.monotonic() + 4 * INTERVAL  # keep watching a little
        time.sleep(0.02)
    assert fresh is not None, "the reload was not logged:\n" + d.stderr()[-2000:]
    assert all(s == ("up", "down") for s in seen), "false state around the reload: %r" % (
        sorted(set(seen)),)
    cc2 = fc.rs_checks(d, vport, c.port, fresh)[1][0]
    assert cc2["attempts_ok"] < cc["attempts_ok"], (cc, cc2)        # started afresh
    assert cc2["timeout_ms"] == 2000, cc2

    after = fc.show_checks(d)
    ca2 = fc.rs_checks(d, vport, a.port, after)[1][0]
    cd2 = fc.rs_checks(d, vport, dead, after)[1][0]
    assert ca2["attempts_ok"] > ca["attempts_ok"], (ca, ca2)        # kept and going on
    assert cd2["attempts_failed"] > cd["attempts_failed"], (cd, cd2)
    assert len(transitions(d, dead, "DOWN")) == n_down
    assert len(transitions(d, a.port, "UP")) == n_up
    assert transitions(d, a.port, "DOWN") == []
    assert transitions(d, dead, "UP") == []
    assert d.rs(vport, c.port)["state"] == "up"


# ---------------------------------------------------------- HTTP_GET, SSL_GET

def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def http_check(url_lines, extra="", kind="HTTP_GET"):
    return ("        %s {\n            connect_timeout 1\n            retry 0\n%s"
            "            url {\n%s            }\n        }\n"
            % (kind, "".join("            %s\n" % l for l in extra.strip().splitlines()),
               "".join("                %s\n" % l for l in url_lines)))


def test_http_get_status_regex_digest_virtualhost(daemon, tmp_path, undo):
    """One daemon, one server per rule (alpha: up only after a real pass),
    then each server's answer is changed so that its rule fails."""
    mk = lambda name, **kw: undo.stop(fc.HttpCtl(name, tmp_path, logdir=str(tmp_path), **kw))
    srv = {
        "status": mk("status", status=200),
        "range": mk("range", status=204),
        "regex": mk("regex", body="build ok-42\n"),
        "nomatch": mk("nomatch", body="serving\n"),
        "digest": mk("digest", body="hello\n"),
        "vhost": mk("vhost"),
    }
    urls = {
        "status": ["path /health", "status_code 200"],
        "range": ["path /range", "status_code 200-204 301"],
        "regex": ["path /regex", 'regex "ok-[0-9]+"'],
        "nomatch": ["path /nm", 'regex "maintenance"', "regex_no_match"],
        "digest": ["path /d", "digest %s" % md5("hello\n")],
        "vhost": ["path /v", "virtualhost url.example.test"],
    }
    vport = fc.free_port()
    blocks = [rs_conf("127.0.0.1", s.port, http_check(urls[k])) for k, s in srv.items()]
    d = daemon(vs_conf(vport, blocks, extra="alpha\nvirtualhost vs.example.test"))
    need(d, vport, srv["status"].port, "HTTP_GET")
    for k, s in srv.items():
        fc.wait_state(d, vport, s.port, "up", 10)
    reqs = srv["vhost"].requests()
    assert reqs and reqs[-1][1] == "/v" and reqs[-1][2] == "url.example.test", reqs
    reqs = srv["status"].requests()
    assert reqs[-1][0] == "GET" and reqs[-1][1] == "/health", reqs
    assert reqs[-1][2] == "vs.example.test", reqs  # the virtual server's virtualhost

    srv["status"].set(status=503)
    srv["range"].set(status=206)
    srv["regex"].set(body="build failed\n")
    srv["nomatch"].set(body="down for maintenance\n")
    srv["digest"].set(body="hellO\n")
    srv["vhost"].set(status=500)
    want = {"status": "503", "range": "206", "regex": "regex", "nomatch": "regex",
            "digest": "digest", "vhost": "500"}
    for k, s in srv.items():
        _, r = fc.wait_state(d, vport, s.port, "down", 10)
        assert "HTTP_GET" in r["reason"] and want[k] in r["reason"], (k, r)
    srv["status"].set(status=200)
    fc.wait_state(d, vport, srv["status"].port, "up", 10)


def test_http_get_body_checks_survive_chunked_and_hang(daemon, tmp_path, undo):
    """A chunked body is digested whole; a server that never answers is down
    at connect_timeout with a 'timed out' reason (and is not stuck)."""
    body = "chunked body " * 50 + "\n"
    ch = undo.stop(fc.HttpCtl("chunked", tmp_path, logdir=str(tmp_path), body=body,
                              chunked=True))
    hang = undo.stop(fc.HttpCtl("hang", tmp_path, logdir=str(tmp_path)))
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", ch.port, http_check(["path /", "digest %s" % md5(body)])),
        rs_conf("127.0.0.1", hang.port, http_check(["path /"]))], extra="alpha"))
    need(d, vport, ch.port, "HTTP_GET")
    fc.wait_state(d, vport, ch.port, "up", 10)
    fc.wait_state(d, vport, hang.port, "up", 10)
    hang.set(mode="hang")
    t0 = time.time()
    _, r = fc.wait_state(d, vport, hang.port, "down", 30)
    assert "timed out" in r["reason"], r
    took = fc.log_since(t0, transitions(d, hang.port, "DOWN")[-1])
    assert took <= INTERVAL + 1.0 + MARGIN, "down %.2fs after it hung" % took
    hang.set(mode="normal")
    fc.wait_state(d, vport, hang.port, "up", 10)


def test_ssl_get_against_tls_and_plain(daemon, tmp_path, undo):
    cert, key = fc.make_cert(tmp_path)
    tls = undo.stop(fc.HttpCtl("tls", tmp_path, logdir=str(tmp_path), tls=(cert, key),
                               body="secure\n"))
    plain = undo.stop(fc.HttpCtl("plain", tmp_path, logdir=str(tmp_path)))
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", tls.port,
                http_check(["path /tls", "digest %s" % md5("secure\n")], kind="SSL_GET")),
        rs_conf("127.0.0.1", plain.port, http_check(["path /"], kind="SSL_GET"))],
        extra="alpha"))
    need(d, vport, tls.port, "SSL_GET")
    fc.wait_state(d, vport, tls.port, "up", 10)
    assert any(r[1] == "/tls" for r in tls.requests()), tls.requests()
    wait_failed(d, vport, plain.port, "SSL_GET", [])
    tls.set(status=404)
    _, r = fc.wait_state(d, vport, tls.port, "down", 10)
    assert "404" in r["reason"], r


# ------------------------------------------------------------------ MISC_CHECK

def misc_check(path, extra=""):
    return ('        MISC_CHECK {\n            misc_path "%s"\n            misc_timeout 2\n'
            "            retry 0\n%s        }\n"
            % (path, "".join("            %s\n" % l for l in extra.strip().splitlines())))


def test_misc_check_exit_codes_and_dynamic_weight(daemon, backend, tmp_path):
    a, b = backend("a"), backend("b")
    code = tmp_path / "code"
    code.write_text("0\n")
    wcode = tmp_path / "wcode"
    wcode.write_text("5\n")
    plain = fc.write_script(tmp_path / "plain.sh", 'exit "$(cat %s)"\n' % code)
    dyn = fc.write_script(tmp_path / "dyn.sh", 'echo "checking $1"; exit "$(cat %s)"\n' % wcode)
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", a.port, misc_check(plain), weight=7),
        rs_conf("127.0.0.1", b.port, misc_check("%s arg" % dyn, "misc_dynamic"), weight=7)],
        extra="alpha"))
    need(d, vport, a.port, "MISC_CHECK")
    _, r = fc.wait_state(d, vport, a.port, "up", 10)
    assert r["weight"] == 7, r
    # misc_dynamic: exit 5 = up with weight 5 - 2
    r = fc.wait_rs(d, vport, b.port, lambda r: r["state"] == "up" and r["weight"] == 3, 10,
                   "weight 3 from exit 5")
    assert r["configured_weight"] == 7, r
    wcode.write_text("12\n")
    fc.wait_rs(d, vport, b.port, lambda r: r["weight"] == 10, 10, "weight 10 from exit 12")
    wcode.write_text("1\n")
    _, r = fc.wait_state(d, vport, b.port, "down", 10)
    wcode.write_text("0\n")  # exit 0: up, weight unchanged (keepalived's check_misc.c)
    r = fc.wait_rs(d, vport, b.port, lambda r: r["state"] == "up", 10, "up again on exit 0")
    assert r["weight"] == 10, r

    code.write_text("3\n")
    _, r = fc.wait_state(d, vport, a.port, "down", 10)
    assert "MISC_CHECK" in r["reason"] and "3" in r["reason"], r
    assert fc.names(vport, 4) == ["b"] * 4
    code.write_text("0\n")
    fc.wait_state(d, vport, a.port, "up", 10)


def kill_listed(path):
    """Teardown: SIGKILL every pid listed in path that still runs the
    test's script or its `sleep` (one the daemon failed to kill must not
    outlive the test; a pid reused since by another program is left alone)."""
    try:
        pids = [int(x) for x in path.read_text().split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if not proc_gone(pid) and (argv[0] == b"sleep" or
                                   any(a.endswith(b"hang.sh") for a in argv)):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def proc_gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return True
    return st[st.rindex(")") + 2] == "Z"  # a zombie is dead, waiting for its parent


def test_misc_check_hanging_script_killed_with_its_child(daemon, backend, tmp_path, undo):
    a = backend("a")
    pids = tmp_path / "pids"
    undo(kill_listed, pids)
    hang = fc.write_script(tmp_path / "hang.sh",
                           "sleep 300 &\necho $! >> %s\necho $$ >> %s\nsleep 300\n"
                           % (pids, pids))
    vport = fc.free_port()
    chk = ('        MISC_CHECK {\n            misc_path "%s"\n            misc_timeout 1\n'
           "            retry 0\n        }\n" % hang)
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, chk)]).replace(
        "delay_loop %s" % INTERVAL, "delay_loop 30"))
    need_core(d)
    fc.wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 2, 40,
                  "the script to start")
    t0 = time.time()
    got = [int(x) for x in pids.read_text().split()]
    _, r = fc.wait_state(d, vport, a.port, "down", 30)
    if "not implemented" in r["reason"]:
        pytest.skip("MISC_CHECK is not implemented in this build")
    assert "MISC_CHECK" in r["reason"] and "timed out" in r["reason"], r
    took = fc.log_since(t0, transitions(d, a.port, "DOWN")[0])
    assert took <= 1.0 + MARGIN, "down %.2fs after the script started" % took
    fc.wait_until(lambda: all(proc_gone(p) for p in got), 15,
                  "the script %d and its child %d to be killed" % (got[1], got[0]))


def test_file_check_health_and_weight(daemon, backend, tmp_path):
    """FILE_CHECK: without weight the file's number decides (0 up, else
    down); with weight W the server stays up with weight configured + n*W."""
    a, b = backend("a"), backend("b")
    fa, fb = tmp_path / "a.state", tmp_path / "b.state"
    fa.write_text("0\n")
    fb.write_text("3\n")
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", a.port, generic_check("FILE_CHECK", ["track_file %s" % fa])),
        rs_conf("127.0.0.1", b.port,
                generic_check("FILE_CHECK", ["track_file %s" % fb, "weight 2"]), weight=5)],
        extra="alpha"))
    need(d, vport, a.port, "FILE_CHECK")
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_rs(d, vport, b.port, lambda r: r["state"] == "up" and r["weight"] == 11, 10,
               "weight 5 + 3*2")
    fb.write_text("-1\n")
    r = fc.wait_rs(d, vport, b.port, lambda r: r["weight"] == 3, 10, "weight 5 - 1*2")
    assert r["configured_weight"] == 5 and r["state"] == "up", r
    fa.write_text("1\n")
    wait_failed(d, vport, a.port, "FILE_CHECK", [])
    assert fc.names(vport, 4) == ["b"] * 4
    fa.write_text("0\n")
    fc.wait_state(d, vport, a.port, "up", 10)


# ----------------------------------------------- SMTP, DNS, UDP, PING checks

def tool(undo, name, argv, port, tmp_path):
    """A tests/tools program, stopped at teardown."""
    return undo.stop(fc.Tool(name, argv, port, logdir=str(tmp_path)))


def generic_check(kind, lines):
    return "        %s {\n            connect_timeout 1\n            retry 0\n%s        }\n" % (
        kind, "".join("            %s\n" % l for l in lines))


def test_smtp_check_pass_and_fail(daemon, tmp_path, undo):
    p1, p2 = fc.free_port(), fc.free_port()
    good = tool(undo, "smtp-ok", [fc.PYTHON, str(fc.PROTOSRV), "smtp", "--port", str(p1)],
                p1, tmp_path)
    bad = tool(undo, "smtp-554", [fc.PYTHON, str(fc.PROTOSRV), "smtp", "--port", str(p2),
                                  "--banner", "554"], p2, tmp_path)
    vport = fc.free_port()
    chk = generic_check("SMTP_CHECK", ["helo_name fulcrum.test"])
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", p1, chk), rs_conf("127.0.0.1", p2, chk)],
                       extra="alpha"))
    need(d, vport, p1, "SMTP_CHECK")
    fc.wait_state(d, vport, p1, "up", 10)
    assert any("HELO fulcrum.test" in l or "EHLO fulcrum.test" in l for l in good.lines), \
        good.lines
    wait_failed(d, vport, p2, "SMTP_CHECK", ["554"])


def test_dns_check_pass_and_fail(daemon, tmp_path, undo):
    p1 = fc.free_port()
    srv = tool(undo, "dns", [fc.PYTHON, str(fc.PROTOSRV), "dns", "--port", str(p1), "--ok",
                             "ok.test"], p1, tmp_path)
    vport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", p1, generic_check("DNS_CHECK", ["type A", "name ok.test"])),
        rs_conf("127.0.0.1", p1, generic_check("DNS_CHECK", ["type A", "name bad.test"]))
        .replace("real_server 127.0.0.1 %d" % p1, "real_server 127.0.0.2 %d" % p1)
        .replace("retry 0", "retry 0\n            connect_ip 127.0.0.1")],
        extra="alpha", proto="UDP"))
    need(d, vport, p1, "DNS_CHECK")
    fc.wait_state(d, vport, p1, "up", 10)
    assert any(l.startswith("query ok.test.") for l in srv.lines), srv.lines
    wait_failed(d, vport, p1, "DNS_CHECK", [], host="127.0.0.2")
    assert any(l.startswith("query bad.test.") for l in srv.lines), srv.lines


def test_udp_check_pass_and_fail(daemon, backend):
    u = backend("u", mode="udp")
    dead = dead_port()
    vport = fc.free_port()
    chk = generic_check("UDP_CHECK", ["payload %s" % b"hello".hex(), "require_reply"])
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", u.port, chk),
                               rs_conf("127.0.0.1", dead, chk)], extra="alpha", proto="UDP"))
    need(d, vport, u.port, "UDP_CHECK")
    fc.wait_state(d, vport, u.port, "up", 10)
    wait_failed(d, vport, dead, "UDP_CHECK", [])
    u.stop()
    fc.wait_state(d, vport, u.port, "down", 10)


UNREACHABLE = "198.51.100.77"  # TEST-NET-2; made unreachable by the fixture below


@pytest.fixture
def unreachable_route():
    """An `unreachable` route to UNREACHABLE (so a ping to it never leaves
    the host), deleted at teardown even when the test fails."""
    r = subprocess.run(["ip", "route", "replace", "unreachable", UNREACHABLE + "/32"],
                       capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        pytest.skip("cannot add an unreachable route: %s" % r.stderr.strip())
    yield UNREACHABLE
    subprocess.run(["ip", "route", "del", "unreachable", UNREACHABLE + "/32"],
                   capture_output=True, timeout=10)


def test_ping_check_pass_and_fail(daemon, unreachable_route):
    """127.0.0.1 answers; an address with an `unreachable` route never does."""
    vport = fc.free_port()
    rport = fc.free_port()
    d = daemon(vs_conf(vport, [
        rs_conf("127.0.0.1", rport, generic_check("PING_CHECK", [])),
        rs_conf("127.0.0.2", rport,
                generic_check("PING_CHECK", ["connect_ip " + unreachable_route]))],
        extra="alpha"))
    need(d, vport, rport, "PING_CHECK")
    fc.wait_state(d, vport, rport, "up", 10)
    c = wait_failed(d, vport, rport, "PING_CHECK", [], host="127.0.0.2")
    assert c["target"].startswith(unreachable_route), c


def test_daemon_stop_kills_running_scripts(daemon, backend, tmp_path, undo):
    """SIGTERM while a MISC_CHECK script runs: fulcrum exits 0 and the script
    does not outlive it."""
    a = backend("a")
    pids = tmp_path / "pids"
    undo(kill_listed, pids)
    hang = fc.write_script(tmp_path / "hang.sh", "echo $$ >> %s\nsleep 300\n" % pids)
    vport = fc.free_port()
    chk = ('        MISC_CHECK {\n            misc_path "%s"\n            misc_timeout 60\n'
           "        }\n" % hang)
    d = daemon(vs_conf(vport, [rs_conf("127.0.0.1", a.port, chk)]))
    need_core(d)
    try:
        fc.wait_until(lambda: pids.exists() and pids.read_text().split(), 10,
                      "the script to start")
    except AssertionError:
        c = checker_of(d, vport, a.port, "MISC_CHECK")
        if "not implemented" in (c.get("reason") or ""):
            pytest.skip("MISC_CHECK is not implemented in this build")
        raise
    pid = int(pids.read_text().split()[0])
    d.stop()
    fc.wait_until(lambda: proc_gone(pid), 15, "script %d to be gone after stop" % pid)
