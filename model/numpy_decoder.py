"""The product decoder's per-step arithmetic in numpy float32, for beam search at inference.

Why: a beam step multiplies a handful of rows by the decoder's weights. On this project's
CPUs torch's MKL kernels take a slow path for such small products (and each torch op costs a
few microseconds of dispatch), while numpy's OpenBLAS kernels are about twice as fast; a
suggestion is ~17 steps, so the step dominates completion latency. And the server never
imports torch (its import alone is over a second and ~100 MB). Training and every other model
shape keep torch (`Seq2Seq.step`); this covers the one-layer Luong-attention decoder, with or
without the copy gate. The numbers are torch's up to float rounding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from codeqa_model.numpy_encoder import gate_order, halved, lstm_cell

BLOCK = 256
"""Columns per block of a step's weights (`column_blocks`)."""

Blocks = tuple[np.ndarray, ...]
"""A weight matrix as contiguous blocks of at most `BLOCK` columns, left to right."""


def column_blocks(weight: np.ndarray) -> Blocks:
    """`weight` (float32) cut into contiguous column blocks for `_times`.

    Why: a beam's product is a few rows by a wide weight, and OpenBLAS's kernel for so few rows
    is slow across thousands of columns; block by block it is about twice as fast (measured
    with one thread, 8 rows: 128 x 4,000 output weight 0.35 → 0.16 ms, 256 x 1,024 recurrent
    weight 0.15 → 0.08 ms; 1 row about the same). Each block is a product of its own, with the
    same sums, so the numbers do not change."""
    weight = np.asarray(weight, dtype=np.float32)
    return tuple(
        np.ascontiguousarray(weight[:, at : at + BLOCK]) for at in range(0, weight.shape[1], BLOCK)
    )


@dataclass(frozen=True)
class DecoderWeights:
    """float32 copies of a one-layer attention decoder's weights, laid out for `rows @ w`
    (`from_arrays` says how they are arranged). `gate_in` is None for a model without the
    copy gate."""

    embed: np.ndarray  # (V, E): the target embedding table itself (a view, not a copy)
    input_gates: np.ndarray  # (V, 4H): each id's LSTM input product plus both biases
    hh_w: Blocks  # (H, 4H): W_hh transposed
    gate_in: np.ndarray | None  # (V,): each target id's embedding times the gate's weights / 2
    combine_w: Blocks  # (2H, O + 1 with the copy gate): the gate's weights / 2 last
    combine_b: np.ndarray  # (O,)
    head_b: np.ndarray  # (O + 1 with the copy gate,): combine_b, then the gate's bias / 2
    out_w: Blocks  # (O, V)
    out_b: np.ndarray  # (V,)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> DecoderWeights:
        """The arrays of a `Seq2Seq` state dict (its parameter names), arranged so that a step
        needs few products, with torch's values up to rounding:

        - the LSTM's input product depends on the previous token alone, so it is a per-id
          table with both biases added (V x 4H floats: 16 MB for the shipped sizes); a step
          multiplies only the recurrent weights;
        - the gates are in `gate_order` (i, f, o, g) and the i, f, o columns halved (exact in
          binary floating point), so one tanh over all four gates gives the three sigmoids as
          σ(x) = tanh(x / 2) / 2 + 1/2 (`lstm_cell`);
        - the copy gate's weights on [h, context] are one more column of `combine`'s product,
          and its product with the step's input embedding a per-id table (V numbers); both
          halved like the LSTM's sigmoid gates, with its bias.
        A tied output projection may be absent (`out.weight` is then the target embedding).
        """
        embed = _view(arrays["tgt_embed.weight"])  # shared, not copied
        hidden = arrays["decoder.weight_hh_l0"].shape[1]
        half = halved(4 * hidden)
        bias = _view(arrays["decoder.bias_ih_l0"]) + _view(arrays["decoder.bias_hh_l0"])
        input_gates = gate_order(embed @ _view(arrays["decoder.weight_ih_l0"]).T + bias)
        input_gates *= half
        out_w = arrays.get("out.weight", arrays["tgt_embed.weight"])
        combine_w = _view(arrays["combine.weight"]).T
        combine_b = _view(arrays["combine.bias"])
        gate_w = _view(arrays["gate.weight"])[0] * 0.5 if "gate.weight" in arrays else None
        head_b = combine_b
        if gate_w is not None:
            combine_w = np.concatenate([combine_w, gate_w[: 2 * hidden, None]], axis=1)
            head_b = np.append(combine_b, _view(arrays["gate.bias"])[:1] * 0.5)
        return cls(
            embed=embed,
            input_gates=np.ascontiguousarray(input_gates, dtype=np.float32),
            hh_w=column_blocks(gate_order(_view(arrays["decoder.weight_hh_l0"]).T) * half),
            gate_in=embed @ gate_w[2 * hidden :] if gate_w is not None else None,
            combine_w=column_blocks(combine_w),
            combine_b=combine_b,
            head_b=np.asarray(head_b, dtype=np.float32),
            out_w=column_blocks(_view(out_w).T),
            out_b=_view(arrays["out.bias"]),
        )


