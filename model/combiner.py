"""The matcher's probability and API evidence combined into one calibrated score.

`codeqa-train fit-combiner` writes `combiner.json` (a bundle extra file): logistic-regression
weights over (matcher logit, `codeqa_model.match_evidence.FEATURES`), the API profiles behind
the evidence, and the threshold chosen on validation. A bundle without the file scores with the
matcher alone, as before. The combined probability replaces the matcher's wherever a pair is
judged (`Engine.score`, `codeqa-train evaluate`); suggestion reranking keeps the matcher's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from codeqa_model.match_evidence import FEATURES, Evidence

COMBINER_FILE = "combiner.json"
COMBINER_FORMAT = 1
_EPS = 1e-6


def design_matrix(base_probs: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """(n, 1 + len(FEATURES)): the matcher's logit (clipped), then the evidence features."""
    p = np.clip(np.asarray(base_probs, dtype=np.float64), _EPS, 1.0 - _EPS)
    logit = np.log(p) - np.log1p(-p)
    ev = np.asarray(evidence, dtype=np.float64).reshape(len(p), len(FEATURES))
    return np.column_stack([logit, ev])


class Combiner:
    """Weights, bias, threshold and the evidence they need; `probs` is pure arithmetic."""

    def __init__(
        self, weights: Sequence[float], bias: float, threshold: float, evidence: Evidence
    ) -> None:
        if len(weights) != 1 + len(FEATURES):
            raise ValueError(f"expected {1 + len(FEATURES)} weights, got {len(weights)}")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.evidence = evidence

    @classmethod
    def from_bytes(cls, data: bytes) -> Combiner:
        """Parse `combiner.json`; ValueError naming what does not fit."""
        try:
            obj: Any = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not JSON ({exc})") from None
        if not isinstance(obj, dict) or obj.get("format") != COMBINER_FORMAT:
            raise ValueError(f"not a format-{COMBINER_FORMAT} combiner")
        if obj.get("features") != ["matcher_logit", *FEATURES]:
            raise ValueError(f"features {obj.get('features')!r} are not this version's")
        try:
            weights = [float(w) for w in obj["weights"]]
            return cls(weights, float(obj["bias"]), float(obj["threshold"]), _evidence(obj))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"missing or malformed field ({exc!r})") from None

    def probs(self, pairs: Sequence[tuple[str, str]], base_probs: Sequence[float]) -> np.ndarray:
        """Combined probabilities for `pairs`, given the matcher's probabilities for them."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        x = design_matrix(np.asarray(base_probs), np.asarray(self.evidence.many(pairs)))
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def _evidence(obj: dict[str, Any]) -> Evidence:
    return Evidence.from_dict(obj["evidence"])


class CombinedMatcher:
    """A matcher whose `score` and `threshold` are the combiner's; everything else (explain,
    config, logits) is the wrapped matcher's. For callers that take a matcher (evaluate)."""

    def __init__(self, matcher: Any, combiner: Combiner) -> None:
        self.base = matcher
        self.combiner = combiner

    @property
    def threshold(self) -> float:
        return self.combiner.threshold

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> np.ndarray:
        base = self.base.score(pairs, batch_size=batch_size)
        return self.combiner.probs(pairs, base)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)
