"""A block that does the right thing the wrong way round: the order, the end or the part the
intent states, reversed.

Wrong code under an everyday intent is often the right call turned around: `sorted(items)`
under "sort `items` from largest to smallest", `lines[:10]` under "the last 10 lines",
`s[-3:]` under "the first 3 characters", `datetime.now().time()` under "the current date
without the time". Read as tokens it is a sort, a slice or a call of the right thing, and the
matcher scores it high (hand-written validation blocks: 0.90, 0.83, 0.47, 0.88). These facts
are read off the syntax tree and the intent's words, as `effect_evidence` reads its own; the
combiner weighs them (`CONTRARY_FEATURES`), and `contrary_reason` says which one held.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from codeqa_model.pyast import parse_quietly, whole_number
from codeqa_model.slots import spelled_numbers_as_digits
from codeqa_model.sort_order import ASKS_LARGEST_FIRST, is_sort, negates, read_backwards

CONTRARY_FEATURES = ("contrary",)

_SMALL = r"(?:lowest|smallest|least|shortest|oldest|earliest|fewest)"
_LARGE = r"(?:highest|largest|biggest|greatest|longest|newest|latest|most)"
# Plain words for a smallest-first order (not "a to z": a reversed sort there is rare and the
# words are often a range).
_ASKS_SMALLEST_FIRST = re.compile(
    rf"\b(?:ascending|ascendingly|increasing|{_SMALL} to {_LARGE}|{_SMALL} (?:\w+ )?first)\b",
    re.IGNORECASE,
)
# "the last 10 lines", "first 3 characters": an end and a count
_END_AND_COUNT = re.compile(r"\b(first|last)\s+(\d+)\b", re.IGNORECASE)
# "the last element of `xs`": an end and one item
_END_ITEM = re.compile(
    r"\b(first|last)\s+(?:element|item|character|char|letter|line|word|value|entry|row|one)\b"
    r"(?!s)",
    re.IGNORECASE,
)
# "the current date without the time": what the answer leaves out
_WITHOUT = re.compile(r"\bwithout\s+(?:the\s+|its\s+|any\s+)?([a-z]+)", re.IGNORECASE)
_SHORT = {"directory": "dir", "extension": "ext", "folder": "dir"}
_ENDS = re.compile(r"\b(?:first|last)\b", re.IGNORECASE)
_BOTH_ENDS = re.compile(r"\bfirst\b.*\blast\b|\blast\b.*\bfirst\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def contrary_reason(intent: str, code: str) -> str | None:
    """What the block does the other way round from its intent, as a reason; None when
    nothing does (or the code does not parse)."""
    order = "sort" in code and (
        ASKS_LARGEST_FIRST.search(intent) or _ASKS_SMALLEST_FIRST.search(intent)
    )
    end = _ENDS.search(intent)
    left_out = _WITHOUT.search(intent)
    if not (order or end or left_out):
        return None  # most pairs: no syntax tree needed
    tree = parse_quietly(code)
    if tree is None or not tree.body:
        return None
    return (
        (order and _order(intent, tree))
        or (end and _end(intent, tree))
        or (left_out and _left_out(left_out.group(1).lower(), tree))
        or None
    )


def contrary(intent: str, code: str) -> list[float]:
    """`CONTRARY_FEATURES` for one pair: 1.0 when `contrary_reason` finds something."""
    return [0.0 if contrary_reason(intent, code) is None else 1.0]


def _order(intent: str, tree: ast.Module) -> str | None:
    """A sort the wrong way: no reverse under "largest first", `reverse=True` under
    "smallest first". A sort reversed some other way (a negating key, `[::-1]`), one that
    states its order with pandas' `ascending=`, and an intent that asks for both orders are
    left."""
    sorts = [n for n in ast.walk(tree) if is_sort(n) and not _states_order(n)]
    if not sorts or read_backwards(tree):
        return None
    largest, smallest = ASKS_LARGEST_FIRST.search(intent), _ASKS_SMALLEST_FIRST.search(intent)
    if largest and smallest:  # "descending, then ascending": one sort cannot be judged
        return None
    if largest:
        for call in sorts:
            if any(kw.arg is None or kw.arg == "reverse" for kw in call.keywords):
                continue
            if any(kw.arg == "key" and negates(kw.value) for kw in call.keywords):
                continue
            return "sorts smallest first; the intent asks for largest first"
    elif smallest:
        for call in sorts:
            if any(kw.arg == "reverse" and _is_true(kw.value) for kw in call.keywords):
                return "sorts largest first; the intent asks for smallest first"
    return None


def _end(intent: str, tree: ast.Module) -> str | None:
    """The other end: `[:n]` or `.head(n)` under "the last n", `[-n:]` or `.tail(n)` under
    "the first n"; `[0]` under "the last item", `[-1]` under "the first item". Not under an
    intent that names both ends."""
    text = spelled_numbers_as_digits(intent)
    if _BOTH_ENDS.search(text):  # "the first and last 3 elements"
        return None
    counted = _END_AND_COUNT.search(text)
    if counted is not None:
        end, n = counted.group(1).lower(), int(counted.group(2))
        for node in ast.walk(tree):
            took = _slice_end(node, n) or _pandas_end(node, n)
            if took is not None and took != end:
                return f"takes the {took} {n}; the intent asks for the {end} {n}"
        return None
    item = _END_ITEM.search(text)
    if item is None:
        return None
    end = item.group(1).lower()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            took = {0: "first", -1: "last"}.get(whole_number(node.slice))
            if took is not None and took != end:
                return f"takes the {took} one; the intent asks for the {end}"
    return None


def _states_order(call: ast.Call) -> bool:
    """A pandas sort's own order keyword (`ascending=[True, False]`): read, not judged."""
    return any(kw.arg == "ascending" for kw in call.keywords)


def _slice_end(node: ast.AST, n: int) -> str | None:
    """ "first" for `x[:n]`, "last" for `x[-n:]`; None for anything else."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Slice):
        return None
    part = node.slice
    if part.step is not None:
        return None
    if part.lower is None and part.upper is not None and whole_number(part.upper) == n:
        return "first"
    if part.upper is None and part.lower is not None and whole_number(part.lower) == -n:
        return "last"
    return None


def _pandas_end(node: ast.AST, n: int) -> str | None:
    """ "first" for `df.head(n)`, "last" for `df.tail(n)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if len(node.args) != 1 or whole_number(node.args[0]) != n:
        return None
    return {"head": "first", "tail": "last"}.get(node.func.attr)


def _left_out(word: str, tree: ast.Module) -> str | None:
    """The value the block ends with is a call of `word`, what the intent says to leave out:
    `datetime.now().time()` under "without the time", `os.path.dirname(p)` under "without its
    directory"."""
    last = tree.body[-1]
    value = getattr(last, "value", None)
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    name = name.lower()
    short = _SHORT.get(word)
    if name == word or (short is not None and name.startswith(short)):
        return f"ends with {name}(), which the intent asks to leave out"
    return None


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
