"""Agreement among candidates: how much each one shares with the others (an MBR-style feature).

When the beam and the retrieved pairs propose several variants, the one most like the rest is
more often right than the single most probable one (minimum-Bayes-risk decoding). Similarity is
the Dice overlap of code-token unigrams and bigrams; a candidate's consensus is its mean
similarity to every other candidate, in [0, 1]. Cheap: 15 candidates cost well under 1 ms.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np
from codeqa_model.code_tokens import tokenize_code


def _grams(code: str) -> Counter:
    tokens = tokenize_code(code)
    return Counter(tokens) + Counter(itertools.pairwise(tokens))


def similarity(a: Counter, b: Counter) -> float:
    """Dice overlap of two n-gram multisets (1 for identical, 0 for disjoint or both empty)."""
    total = sum(a.values()) + sum(b.values())
    return 2.0 * sum((a & b).values()) / total if total else 0.0


def consensus_scores(codes: Sequence[str]) -> np.ndarray:
    """Each candidate's mean similarity to the others (zeros when there are fewer than two)."""
    n = len(codes)
    out = np.zeros(n, dtype=np.float64)
    if n < 2:
        return out
    grams = [_grams(c) for c in codes]
    sims = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            sims[i, j] = sims[j, i] = similarity(grams[i], grams[j])
    return sims.sum(1) / (n - 1)
