"""Open a file for appending when the intent says append: `open(p, 'w')` → `open(p, 'a')`.

"append string `line` to file 'log.txt'" retrieves `open('log.txt', 'w').write(line + '\\n')`:
the write the user wants, with a mode that first empties the file they asked to add to. Under an
intent that says append and never overwrite, a literal write mode (`'w'`, `'wb'`, `'w+'`)
becomes its append twin.
"""

from __future__ import annotations

import ast
import re

from codeqa_model.pyast import Edits, SourcePositions, dotted_parts, mode_argument, rewrite

Spans = tuple[tuple[int, int], ...]
_ASKS_TO_APPEND = re.compile(r"\bappend\w*|\badd\w*\b.*\b(end|bottom)\b", re.IGNORECASE)
_ASKS_TO_OVERWRITE = re.compile(r"\b(overwrit\w*|replac\w*|truncat\w*|empty|new|creat\w*)\b", re.I)
_OPENERS = frozenset({"open", "io.open", "codecs.open"})


def append_modes(intent: str, code: str, spans: Spans) -> tuple[str, Spans]:
    """`code` with each `open(..., 'w…')` made `'a…'` under an intent that asks to append,
    `spans` moved with the text; unchanged otherwise (or when a span covers the mode)."""
    if "open(" not in code or not _ASKS_TO_APPEND.search(intent):
        return code, spans
    if _ASKS_TO_OVERWRITE.search(intent):
        return code, spans
    return rewrite(code, spans, _appending)


def _appending(tree: ast.Module, where: SourcePositions) -> Edits:
    """Edits making each `open(..., 'w…')` mode an append one."""
    edits: Edits = []
    for node in ast.walk(tree):
        if (
            not isinstance(node, ast.Call)
            or ".".join(dotted_parts(node.func) or []) not in _OPENERS
        ):
            continue
        mode = mode_argument(node)
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "w" in mode.value:
            start, end = where.extent(mode)
            edits.append((start, end, repr(mode.value.replace("w", "a"))))
    return edits
