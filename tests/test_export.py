"""`codeqa-train export`: run dirs in, a verified bundle out; bad runs refused, old bundle kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from tiny_models import DATA, TinyParts, read_jsonl, train_tiny

from model.bundle import load_bundle
from model.inference import Engine
from train.cli import main as codeqa_train

torch.set_num_threads(1)


def _write_run(run: Path, config: dict, tensors: dict, parts: TinyParts | None) -> Path:
    """A run directory laid out the way the fit-* commands leave it."""
    final = run / "final"
    final.mkdir(parents=True)
    save_file(tensors, final / "weights.safetensors")
    (final / "config.json").write_text(json.dumps(config, indent=1))
    if parts is not None:
        (final / "intent_tokenizer.json").write_text(parts.intent_tok.to_str())
        (final / "code_tokenizer.json").write_text(parts.code_tok.to_str())
    epochs = [{"epoch": 1, "train_loss": 3.25, "valid_loss": 3.5}, {"epoch": 2, "valid_loss": 2.0}]
    (run / "metrics.jsonl").write_text("".join(json.dumps(e) + "\n" for e in epochs))
    return run


@pytest.fixture(scope="module")
def tiny() -> TinyParts:
    return train_tiny()


@pytest.fixture(scope="module")
def runs(tiny: TinyParts, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generator run (written like fit-generator's) and a real `fit-classifier` run on it."""
    root = tmp_path_factory.mktemp("runs")
    gen = _write_run(root / "gen", tiny.gen_config, tiny.gen_tensors, tiny)
    cls = root / "cls"
    rc = codeqa_train(
        ["fit-classifier", "--data", str(DATA), "--out", str(cls), "--tokenizers", str(gen),
         "--kinds", "random", "--emb-dim", "8", "--hidden", "8", "--epochs", "1",
         "--batch-size", "16", "--threads", "1", "--no-progress"]
    )  # fmt: skip
    assert rc == 0
    return gen, cls


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
    assert bundle.metrics["training"]["generator"] == {"epochs": 2, "epoch": 2, "valid_loss": 2.0}
    assert bundle.metrics["training"]["matcher"]["epochs"] == 1
    assert "threshold" in bundle.metrics["validation"]["matcher"]
    assert "| product | 1.23 |" in bundle.model_card
    assert command in bundle.model_card
    assert "CC BY-SA 4.0" in bundle.model_card and "Yin et al." in bundle.model_card

    engine = Engine.load(out)
    intent = read_jsonl(DATA / "generator" / "valid.jsonl")[0]["intent"]
    assert engine.suggest(intent, k=2)
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
    other = train_tiny(steps=2, seed=1)
    vocab = other.code_tok.get_vocab()
    vocab_swapped = json.loads(other.code_tok.to_str())
    vocab_swapped["model"]["vocab"] = dict(reversed(list(vocab.items())))
    cls2 = tmp_path / "cls2"
    _write_run(
        cls2, json.loads((cls / "final/config.json").read_text()), {"w": torch.ones(1)}, None
    )
    (cls2 / "final" / "code_tokenizer.json").write_text(json.dumps(vocab_swapped))
    assert _export(gen, cls2, "--out", str(tmp_path / "b")) == 1
    err = capsys.readouterr().err
    assert "cls2/final/code_tokenizer.json: differs from" in err
    assert "--tokenizers" in err
    assert not (tmp_path / "b").exists()


def test_weights_that_do_not_build_are_refused(
    runs: tuple[Path, Path], tiny: TinyParts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _gen, cls = runs
    wrong = {**tiny.gen_config, "hidden": 2 * tiny.gen_config["hidden"]}
    gen2 = _write_run(tmp_path / "gen2", wrong, tiny.gen_tensors, tiny)
    assert _export(gen2, cls, "--out", str(tmp_path / "b")) == 1
    assert "gen2/final: config.json and weights.safetensors do not build a Generator" in (
        capsys.readouterr().err
    )


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
    runs: tuple[Path, Path], tiny: TinyParts, tmp_path: Path
) -> None:
    gen, cls = runs
    out = tmp_path / "bundle"
    assert _export(gen, cls, "--out", str(out), "--command", "first") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = {**tiny.gen_config, "emb_dim": 3}
    gen2 = _write_run(tmp_path / "gen2", broken, tiny.gen_tensors, tiny)
    assert _export(gen2, cls, "--out", str(out), "--command", "second") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert "first" in load_bundle(out).model_card
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "gen2"]
