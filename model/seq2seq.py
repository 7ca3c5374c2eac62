"""The generator network: an LSTM encoder–decoder, from the research baseline to the product.

One module reads top to bottom: `GeneratorConfig` (named presets `baseline` and `product`),
`Encoder`, `Attention`, `Seq2Seq` (teacher-forced loss + one decoding step), then
`beam_search` (k = 1 is greedy decoding). The copy mechanism is a pointer-generator: a target
may be produced from the code vocabulary or copied from a source position. `src_map` says which
target id each source position copies to; ids >= `tgt_vocab_size` are an *extended* vocabulary
for source tokens the code vocabulary lacks (assigned per example by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import torch
from codeqa_model import subword
from codeqa_model.numpy_decoder import NumpyStep, decoder_weights
from codeqa_model.subword import SPECIAL_TOKENS
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# Ids of the special tokens: their positions in the tokenizers' SPECIAL_TOKENS, defined there.
PAD, UNK, BOS, EOS = (
    SPECIAL_TOKENS.index(t) for t in (subword.PAD, subword.UNK, subword.BOS, subword.EOS)
)

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


class Encoder(nn.Module):
    """Embeds source ids and runs an LSTM; returns per-position states and a decoder init.

    The bidirectional encoder is two unidirectional LSTMs, the second fed each sequence
    reversed within its own length. Padding then trails in both directions, so the fused
    (unpacked) LSTM kernel gives exact states at real positions — about twice as fast on CPU
    as a packed sequence. The decoder starts from a tanh bridge over both directions' last
    hidden states. The unidirectional (baseline) encoder is packed and hands over its (h, c).
    """

    def __init__(self, cfg: GeneratorConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(cfg.src_vocab_size, cfg.emb_dim, padding_idx=PAD)
        self.bidirectional = cfg.bidirectional
        per_direction = cfg.hidden // 2 if cfg.bidirectional else cfg.hidden
        dropout = cfg.dropout if cfg.layers > 1 else 0.0

        def lstm() -> nn.LSTM:
            return nn.LSTM(
                cfg.emb_dim, per_direction, num_layers=cfg.layers, batch_first=True, dropout=dropout
            )

        self.lstm = lstm()
        if cfg.bidirectional:
            self.lstm_reverse = lstm()
            self.bridge = nn.Linear(cfg.hidden, cfg.hidden)
        self.layers = cfg.layers
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, src: Tensor, src_len: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        x = self.drop(self.embed(src))
        if not self.bidirectional:
            packed = pack_padded_sequence(x, src_len.cpu(), batch_first=True, enforce_sorted=False)
            out, state = self.lstm(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))
            return out, state
        positions = torch.arange(src.size(1), device=src.device)
        last = (src_len - 1).clamp(min=0).to(src.device)
        # Index that reverses each row within its length (padding positions map to themselves).
        rev = torch.where(positions < src_len[:, None], last[:, None] - positions, positions)
        gather = rev.unsqueeze(-1).expand(-1, -1, x.size(-1))
        fwd, _ = self.lstm(x)
        bwd_rev, _ = self.lstm_reverse(x.gather(1, gather))
        bwd = bwd_rev.gather(1, rev.unsqueeze(-1).expand(-1, -1, bwd_rev.size(-1)))
        out = torch.cat([fwd, bwd], dim=-1)
        rows = torch.arange(src.size(0), device=src.device)
        summary = torch.cat([fwd[rows, last], bwd[rows, 0]], dim=-1)  # each direction's end
        h = torch.tanh(self.bridge(summary)).unsqueeze(0).repeat(self.layers, 1, 1)
        return out, (h, torch.zeros_like(h))


class Attention(nn.Module):
    """Luong "general" attention: score(d, e) = d·W·e, masked softmax over source positions."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.proj = nn.Linear(hidden, hidden, bias=False)

    def keys(self, enc: Tensor) -> Tensor:
        """W·e for every source position; computed once per source, reused every step."""
        return self.proj(enc)

    def forward(
        self, dec: Tensor, enc: Tensor, keys: Tensor, src_mask: Tensor
    ) -> tuple[Tensor, Tensor]:
        """dec (B,T,H), enc/keys (B,S,H), src_mask (B,S) True at real tokens -> context, weights."""
        scores = torch.bmm(dec, keys.transpose(1, 2))  # (B,T,S)
        scores = scores.masked_fill(~src_mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, enc), weights


