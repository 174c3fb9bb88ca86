#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds CodeGraph and runs the whole test suite
# through ctest (unit, engine, CLI, crash and oracle tests).
# Usage: deploy/test.sh [release|debug]   (debug: AddressSanitizer + UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
./deploy/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
