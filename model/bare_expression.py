"""Offer the expression where a candidate wraps it in a statement that only breaks it or hides it.

CoNaLa's canonical snippets spell many checks as an `if` with an empty body (`if ('name' in
d):\n    pass`), and the model learned to write them so. Pasted into a file it does nothing; the
user asked whether C holds, and C is what they can use (`'name' in d`, in an `if`, an `assert`
or a `return` of their own). Likewise a lone `return X` is a SyntaxError outside a function,
and X is the answer. So is X of a lone `name = X` whose name the intent does not back-tick
(nor asks for a variable): `woduplicates = list(set(xs))` and `json_data = json.loads(s)` bind
the Stack Overflow question's own names in the user's file (`str = X` breaks every later use
of the builtin), and the value is what a caller uses (runs/s12: validation 27.34 -> 27.66).
And a lone `print(X)` under an intent that asks for no printing (Stack
Overflow answers print what they compute) gives the user nothing to use: X is the answer. So
is X of a lone `results += X` whose name the intent does not back-tick: the name is the
question's own list, and `+=` on a name nothing bound raises NameError.
Validation (runs/s6/ab.py): objective 24.86 with the prints kept, 24.83 unwrapped (CoNaLa's
references print more often than people ask to), 24.44 unwrapped whatever the intent says.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import SourcePositions, parse_quietly

# Intent words that ask for a value to be kept in a name: then `name = X` is the answer.
_ASKS_TO_ASSIGN = re.compile(r"\b(assign\w*|variables?|stor(e|es|ing))\b", re.IGNORECASE)
# Intent words that ask for output: then a `print(X)` is the answer as it is.
_ASKS_FOR_OUTPUT = re.compile(r"\b(print|show|display|output|write|echo|log)", re.IGNORECASE)

Spans = tuple[tuple[int, int], ...]


def bare_expression(code: str, spans: Spans, intent: str = "") -> tuple[str, Spans]:
    """C for a candidate that is only `if C: pass`, X for one that is only `return X`,
    `name = X` or `name += X` (a name the intent does not back-tick) or (when `intent` asks
    for no output) `print(X)`, spans moved with it; the candidate unchanged otherwise."""
    target = code.partition("=")[0].strip()
    unasked = f"`{target}`" not in intent and not _ASKS_TO_ASSIGN.search(intent)
    binds = target.isidentifier() and unasked
    extends = target.endswith("+") and f"`{target[:-1].strip()}`" not in intent
    if not (binds or extends or code.startswith(("if", "return", "print("))):
        return code, spans
    if code.startswith("print(") and _ASKS_FOR_OUTPUT.search(intent):
        return code, spans
    tree = parse_quietly(code)
    if tree is None or len(tree.body) != 1:
        return code, spans
    expr = _wrapped(tree.body[0])
    if expr is None:
        return code, spans
    where = SourcePositions(code)
    start, end = where.extent(expr)
    if any(s < start or e > end for s, e in spans):
        return code, spans
    return code[start:end], tuple((s - start, e - start) for s, e in spans)


def _is_plain_print(node: ast.expr) -> bool:
    """`print(X)`: one argument, no keywords (`print(a, b)` or `sep=` format output)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
        and len(node.args) == 1
        and not isinstance(node.args[0], ast.Starred)
        and not node.keywords
    )


def _wrapped(node: ast.stmt) -> ast.expr | None:
    """X of `return X`, `print(X)`, `name = X` or `name += X`, C of `if C: pass` with no
    else; None for any other statement."""
    if isinstance(node, ast.Return):
        return node.value
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
        return node.value if isinstance(node.target, ast.Name) else None
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return node.value if isinstance(target, ast.Name) else None
    if isinstance(node, ast.Expr) and _is_plain_print(node.value):
        return node.value.args[0]  # type: ignore[attr-defined]
    if isinstance(node, ast.If) and not node.orelse and len(node.body) == 1:
        return node.test if isinstance(node.body[0], ast.Pass) else None
    return None
