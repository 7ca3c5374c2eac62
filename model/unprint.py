"""`print(expr)` offered as `expr` unless the intent asks to print.

Stack Overflow answers show their result with `print(...)`, so retrieved pairs and the generator
wrap values in it: "get environment variable 'HOME'" came back as
`print(os.environ.get('HOME'))`. In a program the value is what is wanted (assigned, returned,
passed on); a print returns None. A whole candidate that is one `print` of one argument becomes
that argument, its slot spans moved with it. Read with `ast`; nothing run.
"""

from __future__ import annotations

import ast
import re
import warnings

from codeqa_model.pyast import SourcePositions

Spans = tuple[tuple[int, int], ...]
# Words that ask for output rather than a value.
_ASKS_TO_PRINT = re.compile(r"\b(?:print\w*|show\w*|display\w*|output\w*|echo\w*|log)\b", re.I)


def unwrap_print(code: str, spans: Spans, intent: str) -> tuple[str, Spans]:
    """(`code`, `spans`) with a lone `print(x)` made `x`, unless the intent asks to print."""
    if "print" not in code or _ASKS_TO_PRINT.search(intent):
        return code, spans
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code, spans
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return code, spans
    call = tree.body[0].value
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "print"
        and len(call.args) == 1
        and not call.keywords
        and not isinstance(call.args[0], ast.Starred)
    ):
        return code, spans
    arg = call.args[0]
    if arg.end_lineno is None or arg.end_col_offset is None:
        return code, spans
    where = SourcePositions(code)
    start = where.offset(arg.lineno, arg.col_offset)
    end = where.offset(arg.end_lineno, arg.end_col_offset)
    inner = code[start:end]
    if "\n" in inner:
        return code, spans  # a value spread over lines reads worse bare
    moved = tuple((s - start, e - start) for s, e in spans if start <= s and e <= end)
    return inner, moved
