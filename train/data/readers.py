"""Low-level readers that remember where each record came from (file and line).

Files are decoded as UTF-8 with `surrogateescape`, so one undecodable byte spoils only the record
that holds it: `has_undecodable` finds it and the caller reports that record's line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from codeqa_train.data.errors import BadInput, DataError

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def read_text(path: Path) -> str:
    """Whole file as text; a missing file is a `DataError`, not a traceback."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    return raw.decode("utf-8", errors="surrogateescape")


def has_undecodable(value: object) -> bool:
    """True when a decoded value still carries bytes that were not valid UTF-8."""
    if isinstance(value, str):
        return _ESCAPED_BYTE.search(value) is not None
    if isinstance(value, dict):
        return any(has_undecodable(k) or has_undecodable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_undecodable(v) for v in value)
    return False


class _LineCounter:
    """Offset → line number for offsets visited in increasing order (linear, not quadratic)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def __call__(self, offset: int) -> int:
        if offset < self.offset:
            return self.text.count("\n", 0, offset) + 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def iter_json_array(path: Path, bad: BadInput) -> Iterator[tuple[int, int, object]]:
    """Yield `(index, line, element)` for each element of a top-level JSON array.

    `index` counts every element, skipped ones too, so ids built from it do not shift.

    A syntax error cannot be skipped (the rest of the array has no reliable boundaries), so it
    always raises; elements with undecodable bytes are handed to `bad`.
    """
    text = read_text(path)
    line_of = _LineCounter(text)
    pos = _skip_ws(text, 0)
    if pos >= len(text) or text[pos] != "[":
        raise DataError(path, line_of(pos), "expected a JSON array ('[')")
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    index = 0
    while True:
        line = line_of(pos)
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise DataError(path, exc.lineno, f"bad JSON: {exc.msg}") from exc
        if has_undecodable(value):
            bad.handle(DataError(path, line, "undecodable bytes (not UTF-8)"))
        else:
            yield index, line, value
        index += 1
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        raise DataError(path, line_of(pos), "bad JSON: expected ',' or ']' in array")


def iter_json_lines(path: Path, bad: BadInput) -> Iterator[tuple[int, object]]:
    """Yield `(line, value)` for each non-blank line of a JSON-lines file."""
    for line_no, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        if has_undecodable(line):
            bad.handle(DataError(path, line_no, "undecodable bytes (not UTF-8)"))
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as exc:
            bad.handle(DataError(path, line_no, f"bad JSON line: {exc.msg}"))


def iter_lines(path: Path, bad: BadInput) -> Iterator[tuple[int, str | None]]:
    """Yield `(line, text)` for every line; text is None when the line was undecodable and skipped.

    Line-aligned files (Django) must keep their alignment, so a skipped line still yields.
    """
    lines = read_text(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    for line_no, line in enumerate(lines, start=1):
        if has_undecodable(line):
            bad.handle(DataError(path, line_no, "undecodable bytes (not UTF-8)"))
            yield line_no, None
        else:
            yield line_no, line.rstrip("\r")


def require(
    record: object, fields: dict[str, type | tuple[type, ...]], path: Path, line: int | None
) -> dict:
    """Check `record` is an object with each field of the given type; raise `DataError` if not."""
    if not isinstance(record, dict):
        raise DataError(path, line, f"expected a JSON object, got {type(record).__name__}")
    for name, kind in fields.items():
        if name not in record:
            raise DataError(path, line, f"missing field {name!r}")
        value = record[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            expected = (
                kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            )
            got = type(value).__name__
            raise DataError(path, line, f"field {name!r} should be {expected}, got {got}")
    return record
