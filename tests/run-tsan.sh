#!/bin/sh
# The proxy's threads under ThreadSanitizer (./dev tsan, make tsan; not part
# of check: about 12 minutes on 2 CPUs).  Builds build-tsan/, then runs the
# proxy's system suites (L4 and HTTP) with 2 and 4 workers (FC_NBTHREAD) and the threads'
# own tests; a ThreadSanitizer report in a daemon's stderr fails its test.
#   PYTEST_ARGS passed to pytest.
set -eu
cd "$(dirname "$0")/.."
make -j"${JOBS:-2}" SAN=thread all
rc=0
for n in 2 4; do
	printf '\n==== nbthread %s (ThreadSanitizer)\n' "$n"
	FC_NBTHREAD=$n FULCRUM_BUILD=build-tsan /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		${PYTEST_ARGS:-} tests/system/test_tcp.py tests/system/test_udp.py \
		tests/system/test_reload.py tests/system/test_ctl.py tests/system/test_sockmap.py \
		tests/system/test_persist.py tests/system/test_sched.py tests/system/test_http.py \
		tests/system/test_https.py tests/system/test_vtc.py tests/system/test_runtime_api.py || rc=1
done
printf '\n==== the thread suites, L4 and HTTP (ThreadSanitizer)\n'
FULCRUM_BUILD=build-tsan /usr/bin/python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:-} \
	tests/system/test_threads.py tests/system/test_l4_threads.py \
	tests/system/test_http_threads.py tests/system/test_http_reload_queue.py \
	tests/system/test_http_queue.py tests/system/test_http_persist.py || rc=1
exit $rc
