"""What the file above an intent provides (`SourceContext`), read at a bounded cost.

`SourceContext.from_source` parses the text it is given, so reading "everything above the
block" for every flagged block of a long file costs (blocks × file size): 50 blocks under
50,000 lines took minutes. Here a block's context is read from everything above it when that
is at most `WINDOW` lines; otherwise from the file's import statements above it plus the last
`WINDOW` lines, starting at a top-level statement (names bound further up are not seen;
imports always are). Contexts are remembered by that text's digest, so re-checking an
unchanged file, filling its suggestions and answering a re-pull parse nothing again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

from codeqa_model.context import SourceContext

__all__ = ["WINDOW", "ContextReader", "context_source"]

WINDOW = 400
_MEMO_SIZE = 1_024
_CONTINUES = ("else", "elif", "except", "finally", "case")  # not the start of a statement


def import_statements(lines: Sequence[str], stop: int) -> list[tuple[int, str]]:
    """(line, statement) for each import statement starting above ``stop``, dedented;
    parenthesised and backslash-continued ones whole."""
    found: list[tuple[int, str]] = []
    i = 0
    while i < stop:
        text = lines[i].strip()
        if not text.startswith(("import ", "from ")):
            i += 1
            continue
        start, parts = i, [text]
        while i + 1 < len(lines) and (
            parts[-1].endswith("\\") or ("(" in text and ")" not in parts[-1])
        ):
            i += 1
            parts.append(lines[i].strip())
        found.append((start, "\n".join(parts)))
        i += 1
    return found


def _starts_statement(line: str) -> bool:
    text = line.rstrip()
    if not text or text[0].isspace() or text.startswith(("#", ")", "]", "}")):
        return False
    return not text.startswith(_CONTINUES)


def context_source(
    lines: Sequence[str], line: int, imports: Sequence[tuple[int, str]] | None = None
) -> str:
    """The text the context of a block on ``line`` is read from (see the module docstring).

    ``imports`` is `import_statements(lines, line)` when the caller has it already.
    """
    line = max(0, min(line, len(lines)))
    if line <= WINDOW:
        return "\n".join(lines[:line])
    start = line - WINDOW
    while start < line and not _starts_statement(lines[start]):
        start += 1
    found = imports if imports is not None else import_statements(lines, start)
    above = [statement for at, statement in found if at < start]
    return "\n".join([*above, *lines[start:line]])


class ContextReader:
    """`SourceContext`s for blocks, each text parsed once (thread-safe, bounded memo)."""

    def __init__(self, size: int = _MEMO_SIZE) -> None:
        self.size = size
        self._memo: OrderedDict[bytes, SourceContext] = OrderedDict()
        self._lock = threading.Lock()
        self.parsed = 0  # how many texts were actually parsed (tests read it)

    def above(self, lines: Sequence[str], line: int) -> SourceContext:
        """The context of a block whose intent comment is on ``line``."""
        return self._read(context_source(lines, line))

    def above_each(self, lines: Sequence[str], block_lines: Sequence[int]) -> list[SourceContext]:
        """`above` for several blocks of one file, scanning its imports once."""
        if not block_lines:
            return []
        imports = import_statements(lines, max(block_lines))
        return [self._read(context_source(lines, n, imports)) for n in block_lines]

    def remembered(
        self, lines: Sequence[str], block_lines: Sequence[int]
    ) -> list[SourceContext | None]:
        """`above_each`'s answers where the text was parsed before, None elsewhere; parses
        nothing (diagnostics publish before they parse, and parse in the fill)."""
        if not block_lines:
            return []
        imports = import_statements(lines, max(block_lines))
        keys = [_key(context_source(lines, n, imports)) for n in block_lines]
        with self._lock:
            return [self._memo.get(key) for key in keys]

    def _read(self, text: str) -> SourceContext:
        key = _key(text)
        with self._lock:
            known = self._memo.get(key)
            if known is not None:
                self._memo.move_to_end(key)
                return known
        context = SourceContext.from_source(text)
        with self._lock:
            self.parsed += 1
            self._memo[key] = context
            while len(self._memo) > self.size:
                self._memo.popitem(last=False)
        return context


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
