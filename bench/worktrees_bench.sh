#!/usr/bin/env bash
# Worktrees as layers (issue 20: "indexing a second branch or worktree stores only its
# differences"). A repository's main line is indexed as versions (the last N commits,
# `index --git`), then four work trees of it are each indexed with `index PATH --over
# hist`: two feature branches forked at different points with commits of their own
# and an uncommitted edit, an older checkout of main, and main's tip with uncommitted
# edits. Prints per work tree, in one run: the layer's own keys and their bytes
# (uncompressed), and the same work tree indexed alone into a store of its own (what a
# tool with one index per worktree keeps): that store's size on disk (compressed), the
# ratio, and both times; then read latency through the largest layer beside the same
# reads of the project under it (cg_bench_layers). (The data directory's growth is not
# a measure here: the close's flush and compactions of the versions' log move it by
# more than a layer.)
# Usage: REPO=/path/to/repo(.git) N=50 bench/worktrees_bench.sh
#        (default REPO: a mirror of pallets/click fetched to /work/.mirror)
set -euo pipefail
trap 'echo "worktrees_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
REPO=${REPO:-/work/.mirror/pallets+click/repo}
N=${N:-50}
[ -d "$REPO" ] || { echo "worktrees_bench.sh: no repository at $REPO (set REPO)" >&2; exit 1; }
cmake --build --preset release --target codegraph cg_bench_layers >/dev/null
CG=$PWD/build/release/cli/codegraph
Q=$PWD/build/release/bench/cg_bench_layers
work=$(mktemp -d /tmp/codegraph-worktrees.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$REPO" "$work/repo"
repo=$work/repo
g() { git -C "$1" -c user.name=Bench -c user.email=bench@example.org "${@:2}"; }
main=$(g "$repo" rev-parse --abbrev-ref HEAD)
echo "machine: $(nproc) cores; repository $REPO ($main), the last $N commits of $main indexed as versions"
data=$work/data
"$CG" index --git "$main~$N" "$repo" --data-dir "$data" --project hist --no-vectors -q
"$CG" index --git "$main~$N..$main" "$repo" --data-dir "$data" --project hist --no-vectors -q
data_bytes() { find "$1" -maxdepth 1 \( -name '*.sst' -o -name '*.log' -o -name 'MANIFEST-*' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
now() { date +%s.%N; }

# Deterministic edits: a new function appended to each of the first K Python files of
# the tree (sorted), which each then calls one of the file's own definitions.
edit_files() {  # tree count tag
  local tree=$1 count=$2 tag=$3 i=0
  while IFS= read -r f; do
    [ "$i" -ge "$count" ] && break
    printf '\n\ndef wt_%s_%d(*args):\n    return len(args)\n' "$tag" "$i" >> "$tree/$f"
    i=$((i + 1))
  done < <(cd "$tree" && git ls-files '*.py' | sort)
}

g "$repo" worktree add -q -b feat-a "$work/feat-a" "$main~10"
edit_files "$work/feat-a" 3 a; g "$work/feat-a" commit -qam 'feature a'; edit_files "$work/feat-a" 1 a2
g "$repo" worktree add -q -b feat-b "$work/feat-b" "$main~$((N * 4 / 5))"
edit_files "$work/feat-b" 8 b; g "$work/feat-b" commit -qam 'feature b'
g "$repo" worktree add -q --detach "$work/old" "$main~$((N / 2))"
g "$repo" worktree add -q --detach "$work/tip" "$main"
edit_files "$work/tip" 2 t

printf '\n%-8s %-28s %6s %10s | %10s %7s | %8s %8s\n' worktree "lies over" keys "layer" "alone" ratio "t layer" "t alone"
total_layers=0; total_alone=0
for wt in feat-a feat-b old tip; do
  t0=$(now)
  out=$("$CG" index "$work/$wt" --over hist --project "$wt" --data-dir "$data" --no-vectors --json)
  t1=$(now)
  "$CG" index "$work/$wt" --project hist --data-dir "$work/alone-$wt" --no-vectors -q
  t2=$(now)
  alone=$(data_bytes "$work/alone-$wt")
  bytes=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layer"]["bytes"])')
  total_layers=$((total_layers + bytes)); total_alone=$((total_alone + alone))
  echo "$out" | python3 -c '
import json, sys
j = json.load(sys.stdin); l = j["layer"]
wt, alone, tl, ta = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
over = "v%d %s%s" % (l["version"], l["commit"][:8], " (HEAD)" if l["commit"] == l["head"] else " (its ancestor)")
print("%-8s %-28s %6d %7.1fKiB | %7.1fKiB %6.2f%% | %7.2fs %7.2fs" % (wt, over, l["keys"], l["bytes"] / 1024,
      alone / 1024, 100.0 * l["bytes"] / alone, tl, ta))
' "$wt" "$alone" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
done
python3 - "$total_layers" "$total_alone" "$(data_bytes "$data")" <<'PY'
import sys
layers, alone, store = map(int, sys.argv[1:])
print(f"\nfour layers: {layers/1024:.0f} KiB of their own; four stores of their own: {alone/2**20:.1f} MiB "
      f"({alone/max(layers,1):.0f}x); the data directory with every version and the four layers: {store/2**20:.1f} MiB")
PY
echo
# Reads through a layer (the largest) against the same reads of the project under it.
"$Q" "$data" feat-b hist 3000
