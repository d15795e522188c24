#!/bin/bash
# HTTP engine benchmark (issue 12): in one run, on 127.0.0.1 only, against one
# nginx origin serving a small file:
#
#   direct     wrk -> nginx
#   fulcrum1   -> fulcrum run as haproxy, mode http, nbthread 1       -> nginx
#   fulcrumN   -> the same with fulcrum's default threads (1 per CPU) -> nginx
#   haproxy1   -> HAProxy 2.6 mode http, nbthread 1 (like for like)   -> nginx
#   haproxyN   -> HAProxy 2.6 mode http, default threads              -> nginx
#
# wrk with keep-alive and with `Connection: close` (one request per
# connection); for each, requests/s and the proxy's CPU time per request
# (utime + stime from /proc, microseconds).  Prints a table; a benchmark, not
# a test: it fails only when a tool or requests fail.
#
# Knobs: BUILD (build), BENCH_DURATION (5s), BENCH_CONNS (50), BENCH_DEBUG=1
# (print each wrk output).
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
HAP_FULCRUM=$ROOT/$BUILD/haproxy
DUR=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNS:-50}
P_ORIGIN=18180
P_FULCRUM=18181
P_HAP1=18182
P_HAPN=18183
P_FULCRUMN=18184
TMP=""
PIDS=()

die() {
	printf 'bench/http: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_port() {
	for _ in $(seq 100); do
		kill -0 "$2" 2>/dev/null || die "$3 exited at start-up"
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	die "$3 does not accept on 127.0.0.1:$1"
}

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

for t in wrk haproxy nginx; do
	command -v "$t" >/dev/null 2>&1 || die "$t is not installed: run ./dev bench"
done
[ -x "$HAP_FULCRUM" ] || die "$HAP_FULCRUM is not built: run make"
TMP=$(mktemp -d /tmp/fulcrum-bench-http.XXXXXX) || die "mktemp"
mkdir -p "$TMP/www" "$TMP/nginx-tmp"
printf 'tiny file served by the fulcrum benchmark\n' >"$TMP/www/tiny.txt"
sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$P_ORIGIN|g" bench/nginx.conf.in >"$TMP/nginx.conf"
nginx -c "$TMP/nginx.conf" -p "$TMP/" -e "$TMP/nginx-error.log" >"$TMP/nginx.out" 2>&1 &
PIDS+=($!)
wait_port "$P_ORIGIN" "$!" nginx

# hap_cfg PORT GLOBAL-LINE: the same haproxy.cfg for fulcrum and HAProxy
hap_cfg() {
	cat <<EOF
global
	$2
	maxconn 6000
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend fe
	bind 127.0.0.1:$1
	default_backend be
backend be
	server origin 127.0.0.1:$P_ORIGIN
EOF
}

declare -A PORT PID
PORT[direct]=$P_ORIGIN
PID[direct]=""
# start LABEL PROGRAM PORT GLOBAL-LINE: one proxy on the same haproxy.cfg
start() {
	hap_cfg "$3" "$4" >"$TMP/$1.cfg"
	"$2" -db -q -f "$TMP/$1.cfg" >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	PORT[$1]=$3
	PID[$1]=$!
	wait_port "$3" "$!" "$1"
}
start fulcrum1 "$HAP_FULCRUM" $P_FULCRUM "nbthread 1"
start fulcrumN "$HAP_FULCRUM" $P_FULCRUMN "# default threads"
start haproxy1 haproxy $P_HAP1 "nbthread 1"
start haproxyN haproxy $P_HAPN "# default threads"

HZ=$(getconf CLK_TCK)
printf '%-10s %-10s %12s %14s\n' target mode "requests/s" "CPU us/req"
for mode in keepalive close; do
	for t in direct fulcrum1 fulcrumN haproxy1 haproxyN; do
		hdr=()
		[ $mode = close ] && hdr=(-H "Connection: close")
		c0=0
		[ -n "${PID[$t]}" ] && c0=$(cpu_ticks "${PID[$t]}")
		out=$(wrk -t 2 -c "$CONNS" -d "$DUR" "${hdr[@]}" "http://127.0.0.1:${PORT[$t]}/tiny.txt" 2>&1) ||
			die "wrk against $t failed: $out"
		c1=0
		[ -n "${PID[$t]}" ] && c1=$(cpu_ticks "${PID[$t]}")
		echo "$out" | grep -q "Non-2xx\|Socket errors: connect [1-9]" && die "$t: errors: $out"
		[ -n "${BENCH_DEBUG:-}" ] && echo "$out" >&2
		rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
		total=$(echo "$out" | awk '/requests in/ {print $1}')
		cpu="-"
		[ -n "${PID[$t]}" ] && [ "${total:-0}" -gt 0 ] &&
			cpu=$(awk -v d=$((c1 - c0)) -v n="$total" -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
		printf '%-10s %-10s %12s %14s\n' "$t" "$mode" "$rps" "$cpu"
	done
done
