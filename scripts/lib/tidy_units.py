#!/usr/bin/env python3
"""The translation units scripts/lint hands to clang-tidy, one path a line.

    tidy_units.py COMPILE_COMMANDS ROOT              every project unit of the build
    tidy_units.py COMPILE_COMMANDS ROOT FILE...      only the units a change to FILE... can affect

A unit is affected when it is one of FILE... or includes one of them, directly
or through other project headers (the includes are read from the sources, so
no build is needed). A changed .clang-tidy affects every unit. Generated
sources in the build tree are never listed: they are not ours to tidy.
"""
import json
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
SOURCE_SUFFIXES = ('.c', '.cpp', '.h', '.hpp')


def project_units(compile_commands, root):
    units = []
    for entry in json.load(open(compile_commands)):
        path = os.path.normpath(os.path.join(entry.get('directory', ''), entry['file']))
        relative = os.path.relpath(path, root)
        if relative.startswith('..') or relative.split(os.sep)[0] == 'build' or relative in units:
            continue
        units.append(relative)
    return units


def includers_of(root):
    """header -> the tracked files that include it, resolved the way the build's
    include paths do: next to the includer first, then anywhere by path suffix."""
    tracked = subprocess.run(['git', 'ls-files', '--', *('*' + s for s in SOURCE_SUFFIXES)],
                             cwd=root, check=True, capture_output=True, text=True).stdout.split()
    tracked_set = set(tracked)
    by_suffix = {}
    for path in tracked:
        parts = path.split('/')
        for i in range(len(parts)):
            by_suffix.setdefault('/'.join(parts[i:]), []).append(path)
    includers = {}
    for path in tracked:
        try:
            text = open(os.path.join(root, path), encoding='utf-8', errors='replace').read()
        except OSError:
            continue
        for name in INCLUDE.findall(text):
            beside = os.path.normpath(os.path.join(os.path.dirname(path), name))
            targets = [beside] if beside in tracked_set else by_suffix.get(name, [])
            for target in targets:
                includers.setdefault(target, set()).add(path)
    return includers


def affected(changed, root):
    includers = includers_of(root)
    seen = set(changed)
    todo = list(changed)
    while todo:
        for includer in includers.get(todo.pop(), ()):
            if includer not in seen:
                seen.add(includer)
                todo.append(includer)
    return seen


def main():
    compile_commands, root, changed = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
    units = project_units(compile_commands, root)
    if changed and not any(os.path.basename(path) == '.clang-tidy' for path in changed):
        wanted = affected([os.path.normpath(path) for path in changed], root)
        units = [unit for unit in units if unit in wanted]
    for unit in units:
        print(os.path.join(root, unit))


if __name__ == '__main__':
    main()
