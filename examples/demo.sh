#!/bin/bash
# fulcrum quick-start demo (`make demo`, or `./dev demo` on a fresh machine).
#
# Starts three small web servers on 127.0.0.1:9001-9003, runs fulcrum with
# examples/quickstart.conf in front of them (127.0.0.1:8080, round robin),
# sends HTTP requests, disables one server with fulcrumctl and shows that it
# gets no new traffic, then enables it again.  Everything it starts is stopped
# on exit, also on error or Ctrl-C.  Needs only bash and python3 (no curl).
# Exits non-zero if anything does not behave as described.
set -u

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
FULCRUM=$BUILD/fulcrum
CTL=$BUILD/fulcrumctl
CONF=examples/quickstart.conf
BACKEND=tests/tools/backend.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
VS=127.0.0.1:8080
NREQ=30

TMP=""
PIDS=()
FC_PID=""

say() { printf '%s\n' "$*"; }
fail() {
	printf '\nDEMO FAILED: %s\n' "$*" >&2
	if [ -n "$TMP" ] && [ -s "$TMP/fulcrum.log" ]; then
		printf -- '--- last lines of the fulcrum log:\n' >&2
		tail -n 15 "$TMP/fulcrum.log" >&2
	fi
	exit 1
}

cleanup() {
	local rc=$? p i
	trap - EXIT INT TERM
	# fulcrum first (SIGTERM is its clean stop), then the backends.
	for p in $FC_PID "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $FC_PID "${PIDS[@]}"; do
		for i in $(seq 30); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the HTTP client: N requests, one connection each (so that round robin
# is visible per request), counts which backend answered.
#   send N [--none NAME] [--all NAME,NAME,...]
send() {
	"$PY" - "$@" <<'EOF'
import socket, sys
n = int(sys.argv[1])
none = all_ = None
args = sys.argv[2:]
while args:
    if args[0] == "--none":
        none = args[1]
    elif args[0] == "--all":
        all_ = args[1].split(",")
    args = args[2:]
counts, errors = {}, []
for i in range(n):
    try:
        with socket.create_connection(("127.0.0.1", 8080), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: demo\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1."):
            raise OSError("not an HTTP answer: %r" % data[:60])
        name = body.decode(errors="replace").strip() or "?"
        counts[name] = counts.get(name, 0) + 1
    except OSError as e:
        errors.append(str(e))
for name in sorted(set(counts) | set(all_ or []) | ({none} if none else set())):
    print("     %-6s answered %2d" % (name, counts.get(name, 0)))
ok = True
if errors:
    print("     %d request(s) failed, first: %s" % (len(errors), errors[0]))
    ok = False
if none and counts.get(none, 0):
    print("     %s should have answered none" % none)
    ok = False
for name in all_ or []:
    if not counts.get(name):
        print("     %s should have answered some" % name)
        ok = False
sys.exit(0 if ok else 1)
EOF
}

ctl() {
	"$CTL" -S "$TMP/ctl.sock" "$@"
}

show_list() {
	ctl list "$@" >"$TMP/list.out" 2>&1 || {
		cat "$TMP/list.out"
		fail "fulcrumctl list $* failed"
	}
	sed 's/^/     /' "$TMP/list.out"
}

# --- preconditions
if [ ! -x "$FULCRUM" ] || [ ! -x "$CTL" ]; then
	fail "$FULCRUM / $CTL not built: run 'make' first"
fi
[ -f "$BACKEND" ] || fail "$BACKEND is missing"
"$PY" - <<'EOF' || fail "a port the demo needs is in use (is another fulcrum or demo running?)"
import socket, sys
for port in (8080, 9001, 9002, 9003):
    s = socket.socket()
    # SO_REUSEADDR as servers set it: TIME_WAIT leftovers are no conflict,
    # a listener is.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        print("port 127.0.0.1:%d is in use" % port, file=sys.stderr)
        sys.exit(1)
    finally:
        s.close()
EOF
# a private directory (mode 0700) for the control socket and the pid file:
# fulcrum refuses a socket directory that others can write
TMP=$(mktemp -d /tmp/fulcrum-demo.XXXXXX) || fail "mktemp"

say "fulcrum demo: a load balancer in front of three web servers, all on 127.0.0.1"
say ""

# --- 1. backends
say "1. Starting three web servers: web1 on :9001, web2 on :9002, web3 on :9003"
say "   (each answers every HTTP request with its own name)"
for i in 1 2 3; do
	"$PY" "$BACKEND" --name "web$i" --port "900$i" --mode http >"$TMP/web$i.log" 2>&1 &
	PIDS+=($!)
done
for i in 1 2 3; do
	for _ in $(seq 100); do
		grep -q ready "$TMP/web$i.log" 2>/dev/null && break
		kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || break
		sleep 0.1
	done
	grep -q ready "$TMP/web$i.log" 2>/dev/null || {
		cat "$TMP/web$i.log" >&2
		fail "web$i did not start"
	}
done

# --- 2. fulcrum
say "2. Starting fulcrum with $CONF:"
say "   virtual service $VS, round robin, userspace proxy (lb_kind PROXY)"
say "   \$ $FULCRUM -f $CONF -n -l --control $TMP/ctl.sock"
"$FULCRUM" -f "$CONF" -n -l --control "$TMP/ctl.sock" -p "$TMP/fulcrum.pid" >"$TMP/fulcrum.log" 2>&1 &
FC_PID=$!
for _ in $(seq 100); do
	kill -0 "$FC_PID" 2>/dev/null || fail "fulcrum exited at start-up"
	[ -S "$TMP/ctl.sock" ] && ctl list >/dev/null 2>&1 && break
	sleep 0.1
done
ctl list >/dev/null 2>&1 || fail "fulcrum's control socket did not come up"

# --- 3. traffic
say ""
say "3. Sending $NREQ HTTP requests to $VS (a new connection each):"
send "$NREQ" --all web1,web2,web3 || fail "traffic was not spread over all three servers"
say ""
say "4. What fulcrum reports (\$ fulcrumctl list --stats; Conns = connections so far):"
show_list --stats

# --- 4. take web2 out
say ""
say "5. Taking web2 out of rotation:"
say "   \$ fulcrumctl disable $VS 127.0.0.1:9002"
say "   (new connections go to the other two; connections already open to web2"
say "   would finish normally.  'drain' is the gentler variant: it keeps"
say "   persistent clients on the server)"
ctl disable "$VS" 127.0.0.1:9002 >"$TMP/ctl.out" 2>&1 || {
	cat "$TMP/ctl.out"
	fail "fulcrumctl disable failed"
}
say "   \$ fulcrumctl list   (a disabled server shows weight 0)"
show_list
say ""
say "6. Sending $NREQ more requests: web2 must get none:"
send "$NREQ" --none web2 --all web1,web3 || fail "the disabled server still got traffic"

# --- 5. and back
say ""
say "7. Putting web2 back (\$ fulcrumctl enable $VS 127.0.0.1:9002) and sending $NREQ more:"
ctl enable "$VS" 127.0.0.1:9002 >"$TMP/ctl.out" 2>&1 || {
	cat "$TMP/ctl.out"
	fail "fulcrumctl enable failed"
}
send "$NREQ" --all web1,web2,web3 || fail "web2 did not get traffic after enable"

# --- 6. a backend dies
say ""
say "8. Stopping the web3 process (a crashed backend) and sending $NREQ more:"
kill "${PIDS[2]}" 2>/dev/null
wait "${PIDS[2]}" 2>/dev/null
say "   (web3 refuses connections now; fulcrum retries each such connection on"
say "   another real server, so no client sees an error)"
send "$NREQ" --none web3 --all web1,web2 || fail "clients were sent to the stopped server"
say "   \$ fulcrumctl list --stats   (web3's Conns counts the refused attempts)"
show_list --stats

kill -0 "$FC_PID" 2>/dev/null || fail "fulcrum died"
say ""
say "Demo OK.  Stopping fulcrum and the web servers."
say "Next: read $CONF, then run it yourself and try 'set weight' or 'list --json':"
say "   $FULCRUM -f $CONF -n -l &"
say "   $CTL list --json"
exit 0
