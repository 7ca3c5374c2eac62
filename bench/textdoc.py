"""The client's copy of an open document, edited with LSP positions (UTF-16 code units).

The soak and the property tests keep one beside every document they edit, so they can send
edits whose ranges are valid and check that every range the server returns lies inside the
document as it is after those edits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["TextMirror", "range_inside", "utf16_to_index"]

_BREAK = re.compile(r"\r\n|\r|\n")


def utf16_to_index(line: str, character: int) -> int:
    """The code-point index of UTF-16 offset `character` in `line` (clamped to the line)."""
    units = 0
    for i, ch in enumerate(line):
        if units >= character:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TextMirror:
    """Document text plus the line starts needed to apply LSP edits to it."""

    def __init__(self, text: str) -> None:
        self.text = text

    @property
    def lines(self) -> list[str]:
        """Lines split on LSP's line breaks only (``\\r\\n``, ``\\r``, ``\\n``)."""
        return _BREAK.split(self.text)

    def offset(self, line: int, character: int) -> int:
        """String offset of an LSP position (past-the-end lines and columns are clamped)."""
        starts = [0] + [m.end() for m in _BREAK.finditer(self.text)]
        if line >= len(starts):
            return len(self.text)
        current = self.lines[line]
        return starts[line] + utf16_to_index(current, character)

    def apply(self, change: Mapping[str, Any]) -> None:
        """Apply one `TextDocumentContentChangeEvent` (full or ranged)."""
        if "range" not in change:
            self.text = change["text"]
            return
        start, end = change["range"]["start"], change["range"]["end"]
        a = self.offset(start["line"], start["character"])
        b = self.offset(end["line"], end["character"])
        self.text = self.text[:a] + change["text"] + self.text[max(a, b) :]

    def position(self, line: int, index: int) -> dict[str, int]:
        """The LSP position of code-point `index` on `line`."""
        return {"line": line, "character": _utf16(self.lines[line][:index])}


def range_inside(mirror: TextMirror, rng: Mapping[str, Any]) -> bool:
    """Whether an LSP range is ordered and inside the document (end may be the line's end)."""
    lines = mirror.lines
    points = []
    for key in ("start", "end"):
        pos = rng[key]
        line, char = pos["line"], pos["character"]
        if not (0 <= line < len(lines)) or not (0 <= char <= _utf16(lines[line])):
            return False
        points.append((line, char))
    return points[0] <= points[1]
