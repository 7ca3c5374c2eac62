"""`codeqa-train evaluate`: one results table on the CoNaLa test set (never trained on).

Generation rows: corpus BLEU-4 exactly as CoNaLa computes it (`train.metrics`), exact match and
best-of-k BLEU (oracle pick among the k beam candidates). Classification rows: accuracy at the
model's threshold, ROC-AUC and PR-AUC of the true pairs against random, hard and slot-swap
negatives. Slot-swap negatives (another test question's code with this intent's names put in, see
`fit_classifier.slot_swap_negatives`) are built here from the test positives with a fixed seed:
users' code always mentions their variables, so "names the slots" must not be enough to match.

Always present: the published anchors and two trivial rows measured the same way — echoing the
intent as the code, and TF-IDF nearest-intent retrieval from `generator/train.jsonl`. A model
row that does not clear the best trivial row by `--margin` BLEU points is called out in the
table's notes. Only `generator/test.jsonl`, `generator/train.jsonl` (the retrieval pool) and
`classifier/test.jsonl` are read.

With `--exec`, the executable set (`codeqa_train.exec_eval`; its test problems are read only
here) adds a second table: pass@1, pass@k and API hit of the trivial rows, the engines (the
bundle's; the runs as export would ship them, with `--extra-file`s and `--tuning`) and
every generator row.

Knowledge rows (issue 10): with a `retrieval.json` among the `--extra-file`s, retrieval alone
(its top k); and the product engine on CoNaLa test — generated and retrieved candidates,
reranked and API-checked, what the server returns (`exec_eval.command.runs_engine`, or the
`--bundle`'s engine). Every generation row also gets an "unseen API" twin: the test examples
whose reference calls a function that no snippet of `generator/train.jsonl` calls.

Writes OUT/results.json, OUT/results.md, OUT/loss_curves.png and OUT/embedding_pca.png.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from codeqa_model.atomic import atomic_file, atomic_write_text
from codeqa_train import runs
from codeqa_train.data.curated import curated_dir, read_curated
from codeqa_train.fit_classifier import (
    SLOT_SWAP,
    LabelledPair,
    read_pairs,
    slot_swap_negatives,
    split_metrics,
)
from codeqa_train.hygiene import hygiene
from codeqa_train.metrics import best_of_k_bleu, corpus_bleu, exact_match

# Published CoNaLa test BLEU (×100) that the table keeps for orientation; not measured here.
ANCHORS: tuple[tuple[str, float, str], ...] = (
    ("CoNaLa LSTM seq2seq baseline (published)", 14.7, "Yin et al. 2018"),
    ("TranX (published)", 24.3, "Yin & Neubig 2018"),
    ("TranX + reranking (published)", 30.1, "Yin & Neubig 2019, about 30"),
)
SLOT_SWAP_SEED = 0  # fixed: every evaluation scores the same slot-swap negatives
CLASSIFIER_KINDS = ("random", "hard", SLOT_SWAP)


# -- trivial baselines --------------------------------------------------------------------------


def echo_intent(intents: Sequence[str]) -> list[str]:
    """The intent itself as the 'code': BLEU rewards the names and strings it copies."""
    return list(intents)


class TfidfRetriever:
    """Nearest training intent by TF-IDF cosine (`data.similarity.tfidf_model`, fitted on the
    pool: the same words and weighting curation uses)."""

    def __init__(self, intents: Sequence[str], snippets: Sequence[str]) -> None:
        from codeqa_train.data.similarity import tfidf_model

        if not intents or len(intents) != len(snippets):
            raise ValueError("retrieval pool needs equally many (>0) intents and snippets")
        self.model = tfidf_model()
        self.matrix = self.model.fit_transform(intents)
        self.snippets = list(snippets)

    def retrieve(self, intents: Sequence[str]) -> list[str]:
        """The snippet of the most similar pool intent (first one on ties)."""
        sims = (self.model.transform(intents) @ self.matrix.T).toarray()
        return [self.snippets[i] for i in sims.argmax(1)]

    def retrieve_k(self, intents: Sequence[str], k: int) -> list[list[str]]:
        """The `k` most similar pool intents' distinct snippets, best first (stable on ties)."""
        sims = (self.model.transform(intents) @ self.matrix.T).toarray()
        out = []
        for row in sims:
            found: list[str] = []
            for i in np.argsort(-row, kind="stable"):
                if self.snippets[i] not in found:
                    found.append(self.snippets[i])
                if len(found) == k:
                    break
            out.append(found)
        return out


