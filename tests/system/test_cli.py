"""The daemon's command line: -t (config check), -v, -h, and the real-world
keepalived corpus through -t."""
import os
import re
import signal
from pathlib import Path

import pytest

import fc

GOOD = """\
global_defs {
    router_id test
}
virtual_server 127.0.0.1 18080 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    persistence_timeout 30
    persistence_granularity 255.255.255.0
    proxy_connect_timeout 1
    proxy_idle_timeout 30
    sorry_server 127.0.0.1 19999
    real_server 127.0.0.1 19001 { weight 1 }
    real_server 127.0.0.1 19002 { weight 2 }
}
virtual_server 127.0.0.1 18081 {
    lb_algo wlc
    lb_kind PROXY
    protocol UDP
    udp_session_timeout 2
    real_server 127.0.0.1 19003 {
        weight 3
    }
}
"""


def check(tmp_path, text, name="f.conf"):
    p = tmp_path / name
    p.write_text(text)
    r = fc.run_fulcrum("-t", "-f", p)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t")
    assert r.returncode >= 0, "killed by signal %d" % -r.returncode
    return p, r


def lines_at(stderr, path, line):
    """stderr lines of the form PATH:LINE: ..."""
    pre = "%s:%d:" % (path, line)
    return [l for l in stderr.splitlines() if l.startswith(pre)]


def line_of(text, needle):
    for i, l in enumerate(text.splitlines(), 1):
        if needle in l:
            return i
    raise KeyError(needle)


def test_good_config_ok(bins, tmp_path):
    p, r = check(tmp_path, GOOD)
    assert r.returncode == 0, r.stderr


def test_two_errors_two_lines(bins, tmp_path):
    text = GOOD.replace("lb_algo rr", "lb_algo nosuchsched").replace(
        "{ weight 2 }", "{ weight notanumber }")
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stderr
    l1 = line_of(text, "nosuchsched")
    l2 = line_of(text, "notanumber")
    assert lines_at(r.stderr, p, l1), "no %s:%d: error in:\n%s" % (p, l1, r.stderr)
    assert lines_at(r.stderr, p, l2), "no %s:%d: error in:\n%s" % (p, l2, r.stderr)
    errs = [l for l in r.stderr.splitlines() if re.match(re.escape(str(p)) + r":\d+: ", l)]
    assert len(errs) == 2, "expected exactly two error lines:\n%s" % r.stderr


def test_syntax_error_line(bins, tmp_path):
    text = GOOD.replace("    real_server 127.0.0.1 19003 {\n", "    real_server 127.0.0.1 port99 {\n")
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stdout
    n = line_of(text, "port99")
    assert lines_at(r.stderr, p, n), r.stderr


def test_unbalanced_brace(bins, tmp_path):
    p, r = check(tmp_path, GOOD + "virtual_server 127.0.0.1 18090 {\n    lb_algo rr\n")
    assert r.returncode == 1
    assert re.search("^" + re.escape(str(p)) + r":\d+: ", r.stderr, re.M), r.stderr


def test_misspelt_keyword_did_you_mean(bins, tmp_path):
    text = GOOD.replace("lb_algo wlc", "lb_algoo wlc")
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stderr
    got = lines_at(r.stderr, p, line_of(text, "lb_algoo"))
    assert got, r.stderr
    assert "did you mean" in got[0] and "lb_algo" in got[0].split("did you mean")[1], got[0]


def test_misspelt_scheduler_did_you_mean(bins, tmp_path):
    text = GOOD.replace("lb_algo wlc", "lb_algo wrc")
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stderr
    got = lines_at(r.stderr, p, line_of(text, "lb_algo wrc"))
    # the nearest name, or the whole (short) list of names
    assert got and ("did you mean" in got[0] or "wrr" in got[0]), r.stderr


def test_ignored_keepalived_keyword_is_warning(bins, tmp_path):
    text = GOOD.replace("    router_id test\n",
                        "    router_id test\n    notification_email_from lb@example.com\n"
                        "    smtp_connect_timeout 30\n")
    p, r = check(tmp_path, text)
    assert r.returncode == 0, r.stderr
    for kw in ("notification_email_from", "smtp_connect_timeout"):
        got = lines_at(r.stderr, p, line_of(text, kw))
        assert got, "no %s:%d: warning for %s in:\n%s" % (p, line_of(text, kw), kw, r.stderr)
        assert "warning" in got[0].lower() or "ignored" in got[0].lower(), got[0]


def test_lb_kind_dr_port_must_match(bins, tmp_path):
    # LVS DR/TUN cannot translate ports: a real server on another port is
    # refused with the reason, at the virtual server
    text = GOOD.replace("lb_kind NAT", "lb_kind DR")
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stderr
    got = lines_at(r.stderr, p, line_of(text, "virtual_server 127.0.0.1 18080"))
    assert got, r.stderr
    assert "127.0.0.1:19001" in got[0] and "same port" in got[0], got[0]


def test_lb_kind_dr_checks_without_loading(bins, tmp_path):
    # fulcrum -t checks a DR/TUN config without loading BPF or touching interfaces
    text = ("virtual_server 10.254.0.1 80 {\n    lb_kind DR\n    lb_algo mh\n"
            "    real_server 10.254.0.2 80 { weight 1 }\n}\n"
            "virtual_server 10.254.0.1 53 {\n    lb_kind TUN\n    protocol UDP\n"
            "    real_server 10.254.0.3 53 { weight 1 }\n}\n")
    p, r = check(tmp_path, text)
    assert r.returncode == 0, r.stderr


def test_missing_file(bins, tmp_path):
    r = fc.run_fulcrum("-t", "-f", tmp_path / "nope.conf")
    assert r.returncode == 1
    assert "nope.conf" in r.stderr


def test_version(bins):
    r = fc.run_fulcrum("-v")
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "fulcrum" in out.lower() and re.search(r"\d+\.\d+", out), out


def test_help(bins):
    r = fc.run_fulcrum("-h")
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    for opt in ("-f", "-t", "-n", "-l", "-p", "--control", "-v"):
        assert opt in out, "help does not mention %s:\n%s" % (opt, out)


def test_t_names_the_grammar(bins, tmp_path):
    # the content shows keepalived.conf; -t says which grammar it read
    p, r = check(tmp_path, GOOD)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "fulcrum: %s (keepalived grammar): configuration OK (2 virtual " \
        "servers)\n" % p, r.stdout
    # ldirectord.cf's content shows ldirectord
    p, r = check(tmp_path, "virtual=192.168.32.66:80\n\treal=192.168.32.63:80 masq\n", "l.cf")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "fulcrum: %s (ldirectord grammar): configuration OK (1 virtual " \
        "server)\n" % p, r.stdout
    # a file no grammar claims is read as keepalived: its errors as ever
    p, r = check(tmp_path, "virtual 192.168.32.66:80\n", "n.cf")
    assert r.returncode == 1, r.stdout
    assert lines_at(r.stderr, p, 1) == [
        "%s:1: unknown keyword 'virtual' at the top level" % p], r.stderr
    assert "fulcrum: %s (keepalived grammar): configuration refused" % p in r.stderr


def test_format_option(bins, tmp_path):
    p = tmp_path / "f.conf"
    p.write_text(GOOD)
    r = fc.run_fulcrum("-t", "--format", "keepalived", "-f", p)
    fc.assert_no_sanitizer(r.stderr, "fulcrum --format keepalived")
    assert r.returncode == 0, r.stderr
    assert "(keepalived grammar): configuration OK" in r.stdout, r.stdout
    r = fc.run_fulcrum("-t", "--format=keepalived", "-f", p)
    assert r.returncode == 0, r.stderr
    # an unknown grammar: a usage error naming the known ones, nothing read
    r = fc.run_fulcrum("-t", "--format", "nginx", "-f", p)
    fc.assert_no_sanitizer(r.stderr, "fulcrum --format nginx")
    assert r.returncode == 2, r
    assert r.stderr == "fulcrum: --format nginx: unknown grammar (fulcrum reads keepalived, " \
        "ldirectord, haproxy)\n", r.stderr
    assert "--format" in fc.run_fulcrum("-h").stdout


def test_help_ends_with_newline(bins):
    # a shell prompt after `fulcrum -h` starts on its own line
    for opt in ("-h", "--help"):
        r = fc.run_fulcrum(opt)
        assert r.returncode == 0, r.stderr
        assert r.stdout.endswith("\n") and not r.stdout.endswith("\n\n"), repr(r.stdout[-80:])


