"""What each step did, per source: collected during the run, saved as `report.json`, printed as a
table. Counts are the pairs left *after* each step."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
