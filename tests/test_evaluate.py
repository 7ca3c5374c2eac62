"""`codeqa-train evaluate` end to end on fixtures, and its trivial baselines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import torch
from codeqa_train import evaluate, fit_classifier
from codeqa_train.data.curated import CuratedDataError
from codeqa_train.metrics import corpus_bleu

torch.set_num_threads(1)
DATA = Path(__file__).parent / "fixtures" / "models" / "data"


def _args(module, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser.parse_args(argv)


def test_tfidf_retrieves_the_most_similar_intent() -> None:
    pool = evaluate.TfidfRetriever(
        ["sort a list in reverse", "open a file for reading", "convert string to int"],
        ["x.sort(reverse=True)", "open(f)", "int(s)"],
    )
    assert pool.retrieve(["Reverse sort my list", "read the file", "zzz"]) == [
        "x.sort(reverse=True)",
        "open(f)",
        "x.sort(reverse=True)",  # no shared word: all scores 0, the first pool row
    ]
    with pytest.raises(ValueError, match="retrieval pool"):
        evaluate.TfidfRetriever([], [])


def test_generation_row_scores_top_candidate_and_best_of_k() -> None:
    refs = ["os.path.join(a, b)", "sorted(x, reverse=True)"]
    cands = [["print(a)", "os.path.join(a, b)"], ["sorted(x, reverse=True)", "x"]]
    row = evaluate.generation_row("m", "generator", refs, cands)
    assert row["bleu"] == pytest.approx(100 * corpus_bleu(refs, ["print(a)", refs[1]]))
    assert row["exact"] == 50.0
    assert row["best_of_2_bleu"] == pytest.approx(100.0)


def test_evaluate_writes_table_with_anchor_trivial_and_model_rows(tmp_path: Path) -> None:
    run = tmp_path / "clf"
    fit_args = _args(
        fit_classifier,
        [
            "--data",
            str(DATA),
            "--run-dir",
            str(run),
            "--epochs",
            "1",
            "--vocab-size",
            "300",
            "--threads",
            "1",
            "--no-progress",
            "--emb-dim",
            "16",
            "--hidden",
            "16",
        ],
    )
    assert fit_classifier.run(fit_args) == 0
    config = json.loads((run / "final" / "config.json").read_text())
    assert 0.0 < config["threshold"] < 1.0

    out = tmp_path / "eval"
    eval_args = _args(
        evaluate,
        [
            "--data",
            str(DATA),
            "--out",
            str(out),
            "--classifier",
            str(run),
            "--threads",
            "1",
            "--pool-sources",
            "conala",
        ],
    )
    assert evaluate.run(eval_args) == 0
    results = json.loads((out / "results.json").read_text())
    rows = {r["name"]: r for r in results["rows"]}
    assert results["n_test"] == 12
    assert rows["TranX (published)"]["bleu"] == 24.3
    # the echo row is measured exactly like a model's output
    intents = [json.loads(x)["intent"] for x in (DATA / "generator/test.jsonl").open()]
    snippets = [json.loads(x)["snippet"] for x in (DATA / "generator/test.jsonl").open()]
    assert rows["echo the intent"]["bleu"] == pytest.approx(100 * corpus_bleu(snippets, intents))
    clf = rows["product classifier"]["classifier"]
    assert clf["random"]["n"] == 24 and clf["hard"]["n"] == 24
    assert 0.0 <= clf["hard"]["roc_auc"] <= 1.0
    # slot-swap negatives are built from the test positives that have slots (one each)
    swaps = fit_classifier.slot_swap_negatives(fit_classifier.read_pairs(DATA, "test"), 1, 0)
    assert swaps and clf["slot-swap"]["n"] == 12 + len(swaps)
    table = (out / "results.md").read_text()
    assert "| ROC-AUC (swap) |" in table
    assert "| echo the intent | trivial |" in table and "| product classifier |" in table
    assert (out / "loss_curves.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "embedding_pca.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_extra_run_and_missing_split_are_clear_errors(tmp_path: Path) -> None:
    args = _args(evaluate, ["--data", str(DATA), "--out", str(tmp_path), "--extra-run", "x"])
    with pytest.raises(SystemExit, match="NAME=RUN_DIR"):
        evaluate.run(args)
    args = _args(evaluate, ["--data", str(tmp_path), "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="no generator/ directory"):
        evaluate.run(args)


def test_malformed_classifier_row_names_file_and_line(tmp_path: Path) -> None:
    d = tmp_path / "classifier"
    d.mkdir()
    (d / "test.jsonl").write_text(
        '{"intent": "a", "snippet": "b", "label": 1, "kind": "positive"}\n{"intent": 3}\n'
    )
    with pytest.raises(CuratedDataError, match=r"test.jsonl:2: field 'intent'"):
        fit_classifier.read_pairs(tmp_path, "test")


def _tiny_embedding(directory: Path, tokens: list[str], seed: int) -> Path:
    import numpy as np
    from codeqa_train.embed.io import save_embedding

    vectors = np.random.default_rng(seed).normal(size=(len(tokens), 6)).astype(np.float32)
    return save_embedding(directory, tokens, vectors, {"variant": "test"})


def test_baseline_row_and_stale_embeddings(tmp_path: Path) -> None:
    from codeqa_model.code_tokens import tokenize_code
    from codeqa_model.intent_tokens import tokenize_intent

    rows = [json.loads(x) for x in (DATA / "generator/train.jsonl").open()]
    intent_vocab = sorted({w for r in rows for w in tokenize_intent(r["intent"])})
    code_vocab = sorted({t for r in rows for t in tokenize_code(r["snippet"])})
    iemb = _tiny_embedding(tmp_path / "iemb", intent_vocab, 0)
    cemb = _tiny_embedding(tmp_path / "cemb", code_vocab, 1)
    run = tmp_path / "base"
    argv = ["--data", str(DATA), "--run-dir", str(run), "--variant", "baseline", "--epochs", "1"]
    argv += ["--embedding", str(cemb), "--intent-embedding", str(iemb), "--no-progress"]
    assert fit_classifier.run(_args(fit_classifier, argv)) == 0
    config = json.loads((run / "final/config.json").read_text())
    assert config["kind"] == "baseline" and config["intent_dim"] == config["code_dim"] == 6

    out = tmp_path / "eval"
    argv = ["--data", str(DATA), "--out", str(out), "--extra-run", f"seed baseline={run}"]
    assert evaluate.run(_args(evaluate, [*argv, "--no-plots"])) == 0
    rows_out = {r["name"]: r for r in json.loads((out / "results.json").read_text())["rows"]}
    assert rows_out["seed baseline"]["kind"] == "classifier (baseline)"
    assert rows_out["seed baseline"]["classifier"]["hard"]["n"] == 24

    _tiny_embedding(cemb, code_vocab, 2)  # retrained since: the row cannot be rebuilt honestly
    with pytest.raises(ValueError, match="re-run fit-classifier"):
        evaluate.run(_args(evaluate, [*argv, "--no-plots"]))


def test_rerank_follows_the_server_formula() -> None:
    import numpy as np
    from codeqa_model.generator import Candidate

    class FixedMatcher:
        def score(self, pairs):
            return np.array([{"a": 0.1, "b": 0.9, "c(": 1.0}[code] for _, code in pairs])

    cands = [
        Candidate("a", -0.1, (), -0.1),
        Candidate("b", -3.0, (), -3.0),
        Candidate("c(", 0.0, (), 0.0),
    ]
    # weight 1: match probability decides, but code that does not parse goes last
    assert evaluate.rerank("x", cands, FixedMatcher(), 1.0) == ["b", "a", "c("]
    # weight 0: beam share only
    assert evaluate.rerank("x", cands, FixedMatcher(), 0.0) == ["a", "b", "c("]
    assert evaluate.rerank("x", [], FixedMatcher(), 0.5) == [""]
