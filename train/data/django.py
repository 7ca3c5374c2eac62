"""Django line-aligned pseudo-code (`all.anno`) ↔ code (`all.code`) pairs (Oda et al., 2015)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.readers import iter_lines
from codeqa_train.data.records import Pair


def load_django(anno_path: Path, code_path: Path, bad: BadInput) -> Iterator[Pair]:
    """One pair per line; the source indentation (leading spaces) is stripped from both sides.

    Django has no question ids, so each line is its own question `django:<line>`. Files of
    different lengths cannot be aligned and always stop the run.
    """
    annos = list(iter_lines(anno_path, bad))
    codes = list(iter_lines(code_path, bad))
    if len(annos) != len(codes):
        raise DataError(
            code_path, None, f"{len(codes)} lines but {anno_path} has {len(annos)}; not aligned"
        )
    for (line_no, anno), (_, code) in zip(annos, codes, strict=True):
        if anno is None or code is None:
            continue  # already counted by iter_lines
        qid = f"django:{line_no}"
        yield Pair(qid, qid, "django", anno.strip(), anno.strip(), code.strip())
