"""`codeqa-train sync-index`: bring a built retrieval index in line with a newer `codeqa-train
mine` without rebuilding it: the doc entries the newer mine no longer produces go, the ones it
newly produces are appended, everything else stays as it was.

A miner fix (a definition gets a public path only through modules that export it) stopped
mining private helpers re-exported by accident (`importlib.metadata.unique_everseen`,
`numpy.PytestTester`, matplotlib's `afm.get_*`), and a new source (`knowledge.operations`: the
docs' operation tables, `x ** y`, `d | other`, `s.pop(i)`) added pairs; an index built before
them offers the first and lacks the second. Rebuilding the index also refits the learned
retriever and re-chooses its blend weight, which moves every other answer; syncing keeps the
entries both mines share with their stored terms, and the learned retriever with its weights:
its entry → API map is cut to the entries kept and extended to the ones added (each pointing at
the APIs it calls that the retriever knows; none: BM25 alone finds it). Only entries of
`--source` (the mined doc pairs) are removed or added; Stack Overflow pairs stay.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from codeqa_model.api_retriever import RETRIEVER_FILE, ApiRetriever, api_keys
from codeqa_model.atomic import atomic_write_bytes, atomic_write_text
from codeqa_model.retrieval import (
    RETRIEVAL_FILE,
    Entry,
    RetrievalIndex,
    entries_digest,
    entry_from_pair,
)
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


def appended(index: RetrievalIndex, new: Sequence[Entry]) -> RetrievalIndex:
    """The index with `new` entries after its own: theirs tokenised as a build would, its own
    terms as stored, the learned retriever's map extended."""
    entries = [*index.entries, *new]
    fresh = RetrievalIndex(entries, index.scheme)  # tokenises every entry; the new ones are kept
    counts = [_term_counts(index.doc_terms, i) for i in range(len(index.entries))]
    counts += [_term_counts(fresh.doc_terms, i) for i in range(len(index.entries), len(entries))]
    learned = index.learned
    if learned is not None:
        known = {name: i for i, name in enumerate(learned.api_names)}
        rows = [
            sorted({known[k] for k in api_keys(e.code) if k in known}) or [len(known)] for e in new
        ]
        sizes = learned.entry_ptr[-1] + np.cumsum([len(r) for r in rows], dtype=np.int64)
        learned = dataclasses.replace(
            learned,
            entry_ptr=np.concatenate([learned.entry_ptr, sizes]).astype(np.int32),
            entry_api=np.concatenate(
                [learned.entry_api, np.array([a for r in rows for a in r], dtype=np.int32)]
            ),
            entries_digest=entries_digest(entries),
        )
    return RetrievalIndex(
        entries, index.scheme, learned=learned, doc_terms=DocTerms.from_counters(counts)
    )


def mined_entries(path: Path, source: str) -> list[Entry]:
    """Every pair of a mined file as the index would store it (first of each repeat)."""
    found: dict[tuple[str, str], Entry] = {}
    for row in read_doc_pairs(path, source):
        snippet = public_snippet(row["snippet"])
        if snippet is not None:
            entry = entry_from_pair(row["intent"], snippet, source)
            if entry.code.strip():
                found.setdefault((entry.intent, entry.code), entry)
    return list(found.values())


def synced(index: RetrievalIndex, mined: Sequence[Entry], source: str) -> RetrievalIndex:
    """The index with its `source` entries that `mined` lacks dropped, and `mined`'s entries it
    lacks appended."""
    keys = {(e.intent, e.code) for e in mined}
    keep = [
        i for i, e in enumerate(index.entries) if e.source != source or (e.intent, e.code) in keys
    ]
    kept = subset(index, keep) if len(keep) < len(index.entries) else index
    have = {(e.intent, e.code) for e in kept.entries}
    new = [e for e in mined if (e.intent, e.code) not in have]
    return appended(kept, new) if new else kept


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--index", type=Path, required=True, help="directory with retrieval.json (and retriever)")
    a("--mined", type=Path, required=True, help="the newer mine's generator_pairs.jsonl")
    a("--source", default="mined", help="the index source those pairs were indexed as")
    a("--out", type=Path, required=True, help="directory for the synced index files")


def run(args: argparse.Namespace) -> int:
    retriever = args.index / RETRIEVER_FILE
    learned = ApiRetriever.from_bytes(retriever.read_bytes()) if retriever.is_file() else None
    index = RetrievalIndex.from_json((args.index / RETRIEVAL_FILE).read_bytes(), learned)
    if not any(e.source == args.source for e in index.entries):
        raise SystemExit(f"{args.index}: no entries of source {args.source!r}")
    mined = mined_entries(args.mined, args.source)
    out = synced(index, mined, args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / RETRIEVAL_FILE, out.to_json())
    if out.learned is not None:
        atomic_write_bytes(args.out / RETRIEVER_FILE, out.learned.to_bytes())
    before = {(e.intent, e.code) for e in index.entries}
    after = {(e.intent, e.code) for e in out.entries}
    dropped = sorted(e.code for e in index.entries if (e.intent, e.code) not in after)
    added = sorted(e.code for e in out.entries if (e.intent, e.code) not in before)
    report = {
        "entries": len(out.entries),
        "dropped": len(dropped),
        "added": len(added),
        "dropped_code": dropped,
        "added_code": added,
    }
    atomic_write_text(args.out / "sync_report.json", json.dumps(report, indent=2) + "\n")
    print(
        f"wrote {args.out}: {len(out.entries)} entries, {len(dropped)} dropped, {len(added)} added",
        file=sys.stderr,
    )
    return 0
