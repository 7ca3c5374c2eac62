"""Where a snippet's result comes from, decided from its syntax tree before anything runs.

The convention (how a user's code under an intent "answers"): `result` is the value of the
snippet's last top-level statement when it is an expression (`os.getcwd()`) and that value is not
None; else the value of the name assigned last in source order at any depth outside function and
class bodies (`rows = list(csv.reader(f))` inside a `with`; `c = a.copy()` before `c.update(b)`);
else None. So `print(x)` alone answers nothing, and `xs.sort()` answers through `xs` (the checks
read the inputs too).

Compiling here, in the parent, means the sandboxed child needs neither `ast` nor the compiler's
imports: it starts faster. Compiling never runs the code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import CodeType

RESULT_NAME = "__exec_eval_result__"


@dataclass(frozen=True)
class Prepared:
    """The snippet compiled with a trailing expression stored in RESULT_NAME, and the names whose
    first not-None value is the result."""

    code: CodeType
    result_names: tuple[str, ...]


def assigned_names(nodes: list[ast.stmt]) -> list[str]:
    """Names bound by plain assignments, in source order, outside function and class bodies."""
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                found.append((target.lineno, target.col_offset, target.id))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.expr):
                visit(child)

    for node in nodes:
        visit(node)
    found.sort()
    return [name for _line, _col, name in found]


def prepare(snippet: str) -> Prepared:
    """Compile `snippet` for the child; raises SyntaxError (or ValueError, RecursionError,
    MemoryError) for code that does not compile."""
    tree = ast.parse(snippet, "<snippet>", "exec")
    names = assigned_names(tree.body)
    order = names[-1:]
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        store = ast.Assign(targets=[ast.Name(RESULT_NAME, ast.Store())], value=last.value)
        tree.body[-1] = ast.copy_location(store, last)
        ast.fix_missing_locations(tree)
        order = [RESULT_NAME, *order]
    return Prepared(compile(tree, "<snippet>", "exec"), tuple(order))
