"""`codeqa-train fit-combiner`: the matcher's logit and API evidence in one score, with the
threshold chosen on validation.

The neural matcher misses swapped calls that read alike. `codeqa_model.match_evidence` profiles
each API by the words of the *training* intents whose true code calls it; a logistic regression
on (matcher logit, evidence features) is then fitted on the matcher data's *valid* split — pairs
the matcher never trained on, the same split it was calibrated on. So that the figures and the
threshold are not read off the rows the weights were fitted on, the valid rows are split in
`--folds` groups by question/package; every row is scored by a fit that did not see its group
(out of fold). Those out-of-fold scores give the before/after ROC-AUC per kind and the threshold:
the highest at which no source of true pairs (CoNaLa, API docs, mined functions, StaQC) has more
than `--false-alarm-rate` of them flagged. The weights shipped are then fitted on all valid rows.

`--blocks DIR` adds hand-written validation blocks (`codeqa_train.matcher_data.blocks`; the
project's are `tests/fixtures/mismatch-valid`, never the test fixture) as one more source: they
join the fit and the threshold rule like the others; `--block-weights` weighs their rows up (the
weight chosen out of fold, see `weigh_blocks`). `--retriever FILE` (the index's learned
retriever, shipped as `retriever.safetensors`) adds its P(api | intent) features
(`codeqa_model.retriever_evidence`); `--features` chooses among `KNOWN_FEATURES`.

`--api-table FILE --sibling-weights K,K,...` adds the sibling contrast
(`codeqa_model.sibling_evidence`: the intent's verb names a sibling of a called API, and nothing
the block calls says it) with a *fixed* weight -K chosen out of fold (`choose_sibling_weight`),
not fitted: it fires on a few percent of pairs, mostly wrong blocks the other features already
score low, so the likelihood fit gives it little weight (-0.4 on the project's validation rows)
though the threshold rule gains blocks from a larger one. The groups and the doc sentences it
reads (the classifier's `extra["api_docs"]`) are written into combiner.json.
`--literal-swap-weights K,K,...` does the same, after it, for `literal_swap` (a quoted file
name, path or URL written as another: `match_evidence.SWAP_FEATURES`). `--effect-weights
K,K,...` then does the same for each of `effect_evidence.EFFECT_FEATURES` in turn (an unasked
side effect of a short block, a do-nothing `print("hello")` placeholder), `--contrary-weights
K,K,...` for `contrary_evidence.CONTRARY_FEATURES` (a sort, an end or a part the wrong way round),
and `--number-weights K,K,...` for `number_evidence.NUMBER_FEATURES` (a number the intent states
that the code never writes).

Writes OUT/combiner.json (a bundle extra file: pass it to tune, evaluate and export with
`--extra-file`) and OUT/report.json. No test split is read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

PROFILE_WORDS = 24  # words kept per API profile (bounds the bundle file)
MIN_CALLS = 2  # an API needs this many training pairs to get a profile
_STDLIB = frozenset({"stdlib", "python3.11-doc"})  # sources of standard-library docs
_CALLABLE = frozenset({"f", "function", "method", "c", "class"})  # mined API-doc kinds


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Matcher-data rows (`intent`, `snippet`, `label`, `kind`, `source`, `qid`)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def module_heads(api_docs: Path | None) -> set[str]:
    """Heads that name a module: the standard library's, and the first part of every API name in
    the mined docs (names only, never their sentences: held-out packages stay held out)."""
    heads = set(sys.stdlib_module_names)
    if api_docs is not None and api_docs.is_file():
        for row in read_rows(api_docs):
            path = str(row.get("path") or row.get("snippet") or "")
            head = path.split(".", 1)[0].split("(", 1)[0]
            if head.isidentifier():
                heads.add(head)
    return heads


def train_doc_pairs(api_docs: Path | None) -> list[dict[str, Any]]:
    """(first doc sentence, `name()`) for the standard library's mined API docs, of TRAINING
    modules only: the matcher data holds the standard library out by top-level module (docs and
    mined functions alike), so a module used here is one whose pairs are all in train. PyPI
    docs are left out: their documented paths (`pandas.DataFrame.abs`) are not the modules
    the mined pairs are held out by (`pandas.core`)."""
    from codeqa_train.matcher_data.sources import first_sentence, split_of

    if api_docs is None or not api_docs.is_file():
        return []
    out = []
    for row in read_rows(api_docs):
        path, doc = str(row.get("path") or ""), str(row.get("doc") or "")
        if row.get("kind") not in _CALLABLE or not doc or "." not in path:
            continue
        parts = path.split(".")
        if row.get("source") not in _STDLIB or split_of(f"pkg:{parts[0]}") != "train":
            continue
        sentence = first_sentence(doc)
        if len(sentence.split()) < 3:
            continue
        call = f"x.{parts[-1]}()" if row.get("kind") == "method" else f"{path}()"
        out.append({"intent": sentence, "snippet": call, "label": 1})
    return out


def build_evidence(train: Sequence[dict[str, Any]], modules: set[str]) -> Any:
    """API profiles from the training split's true pairs: per called API, the IDF-weighted
    words of the intents above it (top `PROFILE_WORDS`, unit length)."""
    from codeqa_model.match_evidence import Evidence, call_keys, words

    positives = [r for r in train if r["label"] == 1]
    df: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    calls: Counter[str] = Counter()
    for row in positives:
        intent_words = set(words(row["intent"]))
        df.update(intent_words)
        for key in call_keys(row["snippet"], modules):
            counts[key].update(intent_words)
            calls[key] += 1
    n = len(positives)
    idf = {w: round(math.log((1 + n) / (1 + c)) + 1.0, 4) for w, c in df.items() if c >= 2}
    profiles: dict[str, dict[str, float]] = {}
    for key, counter in counts.items():
        if calls[key] < MIN_CALLS:
            continue
        weighted = {w: (c / calls[key]) * idf[w] for w, c in counter.items() if w in idf}
        top = sorted(weighted.items(), key=lambda kv: -kv[1])[:PROFILE_WORDS]
        norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
        profiles[key] = {w: round(v / norm, 4) for w, v in top}
    used = {k.split(".", 1)[0] for k in profiles if "." in k and not k.startswith(".")}
    return Evidence(profiles, idf, sorted(modules & (used | set(sys.stdlib_module_names))))


def fold_of(qid: str, folds: int) -> int:
    """A stable fold per question/package group."""
    return int(hashlib.sha256(qid.encode("utf-8")).hexdigest()[:8], 16) % folds


def feature_names(spec: str, retriever: bool) -> list[str]:
    """`--features`: "all" (every known feature; the retriever's only with a retriever) or a
    comma-separated list of `KNOWN_FEATURES`; never the sibling contrast, the literal swap or
    the effects, the contrary facts or the missing numbers, whose weights are chosen, not fitted
    (`--sibling-weights`, `--literal-swap-weights`, `--effect-weights`, `--contrary-weights`,
    `--number-weights`)."""
    from codeqa_model.combiner import KNOWN_FEATURES
    from codeqa_model.contrary_evidence import CONTRARY_FEATURES
    from codeqa_model.effect_evidence import EFFECT_FEATURES
    from codeqa_model.match_evidence import SWAP_FEATURES
    from codeqa_model.number_evidence import NUMBER_FEATURES
    from codeqa_model.retriever_evidence import PRIOR_FEATURES
    from codeqa_model.sibling_evidence import SIBLING_FEATURES

    chosen = (
        *SIBLING_FEATURES,
        *SWAP_FEATURES,
        *EFFECT_FEATURES,
        *CONTRARY_FEATURES,
        *NUMBER_FEATURES,
    )
    fitted = [n for n in KNOWN_FEATURES if n not in chosen]
    if spec == "all":
        return [n for n in fitted if retriever or n not in PRIOR_FEATURES]
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in fitted]
    if unknown:
        raise SystemExit(f"--features: unknown {unknown}; known: {', '.join(fitted)}")
    if not retriever and any(n in PRIOR_FEATURES for n in names):
        raise SystemExit(f"--features {', '.join(PRIOR_FEATURES)} need --retriever")
    return names


def design(base_probs: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """The combiner's inputs: the matcher's logit and the evidence features."""
    from codeqa_model.combiner import design_matrix

    return design_matrix(base_probs, evidence)


def source_weights(labels: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """Row weights under which every source's true pairs weigh the same in total (negatives 1):
    the threshold must hold for each source, and StaQC's few real-code pairs would otherwise be
    traded away for the many API-doc ones."""
    weights = np.ones(len(labels), dtype=np.float64)
    true = labels == 1
    names = sorted(set(sources[true].tolist()))
    for name in names:
        rows = true & (sources == name)
        weights[rows] = true.sum() / len(names) / rows.sum()
    return weights


def fit_weights(
    x: np.ndarray, y: np.ndarray, c: float, w: np.ndarray | None = None
) -> tuple[list[float], float]:
    """L2-regularised logistic regression (scikit-learn); (weights, intercept)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=1000).fit(x, y, sample_weight=w)
    return [float(v) for v in model.coef_[0]], float(model.intercept_[0])


