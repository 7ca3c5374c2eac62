"""How likely the APIs a candidate calls are for its intent, by the learned intent → API retriever.

The beam's probability and the matcher rate fluent code on the intent's topic; neither knows
that "remove duplicates" is answered with `set` far more often than with `.remove`, or that
"read a json file" wants `json.load` rather than `.read`. The retriever (`api_retriever`) was
fitted for exactly that: P(api | intent) over the APIs of Stack Overflow answers and the docs.
A candidate's prior is its likeliest API's probability. It is absolute, not relative to the
intent's best API: where the intent names no API ("get the last element") the distribution is
flat, every candidate gets almost nothing, and code calling nothing (`xs[-1]`, which gets 0)
loses almost nothing.
`engine.api_weight`, chosen on validation by `codeqa-train tune`, says how much it counts;
`engine.name_weight` first reweighs the likeliest APIs by how much of each name the intent
spells (`api_names`: getcwd under "get the current working directory").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from codeqa_model.api_check import declared_only
from codeqa_model.api_names import intent_words, reweigh
from codeqa_model.api_retriever import ApiRetriever, api_keys
from codeqa_model.retrieval import learned_features
from codeqa_model.slots import canonicalize_intent

NAME_TOP = 64  # likeliest APIs the name match may reweigh (a name takes microseconds)


class ApiPrior:
    """P(api | intent) of each candidate's likeliest API, from a fitted retriever."""

    def __init__(self, retriever: ApiRetriever, name_weight: float = 0.0) -> None:
        self.retriever = retriever
        self.name_weight = name_weight  # see `api_names.reweigh`
        self._ids = {name: i for i, name in enumerate(retriever.api_names)}

    def scores(self, intent: str, codes: Sequence[str]) -> np.ndarray:
        """Per code, in [0, 1]: P(its likeliest API | intent); zeros when the intent has no word
        the retriever knows."""
        return self.code_scores(self.intent_probs(intent), codes)

    def intent_probs(self, intent: str) -> np.ndarray | None:
        """P(api | intent) after the name reweighing; None when the intent has no word the
        retriever knows. The intent's half of `scores`: the engine works it out once for the
        generated and the retrieved candidates."""
        canon, slots = canonicalize_intent(intent)
        probs = self.retriever.api_probs(learned_features(canon, (s.value for s in slots)))
        if probs is None:
            return None
        probs = reweigh(
            probs, self.retriever.api_names, intent_words(intent), self.name_weight, NAME_TOP
        )
        return self._without_declared_types(probs, intent)

    def _without_declared_types(self, probs: np.ndarray, intent: str) -> np.ndarray:
        """`probs` with the constructor of a type the intent names only as a value's type
        (`list` under "shuffle the list `cards`") at 0: the type word says what `cards` is, not
        that the answer calls `list`, yet the retriever, which sums its words, gave `list` 0.54
        there and `random.shuffle` nothing, and `list(...)` junk won."""
        ids = [self._ids[t] for t in declared_only(intent) if t in self._ids]
        if not ids:
            return probs
        probs = probs.copy()
        probs[ids] = 0.0
        return probs

    def code_scores(self, probs: np.ndarray | None, codes: Sequence[str]) -> np.ndarray:
        """`scores` from the intent's `intent_probs`."""
        out = np.zeros(len(codes))
        if probs is None:
            return out
        for i, code in enumerate(codes):
            ids = [self._ids[k] for k in api_keys(code) if k in self._ids]
            if ids:
                out[i] = float(probs[ids].max())
        return out
