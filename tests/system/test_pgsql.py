"""PGSQL_CHECK against real PostgreSQL 15 (Debian's postgresql-15, installed
by ./dev check): a primary and two streaming standbys (pg_basebackup -R)
started by the fixture on loopback ports as the postgres user (runuser), a
`fulcrum` role with a SCRAM-SHA-256 password.  A read service (role
standby, max_lag) and a write service (role primary) over the same three
servers, lb_kind NAT on loopback: every query through each lands where it
should (SELECT inet_server_port() via psql); a standby whose replay is
paused while the primary writes leaves the read service once its lag passes
max_lag and comes back when replay resumes; standby 1 promoted and the old
primary stopped: the write service reaches the new primary and the read
service only standby 2.  Roles whose SCRAM passwords are not ASCII log in
through PGSQL_CHECK as through libpq (SASLprep).  The other grammars'
checks with their own meaning: haproxy.cfg's `option pgsql-check` (up when
the server asks for authentication, down on an error), side by side with
Debian's haproxy on the same file, and ldirectord.cf's `service=pgsql`
(logs in with login/passwd/database and runs a query).  Skipped only when the PostgreSQL binaries are
absent.  Every server is stopped and every directory removed by the
fixture, also when a test fails; every wait is bounded."""
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest

import fc

PGBIN = "/usr/lib/postgresql/15/bin"
PSQL = shutil.which("psql") or "/usr/bin/psql"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
PASSWORD = "fc-s3cret"
MAX_LAG = 4 << 20
DELAY_LOOP = 1
CONNECT_TIMEOUT = 3

pytestmark = pytest.mark.skipif(
    not (all(os.access(os.path.join(PGBIN, b), os.X_OK)
             for b in ("initdb", "pg_ctl", "pg_basebackup", "postgres"))
         and os.access(PSQL, os.X_OK) and os.access(RUNUSER, os.X_OK)),
    reason="PostgreSQL 15 binaries absent (apt-get install postgresql-15)")

HBA = ("local all all trust\n"
       "local replication all trust\n"
       "host replication all 127.0.0.1/32 trust\n"
       "host all fc_rejected 127.0.0.1/32 reject\n"
       "host all all 127.0.0.1/32 scram-sha-256\n")


def as_postgres(argv, timeout=120):
    r = subprocess.run([RUNUSER, "-u", "postgres", "--"] + argv, capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 0, "%s: %s" % (" ".join(argv), (r.stdout + r.stderr)[-2000:])
    return r


class Server:
    """One postgres on 127.0.0.1:port; its data and socket under root/name."""

    def __init__(self, root, name):
        self.dir = os.path.join(root, name)
        self.data = os.path.join(self.dir, "data")
        self.port = fc.free_port()
        self.running = False
        os.mkdir(self.dir)
        pg = pwd.getpwnam("postgres")
        os.chown(self.dir, pg.pw_uid, pg.pw_gid)

    def start(self):
        opts = ("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s "
                "-c shared_buffers=16MB -c fsync=off -c max_wal_senders=5 -c wal_level=replica"
                % (self.port, self.dir))
        as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-l",
                     os.path.join(self.dir, "log"), "-o", opts, "-w", "-t", "120", "start"],
                    timeout=150)
        self.running = True
        fc.wait_until(lambda: self.sql("SELECT 1") == "1", 60,
                      "postgres on :%d to take queries" % self.port, interval=0.2)

    def sql(self, query, check=False):
        """query as postgres over the socket; its output, None on failure."""
        r = subprocess.run([PSQL, "-X", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
                            "-d", "postgres", "-Atc", query], capture_output=True, text=True,
                           timeout=60)
        if r.returncode:
            assert not check, "%s: %s" % (query, r.stderr)
            return None
        return r.stdout.strip()

    def stop(self):
        if self.running:
            subprocess.run([RUNUSER, "-u", "postgres", "--", os.path.join(PGBIN, "pg_ctl"),
                            "-D", self.data, "-m", "immediate", "-w", "-t", "60", "stop"],
                           capture_output=True, timeout=90)
            self.running = False