def out_of_fold(
    x: np.ndarray, y: np.ndarray, folds: np.ndarray, c: float, rows: np.ndarray | None = None
) -> np.ndarray:
    """Each row's combined probability from a fit that did not see its fold (`rows`: row
    weights, see `source_weights`)."""
    out = np.zeros(len(y), dtype=np.float64)
    for f in np.unique(folds):
        held = folds == f
        w, b = fit_weights(x[~held], y[~held], c, None if rows is None else rows[~held])
        out[held] = 1.0 / (1.0 + np.exp(-(x[held] @ np.asarray(w) + b)))
    return out


def threshold_for_sources(
    probs: np.ndarray, labels: np.ndarray, sources: np.ndarray, rate: float
) -> float:
    """The highest threshold that flags at most `rate` of the true pairs of every source."""
    return float(
        min(
            np.quantile(probs[(labels == 1) & (sources == s)], rate)
            for s in set(sources[labels == 1])
        )
    )


def per_kind(probs: np.ndarray, labels: np.ndarray, kinds: np.ndarray, threshold: float) -> dict:
    """ROC-AUC of all true pairs against each negative kind and all; false alarms; flagged."""
    from codeqa_train.metrics import roc_auc

    out: dict[str, Any] = {}
    for kind in [*sorted(set(kinds[labels == 0])), "all"]:
        keep = (labels == 1) | ((kinds == kind) if kind != "all" else (labels == 0))
        neg = keep & (labels == 0)
        out[kind] = {
            "roc_auc": round(roc_auc(labels[keep], probs[keep]), 4),
            "flagged": round(float((probs[neg] < threshold).mean()), 4),
        }
    out["false_alarms"] = round(float((probs[labels == 1] < threshold).mean()), 4)
    return out


