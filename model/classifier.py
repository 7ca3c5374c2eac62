"""The match classifier networks: does this code do what this intent says?

Two networks, both ending in one logit per (intent, code) pair:

- `BaselineClassifier` reproduces the seed research: a fixed intent vector and a fixed code
  vector (average of frozen pretrained token embeddings, or the generator decoder's h ⊙ c),
  concatenated, dense 100-50-25 with ReLU and dropout 0.5. It scored chance (≈51.5%) there; it
  stays as a row in the results table.
- `MatchClassifier` is the product: trained sub-word embeddings, one encoder per side (a
  residual CNN by default, a bi-GRU as an option) with masked mean+max pooling, the
  interaction features [u, v, |u−v|, u⊙v], a token-alignment score (how well each intent token
  is matched by some code token and vice versa) and a few cheap lexical features computed
  outside the network (`LEXICAL_FEATURES`).
  With `use_parts`, the code's identifiers split into their parts (`getcwd` → get, cwd;
  `user_name` → user, name) are read with the *intent* tokenizer and embeddings, so "current
  working directory" and `getcwd` meet in one word space: an alignment score both ways and the
  product of the two mean vectors join the features. With `use_docs` the first doc sentence
  of each documented API the code calls joins those parts (`os.listdir` brings "list", "names",
  "entries", "directory"), and `doc_overlap` the lexical features.

Calibration (Platt: p = σ(a·logit + b)) and the decision threshold live in `ClassifierConfig`
so that a bundle carries them as plain JSON.
"""

from __future__ import annotations

import torch
from codeqa_model.classifier_config import ENCODER_KINDS, LEXICAL_FEATURES, ClassifierConfig
from codeqa_model.token_ids import PAD as PAD_ID
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = [
    "ENCODER_KINDS",
    "LEXICAL_FEATURES",
    "BaselineClassifier",
    "ClassifierConfig",
    "MatchClassifier",
    "SequenceEncoder",
    "alignment_features",
    "build_classifier",
    "calibrate",
    "masked_max",
    "masked_mean",
    "threshold_for_false_alarms",
]


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of x (B, L, D) over the positions where mask (B, L) is true; 0 for empty rows."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(1) / m.sum(1).clamp(min=1.0)


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Max of x (B, L, D) over unmasked positions; 0 for empty rows."""
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(1)
    return torch.where(torch.isfinite(filled), filled, torch.zeros_like(filled))


class BaselineClassifier(nn.Module):
    """The seed's classifier: [intent vector; code vector] → 100-50-25 ReLU, dropout 0.5 → logit."""

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        if config.intent_dim <= 0 or config.code_dim <= 0:
            raise ValueError("baseline needs intent_dim and code_dim > 0")
        self.config = config
        layers: list[nn.Module] = []
        width = config.intent_dim + config.code_dim
        for size in config.baseline_layers:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(0.5)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, intent_vec: torch.Tensor, code_vec: torch.Tensor) -> torch.Tensor:
        """Logits (B,) from fixed vectors (B, intent_dim) and (B, code_dim)."""
        return self.mlp(torch.cat([intent_vec, code_vec], dim=-1)).squeeze(-1)


