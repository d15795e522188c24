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
# In this order, each proxy fresh at the start:
#   1. memory per idle connection (bench/idle.py --http --serial): N
#      keep-alive clients each send one request and read the answer, one
#      after the other, then stay open; the proxy's VmRSS growth over N
#      (bytes; the server connections a proxy keeps are in it too).
#   2. wrk with keep-alive and with `Connection: close` (one request per
#      connection): requests/s and the proxy's CPU time per request (utime +
#      stime from /proc, microseconds).
#   3. latency at a fixed rate, half of HAProxy's (default threads)
#      keep-alive maximum of step 2, the same rate for every target: h2load
#      --h1 over 10 keep-alive connections, each paced to a tenth (--rps);
#      p50 / p99 / max of every request's time (h2load --log-file).
#   4. TLS keep-alive: fulcrumT and haproxyT, default threads, the bind
#      terminating TLS (`ssl crt` with a self-signed RSA 2048 certificate
#      made here, TLSv1.3, `alpn http/1.1`): wrk over https, requests/s and
#      CPU per request as in step 2 (the handshakes are 50 of the requests).
# Then a table, and the ratios of fulcrum to HAProxy (default threads)
# against issue 12's aims.  A benchmark, not a test: it fails only when a
# tool or requests fail.
#
# Knobs: BUILD (build), BENCH_DURATION (5s), BENCH_CONNS (50), BENCH_IDLE_N
# (2000), BENCH_RATE (requests/s of step 3: half of HAProxy's if unset),
# BENCH_DEBUG=1 (print each wrk output).
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
HAP_FULCRUM=$ROOT/$BUILD/haproxy
DUR=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNS:-50}
IDLE_N=${BENCH_IDLE_N:-2000}
LAT_CONNS=10
P_ORIGIN=18180
P_FULCRUM=18181
P_HAP1=18182
P_HAPN=18183
P_FULCRUMN=18184
P_FULCRUMT=18185
P_HAPT=18186
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

for t in wrk h2load haproxy nginx python3 openssl; do
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

# hap_cfg PORT GLOBAL-LINE [BIND-OPTIONS]: the same haproxy.cfg for fulcrum and HAProxy
hap_cfg() {
	cat <<EOF
global
	$2
	maxconn $((IDLE_N + 1000))
defaults
	mode http
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend fe
	bind 127.0.0.1:$1 ${3:-}
	default_backend be
backend be
	server origin 127.0.0.1:$P_ORIGIN
EOF
}

