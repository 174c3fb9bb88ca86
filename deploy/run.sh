#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds CodeGraph (release), indexes a repository
# into the default data directory (printing the summary), then serves it:
# the dashboard on /, REST on /api/v1, GraphQL on /graphql, events on /ws, metrics on
# /metrics, at $LISTEN (127.0.0.1:8080).
# The first run creates an admin API key and prints it once.
# Usage: deploy/run.sh [PATH [index options...]]   (default PATH: the CPython standard library)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph dashboard
target=$(realpath "${1:-/usr/lib/python3.11}")
shift || true
cg=./build/release/cli/codegraph
name=$(basename "$target")
"$cg" index "$target" --project "$name" "$@"
if ! "$cg" --json token list | grep -q '"id"'; then
  echo "admin API key (shown once; send it as 'Authorization: Bearer <key>'):"
  "$cg" token create --role admin --name run.sh
fi
exec "$cg" serve --listen "${LISTEN:-127.0.0.1:8080}" --project-root "$name=$target"
