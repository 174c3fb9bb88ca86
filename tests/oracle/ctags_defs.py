#!/usr/bin/python3
"""Oracle for the non-Python extractors: the definitions universal-ctags finds, as
`path<TAB>name<TAB>line<TAB>ctags-kind` lines, limited to functions, methods,
classes, structs, interfaces, traits and enums (what the agreement target counts).
Anonymous names ctags invents (__anon..., AnonymousFunction...) are left out: they are not in the source.
Usage: ctags_defs.py ROOT FILE...   (paths relative to ROOT)."""
import json
import subprocess
import sys

# ctags kind names that count, per ctags language.
COUNTED = {
    'Rust': {'function', 'method', 'struct', 'enum', 'interface'},
    'Go': {'func', 'struct', 'interface'},
    'Java': {'class', 'interface', 'enum', 'method', 'annotation'},
    'C': {'function', 'struct', 'enum'},
    'C++': {'function', 'class', 'struct', 'enum'},
    'JavaScript': {'function', 'class', 'method', 'generator', 'getter', 'setter'},
    'TypeScript': {'function', 'class', 'method', 'interface', 'enum', 'generator'},
}


def main():
    root, files = sys.argv[1], sys.argv[2:]
    out = sys.stdout
    for i in range(0, len(files), 500):
        chunk = files[i:i + 500]
        proc = subprocess.run(
            ['ctags', '--output-format=json', '--fields=+nKl', '-f', '-', '--sort=no'] + chunk,
            cwd=root, capture_output=True, text=True, errors='replace', check=False)
        for line in proc.stdout.splitlines():
            try:
                tag = json.loads(line)
            except json.JSONDecodeError:
                continue
            if tag.get('_type') != 'tag':
                continue
            kinds = COUNTED.get(tag.get('language'))
            name = tag.get('name', '')
            if not kinds or tag.get('kind') not in kinds or name.startswith(('__anon', 'AnonymousFunction')):
                continue
            out.write(f"{tag['path']}\t{name}\t{tag['line']}\t{tag['kind']}\n")


if __name__ == '__main__':
    main()
