"""The two corpora: "current" (curated train + valid pairs) and "development" (local Python source).

The development corpus is real Python already on every machine: the standard library and the
running interpreter's site-packages. Files are listed in sorted order and shuffled with a seeded
RNG, then tokenized one by one until a token cap is reached, so the sample is reproducible on a
given machine. The curated test split is never read.
"""

from __future__ import annotations

import os
import random
import sysconfig
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codeqa_train.data.curated import curated_dir, read_curated

TRAIN_SPLITS: tuple[str, ...] = ("train", "valid")
LINE_BREAK = "<nl>"
MAX_DEV_FILE_BYTES = 512 * 1024  # generated tables and vendored blobs say little about code

Tokenizer = Callable[[str], list[str]]


def generator_dir(data: Path) -> Path:
    """`DATA/generator`, or `DATA/vN/generator` for the highest version N present."""
    return curated_dir(data, "generator")


def read_pairs(data: Path, splits: Sequence[str] = TRAIN_SPLITS) -> list[dict[str, str]]:
    """The `intent`/`snippet` rows of the given curated splits (never pass "test" here)."""
    if "test" in splits:
        raise ValueError("embeddings must never see the test split")
    base = generator_dir(data)
    return [
        {"intent": row["intent"], "snippet": row["snippet"]}
        for split in splits
        for row in read_curated(base / f"{split}.jsonl", {"intent": str, "snippet": str})
    ]


def split_logical_lines(tokens: Sequence[str]) -> list[list[str]]:
    """Cut a token list at `<nl>` into logical lines, dropping empty ones."""
    lines: list[list[str]] = []
    current: list[str] = []
    for tok in tokens:
        if tok == LINE_BREAK:
            if current:
                lines.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        lines.append(current)
    return lines


def default_dev_roots() -> list[Path]:
    """The standard library and site-packages directories of the running interpreter."""
    paths = sysconfig.get_paths()
    roots: list[Path] = []
    for key in ("stdlib", "purelib", "platlib"):
        p = Path(paths[key]).resolve()
        if p.is_dir() and p not in roots:
            roots.append(p)
    return roots


def list_python_files(roots: Sequence[Path]) -> list[Path]:
    """Every `*.py` under `roots` (de-duplicated, sorted); `__pycache__` and symlinked dirs skipped.

    Uses `os.walk` without a stat per file: listing site-packages is otherwise the slow step.
    """
    found: set[Path] = set()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(Path(root).resolve()):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            found.update(Path(dirpath, f) for f in filenames if f.endswith(".py"))
    return sorted(found)


@dataclass
class DevCorpus:
    """A token-capped sample of local Python source, one sequence per logical line."""

    sequences: list[list[str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    tokens: int = 0


def iter_shuffled(files: Sequence[Path], seed: int) -> Iterator[Path]:
    """`files` in a seeded random order that does not depend on how they were listed."""
    order = sorted(files)
    random.Random(seed).shuffle(order)
    yield from order


def sample_dev_corpus(
    roots: Sequence[Path], max_tokens: int, seed: int, tokenize: Tokenizer
) -> DevCorpus:
    """Tokenize shuffled files until `max_tokens` is reached (the last file is cut at the cap)."""
    corpus = DevCorpus()
    for path in iter_shuffled(list_python_files(roots), seed):
        if corpus.tokens >= max_tokens:
            break
        try:
            if path.stat().st_size > MAX_DEV_FILE_BYTES:
                continue
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        used_file = False
        for line in split_logical_lines(tokenize(source)):
            room = max_tokens - corpus.tokens
            if room <= 0:
                break
            line = line[:room]
            corpus.sequences.append(line)
            corpus.tokens += len(line)
            used_file = True
        if used_file:
            corpus.files.append(path)
    return corpus
