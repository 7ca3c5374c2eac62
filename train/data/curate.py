"""The curation steps, each a pure function over pairs (numbered as in the issue).

Every step keeps input order, so the output depends only on the inputs and the seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from codeqa_model.code_tokens import tokenize_code
from codeqa_train.data.clean import clean_snippet, line_count
from codeqa_train.data.records import SOURCES, Pair, QuestionId
from codeqa_train.data.similarity import count_vectors, intent_words, max_similarity, tfidf_vectors

STAQC_SOURCES = frozenset({"staqc", "staqc-annotated"})


def drop_empty(pairs: Iterable[Pair]) -> list[Pair]:
    """0. A pair with a blank intent or snippet teaches nothing (conala-all.json has one)."""
    return [p for p in pairs if p.intent.strip() and p.snippet.strip()]


def filter_min_prob(pairs: Iterable[Pair], min_prob: float) -> list[Pair]:
    """1. Mined pairs (those with a `prob`) are kept only when `prob >= min_prob`."""
    return [p for p in pairs if p.prob is None or p.prob >= min_prob]


def clean_staqc(pairs: Iterable[Pair], max_lines: int) -> list[Pair]:
    """2. StaQC snippets cleaned (`clean.clean_snippet`), kept when 1..`max_lines` lines remain."""
    kept = []
    for pair in pairs:
        if pair.source not in STAQC_SOURCES:
            kept.append(pair)
            continue
        snippet = clean_snippet(pair.snippet)
        if 0 < line_count(snippet) <= max_lines:
            kept.append(replace(pair, snippet=snippet))
    return kept


def _source_rank(pair: Pair) -> int:
    return SOURCES.index(pair.source) if pair.source in SOURCES else len(SOURCES)


def _same_intent(a: Pair, b: Pair) -> bool:
    return " ".join(a.intent.lower().split()) == " ".join(b.intent.lower().split())


def dedup_per_question(
    pairs: Sequence[Pair], threshold: float, ignore_intents: bool = False
) -> list[Pair]:
    """3. Within each question, drop a snippet whose code-token cosine with an already kept one is
    `>= threshold`. Pairs are visited by source priority (`records.SOURCES`), then input order.

    Two pairs whose intents were *both* rewritten by annotators for their own snippets (CoNaLa)
    only count as duplicates when those intents are the same: "get creation time of file" →
    `getctime` and "get modified time of file" → `getmtime` are two lessons, not one, though
    their code vectors are close. Titles shared by a question's snippets (StaQC, mined) compare by
    code alone. `ignore_intents=True` compares every pair by code alone.
    """
    by_qid: dict[QuestionId, list[int]] = defaultdict(list)
    for index, pair in enumerate(pairs):
        by_qid[pair.qid].append(index)
    groups = [
        sorted(indices, key=lambda i: (_source_rank(pairs[i]), i))
        for indices in by_qid.values()
        if len(indices) > 1
    ]
    rows = [i for group in groups for i in group]
    vectors = count_vectors([tokenize_code(pairs[i].snippet) for i in rows])
    keep = [True] * len(pairs)
    start = 0
    for group in groups:
        block = vectors[start : start + len(group)]
        start += len(group)
        sims = (block @ block.T).toarray()
        kept_rows: list[int] = []
        for row, index in enumerate(group):
            pair = pairs[index]
            if any(
                sims[row, k] >= threshold
                and (
                    ignore_intents
                    or not (pair.rewritten and pairs[group[k]].rewritten)
                    or _same_intent(pair, pairs[group[k]])
                )
                for k in kept_rows
            ):
                keep[index] = False
            else:
                kept_rows.append(row)
    return [pair for pair, flag in zip(pairs, keep, strict=True) if flag]


def remove_test_qids(pairs: Iterable[Pair], test_qids: set[QuestionId]) -> list[Pair]:
    """4a. Drop every pair whose question is a CoNaLa test question."""
    return [p for p in pairs if p.qid not in test_qids]


def remove_test_intents(
    pairs: Sequence[Pair], test: Sequence[Pair], threshold: float
) -> list[Pair]:
    """4b. Drop pairs whose intent or raw intent has TF-IDF cosine `>= threshold` with any test
    intent or raw intent (the same question asked again under another id)."""
    if not pairs or not test:
        return list(pairs)
    texts = [t for p in pairs for t in (p.intent, p.raw_intent)]
    test_texts = [t for p in test for t in (p.intent, p.raw_intent)]
    vectors = tfidf_vectors([intent_words(t) for t in texts + test_texts])
    best = max_similarity(vectors[: len(texts)], vectors[len(texts) :])
    per_pair = best.reshape(len(pairs), 2).max(axis=1)
    return [p for p, sim in zip(pairs, per_pair, strict=True) if sim < threshold]


def _qid_key(qid: QuestionId) -> tuple[int, str]:
    return (0, f"{qid:020d}") if isinstance(qid, int) else (1, str(qid))


def split_by_question(
    qids: Iterable[QuestionId],
    valid_fraction: float,
    seed: int,
    train_only: Callable[[QuestionId], bool],
) -> set[QuestionId]:
    """5. The set of question ids that go to valid: a seeded shuffle of the sorted distinct ids,
    of which the first `round(valid_fraction * n)` are valid. Ids where `train_only` holds (Django
    lines: extra data, not the target distribution) never go to valid."""
    candidates = sorted({q for q in qids if not train_only(q)}, key=_qid_key)
    random.Random(seed).shuffle(candidates)
    return set(candidates[: round(valid_fraction * len(candidates))])
