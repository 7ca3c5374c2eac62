"""Where candidates come from: the trivial rows, the product engine and bare generator runs.

Each function returns, per problem, up to `k` `Candidate`s best first. Only the engine sees the
file around the block (`Problem.file_above`: its imports and the inputs bound above) and can ask
for import lines; the others are judged on their code alone, as a user pasting it would be.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
from codeqa_model.slots import canonicalize_intent, canonicalize_pair, restore_code
from codeqa_train.exec_eval.problems import Problem
from codeqa_train.exec_eval.runner import Candidate


def echo_candidates(problems: Sequence[Problem]) -> list[list[Candidate]]:
    """The intent itself as the code (it almost never parses: the floor of the table)."""
    return [[Candidate(p.intent)] for p in problems]


class TfidfTopK:
    """The `k` nearest training intents by TF-IDF cosine (`evaluate.TfidfRetriever`), their
    snippets as candidates; with `slots=True` both sides are slot-canonicalised first and the
    query's quoted values are put into the retrieved code (what a copy-paste user would do)."""

    def __init__(self, intents: Sequence[str], snippets: Sequence[str], slots: bool = False):
        from codeqa_train.evaluate import TfidfRetriever

        self.slots = slots
        if slots:
            pairs = [canonicalize_pair(i, s) for i, s in zip(intents, snippets, strict=True)]
            intents = [p[0] for p in pairs]
            snippets = [p[1] for p in pairs]
        self.retriever = TfidfRetriever(intents, snippets)

    def candidates(self, problems: Sequence[Problem], k: int = 5) -> list[list[Candidate]]:
        out: list[list[Candidate]] = []
        for problem in problems:
            query, slot_map = canonicalize_intent(problem.intent)
            if not self.slots:
                query = problem.intent
            sims = (self.retriever.model.transform([query]) @ self.retriever.matrix.T).toarray()[0]
            order = np.argsort(-sims, kind="stable")
            seen: list[str] = []
            for i in order:
                code = self.retriever.snippets[int(i)]
                if self.slots:
                    code = restore_code(code, slot_map)
                if code not in seen:
                    seen.append(code)
                if len(seen) == k:
                    break
            out.append([Candidate(c) for c in seen])
        return out


def _suggest_takes_context(engine: Any) -> bool:
    try:
        return "context" in inspect.signature(engine.suggest).parameters
    except (TypeError, ValueError):
        return False


def engine_candidates(
    engine: Any, problems: Sequence[Problem], k: int = 5
) -> list[list[Candidate]]:
    """`Engine.suggest(intent, k, context=...)`, the file above the block as the context when
    the engine accepts one; a suggestion's `imports` travel with its code."""
    with_context = _suggest_takes_context(engine)
    if with_context:
        from codeqa_model.context import SourceContext
    out: list[list[Candidate]] = []
    for problem in problems:
        if with_context:
            context = SourceContext.from_source(problem.file_above())
            suggestions = engine.suggest(problem.intent, k=k, context=context)
        else:
            suggestions = engine.suggest(problem.intent, k=k)
        out.append(
            [Candidate(s.code, tuple(getattr(s, "imports", ()) or ())) for s in suggestions[:k]]
        )
    return out


def generator_candidates(
    generator: Any, problems: Sequence[Problem], k: int = 5
) -> list[list[Candidate]]:
    """A bare generator's beam (`Generator.generate`), no reranking, no context."""
    return [[Candidate(c.code) for c in generator.generate(p.intent, k=k)[:k]] for p in problems]
