"""Find the extreme the intent asks for: `scores.values()` → `max(scores.values())`.

"get the largest value in the dict `scores`" retrieves code that reaches the values and asks no
maximum of them (a doc row on `dict.values`, a pair whose question wanted all of them). When
the intent asks for one extreme (the largest or the smallest: `intent_conflicts.asked_extremes`)
of one thing, and the code is one expression whose value is a list, tuple, set or a dict's
keys or values (its type read statically: `value_types`), the answer is its `max` or `min`;
"longest" and "shortest" compare by `len`. A dict itself is left alone (its max is its largest
key, which may or may not be what is asked), as is code of unknown type, and code that
selects by its own choosing (a comprehension, a lambda, a literal the intent never quotes:
`[v for k, v in d.items() if 'Date' in k]`): its extreme would only look like an answer.
Several extremes ("the 3 largest", "the top 5", "each row's maximum", "max and min") ask for
something else.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from codeqa_model.asked_types import answer_type
from codeqa_model.intent_conflicts import FINDS_AN_EXTREME, asked_extremes
from codeqa_model.pyast import lone_expression, parse_quietly, wrap_whole

Spans = tuple[tuple[int, int], ...]
_COLLECTIONS = frozenset(("list", "tuple", "set", "dict_keys", "dict_values"))
# more than one answer: a count of them, a ranking, one per group
_SEVERAL = re.compile(
    r"\b(?:\d+|two|three|four|five|ten|n|k)\s+(?:\w+\s+)?(?:largest|smallest|biggest|highest|"
    r"lowest|greatest|longest|shortest|max\w*|min\w*)\b|\b(?:top|bottom|each|every|per|all)\b",
    re.IGNORECASE,
)
_BY_LENGTH = re.compile(r"\b(?:longest|shortest)\b", re.IGNORECASE)


def find_asked_extreme(
    intent: str, code: str, spans: Spans, returns: Mapping[str, str] | None = None
) -> tuple[str, Spans]:
    """`max(code)` / `min(code)` (`key=len` for longest/shortest) when the intent asks for
    one extreme and `code` is one collection-valued expression; `spans` moved with the text;
    unchanged otherwise."""
    sides = asked_extremes(intent)
    if len(sides) != 1 or _SEVERAL.search(intent):
        return code, spans
    value = lone_expression(parse_quietly(code))
    if value is None or _finds_one(value) or _adds_its_own(value, intent):
        return code, spans
    if answer_type(intent, value, returns) not in _COLLECTIONS:
        return code, spans
    key = ", key=len" if _BY_LENGTH.search(intent) else ""
    return wrap_whole(code, spans, f"{sides[0]}(", f"{key})")


def _finds_one(value: ast.expr) -> bool:
    """Whether the code already calls something that finds an extreme or sorts."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FINDS_AN_EXTREME:
                return True
    return False


_OWN_CHOICE = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)


def _adds_its_own(value: ast.expr, intent: str) -> bool:
    """Whether the code filters or transforms by a choice the intent does not make."""
    for node in ast.walk(value):
        if isinstance(node, _OWN_CHOICE):
            return True
        if isinstance(node, ast.Constant) and str(node.value) not in intent:
            return True
    return False
