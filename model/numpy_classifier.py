"""The product match classifier's forward pass in numpy float32, for scoring at inference.

The server never imports torch (its import alone is over a second and ~100 MB of memory). This
is `codeqa_model.classifier.MatchClassifier` in eval mode for the encoder the product ships
(`supports`: the residual CNN), with alignment, lexical and identifier-parts features as the
configuration says. The numbers are torch's up to float rounding.

Both convolutions are one matrix product each on the batch's rows laid end to end (as the
torch network's `_packed_cnn`), and the first one needs none: each id's products with the
three kernel columns are a per-id table (vocabulary x 3 x 2H floats, 4.6 MB per side for the
shipped sizes), so a row's first layer is a gather and two shifted adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from codeqa_model.classifier_config import ClassifierConfig
from codeqa_model.token_ids import PAD

# Rows per pass through the network (`NumpyMatchClassifier.__call__` says why).
CHUNK_ROWS = 64


def supports(config: ClassifierConfig) -> bool:
    """Whether `NumpyMatchClassifier` runs this configuration."""
    return config.kind == "product" and config.encoder == "cnn"


def _f32(array: object) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(array, dtype=np.float32))


def _kernel_columns(weight: np.ndarray) -> np.ndarray:
    """A width-3 Conv1d weight (C_out, C_in, 3) as (C_in, 3 * C_out): x @ it gives, side by
    side, the products with the kernel's left, middle and right columns."""
    return _f32(np.concatenate([weight[:, :, k].T for k in range(3)], axis=1))


