"""The inference API the language server uses: load a bundle once, then suggest and score.

`Engine.load` does all file I/O and sets torch's thread count once (the caller chooses it);
afterwards `suggest` and `score` only compute, under `torch.inference_mode()`, and give the same
answer for the same input. Suggestions are the generator's beam, reranked by the matcher:

    score = (1 - w) * p_beam + w * p_match

where `p_beam` is a candidate's share of the beam's probability mass (softmax of the generator's
log-probs over the candidates), `p_match` the matcher's calibrated probability, and `w` the
bundle's `engine.rerank_weight`. Candidates that do not parse as Python come last.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from codeqa_model.bundle import (
    GENERATOR_WEIGHTS,
    MATCHER_WEIGHTS,
    Bundle,
    BundleError,
    load_bundle,
)
from codeqa_model.paths import resolve_bundle

DEFAULT_RERANK_WEIGHT = 0.5
DEFAULT_BEAM = 5
DEFAULT_MAX_SRC_LEN = 64
# Every source token is at least one word, so words past the model's source length are never
# seen; a character cap per kept word bounds the tokenizer's work on pathological input.
_CHARS_PER_WORD = 32


@dataclass(frozen=True)
class Suggestion:
    """One ranked piece of code for an intent; `slot_spans` are where the editor puts tab stops."""

    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...] = ()


class _Candidate(Protocol):
    code: str
    score: float
    slot_spans: tuple[tuple[int, int], ...]


class _Generator(Protocol):
    def generate(self, intent: str, k: int = 5, max_len: int | None = None) -> list[Any]: ...


class _Matcher(Protocol):
    threshold: float

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> np.ndarray: ...


def combine_scores(
    beam_scores: Sequence[float], match_probs: Sequence[float], weight: float
) -> np.ndarray:
    """Rerank score per candidate: (1 - weight) * beam share + weight * match probability.

    `beam_scores` are the length-normalised log-probabilities the beam ranked by, so weight 0
    keeps the beam's own order. Public so evaluation chooses `weight` with exactly the formula
    the server uses.
    """
    lp = np.asarray(beam_scores, dtype=np.float64)
    if lp.size == 0:
        return np.zeros(0, dtype=np.float64)
    share = np.exp(lp - lp.max())
    share /= share.sum()
    return (1.0 - weight) * share + weight * np.asarray(match_probs, dtype=np.float64)


def parses(code: str) -> bool:
    """Whether `code` is syntactically valid Python (a statement or expression list)."""
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def rank(candidates: Sequence[_Candidate], scores: Sequence[float], k: int) -> list[Suggestion]:
    """Top `k` distinct candidates: parseable first, then by score; ties broken by the code text."""
    best: dict[str, Suggestion] = {}
    for cand, score in zip(candidates, scores, strict=True):
        seen = best.get(cand.code)
        if seen is None or score > seen.score:
            best[cand.code] = Suggestion(cand.code, float(score), tuple(cand.slot_spans))
    ordered = sorted(best.values(), key=lambda s: (not parses(s.code), -s.score, s.code))
    return ordered[:k]


def clip_intent(intent: str, max_words: int) -> str:
    """The part of an over-long intent the model can see; never raises."""
    words = intent.split()
    if len(words) <= max_words and len(intent) <= max_words * _CHARS_PER_WORD:
        return intent
    return " ".join(words[:max_words])[: max_words * _CHARS_PER_WORD]


class Engine:
    """A loaded bundle: `suggest` code for an intent, `score` (intent, code) pairs."""

    def __init__(
        self,
        generator: _Generator,
        matcher: _Matcher,
        *,
        rerank_weight: float = DEFAULT_RERANK_WEIGHT,
        beam: int = DEFAULT_BEAM,
        max_src_len: int = DEFAULT_MAX_SRC_LEN,
        info: dict[str, Any] | None = None,
        cache_size: int = 512,
    ) -> None:
        if not 0.0 <= rerank_weight <= 1.0:
            raise ValueError(f"rerank_weight must be in [0, 1], got {rerank_weight}")
        self.generator = generator
        self.matcher = matcher
        self.rerank_weight = float(rerank_weight)
        self.beam = max(1, int(beam))
        self.max_src_len = max(1, int(max_src_len))
        self.info: dict[str, Any] = dict(info or {})
        self.info.setdefault("rerank_weight", self.rerank_weight)
        # One model call at a time: keeps torch within the caller's thread budget and makes
        # concurrent requests from a server's executor see the same results as serial ones.
        self._lock = threading.Lock()
        self._suggest_cached = lru_cache(maxsize=cache_size)(self._suggest_uncached)

    @classmethod
    def load(cls, path: str | Path | None = None, threads: int = 1) -> Engine:
        """Load the bundle at `path` (None = the default bundle; a plain name = a user bundle).

        Sets `torch.set_num_threads(threads)` for the process. Raises `BundleError` for a bundle
        that is missing, damaged, of another format version, or whose weights do not fit it.
        """
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        torch.set_num_threads(threads)
        bundle = load_bundle(resolve_bundle(path))
        return cls.from_bundle(bundle, threads=threads)

    @classmethod
    def from_bundle(cls, bundle: Bundle, threads: int | None = None) -> Engine:
        """Build the networks from an already verified bundle."""
        from codeqa_model.generator import (
            Generator,  # imported here: heavy, and only needed to build
        )
        from codeqa_model.matcher import Matcher

        cfg = bundle.config
        generator = _build(
            Generator, cfg["generator"], bundle.generator_tensors, bundle, GENERATOR_WEIGHTS
        )
        matcher = _build(Matcher, cfg["matcher"], bundle.matcher_tensors, bundle, MATCHER_WEIGHTS)
        weight = cfg["engine"].get("rerank_weight", DEFAULT_RERANK_WEIGHT)
        if not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
            raise BundleError(
                f"{bundle.path / 'config.json'}: engine.rerank_weight must be a number in [0, 1], "
                f"got {weight!r}; re-export the bundle"
            )
        info = {
            "format_version": bundle.format_version,
            "path": str(bundle.path),
            "created": bundle.created,
            "metrics": dict(bundle.metrics or {}),
            "threads": threads if threads is not None else torch.get_num_threads(),
        }
        return cls(
            generator,
            matcher,
            rerank_weight=float(weight),
            beam=int(cfg["generator"].get("beam_size", DEFAULT_BEAM)),
            max_src_len=int(cfg["generator"].get("max_src_len", DEFAULT_MAX_SRC_LEN)),
            info=info,
        )

    @property
    def threshold(self) -> float:
        """Match probability below which code is flagged as not doing what its intent says."""
        return float(self.matcher.threshold)

    def suggest(self, intent: str, k: int = 5) -> list[Suggestion]:
        """Up to `k` ranked suggestions; [] for an empty intent. Same input, same output."""
        if k < 1 or not intent.strip():
            return []
        return list(self._suggest_cached(clip_intent(intent.strip(), self.max_src_len), k))

    def suggest_many(self, intents: Sequence[str], k: int = 5) -> list[list[Suggestion]]:
        """`suggest` for each intent, in order."""
        return [self.suggest(intent, k) for intent in intents]

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> list[float]:
        """Calibrated probability that each code does what its intent says, in input order."""
        pairs = list(pairs)
        for i, pair in enumerate(pairs):
            if not (
                isinstance(pair, tuple | list)
                and len(pair) == 2
                and all(isinstance(s, str) for s in pair)
            ):
                raise TypeError(f"pairs[{i}] must be an (intent, code) pair of str, got {pair!r}")
        if not pairs:
            return []
        clipped = [(clip_intent(i, self.max_src_len), c) for i, c in pairs]
        with self._lock, torch.inference_mode():
            probs = self.matcher.score(clipped, batch_size=batch_size)
        return [float(p) for p in probs]

    def _suggest_uncached(self, intent: str, k: int) -> tuple[Suggestion, ...]:
        with self._lock, torch.inference_mode():
            candidates = self.generator.generate(intent, k=max(k, self.beam))
            if not candidates:
                return ()
            probs = self.matcher.score([(intent, c.code) for c in candidates])
        scores = combine_scores([c.score for c in candidates], probs, self.rerank_weight)
        return tuple(rank(candidates, scores, k))


def _build(cls: Any, config: dict, tensors: dict, bundle: Bundle, weights_name: str) -> Any:
    """`cls.from_parts(...)`, with a mismatch reported as a `BundleError` naming the weights."""
    try:
        return cls.from_parts(config, tensors, bundle.intent_tokenizer, bundle.code_tokenizer)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise BundleError(
            f"{bundle.path / weights_name}: does not fit config.json ({exc}); "
            "re-export the bundle with `codeqa-train export`"
        ) from None
