#!/usr/bin/env python3
"""The graph depends on the source alone: not on the project's name (node ids hash it,
so any choice that follows id or hash order shows up here), and not on the way the
index was reached (a fresh index against one grown file by file).

For each corpus slice (real code from Debian's packages), four indexes of the same
final tree are compared after normalising ids to (kind, qualified name, file, line):
  fresh, project "p"; fresh, project "hist" (both cold);
  grown: half the files first, then the rest added, then a file edited and edited back,
  each step an incremental run of one project.
Every node and every edge (kind, resolution, source, target or written name, sites)
must be equal. Before the symbol table listed its candidates in source order, 402 edge
lines of the CPython standard library differed between the names "p" and "hist".

Usage: same_graph.py --bin build/release/cli/codegraph [--keep]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

PY = "/usr/lib/python3.11"
# Files where a name is defined twice or a field shadows a method (what the order
# decided): json's JSONEncoder.default, locale's localeconv, inspect's descriptor tests.
SLICES = {
    "python": (PY, ["json", "locale.py", "inspect.py", "pydoc.py", "shutil.py", "enum.py", "functools.py",
                    "_py_abc.py", "abc.py", "calendar.py", "subprocess.py", "importlib", "collections", "os.py",
                    "posixpath.py", "genericpath.py", "types.py", "argparse.py", "_pydecimal.py"], "python"),
    "go": ("/usr/share/go-1.19/src", ["net/textproto", "net/url", "bufio", "strings", "sort", "container"], "go"),
    "rust": ("/usr/src/rustc-1.63.0/library", ["alloc/src/collections", "alloc/src/vec"], "rust"),
    "typescript": (os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "rxjs", "src"),
                   ["internal/operators", "internal/observable", "internal/util"], "typescript"),
}


def run(bin_, *args):
    r = subprocess.run([bin_, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"codegraph {' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout


def copy_slice(root, parts, into):
    for part in parts:
        src = os.path.join(root, part)
        if not os.path.exists(src):
            sys.exit(f"corpus missing: {src} (deploy/install-deps.sh installs it)")
        dst = os.path.join(into, part)
        if os.path.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("test", "tests", "testdata", "__pycache__"))
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(src, dst)


def normalised(bin_, data, project):
    nodes, edges = {}, []
    for line in run(bin_, "--data-dir", data, "--project", project, "export").splitlines():
        o = json.loads(line)
        if o.get("type") == "node":
            nodes[o["id"]] = f'{o["kind"]}:{o["qualified_name"]}@{o["file"]}:{o["line"]}'
        elif o.get("type") == "edge":
            edges.append(o)
    out = set(f"node\t{n}" for n in nodes.values())
    for e in edges:
        source = nodes.get(e["source"], "?")
        target = nodes.get(e.get("target")) or "~" + str(e.get("target_name") or e.get("name") or "")
        sites = ",".join(f'{s["line"]}:{s["column"]}' for s in e.get("sites", []))
        out.add(f'{e["kind"]}\t{e.get("resolution")}\t{source}\t{target}\t{sites}')
    return out


def index(bin_, data, project, tree, lang):
    run(bin_, "--data-dir", data, "--project", project, "index", tree, "--no-vectors", "--lang", lang, "-q")


def files_under(tree):
    out = []
    for d, _, fs in os.walk(tree):
        out += [os.path.join(d, f) for f in fs]
    return sorted(out)


def check(bin_, work, name, root, parts, lang):
    tree = os.path.join(work, name, "src")
    copy_slice(root, parts, tree)
    graphs = {}
    for project in ("p", "hist"):
        data = os.path.join(work, name, "fresh-" + project)
        index(bin_, data, project, tree, lang)
        graphs["fresh " + project] = normalised(bin_, data, project)

    # Grown: every other file held back, then added; one file edited, then restored.
    grown_tree = os.path.join(work, name, "grown")
    shutil.copytree(tree, grown_tree)
    held = files_under(grown_tree)[1::2]
    stash = {f: open(f, "rb").read() for f in held}
    for f in held:
        os.remove(f)
    data = os.path.join(work, name, "grown-data")
    index(bin_, data, "g", grown_tree, lang)
    for f, body in stash.items():
        with open(f, "wb") as out:
            out.write(body)
    index(bin_, data, "g", grown_tree, lang)
    edited = held[len(held) // 2]
    original = stash[edited]
    with open(edited, "wb") as out:
        out.write(original.replace(b"\n", b"\n\n", 3))
    index(bin_, data, "g", grown_tree, lang)
    with open(edited, "wb") as out:
        out.write(original)
    index(bin_, data, "g", grown_tree, lang)
    graphs["grown"] = normalised(bin_, data, "g")

    base = graphs["fresh p"]
    ok = True
    for label, g in graphs.items():
        if g == base:
            continue
        ok = False
        only_base, only_this = sorted(base - g), sorted(g - base)
        print(f"{name}: 'fresh p' and '{label}' differ: {len(only_base)} lines only in the first, "
              f"{len(only_this)} only in the second")
        for line in only_base[:10]:
            print("  - " + line)
        for line in only_this[:10]:
            print("  + " + line)
    edges = sum(1 for x in base if not x.startswith("node\t"))
    print(f"{name}: {len(files_under(tree))} files, {len(base) - edges} nodes, {edges} edges: "
          f"{'equal' if ok else 'NOT equal'} across {', '.join(graphs)}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("slices", nargs="*", default=list(SLICES))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cg-same-graph-")
    try:
        results = [check(a.bin, work, s, *SLICES[s]) for s in a.slices]
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
