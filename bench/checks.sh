#!/bin/bash
# Health-checking benchmark: fulcrum checks 5,000 real servers on loopback at
# delay_loop 1 s (TCP_CHECK, then HTTP_GET), then 1,000 with PGSQL_CHECK (a
# login, the role and the WAL query against a protocol-speaking stand-in),
# and we measure what it costs.
#
# For each kind, bench/checks.py starts ONE process listening on 5,000 ports
# (127.0.1.1-50 x 100 ports; accept + close, or one HTTP answer), a fulcrum
# with 10 virtual servers x 500 real servers, lets every checker run, then
# measures over a window: fulcrum's CPU (utime+stime from /proc/PID/stat) as
# % of one core, checks per second, the spread of check latencies and of the
# moments the checks fire (from `fulcrumctl show checks --json`).  Prints the
# results and rewrites the bench/checks.sh block of doc/benchmarks.md.
# A benchmark, not a test: it fails only if something does not work.
#
# keepalived is not compared: its checker process needs IPVS (it exits with
# "IPVS: Can't initialize ipvs" without it) and this kernel has no ip_vs.
#
# Knobs (environment): BUILD (build), CHECKS_N (5000), CHECKS_WINDOW (30 s),
# CHECKS_N_PGSQL (1000), CHECKS_KINDS ("tcp http pgsql"), CHECKS_DOC (doc/benchmarks.md; empty = do not
# write).  Needs root (raises the open-files limit above 5,000).
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) B=$BUILD ;;
*) B=$ROOT/$BUILD ;;
esac
N=${CHECKS_N:-5000}
NPG=${CHECKS_N_PGSQL:-1000} # issue 13's figure: a PGSQL_CHECK pool of 1,000 servers
WINDOW=${CHECKS_WINDOW:-30}
KINDS=${CHECKS_KINDS:-tcp http pgsql}
DOC=${CHECKS_DOC-doc/benchmarks.md}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() {
	printf 'bench/checks: %s\n' "$*" >&2
	exit 1
}

TMP=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for t in fulcrum fulcrumctl; do
	[ -x "$B/$t" ] || die "$B/$t is not built: run make"
done
"$B/fulcrumctl" help 2>/dev/null | grep -q 'show checks' || die "this fulcrum has no 'show checks'"
# one listener per real server in the peer, one socket per check in flight
ulimit -n $((N * 2 + 8192)) 2>/dev/null || die "cannot raise the open-files limit (run as root)"

TMP=$(mktemp -d /tmp/fulcrum-bench-checks.XXXXXX) || die "mktemp"
LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)
RESULTS=()
for kind in $KINDS; do
	n=$N
	[ "$kind" = pgsql ] && n=$NPG
	printf '== %s: %d real servers, delay_loop 1, window %ss\n' "$kind" "$n" "$WINDOW"
	timeout $((WINDOW * 3 + 180)) "$PY" bench/checks.py run --kind "$kind" --n "$n" \
		--window "$WINDOW" --fulcrum "$B/fulcrum" --fulcrumctl "$B/fulcrumctl" \
		--json "$TMP/$kind.json" || die "the $kind run failed"
	RESULTS+=("$TMP/$kind.json")
done

"$PY" bench/checks.py report --load "$LOAD" --doc "$DOC" --results "${RESULTS[@]}" ||
	die "report failed"
