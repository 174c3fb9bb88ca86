#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds CodeGraph (release) and indexes a
# repository into the default data directory, printing the summary.
# Usage: deploy/run.sh [PATH [index options...]]   (default PATH: the CPython standard library)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph
target=${1:-/usr/lib/python3.11}
shift || true
exec ./build/release/cli/codegraph index "$target" "$@"
