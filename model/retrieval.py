"""Retrieval of known (intent, code) pairs: training pairs and API-doc entries as candidates.

A small generator cannot know every API; an index over what we do know (curated Stack Overflow
pairs, NL→call pairs mined from the Python docs) can. Entries are stored canonical — quoted values
replaced by `str_N` / `var_N` exactly as the generator sees them (`model.slots`) — so a hit is
turned into code for *this* intent by putting the intent's own values in; a placeholder the
intent lacks gets back the entry's original value. Scoring is TF-IDF cosine (or BM25) over
lightly stemmed intent words, computed with per-word posting arrays: ~1 ms for 20k entries.

Saved as one JSON file (`RETRIEVAL_FILE`) in a bundle; the postings are rebuilt on load. Pure
numpy + stdlib, no torch.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from codeqa_model.slots import SlotMap, canonicalize_intent, canonicalize_pair

RETRIEVAL_FILE = "retrieval.json"
VALUE_WORD_WEIGHT = 0.5  # CoNaLa valid API hit@1/5/10: 1.0 13.5/37.0/45.7, 0.5 17.3/37.5/45.7
FORMAT = 1
SCHEMES = ("tfidf", "bm25")

_PLACEHOLDER = re.compile(r"(?<!\w)(?:str|var)_\d(?!\w)")
_WORD = re.compile(r"[a-z][a-z0-9]*|\d+")
_STOP_WORDS = (
    "a an the of to in on for from by with and or is are be it its this that as at into "
    "using use how do does can i my me we you your python given which when what"
)
_STOP = frozenset(_STOP_WORDS.split(" "))


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A tiny suffix stripper: 'sorting', 'sorted', 'sorts' → 'sort'. Enough for intents."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


# Docs say "Return ...", users say "get ..."; a few such pairs, after stemming.
_SYNONYMS = {
    "return": "get",
    "obtain": "get",
    "fetch": "get",
    "folder": "directory",
    "dir": "directory",
    "make": "create",
    "delete": "remove",
    "erase": "remove",
    "dict": "dictionary",
    "str": "string",
    "lowercase": "lower",
    "uppercase": "upper",
}


def terms(canonical_intent: str, values: Iterable[str] = ()) -> list[str]:
    """Index terms of a canonical intent: stemmed words, placeholders and stop words dropped.

    Identifiers split at dots and underscores ('os.path.join' → os, path, join), since users
    write either form. `values` are the slot values the placeholders stand for: their words
    count too ('data.csv' says csv, `df` says pandas-style code).
    """
    text = " ".join([_PLACEHOLDER.sub(" ", canonical_intent), *values]).lower()
    words = (stem(w) for w in _WORD.findall(text.replace("_", " ")) if w not in _STOP)
    return [_SYNONYMS.get(w, w) for w in words]


@dataclass(frozen=True)
class Entry:
    """One known pair, canonical; `values` are the original slot renderings of its placeholders."""

    intent: str
    code: str
    values: tuple[tuple[str, str], ...]
    source: str


@dataclass(frozen=True)
class Hit:
    """A retrieved candidate for one intent: code with the intent's values put in."""

    code: str
    similarity: float  # in [0, 1] for tfidf (cosine); BM25 divided by the query's own best
    slot_spans: tuple[tuple[int, int], ...]
    source: str
    entry: int


def entry_from_pair(intent: str, snippet: str, source: str) -> Entry:
    """Canonicalize a pair as the generator's training does and remember its own slot values."""
    canon_intent, canon_code, slots = canonicalize_pair(intent, snippet)
    used = set(_PLACEHOLDER.findall(canon_code))
    values = tuple((s.placeholder, s.render()) for s in slots if s.placeholder in used)
    return Entry(canon_intent, canon_code, values, source)


