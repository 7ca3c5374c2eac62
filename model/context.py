"""What the file around an intent already provides: its imports and the names bound above it.

Suggestions are checked against this (a name must resolve) and completed from it (a module the
file does not import yet becomes an `import` line the editor adds). Read with `ast` only:
nothing the file names is ever imported or executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import ClassVar

from codeqa_model.value_types import ValueTypes

__all__ = ["SourceContext"]


@dataclass(frozen=True)
class SourceContext:
    """Imports as (bound name, module path) and the other names bound above a block.

    `from m import *` is recorded as ("*", "m"): the names it binds are the module's, which the
    API table (not this file) knows.
    """

    imports: frozenset[tuple[str, str]] = frozenset()
    names: frozenset[str] = frozenset()
    # (name, builtin type) for names every binding above gives the same plain type: `words =
    # []` makes `words.split()` fail the check as "list `words`" in the intent would.
    types: frozenset[tuple[str, str]] = frozenset()

    EMPTY: ClassVar[SourceContext]

    @classmethod
    def from_source(cls, text: str) -> SourceContext:
        """Parse `text` (the file above the block); tolerates syntax errors line by line."""
        tree = _parse_tolerant(text)
        if tree is None:
            return cls.EMPTY
        imports: set[tuple[str, str]] = set()
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        imports.add((alias.asname, alias.name))
                    else:
                        # `import os.path` binds `os` and makes `os.path` reachable through it.
                        top = alias.name.split(".")[0]
                        imports.add((top, top))
                        if alias.name != top:
                            imports.add((alias.name, alias.name))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name == "*":
                        imports.add(("*", node.module))
                        continue
                    imports.add((alias.asname or alias.name, f"{node.module}.{alias.name}"))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
                names.update(_arg_names(node) if not isinstance(node, ast.ClassDef) else ())
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
        return cls(frozenset(imports), frozenset(names), _plain_types(tree))

    def module_for(self, name: str) -> str | None:
        """The module path a bound name refers to, if the file imported it."""
        for bound, module in self.imports:
            if bound == name:
                return module
        return None

    def binds(self, name: str) -> bool:
        """Whether `name` is defined above the block (by an import or any other binding)."""
        return name != "*" and (name in self.names or any(b == name for b, _ in self.imports))

    def star_modules(self) -> tuple[str, ...]:
        """Modules the file imports with `from m import *`, sorted."""
        return tuple(sorted(module for bound, module in self.imports if bound == "*"))


SourceContext.EMPTY = SourceContext()


def _plain_types(tree: ast.Module) -> frozenset[tuple[str, str]]:
    """Names whose every binding is `name = <value of one plain type>` (a literal, `list()`,
    `len(...)`, `open(p)`, a string method's result...); any other binding (a loop, an argument,
    `x = f()`) leaves the name out."""
    plain = ValueTypes()
    seen: dict[str, str | None] = {}
    other: set[str] = set()  # also bound some other way: a loop, `with`, `+=`, unpacking
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            kind = plain.of(node.value)
            for target in targets:
                if isinstance(target, ast.Name):
                    seen[target.id] = kind if seen.get(target.id, kind) == kind else None
                else:  # `a, b = ...`
                    other.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.For | ast.comprehension | ast.withitem | ast.AugAssign):
            target = node.optional_vars if isinstance(node, ast.withitem) else node.target
            if target is not None:
                other.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            seen.setdefault(node.id, None)
        elif isinstance(node, ast.arg):
            other.add(node.arg)
    return frozenset((n, kind) for n, kind in seen.items() if kind is not None and n not in other)


def _arg_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return [a.arg for a in every]


def _parse_tolerant(text: str) -> ast.Module | None:
    """`ast.parse`; on a syntax error, the longest parsable prefix (a few tries), else the
    file's import lines alone, so a half-typed line never hides the imports above it."""
    lines = text.splitlines()
    for cut in range(len(lines), max(-1, len(lines) - 20), -1):
        try:
            return ast.parse("\n".join(lines[:cut]))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    body: list[ast.stmt] = []
    for line in lines:
        if line.lstrip().startswith(("import ", "from ")):
            try:
                body.extend(ast.parse(line.strip()).body)
            except (SyntaxError, ValueError):
                continue
    return ast.Module(body=body, type_ignores=[])
