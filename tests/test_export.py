"""`codeqa-train export`: run dirs in, a verified bundle out; bad runs refused, old bundle kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from codeqa_model.bundle import load_bundle
from codeqa_model.inference import Engine, parses
from codeqa_train.cli import main as codeqa_train
from tiny_models import DATA, fit_tiny_runs, read_jsonl

torch.set_num_threads(1)


def _copy_run(run: Path, dest: Path, **config_changes: object) -> Path:
    """A copy of a run's final/ dir with some config values changed (a mismatched export)."""
    shutil.copytree(run / "final", dest / "final")
    config_path = dest / "final" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, **config_changes}))
    return dest


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Real `fit-generator` and `fit-classifier` runs (one epoch, tiny sizes) on the fixture."""
    return fit_tiny_runs(tmp_path_factory.mktemp("runs"))


def _export(gen: Path, cls: Path, *extra: str) -> int:
    return codeqa_train(["export", "--generator", str(gen), "--classifier", str(cls), *extra])


def test_export_writes_a_bundle_the_engine_loads(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen, cls = runs
    card = tmp_path / "results.md"
    card.write_text("| model | BLEU |\n|---|---|\n| product | 1.23 |\n")
    metrics = tmp_path / "eval.json"
    metrics.write_text(json.dumps({"bleu": 1.23, "rerank_weight": 0.25}))
    out = tmp_path / "bundle"
    command = "codeqa-train fit-generator --epochs 2 && codeqa-train fit-classifier"
    args = ["--out", str(out), "--card", str(card), "--metrics", str(metrics)]
    assert _export(gen, cls, *args, "--command", command) == 0
    assert f"wrote bundle {out}" in capsys.readouterr().out

    bundle = load_bundle(out)
    assert bundle.config["engine"] == {"rerank_weight": 0.25}  # from the metrics file
    assert bundle.config["generator"] == json.loads((gen / "final/config.json").read_text())
    assert bundle.config["matcher"] == json.loads((cls / "final/config.json").read_text())
    assert bundle.metrics["evaluation"] == {"bleu": 1.23, "rerank_weight": 0.25}
    for role, run in (("generator", gen), ("matcher", cls)):
        last = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
        assert bundle.metrics["training"][role] == {"epochs": 1, **last}
    assert bundle.metrics["validation"]["generator"]["epochs_run"] == 1
    assert "config" not in bundle.metrics["validation"]["generator"]
    assert "threshold" in bundle.metrics["validation"]["matcher"]
    assert "| product | 1.23 |" in bundle.model_card
    assert command in bundle.model_card
    assert "CC BY-SA 4.0" in bundle.model_card and "Yin et al." in bundle.model_card

    engine = Engine.load(out)
    intent = read_jsonl(DATA / "generator" / "valid.jsonl")[0]["intent"]
    assert engine.generator.generate(intent, k=2)  # the exported generator decodes
    # suggestions are only the code that parses (the tiny generator may write none)
    assert all(parses(s.code) for s in engine.suggest(intent, k=2))
    assert engine.threshold == bundle.config["matcher"]["threshold"]


def test_flag_overrides_metrics_weight_and_name_goes_to_user_dir(
    runs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    gen, cls = runs
    assert _export(gen, cls, "--name", "mine", "--rerank-weight", "0.75") == 0
    bundle = load_bundle(tmp_path / "xdg" / "codeqa-lsp" / "bundles" / "mine")
    assert bundle.config["engine"] == {"rerank_weight": 0.75}
    assert "Not evaluated" in bundle.model_card


def test_tokenizers_that_differ_between_runs_are_refused(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen, cls = runs
    cls2 = _copy_run(cls, tmp_path / "cls2")
    tok_path = cls2 / "final" / "code_tokenizer.json"
    tok = json.loads(tok_path.read_text())
    vocab = tok["model"]["vocab"]
    first, second = sorted(vocab)[-2:]
    vocab[first], vocab[second] = vocab[second], vocab[first]  # two ids swapped
    tok_path.write_text(json.dumps(tok))
    assert _export(gen, cls2, "--out", str(tmp_path / "b")) == 1
    err = capsys.readouterr().err
    assert "cls2/final/code_tokenizer.json: differs from" in err
    assert "--tokenizers" in err
    assert not (tmp_path / "b").exists()


def test_weights_that_do_not_build_are_refused(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen, cls = runs
    hidden = json.loads((gen / "final" / "config.json").read_text())["hidden"]
    gen2 = _copy_run(gen, tmp_path / "gen2", hidden=2 * hidden)
    assert _export(gen2, cls, "--out", str(tmp_path / "b")) == 1
    assert "gen2/final: config.json and weights.safetensors do not build a Generator" in (
        capsys.readouterr().err
    )
    cls2 = _copy_run(cls, tmp_path / "cls2", kind="baseline")
    assert _export(gen, cls2, "--out", str(tmp_path / "b")) == 1
    assert "cls2/final: config.json and weights.safetensors do not build a Matcher" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "b").exists()


def test_missing_run_and_bad_weight_are_refused(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen, cls = runs
    assert _export(tmp_path / "nope", cls, "--out", str(tmp_path / "b")) == 1
    assert "nope/final: missing" in capsys.readouterr().err
    assert _export(gen, cls, "--out", str(tmp_path / "b"), "--rerank-weight", "1.5") == 1
    assert "--rerank-weight must be a number in [0, 1], got 1.5" in capsys.readouterr().err
    bad = tmp_path / "eval.json"
    bad.write_text('{"bleu": 1,\n oops}')
    assert _export(gen, cls, "--out", str(tmp_path / "b"), "--metrics", str(bad)) == 1
    assert "eval.json: invalid JSON at line 2" in capsys.readouterr().err


def test_failed_export_leaves_the_old_bundle_intact(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    gen, cls = runs
    out = tmp_path / "bundle"
    assert _export(gen, cls, "--out", str(out), "--command", "first") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    gen2 = _copy_run(gen, tmp_path / "gen2", emb_dim=3)
    assert _export(gen2, cls, "--out", str(out), "--command", "second") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert "first" in load_bundle(out).model_card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "gen2"]
