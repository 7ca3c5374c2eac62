"""`if C:\n    pass` is an answer to "check if ..." that checks nothing: give the condition.

CoNaLa's canonical snippets spell many checks as an `if` with an empty body (`if ('name' in
d):\n    pass`), and the model learned to write them so. Pasted into a file it does nothing; the
user asked whether C holds, and C is what they can use (`'name' in d`, in an `if`, an `assert`
or a `return` of their own).
"""

from __future__ import annotations

import ast

from codeqa_model.pyast import SourcePositions, parse_quietly

Spans = tuple[tuple[int, int], ...]


def condition_of_empty_if(code: str, spans: Spans) -> tuple[str, Spans]:
    """The condition of a candidate that is only `if C: pass` (spans moved with it); the
    candidate unchanged otherwise."""
    if not code.startswith("if") or "pass" not in code:
        return code, spans
    tree = parse_quietly(code)
    if tree is None or len(tree.body) != 1:
        return code, spans
    node = tree.body[0]
    if not (
        isinstance(node, ast.If)
        and not node.orelse
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Pass)
    ):
        return code, spans
    where = SourcePositions(code)
    start = where.offset(node.test.lineno, node.test.col_offset)
    end = where.offset(node.test.end_lineno or node.test.lineno, node.test.end_col_offset or 0)
    if any(s < start or e > end for s, e in spans):
        return code, spans
    return code[start:end], tuple((s - start, e - start) for s, e in spans)
