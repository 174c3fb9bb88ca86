#!/usr/bin/env python3
"""The call-graph micro-benchmark: precision and recall of call edges per category.

Each case is a folder tests/callgraph/<language>/<category>/<case>/ holding a small
program and `expected.edges`, the exact call edges a correct analysis finds, one per
line:

    calls main.py -> main.make              # module-level code calls make()
    instantiates main.make -> main.Handler  # make() builds a Handler
    possible main.py -> main.f              # a call that may go to f (one of several)

Sources are qualified names as `codegraph export` gives them (a file's code is the
file path). `calls` and `possible` lines are both calls edges: `possible` says the
analysis should report the edge with resolution kind `possible`; scoring counts it
like any call edge. Only edges between definitions of the case count: calls to the
language's runtime and to unknown code are not scored (they must stay external or
unresolved, which the golden tests check).

Usage: score.py --bin build/release/cli/codegraph [--json] [--min-precision P]
                [--min-recall R] [--case SUBSTRING] [LANGUAGE...]
Exit status 1 when a total is below a minimum.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCORED = {"calls", "instantiates"}


def cases(langs, only):
    for lang in sorted(os.listdir(HERE)):
        d = os.path.join(HERE, lang)
        if not os.path.isdir(d) or (langs and lang not in langs):
            continue
        for cat in sorted(os.listdir(d)):
            for case in sorted(os.listdir(os.path.join(d, cat))):
                path = os.path.join(d, cat, case)
                if os.path.isfile(os.path.join(path, "expected.edges")) and (not only or only in path):
                    yield lang, cat, case, path


def expected_edges(path):
    out = set()
    with open(os.path.join(path, "expected.edges")) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 4 or parts[2] != "->" or parts[0] not in ("calls", "instantiates", "possible"):
                sys.exit(f"{path}/expected.edges:{n}: expected 'calls|instantiates|possible SOURCE -> TARGET'")
            kind = "calls" if parts[0] == "possible" else parts[0]
            out.add((kind, parts[1], parts[3]))
    return out


def found_edges(binary, path, work, lang):
    src = os.path.join(work, "src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(path, src, ignore=shutil.ignore_patterns("expected.edges"))
    data = os.path.join(work, "data")
    shutil.rmtree(data, ignore_errors=True)
    run = lambda *a: subprocess.run([binary, *a, "--data-dir", data, "--project", "case"], check=True,
                                    capture_output=True, text=True).stdout
    run("index", src, "--no-vectors", "-q")
    rows = [json.loads(l) for l in run("export").splitlines() if l.strip()]
    names = {r["id"]: r["qualified_name"] for r in rows if r["type"] == "node"}
    out = set()
    for r in rows:
        if r["type"] != "edge" or r["kind"] not in SCORED:
            continue
        if r["source"] in names and r["target"] in names:
            out.add((r["kind"], names[r["source"]], names[r["target"]]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min-precision", type=float, default=0.0)
    ap.add_argument("--min-recall", type=float, default=0.0)
    ap.add_argument("--case", default="")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each wrong or missing edge")
    ap.add_argument("languages", nargs="*")
    args = ap.parse_args()
    per = collections.defaultdict(lambda: [0, 0, 0])  # (lang, cat) -> tp, fp, fn
    details = []
    with tempfile.TemporaryDirectory(prefix="cg-callgraph-") as work:
        for lang, cat, case, path in cases(args.languages, args.case):
            want = expected_edges(path)
            got = found_edges(args.bin, path, work, lang)
            tp, fp, fn = len(want & got), len(got - want), len(want - got)
            for key in ((lang, cat), (lang, "total")):
                per[key][0] += tp
                per[key][1] += fp
                per[key][2] += fn
            for e in sorted(got - want):
                details.append(f"  wrong   {lang}/{cat}/{case}: {e[0]} {e[1]} -> {e[2]}")
            for e in sorted(want - got):
                details.append(f"  missing {lang}/{cat}/{case}: {e[0]} {e[1]} -> {e[2]}")

    def ratio(a, b):
        return a / b if b else 1.0

    table = []
    for (lang, cat), (tp, fp, fn) in sorted(per.items(), key=lambda kv: (kv[0][0], kv[0][1] == "total", kv[0][1])):
        table.append({"language": lang, "category": cat, "tp": tp, "fp": fp, "fn": fn,
                      "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)})
    failed = [t for t in table if t["category"] == "total" and
              (t["precision"] < args.min_precision or t["recall"] < args.min_recall)]
    if args.json:
        print(json.dumps({"results": table, "failed": [t["language"] for t in failed]}, indent=2))
    else:
        print(f"{'language':<11}{'category':<14}{'edges':>6}{'found':>7}{'right':>7}{'precision':>11}{'recall':>8}")
        for t in table:
            print(f"{t['language']:<11}{t['category']:<14}{t['tp'] + t['fn']:>6}{t['tp'] + t['fp']:>7}{t['tp']:>7}"
                  f"{t['precision']:>11.3f}{t['recall']:>8.3f}")
        if args.verbose and details:
            print("\n".join(details))
        for t in failed:
            print(f"{t['language']}: precision {t['precision']:.3f} (min {args.min_precision}), "
                  f"recall {t['recall']:.3f} (min {args.min_recall})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
