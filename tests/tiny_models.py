"""Tiny real models for bundle / inference / export tests, trained in a second or two.

A few dozen full-batch steps of the real `Seq2Seq` and `MatchClassifier` on the 24 training
pairs of `tests/fixtures/inference/data`, with sub-word tokenizers trained on the same rows.
The models are weak but real: same code paths, same tensors and configs the bundle stores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from codeqa_model.bundle import save_bundle
from codeqa_model.classifier import ClassifierConfig, MatchClassifier
from codeqa_model.code_tokens import tokenize_code
from codeqa_model.generator import Generator, encode_pair
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.matcher import Matcher, PairEncoder, collate
from codeqa_model.seq2seq import BOS, EOS, PAD, GeneratorConfig, Seq2Seq
from codeqa_model.slots import canonicalize_pair
from codeqa_model.subword import train_subword
from codeqa_train.data.curated import read_curated
from tokenizers import Tokenizer

DATA = Path(__file__).parent / "fixtures" / "inference" / "data"


@dataclass(frozen=True)
class TinyParts:
    """What `fit-generator` and `fit-classifier` leave in their `final/` dirs."""

    gen_config: dict[str, Any]
    gen_tensors: dict[str, torch.Tensor]
    cls_config: dict[str, Any]
    cls_tensors: dict[str, torch.Tensor]
    intent_tok: Tokenizer
    code_tok: Tokenizer


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return read_curated(path, {})


def _pad(rows: list[list[int]], value: int = PAD) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], dtype=torch.long)


def _adam(
    module: torch.nn.Module, loss_fn: Callable[[], torch.Tensor], steps: int, lr: float = 1e-2
) -> None:
    """Plain full-batch Adam. Not torch.optim: its first use imports torch._dynamo (3-5 s)."""
    params = [p for p in module.parameters() if p.requires_grad]
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        module.zero_grad()
        loss_fn().backward()
        with torch.no_grad():
            for p, m_i, v_i in zip(params, m, v, strict=True):
                m_i.mul_(0.9).add_(p.grad, alpha=0.1)
                v_i.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                denom = (v_i / (1 - 0.999**t)).sqrt_().add_(1e-8)
                p.addcdiv_(m_i, denom, value=-lr / (1 - 0.9**t))
    module.eval()


@lru_cache(maxsize=4)  # one training per session and settings; callers must not mutate parts
def train_tiny(steps: int = 40, seed: int = 0) -> TinyParts:
    # one thread: the same model whatever else the machine runs (under load, runs of this
    # session met beams and scores that the same tests alone never gave)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_tiny(steps, seed)
    finally:
        torch.set_num_threads(threads)


def _train_tiny(steps: int, seed: int) -> TinyParts:
    torch.manual_seed(seed)
    gen_rows = read_jsonl(DATA / "generator" / "train.jsonl")
    canon = [canonicalize_pair(r["intent"], r["snippet"]) for r in gen_rows]
    intent_tok = train_subword([tokenize_intent(i) for i, _c, _s in canon], 400, min_frequency=1)
    code_tok = train_subword([tokenize_code(c) for _i, c, _s in canon], 400, min_frequency=1)

    cfg = GeneratorConfig(
        src_vocab_size=intent_tok.get_vocab_size(),
        tgt_vocab_size=code_tok.get_vocab_size(),
        emb_dim=16,
        hidden=32,
        out_dim=16,
        dropout=0.0,
        max_src_len=24,
        max_tgt_len=24,
        beam_size=3,
    )
    seq2seq = Seq2Seq(cfg)
    encoded = [encode_pair(r["intent"], r["snippet"], intent_tok, code_tok, cfg) for r in gen_rows]
    src = _pad([s.ids for s, _t, _n in encoded])
    src_len = torch.tensor([len(s.ids) for s, _t, _n in encoded])
    src_map = _pad([s.copy_map for s, _t, _n in encoded], value=0)
    tgt_in = _pad([[BOS, *t] for _s, t, _n in encoded])
    tgt_out = _pad([[*t, EOS] for _s, t, _n in encoded])
    _adam(seq2seq, lambda: seq2seq(src, src_len, tgt_in, tgt_out, src_map), steps)
    gen_config, gen_tensors = Generator(cfg, seq2seq, intent_tok, code_tok).parts()

    cls_rows = read_jsonl(DATA / "classifier" / "train.jsonl")
    ccfg = ClassifierConfig(
        intent_vocab=intent_tok.get_vocab_size(),
        code_vocab=code_tok.get_vocab_size(),
        emb_dim=8,
        hidden=8,
        dropout=0.0,
        threshold=0.4,
    )
    net = MatchClassifier(ccfg)
    encoder = PairEncoder(intent_tok, code_tok, ccfg.max_intent_len, ccfg.max_code_len)
    batch = collate([encoder.encode(r["intent"], r["snippet"]) for r in cls_rows])
    labels = torch.tensor([float(r["label"]) for r in cls_rows])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    _adam(net, lambda: bce(net(*batch), labels), steps // 2)
    cls_config, cls_tensors = Matcher(ccfg, net, encoder).parts()
    return TinyParts(gen_config, gen_tensors, cls_config, cls_tensors, intent_tok, code_tok)


def engine_config(parts: TinyParts, rerank_weight: float = 0.5) -> dict[str, Any]:
    return {
        "generator": parts.gen_config,
        "matcher": parts.cls_config,
        "engine": {"rerank_weight": rerank_weight},
    }


def save_tiny_bundle(
    parts: TinyParts,
    out: Path,
    config: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """A real bundle of the tiny models (config defaults to `engine_config(parts)`)."""
    return save_bundle(
        out,
        config=engine_config(parts) if config is None else config,
        generator_tensors=parts.gen_tensors,
        matcher_tensors=parts.cls_tensors,
        intent_tokenizer=parts.intent_tok,
        code_tokenizer=parts.code_tok,
        model_card="# tiny\n",
        metrics=metrics,
        extra_files=extra_files,
    )


def fit_tiny_runs(root: Path) -> tuple[Path, Path]:
    """Real one-epoch `fit-generator` and `fit-classifier` runs (tiny sizes) on the fixture."""
    from codeqa_train.cli import main as codeqa_train

    gen, cls = root / "gen", root / "cls"
    common = ["--data", str(DATA), "--epochs", "1", "--threads", "1", "--no-progress"]
    rc = codeqa_train(
        ["fit-generator", *common, "--run-dir", str(gen), "--src-vocab", "300",
         "--tgt-vocab", "300", "--emb-dim", "16", "--hidden", "32", "--out-dim", "16",
         "--max-src-len", "24", "--max-tgt-len", "24", "--beam-size", "2"]
    )  # fmt: skip
    if rc != 0:
        raise RuntimeError(f"fit-generator exited {rc}")
    rc = codeqa_train(
        ["fit-classifier", *common, "--run-dir", str(cls), "--tokenizers", str(gen),
         "--kinds", "random", "--emb-dim", "8", "--hidden", "8", "--batch-size", "16"]
    )  # fmt: skip
    if rc != 0:
        raise RuntimeError(f"fit-classifier exited {rc}")
    return gen, cls
