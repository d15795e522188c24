#!/bin/bash
# fulcrum benchmark (`make bench`; `./dev bench` installs haproxy, nginx-light
# and wrk first).  In one run, on 127.0.0.1 only, against one nginx origin:
#
#   direct     wrk/python -> nginx
#   fulcrum    -> fulcrum, lb_kind PROXY, nbthread 1 (splice relay)   -> nginx
#   fulcrum_sk -> the same with proxy_relay sockmap (the kernel relays) -> nginx
#   fulcrumN   -> fulcrum as installed: default threads (1 per CPU)  -> nginx
#   haproxy1   -> HAProxy 2.6 mode tcp, nbthread 1 (like for like)   -> nginx
#   haproxy1s  -> the same with option splice-request/-response      -> nginx
#   haproxyN   -> HAProxy 2.6 mode tcp, default threads (1 per CPU)  -> nginx
#
# measures memory per idle connection (bench/idle.py: the proxy's VmRSS
# growth / N, on fresh processes), requests/s with keep-alive and with one
# request per connection (wrk), and bulk download throughput (bench/bulk.py),
# in rounds that interleave the targets.  Prints a table and rewrites the
# results block of doc/benchmarks.md.  A benchmark, not a test: it fails only
# on errors (a tool failing, requests failing), never on ratios.
#
# Knobs (environment): BUILD (build), BENCH_DURATION (5s per wrk run),
# BENCH_ROUNDS (2), BENCH_IDLE_CONNS (2000), BENCH_BULK (24 downloads of
# 64 MiB per round, over 4 connections), BENCH_DOC (doc/benchmarks.md; empty =
# do not write), BENCH_TARGETS (which of the targets below run, e.g.
# "fulcrum fulcrum_sk"; default all), BENCH_PERF=1 (perf-record fulcrum during its first wrk run of
# each kind and print the top symbols), BENCH_COUNT (1: count the proxy's
# system calls, context switches and, where the CPU exposes them,
# instructions per request with `perf stat` during each wrk run: figures the
# machine's load moves far less than CPU time; 0: do not), BENCH_BASELINE
# (another fulcrum binary, e.g. main's build before a change: measured as
# target fulcrumB with the default threads, interleaved with the others, so
# a change is compared with its baseline within one run; with 3 or more
# rounds the table of medians over the rounds is the one to read).
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) FULCRUM=$BUILD/fulcrum ;;
*) FULCRUM=$ROOT/$BUILD/fulcrum ;;
esac
DUR=${BENCH_DURATION:-5s}
ROUNDS=${BENCH_ROUNDS:-2}
IDLE_N=${BENCH_IDLE_CONNS:-2000}
BULK_N=${BENCH_BULK:-24}
BULK_PAR=4
BIG=67108864 # 64 MiB
DOC=${BENCH_DOC-doc/benchmarks.md}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

P_ORIGIN=18080
P_FULCRUM=18081
P_HAP1=18082
P_HAP1S=18083
P_HAPN=18084
P_FULCRUM_SK=18085
P_FULCRUMN=18086
P_FULCRUMB=18087

TMP=""
PIDS=()

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

