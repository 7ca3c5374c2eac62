"""Text shaping for quick fixes: a replacement keeps the assignment target it replaces.

Pure string work (no LSP, no model), like `intents`; `convert` turns the answer into a text
edit. Code is read with `ast` only, never run.
"""

from __future__ import annotations

import ast
import warnings

__all__ = ["with_target"]


def _parse(code: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        try:
            return ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def with_target(old_code: str, suggestion: str) -> str:
    """``suggestion`` with the assignment target of ``old_code`` kept, when that fits.

    ``stamp = json.loads(s)`` replaced by the expression ``datetime.strptime(s, f)`` becomes
    ``stamp = datetime.strptime(s, f)``. Applies only when the old code is one assignment
    (``=``, annotated, or augmented) and the suggestion one bare expression; otherwise the
    suggestion is returned unchanged. Both are dedented code.
    """
    old, new = _parse(old_code), _parse(suggestion)
    if old is None or new is None or len(old.body) != 1 or len(new.body) != 1:
        return suggestion
    statement, replacement = old.body[0], new.body[0]
    if not isinstance(replacement, ast.Expr):
        return suggestion
    if not isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return suggestion
    prefix = _assignment_prefix(old_code, statement)
    if prefix is None:
        return suggestion
    kept = prefix + suggestion
    return kept if _parse(kept) is not None else suggestion


_AUG_OPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.MatMult: "@", ast.Div: "/", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
    ast.BitAnd: "&", ast.FloorDiv: "//",
}  # fmt: skip


def _assignment_prefix(code: str, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> str | None:
    """``"a = b = "``, ``"n: int = "`` or ``"total += "``: the statement without its value."""
    if node.value is None:  # `x: int` binds no value
        return None

    def text(part: ast.AST) -> str | None:
        return ast.get_source_segment(code, part)

    if isinstance(node, ast.Assign):
        targets = [text(t) for t in node.targets]
        return None if None in targets else "".join(f"{t} = " for t in targets)
    target = text(node.target)
    if target is None:
        return None
    if isinstance(node, ast.AnnAssign):
        annotation = text(node.annotation)
        return None if annotation is None else f"{target}: {annotation} = "
    return f"{target} {_AUG_OPS[type(node.op)]}= "
