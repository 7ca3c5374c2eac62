"""The retrieval index's postings, built with numpy from each entry's terms and their counts.

Tokenising 27k entries (stemming, the words inside called names) is most of what building the
index costs, so a bundle stores every entry's terms (`DocTerms`, written by
`RetrievalIndex.to_json`) and a load only does the arithmetic. The arithmetic is the same
float64 operations, in the same order, as the plain-Python build it replaced (idf by
`math.log` per term, a TF-IDF norm summed left to right per entry), so the postings are the
same bits either way and no retrieval answer changes. Pure numpy + stdlib, no torch.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DocTerms", "Postings", "build_postings"]

Postings = dict[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DocTerms:
    """Every entry's distinct terms and counts, in first-occurrence order, as CSR arrays:
    entry i has terms `vocab[ids[ptr[i]:ptr[i + 1]]]` seen `counts[ptr[i]:ptr[i + 1]]` times."""

    vocab: tuple[str, ...]
    ptr: np.ndarray  # (n + 1,) int64
    ids: np.ndarray  # (nnz,) int64
    counts: np.ndarray  # (nnz,) int64

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @classmethod
    def from_counters(cls, docs: Sequence[Mapping[str, int]]) -> DocTerms:
        """From one term → count mapping per entry (a `Counter` keeps first-occurrence order)."""
        vocab: dict[str, int] = {}
        ids: list[int] = []
        counts: list[int] = []
        sizes = [0]
        for doc in docs:
            for word, count in doc.items():
                ids.append(vocab.setdefault(word, len(vocab)))
                counts.append(count)
            sizes.append(len(doc))
        return cls(
            tuple(vocab),
            np.cumsum(sizes, dtype=np.int64),
            np.asarray(ids, dtype=np.int64),
            np.asarray(counts, dtype=np.int64),
        )

    def folded(self, fold: Callable[[str], str]) -> DocTerms:
        """The same entries with every term mapped by `fold`; the terms it makes one are
        counted together (each entry's terms then in vocabulary order: postings and lengths
        do not depend on it)."""
        new_vocab: dict[str, int] = {}
        to_new = np.array(
            [new_vocab.setdefault(fold(w), len(new_vocab)) for w in self.vocab], dtype=np.int64
        )
        if len(new_vocab) == len(self.vocab):
            return DocTerms(tuple(new_vocab), self.ptr, to_new[self.ids], self.counts)
        size = len(new_vocab)
        entry = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.ptr))
        keys, where = np.unique(entry * size + to_new[self.ids], return_inverse=True)
        counts = np.bincount(where, weights=self.counts).astype(np.int64)
        sizes = np.bincount(keys // size, minlength=len(self))
        ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return DocTerms(tuple(new_vocab), ptr, keys % size, counts)

    def terms_of(self, i: int) -> list[str]:
        """Entry i's distinct terms in first-occurrence order."""
        return [self.vocab[t] for t in self.ids[self.ptr[i] : self.ptr[i + 1]].tolist()]

    def to_dict(self) -> dict[str, Any]:
        """For JSON: the vocabulary, then per entry its number of terms, and the term ids and
        counts of all entries end to end, each array as little-endian bytes in base64 (a JSON
        list of 300k numbers costs a load 30 MB of Python ints; a string costs its length)."""
        return {
            "terms": list(self.vocab),
            "sizes": _pack(np.diff(self.ptr)),
            "ids": _pack(self.ids),
            "counts": _pack(self.counts),
        }

    @classmethod
    def from_dict(cls, data: Any, n_entries: int) -> DocTerms:
        """Parse `to_dict` output for an index of `n_entries`; ValueError when malformed."""
        if not isinstance(data, dict):
            raise ValueError("retrieval doc terms must be an object")
        vocab = data.get("terms")
        if not isinstance(vocab, list) or not all(isinstance(w, str) for w in vocab):
            raise ValueError("retrieval doc terms need 'terms', a list of strings")
        size_a, id_a, count_a = (_unpack(data.get(k), k) for k in ("sizes", "ids", "counts"))
        if len(size_a) != n_entries:
            raise ValueError(f"retrieval doc terms cover {len(size_a)} entries, not {n_entries}")
        if int(size_a.sum()) != len(id_a) or len(id_a) != len(count_a):
            raise ValueError("retrieval doc terms: sizes do not match the ids and counts")
        if len(id_a) and (id_a.max() >= len(vocab) or count_a.min() < 1):
            raise ValueError("retrieval doc terms: a term id or count is out of range")
        ptr = np.zeros(n_entries + 1, dtype=np.int64)
        np.cumsum(size_a, out=ptr[1:])
        return cls(tuple(vocab), ptr, id_a, count_a)


_PACKED_TYPES = ("<u1", "<u2", "<u4")


