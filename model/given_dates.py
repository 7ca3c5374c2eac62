"""Read the date the intent gives, not today's: `datetime.datetime.now().strftime('%Y')` →
`d.strftime('%Y')` under "get the year of the date `d`".

Most date answers on Stack Overflow show their method on `datetime.now()` or `date.today()`, so
the nearest pair for "format the datetime `now` as ..." formats the present moment and leaves
the user's value unread. Where the intent names exactly one date or datetime (a back-ticked
name after "date" or "datetime", `api_check.declared_types`) that the code never reads, each
argument-free `now()`, `today()` or `utcnow()` of `datetime`/`date` becomes that name; under a
date, `datetime.now().date()` does as a whole (a date has no `.date()`). Code that is nothing
but today's date is left alone: the user's value on its own answers nothing.
"""

from __future__ import annotations

import ast

from codeqa_model.api_check import declared_types
from codeqa_model.pyast import Edits, SourcePositions, dotted_parts, lone_expression, rewrite

Spans = tuple[tuple[int, int], ...]
_DATE_TYPES = frozenset({"date", "datetime"})
_TODAY = frozenset({"now", "today", "utcnow"})
# what `now()`/`today()` is called on: the class, or the module's class
_OWNERS = frozenset({("datetime",), ("date",), ("datetime", "datetime"), ("datetime", "date")})


def use_given_date(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with today's date or time replaced by the one date the intent names, when the code
    reads no name of it; `spans` moved with the text; unchanged otherwise."""
    if not any(f"{word}(" in code for word in _TODAY):
        return code, spans
    given = [(name, kind) for name, kind in declared_types(intent).items() if kind in _DATE_TYPES]
    if len(given) != 1:
        return code, spans
    name, kind = given[0]
    return rewrite(code, spans, lambda tree, where: _edits(tree, where, name, kind))


def _edits(tree: ast.Module, where: SourcePositions, name: str, kind: str) -> Edits:
    if any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(tree)):
        return []
    todays = {id(node): node for node in ast.walk(tree) if _is_today(node)}
    edits: Edits = []
    for node in ast.walk(tree):
        inner = node.func.value if _is_method(node, "date") else None
        if kind == "date" and inner is not None and id(inner) in todays:
            edits.append((*where.extent(node), name))  # `now().date()` whole
            del todays[id(inner)]
    edits += [(*where.extent(node), name) for node in todays.values()]
    whole = lone_expression(tree)
    if whole is not None and any(where.extent(whole) == (s, e) for s, e, _ in edits):
        return []  # `date.today()` alone: the user's `d` as it stands answers nothing
    return edits


def _is_method(node: ast.AST, method: str) -> bool:
    """`<value>.method()` with no arguments."""
    return (
        isinstance(node, ast.Call)
        and not node.args
        and not node.keywords
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
    )


def _is_today(node: ast.AST) -> bool:
    """`datetime.now()`, `datetime.datetime.today()`, `date.today()`, ... with no arguments."""
    if not isinstance(node, ast.Call) or node.args or node.keywords:
        return False
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in _TODAY:
        return False
    owner = dotted_parts(func.value)
    return owner is not None and tuple(owner) in _OWNERS
