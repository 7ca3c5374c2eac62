"""Embedding files: round trip, clear errors naming the file, and atomic replacement."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from codeqa_train.embed import io as emb_io
from codeqa_train.embed.io import EmbeddingError, load_embedding, load_meta, save_embedding


def test_round_trip_keeps_order_values_and_meta(tmp_path: Path) -> None:
    vocab = ["(", "open", "json", "é", "'a b'"]
    vectors = np.arange(15, dtype=np.float64).reshape(5, 3) / 7
    save_embedding(tmp_path / "e", vocab, vectors, {"corpus": "test"})
    got_vocab, got_vectors = load_embedding(tmp_path / "e")
    assert got_vocab == vocab
    assert got_vectors.dtype == np.float32
    np.testing.assert_array_equal(got_vectors, vectors.astype(np.float32))
    assert load_meta(tmp_path / "e") == {"corpus": "test", "vocab_size": 5, "dim": 3}
    assert sorted(p.name for p in (tmp_path / "e").iterdir()) == [
        "meta.json",
        "vectors.safetensors",
        "vocab.json",
    ]


def test_save_rejects_mismatched_shapes_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="does not match 2 tokens"):
        save_embedding(tmp_path, ["a", "b"], np.zeros((3, 2)), {})
    with pytest.raises(EmbeddingError, match="duplicate"):
        save_embedding(tmp_path, ["a", "a"], np.zeros((2, 2)), {})


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match=r"vocab\.json: missing"):
        load_embedding(tmp_path)
    save_embedding(tmp_path, ["a", "b"], np.ones((2, 2)), {})
    (tmp_path / "vocab.json").write_text('[\n"a",\n', encoding="utf-8")
    with pytest.raises(EmbeddingError, match=r"vocab\.json:3: invalid JSON"):
        load_embedding(tmp_path)
    (tmp_path / "vocab.json").write_text(json.dumps(["a", "b", "c"]), encoding="utf-8")
    with pytest.raises(EmbeddingError, match=r"vectors\.safetensors: shape \(2, 2\)"):
        load_embedding(tmp_path)


def test_failed_write_leaves_previous_files_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_embedding(tmp_path, ["a", "b"], np.ones((2, 2)), {"run": 1})
    real_replace = os.replace

    def crash_on_vectors(src: str, dst: str | os.PathLike[str]) -> None:
        if str(dst).endswith("vectors.safetensors"):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(emb_io.os, "replace", crash_on_vectors)
    with pytest.raises(OSError, match="disk full"):
        save_embedding(tmp_path, ["x", "y"], np.zeros((2, 2)), {"run": 2})
    monkeypatch.undo()
    # vectors.safetensors is written last: the old matrix is intact and no temp file remains
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    _, vectors = emb_io.load_file(str(tmp_path / "vectors.safetensors")).popitem()
    np.testing.assert_array_equal(vectors, np.ones((2, 2), dtype=np.float32))


def test_written_files_get_the_usual_mode_not_mkstemp_0600(tmp_path: Path) -> None:
    save_embedding(tmp_path, ["a"], np.ones((1, 2)), {})
    mask = os.umask(0)
    os.umask(mask)
    for p in tmp_path.iterdir():
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask
