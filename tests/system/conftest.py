"""Fixtures for the system tests: real servers and daemons that are always
cleaned up, and a sanitizer check on every daemon at teardown.

Run from the repository root with Debian's python (it has pytest):
    make && /usr/bin/python3 -m pytest -q tests/system
    make SAN=1 && FULCRUM_BUILD=build-san /usr/bin/python3 -m pytest -q tests/system
FC_CORPUS_DIR overrides the keepalived corpus directory used by test_cli."""
import contextlib
import os

import pytest

import fc


@pytest.fixture(scope="session")
def bins():
    missing = [str(p) for p in (fc.FULCRUM, fc.FULCRUMCTL) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail("not built: %s (run `make BUILD=%s` or set FULCRUM_BUILD)"
                    % (", ".join(missing), fc.BUILD.name))
    return fc.BUILD


@pytest.fixture
def backend(tmp_path):
    """backend(name, mode="id", host=..., port=None, burst_bytes=None) -> fc.Backend.
    Every backend started is stopped at teardown."""
    started = []

    def make(name, mode="id", host="127.0.0.1", port=None, burst_bytes=None):
        b = fc.Backend(name, port=port, mode=mode, host=host, burst_bytes=burst_bytes,
                       logdir=str(tmp_path))
        started.append(b)
        return b

    yield make
    for b in started:
        b.stop()


class Undo:
    """What a test starts or changes outside its tmp dir and no other
    fixture owns, undone at teardown (last first), also when the test
    failed: undo(fn, *args) runs fn(*args); undo.stop(obj) / undo.close(obj)
    register obj.stop / obj.close and return obj, so that

        srv = undo.stop(fc.HttpCtl("a", tmp_path, logdir=str(tmp_path)))

    holds from the line that started it, with no try/finally in the test."""

    def __init__(self, stack):
        self._stack = stack

    def __call__(self, fn, *args, **kw):
        self._stack.callback(fn, *args, **kw)

    def stop(self, obj):
        self(obj.stop)
        return obj

    def close(self, obj):
        self(obj.close)
        return obj


@pytest.fixture
def undo():
    with contextlib.ExitStack() as stack:
        yield Undo(stack)


@pytest.fixture
def daemon(bins, tmp_path):
    """daemon(conf_text, start=True, args=()) -> fc.Daemon.

    At teardown every daemon still running is stopped with SIGTERM and must
    exit 0; any sanitizer report in its stderr fails the test."""
    made = []

    def make(conf_text, start=True, args=(), subdir=None):
        d = tmp_path / (subdir or "d%d" % len(made))
        d.mkdir(exist_ok=True)
        dm = fc.Daemon(d, conf_text, args)
        made.append(dm)
        if start:
            dm.start()
        return dm

    yield make
    problems = []
    for dm in made:
        try:
            if dm.proc is not None and not dm.exit_expected:
                dm.stop()  # also fails if it died on its own
        except AssertionError as e:
            problems.append(str(e))
        finally:
            dm.close()
        rep = dm.sanitizer_report()
        if rep:
            problems.append("sanitizer report in %s:\n%s" % (dm.errpath, rep[-6000:]))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
