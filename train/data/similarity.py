"""Sparse bag-of-tokens vectors and cosine similarity (numpy + scipy.sparse, no fitted models).

Rows are L2-normalised, so a sparse dot product is the cosine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

_WORD = re.compile(r"[a-z0-9_]+")


def intent_words(text: str) -> list[str]:
    """Lower-cased word tokens, for comparing intents (punctuation and quotes ignored)."""
    return _WORD.findall(text.lower())


def _counts(docs: Sequence[Sequence[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for row, tokens in enumerate(docs):
        for token in tokens:
            col = vocab.setdefault(token, len(vocab))
            rows.append(row)
            cols.append(col)
            vals.append(1.0)
    matrix = sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(docs), max(len(vocab), 1))
    )
    matrix.sum_duplicates()
    return matrix


def _normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def count_vectors(docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """L2-normalised token-count vectors (the code-token vectors of the dedup step)."""
    return _normalise(_counts(docs, {}))


def tfidf_vectors(docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF vectors with smoothed idf, `log((1 + n) / (1 + df)) + 1`.

    The idf is fitted on `docs` themselves; callers pass every intent they will compare, so rare
    words weigh the same for both sides of a comparison.
    """
    counts = _counts(docs, {})
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    return _normalise(sparse.csr_matrix(counts @ sparse.diags(idf)))


def max_similarity(
    queries: sparse.csr_matrix, keys: sparse.csr_matrix, chunk: int = 2048
) -> np.ndarray:
    """For each query row, the highest cosine with any key row (0 when there are no keys)."""
    best = np.zeros(queries.shape[0])
    if keys.shape[0] == 0:
        return best
    keys_t = keys.T.tocsc()
    for start in range(0, queries.shape[0], chunk):
        block = (queries[start : start + chunk] @ keys_t).toarray()
        best[start : start + chunk] = block.max(axis=1)
    return best
