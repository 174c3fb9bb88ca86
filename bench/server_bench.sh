#!/usr/bin/env bash
# Server benchmark (issue 4): wrk against `codegraph serve` on the indexed CPython
# standard library, with nginx serving a static JSON file of the same size on the
# same machine in the same run as the reference.
#   1. GET node-by-id: req/s and p50/p99, ours and nginx's, and the ratio
#      (target: ours >= 0.5 of nginx).
#   2. GET search (hybrid, balanced, distinct queries, result cache off): req/s and
#      p50/p99 at 50 connections (target: p99 <= 20 ms).
# Usage: bench/server_bench.sh   (DURATION=10 seconds per run, CONNECTIONS=50)
set -euo pipefail
trap 'echo "server_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph >/dev/null
CG=$PWD/build/release/cli/codegraph
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
work=$(mktemp -d /tmp/codegraph-server-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

"$CG" index /usr/lib/python3.11 --data-dir "$work/data" --project python --lang python -q --json > /dev/null
token=$("$CG" --data-dir "$work/data" --json token create --role reader | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
CODEGRAPH_SERVER_RATE_PER_KEY=0 CODEGRAPH_SERVER_RATE_PER_IP=0 CODEGRAPH_SERVER_CACHE_BYTES=0 \
  "$CG" --data-dir "$work/data" --log-level warn serve --listen 127.0.0.1:0 --port-file "$work/port" > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
base=http://127.0.0.1:$port
for _ in $(seq 1 600); do curl -sf "$base/health/ready" > /dev/null && break; sleep 0.2; done

# A function node of json.decoder, and its answer as the static file nginx serves.
id=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/projects/python/nodes?name=decode&kind=method&limit=5" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["nodes"][0]["id"])')
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"  # nginx workers run as an unprivileged user
curl -sf -H "Authorization: Bearer $token" "$base/api/v1/projects/python/nodes/$id" > "$work/www/node.json"
size=$(stat -c %s "$work/www/node.json")
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { application/json json; }
  client_body_temp_path $work/nginx-tmp; proxy_temp_path $work/nginx-tmp; fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp; scgi_temp_path $work/nginx-tmp;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
NGINX
mkdir -p "$work/nginx-tmp"
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nport/node.json" > /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nport/node.json" > /dev/null || { echo "nginx does not serve the file:"; cat "$work/nginx-error.log"; exit 1; }

# Distinct search queries (identifiers of the standard library), one per request.
python3 - "$work/queries.lua" <<'PY'
import sys, keyword, builtins, random
words = sorted({w for w in dir(builtins) if w.isidentifier()} | set(keyword.kwlist) |
               {"parse json", "read file", "http request", "decode bytes", "thread pool", "tar archive",
                "socket connect", "format date", "regular expression", "compress data", "csv reader",
                "temporary directory", "email message", "url quote", "hash digest", "random choice"})
random.seed(7)
qs = [w.replace(" ", "%20") for w in words]
with open(sys.argv[1], "w") as f:
    f.write("local q = {" + ",".join('"%s"' % q for q in qs) + "}\n")
    f.write("local i = 0\nrequest = function()\n  i = i + 1\n")
    f.write('  return wrk.format("GET", "/api/v1/projects/python/search?k=10&q=" .. q[(i % #q) + 1] .. "&n=" .. i)\nend\n'.replace("%%", "%"))
PY

run_wrk() {  # label, url, extra args...
  local label=$1 url=$2; shift 2
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" > "$work/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  printf '%-34s %12s req/s   p50 %9s   p99 %9s\n' "$label" "$rps" "$p50" "$p99"
  echo "$rps"> "$work/last_rps"
}

echo
echo "== node by id: $size-byte JSON answer, $CONNECTIONS connections, ${DURATION}s each =="
run_wrk "nginx static file (reference)" "http://127.0.0.1:$nport/node.json"
nginx_rps=$(cat "$work/last_rps")
run_wrk "codegraph GET /nodes/{id}" "$base/api/v1/projects/python/nodes/$id" -H "Authorization: Bearer $token"
ours_rps=$(cat "$work/last_rps")
python3 -c "r=$ours_rps/$nginx_rps; print(f'ratio codegraph/nginx: {r:.2f} (target >= 0.5: {\"met\" if r >= 0.5 else \"MISSED\"})')"

echo
echo "== hybrid search, balanced, distinct queries, cache off: $CONNECTIONS connections =="
run_wrk "codegraph GET /search" "$base" -H "Authorization: Bearer $token" -s "$work/queries.lua"
p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
python3 - "$p99" <<'PY'
import sys, re
v = sys.argv[1]
m = re.match(r"([\d.]+)(us|ms|s)", v)
ms = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
print(f"search p99 {ms:.1f} ms (target <= 20 ms: {'met' if ms <= 20 else 'MISSED'})")
PY
errors=$(grep -c "Non-2xx" "$work/wrk.txt" || true)
[ "$errors" = "0" ] || { echo "non-2xx answers:"; grep "Non-2xx" "$work/wrk.txt"; }
