"""`Matcher`: calibrated probability that a piece of code does what an intent says.

Wraps the product `MatchClassifier` with the text pipeline shared by the generator (slots →
word tokens → sub-word ids) and the cheap lexical features, so callers pass plain strings.
Built from plain parts (config dict + tensors + two tokenizers) so a bundle holds it without pickle.
The network is the torch `MatchClassifier` (training, evaluation of runs) or, for inference on a
bundle's arrays, the torch-free `NumpyMatchClassifier` (`for_inference`); torch is imported
only for the former.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from codeqa_model import numpy_classifier
from codeqa_model.classifier_config import LEXICAL_FEATURES, ClassifierConfig
from codeqa_model.code_tokens import tokenize_code, tokenize_replaced
from codeqa_model.explain import Explainer, token_calls
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.numpy_classifier import NumpyMatchClassifier
from codeqa_model.slots import (
    PLACEHOLDER_RE,
    SlotMap,
    canonical_spans,
    canonicalize_code,
    canonicalize_intent,
)
from codeqa_model.subword import encode_words

if TYPE_CHECKING:
    import torch
    from codeqa_model.classifier import MatchClassifier

_WORD_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# Words that say nothing about what code does; kept tiny on purpose.
_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "for", "from", "with", "by", "and", "or",
        "is", "are", "be", "as", "at", "it", "its", "this", "that", "into", "each", "all",
        "given", "using", "use", "how", "do", "does", "get",
    }
)  # fmt: skip


# Encoded intents kept: the pairs that share an intent come together (a suggestion's 13
# candidates, an explanation's calls, a re-check's changed block), so a few hundred serve them;
# 4,096 held 9 MiB more RSS after a server's 8,448-pair score fill, for no hits.
INTENT_CACHE_SIZE = 512


@lru_cache(maxsize=65536)
def _token_parts(token: str) -> tuple[str, ...]:
    if PLACEHOLDER_RE.fullmatch(token) or token.startswith("<"):
        return ()  # placeholders and layout tokens (<nl>, <indent>) are not words
    return tuple(p.lower() for p in _WORD_PART.findall(token))


def _word_parts(tokens: Sequence[str]) -> set[str]:
    """Lower-cased identifier parts: `getUserName`/`user_name` → {get, user, name}."""
    return set(_flat(map(_token_parts, tokens)))


class _EncodedIntent(NamedTuple):
    """What `PairEncoder.encode` reads of an intent, kept per intent (a suggestion scores 13
    candidates, an explanation a dozen calls, under one intent)."""

    slots: Any
    words: tuple[str, ...]
    ids: tuple[int, ...]
    placeholders: frozenset[str]
    parts: frozenset[str]  # identifier parts without stop words


@dataclass(frozen=True)
class EncodedPair:
    """One pair ready for the network: sub-word ids per side and lexical features."""

    intent_ids: list[int]
    code_ids: list[int]
    lexical: list[float]
    parts_ids: list[int] = field(default_factory=list)


class PairEncoder:
    """Text → ids + lexical features, with the same slot handling the generator uses."""

    def __init__(
        self,
        intent_tok: Any,
        code_tok: Any,
        max_intent: int,
        max_code: int,
        max_parts: int = 0,
        api_docs: dict[str, str] | None = None,
        n_lexical: int = len(LEXICAL_FEATURES),
    ) -> None:
        self.intent_tok = intent_tok
        self.code_tok = code_tok
        self.max_intent = max_intent
        self.max_code = max_code
        self.max_parts = max_parts  # 0: no identifier-parts input
        self._nl = code_tok.token_to_id("<nl>")
        self.api_docs = api_docs or {}
        self.n_lexical = n_lexical
        self._doc_words = lru_cache(maxsize=8192)(self._words_of_doc)
        self._intent = lru_cache(maxsize=INTENT_CACHE_SIZE)(self._encode_intent)
        self._code_word = _word_ids(code_tok)
        self._intent_word = _word_ids(intent_tok)

    def _words_of_doc(self, name: str) -> tuple[str, ...]:
        words = tokenize_intent(self.api_docs[name])
        return tuple(w for w in words if w.isalpha() and w not in _STOPWORDS)

    def _encode_intent(self, intent: str) -> _EncodedIntent:
        canonical, slots = canonicalize_intent(intent)
        words = tuple(tokenize_intent(canonical))
        ids = tuple(_flat(map(self._intent_word, words))[: self.max_intent])
        placeholders = frozenset(w for w in words if PLACEHOLDER_RE.fullmatch(w))
        parts = frozenset(w for w in _word_parts(words) if w not in _STOPWORDS)
        return _EncodedIntent(slots, words, ids, placeholders, parts)

    def encode(self, intent: str, code: str) -> EncodedPair:
        slots, words, intent_ids, placeholders, intent_parts = self._intent(intent)
        code_words = _canonical_words(code, slots)
        code_ids = cut_at_line(_flat(map(self._code_word, code_words)), self.max_code, self._nl)
        code_set = set(code_words)
        slot_cov = (
            sum(p in code_set for p in placeholders) / len(placeholders) if placeholders else 1.0
        )
        code_part_list = _flat(map(_token_parts, code_words))
        code_parts = set(code_part_list)
        shared = intent_parts & code_parts
        doc_words: list[str] = []
        if self.api_docs:
            for name in token_calls(code_words, self.api_docs):
                doc_words.extend(self._doc_words(name))
        lexical = [
            slot_cov,
            len(shared) / len(intent_parts) if intent_parts else 0.0,
            len(shared) / len(code_parts) if code_parts else 0.0,
            math.log1p(len(words)),
            math.log1p(len(code_words)),
            len(intent_parts & set(doc_words)) / len(intent_parts) if intent_parts else 0.0,
        ][: self.n_lexical]
        parts_ids: list[int] = []
        if self.max_parts:
            ordered = dict.fromkeys([*code_part_list, *doc_words])
            parts_ids = _flat(map(self._intent_word, ordered))[: self.max_parts] or [1]
        return EncodedPair(list(intent_ids) or [1], code_ids or [1], lexical, parts_ids)


def _flat(pieces: Iterable[tuple[Any, ...]]) -> list[Any]:
    """The pieces laid end to end (each word's ids, each token's parts): `chain` over a
    `map` of an lru-cached lookup runs in C, where nested comprehensions were the largest
    part of `encode`'s own time."""
    return list(itertools.chain.from_iterable(pieces))


