"""Which functions a piece of code calls, by name: the unit of "API hit" and "unseen API".

`called_names("os.path.join(a, b).split()")` is {"join", "split"} — the final attribute or name
of every call, so `np.sort(x)` and `numpy.sort(x)` agree and receivers (user variables) do not
count. Code that does not parse falls back to a `name(` regex, so model output still scores.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

from codeqa_model.pyast import parse_quietly

_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
_KEYWORDS = frozenset(
    {"if", "elif", "for", "while", "return", "in", "and", "or", "not", "with", "assert", "lambda"}
)


def called_names(code: str) -> frozenset[str]:
    """Final name of every called function or method in `code`."""
    tree = parse_quietly(code)
    if tree is None:
        return frozenset(m for m in _CALL.findall(code) if m not in _KEYWORDS)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return frozenset(names)


def api_hit(reference: str, candidate: str) -> bool | None:
    """Whether `candidate` calls every function `reference` calls; None if it calls none."""
    want = called_names(reference)
    if not want:
        return None
    return want <= called_names(candidate)


def api_hit_rate(references: Sequence[str], candidates: Sequence[Sequence[str]]) -> float | None:
    """Share of references (that call something) with an API hit among their candidates."""
    hits = [
        any(api_hit(ref, c) for c in cands)
        for ref, cands in zip(references, candidates, strict=True)
        if called_names(ref)
    ]
    return sum(hits) / len(hits) if hits else None


def unseen_api(references: Sequence[str], train_code: Iterable[str]) -> list[int]:
    """Indices of references calling at least one function no training snippet calls."""
    seen: set[str] = set()
    for code in train_code:
        seen |= called_names(code)
    return [i for i, ref in enumerate(references) if called_names(ref) - seen]
