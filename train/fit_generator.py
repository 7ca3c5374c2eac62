"""`codeqa-train fit-generator`: train the seq2seq generator (baseline or product preset).

Reads `DATA/generator/{train,valid}.jsonl`, trains the two tokenizers (or reuses a run's),
encodes pairs exactly as `model.generator` does at inference, and hands the rest to
`train.loop.fit`. Validation is on the CoNaLa rows of the valid split: loss every epoch and,
with `--select-by valid_bleu`, greedy CoNaLa BLEU. Writes the run directory laid out in
`train.runs` (final model with its tokenizers and `summary.json`). Runs under `torchrun`
unchanged.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from codeqa_model.code_tokens import tokenize_code
from codeqa_model.generator import Generator, encode_pair
from codeqa_model.intent_tokens import tokenize_intent
from codeqa_model.seq2seq import BOS, EOS, PAD, GeneratorConfig, Seq2Seq, count_parameters
from codeqa_model.slots import canonicalize_pair
from codeqa_model.subword import SPECIAL_TOKENS, train_subword
from codeqa_train import loop, runs
from codeqa_train.data.curated import curated_dir, read_curated
from tokenizers import Tokenizer, models, pre_tokenizers
from torch import nn


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=Path("out/data"), help="curated data dir")
    parser.add_argument("--run-dir", type=Path, default=None, help="default runs/generator-PRESET")
    parser.add_argument("--preset", choices=["baseline", "product"], default="product")
    parser.add_argument("--tokenizers", type=Path, default=None, help="reuse RUN_DIR's tokenizers")
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="fine-tune a finished run: its weights, tokenizers and network shape",
    )
    parser.add_argument(
        "--embeddings", type=Path, default=None, help="code embeddings dir (out/emb/VARIANT)"
    )
    parser.add_argument(
        "--intent-embeddings",
        type=Path,
        default=None,
        help="intent embeddings dir (baseline default out/emb/intent-w2v)",
    )
    parser.add_argument(
        "--sources", default="", help="comma list of train sources to keep (default: all)"
    )
    parser.add_argument(
        "--source-weights",
        default="conala=2,conala-curated=2,django=0.5",
        help="oversampling, e.g. 'conala=2,django=0.5' (fractions subsample)",
    )
    parser.add_argument("--valid-source", default="conala", help="valid rows used ('' = all)")
    parser.add_argument("--max-train", type=int, default=0, help="cap train rows (0 = all)")
    # valid_loss by default: greedy valid BLEU on 223 rows was too noisy to pick epochs with
    # (run 1: epoch 3 best by it, yet epoch 6 scored higher with the beam actually served).
    parser.add_argument("--select-by", choices=["valid_loss", "valid_bleu"], default="valid_loss")
    g = parser.add_argument_group("model (defaults come from the preset)")
    g.add_argument("--src-vocab", type=int, default=None)
    g.add_argument("--tgt-vocab", type=int, default=None)
    g.add_argument("--emb-dim", type=int, default=None)
    g.add_argument("--hidden", type=int, default=None)
    g.add_argument("--out-dim", type=int, default=None)
    g.add_argument("--layers", type=int, default=None)
    g.add_argument("--dropout", type=float, default=None)
    g.add_argument("--attention", choices=["none", "luong"], default=None)
    g.add_argument("--copy", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--tie-embeddings", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=None)
    g.add_argument("--max-src-len", type=int, default=None)
    g.add_argument("--max-tgt-len", type=int, default=None)
    g.add_argument("--beam-size", type=int, default=None)
    g.add_argument("--length-penalty", type=float, default=None)
    loop.add_loop_arguments(parser, epochs=10, batch_size=64, lr=2e-3, patience=3)


_OVERRIDES = {
    "src_vocab": "src_vocab_size",
    "tgt_vocab": "tgt_vocab_size",
    "emb_dim": "emb_dim",
    "hidden": "hidden",
    "out_dim": "out_dim",
    "layers": "layers",
    "dropout": "dropout",
    "attention": "attention",
    "copy": "copy",
    "bidirectional": "bidirectional",
    "tie_embeddings": "tie_embeddings",
    "freeze_embeddings": "freeze_embeddings",
    "max_src_len": "max_src_len",
    "max_tgt_len": "max_tgt_len",
    "beam_size": "beam_size",
    "length_penalty": "length_penalty",
}


def config_from_args(args: argparse.Namespace) -> GeneratorConfig:
    overrides = {
        field: getattr(args, flag)
        for flag, field in _OVERRIDES.items()
        if getattr(args, flag) is not None
    }
    return GeneratorConfig.named(args.preset, **overrides)


# -- data --------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a generator split, each with string `intent` and `snippet`; errors name file:line."""
    return read_curated(path, {"intent": str, "snippet": str})


