"""`codeqa-train export --extra-file`: optional knowledge files (the API table) ship in the
bundle under their own names, verified like the rest; a missing one is a clear error."""

from __future__ import annotations

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
