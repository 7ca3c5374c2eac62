"""The product generator network for inference, in numpy: encoder + decoder step, no torch.

`NumpySeq2Seq` serves the shape the product ships (`supports`): a one-layer bidirectional
LSTM encoder, Luong attention, with or without the copy gate. It is built straight from a
bundle's arrays (`codeqa_model.bundle` reads them with safetensors' numpy reader), so loading
and decoding never import torch. Other shapes (the research baseline, several layers) decode
with the torch `Seq2Seq`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from codeqa_model.generator_config import GeneratorConfig
from codeqa_model.numpy_decoder import DecoderWeights, NumpyStep
from codeqa_model.numpy_encoder import EncoderWeights
from codeqa_model.token_ids import PAD, UNK

_TIED_KEY = "out.weight"


def supports(cfg: GeneratorConfig) -> bool:
    """Whether `NumpySeq2Seq` runs this configuration."""
    return cfg.layers == 1 and cfg.bidirectional and cfg.attention == "luong"


class NumpySeq2Seq:
    """A trained generator's weights as numpy arrays, and its decoding steps for one source."""

    def __init__(self, cfg: GeneratorConfig, arrays: Mapping[str, np.ndarray]) -> None:
        if not supports(cfg):
            raise ValueError("the numpy generator runs one-layer bidirectional attention models")
        self.cfg = cfg
        self._arrays = dict(arrays)
        _check_shapes(cfg, self._arrays)
        self.encoder = EncoderWeights.from_arrays(self._arrays)
        self.decoder = DecoderWeights.from_arrays(self._arrays)

    def arrays(self) -> dict[str, np.ndarray]:
        """The weights as read (the state dict's names; a tied output weight stored once)."""
        return dict(self._arrays)

    def stepper(
        self, src: list[int], src_map: list[int] | None, n_ext: int
    ) -> tuple[NumpyStep, tuple[np.ndarray, np.ndarray]]:
        """The source encoded once, and the step function with its initial (one-beam) state."""
        if not src:
            raise ValueError("beam search needs a non-empty source sequence")
        if self.cfg.copy and src_map is None:
            raise ValueError("a copy model needs src_map")
        ids = np.asarray(src, dtype=np.int64)
        enc, keys, h, c = self.encoder.encode(ids)
        pad = ids == PAD
        step = NumpyStep(
            self.decoder,
            enc,
            keys,
            pad if pad.any() else None,
            np.asarray(src_map, dtype=np.int64) if self.cfg.copy and src_map is not None else None,
            n_ext,
            UNK,
        )
        return step, (h, c)


def _check_shapes(cfg: GeneratorConfig, arrays: dict[str, np.ndarray]) -> None:
    """Every weight the configuration needs, in its shape (torch's `load_state_dict` checks
    the same for the torch network); ValueError naming the first that does not fit."""
    hidden, emb, half = cfg.hidden, cfg.emb_dim, cfg.hidden // 2
    expected: dict[str, tuple[int, ...]] = {
        "encoder.embed.weight": (cfg.src_vocab_size, emb),
        "encoder.bridge.weight": (hidden, hidden),
        "encoder.bridge.bias": (hidden,),
        "attention.proj.weight": (hidden, hidden),
        "tgt_embed.weight": (cfg.tgt_vocab_size, emb),
        "decoder.weight_ih_l0": (4 * hidden, emb),
        "decoder.weight_hh_l0": (4 * hidden, hidden),
        "decoder.bias_ih_l0": (4 * hidden,),
        "decoder.bias_hh_l0": (4 * hidden,),
        "combine.weight": (cfg.out_dim, 2 * hidden),
        "combine.bias": (cfg.out_dim,),
        "out.bias": (cfg.tgt_vocab_size,),
    }
    for direction in ("lstm", "lstm_reverse"):
        prefix = f"encoder.{direction}"
        expected[f"{prefix}.weight_ih_l0"] = (4 * half, emb)
        expected[f"{prefix}.weight_hh_l0"] = (4 * half, half)
        expected[f"{prefix}.bias_ih_l0"] = (4 * half,)
        expected[f"{prefix}.bias_hh_l0"] = (4 * half,)
    if cfg.copy:
        expected["gate.weight"] = (1, 2 * hidden + emb)
        expected["gate.bias"] = (1,)
    if not cfg.tie_embeddings or _TIED_KEY in arrays:
        expected[_TIED_KEY] = (cfg.tgt_vocab_size, cfg.out_dim)
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise ValueError(f"missing {missing}, unexpected {unexpected}")
    for name, shape in expected.items():
        if tuple(arrays[name].shape) != shape:
            raise ValueError(f"{name} has shape {tuple(arrays[name].shape)}, expected {shape}")
