#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for SECONDS each (default 60), starting
# from the committed seed corpora (tests/fuzz/corpus/TARGET) and keeping what each
# run finds in build/fuzz/runs/corpus/TARGET (not committed). Builds the clang "fuzz"
# preset first. Prints one line per target (runs, coverage, corpus, crashes) and
# exits 1 when any target crashed, leaked, timed out or broke a FUZZ_CHECK; the
# input that did it is build/fuzz/runs/TARGET-crash-* (replay: the binary with that
# file as its argument).
# Usage: bench/fuzz.sh [SECONDS] [TARGET...]     (FUZZ_REPLAY_ONLY=1: replay the seeds only)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
bin=build/fuzz/tests/fuzz
out=build/fuzz/runs
mkdir -p "$out/corpus"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=()
  for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
printf '%-20s %10s %8s %8s %s\n' target runs cov corpus result
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  log=$out/$t.log
  # Replay: every seed must pass as it is.
  if ! "$bin/$t" -runs=0 "$seeds" >"$log.replay" 2>&1; then
    printf '%-20s %10s %8s %8s %s\n' "$t" - - - "FAILED on a seed (see $log.replay)"
    failed=1
    continue
  fi
  if [ "${FUZZ_REPLAY_ONLY:-0}" = 1 ]; then
    printf '%-20s %10s %8s %8s %s\n' "$t" - - "$(ls "$seeds" | wc -l)" "seeds replayed"
    continue
  fi
  mkdir -p "$out/corpus/$t"
  rc=0
  "$bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$out/$t-" "$out/corpus/$t" "$seeds" >"$log" 2>&1 || rc=$?
  runs=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "$log" | tail -1 || echo '?')
  cov=$(grep -oP '\bcov: \K\d+' "$log" | tail -1 || echo '?')
  corpus=$(ls "$out/corpus/$t" | wc -l)
  if [ "$rc" -ne 0 ]; then
    failed=1
    printf '%-20s %10s %8s %8s %s\n' "$t" "${runs:-?}" "${cov:-?}" "$corpus" "FAILED (rc $rc): $(grep -m1 -E 'ERROR|fuzz check failed|SUMMARY' "$log" || true)"
  else
    printf '%-20s %10s %8s %8s %s\n' "$t" "${runs:-?}" "${cov:-?}" "$corpus" ok
  fi
done
exit $failed
