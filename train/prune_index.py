"""`codeqa-train prune-index`: drop from a built retrieval index the doc entries a newer
`codeqa-train mine` no longer produces, keeping everything else as it was.

A miner fix (a definition gets a public path only through modules that export it) stopped
mining private helpers re-exported by accident (`importlib.metadata.unique_everseen`,
`numpy.PytestTester`, matplotlib's `afm.get_*`), but an index built before it still offers them.
Rebuilding the index also refits the learned retriever and re-chooses its blend weight, which
moves every other answer; pruning removes the stale entries alone: the others keep their stored
terms and the learned retriever its weights, its entry → API map cut to the entries kept. Only
entries of `--source` (the mined doc pairs) are candidates for removal; Stack Overflow pairs stay.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from codeqa_model.api_retriever import RETRIEVER_FILE, ApiRetriever
from codeqa_model.atomic import atomic_write_bytes, atomic_write_text
from codeqa_model.retrieval import RETRIEVAL_FILE, RetrievalIndex, entries_digest, entry_from_pair
from codeqa_model.retrieval_postings import DocTerms
from codeqa_train.knowledge_mix import read_doc_pairs
from codeqa_train.retrieval_index import public_snippet


def _term_counts(terms: DocTerms, i: int) -> Counter[str]:
    counts = terms.counts[terms.ptr[i] : terms.ptr[i + 1]].tolist()
    return Counter(dict(zip(terms.terms_of(i), counts, strict=True)))


def subset(index: RetrievalIndex, keep: Sequence[int]) -> RetrievalIndex:
    """The index of entries `keep` (ascending ids), their stored terms and learned weights as
    they were."""
    entries = [index.entries[i] for i in keep]
    terms = DocTerms.from_counters([_term_counts(index.doc_terms, i) for i in keep])
    learned = index.learned
    if learned is not None:
        ptr, apis = learned.entry_ptr, learned.entry_api
        rows = [apis[ptr[i] : ptr[i + 1]] for i in keep]
        sizes = np.cumsum([0, *(len(r) for r in rows)])
        flat = np.concatenate(rows) if rows else np.zeros(0)
        learned = dataclasses.replace(
            learned,
            entry_ptr=sizes.astype(np.int32),
            entry_api=flat.astype(np.int32),
            entries_digest=entries_digest(entries),
        )
    return RetrievalIndex(entries, index.scheme, learned=learned, doc_terms=terms)


def mined_keys(path: Path, source: str) -> set[tuple[str, str]]:
    """(canonical intent, code) of every pair in a mined file, as the index would store it."""
    keys = set()
    for row in read_doc_pairs(path, source):
        snippet = public_snippet(row["snippet"])
        if snippet is not None:
            entry = entry_from_pair(row["intent"], snippet, source)
            keys.add((entry.intent, entry.code))
    return keys


def stale(index: RetrievalIndex, mined: Collection[tuple[str, str]], source: str) -> list[int]:
    """Ids of the `source` entries whose pair is not in `mined`."""
    return [
        i
        for i, e in enumerate(index.entries)
        if e.source == source and (e.intent, e.code) not in mined
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--index", type=Path, required=True, help="directory with retrieval.json (and retriever)")
    a("--mined", type=Path, required=True, help="the newer mine's generator_pairs.jsonl")
    a("--source", default="mined", help="the index source those pairs were indexed as")
    a("--out", type=Path, required=True, help="directory for the pruned index files")


def run(args: argparse.Namespace) -> int:
    retriever = args.index / RETRIEVER_FILE
    learned = ApiRetriever.from_bytes(retriever.read_bytes()) if retriever.is_file() else None
    index = RetrievalIndex.from_json((args.index / RETRIEVAL_FILE).read_bytes(), learned)
    if not any(e.source == args.source for e in index.entries):
        raise SystemExit(f"{args.index}: no entries of source {args.source!r}")
    drop = set(stale(index, mined_keys(args.mined, args.source), args.source))
    pruned = subset(index, [i for i in range(len(index.entries)) if i not in drop])
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / RETRIEVAL_FILE, pruned.to_json())
    if pruned.learned is not None:
        atomic_write_bytes(args.out / RETRIEVER_FILE, pruned.learned.to_bytes())
    dropped = sorted(index.entries[i].code for i in drop)
    report = {"entries": len(pruned.entries), "dropped": len(dropped), "dropped_code": dropped}
    atomic_write_text(args.out / "prune_report.json", json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}: {len(pruned.entries)} entries, {len(drop)} dropped", file=sys.stderr)
    return 0