@pytest.mark.parametrize("name", ["keepalived01.conf", "keepalived02.conf"])
def test_seed002_checks_with_a_nat_mask_warning(bins, name):
    # keepalived 1.2.13's files from seed 002: nat_mask (retired in 1.2.20)
    # is a warning at its line, not a refusal
    path = fc.REPO / "tests" / "data" / "seed002" / name
    r = fc.run_fulcrum("-t", "-f", path)
    fc.assert_no_sanitizer(r.stderr, "fulcrum -t " + name)
    assert r.returncode == 0, r.stderr
    assert "%s:31: keyword 'nat_mask' is ignored by fulcrum" % path in r.stderr, r.stderr
    assert "configuration OK (1 virtual server)" in r.stdout + r.stderr


def test_bad_option_is_usage_error(bins):
    r = fc.run_fulcrum("--no-such-option")
    assert r.returncode == 2, r
    fc.assert_no_sanitizer(r.stderr, "fulcrum --no-such-option")


CORPUS = Path(os.environ.get("FC_CORPUS_DIR", str(fc.REPO.parent / "shared" / "corpus"
                                                   / "keepalived")))
CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.is_file()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="no corpus in %s (set FC_CORPUS_DIR)" % CORPUS)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus(bins, path):
    r = fc.run_fulcrum("-t", "-f", path)
    assert r.returncode >= 0, "%s: killed by %s" % (path.name, signal.Signals(-r.returncode).name)
    fc.assert_no_sanitizer(r.stderr, path.name)
    assert r.returncode in (0, 1), "%s: exit %d\n%s" % (path.name, r.returncode, r.stderr)
    # Every message names a file and line (included files may name themselves);
    # the one summary line "fulcrum: FILE: configuration refused" aside.
    bad = [l for l in r.stderr.splitlines()
           if l.strip() and not re.match(r"^[^:\s]+:\d+: ", l) and not l.startswith("fulcrum: ")]
    assert not bad, "%s: lines without file:line:\n%s" % (path.name, "\n".join(bad))
    if r.returncode == 1:
        assert re.search("^" + re.escape(str(path)) + r":\d+: ", r.stderr, re.M), \
            "%s refused without naming it:\n%s" % (path.name, r.stderr)


def test_real_server_is_the_virtual_server_refused(bins, tmp_path):
    text = "virtual_server 127.0.0.1 18080 {\n    lb_algo rr\n    lb_kind NAT\n" \
           "    real_server 127.0.0.1 18080 {\n    }\n}\n"
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stdout
    assert lines_at(r.stderr, p, 4), r.stderr


def test_lb_kind_dr_table_limits_at_check_time(bins, tmp_path):
    # the XDP engine's maps hold 256 services: the 257th DR/TUN virtual
    # server is refused by fulcrum -t at its own line, not only when applied
    blocks = ["virtual_server 10.254.%d.%d 80 {\n    lb_kind DR\n    lb_algo mh\n"
              "    real_server 10.253.0.2 80 { weight 1 }\n}\n" % (i // 200, i % 200 + 1)
              for i in range(257)]
    p, r = check(tmp_path, "".join(blocks[:256]))
    assert r.returncode == 0, r.stderr
    text = "".join(blocks)
    p, r = check(tmp_path, text)
    assert r.returncode == 1, r.stderr
    got = lines_at(r.stderr, p, line_of(text, "virtual_server 10.254.1.57 80"))
    assert got and "more than 256" in got[0], r.stderr[-2000:]


def test_haproxy_options_make_it_haproxys_command_line(bins, tmp_path):
    """An option only haproxy has (-c, -d, -db, -W, -sf ...) makes plain
    `fulcrum` read haproxy's command line, as varnishtest and haproxy's
    scripts start it (`PROGRAM -d -f cfg`); fulcrum's own options are
    unchanged (-t still fulcrum's)."""
    seed = fc.REPO / "tests" / "data" / "seed003" / "haproxy-static.cfg"
    r = fc.run_fulcrum("-c", "-f", str(seed))
    assert r.returncode == 0 and "Configuration file is valid" in r.stdout, r.stdout + r.stderr
    bad = tmp_path / "bad.cfg"
    bad.write_text("global\n    maxconn 10\nfrontend f\n    bind :1\n    nosuchkw 1\n")
    r = fc.run_fulcrum("-c", "-q", "-f", str(bad))
    assert r.returncode == 1 and ("%s:5:" % bad) in r.stderr and "nosuchkw" in r.stderr, r.stderr
    r = fc.run_fulcrum("-t", "-f", str(seed))
    assert r.returncode == 0 and "(haproxy grammar): configuration OK" in r.stdout, r.stdout
