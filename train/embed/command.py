"""`codeqa-train embed`: the four code-token embeddings of the research plus an intent word2vec.

Variants: `w2v-current`, `glove-current` (curated train + valid snippets), `w2v-dev`, `glove-dev`
(the same plus a capped sample of local Python source), and `intent-w2v` (curated intents, for the
baseline classifier). Each lands in `OUT/<variant>/`; a neighbour table of a few probe tokens is
printed and saved to `OUT/neighbours.json` as a sanity check.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeqa_train.data.curated import CuratedDataError
from codeqa_train.embed.corpus import (
    default_dev_roots,
    read_pairs,
    sample_dev_corpus,
    split_logical_lines,
)
from codeqa_train.embed.io import atomic_write_json, load_embedding, save_embedding
from codeqa_train.embed.neighbours import PROBES, Neighbours, format_table, nearest
from codeqa_train.embed.vocab import build_vocab, count_tokens

VARIANTS: tuple[str, ...] = ("w2v-current", "glove-current", "w2v-dev", "glove-dev", "intent-w2v")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Every knob is a flag with a default sized for two CPU cores and a few minutes in all."""
    parser.add_argument(
        "--data", type=Path, required=True, help="curated data dir (codeqa-train data)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output dir EMB/")
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated subset of {', '.join(VARIANTS)} (default: all)",
    )
    parser.add_argument("--dim", type=int, default=100, help="vector size (default 100)")
    parser.add_argument("--window", type=int, default=5, help="context window (default 5)")
    parser.add_argument("--min-count", type=int, default=2, help="drop rarer tokens (default 2)")
    parser.add_argument("--max-vocab", type=int, default=50_000, help="cap vocabulary size")
    parser.add_argument("--seed", type=int, default=13, help="seed for sampling and training")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gensim worker threads (default 2; only 1 gives bit-identical reruns)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for GloVe (default 1: 2 threads ran 3-7x slower on a busy 2-core box)",
    )
    parser.add_argument("--w2v-arch", choices=("sg", "cbow"), default="sg", help="default sg")
    parser.add_argument("--w2v-epochs", type=int, default=5, help="word2vec epochs (default 5)")
    parser.add_argument("--glove-epochs", type=int, default=15, help="GloVe epochs (default 15)")
    parser.add_argument("--glove-lr", type=float, default=0.05, help="AdaGrad rate (default 0.05)")
    parser.add_argument(
        "--glove-x-max",
        type=float,
        default=10.0,
        help="count at which a cell gets full weight (default 10; the paper's 100 suits billions "
        "of tokens: on the ~0.2M-token current corpus it left GloVe neighbours near-random "
        "after 15 epochs)",
    )
    parser.add_argument("--glove-alpha", type=float, default=0.75, help="weighting exponent")
    parser.add_argument("--glove-batch", type=int, default=16384, help="GloVe minibatch size")
    parser.add_argument(
        "--dev-max-tokens",
        type=int,
        default=2_000_000,
        help="token cap on the development corpus sample (default 2,000,000)",
    )
    parser.add_argument(
        "--dev-root",
        type=Path,
        action="append",
        default=None,
        help="directory of Python sources for the development corpus (repeatable; default: "
        "the running interpreter's stdlib and site-packages)",
    )
    parser.add_argument("--neighbours", type=int, default=5, help="neighbours per probe token")


def _parse_variants(text: str) -> list[str]:
    chosen = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown or not chosen:
        raise SystemExit(f"--variants: unknown {unknown or text!r}; choose from {VARIANTS}")
    return chosen


_POSITIVE = (
    "dim", "window", "min_count", "max_vocab", "workers", "threads", "w2v_epochs",
    "glove_epochs", "glove_batch", "dev_max_tokens", "neighbours",
)  # fmt: skip


def _bad_argument(args: argparse.Namespace) -> str | None:
    """The first numeric flag that is out of range, as a message; None when all are fine."""
    for name in _POSITIVE:
        if getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}"
    for name in ("glove_lr", "glove_x_max", "glove_alpha"):
        if not getattr(args, name) > 0:
            return f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}"
    return None


def corpus_vocab(sequences: Sequence[Sequence[str]], args: argparse.Namespace) -> list[str]:
    """The vocabulary both algorithms use for a corpus: `--min-count`, then the `--max-vocab` most
    frequent (ties by token), so word2vec and GloVe variants are compared on the same tokens."""
    return build_vocab(count_tokens(sequences), args.min_count, args.max_vocab)


def _train_glove_variant(
    sequences: Sequence[Sequence[str]], args: argparse.Namespace
) -> tuple[list[str], Any, dict[str, Any]]:
    from codeqa_train.embed.glove import GloveConfig, cooccurrence, train_glove

    vocab = corpus_vocab(sequences, args)
    t0 = time.perf_counter()
    cooc = cooccurrence(sequences, vocab, args.window)
    count_seconds = time.perf_counter() - t0
    print(
        f"  co-occurrence: {len(vocab):,} tokens, {len(cooc.values):,} non-zeros, "
        f"{count_seconds:.1f}s",
        flush=True,
    )
    config = GloveConfig(
        dim=args.dim,
        epochs=args.glove_epochs,
        lr=args.glove_lr,
        x_max=args.glove_x_max,
        alpha=args.glove_alpha,
        batch_size=args.glove_batch,
        seed=args.seed,
    )
    result = train_glove(cooc, config, log=lambda m: print(m, flush=True))
    meta = {
        "algorithm": "glove (train.embed.glove)",
        "params": {
            **config.as_dict(),
            "window": args.window,
            "min_count": args.min_count,
            "max_vocab": args.max_vocab,
            "threads": args.threads,
        },
        "cooccurrence_nonzeros": len(cooc.values),
        "losses": [round(x, 6) for x in result.losses],
        "training_seconds": round(count_seconds + result.seconds, 2),
    }
    return vocab, result.vectors, meta