def fill(code: str, slots: SlotMap, fallback: Mapping[str, str]) -> tuple[str, tuple]:
    """Placeholders → the intent's values (spans recorded) or the entry's own; unknown kept.

    A placeholder the intent lacks takes the intent's next value the code does not use, in
    the intent's order, whatever its kind: doc entries name their arguments `var_N`, users
    quote paths as strings ("create dir 'out'" → `os.mkdir('out')`). Only when none is left
    does the entry's own value come back.
    """
    used = set(_PLACEHOLDER.findall(code))
    spare = iter([s for s in slots if s.placeholder not in used])
    assigned: dict[str, Any] = {}
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = last = 0
    for match in _PLACEHOLDER.finditer(code):
        name = match.group()
        slot = slots.get(name)
        if slot is None:
            if name not in assigned:
                assigned[name] = next(spare, None)
            slot = assigned[name]
        value = slot.render() if slot is not None else fallback.get(name)
        if value is None:
            continue
        before = code[last : match.start()]
        pieces += [before, value]
        length += len(before)
        if slot is not None:
            spans.append((length, length + len(value)))
        length += len(value)
        last = match.end()
    pieces.append(code[last:])
    return "".join(pieces), tuple(spans)


class RetrievalIndex:
    """Entries plus word → (entry ids, weights) postings; `search` and `candidates`."""

    def __init__(
        self, entries: Sequence[Entry], scheme: str = "tfidf", k1: float = 1.2, b: float = 0.75
    ) -> None:
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        self.entries = list(entries)
        self.scheme = scheme
        docs = [Counter(terms(e.intent, (v for _, v in e.values))) for e in self.entries]
        n = len(docs)
        df = Counter(w for d in docs for w in d)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
        avg_len = sum(sum(d.values()) for d in docs) / max(n, 1)
        rows: dict[str, list[tuple[int, float]]] = {}
        for i, doc in enumerate(docs):
            if scheme == "tfidf":
                weights = {w: (1 + math.log(c)) * self.idf[w] for w, c in doc.items()}
                norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
                weights = {w: v / norm for w, v in weights.items()}
            else:
                length = sum(doc.values())
                weights = {
                    w: self.idf[w] * c * (k1 + 1) / (c + k1 * (1 - b + b * length / avg_len))
                    for w, c in doc.items()
                }
            for w, v in weights.items():
                rows.setdefault(w, []).append((i, v))
        self._k1 = k1
        self.postings = {
            w: (np.array([i for i, _ in p], dtype=np.int32), np.array([v for _, v in p]))
            for w, p in rows.items()
        }

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[str, str, str]], scheme: str = "tfidf"
    ) -> RetrievalIndex:
        """Index (intent, snippet, source) triples; exact duplicate entries are kept once."""
        seen: set[tuple[str, str]] = set()
        entries = []
        for intent, snippet, source in pairs:
            entry = entry_from_pair(intent, snippet, source)
            if entry.code.strip() and (entry.intent, entry.code) not in seen:
                seen.add((entry.intent, entry.code))
                entries.append(entry)
        return cls(entries, scheme)

    def search(
        self, canonical_intent: str, k: int, values: Iterable[str] = ()
    ) -> list[tuple[int, float]]:
        """Top `k` (entry id, similarity) for a canonical intent and its slot values, best
        first; ties by id."""
        words = set(terms(canonical_intent))
        counts = Counter(w for w in terms(canonical_intent, values) if w in self.postings)
        if not counts or k < 1:
            return []
        # a word only the quoted values bring ('data.csv' → csv) counts for less than the
        # intent's own words: values often name files or variables, not operations
        scale = {w: 1.0 if w in words else VALUE_WORD_WEIGHT for w in counts}
        scores = np.zeros(len(self.entries))
        if self.scheme == "tfidf":
            q = {w: scale[w] * (1 + math.log(c)) * self.idf[w] for w, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in q.values()))
            q = {w: v / norm for w, v in q.items()}
            best = 1.0
        else:
            q = scale
            best = sum(self.idf[w] * q[w] for w in q) * (self._k1 + 1)  # the bound as tf grows
        for w, weight in q.items():
            ids, vals = self.postings[w]
            np.add.at(scores, ids, weight * vals)
        k = min(k, int((scores > 0).sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = sorted(top.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(min(scores[i] / best, 1.0))) for i in top]

    def candidates(self, intent: str, k: int, pool: int | None = None) -> list[Hit]:
        """Up to `k` distinct pieces of code for a raw intent, its quoted values put in."""
        canon, slots = canonicalize_intent(intent)
        hits: list[Hit] = []
        seen: set[str] = set()
        for i, sim in self.search(canon, pool or 4 * k, (s.value for s in slots)):
            entry = self.entries[i]
            code, spans = fill(entry.code, slots, dict(entry.values))
            if code in seen:
                continue
            seen.add(code)
            hits.append(Hit(code, sim, spans, entry.source, i))
            if len(hits) == k:
                break
        return hits

    # -- storage ----------------------------------------------------------------------------

    def to_json(self) -> str:
        """Compact JSON: the entries (canonical) and the scheme; postings are rebuilt on load."""
        sources = sorted({e.source for e in self.entries})
        index = {s: i for i, s in enumerate(sources)}
        data = {
            "format": FORMAT,
            "scheme": self.scheme,
            "sources": sources,
            "entries": [
                [e.intent, e.code, [list(v) for v in e.values], index[e.source]]
                for e in self.entries
            ],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> RetrievalIndex:
        """Parse `to_json` output; raises ValueError on anything malformed."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"retrieval index is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"retrieval index format must be {FORMAT}")
        sources = data.get("sources")
        raw = data.get("entries")
        if not isinstance(sources, list) or not isinstance(raw, list):
            raise ValueError("retrieval index needs 'sources' and 'entries' lists")
        entries = []
        for n, item in enumerate(raw):
            if not (isinstance(item, list) and len(item) == 4):
                raise ValueError(f"retrieval entry {n} is not [intent, code, values, source]")
            intent, code, values, src = item
            ok = (
                isinstance(intent, str)
                and isinstance(code, str)
                and isinstance(values, list)
                and all(
                    isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)
                    for v in values
                )
                and isinstance(src, int)
                and 0 <= src < len(sources)
            )
            if not ok:
                raise ValueError(f"retrieval entry {n} is malformed")
            entries.append(Entry(intent, code, tuple((a, b) for a, b in values), sources[src]))
        return cls(entries, str(data.get("scheme", "tfidf")))


@functools.lru_cache(maxsize=4)
def load_index(data: bytes) -> RetrievalIndex:
    """`RetrievalIndex.from_json`, remembered per file content: engines built again and again
    from one bundle (tuning sweeps) parse it once. The index is read-only once built."""
    return RetrievalIndex.from_json(data)


def describe(index: RetrievalIndex) -> dict[str, Any]:
    """Entries per source (for model cards and logs)."""
    return {"scheme": index.scheme, "entries": dict(Counter(e.source for e in index.entries))}


def combine_with_retrieval(
    beam_scores: Sequence[float],
    similarities: Sequence[float],
    match_probs: Sequence[float],
    weight: float,
    retrieval_weight: float,
) -> np.ndarray:
    """Rerank scores for generated candidates followed by retrieved ones.

    Generated: `(1 - weight) * beam share + weight * p_match`, exactly `combine_scores`.
    Retrieved: `(1 - weight) * retrieval_weight * similarity + weight * p_match` — the
    similarity stands in for the beam share the generator never gave them. `match_probs` covers
    both lists in that order. `retrieval_weight` is chosen on validation.
    """
    lp = np.asarray(beam_scores, dtype=np.float64)
    share = np.exp(lp - lp.max()) if lp.size else lp
    if lp.size:
        share = share / share.sum()
    prior = np.concatenate([share, retrieval_weight * np.asarray(similarities, dtype=np.float64)])
    probs = np.asarray(match_probs, dtype=np.float64)
    if probs.shape != prior.shape:
        raise ValueError(f"{prior.size} candidates but {probs.size} match probabilities")
    return (1.0 - weight) * prior + weight * probs
