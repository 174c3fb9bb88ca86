#!/usr/bin/env bash
# Live GraphQL benchmark (issue 5): watch-mode latency (a saved file to a subscribed
# client), subscription fan-out at CONNECTIONS connections, and a node+relationships
# query over WebSocket at 50 clients, on a copy of the CPython standard library
# served by `codegraph serve` (watch mode on). The clients: bench/live_bench.mjs (watch,
# query) and bench/ws_fanout.cpp (fan-out: raw epoll sockets, so that the load client
# leaves the server most of the machine).
# Usage: bench/live_bench.sh   (CODEGRAPH_BIN=path CONNECTIONS=10000 RATE=10 DURATION=10 WATCH_ROUNDS=300 PHASES=watch,query,fanout)
set -euo pipefail
trap 'echo "live_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph cg_bench_fanout >/dev/null
CG=${CODEGRAPH_BIN:-$PWD/build/release/cli/codegraph}  # CODEGRAPH_BIN: another build, for a paired run
work=$(mktemp -d /tmp/codegraph-live-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); fd limit $(ulimit -n)"
cp -r /usr/lib/python3.11 "$work/stdlib"
"$CG" --data-dir "$work/data" --json token create --role writer > "$work/token.json"
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/token.json")
CODEGRAPH_SERVER_RATE_PER_KEY=0 CODEGRAPH_SERVER_RATE_PER_IP=0 CODEGRAPH_SERVER_CACHE_BYTES=0 \
CODEGRAPH_SERVER_MAX_CONNECTIONS=100000 \
  "$CG" --data-dir "$work/data" --log-level warn serve --listen 127.0.0.1:0 --port-file "$work/port" \
  --project-root "python=$work/stdlib" > "$work/serve.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 600); do [ -s "$work/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$work/port")
for _ in $(seq 1 1200); do
  # Done and its search index built (the summary's vectors.synced): the phases measure
  # a server at rest, not one still embedding and building HNSW on both cores.
  curl -sf -H "Authorization: Bearer $token" "$base/api/v1/tasks/1" | grep -q '"synced":true' && break; sleep 0.5
done
# After the sync the ANN (HNSW) index is still built in the background for a few
# seconds on both cores: wait until the server's CPU time stops growing (under 5% of a
# core over a second, twice running), so that saves are measured at rest.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
quiet=0
for _ in $(seq 1 240); do
  t0=$(cpu_ticks); sleep 1; t1=$(cpu_ticks)
  if [ $((t1 - t0)) -lt 5 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  [ $quiet -ge 2 ] && break
done
echo "indexed: $(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/projects/python/stats" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["nodes"]["total"], "nodes")')"
phases=${PHASES:-watch,query,fanout}
if [[ $phases == *watch* || $phases == *query* ]]; then
  PHASES=$phases node bench/live_bench.mjs "$base" "$token" "$work/stdlib" "$server"
fi
if [[ $phases == *fanout* ]]; then
  ./build/release/bench/cg_bench_fanout 127.0.0.1 "$(cat "$work/port")" "$token" python "$server" \
    "${CONNECTIONS:-10000}" "${RATE:-10}" "${DURATION:-10}"
fi
