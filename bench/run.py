"""``python -m bench``: measure codeqa-lsp against jedi-language-server, write bench/RESULTS.md.

Phases run one after another (never two servers at once, so they do not share the CPU):
jedi completions, ours, our diagnostics on the 5,000-line file, the soak, the engine's own
speed (`bench.engine_speed`, in this process), then quality on CoNaLa test through
`train.evaluate`. Every headline latency of ours follows an edit to an intent the server has
never seen (`DistinctIntents`), so the model decodes for each sample. Progress goes to stderr;
the table to stdout and to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from codeqa_model.atomic import atomic_write_text

from bench.engine_speed import measure_engine
from bench.lsp_client import LspClient
from bench.machine import describe_machine
from bench.measure import Target, completion_run, diagnostics_run, fill_score_cache
from bench.quality import evaluate_bundle, headline
from bench.report import render
from bench.soak import soak
from bench.workload import (
    CONALA_TEST,
    DistinctIntents,
    IntentPair,
    jedi_document,
    load_pairs,
    our_document,
    snippet_lines,
)

ROOT = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    a = p.add_argument
    a("--requests", type=int, default=500, help="timed completions per row (default 500)")
    a("--memory", type=int, default=10_000, help="new-intent completions before the last RSS")
    a("--soak", type=int, default=10_000, help="mixed requests in the soak (0: skip)")
    a("--engine-calls", type=int, default=200, help="Engine.suggest calls timed (0: skip)")
    a(
        "--quick",
        action="store_true",
        help="100 requests, 2,000 memory, 1,000 soak, 50 rows, 50 engine calls",
    )
    a("--model", default=None, help="bundle for our server and for quality (default: shipped)")
    a("--data", type=Path, default=ROOT / "out" / "data", help="curated data (quality phase)")
    a("--conala", type=Path, default=CONALA_TEST, help="CoNaLa test JSON (intents typed)")
    a("--jedi", default=None, help="jedi-language-server command (default: beside python)")
    a("--skip-jedi", action="store_true")
    a("--skip-quality", action="store_true")
    a("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return p


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _jedi_command(spec: str | None) -> tuple[str, ...]:
    if spec:
        return tuple(shlex.split(spec))
    beside = Path(sys.executable).parent / "jedi-language-server"
    found = str(beside) if beside.exists() else shutil.which("jedi-language-server")
    if not found:
        raise SystemExit("jedi-language-server not found: `pip install jedi-language-server`")
    return (found,)


def _bundle(spec: str | None) -> Path:
    from codeqa_model.paths import resolve_bundle  # no torch: just where the bundle lives

    path = resolve_bundle(spec)
    if not (path / "manifest.json").is_file():
        raise SystemExit(f"{path}: no model bundle (no manifest.json); pass --model DIR")
    return path


def _cache_bounds() -> dict[str, int]:
    """The engine's cache sizes (its own constants; the server keeps no other model cache)."""
    from codeqa_model import inference  # the model's imports, in this process only

    return {"suggestions": inference.SUGGESTION_CACHE_SIZE, "scores": inference.SCORE_CACHE_SIZE}


def _fill_pairs(
    intents: DistinctIntents, pairs: list[IntentPair], n: int, offset: int
) -> list[tuple[str, str]]:
    """`n` distinct one-line (intent, code) blocks for the score-cache fill, with intents from
    `offset` on (past every intent the completions use, so none of them is ever generated)."""
    return [
        (intents[offset + i], snippet_lines(pairs[i % len(pairs)].snippet)[0]) for i in range(n)
    ]


