"""haproxy.cfg's `agent-check` side by side with Debian's haproxy 2.6: the
same two HTTP servers, each with a Python agent on loopback whose answer the
test sets; both programs read the same backend and must agree, through
`show stat` and through the requests they route, on what each answer does:
a weight in percent of the configured one, drain, down (even while the
regular check passes) and up again, ready, and an agent that stops
answering (nothing changes).

Skipped when /usr/sbin/haproxy (the reference) is absent."""
import csv
import os
import socket
import tempfile
import time

import pytest

import fc
from test_http_rules import Server

HAPROXY = fc.HAPROXY


class Agent(fc.ThreadServer):
    """A TCP agent: every connection gets `answer` (bytes), then a close;
    what the checker sent first is kept.  stop() closes the listener (the
    agent is then unreachable)."""

    def __init__(self):
        self.answer = b"up 100%\n"
        self.received = []
        super().__init__()

    def handle(self, c):
        """What the checker sends (if anything within 0.2 s), then the answer."""
        c.settimeout(0.2)
        try:
            got = c.recv(256)
        except socket.timeout:
            got = b""
        if got and len(self.received) < 16:
            self.received.append(got)
        c.sendall(self.answer)


class Program(Server):
    """haproxy, or fulcrum run as haproxy, on cfg with a stats socket at
    sock; stopped (SIGINT, then SIGKILL) by the fixture."""

    def __init__(self, argv0, cfg_path, sock, port, logpath):
        super().__init__(argv0, cfg_path, [port], logpath)
        self.sock = sock
        fc.wait_until(lambda: os.path.exists(sock), 10.0, "%s's stats socket" % argv0)

    def stat(self):
        """{server: row} of backend be from `show stat`."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(self.sock)
            s.sendall(b"show stat\n")
            text = fc.recv_to_eof(s, 1 << 20).decode()
        except OSError:
            return {}
        finally:
            s.close()
        lines = list(csv.reader(text.lstrip("# ").splitlines(keepends=True)))
        rows = [dict(zip(lines[0], line)) for line in lines[1:]] if lines else []
        return {r["svname"]: r for r in rows if r.get("pxname") == "be"}

    def cli(self, cmd):
        """A command's answer on the stats socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.sock)
            s.sendall(cmd.encode() + b"\n")
            return fc.recv_to_eof(s, 1 << 20).decode()


def get(port):
    """One request on its own connection: the name of the server that answered."""
    with fc.connect(port, timeout=10.0) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        resp = fc.recv_to_eof(s, 1 << 20)
    head, _, body = resp.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), resp
    return body.strip().decode()


def split(port, n):
    return fc.counts(get(port) for _ in range(n))


@pytest.fixture
def pair(bins, tmp_path, undo):
    """Servers a and b (HTTP, they say their name), an agent each, and both
    programs on one backend: {"agents": {...}, "progs": {who: (Program, port)}}."""
    return make_pair(tmp_path, undo, "roundrobin")


@pytest.fixture
def static_pair(bins, tmp_path, undo):
    """pair's, under balance static-rr."""
    return make_pair(tmp_path, undo, "static-rr")


def make_pair(tmp_path, undo, balance):
    if not os.access(HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % HAPROXY)
    ours = fc.BUILD / "haproxy"
    servers = {n: undo.stop(fc.Backend(n, mode="http", logdir=str(tmp_path))) for n in "ab"}
    agents = {n: undo.stop(Agent()) for n in "ab"}
    short = tempfile.mkdtemp(prefix="fc-agent-")
    undo(__import__("shutil").rmtree, short, ignore_errors=True)
    progs = {}
    for who, prog in (("haproxy", HAPROXY), ("fulcrum", str(ours))):
        port = fc.free_port()
        sock = os.path.join(short, who + ".sock")
        cfg = tmp_path / ("%s.cfg" % who)
        cfg.write_text("\n".join([
            "global", "  stats socket %s level admin" % sock,
            "defaults", "  mode http", "  timeout connect 3s", "  timeout client 10s",
            "  timeout server 10s",
            "frontend fe", "  bind 127.0.0.1:%d" % port, "  default_backend be",
            "backend be", "  balance %s" % balance,
            "  default-server agent-inter 200ms agent-send \"be\\n\"",
        ] + ["  server %s %s weight 100 check inter 300ms agent-check agent-port %d"
             % (n, servers[n].addr(), agents[n].port) for n in "ab"]) + "\n")
        p = Program(prog, cfg, sock, port, tmp_path / ("%s.log" % who))
        undo(lambda p=p, who=who: fc.assert_no_sanitizer(p.stop(), who))
        progs[who] = (p, port)
    return {"agents": agents, "progs": progs}


def agree(pair, want, what, timeout=20.0, cols=("status", "weight", "check_desc")):
    """Wait until `show stat` of both programs shows want {server: {col:
    value}}; the last rows in the message if not."""
    last = {}

    def ok():
        for who, (p, _) in pair["progs"].items():
            last[who] = p.stat()
        return all(rows.get(srv, {}).get(col) == val for rows in last.values()
                   for srv, cols in want.items() for col, val in cols.items())
    try:
        fc.wait_until(ok, timeout, what)
    except AssertionError:
        raise AssertionError("%s: %s" % (what, {w: {s: {c: r.get(s, {}).get(c) for c in cols}
                                                     for s in want} for w, r in last.items()}))


