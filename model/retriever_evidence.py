"""Evidence from the learned intent → API retriever: are the block's calls ones the intent asks
for?

The API profiles in `match_evidence` know only APIs that training pairs called. The shipped
retriever (`api_retriever`, fitted on Stack Overflow answers and the API docs) gives
P(api | intent) over ten thousand APIs, so it also speaks for `os.getlogin` under "read the
environment variable", or `time.sleep` under "get the current month". Features per pair:

- `prior_known`: 1 when a call of the block is one of the retriever's APIs (else the other two
  are 0 and say nothing);
- `prior_logp`: log P(the block's likeliest API | intent), floored at e^-12, divided by 12
  (in [-1, 0]);
- `prior_gap`: how far that API is below the intent's likeliest API, in the same units (in
  [0, 1]): an API swap is a call the intent makes unlikely while a sibling is likely.

Calls are read with `api_keys` (ast, never importing; code that does not parse has none). One
matrix-vector product per distinct intent of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from codeqa_model.api_retriever import ApiRetriever, api_keys
from codeqa_model.retrieval import learned_features
from codeqa_model.slots import canonicalize_intent

PRIOR_FEATURES = ("prior_known", "prior_logp", "prior_gap")
_FLOOR = 12.0  # log-probabilities below -12 count as -12


class RetrieverEvidence:
    """`PRIOR_FEATURES` for (intent, code) pairs, from a fitted retriever."""

    def __init__(self, retriever: ApiRetriever) -> None:
        self.retriever = retriever
        self._ids = {name: i for i, name in enumerate(retriever.api_names)}
        self._calls = lru_cache(maxsize=16384)(self._calls_uncached)

    def _calls_uncached(self, code: str) -> tuple[int, ...]:
        return tuple(self._ids[k] for k in api_keys(code) if k in self._ids)

    def _log_probs(self, intent: str) -> np.ndarray | None:
        canon, slots = canonicalize_intent(intent)
        probs = self.retriever.api_probs(learned_features(canon, (s.value for s in slots)))
        return None if probs is None else np.log(np.maximum(probs, 1e-30))

    def many(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """`PRIOR_FEATURES` for each pair, in order; each distinct intent is read once."""
        by_intent: dict[str, tuple[np.ndarray, float] | None] = {}
        out: list[list[float]] = []
        for intent, code in pairs:
            calls = self._calls(code)
            if not calls:
                out.append([0.0, 0.0, 0.0])
                continue
            if intent not in by_intent:
                logp = self._log_probs(intent)
                by_intent[intent] = None if logp is None else (logp, float(logp.max()))
            known = by_intent[intent]
            if known is None:
                out.append([0.0, 0.0, 0.0])
                continue
            logp, top = known
            best = max(float(logp[i]) for i in calls)
            out.append([1.0, max(best, -_FLOOR) / _FLOOR, min(top - best, _FLOOR) / _FLOOR])
        return out
