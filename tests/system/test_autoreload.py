"""autoreload (ldirectord's autoreload=yes; global_defs autoreload): an edit
of the configuration file is applied without SIGHUP through the reload path,
whatever way the editor writes it; streams to servers that stay keep going;
a bad edit is refused (file:line logged) and the running model stays until a
good one; autoreload off ignores edits; the callback runs with the file's
name.  Real daemon, real files, backends on loopback."""
import os
import re
import stat
import time

import pytest

import fc

# longer than the watcher's debounce (200 ms) plus a reload, for "nothing
# happened" checks
QUIET = 1.5


def conf(vport, servers, glob="autoreload", algo="wrr"):
    g = "".join("    %s\n" % l.strip() for l in glob.strip().splitlines())
    return "global_defs {\n%s}\n" % g + fc.vs_block(vport, servers, algo=algo)


def weight(dm, vport, rs_port):
    r = dm.rs(vport, rs_port)
    return None if r is None else r["configured_weight"]


def write_in_place(path, text):
    """As `echo ... > file`: the same inode, truncated and written."""
    with open(path, "w") as f:
        f.write(text)


def write_rename_over(path, text):
    """As most editors save: a new file renamed over the old one."""
    tmp = "%s.new~" % path
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_backup_then_new(path, text):
    """As vim with backupcopy=no: the old file renamed away, a new one
    written in its place, the backup removed."""
    bak = "%s~" % path
    os.rename(path, bak)
    with open(path, "w") as f:
        f.write(text)
    os.unlink(bak)


@pytest.mark.parametrize("write", [write_in_place, write_rename_over, write_backup_then_new],
                         ids=["in-place", "rename-over", "backup-then-new"])
def test_edit_applied_without_sighup_streams_survive(daemon, backend, write):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    dm = daemon(conf(vport, [(a, 1), (b, 1)]))
    streams = [fc.Stream(vport) for _ in range(4)]
    try:
        assert sorted(s.name for s in streams) == ["A", "A", "B", "B"]
        reloads = dm.stderr().count("reloaded ")

        write(dm.conf, conf(vport, [(a, 3), (b, 1)]))
        fc.wait_until(lambda: weight(dm, vport, a.port) == 3, 10, "the edit to be applied")
        assert dm.stderr().count("reloaded ") == reloads + 1, "one edit, one reload"
        got = fc.counts(fc.names(vport, 40))
        assert got == {"A": 30, "B": 10}, got
        for s in streams:
            s.assert_flowing()

        # a second edit is seen too: the watch survived the first one
        write(dm.conf, conf(vport, [(a, 3), (b, 2)]))
        fc.wait_until(lambda: weight(dm, vport, b.port) == 2, 10, "the second edit")
        for s in streams:
            s.assert_flowing()
    finally:
        for s in streams:
            s.close()


def test_same_content_is_no_reload(daemon, backend):
    """touch, or a save of the same text, reloads nothing (ldirectord
    compares an MD5 too)."""
    a = backend("A")
    vport = fc.free_port()
    dm = daemon(conf(vport, [a]))
    text = dm.conf.read_text()
    os.utime(dm.conf)
    write_rename_over(dm.conf, text)
    time.sleep(QUIET)
    assert "reloading" not in dm.stderr()


def test_bad_edit_refused_then_good_edit_applied(daemon, backend):
    a, b = backend("A"), backend("B")
    vport = fc.free_port()
    good = conf(vport, [(a, 1), (b, 1)])
    dm = daemon(good)
    stream = fc.Stream(vport)
    try:
        before = dm.list_json()
        bad = good.replace("lb_algo wrr", "lb_algo wrr\n    no_such_keyword 1")
        line = [i for i, l in enumerate(bad.splitlines(), 1) if "no_such_keyword" in l][0]
        write_rename_over(dm.conf, bad)
        want = re.compile(re.escape("%s:%d:" % (dm.conf, line)))
        fc.wait_until(lambda: want.search(dm.stderr()), 10,
                      "the refusal naming %s:%d" % (dm.conf, line))
        fc.wait_until(lambda: "the running configuration is kept" in dm.stderr(), 15,
                      "the refusal")
        assert dm.running()
        assert fc.shape(dm.list_json()) == fc.shape(before)
        assert set(fc.names(vport, 4)) == {"A", "B"}
        stream.assert_flowing()

        write_rename_over(dm.conf, conf(vport, [(a, 1), (b, 4)]))
        fc.wait_until(lambda: weight(dm, vport, b.port) == 4, 10, "the good edit")
        assert fc.counts(fc.names(vport, 25)) == {"A": 5, "B": 20}
        stream.assert_flowing()
    finally:
        stream.close()


def test_autoreload_off_ignores_edits_and_reload_turns_it_on_and_off(daemon, backend):
    a = backend("A")
    vport = fc.free_port()
    dm = daemon(conf(vport, [(a, 1)], glob="router_id off"))

    dm.write_conf(conf(vport, [(a, 2)], glob="router_id off"))
    time.sleep(QUIET)
    assert weight(dm, vport, a.port) == 1, "autoreload off: the edit must wait"

    # a reload (SIGHUP) that turns autoreload on: from now on edits apply
    dm.write_conf(conf(vport, [(a, 2)]))
    dm.reload()
    fc.wait_until(lambda: weight(dm, vport, a.port) == 2, 10, "the SIGHUP reload")
    dm.write_conf(conf(vport, [(a, 3)]))
    fc.wait_until(lambda: weight(dm, vport, a.port) == 3, 10, "autoreload, now on")

    # an edit that turns it off is applied, and is the last one
    dm.write_conf(conf(vport, [(a, 4)], glob="router_id off"))
    fc.wait_until(lambda: weight(dm, vport, a.port) == 4, 10, "the edit turning it off")
    dm.write_conf(conf(vport, [(a, 5)], glob="router_id off"))
    time.sleep(QUIET)
    assert weight(dm, vport, a.port) == 4, "autoreload off again: the edit must wait"


