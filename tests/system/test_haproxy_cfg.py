"""fulcrum -t on haproxy.cfg files (issue 12, the reader): seed 003's three
files as the guide wrote them are checked OK "(haproxy grammar)", a refused
file names the line and the keyword, and --format haproxy forces the
grammar.  Only `fulcrum -t`: nothing is started, nothing listens.

Run: FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q tests/system/test_haproxy_cfg.py
"""
import pytest

import fc

SEED = fc.REPO / "tests" / "data" / "seed003"


@pytest.fixture(scope="module")
def bins():
    if not fc.FULCRUM.exists():
        pytest.skip("%s not built" % fc.FULCRUM)


@pytest.mark.parametrize("name", ["haproxy-roundrobin.cfg", "haproxy-static.cfg",
                                  "haproxy-readwrite.cfg"])
def test_seed003_checked_ok(bins, name):
    path = SEED / name
    r = fc.run_fulcrum("-t", "-f", path)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t " + name)
    assert r.returncode == 0, r.stderr
    assert "%s (haproxy grammar): configuration OK" % path in r.stdout, r.stdout
    assert r.stderr == "", r.stderr  # not one warning


def test_refusal_names_line_and_keyword(bins, tmp_path):
    p = tmp_path / "h.cfg"
    p.write_text("global\n    daemon\nfrontend f\n    bind :8080\n    compression algo gzip\n"
                 "    default_backend b\nbackend b\n    server s1 127.0.0.1:9 check frob\n")
    r = fc.run_fulcrum("-t", "-f", p)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t")
    assert r.returncode != 0
    assert "%s:5: 'compression' is not supported" % p in r.stderr, r.stderr
    assert "%s:8: server option 'frob' is not supported" % p in r.stderr, r.stderr
    assert "(haproxy grammar): configuration refused" in r.stderr, r.stderr


def test_format_haproxy(bins, tmp_path):
    # no section line at column 0: only --format makes it haproxy.cfg
    p = tmp_path / "h.cfg"
    p.write_text("  # indented on purpose\n")
    r = fc.run_fulcrum("-t", "--format", "haproxy", "-f", p)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t --format haproxy")
    assert r.returncode == 0, r.stderr
    assert "(haproxy grammar): configuration OK (0 virtual servers)" in r.stdout, r.stdout
