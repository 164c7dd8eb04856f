#!/usr/bin/env python3
"""Fails when two files of src/ import each other, directly or through
others: the file-level companion of ../shared/tools/modgraph.py, which
looks at top-level modules only.

    python3 .ci/modfiles.py [src]

A file refers to another when its code outside `#[cfg(test)]` names a path
into it: `crate::a::b::item` is src/a/b.rs (or src/a/b/mod.rs) when that
file exists, else src/a.rs or src/a/mod.rs; `super::x` is a sibling or the
parent module's file. lib.rs, main.rs and fuzz.rs are facades, left out.
"""
import os
import re
import sys

src = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else "src")
facades = {"lib.rs", "main.rs", "fuzz.rs"}


def module_path(path):
    """src/kinds/grpc.rs -> ["kinds", "grpc"]; src/kinds/mod.rs -> ["kinds"]."""
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    return rel[:-1] if rel[-1] == "mod" else rel


def file_of(parts):
    """The file that holds the module `parts`, if any."""
    for candidate in (os.path.join(src, *parts) + ".rs", os.path.join(src, *parts, "mod.rs")):
        if parts and os.path.isfile(candidate):
            return os.path.normpath(candidate)
    return None


def resolve(parts):
    """The deepest file that a path of module names reaches into."""
    for n in range(len(parts), 0, -1):
        found = file_of(parts[:n])
        if found:
            return found
    return None


def code(path):
    text = open(path, encoding="utf-8").read()
    cut = text.find("#[cfg(test)]")
    if cut >= 0:
        text = text[:cut]
    return re.sub(r"//[^\n]*", "", text)


files = []
for root, _, names in os.walk(src):
    for name in names:
        path = os.path.normpath(os.path.join(root, name))
        if name.endswith(".rs") and name != "tests.rs" and os.path.relpath(path, src) not in facades:
            files.append(path)

edges = {f: set() for f in files}
for f in files:
    here = module_path(f)
    # A file's own module is its parent for `super::` when it is a mod.rs.
    parent = here[:-1]
    for match in re.finditer(r"\b(crate|super)(?=::)((?:::[a-z_][a-z0-9_]*)*)", code(f)):
        names = match.group(2).split("::")[1:]
        base = [] if match.group(1) == "crate" else parent
        target = resolve(base + names)
        if target and target != f and target in edges:
            edges[f].add(target)

# Cycles, by depth-first search.
WHITE, GREY, BLACK = 0, 1, 2
colour = {f: WHITE for f in files}
cycles = []


def visit(f, stack):
    colour[f] = GREY
    stack.append(f)
    for g in sorted(edges[f]):
        if colour[g] == GREY:
            cycles.append(stack[stack.index(g):] + [g])
        elif colour[g] == WHITE:
            visit(g, stack)
    stack.pop()
    colour[f] = BLACK


for f in sorted(files):
    if colour[f] == WHITE:
        visit(f, [])

count = sum(len(e) for e in edges.values())
print(f"{len(files)} files, {count} edges, {len(cycles)} circle(s)")
for cycle in cycles:
    print("circle: " + " -> ".join(os.path.relpath(c, src) for c in cycle))
sys.exit(1 if cycles else 0)
