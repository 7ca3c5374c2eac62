"""Mix API-documentation pairs into the generator's training split.

The curated data (`codeqa-train data`) holds ~3,800 Stack Overflow pairs plus Django pseudo-code;
the model sees too little of Python's API. Xu et al. (ACL 2020) add NL→call pairs mined from the
docs, re-sampled toward real Stack Overflow intents (the re-sampling mattered). This module writes
a copy of a curated generator directory whose `train.jsonl` also holds such pairs under their own
`source` names, so `fit-generator --source-weights` weighs them like any other source. Valid and
test splits are copied unchanged; doc rows whose intent equals a CoNaLa test intent are dropped.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from codeqa_model.atomic import atomic_write_text
from codeqa_train.data.curated import curated_dir, read_curated

_SPACE = re.compile(r"\s+")
_MAX_INTENT_CHARS = 400


def normalise_intent(text: str) -> str:
    """Lower-case words only: the key for near-duplicate checks against test intents."""
    return " ".join(re.findall(r"\w+", text.lower()))


def read_doc_pairs(path: Path, source: str) -> list[dict[str, Any]]:
    """Rows `{id, qid, source, intent, raw_intent, snippet}` from a `{intent, snippet}` JSONL file.

    Accepts the shared `apidocs/*.jsonl` format and `codeqa-train mine`'s output (any JSON lines
    with string `intent` and `snippet`; `weight`, when present, is kept). Blank or over-long
    intents and empty snippets are skipped.
    """
    rows = []
    for i, row in enumerate(read_curated(path, {"intent": str, "snippet": str})):
        intent = _SPACE.sub(" ", row["intent"]).strip()
        snippet = row["snippet"].strip()
        if not intent or not snippet or len(intent) > _MAX_INTENT_CHARS:
            continue
        out = {
            "id": f"{source}-{i}",
            "qid": row.get("question_id", row.get("qid", i)),
            "source": source,
            "intent": intent,
            "raw_intent": row["intent"],
            "snippet": snippet,
        }
        if isinstance(row.get("weight"), int | float):
            out["weight"] = float(row["weight"])
        rows.append(out)
    return rows


def expand_by_weight(rows: Sequence[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Each row repeated about `weight` times (stochastic rounding, fixed seed); rows without a
    weight once. `codeqa-train mine` weighs pairs toward Stack Overflow–like intents (mean 1),
    the re-sampling Xu et al. found crucial."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for row in rows:
        weight = row.get("weight", 1.0)
        copies = int(weight) + (1 if rng.random() < weight - int(weight) else 0)
        out.extend([row] * copies)
    return out


def drop_test_intents(
    rows: Sequence[dict[str, Any]], test_intents: Iterable[str]
) -> tuple[list[dict[str, Any]], int]:
    """Rows whose normalised intent is no test intent's; returns (kept, number dropped)."""
    banned = {normalise_intent(t) for t in test_intents if t}
    kept = [r for r in rows if normalise_intent(r["intent"]) not in banned]
    return kept, len(rows) - len(kept)


def write_mixed(data: Path, out: Path, docs: Sequence[tuple[Path, str]]) -> dict[str, Any]:
    """`OUT/generator/{train,valid,test}.jsonl`: DATA's splits, train extended with `docs`.

    `docs` are (file, source name) pairs. Returns a small report (rows per source, drops).
    """
    src = curated_dir(data, "generator")
    splits = {
        s: read_curated(src / f"{s}.jsonl", {"intent": str, "snippet": str})
        for s in ("train", "valid", "test")
    }
    test_intents = [r["intent"] for r in splits["test"]] + [
        r.get("raw_intent", "") for r in splits["test"]
    ]
    report: dict[str, Any] = {"sources": {}, "dropped_test_intent": {}}
    extra: list[dict[str, Any]] = []
    for path, source in docs:
        rows = expand_by_weight(read_doc_pairs(path, source), seed=0)
        kept, dropped = drop_test_intents(rows, test_intents)
        report["sources"][source] = {"file": str(path), "rows": len(kept)}
        report["dropped_test_intent"][source] = dropped
        extra += kept
    target = out / "generator"
    target.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        if split == "train":
            rows = [*rows, *extra]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        atomic_write_text(target / f"{split}.jsonl", text)
    report["train_sources"] = dict(Counter(r.get("source", "") for r in splits["train"] + extra))
    atomic_write_text(out / "mix_report.json", json.dumps(report, indent=2) + "\n")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m codeqa_train.knowledge_mix DATA OUT FILE=SOURCE ...`"""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("docs", nargs="+", metavar="FILE=SOURCE")
    args = parser.parse_args(argv)
    docs = []
    for spec in args.docs:
        path, sep, source = spec.rpartition("=")
        if not sep:
            raise SystemExit(f"{spec!r}: expected FILE=SOURCE")
        docs.append((Path(path), source))
    print(json.dumps(write_mixed(args.data, args.out, docs), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
