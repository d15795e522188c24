"""A real Pacemaker/Corosync cluster of a few nodes, each in a network
namespace of its own on one bridge, as ../shared/design/TESTBED.md says it
runs here: every node is a shell under `unshare --mount --uts` with its own
/var/lib/pacemaker and /var/lib/corosync (bind mounts of directories in the
test's tmp dir) and tmpfs on /run and /dev/shm (libqb's IPC is per mount
and network namespace), running corosync (knet on the node's address) and
pacemakerd in the foreground.  A CIB is seeded (dc-deadtime 2s,
stonith-enabled false) so that the cluster is up in seconds.

Node commands (crm_attribute, crm_mon, crm_resource, cibadmin) run inside
a node with `nsenter` on that node's shell.  close() kills every node's
process group and deletes the namespaces; it is safe to call twice and
after a failed start.  Every wait is bounded."""
import ctypes
import itertools
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import fc

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
PCMK_BINS = ("corosync", "pacemakerd", "crm_mon", "crm_attribute", "cibadmin", "nsenter",
             "unshare")
_seq = itertools.count(1)


def available():
    return all(shutil.which(b) for b in PCMK_BINS)


def sh(*args, check=True, timeout=30.0, env=None):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    if check and r.returncode != 0:
        raise AssertionError("%s -> %d: %s%s" % (" ".join(map(str, args)), r.returncode,
                                                 r.stdout, r.stderr))
    return r


NODE_SH = r"""
set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/user /run/lock
mount -t tmpfs tmpfs /dev/shm
mount --bind "$NODE_DIR/pacemaker" /var/lib/pacemaker
mount --bind "$NODE_DIR/corosync" /var/lib/corosync
hostname "$NODE_NAME"
if [ -n "$OCF_OVERLAY" ]; then mount --bind "$OCF_OVERLAY" /usr/lib/ocf/resource.d; fi
corosync -f -c "$NODE_DIR/corosync.conf" > "$NODE_DIR/corosync.log" 2>&1 &
i=0
until corosync-cfgtool -s > /dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1
done
export PCMK_logfile="$NODE_DIR/pacemaker.log" PCMK_debug=no
exec pacemakerd -f
"""


