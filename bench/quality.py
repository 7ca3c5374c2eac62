"""Quality of the shipped bundle on CoNaLa test, through the project's own evaluation code.

Nothing is re-implemented here: `train.evaluate.run` computes BLEU (CoNaLa's script), exact
match and the classifier's ROC-AUC exactly as `codeqa-train evaluate --bundle` does; this module
only calls it with the bundle and reads back its `results.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["QualityResult", "evaluate_bundle", "headline"]

QualityResult = dict[str, Any]


def evaluate_bundle(
    bundle: Path, data: Path, limit: int | None = None, threads: int = 1
) -> QualityResult:
    """`codeqa-train evaluate --bundle BUNDLE --data DATA --no-plots`, rows as a dict.

    Returns ``{"n_test", "n_classifier_test", "rows": [...]}`` as `results.json` holds them.
    The evaluation prints its table; it goes to stderr so stdout stays the benchmark's.
    """
    from codeqa_train import evaluate  # imports torch: only when quality is measured

    with tempfile.TemporaryDirectory(prefix="codeqa-bench-eval-") as out:
        # The command's own parser, so every flag keeps the default `codeqa-train evaluate` has.
        parser = argparse.ArgumentParser()
        evaluate.add_arguments(parser)
        argv = ["--data", str(data), "--out", out, "--bundle", str(bundle), "--no-plots"]
        argv += ["--threads", str(threads)]
        if limit:
            argv += ["--limit", str(limit)]
        args = parser.parse_args(argv)
        with contextlib.redirect_stdout(sys.stderr):
            evaluate.run(args)
        return json.loads((Path(out) / "results.json").read_text(encoding="utf-8"))


def headline(results: QualityResult) -> dict[str, float | None]:
    """The figures the issue names: BLEU, exact match, classifier ROC-AUC (all ×100)."""

    def row(kind_prefix: str, name_part: str) -> dict[str, Any]:
        for r in results.get("rows", []):
            if r.get("kind", "").startswith(kind_prefix) and name_part in r.get("name", ""):
                return r
        return {}

    gen = row("generator", "(bundle)")
    reranked = row("generator", "reranked")
    engine = row("product", "(bundle)")  # generated + retrieved, reranked, checked: what ships
    cls = row("classifier", "(bundle)").get("classifier", {})

    def auc(kind: str) -> float | None:
        value = cls.get(kind, {}).get("roc_auc")
        return None if value is None else 100 * value

    return {
        "bleu": gen.get("bleu"),
        "exact": gen.get("exact"),
        "bleu_reranked": reranked.get("bleu"),
        "exact_reranked": reranked.get("exact"),
        "bleu_engine (what the server returns)": engine.get("bleu"),
        "exact_engine": engine.get("exact"),
        "best_of_k_bleu_engine": next(
            (v for k, v in engine.items() if k.startswith("best_of_") and k.endswith("_bleu")),
            None,
        ),
        "roc_auc_random": auc("random"),
        "roc_auc_hard": auc("hard"),
        "roc_auc_slot_swap": auc("slot-swap"),
        "roc_auc_all": auc("all"),
    }
