"""CoNaLa loaders: the curated train/test JSON arrays, the seed's `conala-all.json`, mined JSONL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.readers import iter_json_array, iter_json_lines, require
from codeqa_train.data.records import Pair

_CURATED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "intent": str,
    "snippet": str,
    "question_id": int,
}
_MINED_FIELDS: dict[str, type | tuple[type, ...]] = {
    **_CURATED_FIELDS,
    "prob": (int, float),
    "id": str,
}


def _pair(record: dict, source: str, pair_id: str, path: Path, line: int) -> Pair:
    """One CoNaLa row → `Pair`: `rewritten_intent` when present, the raw intent kept beside it."""
    rewritten = record.get("rewritten_intent")
    if rewritten is not None and not isinstance(rewritten, str):
        raise DataError(path, line, "field 'rewritten_intent' should be str or null")
    raw = record["intent"].strip()
    intent = rewritten.strip() if rewritten and rewritten.strip() else raw
    snippet = record["snippet"].strip("\n")
    prob = record.get("prob")
    if prob is not None and (not isinstance(prob, int | float) or isinstance(prob, bool)):
        raise DataError(path, line, "field 'prob' should be a number")
    return Pair(
        id=pair_id,
        qid=record["question_id"],
        source=source,
        intent=intent,
        raw_intent=raw,
        snippet=snippet,
        prob=float(prob) if prob is not None else None,
        rewritten=intent != raw,
    )


def load_conala_json(
    path: Path, source: str, bad: BadInput, id_prefix: str | None = None
) -> Iterator[Pair]:
    """CoNaLa train/test or the seed's curated `conala-all.json` (a JSON array of objects).

    Ids are `<id_prefix or source>:<row>` (row counts from 0 in file order), stable across runs.
    """
    for row, line, record in iter_json_array(path, bad):
        try:
            checked = require(record, _CURATED_FIELDS, path, line)
            yield _pair(checked, source, f"{id_prefix or source}:{row}", path, line)
        except DataError as exc:
            bad.handle(exc)


def load_conala_mined(path: Path, bad: BadInput) -> Iterator[Pair]:
    """CoNaLa-mined JSON lines: `intent, snippet, question_id, prob, id, parent_answer_post_id`."""
    for line, record in iter_json_lines(path, bad):
        try:
            checked = require(record, _MINED_FIELDS, path, line)
            yield _pair(checked, "conala-mined", f"conala-mined:{checked['id']}", path, line)
        except DataError as exc:
            bad.handle(exc)
