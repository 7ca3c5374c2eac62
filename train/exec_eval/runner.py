"""Run every system's candidates against the harnesses and score them.

pass@1: the top candidate passes. pass@k: any of the top k passes (the plain "any of the
suggestions the user sees", not the unbiased sampling estimator: candidates here are ranked, not
sampled). API hit@1 / @k: the top / any top-k candidate refers to one of the problem's `apis`
(`apis.py`). Identical (problem, code, imports) runs are run once; code that does not parse is
scored without starting a process.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from codeqa_train.exec_eval.apis import api_hit
from codeqa_train.exec_eval.problems import Problem
from codeqa_train.exec_eval.sandbox import DEFAULT_TIMEOUT, Outcome, run_snippet

MAX_WORKERS = 2  # the machine has 2 cores shared by everyone


@dataclass(frozen=True)
class Candidate:
    """One suggestion: its code and the import lines it asks the editor to add."""

    code: str
    imports: tuple[str, ...] = ()


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def run_candidates(
    problems: Sequence[Problem],
    candidates: Sequence[Sequence[Candidate]],
    k: int = 5,
    workers: int = MAX_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[Outcome]]:
    """Outcomes of the top `k` candidates of every problem (same shape as `candidates`)."""
    if len(problems) != len(candidates):
        raise ValueError(f"{len(problems)} problems but {len(candidates)} candidate lists")
    workers = max(1, min(workers, MAX_WORKERS))
    jobs: dict[tuple[str, str, tuple[str, ...]], tuple[Problem, Candidate]] = {}
    for problem, cands in zip(problems, candidates, strict=True):
        for cand in cands[:k]:
            if _parses(cand.code) and all(_parses(line) for line in cand.imports):
                jobs.setdefault((problem.id, cand.code, cand.imports), (problem, cand))
    keys = list(jobs)
    done: dict[tuple[str, str, tuple[str, ...]], Outcome] = {}

    def one(key: tuple[str, str, tuple[str, ...]]) -> Outcome:
        problem, cand = jobs[key]
        return run_snippet(problem, cand.code, cand.imports, timeout)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for n, (key, outcome) in enumerate(zip(keys, pool.map(one, keys), strict=True), 1):
            done[key] = outcome
            if progress is not None:
                progress(n, len(keys))
    bad_syntax = Outcome("syntax_error", "SyntaxError", "does not parse")
    return [
        [done.get((p.id, c.code, c.imports), bad_syntax) for c in cands[:k]]
        for p, cands in zip(problems, candidates, strict=True)
    ]


def score(
    problems: Sequence[Problem],
    candidates: Sequence[Sequence[Candidate]],
    outcomes: Sequence[Sequence[Outcome]],
    k: int = 5,
) -> dict[str, Any]:
    """pass@1, pass@k, API hit@1 / @k (all ×100) overall and pass@1 / pass@k per category,
    plus how the top candidates ended (status counts, and exception types of those that raised:
    NameError is mostly a module used without its import)."""
    n = len(problems)
    if n == 0:
        raise ValueError("no problems to score")
    p1 = pk = h1 = hk = 0
    per_cat: dict[str, list[int]] = {}
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for problem, cands, outs in zip(problems, candidates, outcomes, strict=True):
        context = problem.imports
        passed = [o.passed for o in outs[:k]]
        hits = [api_hit(c.code, problem.apis, (*context, *c.imports)) for c in cands[:k]]
        first_pass = bool(passed and passed[0])
        any_pass = any(passed)
        p1 += first_pass
        pk += any_pass
        h1 += bool(hits and hits[0])
        hk += any(hits)
        cat = per_cat.setdefault(problem.category, [0, 0, 0])
        cat[0] += 1
        cat[1] += first_pass
        cat[2] += any_pass
        statuses[outs[0].status if outs else "no_candidate"] += 1
        if outs and outs[0].status == "runtime_error":
            errors[outs[0].error] += 1
    return {
        "n": n,
        "k": k,
        "pass@1": 100 * p1 / n,
        f"pass@{k}": 100 * pk / n,
        "api_hit@1": 100 * h1 / n,
        f"api_hit@{k}": 100 * hk / n,
        "top1_status": dict(statuses.most_common()),
        "top1_runtime_errors": dict(errors.most_common()),
        "by_category": {
            c: {"n": v[0], "pass@1": 100 * v[1] / v[0], f"pass@{k}": 100 * v[2] / v[0]}
            for c, v in sorted(per_cat.items())
        },
    }


def evaluate_candidates(
    problems: Sequence[Problem],
    candidates: Sequence[Sequence[Candidate]],
    k: int = 5,
    workers: int = MAX_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], list[list[Outcome]]]:
    """Run, then score: (metrics, outcomes)."""
    outcomes = run_candidates(problems, candidates, k, workers, timeout, progress)
    return score(problems, candidates, outcomes, k), outcomes