def port_through(vport):
    """SELECT inet_server_port() through the virtual server, as fulcrum."""
    r = subprocess.run([PSQL, "-X", "-Atc", "SELECT inet_server_port()",
                        "host=127.0.0.1 port=%d user=fulcrum dbname=postgres connect_timeout=5"
                        % vport], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, PGPASSWORD=PASSWORD))
    assert r.returncode == 0, "query through :%d: %s" % (vport, r.stderr)
    return int(r.stdout.strip())


def session(vport):
    """A psql session through vport, kept open (fc.ClientSession)."""
    return fc.ClientSession(
        [PSQL, "-X", "-At", "host=127.0.0.1 port=%d user=fulcrum dbname=postgres "
         "connect_timeout=5" % vport], env=dict(os.environ, PGPASSWORD=PASSWORD))


def start_primary(root, servers):
    """A new primary under root (appended to servers before it starts, for
    the fixture to stop) with the fulcrum role."""
    primary = Server(root, "primary")
    servers.append(primary)
    as_postgres([os.path.join(PGBIN, "initdb"), "-D", primary.data, "-U", "postgres",
                 "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8",
                 "--locale=C"])
    with open(os.path.join(primary.data, "pg_hba.conf"), "w") as f:
        f.write(HBA)
    primary.start()
    primary.sql("CREATE ROLE fulcrum LOGIN PASSWORD '%s'" % PASSWORD, check=True)
    assert primary.sql("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid "
                       "WHERE rolname = 'fulcrum'") == "t"
    return primary


@contextlib.contextmanager
def servers_dir():
    """(root, servers): every Server appended to servers is stopped and root
    removed on the way out, also when a test fails."""
    root = tempfile.mkdtemp(prefix="fc-pgsql-")
    os.chmod(root, 0o755)
    servers = []
    try:
        yield root, servers
    finally:
        for s in reversed(servers):
            s.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def lone_primary():
    with servers_dir() as (root, servers):
        yield start_primary(root, servers)


@pytest.fixture
def cluster():
    with servers_dir() as (root, servers):
        primary = start_primary(root, servers)
        for name in ("standby1", "standby2"):
            s = Server(root, name)
            servers.append(s)
            as_postgres([os.path.join(PGBIN, "pg_basebackup"), "-h", "127.0.0.1", "-p",
                         str(primary.port), "-U", "postgres", "-D", s.data, "-R", "-X",
                         "stream", "--no-sync"], timeout=300)
            s.start()
            fc.wait_until(lambda: s.sql("SELECT pg_is_in_recovery()") == "t", 60,
                          "%s to be a standby" % name, interval=0.2)
        yield servers


def conf(write_port, read_port, servers):
    def vs(vport, role):
        rs = "".join(
            "    real_server 127.0.0.1 %d {\n        PGSQL_CHECK {\n"
            "            user fulcrum\n            password %s\n            dbname postgres\n"
            "            role %s\n%s            connect_timeout %d\n            retry 0\n"
            "        }\n    }\n"
            % (s.port, PASSWORD, role, "            max_lag %d\n" % MAX_LAG
               if role == "standby" else "", CONNECT_TIMEOUT) for s in servers)
        return ("virtual_server 127.0.0.1 %d {\n    delay_loop %d\n    lb_algo rr\n"
                "    lb_kind NAT\n    protocol TCP\n%s}\n" % (vport, DELAY_LOOP, rs))
    return vs(write_port, "primary") + vs(read_port, "standby")


def reason(d, vport, port):
    _, checks = fc.rs_checks(d, vport, port)
    return [c for c in checks if c["checker"] == "PGSQL_CHECK"][0]["reason"]


