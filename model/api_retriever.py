"""A trained intent → API retriever that reranks the retrieval index's entries.

BM25 over intent words finds the right API poorly when the user's words are not the docs'
("create directory" vs "Recursive directory creation function"); DocPrompting (Zhou et al.,
ICLR 2023) measured recall@10 9.7% for BM25 against 55.8% for a small trained retriever. This
one is a bag-of-features encoder for the intent (stemmed words and their bigrams, mean of learned
vectors) scored against a learned vector and bias per API (`os.makedirs`, `json.load`, `.isdigit`):
a low-rank softmax classifier, fitted by `codeqa_train.fit_retriever` on Stack Overflow pairs
and API-doc pairs (re-sampled toward what people ask, so the bias is a popularity prior).

At run time it only does numpy: one embedding mean and one matrix-vector product over the APIs,
then each index entry gets its best API's probability. Saved as `RETRIEVER_FILE`
(safetensors, metadata holding the vocabularies and the weight chosen on validation).
"""

from __future__ import annotations

import ast
import functools
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from codeqa_model.ast_walk import walk
from codeqa_model.pyast import dotted_parts, import_aliases, parse_quietly

RETRIEVER_FILE = "retriever.safetensors"
FORMAT = "1"
# Implementation modules the docs (and `inspect`) name for public APIs: genericpath.getsize is
# os.path.getsize to every user.
PRIVATE_MODULES = {
    "genericpath": "os.path",
    "posixpath": "os.path",
    "ntpath": "os.path",
    "macpath": "os.path",
    "posix": "os",
    "nt": "os",
}
# Conventional aliases users write without showing the import.
CONVENTIONAL = {"np": "numpy", "pd": "pandas", "plt": "matplotlib.pyplot", "tk": "tkinter"}
# Doc entries spell methods on their type (`str.isdigit()`); users call them on a value.
BUILTIN_TYPES = frozenset(
    ("str", "list", "dict", "set", "tuple", "bytes", "bytearray", "frozenset", "int", "float")
)
_PYPI_ROOTS = frozenset(
    ("numpy", "pandas", "matplotlib", "bs4", "requests", "tqdm", "dateutil", "yaml", "scipy")
)
MODULE_ROOTS = frozenset(sys.stdlib_module_names) | _PYPI_ROOTS


def public_path(path: str) -> str:
    """`genericpath.getsize` → `os.path.getsize`; other paths unchanged."""
    head, dot, rest = path.partition(".")
    public = PRIVATE_MODULES.get(head)
    return f"{public}{dot}{rest}" if public and dot else path


def is_private(path: str) -> bool:
    """A dotted path through a `_`-prefixed module (`_thread.exit`): never worth suggesting
    over the public name."""
    head = path.split(".")[0]
    return head.startswith("_") and not head.startswith("__")


@functools.lru_cache(maxsize=4096)
def api_keys(code: str, roots: frozenset[str] = MODULE_ROOTS) -> tuple[str, ...]:
    """The APIs `code` calls, as a retriever's labels: module functions by their full public
    path (`os.path.join`), methods as `.name` whatever the receiver (`s.isdigit()` and the docs'
    `str.isdigit()` agree), plain names as themselves (`sorted`). Sorted, no repeats; () when the
    code does not parse. Read with `ast` only; remembered (a suggestion's API prior and its
    variety check read the same candidates)."""
    tree = parse_quietly(code)
    if tree is None:
        return ()
    # no `import` in the text: no import statement, nothing for `import_aliases` to walk for
    aliases = {**CONVENTIONAL, **(import_aliases(tree) if "import" in code else {})}
    keys: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = dotted_parts(node.func)
        if parts is None:
            if isinstance(node.func, ast.Attribute):
                keys.add("." + node.func.attr)
            continue
        head = aliases.get(parts[0], parts[0])
        if len(parts) == 1:
            keys.add(public_path(head))
        elif head.split(".")[0] in roots or parts[0] in aliases or head in PRIVATE_MODULES:
            keys.add(public_path(".".join([head, *parts[1:]])))
        else:
            keys.add("." + parts[-1])
    return tuple(sorted(keys))


def features(words: Sequence[str]) -> list[str]:
    """Words plus adjacent-word bigrams ('remove duplicate' says more than either word)."""
    return [*words, *(f"{a}_{b}" for a, b in itertools.pairwise(words))]


