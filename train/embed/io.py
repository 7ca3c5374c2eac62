"""One embedding on disk: `vectors.safetensors` + `vocab.json` + `meta.json`, written atomically.

Row *i* of the float32 matrix `vectors` is the vector of `vocab[i]`. Each file is written to a
temporary file in the same directory, fsynced and `os.replace`d, so a crash never leaves a
half-written file under the final name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from codeqa_model.atomic import atomic_write_bytes
from safetensors.numpy import load_file, save

VECTORS_FILE = "vectors.safetensors"
VOCAB_FILE = "vocab.json"
META_FILE = "meta.json"


class EmbeddingError(ValueError):
    """An embedding directory is missing a file or its files disagree."""


def atomic_write_json(path: Path, obj: Any) -> None:
    """Atomically write `obj` as UTF-8 JSON (non-ASCII tokens kept readable)."""
    text = json.dumps(obj, ensure_ascii=False, indent=1) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def save_embedding(
    directory: str | os.PathLike[str],
    vocab: list[str],
    vectors: np.ndarray,
    meta: dict[str, Any],
) -> Path:
    """Save one embedding; the vectors file is written last so its presence means complete."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
        raise EmbeddingError(
            f"{directory}: vectors shape {vectors.shape} does not match {len(vocab)} tokens"
        )
    if len(set(vocab)) != len(vocab):
        raise EmbeddingError(f"{directory}: vocabulary has duplicate tokens")
    out = Path(directory)
    full_meta = {**meta, "vocab_size": len(vocab), "dim": int(vectors.shape[1])}
    atomic_write_json(out / VOCAB_FILE, vocab)
    atomic_write_json(out / META_FILE, full_meta)
    atomic_write_bytes(out / VECTORS_FILE, save({"vectors": vectors}))
    return out


def load_embedding(directory: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Load `(vocab, vectors)`; raise `EmbeddingError` naming the file when anything is off."""
    d = Path(directory)
    vocab_path, vectors_path = d / VOCAB_FILE, d / VECTORS_FILE
    for p in (vocab_path, vectors_path):
        if not p.is_file():
            raise EmbeddingError(f"{p}: missing")
    try:
        vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise EmbeddingError(f"{vocab_path}:{e.lineno}: invalid JSON ({e.msg})") from e
    if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
        raise EmbeddingError(f"{vocab_path}: expected a JSON list of strings")
    tensors = load_file(str(vectors_path))
    if "vectors" not in tensors:
        raise EmbeddingError(f"{vectors_path}: no tensor named 'vectors'")
    vectors = tensors["vectors"]
    if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
        raise EmbeddingError(
            f"{vectors_path}: shape {vectors.shape} does not match {len(vocab)} tokens in "
            f"{vocab_path}"
        )
    return vocab, vectors.astype(np.float32, copy=False)


def load_meta(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The training metadata written beside an embedding."""
    return json.loads((Path(directory) / META_FILE).read_text(encoding="utf-8"))
