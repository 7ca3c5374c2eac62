"""Agreement among candidates: how much each one shares with the others (an MBR-style feature).

When the beam and the retrieved pairs propose several variants, the one most like the rest is
more often right than the single most probable one (minimum-Bayes-risk decoding). Similarity is
the Dice overlap of the sets of code-token unigrams and bigrams (tokens: words and single
punctuation marks, a regex rather than `tokenize`, since this runs on every suggestion); a
candidate's consensus is its mean similarity to every other candidate, in [0, 1].
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"\w+|[^\w\s]")


def grams(code: str) -> frozenset:
    """The code's token unigrams and bigrams."""
    tokens = _TOKEN.findall(code)
    return frozenset([*tokens, *itertools.pairwise(tokens)])


def similarity(a: frozenset, b: frozenset) -> float:
    """Dice overlap of two n-gram sets (1 for identical, 0 for disjoint or both empty)."""
    total = len(a) + len(b)
    return 2.0 * len(a & b) / total if total else 0.0


def consensus_scores(codes: Sequence[str]) -> np.ndarray:
    """Each candidate's mean similarity to the others (zeros when there are fewer than two)."""
    n = len(codes)
    out = np.zeros(n, dtype=np.float64)
    if n < 2:
        return out
    sets = [grams(c) for c in codes]
    sims = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            sims[i, j] = sims[j, i] = similarity(sets[i], sets[j])
    return sims.sum(1) / (n - 1)