stop_pid() {
	local p=$1
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_port PORT PID NAME [LOG]: until something accepts on 127.0.0.1:PORT.
wait_port() {
	for _ in $(seq 100); do
		if ! kill -0 "$2" 2>/dev/null; then
			[ -n "${4:-}" ] && cat "$4" >&2
			die "$3 exited at start-up"
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	die "$3 does not accept on 127.0.0.1:$1"
}

# fill TEMPLATE OUT: the @NAME@ placeholders of bench/*.in
fill() {
	sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$3|g" -e "s|@BACKEND_PORT@|$P_ORIGIN|g" \
		-e "s|@NBTHREAD@|${4:-}|g" -e "s|@OPTIONS@|${5:-}|g" -e "s|@NAME@|${6:-}|g" "$1" >"$2"
}

# --- preconditions
for t in wrk haproxy nginx; do
	command -v "$t" >/dev/null 2>&1 || die "$t is not installed: run ./dev bench (installs haproxy nginx-light wrk)"
done
[ -x "$FULCRUM" ] || die "$FULCRUM is not built: run make (or make bench)"
"$PY" - "$P_ORIGIN" "$P_FULCRUM" "$P_HAP1" "$P_HAP1S" "$P_HAPN" "$P_FULCRUM_SK" "$P_FULCRUMN" "$P_FULCRUMB" <<'EOF' || die "a port the benchmark needs is in use"
import socket, sys
for port in map(int, sys.argv[1:]):
    s = socket.socket()
    # SO_REUSEADDR as servers set it: TIME_WAIT leftovers are no conflict,
    # a listener is.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        sys.exit("port 127.0.0.1:%d is in use" % port)
    finally:
        s.close()
EOF
# Each idle connection costs the proxy two descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -gt $((IDLE_N * 2 + 200)) ] ||
	die "open-file limit $(ulimit -n) is too small for $IDLE_N idle connections"

LOAD=$(cut -d ' ' -f 1-3 /proc/loadavg)
TMP=$(mktemp -d /tmp/fulcrum-bench.XXXXXX) || die "mktemp"
RES=$TMP/results.jsonl
: >"$RES"
mkdir -p "$TMP/www" "$TMP/nginx-tmp"
printf 'tiny file served by the fulcrum benchmark\n' >"$TMP/www/tiny.txt"
head -c "$BIG" /dev/zero >"$TMP/www/big.bin" || die "cannot write the 64 MiB file"

# --- the origin and the proxies, all started before any traffic so that the
# idle-memory measurement sees fresh processes and the rounds can interleave.
fill bench/nginx.conf.in "$TMP/nginx.conf" "$P_ORIGIN"
nginx -c "$TMP/nginx.conf" -p "$TMP/" -e "$TMP/nginx-error.log" >"$TMP/nginx.out" 2>&1 &
PIDS+=($!)
wait_port "$P_ORIGIN" "$!" nginx "$TMP/nginx-error.log"

declare -A PORT PID
PORT[direct]=$P_ORIGIN
PID[direct]=""

# start_fulcrum LABEL PORT GLOBAL-DEFS-LINE [BINARY]
start_fulcrum() {
	fill bench/fulcrum.conf.in "$TMP/$1.conf" "$2" "" "$3" "$1"
	"${4:-$FULCRUM}" -f "$TMP/$1.conf" -n -l --control "$TMP/$1.sock" -p "$TMP/$1.pid" \
		>"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	PORT[$1]=$2
	PID[$1]=$!
	wait_port "$2" "$!" "fulcrum ($1)" "$TMP/$1.log"
}
start_fulcrum fulcrum "$P_FULCRUM" "nbthread 1"
start_fulcrum fulcrum_sk "$P_FULCRUM_SK" 'nbthread 1\n\tproxy_relay sockmap'
# fulcrum's default, like HAProxy's: a worker per CPU we may run on
start_fulcrum fulcrumN "$P_FULCRUMN" "# nbthread: fulcrum's default"
[ -z "${BENCH_BASELINE:-}" ] ||
	start_fulcrum fulcrumB "$P_FULCRUMB" "# nbthread: fulcrum's default" "$BENCH_BASELINE"

# start_haproxy LABEL PORT NBTHREAD-LINE OPTIONS-LINE
start_haproxy() {
	fill bench/haproxy.cfg.in "$TMP/$1.cfg" "$2" "$3" "$4"
	haproxy -db -f "$TMP/$1.cfg" >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
	PORT[$1]=$2
	PID[$1]=$!
	wait_port "$2" "$!" "haproxy ($1)" "$TMP/$1.log"
}
start_haproxy haproxy1 "$P_HAP1" "nbthread 1" ""
start_haproxy haproxy1s "$P_HAP1S" "nbthread 1" 'option splice-request\n\toption splice-response'
start_haproxy haproxyN "$P_HAPN" "# nbthread: HAProxy's default" ""
HAPN_THREADS=$(find "/proc/${PID[haproxyN]}/task" -mindepth 1 -maxdepth 1 | wc -l)
# fulcrumN's workers (fulcrum-wN; none when it serves from its main loop)
NCPU=$(grep -l '^fulcrum-w' /proc/"${PID[fulcrumN]}"/task/*/comm 2>/dev/null | wc -l)
[ "$NCPU" -gt 0 ] || NCPU=1
TARGETS=(direct fulcrum fulcrum_sk fulcrumN haproxy1 haproxy1s haproxyN)
[ -z "${BENCH_BASELINE:-}" ] || TARGETS+=(fulcrumB)
[ -n "${BENCH_TARGETS:-}" ] && read -r -a TARGETS <<<"$BENCH_TARGETS"

WRK_KA="wrk -c 50 -t 2 -d $DUR --latency http://PROXY/tiny.txt"
WRK_CLOSE="wrk -c 50 -t 2 -d $DUR -H 'Connection: close' http://PROXY/tiny.txt"
BULK="bench/bulk.py PROXY /big.bin $BIG $BULK_N $BULK_PAR"
IDLE="bench/idle.py PROXY PROXY_PID $IDLE_N $P_ORIGIN /tiny.txt"

# perf stat's events for BENCH_COUNT (bench/report.py, PERF_FIELDS): asked
# for only if perf can count the tracepoint here (root, or a low enough
# kernel.perf_event_paranoid); instructions show "not supported" in VMs
# without hardware counters, and the table leaves them out.
PERF_EVENTS=raw_syscalls:sys_enter,context-switches,instructions:u,instructions:k
COUNT=${BENCH_COUNT:-1}
if [ "$COUNT" = 1 ] && ! perf stat -x, -e raw_syscalls:sys_enter -o /dev/null -- true >/dev/null 2>&1; then
	printf 'bench: perf stat cannot count system calls here: no counts per request\n' >&2
	COUNT=0
fi

# run_wrk LABEL METRIC wrk-args...: one wrk run, with the proxy's CPU time
# and (BENCH_COUNT) what perf stat counted in the proxy meanwhile.
run_wrk() {
	local label=$1 metric=$2 pid=${PID[$1]} perfpid="" statpid="" cpu=()
	shift 2
	rm -f "$TMP/stat.out"
	if [ -n "$pid" ] && [ "$COUNT" = 1 ]; then
		perf stat -x, -e "$PERF_EVENTS" -p "$pid" -o "$TMP/stat.out" >/dev/null 2>&1 &
		statpid=$!
		sleep 0.3 # attached before the first request
	fi
	[ -n "$pid" ] && cpu+=("$("$PY" bench/report.py cpu "$pid")")
	if [ "$label" = fulcrum ] && [ "${BENCH_PERF:-0}" = 1 ] && [ ! -e "$TMP/perf-$metric.data" ]; then
		perf record -g -p "$pid" -o "$TMP/perf-$metric.data" >"$TMP/perf.out" 2>&1 &
		perfpid=$!
	fi
	wrk "$@" >"$TMP/wrk.out" 2>&1 || {
		cat "$TMP/wrk.out" >&2
		die "wrk failed ($label $metric)"
	}
	if [ -n "$perfpid" ]; then
		kill -INT "$perfpid"
		wait "$perfpid"
		printf '== perf: fulcrum during %s (top symbols, self time)\n' "$metric"
		perf report -i "$TMP/perf-$metric.data" --stdio --no-children --sort symbol 2>/dev/null |
			grep -E '^ +[0-9.]+%' | head -25
	fi
	[ -n "$pid" ] && cpu+=("$("$PY" bench/report.py cpu "$pid")")
	if [ -n "$statpid" ]; then
		kill -INT "$statpid"
		wait "$statpid"
		cpu+=("$TMP/stat.out")
	fi
	"$PY" bench/report.py wrk "$label" "$metric" "$TMP/wrk.out" "${cpu[@]}" >>"$RES" || {
		cat "$TMP/wrk.out" >&2
		die "requests failed ($label $metric)"
	}
	tail -n 1 "$RES"
}

printf '== memory per idle connection (%s connections, fresh processes)\n' "$IDLE_N"
for t in "${TARGETS[@]}"; do
	[ -n "${PID[$t]}" ] || continue
	"$PY" bench/idle.py "127.0.0.1:${PORT[$t]}" "${PID[$t]}" "$IDLE_N" "$P_ORIGIN" /tiny.txt \
		--label "$t" >>"$RES" || die "idle-connection measurement failed ($t)"
	tail -n 1 "$RES"
done

# Rounds interleave the targets, so that a disturbance (another job on the
# machine) hits one round of one target, not a whole column; the report
# keeps each target's best round.
for r in $(seq "$ROUNDS"); do
	printf '== keep-alive requests, round %s\n' "$r"
	for t in "${TARGETS[@]}"; do
		run_wrk "$t" rps_ka -c 50 -t 2 -d "$DUR" --latency "http://127.0.0.1:${PORT[$t]}/tiny.txt"
	done
done
for r in $(seq "$ROUNDS"); do
	printf '== one request per connection, round %s\n' "$r"
	for t in "${TARGETS[@]}"; do
		run_wrk "$t" rps_close -c 50 -t 2 -d "$DUR" -H "Connection: close" \
			"http://127.0.0.1:${PORT[$t]}/tiny.txt"
	done
done
for r in $(seq "$ROUNDS"); do
	printf '== bulk download, round %s\n' "$r"
	for t in "${TARGETS[@]}"; do
		"$PY" bench/bulk.py "127.0.0.1:${PORT[$t]}" /big.bin "$BIG" "$BULK_N" "$BULK_PAR" \
			--label "$t" >>"$RES" || die "bulk download failed ($t)"
		tail -n 1 "$RES"
	done
done
for t in "${TARGETS[@]}"; do
	[ -z "${PID[$t]}" ] || kill -0 "${PID[$t]}" 2>/dev/null || die "$t died during the run"
done

# --- the table, and the doc block
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || commit="$commit + uncommitted changes in src/"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
commands="# nginx: bench/nginx.conf.in (1 worker, sendfile; tiny.txt = 43 B, big.bin = 64 MiB)"
commands+=";;# fulcrum: bench/fulcrum.conf.in; HAProxy: bench/haproxy.cfg.in (mode tcp)"
commands+=";;$IDLE     # fresh process; then one GET on each"
commands+=";;# then $ROUNDS rounds of each of these, targets interleaved, best round kept:"
commands+=";;$WRK_KA;;$WRK_CLOSE;;$BULK"
printf '\n'
"$PY" bench/report.py render "$RES" "${DOC:--}" \
	"date=$(date -u '+%Y-%m-%d %H:%M UTC')" "commit=$commit" "nproc=$(nproc)" "cpu=${cpu_model:-unknown}" \
	"mem=$mem" "kernel=$(uname -r)" "os=${os:-unknown}" \
	"fulcrum=fulcrum $commit" \
	"haproxy=$(haproxy -v | head -n 1 | awk '{ print "HAProxy " $3 }')" \
	"nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
	"wrk=$(wrk -v 2>&1 | head -n 1 | awk '{ print $1 " " $2 }')" \
	"haproxy_threads=$HAPN_THREADS" "fulcrum_threads=$NCPU" "load=$LOAD" "rounds=$ROUNDS" \
	"commands=$commands" || die "report failed"
[ -n "$DOC" ] && printf '\n(results block of %s updated)\n' "$DOC"
exit 0