declare -A PORT PID
PORT[direct]=$P_ORIGIN
PID[direct]=""
# start LABEL PROGRAM PORT GLOBAL-LINE [BIND-OPTIONS]: one proxy on the same haproxy.cfg
start() {
	hap_cfg "$3" "$4" "${5:-}" >"$TMP/$1.cfg"
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
PROXIES=(fulcrum1 fulcrumN haproxy1 haproxyN)
TARGETS=(direct "${PROXIES[@]}")
declare -A IDLE RPS CPU P50 P99 PMAX

# 1. idle memory, on the fresh processes
for t in "${PROXIES[@]}"; do
	out=$(python3 bench/idle.py "127.0.0.1:${PORT[$t]}" "${PID[$t]}" "$IDLE_N" "$P_ORIGIN" /tiny.txt \
		--label "$t" --http --serial) || die "idle.py against $t failed: $out"
	IDLE[$t]=$(echo "$out" | sed -n 's/.*"used_bytes": \([0-9]*\).*/\1/p')
done

# wrk_run TARGET MODE SCHEME: RPS[TARGET.MODE] and CPU[TARGET.MODE]
wrk_run() {
	local t=$1 mode=$2 out c0=0 c1=0 total hdr=()

	[ "$mode" = close ] && hdr=(-H "Connection: close")
	[ -n "${PID[$t]}" ] && c0=$(cpu_ticks "${PID[$t]}")
	out=$(wrk -t 2 -c "$CONNS" -d "$DUR" "${hdr[@]}" "$3://127.0.0.1:${PORT[$t]}/tiny.txt" 2>&1) ||
		die "wrk against $t failed: $out"
	[ -n "${PID[$t]}" ] && c1=$(cpu_ticks "${PID[$t]}")
	echo "$out" | grep -q "Non-2xx\|Socket errors: connect [1-9]" && die "$t: errors: $out"
	[ -n "${BENCH_DEBUG:-}" ] && echo "$out" >&2
	RPS[$t.$mode]=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
	total=$(echo "$out" | awk '/requests in/ {print $1}')
	CPU[$t.$mode]="-"
	[ -n "${PID[$t]}" ] && [ "${total:-0}" -gt 0 ] &&
		CPU[$t.$mode]=$(awk -v d=$((c1 - c0)) -v n="$total" -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
	return 0
}

# 2. requests/s and CPU per request
for mode in keepalive close; do
	for t in "${TARGETS[@]}"; do
		wrk_run "$t" "$mode" http
	done
done

# 3. latency at half of HAProxy's maximum
RATE=${BENCH_RATE:-$((RPS[haproxyN.keepalive] / 2))}
[ "$RATE" -ge "$LAT_CONNS" ] || die "rate $RATE too low"
for t in "${TARGETS[@]}"; do
	out=$(h2load --h1 -c "$LAT_CONNS" --rps $((RATE / LAT_CONNS)) -D "${DUR%s}" \
		--log-file "$TMP/lat-$t.log" "http://127.0.0.1:${PORT[$t]}/tiny.txt" 2>&1) ||
		die "h2load against $t failed: $out"
	[ -n "${BENCH_DEBUG:-}" ] && echo "$out" >&2
	echo "$out" | grep -q " 0 failed, 0 errored" || die "$t: h2load errors: $out"
	read -r P50[$t] P99[$t] PMAX[$t] < <(awk '{print $3}' "$TMP/lat-$t.log" | sort -n | awk '
		{ v[NR] = $1 }
		END { i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
		      printf "%d %d %d\n", v[i50], v[i99], v[NR] }')
done

# 4. TLS keep-alive
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/site.key" -out "$TMP/site.crt" -days 2 \
	-subj /CN=bench.example >/dev/null 2>&1 || die "openssl req failed"
cat "$TMP/site.crt" "$TMP/site.key" >"$TMP/site.pem"
start fulcrumT "$HAP_FULCRUM" $P_FULCRUMT "# default threads" "ssl crt $TMP/site.pem alpn http/1.1"
start haproxyT haproxy $P_HAPT "# default threads" "ssl crt $TMP/site.pem alpn http/1.1"
for t in fulcrumT haproxyT; do
	wrk_run "$t" keepalive https
done

printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %10s %10s %10s %10s %10s %9s %9s %9s\n' target "idle B/c" "ka req/s" "ka us/req" \
	"cl req/s" "cl us/req" "p50 us" "p99 us" "max us"
for t in "${TARGETS[@]}"; do
	printf '%-10s %10s %10s %10s %10s %10s %9s %9s %9s\n' "$t" "${IDLE[$t]:--}" \
		"${RPS[$t.keepalive]}" "${CPU[$t.keepalive]}" "${RPS[$t.close]}" "${CPU[$t.close]}" \
		"${P50[$t]}" "${P99[$t]}" "${PMAX[$t]}"
done
printf 'latency at %d requests/s (%d connections); idle memory over %d connections\n' \
	"$RATE" "$LAT_CONNS" "$IDLE_N"
for t in fulcrumT haproxyT; do
	printf '%-10s %10s %10s %10s   (TLS keep-alive)\n' "$t" - "${RPS[$t.keepalive]}" "${CPU[$t.keepalive]}"
done

# ratio NAME NUM DEN AIM (le|ge): fulcrum / HAProxy default threads
ratio() {
	awk -v name="$1" -v a="$2" -v b="$3" -v aim="$4" -v how="$5" 'BEGIN {
		if (a == "-" || b == "-" || b == 0) { printf "%-34s %6s  aim %s %s\n", name, "-", how == "ge" ? ">=" : "<=", aim; exit }
		r = a / b; ok = how == "ge" ? r >= aim : r <= aim
		printf "%-34s %6.2f  aim %s %s: %s\n", name, r, how == "ge" ? ">=" : "<=", aim, ok ? "met" : "missed" }'
}
echo "fulcrumN / haproxyN (each with its default threads):"
ratio "requests/s keep-alive" "${RPS[fulcrumN.keepalive]}" "${RPS[haproxyN.keepalive]}" 1.2 ge
ratio "requests/s close" "${RPS[fulcrumN.close]}" "${RPS[haproxyN.close]}" 1.2 ge
ratio "CPU per request keep-alive" "${CPU[fulcrumN.keepalive]}" "${CPU[haproxyN.keepalive]}" 0.8 le
ratio "CPU per request close" "${CPU[fulcrumN.close]}" "${CPU[haproxyN.close]}" 0.8 le
ratio "p99 at half HAProxy's maximum" "${P99[fulcrumN]}" "${P99[haproxyN]}" 1.0 le
ratio "memory per idle connection" "${IDLE[fulcrumN]}" "${IDLE[haproxyN]}" 0.5 le
ratio "CPU per request TLS keep-alive" "${CPU[fulcrumT.keepalive]}" "${CPU[haproxyT.keepalive]}" 0.8 le
