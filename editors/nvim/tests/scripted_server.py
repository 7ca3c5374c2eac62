"""The real codeqa-lsp server on stdio, with a scripted engine instead of the model.

For tests/test_nvim.py's acceptance test: the items are known in advance (a one-line
suggestion that needs an import, a block that Python can write on one line, and a nested
block it cannot), so the buffer Neovim leaves can be compared with exact text. Everything
else (intent grammar, completion items, protocol) is the shipped server's code.

    python editors/nvim/tests/scripted_server.py
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codeqa_model.context import SourceContext

from codeqa_lsp.server import create_server


@dataclass(frozen=True)
class Suggestion:
    """`codeqa_model.inference.Suggestion`'s fields, without importing torch."""

    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()
    imports: tuple[str, ...] = ()


SUGGESTIONS = (
    Suggestion("nums = re.findall(r'\\d+', s)", 0.9, ((27, 28),), ("import re",)),
    Suggestion("for x in xs:\n    print(x)", 0.8, ((9, 11),)),
    Suggestion("with open(p) as fh:\n    for line in fh:\n        print(line)", 0.7, ((10, 11),)),
)


class ScriptedEngine:
    """Every intent gets `SUGGESTIONS` (the first k; the loop first when the intent says "each");
    every pair scores 1.0 (no warnings)."""

    threshold = 0.5

    def __init__(self) -> None:
        self.info: dict[str, Any] = {"scripted": True}

    def suggest(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion]:
        if "each" in intent:  # a loop first, for the multi-line ghost-text test
            return [SUGGESTIONS[1], SUGGESTIONS[0], SUGGESTIONS[2]][:k]
        return list(SUGGESTIONS[:k])

    def cached_suggestions(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion] | None:
        return None

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        return [1.0 for _ in pairs]

    def cached_scores(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        return [None for _ in pairs]


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    engine = ScriptedEngine()
    create_server(loader=lambda path: engine).start_io()


if __name__ == "__main__":
    main()