async def _measure(args: argparse.Namespace, bundle: Path, workdir: Path, bounds: dict) -> dict:
    pairs = load_pairs(args.conala)
    intents = DistinctIntents(pairs)
    ours_cmd = (sys.executable, "-m", "codeqa_lsp", "--stdio", "--model", str(bundle))

    def our_doc(i: int) -> tuple[str, int, int]:
        return our_document(intents[i])  # i is never reused: every edit is a new intent

    async def fill_scores(client: LspClient, where: Path) -> str:
        n = bounds["scores"] + 256
        offset = args.memory + args.requests + 1
        await fill_score_cache(client, where, _fill_pairs(intents, pairs, n, offset), log=_log)
        return f"score cache filled: {n:,} distinct pairs scored (bound {bounds['scores']:,})"

    runs = []
    if not args.skip_jedi:
        jedi = Target("jedi-language-server", _jedi_command(args.jedi), jedi_document)
        # The reference gets the latency and startup runs and one memory mark; the long
        # memory run looks for a leak in our server only (it would take jedi far longer).
        jedi_total = min(args.memory, max(1_000, args.requests))
        runs.append(await completion_run(jedi, workdir, args.requests, jedi_total, log=_log))
    ours = Target("codeqa-lsp", ours_cmd, our_doc, prepare=fill_scores)
    runs.append(await completion_run(ours, workdir, args.requests, args.memory, log=_log))
    diag = await diagnostics_run(ours_cmd, workdir, pairs, our_doc, log=_log)
    soak_result = None
    if args.soak:
        client = await LspClient.spawn(ours_cmd, cwd=workdir)
        try:
            await client.initialize(workdir)
            soak_result = await soak(client, (workdir / "soak.py").as_uri(), args.soak)
            _log(f"soak: {soak_result.requests} requests in {soak_result.seconds:.0f} s")
        finally:
            await client.close()
    return {"runs": runs, "diag": diag, "soak": soak_result, "pairs": pairs}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.requests, args.memory, args.soak = 100, 2_000, min(args.soak, 1_000)
        args.engine_calls = min(args.engine_calls, 50)
    bundle = _bundle(args.model)
    machine = describe_machine()
    bounds = _cache_bounds()
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="codeqa-bench-") as tmp:
        measured = asyncio.run(_measure(args, bundle, Path(tmp), bounds))
    engine = None
    if args.engine_calls:
        _log("engine speed: Engine.suggest and Engine.score in this process, 1 thread")
        engine = measure_engine(bundle, measured["pairs"], calls=args.engine_calls, threads=1)
        for line in engine.lines():
            _log(line)
    quality = None
    notes = [
        "Latency is measured in the client: request written → response parsed, one request at "
        "a time. 'after an edit' (the headline, and the only row with targets) first sends an "
        "untimed didChange: our server gets an intent it has never seen each time (CoNaLa "
        "test intents, then variants with renamed `names`), so every sample is the model "
        "decoding, never a cache answer; jedi re-parses the file. 'repeated' asks again at the "
        "same position of the unchanged document: for our server that is the engine's cache "
        "answering, shown as an extra and never a target.",
        f"Memory is RSS of the server process (psutil) after the first answer and after 1,000 "
        f"and the last count of edited completions, each on a new intent, so every one "
        f"decodes. The engine's caches are at their configured bound at both marks: the "
        f"suggestion cache ({bounds['suggestions']:,} entries) is full from the "
        f"{bounds['suggestions']:,}th new intent on, and the score cache "
        f"({bounds['scores']:,} pairs) is filled before the first mark by scoring more "
        "distinct pairs than it holds (a separate document, closed afterwards).",
        f"Bundle: {bundle}. Two CPU cores are shared with other work on this machine: see the "
        "load averages; the servers ran one after the other, and the engine measurement after "
        "them, in the benchmark's own process.",
    ]
    if not args.skip_quality:
        _log("quality: evaluating the bundle on CoNaLa test")
        limit = 50 if args.quick else None
        quality = headline(evaluate_bundle(bundle, args.data, limit=limit, threads=1))
        if limit:
            notes.append(f"Quality on the first {limit} test rows only (--quick).")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    text = render(
        machine,
        command,
        measured["runs"],
        measured["diag"],
        measured["soak"],
        quality,
        notes,
        load,
        engine=engine,
    )
    atomic_write_text(args.out, text)
    print(text)
    _log(f"wrote {args.out}")
    return 0
