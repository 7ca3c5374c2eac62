"""API hit: does a snippet use one of the APIs a right answer uses? Read with `ast` only.

A problem's `apis` entries come in three spellings:

- a dotted path, `csv.reader`, `os.path.join`, `collections.Counter`: hit when the snippet refers
  to that path once import aliases are resolved (the file's imports, the suggestion's import lines
  and the snippet's own imports: `from collections import Counter; Counter(x)` and
  `import collections as c; c.Counter(x)` both hit `collections.Counter`);
- a bare name, `sorted`, `max`: hit when the snippet refers to that (built-in) name;
- a method, `.split`, `.most_common`: hit when any attribute of that name is used, whatever the
  object (the type of `s` in `s.split()` is not known without running the code).

A reference counts whether or not it is called (`os.sep`, `string.digits` are APIs too). A snippet
that does not parse hits nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Bound name → module path for every import statement in `tree`."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
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


def _chain(node: ast.expr) -> list[str] | None:
    """['os', 'path', 'join'] for `os.path.join`; None when the chain does not start at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def references(code: str, context_imports: Iterable[str] = ()) -> tuple[set[str], set[str]]:
    """(dotted paths referred to, attribute names used) in `code`; both empty if it fails to
    parse. `context_imports` are import lines in force around the snippet."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(), set()
    aliases: dict[str, str] = {}
    for line in context_imports:
        try:
            aliases.update(import_aliases(ast.parse(line)))
        except SyntaxError:
            continue
    aliases.update(import_aliases(tree))
    paths: set[str] = set()
    attrs: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attrs.add(node.attr)
        if not isinstance(node, ast.Attribute | ast.Name):
            continue
        parts = _chain(node)
        if parts is None:
            continue
        head = aliases.get(parts[0], parts[0]).split(".")
        full = head + parts[1:]
        for end in range(1, len(full) + 1):
            paths.add(".".join(full[:end]))
    return paths, attrs


def api_hit(code: str, expected: Iterable[str], context_imports: Iterable[str] = ()) -> bool:
    """Whether `code` refers to any of the `expected` APIs (spellings in the module docstring)."""
    paths, attrs = references(code, context_imports)
    for api in expected:
        if api.startswith("."):
            if api[1:] in attrs:
                return True
        elif api in paths:
            return True
    return False