def test_roles_lag_and_promotion(daemon, cluster):
    primary, s1, s2 = cluster
    wport, rport = fc.free_port(), fc.free_port()
    d = daemon(conf(wport, rport, cluster))
    fc.wait_state(d, wport, primary.port, "up", 60)
    for s in (s1, s2):
        fc.wait_state(d, wport, s.port, "down", 60)
        fc.wait_state(d, rport, s.port, "up", 60)
    fc.wait_state(d, rport, primary.port, "down", 60)
    assert reason(d, wport, s1.port) == "role standby, want primary"
    assert reason(d, rport, primary.port) == "role primary, want standby"
    # the lag shows once a check of the read pool has found the primary
    fc.wait_until(lambda: reason(d, rport, s1.port).startswith("role standby, lag "), 30,
                  "standby 1's lag in the read service", interval=0.2)
    assert [port_through(wport) for _ in range(4)] == [primary.port] * 4
    assert sorted(port_through(rport) for _ in range(4)) == sorted([s1.port, s2.port] * 2)
    # read sessions held open through everything below (rr: one on each)
    sessions = [session(rport), session(rport)]
    try:
        _test_lag_and_promotion(d, cluster, wport, rport, sessions)
    finally:
        for s in sessions:
            s.close()


def _test_lag_and_promotion(d, cluster, wport, rport, sessions):
    primary, s1, s2 = cluster
    on = [int(s.ask("SELECT inet_server_port()")) for s in sessions]
    assert sorted(on) == sorted([s1.port, s2.port]), on
    held = sessions[on.index(s2.port)]  # standby 2 stays a standby throughout

    # replay paused on standby 2 while the primary writes: out once the lag
    # passes max_lag, back when replay resumes
    s2.sql("SELECT pg_wal_replay_pause()", check=True)
    try:
        primary.sql("CREATE TABLE w AS SELECT g, repeat('x', 100) AS pad "
                    "FROM generate_series(1, 100000) g", check=True)
        fc.wait_state(d, rport, s2.port, "down", 60)
        r = reason(d, rport, s2.port)
        assert r.startswith("lag ") and r.endswith(" > 4096 kB"), r
        assert d.rs(rport, s1.port)["state"] == "up"
        assert [port_through(rport) for _ in range(3)] == [s1.port] * 3
    finally:
        s2.sql("SELECT pg_wal_replay_resume()", check=True)
    fc.wait_state(d, rport, s2.port, "up", 60)

    # standby 1 promoted, the old primary stopped: the write service follows
    s1.sql("SELECT pg_promote(true, 60)", check=True)
    primary.stop()
    bound = DELAY_LOOP + CONNECT_TIMEOUT  # fall (retry 0 + 1) x delay_loop + connect_timeout
    waited, _ = fc.wait_state(d, wport, s1.port, "up", bound + 30)
    fc.wait_state(d, wport, primary.port, "down", bound + 30)
    fc.wait_state(d, rport, s1.port, "down", bound + 30)
    assert reason(d, rport, s1.port) == "role primary, want standby"
    assert d.rs(rport, s2.port)["state"] == "up"
    assert [port_through(wport) for _ in range(3)] == [s1.port] * 3
    assert [port_through(rport) for _ in range(3)] == [s2.port] * 3
    # on an idle machine this is within the bound; the slack is for a loaded one
    assert waited < bound + 30, waited
    # the session on standby 2 was never broken: taken out of the service
    # for its lag, then the promotion, it still answers on the same server
    assert held.ask("SELECT inet_server_port()") == str(s2.port)


# role: (password, given in a password_file).  PostgreSQL stores the SCRAM
# secret of the SASLprep'd password (RFC 4013) and libpq prepares what it
# is given the same way, so the check must too.
SASLPREP_ROLES = {
    "fc_nbsp": ("pass\u00a0word", False),        # NO-BREAK SPACE: "pass word"
    "fc_ligature": ("\ufb01nal-\u2168", True),   # LIGATURE FI, ROMAN NINE: "final-IX"
    "fc_emoji": ("k\U0001f600y", False),          # not in Unicode 3.2: the raw bytes
}


