"""The matcher's probability and API evidence combined into one calibrated score.

`codeqa-train fit-combiner` writes `combiner.json` (a bundle extra file): logistic-regression
weights over the matcher logit and the evidence features it names (`KNOWN_FEATURES`: the API
profiles' `match_evidence.FEATURES`, `values_missing`, `opposite`, the quoted values left out by
kind (`match_evidence.LITERAL_FEATURES`), and the learned retriever's
`PRIOR_FEATURES`, which need the bundle's `retriever.safetensors`, and the sibling contrast
`sibling_evidence.SIBLING_FEATURES`, whose sibling groups and doc sentences the file carries,
and `match_evidence.SWAP_FEATURES`, a file name swapped for another, and
`effect_evidence.EFFECT_FEATURES`, an unasked side effect or a do-nothing placeholder, and
`contrary_evidence.CONTRARY_FEATURES`, a sort, an end or a part the wrong way round, and
`number_evidence.NUMBER_FEATURES`, a number the intent states that the code never writes),
the API profiles behind the evidence, and the threshold chosen on validation. A bundle without
the file scores with the matcher alone, as before. The combined probability replaces the
matcher's wherever a pair is judged (`Engine.score`, `codeqa-train evaluate`); suggestion
reranking keeps the matcher's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from codeqa_model.api_retriever import RETRIEVER_FILE, ApiRetriever
from codeqa_model.contrary_evidence import CONTRARY_FEATURES, contrary
from codeqa_model.effect_evidence import EFFECT_FEATURES, effects
from codeqa_model.match_evidence import (
    FEATURES,
    LITERAL_FEATURES,
    SWAP_FEATURES,
    Evidence,
    literal_evidence,
    literal_swap,
    values_missing,
)
from codeqa_model.number_evidence import NUMBER_FEATURES, number_missing
from codeqa_model.retriever_evidence import PRIOR_FEATURES, RetrieverEvidence
from codeqa_model.sibling_evidence import SIBLING_FEATURES, Siblings

COMBINER_FILE = "combiner.json"
COMBINER_FORMAT = 1
_EPS = 1e-6
# every evidence feature a combiner may name, in the order `evidence_matrix` computes them
KNOWN_FEATURES = (
    *FEATURES,
    "values_missing",
    "opposite",
    *LITERAL_FEATURES,
    *PRIOR_FEATURES,
    *SIBLING_FEATURES,
    *SWAP_FEATURES,
    *EFFECT_FEATURES,
    *CONTRARY_FEATURES,
    *NUMBER_FEATURES,
)


def design_matrix(base_probs: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """(n, 1 + k): the matcher's logit (clipped), then the k evidence features."""
    p = np.clip(np.asarray(base_probs, dtype=np.float64), _EPS, 1.0 - _EPS)
    logit = np.log(p) - np.log1p(-p)
    ev = np.asarray(evidence, dtype=np.float64).reshape(len(p), -1)
    return np.column_stack([logit, ev])


def evidence_matrix(
    pairs: Sequence[tuple[str, str]],
    names: Sequence[str],
    evidence: Evidence,
    prior: RetrieverEvidence | None = None,
    siblings: Siblings | None = None,
) -> np.ndarray:
    """(n, len(names)): the named `KNOWN_FEATURES` of each pair; the retriever's and the sibling
    contrast are computed only when named (they need `prior`, `siblings`)."""
    columns = [np.asarray(evidence.many(pairs), dtype=np.float64).reshape(len(pairs), -1)]
    if "values_missing" in names:
        columns.append(np.array([[values_missing(i, c)] for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), 1)))
    if "opposite" in names:
        columns.append(np.array([[evidence.opposite(i, c)] for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), 1)))
    if any(n in LITERAL_FEATURES for n in names):
        literal = [literal_evidence(i, c) for i, c in pairs]
        columns.append(np.array(literal, dtype=np.float64).reshape(len(pairs), len(literal[0])))
    else:
        columns.append(np.zeros((len(pairs), len(LITERAL_FEATURES))))
    if any(n in PRIOR_FEATURES for n in names):
        if prior is None:
            raise ValueError("the retriever's features need the learned retriever")
        columns.append(np.asarray(prior.many(pairs), dtype=np.float64).reshape(len(pairs), -1))
    else:
        columns.append(np.zeros((len(pairs), len(PRIOR_FEATURES))))
    if any(n in SIBLING_FEATURES for n in names):
        if siblings is None:
            raise ValueError("the sibling contrast needs the sibling groups")
        columns.append(np.asarray(siblings.many(pairs), dtype=np.float64).reshape(len(pairs), -1))
    else:
        columns.append(np.zeros((len(pairs), len(SIBLING_FEATURES))))
    if "literal_swap" in names:
        columns.append(np.array([[literal_swap(i, c)] for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), len(SWAP_FEATURES))))
    if any(n in EFFECT_FEATURES for n in names):
        columns.append(np.array([effects(i, c) for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), len(EFFECT_FEATURES))))
    if any(n in CONTRARY_FEATURES for n in names):
        columns.append(np.array([contrary(i, c) for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), len(CONTRARY_FEATURES))))
    if any(n in NUMBER_FEATURES for n in names):
        columns.append(np.array([[number_missing(i, c)] for i, c in pairs], dtype=np.float64))
    else:
        columns.append(np.zeros((len(pairs), len(NUMBER_FEATURES))))
    full = np.hstack(columns)
    return full[:, [KNOWN_FEATURES.index(n) for n in names]]