def _word_ids(tok: Any) -> Callable[[str], tuple[int, ...]]:
    """One word's sub-word ids, as `encode_words` gives them, cached per word (`encode_words`
    reads word by word, so the ids are the same). A word that is itself in the vocabulary is
    its own id (WordPiece matches the longest piece first: the whole word; checked for every
    entry of the shipped vocabularies): a new file's words, most of them known, skip the
    tokenizer."""
    wordpiece = type(tok.model).__name__ == "WordPiece"  # `train_subword`'s; others: no lookup
    whole = tok.get_vocab(with_added_tokens=True) if wordpiece else {}

    def ids(word: str) -> tuple[int, ...]:
        found = whole.get(word)
        return (found,) if found is not None else tuple(encode_words(tok, [word]))

    return lru_cache(maxsize=65536)(ids)


def _canonical_words(code: str, slots: SlotMap) -> list[str]:
    """The code's tokens with the intent's values as their placeholders: `tokenize_code` of
    `canonicalize_code` after `observe` (which also catches values the code quotes differently
    from the intent: 'a' vs "a"), without lexing the code twice where that is exact.

    Skipped when no slot's value occurs in the code: every span `canonicalize_code` replaces
    spells its slot's value, so the code stays as it is (most scored pairs are not the
    intent's own code: a suggestion's candidates, a file's wrong blocks). Otherwise the
    placeholders are put into the code's own tokens (`tokenize_replaced`), and only where that
    could differ is the canonical text lexed again.
    """
    if not slots or not any(slot.value in code for slot in slots):
        return tokenize_code(code)
    observed = slots.observe(code)
    words = tokenize_replaced(code, canonical_spans(code, observed))
    return words if words is not None else tokenize_code(canonicalize_code(code, observed))


