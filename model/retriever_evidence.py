"""Evidence from the learned intent → API retriever: are the block's calls ones the intent asks
for?

The API profiles in `match_evidence` know only APIs that training pairs called. The shipped
retriever (`api_retriever`, fitted on Stack Overflow answers and the API docs) scores ten
thousand APIs for an intent, so it also speaks for `os.getlogin` under "read the environment
variable", or `time.sleep` under "get the current month". Features per pair:

- `prior_known`: 1 when a call of the block is one of the retriever's APIs (else the gap is 0
  and says nothing);
- `prior_gap`: log P(the intent's likeliest API) - log P(the block's likeliest API), capped at
  12 and divided by 12 (in [0, 1]): an API swap is a call the intent makes unlikely while
  another API is likely. A difference of logits, so no softmax is needed.

(log P(block's API) itself, with the softmax's normaliser, measured no better on validation
than the gap alone and costs an exp over every API per intent.)

Calls are read with regular expressions (`call_paths`: no parse, cheap, tolerant of broken
code) into the retriever's names (`os.path.join`, `.split`, `sorted`). The distinct intents of a
batch are scored together: one matrix product per `_CHUNK` intents, against the `_TOP_APIS`
APIs of largest bias (the retriever's popularity prior: the likeliest API of 91% of the matcher's
validation intents is among them, and the log-probability they miss is 0.12 on average) plus
the block's own calls — a fifth of the work of scoring every API, at about the matcher's cost
per pair.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from codeqa_model.api_retriever import CONVENTIONAL, MODULE_ROOTS, ApiRetriever, public_path
from codeqa_model.match_evidence import canonical
from codeqa_model.retrieval import learned_features

PRIOR_FEATURES = ("prior_known", "prior_gap")
_CAP = 12.0  # log-probability differences above 12 count as 12
_CHUNK = 128  # intents per matrix product (bounds the (intents x APIs) scratch array)
_TOP_APIS = 2000  # the APIs of largest bias, among which an intent's likeliest is looked for
# a call: `.`-method or name, then `(`. The look-ahead skips at once the places no call starts
# at, and nothing gives back a name's letters (no call follows a shorter one): the same
# matches as without them, at two thirds of the cost
_CALL = re.compile(r"(?=[.A-Za-z_])(?<!def )(?<!class )(\.?)\b([A-Za-z_][\w.]*+)\s*+\(")
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?", re.M)
_FROM = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w \t,]+)", re.M)
_FROM_NAME = re.compile(r"(\w+)(?:\s+as\s+(\w+))?")
_KEYWORDS = frozenset(keyword.kwlist)


def _aliases(code: str) -> dict[str, str]:
    aliases = dict(CONVENTIONAL)
    if "import" not in code:
        return aliases
    for module, alias in _IMPORT.findall(code):
        aliases[alias or module.split(".")[0]] = module if alias else module.split(".")[0]
    for module, names in _FROM.findall(code):
        if module.startswith("."):  # relative: a module of the user's own package
            continue
        for name, alias in _FROM_NAME.findall(names):
            if name != "as":
                aliases[alias or name] = f"{module}.{name}"
    return aliases


def call_paths(code: str) -> tuple[str, ...]:
    """The APIs `code` calls, named as `api_retriever.api_keys` names them (module functions by
    their public path, methods as `.name`, plain names as themselves), read with regular
    expressions instead of a parse; sorted, no repeats."""
    aliases = _aliases(code)
    keys: set[str] = set()
    for match in _CALL.finditer(code):
        dot, written = match.group(1), match.group(2).strip(".")
        parts = written.split(".")
        if not written or parts[0] in _KEYWORDS:
            continue
        if dot:  # a method on a call's result or a subscript: `f(x).json()`
            keys.add("." + parts[-1])
            continue
        head = aliases.get(parts[0], parts[0])
        if len(parts) == 1:
            keys.add(public_path(head))
        elif head.split(".")[0] in MODULE_ROOTS or parts[0] in aliases:
            keys.add(public_path(".".join([head, *parts[1:]])))
        else:
            keys.add("." + parts[-1])
    return tuple(sorted(keys))


class RetrieverEvidence:
    """`PRIOR_FEATURES` for (intent, code) pairs, from a fitted retriever."""

    def __init__(self, retriever: ApiRetriever) -> None:
        self.retriever = retriever
        self._ids = {name: i for i, name in enumerate(retriever.api_names)}
        top = np.argsort(-np.asarray(retriever.bias), kind="stable")[:_TOP_APIS]
        self._top_apis = np.asarray(retriever.apis[top], dtype=np.float32)
        self._top_bias = np.asarray(retriever.bias[top], dtype=np.float32)
        self._calls = lru_cache(maxsize=4096)(self._calls_uncached)

    def _calls_uncached(self, code: str) -> tuple[int, ...]:
        return tuple(self._ids[k] for k in call_paths(code) if k in self._ids)

    def _feature_ids(self, intent: str) -> list[int]:
        """The intent's features as `ApiRetriever.api_probs` reads them, as vocabulary ids."""
        canon, values = canonical(intent)
        vocab = self.retriever.vocab
        return [vocab[f] for f in learned_features(canon, values) if f in vocab]

    def _queries(self, intents: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The intents with a known feature and their query vectors (one gather for all)."""
        kept, ids, starts = [], [], []
        for intent in intents:
            found = self._feature_ids(intent)
            if found:
                kept.append(intent)
                starts.append(len(ids))
                ids += found
        if not kept:
            return [], np.zeros((0, self._top_apis.shape[1]), dtype=np.float32)
        sums = np.add.reduceat(self.retriever.words[ids].astype(np.float32), starts, axis=0)
        if self.retriever.pool != "sum":
            sums /= np.diff([*starts, len(ids)]).astype(np.float32)[:, None]
        return kept, sums

    def many(self, pairs: Sequence[tuple[str, str]]) -> list[list[float]]:
        """`PRIOR_FEATURES` for each pair, in order."""
        out = [[0.0, 0.0] for _ in pairs]
        by_intent: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        for n, (intent, code) in enumerate(pairs):
            calls = self._calls(code)
            if calls:
                by_intent.setdefault(intent, []).append((n, calls))
        kept, queries = self._queries(list(by_intent))
        for start in range(0, len(kept), _CHUNK):
            chunk = queries[start : start + _CHUNK]
            tops = (chunk @ self._top_apis.T + self._top_bias).max(axis=1).tolist()
            owners, rows, ids = [], [], []  # every (pair, intent row, called API) of the chunk
            for row, intent in enumerate(kept[start : start + _CHUNK]):
                for n, calls in by_intent[intent]:
                    owners += [n] * len(calls)
                    rows += [row] * len(calls)
                    ids += calls
            apis = self.retriever.apis[ids].astype(np.float32)
            own = (np.einsum("ij,ij->i", apis, chunk[rows]) + self.retriever.bias[ids]).tolist()
            best: dict[int, tuple[float, int]] = {}
            for n, row, value in zip(owners, rows, own, strict=True):
                if n not in best or value > best[n][0]:
                    best[n] = (value, row)
            for n, (value, row) in best.items():
                gap = max(0.0, tops[row] - value)
                out[n] = [1.0, min(gap, _CAP) / _CAP]
        return out
