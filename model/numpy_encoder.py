"""The product generator's encoder in numpy float32: one source in, attention inputs out.

The server's inference path never imports torch (its import alone is over a second and
~100 MB of memory). This is `codeqa_model.seq2seq.Encoder` for the shape the product ships (a
one-layer bidirectional LSTM with the tanh bridge) plus the attention keys, for one unpadded
source: the backward LSTM reads the source reversed, so both directions see exactly the source
positions, as in the torch encoder. The numbers are torch's up to float rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


def _f32(array: object) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(array, dtype=np.float32))


@dataclass(frozen=True)
class LstmWeights:
    """One direction of a one-layer LSTM, laid out for `rows @ w`; gate order i, f, g, o."""

    w_ih: np.ndarray  # (E, 4h)
    w_hh: np.ndarray  # (h, 4h)
    bias: np.ndarray  # (4h,): both biases

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> LstmWeights:
        return cls(
            w_ih=_f32(np.asarray(arrays[f"{prefix}.weight_ih_l0"]).T),
            w_hh=_f32(np.asarray(arrays[f"{prefix}.weight_hh_l0"]).T),
            bias=_f32(arrays[f"{prefix}.bias_ih_l0"]) + _f32(arrays[f"{prefix}.bias_hh_l0"]),
        )

    def run(self, x: np.ndarray) -> np.ndarray:
        """States (S, h) for inputs x (S, E), from a zero state: the input products for every
        position at once, then the recurrence one position at a time."""
        size = self.w_hh.shape[0]
        inputs = x @ self.w_ih
        inputs += self.bias
        h = np.zeros(size, np.float32)
        c = np.zeros(size, np.float32)
        out = np.empty((len(x), size), np.float32)
        for t, gates_in in enumerate(inputs):
            gates = gates_in + h @ self.w_hh
            i, f, g, o = (
                gates[:size],
                gates[size : 2 * size],
                gates[2 * size : 3 * size],
                gates[3 * size :],
            )
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            out[t] = h
        return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function in one ufunc pass (tanh form: no overflow warnings for large |x|)."""
    return np.tanh(x * 0.5) * 0.5 + 0.5


@dataclass(frozen=True)
class EncoderWeights:
    """The bidirectional encoder, its bridge to the decoder's first state, and the attention
    projection that makes the keys."""

    embed: np.ndarray  # (V, E)
    forward: LstmWeights
    backward: LstmWeights
    bridge_w: np.ndarray  # (H, H) transposed
    bridge_b: np.ndarray  # (H,)
    keys_w: np.ndarray  # (H, H): attention.proj transposed

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> EncoderWeights:
        """From a `Seq2Seq` state dict's arrays (its parameter names)."""
        return cls(
            embed=np.asarray(arrays["encoder.embed.weight"], dtype=np.float32),
            forward=LstmWeights.from_arrays(arrays, "encoder.lstm"),
            backward=LstmWeights.from_arrays(arrays, "encoder.lstm_reverse"),
            bridge_w=_f32(np.asarray(arrays["encoder.bridge.weight"]).T),
            bridge_b=_f32(arrays["encoder.bridge.bias"]),
            keys_w=_f32(np.asarray(arrays["attention.proj.weight"]).T),
        )

    def encode(self, src: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """src (S,) ids -> encoder states (S, H), attention keys (S, H), and the decoder's
        initial state h, c as (1, H) each (c is zero)."""
        x = self.embed[src]
        fwd = self.forward.run(x)
        bwd = self.backward.run(x[::-1])[::-1]
        enc = np.concatenate([fwd, bwd], axis=1)
        summary = np.concatenate([fwd[-1], bwd[0]])  # each direction's end
        h = np.tanh(summary @ self.bridge_w + self.bridge_b)[None]
        return enc, enc @ self.keys_w, h, np.zeros_like(h)
