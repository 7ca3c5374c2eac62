"""Sort in the order the intent asks for, and only when it asks to sort.

`sort_largest_first`: `xs.sort()` → `xs.sort(reverse=True)`.

"sort the numbers in `scores` from highest to lowest" gets `scores.sort()` from the beam: the
sort the user wants, in the order they did not. Under an intent that plainly asks for a
largest-first order ("descending", "highest to lowest", "longest first"), a `sorted(…)` or
`….sort(…)` call that says nothing of its order gets `reverse=True`. The twin of
`stray_keys`, which drops a `reverse=True` no intent word asks for. A call already reversed
some other way is left alone: a `reverse=` of its own, a key that negates (`key=lambda x: -x`),
or its result read backwards (`sorted(xs)[::-1]`, `reversed(sorted(xs))`).

`reverse_without_sorting`: "reverse list `xs`" gets `sorted(xs, reverse=True)` (Stack Overflow
asks to sort in reverse far more often than to reverse): a reversed sort where the intent says
reverse and nothing about sorting or order becomes the reversal it asked for, `xs[::-1]`
(`xs.sort(reverse=True)` → `xs.reverse()`).

`sort_only_when_asked`: "get the keys of dict `d` as a list" gets
`sorted(list(d.keys()), key=lambda x: d[x])`. A `sorted(…)` of a list (`list(…)`, a list
comprehension) under an intent with no word about order is that list: the sort was the
question's, not the user's, and leaving it out keeps the type.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import Edits, SourcePositions, parse_quietly, replace_ranges, rewrite

Spans = tuple[tuple[int, int], ...]
_SMALL = r"(?:lowest|smallest|least|low|small|shortest|oldest|earliest|fewest|a)"
_LARGE = r"(?:highest|largest|biggest|greatest|longest|newest|latest|most|high|big|large|z)"
# Only plain words for a largest-first order: "most recent" or "top" may mean a pick, not a sort.
ASKS_LARGEST_FIRST = re.compile(
    rf"\b(?:descending|descendingly|decreasing|desc|reversed? order|in reverse|"
    rf"{_LARGE} to {_SMALL}|{_LARGE} (?:\w+ )?first|{_LARGE} (?:one|ones|value|values) first)\b",
    re.IGNORECASE,
)


def sort_largest_first(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with `reverse=True` added to each sort call that states no order, under an intent
    that asks for a largest-first one; `spans` moved with the text; unchanged otherwise."""
    if "sort" not in code or not ASKS_LARGEST_FIRST.search(intent):
        return code, spans
    tree = parse_quietly(code)
    if tree is None or read_backwards(tree):
        return code, spans
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not is_sort(node) or any(kw.arg in ("reverse", None) for kw in node.keywords):
            continue
        if any(kw.arg == "key" and negates(kw.value) for kw in node.keywords):
            continue
        end = where.extent(node)[1] - 1
        if code[end] != ")":
            continue
        has_args = bool(node.args or node.keywords)
        edits.append((end, end, ", reverse=True" if has_args else "reverse=True"))
    return replace_ranges(code, spans, edits)


_ASKS_TO_REVERSE = re.compile(r"\brevers\w*", re.IGNORECASE)
# Any word about sorting or ranking: then a reversed sort may be what is meant.
_ASKS_FOR_ORDER = re.compile(
    r"\b(?:sort\w*|order\w*|rank\w*|ascend\w*|descend\w*|alphabet\w*|increas\w*|decreas\w*|"
    r"largest|smallest|highest|lowest|biggest|greatest|longest|shortest|top|most|least|"
    r"max\w*|min\w*|by)\b",
    re.IGNORECASE,
)


# A value the user names (`xs`, `self.items`, `rows[0]`): a list, tuple or string, which a
# slice reverses. Not a call's result (`d.keys()` cannot be sliced) or an expression.
_SLICEABLE = (ast.Name, ast.Attribute, ast.Subscript)


def reverse_without_sorting(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with a reversed sort of one value (`sorted(x, reverse=True)`,
    `x.sort(reverse=True)`) made a plain reversal (`x[::-1]`, `x.reverse()`) under an intent
    that says reverse and asks for no order; `spans` moved with the text."""
    if "reverse=" not in code or not _ASKS_TO_REVERSE.search(intent):
        return code, spans
    if _ASKS_FOR_ORDER.search(intent):
        return code, spans
    return rewrite(code, spans, _reversals)


def _reversals(tree: ast.Module, where: SourcePositions) -> Edits:
    """Edits making each sort whose only keyword is `reverse=True` a plain reversal."""
    edits: Edits = []
    for node in ast.walk(tree):
        if not is_sort(node) or not _only_reverse(node):
            continue
        start, end = where.extent(node)
        if isinstance(node.func, ast.Name):  # sorted(x, reverse=True) → x[::-1]
            if len(node.args) != 1 or not isinstance(node.args[0], _SLICEABLE):
                continue
            arg_start, arg_end = where.extent(node.args[0])
            edits += [(start, arg_start, ""), (arg_end, end, "[::-1]")]
        elif isinstance(node.func, ast.Attribute) and not node.args:  # x.sort(…) → x.reverse()
            edits.append((where.extent(node.func.value)[1], end, ".reverse()"))
    return edits


def sort_only_when_asked(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each `sorted(<a list>, …)` replaced by the list under an intent that asks
    for no order; `spans` moved with the text; unchanged otherwise."""
    if "sorted(" not in code or _ASKS_FOR_ORDER.search(intent):
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    where = SourcePositions(code)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not (is_sort(node) and isinstance(node.func, ast.Name)) or len(node.args) != 1:
            continue
        arg = node.args[0]
        is_list = isinstance(arg, ast.ListComp) or (
            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "list"
        )
        if not is_list:
            continue
        (start, end), (arg_start, arg_end) = where.extent(node), where.extent(arg)
        edits += [(start, arg_start, ""), (arg_end, end, "")]
    # a value only the dropped key read (`d` in `key=lambda x: d[x]`) goes with it
    kept = tuple(
        (s, e) for s, e in spans if not any(a <= s and e <= b for a, b, _ in edits if a < b)
    )
    return replace_ranges(code, kept, edits)


def _only_reverse(call: ast.Call) -> bool:
    """The call's only keyword is `reverse=True`."""
    if len(call.keywords) != 1:
        return False
    kw = call.keywords[0]
    return kw.arg == "reverse" and isinstance(kw.value, ast.Constant) and kw.value.value is True


def is_sort(node: ast.AST) -> bool:
    """`sorted(…)` or `<anything>.sort(…)`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "sorted" and bool(node.args)
    return isinstance(func, ast.Attribute) and func.attr == "sort"


def negates(key: ast.expr) -> bool:
    """A key that sorts largest first by itself: `lambda x: -x`, `lambda x: (-x[1], x[0])`."""
    if not isinstance(key, ast.Lambda):
        return False
    body = key.body
    first = body.elts[0] if isinstance(body, ast.Tuple) and body.elts else body
    return isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.USub)


def read_backwards(tree: ast.AST) -> bool:
    """Whether the code reverses some other way: `[::-1]`, `reversed(…)`, `.reverse()`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Slice) and isinstance(node.step, ast.UnaryOp):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "reversed":
                return True
            if isinstance(func, ast.Attribute) and func.attr == "reverse":
                return True
    return False
