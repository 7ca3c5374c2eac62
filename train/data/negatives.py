"""6. Classifier pairs: each positive with one `random` and one `hard` negative.

`random`: the snippet of a pair from another question, drawn with the seeded generator.
`hard`: the snippet of the most similar other intent (TF-IDF cosine) from another question, below
`max_similarity` so that a reworded copy of the same question (whose snippet would answer it) is
never labelled wrong. Negatives are drawn from the same split only, so no split sees another's
snippets. A candidate whose snippet is the positive's, or nearly (code-token cosine
`>= max_code_similarity`: `[x[0] for x in rows]` for `[x[0] for x in A]`), is never a negative.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from codeqa_model.code_tokens import tokenize_code
from codeqa_train.data.records import ClassifierPair, Pair
from codeqa_train.data.similarity import count_vectors, intent_words, tfidf_vectors

_RANDOM_TRIES = 20


def _codes(values: Sequence[object]) -> np.ndarray:
    """Small integer codes, equal exactly when the values are equal."""
    table: dict[object, int] = {}
    return np.asarray([table.setdefault(v, len(table)) for v in values], dtype=np.int64)


def _code_vectors(pairs: Sequence[Pair]):
    return count_vectors([tokenize_code(p.snippet) for p in pairs]).astype(np.float32)


def hard_negative_indices(
    pairs: Sequence[Pair],
    max_similarity: float,
    max_code_similarity: float = 0.8,
    chunk: int = 512,
) -> list[int | None]:
    """For each pair, the index of the most similar intent (cosine `< max_similarity`) of another
    question whose snippet differs (code cosine `< max_code_similarity`); None when there is none.
    Ties go to the lower index."""
    n = len(pairs)
    if n < 2:
        return [None] * n
    vectors = tfidf_vectors([intent_words(p.intent) for p in pairs]).astype(np.float32)
    code = _code_vectors(pairs)
    qids, snippets = _codes([p.qid for p in pairs]), _codes([p.snippet for p in pairs])
    keys_t, code_t = vectors.T.tocsc(), code.T.tocsc()
    found: list[int | None] = []
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        sims = (vectors[start:stop] @ keys_t).toarray()
        same_code = (code[start:stop] @ code_t).toarray() >= max_code_similarity
        invalid = (qids[start:stop, None] == qids[None, :]) | (
            snippets[start:stop, None] == snippets[None, :]
        )
        sims[invalid | same_code | (sims >= max_similarity)] = -1.0
        best = sims.argmax(axis=1)
        for row, col in enumerate(best):
            found.append(int(col) if sims[row, col] >= 0.0 else None)
    return found


def classifier_pairs(
    positives: Sequence[Pair],
    extra_negatives: Sequence[Pair],
    seed: int,
    max_similarity: float,
    max_code_similarity: float = 0.8,
) -> tuple[list[ClassifierPair], int]:
    """Positives, then per positive a random and a hard negative, then `extra_negatives` (annotated
    non-answers, kind `hard`). Returns the pairs and how many negatives could not be found."""
    rng = random.Random(seed)
    hard = hard_negative_indices(positives, max_similarity, max_code_similarity)
    code = _code_vectors(positives) if positives else None
    out: list[ClassifierPair] = []
    missing = 0
    for index, pair in enumerate(positives):
        out.append(ClassifierPair(pair.qid, pair.intent, pair.snippet, 1, "positive"))
        other = None
        for _ in range(_RANDOM_TRIES if len(positives) > 1 else 0):
            pick = rng.randrange(len(positives))
            candidate = positives[pick]
            if (
                candidate.qid != pair.qid
                and candidate.snippet != pair.snippet
                and code[index].multiply(code[pick]).sum() < max_code_similarity
            ):
                other = candidate
                break
        if other is None:
            missing += 1
        else:
            out.append(ClassifierPair(pair.qid, pair.intent, other.snippet, 0, "random"))
        if hard[index] is None:
            missing += 1
        else:
            snippet = positives[hard[index]].snippet
            out.append(ClassifierPair(pair.qid, pair.intent, snippet, 0, "hard"))
    for neg in extra_negatives:
        out.append(ClassifierPair(neg.qid, neg.intent, neg.snippet, 0, "hard"))
    return out, missing
