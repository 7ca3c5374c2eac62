"""RESULTS.md: the machine, every measured figure, and each target met or missed.

Pure formatting over the measurement records, plus one atomic write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from bench.measure import CompletionRun, DiagnosticsRun
from bench.soak import SoakResult
from bench.stats import summary

__all__ = ["render", "targets"]

Row = tuple[str, str, str]  # target, measured, verdict


def _ms(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.1f}"


def _latency_rows(runs: Sequence[CompletionRun]) -> list[str]:
    out = [
        "| server | requests | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for mode, samples in (("repeated", run.repeat_ms), ("after an edit", run.edited_ms)):
            if not samples:
                out.append(f"| {run.name} | {mode} | 0 | — | — | — | — |")
                continue
            s = summary(samples)
            out.append(
                f"| {run.name} | {mode} | {s['n']} | {_ms(s['p50'])} | {_ms(s['p95'])} | "
                f"{_ms(s['p99'])} | {_ms(s['max'])} |"
            )
    return out


def _p(run: CompletionRun | None, mode: str, q: str) -> float:
    samples = (run.repeat_ms if mode == "repeated" else run.edited_ms) if run else []
    return summary(samples)[q] if samples else float("nan")


def _growth(run: CompletionRun) -> float:
    marks = [v for k, v in run.rss_mb.items() if k != "after start"]
    if len(marks) < 2:
        return float("nan")
    return 100.0 * (marks[-1] - marks[0]) / marks[0]


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _check(name: str, shown: str, value: float, ok: bool) -> Row:
    return (name, shown, _verdict(None if math.isnan(value) else ok))


def targets(
    ours: CompletionRun | None, jedi: CompletionRun | None, diag: DiagnosticsRun | None
) -> list[Row]:
    """Each target of the issue with the measured value and whether it was met."""
    rows: list[Row] = []
    for mode in ("repeated", "after an edit"):
        a, b = _p(ours, mode, "p50"), _p(jedi, mode, "p50")
        shown = f"{_ms(a)} vs {_ms(b)} ms"
        rows.append(_check(f"completion p50 ≤ jedi's p50 ({mode})", shown, a + b, a <= b))
        p95 = _p(ours, mode, "p95")
        rows.append(_check(f"completion p95 ≤ 100 ms ({mode})", f"{_ms(p95)} ms", p95, p95 <= 100))
    if ours is not None:
        first = ours.first_answer_s
        rows.append(_check("first answer ≤ 3 s after spawn", f"{first:.2f} s", first, first <= 3))
        peak = max(ours.rss_mb.values(), default=float("nan"))
        limit = 400e6 / 2**20  # 400 MB in MiB
        rows.append(_check("memory ≤ 400 MB", f"{peak:.0f} MiB peak", peak, peak <= limit))
        growth = _growth(ours)
        shown = f"{growth:+.1f}%"
        rows.append(_check("≤ 5% growth from 1,000 to the last mark", shown, growth, growth <= 5))
    if diag is not None:
        opened = diag.open_ms
        name = "500-block file diagnosed ≤ 500 ms"
        rows.append(_check(name, f"{_ms(opened)} ms", opened, opened <= 500))
        worst = max(diag.edit_ms, default=float("nan"))
        name = "re-check after an edit ≤ 100 ms (worst edit)"
        rows.append(_check(name, f"{_ms(worst)} ms", worst, worst <= 100))
    return rows


def render(
    machine: dict[str, str],
    command: str,
    runs: Sequence[CompletionRun],
    diag: DiagnosticsRun | None,
    soak_result: SoakResult | None,
    quality: dict[str, Any] | None,
    notes: Sequence[str],
    load_after: str,
) -> str:
    ours = next((r for r in runs if r.name == "codeqa-lsp"), None)
    jedi = next((r for r in runs if r.name != "codeqa-lsp"), None)
    out = ["# codeqa-lsp benchmarks", "", f"Command: `{command}`", "", "## Machine", ""]
    out += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in machine.items()]
    out += [f"| load average at end | {load_after} |", ""]

    out += ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    out += [f"| {t} | {m} | {v} |" for t, m, v in targets(ours, jedi, diag)]

    out += ["", "## Completion latency (stdio, same client for both servers)", ""]
    out += _latency_rows(runs)
    if ours and jedi:
        for mode in ("repeated", "after an edit"):
            a, b = _p(ours, mode, "p50"), _p(jedi, mode, "p50")
            out.append("")
            out.append(f"p50 ratio codeqa-lsp / jedi ({mode}): {a / b:.3f}" if b else "")

    out += ["", "## Startup and memory", ""]
    out += ["| server | spawn → first answer | items | RSS MiB | errors |", "|---|---|---|---|---|"]
    for run in runs:
        rss = ", ".join(f"{k}: {v:.0f}" for k, v in run.rss_mb.items())
        err = run.error or f"none (exit code {run.exit_code}, empty answers {run.empty_answers})"
        first = f"{run.first_answer_s:.2f} s"
        out.append(f"| {run.name} | {first} | {run.first_items} | {rss} | {err} |")

    if diag is not None:
        out += ["", "## Diagnostics (codeqa-lsp, `debounceMs: 0`, model already loaded)", ""]
        out.append(
            f"{diag.lines:,}-line file with {diag.blocks} intent blocks: didOpen → "
            f"publishDiagnostics {_ms(diag.open_ms)} ms ({diag.diagnostics} warnings). "
            "One-character edits → "
            f"publishDiagnostics: {', '.join(_ms(x) for x in diag.edit_ms)} ms."
        )
        if diag.error:
            out.append(f"Error: {diag.error}")

    if soak_result is not None:
        out += ["", f"## Soak ({soak_result.requests:,} requests, mixed)", ""]
        out.append(
            f"{soak_result.seconds:.1f} s; server alive at the end: {soak_result.alive}; ranges "
            f"outside the document: {len(soak_result.bad_ranges)}; requests never answered: "
            f"{sum(soak_result.unanswered.values())} {dict(soak_result.unanswered)}."
        )
        out += ["", "| outcome | count |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in sorted(soak_result.outcomes.items())]
        if soak_result.error:
            out.append(f"\nError: {soak_result.error}")

    if quality is not None:
        out += ["", "## Quality on CoNaLa test (the bundle measured, through `train.evaluate`)", ""]
        out += ["| figure | value |", "|---|---|"]
        out += [f"| {k} | {_ms(v) if isinstance(v, float) else v} |" for k, v in quality.items()]

    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"