def _convolve(products: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A width-3, padding-1 convolution from `_kernel_columns` products (T, 3C): position t
    takes the left column's product of t - 1, the middle's of t, the right's of t + 1."""
    size = len(bias)
    out = products[:, size : 2 * size] + bias
    out[1:] += products[:-1, :size]
    out[:-1] += products[1:, 2 * size :]
    return out


@dataclass(frozen=True)
class CnnEncoder:
    """One side's `SequenceEncoder` (kind "cnn") in eval mode."""

    embed: np.ndarray  # (V, E)
    table: np.ndarray  # (V, 3C): each id's products with conv1's three kernel columns
    bias1: np.ndarray  # (C,)
    kernel2: np.ndarray  # (C, 3C)
    bias2: np.ndarray  # (C,)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> CnnEncoder:
        embed = _f32(arrays[f"{prefix}.embed.weight"])
        return cls(
            embed=embed,
            table=_f32(embed @ _kernel_columns(np.asarray(arrays[f"{prefix}.conv1.weight"]))),
            bias1=_f32(arrays[f"{prefix}.conv1.bias"]),
            kernel2=_kernel_columns(np.asarray(arrays[f"{prefix}.conv2.weight"])),
            bias2=_f32(arrays[f"{prefix}.conv2.bias"]),
        )

    def __call__(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ids (B, L) -> per-token states scaled to unit length (B, L, 2H; zero at `<pad>`),
        pooled mean ‖ max of the states (B, 4H), mask (B, L).

        Rows up to their last real token, end to end with one `<pad>` after each, convolved
        as one sequence; states are zero at every `<pad>` (as in the torch network), so the
        pooled mean and max need no masking (states are never negative: ReLUs), and each
        padded position reads its row's trailing `<pad>`. Unit length is all the alignment
        features use of the states."""
        batch, width = ids.shape
        mask = ids != PAD
        positions = np.arange(width)
        lengths = (mask * (positions + 1)).max(axis=1)  # up to the last real token
        starts = np.cumsum(lengths + 1) - (lengths + 1)
        # each padded position's place in the packed sequence: a real one, or its row's end
        place = starts[:, None] + np.minimum(positions[None, :], lengths[:, None])
        flat = np.full(int(lengths.sum()) + batch, PAD, dtype=np.int64)
        flat[place] = ids
        pads = np.flatnonzero(flat == PAD)  # zeroed, not masked by a product: a row each
        h = _relu(_convolve(self.table[flat], self.bias1))
        h[pads] = 0.0
        h += _relu(_convolve(h @ self.kernel2, self.bias2))
        h[pads] = 0.0
        count = np.maximum(mask.sum(axis=1, keepdims=True), 1).astype(np.float32)
        pooled = np.concatenate(
            [np.add.reduceat(h, starts, axis=0) / count, np.maximum.reduceat(h, starts, axis=0)],
            axis=1,
        )
        return _normalized(h)[place], pooled, mask


def _relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0) in place (x is a fresh array: no second one of its size to allocate)."""
    return np.maximum(x, 0.0, out=x)


def _normalized(x: np.ndarray) -> np.ndarray:
    """Rows over the last axis scaled to unit length (torch's `normalize`, eps 1e-12)."""
    norm = np.sqrt(np.einsum("...d,...d->...", x, x))
    return x / np.maximum(norm, 1e-12)[..., None]


def alignment_features(
    a: np.ndarray, a_mask: np.ndarray, b: np.ndarray, b_mask: np.ndarray
) -> np.ndarray:
    """(B, 2): mean over a's tokens of the best cosine similarity with b's, and from b; a and b
    already scaled to unit length. A masked token never wins: its similarities are put below
    -1 (torch's network puts them at -1, below or at every cosine: the same maxima)."""
    sim = a @ b.transpose(0, 2, 1)  # (B, La, Lb)
    a_best = (sim + _below(b_mask)[:, None, :]).max(axis=2)
    b_best = (sim + _below(a_mask)[:, :, None]).max(axis=1)
    a_count = np.maximum(a_mask.sum(axis=1), 1).astype(np.float32)
    b_count = np.maximum(b_mask.sum(axis=1), 1).astype(np.float32)
    return np.stack([(a_best * a_mask).sum(1) / a_count, (b_best * b_mask).sum(1) / b_count], 1)


def _below(mask: np.ndarray) -> np.ndarray:
    """0 where mask is true, -4 elsewhere (float32)."""
    return np.where(mask, np.float32(0.0), np.float32(-4.0))


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[:, :, None].astype(x.dtype)
    return (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)


class NumpyMatchClassifier:
    """`MatchClassifier` (CNN encoders) in eval mode: logits for padded id arrays."""

    def __init__(self, config: ClassifierConfig, arrays: Mapping[str, np.ndarray]) -> None:
        if not supports(config):
            raise ValueError("the numpy classifier runs the product classifier with CNN encoders")
        self.config = config
        self._arrays = dict(arrays)
        _check_shapes(config, self._arrays)
        self.intent_enc = CnnEncoder.from_arrays(self._arrays, "intent_enc")
        self.code_enc = CnnEncoder.from_arrays(self._arrays, "code_enc")
        self.head = [
            (
                _f32(np.asarray(self._arrays[f"head.{i}.weight"]).T),
                _f32(self._arrays[f"head.{i}.bias"]),
            )
            for i in (0, 3, 5)
        ]

    def arrays(self) -> dict[str, np.ndarray]:
        """The weights as read (the torch network's state-dict names)."""
        return dict(self._arrays)

    def __call__(
        self,
        intent_ids: np.ndarray,
        code_ids: np.ndarray,
        lexical: np.ndarray | None = None,
        parts_ids: np.ndarray | None = None,
    ) -> np.ndarray:
        """Logits (B,) for padded ids (B, Li), (B, Lc), lexical features (B, F) and the code's
        identifier parts as intent-vocabulary ids (B, Lp), as `MatchClassifier.forward`.

        Rows go through the network `CHUNK_ROWS` at a time, each chunk without the padding
        columns none of its rows reaches (a row's logit does not depend on the other rows or
        on padding): a chunk's arrays (~2 MB for 64 rows of code) stay in the core's cache,
        where a 256-row batch's (~9 MB) do not, and the network took 0.78x the time per pair."""
        if len(intent_ids) > CHUNK_ROWS:
            inputs = (intent_ids, code_ids, lexical, parts_ids)
            return np.concatenate(
                [
                    self(*(None if a is None else a[i : i + CHUNK_ROWS] for a in inputs))
                    for i in range(0, len(intent_ids), CHUNK_ROWS)
                ]
            )
        intent_ids, code_ids = _trimmed(intent_ids), _trimmed(code_ids)
        parts_ids = None if parts_ids is None else _trimmed(parts_ids)
        i_states, u, i_mask = self.intent_enc(intent_ids)
        c_states, v, c_mask = self.code_enc(code_ids)
        feats = [u, v, np.abs(u - v), u * v]
        if self.config.use_alignment:
            feats.append(alignment_features(i_states, i_mask, c_states, c_mask))
        if self.config.use_lexical:
            if lexical is None:
                raise ValueError("this classifier was built with lexical features: pass them")
            feats.append(np.asarray(lexical, dtype=np.float32))
        if self.config.use_parts:
            if parts_ids is None:
                raise ValueError("this classifier was built with identifier parts: pass them")
            feats.append(self._parts_features(intent_ids, parts_ids))
        x = np.concatenate(feats, axis=1)
        (w0, b0), (w1, b1), (w2, b2) = self.head
        x = _relu(x @ w0 + b0)
        x = _relu(x @ w1 + b1)
        return (x @ w2 + b2)[:, 0]

    def _parts_features(self, intent_ids: np.ndarray, parts_ids: np.ndarray) -> np.ndarray:
        """Intent words vs code identifier parts, both in the intent embedding space."""
        embed = self.intent_enc.embed
        i_mask, p_mask = intent_ids != PAD, parts_ids != PAD
        i_emb, p_emb = embed[intent_ids], embed[parts_ids]
        align = alignment_features(_normalized(i_emb), i_mask, _normalized(p_emb), p_mask)
        mean = _masked_mean(i_emb, i_mask) * _masked_mean(p_emb, p_mask)
        return np.concatenate([align, mean], axis=1)


def _trimmed(ids: np.ndarray) -> np.ndarray:
    """ids without the trailing columns that are `<pad>` in every row (at least one column)."""
    used = np.flatnonzero((ids != PAD).any(axis=0))
    width = int(used[-1]) + 1 if len(used) else 1
    return ids if width == ids.shape[1] else ids[:, :width]


def _check_shapes(config: ClassifierConfig, arrays: dict[str, np.ndarray]) -> None:
    """Every weight the configuration needs, in its shape (as torch's `load_state_dict`
    checks for the torch network); ValueError naming what does not fit."""
    h, emb = config.hidden, config.emb_dim
    n_in = 4 * (4 * h)
    n_in += 2 if config.use_alignment else 0
    n_in += config.n_lexical if config.use_lexical else 0
    n_in += 2 + emb if config.use_parts else 0
    expected: dict[str, tuple[int, ...]] = {
        "head.0.weight": (2 * h, n_in),
        "head.0.bias": (2 * h,),
        "head.3.weight": (h, 2 * h),
        "head.3.bias": (h,),
        "head.5.weight": (1, h),
        "head.5.bias": (1,),
    }
    for side, vocab in (("intent_enc", config.intent_vocab), ("code_enc", config.code_vocab)):
        expected[f"{side}.embed.weight"] = (vocab, emb)
        expected[f"{side}.conv1.weight"] = (2 * h, emb, 3)
        expected[f"{side}.conv1.bias"] = (2 * h,)
        expected[f"{side}.conv2.weight"] = (2 * h, 2 * h, 3)
        expected[f"{side}.conv2.bias"] = (2 * h,)
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise ValueError(f"missing {missing}, unexpected {unexpected}")
    for name, shape in expected.items():
        if tuple(arrays[name].shape) != shape:
            raise ValueError(f"{name} has shape {tuple(arrays[name].shape)}, expected {shape}")
