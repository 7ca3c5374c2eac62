"""Corpora: curated rows (train + valid only, clear errors) and the seeded dev-corpus sampler."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from codeqa_model.code_tokens import tokenize_code
from codeqa_train.data.curated import CuratedDataError
from codeqa_train.embed.corpus import (
    list_python_files,
    read_pairs,
    sample_dev_corpus,
    split_logical_lines,
)

FIXTURE = Path(__file__).parent / "fixtures" / "embed" / "data"


def test_read_pairs_uses_train_and_valid_only() -> None:
    rows = read_pairs(FIXTURE)
    assert len(rows) == 50  # 40 train + 10 valid; the 5 test rows are not read
    assert all(set(r) == {"intent", "snippet"} for r in rows)
    assert not any("SIGUSR1" in r["snippet"] for r in rows)  # a test-only snippet
    with pytest.raises(ValueError, match="test split"):
        read_pairs(FIXTURE, ("train", "test"))


def test_read_pairs_finds_versioned_dir_and_names_bad_lines(tmp_path: Path) -> None:
    gen = tmp_path / "v1" / "generator"
    gen.mkdir(parents=True)
    shutil.copy(FIXTURE / "generator" / "train.jsonl", gen / "train.jsonl")
    (gen / "valid.jsonl").write_text(
        json.dumps({"intent": "x", "snippet": "y"}) + "\n" + json.dumps({"intent": "x"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CuratedDataError, match=r"valid\.jsonl:2: field 'snippet'"):
        read_pairs(tmp_path)
    (gen / "valid.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(CuratedDataError, match=r"valid\.jsonl:1: invalid JSON"):
        read_pairs(tmp_path)
    with pytest.raises(CuratedDataError, match="no generator/"):
        read_pairs(tmp_path / "v1" / "generator")


def test_split_logical_lines() -> None:
    toks = tokenize_code("if x:\n    y = open(f)\n")
    assert split_logical_lines(toks) == [
        ["if", "x", ":"],
        ["<indent>", "y", "=", "open", "(", "f", ")"],
    ]
    assert split_logical_lines(["<nl>", "<nl>"]) == []


def _source_tree(root: Path) -> None:
    for n in range(12):
        pkg = root / f"pkg{n % 3}"
        pkg.mkdir(parents=True, exist_ok=True)
        body = "\n".join(f"value_{n}_{k} = compute({k}, name='f{n}')" for k in range(5))
        (pkg / f"mod{n}.py").write_text(body + "\n", encoding="utf-8")
    (root / "pkg0" / "__pycache__").mkdir()
    (root / "pkg0" / "__pycache__" / "cached.py").write_text("skip = 1\n", encoding="utf-8")
    (root / "notes.txt").write_text("not python\n", encoding="utf-8")


def test_list_python_files_is_sorted_and_skips_caches(tmp_path: Path) -> None:
    _source_tree(tmp_path)
    files = list_python_files([tmp_path, tmp_path / "pkg1"])  # overlapping roots
    assert len(files) == 12
    assert files == sorted(files)
    assert all("__pycache__" not in p.parts for p in files)


def test_dev_sampler_is_deterministic_per_seed_and_capped(tmp_path: Path) -> None:
    _source_tree(tmp_path)
    a = sample_dev_corpus([tmp_path], 100, seed=3, tokenize=tokenize_code)
    b = sample_dev_corpus([tmp_path], 100, seed=3, tokenize=tokenize_code)
    c = sample_dev_corpus([tmp_path], 100, seed=4, tokenize=tokenize_code)
    assert a.sequences == b.sequences and a.files == b.files
    assert a.files != c.files
    assert a.tokens == 100 == sum(len(s) for s in a.sequences)
    # every line is 10 tokens (value_n_k = compute ( k , name = 'fn' )): 10 lines, 2 files
    assert len(a.sequences) == 10 and len(a.files) == 2
    everything = sample_dev_corpus([tmp_path], 10**6, seed=3, tokenize=tokenize_code)
    assert everything.tokens == 12 * 5 * 10
    assert sorted(everything.files) == list_python_files([tmp_path])
