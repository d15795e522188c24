"""HAProxy's own regression tests (../shared/vtc, reg-tests of haproxy 2.6)
against fulcrum run as `haproxy` (build/haproxy, HAProxy's command line):
varnishtest starts it with an inline haproxy.cfg and inherited listeners,
plays real HTTP servers and clients at it over loopback, checks what goes
over the wire, and stops it with SIGINT.  One case per .vtc; the ones
fulcrum does not serve yet are expected to fail, with the reason.

varnishtest's -v log of a failing case is kept whole: printed in the
failure and written to BUILD/vtc-logs/ (a flake seen once in CI can be read
afterwards; the tail alone lost the start of the story).

Skipped when varnishtest (Debian's varnish), the vtc directory or the
haproxy.cfg reader (a build without it) is absent."""
import os
import pathlib
import shutil
import subprocess

import pytest

import fc

VTC_DIR = pathlib.Path(os.environ.get("FC_VTC_DIR", fc.REPO.parent / "shared" / "vtc"))

# what is not served yet, and why (the rest must pass)
NOT_YET = {}
LOG_DIR = fc.BUILD / "vtc-logs"
LOG_PRINT_MAX = 128 * 1024  # the longest -v log of these cases is ~63 KB


def keep_log(name, log):
    """Write a failing case's whole -v log to LOG_DIR; return its path and
    the text the failure prints (all of it, or its start and end past
    LOG_PRINT_MAX)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = LOG_DIR / (name.replace("/", "_") + ".log")
    path.write_text(log)
    if len(log) > LOG_PRINT_MAX:
        half = LOG_PRINT_MAX // 2
        log = log[:half] + "\n[... %d bytes: see the file ...]\n" % (len(log) - 2 * half) + log[-half:]
    return path, log


def vtc_files():
    if not VTC_DIR.is_dir():
        return []
    return sorted(str(p.relative_to(VTC_DIR)) for p in VTC_DIR.glob("*/*.vtc"))


def params():
    out = []
    for name in vtc_files():
        marks = [pytest.mark.xfail(reason=NOT_YET[name], strict=False)] if name in NOT_YET else []
        out.append(pytest.param(name, id=name, marks=marks))
    return out or [pytest.param(None, id="no-vtc",
                                marks=pytest.mark.skip(reason="no %s" % VTC_DIR))]


@pytest.fixture(scope="module")
def haproxy_reader(bins):
    r = fc.run_fulcrum("--format=haproxy", "-t", "-f", "/dev/null")
    if "unknown grammar" in r.stderr:
        pytest.skip("this build has no haproxy.cfg reader")


@pytest.mark.parametrize("name", params())
def test_vtc(haproxy_reader, name, tmp_path):
    if not shutil.which("varnishtest"):
        pytest.skip("varnishtest is not installed (apt-get install varnish)")
    prog = fc.BUILD / "haproxy"
    assert os.path.islink(prog) or os.access(prog, os.X_OK), "%s: not built" % prog
    env = fc.env()
    env["HAPROXY_PROGRAM"] = str(prog)
    env["TMPDIR"] = str(tmp_path)
    # -t: varnishtest's own bound per test; the process timeout bounds it again
    r = subprocess.run(["varnishtest", "-v", "-t", "30", str(VTC_DIR / name)],
                       capture_output=True, text=True, timeout=120, env=env,
                       stdin=subprocess.DEVNULL, cwd=str(tmp_path))
    log = r.stdout + r.stderr
    if r.returncode != 0 or any(m in log for m in fc.SANITIZER_MARKERS):
        path, shown = keep_log(name, log)
        fc.assert_no_sanitizer(log, "%s (whole log: %s)" % (name, path))
        said = "\n".join(l for l in log.splitlines() if l.startswith(("----", "#")))
        assert r.returncode == 0, "%s failed (exit %d; whole log: %s):\n%s\n\nvarnishtest -v:\n%s" % (
            name, r.returncode, path, said, shown)