@dataclass(frozen=True)
class ApiRetriever:
    """Learned vectors: `words` (V×d) for intent features, `apis` (K×d) and `bias` (K) for APIs;
    `entry_ptr`/`entry_api` map each index entry to its APIs (CSR; id K means "none")."""

    vocab: dict[str, int]
    api_names: tuple[str, ...]
    words: np.ndarray
    apis: np.ndarray
    bias: np.ndarray
    entry_ptr: np.ndarray
    entry_api: np.ndarray
    weight: float  # share of the learned score in an entry's similarity (chosen on validation)
    entries_digest: str  # which retrieval index the entry map belongs to
    # (p / p_max) ** power: below 1 the runner-up APIs keep more of their score (validation)
    power: float = 1.0
    pool: str = "mean"  # how feature vectors make the query: "mean" or "sum" (as fitted)

    def __post_init__(self) -> None:
        # Per query only arithmetic: the API matrix in float32 once, and the entry → API map as
        # a first-API column plus (entries, APIs) columns for entries calling several.
        object.__setattr__(self, "_apis32", np.asarray(self.apis, dtype=np.float32))
        ptr = np.asarray(self.entry_ptr, dtype=np.int64)
        degree = np.diff(ptr)
        columns = []
        for j in range(1, int(degree.max(initial=1))):
            rows = np.flatnonzero(degree > j)
            columns.append((rows, self.entry_api[ptr[rows] + j]))
        object.__setattr__(self, "_first", self.entry_api[ptr[:-1]])
        object.__setattr__(self, "_more", tuple(columns))
        object.__setattr__(self, "_last_probs", None)  # (feature ids, probs): `api_probs`

    @property
    def n_entries(self) -> int:
        return len(self.entry_ptr) - 1

    def api_probs(self, feats: Iterable[str]) -> np.ndarray | None:
        """P(api | intent features) over the K APIs, read-only; None when no feature is known.

        The last answer is kept: a suggestion asks for the same intent's twice (the retrieval's
        entry scores, then the API prior)."""
        ids = tuple(self.vocab[f] for f in feats if f in self.vocab)
        if not ids:
            return None
        last = self._last_probs
        if last is not None and last[0] == ids:
            return last[1]
        vectors = self.words[list(ids)].astype(np.float32)
        query = vectors.sum(axis=0) if self.pool == "sum" else vectors.mean(axis=0)
        logits = self._apis32 @ query + self.bias
        logits -= logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        probs.flags.writeable = False
        object.__setattr__(self, "_last_probs", (ids, probs))
        return probs

    def top_apis(self, feats: Iterable[str], k: int) -> list[tuple[str, float]]:
        """The `k` likeliest APIs with their probabilities (for inspection and reports)."""
        probs = self.api_probs(feats)
        if probs is None:
            return []
        top = np.argsort(-probs, kind="stable")[:k]
        return [(self.api_names[i], float(probs[i])) for i in top]

    def entry_scores(self, feats: Iterable[str]) -> np.ndarray | None:
        """Per index entry, its best API's probability relative to the best API's, raised to
        `power` (in [0, 1])."""
        probs = self.api_probs(feats)
        if probs is None:
            return None
        padded = np.append((probs / probs.max()) ** self.power, 0.0)
        out = padded[self._first]
        for rows, apis in self._more:
            out[rows] = np.maximum(out[rows], padded[apis])
        return out

    # -- storage ----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """safetensors bytes; vocabularies and knobs in the metadata."""
        from safetensors.numpy import save

        tensors = {
            "words": self.words.astype(np.float16),
            "apis": self.apis.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "entry_ptr": self.entry_ptr.astype(np.int32),
            "entry_api": self.entry_api.astype(np.int32),
        }
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        meta = {
            "format": FORMAT,
            "vocab": json.dumps(vocab, ensure_ascii=False),
            "api_names": json.dumps(list(self.api_names), ensure_ascii=False),
            "weight": repr(float(self.weight)),
            "power": repr(float(self.power)),
            "pool": self.pool,
            "entries_digest": self.entries_digest,
        }
        return save(tensors, metadata=meta)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ApiRetriever:
        """Parse `to_bytes` output; ValueError on anything malformed or inconsistent."""
        from safetensors.numpy import load

        try:
            size = int.from_bytes(blob[:8], "little")
            meta = json.loads(blob[8 : 8 + size]).get("__metadata__") or {}
            tensors = load(bytes(blob))
        except Exception as exc:  # safetensors raises its own error types
            raise ValueError(f"not a retriever file: {exc}") from None
        if meta.get("format") != FORMAT:
            raise ValueError(f"retriever format must be {FORMAT}")
        try:
            vocab = json.loads(meta["vocab"])
            names = tuple(json.loads(meta["api_names"]))
            weight = float(meta["weight"])
            power = float(meta.get("power", "1.0"))
            pool = str(meta.get("pool", "mean"))
            words, apis, bias = tensors["words"], tensors["apis"], tensors["bias"]
            ptr, entry_api = tensors["entry_ptr"], tensors["entry_api"]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"retriever file lacks {exc}") from None
        k = len(names)
        ok = (
            words.ndim == 2
            and apis.ndim == 2
            and words.shape[0] == len(vocab)
            and apis.shape == (k, words.shape[1])
            and bias.shape == (k,)
            and ptr.ndim == 1
            and len(ptr) >= 1
            and ptr[0] == 0
            and ptr[-1] == len(entry_api)
            and bool(np.all(np.diff(ptr) >= 1))
            and bool(np.all((entry_api >= 0) & (entry_api <= k)))
            and 0.0 <= weight <= 1.0
            and 0.0 < power <= 4.0
            and pool in ("mean", "sum")
        )
        if not ok:
            raise ValueError("retriever tensors do not fit together")
        return cls(
            {w: i for i, w in enumerate(vocab)},
            names,
            words,
            apis,
            bias,
            ptr,
            entry_api,
            weight,
            str(meta.get("entries_digest", "")),
            power,
            pool,
        )


def entry_map(
    entry_keys: Sequence[Sequence[str]], api_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, api ids) for entries' API keys; an entry with no known API points at K."""
    none = len(api_index)
    ptr = [0]
    flat: list[int] = []
    for keys in entry_keys:
        ids = sorted({api_index[k] for k in keys if k in api_index}) or [none]
        flat += ids
        ptr.append(len(flat))
    return np.array(ptr, dtype=np.int32), np.array(flat, dtype=np.int32)