# -- rows ---------------------------------------------------------------------------------------


def generation_row(
    name: str, kind: str, refs: Sequence[str], candidates: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """BLEU / exact match of the top candidate and best-of-k BLEU over all candidates."""
    top = [c[0] if c else "" for c in candidates]
    row: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "bleu": 100 * corpus_bleu(refs, top),
        "exact": 100 * exact_match(refs, top),
    }
    k = max((len(c) for c in candidates), default=1)
    row[f"best_of_{k}_bleu"] = 100 * best_of_k_bleu(refs, candidates)[0]
    row["best_of_k"] = k
    row[CANDIDATES] = [list(c) for c in candidates]  # for the unseen-API twin; not written out
    return row


CANDIDATES = "_candidates"


def unseen_api_rows(
    rows: Sequence[dict[str, Any]], refs: Sequence[str], train_code: Sequence[str]
) -> tuple[list[dict[str, Any]], int]:
    """Each generation row again on the test examples calling a function no training snippet
    calls (`api_calls.unseen_api`); returns the rows and the slice's size."""
    from codeqa_train.api_calls import unseen_api

    keep = unseen_api(refs, train_code)
    if not keep:
        return [], 0
    out = []
    for row in rows:
        cands = row.get(CANDIDATES)
        if cands is None:
            continue
        sliced = generation_row(
            f"{row['name']} [unseen API]",
            row["kind"],
            [refs[i] for i in keep],
            [cands[i] for i in keep],
        )
        out.append(sliced)
    return out, len(keep)


def knowledge_rows(
    args: argparse.Namespace, test: TestSet
) -> tuple[list[dict[str, Any]], list[str]]:
    """Retrieval alone (when a `retrieval.json` is among the extra files) and the product
    engine (generated + retrieved, reranked, API-checked) on CoNaLa test; and a note per engine
    on its top-1 hygiene (`codeqa_train.hygiene`)."""
    import tempfile

    from codeqa_model.api_retriever import RETRIEVER_FILE
    from codeqa_model.retrieval import RETRIEVAL_FILE, load_index

    rows = []
    notes: list[str] = []
    index_file = next((f for f in args.extra_file if f.name == RETRIEVAL_FILE), None)
    learned_file = next((f for f in args.extra_file if f.name == RETRIEVER_FILE), None)
    if index_file is not None:
        # The index as the engine loads it: with the learned retriever when one ships.
        learned = None if learned_file is None else learned_file.read_bytes()
        index = load_index(index_file.read_bytes(), learned)
        hits = [[h.code for h in index.candidates(t, args.k)] or [""] for t in test.intents]
        scheme = index.scheme + (" + learned" if learned is not None else "")
        name = f"retrieval only ({scheme}, {len(index)} pairs: training + API docs)"
        rows.append(generation_row(name, "trivial", test.refs, hits))
    engines: dict[str, Any] = {}
    if args.bundle is not None:
        from codeqa_model.inference import Engine

        engines["product engine (bundle)"] = Engine.load(args.bundle, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="codeqa-eval-") as tmp:
        if args.generator is not None and args.classifier is not None:
            from codeqa_train.exec_eval.command import runs_engine

            engines["product engine (runs as exported)"] = runs_engine(
                args.generator, args.classifier, Path(tmp), args.extra_file, args.tuning,
                args.threads,
            )  # fmt: skip
        for name, engine in engines.items():
            suggested = [engine.suggest(t, k=args.k) for t in test.intents]
            found = [[s.code for s in ss] or [""] for ss in suggested]
            label = f"{name}: generated + retrieved, reranked, checked"
            rows.append(generation_row(label, "product", test.refs, found))
            top1 = [(ss[0].code, ss[0].imports) if ss else ("", ()) for ss in suggested]
            notes.append(hygiene(test.intents, top1).note(name))
    return rows, notes


