"""EXPECT_CHECK end to end: the daemon's send/expect checker against real
servers on loopback (tests/tools/backend.py in id mode: it greets with its
name and a newline, then echoes), and what a user sees: the state and reason
in list --json and show checks, which backend answers, a reload that changes
the pattern, and `fulcrum -t` refusing a bad escape or pattern with
file:line.  Every wait is bounded."""
import fc

INTERVAL = 0.3


def conf(vport, servers):
    """A NAT virtual server on 127.0.0.1:vport; servers: [(port, check lines)]."""
    rs = "".join(
        "    real_server 127.0.0.1 %d {\n        EXPECT_CHECK {\n"
        "            connect_timeout 6\n            retry 0\n%s        }\n    }\n"
        % (port, "".join("            %s\n" % l for l in lines)) for port, lines in servers)
    return ("virtual_server 127.0.0.1 %d {\n    delay_loop %s\n    lb_algo rr\n"
            "    lb_kind NAT\n    protocol TCP\n    alpha\n%s}\n" % (vport, INTERVAL, rs))


def check_of(d, vport, port):
    rs, checks = fc.rs_checks(d, vport, port)
    found = [c for c in checks if c["checker"] == "EXPECT_CHECK"]
    assert found, "no EXPECT_CHECK on :%d in show checks: %r" % (port, checks)
    return found[0]


def test_expect_check_up_down_and_reload(daemon, backend):
    a, b = backend("a"), backend("b")
    vport = fc.free_port()
    # a: greeting "a\n", then the echo of PING; b: a greeting that is not v2
    d = daemon(conf(vport, [(a.port, ['send "PING\\r\\n"', 'expect "^a\\nPING\\r\\n"']),
                            (b.port, ['expect "^b-v2"'])]))
    fc.wait_state(d, vport, a.port, "up", 10)
    fc.wait_state(d, vport, b.port, "down", 10)
    assert check_of(d, vport, a.port)["reason"] == "reply matched '^a\\nPING\\r\\n'"
    # an anchored pattern fails on the greeting, not at the deadline (6 s)
    c = check_of(d, vport, b.port)
    assert c["reason"] == "reply did not match '^b-v2' (2 bytes, \"b\")", c
    assert c["latency_ms"] < 3000, c
    r = d.rs(vport, b.port)
    assert "reply did not match" in r["reason"], r
    assert fc.names(vport, 4) == ["a"] * 4

    # the pattern changed by a reload: b comes up, a keeps its state
    d.write_conf(conf(vport, [(a.port, ['send "PING\\r\\n"', 'expect "^a\\nPING\\r\\n"']),
                              (b.port, ['expect "^b\\n"'])]))
    d.reload()
    fc.wait_state(d, vport, b.port, "up", 10)
    assert d.rs(vport, a.port)["state"] == "up"
    assert sorted(fc.names(vport, 4)) == ["a", "a", "b", "b"]


def test_expect_check_server_gone(daemon, backend):
    a = backend("a")
    vport = fc.free_port()
    d = daemon(conf(vport, [(a.port, ['expect "^a$"'])]))
    fc.wait_state(d, vport, a.port, "up", 10)
    a.stop()
    fc.wait_state(d, vport, a.port, "down", 10)
    assert check_of(d, vport, a.port)["reason"] == "connection refused"


def test_expect_check_config_errors(tmp_path):
    def t(lines):
        p = tmp_path / "f.conf"
        p.write_text(conf(8000, [(80, lines)]))
        return fc.run_fulcrum("-t", "-f", p)

    r = t(['send "A\\r\\n"', 'expect "^\\+OK"', "tls"])
    assert r.returncode == 0, r.stderr
    r = t(['send "A\\qB"'])
    assert r.returncode != 0
    assert "f.conf:11: send: unknown escape '\\q'" in r.stderr, r.stderr
    r = t(['expect "(x"'])
    assert r.returncode != 0
    assert "f.conf:11: expect '(x': missing closing parenthesis" in r.stderr, r.stderr
