#!/usr/bin/env python3
"""Review oracle: the changed Python definitions of `codegraph review` against an
independent computation with Python's `ast` and `git diff`, with no hand-written
expectations.

The history is real code edited by a seeded script: the standard library's json,
email and http packages (Debian's python3.11) are committed, then each commit edits
a few files the way people do: a function body changes, a function is renamed, one
is deleted, one is added at the end of a module, comment lines push everything down.
Every commit is indexed with `codegraph index --git`.

For a range BASE..TARGET the oracle's changed definitions are the functions, methods
and classes (decorators included) whose lines intersect a hunk of `git diff -U0`: at
the target side for what exists there, at the base side for what went away. Ours are
the review's changed definitions of those kinds (added, removed, modified, renamed:
both names). Precision and recall are over every range; the test fails under --min.

Usage: oracle.py --bin build/release/cli/codegraph [--min 0.98] [--commits 12] [--json]
"""
import argparse
import ast
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

PACKAGES = ["json", "email", "http"]
STDLIB = "/usr/lib/python3.11"


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def definitions(source):
    """(local qualified name, first line with decorators, last line) of every def and class."""
    out = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                start = min([d.lineno for d in child.decorator_list] + [child.lineno])
                name = prefix + child.name
                out.append((name, start, child.end_lineno))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    try:
        visit(ast.parse(source), "")
    except SyntaxError:
        pass
    return out


def hunks(repo, base, target, path):
    """[(old_start, old_count, new_start, new_count)] of git diff -U0 for one file."""
    text = git(repo, "diff", "-U0", "--no-renames", base, target, "--", path)
    out = []
    for m in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", text, re.M):
        a, b, c, d = m.groups()
        out.append((int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d)))
    return out


def touched(start, end, first, count):
    if count == 0:  # a pure insertion or deletion after line `first`
        return start <= first < end
    return first <= end and start <= first + count - 1


def show(repo, rev, path):
    try:
        return git(repo, "show", "%s:%s" % (rev, path))
    except subprocess.CalledProcessError:
        return None


def oracle_changes(repo, base, target):
    changed = set()
    files = git(repo, "diff", "--name-only", "--no-renames", base, target).split()
    for path in files:
        if not path.endswith(".py"):
            continue
        old, new = show(repo, base, path), show(repo, target, path)
        old_defs = definitions(old) if old is not None else []
        new_defs = definitions(new) if new is not None else []
        new_names = {n for n, _, _ in new_defs}
        hs = hunks(repo, base, target, path)
        for name, s, e in new_defs:
            if old is None or any(touched(s, e, c, d) for _, _, c, d in hs):
                changed.add(path + ":" + name)
        for name, s, e in old_defs:
            if new is None or any(touched(s, e, a, b) for a, b, _, _ in hs):
                changed.add(path + ":" + name)  # modified (same name at the target) or gone
    return changed


def module_prefix(path):
    mod = path[:-3].replace("/", ".")
    if mod.endswith(".__init__"):
        mod = mod[: -len(".__init__")]
    return mod + "."


def local_name(sym):
    q, prefix = sym["qualifiedName"], module_prefix(sym["file"])
    return q[len(prefix):] if q.startswith(prefix) else q


KINDS = {"function", "method", "constructor", "class"}


