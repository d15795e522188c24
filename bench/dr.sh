#!/bin/bash
# LVS-DR benchmark (issue 4): requests/s and director CPU time per request,
# in network namespaces (tests/system/lvsnet.py), for
#   direct   wrk -> nginx on the real server
#   toy-xdp  wrk -> VIP -> a 10-line MAC-rewriting XDP program -> nginx (the
#            testbed's cost of a hop through the director, for reference)
#   xdp      wrk -> VIP -> fulcrum lb_kind DR (XDP) -> nginx, answers direct
#   proxy    wrk -> fulcrum lb_kind NAT (userspace proxy) -> nginx
#   haproxy  wrk -> HAProxy 2.6 mode tcp, nbthread 1 -> nginx
# with keep-alive and with Connection: close (bench/dr.py has the details
# of what is measured and how).  Prints a table with ratios vs direct and
# vs HAProxy and rewrites the bench/dr.sh block of doc/benchmarks.md.
# Aim (issue 4): xdp >= 0.95 x direct; director CPU per request < 1/5 of
# HAProxy's.  A benchmark, not a test: it fails only on errors.
#
# Knobs (environment): BUILD (build), DR_DURATION (5 s per wrk run),
# DR_ROUNDS (2), DR_CONNS (32), DR_DOC (doc/benchmarks.md; empty = print only),
# DR_TARGETS (all five; e.g. "toy-xdp xdp"), DR_MODES ("keepalive close"),
# DR_ALGO (mh: the xdp target's lb_algo).  The new-flow cost of a scheduler:
#   DR_TARGETS="toy-xdp xdp" DR_MODES=close DR_ALGO=rr DR_DOC= bench/dr.sh
# Needs root (namespaces, BPF stats); ./dev bench installs haproxy,
# nginx-light, wrk, ethtool.
set -u

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() {
	printf 'bench/dr: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, BPF statistics)"
for t in wrk haproxy nginx ethtool clang bpftool; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
		die "$t is not installed: run ./dev bench"
done
[ -x "$BUILD/fulcrum" ] || die "$BUILD/fulcrum is not built: run make BUILD=$BUILD"

# bench/dr.py deletes its namespaces and files itself (finally blocks); a
# timeout bounds the whole run.
FULCRUM_BUILD=$BUILD exec timeout 900 "$PY" bench/dr.py \
	--duration "${DR_DURATION:-5}" --rounds "${DR_ROUNDS:-2}" --conns "${DR_CONNS:-32}" \
	--doc "${DR_DOC-doc/benchmarks.md}" --targets "${DR_TARGETS:-direct toy-xdp xdp proxy haproxy}" \
	--modes "${DR_MODES:-keepalive close}" --algo "${DR_ALGO:-mh}"
