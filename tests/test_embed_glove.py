"""GloVe: exact co-occurrence counts on hand-worked corpora, and training that actually learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from codeqa_train.embed.glove import GloveConfig, cooccurrence, train_glove

torch.set_num_threads(1)


def test_cooccurrence_hand_worked_weights_and_symmetry() -> None:
    # "a b a", window 2: (a,b) at d=1 twice -> 1 + 1 both ways; (a,a) at d=2 -> 1/2 twice.
    x = cooccurrence([["a", "b", "a"]], ["a", "b"], window=2).to_dense()
    np.testing.assert_allclose(x, [[1.0, 2.0], [2.0, 0.0]])


def test_cooccurrence_respects_sequence_boundaries_and_window() -> None:
    # seq 1: (a,b) d=1, (b,c) d=1, (a,c) d=2 -> 0.5; seq 2: (c,a) d=1.
    # Across the boundary c|c would be d=1 if sequences were glued: it must stay 0.
    x = cooccurrence([["a", "b", "c"], ["c", "a"]], ["a", "b", "c"], window=2).to_dense()
    expected = np.array([[0.0, 1.0, 1.5], [1.0, 0.0, 1.0], [1.5, 1.0, 0.0]])
    np.testing.assert_allclose(x, expected)
    # window 1 drops the d=2 pair
    x1 = cooccurrence([["a", "b", "c"], ["c", "a"]], ["a", "b", "c"], window=1).to_dense()
    np.testing.assert_allclose(x1, [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])


def test_cooccurrence_skips_out_of_vocabulary_tokens_before_windowing() -> None:
    # "z" is unknown, so a and b become neighbours at distance 1 (as in the reference C code).
    x = cooccurrence([["a", "z", "b"]], ["a", "b"], window=1).to_dense()
    np.testing.assert_allclose(x, [[0.0, 1.0], [1.0, 0.0]])


def test_cooccurrence_rejects_bad_window() -> None:
    with pytest.raises(ValueError, match="window"):
        cooccurrence([["a"]], ["a"], window=0)


def _two_topic_corpus(seed: int = 0) -> tuple[list[list[str]], list[str], list[str]]:
    """Sentences drawn from one of two disjoint five-token topics."""
    rng = np.random.default_rng(seed)
    topic_a = [f"a{i}" for i in range(5)]
    topic_b = [f"b{i}" for i in range(5)]
    sentences = []
    for n in range(300):
        topic = topic_a if n % 2 == 0 else topic_b
        sentences.append([str(t) for t in rng.choice(topic, size=8)])
    return sentences, topic_a, topic_b


def _mean_cosine(vectors: np.ndarray, rows_a: list[int], rows_b: list[int]) -> float:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit[rows_a] @ unit[rows_b].T
    if rows_a == rows_b:
        sims = sims[~np.eye(len(rows_a), dtype=bool)]
    return float(sims.mean())


def test_glove_loss_decreases_and_related_tokens_end_closer() -> None:
    sentences, topic_a, topic_b = _two_topic_corpus()
    vocab = topic_a + topic_b
    cooc = cooccurrence(sentences, vocab, window=3)
    config = GloveConfig(dim=8, epochs=40, lr=0.1, x_max=10.0, batch_size=16, seed=1)
    result = train_glove(cooc, config)
    assert result.vectors.shape == (10, 8)
    assert result.vectors.dtype == np.float32
    assert result.losses[-1] < 0.2 * result.losses[0]
    a_rows, b_rows = list(range(5)), list(range(5, 10))
    within = (
        _mean_cosine(result.vectors, a_rows, a_rows) + _mean_cosine(result.vectors, b_rows, b_rows)
    ) / 2
    across = _mean_cosine(result.vectors, a_rows, b_rows)
    assert within > across + 0.5


def test_glove_is_deterministic_for_a_seed() -> None:
    sentences, topic_a, topic_b = _two_topic_corpus()
    cooc = cooccurrence(sentences, topic_a + topic_b, window=2)
    config = GloveConfig(dim=4, epochs=3, batch_size=8, seed=7)
    np.testing.assert_array_equal(
        train_glove(cooc, config).vectors, train_glove(cooc, config).vectors
    )


def test_glove_refuses_empty_matrix() -> None:
    cooc = cooccurrence([["a"]], ["a"], window=2)
    with pytest.raises(ValueError, match="empty co-occurrence"):
        train_glove(cooc, GloveConfig(dim=2, epochs=1))
