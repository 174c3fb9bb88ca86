#!/usr/bin/env bash
# Review impact on a real history (issue 21). Indexes the last N+1 first-parent
# commits of a git repository (index --git, no checkout), then times `codegraph review`
# for ranges of 1, 10 and 100 commits ending at the newest (each a fresh process that
# opens the store, as a CI job would; median and max of RUNS runs) and prints what each
# report holds.
# Usage: REPO=/path/to/repo(.git) N=100 RUNS=5 bench/review_bench.sh
#        (default REPO: a mirror of pallets/click fetched to /work/.mirror)
set -euo pipefail
trap 'echo "review_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
REPO=${REPO:-/work/.mirror/pallets+click/repo}
N=${N:-100}
RUNS=${RUNS:-5}
[ -d "$REPO" ] || { echo "review_bench.sh: no repository at $REPO (set REPO)" >&2; exit 1; }
cmake --build --preset release --target codegraph >/dev/null
CG=$PWD/build/release/cli/codegraph
work=$(mktemp -d /tmp/codegraph-review.XXXXXX)
trap 'rm -rf "$work"' EXIT
git_dir=$(git -C "$REPO" rev-parse --absolute-git-dir 2>/dev/null || echo "$REPO")
mapfile -t commits < <(git --git-dir="$git_dir" rev-list --first-parent --reverse -n "$((N + 1))" HEAD)
echo "machine: $(nproc) cores; repository $REPO: ${#commits[@]} commits, $(git --git-dir="$git_dir" log -1 --format=%cs "${commits[0]}") to $(git --git-dir="$git_dir" log -1 --format=%cs "${commits[-1]}")"
"$CG" index --git "${commits[0]}" "$git_dir" --data-dir "$work/d" --project hist --no-vectors -q
"$CG" index --git "${commits[0]}..${commits[-1]}" "$git_dir" --data-dir "$work/d" --project hist --no-vectors -q
python3 - "$CG" "$work/d" "$RUNS" "$N" "${commits[@]}" <<'PY'
import json, statistics, subprocess, sys, time
cg, data, runs, n, commits = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
print(f"{'range':>12} {'median ms':>10} {'max ms':>8} {'changed':>8} {'files':>6} {'radius':>7} {'tests':>6} {'risk':>5}")
for k in (1, 10, 100):
    if k > n:
        continue
    rng = commits[-1 - k][:12] + ".." + commits[-1][:12]
    times, report = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([cg, "review", rng, "--json", "--data-dir", data, "--project", "hist"],
                           capture_output=True, text=True)
        times.append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0:
            sys.exit("review failed: " + r.stderr)
        report = json.loads(r.stdout)
    t = report["totals"]
    print(f"{str(k) + ' commits':>12} {statistics.median(times):>10.1f} {max(times):>8.1f} {t['changed']:>8} "
          f"{t['changedFiles']:>6} {t['radius']:>7} {t['tests']:>6} {report['risk']['score']:>5}")
PY
