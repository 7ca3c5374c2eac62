"""Sparse bag-of-tokens vectors and cosine similarity (scipy.sparse; TF-IDF from scikit-learn).

Rows are L2-normalised, so a sparse dot product is the cosine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

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
    """L2-normalised TF-IDF vectors of token lists (scikit-learn's, smoothed idf).

    The idf is fitted on `docs` themselves; callers pass every intent they will compare, so rare
    words weigh the same for both sides of a comparison.
    """
    if not any(docs):  # scikit-learn refuses an empty vocabulary
        return sparse.csr_matrix((len(docs), 1))
    return sparse.csr_matrix(tfidf_model(analyzer=_as_tokens).fit_transform(docs))


def tfidf_model(analyzer: Callable[[Any], list[str]] = intent_words) -> TfidfVectorizer:
    """The project's one TF-IDF: scikit-learn's with smoothed idf and L2 rows, over
    `intent_words` (or tokens the caller already split, with `analyzer=_as_tokens`)."""
    return TfidfVectorizer(analyzer=analyzer, dtype=np.float64)


def _as_tokens(tokens: Sequence[str]) -> list[str]:
    return list(tokens)


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
