"""`codeqa-train export --extra-file`: optional knowledge files (the API table) ship in the
bundle under their own names, verified like the rest; a missing one is a clear error."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import torch
from codeqa_model.bundle import API_TABLE, load_bundle
from codeqa_train import export as export_mod
from tokenizers import Tokenizer, models

torch.set_num_threads(1)


@pytest.fixture
def light_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for the run readers (the export's run handling is tested in test_export.py)."""
    tok = Tokenizer(models.WordLevel(vocab={"<pad>": 0, "<unk>": 1}, unk_token="<unk>"))
    monkeypatch.setattr(export_mod, "_read_final", lambda run: ({"size": 1}, {"w": torch.ones(1)}))
    monkeypatch.setattr(export_mod, "_read_tokenizers", lambda g, c: (tok, tok))
    monkeypatch.setattr(export_mod, "_check_builds", lambda *a: None)
    monkeypatch.setattr(export_mod, "_last_epoch", lambda run: {"epochs": 1})
    monkeypatch.setattr(export_mod, "_run_report", lambda run: {})


def test_extra_file_ships_in_the_bundle(light_runs: None, tmp_path: Path) -> None:
    table = tmp_path / API_TABLE
    table.write_text(json.dumps({"format": 1, "modules": {"os": {"getcwd": ["f", ""]}}}))
    out = export_mod.export(
        generator_run=tmp_path / "g",
        classifier_run=tmp_path / "c",
        out_dir=tmp_path / "bundle",
        rerank_weight=0.5,
        extra_files=[table],
    )
    assert load_bundle(out).extra(API_TABLE) == table.read_bytes()


def test_missing_extra_file_is_an_export_error(light_runs: None, tmp_path: Path) -> None:
    with pytest.raises(export_mod.ExportError, match="cannot read the extra file"):
        export_mod.export(
            generator_run=tmp_path / "g",
            classifier_run=tmp_path / "c",
            out_dir=tmp_path / "bundle",
            rerank_weight=0.5,
            extra_files=[tmp_path / "nope.json"],
        )
    assert not (tmp_path / "bundle").exists()


def test_reexport_keeps_the_networks_and_replaces_one_knowledge_file(
    light_runs: None, tmp_path: Path
) -> None:
    table = tmp_path / API_TABLE
    table.write_text(json.dumps({"format": 1, "modules": {"os": {"getcwd": ["f", ""]}}}))
    other = tmp_path / "combiner.json"
    other.write_text("{}")
    first = export_mod.export(
        generator_run=tmp_path / "g",
        classifier_run=tmp_path / "c",
        out_dir=tmp_path / "first",
        rerank_weight=0.5,
        extra_files=[table, other],
    )
    newer = tmp_path / "new" / API_TABLE
    newer.parent.mkdir()
    newer.write_text(json.dumps({"format": 1, "modules": {"os": {"listdir": ["f", ""]}}}))
    card = tmp_path / "results.md"
    card.write_text("| row | BLEU |\n|---|---|\n| product | 1.0 |\n")
    out = export_mod.reexport(first, out_dir=tmp_path / "second", extra_files=[newer], card=card)
    before, after = load_bundle(first), load_bundle(out)
    assert after.extra(API_TABLE) == newer.read_bytes()
    assert after.extra("combiner.json") == other.read_bytes()
    assert after.config == before.config
    assert after.generator_tensors.keys() == before.generator_tensors.keys()
    assert "| product | 1.0 |" in after.model_card and "--from-bundle" in after.model_card
    assert after.metrics is not None and after.metrics["training"] == before.metrics["training"]


def test_export_takes_runs_or_a_bundle_not_both(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    export_mod.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path / "b"), "--generator", "g"])
    assert export_mod.run(args) == 2
    args = parser.parse_args(
        [
            "--out",
            str(tmp_path / "b"),
            "--generator",
            "g",
            "--classifier",
            "c",
            "--from-bundle",
            "x",
        ]
    )
    assert export_mod.run(args) == 2
