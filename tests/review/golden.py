#!/usr/bin/env python3
"""Golden review-impact cases: a scripted git history and, written by hand, what
`codegraph review` must report for ranges of it.

Each case is one file tests/review/cases/<name>.case holding its input and its
expected output together (the sqllogictest model):

    === commit NAME [message]      files of this commit follow, each as
    --- path/in/repo               a header line, then the whole file
    ...                            (--- path DELETED removes the file)
    === worktree                   files written to the working tree, then indexed
                                   with `codegraph index` (not committed)
    === review A..B [ARGS...]      `codegraph review` of commits A..B (B omitted: the
                                   newest state); ARGS go to the command as given
    expected lines, one per line, compared as a set:
        changed CHANGE KIND QUALIFIED_NAME [signature] [members]
        impacted DISTANCE KIND QUALIFIED_NAME [test] [possible]
        test QUALIFIED_NAME            a test definition that reaches the change
        untested QUALIFIED_NAME        a changed function no test reaches
        api CHANGE QUALIFIED_NAME USERS
        unowned FILE added|removed FIRST-LAST   changed lines no definition holds
        lines unknown                  a side's text was not at hand
        risk SCORE LEVEL
        exit CODE                      the exit status (0 when not given)

Every commit of the history is indexed with `codegraph index --git`.
Usage: golden.py --bin build/release/cli/codegraph [--case SUBSTRING] [--show]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_case(path):
    steps, cur, file = [], None, None
    for raw in open(path, encoding="utf-8").read().split("\n"):
        if raw.startswith("=== "):
            words = raw[4:].split()
            cur = {"kind": words[0], "args": words[1:], "files": {}, "expect": []}
            steps.append(cur)
            file = None
        elif raw.startswith("--- ") and cur and cur["kind"] in ("commit", "worktree"):
            words = raw[4:].split()
            file = words[0]
            cur["files"][file] = None if words[1:] == ["DELETED"] else []
        elif cur and cur["kind"] in ("commit", "worktree") and file is not None:
            if cur["files"][file] is not None:
                cur["files"][file].append(raw)
        elif cur and cur["kind"] == "review":
            line = raw.split("#")[0].strip()
            if line:
                cur["expect"].append(" ".join(line.split()))
    return steps


def git(repo, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True, env=env).stdout


def write_files(repo, files):
    for rel, lines in files.items():
        p = os.path.join(repo, rel)
        if lines is None:
            os.remove(p)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        while lines and lines[-1] == "":
            lines = lines[:-1]
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def observed(report, code):
    out = []
    for c in report["changed"]:
        words = ["changed", c["change"], c["kind"], c["qualifiedName"]]
        if c["signatureChanged"]:
            words.append("signature")
        if c["viaMembers"]:
            words.append("members")
        out.append(" ".join(words))
    for s in report["radius"]:
        words = ["impacted", str(s["distance"]), s["kind"], s["qualifiedName"]]
        if s["test"]:
            words.append("test")
        if not s["exact"]:
            words.append("possible")
        out.append(" ".join(words))
    for t in report["tests"]["reaching"]:
        out.append("test " + t["qualifiedName"])
    by_id = {c["id"]: c for c in report["changed"]}
    for i in report["tests"]["untested"]:
        out.append("untested " + by_id[i]["qualifiedName"])
    for a in report["api"]:
        out.append("api %s %s %d" % (a["change"], a["qualifiedName"], len(a["users"])))
    for u in report["unowned"]:
        for side in ("added", "removed"):
            for x in u[side]:
                out.append("unowned %s %s %d-%d" % (u["file"], side, x["start"], x["end"]))
    if not report["trust"]["linesChecked"] or report["trust"]["linesUnknown"]:
        out.append("lines unknown")
    out.append("risk %d %s" % (report["risk"]["score"], report["risk"]["level"]))
    if code:
        out.append("exit %d" % code)
    return out


def run_case(binary, path, show):
    name = os.path.basename(path)
    work = tempfile.mkdtemp(prefix="review-golden-")
    failures = []
    try:
        repo, data = os.path.join(work, "repo"), os.path.join(work, "data")
        os.makedirs(repo)
        git(repo, "init", "-q", "-b", "main")
        shas = {}
        base = ["--data-dir", data, "--project", "r"]
        for step in parse_case(path):
            if step["kind"] == "commit":
                write_files(repo, step["files"])
                git(repo, "add", "-A")
                git(repo, "commit", "-q", "--allow-empty", "-m", " ".join(step["args"]) or "commit")
                shas[step["args"][0]] = git(repo, "rev-parse", "HEAD").strip()
                r = subprocess.run([binary, "index", "--git", "HEAD", repo, "-q", "--no-vectors", *base],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError("index --git failed: " + r.stderr)
            elif step["kind"] == "worktree":
                write_files(repo, step["files"])
                r = subprocess.run([binary, "index", repo, "-q", "--no-vectors", *base], capture_output=True,
                                   text=True)
                if r.returncode != 0:
                    raise RuntimeError("index failed: " + r.stderr)
            else:
                a, _, b = step["args"][0].partition("..")
                rng = shas[a] + (".." + shas[b] if b else "")
                r = subprocess.run([binary, "review", rng, "--json", *step["args"][1:], *base], capture_output=True,
                                   text=True)
                if not r.stdout.strip():
                    failures.append("%s: review %s printed nothing: %s" % (name, step["args"][0], r.stderr))
                    continue
                got = sorted(observed(json.loads(r.stdout), r.returncode))
                want = sorted(step["expect"])
                if show:
                    print("=== review " + " ".join(step["args"]))
                    print("\n".join(got))
                if got != want:
                    missing = [x for x in want if x not in got]
                    extra = [x for x in got if x not in want]
                    failures.append("%s: review %s\n  missing: %s\n  unexpected: %s" %
                                    (name, " ".join(step["args"]), missing, extra))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--case", default="")
    ap.add_argument("--show", action="store_true", help="print what the binary reports")
    args = ap.parse_args()
    cases_dir = os.path.join(HERE, "cases")
    failures, count = [], 0
    for f in sorted(os.listdir(cases_dir)):
        if f.endswith(".case") and args.case in f:
            count += 1
            failures += run_case(os.path.abspath(args.bin), os.path.join(cases_dir, f), args.show)
    for f in failures:
        print("FAIL " + f)
    print("%d cases, %d failures" % (count, len(failures)))
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
