"""Encode the text a bytes API is handed: `hashlib.md5(s)` → `hashlib.md5(s.encode())`.

"the md5 of string `s`" and "encode string `s` as base64" retrieve the documented calls,
`hashlib.md5(s)` and `base64.b64encode(s)`, whose data parameter takes bytes: given text they
raise TypeError, and the API check fails them (`api_check._text_for_bytes`). Encoding the text
first is what the user would write, so the call is kept with `.encode()` added to a variable the
intent calls a string, or to a string literal.
"""

from __future__ import annotations

import ast

from codeqa_model.api_check import BYTES_MODULES, declared_types, takes_bytes
from codeqa_model.pyast import SourcePositions, dotted_parts, parse_quietly, replace_ranges

Spans = tuple[tuple[int, int], ...]
_ENCODE = ".encode()"


def encode_text_arguments(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with `.encode()` after text passed as a bytes API's data, `spans` moved with it;
    unchanged when there is none (or an edit would fall inside a span)."""
    if not any(module in code for module in BYTES_MODULES):
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    texts = {name for name, kind in declared_types(intent).items() if kind == "str"}
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        data = _data_argument(node)
        if data is None:
            continue
        is_text = isinstance(data, ast.Name) and data.id in texts
        is_text = is_text or (isinstance(data, ast.Constant) and isinstance(data.value, str))
        if is_text:
            end = where.extent(data)[1]
            edits.append((end, end, _ENCODE))
    return replace_ranges(code, spans, edits)


def _data_argument(node: ast.AST) -> ast.expr | None:
    """The data argument of a bytes module's encoder or hash (`hashlib.new(name, data)`'s
    second), or None."""
    if not isinstance(node, ast.Call):
        return None
    parts = dotted_parts(node.func) or []
    if len(parts) != 2 or not takes_bytes(".".join(parts)):
        return None
    at = 1 if parts[1] == "new" else 0
    return node.args[at] if len(node.args) > at else None
