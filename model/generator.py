"""The runtime generator: intent text in, ranked Python candidates out.

Owns the one preprocessing path that training and inference share (`encode_source`,
`encode_target`): canonicalize slots → word tokens → sub-word ids, plus the copy map from
source positions to code-vocabulary ids. Decoding runs the reverse: ids → pieces (copied
pieces included) → words → `detokenize_code` → `restore_code`. Built from plain parts (config
dict + tensors + two tokenizers) so a bundle holds it without pickle. No gensim, no `train`.
The network is the torch `Seq2Seq` (training, evaluation of runs) or, for inference on a
bundle's arrays, the torch-free `NumpySeq2Seq` (`for_inference`); torch is imported only for
the former.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from codeqa_model import numpy_seq2seq
from codeqa_model.beam import search
from codeqa_model.code_tokens import detokenize_code, tokenize_code
from codeqa_model.generator_config import GeneratorConfig
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.numpy_seq2seq import NumpySeq2Seq
from codeqa_model.pyast import parse_quietly
from codeqa_model.quotes import plain_quotes
from codeqa_model.slots import (
    PLACEHOLDER_RE,
    SlotMap,
    canonicalize_intent,
    canonicalize_pair,
    restore_code,
    unquote_name_receivers,
)
from codeqa_model.subword import encode_words, pieces_to_words
from codeqa_model.token_ids import EOS
from tokenizers import Tokenizer

if TYPE_CHECKING:
    from codeqa_model.seq2seq import Seq2Seq

_TIED_KEY = "out.weight"


@dataclass(frozen=True)
class Candidate:
    """One suggestion: runnable-looking code, its model log-probability, slot value spans.

    `score` is the length-normalised log-probability the beam ranked by; reranking starts from
    it, since raw log-probabilities favour short code.
    """

    code: str
    logprob: float
    slot_spans: tuple[tuple[int, int], ...]
    score: float


@dataclass(frozen=True)
class Source:
    """An encoded intent: sub-word ids, the copy map, and the slots to restore."""

    ids: list[int]
    copy_map: list[int]  # per source position: code-vocab id, or V + j for the j-th extra piece
    extra: list[str]  # pieces copied from the intent that the code vocabulary lacks
    slots: SlotMap


def encode_source(
    intent: str,
    intent_tok: Tokenizer,
    code_tok: Tokenizer,
    max_len: int,
    slots: SlotMap | None = None,
) -> Source:
    """Intent → canonical words → ids (truncated to max_len) and the copy map.

    `slots` is passed by training (from `canonicalize_pair`, which has seen the snippet); at
    inference it comes from the intent alone. The canonical intent text is the same either way.
    """
    canon, intent_slots = canonicalize_intent(intent)
    ids = encode_words(intent_tok, tokenize_intent(canon))[:max_len] or [
        intent_tok.token_to_id("<unk>")
    ]
    vocab = code_tok.get_vocab_size()
    extra: list[str] = []
    copy_map: list[int] = []
    for i in ids:
        piece = intent_tok.id_to_token(i)
        code_id = code_tok.token_to_id(piece)
        if code_id is None:
            if piece not in extra:
                extra.append(piece)
            code_id = vocab + extra.index(piece)
        copy_map.append(code_id)
    return Source(ids, copy_map, extra, slots if slots is not None else intent_slots)


def encode_target(canonical_code: str, code_tok: Tokenizer, max_len: int) -> list[int]:
    """Canonical code → code-vocab ids (no <s>/</s>), truncated to max_len."""
    return encode_words(code_tok, tokenize_code(canonical_code))[:max_len]


def encode_pair(
    intent: str, snippet: str, intent_tok: Tokenizer, code_tok: Tokenizer, cfg: GeneratorConfig
) -> tuple[Source, list[int], int]:
    """A training pair → (source, target ids, untruncated target length)."""
    _canon_intent, canon_code, slots = canonicalize_pair(intent, snippet)
    src = encode_source(intent, intent_tok, code_tok, cfg.max_src_len, slots)
    full = encode_words(code_tok, tokenize_code(canon_code))
    return src, full[: cfg.max_tgt_len], len(full)


def restore_with_spans(code: str, slots: SlotMap) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`restore_code`, also returning the character spans of the restored slot values."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    length = 0
    for match in PLACEHOLDER_RE.finditer(code):
        slot = slots.get(match.group())
        if slot is None:
            continue
        before = code[last : match.start()]
        value = slot.render()
        pieces += [before, value]
        length += len(before)
        spans.append((length, length + len(value)))
        length += len(value)
        last = match.end()
    pieces.append(code[last:])
    restored = "".join(pieces)
    if restored != restore_code(code, slots):  # one rule for restoring, kept in model.slots
        raise AssertionError(f"slot span bookkeeping disagrees with restore_code on {code!r}")
    return restored, tuple(spans)


@lru_cache(maxsize=1024)
def parses(code: str) -> bool:
    """Whether `code` is valid Python (model output may warn, e.g. on `1if`: silenced).

    Remembered: the generator, `rank` and evaluation ask it about the same candidates; the
    tree is the shared one (`pyast.parse_quietly`) the repairs and checks then read."""
    return parse_quietly(code) is not None


def _check_tokenizers(cfg: GeneratorConfig, intent_tok: Tokenizer, code_tok: Tokenizer) -> None:
    """The tokenizers must be the ones the weights were trained with (sizes are the cheap check)."""
    for side, tok, size in (
        ("intent", intent_tok, cfg.src_vocab_size),
        ("code", code_tok, cfg.tgt_vocab_size),
    ):
        if tok.get_vocab_size() != size:
            raise ValueError(
                f"{side} tokenizer has {tok.get_vocab_size()} ids, the generator config {size}"
            )


class Generator:
    """A trained seq2seq model with its two tokenizers; `generate` is the one thing it does."""

    def __init__(
        self,
        cfg: GeneratorConfig,
        model: Seq2Seq | NumpySeq2Seq,
        intent_tok: Tokenizer,
        code_tok: Tokenizer,
    ) -> None:
        _check_tokenizers(cfg, intent_tok, code_tok)
        self.cfg = cfg
        self.model = model if isinstance(model, NumpySeq2Seq) else model.eval()
        self.intent_tok = intent_tok
        self.code_tok = code_tok
        self._specials = {t.content for t in code_tok.get_added_tokens_decoder().values()}

    @classmethod
    def from_parts(
        cls,
        config: Mapping[str, Any],
        tensors: Mapping[str, Any],
        intent_tok: Tokenizer,
        code_tok: Tokenizer,
    ) -> Generator:
        """Rebuild the torch network from `parts()` output (torch tensors or numpy arrays), for
        training and for evaluating runs; imports torch."""
        import torch
        from codeqa_model.seq2seq import Seq2Seq

        cfg = GeneratorConfig.from_dict(dict(config))
        _check_tokenizers(cfg, intent_tok, code_tok)
        model = Seq2Seq(cfg)
        state = {
            k: torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v
            for k, v in tensors.items()
        }
        if cfg.tie_embeddings and "tgt_embed.weight" in state:
            state.setdefault(_TIED_KEY, state["tgt_embed.weight"])
        try:
            missing, unexpected = model.load_state_dict(state, strict=False)
        except RuntimeError as exc:
            raise ValueError(f"generator weights do not fit the config: {exc}") from exc
        if missing or unexpected:
            raise ValueError(
                f"generator weights do not fit the config: missing {missing}, "
                f"unexpected {unexpected}"
            )
        return cls(cfg, model, intent_tok, code_tok)

    @classmethod
    def for_inference(
        cls,
        config: Mapping[str, Any],
        arrays: Mapping[str, np.ndarray],
        intent_tok: Tokenizer,
        code_tok: Tokenizer,
    ) -> Generator:
        """Rebuild for answering from a bundle's numpy arrays: the numpy network when it runs
        this configuration (the product's; torch is never imported), else `from_parts`."""
        cfg = GeneratorConfig.from_dict(dict(config))
        if not numpy_seq2seq.supports(cfg):
            return cls.from_parts(config, arrays, intent_tok, code_tok)
        _check_tokenizers(cfg, intent_tok, code_tok)
        return cls(cfg, NumpySeq2Seq(cfg, arrays), intent_tok, code_tok)

    def parts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(config dict, tensors): tied weights stored once, contiguous copies for safetensors
        (numpy arrays for the numpy network, torch tensors otherwise)."""
        if isinstance(self.model, NumpySeq2Seq):
            arrays = self.model.arrays()
            if self.cfg.tie_embeddings:
                arrays.pop(_TIED_KEY, None)
            return self.cfg.to_dict(), {k: np.array(v) for k, v in arrays.items()}
        state = self.model.state_dict()
        if self.cfg.tie_embeddings:
            state.pop(_TIED_KEY, None)
        return self.cfg.to_dict(), {k: v.detach().contiguous().clone() for k, v in state.items()}

    def _beam(self, src: Source, k: int, max_len: int) -> list[Any]:
        """The beam's hypotheses for an encoded source (`codeqa_model.beam.search`)."""
        copy_map = src.copy_map if self.cfg.copy else None
        knobs = (k, max_len, self.cfg.length_penalty, self.cfg.no_repeat_ngram)
        if isinstance(self.model, NumpySeq2Seq):
            step, state = self.model.stepper(src.ids, copy_map, len(src.extra))
            return search(step, state, *knobs)
        from codeqa_model.seq2seq import beam_search

        return beam_search(self.model, src.ids, copy_map, len(src.extra), *knobs)

    def _decode(self, ids: tuple[int, ...], src: Source) -> str:
        vocab = self.cfg.tgt_vocab_size
        pieces = [
            src.extra[i - vocab] if i >= vocab else (self.code_tok.id_to_token(i) or "<unk>")
            for i in ids
            if i != EOS
        ]
        return detokenize_code(pieces_to_words(pieces, self._specials))

    def generate(self, intent: str, k: int = 5, max_len: int | None = None) -> list[Candidate]:
        """Up to k distinct candidates, best first; those that fail `ast.parse` come last."""
        if not intent.strip():
            raise ValueError("generate() needs a non-empty intent")
        src = encode_source(intent, self.intent_tok, self.code_tok, self.cfg.max_src_len)
        hyps = self._beam(src, k, max_len or self.cfg.max_tgt_len)
        seen: set[str] = set()
        ranked: list[tuple[bool, int, Candidate]] = []
        for rank, hyp in enumerate(hyps):
            decoded = plain_quotes(
                unquote_name_receivers(self._decode(hyp.ids, src), src.slots.get)
            )
            code, spans = restore_with_spans(decoded, src.slots)
            if not code.strip() or code in seen:
                continue
            seen.add(code)
            ranked.append((not parses(code), rank, Candidate(code, hyp.logprob, spans, hyp.score)))
        ranked.sort(key=lambda item: item[:2])
        return [cand for _bad, _rank, cand in ranked]
