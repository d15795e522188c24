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
#   5. HTTP/2 (step h2, at the end, its own table): h2load against `proto
#      h2` and `ssl ... alpn h2` binds of fulcrum and HAProxy (below).
# Steps 2 and 4 run in rounds (BENCH_ROUNDS) that interleave the targets
# (round 1: every target keep-alive, then every target close; round 2 ...),
# so that a disturbance from other work on the machine hits one round of one
# target, not a whole column.  The table gives each figure's median over the
# rounds, and a ratio is the median of the per-round ratios (the two figures
# of a ratio are taken a few seconds apart, in the same round).  With
# BENCH_BASELINE=BIN (another fulcrum binary, e.g. main's build before a
# change) that binary runs as target fulcrumB (default threads), interleaved
# with the others, so a change is measured against its baseline in one run.
# Where perf can count system calls (root), step 2 also gives the proxy's
# system calls and context switches per request (perf stat): counts that the
# machine's load moves far less than times.
# Then a table, and the ratios of fulcrum to HAProxy (default threads)
# against issue 12's aims, and what each one's second thread gains.  A
# benchmark, not a test: it fails only when a tool or requests fail.
#
# Knobs: BUILD (build), BENCH_DURATION (3s per run), BENCH_ROUNDS (3),
# BENCH_CONNS (50), BENCH_IDLE_N (2000), BENCH_RATE (requests/s of step 3:
# half of HAProxy's if unset), BENCH_BASELINE (a fulcrum binary: target
# fulcrumB), BENCH_TARGETS (which targets, e.g. "fulcrum1 fulcrumN fulcrumB";
# default all), BENCH_STEPS (which steps: "idle rps lat tls h2", the default),
# BENCH_COUNT (1: perf stat counts, the default where perf can; 0: not),
# BENCH_DEBUG=1 (print each wrk output).
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
case $BUILD in
/*) HAP_FULCRUM=$BUILD/haproxy ;;
*) HAP_FULCRUM=$ROOT/$BUILD/haproxy ;;
esac
DUR=${BENCH_DURATION:-3s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-50}
IDLE_N=${BENCH_IDLE_N:-2000}
STEPS=" ${BENCH_STEPS:-idle rps lat tls h2} "
LAT_CONNS=10
P_ORIGIN=18180
P_FULCRUM=18181
P_HAP1=18182
P_HAPN=18183
P_FULCRUMN=18184
P_FULCRUMT=18185
P_HAPT=18186
P_FULCRUMB=18187
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

# step NAME: whether BENCH_STEPS asks for it
step() {
	[[ $STEPS == *" $1 "* ]]
}

# has TARGET: whether the run measures it
has() {
	[[ " ${TARGETS[*]} " == *" $1 "* ]]
}

for t in wrk h2load haproxy nginx python3 openssl; do
	command -v "$t" >/dev/null 2>&1 || die "$t is not installed: run ./dev bench"
done
[ -x "$HAP_FULCRUM" ] || die "$HAP_FULCRUM is not built: run make"
TMP=$(mktemp -d /tmp/fulcrum-bench-http.XXXXXX) || die "mktemp"
if [ -n "${BENCH_BASELINE:-}" ]; then
	# run as haproxy (HAProxy's command line): the name says so
	[ -x "$BENCH_BASELINE" ] || die "BENCH_BASELINE $BENCH_BASELINE is not an executable"
	mkdir -p "$TMP/baseline"
	ln -s "$(readlink -f "$BENCH_BASELINE")" "$TMP/baseline/haproxy"
fi
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

TARGETS=(direct fulcrum1 fulcrumN haproxy1 haproxyN)
[ -n "${BENCH_BASELINE:-}" ] && TARGETS+=(fulcrumB)
[ -n "${BENCH_TARGETS:-}" ] && read -r -a TARGETS <<<"$BENCH_TARGETS"
PROXIES=()
for t in "${TARGETS[@]}"; do
	case $t in
	direct) continue ;;
	fulcrum1) start fulcrum1 "$HAP_FULCRUM" $P_FULCRUM "nbthread 1" ;;
	fulcrumN) start fulcrumN "$HAP_FULCRUM" $P_FULCRUMN "# default threads" ;;
	haproxy1) start haproxy1 haproxy $P_HAP1 "nbthread 1" ;;
	haproxyN) start haproxyN haproxy $P_HAPN "# default threads" ;;
	fulcrumB)
		[ -n "${BENCH_BASELINE:-}" ] || die "target fulcrumB needs BENCH_BASELINE"
		start fulcrumB "$TMP/baseline/haproxy" $P_FULCRUMB "# default threads"
		;;
	*) die "unknown target $t" ;;
	esac
	PROXIES+=("$t")
done

HZ=$(getconf CLK_TCK)
# RPS, CPU, SYS, CS[TARGET.MODE.ROUND]: one round's figures;
# M[rps|cpu|sys|cs.TARGET.MODE]: their medians over the rounds
declare -A IDLE RPS CPU SYS CS P50 P99 PMAX M

# perf stat's counts per request (as bench/run.sh's BENCH_COUNT), only if
# perf can count the system-call tracepoint here
COUNT=${BENCH_COUNT:-1}
if [ "$COUNT" = 1 ] && ! perf stat -x, -e raw_syscalls:sys_enter -o /dev/null -- true >/dev/null 2>&1; then
	printf 'bench/http: perf stat cannot count system calls here: no counts per request\n' >&2
	COUNT=0
fi

# median V...: the middle value (the mean of the middle two); "-" if none
median() {
	printf '%s\n' "$@" | grep -v '^-\?$' | sort -g | awk '
		{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      print (m == int(m) ? m : sprintf("%.2f", m)) }'
}

# 1. idle memory, on the fresh processes
if step idle; then
	for t in "${PROXIES[@]}"; do
		out=$(python3 bench/idle.py "127.0.0.1:${PORT[$t]}" "${PID[$t]}" "$IDLE_N" "$P_ORIGIN" /tiny.txt \
			--label "$t" --http --serial) || die "idle.py against $t failed: $out"
		IDLE[$t]=$(echo "$out" | sed -n 's/.*"used_bytes": \([0-9]*\).*/\1/p')
	done
