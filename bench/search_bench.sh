#!/usr/bin/env bash
# Search benchmarks (issue 3), one script so that the figures share one machine state:
#   1. retrieval quality on the CPython standard library (docstring first sentence as
#      the query, docstrings left out of the index): MRR@10 / recall@10 for BM25,
#      vector and hybrid, with and without the co-occurrence model;
#   2. hybrid search latency p50/p99 on CPython and on a synthetic project of
#      DEFINITIONS definitions (default 1,000,000);
#   3. vector indexes: VECTORS x 384 clustered synthetic vectors (default 1,000,000)
#      and the real embeddings of one project made of all the benchmark corpora
#      (CPython, Go, Rust, Java, Boost), for flat, IVF-Flat, HNSW, IVF-SQ8 and hnswlib.
# Usage: bench/search_bench.sh [quality] [latency] [vectors]   (default: all three)
set -euo pipefail
trap 'echo "search_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
./deploy/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target codegraph cg_bench_search cg_bench_vector >/dev/null
CG=$PWD/build/release/cli/codegraph
SEARCH=$PWD/build/release/bench/cg_bench_search
VECTOR=$PWD/build/release/bench/cg_bench_vector
DEFINITIONS=${DEFINITIONS:-1000000}
VECTORS=${VECTORS:-1000000}
work=$(mktemp -d /tmp/codegraph-search-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(quality latency vectors)
want() { for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

if want quality || want latency; then
  "$CG" index /usr/lib/python3.11 --data-dir "$work/py" --project python --lang python -q --json > "$work/py.json"
fi
if want quality; then
  echo; echo "== retrieval quality: CPython standard library =="
  "$SEARCH" quality "$work/py" python
fi
if want latency; then
  echo; echo "== hybrid search latency: CPython standard library =="
  "$SEARCH" latency "$work/py" python --queries 2000
fi
if want latency; then
  echo; echo "== synthetic project: $DEFINITIONS definitions =="
  python3 bench/gen_synthetic.py "$work/syn-src" --definitions "$DEFINITIONS"
  /usr/bin/time -f '%e s wall, %M KiB peak RSS' "$CG" index "$work/syn-src" --data-dir "$work/syn" --project synthetic -q --json > "$work/syn.json"
  python3 -c "
import json; v = json.load(open('$work/syn.json'))['vectors']
print(f\"search index: {v['documents']} documents, synced in {v['seconds']:.1f} s\")"
fi
if want latency; then
  echo; echo "== hybrid search latency: synthetic project =="
  "$SEARCH" latency "$work/syn" synthetic --queries 2000
fi
if want vectors; then
  echo; echo "== real embeddings: all corpora as one project =="
  mkdir -p "$work/real"
  ln -s /usr/lib/python3.11 "$work/real/python"
  ln -s /usr/share/go-1.19/src "$work/real/go"
  ln -s /usr/src/rustc-1.63.0/library "$work/real/rust"
  ln -s /usr/include/boost "$work/real/boost"
  unzip -q -o /usr/lib/jvm/openjdk-17/lib/src.zip 'java.base/*' -d "$work/real/java"
  CODEGRAPH_INDEX_FOLLOW_SYMLINKS=true /usr/bin/time -f '%e s wall, %M KiB peak RSS' \
    "$CG" index "$work/real" --data-dir "$work/real-data" --project real -q --json > "$work/real.json"
  python3 -c "
import json; v = json.load(open('$work/real.json'))['vectors']
print(f\"search index: {v['documents']} documents, synced in {v['seconds']:.1f} s\")"
  echo; echo "== vector indexes =="
  "$VECTOR" --n "$VECTORS" --dim 384 --queries 1000 --real "$work/real-data/vectors/real" --json "$work/vectors.json"
fi