def binding_source(probs: np.ndarray, labels: np.ndarray, sources: np.ndarray, rate: float) -> str:
    """The source whose true pairs set `threshold_for_sources` (its `rate` quantile is lowest)."""
    true = sorted(set(sources[labels == 1].tolist()))
    return min(true, key=lambda s: np.quantile(probs[(labels == 1) & (sources == s)], rate))


def negatives_flagged(
    probs: np.ndarray, labels: np.ndarray, sources: np.ndarray, threshold: float
) -> float:
    """The mean over sources (with negatives) of the share of their negatives flagged."""
    shares = [
        float((probs[m] < threshold).mean())
        for s in sorted(set(sources[labels == 0].tolist()))
        if (m := (labels == 0) & (sources == s)).any()
    ]
    return float(np.mean(shares)) if shares else 0.0


def weigh_tail(
    x: np.ndarray,
    labels: np.ndarray,
    sources: np.ndarray,
    folds: np.ndarray,
    rows: np.ndarray,
    args: argparse.Namespace,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Row weights with the true pairs of the source that sets the threshold (its lowest-scored
    true pairs) weighed `m` times, `m` from `--tail-weights` chosen out of fold: the one under
    which the threshold rule flags the most negatives (mean over sources). The logistic fit
    spreads its errors evenly; the threshold only cares about one source's low tail."""
    oof = out_of_fold(x, labels, folds, args.c, rows)
    source = binding_source(oof, labels, sources, args.false_alarm_rate)
    grid: dict[str, float] = {}
    best, best_rows = None, rows
    for m in args.tail_weights:
        weighted = rows.copy()
        weighted[(labels == 1) & (sources == source)] *= m
        probs = oof if m == 1.0 else out_of_fold(x, labels, folds, args.c, weighted)
        t = threshold_for_sources(probs, labels, sources, args.false_alarm_rate)
        grid[repr(m)] = round(negatives_flagged(probs, labels, sources, t), 4)
        if best is None or grid[repr(m)] > grid[repr(best)]:
            best, best_rows = m, weighted
    return best_rows, {"source": source, "weight": best, "negatives_flagged": grid}


def weigh_blocks(
    x: np.ndarray,
    labels: np.ndarray,
    sources: np.ndarray,
    folds: np.ndarray,
    rows: np.ndarray,
    args: argparse.Namespace,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Row weights with the hand-written blocks (`--blocks`, both labels) weighed `m` times, `m`
    from `--block-weights` chosen out of fold (each with its own `weigh_tail`): the one under
    which the threshold rule flags the most negatives, mean over sources, the blocks one of
    them. The other sources' thousands of rows otherwise set the weights, and code written
    under an everyday intent is what the check meets in an editor; the mean (not the blocks'
    share alone) keeps a heavier weight from buying a block or two with the other sources'
    flags. The rule still holds every source's false alarms, the blocks' own included."""
    from codeqa_train.matcher_data.blocks import SOURCE

    wrong = (labels == 0) & (sources == SOURCE)
    best: float | None = None
    grid: dict[str, dict[str, float]] = {}
    chosen_rows, chosen_tail, chosen_m = rows, {}, 1.0
    for m in args.block_weights if wrong.any() else [1.0]:
        weighted = rows.copy()
        weighted[sources == SOURCE] *= m
        weighted, tail = weigh_tail(x, labels, sources, folds, weighted, args)
        probs = out_of_fold(x, labels, folds, args.c, weighted)
        t = threshold_for_sources(probs, labels, sources, args.false_alarm_rate)
        flagged = float((probs[wrong] < t).mean()) if wrong.any() else 0.0
        mean = negatives_flagged(probs, labels, sources, t)
        grid[repr(m)] = {"blocks_flagged": round(flagged, 4), "negatives_flagged": round(mean, 4)}
        if best is None or mean > best:
            best, chosen_rows, chosen_tail, chosen_m = mean, weighted, tail, m
    return chosen_rows, {"weight": chosen_m, "grid": grid, "tail_weight": chosen_tail}


def choose_sibling_weight(
    probs: np.ndarray,
    gap: np.ndarray,
    labels: np.ndarray,
    sources: np.ndarray,
    grid: Sequence[float],
    rate: float,
) -> tuple[float, dict[str, float]]:
    """The K from `grid` under which logit(`probs`) - K * `gap` (out-of-fold probabilities moved
    by the sibling contrast) flags the most negatives at the threshold rule, mean over sources
    (as `weigh_blocks` chooses); the smallest K on a tie. Returns (K, {K: that mean})."""
    p = np.clip(probs, 1e-6, 1.0 - 1e-6)
    scores: dict[str, float] = {}
    best = 0.0
    for k in sorted(grid):
        moved = _moved(p, gap, k)
        t = threshold_for_sources(moved, labels, sources, rate)
        scores[repr(float(k))] = round(negatives_flagged(moved, labels, sources, t), 4)
        if scores[repr(float(k))] > scores.get(repr(float(best)), -1.0):
            best = float(k)
    return best, scores


def _moved(probs: np.ndarray, values: np.ndarray, k: float) -> np.ndarray:
    """Probabilities whose logits are moved by -k × `values`."""
    return 1.0 / (1.0 + np.exp(-(np.log(probs) - np.log1p(-probs) - k * values)))


def add_fixed_feature(
    oof: np.ndarray,
    values: np.ndarray,
    labels: np.ndarray,
    sources: np.ndarray,
    grid: Sequence[float],
    rate: float,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    """A feature with a fixed weight -K chosen out of fold (`choose_sibling_weight`): the
    out-of-fold probabilities it moves (unchanged for K = 0), K, and its report."""
    k, flagged = choose_sibling_weight(oof, values, labels, sources, grid, rate)
    report = {"weight": -k, "negatives_flagged": flagged, "fires": fires(values, labels, sources)}
    return (_moved(oof, values, k) if k > 0 else oof), k, report


def fires(values: np.ndarray, labels: np.ndarray, sources: np.ndarray) -> dict[str, Any]:
    """{source: {"label 0": share of its wrong pairs with the feature > 0, "label 1": ...}}."""
    return {
        source: {
            f"label {y}": round(float((values[m & (labels == y)] > 0).mean()), 4)
            for y in (0, 1)
            if (m & (labels == y)).any()
        }
        for source in sorted(set(sources.tolist()))
        if (m := sources == source).any()
    }


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a(
        "--matcher-data",
        type=Path,
        required=True,
        help="output of `python -m codeqa_train.matcher_data`",
    )
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--classifier", type=Path, metavar="RUN_DIR", help="a fit-classifier run")
    src.add_argument("--bundle", type=Path, help="a bundle whose matcher is combined")
    a(
        "--api-docs",
        type=Path,
        default=Path("out/knowledge/api_docs.jsonl"),
        help="API names (module heads)",
    )
    a(
        "--balance-sources",
        action="store_true",
        help="weigh each source's true pairs equally in the fit (see source_weights)",
    )
    a(
        "--doc-profiles",
        action="store_true",
        help="also profile APIs by the --api-docs sentences of training packages",
    )
    a(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="writes DIR/combiner.json, DIR/report.json",
    )
    a(
        "--blocks",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="hand-written validation blocks (right_blocks.py/wrong_blocks.py, or a .jsonl) as "
        "one more source (repeatable); never the test fixture",
    )
    a(
        "--retriever",
        type=Path,
        metavar="FILE",
        help="the learned retriever (retriever.safetensors) for the P(api | intent) features",
    )
    a("--features", default="all", help='"all" or a comma list of KNOWN_FEATURES')
    a(
        "--api-table",
        type=Path,
        metavar="FILE",
        help="the bundle's api_table.json: sibling groups for --sibling-weights",
    )
    a(
        "--sibling-weights",
        type=_floats,
        default=[],
        metavar="K,K,...",
        help="fixed weights -K tried for the sibling contrast (needs --api-table; see "
        "choose_sibling_weight); none: no sibling feature",
    )
    a(
        "--literal-swap-weights",
        type=_floats,
        default=[],
        metavar="K,K,...",
        help="fixed weights -K tried for literal_swap (a quoted file name written as another; "
        "chosen as --sibling-weights are, after them); none: no literal_swap feature",
    )
    a(
        "--effect-weights",
        type=_floats,
        default=[],
        metavar="K,K,...",
        help="fixed weights -K tried for each of unasked_effect and placeholder (chosen as "
        "--literal-swap-weights are, after them, one feature at a time); none: neither",
    )
    a(
        "--contrary-weights",
        type=_floats,
        default=[],
        metavar="K,K,...",
        help="fixed weights -K tried for contrary (a sort, an end or a part the wrong way round; "
        "chosen as --effect-weights are, after them); none: no contrary feature",
    )
    a(
        "--number-weights",
        type=_floats,
        default=[],
        metavar="K,K,...",
        help="fixed weights -K tried for number_missing (a number the intent states that the "
        "code never writes; chosen as --contrary-weights are, after them); none: no such feature",
    )
    a(
        "--tail-weights",
        type=_floats,
        default=[1.0],
        metavar="M,M,...",
        help="weights tried for the threshold-setting source's true pairs (see weigh_tail)",
    )
    a(
        "--block-weights",
        type=_floats,
        default=[1.0],
        metavar="M,M,...",
        help="weights tried for the --blocks rows (see weigh_blocks)",
    )
    a("--folds", type=int, default=5, help="groups of valid rows for out-of-fold scores")
    a("--c", type=float, default=1.0, help="inverse L2 strength of the logistic regression")
    a(
        "--false-alarm-rate",
        type=float,
        default=0.05,
        help="share of true pairs flagged, per source",
    )
    a("--threads", type=int, default=1)


def base_matcher(args: argparse.Namespace) -> Any:
    """The neural matcher to combine (from a run, or a bundle's)."""
    if args.classifier is not None:
        from codeqa_train import runs

        kind, model = runs.load_classifier(args.classifier)
        if kind != "product":
            raise SystemExit(f"{args.classifier}: a baseline run; combine the product matcher")
        return model
    from codeqa_model.inference import Engine

    return Engine.load(args.bundle, threads=args.threads).matcher


def sibling_groups(args: argparse.Namespace, matcher: Any) -> Any:
    """`sibling_evidence.Siblings` from `--api-table` and the matcher's API doc sentences."""
    from codeqa_model.api_table import ApiTable
    from codeqa_model.sibling_evidence import Siblings

    if args.api_table is None:
        raise SystemExit("--sibling-weights needs --api-table (the bundle's api_table.json)")
    table = ApiTable.from_bytes(args.api_table.read_bytes())
    config = getattr(matcher, "config", None)
    docs = getattr(config, "extra", {}).get("api_docs") or {}
    return Siblings.from_table(table, docs)


def fit(args: argparse.Namespace, log: Any = print) -> dict[str, Any]:
    """Profiles from train, weights and threshold from valid; returns combiner and report."""
    import torch
    from codeqa_model.api_retriever import ApiRetriever
    from codeqa_model.combiner import COMBINER_FORMAT, evidence_matrix
    from codeqa_model.contrary_evidence import CONTRARY_FEATURES
    from codeqa_model.effect_evidence import EFFECT_FEATURES
    from codeqa_model.match_evidence import SWAP_FEATURES
    from codeqa_model.number_evidence import NUMBER_FEATURES
    from codeqa_model.retriever_evidence import RetrieverEvidence
    from codeqa_model.sibling_evidence import SIBLING_FEATURES
    from codeqa_train.matcher_data.blocks import read_blocks

    torch.set_num_threads(args.threads)
    prior = None
    if args.retriever is not None:
        prior = RetrieverEvidence(ApiRetriever.from_bytes(args.retriever.read_bytes()))
    names = feature_names(args.features, prior is not None)
    started = time.perf_counter()
    folder = args.matcher_data / "classifier"
    docs = train_doc_pairs(args.api_docs) if args.doc_profiles else []
    evidence = build_evidence(read_rows(folder / "train.jsonl") + docs, module_heads(args.api_docs))
    log(f"{len(evidence.profiles)} API profiles from the training split")
    valid = read_rows(folder / "valid.jsonl")
    for path in args.blocks:
        valid += read_blocks(path)
    pairs = [(r["intent"], r["snippet"]) for r in valid]
    labels = np.array([r["label"] for r in valid])
    kinds = np.array([r["kind"] for r in valid])
    sources = np.array([r.get("source", "") for r in valid])
    folds = np.array([fold_of(str(r.get("qid", i)), args.folds) for i, r in enumerate(valid)])
    matcher = base_matcher(args)
    with torch.inference_mode():
        base = np.asarray(matcher.score(pairs), dtype=np.float64)
    x = design(base, evidence_matrix(pairs, names, evidence, prior))
    rows = source_weights(labels, sources) if args.balance_sources else np.ones(len(labels))
    rows, block_weight = weigh_blocks(x, labels, sources, folds, rows, args)
    tail = block_weight.pop("tail_weight")
    oof = out_of_fold(x, labels, folds, args.c, rows)
    weights, bias = fit_weights(x, labels, args.c, rows)
    siblings, sibling_report = None, None
    if args.sibling_weights:
        siblings = sibling_groups(args, matcher)
        gap = evidence_matrix(pairs, SIBLING_FEATURES, evidence, siblings=siblings)[:, 0]
        oof, k, sibling_report = add_fixed_feature(
            oof, gap, labels, sources, args.sibling_weights, args.false_alarm_rate
        )
        log(f"sibling contrast weight {-k} (grid {sibling_report['negatives_flagged']})")
        if k > 0:
            names, weights = [*names, *SIBLING_FEATURES], [*weights, -k]
        else:
            siblings = None
    swap_report = None
    if args.literal_swap_weights:
        swap = evidence_matrix(pairs, SWAP_FEATURES, evidence)[:, 0]
        oof, k, swap_report = add_fixed_feature(
            oof, swap, labels, sources, args.literal_swap_weights, args.false_alarm_rate
        )
        log(f"literal swap weight {-k} (grid {swap_report['negatives_flagged']})")
        if k > 0:
            names, weights = [*names, *SWAP_FEATURES], [*weights, -k]
    # the effects, the contrary fact, the missing number, each feature in turn, as the literal
    # swap above
    fixed: dict[str, dict[str, Any]] = {}
    for features, grid in (
        (EFFECT_FEATURES, args.effect_weights),
        (CONTRARY_FEATURES, args.contrary_weights),
        (NUMBER_FEATURES, args.number_weights),
    ):
        if not grid:
            continue
        values = evidence_matrix(pairs, features, evidence)
        for j, name in enumerate(features):
            oof, k, fixed[name] = add_fixed_feature(
                oof, values[:, j], labels, sources, grid, args.false_alarm_rate
            )
            log(f"{name} weight {-k} (grid {fixed[name]['negatives_flagged']})")
            if k > 0:
                names, weights = [*names, name], [*weights, -k]
    effect_report = {n: fixed[n] for n in EFFECT_FEATURES if n in fixed} or None
    contrary_report = fixed.get(CONTRARY_FEATURES[0])
    number_report = fixed.get(NUMBER_FEATURES[0])
    threshold = threshold_for_sources(oof, labels, sources, args.false_alarm_rate)
    base_threshold = threshold_for_sources(base, labels, sources, args.false_alarm_rate)
    combiner = {
        "format": COMBINER_FORMAT,
        "features": ["matcher_logit", *names],
        "weights": weights,
        "bias": bias,
        "threshold": threshold,
        "evidence": evidence.to_dict(),
    }
    if siblings is not None:
        combiner["siblings"] = siblings.to_dict()
    report = {
        "split": f"classifier/valid of {args.matcher_data}, blocks {list(map(str, args.blocks))}"
        f" ({len(valid)} rows, {args.folds} folds by question/package/intent, out of fold)",
        "weights": dict(zip(combiner["features"], weights, strict=True)),
        "bias": bias,
        "threshold": threshold,
        "threshold_rule": f"at most {args.false_alarm_rate} of every source's true pairs flagged",
        "tail_weight": tail,
        "block_weight": block_weight,
        "sibling_weight": sibling_report,
        "literal_swap_weight": swap_report,
        "effect_weights": effect_report,
        "contrary_weight": contrary_report,
        "number_weight": number_report,
        "matcher": per_kind(base, labels, kinds, base_threshold),
        "matcher_threshold_same_rule": base_threshold,
        "combined": per_kind(oof, labels, kinds, threshold),
        "by_source": {
            source: {
                "matcher": per_kind(base[m], labels[m], kinds[m], base_threshold),
                "combined": per_kind(oof[m], labels[m], kinds[m], threshold),
            }
            for source in sorted(set(sources.tolist()))
            if (m := sources == source).any() and (labels[m] == 0).any()
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    return {"combiner": combiner, "report": report}


def run(args: argparse.Namespace) -> int:
    from codeqa_model.atomic import atomic_write_text
    from codeqa_model.combiner import COMBINER_FILE

    result = fit(args)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / COMBINER_FILE, json.dumps(result["combiner"]) + "\n")
    atomic_write_text(args.out / "report.json", json.dumps(result["report"], indent=1) + "\n")
    report = result["report"]
    for kind in report["combined"]:
        if kind == "false_alarms":
            continue
        before, after = report["matcher"][kind]["roc_auc"], report["combined"][kind]["roc_auc"]
        print(f"{kind:10s} ROC-AUC {100 * before:5.1f} -> {100 * after:5.1f}")
    print(f"tail weight {report['tail_weight']}")
    print(f"block weight {report['block_weight']}")
    if report["sibling_weight"] is not None:
        print(f"sibling weight {report['sibling_weight']['weight']}")
    if report["literal_swap_weight"] is not None:
        print(f"literal swap weight {report['literal_swap_weight']['weight']}")
    for name, effect in (report["effect_weights"] or {}).items():
        print(f"{name} weight {effect['weight']}")
    if report.get("contrary_weight") is not None:
        print(f"contrary weight {report['contrary_weight']['weight']}")
    if report.get("number_weight") is not None:
        print(f"number_missing weight {report['number_weight']['weight']}")
    print(
        f"false alarms {report['combined']['false_alarms']:.3f} at threshold "
        f"{report['threshold']:.4f}; wrote {args.out / COMBINER_FILE}"
    )
    return 0