def test_scram_saslprep(daemon, lone_primary, tmp_path):
    p = lone_primary
    vss, text = [], ""
    for role, (pw, in_file) in SASLPREP_ROLES.items():
        p.sql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (role, pw), check=True)
        # libpq logs in with it: the role is as a user would have it
        r = subprocess.run([PSQL, "-X", "-Atc", "SELECT current_user",
                            "host=127.0.0.1 port=%d user=%s dbname=postgres" % (p.port, role)],
                           capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, PGPASSWORD=pw))
        assert r.returncode == 0 and r.stdout.strip() == role, r.stderr
        if in_file:
            path = tmp_path / role
            path.write_bytes(pw.encode())
            path.chmod(0o600)
            secret = "password_file %s" % path
        else:
            secret = "password %s" % pw
        vport = fc.free_port()
        vss.append((vport, role))
        text += ("virtual_server 127.0.0.1 %d {\n    delay_loop %d\n    lb_algo rr\n"
                 "    lb_kind NAT\n    protocol TCP\n    real_server 127.0.0.1 %d {\n"
                 "        PGSQL_CHECK {\n            user %s\n            %s\n"
                 "            dbname postgres\n            connect_timeout %d\n"
                 "            retry 0\n        }\n    }\n}\n"
                 % (vport, DELAY_LOOP, p.port, role, secret, CONNECT_TIMEOUT))
    d = daemon(text)
    for vport, role in vss:
        # a server is up before its first check (no alpha): wait for the verdict
        try:
            fc.wait_until(lambda: reason(d, vport, p.port) == "role primary", 60,
                          "%s's check to pass" % role, interval=0.2)
        except AssertionError:  # the reason says why (on the old code: auth failed)
            pytest.fail("%s: %s" % (role, reason(d, vport, p.port)))
        assert d.rs(vport, p.port)["state"] == "up"


def test_haproxy_pgsql_check(daemon, lone_primary, tmp_path, undo):
    """HAProxy's meaning: a StartupMessage answered by an authentication
    request is up (no password is sent), an ErrorResponse is down: the
    verdicts of Debian's haproxy on the same haproxy.cfg."""
    if not os.access(fc.HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % fc.HAPROXY)
    p = lone_primary
    users = (("asks", "fulcrum"), ("rejects", "fc_rejected"))
    ports = [fc.free_port() for _ in users]
    opt = "option pgsql-check user %s"
    d = daemon(fc.haproxy_listens(p.port, [(n, port, opt % u)
                                           for (n, u), port in zip(users, ports)]))
    sock = fc.start_haproxy(undo, tmp_path, fc.haproxy_listens(
        p.port, [(n, fc.free_port(), opt % u) for n, u in users]))
    want = {("asks", "db"): "UP", ("rejects", "db"): "DOWN"}
    fc.wait_until(lambda: fc.haproxy_status(sock) == want, 30, "haproxy's verdicts %s" % want,
                  interval=0.2)
    fc.wait_until(lambda: fc.stat_status(d.ctl_ok("show", "stat")) == want, 30,
                  "fulcrum's verdicts %s" % want, interval=0.2)
    fc.wait_until(lambda: reason(d, ports[0], p.port) ==
                  "PostgreSQL server is ok (authentication request 10)", 30,
                  "the first check's reason", interval=0.2)
    assert reason(d, ports[1], p.port).startswith("auth failed: FATAL 28000: pg_hba.conf rejects")


def test_ldirectord_pgsql(daemon, lone_primary):
    """ldirectord's meaning: logs in with login/passwd/database and runs a
    query -- a wrong password is down with the server's words."""
    p = lone_primary
    good, bad = fc.free_port(), fc.free_port()
    d = daemon(fc.ldirectord_db("pgsql", p.port, [(good, "fulcrum", PASSWORD, "postgres"),
                                                  (bad, "fulcrum", "not-" + PASSWORD, "postgres")]))
    fc.wait_state(d, good, p.port, "up", 30)
    fc.wait_until(lambda: reason(d, good, p.port) == "role primary", 30, "a query answered")
    assert port_through(good) == p.port
    fc.wait_state(d, bad, p.port, "down", 30)
    assert reason(d, bad, p.port) == (
        'auth failed: FATAL 28P01: password authentication failed for user "fulcrum"')