def test_agent_weight_drain_down_as_haproxy(pair):
    agents = pair["agents"]
    progs = pair["progs"]
    agree(pair, {"a": {"status": "UP", "weight": "100"}, "b": {"status": "UP", "weight": "100"}},
          "both servers up at weight 100")
    for who, (_, port) in progs.items():
        assert split(port, 20) == {"a": 10, "b": 10}, who
    # the agent-send string, once per check, from both programs
    assert agents["a"].received and set(agents["a"].received) == {b"be\n"}

    # a weight in percent of the configured weight (100): 25
    agents["a"].answer = b"25%\n"
    agree(pair, {"a": {"status": "UP", "weight": "25"}}, "a at 25%")
    for who, (_, port) in progs.items():
        got = split(port, 50)
        assert got.get("a", 0) == 10 and got.get("b", 0) == 40, (who, got)

    # drain: no new requests, the server stays up
    agents["a"].answer = b"drain\n"
    agree(pair, {"a": {"status": "DRAIN (agent)"}}, "a drained by its agent")
    for who, (_, port) in progs.items():
        assert split(port, 10) == {"b": 10}, who

    # ready and a weight back in one line
    agents["a"].answer = b"ready,100%\n"
    agree(pair, {"a": {"status": "UP", "weight": "100"}}, "a ready again")

    # down, though the regular check passes; the description is kept
    agents["a"].answer = b"down #going away\n"
    agree(pair, {"a": {"status": "DOWN (agent)"}}, "a down by its agent")
    for who, (p, port) in progs.items():
        assert split(port, 10) == {"b": 10}, who
        # check_desc says the regular check's status (haproxy's words);
        # the agent's own text is in last_agt
        assert p.stat()["a"]["check_desc"] == "Layer4 check passed", who
        assert "going away" in p.stat()["a"]["last_agt"], who

    # an agent that cannot be reached changes nothing: a stays down...
    agents["a"].stop()
    time.sleep(1.0)  # five agent intervals
    for who, (p, port) in progs.items():
        assert split(port, 4) == {"b": 4}, who
    assert all(p.stat()["a"]["status"] == "DOWN (agent)" for p, _ in progs.values())


def test_agent_up_and_unreachable_as_haproxy(pair):
    agents = pair["agents"]
    progs = pair["progs"]
    agents["b"].answer = b"stopped\n"
    agree(pair, {"a": {"status": "UP"}, "b": {"status": "DOWN (agent)"}}, "b stopped by its agent")
    agents["b"].answer = b"up\n"
    agree(pair, {"b": {"status": "UP"}}, "b up again")
    # maint, then an agent that is gone: b stays in maintenance
    agents["b"].answer = b"maint\n"
    agree(pair, {"b": {"status": "MAINT"}}, "b in maintenance by its agent")
    agents["b"].answer = b"ready\n"
    agree(pair, {"b": {"status": "UP"}}, "b ready again")
    agents["b"].stop()
    for who, (p, port) in progs.items():
        assert split(port, 10) == {"a": 5, "b": 5}, who
    assert all(p.stat()["b"]["status"] == "UP" for p, _ in progs.values())


AGENT_COLS = ("agent_status", "agent_code", "agent_desc", "last_agt", "agent_rise", "agent_fall",
              "agent_health")


def test_agent_columns_of_show_stat_as_haproxy(pair):
    """show stat's agent_* columns and last_agt say what the last answer
    was, in HAProxy's words: a verdict (L7OK / L7STS, code 0), an answer
    without one (CHECKED), an agent that cannot be reached (L4CON); the
    agent's rise and fall (1, 1) and its health (1 up, 0 down)."""
    agents = pair["agents"]
    agents["a"].answer = b"up 50%\n"
    agents["b"].answer = b"drain\n"
    want = {"a": {"agent_status": "L7OK", "agent_code": "0", "agent_desc": "Layer7 check passed",
                  "last_agt": "via agent : up", "agent_rise": "1", "agent_fall": "1", "agent_health": "1"},
            "b": {"agent_status": "CHECKED", "agent_code": "", "agent_desc": "No status change",
                  "last_agt": "", "agent_rise": "1", "agent_fall": "1", "agent_health": "1"}}
    agree(pair, want, "a checked up at 50%, b drained", cols=AGENT_COLS)
    for who, (p, _) in pair["progs"].items():
        for srv in "ab":
            assert p.stat()[srv]["agent_duration"].isdigit(), who
    agents["a"].answer = b"down #gone\n"
    agree(pair, {"a": {"agent_status": "L7STS", "agent_code": "0", "agent_desc": "Layer7 wrong status",
                       "last_agt": "via agent : down (gone)", "agent_health": "0"}},
          "a down by its agent", cols=AGENT_COLS)
    agents["b"].stop()
    agree(pair, {"b": {"agent_status": "L4CON", "agent_code": "", "agent_desc": "Layer4 connection problem",
                       "agent_health": "1"}}, "b's agent unreachable", cols=AGENT_COLS)