def our_changes(binary, data, base, target):
    r = subprocess.run([binary, "review", base + ".." + target, "--json", "--data-dir", data, "--project", "o"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("review failed: " + r.stderr + r.stdout)
    out = set()
    for c in json.loads(r.stdout)["changed"]:
        if c["kind"] not in KINDS or c["change"] == "moved" or not c["file"].endswith(".py"):
            continue
        out.add(c["file"] + ":" + local_name(c))
        if c["change"] == "renamed":
            out.add(c["renamedFrom"]["file"] + ":" + local_name(c["renamedFrom"]))
    return out


def edit(rng, repo, step):
    """Edits a few files of the tree the way a commit would; returns what it did."""
    py = sorted(os.path.relpath(os.path.join(d, f), repo) for d, _, fs in os.walk(repo) if ".git" not in d
                for f in fs if f.endswith(".py"))
    done = []
    for path in rng.sample(py, rng.randint(1, 3)):
        full = os.path.join(repo, path)
        lines = open(full, encoding="utf-8").read().split("\n")
        tree = ast.parse("\n".join(lines))
        funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.body and n.body[0].lineno > n.lineno]
        top = [n for n in tree.body]
        what = rng.choice(["body", "body", "rename", "delete", "add", "comments"])
        if (what in ("body", "rename", "delete") and not funcs) or (what == "comments" and not top):
            what = "add"
        if what == "body":
            f = rng.choice(funcs)
            first = f.body[0]
            # After the docstring, so the statement stays inside the function.
            at = first.end_lineno if isinstance(first, ast.Expr) and isinstance(
                getattr(first, "value", None), ast.Constant) and len(f.body) > 1 else first.lineno - 1
            target = f.body[1] if at == first.end_lineno else first
            indent = " " * target.col_offset
            lines.insert(at, "%s_edit_%d = %d" % (indent, step, rng.randint(0, 99)))
        elif what == "rename":
            f = rng.choice(funcs)
            i = f.lineno - 1
            lines[i] = re.sub(r"\bdef %s\b" % re.escape(f.name), "def %s_v%d" % (f.name, step), lines[i], count=1)
        elif what == "delete":
            f = rng.choice(funcs)
            start = min([d.lineno for d in f.decorator_list] + [f.lineno])
            if f.col_offset == 0:
                del lines[start - 1:f.end_lineno]
            else:  # a method: keep the class valid
                indent = " " * f.col_offset
                lines[start - 1:f.end_lineno] = [indent + "pass"]
        elif what == "add":
            lines += ["", "", "def added_%d(value):" % step, "    return value", ""]
        else:
            stmt = rng.choice(top)
            start = min([d.lineno for d in getattr(stmt, "decorator_list", [])] + [stmt.lineno])
            lines[start - 1:start - 1] = ["# note %d" % step, "# more %d" % step]
        open(full, "w", encoding="utf-8").write("\n".join(lines))
        done.append("%s %s" % (what, path))
    return done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--min", type=float, default=0.0)
    ap.add_argument("--commits", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repo", help="an existing repository: its last --commits first-parent commits, not edits")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="review-oracle-")
    try:
        repo, data = os.path.join(work, "repo"), os.path.join(work, "data")
        if args.repo:
            repo = os.path.abspath(args.repo)
            shas = git(repo, "rev-list", "--first-parent", "--reverse", "-n", str(args.commits + 1), "HEAD").split()
            args.commits = len(shas) - 1
        else:
            os.makedirs(repo)
            git(repo, "init", "-q", "-b", "main")
            for p in PACKAGES:
                shutil.copytree(os.path.join(STDLIB, p), os.path.join(repo, p),
                                ignore=shutil.ignore_patterns("__pycache__"))
            shas = []
            for step in range(args.commits + 1):
                msg = "base" if step == 0 else "; ".join(edit(rng, repo, step))
                git(repo, "add", "-A")
                git(repo, "commit", "-q", "--allow-empty", "-m", msg)
                shas.append(git(repo, "rev-parse", "HEAD").strip())
        r0 = subprocess.run([binary, "index", "--git", shas[0], repo, "-q", "--no-vectors", "--data-dir", data,
                             "--project", "o"], capture_output=True, text=True)
        r = subprocess.run([binary, "index", "--git", shas[0] + ".." + shas[-1], repo, "-q", "--no-vectors",
                            "--data-dir", data, "--project", "o"], capture_output=True, text=True)
        if r.returncode or r0.returncode:
            raise RuntimeError("index failed: " + r.stderr + r0.stderr)
        ranges = [(i, i + 1) for i in range(args.commits)] + [(i, i + 3) for i in range(0, args.commits - 2, 3)]
        ranges.append((0, args.commits))
        tp = fp = fn = 0
        misses = []
        for a, b in ranges:
            want = oracle_changes(repo, shas[a], shas[b])
            got = our_changes(binary, data, shas[a], shas[b])
            tp += len(want & got)
            fp += len(got - want)
            fn += len(want - got)
            for x in sorted(got - want):
                misses.append("%d..%d only ours: %s" % (a, b, x))
            for x in sorted(want - got):
                misses.append("%d..%d only the oracle's: %s" % (a, b, x))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        result = {"ranges": len(ranges), "agreed": tp, "only_ours": fp, "only_oracle": fn,
                  "precision": round(precision, 4), "recall": round(recall, 4)}
        if args.json:
            print(json.dumps(result))
        else:
            for m in misses[:30]:
                print(m)
            print("%d ranges: %d changed definitions agreed, %d only ours, %d only the oracle's; "
                  "precision %.4f, recall %.4f" % (len(ranges), tp, fp, fn, precision, recall))
        ok = precision >= args.min and recall >= args.min and tp > 0
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
