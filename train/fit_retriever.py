"""Fit the learned intent → API retriever (`codeqa_model.api_retriever`) over a retrieval index.

Every index entry is a training example: its canonical intent's features (words, bigrams, the
words of its values) → the APIs its code calls (`api_keys`). Stack Overflow pairs say how people
ask; doc pairs say what each API does, weighted up by how often the re-sampled apidocs file
picked them (Xu et al., ACL 2020: re-sampling toward real intents is what made docs help), so
the per-API bias learns a popularity prior. The model is a bag-of-features encoder (mean of
learned word vectors) against a vector and bias per API, trained with a soft-target softmax over
all APIs in torch on one thread: about a minute on CPU. Only numpy arrays are kept.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from codeqa_model.api_retriever import ApiRetriever, api_keys, entry_map
from codeqa_model.retrieval import RetrievalIndex, entries_digest, learned_features

# Stack Overflow rows are how users phrase things; doc rows are many and phrased as docs.
# 8 and 4 epochs: the best of SO weight 3/8 and 4/8/12 epochs on the validation objective of
# `codeqa-train retrieval` (mean API hit@1/@5, CoNaLa valid + executable valid): 48.2 (8, 4 ep)
# vs 46.8 (3, 4 ep), 45.9 (3, 8 ep), 42.2 (3, 12 ep, before the per-API cap); BM25 alone 41.3.
SO_WEIGHT = 8.0
MIN_FEATURE_COUNT = 2


@dataclass(frozen=True)
class FitConfig:
    """Knobs of the fit (fixed; the blend weight with BM25 is what validation chooses)."""

    dim: int = 64
    epochs: int = 4
    batch: int = 512
    lr: float = 0.01
    feature_dropout: float = 0.2
    seed: int = 0
    pool: str = "mean"
    # Whether an entry's features add the words inside its called names. Off: a query never
    # has them, and validation (`codeqa-train retrieval`'s objective, 2026-12-02 mine) chose
    # off, 46.4 vs 45.4 (executable valid API hit@5 66.7 vs 63.6); sum pooling 43.7, 8 epochs
    # 43.8, both name-less and name-only examples 44.6, a per-API share of doc weight 45.8.
    # The engine at the shipped knobs (runs/s7/ab.py) is 23.39 vs 23.36 either way.
    name_words: bool = False


@dataclass(frozen=True)
class Example:
    feats: tuple[str, ...]
    keys: tuple[str, ...]
    weight: float


def examples(
    index: RetrievalIndex,
    popularity: Mapping[str, int],
    doc_sources: Sequence[str],
    name_words: bool = False,
) -> tuple[list[Example], list[tuple[str, ...]]]:
    """Training examples from the index's entries (intent features, with `name_words` plus the
    words inside the called names), and every entry's API keys (same order).

    `popularity` counts how often the re-sampled doc file chose a snippet (by its code text
    after canonicalisation); a doc entry weighs `1 + log1p(count)`, a Stack Overflow one
    `SO_WEIGHT`."""
    out: list[Example] = []
    keys_of: list[tuple[str, ...]] = []
    names = index.name_terms if name_words else [[] for _ in index.entries]
    for entry, named in zip(index.entries, names, strict=True):
        keys = api_keys(entry.code)
        keys_of.append(keys)
        if not keys:
            continue
        values = [v for _, v in entry.values]
        # with name_words, the API's own name words count as asked for ("makedirs": create
        # directory); a user's query never carries them, so by default the intent's alone
        feats = (*learned_features(entry.intent, values), *named)
        if entry.source in doc_sources:
            weight = 1.0 + math.log1p(popularity.get(entry.code, 0))
        else:
            weight = SO_WEIGHT
        out.append(Example(feats, keys, weight))
    return out, keys_of


def fit(
    index: RetrievalIndex,
    popularity: Mapping[str, int],
    doc_sources: Sequence[str],
    config: FitConfig = FitConfig(),
    progress: Callable[[str], None] | None = None,
) -> ApiRetriever:
    """Train on the index's own entries; the returned retriever maps exactly those entries."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    train, keys_of = examples(index, popularity, doc_sources, config.name_words)
    counts = Counter(f for ex in train for f in set(ex.feats))
    vocab = {
        f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= MIN_FEATURE_COUNT))
    }
    api_freq = Counter(k for keys in keys_of for k in keys)
    names = tuple(sorted(api_freq))
    api_index = {k: i for i, k in enumerate(names)}
    rows = [
        ([vocab[f] for f in ex.feats if f in vocab], [api_index[k] for k in ex.keys], ex.weight)
        for ex in train
    ]
    rows = [r for r in rows if r[0]]
    words = torch.nn.EmbeddingBag(len(vocab), config.dim, mode=config.pool)
    apis = torch.nn.Embedding(len(names), config.dim)
    torch.nn.init.normal_(words.weight, std=0.1)
    torch.nn.init.normal_(apis.weight, std=0.1)
    prior = torch.zeros(len(names))
    for _, keys, weight in rows:
        for k in keys:
            prior[k] += weight / len(keys)
    bias = torch.nn.Parameter(torch.log(prior + 0.1))
    params = [words.weight, apis.weight, bias]
    opt = torch.optim.Adam(params, lr=config.lr)
    for epoch in range(config.epochs):
        rng.shuffle(rows)
        total = 0.0
        for start in range(0, len(rows), config.batch):
            batch = rows[start : start + config.batch]
            flat: list[int] = []
            offsets: list[int] = []
            target = torch.zeros(len(batch), len(names))
            for j, (feats, keys, weight) in enumerate(batch):
                kept = [f for f in feats if rng.random() >= config.feature_dropout] or feats
                offsets.append(len(flat))
                flat += kept
                target[j, keys] = weight / len(keys)
            query = words(torch.tensor(flat), torch.tensor(offsets))
            logits = query @ apis.weight.T + bias
            loss = -(target * torch.log_softmax(logits, dim=1)).sum() / target.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        if progress is not None:
            progress(f"retriever epoch {epoch + 1}/{config.epochs}: loss {total / len(rows):.3f}")
    ptr, flat_ids = entry_map(keys_of, api_index)
    return ApiRetriever(
        vocab,
        names,
        words.weight.detach().numpy().astype(np.float16),
        apis.weight.detach().numpy().astype(np.float16),
        bias.detach().numpy().astype(np.float32),
        ptr,
        flat_ids,
        0.0,
        entries_digest(index.entries),
        pool=config.pool,
    )
