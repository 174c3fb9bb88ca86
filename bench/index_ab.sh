#!/usr/bin/env bash
# Two codegraph binaries compared on cold indexes of one corpus, run in turn (A, B, A,
# B, ...), so that a noisy machine slows both alike: each run's wall and CPU (user+sys)
# seconds, the medians, and in how many pairs B was faster.
# Usage: bench/index_ab.sh OLD_BINARY NEW_BINARY [PAIRS] [-- extra index flags]
#   e.g. bench/index_ab.sh /tmp/codegraph-old build/release/cli/codegraph 6 -- --no-vectors
# An old binary: git worktree add /tmp/old <commit> && cmake --preset release there, or
# `git checkout OLD -- actors net storage cli && cmake --build --preset release
# --target codegraph`, copy the binary, and check HEAD out again.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,9p "$0"; exit 1; }
A=$(readlink -f "$1"); B=$(readlink -f "$2"); shift 2
PAIRS=6
if [ $# -gt 0 ] && [ "$1" != "--" ]; then PAIRS=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
source bench/corpora.sh
root=$(corpus_root python)
work=$(mktemp -d /tmp/codegraph-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$root" "$work/src"
for i in $(seq "$PAIRS"); do
  for side in A B; do
    bin=$A; [ $side = B ] && bin=$B
    rm -rf "$work/data"
    /usr/bin/time -f '%e %U %S' -o "$work/t" "$bin" index "$work/src" --data-dir "$work/data" --project p \
      --lang python --json -q "$@" > /dev/null
    read -r wall user sys < "$work/t"
    echo "$i $side $wall $user $sys"
  done
done | python3 -c "
import sys, statistics
runs = {'A': [], 'B': []}
for line in sys.stdin:
    i, side, wall, user, sys_ = line.split()
    runs[side].append((float(wall), float(user) + float(sys_)))
    print(f'pair {i} {side}: wall {float(wall):.2f} s, cpu {float(user) + float(sys_):.2f} s', flush=True)
for side, name in (('A', '$A'), ('B', '$B')):
    w = [r[0] for r in runs[side]]; c = [r[1] for r in runs[side]]
    print(f'{side} {name}: wall median {statistics.median(w):.2f} s ({min(w):.2f}-{max(w):.2f}), cpu median {statistics.median(c):.2f} s')
wins = sum(1 for a, b in zip(runs['A'], runs['B']) if b[0] < a[0])
cwins = sum(1 for a, b in zip(runs['A'], runs['B']) if b[1] < a[1])
print(f'B faster in {wins} of {len(runs[\"A\"])} pairs (wall), {cwins} of {len(runs[\"A\"])} (cpu)')
"
