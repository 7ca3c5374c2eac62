"""Beam search over a step function, free of torch: the one search loop every decoder uses.

A step object (`codeqa_model.numpy_decoder.NumpyStep` for the shipped decoder, the torch step
in `codeqa_model.seq2seq` for other shapes) holds the encoded source and offers `top` (one step
and the beam's best extensions) and `keep` (the state of the beams that go on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from codeqa_model.token_ids import BOS, EOS, PAD


class Step(Protocol):
    """One source's decoding steps, beams as rows."""

    def top(
        self,
        prev: list[int],
        state: Any,
        live_scores: list[float],
        n: int,
        banned: tuple[list[int], list[int]],
    ) -> tuple[list[float], list[int], int, Any]: ...

    def keep(self, state: Any, rows: list[int]) -> Any: ...


@dataclass(frozen=True)
class Hypothesis:
    """A finished (or length-capped) beam entry: target ids without <s>/</s>."""

    ids: tuple[int, ...]
    logprob: float
    score: float  # logprob after length normalisation; beams are ranked by it


def _normalise(logprob: float, length: int, alpha: float) -> float:
    """GNMT length penalty ((5 + len) / 6) ** alpha; alpha = 0 ranks by raw log-probability."""
    return logprob / (((5.0 + length) / 6.0) ** alpha)


def banned_tokens(ids: Sequence[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram of `ids` a second time (n <= 0: none).

    The n-gram rule against degenerate loops like `f(f(f(f(…`: the last n - 1 ids are the
    prefix; every id that followed the same prefix earlier in `ids` is banned next.
    """
    if n <= 0 or len(ids) < n:
        return []
    ids = list(ids)
    m = n - 1
    if m == 0:
        return ids  # an empty prefix follows everywhere: every id was seen after it
    prefix = ids[len(ids) - m :]
    first = prefix[0]  # compared alone first: most places differ there (no slice made)
    return [ids[i + m] for i in range(len(ids) - m) if ids[i] == first and ids[i : i + m] == prefix]


def search(
    step: Step,
    state: Any,
    k: int = 5,
    max_len: int = 96,
    length_penalty: float = 1.0,
    no_repeat_ngram: int = 0,
) -> list[Hypothesis]:
    """Up to k hypotheses from the one-beam `state`, best first; k = 1 is greedy decoding.

    `no_repeat_ngram` = n > 0 forbids any token that would repeat an n-gram of target ids
    already in its hypothesis (`banned_tokens`); 0 turns the rule off.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    live_ids: list[list[int]] = [[]]
    live_scores = [0.0]
    prev = [BOS]
    finished: list[Hypothesis] = []
    n_cand = 2 * k
    for t in range(max_len):
        ban_rows: list[int] = []
        ban_cols: list[int] = []
        if no_repeat_ngram > 0 and len(live_ids[0]) >= no_repeat_ngram:
            for row, ids in enumerate(live_ids):
                banned = banned_tokens(ids, no_repeat_ngram)
                ban_rows += [row] * len(banned)
                ban_cols += banned
        top_scores, top_idx, width, state = step.top(
            prev, state, live_scores, n_cand, (ban_rows, ban_cols)
        )
        keep_rows: list[int] = []
        next_ids: list[list[int]] = []
        next_tok: list[int] = []
        next_scores: list[float] = []
        for score, idx in zip(top_scores, top_idx, strict=True):
            if score == float("-inf"):
                break
            row, tok = divmod(idx, width)
            if tok == EOS:
                ids = live_ids[row]
                finished.append(
                    Hypothesis(tuple(ids), score, _normalise(score, len(ids) + 1, length_penalty))
                )
            elif tok != PAD:
                keep_rows.append(row)
                next_ids.append([*live_ids[row], tok])
                next_tok.append(tok)
                next_scores.append(score)
            if len(next_ids) == k:
                break
        if not next_ids:
            break
        if len(finished) >= k:
            # Stop once the best live beam, normalised at its current length, cannot beat the
            # k-th best finished one. Stopping at the first k finished favours short answers.
            kth = sorted((f.score for f in finished), reverse=True)[k - 1]
            if _normalise(max(next_scores), len(next_ids[0]), length_penalty) <= kth:
                break
        if keep_rows != list(range(len(live_ids))):
            state = step.keep(state, keep_rows)
        live_ids, prev, live_scores = next_ids, next_tok, next_scores
        if t == max_len - 1:  # length cap: keep the live beams as (unterminated) answers
            finished.extend(
                Hypothesis(tuple(ids), s, _normalise(s, len(ids), length_penalty))
                for ids, s in zip(live_ids, next_scores, strict=True)
            )
    finished.sort(key=lambda hyp: hyp.score, reverse=True)
    return finished[:k]
