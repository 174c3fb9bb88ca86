#!/usr/bin/env bash
# ThreadSanitizer run of the engine tests (CAF actors, RocksDB, the search state) and
# the in-process server tests (HTTP, WebSocket fan-out lanes, GraphQL, authorization
# matrix). Not part of CI (a TSan build of the engine takes ~15 minutes on 2 cores);
# run it before a release and after threading changes.
# Usage: bench/tsan.sh [gtest filter]
#   e.g. bench/tsan.sh '-engine_fixture.a_cancelled_task_leaves_a_consistent_store'
#   (that test indexes the CPython stdlib twice: over 10 minutes under TSan)
# CAF, RocksDB and FAISS come from Debian uninstrumented: races TSan reports inside
# them (their own synchronisation is invisible to it) are suppressed by
# bench/tsan.supp; any report in our code fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset tsan >/dev/null
cmake --build --preset tsan
export TSAN_OPTIONS="suppressions=$PWD/bench/tsan.supp second_deadlock_stack=1 halt_on_error=0 exitcode=66 report_signal_unsafe=0 history_size=4"
filter=${1:-*}
status=0
for t in engine_tests server_http_tests authz_tests; do
  echo "== $t"
  log=build/tsan/$t.log
  if ! build/tsan/tests/$t --gtest_filter="$filter" >"$log" 2>&1; then status=1; fi
  grep -E '^\[  (PASSED|FAILED) ' "$log" || true
  n=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
  echo "   ThreadSanitizer reports: $n (full log: $log)"
  [ "$n" -eq 0 ] || status=1
done
exit $status