def _view(array: Any) -> np.ndarray:
    """A float32 numpy array of `array` (a view when it already is one)."""
    return np.asarray(array, dtype=np.float32)


def decoder_weights(model: Any) -> DecoderWeights:
    """A torch `Seq2Seq`'s `DecoderWeights`, made once per model and kept on it until a weight
    changes (training updates weights in place and bumps their version), so it goes with the
    model. Reads the tensors as numpy views: torch is the caller's, never imported here."""
    key = tuple((id(p), p._version) for p in model.parameters())
    kept = model.__dict__.get("_numpy_decoder")
    if kept is None or kept[0] != key:
        arrays = {name: t.detach().numpy() for name, t in model.state_dict().items()}
        kept = (key, DecoderWeights.from_arrays(arrays))
        model.__dict__["_numpy_decoder"] = kept
    return kept[1]


def _times(rows: np.ndarray, blocks: Blocks) -> np.ndarray:
    """rows @ the weight `blocks` holds, block by block into one (N, columns) array."""
    out = np.empty((len(rows), sum(b.shape[1] for b in blocks)), np.float32)
    at = 0
    for block in blocks:
        np.matmul(rows, block, out=out[:, at : at + block.shape[1]])
        at += block.shape[1]
    return out


def _softmax_rows(x: np.ndarray) -> np.ndarray:
    """Row softmax, in place on `x` (a fresh array the caller does not reuse)."""
    x -= x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=1, keepdims=True)
    return x


