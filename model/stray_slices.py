"""Drop a slice of the user's value that the intent never asks for: `parts[1:]` → `parts`.

"join the list of strings `parts` with commas" retrieves `''.join(var_0[1:])`, whose question
was "concatenate items … starting from the second element": the join asked for, over all but
the first item. A slice with a literal bound (`xs[1:]`, `s[:-1]`, `xs[2:5]`) of a value the
intent gives by name is the question's choice when the intent says nothing of positions, parts
or counts: no number, no "first", "last", "from", "until", "except", "every", …. Steps
(`s[::-1]`, `xs[::2]`) are left alone: they reverse or pick, which other words ask for.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

from codeqa_model.intent_conflicts import ticked_names
from codeqa_model.pyast import Edits, SourcePositions, rewrite, whole_number

Spans = tuple[tuple[int, int], ...]
# Any word about positions, parts or counts, or a digit: then a slice may be meant.
_ASKS_FOR_PART = re.compile(
    r"\d|\b(?:first|last|second|third|fourth|fifth|nth|start\w*|begin\w*|"
    r"end\w*|from|until|till|up to|before|after|between|except|without|but|skip\w*|drop\w*|"
    r"remov\w*|delet\w*|strip\w*|trim\w*|cut\w*|slic\w*|sub\w*|part\w*|piece\w*|prefix\w*|"
    r"suffix\w*|head|tail|index\w*|indices|position\w*|half|halves|middle|every|other|rest|"
    r"all but|leading|trailing|one|two|three|four|five|six|seven|eight|nine|ten|few|some|n)\b",
    re.IGNORECASE,
)

_VALUES = re.compile(r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"")  # names and strings say nothing


def drop_stray_slices(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` without the literal-bound slices of the intent's named values (`parts[1:]` →
    `parts`) where the intent asks for no part of anything; `spans` moved with the text;
    unchanged otherwise."""
    if "[" not in code or ":" not in code or _ASKS_FOR_PART.search(_VALUES.sub(" ", intent)):
        return code, spans
    names = set(ticked_names(intent))
    if not names:
        return code, spans

    def edits_of(tree: ast.Module, where: SourcePositions) -> Edits:
        subscripts = [
            (n.value.id, n)
            for n in ast.walk(tree)
            if isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Name)
            and n.value.id in names
        ]
        # a value read in pieces (`s[0].upper() + s[1:]`) is cut on purpose
        reads = Counter(name for name, _ in subscripts)
        return [
            (where.extent(node.value)[1], where.extent(node)[1], "")
            for name, node in subscripts
            if reads[name] == 1 and _literal_bounds(node.slice)
        ]

    return rewrite(code, spans, edits_of)


def _literal_bounds(index: ast.expr) -> bool:
    """A slice with no step whose bounds are whole-number literals (`1:`, `:-1`, `2:5`)."""
    if not isinstance(index, ast.Slice) or index.step is not None:
        return False
    bounds = [b for b in (index.lower, index.upper) if b is not None]
    return bool(bounds) and all(whole_number(b) is not None for b in bounds)
