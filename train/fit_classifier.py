"""`codeqa-train fit-classifier`: train the match classifier (product, or a seed baseline).

Product (`--variant product`): sub-word ids from the generator's tokenizers (`--tokenizers RUN`),
trained on positives + random + hard negatives from `DATA/classifier/train.jsonl`, plus
`--slot-swap N` slot-swapped negatives per positive (this intent's names restored into another
question's code, so "mentions my variables" stops being enough) and a `--assign-fraction` of
one-line snippets rewritten as `result = ...` (how users write code). Validation also gets one
slot-swap negative per positive; the epoch is picked by the mean validation ROC-AUC over the
`--monitor` kinds, then the model is Platt-calibrated on validation and given the threshold that
flags `--false-alarm-rate` of the validation's true matches.

Baseline (`--variant baseline`): the seed's classifier over fixed vectors — average of pretrained
code-token embeddings (`--code-repr avg --embedding EMB/w2v-current`) or the generator decoder's
h ⊙ c after reading the snippet (`--code-repr hc --generator RUN`); the intent vector is the
average of `--intent-embedding` vectors.

Writes the run directory laid out in `train.runs`: per-epoch metrics and checkpoints
(`--resume`), and final/ with the model, `valid_metrics.json` and, for the product, the two
tokenizers.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from codeqa_model.classifier import (
    BaselineClassifier,
    ClassifierConfig,
    MatchClassifier,
    calibrate,
    threshold_for_false_alarms,
)
from codeqa_model.slots import PLACEHOLDER_RE
from codeqa_train import runs
from codeqa_train.data.curated import CuratedDataError, curated_dir, read_curated
from codeqa_train.loop import (
    add_loop_arguments,
    fit,
    loop_config_from_args,
    set_threads,
    setup_distributed,
)
from codeqa_train.metrics import accuracy, pr_auc, roc_auc
from torch import nn

KINDS = ("positive", "random", "hard")
# negative kinds of `python -m codeqa_train.matcher_data` (API docs, StaQC labels, rewrites)
MATCHER_KINDS = ("api-swap", "literal", "line-drop", "line-add", "staqc")
SLOT_SWAP = "slot-swap"  # generated negative kind: right names, someone else's code
ASSIGN_NAMES = ("result", "out", "value", "res")


@dataclass(frozen=True)
class LabelledPair:
    intent: str
    snippet: str
    label: int
    kind: str
    qid: str = ""


def read_pairs(data: Path, split: str) -> list[LabelledPair]:
    """Labelled pairs of `DATA/classifier/<split>.jsonl`."""
    path = curated_dir(data, "classifier") / f"{split}.jsonl"
    rows = read_curated(path, {"intent": str, "snippet": str, "label": int, "kind": str})
    pairs = []
    for i, row in enumerate(rows, 1):
        if row["label"] not in (0, 1) or row["kind"] not in (*KINDS, SLOT_SWAP, *MATCHER_KINDS):
            raise CuratedDataError(
                path, None, f"row {i}: bad label/kind {row['label']!r}/{row['kind']!r}"
            )
        qid = str(row.get("qid", ""))
        pairs.append(LabelledPair(row["intent"], row["snippet"], row["label"], row["kind"], qid))
    return pairs


def extra_random_negatives(
    pairs: Sequence[LabelledPair], per_positive: int, seed: int
) -> list[LabelledPair]:
    """`per_positive` more random negatives per positive: its intent with another question's
    snippet, drawn from the same split. Cheap extra signal for the easy half of the task."""
    positives = [p for p in pairs if p.label == 1]
    if per_positive <= 0 or len(positives) < 2:
        return []
    rng = random.Random(seed)
    out = []
    for p in positives:
        for _ in range(per_positive):
            for _try in range(10):  # a few draws to find another question's snippet
                other = rng.choice(positives)
                if other.qid != p.qid and other.snippet != p.snippet:
                    out.append(LabelledPair(p.intent, other.snippet, 0, "random", p.qid))
                    break
    return out


def slot_swap_negatives(
    pairs: Sequence[LabelledPair], per_positive: int, seed: int
) -> list[LabelledPair]:
    """`per_positive` negatives per positive that use ITS names but another question's code.

    Random negatives almost never mention the intent's slot values, so a classifier can score
    "the code names my variables" instead of "the code does what I asked". Here another
    positive's snippet is canonicalized (`canonicalize_pair` → `var_0`/`str_0` placeholders)
    and restored with this intent's `SlotMap`. Only snippets whose placeholders are all slots
    of this intent (and that use at least one) qualify, so no placeholder is left in the
    result. Drawn from `pairs` only (a test set's negatives use test snippets); deterministic
    for a given `seed`.
    """
    from codeqa_model.slots import canonicalize_intent, canonicalize_pair, restore_code

    positives = [p for p in pairs if p.label == 1]
    if per_positive <= 0 or len(positives) < 2:
        return []
    pool: dict[frozenset[str], list[tuple[str, str, str]]] = {}
    for p in positives:
        _, code, _ = canonicalize_pair(p.intent, p.snippet)
        used = frozenset(PLACEHOLDER_RE.findall(code))
        if used:
            pool.setdefault(used, []).append((code, p.qid, p.snippet))
    keys = sorted(pool, key=sorted)
    fitting: dict[frozenset[str], list[tuple[str, str, str]]] = {}
    rng = random.Random(seed)
    out = []
    for p in positives:
        _, slots = canonicalize_intent(p.intent)
        have = frozenset(s.placeholder for s in slots)
        if have not in fitting:
            fitting[have] = [c for k in keys if k <= have for c in pool[k]]
        candidates = fitting[have]
        if not candidates:
            continue
        made: set[str] = set()
        for _ in range(per_positive):
            for _try in range(10):  # a few draws to find another question's code
                code, qid, snippet = rng.choice(candidates)
                if (p.qid and qid == p.qid) or snippet == p.snippet:
                    continue
                restored = restore_code(code, slots)
                if restored in made or restored == p.snippet:
                    continue
                if PLACEHOLDER_RE.search(restored):
                    continue  # the other snippet spelled a placeholder-like name itself
                made.add(restored)
                out.append(LabelledPair(p.intent, restored, 0, SLOT_SWAP, p.qid))
                break
    return out


def _assignable(snippet: str) -> bool:
    """One-line expression that `name = snippet` keeps valid Python."""
    if "\n" in snippet.strip():
        return False
    try:
        ast.parse(snippet.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    return True


def with_assignments(
    pairs: Sequence[LabelledPair], fraction: float, seed: int
) -> list[LabelledPair]:
    """A copy where about `fraction` of the one-line expression snippets read `result = ...`.

    Users write `name = <expression>`; CoNaLa snippets rarely do. Positives and negatives are
    rewritten at the same rate so the prefix itself carries no label signal.
    """
    if fraction <= 0:
        return list(pairs)
    rng = random.Random(seed)
    out = []
    for p in pairs:
        if rng.random() < fraction and _assignable(p.snippet):
            name = rng.choice(ASSIGN_NAMES)
            p = LabelledPair(p.intent, f"{name} = {p.snippet.strip()}", p.label, p.kind, p.qid)
        out.append(p)
    return out


# -- evaluation helpers shared with `evaluate` --------------------------------------------------


def split_metrics(pairs: Sequence[LabelledPair], probs: np.ndarray, threshold: float) -> dict:
    """Accuracy / ROC-AUC / PR-AUC of positives against each negative kind, and against all."""
    probs = np.asarray(probs, dtype=np.float64)
    kinds = np.array([p.kind for p in pairs])
    labels = np.array([p.label for p in pairs])
    out: dict[str, dict[str, float]] = {}
    names = ["random", "hard", SLOT_SWAP, *sorted(set(kinds[labels == 0]) - set(KINDS))]
    for name, neg in [*((k, kinds == k) for k in dict.fromkeys(names)), ("all", labels == 0)]:
        keep = (labels == 1) | neg
        if neg.sum() == 0 or labels[keep].sum() == 0:
            continue
        y, s = labels[keep], probs[keep]
        out[name] = {
            "n": int(keep.sum()),
            "accuracy": accuracy(y, s, threshold),
            "accuracy_at_0.5": accuracy(y, s, 0.5),
            "roc_auc": roc_auc(y, s),
            "pr_auc": pr_auc(y, s),
        }
    return out


# -- tokenizers ---------------------------------------------------------------------------------


def load_or_train_tokenizers(
    run_dir: Path | None, train_pairs: Sequence[LabelledPair], vocab_size: int
) -> tuple[Any, Any]:
    """The generator run's tokenizers, or (no run given) new ones from the training positives."""
    from codeqa_model.subword import SPECIAL_TOKENS, train_subword

    if run_dir is not None:
        return runs.load_tokenizers(run_dir)
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.intent_tokens import tokenize_intent
    from codeqa_model.slots import canonicalize_code, canonicalize_intent

    intents, codes = [], []
    for p in train_pairs:
        if p.label != 1:
            continue
        canonical, slots = canonicalize_intent(p.intent)
        intents.append(tokenize_intent(canonical))
        codes.append(tokenize_code(canonicalize_code(p.snippet, slots.observe(p.snippet))))
    return (
        train_subword(intents, vocab_size, special=SPECIAL_TOKENS),
        train_subword(codes, vocab_size, special=SPECIAL_TOKENS),
    )


# -- batching -----------------------------------------------------------------------------------

Batch = tuple[tuple[torch.Tensor, ...], torch.Tensor]


def make_batches(
    inputs: Sequence[Any],
    labels: Sequence[int],
    collate: Callable[[Sequence[Any]], tuple[torch.Tensor, ...]],
    batch_size: int,
    rng: random.Random | None,
) -> list[Batch]:
    """Shuffled (rng given) or ordered batches of (network inputs, float labels)."""
    order = list(range(len(inputs)))
    if rng is not None:
        rng.shuffle(order)
    out = []
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        y = torch.tensor([labels[i] for i in idx], dtype=torch.float32)
        out.append((collate([inputs[i] for i in idx]), y))
    return out


def predict_logits(net: nn.Module, batches: Sequence[Batch]) -> torch.Tensor:
    net.eval()
    with torch.inference_mode():
        return torch.cat([net(*x) for x, _ in batches])


# -- inputs per variant -------------------------------------------------------------------------


def product_inputs(
    pairs: Sequence[LabelledPair], intent_tok: Any, code_tok: Any, cfg: ClassifierConfig
) -> tuple[list[Any], Callable]:
    from codeqa_model.matcher import PairEncoder, collate

    parts = cfg.max_parts if cfg.use_parts else 0
    docs = cfg.extra.get("api_docs") if cfg.use_docs else None
    encoder = PairEncoder(
        intent_tok, code_tok, cfg.max_intent_len, cfg.max_code_len, parts, docs, cfg.n_lexical
    )
    return [encoder.encode(p.intent, p.snippet) for p in pairs], collate


def average_vectors(
    sequences: Sequence[Sequence[str]], vocab: Sequence[str], vectors: np.ndarray
) -> np.ndarray:
    """Mean pretrained vector of each token sequence (unknown tokens skipped; none known → 0)."""
    index = {tok: i for i, tok in enumerate(vocab)}
    out = np.zeros((len(sequences), vectors.shape[1]), dtype=np.float32)
    for row, seq in enumerate(sequences):
        ids = [index[t] for t in seq if t in index]
        if ids:
            out[row] = vectors[ids].mean(0)
    return out


def baseline_inputs(
    pairs: Sequence[LabelledPair], args: argparse.Namespace
) -> tuple[list[Any], Callable, int, int]:
    """Fixed (intent vector, code vector) per pair for the seed's classifier."""
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.intent_tokens import tokenize_intent
    from codeqa_train.embed.io import load_embedding

    i_vocab, i_vecs = load_embedding(args.intent_embedding)
    intent_vec = average_vectors([tokenize_intent(p.intent) for p in pairs], i_vocab, i_vecs)
    if args.code_repr == "avg":
        if args.embedding is None:
            raise SystemExit("--code-repr avg needs --embedding EMB_DIR")
        c_vocab, c_vecs = load_embedding(args.embedding)
        code_vec = average_vectors([tokenize_code(p.snippet) for p in pairs], c_vocab, c_vecs)
    else:
        if args.generator is None:
            raise SystemExit("--code-repr hc needs --generator RUN_DIR")
        code_vec = decoder_h_odot_c(args.generator, pairs)
    rows = list(zip(intent_vec, code_vec, strict=True))

    def collate(items: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, ...]:
        return (
            torch.from_numpy(np.stack([a for a, _ in items])),
            torch.from_numpy(np.stack([b for _, b in items])),
        )

    return rows, collate, intent_vec.shape[1], code_vec.shape[1]


def input_fingerprints(args: argparse.Namespace) -> dict[str, str]:
    """sha256 of the files a baseline's fixed vectors come from, so evaluation can refuse to
    rebuild them from embeddings (or a generator) that were retrained since."""
    files = {"intent": Path(args.intent_embedding) / "vectors.safetensors"}
    if args.code_repr == "avg":
        files["code"] = Path(args.embedding) / "vectors.safetensors"
    else:
        files["code"] = runs.final_dir(Path(args.generator)) / runs.WEIGHTS
    out = {}
    for name, path in files.items():
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        out[name] = digest.hexdigest()
    return out


def decoder_h_odot_c(
    run_dir: Path, pairs: Sequence[LabelledPair], batch_size: int = 128
) -> np.ndarray:
    """The seed's second code representation: the generator decoder's h ⊙ c (last layer)
    after reading the snippet with teacher forcing, conditioned on the pair's intent.

    Uses the generator's public pieces (`encode_pair`, `Seq2Seq.encode` / `.step`), one step
    per target position, and keeps each row's state at its own last token.
    """
    import torch
    from codeqa_model.generator import encode_pair
    from codeqa_model.matcher import pad_batch
    from codeqa_model.seq2seq import BOS

    gen = runs.load_generator(run_dir)
    model, cfg = gen.model.eval(), gen.cfg
    out = np.zeros((len(pairs), cfg.hidden), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start : start + batch_size]
            encoded = [
                encode_pair(p.intent, p.snippet, gen.intent_tok, gen.code_tok, cfg) for p in chunk
            ]
            src = pad_batch([e[0].ids for e in encoded])
            src_len = torch.tensor([len(e[0].ids) for e in encoded])
            copy_map = pad_batch([e[0].copy_map for e in encoded])
            n_ext = max(len(e[0].extra) for e in encoded)
            tgt = pad_batch([[BOS, *e[1]] for e in encoded])
            last = torch.tensor([len(e[1]) for e in encoded])  # index of each row's last token
            enc, keys, state = model.encode(src, src_len)
            mask = src != 0
            h_last = torch.zeros(len(chunk), cfg.hidden)
            c_last = torch.zeros(len(chunk), cfg.hidden)
            for t in range(tgt.size(1)):
                _, state = model.step(tgt[:, t], state, enc, keys, mask, copy_map, n_ext)
                done = last == t
                h_last[done] = state[0][-1][done]
                c_last[done] = state[1][-1][done]
            out[start : start + len(chunk)] = (h_last * c_last).numpy()
    return out


# -- run directory ------------------------------------------------------------------------------


def save_final(
    run_dir: Path, net: nn.Module, cfg: ClassifierConfig, tokenizers: Any, report: dict
) -> Path:
    """Write RUN/final (see `train.runs`)."""
    return runs.write_final(
        run_dir,
        config=cfg.to_dict(),
        tensors={k: v.detach().contiguous() for k, v in net.state_dict().items()},
        tokenizers=tokenizers,
        report_name=runs.CLASSIFIER_REPORT,
        report=report,
    )


# -- the command --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--run-dir", type=Path, default=None, help="default runs/classifier-VARIANT")
    a("--variant", choices=("product", "baseline"), default="product")
    a("--tokenizers", type=Path, default=None, help="fit-generator run whose tokenizers to reuse")
    a("--vocab-size", type=int, default=4000, help="only when training new tokenizers")
    a("--code-repr", choices=("avg", "hc"), default="avg", help="baseline code vector")
    a("--embedding", type=Path, default=None, help="baseline avg: code embedding dir")
    a("--intent-embedding", type=Path, default=Path("out/emb/intent-w2v"))
    a("--generator", type=Path, default=None, help="baseline hc: fit-generator run dir")
    a("--kinds", default="random,hard", help="negative kinds to train on (comma-separated)")
    a("--emb-dim", type=int, default=64)
    a("--hidden", type=int, default=48)
    a("--dropout", type=float, default=0.2)
    a("--encoder", choices=("cnn", "gru"), default="cnn", help="sequence encoder per side")
    a("--no-alignment", action="store_true", help="drop the token-alignment features")
    a("--no-lexical", action="store_true", help="drop the lexical overlap features")
    a("--parts", action="store_true", help="add code identifier parts in the intent word space")
    a("--docs", action="store_true", help="called APIs' doc words as parts (needs --api-docs)")
    a("--max-code-len", type=int, default=80, help="code sub-words read (cut at a line end)")
    a(
        "--api-docs",
        type=Path,
        default=None,
        help="apidocs/python-docs.jsonl: everyday APIs' first doc sentences go into the config "
        "for mismatch explanations (codeqa_model.explain)",
    )
    a("--false-alarm-rate", type=float, default=0.05, help="share of true matches flagged")
    a("--extra-random", type=int, default=2, help="more random negatives per train positive")
    a(
        "--slot-swap",
        type=int,
        default=4,  # CoNaLa test slot-swap ROC-AUC 43 → 87 (0 → 4), random 96.8 → 96.4
        help="slot-swapped negatives per train positive (its names, another question's code)",
    )
    a(
        "--assign-fraction",
        type=float,
        default=0.1,
        help="share of one-line train snippets rewritten as `result = <snippet>`",
    )
    a(
        "--monitor",
        default="hard,slot-swap",
        help="negative kinds whose mean valid ROC-AUC selects the epoch (comma-separated)",
    )
    a("--max-train", type=int, default=None, help="use only the first N training pairs")
    add_loop_arguments(parser, epochs=8, patience=2, lr=2e-3, threads=2)


def training_pairs(args: argparse.Namespace, seed: int) -> list[LabelledPair]:
    """The `--kinds` kept, extra random and slot-swap negatives, and `result =` rewrites."""
    kinds = {"positive", *args.kinds.split(",")}
    pairs = [p for p in read_pairs(args.data, "train") if p.kind in kinds]
    if args.max_train:
        pairs = pairs[: args.max_train]
    if "random" in kinds:
        pairs += extra_random_negatives(pairs, args.extra_random, seed)
    pairs += slot_swap_negatives(pairs, args.slot_swap, seed + 1)
    return with_assignments(pairs, args.assign_fraction, seed + 2)


def validation_pairs(args: argparse.Namespace, seed: int) -> list[LabelledPair]:
    """The valid split plus one slot-swap negative per positive, whatever the training used."""
    pairs = read_pairs(args.data, "valid")
    return pairs + slot_swap_negatives(pairs, 1, seed)


@dataclass
class Prepared:
    """A network ready to train, with its inputs encoded for both splits."""

    net: nn.Module
    cfg: ClassifierConfig
    tokenizers: Any  # (intent, code) for the product; None for a baseline
    train_x: list[Any]
    valid_x: list[Any]
    collate: Callable[[Sequence[Any]], tuple[torch.Tensor, ...]]
    length: Callable[[int], int] | None


def api_docs(path: Path) -> dict[str, str]:
    """{dotted API name: first doc sentence} for the matcher's explanations."""
    from codeqa_train.matcher_data.sources import api_docs as read_api_docs

    return read_api_docs(path)


def prepare_product(
    args: argparse.Namespace, train_pairs: list[LabelledPair], valid_pairs: list[LabelledPair]
) -> Prepared:
    tokenizers = load_or_train_tokenizers(args.tokenizers, train_pairs, args.vocab_size)
    cfg = ClassifierConfig(
        kind="product",
        intent_vocab=tokenizers[0].get_vocab_size(),
        code_vocab=tokenizers[1].get_vocab_size(),
        emb_dim=args.emb_dim,
        hidden=args.hidden,
        dropout=args.dropout,
        encoder=args.encoder,
        use_alignment=not args.no_alignment,
        use_lexical=not args.no_lexical,
        use_parts=args.parts or args.docs,
        use_docs=args.docs,
        max_code_len=args.max_code_len,
        false_alarm_rate=args.false_alarm_rate,
        extra={"api_docs": api_docs(args.api_docs)} if args.api_docs else {},
    )
    train_x, collate = product_inputs(train_pairs, *tokenizers, cfg)
    valid_x, _ = product_inputs(valid_pairs, *tokenizers, cfg)
    return Prepared(
        MatchClassifier(cfg),
        cfg,
        tokenizers,
        train_x,
        valid_x,
        collate,
        length=lambda i: len(train_x[i].code_ids),
    )


def prepare_baseline(
    args: argparse.Namespace, train_pairs: list[LabelledPair], valid_pairs: list[LabelledPair]
) -> Prepared:
    xs, collate, i_dim, c_dim = baseline_inputs([*train_pairs, *valid_pairs], args)
    cfg = ClassifierConfig(
        kind="baseline",
        intent_dim=i_dim,
        code_dim=c_dim,
        code_repr=args.code_repr,
        false_alarm_rate=args.false_alarm_rate,
        extra={
            "code_source": str(args.embedding or args.generator),
            "intent_embedding": str(args.intent_embedding),
            "fingerprints": input_fingerprints(args),
        },
    )
    n = len(train_pairs)
    return Prepared(BaselineClassifier(cfg), cfg, None, xs[:n], xs[n:], collate, None)


def make_validator(
    valid_pairs: list[LabelledPair], valid_batches: list[Batch], monitor_kinds: list[str]
) -> Callable[[nn.Module], dict[str, float]]:
    """valid loss, per-kind ROC-AUC, and their mean over `monitor_kinds` (the epoch picker)."""
    valid_y = torch.cat([y for _, y in valid_batches])

    def validate(model: nn.Module) -> dict[str, float]:
        logits = predict_logits(model, valid_batches)
        per_kind = split_metrics(valid_pairs, torch.sigmoid(logits).numpy(), 0.5)
        record = {
            "valid_loss": float(nn.functional.binary_cross_entropy_with_logits(logits, valid_y)),
            # mean over the monitored kinds: early stopping must not trade one for another
            "valid_roc_auc": float(np.mean([per_kind[k]["roc_auc"] for k in monitor_kinds])),
        }
        for kind, m in per_kind.items():
            record[f"valid_roc_auc_{kind}"] = m["roc_auc"]
        return record

    return validate


def calibrate_on_validation(
    net: nn.Module, cfg: ClassifierConfig, valid_pairs: list[LabelledPair], batches: list[Batch]
) -> dict[str, Any]:
    """Platt-scale on validation, set the threshold that flags `false_alarm_rate` of its true
    pairs, and return the validation report at that threshold."""
    logits = predict_logits(net, batches)
    valid_y = torch.cat([y for _, y in batches])
    cfg.platt_a, cfg.platt_b = calibrate(logits, valid_y)
    probs = torch.sigmoid(cfg.platt_a * logits.double() + cfg.platt_b)
    cfg.threshold = threshold_for_false_alarms(probs[valid_y == 1], cfg.false_alarm_rate)
    return {
        "platt": [cfg.platt_a, cfg.platt_b],
        "threshold": cfg.threshold,
        **split_metrics(valid_pairs, probs.numpy(), cfg.threshold),
    }


def _bce(module: nn.Module, batch: Batch) -> torch.Tensor:
    x, y = batch
    return nn.functional.binary_cross_entropy_with_logits(module(*x), y)


def run(args: argparse.Namespace) -> int:
    loop_cfg = loop_config_from_args(args)
    info = setup_distributed()
    set_threads(loop_cfg.threads, info)
    torch.manual_seed(loop_cfg.seed)
    out = args.run_dir or Path("runs") / f"classifier-{args.variant}"
    out.mkdir(parents=True, exist_ok=True)

    train_pairs = training_pairs(args, loop_cfg.seed)
    valid_pairs = validation_pairs(args, loop_cfg.seed)
    counts = {k: sum(p.kind == k for p in train_pairs) for k in (*KINDS, SLOT_SWAP, *MATCHER_KINDS)}
    print(f"train {len(train_pairs)} pairs {counts}, valid {len(valid_pairs)}")
    prepare = prepare_product if args.variant == "product" else prepare_baseline
    prep = prepare(args, train_pairs, valid_pairs)

    examples = list(zip(prep.train_x, (p.label for p in train_pairs), strict=True))

    def collate_labelled(items: list[tuple[Any, int]]) -> Batch:
        x = prep.collate([item for item, _ in items])
        return x, torch.tensor([y for _, y in items], dtype=torch.float32)

    valid_labels = [p.label for p in valid_pairs]
    valid_batches = make_batches(prep.valid_x, valid_labels, prep.collate, 512, None)
    present = {p.kind for p in valid_pairs}
    monitor_kinds = [k for k in args.monitor.split(",") if k in present] or ["all"]
    result = fit(
        prep.net,
        examples,
        collate_labelled,
        _bce,
        make_validator(valid_pairs, valid_batches, monitor_kinds),
        out,
        loop_cfg,
        monitor="valid_roc_auc",
        mode="max",
        resume=args.resume,
        length=prep.length,
        info=info,
    )
    if not info.is_main:
        return 0
    print(
        f"best valid ROC-AUC ({'+'.join(monitor_kinds)}) {result.best_metric:.4f} "
        f"at epoch {result.best_epoch}"
    )
    report = {
        "best_epoch": result.best_epoch,
        **calibrate_on_validation(prep.net, prep.cfg, valid_pairs, valid_batches),
    }
    print(json.dumps(report))
    final = save_final(out, prep.net, prep.cfg, prep.tokenizers, report)
    print(f"wrote {final}")
    return 0