def cut_at_line(ids: list[int], limit: int, nl_id: int | None) -> list[int]:
    """The first `limit` ids, ending at a line break when one falls in the last third (a long
    block is read as whole lines, not with its last statement cut in two)."""
    if len(ids) <= limit:
        return ids
    if nl_id is not None:
        for end in range(limit, (2 * limit) // 3, -1):
            if ids[end - 1] == nl_id:
                return ids[: end - 1]
    return ids[:limit]


def pad_ids(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Right-pad id lists with 0 (`<pad>`) into one (B, L) int64 array (filled in one step: an
    array per row cost more than the network's first layer)."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    out = np.zeros((len(rows), int(lengths.max())), dtype=np.int64)
    ids = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=lengths.sum())
    out[np.arange(out.shape[1]) < lengths[:, None]] = ids
    return out


def collate_arrays(pairs: Sequence[EncodedPair]) -> tuple[np.ndarray, ...]:
    """Encoded pairs → (intent_ids, code_ids, lexical[, parts_ids]) numpy arrays."""
    out = (
        pad_ids([p.intent_ids for p in pairs]),
        pad_ids([p.code_ids for p in pairs]),
        np.array([p.lexical for p in pairs], dtype=np.float32),
    )
    if pairs and pairs[0].parts_ids:
        out += (pad_ids([p.parts_ids for p in pairs]),)
    return out


def pad_batch(rows: Sequence[Sequence[int]]) -> torch.Tensor:
    """`pad_ids` as a torch tensor (training; imports torch)."""
    import torch

    return torch.from_numpy(pad_ids(rows))


def collate(pairs: Sequence[EncodedPair]) -> tuple[torch.Tensor, ...]:
    """`collate_arrays` as torch tensors (training; imports torch)."""
    import torch

    return tuple(torch.from_numpy(a) for a in collate_arrays(pairs))


def _pair_encoder(cfg: ClassifierConfig, intent_tok: Any, code_tok: Any) -> PairEncoder:
    return PairEncoder(
        intent_tok,
        code_tok,
        cfg.max_intent_len,
        cfg.max_code_len,
        cfg.max_parts if cfg.use_parts else 0,
        cfg.extra.get("api_docs") if cfg.use_docs else None,
        cfg.n_lexical,
    )


def _product_config(config: dict[str, Any]) -> ClassifierConfig:
    cfg = ClassifierConfig.from_dict(config)
    if cfg.kind != "product":
        raise ValueError(f"Matcher serves the product classifier, not {cfg.kind!r}")
    return cfg


class Matcher:
    """Scores (intent, code) pairs with calibrated match probabilities; batched, CPU, no grad."""

    def __init__(
        self,
        config: ClassifierConfig,
        net: MatchClassifier | NumpyMatchClassifier,
        encoder: PairEncoder,
    ):
        self.config = config
        self.net = net if isinstance(net, NumpyMatchClassifier) else net.eval()
        self.encoder = encoder

    @classmethod
    def from_parts(
        cls,
        config: dict[str, Any],
        tensors: dict[str, Any],
        intent_tok: Any,
        code_tok: Any,
    ) -> Matcher:
        """Rebuild the torch network from a config dict and a state dict (torch tensors or
        numpy arrays), for training and for evaluating runs; imports torch."""
        import torch
        from codeqa_model.classifier import MatchClassifier

        cfg = _product_config(config)
        net = MatchClassifier(cfg)
        state = {
            k: torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v
            for k, v in tensors.items()
        }
        missing, unexpected = net.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ValueError(
                f"classifier weights do not fit the config: missing {sorted(missing)}, "
                f"unexpected {sorted(unexpected)}"
            )
        return cls(cfg, net, _pair_encoder(cfg, intent_tok, code_tok))

    @classmethod
    def for_inference(
        cls,
        config: dict[str, Any],
        arrays: dict[str, np.ndarray],
        intent_tok: Any,
        code_tok: Any,
    ) -> Matcher:
        """Rebuild for answering from a bundle's numpy arrays: the numpy network when it runs
        this configuration (the product's CNN; torch is never imported), else `from_parts`."""
        cfg = _product_config(config)
        if not numpy_classifier.supports(cfg):
            return cls.from_parts(config, arrays, intent_tok, code_tok)
        try:
            net = NumpyMatchClassifier(cfg, arrays)
        except ValueError as exc:
            raise ValueError(f"classifier weights do not fit the config: {exc}") from None
        return cls(cfg, net, _pair_encoder(cfg, intent_tok, code_tok))

    def parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(config dict, tensors) — the inverse of `from_parts` (numpy arrays for the numpy
        network, torch tensors otherwise)."""
        if isinstance(self.net, NumpyMatchClassifier):
            return self.config.to_dict(), {k: np.array(v) for k, v in self.net.arrays().items()}
        tensors = {k: v.detach().clone().contiguous() for k, v in self.net.state_dict().items()}
        return self.config.to_dict(), tensors

    def code_embeddings(self) -> np.ndarray:
        """The code encoder's embedding table (vocabulary x dim), for pictures of it."""
        if isinstance(self.net, NumpyMatchClassifier):
            return self.net.code_enc.embed
        return self.net.code_enc.embed.weight.detach().numpy()

    @property
    def threshold(self) -> float:
        """Probability below which a pair is flagged (chosen for `config.false_alarm_rate`)."""
        return self.config.threshold

    def logits(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> np.ndarray:
        """Raw (uncalibrated) network logits."""
        enc = [self.encoder.encode(intent, code) for intent, code in pairs]
        # batch similar lengths together so little time goes into padding; restore order after
        order = sorted(range(len(enc)), key=lambda i: len(enc[i].code_ids))
        out = np.zeros(len(enc), dtype=np.float32)
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        if isinstance(self.net, NumpyMatchClassifier):
            for idx in batches:
                out[idx] = self.net(*collate_arrays([enc[i] for i in idx]))
            return out
        import torch

        with torch.inference_mode():
            for idx in batches:
                out[idx] = self.net(*collate([enc[i] for i in idx])).float().numpy()
        return out

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int = 256) -> np.ndarray:
        """Calibrated probabilities that each code matches its intent, in input order."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        z = self.logits(pairs, batch_size)
        a, b = self.config.platt_a, self.config.platt_b
        return (1.0 / (1.0 + np.exp(-(a * z + b)))).astype(np.float64)

    def explain(self, intent: str, code: str) -> str | None:
        """A short reason why `code` does not do what `intent` says, when the evidence is clear
        (see `codeqa_model.explain`); None otherwise, or when the config carries no API docs."""
        docs = self.config.extra.get("api_docs")
        if not isinstance(docs, dict) or not docs:
            return None
        explainer = Explainer(docs, self.score, self.threshold)
        return explainer.explain(intent, code)
