"""Test for the substring the intent quotes, not for its letters: `any(e in s for e in 'error')`
→ `'error' in s` under "check if the string `s` contains the substring 'error'".

The nearest Stack Overflow pair for a substring test is often "does the string contain any of
the items of list `lelist`", `any(e in lestring for e in lelist)`; with the intent's quoted
value put in for the list it tests each letter, and the API check rightly fails it ("loops over
the letters of 'error'"). Where the check would (a quoted value of more than one letter, an
intent that asks for no letters or characters: `intent_conflicts.letters_looped`), `any(...)`
or `all(...)` over the value's letters becomes the membership test it meant; `not any(...)`
becomes `'error' not in s`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from codeqa_model.intent_conflicts import letters_looped
from codeqa_model.pyast import SourcePositions, parse_quietly

Spans = tuple[tuple[int, int], ...]
_MAX_TESTS = 3  # rewrites per candidate (one is the usual)


def substring_membership(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each any/all over a quoted value's letters made a test for the value;
    `spans` (the value's and the tested name's among them) moved with the text; unchanged
    where there is none."""
    if "any(" not in code and "all(" not in code:
        return code, spans
    quoted = letters_looped(intent)
    if not quoted:
        return code, spans
    for _ in range(_MAX_TESTS):
        tree = parse_quietly(code)
        found = None if tree is None else _first_test(tree, SourcePositions(code), quoted)
        if found is None:
            break
        code, spans = _rebuild(code, spans, *found)
    return code, tuple(spans)


def _first_test(
    tree: ast.Module, where: SourcePositions, quoted: frozenset[str]
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], bool] | None:
    """(the test's extent, the value's, the tested expression's, negated) of the first
    any/all over a quoted value's letters."""
    negated = {id(n.operand): n for n in ast.walk(tree) if _is_not(n)}
    for node in ast.walk(tree):
        found = _letters_test(node, quoted)
        if found is not None:
            value, haystack = found
            outer = negated.get(id(node))
            whole = where.extent(outer if outer is not None else node)
            return whole, where.extent(value), where.extent(haystack), outer is not None
    return None


def _rebuild(
    code: str,
    spans: Sequence[tuple[int, int]],
    whole: tuple[int, int],
    value: tuple[int, int],
    haystack: tuple[int, int],
    negated: bool,
) -> tuple[str, Spans]:
    """`code` with `whole` made `<value> in <haystack>` (`not in` when negated), spans inside
    the value or the haystack moved with them, others inside `whole` dropped."""
    start, end = whole
    head = code[:start]
    new_value = len(head)
    middle = " not in " if negated else " in "
    new_haystack = new_value + (value[1] - value[0]) + len(middle)
    text = code[value[0] : value[1]] + middle + code[haystack[0] : haystack[1]]
    shift = len(text) - (end - start)
    moved = []
    for s, e in spans:
        if e <= start:
            moved.append((s, e))
        elif s >= end:
            moved.append((s + shift, e + shift))
        elif value[0] <= s and e <= value[1]:
            moved.append((s - value[0] + new_value, e - value[0] + new_value))
        elif haystack[0] <= s and e <= haystack[1]:
            moved.append((s - haystack[0] + new_haystack, e - haystack[0] + new_haystack))
    return head + text + code[end:], tuple(moved)


def _is_not(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)


def _letters_test(node: ast.AST, quoted: frozenset[str]) -> tuple[ast.expr, ast.expr] | None:
    """(the quoted value, the tested expression) of `any(v in X for v in 'lit')`."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("any", "all")
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.GeneratorExp)
    ):
        return None
    gen = node.args[0]
    if len(gen.generators) != 1:
        return None
    (loop,) = gen.generators
    test = gen.elt
    if (
        loop.ifs
        or loop.is_async
        or not isinstance(loop.target, ast.Name)
        or not isinstance(loop.iter, ast.Constant)
        or not isinstance(loop.iter.value, str)
        or loop.iter.value not in quoted
        or len(loop.iter.value) < 2
        or not isinstance(test, ast.Compare)
        or len(test.ops) != 1
        or not isinstance(test.ops[0], ast.In)
        or not isinstance(test.left, ast.Name)
        or test.left.id != loop.target.id
    ):
        return None
    haystack = test.comparators[0]
    if any(isinstance(n, ast.Name) and n.id == loop.target.id for n in ast.walk(haystack)):
        return None
    return loop.iter, haystack
