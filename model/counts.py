"""Count what the intent asks to count: `os.listdir('data')` → `len(os.listdir('data'))`.

"count the number of files in directory 'data'" and "get the number of lines in string `text`"
retrieve the code that lists the files or splits the lines, whose question asked for the
things, not how many. When the intent's request is a count ("how many …", or it opens with
"count" or "get/find/return/compute the number of …") and the code is one expression that
evaluates to a list, tuple, set or dict (its type read statically: `value_types`), the answer
is that expression's `len`. A number-valued answer (`s.count('a')`, `os.cpu_count()`) and code
of unknown type are left alone; "the number of seconds" that opens no request ("convert the
number of seconds `n` to hours") asks for no count, nor does "count occurrences of each word".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from codeqa_model.asked_types import answer_type
from codeqa_model.pyast import lone_expression, parse_quietly, wrap_whole

Spans = tuple[tuple[int, int], ...]
_ASKS_TO_COUNT = re.compile(
    r"\bhow many\b|^\s*(?:count\b|(?:get|find|return|compute|calculate|print|show)\s+"
    r"(?:the\s+)?(?:number|count|amount|total number)\s+of\b)",
    re.IGNORECASE,
)
# "count occurrences of each word" asks for a tally per item, not one total
_PER_ITEM = re.compile(r"\b(?:each|every|per)\b", re.IGNORECASE)
_COLLECTIONS = frozenset(("list", "tuple", "set", "dict"))


def count_when_asked(
    intent: str, code: str, spans: Spans, returns: Mapping[str, str] | None = None
) -> tuple[str, Spans]:
    """`len(code)` when the intent asks how many and `code` is one collection-valued
    expression; `spans` moved with the text; unchanged otherwise."""
    if not _ASKS_TO_COUNT.search(intent) or _PER_ITEM.search(intent):
        return code, spans
    value = lone_expression(parse_quietly(code))
    if value is None:
        return code, spans
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "len":
        return code, spans
    if answer_type(intent, value, returns) not in _COLLECTIONS:
        return code, spans
    return wrap_whole(code, spans, "len(", ")")
