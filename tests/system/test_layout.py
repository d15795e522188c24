"""The layering of src/: no two modules (directories) and no two files include
each other in a circle (tools/check-includes; doc/internals/model.md,
"Layering").  The checker runs on the tree as it is, and on copies of it where
a circle was put back, to show it would catch one."""
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "tools" / "check-includes"


def run(src):
    return subprocess.run([sys.executable, str(CHECK), str(src)], capture_output=True,
                          text=True, timeout=60)


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_src_has_no_include_circle():
    r = run(ROOT / "src")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no circle" in r.stdout


def add_include(src, rel, header):
    """Puts `#include "header"` back after the first include of src/rel."""
    p = src / rel
    lines = p.read_text().split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("#include"))
    lines.insert(at + 1, '#include "%s"' % header)
    p.write_text("\n".join(lines))
    return at + 2


def test_the_old_circles_are_caught(tmp_path):
    """Before issue 10, health.c called apply_vs and vrrp_run.c called
    health_suspend_vs: with those includes back the check fails and names the
    line of each."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src)
    line = add_include(src, "check/health.c", "daemon/apply.h")
    r = run(src)
    assert r.returncode == 1, r.stdout
    assert "module level: circle" in r.stdout
    assert "check -> daemon: src/check/health.c:%d" % line in r.stdout
    assert "file level: circle" in r.stdout
    assert "check/health -> daemon/apply" in r.stdout

    shutil.rmtree(src)
    shutil.copytree(ROOT / "src", src)
    line = add_include(src, "vrrp/vrrp_run.c", "check/health.h")
    add_include(src, "check/pool_health.c", "vrrp/vrrp_run.h")
    r = run(src)
    assert r.returncode == 1, r.stdout
    assert "vrrp -> check: src/vrrp/vrrp_run.c:%d" % line in r.stdout

    # the checkers' keyword tables once included conf/kw.h (an allowed
    # exception then): with the machinery in kw/, a checker that includes the
    # reader's header again is a circle, check -> conf -> check
    shutil.rmtree(src)
    shutil.copytree(ROOT / "src", src)
    line = add_include(src, "check/check_tcp.c", "conf/ka.h")
    r = run(src)
    assert r.returncode == 1, r.stdout
    assert "check -> conf: src/check/check_tcp.c:%d" % line in r.stdout

    # the control commands once included daemon/apply.h and daemon/version.h
    # (an allowed exception then): now they reach apply through fc->ops, and
    # the include back is a circle, ctl -> daemon -> ctl
    shutil.rmtree(src)
    shutil.copytree(ROOT / "src", src)
    line = add_include(src, "ctl/cmd_server.c", "daemon/apply.h")
    r = run(src)
    assert r.returncode == 1, r.stdout
    assert "module level: circle" in r.stdout
    assert "ctl -> daemon: src/ctl/cmd_server.c:%d" % line in r.stdout
    assert "note" not in r.stdout  # no allowance is left to name


def test_circles_found_at_each_level(tmp_path):
    """Module level: a -> b -> a through different files.  File level: two
    units of one directory; a type header that includes a function header
    counts (its unit is name-t)."""
    src = tmp_path / "src"
    write(src, "a/x.h", "int x(void);\n")
    write(src, "a/x.c", '#include "a/x.h"\n#include "b/y.h"\n')
    write(src, "b/y.h", "int y(void);\n")
    write(src, "b/y.c", '#include "b/y.h"\n#include "a/w.h"\n')
    write(src, "a/w.h", "int w(void);\n")
    r = run(src)
    assert r.returncode == 1
    assert "module level: circle a -> b -> a" in r.stdout
    assert "a -> b: src/a/x.c:2" in r.stdout
    assert "b -> a: src/b/y.c:2" in r.stdout
    assert "file level" not in r.stdout  # a/x and a/w are different files

    src2 = tmp_path / "src2"
    write(src2, "c/p.h", '#include "c/q-t.h"\nint p(void);\n')
    write(src2, "c/p.c", '#include "c/p.h"\n')
    write(src2, "c/q-t.h", '#include "c/p.h"\nstruct q { int i; };\n')
    write(src2, "c/r.h", "#include <stdio.h>\n")  # system headers are not followed
    r = run(src2)
    assert r.returncode == 1
    assert "file level: circle" in r.stdout
    assert "c/p -> c/q-t: src/c/p.h:1" in r.stdout
    assert "c/q-t -> c/p: src/c/q-t.h:1" in r.stdout


def test_no_circle_passes_and_graph_prints(tmp_path):
    src = tmp_path / "src"
    write(src, "core/log.h", "void log(void);\n")
    write(src, "core/log.c", '#include "core/log.h"\n')
    write(src, "model/m-t.h", '#include "core/log.h"\n')
    write(src, "daemon/main.c", '#include "model/m-t.h"\n#include "core/log.h"\n')
    r = run(src)
    assert r.returncode == 0, r.stdout
    assert "3 modules" in r.stdout
    g = subprocess.run([sys.executable, str(CHECK), "--graph", str(src)], capture_output=True,
                       text=True, timeout=60)
    assert g.returncode == 0
    assert g.stdout.split("\n")[:3] == ["daemon -> core", "daemon -> model", "model -> core"]
