"""Latency of `Generator.generate(intent, k)` on valid intents, single thread: p50 / p95.

Prints wall-clock and this thread's CPU time per call; the CPU figure is less disturbed by
other jobs on the cores (it still pays for shared caches).

Why a script and not a test: timings depend on the machine's load (other jobs share the
cores), so they are measured and reported, never asserted. Compare two decoders by running
this back to back under the same conditions.

    .venv/bin/python -m bench.generate_latency [--model runs/gen-product-2/final] [-n 100] [-k 5]

`--model` is a training run's `final/` dir (config.json, weights.safetensors, tokenizers) or a
bundle dir (manifest.json); the default is the shipped bundle.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
from codeqa_model.generator import Generator
from codeqa_model.paths import default_bundle_dir

DEFAULT_DATA = Path("out/data/v1/generator/valid.jsonl")


def load_generator(path: Path) -> Generator:
    """A Generator from a bundle dir (has manifest.json) or a run's final/ dir."""
    if (path / "manifest.json").exists():
        from codeqa_model.bundle import load_bundle

        bundle = load_bundle(path)
        return Generator.from_parts(
            bundle.config["generator"],
            bundle.generator_tensors,
            bundle.intent_tokenizer,
            bundle.code_tokenizer,
        )
    from codeqa_model.subword import load_tokenizer
    from safetensors.torch import load_file

    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    return Generator.from_parts(
        config,
        load_file(path / "weights.safetensors"),
        load_tokenizer(path / "intent_tokenizer.json"),
        load_tokenizer(path / "code_tokenizer.json"),
    )


def read_intents(path: Path, n: int, source: str) -> list[str]:
    """The first n intents of `source` rows in a curated generator jsonl file."""
    intents: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{lineno}: not JSON ({exc})") from exc
            if row.get("source") == source:
                intents.append(row["intent"])
            if len(intents) == n:
                break
    if not intents:
        raise SystemExit(f"{path}: no rows with source {source!r}")
    return intents


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="run final/ dir or bundle dir")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--source", default="conala")
    parser.add_argument("-n", type=int, default=100, help="intents to time")
    parser.add_argument("-k", type=int, default=5, help="beam size / candidates")
    parser.add_argument("--repeats", type=int, default=1, help="passes over the intents")
    parser.add_argument(
        "--no-repeat-ngram", type=int, default=None, help="override the config's n-gram rule"
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    model_dir = args.model or default_bundle_dir()
    gen = load_generator(model_dir)
    if args.no_repeat_ngram is not None:
        gen.cfg = replace(gen.cfg, no_repeat_ngram=args.no_repeat_ngram)
    intents = read_intents(args.data, args.n, args.source)
    for intent in intents[:5]:  # warm-up: allocator, tokenizer caches
        gen.generate(intent, args.k)
    wall: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: steadier than wall time on a busy machine
    for _ in range(args.repeats):
        for intent in intents:
            start, start_cpu = time.perf_counter(), time.thread_time()
            gen.generate(intent, args.k)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    rule = getattr(gen.cfg, "no_repeat_ngram", "absent")  # "absent": model code before the rule
    print(
        f"{model_dir} (no_repeat_ngram={rule}): generate(k={args.k}), {len(wall)} calls, 1 thread"
    )
    for name, times in (("wall", wall), ("cpu", cpu)):
        print(
            f"  {name:4}  p50 {percentile(times, 50):6.1f} ms  p95 {percentile(times, 95):6.1f} ms"
            f"  mean {statistics.fmean(times):6.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