class NumpyStep:
    """Decoding steps for one source, beams as rows, state (h, c) as (N, H) arrays.

    The copy distribution is added with one product: attention weights times a (S, U) one-hot
    of the U distinct target ids the source positions copy to, instead of a scatter per step.
    """

    def __init__(
        self,
        weights: DecoderWeights,
        enc: np.ndarray,
        keys: np.ndarray,
        pad_at: np.ndarray | None,
        src_map: np.ndarray | None,
        n_ext: int,
        unk: int,
    ) -> None:
        """enc/keys (S, H) for the source; pad_at (S,) True where the source holds <pad>
        (None: nowhere); src_map (S,) the target id each position copies to."""
        self.w = weights
        self.enc = enc
        self.keys_t = np.ascontiguousarray(keys.T)  # (H, S)
        self.pad_at = pad_at
        self.vocab = weights.embed.shape[0]
        self.width = self.vocab + n_ext
        self.unk = unk
        self.hidden = enc.shape[1]
        self.copy_ids: np.ndarray | None = None
        if weights.gate_in is not None:
            assert src_map is not None
            self.copy_ids, where = np.unique(src_map, return_inverse=True)
            self.copy_onehot = np.zeros((len(src_map), len(self.copy_ids)), np.float32)
            self.copy_onehot[np.arange(len(src_map)), where] = 1.0

    def _cell(
        self, prev: np.ndarray, h: np.ndarray, c: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One LSTM step (`DecoderWeights.from_arrays`: the input table, the gate order and
        halving)."""
        gates = _times(h, self.w.hh_w)
        gates += self.w.input_gates[prev]
        return lstm_cell(gates, c, self.hidden)

    def __call__(
        self, prev: np.ndarray, state: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """prev (N,) ids -> (N, V + n_ext) probabilities (a copy model) or log-probabilities
        (no copy gate), and the next state."""
        # Extended (copied) ids read the <unk> embedding, as in `Seq2Seq._embed_target`.
        if self.width > self.vocab:
            prev = np.where(prev >= self.vocab, self.unk, prev)
        h, c = self._cell(prev, *state)
        scores = h @ self.keys_t  # (N, S)
        if self.pad_at is not None:
            scores[:, self.pad_at] = -np.inf
        weights = _softmax_rows(scores)
        head = _times(np.concatenate([h, weights @ self.enc], axis=1), self.w.combine_w)
        head += self.w.head_b  # combine's outputs, then (a copy model) the gate's input
        size = len(self.w.combine_b)
        logits = _times(np.tanh(head[:, :size]), self.w.out_w)
        logits += self.w.out_b
        if self.copy_ids is None:
            logits -= logits.max(axis=1, keepdims=True)
            logits -= np.log(np.exp(logits).sum(axis=1, keepdims=True))
            return logits, (h, c)
        assert self.w.gate_in is not None
        gate = head[:, size] + self.w.gate_in[prev]  # half the gate's input (`from_arrays`)
        gate = np.tanh(gate, out=gate)[:, None]
        gate *= 0.5
        gate += 0.5  # σ(x) = tanh(x / 2) / 2 + 1/2
        probs = np.empty((len(prev), self.width), np.float32)
        probs[:, self.vocab :] = 0.0
        vocab_part = probs[:, : self.vocab]
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=vocab_part)
        np.exp(vocab_part, out=vocab_part)
        vocab_part *= gate / vocab_part.sum(axis=1, keepdims=True)
        probs[:, self.copy_ids] += (weights * (1.0 - gate)) @ self.copy_onehot
        return probs, (h, c)

    def top(
        self,
        prev: list[int],
        state: tuple[np.ndarray, np.ndarray],
        live_scores: list[float],
        n: int,
        banned: tuple[list[int], list[int]],
    ) -> tuple[list[float], list[int], int, tuple[np.ndarray, np.ndarray]]:
        """One step and the beam's `n` best extensions: (scores, flat indices row * width +
        token, width, next state); banned (row, token) pairs never win.

        A copy model's scores are probabilities, and log(p + 1e-12) keeps their order within a
        row. Only the entries that can be among the n best are put in log space: those scoring
        at least the n-th best extension of the row with the best live score (n entries do),
        found with a threshold per row in probability space, a little lowered against rounding
        (the exact scores of the few it lets in decide). The beam's few numbers (live scores,
        thresholds) are worked out in Python: a numpy call per number costs more than it."""
        out, state = self(np.asarray(prev, dtype=np.int64), state)
        rows, cols = banned
        width = out.shape[1]
        if self.copy_ids is None:  # log-probabilities
            if cols:
                out[rows, cols] = -np.inf
            cand = (out + np.asarray(live_scores, dtype=np.float32)[:, None]).ravel()
            return (*_best(cand, n), width, state)
        if cols:
            out[rows, cols] = -1.0  # below every threshold: never a candidate
        lead = live_scores.index(max(live_scores))  # the first best, as np.argmax
        kth = width - min(n, width)
        nth = float(np.partition(out[lead], kth)[kth])
        if nth > 0.0:
            bound = math.log(nth + 1e-12) + live_scores[lead]
            # (exp(bound - live) - 1e-12) * (1 - 1e-4); a hopeless row's is inf: no candidates
            floor = [
                (math.exp(bound - s) - 1e-12) * (1.0 - 1e-4) if bound - s < 700.0 else math.inf
                for s in live_scores
            ]
            with np.errstate(over="ignore"):
                floor32 = np.array(floor, dtype=np.float32)
            flat = np.flatnonzero(out >= floor32[:, None])
        else:  # the leading row has fewer than n allowed tokens: every entry is a candidate
            flat = np.flatnonzero(out >= 0.0)
        # Candidates are never negative (banned entries, -1, fall below every threshold).
        logp = np.log(out.ravel()[flat] + np.float32(1e-12))
        logp += np.asarray(live_scores, dtype=np.float32)[flat // width]
        scores, pos = _best(logp, n)
        return scores, flat[pos].tolist(), width, state

    @staticmethod
    def keep(
        state: tuple[np.ndarray, np.ndarray], rows: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The state of the beams that go on, in their new order."""
        return state[0][rows], state[1][rows]


def _best(cand: np.ndarray, n: int) -> tuple[list[float], list[int]]:
    """The n largest entries of a flat float32 array, best first: (values, positions)."""
    n = min(n, cand.size)
    pos = np.argpartition(cand, cand.size - n)[cand.size - n :]
    pos = pos[np.argsort(-cand[pos], kind="stable")]
    return cand[pos].tolist(), pos.tolist()
