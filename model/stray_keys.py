"""Drop a sort/max/min key that reads a field or position the intent never mentions.

The beam and the retrieved answers carry their Stack Overflow question's data shape: "get the
maximum value in list `nums`" gets `max(nums, key=lambda x: x['score'])`, "sort list `xs` in
reverse" `sorted(xs, key=lambda item: item['date'], reverse=True)`. A key that reads a field by
a literal ('score', 'date', `attrgetter('anniversary_score')`) the intent does not name is the
question's, not the user's: without it the call does what was asked (`max(nums)`). So is a key
reading a position (`lambda x: x[2]`, `itemgetter(1)`) under an intent that names no position and
sorts by nothing ("sort list `xs` in descending order"). The question's other choices go the same
way: `reverse=True` under an intent that asks for no reversed or largest-first order ("sort
`people` by age"), and a number base under one that names none (`int(s, 16)` for "convert string
`s` to an integer": `int('42', 16)` is 66).
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import SourcePositions, parse_quietly, replace_ranges

Spans = tuple[tuple[int, int], ...]
# Words that ask for an order or a pick by something, where a key reading a position may be meant.
_BY_POSITION = re.compile(
    r"\b(?:by|key|keys|element|elements|item|items|index|indices|column|columns|field|fields|"
    r"position|tuple|tuples|pair|pairs|first|second|third|fourth|fifth|last|nth|\d+(?:st|nd|rd|th)|"
    r"lambda|itemgetter|based|according|zip|zipped|together)\b"
)

_BY_KEY = re.compile(r"\bby\s+(?:its\s+|the\s+)?keys?\b")
# Words that ask for a largest-first or reversed order, where `reverse=True` may be meant.
_ASKS_TO_REVERSE = re.compile(
    r"\b(?:revers\w*|descend\w*|decreas\w*|desc|backwards?|inverse|inverted|opposite|largest|"
    r"biggest|highest|greatest|longest|most|top|max\w*|newest|latest|recent|last|high|big|large|"
    r"z to a)\b"
)
# Words that name a number base (or a number, which may be one), where `int(s, 16)` may be meant.
_NAMES_A_BASE = re.compile(r"\b(?:hex\w*|binary|bin|octal|oct|base|radix|bits?)\b|\d")
# the quoted values: a number there is the text to convert ("string '42' to an integer")
_QUOTED_TEXT = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)|(?<!\w)\"[^\"\n]*\"(?!\w)")


def drop_stray_keys(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` without `key=` arguments that read a field the intent does not name (a key
    reading it from something else keeps that: `lambda x: d[x]['w']` → `lambda x: d[x]`), an
    unasked `reverse=True` or base, `spans` moved with the text; unchanged when there is none
    (or a span would be cut)."""
    if "key=" not in code and "reverse=" not in code and "int(" not in code:
        return code, spans
    tree = parse_quietly(code)
    if tree is None:
        return code, spans
    said = intent.lower()
    reverse_asked = _ASKS_TO_REVERSE.search(said) is not None
    base_named = _NAMES_A_BASE.search(_QUOTED_TEXT.sub(" ", said)) is not None
    where = SourcePositions(code)
    cuts: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        args = [*node.args, *node.keywords]
        if not base_named and _has_a_base(node):
            cuts.append(_argument_cut(args, 1, where))
        for i, kw in enumerate(node.keywords):
            unasked = kw.arg == "reverse" and not reverse_asked
            if unasked and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                cuts.append(_argument_cut(args, len(node.args) + i, where))
                continue
            field = _field_read(kw.value) if kw.arg == "key" else None
            if field is None:
                continue
            if isinstance(field, int):
                # "sort dict `d` by key": `sorted(d.items(), key=lambda x: x[1])` sorts by value
                by_key = field == 1 and _BY_KEY.search(said) and "value" not in said
                if _BY_POSITION.search(said) and not by_key:
                    continue
            elif field.lower() in said:
                continue
            body = kw.value.body if isinstance(kw.value, ast.Lambda) else None
            strings = body is not None and not isinstance(field, int)
            inner = _under_fields(body, said) if strings else None
            if inner is not None and not _is_param(inner, kw.value):
                # `lambda x: d[x]['weight']`: the key without the field (`lambda x: d[x]`)
                start = where.offset(inner.end_lineno or inner.lineno, inner.end_col_offset or 0)
                end = where.offset(body.end_lineno or body.lineno, body.end_col_offset or 0)
                cuts.append((start, end))
                continue
            cuts.append(_argument_cut(args, len(node.args) + i, where))
    merged: list[tuple[int, int]] = []  # two cut neighbours can share a comma
    for start, end in sorted(cuts):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return replace_ranges(code, spans, [(start, end, "") for start, end in merged])


