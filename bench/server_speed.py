"""The completion phase of ``python -m bench`` for our server alone: start-up, latency, memory.

The same server command, documents, score-cache fill and memory marks as the full run
(`bench.measure.completion_run` with `bench.run`'s fill), without jedi, diagnostics, the soak or
the engine phase, so a change to start-up or memory can be measured in a few minutes. Printed,
never asserted (timings depend on what else runs on the cores).

    .venv/bin/python -m bench.server_speed [--model DIR] [--requests 100] [--memory 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from bench.lsp_client import LspClient
from bench.measure import Target, completion_run, fill_score_cache
from bench.run import _bundle, _cache_bounds, _fill_pairs
from bench.stats import percentile
from bench.workload import CONALA_TEST, DistinctIntents, load_pairs, our_document


def _log(message: str) -> None:
    print(f"[server_speed] {message}", file=sys.stderr, flush=True)


async def _run(args: argparse.Namespace, bundle: Path, workdir: Path) -> int:
    pairs = load_pairs(args.conala)
    intents = DistinctIntents(pairs)
    bounds = _cache_bounds()

    async def fill_scores(client: LspClient, where: Path) -> str:
        n = bounds["scores"] + 256
        offset = args.memory + args.requests + 1
        await fill_score_cache(client, where, _fill_pairs(intents, pairs, n, offset), log=_log)
        return f"score cache filled: {n:,} distinct pairs scored (bound {bounds['scores']:,})"

    command = (sys.executable, "-m", "codeqa_lsp", "--stdio", "--model", str(bundle))
    target = Target(
        "codeqa-lsp",
        command,
        lambda i: our_document(intents[i]),
        prepare=fill_scores if not args.no_fill else None,
    )
    run = await completion_run(target, workdir, args.requests, args.memory, log=_log)
    if run.error:
        print(f"failed: {run.error}")
        return 1
    ms = run.edited_ms
    marks = ", ".join(f"{k}: {v:.0f}" for k, v in run.rss_mb.items())
    print(f"first answer {run.first_answer_s:.2f} s after spawn; RSS MiB {marks}")
    print(
        f"completion after an edit, new intent: n {len(ms)}, p50 {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 95):.1f} ms"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="bundle dir (default: shipped)")
    parser.add_argument("--conala", type=Path, default=CONALA_TEST, help="CoNaLa test JSON")
    parser.add_argument("--requests", type=int, default=100, help="timed edited completions")
    parser.add_argument("--memory", type=int, default=1_000, help="completions before last RSS")
    parser.add_argument("--no-fill", action="store_true", help="skip the score-cache fill")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="codeqa-server-speed-") as tmp:
        return asyncio.run(_run(args, _bundle(args.model).resolve(), Path(tmp)))


if __name__ == "__main__":
    raise SystemExit(main())
