"""Count up to the last number the intent says: "from 1 to 10" is `range(1, 10 + 1)`.

People say "the numbers from 1 to 10" and mean ten numbers; `range(1, 10)` stops at 9. Under an
intent that gives a whole-number span with "from A to B" or "A through B", a `range(A, B)` (or
`range(B)` when A is 0) written with those very numbers gets B + 1 as its stop, written so: the
number the user gave stays in sight (and the missing-values penalty still finds it). Spans the
intent words as exclusive ("up to but not including", "below", "before", "less than") are left
alone, as is any range with a step or other bounds.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import Edits, SourcePositions, rewrite, whole_number

Spans = tuple[tuple[int, int], ...]
_SPAN = re.compile(
    r"\bfrom\s+(-?\d+)\s+(?:to|through|thru|till|until)\s+(-?\d+)\b|\b(-?\d+)\s+through\s+(-?\d+)\b",
    re.IGNORECASE,
)
_EXCLUSIVE = re.compile(r"\b(?:not including|exclusive|excluding|below|before|less than)\b", re.I)


def include_the_end(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with `range(A, B)` made `range(A, B + 1)` where the intent spans A to B
    inclusively; `spans` moved with the text; unchanged otherwise."""
    if "range(" not in code or _EXCLUSIVE.search(intent):
        return code, spans
    wanted = set()
    for match in _SPAN.finditer(intent):
        low, high = (int(g) for g in match.groups() if g is not None)
        if low < high:
            wanted.add((low, high))
    if not wanted:
        return code, spans

    def edits_of(tree: ast.Module, where: SourcePositions) -> Edits:
        edits: Edits = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id != "range" or node.keywords or not 1 <= len(node.args) <= 2:
                continue
            bounds = [whole_number(a) for a in node.args]
            if None in bounds:
                continue
            low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
            if (low, high) in wanted:
                start, end = where.extent(node.args[-1])
                edits.append((start, end, f"{high} + 1"))
        return edits

    return rewrite(code, spans, edits_of)
