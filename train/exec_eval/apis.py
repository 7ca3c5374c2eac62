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

from codeqa_model.pyast import dotted_parts, import_aliases


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
        parts = dotted_parts(node)
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
