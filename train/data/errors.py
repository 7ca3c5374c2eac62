"""Malformed-input policy: stop with `file:line`, or skip and count when the user asked to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


class DataError(ValueError):
    """Bad input, named by file and (when it has lines) line number."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class BadInput:
    """Decides what a bad record does: raise (default) or count it per file and go on."""

    skip: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def handle(self, error: DataError) -> None:
        """Raise `error`, or count it when skipping is on (keeps the first 20 messages)."""
        if not self.skip:
            raise error
        self.counts[error.path] += 1
        if len(self.examples) < 20:
            self.examples.append(str(error))
