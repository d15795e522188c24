#!/bin/bash
# VRRP failover benchmark: a fulcrum pair vs a keepalived pair with the same
# advert_int (0.1 s VRRPv3 and 1 s VRRPv2), in network namespaces on one
# bridge.  The master is SIGKILLed N times per row; the time from the kill
# to the VIP appearing on the backup is measured (bench/failover.py) and the
# medians and their ratio are printed and written to the bench/failover.sh
# block of doc/benchmarks.md.  Goal (issue 5): fulcrum <= keepalived, and
# under 400 ms with 100 ms adverts.
#
# While this build does not serve VRRP, the fulcrum column says why and only
# keepalived is measured.  Needs root (namespaces) and Debian's keepalived.
#
# Knobs (environment): BUILD (build), FAILOVER_N (10), FAILOVER_SETTINGS
# ("0.1:3,1:2" = advert:version,...), FAILOVER_IMPLS ("fulcrum,keepalived"),
# FAILOVER_DOC (doc/benchmarks.md; empty = do not write).
set -u

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() {
	printf 'bench/failover: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in fulcrum fulcrumctl; do
	[ -x "$BUILD/$t" ] || die "$BUILD/$t is not built: run make BUILD=$BUILD"
done
command -v keepalived >/dev/null || [ -x /usr/sbin/keepalived ] ||
	die "keepalived is not installed (apt-get install -y keepalived)"

# bench/failover.py deletes its namespaces and files itself (finally blocks);
# a timeout bounds the whole run.
FULCRUM_BUILD=$BUILD exec timeout 1800 "$PY" bench/failover.py \
	-n "${FAILOVER_N:-10}" \
	--settings "${FAILOVER_SETTINGS:-0.1:3,1:2}" \
	--impls "${FAILOVER_IMPLS:-fulcrum,keepalived}" \
	--doc "${FAILOVER_DOC-doc/benchmarks.md}"
