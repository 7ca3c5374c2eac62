"""Negative indices written plainly: `xs[(-1)]` → `xs[-1]`, `url[:(-4)]` → `url[:-4]`.

Some training snippets were normalised by a printer that wraps every unary minus in
parentheses, and the generator and the retrieved pairs hand that spelling on. Inside a
subscript the parentheses never change the meaning, no Python programmer writes them, and the
references people compare against (CoNaLa's) do not either.
"""

from __future__ import annotations

import ast

from codeqa_model.pyast import Edits, SourcePositions, rewrite

Spans = tuple[tuple[int, int], ...]


def plain_negative_indices(code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with the parentheses around a negated number or name used as an index or a slice
    bound dropped; `spans` moved with the text. Unchanged when nothing is wrapped."""
    if "(-" not in code:
        return code, spans
    return rewrite(code, spans, _unwrapped)


def _unwrapped(tree: ast.Module, where: SourcePositions) -> Edits:
    """Edits dropping the parentheses around each negated atom a subscript holds."""
    edits: Edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript):
            continue
        index = node.slice
        bounds = [index.lower, index.upper, index.step] if isinstance(index, ast.Slice) else [index]
        for bound in bounds:
            if not _negated_atom(bound):
                continue
            start, end = where.extent(bound)
            if where.code[start - 1 : start] == "(" and where.code[end : end + 1] == ")":
                edits += [(start - 1, start, ""), (end, end + 1, "")]
    return edits


def _negated_atom(node: ast.expr | None) -> bool:
    """`-1` or `-n`: a minus before a number or a name, nothing that needs grouping."""
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant | ast.Name)
    )
