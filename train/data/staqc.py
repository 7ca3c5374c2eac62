"""StaQC loaders: the code/title pickles (opt-in only) and the manually annotated CodeXGLUE JSON.

Snippets come out raw; the curation step cleans them (`clean.clean_snippet`) so the report can
count what cleaning and the line limit removed.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.readers import iter_json_array, iter_lines, require
from codeqa_train.data.records import Pair


def _unpickle(path: Path) -> dict:
    """Load one StaQC pickle. Only ever called on a path the user named on the command line:
    unpickling runs code, so nothing here finds pickles by itself."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle, encoding="latin1")  # Python 2 pickles
    except OSError as exc:
        raise DataError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    except Exception as exc:  # a broken pickle can raise almost anything
        raise DataError(path, None, f"not a readable pickle: {exc}") from exc
    if not isinstance(data, dict):
        raise DataError(path, None, f"expected a pickled dict, got {type(data).__name__}")
    return data


def _as_text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("latin1")
    return value if isinstance(value, str) else None


def load_staqc_pickles(code_path: Path, title_path: Path, bad: BadInput) -> Iterator[Pair]:
    """StaQC `question_id -> code` (or `(question_id, snippet index) -> code`) with
    `question_id -> title`. Pairs come out sorted by key, so order never depends on the pickle."""
    codes, titles = _unpickle(code_path), _unpickle(title_path)
    entries = []
    for key, code in codes.items():
        if isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, int) for k in key):
            qid, pair_id = key[0], f"staqc:{key[0]}:{key[1]}"
        elif isinstance(key, int) and not isinstance(key, bool):
            qid, pair_id = key, f"staqc:{key}"
        else:
            bad.handle(DataError(code_path, None, f"key {key!r}: expected an int or (int, int)"))
            continue
        entries.append((key if isinstance(key, tuple) else (key, -1), qid, pair_id, code))
    for _sort_key, qid, pair_id, code in sorted(entries, key=lambda entry: entry[0]):
        text, title = _as_text(code), _as_text(titles.get(qid))
        if text is None:
            bad.handle(DataError(code_path, None, f"key {qid}: code is not text"))
        elif title is None:
            bad.handle(DataError(title_path, None, f"question {qid}: title missing or not text"))
        else:
            title = title.strip()
            yield Pair(pair_id, qid, "staqc", title, title, text)


def load_staqc_iids(path: Path, bad: BadInput) -> dict[tuple[str, int], int]:
    """`staqc_iids.tsv` → {(split, idx): question_id}; split is `train` or `dev`."""
    index: dict[tuple[str, int], int] = {}
    header_seen = False
    for line_no, line in iter_lines(path, bad):
        if line is None or not line.strip():
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if cells[:3] != ["split", "idx", "question_id"]:
                raise DataError(path, line_no, "expected header 'split, idx, question_id, ...'")
            continue
        try:
            index[(cells[0], int(cells[1]))] = int(cells[2])
        except (IndexError, ValueError):
            bad.handle(DataError(path, line_no, "expected 'split<TAB>idx<TAB>question_id<TAB>…'"))
    return index


def load_staqc_annotated(
    path: Path, split: str, iids: dict[tuple[str, int], int], bad: BadInput
) -> Iterator[tuple[Pair, int]]:
    """CodeXGLUE's annotated StaQC rows `{idx, doc, code, label}` as `(pair, label)`.

    The question id comes from `staqc_iids.tsv`; a row it does not map is bad input (without the
    id the row could leak past the test filter and the by-question split).
    """
    fields: dict[str, type | tuple[type, ...]] = {"idx": int, "doc": str, "code": str, "label": int}
    for _row, line, record in iter_json_array(path, bad):
        try:
            checked = require(record, fields, path, line)
            if checked["label"] not in (0, 1):
                raise DataError(path, line, f"label should be 0 or 1, got {checked['label']}")
            qid = iids.get((split, checked["idx"]))
            if qid is None:
                raise DataError(path, line, f"idx {checked['idx']} not in staqc_iids ({split})")
            title = checked["doc"].strip()
        except DataError as exc:
            bad.handle(exc)
            continue
        pair_id = f"staqc-annotated:{split}:{checked['idx']}"
        yield Pair(pair_id, qid, "staqc-annotated", title, title, checked["code"]), checked["label"]