class Cluster:
    def __init__(self, tmp_path, names, subnet="10.233.0", ocf_overlay=None):
        self.tag = "%d%d%s" % (os.getpid() % 100000, next(_seq), os.urandom(2).hex())
        self.dir = Path(tmp_path) / ("pcmk-" + self.tag)
        self.dir.mkdir()
        self.names = list(names)
        self.addr = {n: "%s.%d" % (subnet, 11 + i) for i, n in enumerate(self.names)}
        self.ns = {n: "fpc%s-%s" % (i, self.tag) for i, n in enumerate(self.names)}
        self.sw = "fpcsw-" + self.tag
        self.client_addr = "%s.5" % subnet
        self.procs = {}
        self.made = []
        self.corosync_conf = self.dir / "corosync.conf"
        # a directory bind mounted over /usr/lib/ocf/resource.d in each node
        self.ocf_overlay = str(ocf_overlay) if ocf_overlay else ""

    # -- set up

    def _net(self):
        sh(IP, "netns", "add", self.sw)
        self.made.append(self.sw)
        sh(IP, "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh(IP, "-n", self.sw, "link", "set", "br0", "up")
        # the switch is also the clients' host
        sh(IP, "-n", self.sw, "addr", "add", self.client_addr + "/24", "dev", "br0")
        for i, n in enumerate(self.names):
            ns = self.ns[n]
            sh(IP, "netns", "add", ns)
            self.made.append(ns)
            sh(IP, "-n", ns, "link", "set", "lo", "up")
            sh(IP, "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p%d" % i,
               "netns", self.sw)
            sh(IP, "-n", ns, "addr", "add", self.addr[n] + "/24", "dev", "eth0")
            sh(IP, "-n", ns, "link", "set", "eth0", "up")
            sh(IP, "-n", self.sw, "link", "set", "p%d" % i, "master", "br0")
            sh(IP, "-n", self.sw, "link", "set", "p%d" % i, "up")

    def _conf(self):
        nodes = "".join("    node {\n        ring0_addr: %s\n        name: %s\n"
                        "        nodeid: %d\n    }\n" % (self.addr[n], n, i + 1)
                        for i, n in enumerate(self.names))
        two = "    two_node: 1\n" if len(self.names) == 2 else ""
        self.corosync_conf.write_text(
            "totem {\n    version: 2\n    cluster_name: fctest%s\n    transport: knet\n"
            "    crypto_cipher: none\n    crypto_hash: none\n    token: 3000\n}\n"
            "nodelist {\n%s}\n"
            "quorum {\n    provider: corosync_votequorum\n%s}\n"
            "logging {\n    to_stderr: yes\n    to_syslog: no\n    to_logfile: no\n}\n"
            % (self.tag, nodes, two))
        empty = sh("cibadmin", "--empty").stdout
        cib = self.dir / "seed-cib.xml"
        cib.write_text(empty)
        env = dict(os.environ, CIB_file=str(cib))
        for name, value in (("dc-deadtime", "2s"), ("stonith-enabled", "false"),
                            ("cluster-recheck-interval", "10s")):
            sh("crm_attribute", "-t", "crm_config", "-n", name, "-v", value, env=env)
        self.seed_cib = cib.read_text()

    def _node_dirs(self, n):
        d = self.dir / n
        for sub in ("pacemaker/cib", "pacemaker/pengine", "pacemaker/blackbox",
                    "pacemaker/cores", "corosync"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(self.corosync_conf, d / "corosync.conf")
        (d / "pacemaker/cib/cib.xml").write_text(self.seed_cib)
        for p in [d / "pacemaker"] + list((d / "pacemaker").rglob("*")):
            shutil.chown(p, "hacluster", "haclient")
        os.chmod(d / "pacemaker/cib/cib.xml", 0o600)
        for sub in ("pacemaker", "pacemaker/cib", "pacemaker/pengine", "pacemaker/blackbox",
                    "pacemaker/cores"):
            os.chmod(d / sub, 0o750)
        os.chmod(d, 0o755)
        return d

    def start(self, timeout=90.0):
        self._net()
        self._conf()
        for n in self.names:
            d = self._node_dirs(n)
            env = dict(os.environ, NODE_DIR=str(d), NODE_NAME=n, OCF_OVERLAY=self.ocf_overlay)
            out = open(d / "node.out", "wb")
            self.procs[n] = subprocess.Popen(
                [IP, "netns", "exec", self.ns[n], "unshare", "--mount", "--uts",
                 "--propagation", "private", "sh", "-c", NODE_SH],
                stdout=out, stderr=out, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)
            out.close()
        fc.wait_until(self._all_online, timeout, "every node online in crm_mon", interval=0.5)
        return self

    # -- running commands on a node

    def pid(self, n):
        """The pid whose namespaces are node n's (the shell, then pacemakerd)."""
        p = self.procs[n]
        if p.poll() is not None:
            raise AssertionError("node %s exited %s:\n%s" % (n, p.returncode, self.logs(n)))
        return p.pid

    def prefix(self, n):
        return ["nsenter", "-t", str(self.pid(n)), "-m", "-u", "-n", "--"]

    def run(self, n, *args, check=True, timeout=30.0):
        env = {k: v for k, v in os.environ.items() if k != "CIB_file"}
        return sh(*(self.prefix(n) + [str(a) for a in args]), check=check, timeout=timeout,
                  env=env)

    def in_netns(self, n, fn):
        """fn() run in a thread that entered node n's network namespace
        (setns applies to the calling thread only): sockets it makes and
        processes it starts live there; the rest of the test does not
        move.  Returns fn's result or raises its exception."""
        return self.in_ns(self.ns[n], fn)

    def in_client(self, fn):
        """fn() in the clients' namespace (the switch, client_addr)."""
        return self.in_ns(self.sw, fn)

    def in_ns(self, ns, fn):
        out = {}

        def body():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open("/var/run/netns/" + ns, os.O_RDONLY)
                try:
                    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
                        raise OSError(ctypes.get_errno(), "setns")
                finally:
                    os.close(fd)
                out["r"] = fn()
            except BaseException as e:  # handed to the caller
                out["e"] = e

        t = threading.Thread(target=body, daemon=True)
        t.start()
        t.join(60)
        if "e" in out:
            raise out["e"]
        if "r" not in out:
            raise AssertionError("in_ns: %s did not return within 60s" % ns)
        return out["r"]

    def _all_online(self):
        r = self.run(self.names[0], "crm_mon", "--one-shot", "--output-as=xml",
                     "--include=none,nodes", check=False)
        if r.returncode != 0:
            return False
        return all('name="%s"' % n in r.stdout for n in self.names) and \
            r.stdout.count('online="true"') == len(self.names) and 'present="true"' in \
            self.run(self.names[0], "crm_mon", "--one-shot", "--output-as=xml",
                     check=False).stdout

    def logs(self, n):
        d = self.dir / n
        text = ""
        for f in ("node.out", "corosync.log", "pacemaker.log"):
            try:
                text += "--- %s\n%s\n" % (f, (d / f).read_text(errors="replace")[-3000:])
            except OSError:
                pass
        return text

    # -- tear down

    def close(self):
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + 20
        for p in self.procs.values():
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        # pacemaker's children and corosync are in the node's session
        for p in self.procs.values():
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.procs = {}
        # anything of the node still in its namespace (a daemon that left
        # the session): by pid, from the namespace's own list
        for ns in self.made:
            r = sh(IP, "netns", "pids", ns, check=False)
            for pid in r.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ValueError, OSError):
                    pass
        for ns in reversed(self.made):
            sh(IP, "netns", "del", ns, check=False)
        self.made = []
