"""Offer the expression where a candidate wraps it in a statement that only breaks it.

CoNaLa's canonical snippets spell many checks as an `if` with an empty body (`if ('name' in
d):\n    pass`), and the model learned to write them so. Pasted into a file it does nothing; the
user asked whether C holds, and C is what they can use (`'name' in d`, in an `if`, an `assert`
or a `return` of their own). Likewise a lone `return X` is a SyntaxError outside a function,
and X is the answer.
"""

from __future__ import annotations

import ast

from codeqa_model.pyast import SourcePositions, parse_quietly

Spans = tuple[tuple[int, int], ...]


def bare_expression(code: str, spans: Spans) -> tuple[str, Spans]:
    """C for a candidate that is only `if C: pass`, X for one that is only `return X` (spans
    moved with it); the candidate unchanged otherwise."""
    if not code.startswith(("if", "return")):
        return code, spans
    tree = parse_quietly(code)
    if tree is None or len(tree.body) != 1:
        return code, spans
    expr = _wrapped(tree.body[0])
    if expr is None:
        return code, spans
    where = SourcePositions(code)
    start = where.offset(expr.lineno, expr.col_offset)
    end = where.offset(expr.end_lineno or expr.lineno, expr.end_col_offset or 0)
    if any(s < start or e > end for s, e in spans):
        return code, spans
    return code[start:end], tuple((s - start, e - start) for s, e in spans)


def _wrapped(node: ast.stmt) -> ast.expr | None:
    """X of `return X`, C of `if C: pass` with no else; None for any other statement."""
    if isinstance(node, ast.Return):
        return node.value
    if isinstance(node, ast.If) and not node.orelse and len(node.body) == 1:
        return node.test if isinstance(node.body[0], ast.Pass) else None
    return None
