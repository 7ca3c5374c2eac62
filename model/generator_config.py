"""The generator's sizes and switches (`GeneratorConfig`, named presets), free of torch.

Stored as JSON beside the weights; read by training (`codeqa_model.seq2seq` builds the network
from it) and by the server's numpy inference path, which never imports torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

ATTENTION_KINDS = ("none", "luong")


@dataclass(frozen=True)
class GeneratorConfig:
    """Every size and switch of the generator; stored as JSON beside the weights."""

    preset: str = "product"
    tokenization: str = "subword"  # "subword" or "word" (word-level, capped vocab)
    src_vocab_size: int = 4000
    tgt_vocab_size: int = 4000
    emb_dim: int = 128
    hidden: int = 256
    out_dim: int = 128  # attentional state fed to the vocab projection (its size bounds latency)
    tie_embeddings: bool = True  # output projection shares the target embedding (out_dim == emb)
    layers: int = 1
    bidirectional: bool = True
    attention: str = "luong"
    copy: bool = True
    dropout: float = 0.2
    freeze_embeddings: bool = False
    max_src_len: int = 64
    max_tgt_len: int = 96
    beam_size: int = 5
    length_penalty: float = 1.3  # valid sweep (k=5): 0.6 18.2, 1.0 20.3, 1.3 21.6, 2.0 16.4 top-1
    # beam_search's n-gram rule (0 = off). CoNaLa valid, k=5, BLEU top-1 / best-of-5:
    # off 22.6/27.7, 3 22.6/31.6, 4 23.2/32.0, 5 23.7/32.1, 6 23.5/32.1, 8 23.7/31.9.
    no_repeat_ngram: int = 5

    def __post_init__(self) -> None:
        if self.attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {self.attention!r}")
        if self.copy and self.attention == "none":
            raise ValueError("copy needs attention (the copy distribution is the attention)")
        if self.bidirectional and self.hidden % 2:
            raise ValueError(
                f"a bidirectional encoder needs an even hidden size, got {self.hidden}"
            )
        if self.tie_embeddings and self.out_dim != self.emb_dim:
            raise ValueError(
                f"tied embeddings need out_dim == emb_dim ({self.out_dim} != {self.emb_dim})"
            )
        if self.attention == "none" and self.out_dim != self.hidden:
            raise ValueError(
                "without attention the decoder state is projected directly: out_dim == hidden"
            )
        if self.no_repeat_ngram < 0:
            raise ValueError(f"no_repeat_ngram must be >= 0 (0 = off), got {self.no_repeat_ngram}")
        if self.tokenization not in ("subword", "word"):
            raise ValueError(f"tokenization must be 'subword' or 'word', got {self.tokenization!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeneratorConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown generator config keys: {unknown}")
        return cls(**data)

    @classmethod
    def named(cls, preset: str, **overrides: Any) -> GeneratorConfig:
        """A named preset with overrides; unknown names raise."""
        if preset not in PRESETS:
            raise ValueError(f"unknown generator preset {preset!r}; known: {sorted(PRESETS)}")
        return replace(PRESETS[preset], **overrides)


PRESETS: dict[str, GeneratorConfig] = {
    # The seed research: word-level vocab <= 5000, 100-unit LSTM (tanh), frozen pretrained
    # embeddings, intents padded to 35 tokens and code to 50, greedy decoding.
    "baseline": GeneratorConfig(
        preset="baseline",
        tokenization="word",
        src_vocab_size=5000,
        tgt_vocab_size=5000,
        emb_dim=100,
        hidden=100,
        out_dim=100,
        tie_embeddings=False,
        bidirectional=False,
        attention="none",
        copy=False,
        dropout=0.0,
        freeze_embeddings=True,
        max_src_len=35,
        max_tgt_len=50,
        beam_size=1,
        length_penalty=0.0,
        no_repeat_ngram=0,
    ),
    "product": GeneratorConfig(),
}