def classification_row(
    name: str, kind: str, pairs: Sequence[LabelledPair], probs: np.ndarray, threshold: float
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "threshold": threshold,
        "classifier": split_metrics(pairs, probs, threshold),
    }


def read_generator_split(
    data: Path, split: str, sources: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """(intents, snippets) of a generator split, optionally only rows from `sources`."""
    path = curated_dir(data, "generator") / f"{split}.jsonl"
    rows = read_curated(path, {"intent": str, "snippet": str})
    if sources is not None:
        rows = [r for r in rows if r.get("source") in sources]
        if not rows:
            raise ValueError(f"{path}: no rows from sources {', '.join(sources)}")
    return [r["intent"] for r in rows], [r["snippet"] for r in rows]


# -- loading runs -------------------------------------------------------------------------------


def score_baseline(cfg: Any, net: Any, pairs: Sequence[LabelledPair]) -> np.ndarray:
    """Calibrated probabilities from a baseline run, rebuilding its fixed input vectors."""
    import torch
    from codeqa_train.fit_classifier import baseline_inputs, input_fingerprints

    extra = cfg.extra
    ns = argparse.Namespace(
        code_repr=cfg.code_repr,
        embedding=Path(extra["code_source"]) if cfg.code_repr == "avg" else None,
        generator=Path(extra["code_source"]) if cfg.code_repr == "hc" else None,
        intent_embedding=Path(extra["intent_embedding"]),
    )
    expected = extra.get("fingerprints")
    if expected is not None and input_fingerprints(ns) != expected:
        raise ValueError(
            f"baseline inputs changed since training ({extra['code_source']}, "
            f"{extra['intent_embedding']} were retrained): re-run fit-classifier for this baseline"
        )
    rows, collate, _, _ = baseline_inputs(pairs, ns)
    with torch.inference_mode():
        logits = net(*collate(rows)).double()
    return torch.sigmoid(cfg.platt_a * logits + cfg.platt_b).numpy()


def rerank(intent: str, candidates: Sequence[Any], matcher: Any, weight: float) -> list[str]:
    """Candidates reordered exactly as the server does (`model.inference.combine_scores`, then
    `rank`: parseable first, then by combined score)."""
    from codeqa_model.inference import combine_scores, rank

    if not candidates:
        return [""]
    # the server reranks with the matcher alone (a combiner judges written code only)
    probs = getattr(matcher, "base", matcher).score([(intent, c.code) for c in candidates])
    scores = combine_scores([c.score for c in candidates], probs, weight)
    return [s.code for s in rank(candidates, scores, len(candidates))]


# -- table --------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def _cls(row: dict[str, Any], kind: str, metric: str) -> Any:
    value = row.get("classifier", {}).get(kind, {}).get(metric)
    return None if value is None else 100 * value


def results_markdown(rows: Sequence[dict[str, Any]], notes: Sequence[str], n_test: int) -> str:
    """The results table (BLEU etc. ×100) with notes under it."""
    head = (
        "| model | kind | BLEU | exact | best-of-k BLEU | acc (rnd) | ROC-AUC (rnd) | PR-AUC (rnd) "
        "| acc (hard) | ROC-AUC (hard) | PR-AUC (hard) "
        "| acc (swap) | ROC-AUC (swap) | PR-AUC (swap) |"
    )
    lines = [
        f"Results on the CoNaLa test set ({n_test} examples; BLEU as the CoNaLa benchmark "
        "computes it, ×100; classifier metrics ×100).",
        "",
        head,
        "|" + "---|" * 14,
    ]
    for r in rows:
        best_k = next(
            (v for k, v in r.items() if k.startswith("best_of_") and k.endswith("_bleu")), None
        )
        cells = [
            r["name"],
            r["kind"],
            _fmt(r.get("bleu")),
            _fmt(r.get("exact")),
            _fmt(best_k),
            *(
                _fmt(_cls(r, k, m))
                for k in CLASSIFIER_KINDS
                for m in ("accuracy", "roc_auc", "pr_auc")
            ),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


# -- pictures -----------------------------------------------------------------------------------


def plot_loss_curves(run_dirs: dict[str, Path], out: Path) -> Path | None:
    """train/valid loss per epoch of every run that has a metrics.jsonl."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = {}
    for name, run in run_dirs.items():
        path = runs.history_path(run)
        if path.is_file():
            series[name] = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    if not series:
        return None
    cols = min(3, len(series))
    rows = math.ceil(len(series) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(series) :]:
        ax.set_visible(False)
    for ax, (name, records) in zip(axes.flat, series.items(), strict=False):
        epochs = [r["epoch"] for r in records]
        for key in ("train_loss", "valid_loss"):
            if all(key in r for r in records):
                ax.plot(epochs, [r[key] for r in records], marker="o", label=key)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch")
        ax.legend()
    fig.tight_layout()
    target = out / "loss_curves.png"
    _save_figure(fig, target)
    plt.close(fig)
    return target


def plot_embedding_pca(
    vectors: np.ndarray, labels: Sequence[str], out: Path, n_labels: int = 60
) -> Path:
    """PCA to 2-D of token vectors, the first `n_labels` (most frequent) labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = vectors - vectors.mean(0, keepdims=True)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.scatter(xy[:, 0], xy[:, 1], s=6, alpha=0.5)
    for i, label in enumerate(labels[:n_labels]):
        ax.annotate(label, xy[i], fontsize=7)
    ax.set_title(f"code-token embeddings, PCA of {len(labels)} frequent tokens")
    target = out / "embedding_pca.png"
    _save_figure(fig, target)
    plt.close(fig)
    return target


def _save_figure(fig: Any, target: Path) -> None:
    """PNG written atomically, so a half-drawn picture never replaces a good one."""
    with atomic_file(target) as handle:
        fig.savefig(handle, format="png", dpi=110)


def frequent_code_embeddings(
    matcher: Any, snippets: Sequence[str], n: int = 300
) -> tuple[np.ndarray, list[str]]:
    """The product classifier's embeddings of the `n` most frequent whole-word code tokens."""
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.subword import encode_words

    tok = matcher.encoder.code_tok
    counts: Counter[int] = Counter()
    for s in snippets:
        counts.update(i for i in encode_words(tok, tokenize_code(s)) if i > 3)
    # continuation pieces ("##...") are fragments, not tokens a reader recognises
    ids = [i for i, _ in counts.most_common() if not tok.id_to_token(i).startswith("##")][:n]
    weight = matcher.code_embeddings()  # the bundle's matcher is numpy, a run's torch
    return weight[ids], [tok.id_to_token(i) for i in ids]


# -- the command --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("--data", type=Path, default=Path("out/data"), help="output of `codeqa-train data`")
    a("--out", type=Path, default=Path("out/eval"), help="where results.{json,md} go")
    a("--bundle", type=Path, default=None, help="an exported bundle (generator + classifier)")
    a("--generator", type=Path, default=None, help="a fit-generator run dir")
    a("--classifier", type=Path, default=None, help="a fit-classifier run dir")
    a(
        "--extra-run",
        action="append",
        default=[],
        metavar="NAME=RUN_DIR",
        help="another generator or classifier run to add as a row (repeatable)",
    )
    a(
        "--pool-sources",
        default="conala,conala-mined,conala-curated,staqc,staqc-annotated",
        help="sources of the TF-IDF retrieval pool (default: all but Django pseudo-code)",
    )
    a("--k", type=int, default=5, help="candidates per intent for best-of-k BLEU")
    a("--rerank-weight", type=float, default=0.5, help="classifier share of the rerank score")
    a(
        "--tuning",
        type=Path,
        default=None,
        help="`codeqa-train tune` output: the product runs decode, rerank and flag with its knobs "
        "(overrides --rerank-weight), as the exported bundle will",
    )
    a("--margin", type=float, default=3.0, help="BLEU points a model must beat trivial rows by")
    a("--limit", type=int, default=None, help="evaluate only the first N test examples")
    a("--no-plots", action="store_true")
    a("--exec", action="store_true", help="also run the executable set (pass@k, API hit)")
    a(
        "--extra-file",
        type=Path,
        action="append",
        default=[],
        help="knowledge file the bundle will ship (as for export): the --exec engine built "
        "from --generator and --classifier uses it too; repeatable",
    )
    a(
        "--matcher-data",
        type=Path,
        default=None,
        help="output of `python -m codeqa_train.matcher_data`: adds StaQC dev and held-out-package "
        "rows for each product classifier (its test-*.jsonl files are read here only)",
    )
    a("--threads", type=int, default=2)


@dataclass
class Models:
    """What `evaluate` scores: generators and classifiers by row name, and the run dirs read."""

    generators: dict[str, Any] = field(default_factory=dict)
    classifiers: dict[str, tuple[str, Any]] = field(default_factory=dict)
    run_dirs: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class TestSet:
    """The CoNaLa test intents with their reference snippets, and the classifier test pairs."""

    intents: list[str]
    refs: list[str]
    pairs: list[LabelledPair]


# Classifier rows whose model also reranks every generator's candidates.
RERANKERS = ("product classifier", "product classifier (bundle)")


def read_test_set(data: Path, limit: int | None) -> TestSet:
    """The test splits (the only place they are read), plus fixed-seed slot-swap negatives."""
    intents, refs = read_generator_split(data, "test")
    pairs = read_pairs(data, "test")
    if limit:
        intents, refs, pairs = intents[:limit], refs[:limit], pairs[: 3 * limit]
    pairs += slot_swap_negatives(pairs, 1, SLOT_SWAP_SEED)
    return TestSet(intents, refs, pairs)


def load_models(args: argparse.Namespace) -> Models:
    """The bundle, the product runs and every `--extra-run`, keyed by their row names."""
    models = Models()
    if args.bundle is not None:
        from codeqa_model.inference import Engine

        engine = Engine.load(args.bundle, threads=args.threads)
        models.generators["product generator (bundle)"] = engine.generator
        matcher = engine.matcher
        if engine.combiner is not None:  # the bundle judges pairs with matcher + API evidence
            from codeqa_model.combiner import CombinedMatcher

            matcher = CombinedMatcher(matcher, engine.combiner)
        models.classifiers["product classifier (bundle)"] = ("product", matcher)
    if args.generator is not None:
        models.generators["product generator"] = runs.load_generator(args.generator)
        models.run_dirs["generator"] = args.generator
    if args.classifier is not None:
        models.classifiers["product classifier"] = _with_combiner(
            runs.load_classifier(args.classifier), args.extra_file
        )
        models.run_dirs["classifier"] = args.classifier
    for spec in args.extra_run:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--extra-run {spec!r}: expected NAME=RUN_DIR")
        run_dir = Path(path)
        models.run_dirs[name] = run_dir
        if runs.is_classifier_run(run_dir):
            models.classifiers[name] = runs.load_classifier(run_dir)
        else:
            models.generators[name] = runs.load_generator(run_dir)
    return models


def _with_combiner(classifier: tuple[str, Any], extra_files: Sequence[Path]) -> tuple[str, Any]:
    """The run's matcher judged as export would ship it: with a `combiner.json` among the
    `--extra-file`s (`fit-combiner`), its score and threshold are the combiner's."""
    from codeqa_model.combiner import COMBINER_FILE, CombinedMatcher, Combiner

    kind, model = classifier
    path = next((f for f in extra_files if f.name == COMBINER_FILE), None)
    if kind != "product" or path is None:
        return classifier
    combiner = Combiner.from_files(extra_files)  # with the retriever.safetensors beside it
    assert combiner is not None  # its combiner.json is among them
    return kind, CombinedMatcher(model, combiner)


def apply_tuning(models: Models, args: argparse.Namespace) -> None:
    """Give the product runs the knobs `codeqa-train tune` chose (on validation)."""
    from codeqa_train.tune import read_tuning, tuned_generator, tuned_matcher

    tuning = read_tuning(args.tuning)
    if "product generator" in models.generators:
        models.generators["product generator"] = tuned_generator(
            models.generators["product generator"], tuning
        )
    kind, model = models.classifiers.get("product classifier", ("", None))
    if kind == "product":
        models.classifiers["product classifier"] = (kind, tuned_matcher(model, tuning))
    args.rerank_weight = float(tuning["knobs"].get("rerank_weight", args.rerank_weight))


def reference_rows(
    test: TestSet, pool_intents: list[str], pool_snippets: list[str], k: int = 5
) -> list[dict]:
    """The published anchors and the two trivial rows, measured like a model's output (TF-IDF
    offers its k nearest intents' snippets, for best-of-k)."""
    rows: list[dict[str, Any]] = [
        {"name": name, "kind": "published", "bleu": bleu, "source": source}
        for name, bleu, source in ANCHORS
    ]
    echo = [[t] for t in test.intents]
    rows.append(generation_row("echo the intent", "trivial", test.refs, echo))
    retrieved = TfidfRetriever(pool_intents, pool_snippets).retrieve_k(test.intents, k)
    rows.append(generation_row("TF-IDF nearest intent", "trivial", test.refs, retrieved))
    return rows


def generator_rows(
    generators: dict[str, Any], test: TestSet, k: int
) -> tuple[list[dict[str, Any]], dict[str, list[list[Any]]]]:
    """One row per generator, and its candidates per test intent (for reranking): k, or its beam
    size when larger, as the engine asks for."""
    rows, candidates_of = [], {}
    for name, gen in generators.items():
        width = max(k, int(getattr(gen.cfg, "beam_size", k)))
        generated = [gen.generate(t, k=width) for t in test.intents]
        candidates_of[name] = generated
        rows.append(
            generation_row(name, "generator", test.refs, [[c.code for c in g] for g in generated])
        )
    return rows, candidates_of


def classifier_rows(
    classifiers: dict[str, tuple[str, Any]],
    test: TestSet,
    candidates_of: dict[str, list[list[Any]]],
    weight: float,
) -> list[dict[str, Any]]:
    """One row per classifier; a reranker adds a reranked row per generator."""
    rows = []
    pairs = [(p.intent, p.snippet) for p in test.pairs]
    for name, (kind, model) in classifiers.items():
        if kind == "product":
            probs, threshold = model.score(pairs), model.threshold
        else:
            cfg, net = model
            probs, threshold = score_baseline(cfg, net, test.pairs), cfg.threshold
        rows.append(classification_row(name, f"classifier ({kind})", test.pairs, probs, threshold))
        if name not in RERANKERS:
            continue
        for gname, generated in candidates_of.items():
            reranked = [
                rerank(intent, cands, model, weight)
                for intent, cands in zip(test.intents, generated, strict=True)
            ]
            label = f"{gname} reranked by {name} (weight {weight:g})"
            rows.append(generation_row(label, "generator", test.refs, reranked))
    return rows


def table_notes(
    rows: Sequence[dict[str, Any]],
    classifiers: dict[str, tuple[str, Any]],
    pool_sources: Sequence[str],
    pool_size: int,
    margin: float,
) -> list[str]:
    """What the table's reader must know, and every generator row (in `rows`, the reference and
    generator rows) that fails to beat the best trivial row by `margin`."""
    notes = [
        "Published rows are quoted from the papers, not re-measured.",
        f"Trivial rows are measured here; TF-IDF retrieves from generator/train.jsonl rows of "
        f"{', '.join(pool_sources)} ({pool_size} pairs).",
    ]
    trivial_best = max(r["bleu"] for r in rows if r["kind"] == "trivial")
    for row in rows:
        if row["kind"] == "generator" and row["bleu"] < trivial_best + margin:
            notes.append(
                f"{row['name']}: BLEU {row['bleu']:.1f} does not clear the best trivial row "
                f"({trivial_best:.1f}) by {margin:g} points: it has learned little."
            )
    if classifiers:
        notes.append(
            "Classifier accuracy is at each model's own threshold (chosen on validation to flag "
            "5% of true matches), over true pairs plus one negative kind; ROC-AUC and PR-AUC "
            "need no threshold. Slot-swap (swap) negatives: another test question's code with "
            "this intent's names restored into it (one per test positive that has slots, seed "
            f"{SLOT_SWAP_SEED}). Targets: ROC-AUC ≥ 95 random, ≥ 80 hard."
        )
        reprs = {m[0].code_repr for k, m in classifiers.values() if k == "baseline"}
        if reprs and "hc" not in reprs:
            notes.append("No decoder h⊙c baseline row: no such fit-classifier run was given.")
    return notes


# (file under MATCHER_DATA/classifier/, row label) of the matcher's real-code test sets
MATCHER_SETS = (
    ("test-staqc-dev.jsonl", "StaQC dev (human labels, raw snippets)"),
    ("test-packages.jsonl", "held-out packages (doc sentence → call; hard, random, API-swap)"),
)


def matcher_rows(
    classifiers: dict[str, tuple[str, Any]], test: TestSet, matcher_data: Path
) -> list[dict[str, Any]]:
    """Per product classifier and set: ROC-AUC of true pairs against all negatives and each
    kind, and the false-alarm rate (true pairs below the model's threshold)."""
    sets = {"CoNaLa test (random, hard, slot-swap)": test.pairs}
    for name, label in MATCHER_SETS:
        rows = read_curated(
            matcher_data / "classifier" / name, {"intent": str, "snippet": str, "label": int}
        )
        sets[label] = [
            LabelledPair(r["intent"], r["snippet"], r["label"], r["kind"], str(r.get("qid", "")))
            for r in rows
        ]
    out = []
    for cname, (kind, model) in classifiers.items():
        if kind != "product":
            continue
        for label, pairs in sets.items():
            probs = np.asarray(model.score([(p.intent, p.snippet) for p in pairs]))
            labels = np.array([p.label for p in pairs])
            metrics = split_metrics(pairs, probs, model.threshold)
            out.append(
                {
                    "name": cname,
                    "set": label,
                    "n": len(pairs),
                    "roc_auc": {k: m["roc_auc"] for k, m in metrics.items()},
                    "false_alarms": float((probs[labels == 1] < model.threshold).mean()),
                }
            )
    return out


def matcher_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The real-code table: ROC-AUC (×100) against all negatives and per kind, false alarms."""
    lines = [
        "Matcher on real code (ROC-AUC ×100 of true pairs against all negatives and per "
        "negative kind; false alarms: % of true pairs below the threshold).",
        "",
        "| classifier | set | pairs | ROC-AUC (all) | per kind | false alarms % |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        kinds = ", ".join(f"{k} {100 * v:.1f}" for k, v in r["roc_auc"].items() if k != "all")
        all_ = r["roc_auc"].get("all")
        lines.append(
            f"| {r['name']} | {r['set']} | {r['n']} | {_fmt(None if all_ is None else 100 * all_)} "
            f"| {kinds} | {100 * r['false_alarms']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def draw_pictures(models: Models, pool_snippets: Sequence[str], out: Path) -> dict[str, str]:
    """Loss curves of the runs read, and the product classifier's code embeddings (PCA)."""
    pictures: dict[str, str] = {}
    curves = plot_loss_curves(models.run_dirs, out)
    if curves is not None:
        pictures["loss_curves"] = curves.name
    product = next((m for k, m in models.classifiers.values() if k == "product"), None)
    if product is not None:
        vecs, labels = frequent_code_embeddings(product, pool_snippets)
        pictures["embedding_pca"] = plot_embedding_pca(vecs, labels, out).name
    return pictures


def exec_test_rows(
    args: argparse.Namespace, models: Models, pool: tuple[list[str], list[str]]
) -> list[dict[str, Any]]:
    """Every row on the executable set's TEST problems (`exec_eval.command.evaluate_rows`)."""
    from codeqa_train.exec_eval.command import evaluate_rows

    both = args.generator is not None and args.classifier is not None
    return evaluate_rows(
        args.bundle,
        models.generators,
        pool,
        runs=(args.generator, args.classifier) if both else None,
        extra_files=args.extra_file,
        tuning=args.tuning,
        k=args.k,
        threads=args.threads,
        limit=args.limit,
    )


def run(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    test = read_test_set(args.data, args.limit)
    pool_sources = [x for x in args.pool_sources.split(",") if x]
    pool_intents, pool_snippets = read_generator_split(args.data, "train", pool_sources)
    models = load_models(args)
    if args.tuning is not None:
        apply_tuning(models, args)

    rows = reference_rows(test, pool_intents, pool_snippets, args.k)
    gen_rows, candidates_of = generator_rows(models.generators, test, args.k)
    rows += gen_rows
    notes = table_notes(rows, models.classifiers, pool_sources, len(pool_intents), args.margin)
    rows += classifier_rows(models.classifiers, test, candidates_of, args.rerank_weight)
    knowledge, hygiene_notes = knowledge_rows(args, test)
    rows += knowledge
    notes += hygiene_notes
    train_code = read_generator_split(args.data, "train")[1]
    unseen, n_unseen = unseen_api_rows(rows, test.refs, train_code)
    rows += unseen
    notes.append(
        f"[unseen API] rows: the {n_unseen} test examples whose reference calls a function that "
        "no snippet of generator/train.jsonl calls (names compared by their last part)."
    )
    for row in rows:
        row.pop(CANDIDATES, None)
    pictures = {} if args.no_plots else draw_pictures(models, pool_snippets, args.out)
    pool = (pool_intents, pool_snippets)
    exec_rows = exec_test_rows(args, models, pool) if args.exec else []
    real = matcher_rows(models.classifiers, test, args.matcher_data) if args.matcher_data else []

    results = {
        "n_test": len(test.refs),
        "n_classifier_test": len(test.pairs),
        "rows": rows,
        "notes": notes,
        "pictures": pictures,
        "exec_rows": exec_rows,
        "matcher_sets": real,
    }
    atomic_write_text(args.out / "results.json", json.dumps(results, indent=1) + "\n")
    table = results_markdown(rows, notes, len(test.refs))
    if exec_rows:
        from codeqa_train.exec_eval.command import exec_markdown

        table += "\n" + exec_markdown(exec_rows, "test", exec_rows[0]["exec"]["n"], args.k)
    if real:
        table += "\n" + matcher_markdown(real)
    atomic_write_text(args.out / "results.md", table)
    print(table)
    return 0
