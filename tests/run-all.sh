#!/bin/sh
# Everything CI runs (make check): builds, unit tests under ASan/UBSan, a
# short run of every fuzz target, and the system tests against the ASan
# daemon.  Ends with one line "check: N passed, N failed".
#   FUZZ_SECONDS (default 20) per fuzz target;  PYTEST_ARGS passed to pytest.
set -u
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
passed=0
failed=0
failures=""

ok()   { passed=$((passed + ${2:-1})); }
bad()  { failed=$((failed + ${2:-1})); failures="$failures\n  $1"; }

step() { printf '\n==== %s\n' "$*"; }

step "build (release and ASan/UBSan)"
if make -j"$JOBS" all && make -j"$JOBS" SAN=1 all unit-bins; then ok build; else
	bad "build"; printf '\ncheck: %d passed, %d failed\n' "$passed" "$failed"; exit 1
fi

step "unit tests (cmocka, ASan/UBSan)"
for t in build-san/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	ok "$t" "$p"
	if [ "$rc" -ne 0 ] || [ "$f" -gt 0 ]; then bad "$t" "$(( f > 0 ? f : 1 ))"; fi
done

step "fuzz targets (${FUZZ_SECONDS}s each)"
if make -j"$JOBS" fuzz-bins; then
	for f in build-fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f" | sed 's/^fuzz_//')
		seeds=tests/fuzz/corpus/$name
		work=$(mktemp -d)
		[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null
		if "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build-fuzz/ "$work" >build-fuzz/"$name".log 2>&1; then
			tail -n 2 build-fuzz/"$name".log; ok "$f"
		else
			tail -n 40 build-fuzz/"$name".log; bad "fuzz $name (see build-fuzz/$name.log)"
		fi
		rm -rf "$work"
	done
else
	bad "fuzz build"
fi

step "system tests (real daemon, ASan/UBSan build)"
# --durations: the slowest tests in every CI log, where the time goes
FULCRUM_BUILD=build-san $PY -m pytest -q -p no:cacheprovider --junitxml=build-san/pytest.xml \
	--durations=30 ${PYTEST_ARGS:-} tests/system
rc=$?
if [ -f build-san/pytest.xml ]; then
	counts=$($PY - <<'PYEOF'
import xml.etree.ElementTree as ET
r = ET.parse("build-san/pytest.xml").getroot()
s = r if r.tag == "testsuite" else r.find("testsuite")
t, f, e, k = (int(s.get(x, 0)) for x in ("tests", "failures", "errors", "skipped"))
print(t - f - e - k, f + e)
PYEOF
)
	set -- $counts
	ok pytest "$1"
	[ "$2" -gt 0 ] && bad "system tests" "$2"
fi
[ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "${2:-0}" -eq 0 ] && bad "pytest exit $rc"

if [ "$failed" -gt 0 ]; then printf '\nFailures:%b\n' "$failures"; fi
printf '\ncheck: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
