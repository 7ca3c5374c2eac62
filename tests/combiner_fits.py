"""A `codeqa-train fit-combiner` run on made-up pairs with the neural matcher stubbed out: what
the tests of a fixed-weight combiner feature need (the sibling contrast, the literal swap, the
effect features)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest


class StubMatcher:
    """The same probability for every pair, so only the feature under test tells the blocks
    apart; `docs` are the doc sentences a trained matcher's config carries."""

    def __init__(self, docs: dict[str, str] | None = None) -> None:
        self.config = SimpleNamespace(extra={"api_docs": docs} if docs else {})

    def score(self, pairs, batch_size: int = 256):
        return np.full(len(pairs), 0.6)


def fit_on_pairs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pairs: list[tuple[str, str, str]],
    negative_kind: str,
    flags: list[str],
    matcher: StubMatcher | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """fit-combiner's result on (intent, right code, wrong code) triples written as the matcher
    data's train and valid splits, with `flags` after the data and output ones; and the rows."""
    from codeqa_train import fit_combiner

    folder = tmp_path / "mdata" / "classifier"
    folder.mkdir(parents=True)
    rows = []
    for n, (intent, right, wrong) in enumerate(pairs):
        for label, code in ((1, right), (0, wrong)):
            kind = "positive" if label else negative_kind
            row = {"intent": intent, "snippet": code, "label": label}
            rows.append({**row, "kind": kind, "source": "conala", "qid": f"q{n}"})
    for split in ("train", "valid"):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr(fit_combiner, "base_matcher", lambda args: matcher or StubMatcher())
    parser = argparse.ArgumentParser()
    fit_combiner.add_arguments(parser)
    args = parser.parse_args(
        ["--matcher-data", str(tmp_path / "mdata"), "--classifier", str(tmp_path), "--out",
         str(tmp_path / "out"), "--api-docs", str(tmp_path / "none.jsonl"), *flags]
    )  # fmt: skip
    return fit_combiner.fit(args, log=lambda *a: None), rows
