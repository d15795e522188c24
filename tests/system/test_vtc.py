"""HAProxy's own regression tests (../shared/vtc, reg-tests of haproxy 2.6)
against fulcrum run as `haproxy` (build/haproxy, HAProxy's command line):
varnishtest starts it with an inline haproxy.cfg and inherited listeners,
plays real HTTP servers and clients at it over loopback, checks what goes
over the wire, and stops it with SIGINT.  One case per .vtc; the ones
fulcrum does not serve yet are expected to fail, with the reason.

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
    fc.assert_no_sanitizer(log, name)
    tail = "\n".join(l for l in log.splitlines() if l.startswith(("----", "#")))
    assert r.returncode == 0, "%s failed:\n%s\n...\n%s" % (name, tail, log[-4000:])
