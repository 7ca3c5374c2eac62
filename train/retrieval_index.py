"""`codeqa-train retrieval`: build the bundle's retrieval index and measure it on CoNaLa valid.

The pool is the curated training pairs (Stack Overflow sources; Django pseudo-code describes
Django internals, not what users ask) plus API-doc pairs (`--docs FILE=SOURCE`, e.g. the shared
`apidocs/python-docs.jsonl` or `codeqa-train mine`'s `generator_pairs.jsonl`). Doc rows whose
intent equals a CoNaLa test intent are dropped. Writes `OUT/retrieval.json` (what a bundle ships)
and `OUT/retrieval_report.json` (entries per source; API hit@k and BLEU of retrieval alone on the
CoNaLa valid rows, so the choice of pool and scheme is made on validation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codeqa_model.atomic import atomic_write_text
from codeqa_model.retrieval import RETRIEVAL_FILE, SCHEMES, RetrievalIndex, describe
from codeqa_train.api_calls import api_hit_rate
from codeqa_train.data.curated import curated_dir, read_curated
from codeqa_train.knowledge_mix import drop_test_intents, read_doc_pairs
from codeqa_train.metrics import best_of_k_bleu, corpus_bleu

REPORT = "retrieval_report.json"
DEFAULT_SOURCES = "conala,conala-mined,conala-curated,staqc,staqc-annotated"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--out", type=Path, required=True, help="directory for retrieval.json and its report")
    a(
        "--docs",
        action="append",
        default=[],
        metavar="FILE=SOURCE",
        help="JSON lines of {intent, snippet} doc pairs to index as SOURCE (repeatable)",
    )
    a("--sources", default=DEFAULT_SOURCES, help="curated train sources to index")
    a("--scheme", choices=SCHEMES, default="bm25", help="bm25 chosen on CoNaLa valid API hit@5")
    a("--valid-source", default="conala", help="valid rows the report measures on")


def parse_docs(specs: Sequence[str]) -> list[tuple[Path, str]]:
    """'path=source' specs; a missing file is an error (a silent gap would ship a weaker index)."""
    out = []
    for spec in specs:
        path, sep, source = spec.rpartition("=")
        if not sep or not path or not source:
            raise SystemExit(f"--docs {spec!r}: expected FILE=SOURCE")
        if not Path(path).is_file():
            raise SystemExit(f"--docs {path}: no such file")
        out.append((Path(path), source))
    return out


def pool_pairs(
    data: Path, sources: Sequence[str], docs: Sequence[tuple[Path, str]]
) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """(intent, snippet, source) triples to index, and doc rows dropped as test intents."""
    gen = curated_dir(data, "generator")
    fields = {"intent": str, "snippet": str}
    train = [r for r in read_curated(gen / "train.jsonl", fields) if r.get("source") in sources]
    test = read_curated(gen / "test.jsonl", fields)
    test_intents = [r["intent"] for r in test] + [r.get("raw_intent", "") for r in test]
    pairs = [(r["intent"], r["snippet"], str(r["source"])) for r in train]
    dropped: dict[str, int] = {}
    for path, source in docs:
        kept, dropped[source] = drop_test_intents(read_doc_pairs(path, source), test_intents)
        pairs += [(r["intent"], r["snippet"], source) for r in kept]
    return pairs, dropped


def measure(index: RetrievalIndex, rows: Sequence[dict[str, Any]], ks=(1, 5, 10)) -> dict:
    """Retrieval alone on valid rows: API hit@k, top-1 BLEU and best-of-5 BLEU (×100)."""
    refs = [r["snippet"] for r in rows]
    cands = [[h.code for h in index.candidates(r["intent"], max(ks))] or [""] for r in rows]
    out: dict[str, Any] = {"n": len(rows)}
    for k in ks:
        rate = api_hit_rate(refs, [c[:k] for c in cands])
        out[f"api_hit@{k}"] = None if rate is None else round(100 * rate, 2)
    out["bleu"] = round(100 * corpus_bleu(refs, [c[0] for c in cands]), 2)
    out["best_of_5_bleu"] = round(100 * best_of_k_bleu(refs, [c[:5] for c in cands])[0], 2)
    return out


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    sources = [s for s in args.sources.split(",") if s]
    pairs, dropped = pool_pairs(args.data, sources, parse_docs(args.docs))
    index = RetrievalIndex.from_pairs(pairs, scheme=args.scheme)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / RETRIEVAL_FILE, index.to_json())
    valid = [
        r
        for r in read_curated(
            curated_dir(args.data, "generator") / "valid.jsonl", {"intent": str, "snippet": str}
        )
        if not args.valid_source or r.get("source") == args.valid_source
    ]
    report = {
        **describe(index),
        "pool_pairs": len(pairs),
        "dropped_test_intent": dropped,
        "docs": [spec for spec in args.docs],
        "valid": measure(index, valid) if valid else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    atomic_write_text(args.out / REPORT, json.dumps(report, indent=2) + "\n")
    size = (args.out / RETRIEVAL_FILE).stat().st_size
    print(
        f"wrote {args.out / RETRIEVAL_FILE} ({len(index)} entries, {size / 1e6:.1f} MB); "
        f"valid {report['valid']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="codeqa-train retrieval", description=__doc__)
    add_arguments(_parser)
    raise SystemExit(run(_parser.parse_args()))
