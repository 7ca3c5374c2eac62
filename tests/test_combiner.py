"""The matcher/evidence combiner: its bundle file is checked on load, the engine judges pairs
and flags by it when a bundle carries one, old bundles score as before, and `fit-combiner`'s
threshold and out-of-fold scores follow their rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from codeqa_model.bundle import BundleError
from codeqa_model.combiner import COMBINER_FILE, COMBINER_FORMAT, Combiner, design_matrix
from codeqa_model.inference import Engine
from codeqa_model.match_evidence import FEATURES, Evidence
from codeqa_train.fit_combiner import fold_of, out_of_fold, threshold_for_sources
from tiny_models import save_tiny_bundle, train_tiny

torch.set_num_threads(1)

EVIDENCE = Evidence(
    {"os.getcwd": {"current": 0.7, "directory": 0.7}, "os.listdir": {"list": 0.7, "file": 0.7}},
    {"current": 2.0, "directory": 1.5, "list": 1.2, "file": 1.2},
    ["os"],
)


def _combiner_bytes(weights: list[float], bias: float = 0.0, threshold: float = 0.3) -> bytes:
    return json.dumps(
        {
            "format": COMBINER_FORMAT,
            "features": ["matcher_logit", *FEATURES],
            "weights": weights,
            "bias": bias,
            "threshold": threshold,
            "evidence": EVIDENCE.to_dict(),
        }
    ).encode()


def test_logit_weight_one_and_no_evidence_weight_gives_back_the_matcher() -> None:
    combiner = Combiner.from_bytes(_combiner_bytes([1.0] + [0.0] * len(FEATURES)))
    pairs = [("current directory", "os.listdir('.')"), ("x", "y = 1")]
    assert combiner.probs(pairs, [0.2, 0.9]) == pytest.approx([0.2, 0.9])


def test_a_rival_weight_lowers_a_swapped_call() -> None:
    weights = [1.0] + [-3.0 if f == "rival" else 0.0 for f in FEATURES]
    combiner = Combiner.from_bytes(_combiner_bytes(weights))
    wrong, right = combiner.probs(
        [
            ("get the current directory", "os.listdir('.')"),
            ("get the current directory", "os.getcwd()"),
        ],
        [0.5, 0.5],
    )
    assert wrong < 0.4 and right == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{", "not JSON"),
        (json.dumps({"format": 99}).encode(), "not a format-1 combiner"),
        (json.dumps({"format": 1, "features": ["x"]}).encode(), "not this version's"),
    ],
)
def test_malformed_combiner_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Combiner.from_bytes(data)
    with pytest.raises(ValueError, match="threshold"):
        Combiner.from_bytes(_combiner_bytes([0.0] * (1 + len(FEATURES)), threshold=1.5))


def test_design_matrix_is_the_clipped_logit_then_the_features() -> None:
    x = design_matrix(np.array([0.5, 1.0]), np.zeros((2, len(FEATURES))))
    assert x.shape == (2, 1 + len(FEATURES))
    assert x[0, 0] == pytest.approx(0.0) and 10 < x[1, 0] < 20


@pytest.fixture(scope="module")
def parts():
    return train_tiny()


def _bundle(parts, out: Path, extra: dict[str, bytes] | None) -> Path:
    return save_tiny_bundle(parts, out, extra_files=extra)


def test_engine_scores_and_flags_with_the_bundle_combiner(parts, tmp_path: Path) -> None:
    weights = [0.5] + [-3.0 if f == "rival" else 0.0 for f in FEATURES]
    plain = Engine.load(_bundle(parts, tmp_path / "plain", None))
    combined = Engine.load(
        _bundle(parts, tmp_path / "comb", {COMBINER_FILE: _combiner_bytes(weights, 0.1, 0.42)})
    )
    assert plain.combiner is None and plain.threshold == plain.matcher.threshold
    assert combined.threshold == pytest.approx(0.42)
    pairs = [("get the current directory", "os.listdir('.')"), ("sort a list", "sorted(xs)")]
    base = plain.score(pairs)
    expected = combined.combiner.probs(pairs, np.asarray(base))
    assert combined.score(pairs) == pytest.approx(list(expected))
    assert combined.score(pairs) != pytest.approx(base)


def test_a_damaged_combiner_file_is_a_bundle_error(parts, tmp_path: Path) -> None:
    path = _bundle(parts, tmp_path / "bad", {COMBINER_FILE: b'{"format": 1}'})
    with pytest.raises(BundleError, match=r"combiner\.json: not a combiner"):
        Engine.load(path)


def test_threshold_holds_the_false_alarm_rate_for_every_source() -> None:
    rng = np.random.default_rng(0)
    probs = np.concatenate([rng.uniform(0.5, 1.0, 100), rng.uniform(0.0, 1.0, 100)])
    labels = np.ones(200, dtype=int)
    sources = np.array(["easy"] * 100 + ["hard"] * 100)
    threshold = threshold_for_sources(probs, labels, sources, 0.05)
    for source in ("easy", "hard"):
        assert (probs[sources == source] < threshold).mean() <= 0.05
    assert (probs[sources == "hard"] < threshold).mean() == pytest.approx(0.05, abs=0.011)


def test_out_of_fold_scores_come_from_fits_without_the_row() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] > 0).astype(int)
    folds = np.array([fold_of(f"q{i}", 4) for i in range(400)])
    assert set(folds.tolist()) == {0, 1, 2, 3} and fold_of("q7", 4) == fold_of("q7", 4)
    oof = out_of_fold(x, y, folds, 1.0)
    assert ((oof > 0.5) == (y == 1)).mean() > 0.9
    # a fold made of one row's copies alone: its score cannot have seen its own label
    x2, y2 = np.vstack([x, [[5.0, 0.0]] * 3]), np.concatenate([y, [0, 0, 0]])
    f2 = np.concatenate([folds, [9, 9, 9]])
    assert out_of_fold(x2, y2, f2, 1.0)[-1] > 0.5


def test_tune_keeps_the_matcher_threshold_and_reports_the_combined_one() -> None:
    from codeqa_train.tune import ValidSet, choose_threshold

    pairs = [(f"i{n}", f"c{n}") for n in range(40)]
    labels = [1] * 20 + [0] * 20
    base = {p: 0.5 + n / 100 if n < 20 else 0.2 for n, p in enumerate(pairs)}

    class Matcher:
        def score(self, todo):
            return [base[p] for p in todo]

    class Engine:
        matcher = Matcher()
        combiner = type("C", (), {"threshold": 0.45})()

        def score(self, todo):
            return [base[p] - 0.1 for p in todo]  # what the combined score would be

    valid = ValidSet([], [], "g", pairs, labels, ["positive"] * 20 + ["random"] * 20, "c")
    threshold, why = choose_threshold(Engine(), valid, 0.05)
    assert 0.5 < threshold < 0.52  # 5% of the matcher's own true-pair scores, not the combined
    assert why["value"] == pytest.approx(0.05) and why["negatives_flagged"] == {"random": 1.0}
    combined = why["combined"]
    assert combined["threshold"] == 0.45
    assert combined["value"] == pytest.approx(0.25)  # 0.40..0.44 fall below 0.45 once combined
    assert combined["negatives_flagged"] == {"random": 1.0}


def test_doc_profiles_use_training_stdlib_modules_only(tmp_path: Path) -> None:
    from codeqa_train.fit_combiner import train_doc_pairs
    from codeqa_train.matcher_data.sources import split_of

    names = ["os", "json", "shutil", "csv", "glob", "re", "math", "random", "string", "time"]
    train = next(n for n in names if split_of(f"pkg:{n}") == "train")
    held = next(n for n in names if split_of(f"pkg:{n}") != "train")
    std = (
        (f"{train}.alpha", "function", "Do the alpha thing well. More.", "stdlib"),
        (f"{train}.Beta.gamma", "method", "Return the gamma of it.", "python3.11-doc"),
        (f"{train}.CONST", "data", "A constant value here.", "stdlib"),
        (f"{train}.short", "function", "Short.", "stdlib"),
        (f"{held}.delta", "function", "Do the delta thing well.", "stdlib"),
        ("pandas.read_csv", "f", "Read a comma-separated file.", "pypi:pandas"),
    )
    rows = [{"path": p, "kind": k, "doc": d, "source": s} for p, k, d, s in std]
    path = tmp_path / "api_docs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert train_doc_pairs(path) == [
        {"intent": "Do the alpha thing well", "snippet": f"{train}.alpha()", "label": 1},
        {"intent": "Return the gamma of it", "snippet": "x.gamma()", "label": 1},
    ]
    assert train_doc_pairs(tmp_path / "missing.jsonl") == []


def test_source_weights_give_every_source_of_true_pairs_the_same_total() -> None:
    from codeqa_train.fit_combiner import source_weights

    labels = np.array([1, 1, 1, 1, 1, 1, 0, 0])
    sources = np.array(["docs"] * 4 + ["staqc"] * 2 + ["docs", "staqc"])
    w = source_weights(labels, sources)
    assert w[:4].sum() == pytest.approx(w[4:6].sum()) == pytest.approx(3.0)
    assert w[6:].tolist() == [1.0, 1.0]  # negatives unweighted


def test_the_binding_source_and_the_negatives_its_threshold_flags() -> None:
    from codeqa_train.fit_combiner import binding_source, negatives_flagged

    probs = np.array([0.9, 0.8, 0.3, 0.2, 0.1, 0.5])
    labels = np.array([1, 1, 1, 1, 0, 0])
    sources = np.array(["a", "a", "b", "b", "a", "b"])
    assert binding_source(probs, labels, sources, 0.05) == "b"
    # a flags its negative (0.1 < 0.4), b does not (0.5): the mean of 1 and 0
    assert negatives_flagged(probs, labels, sources, 0.4) == pytest.approx(0.5)


def test_tail_weights_are_chosen_out_of_fold_by_the_negatives_flagged() -> None:
    import argparse

    from codeqa_train.fit_combiner import weigh_tail

    rng = np.random.default_rng(3)
    n = 600
    sources = np.array(["easy", "hard"] * (n // 2))
    labels = (rng.uniform(size=n) < 0.5).astype(int)
    signal = np.where(labels == 1, 1.0, -1.0) * np.where(sources == "easy", 2.0, 0.5)
    x = np.column_stack([signal + rng.normal(size=n), (sources == "hard").astype(float)])
    folds = np.array([fold_of(f"r{i}", 4) for i in range(n)])
    rows = np.ones(n)
    args = argparse.Namespace(c=1.0, false_alarm_rate=0.05, tail_weights=[1.0])
    same, report = weigh_tail(x, labels, sources, folds, rows, args)
    assert report["weight"] == 1.0 and np.array_equal(same, rows)
    args.tail_weights = [1.0, 4.0]
    weighted, report = weigh_tail(x, labels, sources, folds, rows, args)
    assert report["source"] == "hard" and set(report["negatives_flagged"]) == {"1.0", "4.0"}
    # the hard source's positives weighed 4x lift its low tail, so its threshold flags more
    grid = report["negatives_flagged"]
    assert grid["4.0"] > grid["1.0"] and report["weight"] == 4.0
    heavier = (labels == 1) & (sources == "hard")
    assert np.all(weighted[heavier] == report["weight"]) and np.all(weighted[~heavier] == 1.0)


@pytest.mark.parametrize(("doc_signal", "chosen"), [(3.0, 8.0), (1.0, 1.0)])
def test_block_weights_are_chosen_out_of_fold_by_the_negatives_flagged(
    doc_signal: float, chosen: float
) -> None:
    import argparse

    from codeqa_train.fit_combiner import weigh_blocks

    rng = np.random.default_rng(5)
    n = 800
    sources = np.array(["blocks", "docs", "docs", "docs"] * (n // 4))
    labels = (rng.uniform(size=n) < 0.5).astype(int)
    # one feature tells the blocks apart, another the docs: weights fitted mostly on the docs
    # under-use the blocks' feature
    is_block = sources == "blocks"
    sign = np.where(labels == 1, 1.0, -1.0)
    block_feature = np.where(is_block, 2.0 * sign, 0.0) + rng.normal(size=n)
    doc_feature = np.where(is_block, 0.0, doc_signal * sign) + rng.normal(size=n)
    x = np.column_stack([doc_feature, block_feature, is_block.astype(float)])
    folds = np.array([fold_of(f"r{i}", 4) for i in range(n)])
    rows = np.ones(n)
    args = argparse.Namespace(c=0.01, false_alarm_rate=0.05, tail_weights=[1.0])
    args.block_weights = [1.0]
    same, report = weigh_blocks(x, labels, sources, folds, rows, args)
    assert report["weight"] == 1.0 and np.array_equal(same, rows)
    args.block_weights = [1.0, 8.0]
    weighted, report = weigh_blocks(x, labels, sources, folds, rows, args)
    grid = report["grid"]
    assert set(grid) == {"1.0", "8.0"} and report["tail_weight"]["weight"] == 1.0
    # with the blocks weighed up the fit leans on their feature, so more wrong blocks are flagged;
    # with a weak doc feature the docs lose more than that, and the mean over sources keeps 1
    assert grid["8.0"]["blocks_flagged"] > grid["1.0"]["blocks_flagged"]
    assert report["weight"] == chosen
    assert max(grid, key=lambda m: grid[m]["negatives_flagged"]) == repr(chosen)
    assert np.all(weighted[is_block] == report["weight"]) and np.all(weighted[~is_block] == 1.0)
