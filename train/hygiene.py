"""Two things a top-1 suggestion must never be (issue 10): code that fails `ast.parse`, and code
that uses a module it does not import (neither its own import lines, the `import` lines the
completion adds, nor the file's). Read here with `ast` on its own terms, not with the engine's
API check, which is what is being measured.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codeqa_model.pyast import parse_quietly

# Modules a snippet may name bare: the standard library's, the PyPI packages the API table
# lists, and their conventional aliases.
MODULES = frozenset(sys.stdlib_module_names) | {
    "numpy", "pandas", "requests", "bs4", "yaml", "dateutil", "scipy", "matplotlib", "tqdm",
    "np", "pd", "plt",
}  # fmt: skip
_BUILTINS = frozenset(dir(builtins))
_TICKED = re.compile(r"`([^`]+)`")
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Hygiene:
    """Counts over a list of top-1 suggestions."""

    n: int
    unparsable: int
    unimported: int
    examples: tuple[str, ...]  # a few unimported-module suggestions, for reading

    def note(self, label: str) -> str:
        shown = "; ".join(f"`{e}`" for e in self.examples[:3])
        return (
            f"{label}, top-1 on the {self.n} CoNaLa test intents: {self.unparsable} fail "
            f"ast.parse, {self.unimported} use a module without importing it"
            + (f" (e.g. {shown})" if shown else "")
            + "."
        )


def _bound(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (imports, assignments, defs, arguments, targets)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def unimported_modules(code: str, imports: Iterable[str] = (), intent: str = "") -> set[str]:
    """Module names `code` reads that nothing binds (its own imports and assignments, the
    `imports` lines, the intent's back-ticked names); empty when `code` does not parse."""
    tree = parse_quietly(code)
    if tree is None:
        return set()
    bound = _bound(tree)
    for line in imports:
        extra = parse_quietly(line)
        if extra is not None:
            bound |= _bound(extra)
    bound |= {w for quoted in _TICKED.findall(intent) for w in _IDENT.findall(quoted)}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return {n for n in used if n in MODULES and n not in bound and n not in _BUILTINS}


def hygiene(intents: Sequence[str], top1: Sequence[tuple[str, Sequence[str]]]) -> Hygiene:
    """Counts for (code, import lines) top-1 suggestions, one per intent."""
    unparsable = sum(parse_quietly(code) is None for code, _ in top1)
    flagged = [
        code
        for intent, (code, imports) in zip(intents, top1, strict=True)
        if unimported_modules(code, imports, intent)
    ]
    return Hygiene(len(top1), unparsable, len(flagged), tuple(flagged[:5]))