class Seq2Seq(nn.Module):
    """Encoder–decoder. Without attention the decoder sees only the encoder's final state."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab_size, cfg.emb_dim, padding_idx=PAD)
        self.decoder = nn.LSTM(
            cfg.emb_dim,
            cfg.hidden,
            num_layers=cfg.layers,
            batch_first=True,
            dropout=cfg.dropout if cfg.layers > 1 else 0.0,
        )
        self.drop = nn.Dropout(cfg.dropout)
        if cfg.attention != "none":
            self.attention = Attention(cfg.hidden)
            self.combine = nn.Linear(2 * cfg.hidden, cfg.out_dim)
        if cfg.copy:
            self.gate = nn.Linear(2 * cfg.hidden + cfg.emb_dim, 1)
        self.out = nn.Linear(cfg.out_dim, cfg.tgt_vocab_size)
        if cfg.tie_embeddings:
            self.out.weight = self.tgt_embed.weight
        if cfg.freeze_embeddings:
            self.encoder.embed.weight.requires_grad_(False)
            self.tgt_embed.weight.requires_grad_(False)

    # -- shared by training and decoding -------------------------------------------------------

    def encode(
        self, src: Tensor, src_len: Tensor
    ) -> tuple[Tensor, Tensor | None, tuple[Tensor, Tensor]]:
        """Source -> encoder states, attention keys (None without attention), decoder init."""
        enc, state = self.encoder(src, src_len)
        keys = self.attention.keys(enc) if self.cfg.attention != "none" else None
        return enc, keys, state

    def _embed_target(self, ids: Tensor) -> Tensor:
        """Target embeddings; extended (copied) ids are not in the table and read as <unk>."""
        emb = self.tgt_embed(ids.clamp(max=self.cfg.tgt_vocab_size - 1))
        copied = (ids >= self.cfg.tgt_vocab_size).unsqueeze(-1)
        return self.drop(torch.where(copied, self.tgt_embed.weight[UNK].expand_as(emb), emb))

    def _head(
        self, dec: Tensor, emb: Tensor, enc: Tensor, keys: Tensor | None, src_mask: Tensor
    ) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """Decoder states (B,T,H) -> vocab logits, copy gate (B,T), attention weights (B,T,S)."""
        gate = weights = None
        if self.cfg.attention == "none":
            return self.out(self.drop(dec)), gate, weights
        assert keys is not None
        context, weights = self.attention(dec, enc, keys, src_mask)
        hidden = self.drop(torch.tanh(self.combine(torch.cat([dec, context], dim=-1))))
        if self.cfg.copy:
            gate = torch.sigmoid(self.gate(torch.cat([dec, context, emb], dim=-1))).squeeze(-1)
        return self.out(hidden), gate, weights

    def _cell(
        self, emb: Tensor, state: tuple[Tensor, Tensor]
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """One decoder step for (N,E) inputs; single-layer uses the cheaper fused cell kernel."""
        if self.cfg.layers == 1:
            d = self.decoder
            h, c = torch.lstm_cell(
                emb,
                (state[0][0], state[1][0]),
                d.weight_ih_l0,
                d.weight_hh_l0,
                d.bias_ih_l0,
                d.bias_hh_l0,
            )
            return h, (h[None], c[None])
        out, state = self.decoder(emb[:, None], state)
        return out[:, 0], state

    # -- training ------------------------------------------------------------------------------

    def forward(
        self,
        src: Tensor,
        src_len: Tensor,
        tgt_in: Tensor,
        tgt_out: Tensor,
        src_map: Tensor | None = None,
    ) -> Tensor:
        """Mean per-token negative log-likelihood of tgt_out (padding ignored).

        src (B,S) source ids; tgt_in/tgt_out (B,T) decoder input (<s> y) and target (y </s>)
        in the extended vocabulary; src_map (B,S) extended target id of each source position.
        """
        enc, keys, state = self.encode(src, src_len)
        src_mask = src != PAD
        emb = self._embed_target(tgt_in)
        dec, _ = self.decoder(emb, state)
        logits, gate, weights = self._head(dec, emb, enc, keys, src_mask)
        mask = tgt_out != PAD
        if gate is None:
            target = tgt_out.clamp(max=self.cfg.tgt_vocab_size - 1)
            nll = nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none")
            return (nll * mask).sum() / mask.sum().clamp(min=1)
        if src_map is None:
            raise ValueError("a copy model needs src_map")
        # p(y) = g * p_vocab(y) + (1 - g) * sum of attention on source positions that copy to y.
        in_vocab = tgt_out < self.cfg.tgt_vocab_size
        log_p_vocab = torch.log_softmax(logits, dim=-1)
        lp_vocab = log_p_vocab.gather(-1, tgt_out.clamp(max=self.cfg.tgt_vocab_size - 1)[..., None])
        p_vocab = lp_vocab.squeeze(-1).exp() * in_vocab
        hits = src_map.unsqueeze(1) == tgt_out.unsqueeze(-1)  # (B,T,S)
        p_copy = (weights * hits).sum(-1)
        p = gate * p_vocab + (1 - gate) * p_copy
        nll = -torch.log(p + 1e-9)
        return (nll * mask).sum() / mask.sum().clamp(min=1)

    # -- decoding ------------------------------------------------------------------------------

    def step(
        self,
        prev: Tensor,
        state: tuple[Tensor, Tensor],
        enc: Tensor,
        keys: Tensor | None,
        src_mask: Tensor,
        src_map: Tensor | None,
        n_ext: int,
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """One decoding step for N hypotheses: prev (N,) -> log-probs (N, V + n_ext), state."""
        emb = self._embed_target(prev)
        dec, state = self._cell(emb, state)
        logits, gate, weights = self._head(dec[:, None], emb[:, None], enc, keys, src_mask)
        logits = logits[:, 0]
        if gate is None:
            return torch.log_softmax(logits, dim=-1), state
        assert weights is not None and src_map is not None
        p_vocab = torch.softmax(logits, dim=-1) * gate
        probs = torch.cat([p_vocab, p_vocab.new_zeros(p_vocab.size(0), n_ext)], dim=-1)
        probs.scatter_add_(1, src_map, weights[:, 0] * (1 - gate))
        return torch.log(probs + 1e-12), state


@dataclass(frozen=True)
class Hypothesis:
    """A finished (or length-capped) beam entry: target ids without <s>/</s>."""

    ids: tuple[int, ...]
    logprob: float
    score: float  # logprob after length normalisation; beams are ranked by it


def _normalise(logprob: float, length: int, alpha: float) -> float:
    """GNMT length penalty ((5 + len) / 6) ** alpha; alpha = 0 ranks by raw log-probability."""
    return logprob / (((5.0 + length) / 6.0) ** alpha)


def banned_tokens(ids: Sequence[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram of `ids` a second time (n <= 0: none).

    The n-gram rule against degenerate loops like `f(f(f(f(…`: the last n - 1 ids are the
    prefix; every id that followed the same prefix earlier in `ids` is banned next.
    """
    if n <= 0 or len(ids) < n:
        return []
    ids = list(ids)
    prefix = ids[len(ids) - n + 1 :]
    return [ids[i + n - 1] for i in range(len(ids) - n + 1) if ids[i : i + n - 1] == prefix]


