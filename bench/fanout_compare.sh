#!/usr/bin/env bash
# Subscription fan-out, ours against the reference (issue 24): `codegraph serve
# --no-auth` on a small project and bench/ref_server.mjs (graphql-js + graphql-ws +
# ws on Node, pinned in package.json), each driven by the same C++ load client
# (bench/ws_fanout.cpp: N graphql-transport-ws subscribers to nodeUpdated, updateNode
# mutations at RATE per second over HTTP, commit -> receipt delay from a stamp in each
# event) at every subscriber count in COUNTS (N or N@RATE: that count at its own rate of
# changes). Prints events/s, p50/p99 delay and server RSS for both, then the ratio of
# events/s and of p99 per count. The default rates are where the reference server is at
# its limit (it takes in about 26 changes/s at 1K subscribers, 2/s at 10K), so that the
# comparison is of what each delivers, not of what the load client offers.
# Usage: bench/fanout_compare.sh   (CODEGRAPH_BIN=path COUNTS="1000@80 10000@5" RATE=40 DURATION=10)
set -euo pipefail
trap 'echo "fanout_compare.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph cg_bench_fanout >/dev/null
CG=${CODEGRAPH_BIN:-$PWD/build/release/cli/codegraph}
CLIENT=$PWD/build/release/bench/cg_bench_fanout
work=$(mktemp -d /tmp/codegraph-fanout-compare.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); node $(node --version)"
mkdir -p "$work/src"
for i in $(seq 1 20); do printf 'def f%d(x):\n    return x + %d\n' "$i" "$i" > "$work/src/m$i.py"; done
rate=${RATE:-40}
duration=${DURATION:-10}

wait_port() { for _ in $(seq 1 600); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "no port file $1" >&2; return 1; }

run_ours() {  # $1 subscribers
  rm -rf "$work/data" "$work/port"
  CODEGRAPH_SERVER_RATE_PER_KEY=0 CODEGRAPH_SERVER_RATE_PER_IP=0 CODEGRAPH_SERVER_CACHE_BYTES=0 \
  CODEGRAPH_SERVER_MAX_CONNECTIONS=100000 CODEGRAPH_SERVER_WATCH=false \
    "$CG" --data-dir "$work/data" --log-level warn serve --no-auth --listen 127.0.0.1:0 --port-file "$work/port" \
    --project-root "small=$work/src" > "$work/ours.log" 2>&1 &
  pid=$!
  wait_port "$work/port"
  local port; port=$(cat "$work/port")
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/api/v1/tasks/1" | grep -q '"state":"done"' && break; sleep 0.1; done
  "$CLIENT" 127.0.0.1 "$port" none small "$pid" "$1" "$rate" "$duration" | tee "$work/ours-$1.out"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

run_ref() {  # $1 subscribers
  rm -f "$work/refport"
  node bench/ref_server.mjs "$work/refport" > "$work/ref.log" 2>&1 &
  pid=$!
  wait_port "$work/refport"
  "$CLIENT" 127.0.0.1 "$(cat "$work/refport")" none small "$pid" "$1" "$rate" "$duration" | tee "$work/ref-$1.out"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

for spec in ${COUNTS:-1000@80 10000@5}; do
  n=${spec%@*}
  rate=${RATE:-40}
  if [ "$spec" != "$n" ]; then rate=${spec#*@}; fi
  echo "== $n subscribers, $rate changes/s for ${duration} s: codegraph"
  run_ours "$n"
  echo "== $n subscribers, $rate changes/s for ${duration} s: graphql-ws $(node -p 'require("./node_modules/graphql-ws/package.json").version') + ws on Node"
  run_ref "$n"
  python3 - "$work/ours-$n.out" "$work/ref-$n.out" "$n" <<'EOF'
import json, sys
def last_json(p):
    return json.loads([l for l in open(p) if l.startswith('{')][-1])
o, r, n = last_json(sys.argv[1]), last_json(sys.argv[2]), sys.argv[3]
ratio = o['events_per_s'] / max(r['events_per_s'], 1)
print(f"compare {n} subscribers: codegraph {o['events_per_s']:.0f} events/s p50 {o['p50_ms']:.1f} ms p99 {o['p99_ms']:.1f} ms "
      f"({o['events_delivered']}/{o['events_expected']}, RSS {o['server_rss_mb']:.0f} MiB); reference {r['events_per_s']:.0f} events/s p50 {r['p50_ms']:.1f} ms "
      f"p99 {r['p99_ms']:.1f} ms ({r['events_delivered']}/{r['events_expected']}, RSS {r['server_rss_mb']:.0f} MiB); ratio {ratio:.2f}x events/s (aim >= 2.5x), "
      f"p99 {o['p99_ms']:.1f} vs {r['p99_ms']:.1f} ms (aim: equal or lower)")
EOF
done
