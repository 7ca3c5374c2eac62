"""Vocabulary from token sequences: most frequent first, ties by token, so reproducible."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence


def count_tokens(sequences: Iterable[Sequence[str]]) -> Counter[str]:
    """How often each token occurs across all sequences."""
    counts: Counter[str] = Counter()
    for seq in sequences:
        counts.update(seq)
    return counts


def build_vocab(counts: Counter[str], min_count: int = 1, max_size: int | None = None) -> list[str]:
    """Tokens seen at least `min_count` times, by count then token; at most `max_size`."""
    kept = [(tok, n) for tok, n in counts.items() if n >= min_count]
    kept.sort(key=lambda item: (-item[1], item[0]))
    if max_size is not None:
        kept = kept[:max_size]
    return [tok for tok, _ in kept]
