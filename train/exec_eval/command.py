"""`codeqa-train exec-eval`: the executable set's VALIDATION problems, every row, one table.

Rows: echo the intent and TF-IDF nearest training intent (plain, and with the intent's quoted
values put into the retrieved code) as trivial rows; the product engine of `--bundle`; bare
generator runs (`--generator`, `--extra-run NAME=RUN`). The test problems are never read here:
`codeqa-train evaluate` runs them (`test_rows`), once, at the end.

Writes OUT/exec_results.json and OUT/exec_results.md.
"""

from __future__ import annotations

import argparse
import json
import sys
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
    data: Path | None,
    *,
    bundle: Path | None = None,
    generators: dict[str, Path] | None = None,
    pool_sources: Sequence[str] = tuple(DEFAULT_POOL.split(",")),
    k: int = 5,
    workers: int = MAX_WORKERS,
    timeout: float = DEFAULT_TIMEOUT,
    threads: int = 1,
) -> list[dict[str, Any]]:
    """One row per system: {"name", "kind", "exec": metrics (see `runner.score`)}.

    `data` (output of `codeqa-train data`) gives the TF-IDF pool; None skips the TF-IDF rows."""
    from codeqa_train.exec_eval import systems

    sources: list[tuple[str, str, Any]] = [
        ("echo the intent", "trivial", lambda: systems.echo_candidates(problems))
    ]
    if data is not None:
        from codeqa_train.evaluate import read_generator_split

        pool = read_generator_split(data, "train", list(pool_sources))
        for name, slots in ((TRIVIAL_ROWS[1], False), (TRIVIAL_ROWS[2], True)):
            retriever = systems.TfidfTopK(*pool, slots=slots)
            sources.append((name, "trivial", lambda r=retriever: r.candidates(problems, k)))
    if bundle is not None:
        from codeqa_model.inference import Engine

        engine = Engine.load(bundle, threads=threads)
        label = f"product engine ({bundle})"
        sources.append((label, "engine", lambda: systems.engine_candidates(engine, problems, k)))
    for name, run_dir in (generators or {}).items():
        from codeqa_train.runs import load_generator

        gen = load_generator(run_dir)
        sources.append(
            (name, "generator", lambda g=gen: systems.generator_candidates(g, problems, k))
        )
    rows = []
    for name, kind, make in sources:
        candidates: list[list[Candidate]] = make()
        metrics, _ = evaluate_candidates(problems, candidates, k, workers, timeout, _progress(name))
        rows.append({"name": name, "kind": kind, "exec": metrics})
    return rows


def exec_markdown(rows: Sequence[dict[str, Any]], split: str, n: int, k: int = 5) -> str:
    """The executable-set table (×100) with a note on the trivial-row target."""
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
    trivial = [r["exec"]["pass@1"] for r in rows if r["kind"] == "trivial"]
    if trivial:
        best = max(trivial)
        lines += [
            "",
            f"- Target: pass@1 ≥ 30 and ≥ 2× the best trivial row ({best:.1f} → "
            f"{max(30.0, 2 * best):.1f}).",
        ]
    return "\n".join(lines) + "\n"


def test_rows(**kwargs: Any) -> list[dict[str, Any]]:
    """`system_rows` on the TEST problems; for `codeqa-train evaluate` only."""
    return system_rows(load_split("test"), **kwargs)


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
    a("--bundle", type=Path, default=None, help="a bundle for the product engine row")
    a("--generator", type=Path, default=None, help="a fit-generator run dir (bare beam row)")
    a("--extra-run", action="append", default=[], metavar="NAME=RUN_DIR")
    a("--pool-sources", default=DEFAULT_POOL, help="sources of the TF-IDF retrieval pool")
    a("--no-tfidf", action="store_true", help="skip the TF-IDF rows (no --data needed)")
    a("--k", type=int, default=5)
    a("--workers", type=int, default=MAX_WORKERS, help=f"parallel runs (at most {MAX_WORKERS})")
    a("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per run")
    a("--threads", type=int, default=1, help="torch threads for the engine")


def run(args: argparse.Namespace) -> int:
    from codeqa_model.atomic import atomic_write_text

    generators: dict[str, Path] = {}
    if args.generator is not None:
        generators["product generator (beam only)"] = args.generator
    for spec in args.extra_run:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--extra-run {spec!r}: expected NAME=RUN_DIR")
        generators[name] = Path(path)
    problems = load_split("valid")
    rows = system_rows(
        problems,
        None if args.no_tfidf else args.data,
        bundle=args.bundle,
        generators=generators,
        pool_sources=[s for s in args.pool_sources.split(",") if s],
        k=args.k,
        workers=args.workers,
        timeout=args.timeout,
        threads=args.threads,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"split": "valid", "n": len(problems), "k": args.k, "rows": rows}
    atomic_write_text(args.out / "exec_results.json", json.dumps(results, indent=1) + "\n")
    table = exec_markdown(rows, "validation", len(problems), args.k)
    atomic_write_text(args.out / "exec_results.md", table)
    print(table)
    return 0
