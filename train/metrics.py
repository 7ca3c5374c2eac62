"""Evaluation metrics: CoNaLa's BLEU exactly as the benchmark computes it, plus ranking metrics
(ROC-AUC and average precision from scikit-learn, behind input checks with clear errors).

BLEU here is the CoNaLa benchmark's, not sacrebleu's: the code is tokenized with
`tokenize_for_bleu_eval` (Wang Ling et al. 2016, as in conala-baseline's `conala_eval.py`) and
scored with the TensorFlow NMT `compute_bleu` that CoNaLa ships (`bleu_score.py`):

- n-gram counts for n = 1..4 per sentence, clipped by the reference counts (max over references);
- corpus precisions p_n = sum(clipped matches) / sum(max(len(hyp) - n + 1, 0)), no smoothing;
- geometric mean of the p_n, and 0 as soon as any p_n is 0;
- brevity penalty 1 when the corpus ratio hyp_len / ref_len > 1, else exp(1 - 1/ratio)
  (0 when the hypotheses are all empty); ref_len sums the shortest reference per sentence.

Scores are returned in [0, 1]; tables print them ×100 like the papers do.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_NON_WORD = re.compile(r"([^A-Za-z0-9_])")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_SPACES = re.compile(r"\s+")


def tokenize_for_bleu_eval(code: str) -> list[str]:
    """CoNaLa's BLEU tokenizer: split on every non-word character and at camelCase humps.

    Both quote kinds become a back-tick, so `'a'` and `"a"` score the same.
    """
    code = _NON_WORD.sub(r" \1 ", code)
    code = _CAMEL.sub(r"\1 \2", code)
    code = _SPACES.sub(" ", code)
    code = code.replace('"', "`").replace("'", "`")
    return [tok for tok in code.split(" ") if tok]


def _ngram_counts(tokens: Sequence[str], max_order: int) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    for order in range(1, max_order + 1):
        for start in range(len(tokens) - order + 1):
            counts[tuple(tokens[start : start + order])] += 1
    return counts


@dataclass(frozen=True)
class BleuResult:
    """The parts of a corpus BLEU score, so a surprising number can be explained."""

    bleu: float
    precisions: tuple[float, ...]
    brevity_penalty: float
    ratio: float
    translation_length: int
    reference_length: int


def compute_bleu(
    references: Sequence[Sequence[Sequence[str]]],
    translations: Sequence[Sequence[str]],
    max_order: int = 4,
    smooth: bool = False,
) -> BleuResult:
    """Corpus BLEU of tokenized `translations`, each against its list of tokenized references.

    Same arithmetic as TensorFlow NMT's `compute_bleu` used by CoNaLa (see module docstring);
    `smooth=True` adds one to every matched and possible count (Lin & Och 2004).
    """
    if len(references) != len(translations):
        raise ValueError(f"{len(references)} reference lists but {len(translations)} translations")
    matches = [0] * max_order
    possible = [0] * max_order
    ref_len = 0
    hyp_len = 0
    for refs, hyp in zip(references, translations, strict=True):
        if not refs:
            raise ValueError("every translation needs at least one reference")
        ref_len += min(len(r) for r in refs)
        hyp_len += len(hyp)
        ref_counts: Counter[tuple[str, ...]] = Counter()
        for ref in refs:
            ref_counts |= _ngram_counts(ref, max_order)
        overlap = _ngram_counts(hyp, max_order) & ref_counts
        for ngram, count in overlap.items():
            matches[len(ngram) - 1] += count
        for order in range(1, max_order + 1):
            possible[order - 1] += max(len(hyp) - order + 1, 0)

    if smooth:
        precisions = [(m + 1.0) / (p + 1.0) for m, p in zip(matches, possible, strict=True)]
    else:
        precisions = [m / p if p > 0 else 0.0 for m, p in zip(matches, possible, strict=True)]
    if min(precisions) > 0:
        geo_mean = math.exp(sum(math.log(p) for p in precisions) / max_order)
    else:
        geo_mean = 0.0
    if ref_len == 0:
        raise ValueError("references are all empty: BLEU is undefined")
    ratio = hyp_len / ref_len
    if ratio > 1.0:
        bp = 1.0
    elif ratio == 0.0:
        bp = 0.0
    else:
        bp = math.exp(1.0 - 1.0 / ratio)
    return BleuResult(geo_mean * bp, tuple(precisions), bp, ratio, hyp_len, ref_len)


def corpus_bleu(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """CoNaLa corpus BLEU-4 of code strings against one reference string each, in [0, 1]."""
    refs = [[tokenize_for_bleu_eval(r)] for r in references]
    hyps = [tokenize_for_bleu_eval(h) for h in hypotheses]
    return compute_bleu(refs, hyps).bleu


def sentence_bleu(reference: str, hypothesis: str) -> float:
    """Smoothed sentence BLEU-4, used only to *choose* among candidates (never reported).

    Smoothing keeps short candidates with no 4-gram match comparable instead of all scoring 0.
    """
    ref = tokenize_for_bleu_eval(reference)
    if not ref:
        return 0.0
    return compute_bleu([[ref]], [tokenize_for_bleu_eval(hypothesis)], smooth=True).bleu


def exact_match(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Share of hypotheses whose BLEU tokens equal the reference's (CoNaLa's `exact`)."""
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    if not references:
        raise ValueError("no examples")
    hits = sum(
        tokenize_for_bleu_eval(r) == tokenize_for_bleu_eval(h)
        for r, h in zip(references, hypotheses, strict=True)
    )
    return hits / len(references)


def best_of_k_bleu(
    references: Sequence[str], candidates: Sequence[Sequence[str]]
) -> tuple[float, list[str]]:
    """Oracle BLEU over k candidates per example: an upper bound for reranking.

    For each example the candidate with the highest smoothed sentence BLEU against its
    reference is picked (ties → the earlier, i.e. higher-ranked, candidate; no candidate → the
    empty string); the picks are then scored with the unsmoothed corpus BLEU above.
    Returns (bleu, picks).
    """
    if len(references) != len(candidates):
        raise ValueError(f"{len(references)} references but {len(candidates)} candidate lists")
    picks: list[str] = []
    for ref, cands in zip(references, candidates, strict=True):
        best, best_score = "", -1.0
        for cand in cands:
            score = sentence_bleu(ref, cand)
            if score > best_score:
                best, best_score = cand, score
        picks.append(best)
    return corpus_bleu(references, picks), picks


def _check_binary(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels).astype(np.int64).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"{y.size} labels but {s.size} scores")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    if y.min(initial=1) == 1 or y.max(initial=0) == 0:
        raise ValueError("need both positive and negative labels")
    return y, s


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (scikit-learn's): P(a random positive outscores a random
    negative), ties counting ½."""
    from sklearn.metrics import roc_auc_score

    y, s = _check_binary(labels, scores)
    return float(roc_auc_score(y, s))


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (scikit-learn's): sum over thresholds of (recall step) × precision;
    tied scores form one threshold, so input order does not matter."""
    from sklearn.metrics import average_precision_score

    y, s = _check_binary(labels, scores)
    return float(average_precision_score(y, s))


def accuracy(labels: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> float:
    """Share of pairs where (prob ≥ threshold) equals the label."""
    y, p = _check_binary(labels, probs)
    return float(np.mean((p >= threshold).astype(np.int64) == y))
