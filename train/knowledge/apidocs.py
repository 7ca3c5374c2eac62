"""Xu et al.'s NL→call pairs from the Python docs (`apidocs/python-docs.jsonl`) and how often
their 15k re-sample toward Stack Overflow intents drew each row."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from codeqa_train.data.errors import BadInput, DataError
from codeqa_train.data.readers import iter_json_lines, require
from codeqa_train.knowledge.records import GenPair

DOCS = "apidocs/python-docs.jsonl"
RESAMPLED = "apidocs/resampled-intent-topk1-temp5.jsonl"
_FIELDS: dict[str, type | tuple[type, ...]] = {"intent": str, "snippet": str, "question_id": int}


def resample_counts(path: Path, bad: BadInput) -> Counter[int]:
    """Row id (`question_id`) → times the re-sample drew it."""
    counts: Counter[int] = Counter()
    for line, record in iter_json_lines(path, bad):
        try:
            counts[require(record, _FIELDS, path, line)["question_id"]] += 1
        except DataError as exc:
            bad.handle(exc)
    return counts


def load_apidocs(shared: Path, bad: BadInput) -> list[GenPair]:
    """Every doc pair, `resampled` set from the re-sample file when it is there."""
    docs = shared / DOCS
    resampled = shared / RESAMPLED
    counts = resample_counts(resampled, bad) if resampled.is_file() else Counter()
    pairs = []
    for line, record in iter_json_lines(docs, bad):
        try:
            row = require(record, _FIELDS, docs, line)
        except DataError as exc:
            bad.handle(exc)
            continue
        intent, snippet = row["intent"].strip(), row["snippet"].strip()
        if intent and snippet:
            pairs.append(GenPair(intent, snippet, "apidocs", 1.0, counts[row["question_id"]]))
    return pairs
