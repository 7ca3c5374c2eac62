"""`EngineDouble`: a hand-written stand-in for `codeqa_model.inference.Engine` (its `EngineLike`
seam), so server and host tests run in milliseconds and see exactly what reached the model.

Scores a pair by the share of intent words found in the code; suggests `<first word>_<i>()`.
Caches like the real engine (keyed on intent, k and context) and records every real call.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from codeqa_model.context import SourceContext
from codeqa_model.inference import Suggestion


def overlap(intent: str, code: str) -> float:
    words = set(intent.lower().replace("`", " ").split())
    found = set(code.lower().replace("(", " ").replace(")", " ").split())
    return len(words & found) / max(len(words), 1)


class EngineDouble:
    """Word-overlap scores, predictable suggestions, counted calls, an optional gate."""

    threshold = 0.5

    def __init__(self, gate: threading.Event | None = None, imports: Sequence[str] = ()) -> None:
        self.info: dict[str, Any] = {"double": True}
        self.gate = gate
        self.imports = tuple(imports)
        self.scored: list[tuple[str, str]] = []
        self.suggested: list[str] = []
        self.contexts: list[SourceContext] = []
        self._scores: dict[tuple[str, str], float] = {}
        self._suggestions: dict[tuple[str, int, SourceContext], list[Suggestion]] = {}

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if self.gate is not None:
            self.gate.wait(5)
        out = []
        for pair in pairs:
            if pair not in self._scores:
                self.scored.append(pair)
                self._scores[pair] = overlap(*pair)
            out.append(self._scores[pair])
        return out

    def cached_scores(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        return [self._scores.get(pair) for pair in pairs]

    def suggest(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion]:
        key = (intent, k, context or SourceContext.EMPTY)
        if key not in self._suggestions:
            self.suggested.append(intent)
            self.contexts.append(key[2])
            verb = intent.split()[0]
            self._suggestions[key] = [
                Suggestion(f"{verb}_{i}()", 1.0 / (i + 1), imports=self.imports) for i in range(k)
            ]
        return list(self._suggestions[key])

    def cached_suggestions(
        self, intent: str, k: int = 5, context: SourceContext | None = None
    ) -> list[Suggestion] | None:
        return self._suggestions.get((intent, k, context or SourceContext.EMPTY))
