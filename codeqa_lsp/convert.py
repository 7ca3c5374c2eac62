"""Model answers → LSP types (completion items, diagnostics, code actions, hovers).

One vocabulary per file: this module knows lsprotocol and the intent grammar's types, not
the server or the model's internals. Columns arrive as code-point indices into lines from
`intents.split_lines` and leave in the client's position encoding (UTF-16 by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from codeqa_lsp import completion
from codeqa_lsp.intents import IntentBlock

__all__ = [
    "DIAGNOSTIC_CODE",
    "SOURCE",
    "client_column",
    "code_actions",
    "diagnostic",
    "hover",
    "is_ours",
    "needs_suggestion",
    "server_column",
]

SOURCE = "codeqa"
DIAGNOSTIC_CODE = "intent-mismatch"
REPLACE_TITLE = "Replace with suggested code"
INSERT_TITLE = "Insert suggestion below intent"


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
) -> types.Diagnostic:
    """A Warning on the intent comment of a block whose code scored below ``threshold``."""
    start, end = block.comment_range
    return types.Diagnostic(
        range=_range(lines, (block.line, start), (block.line, end), encoding),
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code=DIAGNOSTIC_CODE,
        message=(
            f"Code may not match its intent: match score {score:.2f} "
            f"is below the threshold {threshold:.2f}"
        ),
        data={"score": score, "suggestion": suggestion},
    )


def is_ours(diag: types.Diagnostic) -> bool:
    """Whether ``diag`` is one of this server's intent-mismatch diagnostics."""
    return diag.source == SOURCE and isinstance(diag.data, dict)


def needs_suggestion(diag: types.Diagnostic) -> bool:
    """Ours, but published before its suggestion was generated (``data.suggestion`` empty)."""
    return is_ours(diag) and _suggestion_of(diag) is None


def _suggestion_of(diag: types.Diagnostic) -> str | None:
    data: Any = diag.data
    if not is_ours(diag):
        return None
    suggestion = data.get("suggestion")
    return suggestion if isinstance(suggestion, str) and suggestion.strip() else None


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def code_actions(
    uri: str,
    diag: types.Diagnostic,
    block: IntentBlock,
    lines: Sequence[str],
    encoding: str,
    suggestion: str | None = None,
) -> list[types.CodeAction]:
    """Quick fixes for one of our diagnostics: replace the block's code, or insert above it.

    The code is ``suggestion`` when given (generated on demand because the diagnostic was
    published before it), else ``data.suggestion``. Returns nothing for other servers'
    diagnostics or when there is no non-blank suggestion.
    """
    if not is_ours(diag):
        return []
    if suggestion is None or not suggestion.strip():
        suggestion = _suggestion_of(diag)
    if suggestion is None:
        return []
    actions: list[types.CodeAction] = []
    first, stop = block.code_lines
    if stop > first:
        code_indent = _leading_ws(lines[first])
        replace = types.TextEdit(
            range=_range(lines, (first, 0), (stop - 1, len(lines[stop - 1])), encoding),
            new_text=code_indent + completion.indent_code(suggestion, code_indent),
        )
        actions.append(_action(REPLACE_TITLE, uri, diag, replace, preferred=True))
    insert = types.TextEdit(
        range=_range(lines, (block.line + 1, 0), (block.line + 1, 0), encoding),
        new_text=block.indent + completion.indent_code(suggestion, block.indent) + "\n",
    )
    actions.append(_action(INSERT_TITLE, uri, diag, insert, preferred=False))
    return actions


def _action(
    title: str, uri: str, diag: types.Diagnostic, edit: types.TextEdit, preferred: bool
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
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
) -> types.Hover:
    """Markdown hover for an intent line: its code's match score and the top suggestion."""
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
    start, end = block.comment_range
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
        range=_range(lines, (block.line, start), (block.line, end), encoding),
    )