def test_disable_and_enable_agent_as_haproxy(pair):
    """`disable agent` stops the agent alone: what it set stays (weight),
    its answers no longer count, show stat leaves its columns empty;
    `enable agent` runs it again.  `disable health` leaves the agent on."""
    agents = pair["agents"]
    progs = pair["progs"]
    agents["a"].answer = b"up 50%\n"
    agree(pair, {"a": {"weight": "50", "agent_status": "L7OK"}}, "a at 50%", cols=AGENT_COLS)
    for who, (p, _) in progs.items():
        p.cli("disable agent be/a")
    agree(pair, {"a": {c: "" for c in AGENT_COLS}}, "a's agent columns empty", cols=AGENT_COLS)
    agents["a"].answer = b"up 100%\n"
    time.sleep(1.0)  # five agent intervals
    for who, (p, port) in progs.items():
        row = p.stat()["a"]
        assert (row["weight"], row["agent_status"]) == ("50", ""), (who, row["weight"])
    for who, (p, _) in progs.items():
        p.cli("enable agent be/a")
    agree(pair, {"a": {"weight": "100", "agent_status": "L7OK"}}, "a's agent on again", cols=AGENT_COLS)
    for who, (p, _) in progs.items():
        p.cli("disable health be/a")
    agents["a"].answer = b"up 25%\n"
    agree(pair, {"a": {"weight": "25", "agent_status": "L7OK"}}, "the agent runs without the check",
          cols=AGENT_COLS)


def test_static_rr_takes_agent_weights_0_and_100_only_as_haproxy(static_pair):
    """balance static-rr: an agent's weight other than 0% and 100% is
    refused, as HAProxy does (its words in last_agt, the weight and the
    split unchanged); 0% takes the server out of the rotation, 100% puts
    it back; `set weight` refuses the same way."""
    agents = static_pair["agents"]
    progs = static_pair["progs"]
    agents["a"].answer = b"up 50%\n"
    refused = ("via agent : up (Backend is using a static LB algorithm and only accepts weights "
               "'0%' and '100%'.)")
    for who, (p, port) in progs.items():
        # HAProxy ends its words with a line break, fulcrum does not
        fc.wait_until(lambda: p.stat().get("a", {}).get("last_agt", "").replace("\n", "") == refused, 20.0,
                      "%s refusing a's 50%%" % who)
        row = p.stat()["a"]
        assert row["weight"] == "100", (who, row["weight"])
        assert split(port, 20) == {"a": 10, "b": 10}, who
        assert "only accepts weights '0%' and '100%'" in p.cli("set server be/a weight 50%"), who
        assert p.stat()["a"]["weight"] == "100", who
    agents["a"].answer = b"0%\n"
    agree(static_pair, {"a": {"weight": "0"}}, "a at 0%")
    for who, (_, port) in progs.items():
        assert split(port, 10) == {"b": 10}, who
    agents["a"].answer = b"100%\n"
    agree(static_pair, {"a": {"weight": "100"}}, "a back at 100%")
    for who, (_, port) in progs.items():
        assert split(port, 20) == {"a": 10, "b": 10}, who


def test_keepalived_agent_check(daemon, backend, undo):
    """AGENT_CHECK in keepalived.conf (a fulcrum extension): the agent's
    weight, drain and down reach `list --json` and the traffic, beside a
    TCP_CHECK that keeps passing."""
    a, b = backend("a"), backend("b")
    agent = undo.stop(Agent())
    agent.answer = b"up 50%\n"
    port = fc.free_port()
    extra = ("TCP_CHECK { }\n        AGENT_CHECK {\n            connect_port %d\n"
             "            send \"web\\n\"\n            delay_loop 0.2\n        }\n" % agent.port)
    conf = ("virtual_server 127.0.0.1 %d {\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n"
            "    delay_loop 1\n    real_server 127.0.0.1 %d {\n        weight 4\n        %s    }\n"
            "    real_server 127.0.0.1 %d {\n        weight 4\n    }\n}\n"
            % (port, a.port, extra, b.port))
    d = daemon(conf)
    fc.wait_rs(d, port, a.port, lambda r: r.get("weight") == 2, 20, "a at 50% of weight 4")
    assert agent.received and set(agent.received) == {b"web\n"}
    got = fc.counts(fc.names(port, 12))
    assert got == {"a": 4, "b": 8}, got
    agent.answer = b"drain\n"
    fc.wait_state(d, port, a.port, "drain", 20)
    assert fc.counts(fc.names(port, 6)) == {"b": 6}
    agent.answer = b"ready down #bye\n"
    _, r = fc.wait_state(d, port, a.port, "down", 20)
    assert "via agent : down (bye)" in r["reason"], r
    agent.answer = b"up\n"
    fc.wait_state(d, port, a.port, "up", 20)