fi

# wrk_run TARGET MODE SCHEME ROUND: RPS, CPU, SYS and CS[TARGET.MODE.ROUND]
wrk_run() {
	local t=$1 mode=$2 k=$1.$2.$4 out c0=0 c1=0 total hdr=() statpid=""

	[ "$mode" = close ] && hdr=(-H "Connection: close")
	rm -f "$TMP/stat.out"
	if [ -n "${PID[$t]}" ] && [ "$COUNT" = 1 ]; then
		perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "${PID[$t]}" \
			-o "$TMP/stat.out" >/dev/null 2>&1 &
		statpid=$!
		sleep 0.3 # attached before the first request
	fi
	[ -n "${PID[$t]}" ] && c0=$(cpu_ticks "${PID[$t]}")
	out=$(wrk -t 2 -c "$CONNS" -d "$DUR" "${hdr[@]}" "$3://127.0.0.1:${PORT[$t]}/tiny.txt" 2>&1) ||
		die "wrk against $t failed: $out"
	[ -n "${PID[$t]}" ] && c1=$(cpu_ticks "${PID[$t]}")
	if [ -n "$statpid" ]; then
		kill -INT "$statpid"
		wait "$statpid"
	fi
	echo "$out" | grep -q "Non-2xx\|Socket errors: connect [1-9]" && die "$t: errors: $out"
	[ -n "${BENCH_DEBUG:-}" ] && echo "$out" >&2
	RPS[$k]=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
	total=$(echo "$out" | awk '/requests in/ {print $1}')
	CPU[$k]="-" SYS[$k]="-" CS[$k]="-"
	[ -n "${PID[$t]}" ] && [ "${total:-0}" -gt 0 ] &&
		CPU[$k]=$(awk -v d=$((c1 - c0)) -v n="$total" -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
	if [ -n "$statpid" ] && [ "${total:-0}" -gt 0 ]; then
		SYS[$k]=$(awk -F, -v n="$total" '$3 == "raw_syscalls:sys_enter" {printf "%.1f", $1 / n}' "$TMP/stat.out")
		CS[$k]=$(awk -F, -v n="$total" '$3 == "context-switches" {printf "%.2f", $1 / n}' "$TMP/stat.out")
	fi
	printf '  round %s %-9s %-9s %7s req/s %6s us/req %5s syscalls/req %5s cs/req\n' "$4" "$t" "$mode" \
		"${RPS[$k]}" "${CPU[$k]}" "${SYS[$k]:--}" "${CS[$k]:--}" >&2
	return 0
}

# medians TARGET MODE: M[rps|cpu|sys|cs.TARGET.MODE] over the rounds
medians() {
	local f r v
	for f in RPS CPU SYS CS; do
		local -n fig=$f
		v=()
		for r in $(seq "$ROUNDS"); do
			v+=("${fig[$1.$2.$r]:--}")
		done
		M[${f,,}.$1.$2]=$(median "${v[@]}")
		[ "$f" = RPS ] && [ "${M[rps.$1.$2]}" != - ] && M[rps.$1.$2]=$(printf '%.0f' "${M[rps.$1.$2]}")
		unset -n fig
	done
}

# 2. requests/s and CPU per request, rounds interleaving the targets
if step rps; then
	for r in $(seq "$ROUNDS"); do
		printf 'round %s of %s, load average %s\n' "$r" "$ROUNDS" "$(cut -d' ' -f1 /proc/loadavg)" >&2
		for mode in keepalive close; do
			for t in "${TARGETS[@]}"; do
				wrk_run "$t" "$mode" http "$r"
			done
		done
	done
	for t in "${TARGETS[@]}"; do
		medians "$t" keepalive
		medians "$t" close
	done
fi

# 3. latency at half of HAProxy's maximum
if step lat; then
	RATE=${BENCH_RATE:-$((${M[rps.haproxyN.keepalive]%.*} / 2))}
	[ "$RATE" -ge "$LAT_CONNS" ] || die "rate $RATE too low (set BENCH_RATE, or measure haproxyN in step rps)"
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
fi

# 4. TLS keep-alive, in rounds interleaving the two
TLS_TARGETS=()
if step tls; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/site.key" -out "$TMP/site.crt" -days 2 \
		-subj /CN=bench.example >/dev/null 2>&1 || die "openssl req failed"
	cat "$TMP/site.crt" "$TMP/site.key" >"$TMP/site.pem"
	start fulcrumT "$HAP_FULCRUM" $P_FULCRUMT "# default threads" "ssl crt $TMP/site.pem alpn http/1.1"
	start haproxyT haproxy $P_HAPT "# default threads" "ssl crt $TMP/site.pem alpn http/1.1"
	TLS_TARGETS=(fulcrumT haproxyT)
	for r in $(seq "$ROUNDS"); do
		for t in "${TLS_TARGETS[@]}"; do
			wrk_run "$t" keepalive https "$r"
		done
	done
	for t in "${TLS_TARGETS[@]}"; do
		medians "$t" keepalive
	done
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || commit="$commit + uncommitted changes in src/"
printf 'commit %s; medians of %s rounds of %s; load average at the end: %s\n' "$commit" "$ROUNDS" "$DUR" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
row='%-9s %8s %9s %9s %8s %7s %9s %9s %8s %7s %8s %8s %8s\n'
# shellcheck disable=SC2059 # one format for the header and the rows
printf "$row" target "idle B/c" "ka req/s" "ka us/req" "ka sys/r" "ka cs/r" "cl req/s" "cl us/req" \
	"cl sys/r" "cl cs/r" "p50 us" "p99 us" "max us"
for t in "${TARGETS[@]}" "${TLS_TARGETS[@]}"; do
	# shellcheck disable=SC2059
	printf "$row" "$t" "${IDLE[$t]:--}" "${M[rps.$t.keepalive]:--}" "${M[cpu.$t.keepalive]:--}" \
		"${M[sys.$t.keepalive]:--}" "${M[cs.$t.keepalive]:--}" "${M[rps.$t.close]:--}" \
		"${M[cpu.$t.close]:--}" "${M[sys.$t.close]:--}" "${M[cs.$t.close]:--}" \
		"${P50[$t]:--}" "${P99[$t]:--}" "${PMAX[$t]:--}"
done
[ ${#TLS_TARGETS[@]} -gt 0 ] && echo "(fulcrumT, haproxyT: TLS keep-alive, default threads each)"
step lat && printf 'latency at %d requests/s (%d connections)\n' "$RATE" "$LAT_CONNS"
step idle && printf 'idle memory over %d connections\n' "$IDLE_N"

# rratio FIGURE A B MODE: the median over the rounds of A's figure / B's of the same round
rratio() {
	local r v=() a b
	local -n fig=$1
	for r in $(seq "$ROUNDS"); do
		a=${fig[$2.$4.$r]:--} b=${fig[$3.$4.$r]:--}
		v+=("$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.4f", a / b }')")
	done
	median "${v[@]}"
}
# aim NAME RATIO AIM le|ge
aim() {
	awk -v name="$1" -v r="$2" -v aim="$3" -v how="$4" 'BEGIN {
		sign = how == "ge" ? ">=" : "<="
		if (r == "-" || r == "") { printf "%-34s %6s  aim %s %s\n", name, "-", sign, aim; exit }
		ok = how == "ge" ? r >= aim : r <= aim
		printf "%-34s %6.2f  aim %s %s: %s\n", name, r, sign, aim, ok ? "met" : "missed" }'
}
# show NAME RATIO
show() {
	awk -v name="$1" -v r="$2" 'BEGIN { printf "%-34s %6s\n", name, r == "-" || r == "" ? "-" : sprintf("%.2f", r) }'
}
if has fulcrumN && has haproxyN; then
	echo "fulcrumN / haproxyN (each with its default threads; rps: medians of the rounds' ratios):"
	if step rps; then
		aim "requests/s keep-alive" "$(rratio RPS fulcrumN haproxyN keepalive)" 1.2 ge
		aim "requests/s close" "$(rratio RPS fulcrumN haproxyN close)" 1.2 ge
		aim "CPU per request keep-alive" "$(rratio CPU fulcrumN haproxyN keepalive)" 0.8 le
		aim "CPU per request close" "$(rratio CPU fulcrumN haproxyN close)" 0.8 le
	fi
	step lat && aim "p99 at half HAProxy's maximum" \
		"$(awk -v a="${P99[fulcrumN]}" -v b="${P99[haproxyN]}" 'BEGIN { print b ? a / b : "-" }')" 1.0 le
	step idle && aim "memory per idle connection" \
		"$(awk -v a="${IDLE[fulcrumN]}" -v b="${IDLE[haproxyN]}" 'BEGIN { print b ? a / b : "-" }')" 0.5 le
fi
step tls && aim "CPU per request TLS keep-alive" "$(rratio CPU fulcrumT haproxyT keepalive)" 0.8 le
if step rps; then
	echo "what the default threads gain over one thread (requests/s, N / 1):"
	for p in fulcrum haproxy; do
		if has ${p}1 && has ${p}N; then
			show "$p keep-alive" "$(rratio RPS ${p}N ${p}1 keepalive)"
			show "$p close" "$(rratio RPS ${p}N ${p}1 close)"
		fi
	done
	if has fulcrumB && has fulcrumN; then
		echo "fulcrumN / fulcrumB (this build / BENCH_BASELINE, default threads each):"
		for mode in keepalive close; do
			show "requests/s $mode" "$(rratio RPS fulcrumN fulcrumB $mode)"
			show "CPU per request $mode" "$(rratio CPU fulcrumN fulcrumB $mode)"
			show "system calls per request $mode" "$(rratio SYS fulcrumN fulcrumB $mode)"
		done
	fi
fi

# 5. HTTP/2 (step h2; doc/benchmarks.md "HTTP/2"): h2load on BENCH_H2_CONNS
# connections (10) with 1 and 10 streams at once each (-m), for a 1 KiB and
# a 64 KiB file, against fulcrum's `bind ... proto h2` (fulcrumH2) and
# HAProxy's (haproxyH2), and the same over TLS (`ssl crt ... alpn h2`:
# fulcrumH2T, haproxyH2T), default threads each, in rounds interleaving
# the four: requests/s and the proxy's CPU per request, medians over the
# rounds, and fulcrum's ratio to HAProxy per case (the median of the
# rounds' ratios).
P_FULCRUMH2=18192
P_HAPH2=18193
P_FULCRUMH2T=18194
P_HAPH2T=18195
declare -A H2RPS H2CPU
# h2_run TARGET SCHEME FILE STREAMS ROUND: H2RPS and H2CPU[TARGET.FILE.STREAMS.ROUND]
h2_run() {
	local k=$1.$3.$4.$5 out c0 c1 total
	c0=$(cpu_ticks "${PID[$1]}")
	out=$(h2load -c "${BENCH_H2_CONNS:-10}" -m "$4" -D "${DUR%s}" "$2://127.0.0.1:${PORT[$1]}/$3" 2>&1) ||
		die "h2load against $1 failed: $out"
	c1=$(cpu_ticks "${PID[$1]}")
	[ -n "${BENCH_DEBUG:-}" ] && echo "$out" >&2
	echo "$out" | grep -q " 0 failed, 0 errored" || die "$1: h2load errors: $out"
	H2RPS[$k]=$(echo "$out" | awk '/^finished in/ {printf "%d", $4}')
	total=$(echo "$out" | awk '/^requests:/ {print $8}')
	H2CPU[$k]="-"
	[ "${total:-0}" -gt 0 ] &&
		H2CPU[$k]=$(awk -v d=$((c1 - c0)) -v n="$total" -v hz="$HZ" 'BEGIN {printf "%.1f", d / hz * 1e6 / n}')
	printf '  round %s %-10s %-8s -m%-3s %7s req/s %6s us/req\n' "$5" "$1" "$3" "$4" "${H2RPS[$k]}" \
		"${H2CPU[$k]}" >&2
}
if step h2; then
	head -c 1024 /dev/zero | tr '\0' k >"$TMP/www/1k.bin"
	head -c 65536 /dev/zero | tr '\0' K >"$TMP/www/64k.bin"
	if [ ! -s "$TMP/site.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/site.key" -out "$TMP/site.crt" -days 2 \
			-subj /CN=bench.example >/dev/null 2>&1 || die "openssl req failed"
		cat "$TMP/site.crt" "$TMP/site.key" >"$TMP/site.pem"
	fi
	start fulcrumH2 "$HAP_FULCRUM" $P_FULCRUMH2 "# default threads" "proto h2"
	start haproxyH2 haproxy $P_HAPH2 "# default threads" "proto h2"
	start fulcrumH2T "$HAP_FULCRUM" $P_FULCRUMH2T "# default threads" "ssl crt $TMP/site.pem alpn h2"
	start haproxyH2T haproxy $P_HAPH2T "# default threads" "ssl crt $TMP/site.pem alpn h2"
	declare -A H2SCHEME=([fulcrumH2]=http [haproxyH2]=http [fulcrumH2T]=https [haproxyH2T]=https)
	for r in $(seq "$ROUNDS"); do
		printf 'h2 round %s of %s, load average %s\n' "$r" "$ROUNDS" "$(cut -d' ' -f1 /proc/loadavg)" >&2
		for f in 1k.bin 64k.bin; do
			for m in 1 10; do
				for t in fulcrumH2 haproxyH2 fulcrumH2T haproxyH2T; do
					h2_run "$t" "${H2SCHEME[$t]}" "$f" "$m" "$r"
				done
			done
		done
	done
	printf 'HTTP/2, h2load -c %s, medians of %s rounds of %s:\n' "${BENCH_H2_CONNS:-10}" "$ROUNDS" "$DUR"
	printf '%-8s %-4s %-5s %10s %10s %10s %10s %8s %8s\n' file m tls "fulcrum/s" "haproxy/s" "fulcrum us" \
		"haproxy us" "rps f/h" "cpu f/h"
	for f in 1k.bin 64k.bin; do
		for m in 1 10; do
			for s in "" T; do
				a=fulcrumH2$s b=haproxyH2$s v=() ra=() rc=() ca=() cb=()
				for r in $(seq "$ROUNDS"); do
					v+=("${H2RPS[$a.$f.$m.$r]}") ca+=("${H2CPU[$a.$f.$m.$r]}")
					cb+=("${H2CPU[$b.$f.$m.$r]}")
					ra+=("$(awk -v a="${H2RPS[$a.$f.$m.$r]}" -v b="${H2RPS[$b.$f.$m.$r]}" \
						'BEGIN { print b ? a / b : "-" }')")
					rc+=("$(awk -v a="${H2CPU[$a.$f.$m.$r]}" -v b="${H2CPU[$b.$f.$m.$r]}" \
						'BEGIN { print b != "-" && b ? a / b : "-" }')")
				done
				rb=()
				for r in $(seq "$ROUNDS"); do
					rb+=("${H2RPS[$b.$f.$m.$r]}")
				done
				printf '%-8s %-4s %-5s %10s %10s %10s %10s %8s %8s\n' "$f" "$m" "${s:+yes}" \
					"$(median "${v[@]}")" "$(median "${rb[@]}")" "$(median "${ca[@]}")" \
					"$(median "${cb[@]}")" "$(median "${ra[@]}")" "$(median "${rc[@]}")"
			done
		done
	done
fi
exit 0
