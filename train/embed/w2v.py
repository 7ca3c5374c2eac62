"""word2vec through gensim (the only place in the project it is imported, with the rest of train/).

Determinism: gensim is bit-for-bit reproducible only with `workers=1` (and a fixed
PYTHONHASHSEED); with more workers the thread scheduling changes the update order. We default to
`workers=2` because the machine has two cores and the embeddings are compared by quality, not by
bytes; pass `--workers 1` when an exact rerun matters.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Word2VecConfig:
    dim: int = 100
    window: int = 5
    min_count: int = 2
    sg: bool = True
    epochs: int = 5
    seed: int = 13
    workers: int = 2
    max_vocab: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def train_word2vec(
    sequences: Sequence[Sequence[str]],
    config: Word2VecConfig,
    vocab: Collection[str] | None = None,
) -> tuple[list[str], np.ndarray, float]:
    """Train on `sequences`; returns (vocab in row order, float32 vectors, seconds).

    Given `vocab`, exactly those tokens are kept (so a word2vec and a GloVe of one corpus share
    a vocabulary); otherwise gensim applies `min_count` and `max_vocab` itself.
    """
    from gensim import utils
    from gensim.models import Word2Vec

    trim_rule = None
    if vocab is not None:
        keep = set(vocab)

        def trim_rule(word: str, count: int, min_count: int) -> int:
            return utils.RULE_KEEP if word in keep else utils.RULE_DISCARD

    start = time.perf_counter()
    model = Word2Vec(
        sentences=[list(s) for s in sequences if s],
        vector_size=config.dim,
        window=config.window,
        min_count=config.min_count,
        max_final_vocab=config.max_vocab if vocab is None else None,
        trim_rule=trim_rule,
        sg=1 if config.sg else 0,
        epochs=config.epochs,
        seed=config.seed,
        workers=config.workers,
    )
    vocab = list(model.wv.index_to_key)
    vectors = np.asarray(model.wv.vectors, dtype=np.float32)
    return vocab, vectors, time.perf_counter() - start
