#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds CodeGraph and runs its tests.
# Usage: deploy/test.sh [release|sanitize|fuzz|format|all]
#   release   (default) the whole suite through ctest: unit, engine, CLI, crash,
#             oracle, server, GraphQL and browser tests
#   sanitize  the unit and engine tests built with AddressSanitizer + UBSan (debug preset)
#   fuzz      every libFuzzer target (tests/fuzz) replays its seed corpus, then runs
#             FUZZ_SECONDS (default 20) from it; bench/fuzz.sh for longer runs
#   format    every C++ file as .clang-format says (clang-format 14), or the files
#             that are not and how to fix them; then the layering rules
#             (deploy/check_layers.sh: CAF in actors/, Beast in net/, the facade)
#   all       format, then the three, in that order (what CI runs: .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-release}
./deploy/install-deps.sh
run_release() {
  cmake --preset release >/dev/null
  cmake --build --preset release
  ctest --preset release
}
run_sanitize() {
  cmake --preset debug >/dev/null
  cmake --build --preset sanitize
  ctest --preset sanitize
}
run_format() {
  local bad
  bad=$(git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 --dry-run 2>&1 | grep -o '^[^:]*\.[ch]pp' | sort -u || true)
  if [ -n "$bad" ]; then
    echo "not formatted (clang-format-14 -i FILE...):" >&2
    echo "$bad" >&2
    return 1
  fi
  echo "format: every C++ file as .clang-format says"
  ./deploy/check_layers.sh
}
run_fuzz() {
  ./bench/fuzz.sh "${FUZZ_SECONDS:-20}"
}
case "$what" in
  release) run_release ;;
  sanitize) run_sanitize ;;
  fuzz) run_fuzz ;;
  format) run_format ;;
  all) run_format; run_release; run_sanitize; run_fuzz ;;
  debug) run_sanitize ;;  # the old name
  *) echo "usage: deploy/test.sh [release|sanitize|fuzz|format|all]" >&2; exit 1 ;;
esac