def parse_weights(spec: str) -> dict[str, float]:
    """'conala=2,django=0.5' → {'conala': 2.0, 'django': 0.5}."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"--source-weights: expected NAME=WEIGHT, got {part!r}")
        out[name.strip()] = float(value)
    return out


def select_train_rows(
    rows: list[dict[str, Any]], sources: str, weights: dict[str, float], seed: int
) -> list[dict[str, Any]]:
    """Keep the named sources and oversample/subsample them by weight (deterministic)."""
    keep = {s.strip() for s in sources.split(",") if s.strip()}
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for row in rows:
        source = row.get("source", "")
        if keep and source not in keep:
            continue
        weight = weights.get(source, 1.0)
        copies = int(weight) + (1 if rng.random() < weight - int(weight) else 0)
        out.extend([row] * copies)
    return out


@dataclass(frozen=True)
class Example:
    src: list[int]
    copy_map: list[int]
    tgt: list[int]


def canonical_words(rows: Iterable[dict[str, Any]]) -> tuple[list[list[str]], list[list[str]]]:
    """Intent and code word sequences after slot canonicalization (tokenizer training text)."""
    intents, codes = [], []
    for row in rows:
        canon_intent, canon_code, _ = canonicalize_pair(row["intent"], row["snippet"])
        intents.append(tokenize_intent(canon_intent))
        codes.append(tokenize_code(canon_code))
    return intents, codes


def train_word_level(sequences: Sequence[list[str]], cap: int) -> Tokenizer:
    """The baseline's word-level vocabulary: the `cap` most frequent words, specials first."""
    counts = Counter(w for seq in sequences for w in seq if w not in SPECIAL_TOKENS)
    words = [w for w, _ in counts.most_common(max(cap - len(SPECIAL_TOKENS), 0))]
    vocab = {w: i for i, w in enumerate([*SPECIAL_TOKENS, *words])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split("\x1f", behavior="removed")
    tok.add_special_tokens(SPECIAL_TOKENS)
    return tok


def build_tokenizers(
    rows: list[dict[str, Any]], cfg: GeneratorConfig
) -> tuple[Tokenizer, Tokenizer]:
    intents, codes = canonical_words(rows)
    if cfg.tokenization == "word":
        return train_word_level(intents, cfg.src_vocab_size), train_word_level(
            codes, cfg.tgt_vocab_size
        )
    return (
        train_subword(intents, vocab_size=cfg.src_vocab_size),
        train_subword(codes, vocab_size=cfg.tgt_vocab_size),
    )


def encode_rows(
    rows: Iterable[dict[str, Any]],
    intent_tok: Tokenizer,
    code_tok: Tokenizer,
    cfg: GeneratorConfig,
    drop_long: bool,
) -> tuple[list[Example], int]:
    """Encode pairs; with drop_long, skip targets longer than max_tgt_len (returns # dropped)."""
    out, dropped = [], 0
    for row in rows:
        src, tgt, full_len = encode_pair(row["intent"], row["snippet"], intent_tok, code_tok, cfg)
        if drop_long and full_len > cfg.max_tgt_len:
            dropped += 1
            continue
        out.append(Example(src.ids, src.copy_map, tgt))
    return out, dropped


def collate(examples: list[Example]) -> dict[str, torch.Tensor]:
    """Pad a batch; decoder input is <s> y, decoder target is y </s>."""
    n = len(examples)
    s_len = max(len(e.src) for e in examples)
    t_len = max(len(e.tgt) for e in examples) + 1
    src = torch.full((n, s_len), PAD, dtype=torch.long)
    copy_map = torch.full((n, s_len), PAD, dtype=torch.long)
    tgt_in = torch.full((n, t_len), PAD, dtype=torch.long)
    tgt_out = torch.full((n, t_len), PAD, dtype=torch.long)
    for i, e in enumerate(examples):
        src[i, : len(e.src)] = torch.tensor(e.src)
        copy_map[i, : len(e.src)] = torch.tensor(e.copy_map)
        tgt_in[i, : len(e.tgt) + 1] = torch.tensor([BOS, *e.tgt])
        tgt_out[i, : len(e.tgt) + 1] = torch.tensor([*e.tgt, EOS])
    lengths = torch.tensor([len(e.src) for e in examples])
    return {
        "src": src,
        "src_len": lengths,
        "tgt_in": tgt_in,
        "tgt_out": tgt_out,
        "src_map": copy_map,
    }


def seq2seq_loss(module: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    return module(**batch)


# -- embeddings --------------------------------------------------------------------------------


def init_embedding(table: nn.Embedding, tok: Tokenizer, directory: Path) -> int:
    """Copy pretrained vectors into rows whose token (a whole word) the embedding knows."""
    from codeqa_train.embed.io import load_embedding

    vocab, vectors = load_embedding(directory)
    if vectors.shape[1] != table.embedding_dim:
        raise ValueError(
            f"{directory}: vectors have dim {vectors.shape[1]}, the model's embedding "
            f"{table.embedding_dim} (pass --emb-dim {vectors.shape[1]})"
        )
    index = {w: i for i, w in enumerate(vocab)}
    hits = 0
    with torch.no_grad():
        for token, i in tok.get_vocab().items():
            j = index.get(token)
            if j is not None and i < table.num_embeddings:
                table.weight[i] = torch.from_numpy(np.asarray(vectors[j]))
                hits += 1
    return hits


# -- validation --------------------------------------------------------------------------------


def make_validator(
    valid_rows: list[dict[str, Any]],
    valid_examples: list[Example],
    intent_tok: Tokenizer,
    code_tok: Tokenizer,
    cfg: GeneratorConfig,
    with_bleu: bool,
    batch_size: int = 64,
):
    """valid_loss over encoded rows; valid_bleu (greedy, CoNaLa BLEU ×100) over raw rows."""
    from codeqa_train.metrics import corpus_bleu

    def validate(model: nn.Module) -> dict[str, float]:
        total, n = 0.0, 0
        for start in range(0, len(valid_examples), batch_size):
            chunk = valid_examples[start : start + batch_size]
            batch = collate(chunk)
            tokens = int((batch["tgt_out"] != PAD).sum())
            total += float(model(**batch)) * tokens
            n += tokens
        metrics = {"valid_loss": total / max(n, 1)}
        if with_bleu:
            gen = Generator(cfg, model, intent_tok, code_tok)
            hyps = []
            for row in valid_rows:
                cands = gen.generate(row["intent"], k=1)
                hyps.append(cands[0].code if cands else "")
            metrics["valid_bleu"] = 100.0 * corpus_bleu([r["snippet"] for r in valid_rows], hyps)
        return metrics

    return validate


# -- the command -------------------------------------------------------------------------------


def write_final(run_dir: Path, generator: Generator, summary: dict[str, Any]) -> Path:
    config, tensors = generator.parts()
    return runs.write_final(
        run_dir,
        config=config,
        tensors=tensors,
        tokenizers=(generator.intent_tok, generator.code_tok),
        report_name=runs.GENERATOR_REPORT,
        report=summary,
    )


def _tokenizers(
    args: argparse.Namespace, rows: list[dict[str, Any]], cfg: GeneratorConfig, info: loop.DistInfo
) -> tuple[Tokenizer, Tokenizer]:
    """Reuse `--tokenizers`, else rank 0 trains and saves them, then every rank loads them."""
    if args.tokenizers is not None:
        return runs.load_tokenizers(args.tokenizers)
    if info.is_main and not (args.resume and runs.tokenizer_paths(args.run_dir)):
        runs.save_tokenizers(args.run_dir, build_tokenizers(rows, cfg))
    if info.distributed:
        torch.distributed.barrier()
    return runs.load_tokenizers(args.run_dir)


def read_rows(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train rows, valid rows of `--valid-source`) of the curated generator splits."""
    gen_dir = curated_dir(args.data, "generator")
    train_rows = read_jsonl(gen_dir / "train.jsonl")
    valid_rows = [
        r
        for r in read_jsonl(gen_dir / "valid.jsonl")
        if not args.valid_source or r.get("source") == args.valid_source
    ]
    if not valid_rows:
        raise ValueError(f"{gen_dir / 'valid.jsonl'}: no rows with source {args.valid_source!r}")
    if args.max_train:
        train_rows = train_rows[: args.max_train]
    return train_rows, valid_rows


def build_model(
    args: argparse.Namespace, cfg: GeneratorConfig, intent_tok: Tokenizer, code_tok: Tokenizer
) -> tuple[Seq2Seq, dict[str, int]]:
    """A fresh network, with pretrained embedding rows copied in where given (rows per side), or
    a finished run's network to fine-tune (`--init-from`)."""
    if args.init_from is not None:
        return runs.load_generator(args.init_from).model, {}
    model = Seq2Seq(cfg)
    hits = {}
    if args.embeddings is not None:
        hits["code"] = init_embedding(model.tgt_embed, code_tok, args.embeddings)
    if args.intent_embeddings is not None:
        hits["intent"] = init_embedding(model.encoder.embed, intent_tok, args.intent_embeddings)
    return model, hits


def run(args: argparse.Namespace) -> int:
    info = loop.setup_distributed()
    lcfg = loop.loop_config_from_args(args)
    threads = loop.set_threads(lcfg.threads, info)
    loop.seed_everything(lcfg.seed)
    cfg = config_from_args(args)
    args.run_dir = args.run_dir or Path("runs") / f"generator-{cfg.preset}"
    if cfg.preset == "baseline" and args.intent_embeddings is None:
        args.intent_embeddings = Path("out/emb/intent-w2v")  # as `codeqa-train embed` writes it
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if info.is_main else (lambda *a: None)

    train_rows, valid_rows = read_rows(args)
    if args.init_from is not None:
        # The weights fix the vocabularies and the shape; decoding knobs may still differ.
        base = runs.read_config(args.init_from)
        cfg = GeneratorConfig.from_dict({**base, "beam_size": cfg.beam_size})
        args.tokenizers = args.init_from
    intent_tok, code_tok = _tokenizers(args, train_rows, cfg, info)
    cfg = GeneratorConfig.from_dict(
        {
            **cfg.to_dict(),
            "src_vocab_size": intent_tok.get_vocab_size(),
            "tgt_vocab_size": code_tok.get_vocab_size(),
        }
    )
    selected = select_train_rows(
        train_rows, args.sources, parse_weights(args.source_weights), lcfg.seed
    )
    started = time.perf_counter()
    train_ex, dropped = encode_rows(selected, intent_tok, code_tok, cfg, drop_long=True)
    valid_ex, _ = encode_rows(valid_rows, intent_tok, code_tok, cfg, drop_long=False)
    log(
        f"train {len(train_ex)} examples ({dropped} longer than {cfg.max_tgt_len} dropped, "
        f"sources {dict(Counter(r.get('source') for r in selected))}), valid {len(valid_ex)}; "
        f"vocab {cfg.src_vocab_size}/{cfg.tgt_vocab_size}; encoded in "
        f"{time.perf_counter() - started:.1f}s; {threads} threads x {info.world_size} processes"
    )
    per_rank = -(-len(train_ex) // info.world_size)
    print(
        f"rank {info.rank}/{info.world_size}: {per_rank} examples per epoch",
        file=sys.stderr,
        flush=True,
    )
    model, hits = build_model(args, cfg, intent_tok, code_tok)
    if hits:
        log(f"pretrained embedding rows initialised: {hits}")
    log(f"parameters: {count_parameters(model)}")

    validate = make_validator(
        valid_rows, valid_ex, intent_tok, code_tok, cfg, with_bleu=args.select_by == "valid_bleu"
    )
    t0 = time.perf_counter()
    result = loop.fit(
        model,
        train_ex,
        collate,
        seq2seq_loss,
        validate,
        args.run_dir,
        lcfg,
        monitor=args.select_by,
        mode="max" if args.select_by == "valid_bleu" else "min",
        resume=args.resume,
        length=lambda i: len(train_ex[i].tgt),
        info=info,
    )
    if info.is_main:
        summary = {
            "config": cfg.to_dict(),
            "best_epoch": result.best_epoch,
            "best": {args.select_by: result.best_metric},
            "epochs_run": result.epochs_run,
            "stopped_early": result.stopped_early,
            "train_seconds_this_process": round(time.perf_counter() - t0, 1),
            "train_examples": len(train_ex),
            "dropped_long": dropped,
            "pretrained_rows": hits,
            "parameters": count_parameters(model),
            "world_size": info.world_size,
        }
        final = write_final(args.run_dir, Generator(cfg, model, intent_tok, code_tok), summary)
        log(
            f"wrote {final} (best {args.select_by} {result.best_metric:.4g} "
            f"at epoch {result.best_epoch})"
        )
    loop.teardown_distributed()
    return 0
