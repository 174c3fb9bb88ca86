#!/usr/bin/env bash
# Instructions per request of `codegraph serve` under callgrind (stable where wall-clock
# figures on this VM are not): node by id (2,000 GETs on one keep-alive connection) or
# hybrid search (300 distinct GET searches), after a warm-up, on the indexed CPython
# standard library. Prints the total divided by the request count and our 25 costliest
# functions (inclusive). Only the network threads are counted (--toggle-collect): GET
# node and GET search answer there, and RocksDB's background compactions (busy after a
# fresh index) stay out. The callgrind file is kept for callgrind_annotate.
# Usage: bench/profile_server.sh node|search [OUT_DIR]
set -euo pipefail
trap 'echo "profile_server.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
what=${1:?usage: bench/profile_server.sh node|search [OUT_DIR]}
[[ $what == node || $what == search ]] || { echo "node or search, not $what" >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cmake --preset release > /dev/null
cmake --build --preset release --target codegraph > /dev/null
CG=$PWD/build/release/cli/codegraph
out=${2:-$(mktemp -d /tmp/codegraph-profile.XXXXXX)}
mkdir -p "$out"
data=$out/data
[ -d "$data" ] || "$CG" index /usr/lib/python3.11 --data-dir "$data" --project python --lang python -q --json > /dev/null
token=$("$CG" --data-dir "$data" --json token create --role reader | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
rm -f "$out/port" "$out"/callgrind.out.*
CODEGRAPH_SERVER_RATE_PER_KEY=0 CODEGRAPH_SERVER_RATE_PER_IP=0 CODEGRAPH_SERVER_CACHE_BYTES=0 \
  valgrind --tool=callgrind --separate-threads=no --callgrind-out-file="$out/callgrind.out.%p" \
  --toggle-collect='std::thread::_State_impl<*cg::net::server::start*>::_M_run()' \
  "$CG" --data-dir "$data" --log-level warn serve --listen 127.0.0.1:0 --port-file "$out/port" > "$out/serve.log" 2>&1 &
vp=$!
trap 'kill $vp 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -s "$out/port" ] && break; sleep 0.2; done
port=$(cat "$out/port")
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 0.5; done
# One client, keep-alive; phase "warm" before the counters are zeroed, "count" after.
client() {
  python3 - "$port" "$token" "$what" "$1" <<'PY'
import sys, http.client, json, keyword, builtins
port, tok, what, phase = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
h = {"Authorization": "Bearer " + tok}
c = http.client.HTTPConnection("127.0.0.1", int(port))
def get(path):
    c.request("GET", path, headers=h)
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status, body[:200])
    return body
if what == "node":
    nid = json.loads(get("/api/v1/projects/python/nodes?name=decode&kind=method&limit=5"))["nodes"][0]["id"]
    for _ in range(50 if phase == "warm" else 2000):
        get(f"/api/v1/projects/python/nodes/{nid}")
else:
    words = sorted({w for w in dir(builtins) if w.isidentifier()} | set(keyword.kwlist))
    qs = words[:20] if phase == "warm" else (words * 2)[:300]
    for i, w in enumerate(qs):
        get(f"/api/v1/projects/python/search?k=10&q={w}&n={i}")
PY
}
client warm
callgrind_control -z "$vp" > /dev/null
client count
callgrind_control -d "$vp" > /dev/null
kill "$vp"; wait "$vp" 2>/dev/null || true
file=$(ls "$out"/callgrind.out.*.1 2>/dev/null | head -1)
[ -n "$file" ] || { echo "no callgrind dump in $out" >&2; exit 1; }
requests=$([ "$what" = node ] && echo 2000 || echo 300)
total=$(awk '/^summary:/ {print $2}' "$file")
[ -n "$total" ] || total=$(awk '/^totals:/ {print $2}' "$file")
echo "$what: $total instructions for $requests requests: $((total / requests)) per request (network threads)"
callgrind_annotate --inclusive=yes "$file" 2> /dev/null | grep -E '^ *[0-9,]+ .*cg::' | grep -v '_M_run\|lambda()' |
  head -25 | cut -c1-160 || true
echo "callgrind file: $file"