def _argument_cut(args: list[ast.AST], at: int, where: SourcePositions) -> tuple[int, int]:
    """The text range that removes call argument `at` (positional or keyword) and its comma."""
    arg = args[at]
    value = arg.value if isinstance(arg, ast.keyword) else arg
    end = where.offset(value.end_lineno or arg.lineno, value.end_col_offset or 0)
    if at > 0:  # from the end of the argument before it: `max(nums, key=...)`
        prev = args[at - 1]
        prev_value = prev.value if isinstance(prev, ast.keyword) else prev
        start = where.offset(prev_value.end_lineno or 1, prev_value.end_col_offset or 0)
    else:  # the first argument: up to the next one, if any (`xs.sort(key=..., ...)`)
        start = where.offset(arg.lineno, arg.col_offset)
        if at + 1 < len(args):
            nxt = args[at + 1]
            end = where.offset(nxt.lineno, nxt.col_offset)
    return start, end


def _has_a_base(call: ast.Call) -> bool:
    """Whether `call` is `int(text, base)` (or `base=`) with a literal base other than 10, the
    base its second argument."""
    if not (isinstance(call.func, ast.Name) and call.func.id == "int"):
        return False
    if len(call.args) == 2 and not call.keywords:
        base = call.args[1]
    elif len(call.args) == 1 and [k.arg for k in call.keywords] == ["base"]:
        base = call.keywords[0].value
    else:
        return False
    return isinstance(base, ast.Constant) and type(base.value) is int and base.value != 10


def _under_fields(body: ast.expr, said: str) -> ast.expr:
    """What `body` reads its unnamed literal fields from (`e` for `e['key']['subkey']`)."""
    while (
        isinstance(body, ast.Subscript)
        and isinstance(body.slice, ast.Constant)
        and isinstance(body.slice.value, str)
        and body.slice.value.lower() not in said
    ):
        body = body.value
    return body


def _is_param(node: ast.expr, fn: ast.expr) -> bool:
    """Whether `node` is the lambda `fn`'s own (first) parameter."""
    args = fn.args.args if isinstance(fn, ast.Lambda) else []
    return isinstance(node, ast.Name) and bool(args) and node.id == args[0].arg


def _field_read(value: ast.expr) -> str | int | None:
    """'f' for `lambda x: x['f']`, `itemgetter('f')`, `attrgetter('f')`; 2 for `lambda x: x[2]`
    and `itemgetter(2)`; else None."""
    if isinstance(value, ast.Lambda):
        body = value.body
        read = isinstance(body, ast.Subscript) and isinstance(body.slice, ast.Constant)
        if read and (_is_param(body.value, value) or isinstance(body.slice.value, str)):
            return _str_or_int(body.slice.value)
        return _only_field(value)
    if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords:
        name = value.func.attr if isinstance(value.func, ast.Attribute) else None
        name = value.func.id if isinstance(value.func, ast.Name) else name
        arg = value.args[0]
        if name == "itemgetter" and isinstance(arg, ast.Constant):
            return _str_or_int(arg.value)
        if name == "attrgetter" and isinstance(arg, ast.Constant):
            return arg.value if isinstance(arg.value, str) else None
    return None


def _only_field(key: ast.Lambda) -> str | int | None:
    """The one field a longer lambda reads wherever it uses its parameter (`lambda x:
    float('inf') if math.isnan(x[1]) else x[1]` reads 1); None when it reads several, uses the
    parameter whole, or has no one parameter."""
    if len(key.args.args) != 1 or key.args.vararg or key.args.kwarg:
        return None
    param = key.args.args[0].arg
    uses = sum(isinstance(n, ast.Name) and n.id == param for n in ast.walk(key.body))
    reads = [
        n.slice.value
        for n in ast.walk(key.body)
        if isinstance(n, ast.Subscript)
        and isinstance(n.value, ast.Name)
        and n.value.id == param
        and isinstance(n.slice, ast.Constant)
    ]
    if uses == 0 or len(reads) != uses or len(set(reads)) != 1:
        return None
    return _str_or_int(reads[0])


def _str_or_int(value: object) -> str | int | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, str | int) else None