def _pack(values: np.ndarray) -> dict[str, str]:
    """Non-negative integers as the narrowest unsigned little-endian type that holds them."""
    top = int(values.max(initial=0))
    dtype = next(t for t in _PACKED_TYPES if top <= np.iinfo(np.dtype(t)).max)
    data = np.ascontiguousarray(values, dtype=np.dtype(dtype)).tobytes()
    return {"dtype": dtype, "base64": base64.b64encode(data).decode("ascii")}


def _unpack(packed: Any, name: str) -> np.ndarray:
    """`_pack` output back as int64; ValueError for anything else."""
    if not (
        isinstance(packed, dict)
        and packed.get("dtype") in _PACKED_TYPES
        and isinstance(packed.get("base64"), str)
    ):
        raise ValueError(f"retrieval doc terms: {name!r} must be {{dtype, base64}}")
    dtype = np.dtype(packed["dtype"])
    try:
        data = base64.b64decode(packed["base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"retrieval doc terms: {name!r} is not base64") from None
    if len(data) % dtype.itemsize:
        raise ValueError(f"retrieval doc terms: {name!r} is not a whole number of values")
    return np.frombuffer(data, dtype=dtype).astype(np.int64)


def _idf(doc_terms: DocTerms) -> np.ndarray:
    """log((1 + n) / (1 + df)) + 1 per term, with `math.log` (as the Python build did)."""
    n = len(doc_terms)
    df = np.bincount(doc_terms.ids, minlength=len(doc_terms.vocab)).tolist()
    return np.array([math.log((1 + n) / (1 + c)) + 1.0 for c in df], dtype=np.float64)


def _row_sums_in_order(values: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Each row's sum added left to right, as Python's `sum` does (numpy's pairwise reduction
    can round differently): one vectorised step per column."""
    sizes = np.diff(ptr)
    total = np.zeros(len(sizes), dtype=np.float64)
    for j in range(int(sizes.max(initial=0))):
        rows = np.flatnonzero(sizes > j)
        total[rows] += values[ptr[rows] + j]
    return total


def build_postings(
    doc_terms: DocTerms, scheme: str, k1: float, b: float
) -> tuple[dict[str, float], Postings]:
    """(idf per term, term → (entry ids, weights) with ids ascending) for "tfidf" (entries
    L2-normalised, sublinear tf) or "bm25"."""
    idf = _idf(doc_terms)
    ids, counts, ptr = doc_terms.ids, doc_terms.counts, doc_terms.ptr
    n = len(doc_terms)
    entry = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    if scheme == "tfidf":
        log_tf = {c: 1 + math.log(c) for c in set(counts.tolist())}
        tf = np.array([log_tf[c] for c in counts.tolist()], dtype=np.float64)
        weights = tf * idf[ids]
        norm = np.sqrt(_row_sums_in_order(weights * weights, ptr))
        norm[norm == 0] = 1.0
        weights = weights / norm[entry]
    else:
        # integer sums, exact in float64
        lengths = np.bincount(entry, weights=counts, minlength=n)
        avg_len = int(lengths.sum()) / max(n, 1)
        c = counts.astype(np.float64)
        norm_len = (1 - b + b * lengths / avg_len)[entry]
        weights = idf[ids] * c * (k1 + 1) / (c + k1 * norm_len)
    order = np.argsort(ids, kind="stable")  # entries ascending within each term
    bounds = np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=len(doc_terms.vocab)))])
    entry_ids = entry[order].astype(np.int32)
    term_weights = weights[order]
    postings: Postings = {}
    for t, word in enumerate(doc_terms.vocab):
        lo, hi = int(bounds[t]), int(bounds[t + 1])
        if hi > lo:
            postings[word] = (entry_ids[lo:hi], term_weights[lo:hi])
    idf_map = {w: float(v) for w, v in zip(doc_terms.vocab, idf.tolist(), strict=True)}
    return idf_map, postings


def starts_with(doc_terms: DocTerms, expected: Mapping[int, Sequence[str]]) -> bool:
    """Whether each given entry's stored terms start with the expected ones: a spot check that
    stored terms came from the tokeniser this code has."""
    return all(doc_terms.terms_of(i)[: len(words)] == list(words) for i, words in expected.items())


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite a retrieval.json in the current format (its entries unchanged, so a retriever
    file built for it still fits): `python -m codeqa_model.retrieval_postings IN [OUT]`."""
    import argparse
    from pathlib import Path

    from codeqa_model.atomic import atomic_write_text
    from codeqa_model.retrieval import RetrievalIndex

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("index", type=Path, help="a retrieval.json (any readable format)")
    parser.add_argument("out", type=Path, nargs="?", help="where to write (default: in place)")
    args = parser.parse_args(argv)
    index = RetrievalIndex.from_json(args.index.read_bytes())
    atomic_write_text(args.out or args.index, index.to_json())
    print(f"wrote {args.out or args.index}: {len(index)} entries with their terms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
