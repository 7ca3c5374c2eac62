"""model/conflict_evidence.py: the API check's intent rules as matcher evidence."""

from __future__ import annotations

import numpy as np
import pytest
from codeqa_model.combiner import evidence_matrix
from codeqa_model.conflict_evidence import CONFLICT_FEATURES, conflict_reason, conflicts
from codeqa_model.match_evidence import Evidence


@pytest.mark.parametrize(
    ("intent", "code", "reason"),
    [
        ("parse the json string `body` into a python object", "obj = json.dumps(body)",
         "calls json.dumps, which writes; the intent asks to read or parse"),
        ("compute the sha256 hex digest of the string `password`",
         "digest = base64.b64encode(password.encode('utf-8'))",
         "uses no hashlib; the intent asks for it"),
        ("get the maximum of the numbers `a` and `b`", "biggest = min(a, b)",
         "calls min, which takes the minimum; the intent asks to maximum"),
    ],
)  # fmt: skip
def test_a_block_breaking_an_intent_rule_says_which(intent: str, code: str, reason: str) -> None:
    assert conflict_reason(intent, code) == reason
    assert conflicts(intent, code) == [1.0]


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        ("parse the json string `body` into a python object", "obj = json.loads(body)"),
        # the check's "uses none of" is no part of it
        ("convert the unix timestamp `ts` to a datetime", "when = datetime.now()"),
        # a long block, code that does not parse, no intent
        ("parse the json string `body`", "\n".join(["x = 1"] * 6 + ["obj = json.dumps(body)"])),
        ("parse the json string `body`", "obj = json.dumps(body"),
        ("", "obj = json.dumps(body)"),
    ],
)  # fmt: skip
def test_no_rule_broken_gives_zero(intent: str, code: str) -> None:
    assert conflict_reason(intent, code) is None
    assert conflicts(intent, code) == [0.0]


def test_the_combiner_reads_it_by_name() -> None:
    pairs = [("parse the json string `body`", "json.dumps(body)"), ("x", "y")]
    column = evidence_matrix(pairs, CONFLICT_FEATURES, Evidence({}, {}, ()))
    assert np.array_equal(column, np.array([[1.0], [0.0]]))
