"""Validation report of a classifier run on the matcher's own validation material.

`python -m codeqa_train.matcher_data.validate RUN [RUN ...] --data MDATA` prints, per run,
ROC-AUC on the `valid` split by slice (CoNaLa random / hard, held-out-package docs against
hard + API-swap, StaQC question-split labels, each rewrite kind), the false-alarm rate on each
source's true pairs at the run's threshold, and the hand-written validation blocks
(`valid_blocks.jsonl`: share of wrong ones flagged, right ones flagged, ROC-AUC). Settings are
chosen on this; test files are never read here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BLOCKS = Path(__file__).with_name("valid_blocks.jsonl")


def _auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    from codeqa_train.metrics import roc_auc

    y = np.asarray(labels)
    if y.min(initial=1) == y.max(initial=0) or len(y) == 0 or y.sum() in (0, len(y)):
        return None
    return float(roc_auc(y, np.asarray(scores)))


def slices(rows: Sequence[dict], probs: np.ndarray) -> dict[str, float | None]:
    """ROC-AUC of the true pairs of a source against chosen negative kinds of that source."""
    out: dict[str, float | None] = {}
    src = np.array([r["source"] for r in rows])
    kind = np.array([r["kind"] for r in rows])
    lab = np.array([r["label"] for r in rows])
    plan = {
        "conala random": ("conala", ("random",)),
        "conala hard": ("conala", ("hard",)),
        "packages hard+api-swap": ("apidocs mined", ("hard", "api-swap")),
        "staqc labels": ("staqc", ("staqc",)),
    }
    for name, (sources, kinds) in plan.items():
        keep = np.isin(src, sources.split()) & ((lab == 1) | np.isin(kind, kinds))
        out[name] = _auc(lab[keep], probs[keep])
    for k in sorted(set(kind[lab == 0])):
        keep = (lab == 1) | (kind == k)
        out[f"all {k}"] = _auc(lab[keep], probs[keep])
    return out


def report(
    run: Path,
    data: Path,
    combiner: Path | None = None,
    retriever: Path | None = None,
    blocks: Path = BLOCKS,
) -> dict:
    from codeqa_train.matcher_data.blocks import read_blocks
    from codeqa_train.runs import load_classifier

    _, matcher = load_classifier(run)
    if combiner is not None:  # judged as a bundle with this combiner.json judges (fit-combiner)
        from codeqa_model.combiner import CombinedMatcher, Combiner

        files = [combiner] if retriever is None else [combiner, retriever]
        found = Combiner.from_files(files)
        assert found is not None
        matcher = CombinedMatcher(matcher, found)
    rows = [json.loads(x) for x in (data / "classifier" / "valid.jsonl").open(encoding="utf-8")]
    probs = matcher.score([(r["intent"], r["snippet"]) for r in rows])
    out: dict = {"threshold": matcher.threshold, "valid": slices(rows, probs)}
    lab = np.array([r["label"] for r in rows])
    src = np.array([r["source"] for r in rows])
    out["false alarms"] = {
        s: float((probs[(lab == 1) & (src == s)] < matcher.threshold).mean())
        for s in sorted(set(src[lab == 1]))
    }
    rows_of_blocks = read_blocks(blocks)
    bp = matcher.score([(b["intent"], b["snippet"]) for b in rows_of_blocks])
    by = np.array([b["label"] for b in rows_of_blocks])
    out["blocks"] = {
        "wrong flagged": float((bp[by == 0] < matcher.threshold).mean()),
        "right flagged": float((bp[by == 1] < matcher.threshold).mean()),
        "roc_auc": _auc(by, bp),
        "paired accuracy": float(np.mean(bp[by == 1] > bp[by == 0])),
    }
    # thresholds that flag 5% of one source's true pairs; the lowest keeps every source <= 5%
    per_source = {
        s: float(np.quantile(probs[(lab == 1) & (src == s)], 0.05))
        for s in sorted(set(src[lab == 1]))
    }
    out["5% threshold per source"] = per_source
    for name, t in (("run", matcher.threshold), ("min per source", min(per_source.values()))):
        out[f"blocks at {name} threshold {t:.3f}"] = {
            "wrong flagged": float((bp[by == 0] < t).mean()),
            "right flagged": float((bp[by == 1] < t).mean()),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeqa_train.matcher_data.validate")
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--data", type=Path, default=Path("out/matcher-data"))
    parser.add_argument(
        "--combiner",
        type=Path,
        help="a fit-combiner combiner.json to judge with (its valid "
        "figures are in-sample: it was fitted on this split; see its report.json out of fold)",
    )
    parser.add_argument("--retriever", type=Path, help="retriever.safetensors, for --combiner")
    parser.add_argument(
        "--blocks",
        type=Path,
        default=BLOCKS,
        help="hand-written validation blocks: a .jsonl or a right/wrong_blocks.py folder",
    )
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    for run in args.runs:
        print(
            run,
            json.dumps(
                report(run, args.data, args.combiner, args.retriever, args.blocks), indent=1
            ),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
