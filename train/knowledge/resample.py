"""Re-sampling toward intent-like text, de-duplication and the CoNaLa-test leakage filter.

Like Xu et al.'s distribution estimation, each mined pair is weighted by how close its intent is
to real Stack Overflow intents — here the TF-IDF cosine to the nearest CoNaLa / StaQC **train**
intent, `weight ∝ exp(temperature · cosine)`, normalised to mean 1. Test intents are never used
for weighting; they are used only to drop near-duplicates (the curation's filter, reused).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from codeqa_train.data import curate
from codeqa_train.data.conala import load_conala_json
from codeqa_train.data.errors import BadInput
from codeqa_train.data.readers import iter_json_array
from codeqa_train.data.records import Pair
from codeqa_train.data.similarity import intent_words, max_similarity, tfidf_vectors

CONALA_TRAIN = "conala/conala-train.json"
CONALA_TEST = "conala/conala-test.json"
STAQC_TRAIN = "staqc-annotated/train_staqc.json"


def train_intents(shared: Path, bad: BadInput) -> list[str]:
    """CoNaLa train intents (raw and rewritten) and StaQC train titles — never test or dev."""
    texts: list[str] = []
    conala = shared / CONALA_TRAIN
    if conala.is_file():
        for pair in load_conala_json(conala, "conala", bad):
            texts.extend({pair.intent, pair.raw_intent})
    staqc = shared / STAQC_TRAIN
    if staqc.is_file():
        for _row, _line, record in iter_json_array(staqc, bad):
            if isinstance(record, dict) and isinstance(record.get("doc"), str):
                texts.append(record["doc"])
    return list(dict.fromkeys(t for t in texts if t.strip()))


def test_pairs(shared: Path, bad: BadInput) -> list[Pair]:
    path = shared / CONALA_TEST
    return list(load_conala_json(path, "conala", bad)) if path.is_file() else []


def intent_weights(
    intents: Sequence[str], references: Sequence[str], temperature: float
) -> np.ndarray:
    """exp(temperature · nearest-reference cosine), mean 1 (all ones without references)."""
    if not intents:
        return np.zeros(0)
    if not references:
        return np.ones(len(intents))
    vectors = tfidf_vectors([intent_words(t) for t in [*intents, *references]])
    nearest = max_similarity(vectors[: len(intents)], vectors[len(intents) :])
    weights = np.exp(temperature * (nearest - nearest.max()))
    return weights / weights.mean()


def near_test(intents: Sequence[str], test: Sequence[Pair], threshold: float) -> np.ndarray:
    """Mask of intents whose TF-IDF cosine with a CoNaLa test intent is ≥ `threshold`
    (the curation's `remove_test_intents`, applied to mined text)."""
    pairs = [Pair(str(i), i, "mined", t, t, "") for i, t in enumerate(intents)]
    kept = {p.qid for p in curate.remove_test_intents(pairs, test, threshold)}
    return np.asarray([i not in kept for i in range(len(intents))], dtype=bool)


def dedup_key(intent: str, code: str) -> tuple[str, str]:
    return (" ".join(intent_words(intent)), " ".join(code.split()))
