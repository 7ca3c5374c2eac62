"""Spell a suggestion's modules the way the file does, or the way Python programmers do.

Doc entries name an API by its full path (`pandas.read_csv`, `matplotlib.pyplot.cla`). Under
`import pandas as pd` that is the wrong spelling twice over: the completion would add a second
`import pandas`, and the user writes `pd.read_csv`. Under `from datetime import datetime` the
generator's `datetime.datetime.now()` is an AttributeError (`datetime` is the class there). So a
module path the file binds to a name is written with that name (`pd.read_csv`, `datetime.now()`),
and one the file does not import is written with the usual alias when there is one (`np`, `pd`,
`plt`: the API table's aliases), whose import line (`import numpy as np`) the check then adds.
Read with `ast` only; code that imports or binds names itself is left as it is.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping

from codeqa_model.ast_walk import walk
from codeqa_model.context import SourceContext
from codeqa_model.pyast import (
    SourcePositions,
    bindings,
    dotted_parts,
    parse_quietly,
    replace_ranges,
)

Spans = tuple[tuple[int, int], ...]
# Packages whose `import` makes every public submodule reachable (numpy's `__init__` imports
# linalg, random, fft, ... and loads the rest on first use; pandas imports its own).
_LOADS_SUBMODULES = frozenset({"numpy", "pandas"})


def spell_for_file(
    code: str,
    spans: Spans,
    context: SourceContext,
    conventions: Mapping[str, str],
    is_module: Callable[[str], bool] = lambda path: False,
) -> tuple[str, Spans]:
    """`code` with each module path written as `context` binds it, else by its conventional
    alias (`conventions`: alias → module path), `spans` moved with the text; unchanged when
    nothing applies or the code does not parse. A name stands only for a path reaching the
    chain's deepest module (`is_module`): `import tkinter as tk` does not load `tkinter.tix`,
    so `tkinter.tix.X` keeps its path (and its own import line)."""
    if "." not in code:
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    nodes = walk(tree)
    if any(isinstance(n, ast.Import | ast.ImportFrom) for n in nodes):
        return code, spans  # code that imports spells its modules its own way
    own = bindings(nodes)[1]  # its own variables and parameters, not modules
    file_names = {name for name, _ in context.imports} | set(context.names) | own
    spelled = {path: name for name, path in context.imports if name != "*" and name != path}
    plain = {path for name, path in context.imports if name == path}
    usual = {
        path: alias
        for alias, path in conventions.items()
        if alias not in file_names and path not in plain and path not in spelled
    }
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for parts, nodes in _chains(tree):
        root = parts[0]
        if root in context.names or root in own:
            continue  # a variable of the user's or the code's, not a module
        lead = 1
        if root in conventions and root not in file_names:
            parts = [*conventions[root].split("."), *parts[1:]]  # np.fix → numpy.fix
            lead = len(parts) - len(nodes) + 1
        deepest = max(
            (j for j in range(1, len(parts)) if is_module(".".join(parts[:j]))), default=1
        )
        if parts[0] in _LOADS_SUBMODULES:
            deepest = 1
        for j in range(len(parts), max(lead, deepest) - 1, -1):
            path = ".".join(parts[:j])
            name = spelled.get(path) or (path if path in plain else None)
            if name is None and root not in file_names:
                name = usual.get(path)
            if name is None:
                continue
            node = nodes[j - lead]
            start, end = where.extent(node)
            if code[start:end] != name:
                edits.append((start, end, name))
            break
    return replace_ranges(code, spans, edits)


def _chains(tree: ast.AST) -> Iterator[tuple[list[str], list[ast.expr]]]:
    """Each outermost dotted chain (`a.b.c`) as its parts and the nodes spelling each prefix
    (`a`, `a.b`, `a.b.c`)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Attribute) and (parts := dotted_parts(node)) is not None:
            nodes: list[ast.expr] = []
            link: ast.expr = node
            while isinstance(link, ast.Attribute):
                nodes.append(link)
                link = link.value
            nodes.append(link)
            yield parts, nodes[::-1]
            continue
        stack.extend(ast.iter_child_nodes(node))
