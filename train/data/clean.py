"""StaQC snippet cleaning, as the seed paper did: drop comments and docstrings, strip `>>>`/`...`
prompts and interpreter output, then let the caller keep only short snippets."""

from __future__ import annotations

import io
import re
import textwrap
import tokenize

_PROMPT = re.compile(r"^\s*(>>>|\.\.\.)( |$)")
_SKIP_BEFORE_DOCSTRING = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT}


def strip_prompts(code: str) -> str:
    """An interpreter session keeps only its prompted lines (prompts removed); output lines go.

    A snippet with no `>>>` line is returned unchanged: `...` alone is too common in real code
    (Ellipsis, elided bodies) to mean a session.
    """
    lines = code.split("\n")
    if not any(line.lstrip().startswith(">>>") for line in lines):
        return code
    kept = []
    for line in lines:
        match = _PROMPT.match(line)
        if match:
            kept.append(line[match.end() :])
    return "\n".join(kept)


def _drop_with_tokenize(code: str) -> str:
    """Blank comments and docstring statements using the stdlib tokenizer (raises on bad code)."""
    lines = code.split("\n")
    blank: list[
        tuple[int, int, int, int]
    ] = []  # (start row, start col, end row, end col), 1-based rows
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    previous = None
    for index, tok in enumerate(tokens):
        if tok.type == tokenize.COMMENT:
            blank.append((*tok.start, *tok.end))
        elif tok.type == tokenize.STRING and (
            previous is None or previous in _SKIP_BEFORE_DOCSTRING
        ):
            following = tokens[index + 1].type if index + 1 < len(tokens) else tokenize.ENDMARKER
            if following in (tokenize.NEWLINE, tokenize.ENDMARKER):
                blank.append((*tok.start, *tok.end))
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok.type
    for start_row, start_col, end_row, end_col in reversed(blank):
        first, last = lines[start_row - 1], lines[end_row - 1]
        lines[start_row - 1 : end_row] = [first[:start_col] + last[end_col:]]
    return "\n".join(lines)


def _drop_by_lines(code: str) -> str:
    """Fallback for code the tokenizer rejects (Python 2 oddities, fragments): drop `#` lines."""
    return "\n".join(line for line in code.split("\n") if not line.lstrip().startswith("#"))


def drop_comments_and_docstrings(code: str) -> str:
    """Code without comments and docstring-like string statements."""
    try:
        return _drop_with_tokenize(code)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _drop_by_lines(code)


def clean_snippet(code: str) -> str:
    """Prompts and output stripped, comments/docstrings dropped, blank lines removed, dedented."""
    code = code.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    code = drop_comments_and_docstrings(strip_prompts(code))
    lines = [line.rstrip() for line in code.split("\n")]
    return textwrap.dedent("\n".join(line for line in lines if line.strip()))


def line_count(code: str) -> int:
    """Number of non-blank lines."""
    return sum(1 for line in code.split("\n") if line.strip())
