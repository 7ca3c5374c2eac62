"""Optional named files in a bundle (`api_table.json`, retrieval indexes): carried as verified
bytes, refused when tampered with or badly named, and absent from old bundles without harm."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
from codeqa_model.bundle import API_TABLE, MANIFEST, BundleError, load_bundle, save_bundle
from tokenizers import Tokenizer, models, pre_tokenizers

torch.set_num_threads(1)


def _tok() -> Tokenizer:
    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", "<s>", "</s>", "a", "b"])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


def _save(out: Path, extra: dict[str, bytes] | None) -> Path:
    return save_bundle(
        out,
        config={"generator": {}, "matcher": {}, "engine": {}},
        generator_tensors={"w": torch.ones(2)},
        matcher_tensors={"w": torch.zeros(2)},
        intent_tokenizer=_tok(),
        code_tokenizer=_tok(),
        model_card="# card\n",
        extra_files=extra,
    )


TABLE = json.dumps({"format": 1, "modules": {"os": {"getcwd": ["f", ""]}}}).encode()


def test_extra_files_round_trip(tmp_path: Path) -> None:
    path = _save(tmp_path / "b", {API_TABLE: TABLE, "retrieval.json": b"{}"})
    bundle = load_bundle(path)
    assert bundle.extra(API_TABLE) == TABLE
    assert bundle.extra("retrieval.json") == b"{}"
    assert bundle.extra("missing.json") is None
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["files"][API_TABLE]["sha256"] == hashlib.sha256(TABLE).hexdigest()


def test_bundle_without_extras_still_loads(tmp_path: Path) -> None:
    bundle = load_bundle(_save(tmp_path / "b", None))
    assert bundle.extra_files == {} and bundle.extra(API_TABLE) is None


def test_tampered_extra_is_refused(tmp_path: Path) -> None:
    path = _save(tmp_path / "b", {API_TABLE: TABLE})
    (path / API_TABLE).write_bytes(TABLE.replace(b"getcwd", b"getcwx"))
    with pytest.raises(BundleError, match="sha256"):
        load_bundle(path)


@pytest.mark.parametrize(
    "name", ["../evil.json", "config.json", "weights.pkl", ".hidden.json", "x" * 70 + ".json"]
)
def test_bad_extra_names_are_refused_on_save(tmp_path: Path, name: str) -> None:
    with pytest.raises(BundleError):
        _save(tmp_path / "b", {name: b"{}"})


def test_manifest_listing_a_pickle_is_refused(tmp_path: Path) -> None:
    path = _save(tmp_path / "b", None)
    manifest = json.loads((path / MANIFEST).read_text())
    (path / "model.pkl").write_bytes(b"x")
    manifest["files"]["model.pkl"] = {"sha256": hashlib.sha256(b"x").hexdigest(), "bytes": 1}
    (path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="unknown file"):
        load_bundle(path)