class Combiner:
    """Weights, bias, threshold and the evidence they need; `probs` is pure arithmetic."""

    def __init__(
        self,
        weights: Sequence[float],
        bias: float,
        threshold: float,
        evidence: Evidence,
        names: Sequence[str] = FEATURES,
        prior: RetrieverEvidence | None = None,
        siblings: Siblings | None = None,
    ) -> None:
        unknown = [n for n in names if n not in KNOWN_FEATURES]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"features {list(names)!r} are not this version's")
        if len(weights) != 1 + len(names):
            raise ValueError(f"expected {1 + len(names)} weights, got {len(weights)}")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        if prior is None and any(n in PRIOR_FEATURES for n in names):
            raise ValueError("its features need the learned retriever (retriever.safetensors)")
        if siblings is None and any(n in SIBLING_FEATURES for n in names):
            raise ValueError("its sibling contrast needs the sibling groups")
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.evidence = evidence
        self.names = tuple(names)
        self.prior = prior
        self.siblings = siblings

    @classmethod
    def from_bytes(cls, data: bytes, retriever: ApiRetriever | None = None) -> Combiner:
        """Parse `combiner.json` (with the bundle's learned retriever, which a combiner naming
        `PRIOR_FEATURES` needs); ValueError naming what does not fit."""
        try:
            obj: Any = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not JSON ({exc})") from None
        if not isinstance(obj, dict) or obj.get("format") != COMBINER_FORMAT:
            raise ValueError(f"not a format-{COMBINER_FORMAT} combiner")
        features = obj.get("features")
        if not isinstance(features, list) or features[:1] != ["matcher_logit"]:
            raise ValueError(f"features {features!r} are not this version's")
        names = [str(n) for n in features[1:]]
        prior = None
        if retriever is not None and any(n in PRIOR_FEATURES for n in names):
            prior = RetrieverEvidence(retriever)
        try:
            weights = [float(w) for w in obj["weights"]]
            siblings = Siblings.from_dict(obj["siblings"]) if "siblings" in obj else None
            return cls(
                weights,
                float(obj["bias"]),
                float(obj["threshold"]),
                _evidence(obj),
                names,
                prior,
                siblings,
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"missing or malformed field ({exc!r})") from None

    @classmethod
    def from_files(cls, files: Sequence[Path]) -> Combiner | None:
        """The `combiner.json` among `files` (bundle extra files), with the `retriever.safetensors`
        beside it when it is there; None without a combiner file."""
        by_name = {Path(f).name: Path(f) for f in files}
        path = by_name.get(COMBINER_FILE)
        if path is None:
            return None
        learned = by_name.get(RETRIEVER_FILE)
        retriever = None if learned is None else ApiRetriever.from_bytes(learned.read_bytes())
        return cls.from_bytes(path.read_bytes(), retriever)

    def probs(self, pairs: Sequence[tuple[str, str]], base_probs: Sequence[float]) -> np.ndarray:
        """Combined probabilities for `pairs`, given the matcher's probabilities for them."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        ev = evidence_matrix(pairs, self.names, self.evidence, self.prior, self.siblings)
        x = design_matrix(np.asarray(base_probs), ev)
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
