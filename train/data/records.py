"""The record types every loader produces and every writer consumes (schema in docs/DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

QuestionId = int | str

SOURCES = ("conala", "conala-curated", "conala-mined", "staqc-annotated", "staqc", "django")
"""Every source, in priority order: when two snippets of one question are near-duplicates, the one
from the earlier source is kept (hand-curated beats mined beats scraped)."""


@dataclass(frozen=True)
class Pair:
    """One intent ↔ snippet pair. `prob` is the CoNaLa-mined confidence (None when not mined);
    `rewritten` says an annotator wrote `intent` for this very snippet (CoNaLa `rewritten_intent`),
    rather than it being the question's title shared by all its snippets."""

    id: str
    qid: QuestionId
    source: str
    intent: str
    raw_intent: str
    snippet: str
    prob: float | None = None
    rewritten: bool = False

    def to_json(self) -> dict[str, object]:
        """The generator record of docs/DESIGN.md (no `prob`, no `rewritten`)."""
        data = asdict(self)
        del data["prob"], data["rewritten"]
        return data


@dataclass(frozen=True)
class ClassifierPair:
    """One classifier example: label 1 for the real snippet, 0 for a `random` or `hard` negative."""

    qid: QuestionId
    intent: str
    snippet: str
    label: int
    kind: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)
