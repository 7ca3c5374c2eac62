"""Read back what `codeqa-train data` wrote: `DATA/{generator,classifier}/{split}.jsonl`.

Every training and evaluation command reads these files, so there is one reader and one error
class; a bad file stops the command with `path:line` instead of failing later inside a tokenizer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from codeqa_train.data.errors import DataError

FieldTypes = Mapping[str, type | tuple[type, ...]]


class CuratedDataError(DataError):
    """A curated directory or split is missing, or a row is malformed (names `path:line`)."""


def curated_dir(data: Path, part: str) -> Path:
    """`DATA/<part>`, or `DATA/vN/<part>` for the highest version N present."""
    if (data / part).is_dir():
        return data / part
    versions = sorted(
        (p for p in data.glob("v*") if p.name[1:].isdigit() and (p / part).is_dir()),
        key=lambda p: int(p.name[1:]),
    )
    if not versions:
        raise CuratedDataError(data, None, f"no {part}/ directory (run `codeqa-train data` first)")
    return versions[-1] / part


def read_curated(path: Path, required: FieldTypes) -> list[dict[str, Any]]:
    """The rows of one JSON-lines split, each an object whose `required` fields have those types.

    Blank lines are skipped. Extra fields are kept, so callers can read optional ones (`source`,
    `qid`) themselves.
    """
    if not path.is_file():
        raise CuratedDataError(path, None, "missing (run `codeqa-train data` first?)")
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise CuratedDataError(path, lineno, f"invalid JSON ({e.msg})") from e
            if not isinstance(row, dict):
                raise CuratedDataError(path, lineno, "expected a JSON object")
            for key, kind in required.items():
                if key not in row:
                    raise CuratedDataError(path, lineno, f"field {key!r} missing")
                if not isinstance(row[key], kind):
                    problem = f"field {key!r} is {type(row[key]).__name__}, {_expected(kind)}"
                    raise CuratedDataError(path, lineno, problem)
            rows.append(row)
    return rows


def _expected(kind: type | tuple[type, ...]) -> str:
    names = [k.__name__ for k in kind] if isinstance(kind, tuple) else [kind.__name__]
    return "expected " + " or ".join(names)
