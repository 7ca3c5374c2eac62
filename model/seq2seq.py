"""The generator network: an LSTM encoder–decoder, from the research baseline to the product.

One module reads top to bottom: `GeneratorConfig` (named presets `baseline` and `product`),
`Encoder`, `Attention`, `Seq2Seq` (teacher-forced loss + one decoding step), then
`beam_search` (k = 1 is greedy decoding). The copy mechanism is a pointer-generator: a target
may be produced from the code vocabulary or copied from a source position. `src_map` says which
target id each source position copies to; ids >= `tgt_vocab_size` are an *extended* vocabulary
for source tokens the code vocabulary lacks (assigned per example by the caller).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from codeqa_model.beam import Hypothesis, banned_tokens, search
from codeqa_model.generator_config import ATTENTION_KINDS, PRESETS, GeneratorConfig
from codeqa_model.numpy_decoder import NumpyStep, decoder_weights
from codeqa_model.token_ids import BOS, EOS, PAD, UNK
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = [
    "ATTENTION_KINDS",
    "BOS",
    "EOS",
    "PAD",
    "PRESETS",
    "UNK",
    "Attention",
    "Encoder",
    "GeneratorConfig",
    "Hypothesis",
    "Seq2Seq",
    "banned_tokens",
    "beam_search",
    "count_parameters",
]


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
    """Beam search for one source sequence with a torch model; up to k hypotheses, best first.

    The encoder runs once; the search itself is `codeqa_model.beam.search` (k = 1 is greedy
    decoding; `no_repeat_ngram` = n > 0 forbids repeating an n-gram of target ids, 0: off).
    """
    if not src:
        raise ValueError("beam_search needs a non-empty source sequence")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    step, state = _stepper(model, src, src_map, n_ext)
    return search(step, state, k, max_len, length_penalty, no_repeat_ngram)


def count_parameters(model: nn.Module) -> dict[str, int]:
    """Trainable and total parameter counts (for logs and the model card)."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable}
