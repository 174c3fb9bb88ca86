#!/usr/bin/env python3
"""Writes a synthetic Python project of about N definitions for search benchmarks:
packages of modules, each with classes, methods and functions whose names,
docstrings and calls are drawn from a shared vocabulary (so that names repeat
sub-tokens the way real code does), plus imports between modules.

    gen_synthetic.py OUT_DIR [--definitions 1000000]
"""
import argparse
import os
import random

VERBS = ("load save parse render build fetch send open close read write update delete create merge split "
         "sort filter find match validate encode decode compress expand resolve register notify schedule retry "
         "connect flush lock unlock hash sign verify convert format print scan index query cache evict").split()
NOUNS = ("user account config file buffer socket request response token session table row column index "
         "record message event queue worker task job thread lock path url header cookie image frame packet "
         "stream block page node edge graph tree list map key value cache store entry order invoice payment "
         "price tax cart item product customer address email report chart metric log trace span").split()
ADJS = ("default remote local cached pending active stale raw secure async partial global temporary "
        "compressed encrypted sorted unique primary").split()
PHRASES = ("from the {n}", "into a new {n}", "for the given {n}", "and return the {n}", "if the {n} is {a}",
           "without touching the {n}", "using the {a} {n}")


def ident(rng, parts):
    return "_".join(parts)


def camel(parts):
    return "".join(p.capitalize() for p in parts)


def doc(rng, verb, noun):
    a = rng.choice(ADJS)
    tail = rng.choice(PHRASES).format(n=rng.choice(NOUNS), a=a)
    return f"{verb.capitalize()} the {a} {noun} {tail}."


def module(rng, mod_index, modules, per_module):
    lines = []
    imports = rng.sample(modules, k=min(3, len(modules)))
    for m in imports:
        lines.append(f"from {m[0]} import {m[1]}")
    lines.append("")
    local = []
    n = 0
    classes = per_module // 12
    for _ in range(classes):
        noun, adj = rng.choice(NOUNS), rng.choice(ADJS)
        cname = camel([adj, noun, rng.choice(["Manager", "Handler", "Store", "Client", "Builder"])])
        lines.append(f"class {cname}:")
        lines.append(f'    """{doc(rng, rng.choice(VERBS), noun)}"""')
        n += 1
        for _ in range(10):
            verb, noun2 = rng.choice(VERBS), rng.choice(NOUNS)
            mname = ident(rng, [verb, noun2] + ([rng.choice(ADJS)] if rng.random() < 0.3 else []))
            lines.append(f"    def {mname}(self, {noun2}, options=None):")
            lines.append(f'        """{doc(rng, verb, noun2)}"""')
            callee = rng.choice(local) if local else "len"
            lines.append(f"        return {callee}({noun2})")
            n += 1
        lines.append("")
    while n < per_module:
        verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
        fname = ident(rng, [verb, rng.choice(ADJS), noun] if rng.random() < 0.4 else [verb, noun])
        lines.append(f"def {fname}({noun}, limit=10):")
        lines.append(f'    """{doc(rng, verb, noun)}"""')
        callees = rng.sample(local, k=min(2, len(local))) + ([imports[0][1]] if imports else [])
        for c in callees:
            lines.append(f"    {c}({noun})")
        lines.append(f"    return {noun}")
        lines.append("")
        local.append(fname)
        n += 1
    return "\n".join(lines) + "\n", local, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--definitions", type=int, default=1_000_000)
    ap.add_argument("--per-module", type=int, default=100)
    args = ap.parse_args()
    rng = random.Random(1234)
    modules = []  # (dotted module, an exported function)
    total = 0
    count = max(1, args.definitions // args.per_module)
    for i in range(count):
        pkg = f"pkg{i // 100:03d}"
        name = f"{rng.choice(NOUNS)}_{rng.choice(VERBS)}_{i}"
        path = os.path.join(args.out, pkg, name + ".py")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text, local, n = module(rng, i, modules, args.per_module)
        with open(path, "w") as f:
            f.write(text)
        if local:
            modules.append((f"{pkg}.{name}", local[0]))
        total += n
    print(f"wrote {count} modules, {total} definitions under {args.out}")


if __name__ == "__main__":
    main()
