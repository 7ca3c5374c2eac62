"""`codeqa-train tune`: knobs chosen through the engine on validation only, recorded, exported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from codeqa_model.bundle import load_bundle
from codeqa_model.classifier import threshold_for_false_alarms
from codeqa_train import tune
from codeqa_train.cli import main as codeqa_train
from tiny_models import DATA, fit_tiny_runs

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return fit_tiny_runs(tmp_path_factory.mktemp("runs"))


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    tune.add_arguments(parser)
    return parser.parse_args(argv)


def test_caches_run_each_model_once_per_input() -> None:
    calls: list[tuple] = []

    class Gen:
        cfg = "the generator's own attribute"

        def generate(self, intent: str, k: int = 5, max_len: int | None = None) -> list[str]:
            calls.append((intent, k))
            return [f"{intent}-{k}"]

    class Match:
        threshold = 0.3

        def score(self, pairs, batch_size: int = 256) -> np.ndarray:
            calls.append(tuple(pairs))
            return np.array([len(code) / 10 for _, code in pairs])

    memo: dict = {}
    gen = tune.CachedGenerator(Gen(), memo)
    assert gen.generate("a", k=5) == gen.generate("a", k=5) == ["a-5"]
    assert gen.generate("a", k=8) == ["a-8"]
    assert calls == [("a", 5), ("a", 8)] and gen.cfg == "the generator's own attribute"
    calls.clear()
    match = tune.CachedMatcher(Match(), {})
    first = match.score([("i", "abc"), ("i", "abcd"), ("i", "abc")])
    again = match.score([("i", "abcd")])
    assert list(first) == pytest.approx([0.3, 0.4, 0.3]) and list(again) == pytest.approx([0.4])
    assert calls == [(("i", "abc"), ("i", "abcd"))] and match.threshold == 0.3


def test_pick_prefers_the_best_then_the_current_value_on_ties() -> None:
    assert tune._pick([(0.0, 1.0), (0.5, 3.0), (1.0, 2.0)], 1.0) == (0.5, 3.0)
    assert tune._pick([(0.0, 3.0), (0.5, 3.0), (1.0, 3.0)], 0.5) == (0.5, 3.0)
    assert tune._pick([(0.0, 3.0), (0.5, 3.0)], 0.9) == (0.0, 3.0)


def test_a_grid_grows_past_the_edge_its_best_value_is_on() -> None:
    assert tune._past_edge([(1.0, 5.0), (1.3, 6.0), (1.6, 7.0)], 1.3, 0.0) == 1.9
    assert tune._past_edge([(5, 9.0), (8, 7.0)], 5, 1) == 2
    assert tune._past_edge([(2, 9.0), (3, 7.0)], 2, 1) == 1
    assert tune._past_edge([(1, 9.0), (2, 7.0)], 1, 1) is None  # below the knob's range
    assert tune._past_edge([(0.6, 1.0), (1.0, 3.0), (1.4, 2.0)], 1.0, 0.0) is None  # inside
    assert tune._past_edge([(5, 1.0)], 5, 1) is None


_TABLE = {(5, 0.0): 1.0, (4, 0.0): 2.0, (4, 0.4): 3.0, (5, 0.4): 5.0}


class _TableSweep(tune.Sweep):
    """A sweep whose objective is `_TABLE` of (retrieval_k, consensus_weight)."""

    def weight_grid(self, knobs: dict) -> list[tuple[float, float]]:
        return [(0.0, _TABLE[knobs["retrieval_k"], knobs["consensus_weight"]])]


def test_a_second_pass_moves_on_from_where_the_first_settled() -> None:
    start = {"retrieval_k": 5, "consensus_weight": 0.0, "rerank_weight": 0.0}
    grids = {"retrieval_k": [5, 4], "consensus_weight": [0.0, 0.4]}

    def chosen(sweeps: int) -> tuple:
        valid = SimpleNamespace(generator_split="valid")
        sweep = _TableSweep(None, valid, 5, [0.0], log=lambda _: None, extend=0, sweeps=sweeps)
        knobs, chosen_by = sweep.run(start, grids)
        return knobs["retrieval_k"], knobs["consensus_weight"], chosen_by["retrieval_k"]["value"]

    assert chosen(1) == (4, 0.4, 2.0)  # k chosen while the consensus weight was still 0
    assert chosen(2) == (5, 0.4, 5.0)
    assert chosen(5) == (5, 0.4, 5.0)  # a pass that changes nothing ends the search


def test_the_first_pass_starts_from_a_previous_tuning(runs: tuple[Path, Path], tmp_path) -> None:
    gen, cls = runs
    previous = tmp_path / "previous.json"
    knobs = {"beam_size": 3, "length_penalty": 1.3, "consensus_weight": 0.4}
    previous.write_text(json.dumps({"format": tune.TUNING_FORMAT, "knobs": knobs}))
    argv = ["--data", str(DATA), "--generator", str(gen), "--classifier", str(cls)]
    argv += ["--out", str(tmp_path / "t"), "--beam-sizes", "3", "--length-penalties", "1.3"]
    argv += ["--no-repeat", "0", "--rerank-weights", "0", "--k", "2", "--extend", "0"]
    argv += ["--consensus-weights", "0.4", "--missing-weights", "0", "--name-weights", "0"]
    argv += ["--no-exec", "--start", str(previous), "--sweeps", "1"]
    logged: list[str] = []
    record = tune.tune(_args(argv), log=logged.append)
    assert "'consensus_weight': 0.4" in logged[0] and "'length_penalty': 1.3" in logged[0]
    assert record["knobs"]["consensus_weight"] == 0.4


def test_tune_measures_an_exported_bundle_as_it_measures_its_runs(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    gen, cls = runs
    bundle = tune.bundle_from_runs(gen, cls, tmp_path / "b")
    common = ["--data", str(DATA), "--beam-sizes", "2,3", "--length-penalties", "1.0"]
    common += ["--no-repeat", "0", "--rerank-weights", "0,1", "--k", "2", "--extend", "0"]
    common += ["--no-exec", "--sweeps", "1"]
    from_runs = tune.tune(
        _args(
            [
                *common,
                "--generator",
                str(gen),
                "--classifier",
                str(cls),
                "--out",
                str(tmp_path / "x"),
            ]
        ),
        log=lambda _: None,
    )
    from_bundle = tune.tune(
        _args([*common, "--bundle", str(bundle.path), "--out", str(tmp_path / "y")]),
        log=lambda _: None,
    )
    assert from_bundle["knobs"] == from_runs["knobs"]
    assert from_bundle["runs"] == {"bundle": str(bundle.path)}
    assert (
        tune.run(
            _args(
                [
                    *common,
                    "--bundle",
                    str(bundle.path),
                    "--generator",
                    str(gen),
                    "--out",
                    str(tmp_path / "z"),
                ]
            )
        )
        == 2
    )


def test_tune_chooses_on_validation_through_the_engine_and_export_records_it(
    runs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codeqa_train.data import curated

    read: list[str] = []
    real_read = curated.read_curated

    def recording_read(path: Path, schema: dict) -> list:
        read.append(str(path))
        return real_read(path, schema)

    monkeypatch.setattr(curated, "read_curated", recording_read)
    gen, cls = runs
    out = tmp_path / "tune"
    argv = ["--data", str(DATA), "--generator", str(gen), "--classifier", str(cls)]
    argv += ["--out", str(out), "--beam-sizes", "2,3", "--length-penalties", "1.0"]
    argv += ["--no-repeat", "0", "--rerank-weights", "0,1", "--k", "2", "--extend", "0"]
    argv += ["--no-exec"]  # BLEU alone here; the executable objective has its own test
    assert tune.run(_args(argv)) == 0

    assert read and all(p.endswith("valid.jsonl") for p in read)  # never a test split
    record = json.loads((out / tune.TUNING_FILE).read_text())
    knobs, why = record["knobs"], record["chosen_by"]
    assert set(knobs) == set(why)
    # no retrieval index (nor its learned retriever) in these runs: their knobs are not swept,
    # so not written (bundle defaults)
    assert set(knobs) == set(tune.SECTION) - {"retrieval_k", "retrieval_weight", "api_weight"}
    assert knobs["beam_size"] in (2, 3) and knobs["rerank_weight"] in (0.0, 1.0)
    assert why["rerank_weight"]["split"] == "generator/valid (conala, 8 rows)"
    assert [v for v, _ in why["beam_size"]["grid"]] == [2, 3]
    assert why["beam_size"]["value"] == max(f for _, f in why["beam_size"]["grid"])
    assert (
        why["rerank_weight"]["value"] == dict(why["rerank_weight"]["grid"])[knobs["rerank_weight"]]
    )

    # the chosen setting's figure is what a fresh engine with those knobs measures
    factory = tune.EngineFactory(tune.bundle_from_runs(gen, cls, tmp_path / "b"))
    valid = tune.read_valid(DATA, "conala", None)
    assert tune.top_bleu(factory.engine(knobs), valid, 2) == pytest.approx(
        why["rerank_weight"]["value"], abs=0.01
    )
    # threshold: 5% of the validation true pairs fall below it, as the engine scores them
    engine = factory.engine(knobs)
    probs = np.array(engine.score(valid.pairs))
    positives = torch.from_numpy(probs[np.array(valid.labels) == 1])
    assert knobs["threshold"] == pytest.approx(threshold_for_false_alarms(positives, 0.05))
    assert why["threshold"]["split"] == "classifier/valid (8 true pairs of 16)"

    bundle_dir = tmp_path / "bundle"
    args = ["export", "--generator", str(gen), "--classifier", str(cls), "--out", str(bundle_dir)]
    assert codeqa_train([*args, "--tuning", str(out / tune.TUNING_FILE)]) == 0
    bundle = load_bundle(bundle_dir)
    assert bundle.config["engine"]["rerank_weight"] == knobs["rerank_weight"]
    assert bundle.config["generator"]["beam_size"] == knobs["beam_size"]
    assert bundle.config["matcher"]["threshold"] == knobs["threshold"]
    assert bundle.config["engine"]["chosen_by"] == why
    assert "## Knobs chosen on validation" in bundle.model_card
    assert "docs/results/curation.md" in bundle.model_card  # the curation report
    assert f"| `beam_size` | {knobs['beam_size']} | BLEU" in bundle.model_card


def test_export_refuses_a_file_that_is_not_a_tuning_record(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen, cls = runs
    bad = tmp_path / "tuning.json"
    bad.write_text(json.dumps({"format": 1, "knobs": {"temperature": 2}}))
    args = ["export", "--generator", str(gen), "--classifier", str(cls)]
    assert codeqa_train([*args, "--out", str(tmp_path / "b"), "--tuning", str(bad)]) == 1
    assert "tuning.json: 'knobs' must map" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_evaluate_applies_the_tuned_knobs_to_the_product_runs(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    gen, cls = runs
    tuning = tmp_path / "tuning.json"
    knobs = {"beam_size": 3, "length_penalty": 0.7, "rerank_weight": 0.2, "threshold": 0.123}
    tuning.write_text(json.dumps({"format": 1, "knobs": knobs, "chosen_by": {}}))
    data = Path(__file__).parent / "fixtures" / "models" / "data"  # has a test split
    out = tmp_path / "eval"
    argv = ["evaluate", "--data", str(data), "--out", str(out), "--generator", str(gen)]
    argv += ["--classifier", str(cls), "--tuning", str(tuning), "--no-plots", "--k", "2"]
    argv += ["--pool-sources", "conala", "--threads", "1"]
    assert codeqa_train(argv) == 0
    rows = {r["name"]: r for r in json.loads((out / "results.json").read_text())["rows"]}
    assert rows["product classifier"]["threshold"] == pytest.approx(0.123)
    reranked = "product generator reranked by product classifier (weight 0.2)"
    assert rows[reranked]["best_of_k"] == 3  # the tuned beam, wider than --k
    assert rows["product generator"]["best_of_k"] == 3


@pytest.mark.slow
def test_exec_objective_runs_the_top_suggestion_of_every_validation_problem() -> None:
    """pass@1 of an engine that answers each problem with its reference is 100; one that
    answers `None` passes nothing; a repeated answer is not run again."""
    from codeqa_model.inference import Suggestion

    exec_valid = tune.ExecValid()
    by_intent = {p.intent: p.reference for p in exec_valid.problems}

    class Oracle:
        def suggest(self, intent: str, k: int = 5, context: object = None) -> list[Suggestion]:
            return [Suggestion(by_intent[intent], 1.0), Suggestion("None", 0.5)]

    class Blank:
        def suggest(self, intent: str, k: int = 5, context: object = None) -> list[Suggestion]:
            return [Suggestion("None", 1.0)]

    assert exec_valid.pass_at_1(Oracle(), 5) == 100.0
    runs = len(exec_valid.passed)
    assert exec_valid.pass_at_1(Oracle(), 5) == 100.0 and len(exec_valid.passed) == runs
    assert exec_valid.pass_at_1(Blank(), 5) == 0.0


def test_a_grid_never_grows_past_the_latency_budget() -> None:
    measured: list[int] = []

    class _Wider(tune.Sweep):
        def weight_grid(self, knobs: dict) -> list[tuple[float, float]]:
            measured.append(knobs["beam_size"])
            return [(0.0, float(knobs["beam_size"]))]  # wider always scores higher

    valid = SimpleNamespace(generator_split="valid")
    sweep = _Wider(None, valid, 5, [0.0], log=lambda _: None, extend=3, sweeps=1)
    knobs, _ = sweep.run({"beam_size": 5, "rerank_weight": 0.0}, {"beam_size": [5, 8]})
    assert knobs["beam_size"] == 8 and max(measured) == 8