class SequenceEncoder(nn.Module):
    """Token ids → per-token states (B, L, 2H) and a pooled vector (B, 4H): mean ‖ max.

    `kind="cnn"` (default): two width-3 convolutions with a residual, receptive field 5 tokens;
    about 10× faster on CPU than `kind="gru"` (a bi-GRU), which the 2,000 pairs/s target needs.
    """

    def __init__(self, vocab: int, emb_dim: int, hidden: int, dropout: float, kind: str) -> None:
        super().__init__()
        if kind not in ENCODER_KINDS:
            raise ValueError(f"encoder must be one of {ENCODER_KINDS}, got {kind!r}")
        self.kind = kind
        self.embed = nn.Embedding(vocab, emb_dim, padding_idx=PAD_ID)
        self.drop = nn.Dropout(dropout)
        if kind == "gru":
            self.rnn = nn.GRU(emb_dim, hidden, batch_first=True, bidirectional=True)
        else:
            self.conv1 = nn.Conv1d(emb_dim, 2 * hidden, kernel_size=3, padding=1)
            self.conv2 = nn.Conv1d(2 * hidden, 2 * hidden, kernel_size=3, padding=1)

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mask = ids != PAD_ID
        if self.kind == "cnn" and not self.training and ids.size(0) > 1:
            states = self._packed_cnn(ids, mask)
            # `masked_mean`/`masked_max` without their masking: the states are zero at the
            # padding and never negative (ReLUs), so plain sums and maxima are the same numbers.
            count = mask.sum(1, keepdim=True).clamp(min=1).to(states.dtype)
            pooled = torch.cat([states.sum(1) / count, states.amax(1)], dim=-1)
            return states, pooled, mask
        emb = self.drop(self.embed(ids))
        if self.kind == "gru":
            lengths = mask.sum(1).clamp(min=1).cpu()
            packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
            out, _ = self.rnn(packed)
            states, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.size(1))
        else:
            keep = mask.unsqueeze(1).to(emb.dtype)  # (B, 1, L): padding must not leak in
            h = torch.relu(self.conv1(emb.transpose(1, 2))) * keep
            h = (h + torch.relu(self.conv2(self.drop(h)))) * keep
            states = h.transpose(1, 2)
        pooled = torch.cat([masked_mean(states, mask), masked_max(states, mask)], dim=-1)
        return states, pooled, mask

    def _packed_cnn(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The CNN's states without convolving padding: every row (up to its last real token)
        end to end with one `<pad>` between rows, convolved as one sequence, then put back
        into the padded (B, L, 2H) layout with zeros at the padding.

        The same arithmetic as the padded path (in eval mode): a token's neighbour past its
        row's end is `<pad>`, whose embedding the padding index keeps at zero, exactly what
        padding or the convolution's own zero padding gives there; the second convolution
        reads masked (zero) states at those positions either way. Scoring pads short intents
        to a batch's longest, so this convolves about half the positions.
        """
        batch, width = ids.shape
        positions = torch.arange(1, width + 1, device=ids.device)
        lengths = (mask * positions).amax(1)  # up to the last real token: inner pads kept
        kept = positions[None, :] <= lengths[:, None]  # (B, L)
        starts = torch.cumsum(lengths + 1, 0) - (lengths + 1)  # each row's offset, packed
        where = (starts[:, None] + positions[None, :] - 1)[kept]  # packed index of each kept id
        flat = ids.new_full((int(lengths.sum()) + batch,), PAD_ID)
        flat[where] = ids[kept]
        keep = (flat != PAD_ID).to(self.embed.weight.dtype)[None, None, :]  # (1, 1, T)
        emb = self.embed(flat).t()[None]  # (1, E, T)
        h = torch.relu(self.conv1(emb)) * keep
        h = (h + torch.relu(self.conv2(h))) * keep
        states = h.new_zeros(batch, width, h.size(1))
        states[kept] = h[0].t()[where]
        return states


def alignment_features(
    a: torch.Tensor, a_mask: torch.Tensor, b: torch.Tensor, b_mask: torch.Tensor
) -> torch.Tensor:
    """How well each token of one side is matched by its best partner on the other: (B, 2).

    Mean over a's tokens of the max cosine similarity with b's tokens, and the same from b.
    """
    an = nn.functional.normalize(a, dim=-1)
    bn = nn.functional.normalize(b, dim=-1)
    sim = torch.bmm(an, bn.transpose(1, 2))  # (B, La, Lb)
    pair_mask = a_mask.unsqueeze(2) & b_mask.unsqueeze(1)
    sim = sim.masked_fill(~pair_mask, -1.0)
    a_best = sim.amax(2)  # (B, La)
    b_best = sim.amax(1)  # (B, Lb)
    a_score = (a_best * a_mask).sum(1) / a_mask.sum(1).clamp(min=1)
    b_score = (b_best * b_mask).sum(1) / b_mask.sum(1).clamp(min=1)
    return torch.stack([a_score, b_score], dim=-1)


class MatchClassifier(nn.Module):
    """Product classifier: two encoders, interaction + alignment + lexical features."""

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        if config.intent_vocab <= 0 or config.code_vocab <= 0:
            raise ValueError("MatchClassifier needs intent_vocab and code_vocab > 0")
        self.config = config
        h = config.hidden
        self.intent_enc = SequenceEncoder(
            config.intent_vocab, config.emb_dim, h, config.dropout, config.encoder
        )
        self.code_enc = SequenceEncoder(
            config.code_vocab, config.emb_dim, h, config.dropout, config.encoder
        )
        n_in = 4 * (4 * h)
        if config.use_alignment:
            n_in += 2
        if config.use_lexical:
            n_in += config.n_lexical
        if config.use_parts:
            n_in += 2 + config.emb_dim
        self.head = nn.Sequential(
            nn.Linear(n_in, 2 * h),
            nn.ReLU(),
            nn.Dropout(config.dropout),
            nn.Linear(2 * h, h),
            nn.ReLU(),
            nn.Linear(h, 1),
        )

    def forward(
        self,
        intent_ids: torch.Tensor,
        code_ids: torch.Tensor,
        lexical: torch.Tensor | None = None,
        parts_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B,) for padded id tensors (B, Li), (B, Lc), lexical features (B, F) and the
        code's identifier parts as intent-vocabulary ids (B, Lp)."""
        i_states, u, i_mask = self.intent_enc(intent_ids)
        c_states, v, c_mask = self.code_enc(code_ids)
        feats = [u, v, (u - v).abs(), u * v]
        if self.config.use_alignment:
            feats.append(alignment_features(i_states, i_mask, c_states, c_mask))
        if self.config.use_lexical:
            if lexical is None:
                raise ValueError("this classifier was built with lexical features: pass them")
            feats.append(lexical)
        if self.config.use_parts:
            if parts_ids is None:
                raise ValueError("this classifier was built with identifier parts: pass them")
            feats.append(self._parts_features(intent_ids, parts_ids))
        return self.head(torch.cat(feats, dim=-1)).squeeze(-1)

    def _parts_features(self, intent_ids: torch.Tensor, parts_ids: torch.Tensor) -> torch.Tensor:
        """Intent words vs code identifier parts, both in the intent embedding space."""
        embed = self.intent_enc.embed
        i_mask, p_mask = intent_ids != PAD_ID, parts_ids != PAD_ID
        i_emb, p_emb = embed(intent_ids), embed(parts_ids)
        align = alignment_features(i_emb, i_mask, p_emb, p_mask)
        return torch.cat([align, masked_mean(i_emb, i_mask) * masked_mean(p_emb, p_mask)], -1)


def build_classifier(config: ClassifierConfig) -> nn.Module:
    """The network `config.kind` names."""
    if config.kind == "product":
        return MatchClassifier(config)
    if config.kind == "baseline":
        return BaselineClassifier(config)
    raise ValueError(f"unknown classifier kind {config.kind!r} (expected product or baseline)")


def calibrate(logits: torch.Tensor, labels: torch.Tensor, steps: int = 200) -> tuple[float, float]:
    """Platt scaling: fit a, b so that σ(a·logit + b) is a calibrated probability (by NLL)."""
    z = logits.detach().double()
    y = labels.detach().double()
    a = torch.ones((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], lr=0.5, max_iter=steps, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(a * z + b, y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.detach()), float(b.detach())


def threshold_for_false_alarms(positive_probs: torch.Tensor, rate: float) -> float:
    """The probability below which `rate` of true matches fall, i.e. would be flagged wrongly."""
    if not 0.0 < rate < 1.0:
        raise ValueError(f"false-alarm rate must be in (0, 1), got {rate}")
    if positive_probs.numel() == 0:
        raise ValueError("need at least one true match to choose a threshold")
    return float(torch.quantile(positive_probs.double(), rate))