def _train_w2v_variant(
    sequences: Sequence[Sequence[str]], args: argparse.Namespace
) -> tuple[list[str], Any, dict[str, Any]]:
    from codeqa_train.embed.w2v import Word2VecConfig, train_word2vec

    config = Word2VecConfig(
        dim=args.dim,
        window=args.window,
        min_count=args.min_count,
        sg=args.w2v_arch == "sg",
        epochs=args.w2v_epochs,
        seed=args.seed,
        workers=args.workers,
        max_vocab=args.max_vocab,
    )
    vocab, vectors, seconds = train_word2vec(sequences, config, corpus_vocab(sequences, args))
    meta = {
        "algorithm": "word2vec (gensim)",
        "params": config.as_dict(),
        "deterministic": config.workers == 1,
        "training_seconds": round(seconds, 2),
    }
    return vocab, vectors, meta


@dataclass
class Corpus:
    """One training corpus: a description for meta.json, its sequences and extra metadata."""

    description: str
    sequences: list[list[str]]
    meta: dict[str, Any]


def _load_corpora(args: argparse.Namespace, variants: list[str]) -> dict[str, Corpus]:
    """Tokenize the curated pairs; sample the development corpus if a `-dev` variant needs it."""
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.intent_tokens import tokenize_intent

    rows = read_pairs(args.data)
    code = [line for r in rows for line in split_logical_lines(tokenize_code(r["snippet"]))]
    intents = [toks for r in rows if (toks := tokenize_intent(r["intent"]))]
    print(
        f"current corpus: {len(rows):,} pairs, {sum(map(len, code)):,} code tokens, "
        f"{sum(map(len, intents)):,} intent tokens",
        flush=True,
    )
    code_meta = {"tokenizer": "codeqa_model.code_tokens.tokenize_code"}
    corpora = {
        "current": Corpus("current (curated generator train+valid snippets)", code, code_meta),
        "intent": Corpus(
            "current intents (curated generator train+valid)",
            intents,
            {"tokenizer": "codeqa_model.intent_tokens.tokenize_intent"},
        ),
    }
    if any(v.endswith("-dev") for v in variants):
        roots = args.dev_root or default_dev_roots()
        t0 = time.perf_counter()
        dev = sample_dev_corpus(roots, args.dev_max_tokens, args.seed, tokenize_code)
        print(
            f"development corpus: {len(dev.files):,} files, {dev.tokens:,} tokens "
            f"({time.perf_counter() - t0:.1f}s)",
            flush=True,
        )
        corpora["dev"] = Corpus(
            "current + development (local stdlib/site-packages source)",
            code + dev.sequences,
            {
                **code_meta,
                "dev_files": len(dev.files),
                "dev_tokens": dev.tokens,
                "dev_roots": [str(r) for r in roots],
                "dev_max_tokens": args.dev_max_tokens,
                "dev_seed": args.seed,
            },
        )
    return corpora


def _train_variant(variant: str, corpus: Corpus, args: argparse.Namespace) -> Path:
    """Train one variant on its corpus and save it under OUT/<variant>/."""
    tokens = sum(map(len, corpus.sequences))
    print(f"[{variant}] {len(corpus.sequences):,} sequences, {tokens:,} tokens", flush=True)
    trainer = _train_glove_variant if variant.startswith("glove") else _train_w2v_variant
    vocab, vectors, trained = trainer(corpus.sequences, args)
    meta = {
        "variant": variant,
        "corpus": corpus.description,
        "sequences": len(corpus.sequences),
        "tokens": tokens,
        **corpus.meta,
        **trained,
    }
    out_dir = save_embedding(args.out / variant, vocab, vectors, meta)
    print(
        f"[{variant}] {len(vocab):,} x {vectors.shape[1]} in {trained['training_seconds']}s "
        f"-> {out_dir}",
        flush=True,
    )
    return out_dir


def run(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(max(1, args.threads))
    variants = _parse_variants(args.variants)
    if problem := _bad_argument(args):
        print(f"codeqa-train embed: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        corpora = _load_corpora(args, variants)
    except CuratedDataError as e:
        print(f"codeqa-train embed: {e}", file=sys.stderr)
        return 2
    table: Neighbours = {}
    for variant in variants:
        corpus_key = "intent" if variant == "intent-w2v" else variant.split("-")[1]
        out_dir = _train_variant(variant, corpora[corpus_key], args)
        vocab, vectors = load_embedding(out_dir)  # check what was written, not what is in memory
        table[variant] = {p: nearest(vocab, vectors, p, args.neighbours) for p in PROBES}

    print("\nnearest neighbours (cosine):")
    print(format_table(table))
    atomic_write_json(args.out / "neighbours.json", table)
    print(f"\ndone in {time.perf_counter() - started:.1f}s", flush=True)
    return 0
