"""The inference API's own speed: `Engine.suggest` latency and `Engine.score` throughput.

Issue targets: suggest p50 ≤ 20 ms, score ≥ 2,000 pairs/s on this machine. Measured on the
shipped bundle (or `--model`) in this process, one thread, with intents that are all distinct
(CoNaLa test intents, then programmatic variants: `bench.workload.DistinctIntents`) and
distinct pairs, on a freshly loaded engine, so its caches never answer. Printed and written
into bench/RESULTS.md by `python -m bench`, never asserted (timings depend on what else runs
on the cores).

    .venv/bin/python -m bench.engine_speed [--model DIR] [--conala FILE] [-n 200] [--threads 1]

Scored pairs: `--pairs` distinct intents, each with a CoNaLa snippet (`score_pairs`: it reads
only the even rows, so 1,000 pairs share about 250 snippets, which the lexer's memo of recent
texts can answer); and the same number of pairs whose codes are all different strings
(`distinct_code_pairs`), the figure the 2,000 pairs/s target is judged on: the median of
`DISTINCT_RUNS` calls, each on pairs no earlier call saw (one call on this machine has measured
anywhere from 1,237 to 2,003 pairs/s for the same code, minutes apart), with their range.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.stats import percentile
from bench.workload import CONALA_TEST, DistinctIntents, IntentPair, load_pairs

__all__ = ["EngineSpeed", "measure_engine", "score_pairs"]

DISTINCT_RUNS = 3


@dataclass(frozen=True)
class EngineSpeed:
    """What one measurement found (milliseconds, pairs per second)."""

    k: int
    threads: int
    calls: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    pairs: int
    score_s: float
    distinct_code_s: float = float("nan")  # the same number of pairs, no code string repeated
    distinct_code_runs: tuple[float, ...] = ()  # seconds of each such call; the median above

    @property
    def pairs_per_s(self) -> float:
        return self.pairs / self.score_s if self.score_s > 0 else float("nan")

    @property
    def distinct_code_pairs_per_s(self) -> float:
        return self.pairs / self.distinct_code_s if self.distinct_code_s > 0 else float("nan")

    @property
    def distinct_code_range(self) -> str:
        """Pairs per second of the slowest and the fastest call ("" for one call)."""
        if len(self.distinct_code_runs) < 2:
            return ""
        return " to ".join(
            f"{self.pairs / s:,.0f}"
            for s in (max(self.distinct_code_runs), min(self.distinct_code_runs))
        )

    def lines(self) -> list[str]:
        return [
            f"suggest(k={self.k}), {self.calls} distinct intents, {self.threads} thread(s): "
            f"p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, mean {self.mean_ms:.1f} ms",
            f"score: {self.pairs} distinct pairs in {self.score_s:.2f} s = "
            f"{self.pairs_per_s:,.0f} pairs/s",
            f"score, every code a different string: {self.pairs} pairs in "
            f"{self.distinct_code_s:.2f} s = {self.distinct_code_pairs_per_s:,.0f} pairs/s "
            f"(median of {len(self.distinct_code_runs)} calls; {self.distinct_code_range})",
        ]


def score_pairs(pairs: list[IntentPair], intents: DistinctIntents, n: int) -> list[tuple[str, str]]:
    """`n` distinct pairs: intent i with row i's snippet (i even) or another row's (i odd)."""
    return [(intents[i], pairs[(i + 7 * (i % 2)) % len(pairs)].snippet) for i in range(n)]


def distinct_code_pairs(
    pairs: list[IntentPair], intents: DistinctIntents, n: int, offset: int
) -> list[tuple[str, str]]:
    """`n` pairs, no two with the same code: intent `offset + i` with row i's snippet and a
    comment naming i (read and dropped like any comment, so each code is lexed anew)."""
    return [
        (intents[offset + i], f"{pairs[i % len(pairs)].snippet.rstrip()}  # {i}") for i in range(n)
    ]


def measure_engine(
    bundle: Path | None,
    pairs: list[IntentPair],
    calls: int = 200,
    scored: int = 1_000,
    k: int = 5,
    threads: int = 1,
) -> EngineSpeed:
    """Load the bundle fresh and time `calls` suggest calls and one `score` over `scored` pairs."""
    from codeqa_model.inference import Engine  # the model's imports: only when measured

    engine = Engine.load(bundle, threads=threads)
    intents = DistinctIntents(pairs)
    engine.suggest("warm up the model once", k)
    times = []
    for i in range(calls):
        start = time.perf_counter()
        engine.suggest(intents[i], k)
        times.append((time.perf_counter() - start) * 1000)
    to_score = score_pairs(pairs, intents, scored)
    engine.score([("warm up the matcher", "pass")])
    start = time.perf_counter()
    engine.score(to_score)
    seconds = time.perf_counter() - start
    distinct_runs = []
    for run in range(DISTINCT_RUNS):
        distinct = distinct_code_pairs(pairs, intents, scored, offset=calls + (run + 1) * scored)
        start = time.perf_counter()
        engine.score(distinct)
        distinct_runs.append(time.perf_counter() - start)
    return EngineSpeed(
        k=k,
        threads=threads,
        calls=len(times),
        p50_ms=statistics.median(times),
        p95_ms=percentile(times, 95),
        mean_ms=statistics.fmean(times),
        pairs=len(to_score),
        score_s=seconds,
        distinct_code_s=statistics.median(distinct_runs),
        distinct_code_runs=tuple(distinct_runs),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="bundle dir (default: shipped)")
    parser.add_argument("--conala", type=Path, default=CONALA_TEST, help="CoNaLa test JSON")
    parser.add_argument("-n", type=int, default=200, help="suggest calls (distinct intents)")
    parser.add_argument("--pairs", type=int, default=1_000, help="pairs scored (distinct)")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    speed = measure_engine(
        args.model, load_pairs(args.conala), args.n, args.pairs, args.k, args.threads
    )
    print("\n".join(speed.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
