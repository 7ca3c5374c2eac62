"""Put the separator the intent names into a join or split that uses another.

"join the strings in `parts` with a dash" gets `' '.join(str(x) for x in parts)`: the beam and the
retrieved answers carry their question's separator. A separator said in words ("with a dash",
"on commas", "by semicolons", "comma-separated") means one string, so a `.join` or `.split` whose
literal separator is another one gets it. Only when the intent names exactly one separator and
the code joins or splits with exactly one literal: "replace commas with dashes" names two and
is left alone, and so is code with several separators.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import SourcePositions, parse_quietly, replace_ranges

Spans = tuple[tuple[int, int], ...]

_NAMED = {
    "comma": ",",
    "commas": ",",
    "dash": "-",
    "dashes": "-",
    "hyphen": "-",
    "hyphens": "-",
    "space": " ",
    "spaces": " ",
    "newline": "\n",
    "newlines": "\n",
    "new line": "\n",
    "new lines": "\n",
    "tab": "\t",
    "tabs": "\t",
    "semicolon": ";",
    "semicolons": ";",
    "colon": ":",
    "colons": ":",
    "underscore": "_",
    "underscores": "_",
    "pipe": "|",
    "pipes": "|",
    "slash": "/",
    "slashes": "/",
}
_WORDS = "|".join(sorted(map(re.escape, _NAMED), key=len, reverse=True))
# "with a dash", "on commas", "by a semicolon", "using tabs", "comma-separated", "comma separated"
_SAID = re.compile(
    rf"\b(?:with|on|by|using|at|around|into|between)\s+(?:an?\s+|the\s+|each\s+)?({_WORDS})\b"
    rf"|\b({_WORDS})[- ](?:separated|delimited|joined)\b",
    re.IGNORECASE,
)
_ANY = re.compile(rf"\b({_WORDS})\b", re.IGNORECASE)
_METHODS = frozenset(("join", "split", "rsplit"))


def named_separator(intent: str) -> str | None:
    """The one separator the intent asks to join or split with, or None (none, or several)."""
    said = {_NAMED[(m.group(1) or m.group(2)).lower()] for m in _SAID.finditer(intent)}
    every = {_NAMED[m.group(1).lower()] for m in _ANY.finditer(intent)}
    if len(said) != 1 or every != said:
        return None
    return said.pop()


def use_named_separator(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with its one literal join/split separator replaced by the intent's named one, or
    given to its one bare `split()`; unchanged otherwise (or when a span of the intent's values
    covers the literal)."""
    if not any(f".{m}(" in code for m in _METHODS):
        return code, spans
    wanted = named_separator(intent)
    if wanted is None:
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    literals: list[ast.Constant] = []
    bare: list[ast.Call] = []  # `s.split()`: on whitespace, which the named separator is not
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method == "join" and isinstance(node.func.value, ast.Constant):
            literals.append(node.func.value)
        elif method in ("split", "rsplit") and node.args and isinstance(node.args[0], ast.Constant):
            literals.append(node.args[0])
        elif method in ("split", "rsplit") and not node.args and not node.keywords:
            bare.append(node)
    where = SourcePositions(code)
    if not literals and len(bare) == 1 and wanted != " ":
        end = where.extent(bare[0])[1]  # before the closing parenthesis
        return replace_ranges(code, spans, [(end - 1, end - 1, repr(wanted))])
    if len(literals) != 1 or not isinstance(literals[0].value, str):
        return code, spans
    (literal,) = literals
    if literal.value == wanted or literal.lineno != literal.end_lineno:
        return code, spans
    start, end = where.extent(literal)
    return replace_ranges(code, spans, [(start, end, repr(wanted))])
