"""`codeqa-train exec-eval`: the executable set's VALIDATION problems, every row, one table.

Rows: echo the intent and TF-IDF nearest training intent (plain, and with the intent's quoted
values put into the retrieved code) as trivial rows; the product engine of `--bundle`, and the
engine `--generator` + `--classifier` would ship as (with `--extra-file`s and `--tuning`); bare
generator runs (`--generator`, `--extra-run NAME=RUN`). The test problems are never read here:
`codeqa-train evaluate` runs them (`evaluate_rows`), once, at the end. Tuning calls
`validation_metrics`.

Writes OUT/exec_results.md and OUT/exec_results.json (with every problem's top-1 code and the
candidates' statuses, for looking into failures).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codeqa_train.exec_eval.problems import Problem, load_split
from codeqa_train.exec_eval.runner import MAX_WORKERS, Candidate, evaluate_candidates
from codeqa_train.exec_eval.sandbox import DEFAULT_TIMEOUT

DEFAULT_POOL = "conala,conala-mined,conala-curated,staqc,staqc-annotated"
TRIVIAL_ROWS = ("echo the intent", "TF-IDF nearest intent", "TF-IDF nearest intent, slots filled")


def _progress(label: str):
    start = time.monotonic()

    def report(n: int, total: int) -> None:
        if n == total or n % 100 == 0:
            rate = n / max(time.monotonic() - start, 1e-9)
            print(f"  {label}: {n}/{total} runs ({rate:.1f}/s)", file=sys.stderr, flush=True)

    return report


def system_rows(
    problems: Sequence[Problem],
    *,
    pool: tuple[list[str], list[str]] | None = None,
    engines: dict[str, Any] | None = None,
    generators: dict[str, Any] | None = None,
    k: int = 5,
    workers: int = MAX_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    details: bool = False,
) -> list[dict[str, Any]]:
    """One row per system: {"name", "kind", "exec": metrics (see `runner.score`)}, plus with
    `details` a "problems" list (id, top-1 code and imports, each candidate's status).

    `pool` (intents, snippets) feeds the TF-IDF rows (None skips them); `engines` are
    `Engine`-likes (suggest with context), `generators` bare `Generator`s (beam only)."""
    from codeqa_train.exec_eval import systems

    sources: list[tuple[str, str, Any]] = [
        (TRIVIAL_ROWS[0], "trivial", lambda: systems.echo_candidates(problems))
    ]
    if pool is not None:
        for name, slots in ((TRIVIAL_ROWS[1], False), (TRIVIAL_ROWS[2], True)):
            retriever = systems.TfidfTopK(*pool, slots=slots)
            sources.append((name, "trivial", lambda r=retriever: r.candidates(problems, k)))
    for name, engine in (engines or {}).items():
        sources.append((name, "engine", lambda e=engine: systems.engine_candidates(e, problems, k)))
    for name, gen in (generators or {}).items():
        sources.append(
            (name, "generator", lambda g=gen: systems.generator_candidates(g, problems, k))
        )
    rows = []
    for name, kind, make in sources:
        candidates: list[list[Candidate]] = make()
        metrics, outcomes = evaluate_candidates(
            problems, candidates, k, workers, timeout, _progress(name)
        )
        row: dict[str, Any] = {"name": name, "kind": kind, "exec": metrics}
        if details:
            row["problems"] = [
                {
                    "id": p.id,
                    "top1": cands[0].code if cands else None,
                    "top1_imports": list(cands[0].imports) if cands else [],
                    "statuses": [o.status for o in outs],
                }
                for p, cands, outs in zip(problems, candidates, outcomes, strict=True)
            ]
        rows.append(row)
    return rows


def read_pool(data: Path, sources: Sequence[str]) -> tuple[list[str], list[str]]:
    """The TF-IDF pool: generator/train.jsonl rows of `sources` (as `evaluate` reads it)."""
    from codeqa_train.evaluate import read_generator_split

    return read_generator_split(data, "train", list(sources))


def exec_markdown(rows: Sequence[dict[str, Any]], split: str, n: int, k: int = 5) -> str:
    """The executable-set table (×100), the target against the best trivial row, and how each
    model row's top-1 suggestions ended (runtime errors by exception type)."""
    lines = [
        f"Executable set, {split} split ({n} hand-written problems, each run in a sandboxed "
        f"subprocess; pass@{k} = any of the top {k} passes; API hit = refers to an expected API).",
        "",
        f"| model | kind | pass@1 | pass@{k} | API hit@1 | API hit@{k} |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        m = r["exec"]
        cells = [m["pass@1"], m[f"pass@{k}"], m["api_hit@1"], m[f"api_hit@{k}"]]
        lines.append(
            f"| {r['name']} | {r['kind']} | " + " | ".join(f"{c:.1f}" for c in cells) + " |"
        )
    notes = []
    trivial = [r["exec"]["pass@1"] for r in rows if r["kind"] == "trivial"]
    if trivial:
        best = max(trivial)
        notes.append(
            f"- Target: pass@1 ≥ 30 and ≥ 2× the best trivial row ({best:.1f} → "
            f"{max(30.0, 2 * best):.1f})."
        )
    for r in rows:
        if r["kind"] == "trivial":
            continue
        m = r["exec"]
        ends = ", ".join(f"{status} {n}" for status, n in m["top1_status"].items())
        raised = ", ".join(f"{exc} {n}" for exc, n in m.get("top1_runtime_errors", {}).items())
        notes.append(f"- {r['name']}, top-1: {ends}" + (f" ({raised})" if raised else "") + ".")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def runs_engine(
    generator_run: Path,
    classifier_run: Path,
    workdir: Path,
    extra_files: Sequence[Path] = (),
    tuning: Path | None = None,
    threads: int = 1,
) -> Any:
    """The server's `Engine` for the bundle `export` would write from the two runs, with the same
    knowledge files and tuned knobs: the product as it would ship, before it is exported."""
    from dataclasses import replace

    from codeqa_model.inference import Engine
    from codeqa_train.tune import apply_tuning, bundle_from_runs, read_tuning

    bundle = bundle_from_runs(generator_run, classifier_run, workdir, extra_files)
    if tuning is not None:
        bundle = replace(bundle, config=apply_tuning(bundle.config, read_tuning(tuning)))
    return Engine.from_bundle(bundle, threads=threads)


def product_engines(
    workdir: Path,
    bundle: Path | None = None,
    runs: tuple[Path, Path] | None = None,
    extra_files: Sequence[Path] = (),
    tuning: Path | None = None,
    threads: int = 1,
) -> dict[str, Any]:
    """Row name → engine: the bundle's, and the one `runs` (generator run, classifier run) would
    ship as (`runs_engine`, its bundle written under `workdir`)."""
    from codeqa_model.inference import Engine

    engines: dict[str, Any] = {}
    if bundle is not None:
        engines[f"product engine ({bundle})"] = Engine.load(bundle, threads=threads)
    if runs is not None:
        label = "product engine (the runs as exported" + (", tuned)" if tuning else ")")
        engines[label] = runs_engine(*runs, workdir, extra_files, tuning, threads)
    return engines


def evaluate_rows(
    bundle: Path | None,
    generators: dict[str, Any],
    pool: tuple[list[str], list[str]],
    *,
    runs: tuple[Path, Path] | None = None,
    extra_files: Sequence[Path] = (),
    tuning: Path | None = None,
    k: int = 5,
    threads: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The rows `codeqa-train evaluate` adds, on the TEST problems (read here only; the first
    `limit` of them for a smoke run): trivial rows, `product_engines`, and every generator row
    evaluate has (beam only)."""
    with tempfile.TemporaryDirectory(prefix="codeqa-exec-eval-") as tmp:
        engines = product_engines(Path(tmp), bundle, runs, extra_files, tuning, threads)
        return system_rows(
            load_split("test")[:limit],
            pool=pool,
            engines=engines,
            generators=generators,
            k=k,
            timeout=timeout,
        )


def validation_metrics(
    engine: Any,
    k: int = 5,
    workers: int = MAX_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """The engine's metrics on the VALIDATION problems (for tuning: maximise "pass@1").

    `engine` is anything with `suggest(intent, k[, context])` returning objects with `.code`
    (and optionally `.imports`), e.g. `codeqa_model.inference.Engine`."""
    from codeqa_train.exec_eval.systems import engine_candidates

    problems = load_split("valid")
    metrics, _ = evaluate_candidates(
        problems, engine_candidates(engine, problems, k), k, workers, timeout
    )
    return metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--out", type=Path, default=Path("out/exec-eval"), help="where exec_results.* go")
    a("--bundle", type=Path, default=None, help="a bundle for a product engine row")
    a("--generator", type=Path, default=None, help="a fit-generator run dir (bare beam row)")
    a(
        "--classifier",
        type=Path,
        default=None,
        help="a fit-classifier run: with --generator, adds the engine export would ship",
    )
    a("--extra-file", type=Path, action="append", default=[], help="as for export; repeatable")
    a("--tuning", type=Path, default=None, help="a tuning.json for that engine")
    a("--extra-run", action="append", default=[], metavar="NAME=RUN_DIR")
    a("--pool-sources", default=DEFAULT_POOL, help="sources of the TF-IDF retrieval pool")
    a("--no-tfidf", action="store_true", help="skip the TF-IDF rows (no --data needed)")
    a("--k", type=int, default=5)
    a("--workers", type=int, default=MAX_WORKERS, help=f"parallel runs (at most {MAX_WORKERS})")
    a("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per run")
    a("--threads", type=int, default=1, help="torch threads for the engine")


def run(args: argparse.Namespace) -> int:
    from codeqa_model.atomic import atomic_write_text
    from codeqa_train.runs import load_generator

    generators: dict[str, Any] = {}
    if args.generator is not None:
        generators["product generator"] = load_generator(args.generator)
    for spec in args.extra_run:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--extra-run {spec!r}: expected NAME=RUN_DIR")
        generators[name] = load_generator(Path(path))
    both = args.generator is not None and args.classifier is not None
    pool_sources = [s for s in args.pool_sources.split(",") if s]
    problems = load_split("valid")
    with tempfile.TemporaryDirectory(prefix="codeqa-exec-eval-") as tmp:
        engines = product_engines(
            Path(tmp),
            args.bundle,
            (args.generator, args.classifier) if both else None,
            args.extra_file,
            args.tuning,
            args.threads,
        )
        if args.bundle is not None:  # evaluate's row of the same name: the beam, no reranking
            generators["product generator (bundle)"] = engines[
                f"product engine ({args.bundle})"
            ].generator
        rows = system_rows(
            problems,
            pool=None if args.no_tfidf else read_pool(args.data, pool_sources),
            engines=engines,
            generators=generators,
            k=args.k,
            workers=args.workers,
            timeout=args.timeout,
            details=True,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"split": "valid", "n": len(problems), "k": args.k, "rows": rows}
    atomic_write_text(args.out / "exec_results.json", json.dumps(results, indent=1) + "\n")
    table = exec_markdown(rows, "validation", len(problems), args.k)
    atomic_write_text(args.out / "exec_results.md", table)
    print(table)
    return 0
