"""Readings of Python syntax trees shared by the API checker, the mismatch explainer and the
training code: dotted names and what a snippet's own imports bind. `ast` only: nothing named
is ever imported.

Trees are shared (`parse_quietly`, `parse`): one suggestion parses each of its ~27 candidates
about 70 times (the repairs, the API check, the API prior, the variety and values-left-out
checks each read them), so each code string is parsed once and every reader gets the same
tree. Readers never change a tree."""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Callable, Container, Sequence

__all__ = [
    "SourcePositions",
    "bindings",
    "dotted",
    "dotted_parts",
    "import_aliases",
    "mode_argument",
    "parse",
    "parse_quietly",
    "statements",
]

# Distinct code strings whose trees are kept: a suggestion meets ~27, and the ones it shares
# with the next (retrieved doc rows without values) are worth keeping a while.
PARSED_KEPT = 512


def mode_argument(call: ast.Call) -> ast.expr | None:
    """The mode an `open(file, mode)`-style call is given, as written: the `mode=` keyword, else
    the second positional argument; None when there is none."""
    positional = call.args[1] if len(call.args) > 1 else None
    return next((k.value for k in call.keywords if k.arg == "mode"), positional)


def dotted_parts(node: ast.expr) -> list[str] | None:
    """`os.path.join` → ["os", "path", "join"]; None when the chain does not start at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def dotted(node: ast.expr) -> str | None:
    """`os.path.join` for that attribute chain; None when it does not start at a name."""
    parts = dotted_parts(node)
    return ".".join(parts) if parts is not None else None


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Bound name → module path for every absolute import in `tree`: `import numpy as np` →
    {"np": "numpy"}, `import os.path` → {"os": "os"}, `from json import loads` →
    {"loads": "json.loads"}; star imports bind nothing readable."""
    aliases: dict[str, str] = {}
    for node in statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


# Nodes that hold statements: only these need visiting to find one (an import, a def).
def bindings(
    nodes: list[ast.AST],
    read_first: Container[int] = (),
) -> tuple[dict[str, str], set[str]]:
    """What code binds itself: imported modules (name → module path) and other names
    (an augmented assignment's target, whose id is in `read_first`, binds nothing new).

    `nodes` is the tree's `ast.walk`. Scopes are ignored on purpose: a name bound anywhere in a
    short block counts as bound."""
    # `import_aliases` reads imports in walk order; a module holding just them, in that order,
    # reads the same without walking the whole tree again.
    imports = [n for n in nodes if isinstance(n, ast.Import | ast.ImportFrom)]
    modules = import_aliases(ast.Module(body=imports, type_ignores=[])) if imports else {}
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import) or (
            isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        ):
            continue  # read by import_aliases
        if isinstance(node, ast.ImportFrom):  # relative: binds names of unknown modules
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            if id(node) not in read_first:
                names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    return modules, names


_HOLDERS = (ast.mod, ast.stmt, ast.excepthandler, ast.match_case)


def statements(tree: ast.AST) -> list[ast.AST]:
    """The statements of `tree` (and the handlers and cases between them) in `ast.walk`'s
    order, without visiting a single expression: a statement's ancestors are all statements,
    handlers, cases or the module, so breadth-first over those alone meets the statements at
    the same depths in the same order. A candidate's tree is mostly expressions."""
    nodes = [tree] if isinstance(tree, _HOLDERS) else []
    add = nodes.append
    for node in nodes:  # grows while read: the queue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, _HOLDERS):
                        add(item)
    return nodes


Edits = list[tuple[int, int, str]]


def whole_number(node: ast.expr | None) -> int | None:
    """The integer a literal spells, negated or not (`3`, `-1`); None for anything else."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node, sign = node.operand, -1
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def rewrite(
    code: str,
    spans: Sequence[tuple[int, int]],
    edits_of: Callable[[ast.Module, SourcePositions], Edits],
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`code` with the (start, end, text) edits `edits_of` finds in its parsed tree applied
    (`replace_ranges`), `spans` moved with the text; unchanged when the code does not parse.
    The shape every repair of a candidate takes."""
    tree = parse_quietly(code)
    if tree is None:
        return code, tuple(spans)
    return replace_ranges(code, spans, edits_of(tree, SourcePositions(code)))


def replace_ranges(
    code: str, spans: Sequence[tuple[int, int]], edits: Sequence[tuple[int, int, str]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`code` with non-overlapping (start, end, text) edits applied and `spans` (the intent
    values' character ranges) moved with the text; unchanged when a span overlaps an edit."""
    spans = tuple(spans)
    if not edits or any(s < end and start < e for s, e in spans for start, end, _ in edits):
        return code, spans
    out, last = [], 0
    for start, end, text in sorted(edits):
        out += [code[last:start], text]
        last = end
    out.append(code[last:])

    def moved(pos: int, is_end: bool) -> int:
        # text inserted right at a span's end goes after it, not into it
        return pos + sum(
            len(t) - (end - start)
            for start, end, t in edits
            if end < pos or (end == pos and not (is_end and start == end))
        )

    return "".join(out), tuple((moved(s, False), moved(e, True)) for s, e in spans)


_LINE_END = re.compile(r"\r\n|\r|\n")


class SourcePositions:
    """Character offsets in `code` of ast's positions (1-based line, UTF-8 byte column). Lines
    end where the tokenizer ends them (\\n, \\r\\n, \\r), not where `str.splitlines` would."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.starts = [0, *(m.end() for m in _LINE_END.finditer(code))]

    def offset(self, lineno: int, col_bytes: int) -> int:
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.code)
        line = self.code[start:end].encode("utf-8")
        return start + len(line[:col_bytes].decode("utf-8", "ignore"))

    def extent(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        """The (start, end) offsets of a parsed node's text."""
        start = self.offset(node.lineno, node.col_offset)
        return start, self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)


@functools.lru_cache(maxsize=PARSED_KEPT)
def lone_expression(tree: ast.Module | None) -> ast.expr | None:
    """The value of code that is one expression statement (`xs.values()`), else None: the
    answers a repair may wrap whole."""
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    return tree.body[0].value


def wrap_whole(
    code: str, spans: Sequence[tuple[int, int]], before: str, after: str
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`code` inside `before` … `after` (outer whitespace kept outside), `spans` moved."""
    start, end = len(code) - len(code.lstrip()), len(code.rstrip())
    return replace_ranges(code, spans, [(start, start, before), (end, end, after)])


def parse_quietly(code: str) -> ast.Module | None:
    """`ast.parse`, or None when `code` is not Python (model output: its SyntaxWarnings, such
    as `1if`, silenced). Shared and remembered: the tree is read-only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def parse(code: str) -> ast.Module:
    """`ast.parse`, raising as it does for code that is not Python (the caller reports why),
    else the shared read-only tree of `parse_quietly`."""
    tree = parse_quietly(code)
    return tree if tree is not None else ast.parse(code)
