#!/usr/bin/env bash
# Versions on a real history (issue 20). Indexes the last N first-parent commits of a
# git repository one by one with `index --git` (no checkout), into a store with
# versions on and into one with them off ([index] versions = false), and prints in
# one run:
#   - store size with every version against the store without (one full index; aim <= 3x)
#   - time per commit with versions against without (aim <= 2x)
#   - time-travel read latency at the oldest version (node by id p99 <= 2 ms,
#     callers depth 1 p99 <= 5 ms), and search at that version (the state's build on
#     first use, then warm queries beside the same over the newest state), from
#     cg_bench_versions
# Usage: REPO=/path/to/repo(.git) N=200 bench/versions_bench.sh
#        (default REPO: a mirror of pallets/click fetched to /work/.mirror)
set -euo pipefail
trap 'echo "versions_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
REPO=${REPO:-/work/.mirror/pallets+click/repo}
N=${N:-200}
[ -d "$REPO" ] || { echo "versions_bench.sh: no repository at $REPO (set REPO)" >&2; exit 1; }
cmake --build --preset release --target codegraph cg_bench_versions >/dev/null
CG=$PWD/build/release/cli/codegraph
Q=$PWD/build/release/bench/cg_bench_versions
work=$(mktemp -d /tmp/codegraph-versions.XXXXXX)
trap 'rm -rf "$work"' EXIT
git_dir=$(git -C "$REPO" rev-parse --absolute-git-dir 2>/dev/null || echo "$REPO")
mapfile -t commits < <(git --git-dir="$git_dir" rev-list --first-parent --reverse -n "$N" HEAD)
echo "machine: $(nproc) cores; repository $REPO: ${#commits[@]} commits, $(git --git-dir="$git_dir" log -1 --format=%cs "${commits[0]}") to $(git --git-dir="$git_dir" log -1 --format=%cs "${commits[-1]}")"

now() { date +%s.%N; }
on_total=0; off_total=0; on_first=0; off_first=0; changed_files=0
for i in "${!commits[@]}"; do
  c=${commits[$i]}
  if [ "$i" -gt 0 ]; then
    changed_files=$((changed_files + $(git --git-dir="$git_dir" diff --name-only "${commits[$((i - 1))]}" "$c" | wc -l)))
  fi
  # Each commit read straight from the object database (index --git), into a store
  # that keeps versions and one that does not.
  t0=$(now)
  CODEGRAPH_INDEX_VERSIONS=true "$CG" index --git "$c" "$git_dir" --data-dir "$work/on" --project hist --no-vectors -q
  t1=$(now)
  CODEGRAPH_INDEX_VERSIONS=false "$CG" index --git "$c" "$git_dir" --data-dir "$work/off" --project hist --no-vectors -q
  t2=$(now)
  on=$(echo "$t1 - $t0" | bc); off=$(echo "$t2 - $t1" | bc)
  if [ "$i" -eq 0 ]; then on_first=$on; off_first=$off; else
    on_total=$(echo "$on_total + $on" | bc); off_total=$(echo "$off_total + $off" | bc); fi
  printf '\r  commit %d/%d' "$((i + 1))" "${#commits[@]}" >&2
done
echo >&2
versions=$("$CG" versions --data-dir "$work/on" --project hist --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["versions"]))')
# The data: table files and the write-ahead log (not RocksDB's info logs and options).
data_bytes() { find "$1" -maxdepth 1 \( -name '*.sst' -o -name '*.log' -o -name 'MANIFEST-*' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
on_bytes=$(data_bytes "$work/on"); off_bytes=$(data_bytes "$work/off")
later=$(( ${#commits[@]} - 1 ))
python3 - "$on_bytes" "$off_bytes" "$on_total" "$off_total" "$later" "$changed_files" "$versions" "$on_first" "$off_first" <<'PY'
import sys
on_b, off_b, on_t, off_t, later, files, versions, on_first, off_first = sys.argv[1:]
on_b, off_b, on_t, off_t, later, files = int(on_b), int(off_b), float(on_t), float(off_t), int(later), int(files)
print(f"versions committed: {versions} (commits that changed no indexed file commit none)")
print(f"store: {on_b/2**20:.1f} MiB with every version, {off_b/2**20:.1f} MiB without: {on_b/off_b:.2f}x (aim <= 3x)")
print(f"first commit (a full index): {float(on_first):.2f} s with versions, {float(off_first):.2f} s without")
if later:
    print(f"later commits: {on_t/later*1000:.0f} ms per commit with versions, {off_t/later*1000:.0f} ms without "
          f"(the same incremental run): {on_t/off_t:.2f}x (aim <= 2x); {files/later:.1f} files changed per commit")
PY
"$Q" "$work/on" hist 1 3000
