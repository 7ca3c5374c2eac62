"""Model answers → LSP types (completion items, diagnostics, code actions, hovers).

One vocabulary per file: this module knows lsprotocol and the intent grammar's types, not
the server or the model's internals. Columns arrive as code-point indices into lines from
`intents.split_lines` and leave in the client's position encoding (UTF-16 by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from codeqa_lsp import completion, fixes
from codeqa_lsp.intents import IntentBlock

if TYPE_CHECKING:  # the engine's answer type; importing it at run time loads the model's code
    from codeqa_model.inference import Suggestion

__all__ = [
    "DIAGNOSTIC_CODE",
    "SOURCE",
    "client_column",
    "code_actions",
    "diagnostic",
    "hover",
    "import_edits",
    "is_ours",
    "server_column",
    "usable",
]

SOURCE = "codeqa"
DIAGNOSTIC_CODE = "intent-mismatch"
REPLACE_TITLE = "Replace with suggested code"
INSERT_TITLE = "Insert suggestion below intent"


def usable(suggestions: Sequence[Suggestion] | None) -> Suggestion | None:
    """The best suggestion that passed the static API check: the only one a quick fix, hover,
    a diagnostic's `data.suggestion` or ghost text may use (None when every one failed)."""
    return next((s for s in suggestions or () if getattr(s, "ok", True)), None)


# ---------------------------------------------------------------- positions


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def client_column(line_text: str, column: int, encoding: str) -> int:
    """Code-point column → the client's units (UTF-16 code units unless negotiated)."""
    return _units(line_text[:column], encoding)


def server_column(line_text: str, units: int, encoding: str) -> int:
    """The client's units → code-point column, clamped to the line (never raises)."""
    if encoding == types.PositionEncodingKind.Utf32 or line_text.isascii():
        return max(0, min(units, len(line_text)))
    seen = 0
    for index, ch in enumerate(line_text):
        if seen >= units:
            return index
        seen += _units(ch, encoding)
    return len(line_text)


def _position(lines: Sequence[str], line: int, column: int, encoding: str) -> types.Position:
    text = lines[line] if 0 <= line < len(lines) else ""
    return types.Position(line=line, character=client_column(text, column, encoding))


def _range(
    lines: Sequence[str], start: tuple[int, int], end: tuple[int, int], encoding: str
) -> types.Range:
    return types.Range(
        start=_position(lines, *start, encoding), end=_position(lines, *end, encoding)
    )


def _markdown_code(code: str) -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}python\n{code}\n{fence}"


# ---------------------------------------------------------------- diagnostics


def diagnostic(
    block: IntentBlock,
    score: float,
    threshold: float,
    suggestion: str,
    lines: Sequence[str],
    encoding: str,
    reason: str | None = None,
) -> types.Diagnostic:
    """A Warning on the intent comment of a block whose code scored below ``threshold``.

    ``reason`` (the engine's explanation, when it has one) follows the score.
    """
    start, end = block.comment_range
    message = (
        f"Code may not match its intent: match score {score:.2f} "
        f"is below the threshold {threshold:.2f}"
    )
    if reason:
        message += f" ({reason})"
    return types.Diagnostic(
        range=_range(lines, (block.line, start), (block.line, end), encoding),
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code=DIAGNOSTIC_CODE,
        message=message,
        data={"score": score, "suggestion": suggestion},
    )


def is_ours(diag: types.Diagnostic) -> bool:
    """Whether ``diag`` is one of this server's intent-mismatch diagnostics."""
    return diag.source == SOURCE and isinstance(diag.data, dict)


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def import_edits(
    lines: Sequence[str], imports: Sequence[str], encoding: str, before: int | None = None
) -> list[types.TextEdit]:
    """Text edits adding the import statements ``imports`` the file does not have yet.

    One insertion after the file's leading imports (`completion.import_line` finds the
    place: after a module docstring and ``from __future__`` when there are none), above
    line ``before`` (default: the end of the file). Empty when nothing is missing.
    """
    wanted = completion.missing_imports(imports, lines)
    if not wanted:
        return []
    at = completion.import_line(lines, len(lines) if before is None else before)
    text = "".join(f"{statement}\n" for statement in wanted)
    if at >= len(lines):  # the last line has no line break to insert before
        last = len(lines) - 1
        end = (last, len(lines[last]))
        return [types.TextEdit(range=_range(lines, end, end, encoding), new_text="\n" + text)]
    return [types.TextEdit(range=_range(lines, (at, 0), (at, 0), encoding), new_text=text)]


def code_actions(
    uri: str,
    diag: types.Diagnostic,
    block: IntentBlock,
    lines: Sequence[str],
    encoding: str,
    suggestion: Suggestion,
) -> list[types.CodeAction]:
    """Quick fixes for a flagged block: replace its code, or insert the suggestion above it.

    "Replace" keeps the block's indentation and, when the old code assigns and the
    suggestion is an expression, the assignment's target. Both add the imports the
    suggestion needs (above the intent). Nothing for a blank suggestion.
    """
    code = suggestion.code
    if not code.strip():
        return []
    imports = import_edits(lines, getattr(suggestion, "imports", ()), encoding, block.line)
    actions: list[types.CodeAction] = []
    first, stop = block.code_lines
    if stop > first:
        code_indent = _leading_ws(lines[first])
        kept = fixes.with_target(block.code, code)
        replace = types.TextEdit(
            range=_range(lines, (first, 0), (stop - 1, len(lines[stop - 1])), encoding),
            new_text=code_indent + completion.indent_code(kept, code_indent),
        )
        actions.append(_action(REPLACE_TITLE, uri, diag, [*imports, replace], preferred=True))
    insert = types.TextEdit(
        range=_range(lines, (block.line + 1, 0), (block.line + 1, 0), encoding),
        new_text=block.indent + completion.indent_code(code, block.indent) + "\n",
    )
    actions.append(_action(INSERT_TITLE, uri, diag, [*imports, insert], preferred=False))
    return actions


def _action(
    title: str, uri: str, diag: types.Diagnostic, edits: list[types.TextEdit], preferred: bool
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=types.WorkspaceEdit(changes={uri: edits}),
        is_preferred=preferred,
    )


# ---------------------------------------------------------------- hover


def hover(
    block: IntentBlock,
    score: float | None,
    threshold: float,
    suggestion: str | None,
    lines: Sequence[str],
    encoding: str,
    line: int | None = None,
) -> types.Hover:
    """Markdown hover for a block: its code's match score and the top suggestion.

    Spans the intent comment, or ``line`` when that is one of the block's code lines.
    """
    parts: list[str] = []
    if score is None:
        parts.append("**codeqa** — no code under this intent yet.")
    else:
        verdict = "matches" if score >= threshold else "may not match"
        parts.append(
            f"**codeqa** — match score **{score:.2f}** (threshold {threshold:.2f}): "
            f"the code {verdict} its intent."
        )
    if suggestion:
        parts.append("Top suggestion:\n\n" + _markdown_code(suggestion))
    if line is None or not block.code_lines[0] <= line < block.code_lines[1]:
        line, (start, end) = block.line, block.comment_range
    else:
        start, end = len(_leading_ws(lines[line])), len(lines[line].rstrip())
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
        range=_range(lines, (line, start), (line, end), encoding),
    )
