#!/usr/bin/python3
"""Oracle for the Python extractor: every function, method and class that Python's
own ast module finds under ROOT, as `path<TAB>name<TAB>line` lines (path relative to
ROOT). Files ast cannot parse are listed on stderr as `unparsable<TAB>path` and left out.
Usage: python_ast_defs.py ROOT [FILE...]  (no FILEs: every *.py below ROOT)."""
import ast
import os
import sys
import warnings


def defs(root, rel):
    with open(os.path.join(root, rel), 'rb') as f:
        src = f.read()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        tree = ast.parse(src, rel)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name, node.lineno


def main():
    root = sys.argv[1]
    files = sys.argv[2:]
    if not files:
        for d, dirs, names in os.walk(root):
            dirs.sort()
            for n in sorted(names):
                if n.endswith('.py'):
                    files.append(os.path.relpath(os.path.join(d, n), root))
    out = sys.stdout
    for rel in files:
        try:
            for name, line in defs(root, rel):
                out.write(f'{rel}\t{name}\t{line}\n')
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            sys.stderr.write(f'unparsable\t{rel}\n')


if __name__ == '__main__':
    main()
