"""The diagnostics phase of ``python -m bench`` alone: the 500-block file, didOpen → diagnostics.

The same server command, document and edits as the full run (`bench.measure.diagnostics_run`:
a 5,000-line file of CoNaLa test blocks, `debounceMs: 0`, the model loaded before the clock
starts), without the completion, memory and soak phases, so a change to the diagnostics path
can be measured in a minute. Printed, never asserted (timings depend on what else runs).

    .venv/bin/python -m bench.diagnostics_speed [--model DIR] [--blocks 500] [--edits 5] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from bench.measure import diagnostics_run
from bench.workload import CONALA_TEST, DistinctIntents, load_pairs, our_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="bundle dir (default: shipped)")
    parser.add_argument("--conala", type=Path, default=CONALA_TEST, help="CoNaLa test JSON")
    parser.add_argument("--blocks", type=int, default=500)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1, help="fresh servers, one after another")
    args = parser.parse_args(argv)
    pairs = load_pairs(args.conala)
    intents = DistinctIntents(pairs)
    command = [sys.executable, "-m", "codeqa_lsp", "--stdio"]
    if args.model:
        command += ["--model", str(args.model)]
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="codeqa-diag-") as tmp:
            result = asyncio.run(
                diagnostics_run(
                    command,
                    Path(tmp),
                    pairs,
                    lambda i: our_document(intents[i]),
                    edits=args.edits,
                    blocks=args.blocks,
                )
            )
        if result.error:
            print(f"run {run + 1}: failed: {result.error}")
            return 1
        edits = ", ".join(f"{ms:.1f}" for ms in result.edit_ms)
        print(
            f"run {run + 1}: {result.lines:,}-line file, {result.blocks} blocks: didOpen → "
            f"publishDiagnostics {result.open_ms:.1f} ms ({result.diagnostics} warnings); "
            f"one-character edits: {edits} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
