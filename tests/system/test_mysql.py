"""MYSQL_CHECK against real MariaDB (Debian's mariadb-server, installed by
./dev check): a primary and a replica started by the fixture on loopback
ports (mariadb-install-db into a temporary datadir, mariadbd as user mysql,
CHANGE MASTER TO ... START SLAVE), a `fulcrum` account with a password on
both.  A write service (role primary) and a read service (role replica,
max_lag) over both servers, lb_kind NAT on loopback: every query through
each lands where it should (SELECT @@port); SET GLOBAL read_only=1 takes the
primary out of the write service; a stopped SQL thread (Seconds_Behind_Master
NULL) and a delayed replica (MASTER_DELAY, its lag over max_lag) take the
replica out of the read service, and it comes back; a session held open on
the replica through all of it still answers.  Then a login over TLS
(the primary has a certificate), ssl require against the replica (which has
none) and a wrong password, each with its reason.  The other grammars'
checks with their own meaning: haproxy.cfg's `option mysql-check` (the
greeting, or a login without a password), side by side with Debian's
haproxy on the same file, and ldirectord.cf's `service=mysql` (logs in with
login/passwd/database).  Skipped only when the MariaDB binaries are absent.  Every process is stopped and every directory
removed by the fixture, also when a test fails; every wait is bounded."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import fc

MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"
PASSWORD = "fc-s3cret"
MAX_LAG = 3

pytestmark = pytest.mark.skipif(
    not (os.access(MARIADBD, os.X_OK) and os.access(INSTALL_DB, os.X_OK)
         and os.access(CLIENT, os.X_OK)),
    reason="MariaDB binaries absent (apt-get install mariadb-server)")


class Server:
    """One mariadbd on 127.0.0.1:port, datadir under root."""

    def __init__(self, root, name, server_id, extra=()):
        self.dir = os.path.join(root, name)
        self.sock = os.path.join(self.dir, "sock")
        self.port = fc.free_port()
        self.server_id = server_id
        self.extra = list(extra)
        self.proc = None
        os.mkdir(self.dir)
        mysql = pwd.getpwnam("mysql")
        os.chown(self.dir, mysql.pw_uid, mysql.pw_gid)

    def install(self):
        r = subprocess.run([INSTALL_DB, "--no-defaults", "--user=mysql", "--skip-test-db",
                            "--datadir=" + os.path.join(self.dir, "data")],
                           cwd=self.dir, capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, "mariadb-install-db: %s" % (r.stdout + r.stderr)[-2000:]

    def start(self):
        self.log = open(os.path.join(self.dir, "err.log"), "w")
        self.proc = subprocess.Popen(
            [MARIADBD, "--no-defaults", "--user=mysql", "--datadir=" + os.path.join(self.dir, "data"),
             "--port=%d" % self.port, "--bind-address=127.0.0.1", "--socket=" + self.sock,
             "--pid-file=" + os.path.join(self.dir, "pid"), "--skip-name-resolve",
             "--server-id=%d" % self.server_id, "--innodb-buffer-pool-size=16M",
             "--skip-log-error"] + self.extra,
            stdout=self.log, stderr=self.log, cwd=self.dir)
        fc.wait_until(lambda: self.proc.poll() is None and self.sql("SELECT 1") is not None,
                      90, "mariadbd on :%d to take queries" % self.port, interval=0.2)

    def sql(self, query, check=False):
        """Run query as root over the socket; its output (tab-separated), None
        on failure (unless check)."""
        r = subprocess.run([CLIENT, "--no-defaults", "-S", self.sock, "-uroot", "-N", "-B",
                            "-e", query], capture_output=True, text=True, timeout=30)
        if r.returncode:
            assert not check, "%s: %s" % (query, r.stderr)
            return None
        return r.stdout.strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc:
            self.log.close()


def port_through(vport):
    """SELECT @@port through the virtual server, as the fulcrum user."""
    r = subprocess.run([CLIENT, "--no-defaults", "-h127.0.0.1", "-P%d" % vport, "-ufulcrum",
                        "-p" + PASSWORD, "--connect-timeout=5", "-N", "-B", "-e",
                        "SELECT @@port"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, "query through :%d: %s" % (vport, r.stderr)
    return int(r.stdout.strip())


@pytest.fixture(scope="module")
def pair():
    root = tempfile.mkdtemp(prefix="fc-mysql-")
    os.chmod(root, 0o755)
    servers = []
    try:
        # the primary speaks TLS (a self-signed certificate), the replica not
        cert, key = os.path.join(root, "cert.pem"), os.path.join(root, "key.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-subj", "/CN=fulcrum-test", "-days", "2", "-keyout", key,
                            "-out", cert], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        os.chmod(key, 0o644)
        primary = Server(root, "primary", 1, ["--log-bin=bin", "--binlog-format=ROW",
                                              "--ssl-cert=" + cert, "--ssl-key=" + key])
        replica = Server(root, "replica", 2, ["--read-only=1", "--relay-log=relay"])
        servers += [primary, replica]
        for s in servers:
            s.install()
            s.start()
            # each its own account: not in the binary log, the replica has one
            s.sql("SET SESSION sql_log_bin=0; CREATE USER 'fulcrum'@'%%' IDENTIFIED BY '%s'; "
                  "GRANT REPLICA MONITOR ON *.* TO 'fulcrum'@'%%'" % PASSWORD, check=True)
        primary.sql("CREATE USER 'repl'@'%' IDENTIFIED BY 'repl'; "
                    "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'; "
                    "CREATE DATABASE t; CREATE TABLE t.w (i INT)", check=True)
        replica.sql("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, "
                    "MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=no, "
                    "MASTER_LOG_FILE='bin.000001', MASTER_LOG_POS=4; START SLAVE"
                    % primary.port, check=True)
        try:
            fc.wait_until(lambda: replica.sql("SELECT COUNT(*) FROM t.w") == "0", 60,
                          "the replica to have the primary's table", interval=0.2)
        except AssertionError as e:
            raise AssertionError("%s; replica status: %s" % (e, replica.sql("SHOW SLAVE STATUS\\G")))
        yield primary, replica
    finally:
        for s in reversed(servers):
            s.stop()
        shutil.rmtree(root, ignore_errors=True)


def conf(write_port, read_port, primary, replica):
    def vs(vport, role):
        rs = "".join(
            "    real_server 127.0.0.1 %d {\n        MYSQL_CHECK {\n"
            "            password %s\n            role %s\n%s"
            "            connect_timeout 5\n            retry 0\n        }\n    }\n"
            % (s.port, PASSWORD, role, "            max_lag %d\n" % MAX_LAG
               if role == "replica" else "") for s in (primary, replica))
        return ("virtual_server 127.0.0.1 %d {\n    delay_loop 0.5\n    lb_algo rr\n"
                "    lb_kind NAT\n    protocol TCP\n%s}\n" % (vport, rs))
    return vs(write_port, "primary") + vs(read_port, "replica")


def reason(d, vport, port):
    _, checks = fc.rs_checks(d, vport, port)
    return [c for c in checks if c["checker"] == "MYSQL_CHECK"][0]["reason"]


def test_roles_and_lag(daemon, pair):
    primary, replica = pair
    wport, rport = fc.free_port(), fc.free_port()
    d = daemon(conf(wport, rport, primary, replica))
    fc.wait_state(d, wport, primary.port, "up", 30)
    fc.wait_state(d, wport, replica.port, "down", 30)
    fc.wait_state(d, rport, replica.port, "up", 30)
    fc.wait_state(d, rport, primary.port, "down", 30)
    assert reason(d, wport, replica.port) == "role replica (read_only), want primary"
    assert reason(d, rport, primary.port) == "role primary (not read_only), want replica"
    # up from the start (no alpha), so wait for its first check's verdict
    fc.wait_until(lambda: reason(d, rport, replica.port).startswith("role replica, lag "), 30,
                  "the replica's first check")
    assert [port_through(wport) for _ in range(4)] == [primary.port] * 4
    assert [port_through(rport) for _ in range(4)] == [replica.port] * 4
    # a read session held open through everything below
    held = fc.ClientSession([CLIENT, "--no-defaults", "-h127.0.0.1", "-P%d" % rport,
                             "-ufulcrum", "-p" + PASSWORD, "--connect-timeout=5", "-N", "-B",
                             "-n"])
    try:
        assert held.ask("SELECT @@port") == str(replica.port)
        _test_role_and_lag_changes(d, pair, wport, rport)
        # taken out of the read service three times, the replica still serves
        # the session it had
        assert held.ask("SELECT @@port") == str(replica.port)
    finally:
        held.close()


def _test_role_and_lag_changes(d, pair, wport, rport):
    primary, replica = pair

    # the primary made read-only leaves the write service, and comes back
    primary.sql("SET GLOBAL read_only=1", check=True)
    try:
        fc.wait_state(d, wport, primary.port, "down", 30)
        assert reason(d, wport, primary.port) == "role replica (read_only), want primary"
    finally:
        primary.sql("SET GLOBAL read_only=0", check=True)
    fc.wait_state(d, wport, primary.port, "up", 30)

    # the SQL thread stopped: Seconds_Behind_Master is NULL, replication broken
    replica.sql("STOP SLAVE SQL_THREAD", check=True)
    try:
        primary.sql("INSERT INTO t.w VALUES (1)", check=True)
        fc.wait_state(d, rport, replica.port, "down", 30)
        assert reason(d, rport, replica.port).startswith(
            "replication broken: Seconds_Behind_Master is NULL"), reason(d, rport, replica.port)
    finally:
        replica.sql("START SLAVE SQL_THREAD", check=True)
    fc.wait_state(d, rport, replica.port, "up", 30)

    # a delayed replica: a write stays unapplied for 20 s, the lag passes max_lag
    replica.sql("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=20; START SLAVE", check=True)
    try:
        primary.sql("INSERT INTO t.w VALUES (2)", check=True)
        fc.wait_state(d, rport, replica.port, "down", 30)
        r = reason(d, rport, replica.port)
        assert r.startswith("role replica, lag ") and r.endswith(" s > %d s" % MAX_LAG), r
    finally:
        replica.sql("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE", check=True)
    fc.wait_state(d, rport, replica.port, "up", 60)
    assert [port_through(rport) for _ in range(2)] == [replica.port] * 2


def test_login_tls_and_refusals(daemon, pair):
    """role any: a login; TLS where the server has it (ssl require), a clear
    reason where it has not, and the server's own words for a wrong
    password."""
    primary, replica = pair
    tls, plain, wrong = fc.free_port(), fc.free_port(), fc.free_port()

    def vs(vport, server, lines):
        return ("virtual_server 127.0.0.1 %d {\n    delay_loop 0.5\n    lb_algo rr\n"
                "    lb_kind NAT\n    protocol TCP\n    real_server 127.0.0.1 %d {\n"
                "        MYSQL_CHECK {\n%s            connect_timeout 5\n"
                "            retry 0\n        }\n    }\n}\n"
                % (vport, server.port, "".join("            %s\n" % l for l in lines)))
    d = daemon(vs(tls, primary, ["password " + PASSWORD, "ssl require"]) +
               vs(plain, replica, ["password " + PASSWORD, "ssl require"]) +
               vs(wrong, primary, ["password not-" + PASSWORD, "ssl disable"]))
    fc.wait_state(d, tls, primary.port, "up", 30)
    # a server starts up before its first check (keepalived's rule, no
    # alpha): the reason is there once that check has run
    r = fc.wait_until(lambda: reason(d, tls, primary.port), 30, "the first check's reason")
    assert r.startswith("logged in, 10.") and "MariaDB" in r and r.endswith(", TLS"), r
    assert port_through(tls) == primary.port
    fc.wait_state(d, plain, replica.port, "down", 30)
    assert reason(d, plain, replica.port) == "ssl require: the server offers no TLS"
    fc.wait_state(d, wrong, primary.port, "down", 30)
    assert reason(d, wrong, primary.port) == (
        "auth failed: Access denied for user 'fulcrum'@'127.0.0.1' (using password: YES)")


def test_haproxy_mysql_check(daemon, pair, tmp_path, undo):
    """HAProxy's meaning: without a user the greeting is up; with one, a
    login without password (and QUIT) that the server must accept: the
    verdicts of Debian's haproxy on the same haproxy.cfg."""
    if not os.access(fc.HAPROXY, os.X_OK):
        pytest.skip("no %s to compare with (apt-get install haproxy)" % fc.HAPROXY)
    primary, _ = pair
    primary.sql("SET SESSION sql_log_bin=0; CREATE USER IF NOT EXISTS 'fc_nopw'@'%'",
                check=True)
    proxies = (("greets", "option mysql-check"),
               ("nopw", "option mysql-check user fc_nopw post-41"),
               ("unknown", "option mysql-check user fc_nosuch"))
    ports = [fc.free_port() for _ in proxies]
    d = daemon(fc.haproxy_listens(primary.port, [(n, port, o)
                                                 for (n, o), port in zip(proxies, ports)]))
    sock = fc.start_haproxy(undo, tmp_path, fc.haproxy_listens(
        primary.port, [(n, fc.free_port(), o) for n, o in proxies]))
    want = {("greets", "db"): "UP", ("nopw", "db"): "UP", ("unknown", "db"): "DOWN"}
    fc.wait_until(lambda: fc.haproxy_status(sock) == want, 30, "haproxy's verdicts %s" % want,
                  interval=0.2)
    fc.wait_until(lambda: fc.stat_status(d.ctl_ok("show", "stat")) == want, 30,
                  "fulcrum's verdicts %s" % want, interval=0.2)
    assert reason(d, ports[2], primary.port) == (
        "auth failed: Access denied for user 'fc_nosuch'@'127.0.0.1' (using password: NO)")


def test_ldirectord_mysql(daemon, pair):
    """ldirectord's meaning: logs in with login/passwd/database -- a wrong
    password is down with the server's words."""
    primary, _ = pair
    good, bad = fc.free_port(), fc.free_port()
    d = daemon(fc.ldirectord_db("mysql", primary.port, [
        (good, "fulcrum", PASSWORD, "information_schema"),
        (bad, "fulcrum", "not-" + PASSWORD, "information_schema")]))
    fc.wait_state(d, good, primary.port, "up", 30)
    r = fc.wait_until(lambda: reason(d, good, primary.port), 30, "the first check's reason")
    assert r.startswith("logged in, 10.") and "MariaDB" in r, r
    assert port_through(good) == primary.port
    fc.wait_state(d, bad, primary.port, "down", 30)
    assert reason(d, bad, primary.port) == (
        "auth failed: Access denied for user 'fulcrum'@'127.0.0.1' (using password: YES)")