class _TorchStep:
    """Decoding steps for one source with the batched `Seq2Seq.step`, beams as rows: models
    with several layers or without attention (the product shape takes `NumpyStep`)."""

    def __init__(
        self,
        model: Seq2Seq,
        enc: Tensor,
        keys: Tensor | None,
        src_mask: Tensor,
        src_map: Tensor | None,
        n_ext: int,
    ) -> None:
        self.model = model
        self.enc, self.keys, self.src_mask = enc, keys, src_mask
        self.src_map, self.n_ext = src_map, n_ext

    def __call__(
        self, prev: Tensor, state: tuple[Tensor, Tensor]
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """prev (N,) -> (N, V + n_ext) log-probabilities, next state ((layers, N, H) each)."""
        n = prev.size(0)
        return self.model.step(
            prev,
            state,
            self.enc.expand(n, -1, -1),
            self.keys.expand(n, -1, -1) if self.keys is not None else None,
            self.src_mask.expand(n, -1),
            self.src_map.expand(n, -1) if self.src_map is not None else None,
            self.n_ext,
        )

    def top(
        self,
        prev: list[int],
        state: tuple[Tensor, Tensor],
        live_scores: list[float],
        n: int,
        banned: tuple[list[int], list[int]],
    ) -> tuple[list[float], list[int], int, tuple[Tensor, Tensor]]:
        """One step and the beam's `n` best extensions: (scores, flat indices row * width +
        token, width, next state). Banned (row, token) pairs score -inf."""
        out, state = self(torch.tensor(prev), state)
        rows, cols = banned
        if cols:
            out[rows, cols] = float("-inf")
        cand = out.add_(torch.tensor(live_scores)[:, None]).view(-1)
        top_scores, top_idx = cand.topk(min(n, cand.numel()))
        return top_scores.tolist(), top_idx.tolist(), out.size(1), state

    @staticmethod
    def keep(state: tuple[Tensor, Tensor], rows: list[int]) -> tuple[Tensor, Tensor]:
        """The state of the beams that go on, in their new order."""
        index = torch.tensor(rows)
        return state[0][:, index], state[1][:, index]


def _stepper(
    model: Seq2Seq, src: list[int], src_map: list[int] | None, n_ext: int
) -> tuple[NumpyStep | _TorchStep, tuple[Any, Any]]:
    """The source encoded once, and the step function with its initial (one-beam) state.

    One-layer attention decoders (the product) step in numpy (`codeqa_model.numpy_decoder`
    says why); other shapes step with `Seq2Seq.step`."""
    if model.cfg.copy and src_map is None:
        raise ValueError("a copy model needs src_map")
    src_t = torch.tensor([src], dtype=torch.long)
    enc, keys, (h, c) = model.encode(src_t, torch.tensor([len(src)]))
    if model.cfg.layers == 1 and keys is not None:
        pad = np.asarray(src) == PAD
        step = NumpyStep(
            decoder_weights(model),
            enc[0].numpy(),
            keys[0].numpy(),
            pad if pad.any() else None,
            np.asarray(src_map, dtype=np.int64) if src_map is not None else None,
            n_ext,
            UNK,
        )
        return step, (h[0].numpy(), c[0].numpy())
    map_t = torch.tensor([src_map], dtype=torch.long) if src_map is not None else None
    return _TorchStep(model, enc, keys, src_t != PAD, map_t, n_ext), (h, c)


@torch.inference_mode()
def beam_search(
    model: Seq2Seq,
    src: list[int],
    src_map: list[int] | None = None,
    n_ext: int = 0,
    k: int = 5,
    max_len: int = 96,
    length_penalty: float = 1.0,
    no_repeat_ngram: int = 0,
) -> list[Hypothesis]:
    """Beam search for one source sequence; returns up to k hypotheses, best first.

    The beam is one (k, …) tensor batch and the encoder runs once. k = 1 is greedy decoding.
    `no_repeat_ngram` = n > 0 forbids any token that would repeat an n-gram of target ids
    already in its hypothesis (`banned_tokens`); 0 turns the rule off.
    """
    if not src:
        raise ValueError("beam_search needs a non-empty source sequence")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    step, state = _stepper(model, src, src_map, n_ext)
    live_ids: list[list[int]] = [[]]
    live_scores = [0.0]
    prev = [BOS]
    finished: list[Hypothesis] = []
    n_cand = 2 * k
    for t in range(max_len):
        ban_rows: list[int] = []
        ban_cols: list[int] = []
        if no_repeat_ngram > 0 and len(live_ids[0]) >= no_repeat_ngram:
            for row, ids in enumerate(live_ids):
                banned = banned_tokens(ids, no_repeat_ngram)
                ban_rows += [row] * len(banned)
                ban_cols += banned
        top_scores, top_idx, width, state = step.top(
            prev, state, live_scores, n_cand, (ban_rows, ban_cols)
        )
        keep_rows: list[int] = []
        next_ids: list[list[int]] = []
        next_tok: list[int] = []
        next_scores: list[float] = []
        for score, idx in zip(top_scores, top_idx, strict=True):
            if score == float("-inf"):
                break
            row, tok = divmod(idx, width)
            if tok == EOS:
                ids = live_ids[row]
                finished.append(
                    Hypothesis(tuple(ids), score, _normalise(score, len(ids) + 1, length_penalty))
                )
            elif tok != PAD:
                keep_rows.append(row)
                next_ids.append([*live_ids[row], tok])
                next_tok.append(tok)
                next_scores.append(score)
            if len(next_ids) == k:
                break
        if not next_ids:
            break
        if len(finished) >= k:
            # Stop once the best live beam, normalised at its current length, cannot beat the
            # k-th best finished one. Stopping at the first k finished favours short answers.
            kth = sorted((f.score for f in finished), reverse=True)[k - 1]
            if _normalise(max(next_scores), len(next_ids[0]), length_penalty) <= kth:
                break
        if keep_rows != list(range(len(live_ids))):
            state = step.keep(state, keep_rows)
        live_ids, prev, live_scores = next_ids, next_tok, next_scores
        if t == max_len - 1:  # length cap: keep the live beams as (unterminated) answers
            finished.extend(
                Hypothesis(tuple(ids), s, _normalise(s, len(ids), length_penalty))
                for ids, s in zip(live_ids, next_scores, strict=True)
            )
    finished.sort(key=lambda hyp: hyp.score, reverse=True)
    return finished[:k]


def count_parameters(model: nn.Module) -> dict[str, int]:
    """Trainable and total parameter counts (for logs and the model card)."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable}
