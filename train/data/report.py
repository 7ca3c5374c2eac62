"""What each step did, per source: collected during the run, saved as `report.json`, printed as a
table. Counts are the pairs left *after* each step."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from codeqa_train.data.records import SOURCES, Pair

NEGATIVE_SUFFIX = " (neg)"
"""Row label for annotated StaQC non-answers, which travel beside the positives until step 6."""

PERCENTILES = (50, 90, 95, 99, 100)


def row_label(pair: Pair, negative: bool = False) -> str:
    return pair.source + (NEGATIVE_SUFFIX if negative else "")


def percentiles(values: Sequence[int]) -> dict[str, float]:
    """p50/p90/p95/p99/max of `values` (empty → {})."""
    if not values:
        return {}
    points = np.percentile(np.asarray(values, dtype=np.float64), PERCENTILES)
    return {
        ("max" if q == 100 else f"p{q}"): round(float(v), 1)
        for q, v in zip(PERCENTILES, points, strict=True)
    }


@dataclass
class Report:
    """Counts per source per step, leakage removed, split sizes, lengths, skipped bad input."""

    steps: list[str] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def count(self, step: str, positives: Iterable[Pair], negatives: Iterable[Pair] = ()) -> None:
        """Record how many pairs of each source are left after `step`."""
        counter: Counter[str] = Counter(row_label(p) for p in positives)
        counter.update(row_label(p, negative=True) for p in negatives)
        self.steps.append(step)
        self.counts[step] = counter

    def rows(self) -> list[str]:
        """Sources in priority order, annotated negatives right after their source."""
        seen = {label for counter in self.counts.values() for label in counter}
        ordered = [
            label
            for source in SOURCES
            for label in (source, source + NEGATIVE_SUFFIX)
            if label in seen
        ]
        return ordered + sorted(seen - set(ordered))

    def to_json(self) -> dict[str, object]:
        rows = self.rows()
        return {
            "steps": self.steps,
            "counts": {
                step: {row: self.counts[step].get(row, 0) for row in rows} for step in self.steps
            },
            **self.extra,
        }

    def table(self) -> str:
        """Plain-text table: one row per source, one column per step, plus a total row."""
        rows = self.rows()
        header = ["source", *self.steps]
        body = [[row, *(str(self.counts[s].get(row, 0)) for s in self.steps)] for row in rows]
        body.append(["total", *(str(sum(self.counts[s].values())) for s in self.steps)])
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

        def fmt(line: list[str]) -> str:
            cells = [line[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
            ]
            return "  ".join(cells)

        rule = "  ".join("-" * w for w in widths)
        return "\n".join(
            [fmt(header), rule, *(fmt(line) for line in body[:-1]), rule, fmt(body[-1])]
        )


def _reasons(settings: dict[str, Any]) -> dict[str, str]:
    """Why each step drops a pair, with the setting it used."""
    return {
        "non-empty": "blank intent or snippet",
        "min-prob": f"mined pair with `prob` < {settings.get('min_prob')}",
        "staqc-lines": "StaQC snippet empty or longer than "
        f"{settings.get('max_staqc_lines')} lines after cleaning (prompts, output, comments)",
        "dedup": "near-copy of a snippet kept for the same question (code-token cosine ≥ "
        f"{settings.get('dup_threshold')})",
        "test-qid": "question is a CoNaLa test question",
        "test-intent": "intent near-duplicate of a CoNaLa test intent (TF-IDF cosine ≥ "
        f"{settings.get('test_intent_threshold')})",
    }


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def curation_markdown(report: dict[str, Any], command: str = "codeqa-train data") -> str:
    """`report.json` as a reader's page: per-source counts, every drop reason with its count,
    and what happened to the CoNaLa test questions found in the training sources."""
    counts: dict[str, dict[str, int]] = report["counts"]
    steps: list[str] = report["steps"]
    sources = list(next(iter(counts.values()), {}))
    settings: dict[str, Any] = report.get("settings", {})
    reasons = _reasons(settings)
    lines = [
        "# Curation report",
        "",
        f"Written by `{command}` from `report.json` (format {report.get('format')}). Counts are "
        "the pairs left after each step; `(neg)` rows are StaQC's annotated non-answers.",
        "",
        "## Pairs per source after each step",
        "",
    ]
    body = [[s, *(counts[step].get(s, 0) for step in steps)] for s in sources]
    body.append(["**total**", *(sum(counts[step].values()) for step in steps)])
    lines += _md_table(["source", *steps], body)

    lines += ["", "## Every drop, by reason", ""]
    drops = []
    for before, after in pairwise(steps):
        if after not in reasons:
            continue
        removed = {s: counts[before].get(s, 0) - counts[after].get(s, 0) for s in sources}
        by_source = ", ".join(f"{s} {n}" for s, n in removed.items() if n) or "—"
        drops.append([f"`{after}`", reasons[after], sum(removed.values()), by_source])
    lines += _md_table(["step", "reason", "pairs dropped", "by source"], drops)

    leaks = report.get("conala_test_questions")
    if isinstance(leaks, dict):
        by_source = ", ".join(
            f"{s}: {n} rows / {leaks['ids_found_by_source'].get(s, 0)} ids"
            for s, n in leaks["rows_found_by_source"].items()
        )
        lines += [
            "",
            "## CoNaLa test questions in the training sources",
            "",
            f"The test split is CoNaLa test: {leaks['test_rows']} rows, {leaks['test_ids']} "
            f"question ids. The training sources held {leaks['rows_found']} rows of "
            f"{leaks['ids_found']} of those ids ({by_source}); {leaks['rows_left']} are left. "
            "Where each left (a row may go for another reason before the test-qid step "
            "reaches it):",
            "",
        ]
        removed = leaks["removed_by_step"]
        lines += _md_table(
            ["step", "test-question rows dropped"],
            [[f"`{step}`", n] for step, n in removed.items() if n],
        )
        near = report.get("leakage_removed", {}).get("test_intent", {})
        lines += [
            "",
            f"Besides these, `test-intent` dropped {sum(near.values())} pairs of *other* "
            "questions whose intent is a near-duplicate of a test intent.",
        ]

    generator = report.get("generator", {})
    classifier = report.get("classifier", {})
    lines += ["", "## Output", ""]
    lines += _md_table(
        ["split", "generator pairs", "classifier pairs (positive / random / hard)"],
        [
            [
                split,
                generator.get(split, "—"),
                " / ".join(
                    str(classifier.get(split, {}).get(k, 0)) for k in ("positive", "random", "hard")
                ),
            ]
            for split in ("train", "valid", "test")
        ],
    )
    skipped = report.get("bad_input_skipped") or {}
    lines += ["", f"Malformed input records skipped: {skipped or 'none'}.", ""]
    lines += ["## Inputs", ""]
    inputs: dict[str, dict[str, str]] = report.get("inputs", {})
    lines += _md_table(
        ["input", "path", "sha256"],
        [[name, f"`{v['path']}`", f"`{v['sha256'][:16]}…`"] for name, v in inputs.items()],
    )
    lines += ["", "Settings: " + ", ".join(f"`{k}={v}`" for k, v in settings.items()), ""]
    return "\n".join(lines)
