"""The inference API's own speed: `Engine.suggest` latency and `Engine.score` throughput.

Issue targets: suggest p50 ≤ 20 ms, score ≥ 2,000 pairs/s on this machine. Measured on the
shipped bundle (or `--model`), with distinct intents so the engine's cache never answers, and
printed, never asserted (timings depend on what else runs on the cores).

    .venv/bin/python -m bench.engine_speed [--model DIR] [--data out/data/v1] [-n 200] [--threads 1]

Intents come from CoNaLa valid + test rows (`generator/*.jsonl`); scored pairs from
`classifier/test.jsonl` (true pairs and both negative kinds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from codeqa_model.inference import Engine


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="bundle dir (default: shipped)")
    parser.add_argument("--data", type=Path, default=Path("out/data/v1"))
    parser.add_argument("-n", type=int, default=200, help="suggest calls (distinct intents)")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    engine = Engine.load(args.model, threads=args.threads)
    rows = _rows(args.data / "generator" / "valid.jsonl") + _rows(
        args.data / "generator" / "test.jsonl"
    )
    intents = list(dict.fromkeys(r["intent"] for r in rows if r["source"] == "conala"))[: args.n]
    engine.suggest("warm up the model once", args.k)
    times = []
    for intent in intents:
        start = time.perf_counter()
        engine.suggest(intent, args.k)
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"suggest(k={args.k}), {len(times)} distinct intents, {args.threads} thread(s): "
        f"p50 {statistics.median(times):.1f} ms, p95 {_percentile(times, 0.95):.1f} ms, "
        f"mean {statistics.fmean(times):.1f} ms"
    )

    pairs = [(r["intent"], r["snippet"]) for r in _rows(args.data / "classifier" / "test.jsonl")]
    engine.score(pairs[:256])
    start = time.perf_counter()
    engine.score(pairs)
    seconds = time.perf_counter() - start
    print(f"score: {len(pairs)} pairs in {seconds:.2f} s = {len(pairs) / seconds:,.0f} pairs/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
