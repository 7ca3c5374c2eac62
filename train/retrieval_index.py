"""`codeqa-train retrieval`: build the bundle's retrieval index and measure it on CoNaLa valid.

The pool is the curated training pairs (Stack Overflow sources; Django pseudo-code describes
Django internals, not what users ask) plus API-doc pairs (`--docs FILE=SOURCE`, e.g. the shared
`apidocs/python-docs.jsonl` or `codeqa-train mine`'s `generator_pairs.jsonl`). Doc rows whose
intent equals a CoNaLa test intent are dropped. Writes `OUT/retrieval.json` (what a bundle ships)
and `OUT/retrieval_report.json` (entries per source; API hit@k and BLEU of retrieval alone on the
CoNaLa valid rows, so the choice of pool and scheme is made on validation).

With `--learned` (the default) it also fits the learned intent → API retriever on the index's own
entries (`codeqa_train.fit_retriever`) and writes `OUT/retriever.safetensors`; its blend weight
with BM25 is chosen here by code on the validation splits (CoNaLa valid API hit@1/5 and the
executable VALID problems' API hit@1/5; never a test split). Doc snippets through implementation
modules are renamed to their public names (`genericpath.getsize` → `os.path.getsize`) and those
through `_private` modules dropped: nobody should be offered them over the public API.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codeqa_model.api_retriever import PRIVATE_MODULES, RETRIEVER_FILE, ApiRetriever, is_private
from codeqa_model.atomic import atomic_write_bytes, atomic_write_text
from codeqa_model.retrieval import (
    RETRIEVAL_FILE,
    SCHEMES,
    RetrievalIndex,
    describe,
    entry_from_pair,
)
from codeqa_train.api_calls import api_hit_rate
from codeqa_train.data.curated import curated_dir, read_curated
from codeqa_train.exec_eval.apis import api_hit as exec_api_hit
from codeqa_train.exec_eval.problems import Problem, load_split
from codeqa_train.fit_retriever import FitConfig, fit
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
    a(
        "--learned",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fit the learned intent → API retriever and choose its weight on validation",
    )
    a("--epochs", type=int, default=FitConfig.epochs, help="learned retriever epochs")
    a(
        "--name-words",
        action=argparse.BooleanOptionalAction,
        default=FitConfig.name_words,
        help="the learned retriever also reads the words inside each entry's called names",
    )


# Blend weights and powers of the learned retriever tried on validation (0 = BM25 alone).
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
POWERS = (1.0, 0.5, 0.25)
_PRIVATE_HEAD = re.compile(r"^(" + "|".join(PRIVATE_MODULES) + r")\.")


def public_snippet(snippet: str) -> str | None:
    """A doc snippet as users should see it: `genericpath.getsize(p)` → `os.path.getsize(p)`;
    None for one through a `_private` module (`_thread.exit()`)."""
    if is_private(snippet.strip()):
        return None
    return _PRIVATE_HEAD.sub(lambda m: PRIVATE_MODULES[m.group(1)] + ".", snippet.strip())


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
    """(intent, snippet, source) triples to index, and doc rows dropped as test intents or as
    private APIs (`{source}:private`)."""
    gen = curated_dir(data, "generator")
    fields = {"intent": str, "snippet": str}
    train = [r for r in read_curated(gen / "train.jsonl", fields) if r.get("source") in sources]
    test = read_curated(gen / "test.jsonl", fields)
    test_intents = [r["intent"] for r in test] + [r.get("raw_intent", "") for r in test]
    pairs = [(r["intent"], r["snippet"], str(r["source"])) for r in train]
    dropped: dict[str, int] = {}
    for path, source in docs:
        kept, dropped[source] = drop_test_intents(read_doc_pairs(path, source), test_intents)
        public = [(r["intent"], public_snippet(r["snippet"]), source) for r in kept]
        dropped[f"{source}:private"] = sum(p[1] is None for p in public)
        pairs += [(i, c, s) for i, c, s in public if c is not None]
    return pairs, dropped


def popularity(docs: Sequence[tuple[Path, str]]) -> Counter[str]:
    """How often the re-sampled apidocs picked each doc entry (the `resampled` field of
    `codeqa-train mine`'s rows), keyed by the entry's canonical code as the index stores it."""
    counts: Counter[str] = Counter()
    for path, _ in docs:
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                n = row.get("resampled")
                snippet = public_snippet(str(row.get("snippet", "")))
                if isinstance(n, int) and n > 0 and snippet:
                    counts[entry_from_pair(str(row.get("intent", "")), snippet, "").code] += n
    return counts


def measure(
    index: RetrievalIndex,
    rows: Sequence[dict[str, Any]],
    problems: Sequence[Problem] = (),
    ks: Sequence[int] = (1, 5, 10),
) -> dict:
    """Retrieval alone on valid rows: API hit@k, top-1 BLEU and best-of-5 BLEU (×100); and on
    the executable problems, API hit@k of the candidates (their `apis`, read with `ast`)."""
    refs = [r["snippet"] for r in rows]
    cands = [[h.code for h in index.candidates(r["intent"], max(ks))] or [""] for r in rows]
    out: dict[str, Any] = {"n": len(rows)}
    for k in ks:
        rate = api_hit_rate(refs, [c[:k] for c in cands])
        out[f"api_hit@{k}"] = None if rate is None else round(100 * rate, 2)
    out["bleu"] = round(100 * corpus_bleu(refs, [c[0] for c in cands]), 2)
    out["best_of_5_bleu"] = round(100 * best_of_k_bleu(refs, [c[:5] for c in cands])[0], 2)
    if problems:
        found = [[h.code for h in index.candidates(p.intent, max(ks))] for p in problems]
        out["exec_n"] = len(problems)
        for k in ks:
            hits = [
                any(exec_api_hit(c, p.apis, p.imports) for c in codes[:k])
                for p, codes in zip(problems, found, strict=True)
            ]
            out[f"exec_api_hit@{k}"] = round(100 * sum(hits) / len(hits), 2)
    return out


def objective(figures: dict[str, Any]) -> float:
    """What the blend weight maximises: mean of API hit@1 and @5 on both validation sets."""
    names = ("api_hit@1", "api_hit@5", "exec_api_hit@1", "exec_api_hit@5")
    got = [float(figures[n]) for n in names if figures.get(n) is not None]
    return sum(got) / len(got) if got else 0.0


def choose_weight(
    index: RetrievalIndex,
    retriever: ApiRetriever,
    rows: Sequence[dict[str, Any]],
    problems: Sequence[Problem],
) -> tuple[ApiRetriever, list[dict[str, Any]]]:
    """The retriever with the blend weight and power of best validation `objective` (ties to
    the smaller weight, then the larger power); weight 0 is BM25 alone, measured once."""
    grid = []
    for w in WEIGHTS:
        for power in POWERS if w > 0 else POWERS[:1]:
            learned = dataclasses.replace(retriever, weight=w, power=power)
            figures = measure(
                RetrievalIndex(index.entries, index.scheme, learned=learned), rows, problems
            )
            grid.append(
                {"weight": w, "power": power, "objective": round(objective(figures), 2), **figures}
            )
            print(f"  {grid[-1]}", file=sys.stderr)
    best = max(grid, key=lambda g: (g["objective"], -g["weight"], g["power"]))
    return dataclasses.replace(retriever, weight=best["weight"], power=best["power"]), grid


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    sources = [s for s in args.sources.split(",") if s]
    docs = parse_docs(args.docs)
    pairs, dropped = pool_pairs(args.data, sources, docs)
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
    problems = load_split("valid")
    report: dict[str, Any] = {
        **describe(index),
        "pool_pairs": len(pairs),
        "dropped": dropped,
        "docs": [spec for spec in args.docs],
        "valid": measure(index, valid, problems) if valid else None,
    }
    if args.learned:
        retriever = fit(
            index,
            popularity(docs),
            [source for _, source in docs],
            FitConfig(epochs=args.epochs, name_words=args.name_words),
            progress=lambda line: print(line, file=sys.stderr),
        )
        retriever, grid = choose_weight(index, retriever, valid, problems)
        atomic_write_bytes(args.out / RETRIEVER_FILE, retriever.to_bytes())
        report["learned"] = {
            "apis": len(retriever.api_names),
            "vocab": len(retriever.vocab),
            "epochs": args.epochs,
            "name_words": args.name_words,
            "weight": retriever.weight,
            "power": retriever.power,
            "chosen_by": "mean of API hit@1/@5 on CoNaLa valid and executable valid problems",
            "grid": grid,
        }
    else:
        (args.out / RETRIEVER_FILE).unlink(missing_ok=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    atomic_write_text(args.out / REPORT, json.dumps(report, indent=2) + "\n")
    size = (args.out / RETRIEVAL_FILE).stat().st_size
    print(
        f"wrote {args.out / RETRIEVAL_FILE} ({len(index)} entries, {size / 1e6:.1f} MB); "
        f"valid {report['valid']}; learned weight {report.get('learned', {}).get('weight')}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="codeqa-train retrieval", description=__doc__)
    add_arguments(_parser)
    raise SystemExit(run(_parser.parse_args()))
