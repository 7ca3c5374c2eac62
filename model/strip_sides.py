"""Strip the side the intent names: `line.strip()` → `line.rstrip()` under "remove trailing
whitespace from `line`".

Retrieved pairs and the beam offer `strip` for any stripping intent (it is what most Stack
Overflow answers call), and a user who asked for the end of a line only would lose the
indentation at its start. Under an intent that names one side (trailing, the end, the right;
leading, the start, the left), each `strip`, `lstrip` or `rstrip` call strips that side, with
the same characters; under one that names both ("both ends", "around"), both.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import Edits, SourcePositions, rewrite

Spans = tuple[tuple[int, int], ...]
_STRIPS = frozenset({"strip", "lstrip", "rstrip"})
_END = re.compile(r"\b(?:trailing|ending|(?:the )?end|right|righthand|rightmost|tail)\b", re.I)
_START = re.compile(
    r"\b(?:leading|(?:the )?(?:start|beginning|front)|left|lefthand|leftmost|head)\b", re.I
)
_BOTH = re.compile(r"\b(?:both|either|each)\s+(?:sides?|ends?)\b|\bends\b|\baround\b", re.I)


def strip_named_side(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each strip call made the one for the side the intent names (`strip` for
    both); `spans` moved with the text; unchanged where the intent names no side."""
    if "strip(" not in code:
        return code, spans
    end, start = _END.search(intent) is not None, _START.search(intent) is not None
    if _BOTH.search(intent) or (end and start):
        wanted = "strip"
    elif end != start:
        wanted = "rstrip" if end else "lstrip"
    else:
        return code, spans
    return rewrite(code, spans, lambda tree, where: _strip_edits(tree, where, wanted))


def _strip_edits(tree: ast.Module, where: SourcePositions, wanted: str) -> Edits:
    edits: Edits = []
    for node in ast.walk(tree):
        func = node.func if isinstance(node, ast.Call) else None
        if not isinstance(func, ast.Attribute) or func.attr not in _STRIPS - {wanted}:
            continue
        _, name_end = where.extent(func)
        edits.append((name_end - len(func.attr), name_end, wanted))
    return edits
