"""The intent grammar: plain text → intent blocks and completion sites.

Pure string work (no LSP, no torch) so the server, the `check` command and the tests all
share one reading of a file. Columns are Python string indices (code points); converting
to the client's position encoding is `convert.py`'s job.

Grammar: ``# intent: <text>`` on a line of its own (keyword case-insensitive, any
indentation; ``x = 1  # intent: ...`` is *not* an intent) governs the lines that follow at
the same or deeper indentation, up to a blank line, the next intent comment, or a dedent.
An intent comment with empty text still ends the block above it but yields no block.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CompletionSite",
    "IntentBlock",
    "IntentLine",
    "block_starting_at",
    "completion_site",
    "indent_width",
    "parse_intent_line",
    "parse_intents",
    "split_lines",
]

# LSP counts exactly these as line breaks (str.splitlines also splits on \f, \x1c, \u2028 ...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INTENT = re.compile(r"^([ \t]*)(#[ \t]*intent[ \t]*:)(.*)$", re.IGNORECASE)
_TAB_SIZE = 8  # Python's tokenizer rounds tabs up to multiples of 8


@dataclass(frozen=True, slots=True)
class IntentLine:
    """One ``# intent:`` comment line, before it is grouped with its code."""

    indent: str  # the comment's leading whitespace, verbatim (spaces and/or tabs)
    intent: str  # the text after ``intent:``, stripped
    intent_range: tuple[int, int]  # [start, end) columns of the intent text on its line
    comment_end: int  # column just past the comment's last non-blank character


@dataclass(frozen=True, slots=True)
class IntentBlock:
    """An intent comment and the code it governs.

    ``code_lines`` is the half-open 0-based line range of the governed code (empty when
    ``code_lines[0] == code_lines[1]``: the intent is a completion site, not a check).
    ``code`` is those lines dedented to their common indentation, trailing blanks removed.
    """

    line: int
    indent: str
    intent: str
    intent_range: tuple[int, int]
    code_lines: tuple[int, int]
    code: str

    @property
    def has_code(self) -> bool:
        return self.code_lines[1] > self.code_lines[0]

    @property
    def comment_range(self) -> tuple[int, int]:
        """[start, end) columns of the whole ``# intent: ...`` comment on ``line``."""
        return (len(self.indent), self.intent_range[1])


@dataclass(frozen=True, slots=True)
class CompletionSite:
    """Where a completion for ``intent`` goes: replace columns [start, end) of ``line``.

    ``new_line_first`` is True at the end of the intent line itself: the inserted text must
    begin with a line break. ``indent`` is the indentation every inserted line should get;
    ``typed_indent`` is the part of it already on the line before ``start``.
    """

    intent: str
    indent: str
    typed_indent: str
    line: int
    start: int
    end: int
    new_line_first: bool


def split_lines(text: str) -> list[str]:
    """Split on LSP line breaks (``\\r\\n``, ``\\r``, ``\\n``) only, dropping them."""
    return _LINE_BREAK.split(text)


def indent_width(indent: str) -> int:
    """Visual width of leading whitespace, tabs to the next multiple of 8 like Python."""
    width = 0
    for ch in indent:
        width = (width // _TAB_SIZE + 1) * _TAB_SIZE if ch == "\t" else width + 1
    return width


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def parse_intent_line(line: str) -> IntentLine | None:
    """Read one line; an `IntentLine` if it is an intent comment on a line of its own."""
    # Cheap pre-check keeps 50,000-line files fast: most lines never reach the regex.
    if "#" not in line:
        return None
    match = _INTENT.match(line)
    if match is None:
        return None
    indent, _, rest = match.groups()
    text_start = match.start(3) + (len(rest) - len(rest.lstrip()))
    text = rest.strip()
    comment_end = len(line.rstrip())
    return IntentLine(indent, text, (text_start, text_start + len(text)), comment_end)


def _is_blank(line: str) -> bool:
    return not line.strip()


def parse_intents(text: str | Sequence[str]) -> list[IntentBlock]:
    """Every intent block of a file, in file order.

    ``text`` is the whole source or its lines as given by `split_lines`.
    """
    lines = split_lines(text) if isinstance(text, str) else text
    blocks: list[IntentBlock] = []
    i = 0
    while i < len(lines):
        head = parse_intent_line(lines[i])
        if head is None:
            i += 1
            continue
        block, i = _read_block(lines, i, head)
        if block is not None:
            blocks.append(block)
    return blocks


def block_starting_at(lines: Sequence[str], line: int) -> IntentBlock | None:
    """The block whose intent comment is on ``line``, reading only that block's lines."""
    if not 0 <= line < len(lines):
        return None
    head = parse_intent_line(lines[line])
    if head is None:
        return None
    return _read_block(lines, line, head)[0]


def _read_block(lines: Sequence[str], i: int, head: IntentLine) -> tuple[IntentBlock | None, int]:
    """The block headed at line ``i`` (None for an empty intent) and the line after it."""
    width = indent_width(head.indent)
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if _is_blank(line) or parse_intent_line(line) is not None:
            break
        if indent_width(_leading_ws(line)) < width:
            break
        j += 1
    if not head.intent:
        return None, j
    code = _dedent_block(lines[i + 1 : j])
    return IntentBlock(i, head.indent, head.intent, head.intent_range, (i + 1, j), code), j


def _dedent_block(lines: Sequence[str]) -> str:
    if not lines:
        return ""
    # Tabs are expanded first so a mix of tabs and spaces dedents by visual width.
    expanded = [line.expandtabs(_TAB_SIZE).rstrip() for line in lines]
    return textwrap.dedent("\n".join(expanded)).strip("\n")


def completion_site(lines: Sequence[str], line: int, character: int) -> CompletionSite | None:
    """The completion site at (line, character), or None when this is not one.

    Two sites exist: the end of an intent line (after its last non-blank character), and
    an empty or whitespace-only line directly below an intent comment with the cursor at
    column 0, at the intent's indentation, or at the end of the whitespace. Only the
    cursor line and the one above are read, so the answer is instant on any file size.
    """
    if not 0 <= line < len(lines) or character < 0:
        return None
    text = lines[line]
    if character > len(text):
        return None
    here = parse_intent_line(text)
    if here is not None:
        if not here.intent or character < here.comment_end:
            return None
        return CompletionSite(here.intent, here.indent, "", line, character, len(text), True)
    if line == 0 or not _is_blank(text):
        return None
    above = parse_intent_line(lines[line - 1])
    if above is None or not above.intent:
        return None
    if character not in (0, len(above.indent), len(text)):
        return None
    # The edit starts at the cursor so clients do not filter items on whitespace. What is
    # typed before it is kept: completed to the intent's indentation when it is a prefix of
    # it, otherwise (deeper, or tabs for spaces) used as the indentation of every line.
    typed = text[:character]
    indent = above.indent if above.indent.startswith(typed) else typed
    return CompletionSite(above.intent, indent, typed, line, character, len(text), False)
