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


def gate_order(weight: np.ndarray) -> np.ndarray:
    """A weight's (or bias's) last axis from torch's gate order (i, f, g, o) to (i, f, o, g):
    the three sigmoid gates side by side, so `lstm_cell` scales them in one slice."""
    i, f, g, o = np.split(np.asarray(weight), 4, axis=-1)
    return np.concatenate([i, f, o, g], axis=-1)


def halved(width: int) -> np.ndarray:
    """Column scales in `gate_order` that halve the i, f and o gates (exact in binary floating
    point), so one tanh over all four gates gives the sigmoids as σ(x) = tanh(x / 2) / 2 + 1/2."""
    half = np.full(width, 0.5, np.float32)
    half[3 * (width // 4) :] = 1.0  # g stays: tanh(g)
    return half


@dataclass(frozen=True)
class BiLstm:
    """Both directions' weights side by side, in `gate_order` and halved (`halved`), for `run`."""

    w_ih: np.ndarray  # (E, 2 * 4h): forward's columns, then backward's
    bias: np.ndarray  # (2, 4h)
    w_hh: np.ndarray  # (2, h, 4h)

    @classmethod
    def of(cls, forward: LstmWeights, backward: LstmWeights) -> BiLstm:
        half = halved(forward.w_hh.shape[1])
        fw, bw = (
            (gate_order(d.w_ih) * half, gate_order(d.bias) * half, gate_order(d.w_hh) * half)
            for d in (forward, backward)
        )
        return cls(
            w_ih=_f32(np.concatenate([fw[0], bw[0]], axis=1)),
            bias=_f32(np.stack([fw[1], bw[1]])),
            w_hh=_f32(np.stack([fw[2], bw[2]])),
        )

    def run(self, x: np.ndarray) -> np.ndarray:
        """States (S, 2h) for inputs x (S, E) from zero states: the forward LSTM over x, the
        backward one over x reversed (its states put back in source order). Both directions
        step together, one product per position for the two; the input products for every
        position at once."""
        size = self.w_hh.shape[1]
        inputs = (x @ self.w_ih).reshape(len(x), 2, 4 * size).transpose(1, 0, 2) + self.bias[
            :, None
        ]
        inputs[1] = inputs[1][::-1].copy()
        h = np.zeros((2, 1, size), np.float32)
        c = np.zeros((2, size), np.float32)
        out = np.empty((2, len(x), size), np.float32)
        for t in range(len(x)):
            gates = np.matmul(h, self.w_hh)[:, 0]
            gates += inputs[:, t]
            new_h, c = lstm_cell(gates, c, size)
            h = new_h[:, None]
            out[:, t] = new_h
        return np.concatenate([out[0], out[1][::-1]], axis=1)


@dataclass(frozen=True)
class EncoderWeights:
    """The bidirectional encoder, its bridge to the decoder's first state, and the attention
    projection that makes the keys."""

    embed: np.ndarray  # (V, E)
    lstm: BiLstm
    bridge_w: np.ndarray  # (H, H) transposed
    bridge_b: np.ndarray  # (H,)
    keys_w: np.ndarray  # (H, H): attention.proj transposed

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> EncoderWeights:
        """From a `Seq2Seq` state dict's arrays (its parameter names)."""
        return cls(
            embed=np.asarray(arrays["encoder.embed.weight"], dtype=np.float32),
            lstm=BiLstm.of(
                LstmWeights.from_arrays(arrays, "encoder.lstm"),
                LstmWeights.from_arrays(arrays, "encoder.lstm_reverse"),
            ),
            bridge_w=_f32(np.asarray(arrays["encoder.bridge.weight"]).T),
            bridge_b=_f32(arrays["encoder.bridge.bias"]),
            keys_w=_f32(np.asarray(arrays["attention.proj.weight"]).T),
        )

    def encode(self, src: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """src (S,) ids -> encoder states (S, H), attention keys (S, H), and the decoder's
        initial state h, c as (1, H) each (c is zero)."""
        enc = self.lstm.run(self.embed[src])
        summary = np.concatenate([enc[-1, : enc.shape[1] // 2], enc[0, enc.shape[1] // 2 :]])
        h = np.tanh(summary @ self.bridge_w + self.bridge_b)[None]
        return enc, enc @ self.keys_w, h, np.zeros_like(h)


def lstm_cell(gates: np.ndarray, c: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) after one LSTM step from pre-activations in `gate_order` (i, f, o, g), with the
    sigmoid gates' weights halved at load (`halved`): sigmoid(x) = 0.5 * tanh(x / 2) + 0.5, so
    one tanh over all four gates and one scaling of the three sigmoid gates side by side.
    `gates` is overwritten."""
    np.tanh(gates, out=gates)
    sig = gates[:, : 3 * size]
    sig *= 0.5
    sig += 0.5
    c = gates[:, size : 2 * size] * c
    c += gates[:, :size] * gates[:, 3 * size :]
    return gates[:, 2 * size : 3 * size] * np.tanh(c), c
