#!/usr/bin/env bash
# Call-graph resolution on real code, before and after (issue 19). In one run, for each
# corpus of bench/corpora.sh, with the BASE revision's binary and this checkout's:
#   edges per kind (resolved / external / unresolved) and the resolution rate of each,
#   the call resolution rate (calls only, and calls + instantiates: an instantiation was
#   a call to the class before instantiates edges existed), the cold index time of each
#   (median of REPEAT, --no-vectors) and its ratio, and SAMPLE call sites resolved now
#   that were not before, each with its source line, for a hand spot-check.
# Usage: bench/callgraph_bench.sh [python go rust java cpp typescript ...]  (default: all)
#        BASE=<rev> (default 218a5ec, the commit before issue 19), REPEAT=N (3), SAMPLE=N (50)
# The BASE binary is built once in a git worktree under build/ (ccache makes it cheap).
set -euo pipefail
trap 'echo "callgraph_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph >/dev/null
BASE=${BASE:-218a5ec}
REPEAT=${REPEAT:-3}
SAMPLE=${SAMPLE:-50}
HEAD_CG=$PWD/build/release/cli/codegraph
base_rev=$(git rev-parse --short "$BASE")
base_src=$PWD/build/base-$base_rev
BASE_CG=$base_src/build/release/cli/codegraph
if [ ! -x "$BASE_CG" ]; then
  echo "building the base binary ($base_rev) in $base_src ..."
  [ -d "$base_src" ] || git worktree add --detach -f "$base_src" "$base_rev" >/dev/null
  ln -sfn "$PWD/node_modules" "$base_src/node_modules"
  (cd "$base_src" && cmake --preset release -DCODEGRAPH_BUILD_TESTS=OFF >/dev/null &&
    cmake --build --preset release --target codegraph >/dev/null)
fi

work=$(mktemp -d /tmp/codegraph-cgbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
source bench/corpora.sh
corpora=("$@")
[ ${#corpora[@]} -eq 0 ] && corpora=("${all_corpora[@]}")

# index_with BIN TAG ROOT: REPEAT cold indexes; prints the median wall seconds; keeps the
# last store in $work/TAG for stats and export.
index_with() {
  local bin=$1 tag=$2 root=$3 times=()
  for ((i = 0; i < REPEAT; i++)); do
    rm -rf "$work/$tag"
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" --data-dir "$work/$tag" -q index "$root" --no-vectors >/dev/null
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((REPEAT + 1) / 2))p"
}

echo "call graph: base $base_rev vs head $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes'), $(nproc) cores, REPEAT=$REPEAT"
for name in "${corpora[@]}"; do
  root=$(corpus_root "$name")
  [ -d "$root" ] || { echo "$name: $root missing, skipped"; continue; }
  # Interleave base and head runs so that machine noise hits both alike.
  base_s=$(index_with "$BASE_CG" base "$root")
  head_s=$(index_with "$HEAD_CG" head "$root")
  for tag in base head; do
    bin=$BASE_CG
    [ $tag = head ] && bin=$HEAD_CG
    "$bin" --data-dir "$work/$tag" --json stats >"$work/$tag.stats.json"
    "$bin" --data-dir "$work/$tag" export -o "$work/$tag.ndjson" >/dev/null
  done
  python3 bench/callgraph_compare.py --corpus "$name" --root "$root" --sample "$SAMPLE" \
    --base-seconds "$base_s" --head-seconds "$head_s" \
    "$work/base.stats.json" "$work/head.stats.json" "$work/base.ndjson" "$work/head.ndjson"
  rm -rf "$work/base" "$work/head" "$work"/*.ndjson
done
