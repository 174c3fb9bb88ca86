#!/usr/bin/env python3
"""Compares two call graphs of one corpus (bench/callgraph_bench.sh): resolution per edge
kind before and after, the call resolution rate, the index time ratio, and a random sample
of call sites that resolve now and did not before, with their source lines."""
import argparse
import json
import os
import random

CALL_KINDS = ("calls", "instantiates")


def rate(resolved, unresolved):
    return resolved / (resolved + unresolved) if resolved + unresolved else 0.0


def kind_rows(stats):
    rows = {}
    for kind, e in stats["edges"]["by_kind"].items():
        total, ext, unres = e["total"], e["external"], e["unresolved"]
        rows[kind] = (total, total - ext - unres, ext, unres)
    return rows


def call_rate(rows, kinds):
    res = sum(rows[k][1] for k in kinds if k in rows)
    unres = sum(rows[k][3] for k in kinds if k in rows)
    return rate(res, unres)


def load_sites(path):
    """Per call site (source qualified name, line, column): the edges recorded there."""
    nodes, edges = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            j = json.loads(line)
            if j["type"] == "node":
                nodes[j["id"]] = j
            elif j["kind"] in CALL_KINDS:
                edges.append(j)
    sites = {}
    for e in edges:
        src = nodes.get(e["source"])
        if src is None:
            continue
        target = nodes.get(e["target"]) if e["target"] else None
        entry = (e["kind"], e["resolution"], target["qualified_name"] if target else e.get("target_name", ""))
        for s in e["sites"]:
            key = (src["qualified_name"], s["line"], s["column"])
            sites.setdefault(key, {"file": src["file"], "edges": []})["edges"].append(entry)
    return sites


def resolved(entry):
    return entry[1] not in ("unresolved", "external")


def source_line(root, file, line):
    path = file if os.path.isabs(file) else os.path.join(root, file)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for i, text in enumerate(f, 1):
                if i == line:
                    return text.strip()[:140]
    except OSError:
        pass
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--base-seconds", type=float, required=True)
    ap.add_argument("--head-seconds", type=float, required=True)
    ap.add_argument("base_stats")
    ap.add_argument("head_stats")
    ap.add_argument("base_export")
    ap.add_argument("head_export")
    a = ap.parse_args()
    with open(a.base_stats) as f:
        base = kind_rows(json.load(f))
    with open(a.head_stats) as f:
        head = kind_rows(json.load(f))

    print(f"\n== {a.corpus} ({a.root})")
    print(f"{'kind':<14}{'edges':>9}{'resolved':>10}{'external':>10}{'unresolved':>11}{'rate':>8}   "
          f"{'edges':>9}{'resolved':>10}{'external':>10}{'unresolved':>11}{'rate':>8}")
    print(f"{'':<14}{'--- base':<48}   {'--- head':<48}")
    for kind in sorted(set(base) | set(head)):
        b = base.get(kind, (0, 0, 0, 0))
        h = head.get(kind, (0, 0, 0, 0))
        fmt = lambda r: f"{r[0]:>9}{r[1]:>10}{r[2]:>10}{r[3]:>11}{rate(r[1], r[3]):>8.1%}"
        print(f"{kind:<14}{fmt(b)}   {fmt(h)}")
    b_calls, h_calls = call_rate(base, ("calls",)), call_rate(head, ("calls",))
    b_all, h_all = call_rate(base, CALL_KINDS), call_rate(head, CALL_KINDS)
    print(f"call resolution (resolved / (resolved + unresolved)), calls only: {b_calls:.1%} -> {h_calls:.1%}")
    print(f"call resolution, calls + instantiates:                          {b_all:.1%} -> {h_all:.1%}")
    # A call that now instantiates (Go T{}, Rust S {..}, a class without a constructor)
    # moved from calls to instantiates: calls are compared with instantiates counted in.
    worse = [k for k in head if k in base and k != "calls" and
             rate(head[k][1], head[k][3]) < rate(base[k][1], base[k][3]) - 0.001]
    if h_all < b_all - 0.001:
        worse.insert(0, "calls + instantiates")
    print("rates that went down: " + (", ".join(worse) if worse else "none"))
    ratio = a.head_seconds / a.base_seconds if a.base_seconds else 0
    print(f"cold index (--no-vectors, median): base {a.base_seconds:.2f} s, head {a.head_seconds:.2f} s, "
          f"ratio {ratio:.3f} (aim <= 1.15)")

    if a.sample <= 0:
        return
    bs, hs = load_sites(a.base_export), load_sites(a.head_export)
    newly = []
    for key, h in hs.items():
        now = [e for e in h["edges"] if resolved(e)]
        before = bs.get(key, {"edges": []})["edges"]
        if now and not any(resolved(e) for e in before):
            newly.append((key, h["file"], now))
    print(f"call sites resolved now and not before: {len(newly)}; a random {min(a.sample, len(newly))} "
          f"(seed 19) for the hand spot-check:")
    random.Random(19).shuffle(newly)
    for (src, line, col), file, now in sorted(newly[: a.sample], key=lambda x: (x[1], x[0][1])):
        targets = ", ".join(f"{k}:{t} ({r})" for k, r, t in sorted(now))
        print(f"  {file}:{line}:{col}  in {src}\n      {source_line(a.root, file, line)}\n      -> {targets}")


if __name__ == "__main__":
    main()