def callback_script(tmp_path):
    marker = tmp_path / "callback.out"
    script = tmp_path / "callback.sh"
    script.write_text("#!/bin/sh\necho \"$# $1\" >> %s\n" % marker)
    script.chmod(0o755)
    return script, marker


def test_callback_runs_with_the_file_name(daemon, backend, tmp_path):
    a = backend("A")
    vport = fc.free_port()
    script, marker = callback_script(tmp_path)
    glob = "autoreload\nautoreload_callback \"%s\"" % script
    dm = daemon(conf(vport, [(a, 1)], glob=glob))
    time.sleep(QUIET)
    assert not marker.exists(), "the callback runs on a change, not at start"

    dm.write_conf(conf(vport, [(a, 2)], glob=glob))
    fc.wait_until(lambda: marker.exists() and marker.read_text(), 10, "the callback")
    assert marker.read_text() == "1 %s\n" % dm.conf
    assert weight(dm, vport, a.port) == 2


def test_callback_without_autoreload_runs_and_applies_nothing(daemon, backend, tmp_path):
    """ldirectord runs its callback on every change on disk, autoreload or
    not (its documented use: copy the file to the peer, or restart)."""
    a = backend("A")
    vport = fc.free_port()
    script, marker = callback_script(tmp_path)
    glob = "autoreload_callback \"%s\"" % script
    dm = daemon(conf(vport, [(a, 1)], glob=glob))
    dm.write_conf(conf(vport, [(a, 2)], glob=glob))
    fc.wait_until(lambda: marker.exists() and marker.read_text(), 10, "the callback")
    assert marker.read_text() == "1 %s\n" % dm.conf
    assert weight(dm, vport, a.port) == 1


def test_unsafe_callback_refused_by_script_security(bins, tmp_path):
    script, _ = callback_script(tmp_path)
    script.chmod(0o777)  # anyone may rewrite what root runs
    path = tmp_path / "f.conf"
    path.write_text("global_defs {\n    enable_script_security\n    script_user root\n"
                    "    autoreload\n    autoreload_callback \"%s\"\n}\n" % script +
                    fc.vs_block(fc.free_port(), [fc.free_port()]))
    r = fc.run_fulcrum("-t", "-f", path)
    assert r.returncode == 1, r
    assert re.search(r"%s:5: autoreload_callback .*refused by enable_script_security"
                     % re.escape(str(path)), r.stderr), r.stderr
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t")

    script.chmod(0o755)
    r = fc.run_fulcrum("-t", "-f", path)
    assert r.returncode == 0, r.stderr


def test_include_is_watched_too(daemon, backend, tmp_path):
    """Every file the model read: an edit of an included file applies."""
    a = backend("A")
    vport = fc.free_port()
    inc = tmp_path / "servers.conf"
    inc.write_text(fc.vs_block(vport, [(a, 1)], algo="wrr"))
    dm = daemon("global_defs {\n    autoreload\n}\ninclude %s\n" % inc)
    write_rename_over(str(inc), fc.vs_block(vport, [(a, 7)], algo="wrr"))
    fc.wait_until(lambda: weight(dm, vport, a.port) == 7, 10, "the included file's edit")


def ldirectord_cf(vport, maint, servers):
    """An ldirectord.cf: autoreload, maintenancedir, masq (the proxy)."""
    return ("autoreload = yes\nmaintenancedir = %s\nquiescent = no\n\n"
            "virtual = 127.0.0.1:%d\n" % (maint, vport) +
            "".join("\treal = 127.0.0.1:%d masq %d\n" % (s.port, w) for s, w in servers) +
            "\tscheduler = wrr\n\tprotocol = tcp\n\tchecktype = on\n")


def test_ldirectord_cf_autoreload_and_maintenancedir(daemon, backend, tmp_path):
    """ldirectord.cf's own keywords drive the same watcher."""
    a, b = backend("A"), backend("B")
    maint = tmp_path / "maint"
    maint.mkdir()
    vport = fc.free_port()
    dm = daemon(ldirectord_cf(vport, maint, [(a, 1), (b, 1)]))
    assert "ldirectord" in fc.run_fulcrum("-t", "-f", dm.conf).stdout
    stream = fc.Stream(vport)
    try:
        write_in_place(dm.conf, ldirectord_cf(vport, maint, [(a, 1), (b, 3)]))
        fc.wait_until(lambda: weight(dm, vport, b.port) == 3, 10, "the edit of ldirectord.cf")
        assert fc.counts(fc.names(vport, 20)) == {"A": 5, "B": 15}
        stream.assert_flowing()

        with open(maint / ("127.0.0.1:%d" % b.port), "w"):
            pass
        fc.wait_until(lambda: dm.rs(vport, b.port)["state"] == "maintenance", 10,
                      "B in maintenance")
        assert fc.names(vport, 6) == ["A"] * 6
        if stream.name == "A":
            stream.assert_flowing()
    finally:
        stream.close(check=stream.name == "A")
